//! `icims-namely schedule print-unit NAME --format systemd|launchd|cron|kubernetes`: the unit
//! for the operating system's own scheduler that runs `icims-namely sync NAME` on the
//! connection's schedule, for people who prefer one to a long-running `run-scheduler`. The
//! text comes from the engine's `os_units`; this file gathers the paths and says what to do.

use crate::print::{errln, out};
use crate::{EXIT_OK, EXIT_USAGE, fail, output};
use clap::{Args, Subcommand, ValueEnum};
use icims_namely_core::domain::SecretKind;
use icims_namely_core::engine::Engine;
use icims_namely_core::os_units::{self, UnitError, UnitFormat, UnitRequest};
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum ScheduleCommand {
    /// Print a systemd user service and timer, a launchd agent, a crontab line or a Kubernetes
    /// CronJob that runs `icims-namely sync NAME` on the connection's schedule, with comments
    /// saying where to save it and how to turn it on.
    PrintUnit(PrintUnitArgs),
}

#[derive(Args, Debug)]
pub struct PrintUnitArgs {
    /// The connection's name.
    name: String,
    /// Which scheduler the unit is for.
    #[arg(long, value_enum)]
    format: Format,
    /// Read the secrets from files in this folder instead of the system keychain (for "Acme
    /// Corp": acme_corp.icims-hmac-key and acme_corp.namely-token, private to the user):
    /// handed over as systemd credentials, or set as ICIMS_NAMELY_SECRETS_DIR. For
    /// kubernetes: where the Secret is mounted (default /run/secrets/icims-namely).
    #[arg(long, value_name = "DIR")]
    secrets_dir: Option<PathBuf>,
    /// For kubernetes: the container image with the icims-namely binary (default: a
    /// placeholder to replace).
    #[arg(long, value_name = "IMAGE")]
    image: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Systemd,
    Launchd,
    Cron,
    Kubernetes,
}

impl From<Format> for UnitFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Systemd => UnitFormat::Systemd,
            Format::Launchd => UnitFormat::Launchd,
            Format::Cron => UnitFormat::Cron,
            Format::Kubernetes => UnitFormat::Kubernetes,
        }
    }
}

pub fn run(engine: &Engine, cmd: ScheduleCommand) -> u8 {
    match cmd {
        ScheduleCommand::PrintUnit(args) => print_unit(engine, args),
    }
}

/// A usage error: said on standard error, exit code 2.
fn usage(message: impl std::fmt::Display) -> u8 {
    errln!("error: {message}");
    EXIT_USAGE
}

fn print_unit(engine: &Engine, args: PrintUnitArgs) -> u8 {
    let format = UnitFormat::from(args.format);
    let kubernetes = format == UnitFormat::Kubernetes;
    if args.image.is_some() && !kubernetes {
        return usage("--image is only used with --format kubernetes.");
    }
    let settings = match engine.settings(&args.name) {
        Ok(s) => s,
        Err(e) => return fail(&e, None),
    };
    let name = settings.name.as_str();
    let binary = match std::env::current_exe() {
        Ok(path) => path,
        Err(e) => {
            return usage(format!(
                "could not tell where this icims-namely binary is ({e}); run it by its full path."
            ));
        }
    };
    // The secrets folder is a path on this computer, made absolute; for Kubernetes it is a
    // path inside the container, taken as given.
    let secrets_dir = match (&args.secrets_dir, kubernetes) {
        (None, _) => None,
        (Some(dir), true) => Some(dir.clone()),
        (Some(dir), false) => match std::path::absolute(dir) {
            Ok(dir) => Some(dir),
            Err(e) => {
                return usage(format!(
                    "--secrets-dir {}: {e}",
                    icims_namely_core::quote::quoted(&dir.to_string_lossy())
                ));
            }
        },
    };
    let Some(binary) = utf8("binary path", &binary) else {
        return EXIT_USAGE;
    };
    let Some(data_dir) = utf8("data folder", engine.data_dir().root()) else {
        return EXIT_USAGE;
    };
    let secrets = match secrets_dir.as_deref().map(|d| utf8("--secrets-dir", d)) {
        None => None,
        Some(Some(d)) => Some(d),
        Some(None) => return EXIT_USAGE,
    };
    let time_zone = kubernetes.then(os_units::local_time_zone).flatten();
    let request = UnitRequest {
        connection: name,
        schedule: settings.schedule,
        binary,
        data_dir,
        secrets_dir: secrets,
        image: args.image.as_deref(),
        time_zone: time_zone.as_deref(),
    };
    match os_units::render(format, &request) {
        Ok(text) => {
            out!("{text}");
            if let Some(dir) = secrets_dir.as_deref().filter(|_| !kubernetes) {
                warn_missing_files(dir, name);
            }
            if settings.namely_oauth.is_some() && (kubernetes || secrets_dir.is_some()) {
                errln!(
                    "warning: {} signs in with Namely, whose refresh token lives in this \
                     computer's keychain; a secrets folder cannot keep the new one Namely may \
                     hand out. For a server, save a personal access token of an active \
                     Administrator instead (it replaces the sign-in): icims-namely secret set \
                     {} namely-token",
                    icims_namely_core::quote::quoted(name),
                    output::shell_quote(name)
                );
            }
            EXIT_OK
        }
        Err(e @ UnitError::ScheduleOff { .. }) => usage(e),
        Err(e @ UnitError::NotOnTheClock { .. }) => usage(format!(
            "{e} (the connection's schedule: {})",
            settings.schedule
        )),
        Err(e) => usage(e),
    }
}

/// The path as text; `None` (said on standard error) when it is not UTF-8, which no unit can
/// name safely.
fn utf8<'a>(what: &str, path: &'a Path) -> Option<&'a str> {
    let text = path.to_str();
    if text.is_none() {
        errln!(
            "error: the {what} {} is not valid UTF-8, which a unit cannot name safely; use a \
             folder whose name is plain text.",
            output::shell_quote(&path.to_string_lossy())
        );
    }
    text
}

/// Warns (standard error; the unit is printed all the same) about secret files that are not
/// in the folder yet, with how to put one there.
fn warn_missing_files(dir: &Path, connection: &str) {
    if !dir.is_dir() {
        errln!(
            "warning: the secrets folder {} does not exist yet: create it (mkdir -m 700 …) and \
             put the secret files in it before the first run: {}.",
            dir.display(),
            SecretKind::REQUIRED
                .map(|kind| os_units::secret_file_name(connection, kind))
                .join(" and ")
        );
        return;
    }
    for kind in SecretKind::REQUIRED {
        let file = dir.join(os_units::secret_file_name(connection, kind));
        if !file.exists() {
            errln!(
                "warning: {} is missing: write the {} into it (one line, `chmod 600`) before \
                 the first run.",
                file.display(),
                kind.label()
            );
        }
    }
}
