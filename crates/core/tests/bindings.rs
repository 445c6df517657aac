//! The TypeScript types of the desktop app's IPC are generated from `icims_namely_core::api`.
//! This test fails when `ui/src/ipc/bindings.ts` is stale; regenerate it with
//! `UPDATE_BINDINGS=1 cargo test -p icims-namely-core --test bindings`.

use icims_namely_core::api::*;
use ts_rs::{Config, TS};

fn declaration<T: TS>(cfg: &Config) -> String {
    format!("export {}\n", T::decl(cfg))
}

fn render() -> String {
    // JSON numbers are what serde writes for u64/i64: declare them as `number`, not `bigint`.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        declaration::<Counts>(&cfg),
        declaration::<OutcomeKind>(&cfg),
        declaration::<Trigger>(&cfg),
        declaration::<CheckCode>(&cfg),
        declaration::<RunErrorCode>(&cfg),
        declaration::<SetupStep>(&cfg),
        declaration::<StepState>(&cfg),
        declaration::<StepStatus>(&cfg),
        declaration::<Field>(&cfg),
        declaration::<CheckResult>(&cfg),
        declaration::<Schedule>(&cfg),
        declaration::<IcimsRegion>(&cfg),
        declaration::<SecretKind>(&cfg),
        declaration::<SecretStore>(&cfg),
        declaration::<SecretInfo>(&cfg),
        declaration::<SettingsView>(&cfg),
        declaration::<Health>(&cfg),
        declaration::<ConnectionSummary>(&cfg),
        declaration::<ConnectionDetails>(&cfg),
        declaration::<NewConnectionInput>(&cfg),
        declaration::<PermalinkView>(&cfg),
        declaration::<IcimsInput>(&cfg),
        declaration::<SignInStart>(&cfg),
        declaration::<SignInResult>(&cfg),
        declaration::<OwnerVerdict>(&cfg),
        declaration::<OwnerCandidate>(&cfg),
        declaration::<RoleConfirmationView>(&cfg),
        declaration::<OwnerStep>(&cfg),
        declaration::<SyncSettingsInput>(&cfg),
        declaration::<RunStatus>(&cfg),
        declaration::<RunSummary>(&cfg),
        declaration::<RecordView>(&cfg),
        declaration::<RunDetails>(&cfg),
        declaration::<ReviewKind>(&cfg),
        declaration::<ReviewItem>(&cfg),
        declaration::<StartFromChoice>(&cfg),
        declaration::<StartFromChoices>(&cfg),
        declaration::<SyncPhase>(&cfg),
        declaration::<SyncProgress>(&cfg),
        declaration::<SyncFinished>(&cfg),
        declaration::<SandboxInfo>(&cfg),
        declaration::<KeychainStatus>(&cfg),
        declaration::<AppInfo>(&cfg),
        declaration::<BackgroundState>(&cfg),
        declaration::<NoticeRoute>(&cfg),
        declaration::<ExportedFile>(&cfg),
        declaration::<ErrorCode>(&cfg),
        declaration::<IpcError>(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/core/src/api.rs by crates/core/tests/bindings.rs. Do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p icims-namely-core --test bindings\n\n",
    );
    out.push_str(&decls.join("\n"));
    // The order of the wizard's stops, from the same enum.
    let steps: Vec<String> = SetupStep::ALL
        .iter()
        .map(|s| format!("\"{}\"", s.as_str()))
        .collect();
    out.push_str(&format!(
        "\n/** The setup wizard's stops, in order. */\nexport const SETUP_STEPS: readonly SetupStep[] = [{}];\n",
        steps.join(", ")
    ));
    out
}

#[test]
fn typescript_bindings_are_current() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/bindings.ts");
    let expected = render();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &expected).expect("write bindings.ts");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "ui/src/ipc/bindings.ts is stale: the Rust IPC types changed. Regenerate it with\n  \
         UPDATE_BINDINGS=1 cargo test -p icims-namely-core --test bindings"
    );
}
