//! The sync engine. Knows nothing of Tauri.
