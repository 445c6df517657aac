//! Namely HRIS API client.
