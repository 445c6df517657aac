//! The sync engine: a hired candidate in iCIMS becomes exactly one active Namely profile.
//! Knows nothing of Tauri; the desktop app and the CLI are thin shells over this crate.

pub mod alerts;
pub mod api;
pub mod checks;
pub mod clients;
pub mod connection;
pub mod domain;
pub mod engine;
pub mod mapping;
pub mod notices;
pub mod os_units;
pub mod paths;
pub mod plan;
pub mod quote;
pub mod schedule;
pub mod scheduler;
pub mod secrets;
pub mod signin;
pub mod store;
pub mod sync;
