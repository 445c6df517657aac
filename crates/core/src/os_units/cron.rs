//! A crontab line: the schedule, the environment and the command, for `crontab -e`.

use super::{Cadence, SECRETS_DIR_ENV, UnitError, UnitFormat, UnitRequest, sh_quote, slug};
use crate::paths::HOME_ENV;
use std::fmt::Write as _;

pub(super) fn render(req: &UnitRequest<'_>, cadence: Cadence) -> Result<String, UnitError> {
    let fields = cadence.cron_fields(UnitFormat::Cron)?;
    let data = req.data_dir.trim_end_matches('/');
    let log = format!("{data}/logs/cron-{}.log", slug(req.connection, 63));
    let mut command = format!("{HOME_ENV}={}", sh_quote(req.data_dir));
    if let Some(dir) = req.secrets_dir {
        let _ = write!(command, " {SECRETS_DIR_ENV}={}", sh_quote(dir));
    }
    let _ = write!(
        command,
        " {} sync {} >>{} 2>&1",
        sh_quote(req.binary),
        sh_quote(req.connection),
        sh_quote(&log)
    );
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# icims-namely: sync {} {}. Add this line with `crontab -e`.",
        sh_quote(req.connection),
        cadence.words()
    );
    s.push_str(
        "# Cron reads the times in the system time zone (not your session's TZ); \
         the output goes to the log file named at the end.\n",
    );
    if req.secrets_dir.is_none() {
        s.push_str(
            "# Secrets come from the system keychain, which cron jobs often cannot reach \
             (they run outside your desktop session): prefer --secrets-dir DIR.\n",
        );
    }
    let _ = writeln!(s, "{fields} {}", cron_command(&command));
    Ok(s)
}

/// cron turns an unescaped `%` of the command into a line break (and sends what follows on
/// standard input), even inside quotes: `\%` is a literal one.
fn cron_command(command: &str) -> String {
    command.replace('%', r"\%")
}
