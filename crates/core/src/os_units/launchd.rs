//! A launchd agent (macOS): a property list that runs one sync at the schedule's times.

use super::{Cadence, SECRETS_DIR_ENV, UnitRequest, slug};
use crate::paths::HOME_ENV;
use std::fmt::Write as _;

/// The agent's label: `com.icims-namely.sync.acme-corp-1f3a9c2e`.
pub(super) fn label(connection: &str) -> String {
    format!("com.icims-namely.sync.{}", slug(connection, 63))
}

pub(super) fn render(req: &UnitRequest<'_>, cadence: Cadence) -> String {
    let label = label(req.connection);
    let file = format!("~/Library/LaunchAgents/{label}.plist");
    let log = format!(
        "{}/logs/launchd-{}.log",
        req.data_dir.trim_end_matches('/'),
        slug(req.connection, 63)
    );
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \
         \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
    );
    // Comments hold only the label (letters, digits, single dashes and dots): never `--`.
    s.push_str("<!--\n");
    let _ = writeln!(s, "  Save as {file}, then load it:");
    let _ = writeln!(s, "    launchctl bootstrap gui/$(id -u) {file}");
    let _ = writeln!(s, "  Stop and remove it with:");
    let _ = writeln!(s, "    launchctl bootout gui/$(id -u)/{label}");
    let _ = writeln!(
        s,
        "  Runs {} (local time); a run missed while asleep happens on waking.",
        cadence.words()
    );
    if req.secrets_dir.is_none() {
        s.push_str(
            "  Secrets come from the login keychain; print again with secrets-dir to read files.\n",
        );
    }
    s.push_str("-->\n");
    s.push_str("<plist version=\"1.0\">\n<dict>\n");
    key_string(&mut s, 1, "Label", &label);
    s.push_str("  <key>ProgramArguments</key>\n  <array>\n");
    for arg in [req.binary, "sync", req.connection] {
        let _ = writeln!(s, "    <string>{}</string>", xml(arg));
    }
    s.push_str("  </array>\n");
    s.push_str("  <key>EnvironmentVariables</key>\n  <dict>\n");
    key_string(&mut s, 2, HOME_ENV, req.data_dir);
    if let Some(dir) = req.secrets_dir {
        key_string(&mut s, 2, SECRETS_DIR_ENV, dir);
    }
    s.push_str("  </dict>\n");
    when(&mut s, cadence);
    key_string(&mut s, 1, "StandardOutPath", &log);
    key_string(&mut s, 1, "StandardErrorPath", &log);
    s.push_str("  <key>RunAtLoad</key>\n  <false/>\n");
    key_string(&mut s, 1, "ProcessType", "Background");
    s.push_str("</dict>\n</plist>\n");
    s
}

/// `StartInterval` for every N minutes; `StartCalendarInterval` for hours on the clock (one
/// entry per hour) and daily.
fn when(s: &mut String, cadence: Cadence) {
    match cadence {
        Cadence::Minutes(_) => {
            let _ = writeln!(
                s,
                "  <key>StartInterval</key>\n  <integer>{}</integer>",
                cadence.seconds()
            );
        }
        Cadence::Hours(n) => {
            s.push_str("  <key>StartCalendarInterval</key>\n  <array>\n");
            for hour in (0..24).step_by(n.clamp(1, 24) as usize) {
                let _ = writeln!(
                    s,
                    "    <dict><key>Hour</key><integer>{hour}</integer>\
                     <key>Minute</key><integer>0</integer></dict>"
                );
            }
            s.push_str("  </array>\n");
        }
        Cadence::Daily { hour, minute } => {
            let _ = writeln!(
                s,
                "  <key>StartCalendarInterval</key>\n  <dict><key>Hour</key><integer>{hour}\
                 </integer><key>Minute</key><integer>{minute}</integer></dict>"
            );
        }
    }
}

fn key_string(s: &mut String, depth: usize, key: &str, value: &str) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        s,
        "{pad}<key>{}</key>\n{pad}<string>{}</string>",
        xml(key),
        xml(value)
    );
}

/// Text for XML character data or an attribute.
pub(super) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
