//! Declares the app's own commands so that each needs an explicit permission (granted in
//! `capabilities/default.json`): the window gets exactly these and nothing else.
//!
//! The names come from the one declaration of the IPC surface, `src/ipc/surface.rs`,
//! included here with a reading of its macro that keeps only the command names (the types
//! and bodies there are parsed, never compiled, by this script).

macro_rules! ipc_surface {
    (
        commands {
            $(
                $(#[doc = $doc:literal])*
                $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty => |$cx:ident| $body:expr;
            )*
        }
        events { $($events:tt)* }
    ) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("src/ipc/surface.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/ipc/surface.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
