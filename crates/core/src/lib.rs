//! The sync engine: a hired candidate in iCIMS becomes exactly one active Namely profile.
//! Knows nothing of Tauri; the desktop app and the CLI are thin shells over this crate.

pub mod domain;
