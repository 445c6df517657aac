//! iCIMS REST API client.
