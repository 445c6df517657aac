//! `icims-namely`: the headless command line over the same engine as the desktop app.
//!
//! Exit codes (a public contract: scripts depend on them):
//! 0 success · 1 finished with record failures (or stopped early: the iCIMS budget, Ctrl-C;
//! or what it printed was lost to a failed write, a full disk) · 2 bad usage or
//! configuration · 3 credentials or connection failure · 130 a second Ctrl-C during a sync
//! quit at once.

// Every line goes through `print` (outln!, out!, errln!): println! panics on a closed pipe.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(test)]
mod exit_tests;
mod output;
mod owner_cmd;
mod print;
mod review_cmd;
mod sandbox_cmd;
mod schedule_cmd;
mod scheduler_cmd;
mod secret_cmd;
mod signin_cmd;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use icims_namely_core::api::{CheckCode, CheckResult, ErrorCode, Field, SyncPhase, SyncProgress};
use icims_namely_core::connection::{IcimsRegion, Schedule};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{
    AddConnection, EditConnection, Engine, EngineError, EngineOptions, SyncRequest,
};
use icims_namely_core::quote::quoted;
use icims_namely_core::secrets::SecretKind;
use icims_namely_core::store::RunId;
use icims_namely_sandbox_host::InProcessSandbox;
use print::{errln, outln};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const EXIT_OK: u8 = 0;
const EXIT_RECORD_FAILURES: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_CREDENTIALS: u8 = 3;
/// A second Ctrl-C (or SIGTERM) during a sync: quit at once, as a shell reports SIGINT.
const EXIT_INTERRUPTED: u8 = 130;

#[derive(Parser, Debug)]
#[command(
    name = "icims-namely",
    version,
    about = "Sync hired candidates from iCIMS into Namely as active employee profiles, exactly once.",
    long_about = "Sync hired candidates from iCIMS into Namely as active employee profiles, \
                  tagged with their iCIMS person id, exactly once.\n\n\
                  Settings live in the data folder (the platform's app-data folder, or \
                  ICIMS_NAMELY_HOME when set); secrets live only in the system keychain, or \
                  in files of the folder ICIMS_NAMELY_SECRETS_DIR names (on a server: \
                  <connection>.namely-token, <connection>.icims-hmac-key, mode 600).\n\n\
                  Exit codes: 0 success; 1 finished with record failures (or stopped early: \
                  the iCIMS daily budget, Ctrl-C); 2 bad usage or configuration; 3 credentials \
                  or connection failure; 130 a second Ctrl-C quit a sync at once."
)]
struct Cli {
    /// Also write log lines (each request that failed, with the HTTP library's reasons) to
    /// standard error; ICIMS_NAMELY_LOG=debug (or trace) says more. Without it the command
    /// prints only its own words (run-scheduler always logs).
    #[arg(long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Add, edit, list, show or remove named connections (one per company).
    #[command(subcommand)]
    Connection(ConnectionCommand),
    /// Store a secret in the system keychain (read from standard input, never an argument).
    #[command(subcommand)]
    Secret(secret_cmd::SecretCommand),
    /// Sign in with Namely in the browser (the application registered in Namely, its client
    /// secret read from standard input) instead of a personal access token. Exit code 0 signed
    /// in; 3 denied, a wrong state, a refused exchange or no answer in time (nothing saved).
    Signin(signin_cmd::SigninArgs),
    /// Check the four setup parts live against iCIMS and Namely.
    Check {
        /// The connection's name.
        name: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// List who signed in to Namely for this company and who owns the integration, or choose
    /// the owner.
    Owner(owner_cmd::OwnerArgs),
    /// List the hires that need review (possibly already in Namely), or resolve one: link it
    /// to the Namely profile that is already them, or create it anyway.
    Review(review_cmd::ReviewArgs),
    /// Sync hired candidates from iCIMS into Namely. Ctrl-C stops after the record in flight
    /// (the run is recorded as cancelled, exit code 1; the next sync picks up where it
    /// stopped); a second Ctrl-C quits at once (exit code 130).
    Sync {
        /// The connection's name.
        name: String,
        /// Show what would happen; write nothing to Namely.
        #[arg(long)]
        dry_run: bool,
        /// Only retry the records whose last attempt failed.
        #[arg(long, conflicts_with = "dry_run")]
        retry_failed: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Show past runs, or every record of one run.
    History {
        /// The connection's name.
        name: String,
        /// Show this run's records.
        #[arg(long, value_name = "ID")]
        run: Option<i64>,
        /// How many runs to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// With --run: write the records as CSV to this file ("-" for standard output).
        #[arg(long, value_name = "FILE", requires = "run")]
        csv: Option<String>,
        /// With --csv: replace FILE when it exists (it is refused otherwise).
        #[arg(long, requires = "csv")]
        overwrite: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Run the built-in iCIMS and Namely simulators and print their URLs and demo credentials.
    Sandbox(sandbox_cmd::SandboxArgs),
    /// Print a unit for the operating system's own scheduler (systemd, launchd, cron or
    /// Kubernetes) that runs `sync NAME` on the connection's schedule.
    #[command(subcommand)]
    Schedule(schedule_cmd::ScheduleCommand),
    /// Run the connections' schedules without a window (an always-on machine, a server),
    /// logging to standard error and the data folder's logs/scheduler.log. SIGTERM or Ctrl-C
    /// stops after the record in flight and exits 0.
    RunScheduler(scheduler_cmd::RunSchedulerArgs),
}

#[derive(Subcommand, Debug)]
enum ConnectionCommand {
    /// Add a connection.
    Add(AddArgs),
    /// Change a connection's start-from date, hired statuses or addresses.
    Edit(EditArgs),
    /// List connections.
    List {
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Show one connection: settings, secrets set, setup checks.
    Show {
        name: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Remove a connection and its secrets (history is kept unless --delete-history).
    Remove {
        name: String,
        /// Also delete the connection's run history.
        #[arg(long)]
        delete_history: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
}

#[derive(Args, Debug)]
struct AddArgs {
    /// A name for the connection (e.g. the client company).
    name: String,
    /// The Namely company permalink: `acme` or `acme.namely.com`.
    #[arg(long)]
    namely_permalink: String,
    /// The iCIMS Customer ID (a number).
    #[arg(long)]
    icims_customer_id: String,
    /// The iCIMS integration Username.
    #[arg(long)]
    icims_username: String,
    /// The iCIMS API region.
    #[arg(long, default_value = "us", value_parser = region_parser())]
    icims_region: IcimsRegion,
    /// An iCIMS status that counts as hired (repeat for several; default Hired).
    #[arg(long = "hired-status", value_name = "VALUE")]
    hired_status: Vec<String>,
    /// Replace the iCIMS origin (plain http only for loopback addresses).
    #[arg(long, value_name = "URL")]
    icims_url: Option<String>,
    /// Replace the Namely origin (plain http only for loopback addresses).
    #[arg(long, value_name = "URL")]
    namely_url: Option<String>,
    /// How often to sync: off, hourly, every:2h, daily@07:00 (used by the desktop app).
    #[arg(long, value_name = "SPEC")]
    schedule: Option<String>,
    /// Hires who started (else were hired) before this day are never created
    /// (default: 30 days before today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    start_from: Option<String>,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Args, Debug)]
struct EditArgs {
    /// The connection's name.
    name: String,
    /// Hires who started (else were hired) before this day are never created. An earlier
    /// day makes the next sync read iCIMS again from it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    start_from: Option<String>,
    /// An iCIMS status that counts as hired; replaces the current list (repeat for several).
    /// A status added makes the next sync read iCIMS again from the start-from date.
    #[arg(long = "hired-status", value_name = "VALUE")]
    hired_status: Vec<String>,
    /// Replace the iCIMS origin (plain http only for loopback addresses); "" goes back to
    /// the region's address.
    #[arg(long, value_name = "URL")]
    icims_url: Option<String>,
    /// Replace the Namely origin (plain http only for loopback addresses); "" goes back to
    /// the permalink's address.
    #[arg(long, value_name = "URL")]
    namely_url: Option<String>,
    /// How many iCIMS reads a sync keeps in flight at once, 1 to 8 (default 4); 0 goes back
    /// to the default. Lower it if iCIMS refuses overlapping calls for this customer.
    #[arg(long, value_name = "N")]
    icims_concurrency: Option<u8>,
    /// When the connection syncs by itself: off, every:30m, every:2h or daily:07:00 (local
    /// time). Used by the desktop app and `icims-namely run-scheduler`.
    #[arg(long, value_name = "SPEC")]
    schedule: Option<String>,
    #[command(flatten)]
    out: OutputArgs,
}

/// `us` or `eu`, listed in `--help`, read as the engine's own region type.
fn region_parser() -> impl TypedValueParser<Value = IcimsRegion> {
    clap::builder::PossibleValuesParser::new(IcimsRegion::ALL.map(IcimsRegion::as_str))
        .try_map(|s| s.parse::<IcimsRegion>())
}

#[derive(Args, Debug, Clone, Copy)]
struct OutputArgs {
    /// Print JSON for machines instead of a table for people.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    // Read the UTC offset while the process has a single thread (the only time some systems
    // allow it); schedules like "daily at 07:00" mean local time.
    let local_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let cli = Cli::parse();
    if matches!(cli.command, Command::RunScheduler(_)) {
        scheduler_cmd::init_logging();
    } else {
        init_logging(cli.verbose);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            errln!("error: could not start: {e}");
            return ExitCode::from(EXIT_RECORD_FAILURES);
        }
    };
    let code = runtime.block_on(run(cli, local_offset));
    // Output lost to a failed write (not a closed pipe) is no success.
    if code == EXIT_OK && print::lost_output() {
        return ExitCode::from(EXIT_RECORD_FAILURES);
    }
    ExitCode::from(code)
}

/// Log lines (tracing) of every command but `run-scheduler`: none on the terminal, where the
/// command's own table or sentence says what happened; with `--verbose` (or when
/// `ICIMS_NAMELY_LOG` asks for a level) to standard error, info and above unless
/// `ICIMS_NAMELY_LOG` says otherwise. These commands keep no log file.
fn init_logging(verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let asked = EnvFilter::try_from_env("ICIMS_NAMELY_LOG").ok();
    if !verbose && asked.is_none() {
        return;
    }
    let filter = asked.unwrap_or_else(|| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

fn open_engine(local_offset: time::UtcOffset) -> Result<Engine, EngineError> {
    Engine::open_default(EngineOptions {
        local_offset,
        // A "Sandbox" connection made in the desktop app syncs here too, against simulators
        // started in this process from the data the app kept.
        sandbox: Some(std::sync::Arc::new(InProcessSandbox::new())),
        ..EngineOptions::default()
    })
}

/// Prints an error for a person (or as JSON) and returns its exit code.
fn fail(e: &EngineError, out: Option<OutputArgs>) -> u8 {
    fail_with(e, out, None)
}

/// Like [`fail`], naming the option an invalid value was given to (`connection add`).
fn fail_with(e: &EngineError, out: Option<OutputArgs>, option: Option<&str>) -> u8 {
    if out.is_some_and(|o| o.json) {
        outln!(
            "{}",
            serde_json::to_string_pretty(&e.to_ipc()).unwrap_or_default()
        );
    }
    let mut line = match option {
        Some(option) => format!("error: {option}: {e}"),
        None => format!("error: {e}"),
    };
    if let Some(hint) = hint(e) {
        line.push(' ');
        line.push_str(&hint);
    }
    errln!("{line}");
    exit_code(e)
}

/// What to do about an error on the command line. The engine's messages name no command, so
/// the command line adds its own: chosen by the error's variant, never by its words.
fn hint(e: &EngineError) -> Option<String> {
    match e {
        EngineError::ConnectionNotFound { .. } => Some(
            "List the connections with `icims-namely connection list`, or add it with \
             `icims-namely connection add`."
                .to_string(),
        ),
        EngineError::SecretMissing { connection, kind } if SecretKind::SIGN_IN.contains(kind) => {
            Some(format!(
                // The sign-in's secrets come from signing in again, not from `secret set`.
                "Sign in with Namely again: `icims-namely signin {} --client-id ID` (the \
                 client secret is read from standard input), or save a personal access token \
                 with `icims-namely secret set {} namely-token`.",
                output::shell_quote(connection),
                output::shell_quote(connection)
            ))
        }
        EngineError::SecretMissing { connection, kind } => Some(
            // Without a keychain `secret set` cannot keep it: say what can.
            secret_cmd::no_keychain_advice(connection, &[*kind]).unwrap_or_else(|| {
                format!(
                    "Save it with `icims-namely secret set {} {}` (the value is read from \
                     standard input).",
                    output::shell_quote(connection),
                    kind.as_str()
                )
            }),
        ),
        _ => None,
    }
}

/// The exit code of a command that stopped with this error: 2 bad usage or configuration,
/// 3 credentials or connection failure, 1 anything else.
fn exit_code(e: &EngineError) -> u8 {
    match e.code() {
        ErrorCode::InvalidInput
        | ErrorCode::NotFound
        | ErrorCode::AlreadyExists
        | ErrorCode::SecretMissing
        | ErrorCode::Busy => EXIT_USAGE,
        ErrorCode::Credentials | ErrorCode::Network | ErrorCode::Keychain => EXIT_CREDENTIALS,
        ErrorCode::Storage | ErrorCode::Internal => EXIT_RECORD_FAILURES,
    }
}

/// The option of `connection add` that sets an input field.
fn add_option(field: &Field) -> Option<&'static str> {
    Some(match field {
        Field::ConnectionName => "NAME",
        Field::NamelyPermalink => "--namely-permalink",
        Field::IcimsCustomerId => "--icims-customer-id",
        Field::IcimsUsername => "--icims-username",
        Field::IcimsRegion => "--icims-region",
        Field::HiredStatuses => "--hired-status",
        Field::Schedule => "--schedule",
        Field::NamelyUrl => "--namely-url",
        Field::IcimsUrl => "--icims-url",
        Field::StartFrom => "--start-from",
        Field::IcimsConcurrency => "--icims-concurrency",
        Field::NamelyToken
        | Field::IcimsHmacKey
        | Field::AlertWebhook
        | Field::NamelyClientId
        | Field::NamelyClientSecret => return None,
    })
}

async fn run(cli: Cli, local_offset: time::UtcOffset) -> u8 {
    if let Command::Sandbox(args) = cli.command {
        return sandbox_cmd::run(args).await;
    }
    let engine = match open_engine(local_offset) {
        Ok(e) => e,
        Err(e) => return fail(&e, None),
    };
    secret_cmd::remember(&engine);
    match cli.command {
        Command::Sandbox(_) => unreachable!("handled above"),
        Command::RunScheduler(args) => scheduler_cmd::run(engine, args).await,
        Command::Connection(cmd) => connection(&engine, cmd).await,
        Command::Schedule(cmd) => schedule_cmd::run(&engine, cmd),
        Command::Secret(cmd) => secret_cmd::run(&engine, cmd).await,
        Command::Signin(args) => signin_cmd::run(&engine, args).await,
        Command::Check { name, out } => check(&engine, &name, out).await,
        Command::Owner(args) => owner_cmd::run(&engine, args).await,
        Command::Review(args) => review_cmd::run(&engine, args).await,
        Command::Sync {
            name,
            dry_run,
            retry_failed,
            out,
        } => sync(&engine, &name, dry_run, retry_failed, out).await,
        Command::History {
            name,
            run,
            limit,
            csv,
            overwrite,
            out,
        } => history(&engine, &name, run, limit, (csv, overwrite), out),
    }
}

async fn connection(engine: &Engine, cmd: ConnectionCommand) -> u8 {
    match cmd {
        ConnectionCommand::Add(a) => {
            let out = a.out;
            let schedule = match a.schedule.as_deref().map(str::parse::<Schedule>) {
                None => None,
                Some(Ok(s)) => Some(s),
                Some(Err(e)) => {
                    return fail(
                        &EngineError::invalid(format!("--schedule: {e}"), None),
                        Some(out),
                    );
                }
            };
            let start_from = match a.start_from.as_deref().map(Engine::parse_start_from) {
                None => None,
                Some(Ok(day)) => Some(day),
                Some(Err(e)) => return fail_with(&e, Some(out), Some("--start-from")),
            };
            let input = AddConnection {
                name: a.name,
                namely_permalink: a.namely_permalink,
                icims_customer_id: a.icims_customer_id,
                icims_username: a.icims_username,
                icims_region: a.icims_region,
                hired_statuses: a.hired_status,
                icims_url: a.icims_url,
                namely_url: a.namely_url,
                schedule,
                start_from,
            };
            match engine.add_connection(input) {
                Ok(details) => {
                    if out.json {
                        output::json(&details);
                    } else {
                        let n = &details.settings.name;
                        outln!("Added connection {}.", quoted(n));
                        outln!(
                            "Hires who started before {} are left out (change it with \
                             `icims-namely connection edit {} --start-from YYYY-MM-DD`).",
                            details.settings.start_from,
                            output::shell_quote(n)
                        );
                        outln!("Next: store the secrets (read from standard input):");
                        outln!(
                            "  icims-namely secret set {} namely-token",
                            output::shell_quote(n)
                        );
                        outln!(
                            "  icims-namely secret set {} icims-hmac-key",
                            output::shell_quote(n)
                        );
                        outln!("Then: icims-namely check {}", output::shell_quote(n));
                    }
                    EXIT_OK
                }
                Err(e) => fail_with(&e, Some(out), e.field().as_ref().and_then(add_option)),
            }
        }
        ConnectionCommand::Edit(a) => edit(engine, a),
        ConnectionCommand::List { out } => match engine.list_connections() {
            Ok(list) => {
                if out.json {
                    output::json(&list);
                } else {
                    output::connection_table(&list);
                }
                EXIT_OK
            }
            Err(e) => fail(&e, Some(out)),
        },
        ConnectionCommand::Show { name, out } => match engine.connection(&name) {
            Ok(details) => {
                if out.json {
                    output::json(&details);
                } else {
                    output::connection_details(&details, &warnings(engine, &name));
                    if let Some(advice) = secret_cmd::no_keychain_advice(
                        details.settings.name.as_str(),
                        &secret_cmd::missing(&details.secrets),
                    ) {
                        outln!("{advice}");
                    }
                }
                EXIT_OK
            }
            Err(e) => fail(&e, Some(out)),
        },
        ConnectionCommand::Remove {
            name,
            delete_history,
            out,
        } => match engine.remove_connection(&name, !delete_history).await {
            Ok(()) => {
                if out.json {
                    output::json(
                        &serde_json::json!({ "removed": name, "history_kept": !delete_history }),
                    );
                } else if delete_history {
                    outln!("Removed {}, its secrets and its history.", quoted(&name));
                } else {
                    outln!(
                        "Removed {} and its secrets. Its history is kept.",
                        quoted(&name)
                    );
                }
                EXIT_OK
            }
            Err(e) => fail(&e, Some(out)),
        },
    }
}

/// `connection edit`: changes what was given, says what changed and whether the next sync
/// reads iCIMS again from the start-from date.
fn edit(engine: &Engine, a: EditArgs) -> u8 {
    let out = a.out;
    if a.start_from.is_none()
        && a.hired_status.is_empty()
        && a.icims_url.is_none()
        && a.namely_url.is_none()
        && a.icims_concurrency.is_none()
        && a.schedule.is_none()
    {
        return fail(
            &EngineError::invalid(
                "Nothing to change: give at least one of --start-from, --hired-status, \
                 --icims-url, --namely-url, --icims-concurrency or --schedule.",
                None,
            ),
            Some(out),
        );
    }
    let start_from = match a.start_from.as_deref().map(Engine::parse_start_from) {
        None => None,
        Some(Ok(day)) => Some(day),
        Some(Err(e)) => return fail_with(&e, Some(out), Some("--start-from")),
    };
    let schedule = match a.schedule.as_deref().map(str::parse::<Schedule>) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            return fail_with(
                &EngineError::invalid(e.to_string(), Some(Field::Schedule)),
                Some(out),
                Some("--schedule"),
            );
        }
    };
    let before = match engine.connection(&a.name) {
        Ok(d) => d,
        Err(e) => return fail(&e, Some(out)),
    };
    let icims_url = a.icims_url.clone();
    let change = EditConnection {
        start_from,
        hired_statuses: (!a.hired_status.is_empty()).then_some(a.hired_status),
        icims_url: a.icims_url,
        namely_url: a.namely_url,
        icims_concurrency: a.icims_concurrency,
        schedule,
    };
    let outcome = match engine.edit_connection(&a.name, change) {
        Ok(o) => o,
        Err(e) => return fail_with(&e, Some(out), e.field().as_ref().and_then(add_option)),
    };
    if out.json {
        /// The connection as `connection show --json` prints it, and why the next sync reads
        /// iCIMS again (null when it does not).
        #[derive(serde::Serialize)]
        struct Edited<'a> {
            #[serde(flatten)]
            details: &'a icims_namely_core::api::ConnectionDetails,
            read_again: Option<&'a str>,
        }
        output::json(&Edited {
            details: &outcome.details,
            read_again: outcome.read_again.as_deref(),
        });
    } else {
        output::edit_summary(
            &before.settings,
            &outcome.details.settings,
            icims_url.as_deref(),
            outcome.read_again.as_deref(),
        );
    }
    EXIT_OK
}

/// What needs attention on a connection besides its setup (statuses that matched nothing, a
/// read that will start again), as the dashboard shows it; none when it cannot be read.
fn warnings(engine: &Engine, name: &str) -> Vec<String> {
    let Ok(settings) = engine.settings(name) else {
        return Vec::new();
    };
    engine
        .list_connections()
        .ok()
        .and_then(|list| list.into_iter().find(|c| c.name == settings.name.as_str()))
        .map(|c| c.warnings)
        .unwrap_or_default()
}

/// The exit code one check leads to, from its code alone (never from its words): 2 when it is
/// something a person sets up or corrects (the field in Namely, the permalink, the owner, the
/// Customer ID or region); 3 when a credential is missing or refused, or a vendor could not be
/// reached, was limiting requests, or is out of step with this computer's clock.
fn check_code_exit(code: CheckCode) -> u8 {
    use CheckCode as C;
    match code {
        C::Passed => EXIT_OK,
        C::FieldMissing
        | C::FieldMisspelt
        | C::FieldWrongType
        | C::CompanyNotFound
        | C::NobodySignedIn
        | C::NoEligibleOwner
        | C::OwnerNotChosen
        | C::OwnerNotSignedIn
        | C::OwnerNotAdministrator
        | C::OwnerInactive
        | C::OwnerUnverified
        | C::IcimsInputInvalid
        | C::IcimsCustomerNotFound
        | C::IcimsWrongRegion
        | C::SettingsInvalid => EXIT_USAGE,
        C::SecretMissing
        | C::FieldHidden
        | C::TokenRefused
        | C::TokenForbidden
        | C::TokenOwnerUnknown
        | C::TokenNotOwner
        | C::IcimsCredentialsRefused
        | C::IcimsNotIntegrationUser
        | C::IcimsBudgetExhausted
        | C::ClockSkew
        | C::VendorUnreachable
        | C::VendorTimeout
        | C::VendorThrottled
        | C::VendorUnavailable
        | C::UnexpectedAnswer => EXIT_CREDENTIALS,
    }
}

/// The exit code of `check`: 0 when every part passed, else the gravest of the parts' codes
/// (a credential or connection failure, 3, outweighs a configuration one, 2).
fn check_exit(results: &[CheckResult]) -> u8 {
    results
        .iter()
        .map(|r| check_code_exit(r.code))
        .max()
        .unwrap_or(EXIT_OK)
}

async fn check(engine: &Engine, name: &str, out: OutputArgs) -> u8 {
    match engine.check_all(name).await {
        Ok(results) => {
            // Warnings never change the exit code. The JSON stays the bare array scripts
            // read, so with --json they go to standard error.
            let warnings = warnings(engine, name);
            let details = engine.connection(name).ok();
            // Secrets that are missing where there is no keychain: what to do instead of
            // `secret set`, which cannot keep them here.
            let advice = details.as_ref().and_then(|d| {
                secret_cmd::no_keychain_advice(
                    d.settings.name.as_str(),
                    &secret_cmd::missing(&d.secrets),
                )
            });
            if out.json {
                output::json(&results);
                for w in &warnings {
                    errln!("warning: {w}");
                }
                if let Some(advice) = &advice {
                    errln!("{advice}");
                }
            } else {
                output::check_table(&results);
                if let Some(details) = &details {
                    output::secret_sources(&details.secrets);
                }
                if let Some(advice) = &advice {
                    outln!("{advice}");
                }
                for w in &warnings {
                    outln!("warning: {w}");
                }
            }
            check_exit(&results)
        }
        Err(e) => fail(&e, Some(out)),
    }
}

async fn sync(
    engine: &Engine,
    name: &str,
    dry_run: bool,
    retry_failed: bool,
    out: OutputArgs,
) -> u8 {
    if retry_failed {
        // Nothing to retry is a success for a script run from cron, not a usage error.
        let nothing = engine.failed_to_retry(name).map(|failed| failed == 0);
        match nothing {
            Ok(true) => {
                if out.json {
                    output::json(&serde_json::json!({ "retried": 0 }));
                } else {
                    outln!("No failed records to retry for {}.", quoted(name));
                }
                return EXIT_OK;
            }
            Ok(false) => {}
            Err(e) => return fail(&e, Some(out)),
        }
    }
    let bar = (!out.json && std::io::stderr().is_terminal()).then(output::progress_bar);
    let progress = |p: &SyncProgress| {
        if let Some(bar) = &bar {
            output::update_bar(bar, p);
        } else if !out.json && p.phase == SyncPhase::Done {
            // Quiet when not on a terminal: the summary follows.
        }
    };
    let request = SyncRequest {
        trigger: if retry_failed {
            Trigger::Retry
        } else {
            Trigger::Cli
        },
        dry_run,
        retry_failed,
        create_anyway: None,
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let watcher = stop_on_signals(cancel.clone(), bar.clone());
    let result = engine.sync(name, request, &progress, Some(cancel)).await;
    if let Some(watcher) = watcher {
        watcher.abort();
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    // The webhook alert, if the run calls for one; it never changes the exit code.
    // Log lines stay off the terminal without --verbose: a delivery that failed is said here
    // (the webhook's host only, never its address).
    if let icims_namely_core::alerts::AlertOutcome::NotDelivered { reason, .. } =
        engine.send_alerts(name, &result).await
    {
        errln!(
            "warning: could not deliver the alert to the webhook: {reason}. The next failed \
             run tries again."
        );
    }
    match result {
        Ok(details) => {
            if out.json {
                output::json(&details);
            } else {
                output::run_details(&details);
                output::not_started_hint(&details, name);
            }
            output::run_exit_code(&details)
        }
        Err(e) => fail(&e, Some(out)),
    }
}

/// What `sync` says on the first Ctrl-C (or SIGTERM).
const STOPPING: &str = "Stopping after the current record… (press Ctrl-C again to quit at once)";

/// Ctrl-C (SIGINT) and SIGTERM while a sync runs: the first sets `cancel`, so the run stops
/// after the record in flight and is recorded as cancelled; the second quits at once with
/// 130 (the run is then found interrupted at the next start, and an open create is looked up
/// before anything is sent again). The handlers are installed before this returns, so no
/// signal during the run meets the default one, which would quit at once.
fn stop_on_signals(
    cancel: Arc<AtomicBool>,
    bar: Option<indicatif::ProgressBar>,
) -> Option<tokio::task::JoinHandle<()>> {
    let mut signals = match StopSignals::install() {
        Ok(signals) => signals,
        Err(e) => {
            errln!(
                "warning: could not catch Ctrl-C ({e}): during this sync it quits at once \
                 instead of stopping after the record in flight."
            );
            return None;
        }
    };
    Some(tokio::spawn(async move {
        signals.next().await;
        cancel.store(true, Ordering::SeqCst);
        match &bar {
            Some(bar) => bar.println(STOPPING),
            None => errln!("{STOPPING}"),
        }
        signals.next().await;
        if let Some(bar) = &bar {
            bar.abandon();
        }
        errln!("Quit at once.");
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    }))
}

/// The signals that stop a sync: SIGINT and SIGTERM on unix, Ctrl-C elsewhere.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn history(
    engine: &Engine,
    name: &str,
    run: Option<i64>,
    limit: usize,
    (csv, overwrite): (Option<String>, bool),
    out: OutputArgs,
) -> u8 {
    // The connection must exist even when a run id is given.
    if let Err(e) = engine.settings(name) {
        return fail(&e, Some(out));
    }
    match run {
        None => match engine.runs(name, limit) {
            Ok(runs) => {
                if out.json {
                    output::json(&runs);
                } else {
                    output::run_table(&runs);
                }
                EXIT_OK
            }
            Err(e) => fail(&e, Some(out)),
        },
        Some(id) => {
            let details = match engine.run_details(RunId(id)) {
                Ok(d) => d,
                Err(e) => return fail(&e, Some(out)),
            };
            let wanted = engine
                .settings(name)
                .map(|s| s.name.to_string())
                .unwrap_or_default();
            if details.summary.connection != wanted {
                return fail(
                    &EngineError::NotFound(format!(
                        "Run {id} belongs to {}, not {}.",
                        quoted(&details.summary.connection),
                        quoted(name)
                    )),
                    Some(out),
                );
            }
            if let Some(target) = csv {
                return match output::write_csv(engine, RunId(id), &target, overwrite) {
                    Ok(()) => EXIT_OK,
                    Err(e) => fail(&e, Some(out)),
                };
            }
            if out.json {
                output::json(&details);
            } else {
                output::run_details(&details);
            }
            EXIT_OK
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_secret_given_as_an_argument_is_caught_to_be_refused() {
        // `secret set NAME KIND VALUE` parses only so that `secret_cmd::run` can refuse it without
        // echoing the value (clap's own error would print it back); tests/cli.rs checks the
        // refusal and its exit code.
        let cli = Cli::try_parse_from([
            "icims-namely",
            "secret",
            "set",
            "acme",
            "namely-token",
            "tok",
        ])
        .expect("parses");
        match cli.command {
            Command::Secret(secret_cmd::SecretCommand::Set { refused_value, .. }) => {
                assert_eq!(refused_value, vec!["tok"]);
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn connection_add_parses_the_contract() {
        let cli = Cli::try_parse_from([
            "icims-namely",
            "connection",
            "add",
            "Acme",
            "--namely-permalink",
            "acme",
            "--icims-customer-id",
            "1234",
            "--icims-username",
            "api",
            "--icims-region",
            "eu",
            "--hired-status",
            "Hired",
            "--hired-status",
            "C12345",
            "--icims-url",
            "http://127.0.0.1:1",
            "--namely-url",
            "http://127.0.0.1:2/api/v1",
        ])
        .expect("parses");
        match cli.command {
            Command::Connection(ConnectionCommand::Add(a)) => {
                assert_eq!(a.hired_status, vec!["Hired", "C12345"]);
                assert_eq!(a.icims_region, IcimsRegion::Eu);
                assert_eq!(a.icims_url.as_deref(), Some("http://127.0.0.1:1"));
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    /// A check result with this code, worded `words`.
    fn result(code: CheckCode, words: &str) -> CheckResult {
        CheckResult {
            step: icims_namely_core::api::SetupStep::Icims,
            code,
            passed: code.passed(),
            summary: words.to_string(),
            fix: Some(words.to_string()),
            field: None,
            detail: Some(words.to_string()),
            checked_at: "2026-11-27T10:00:00Z".into(),
        }
    }

    /// The exit code of `check` depends on what each check found, never on how it is worded:
    /// every code, worded in ways that include the phrases the command line once searched
    /// its messages for, exits the same.
    #[test]
    fn rewording_a_check_message_changes_no_exit_code() {
        let wordings = [
            "",
            "Could not reach iCIMS at api.icims.com.",
            "did not answer in time",
            "Namely is limiting requests right now; temporary problem; no more calls; broke off",
            "Found `icmis_id`, which looks like a typo.",
            "✓ everything is fine",
        ];
        for &code in CheckCode::ALL {
            let exits: Vec<u8> = wordings
                .iter()
                .map(|words| check_exit(&[result(code, words)]))
                .collect();
            assert!(
                exits.iter().all(|&e| e == exits[0]),
                "{code}: {exits:?} for {wordings:?}"
            );
            // Mixed with other parts worded differently, too.
            for &other in CheckCode::ALL {
                let a = check_exit(&[result(code, wordings[1]), result(other, wordings[3])]);
                let b = check_exit(&[result(code, wordings[4]), result(other, wordings[0])]);
                assert_eq!(a, b, "{code} with {other}");
            }
        }
    }

    #[test]
    fn dry_run_and_retry_failed_exclude_each_other() {
        let r = Cli::try_parse_from([
            "icims-namely",
            "sync",
            "acme",
            "--dry-run",
            "--retry-failed",
        ]);
        assert!(r.is_err());
    }
}
