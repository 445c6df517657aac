//! What the command line prints: readable tables for people, JSON for machines.

use crate::print::{errln, out, outln};
use icims_namely_core::api::{
    CheckResult, ConnectionDetails, ConnectionSummary, OutcomeKind, RunDetails, RunErrorCode,
    RunStatus, RunSummary, Schedule, SecretInfo, SecretStore, SettingsView, StepState, SyncPhase,
    SyncProgress,
};
use icims_namely_core::engine::{Engine, EngineError};
use icims_namely_core::quote::quoted;
use icims_namely_core::store::RunId;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

pub fn json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => outln!("{s}"),
        Err(e) => errln!("error: could not write JSON: {e}"),
    }
}

/// Quotes a name for a shell command line when it needs it.
pub fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// "2026-11-27 09:00 UTC" from RFC 3339.
pub fn when(rfc3339: &str) -> String {
    let t = rfc3339.replace('T', " ");
    let t = t.trim_end_matches('Z');
    let t = t.get(..16).unwrap_or(t);
    format!("{t} UTC")
}

pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i].saturating_sub(c.chars().count());
                format!("{c}{}", " ".repeat(pad))
            })
            .collect();
        outln!("{}", padded.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row.clone());
    }
}

/// "every 2 hours", "daily at 07:00", "off".
fn schedule(s: &Schedule) -> String {
    s.to_string().to_lowercase()
}

fn tick(ok: bool) -> &'static str {
    if ok { "yes" } else { "no" }
}

pub fn connection_table(list: &[ConnectionSummary]) {
    if list.is_empty() {
        outln!("No connections yet. Add one with `icims-namely connection add NAME ...`.");
        return;
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.company_name
                    .clone()
                    .unwrap_or_else(|| format!("{}.namely.com", c.namely_permalink)),
                tick(c.health.setup_complete).into(),
                tick(c.health.namely_token_set).into(),
                tick(c.health.icims_key_set).into(),
                c.last_run
                    .as_ref()
                    .map(run_line)
                    .unwrap_or_else(|| "never".into()),
                schedule(&c.schedule),
            ]
        })
        .collect();
    table(
        &[
            "NAME",
            "COMPANY",
            "SETUP",
            "NAMELY TOKEN",
            "ICIMS KEY",
            "LAST SYNC",
            "SCHEDULE",
        ],
        &rows,
    );
    for c in list {
        for w in &c.warnings {
            outln!("warning: {}: {w}", c.name);
        }
    }
}

fn run_line(r: &RunSummary) -> String {
    format!("{} — {}", when(&r.started_at), counts_line(r))
}

fn counts_line(r: &RunSummary) -> String {
    let c = &r.counts;
    let mut line = if r.dry_run {
        format!(
            "dry run: {} would be added, {} already there, {} need review, {} invalid",
            c.would_create, c.already_in_namely, c.needs_review, c.invalid
        )
    } else {
        format!(
            "{} added, {} already there, {} need review, {} invalid, {} failed",
            c.created, c.already_in_namely, c.needs_review, c.invalid, c.failed
        )
    };
    // Only when there are some: the line stays as it was for the runs that have none.
    if c.left_out > 0 {
        line.push_str(&format!(
            ", {} left out (started before the start-from date)",
            c.left_out
        ));
    }
    line
}

pub fn connection_details(d: &ConnectionDetails, warnings: &[String]) {
    let s = &d.settings;
    outln!("{}", s.name);
    if let Some(company) = &d.company_name {
        outln!("  Namely company     {company}");
    }
    outln!(
        "  Namely             {} ({})",
        s.namely_permalink,
        s.namely_web_url
    );
    match &s.namely_client_id {
        Some(client_id) => outln!(
            "  Namely sign-in     signed in with Namely (client ID {client_id}, redirect URI {})",
            s.namely_redirect_uri
        ),
        None => outln!("  Namely sign-in     personal access token"),
    }
    outln!(
        "  iCIMS              customer {} as {} ({})",
        s.icims_customer_id.as_deref().unwrap_or("not set"),
        s.icims_username.as_deref().unwrap_or("not set"),
        s.icims_region
    );
    outln!("  Hired statuses     {}", s.hired_statuses.join(", "));
    outln!(
        "  Start from         {} (hires who started before it are left out)",
        s.start_from
    );
    outln!("  Schedule           {}", schedule(&s.schedule));
    if s.schedule != Schedule::Off {
        outln!(
            "  Next sync          {}",
            d.next_sync_text.as_deref().unwrap_or("not planned")
        );
    }
    if let Some(note) = &d.schedule_note {
        outln!("                     {note}");
    }
    outln!(
        "  iCIMS reads        {} at once{}",
        s.icims_concurrency,
        if s.icims_concurrency_default {
            " (default)"
        } else {
            ""
        }
    );
    outln!(
        "  icims_id field     {}",
        s.icims_field_name.as_deref().unwrap_or("not found yet")
    );
    if let Some(owner) = &s.owner_profile_id {
        outln!("  Owner              Namely profile {owner}");
    }
    if let Some(c) = &s.owner_role_confirmation {
        outln!(
            "  Owner's role       Administrator confirmed by {} on {} (Namely does not report it)",
            c.by,
            when(&c.at)
        );
    }
    if s.sandbox {
        outln!("  Sandbox            yes (simulated iCIMS and Namely)");
    }
    for secret in &d.secrets {
        let label = capitalized(secret.kind.label());
        outln!("  {label:<18} {}", secret_source(secret));
    }
    outln!("  Setup:");
    for step in &d.steps {
        let mark = match step.state {
            StepState::Passed => "ok  ",
            StepState::Failed => "FAIL",
            StepState::NotStarted => "--  ",
        };
        let msg = step.message.as_deref().unwrap_or("not checked yet");
        outln!("    {mark} {:<15} {msg}", format!("{:?}", step.step));
    }
    for w in warnings {
        outln!("warning: {w}");
    }
}

/// What `connection edit` changed, and whether the next sync reads iCIMS again.
pub fn edit_summary(
    before: &SettingsView,
    after: &SettingsView,
    icims_url: Option<&str>,
    read_again: Option<&str>,
) {
    let mut changes: Vec<(&str, String, String)> = Vec::new();
    if before.start_from != after.start_from {
        changes.push((
            "Start from",
            before.start_from.clone(),
            after.start_from.clone(),
        ));
    }
    if before.hired_statuses != after.hired_statuses {
        changes.push((
            "Hired statuses",
            before.hired_statuses.join(", "),
            after.hired_statuses.join(", "),
        ));
    }
    if before.icims_concurrency != after.icims_concurrency
        || before.icims_concurrency_default != after.icims_concurrency_default
    {
        changes.push((
            "iCIMS reads",
            format!("{} at once", before.icims_concurrency),
            format!("{} at once", after.icims_concurrency),
        ));
    }
    if before.schedule != after.schedule {
        changes.push((
            "Schedule",
            schedule(&before.schedule),
            schedule(&after.schedule),
        ));
    }
    if before.namely_web_url != after.namely_web_url {
        changes.push((
            "Namely",
            before.namely_web_url.clone(),
            after.namely_web_url.clone(),
        ));
    }
    if changes.is_empty() && icims_url.is_none() {
        outln!("Nothing changed for {}.", quoted(&after.name));
    } else {
        outln!("Changed {}:", quoted(&after.name));
        for (what, old, new) in &changes {
            outln!("  {what:<16} {old} → {new}");
        }
        // The settings view does not show the iCIMS address: say what was asked for.
        if let Some(url) = icims_url {
            let url = url.trim();
            if url.is_empty() {
                outln!("  {:<16} the address of the region", "iCIMS address");
            } else {
                outln!("  {:<16} {url}", "iCIMS address");
            }
        }
    }
    if let Some(reason) = read_again {
        outln!(
            "The next sync reads iCIMS again from {} because {reason}.",
            after.start_from
        );
    }
}

/// "Alert webhook" from "alert webhook"; "iCIMS HMAC key" stays as it is.
fn capitalized(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), label.chars().nth(1)) {
        (Some(first), Some(second)) if second.is_lowercase() => {
            first.to_uppercase().chain(chars).collect()
        }
        _ => label.to_string(),
    }
}

/// Where a secret is read from, for people: "saved in the system keychain on …", "from
/// /run/credentials/…/acme.namely-token", "not set", or why the folder's file is refused.
pub fn secret_source(secret: &SecretInfo) -> String {
    let at = secret.saved_at.as_deref().map(when);
    match (secret.store, &secret.problem) {
        (_, Some(problem)) => format!("NOT USED: {problem}"),
        (Some(SecretStore::Folder), None) => format!(
            "from {} (the secrets folder)",
            secret.path.as_deref().unwrap_or("the secrets folder")
        ),
        (Some(SecretStore::Keychain), None) => match at {
            Some(at) => format!("saved in the system keychain on {at}"),
            None => "from the system keychain".to_string(),
        },
        (Some(SecretStore::Session), None) => match at {
            Some(at) => format!("kept for this session only (saved {at})"),
            None => "kept for this session only".to_string(),
        },
        (None, None) => "not set".to_string(),
    }
}

/// After `check`: where each secret came from.
pub fn secret_sources(secrets: &[SecretInfo]) {
    outln!("Secrets:");
    for secret in secrets {
        let label = capitalized(secret.kind.label());
        outln!("      {label:<17} {}", secret_source(secret));
    }
}

pub fn check_table(results: &[CheckResult]) {
    for r in results {
        let mark = if r.passed { "ok  " } else { "FAIL" };
        let part = match r.step {
            icims_namely_core::api::SetupStep::NamelyField => "1 Namely field",
            icims_namely_core::api::SetupStep::NamelySignIn => "2 Namely sign-in",
            icims_namely_core::api::SetupStep::Owner => "3 Owner",
            icims_namely_core::api::SetupStep::Icims => "4 iCIMS",
            icims_namely_core::api::SetupStep::Review => "5 Review",
        };
        outln!("{mark}  {part:<17} {}", r.summary);
        if let Some(fix) = r.fix.as_ref().filter(|_| !r.passed) {
            outln!("      {:<17} {fix}", "");
        }
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    if failed == 0 {
        outln!("All {} checks passed.", results.len());
    } else {
        outln!("{failed} of {} checks need attention.", results.len());
    }
}

pub fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

pub fn update_bar(bar: &ProgressBar, p: &SyncProgress) {
    let msg = match p.phase {
        SyncPhase::Searching => "Searching iCIMS for hires…",
        SyncPhase::ReadingHires => "Reading hires from iCIMS…",
        SyncPhase::IndexingNamely => "Checking Namely profiles…",
        SyncPhase::Planning => "Planning…",
        SyncPhase::AddingToNamely => "Adding to Namely…",
        SyncPhase::Done => "Done",
    };
    match p.seconds_left {
        // Namely paces a long listing at 100 pages a minute: say how long it will take.
        Some(s) if s >= 60 => bar.set_message(format!(
            "{msg} about {} min left (Namely allows 100 pages of profiles a minute)",
            (s + 30) / 60
        )),
        Some(s) if s >= 10 => bar.set_message(format!("{msg} about {s} s left")),
        _ => bar.set_message(msg),
    }
    bar.set_length(u64::from(p.total.unwrap_or(0)));
    bar.set_position(u64::from(p.done));
}

fn outcome(o: OutcomeKind) -> &'static str {
    match o {
        OutcomeKind::Created => "added",
        OutcomeKind::CreatedWithWarning => "added (warning)",
        OutcomeKind::LeftOut => "left out",
        OutcomeKind::WouldCreate => "would add",
        OutcomeKind::AlreadyInNamely => "already there",
        OutcomeKind::NeedsReview => "needs review",
        OutcomeKind::Invalid => "invalid",
        OutcomeKind::Failed => "FAILED",
    }
}

fn status(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Running => "running",
        RunStatus::Succeeded => "succeeded",
        RunStatus::FinishedWithFailures => "finished with failures",
        RunStatus::Failed => "failed",
        RunStatus::StoppedBudget => "stopped (iCIMS daily budget)",
        RunStatus::Interrupted => "interrupted",
        RunStatus::Cancelled => "cancelled",
        RunStatus::NotStarted => "did not start",
    }
}

/// What a run with no records says under its summary (`None`: a run that did not start, whose
/// reason and hint say it all). "No hires to handle." only when the run went well: a run
/// that failed or stopped says so and what comes next, never that there was nothing to do.
fn no_records_line(s: &RunSummary) -> Option<String> {
    let check = format!("icims-namely check {}", shell_quote(&s.connection));
    let sync = format!("icims-namely sync {}", shell_quote(&s.connection));
    Some(match s.status {
        RunStatus::NotStarted => return None,
        RunStatus::Succeeded => "No hires to handle.".to_string(),
        RunStatus::Failed | RunStatus::FinishedWithFailures => format!(
            "No hire was handled: the run failed before reaching one, and nothing was sent to \
             Namely. Fix what is said above (`{check}` checks the setup), then run `{sync}` \
             again."
        ),
        RunStatus::StoppedBudget => format!(
            "No hire was handled before the iCIMS daily budget ran out. `{sync}` after the \
             budget resets picks up from here."
        ),
        RunStatus::Cancelled | RunStatus::Interrupted => {
            format!("No hire was handled before the run stopped. `{sync}` picks up from here.")
        }
        RunStatus::Running => {
            "The run is still going; no hire is handled yet (`icims-namely history` shows it \
             when it ends)."
                .to_string()
        }
    })
}

pub fn run_details(d: &RunDetails) {
    let s = &d.summary;
    outln!(
        "Run {} of {} — {}{} — {}",
        s.id,
        s.connection,
        status(s.status),
        if s.dry_run {
            " (dry run: nothing written to Namely)"
        } else {
            ""
        },
        when(&s.started_at)
    );
    outln!(
        "{}; {} iCIMS calls, {} Namely calls.",
        counts_line(s),
        s.icims_calls,
        s.namely_calls
    );
    if let Some(err) = &s.error {
        outln!("{err}");
    }
    if d.records.is_empty() {
        if let Some(line) = no_records_line(s) {
            outln!("{line}");
        }
        return;
    }
    let rows: Vec<Vec<String>> = d
        .records
        .iter()
        .map(|r| {
            vec![
                r.person_id.to_string(),
                r.name.clone(),
                outcome(r.outcome).to_string(),
                r.reason.clone(),
            ]
        })
        .collect();
    outln!();
    table(&["ICIMS ID", "NAME", "OUTCOME", "REASON"], &rows);
}

/// On standard error, after a run that did not start: the commands that show what to fix.
pub fn not_started_hint(d: &RunDetails, name: &str) {
    if d.summary.status != RunStatus::NotStarted {
        return;
    }
    let name = shell_quote(name);
    if d.summary.error_code == Some(RunErrorCode::OwnerInvalid) {
        errln!(
            "hint: `icims-namely owner {name}` lists who signed in and who can own the \
             integration; `icims-namely check {name}` checks the setup again."
        );
    } else {
        errln!("hint: `icims-namely check {name}` checks the setup again.");
    }
}

pub fn run_table(runs: &[RunSummary]) {
    if runs.is_empty() {
        outln!("No runs yet. Try `icims-namely sync NAME --dry-run`.");
        return;
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                when(&r.started_at),
                format!("{:?}", r.trigger).to_lowercase(),
                status(r.status).to_string(),
                counts_line(r),
                r.icims_calls.to_string(),
            ]
        })
        .collect();
    table(
        &[
            "RUN",
            "STARTED",
            "TRIGGER",
            "STATUS",
            "RESULT",
            "ICIMS CALLS",
        ],
        &rows,
    );
}

/// 0 success · 1 finished with record failures (or stopped early) · 3 the run failed.
/// The exit code of a sync, from its status and error code (never its words): 0 succeeded;
/// 1 finished with record failures, stopped early (the iCIMS budget), cancelled (Ctrl-C) or
/// interrupted; a run that failed as a whole is 3 when iCIMS or Namely refused or could not
/// be reached, and 1 when the local database failed.
pub fn run_exit_code(d: &RunDetails) -> u8 {
    match d.summary.status {
        RunStatus::Succeeded => crate::EXIT_OK,
        RunStatus::FinishedWithFailures
        | RunStatus::StoppedBudget
        | RunStatus::Interrupted
        | RunStatus::Cancelled
        | RunStatus::Running => crate::EXIT_RECORD_FAILURES,
        RunStatus::Failed | RunStatus::NotStarted => match d.summary.error_code {
            Some(RunErrorCode::LocalStorage) => crate::EXIT_RECORD_FAILURES,
            Some(
                RunErrorCode::IcimsCredentials
                | RunErrorCode::IcimsAccess
                | RunErrorCode::IcimsUnavailable
                | RunErrorCode::IcimsUnexpected
                | RunErrorCode::IcimsBudget
                | RunErrorCode::NamelyCredentials
                | RunErrorCode::NamelyThrottled
                | RunErrorCode::NamelyUnavailable
                | RunErrorCode::NamelyUnexpected
                | RunErrorCode::Cancelled
                | RunErrorCode::Interrupted
                | RunErrorCode::SecretMissing
                | RunErrorCode::Keychain
                | RunErrorCode::NotStarted
                | RunErrorCode::OwnerInvalid,
            )
            | None => crate::EXIT_CREDENTIALS,
        },
    }
}

/// `history --run ID --csv FILE`: standard output for "-", else the file, written by the
/// engine (private, never through a link, never half-written; an existing file only with
/// `--overwrite`).
pub fn write_csv(
    engine: &Engine,
    run: RunId,
    target: &str,
    overwrite: bool,
) -> Result<(), EngineError> {
    if target == "-" {
        let csv = engine.run_csv(run)?;
        out!("{csv}");
        return Ok(());
    }
    match engine.write_run_csv(run, std::path::Path::new(target), overwrite) {
        Ok(_) => {
            errln!("Wrote run {} to {}.", run.0, quoted(target));
            Ok(())
        }
        Err(EngineError::AlreadyExists(m)) => Err(EngineError::AlreadyExists(format!(
            "{m}; choose another name, or pass --overwrite to replace it."
        ))),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icims_namely_core::domain::{Counts, Trigger};

    fn summary(status: RunStatus) -> RunSummary {
        RunSummary {
            id: 7,
            connection: "Acme Corp".into(),
            trigger: Trigger::Cli,
            dry_run: false,
            status,
            started_at: "2026-11-27T10:00:00Z".into(),
            ended_at: None,
            counts: Counts::default(),
            icims_calls: 0,
            namely_calls: 0,
            error_code: None,
            error: None,
        }
    }

    /// A run that failed or stopped with no records never ends with "No hires to handle.":
    /// it says that no hire was handled and what to run next.
    #[test]
    fn only_a_run_that_went_well_says_there_were_no_hires_to_handle() {
        for &status in RunStatus::ALL {
            let line = no_records_line(&summary(status));
            match status {
                RunStatus::Succeeded => assert_eq!(line.as_deref(), Some("No hires to handle.")),
                RunStatus::NotStarted => assert_eq!(line, None),
                RunStatus::Running => {
                    let line = line.expect("a line");
                    assert!(line.contains("still going"), "{line}");
                }
                _ => {
                    let line = line.unwrap_or_else(|| panic!("no line for {status:?}"));
                    assert!(!line.contains("No hires to handle"), "{status:?}: {line}");
                    assert!(
                        line.starts_with("No hire was handled"),
                        "{status:?}: {line}"
                    );
                    assert!(
                        line.contains("`icims-namely sync 'Acme Corp'`"),
                        "{status:?}: {line}"
                    );
                }
            }
        }
    }
}
