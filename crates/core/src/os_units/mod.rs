//! Units for the operating system's own schedulers: the text of a systemd user service and
//! timer, a launchd agent, a crontab line or a Kubernetes CronJob that runs
//! `icims-namely sync NAME` on a connection's schedule, for people who prefer those to a
//! long-running process (`icims-namely schedule print-unit`).
//!
//! Pure text generation: the caller passes every path, the schedule and the time zone; nothing
//! here reads the environment or the disk (but [`local_time_zone`], for the caller). One file per format; this one holds what they
//! share: the request, the errors, the cadence, names and quoting.

mod cron;
mod kubernetes;
mod launchd;
mod systemd;
#[cfg(test)]
mod tests;

use crate::domain::SecretKind;
use crate::schedule::Schedule;
use std::fmt;
use std::str::FromStr;

pub use crate::secrets::SECRETS_DIR_ENV;

/// Where a Kubernetes CronJob mounts the connection's Secret, unless told otherwise.
pub const KUBERNETES_SECRETS_DIR: &str = "/run/secrets/icims-namely";

/// The data folder inside a Kubernetes pod (a PersistentVolumeClaim is mounted there).
pub const KUBERNETES_DATA_DIR: &str = "/data";

/// The image a CronJob names when none is given: a placeholder that cannot be pulled.
pub const PLACEHOLDER_IMAGE: &str = "registry.example.com/icims-namely:CHANGE-ME";

/// Which scheduler the unit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitFormat {
    Systemd,
    Launchd,
    Cron,
    Kubernetes,
}

impl UnitFormat {
    pub const ALL: [UnitFormat; 4] = [
        UnitFormat::Systemd,
        UnitFormat::Launchd,
        UnitFormat::Cron,
        UnitFormat::Kubernetes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitFormat::Systemd => "systemd",
            UnitFormat::Launchd => "launchd",
            UnitFormat::Cron => "cron",
            UnitFormat::Kubernetes => "kubernetes",
        }
    }
}

impl fmt::Display for UnitFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UnitFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "{} is not a unit format: use systemd, launchd, cron or kubernetes",
                    crate::quote::quoted(s.trim())
                )
            })
    }
}

/// Everything a unit says. Paths are absolute and already resolved by the caller (the data
/// folder is written out so that the unit does not depend on its own `HOME`).
#[derive(Debug, Clone, Copy)]
pub struct UnitRequest<'a> {
    /// The connection's name, as stored.
    pub connection: &'a str,
    pub schedule: Schedule,
    /// The absolute path of the `icims-namely` binary (not used by Kubernetes, whose image
    /// has its own).
    pub binary: &'a str,
    /// The absolute data folder (`ICIMS_NAMELY_HOME`); Kubernetes uses [`KUBERNETES_DATA_DIR`].
    pub data_dir: &'a str,
    /// A folder of secret files (`ICIMS_NAMELY_SECRETS_DIR`); `None`: the system keychain
    /// (systemd, launchd, cron) or [`KUBERNETES_SECRETS_DIR`] (Kubernetes).
    pub secrets_dir: Option<&'a str>,
    /// The container image (Kubernetes); `None`: [`PLACEHOLDER_IMAGE`].
    pub image: Option<&'a str>,
    /// An IANA time zone name (`Europe/Berlin`) for Kubernetes' `timeZone`; `None` or
    /// anything else: `Etc/UTC`, with a comment saying to change it.
    pub time_zone: Option<&'a str>,
}

/// Why no unit could be written; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error(
        "This connection's schedule is off; set one with `icims-namely connection edit {} \
         --schedule every:1h`, then print the unit again.",
        sh_quote(connection)
    )]
    ScheduleOff { connection: String },
    #[error(
        "{format} cannot run something every {minutes} minutes: its minute steps start again \
         at each hour. Choose a number of minutes that divides 60 (5, 10, 15, 20 or 30), use \
         `--format systemd`, or keep `icims-namely run-scheduler` running instead."
    )]
    NotOnTheClock { format: UnitFormat, minutes: u32 },
    #[error(
        "The {what} \"{}\" contains a control character (a line break?), which no unit can \
         hold safely; use a path without one.",
        value.escape_debug()
    )]
    ControlCharacter { what: &'static str, value: String },
    #[error(
        "The connection name \"{connection}\" cannot name a secret file (it starts with '.' \
         or holds '/' or '\\'); rename the connection."
    )]
    UnnamedSecrets { connection: String },
    #[error("The {what} \"{value}\" is not an absolute path; give the full path from /.")]
    NotAbsolute { what: &'static str, value: String },
    #[error(
        "The image \"{value}\" is not an image reference (no spaces or quotes); give one like \
         registry.example.com/icims-namely:1.0."
    )]
    BadImage { value: String },
}

/// How often a unit runs: a [`Schedule`] that is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cadence {
    /// Every N minutes. The app counts them from the last run; where a scheduler can only say
    /// minutes on the clock (N dividing 60), it runs at the minutes that are multiples of N.
    Minutes(u32),
    /// Every N hours on the clock: at the top of each hour whose number is a multiple of N.
    Hours(u32),
    /// Once a day at this local time.
    Daily { hour: u8, minute: u8 },
}

impl Cadence {
    /// `None` when the schedule is off.
    pub(crate) fn of(schedule: Schedule) -> Option<Cadence> {
        match schedule {
            Schedule::Off => None,
            Schedule::EveryMinutes(n) => Some(Cadence::Minutes(n.max(1))),
            Schedule::EveryHours(n) => Some(Cadence::Hours(n.clamp(1, 24))),
            Schedule::DailyAt { hour, minute } => Some(Cadence::Daily { hour, minute }),
        }
    }

    /// Every N minutes where N divides 60 (the minute field of cron can say it).
    fn minutes_on_the_clock(self) -> Option<u32> {
        match self {
            Cadence::Minutes(n) if n < 60 && 60_u32.is_multiple_of(n) => Some(n),
            _ => None,
        }
    }

    /// "every 15 minutes", "every 2 hours", "every hour", "daily at 07:00".
    pub(crate) fn words(self) -> String {
        match self {
            Cadence::Minutes(1) => "every minute".into(),
            Cadence::Minutes(n) => format!("every {n} minutes"),
            Cadence::Hours(1) => "every hour".into(),
            Cadence::Hours(n) => format!("every {n} hours"),
            Cadence::Daily { hour, minute } => format!("daily at {hour:02}:{minute:02}"),
        }
    }

    /// The five fields of a crontab schedule (cron and Kubernetes), or why there is none.
    fn cron_fields(self, format: UnitFormat) -> Result<String, UnitError> {
        Ok(match self {
            Cadence::Minutes(n) => match self.minutes_on_the_clock() {
                Some(1) => "* * * * *".into(),
                Some(n) => format!("*/{n} * * * *"),
                // Every 60·k minutes, k dividing 24: every k hours.
                None if n.is_multiple_of(60) && 24_u32.is_multiple_of(n / 60) => {
                    return Cadence::Hours(n / 60).cron_fields(format);
                }
                None => return Err(UnitError::NotOnTheClock { format, minutes: n }),
            },
            Cadence::Hours(1) => "0 * * * *".into(),
            Cadence::Hours(24) => "0 0 * * *".into(),
            Cadence::Hours(n) => format!("0 */{n} * * *"),
            Cadence::Daily { hour, minute } => format!("{minute} {hour} * * *"),
        })
    }

    /// The interval in seconds, as far as one can be given (daily: a day).
    fn seconds(self) -> u64 {
        match self {
            Cadence::Minutes(n) => u64::from(n) * 60,
            Cadence::Hours(n) => u64::from(n) * 3600,
            Cadence::Daily { .. } => 86_400,
        }
    }
}

/// The text of the unit(s) for `format`: ready to save, with comments saying where and how to
/// enable it.
pub fn render(format: UnitFormat, req: &UnitRequest<'_>) -> Result<String, UnitError> {
    let cadence = Cadence::of(req.schedule).ok_or_else(|| UnitError::ScheduleOff {
        connection: req.connection.to_string(),
    })?;
    render_cadence(format, req, cadence)
}

/// [`render`] for a cadence (the schedule in `req` is not read).
pub(crate) fn render_cadence(
    format: UnitFormat,
    req: &UnitRequest<'_>,
    cadence: Cadence,
) -> Result<String, UnitError> {
    check_text("connection name", req.connection)?;
    if crate::secrets::folder::file_name(req.connection, SecretKind::NamelyToken).is_none() {
        return Err(UnitError::UnnamedSecrets {
            connection: req.connection.to_string(),
        });
    }
    if format != UnitFormat::Kubernetes {
        check_path("binary path", req.binary)?;
        check_path("data folder", req.data_dir)?;
    }
    if let Some(dir) = req.secrets_dir {
        check_path("secrets folder", dir)?;
    }
    match format {
        UnitFormat::Systemd => Ok(systemd::render(req, cadence)),
        UnitFormat::Launchd => Ok(launchd::render(req, cadence)),
        UnitFormat::Cron => cron::render(req, cadence),
        UnitFormat::Kubernetes => {
            let image = req.image.unwrap_or(PLACEHOLDER_IMAGE);
            if image.is_empty()
                || image
                    .chars()
                    .any(|c| c.is_whitespace() || "\"'\\".contains(c))
            {
                return Err(UnitError::BadImage {
                    value: image.escape_debug().to_string(),
                });
            }
            kubernetes::render(req, cadence, image)
        }
    }
}

/// This computer's time zone by its tz database name (`Europe/Berlin`), as `TZ` or the
/// system's settings give it; `None` when it has none (a fixed offset, an unknown zone). The
/// one function here that reads the environment, for the caller to pass to [`render`].
pub fn local_time_zone() -> Option<String> {
    let zone = jiff::tz::TimeZone::try_system().ok()?;
    zone.iana_name()
        .map(str::to_string)
        .filter(|name| kubernetes::time_zone(Some(name)).is_some())
}

/// The file name a secret has in a secrets folder, as the sync looks for it
/// ([`crate::secrets::folder::file_name`]: `acme_corp.icims-hmac-key` for "Acme Corp").
/// [`render`] checks that the connection's name can name one.
pub fn secret_file_name(connection: &str, kind: SecretKind) -> String {
    crate::secrets::folder::file_name(connection, kind)
        .unwrap_or_else(|| format!("{connection}.{}", kind.as_str()))
}

fn check_text(what: &'static str, value: &str) -> Result<(), UnitError> {
    if value.chars().any(char::is_control) {
        return Err(UnitError::ControlCharacter {
            what,
            value: value.to_string(),
        });
    }
    Ok(())
}

fn check_path(what: &'static str, value: &str) -> Result<(), UnitError> {
    check_text(what, value)?;
    // Units run on unix-like systems: a path there starts at the root.
    if !value.starts_with('/') {
        return Err(UnitError::NotAbsolute {
            what,
            value: value.to_string(),
        });
    }
    Ok(())
}

/// A word for a POSIX shell: as it is when it is plain, else in single quotes.
pub(crate) fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// FNV-1a, 32 bits: a short, stable tag that tells apart names that read the same once
/// simplified (`Acme Corp` and `acme-corp`).
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The name as a DNS-1123 label of at most `max` characters (lower-case ASCII letters, digits
/// and `-`, starting and ending with a letter or digit): `acme`, or, when anything had to
/// change, the simplified name and a tag of the original (`acme-corp-1f3a9c2e`), so that two
/// names never share one.
pub(crate) fn slug(name: &str, max: usize) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let simple = out.trim_matches('-').to_string();
    if simple == name && simple.len() <= max {
        return simple;
    }
    let tag = format!("{:08x}", fnv1a(name));
    let room = max.saturating_sub(tag.len() + 1);
    let head = simple[..simple.len().min(room)].trim_end_matches('-');
    if head.is_empty() {
        tag
    } else {
        format!("{head}-{tag}")
    }
}
