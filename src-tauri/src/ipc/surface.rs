// The IPC surface of the desktop app: every command the window may call and every event the
// backend sends, declared once. Each command names its arguments, its answer and the one
// engine call it adapts (`cx.engine`, and `cx.app` for the window). From this declaration
// come the Tauri commands and their handler, one permission per command (`build.rs` reads
// this same file), and the TypeScript of `ui/src/ipc/commands.ts` (see `ipc/mod.rs`).
//
// This file holds the declaration only, no `use`: `build.rs` includes it with a reading of
// the macro of its own. The types named here are those imported by `ipc/mod.rs`.

ipc_surface! {
    commands {
        /// About the running app: version, data folder, whether secrets survive a restart.
        app_info() -> AppInfo => |cx| Ok(cx.engine.app_info());
        /// Every connection as a dashboard card, sorted by name.
        list_connections() -> Vec<ConnectionSummary> => |cx| cx.engine.list_connections();
        /// Everything about one connection.
        get_connection(name: String) -> ConnectionDetails => |cx| cx.engine.connection(&name);
        /// Starts a connection from the wizard: a name and the Namely permalink.
        create_connection(input: NewConnectionInput) -> ConnectionDetails =>
            |cx| cx.engine.create_connection(input);
        /// Removes a connection and its secrets; its history too unless `keep_history`.
        remove_connection(name: String, keep_history: bool) -> () =>
            |cx| cx.engine.remove_connection(&name, keep_history).await;
        /// Starts the built-in simulators and creates (or reopens) the "Sandbox" connection.
        start_sandbox() -> SandboxInfo => |cx| cx.engine.start_sandbox().await;
        /// A permalink as typed, resolved to the company's Namely address.
        normalize_permalink(input: String) -> PermalinkView =>
            |_cx| Engine::normalize_permalink(&input);

        /// Part 2: saves a Namely token when signing in with it works.
        save_namely_token(name: String, token: SecretInput) -> SignInResult =>
            |cx| cx.engine.save_namely_token(&name, token.into_secret()).await;
        /// Part 2, checked again with the saved token.
        check_namely_sign_in(name: String) -> SignInResult =>
            |cx| cx.engine.check_namely_sign_in(&name).await;
        /// Part 2, Sign in with Namely: listens on 127.0.0.1 for Namely's answer (at `port`,
        /// else the one used before, else 47600), then opens Namely's sign-in page: in the
        /// system browser, or for the sandbox in a window of the app. Call
        /// `finish_namely_sign_in` next.
        begin_namely_sign_in(name: String, client_id: String, client_secret: SecretInput, port: Option<u16>)
            -> SignInStart =>
            |cx| signin::begin(cx.app, cx.engine, &name, &client_id, client_secret, port).await;
        /// Waits (5 minutes at most) for the person to click Accept, then exchanges the code,
        /// checks the sign-in and keeps it; closes the sandbox's sign-in window either way.
        finish_namely_sign_in(name: String) -> SignInResult =>
            |cx| signin::finish(cx.app, cx.engine, &name).await;
        /// Shows Namely's sign-in page of the waiting sign-in again; false when none waits.
        reopen_namely_sign_in(name: String) -> bool => |cx| Ok(signin::reopen(cx.app, &name));
        /// Stops the waiting sign-in (its `finish_namely_sign_in` answers that it was
        /// cancelled); false when none waits.
        cancel_namely_sign_in(name: String) -> bool =>
            |cx| Ok(signin::cancel(cx.app, cx.engine, &name));
        /// Part 1: the Namely field `icims_id` (Text).
        check_namely_field(name: String) -> CheckResult =>
            |cx| cx.engine.check_namely_field(&name).await;

        /// Part 3: the people who signed in, each verified live.
        owner_step(name: String) -> OwnerStep => |cx| cx.engine.owner_step(&name).await;
        /// Part 3: chooses the owner among the people who signed in; with
        /// `confirm_administrator`, confirms the access role Namely did not report.
        choose_owner(name: String, profile_id: String, confirm_administrator: bool) -> OwnerStep =>
            |cx| cx.engine.choose_owner(&name, &profile_id, confirm_administrator).await;

        /// Part 4: tests the iCIMS connection as typed; saves nothing.
        test_icims(name: String, input: IcimsInput) -> CheckResult =>
            |cx| cx.engine.test_icims(&name, &input).await;
        /// Part 4: tests, and only when the test passes saves the settings and the key.
        save_icims(name: String, input: IcimsInput) -> CheckResult =>
            |cx| cx.engine.save_icims(&name, &input).await;
        /// Removes a secret from the keychain.
        remove_secret(name: String, kind: SecretKind) -> ConnectionDetails =>
            |cx| cx.engine.remove_secret(&name, kind).await;

        /// Hired statuses and schedule (stop 5 and Settings).
        update_sync_settings(name: String, input: SyncSettingsInput) -> ConnectionDetails =>
            |cx| cx.engine.update_sync_settings(&name, input);
        /// The start-from dates on offer, counted from the latest dry run.
        start_from_choices(name: String) -> StartFromChoices =>
            |cx| cx.engine.start_from_choices(&name);
        /// A dry run: the plan, nothing written to Namely. Progress as `sync-progress`.
        preview_sync(name: String) -> RunDetails =>
            |cx| sync(&cx, &name, SyncRequest::dry_run(Trigger::Manual)).await;
        /// A real sync. Progress as `sync-progress`, the end as `sync-finished`.
        sync_now(name: String) -> RunDetails =>
            |cx| sync(&cx, &name, SyncRequest::sync(Trigger::Manual)).await;
        /// Sends again the hires whose last attempt failed.
        retry_failed(name: String) -> RunDetails =>
            |cx| sync(&cx, &name, SyncRequest::retry_failed()).await;
        /// Stops the running sync (manual or scheduled) after the record in flight; it ends
        /// recorded as cancelled, announced as `sync-finished`. False when none runs here.
        cancel_sync(name: String) -> bool => |cx| cx.engine.cancel_sync(&name);

        /// Hires waiting for a person's decision ("needs review"), oldest first.
        open_reviews(name: String) -> Vec<ReviewItem> => |cx| cx.engine.open_reviews(&name);
        /// Link: writes the hire's `icims_id` onto the Namely profile that is already them.
        link_review(name: String, person_id: u64, profile_id: String) -> RunDetails =>
            |cx| ended(&cx, &name, cx.engine.link_review(&name, person_id, &profile_id).await);
        /// Create anyway: adds the hire although a possible match exists.
        create_anyway(name: String, person_id: u64) -> RunDetails =>
            |cx| ended(&cx, &name, cx.engine.create_anyway(&name, person_id).await);

        /// The newest runs of a connection.
        list_runs(name: String, limit: u32) -> Vec<RunSummary> =>
            |cx| cx.engine.runs(&name, limit as usize);
        /// One run with every record.
        get_run(run_id: i64) -> RunDetails => |cx| cx.engine.run_details(RunId(run_id));
        /// Writes a run as CSV into the Downloads folder.
        export_run_csv(run_id: i64) -> ExportedFile =>
            |cx| cx.engine.export_run_csv(RunId(run_id), None);

        /// Whether schedules are paused and the app starts at login.
        background_state() -> BackgroundState => |cx| Ok(background::state(cx.app));
        /// Pauses or resumes every schedule (as the tray's "Pause schedules" does).
        set_schedules_paused(paused: bool) -> BackgroundState =>
            |cx| Ok(background::set_schedules_paused(cx.app, paused));
        /// Turns starting the app (in the tray) at login on or off.
        set_start_at_login(enabled: bool) -> BackgroundState =>
            |cx| background::set_start_at_login(cx.app, enabled);
    }
    events {
        /// Live progress of every sync, manual or scheduled.
        sync_progress = "sync-progress": SyncProgress;
        /// A run ended, manual or scheduled, or a scheduled one could not start.
        sync_finished = "sync-finished": SyncFinished;
        /// Schedules were paused or resumed, or start at login changed (tray or Settings).
        background_changed = "background-changed": BackgroundState;
        /// A notification was clicked: show this screen.
        open_screen = "open-screen": NoticeRoute;
    }
}
