//! The window's way into the backend: Tauri commands and events, each adapting one engine
//! call and nothing else.
//!
//! Declared once, in `surface.rs`, through [`ipc_surface!`]. That one declaration gives:
//! - the commands themselves (each `async`, so the window's thread never waits on the engine)
//!   and [`handler`], which registers exactly them;
//! - [`COMMANDS`], the command names; `build.rs` reads `surface.rs` with a macro of its own
//!   to declare one permission per command, and a test checks that the window's capability
//!   grants exactly those;
//! - the events, each with a typed function in [`emit`] that sends it;
//! - `typescript()`: `ui/src/ipc/commands.ts`, the typed `api` the interface calls and the
//!   `Commands` and `Events` maps its browser tests' fake backend is checked against. A test
//!   fails when that file is not what this declaration says.

use crate::{AppState, background, signin};
use icims_namely_core::api::{
    AppInfo, BackgroundState, CheckResult, ConnectionDetails, ConnectionSummary, ExportedFile,
    IcimsInput, IpcError, NewConnectionInput, NoticeRoute, OwnerStep, PermalinkView, ReviewItem,
    RunDetails, RunSummary, SandboxInfo, SecretInput, SecretKind, SignInResult, SignInStart,
    StartFromChoices, SyncFinished, SyncProgress, SyncSettingsInput, Trigger,
};
use icims_namely_core::engine::{Engine, EngineError, SyncRequest};
use icims_namely_core::store::RunId;
use tauri::{AppHandle, Emitter, Runtime, State};

/// What a command's body works with.
pub(crate) struct Cx<'a, R: Runtime> {
    pub app: &'a AppHandle<R>,
    pub engine: &'a Engine,
}

/// Runs a sync for a command, sending its progress and its end to the window.
async fn sync<R: Runtime>(
    cx: &Cx<'_, R>,
    name: &str,
    request: SyncRequest,
) -> Result<RunDetails, EngineError> {
    let app = cx.app.clone();
    let progress = move |p: &SyncProgress| emit::sync_progress(&app, p);
    let result = cx.engine.sync(name, request, &progress, None).await;
    finished(cx.app, name, &result);
    result
}

/// A review's run ended: tell the window, and answer.
fn ended<R: Runtime>(
    cx: &Cx<'_, R>,
    name: &str,
    result: Result<RunDetails, EngineError>,
) -> Result<RunDetails, EngineError> {
    finished(cx.app, name, &result);
    result
}

/// Tells the window a run of `connection` ended (or could not run): every sync, the
/// commands' and the scheduler's, ends with this.
pub(crate) fn finished<R: Runtime>(
    app: &AppHandle<R>,
    connection: &str,
    result: &Result<RunDetails, EngineError>,
) {
    let finished = SyncFinished {
        connection: connection.to_string(),
        run: result.as_ref().ok().map(|d| d.summary.clone()),
    };
    emit::sync_finished(app, &finished);
}

/// One command's signature as TypeScript sees it (for `typescript()`).
#[cfg(test)]
struct CommandSpec {
    name: &'static str,
    docs: &'static [&'static str],
    /// (Rust name, TypeScript type)
    args: Vec<(&'static str, String)>,
    returns: String,
}

/// One event as TypeScript sees it.
#[cfg(test)]
struct EventSpec {
    /// The emitting function's name (snake case).
    function: &'static str,
    name: &'static str,
    docs: &'static [&'static str],
    payload: String,
}

/// Declares the commands and events (see `surface.rs` for the syntax).
macro_rules! ipc_surface {
    (
        commands {
            $(
                $(#[doc = $doc:literal])*
                $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty => |$cx:ident| $body:expr;
            )*
        }
        events {
            $(
                $(#[doc = $edoc:literal])*
                $event:ident = $wire:literal : $payload:ty;
            )*
        }
    ) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            async fn $name<R: Runtime>(
                app: AppHandle<R>,
                state: State<'_, AppState>,
                $($arg: $ty),*
            ) -> Result<$ret, IpcError> {
                let $cx = Cx {
                    app: &app,
                    engine: &state.engine,
                };
                let answer: Result<$ret, EngineError> = $body;
                answer.map_err(IpcError::from)
            }
        )*

        /// Every command the window may call, and nothing else.
        pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// The command names, as the window calls them.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// Sends the backend's events to the window, one typed function per event.
        pub mod emit {
            use super::*;
            $(
                $(#[doc = $edoc])*
                pub fn $event<R: Runtime>(app: &AppHandle<R>, payload: &$payload) {
                    if let Err(e) = app.emit($wire, payload) {
                        tracing::warn!(event = $wire, error = %e, "could not send an event to the window");
                    }
                }
            )*
        }

        #[cfg(test)]
        fn command_specs(cfg: &ts_rs::Config) -> Vec<CommandSpec> {
            vec![$(
                CommandSpec {
                    name: stringify!($name),
                    docs: &[$($doc),*],
                    args: vec![$((stringify!($arg), <$ty as ts_rs::TS>::name(cfg))),*],
                    returns: <$ret as ts_rs::TS>::name(cfg),
                }
            ),*]
        }

        #[cfg(test)]
        fn event_specs(cfg: &ts_rs::Config) -> Vec<EventSpec> {
            vec![$(
                EventSpec {
                    function: stringify!($event),
                    name: $wire,
                    docs: &[$($edoc),*],
                    payload: <$payload as ts_rs::TS>::name(cfg),
                }
            ),*]
        }
    };
}

include!("surface.rs");

/// `keep_history` → `keepHistory`: how Tauri names a command's arguments for JavaScript.
#[cfg(test)]
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `/** … */` from doc lines, indented.
#[cfg(test)]
fn ts_doc(docs: &[&str], indent: &str) -> String {
    if docs.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = docs.iter().map(|d| d.trim().to_string()).collect();
    format!("{indent}/** {} */\n", lines.join(" "))
}

/// The type names a TypeScript type mentions that come from `bindings.ts`.
#[cfg(test)]
fn named_types(ts: &str, into: &mut std::collections::BTreeSet<String>) {
    for word in ts.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        let builtin = matches!(word, "Array" | "Record" | "Promise");
        if word.starts_with(|c: char| c.is_ascii_uppercase()) && !builtin {
            into.insert(word.to_string());
        }
    }
}

/// `ui/src/ipc/commands.ts`, as the declaration in `surface.rs` says it must be.
#[cfg(test)]
pub(crate) fn typescript() -> String {
    // JSON numbers are what serde writes for u64/i64: declare them as `number`, like bindings.ts.
    let cfg = ts_rs::Config::new().with_large_int("number");
    let commands = command_specs(&cfg);
    let events = event_specs(&cfg);
    let mut types = std::collections::BTreeSet::new();
    for c in &commands {
        named_types(&c.returns, &mut types);
        for (_, ty) in &c.args {
            named_types(ty, &mut types);
        }
    }
    for e in &events {
        named_types(&e.payload, &mut types);
    }

    let mut out = String::from(
        "// Generated from src-tauri/src/ipc/surface.rs by src-tauri/src/ipc/mod.rs. Do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p icims-namely-app ipc\n\
         //\n\
         // The only way the interface reaches the backend: features call `api`, never `invoke`.\n\n",
    );
    out.push_str(&format!(
        "import type {{ {} }} from \"./bindings\";\n",
        types.into_iter().collect::<Vec<_>>().join(", ")
    ));
    out.push_str("import { call, listen, type UnlistenFn } from \"./invoke\";\n\n");

    out.push_str(
        "/** Every command of the backend: its arguments, as the window sends them, and its \
         answer. */\nexport type Commands = {\n",
    );
    for c in &commands {
        out.push_str(&ts_doc(c.docs, "  "));
        let args = if c.args.is_empty() {
            "Record<string, never>".to_string()
        } else {
            let fields: Vec<String> = c
                .args
                .iter()
                .map(|(name, ty)| format!("{}: {ty}", camel(name)))
                .collect();
            format!("{{ {} }}", fields.join("; "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; returns: {} }};\n",
            c.name, c.returns
        ));
    }
    out.push_str("};\n\n");

    out.push_str("/** Every event the backend sends, by name, with its payload. */\nexport type Events = {\n");
    for e in &events {
        out.push_str(&ts_doc(e.docs, "  "));
        out.push_str(&format!("  \"{}\": {};\n", e.name, e.payload));
    }
    out.push_str("};\n\n");

    out.push_str("/** The backend, one typed function per command. */\nexport const api = {\n");
    for c in &commands {
        out.push_str(&ts_doc(c.docs, "  "));
        let params: Vec<String> = c
            .args
            .iter()
            .map(|(name, ty)| format!("{}: {ty}", camel(name)))
            .collect();
        let object: Vec<String> = c.args.iter().map(|(name, _)| camel(name)).collect();
        out.push_str(&format!(
            "  {}: ({}): Promise<{}> => call(\"{}\", {{ {} }}),\n",
            camel(c.name),
            params.join(", "),
            c.returns,
            c.name,
            object.join(", ")
        ));
    }
    out.push_str("};\n\nexport type Api = typeof api;\n\n");

    out.push_str(
        "/** The backend's events, one typed subscription per event. */\nexport const on = {\n",
    );
    for e in &events {
        out.push_str(&ts_doc(e.docs, "  "));
        out.push_str(&format!(
            "  {}: (handler: (payload: {}) => void): Promise<UnlistenFn> => listen(\"{}\", handler),\n",
            camel(e.function),
            e.payload,
            e.name
        ));
    }
    out.push_str("};\n");
    out.replace("{  }", "{}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn repo(path: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
    }

    #[test]
    fn the_interface_s_commands_ts_is_what_the_declaration_says() {
        let path = repo("ui/src/ipc/commands.ts");
        let expected = typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected).expect("write commands.ts");
            return;
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "ui/src/ipc/commands.ts is stale: the IPC surface in src-tauri/src/ipc/surface.rs \
             changed. Regenerate it with\n  UPDATE_BINDINGS=1 cargo test -p icims-namely-app ipc"
        );
    }

    #[test]
    fn the_window_may_call_exactly_the_declared_commands() {
        let path = repo("src-tauri/capabilities/default.json");
        let text = std::fs::read_to_string(&path).expect("the capability file");
        let capability: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let granted: BTreeSet<String> = capability["permissions"]
            .as_array()
            .expect("a list of permissions")
            .iter()
            .filter_map(|p| p.as_str())
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        let declared: BTreeSet<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            granted, declared,
            "capabilities/default.json must grant allow-<command> for exactly the commands \
             declared in src-tauri/src/ipc/surface.rs"
        );
        // Beyond the app's own commands, the window may only listen to events.
        let others: Vec<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.starts_with("allow-"))
            .collect();
        assert_eq!(
            others,
            ["core:event:allow-listen", "core:event:allow-unlisten"]
        );
    }

    /// Namely's sign-in page (the sandbox's, in the `namely-sign-in` window) is a web page of
    /// its own over http: it must reach none of the app's commands, nor any other command.
    #[test]
    fn only_the_main_window_may_call_commands() {
        let text = std::fs::read_to_string(repo("src-tauri/capabilities/default.json"))
            .expect("the capability file");
        let capability: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        assert!(
            capability.get("webviews").is_none() && capability.get("remote").is_none(),
            "no webview or remote address may be granted the app's commands: {capability}"
        );
        assert_ne!(crate::signin::WINDOW, crate::background::MAIN);
        let capabilities = std::fs::read_dir(repo("src-tauri/capabilities"))
            .unwrap()
            .count();
        assert_eq!(capabilities, 1, "one capability file, for the main window");
        let sign_in = specs_named("begin_namely_sign_in");
        assert_eq!(
            sign_in.args,
            [
                ("name", "string".to_string()),
                ("client_id", "string".to_string()),
                ("client_secret", "string".to_string()),
                ("port", "number | null".to_string()),
            ]
        );
        assert_eq!(sign_in.returns, "SignInStart");
        assert_eq!(specs_named("finish_namely_sign_in").returns, "SignInResult");
        assert_eq!(specs_named("cancel_namely_sign_in").returns, "boolean");
    }

    fn specs_named(name: &str) -> CommandSpec {
        let cfg = ts_rs::Config::new().with_large_int("number");
        command_specs(&cfg)
            .into_iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no command {name}"))
    }

    #[test]
    fn arguments_are_named_as_tauri_names_them() {
        assert_eq!(camel("keep_history"), "keepHistory");
        assert_eq!(camel("profile_id"), "profileId");
        assert_eq!(camel("run_id"), "runId");
        assert_eq!(camel("name"), "name");
        let cfg = ts_rs::Config::new().with_large_int("number");
        let specs = command_specs(&cfg);
        let remove = specs
            .iter()
            .find(|c| c.name == "remove_connection")
            .unwrap();
        assert_eq!(
            remove.args,
            [
                ("name", "string".to_string()),
                ("keep_history", "boolean".to_string())
            ]
        );
        assert_eq!(remove.returns, "null");
        let list = specs.iter().find(|c| c.name == "list_runs").unwrap();
        assert_eq!(list.returns, "Array<RunSummary>");
    }

    #[test]
    fn secrets_sent_by_the_window_are_read_straight_into_wiped_memory() {
        use icims_namely_core::secrets::SecretInput;
        use secrecy::ExposeSecret;
        // TypeScript still sends a string.
        let cfg = ts_rs::Config::new().with_large_int("number");
        let specs = command_specs(&cfg);
        let save = specs
            .iter()
            .find(|c| c.name == "save_namely_token")
            .unwrap();
        assert_eq!(
            save.args,
            [
                ("name", "string".to_string()),
                ("token", "string".to_string())
            ]
        );
        // What Tauri hands the command: the JSON of the call's arguments.
        let token: SecretInput = serde_json::from_value(serde_json::json!("tok-123")).unwrap();
        assert_eq!(token.expose_secret(), "tok-123");
        assert!(!format!("{token:?}").contains("tok-123"));
        let input: IcimsInput = serde_json::from_value(serde_json::json!({
            "customer_id": "1234", "username": "api", "region": "us", "hmac_key": "k".repeat(32)
        }))
        .unwrap();
        let key: Option<&SecretInput> = input.hmac_key.as_ref();
        assert_eq!(key.map(|k| k.expose_secret().len()), Some(32));
        assert!(!format!("{input:?}").contains("kkkk"));
    }

    #[test]
    fn command_names_are_unique() {
        let unique: BTreeSet<&str> = COMMANDS.iter().copied().collect();
        assert_eq!(unique.len(), COMMANDS.len());
        assert!(COMMANDS.contains(&"sync_now") && COMMANDS.contains(&"app_info"));
    }
}
