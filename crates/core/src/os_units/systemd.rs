//! A systemd user service (`Type=oneshot`, runs one sync) and the timer that starts it.

use super::{Cadence, SECRETS_DIR_ENV, UnitRequest, secret_file_name, sh_quote};
use crate::domain::SecretKind;
use crate::paths::HOME_ENV;
use std::fmt::Write as _;

/// The longest unit name systemd accepts (`UNIT_NAME_MAX` less its terminating NUL).
const UNIT_NAME_MAX: usize = 255;

pub(super) fn render(req: &UnitRequest<'_>, cadence: Cadence) -> String {
    let unit = unit_name(req.connection);
    let service = format!("{unit}.service");
    let timer = format!("{unit}.timer");
    let name = req.connection;
    let mut s = String::new();

    // The service.
    let _ = writeln!(s, "# Save as ~/.config/systemd/user/{service}");
    let _ = writeln!(
        s,
        "# (and the timer below as ~/.config/systemd/user/{timer}), then enable the timer:"
    );
    let _ = writeln!(
        s,
        "#   systemctl --user daemon-reload && systemctl --user enable --now {}",
        sh_quote(&timer)
    );
    let _ = writeln!(
        s,
        "# Each run's output goes to the journal: journalctl --user -u {}",
        sh_quote(&service)
    );
    let _ = writeln!(
        s,
        "# User timers run while you are logged in; to run them at any time: \
         loginctl enable-linger \"$USER\""
    );
    s.push_str("[Unit]\n");
    let _ = writeln!(
        s,
        "Description=icims-namely: sync {} from iCIMS to Namely",
        describe(name)
    );
    s.push('\n');
    s.push_str("[Service]\nType=oneshot\n");
    let _ = writeln!(s, "Environment={}", env_assignment(HOME_ENV, req.data_dir));
    secrets(&mut s, req);
    let _ = writeln!(
        s,
        "ExecStart={} sync {}",
        exec_word(req.binary),
        exec_word(name)
    );

    // The timer.
    s.push('\n');
    let _ = writeln!(s, "# Save as ~/.config/systemd/user/{timer}");
    s.push_str("[Unit]\n");
    let _ = writeln!(
        s,
        "Description=icims-namely: sync {} {}",
        describe(name),
        cadence.words()
    );
    s.push('\n');
    s.push_str("[Timer]\n");
    match on_calendar(cadence) {
        Some(calendar) => {
            let _ = writeln!(s, "OnCalendar={calendar}");
            // A run missed while the computer slept or was off happens once on waking.
            s.push_str("Persistent=true\n");
        }
        None => {
            let minutes = cadence.seconds() / 60;
            let _ = writeln!(s, "OnBootSec={minutes}min");
            let _ = writeln!(s, "OnUnitActiveSec={minutes}min");
        }
    }
    let _ = writeln!(s, "Unit={service}");
    s.push('\n');
    s.push_str("[Install]\nWantedBy=timers.target\n");
    s
}

/// Where the secrets come from: the keychain (said in a comment, with the alternative), or a
/// folder of files passed in as systemd credentials.
fn secrets(s: &mut String, req: &UnitRequest<'_>) {
    let name = req.connection;
    let Some(dir) = req.secrets_dir else {
        s.push_str(
            "# Secrets come from the system keychain, which must be unlocked in your session.\n\
             # To read them from files instead, print this unit again with --secrets-dir DIR.\n",
        );
        return;
    };
    let dir = dir.trim_end_matches('/');
    let dir = if dir.is_empty() { "/" } else { dir };
    if credential_name_ok(name) {
        s.push_str(
            "# The secret files are handed to the service as systemd credentials (read-only, \
             private to it);\n# %d is the folder systemd puts them in ($CREDENTIALS_DIRECTORY).\n",
        );
        for kind in SecretKind::ALL {
            let file = secret_file_name(name, kind);
            let mark = if kind.is_optional() {
                // systemd refuses to start a service whose credential file is missing.
                let _ = writeln!(
                    s,
                    "# Optional, the {}: uncomment once its file exists.",
                    kind.label()
                );
                "#"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "{mark}LoadCredential={}:{}",
                specifiers(&file),
                specifiers(&format!("{dir}/{file}"))
            );
        }
        let _ = writeln!(s, "Environment={SECRETS_DIR_ENV}=%d");
    } else {
        // systemd takes only printable ASCII (and no ':') in a credential's name.
        s.push_str(
            "# The secret files are read from this folder (systemd credentials cannot carry \
             this connection's name).\n",
        );
        let _ = writeln!(s, "Environment={}", env_assignment(SECRETS_DIR_ENV, dir));
    }
}

/// The unit's name, escaped as `systemd-escape` does: `icims-namely-Acme\x20Corp`. A name too
/// long once escaped keeps its start and gains a tag of the whole.
pub(super) fn unit_name(connection: &str) -> String {
    let prefix = "icims-namely-";
    let escaped = escape(connection);
    let room = UNIT_NAME_MAX - prefix.len() - ".service".len();
    if escaped.len() <= room {
        return format!("{prefix}{escaped}");
    }
    let tag = format!("_{:08x}", super::fnv1a(connection));
    // Cut at a character of the name, never inside one of its `\xNN` escapes.
    let mut head = String::new();
    for c in connection.chars() {
        let next = escape_char(c, head.is_empty());
        if head.len() + next.len() + tag.len() > room {
            break;
        }
        head.push_str(&next);
    }
    format!("{prefix}{head}{tag}")
}

/// `systemd-escape STRING`: `/` becomes `-`; ASCII letters, digits, `:`, `_` and `.` (except
/// a leading `.`) stay; every other byte becomes `\xNN`.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        out.push_str(&escape_char(c, out.is_empty()));
    }
    out
}

fn escape_char(c: char, first: bool) -> String {
    if c == '/' {
        return "-".into();
    }
    if (c.is_ascii_alphanumeric() || c == ':' || c == '_' || c == '.') && !(first && c == '.') {
        return c.to_string();
    }
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("\\x{b:02x}"))
        .collect()
}

/// systemd's `credential_name_valid`: a file name of printable ASCII without `:`.
fn credential_name_ok(connection: &str) -> bool {
    SecretKind::ALL.into_iter().all(|kind| {
        let file = secret_file_name(connection, kind);
        file.len() <= 255
            && file != "."
            && file != ".."
            && file
                .bytes()
                .all(|b| (b' '..0x7f).contains(&b) && b != b':' && b != b'/')
    })
}

/// `%` starts a specifier in most settings: `%%` is a literal one.
fn specifiers(s: &str) -> String {
    s.replace('%', "%%")
}

/// One argument of `ExecStart=`: double-quoted, with `\`, `"` escaped, `%` as `%%` (a
/// specifier) and `$` as `$$` (a variable).
fn exec_word(s: &str) -> String {
    let inner = s
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    format!("\"{inner}\"")
}

/// One assignment of `Environment=`, double-quoted (no variables are expanded there).
fn env_assignment(key: &str, value: &str) -> String {
    let inner = format!("{key}={value}")
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('%', "%%");
    format!("\"{inner}\"")
}

/// The name in a description: quoted, `%` doubled.
fn describe(name: &str) -> String {
    specifiers(&format!("\"{name}\""))
}

/// `OnCalendar=` for a cadence on the clock; `None` for every N minutes where N does not
/// divide 60 (a monotonic timer then).
pub(super) fn on_calendar(cadence: Cadence) -> Option<String> {
    match cadence {
        Cadence::Minutes(_) => cadence
            .minutes_on_the_clock()
            .map(|n| format!("*-*-* *:00/{n}:00")),
        // systemd refuses a repetition of 24 hours (`00/24`).
        Cadence::Hours(1) => Some("*-*-* *:00:00".into()),
        Cadence::Hours(24) => Some("*-*-* 00:00:00".into()),
        Cadence::Hours(n) => Some(format!("*-*-* 00/{n}:00:00")),
        Cadence::Daily { hour, minute } => Some(format!("*-*-* {hour:02}:{minute:02}:00")),
    }
}
