//! `icims-namely secret set|remove NAME KIND`: a connection's secrets in the system keychain,
//! the value read from standard input (never an argument, never printed back).
//!
//! Where this computer has no keychain (a server, a container), the command line cannot keep
//! a secret — its process ends at once — so it says, in one paragraph, how to get one or how
//! to use the secrets folder instead, with the file names; see [`no_keychain_advice`].

use crate::print::{errln, outln};
use crate::{EXIT_CREDENTIALS, EXIT_OK, EXIT_USAGE, fail, output};
use clap::Subcommand;
use icims_namely_core::api::SecretInfo;
use icims_namely_core::engine::Engine;
use icims_namely_core::os_units::secret_file_name;
use icims_namely_core::quote::quoted;
use icims_namely_core::secrets::{SecretKind, Secrets, SecretsError};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Subcommand, Debug)]
pub enum SecretCommand {
    /// Read a secret from standard input and store it in the system keychain.
    Set {
        name: String,
        /// Which secret: icims-hmac-key, namely-token, or alert-webhook (optional: the https
        /// address alerts about failed runs and broken setup are posted to).
        #[arg(value_name = "icims-hmac-key|namely-token|alert-webhook")]
        kind: String,
        /// Caught only to refuse it without printing it back: a secret given as an argument
        /// would stay in the shell history.
        #[arg(hide = true, num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
        refused_value: Vec<String>,
    },
    /// Remove a secret from the system keychain.
    Remove {
        name: String,
        /// Which secret: icims-hmac-key, namely-token or alert-webhook.
        #[arg(value_name = "icims-hmac-key|namely-token|alert-webhook")]
        kind: String,
    },
}

/// Where this process keeps secrets, known once the engine is open; the hints of errors read
/// it (an error has no engine at hand).
#[derive(Debug, Clone)]
pub struct SecretsHome {
    /// A system keychain keeps what `secret set` saves.
    pub keychain: bool,
    /// The secrets folder (`ICIMS_NAMELY_SECRETS_DIR`), read before the keychain.
    pub folder: Option<PathBuf>,
}

static HOME: OnceLock<SecretsHome> = OnceLock::new();

/// Notes where this process keeps secrets (after the engine opened, which read the same).
pub fn remember(engine: &Engine) {
    let _ = HOME.set(SecretsHome {
        keychain: engine.app_info().keychain.persistent,
        folder: Secrets::folder_from_env(),
    });
}

/// Where secrets are kept; a keychain when nothing was noted (an error before the engine).
fn home() -> SecretsHome {
    HOME.get().cloned().unwrap_or(SecretsHome {
        keychain: true,
        folder: None,
    })
}

/// With no keychain, what to do about these missing secrets of a connection, as one
/// paragraph: with a secrets folder, the files to write there; without one, how to get a
/// keychain or use a folder, naming the files. `None` when a keychain keeps secrets (then
/// `secret set` is the way) or nothing is missing.
pub fn no_keychain_advice(connection: &str, missing: &[SecretKind]) -> Option<String> {
    let home = home();
    if home.keychain || missing.is_empty() {
        return None;
    }
    let each = if missing.len() > 1 { " each" } else { "" };
    let what = missing
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(" and ");
    Some(match &home.folder {
        Some(dir) => {
            let files = missing
                .iter()
                .map(|&k| {
                    output::shell_quote(
                        &dir.join(secret_file_name(connection, k))
                            .display()
                            .to_string(),
                    )
                })
                .collect::<Vec<_>>()
                .join(" and ");
            format!(
                "There is no system keychain here, and secrets are read from the secrets folder \
                 (ICIMS_NAMELY_SECRETS_DIR): write the {what} to {files}, one line{each}, \
                 readable only by this user (chmod 600)."
            )
        }
        None => {
            let why = SecretsError::NoKeychain {
                detail: String::new(),
            }
            .to_string();
            let files = missing
                .iter()
                .map(|&k| secret_file_name(connection, k))
                .collect::<Vec<_>>()
                .join(" and ");
            format!(
                "{why} The command line keeps secrets only in a system keychain, or in a secrets \
                 folder: on a server, make a folder only this user can read (mkdir -m 700), \
                 write the {what} to {files} in it (one line{each}, chmod 600), and name the \
                 folder in ICIMS_NAMELY_SECRETS_DIR."
            )
        }
    })
}

/// The required secrets a connection lacks (not set, and no refused file of the folder,
/// which says its own problem).
pub fn missing(secrets: &[SecretInfo]) -> Vec<SecretKind> {
    secrets
        .iter()
        .filter(|s| !s.kind.is_optional() && !s.set && s.problem.is_none())
        .map(|s| s.kind)
        .collect()
}

/// The secret kind as typed. A mistyped kind may be a secret typed in the wrong place, so it
/// is never printed back.
fn parse_kind(typed: &str) -> Option<SecretKind> {
    let kind = SecretKind::ALL.into_iter().find(|k| k.as_str() == typed);
    if kind.is_none() {
        errln!(
            "error: the secret kind must be icims-hmac-key, namely-token or alert-webhook (what \
             was typed is not repeated here, in case it was the secret itself); the value is \
             read from standard input"
        );
    }
    kind
}

pub async fn run(engine: &Engine, cmd: SecretCommand) -> u8 {
    match cmd {
        SecretCommand::Set {
            name,
            kind,
            refused_value,
        } => {
            let Some(kind) = parse_kind(&kind) else {
                return EXIT_USAGE;
            };
            if !refused_value.is_empty() {
                errln!(
                    "error: secrets are never taken as arguments (they would stay in the shell \
                     history). Pipe the {} on standard input instead, e.g.\n  \
                     icims-namely secret set {} {} < file-with-the-secret",
                    kind.label(),
                    output::shell_quote(&name),
                    kind.as_str()
                );
                return EXIT_USAGE;
            }
            set(engine, &name, kind).await
        }
        SecretCommand::Remove { name, kind } => {
            let Some(kind) = parse_kind(&kind) else {
                return EXIT_USAGE;
            };
            remove(engine, &name, kind).await
        }
    }
}

/// The most bytes read from standard input: more than any secret of
/// [`Engine::MAX_SECRET_LEN`] characters (and a line break) can take, so a longer input is
/// refused as too long without reading it all.
const MAX_READ: u64 = Engine::MAX_SECRET_LEN as u64 * 4 + 3;

/// A secret piped into standard input (at most [`MAX_READ`] bytes), one trailing line break
/// dropped (the shell's, not the secret's; cut in place, so no copy is left unzeroized). `Err`
/// holds the exit code once the reason was said, with `example` showing how to pipe it in.
pub(crate) fn read_piped_secret(label: &str, example: &str) -> Result<secrecy::SecretString, u8> {
    let mut value = String::new();
    if let Err(e) = std::io::stdin().take(MAX_READ).read_to_string(&mut value) {
        let why = if e.kind() == std::io::ErrorKind::InvalidData {
            "it is not text (UTF-8)".to_string()
        } else {
            e.to_string()
        };
        errln!(
            "error: could not read the {label} from standard input: {why}. Pipe in the {label} \
             alone, e.g. {example}"
        );
        return Err(EXIT_USAGE);
    }
    let newline = if value.ends_with("\r\n") {
        2
    } else {
        usize::from(value.ends_with('\n'))
    };
    value.truncate(value.len() - newline);
    Ok(secrecy::SecretString::from(value))
}

/// `secret set`: the connection, then the value (read and checked), then the keychain. The
/// value is checked before a missing keychain is reported, so what was piped in is judged
/// either way; nobody is asked to paste a secret that could not be kept.
async fn set(engine: &Engine, name: &str, kind: SecretKind) -> u8 {
    let settings = match engine.settings(name) {
        Ok(s) => s,
        Err(e) => return fail(&e, None),
    };
    let name = settings.name.as_str();
    let keychain = engine.app_info().keychain.persistent;
    let interactive = std::io::stdin().is_terminal();
    if !keychain && interactive {
        return no_keychain(engine, name, kind);
    }
    if interactive {
        errln!("Paste the {} and press Enter, then Ctrl-D:", kind.label());
    }
    let example = format!(
        "icims-namely secret set {} {} < file-with-the-secret",
        output::shell_quote(name),
        kind.as_str()
    );
    let value = match read_piped_secret(kind.label(), &example) {
        Ok(value) => value,
        Err(code) => return code,
    };
    let value = match Engine::check_secret_value(kind, value) {
        Ok(value) => value,
        Err(e) => return fail(&e, None),
    };
    if !keychain {
        return no_keychain(engine, name, kind);
    }
    match engine.set_secret(name, kind, value).await {
        Ok(()) => {
            outln!(
                "Saved the {} for {} in the system keychain.",
                kind.label(),
                quoted(name)
            );
            if kind == SecretKind::NamelyToken {
                sign_in_after_saving(engine, name).await;
            }
            EXIT_OK
        }
        Err(e) => fail(&e, None),
    }
}

/// No keychain to save in: what to do instead, as one paragraph; exit code 3.
fn no_keychain(engine: &Engine, name: &str, kind: SecretKind) -> u8 {
    match engine.secret_file(name, kind) {
        Ok(Some(file)) => {
            // No keychain, but a secrets folder: the secret belongs in a file there.
            let file = output::shell_quote(&file.display().to_string());
            errln!(
                "error: there is no system keychain here to save the {} in; secrets are read \
                 from the secrets folder (ICIMS_NAMELY_SECRETS_DIR). Write it to {file} \
                 instead, readable only by this user (`chmod 600 {file}`).",
                kind.label()
            );
        }
        _ => {
            let advice = no_keychain_advice(name, &[kind]).unwrap_or_default();
            errln!("error: the {} cannot be saved: {advice}", kind.label());
        }
    }
    EXIT_CREDENTIALS
}

async fn remove(engine: &Engine, name: &str, kind: SecretKind) -> u8 {
    if !engine.app_info().keychain.persistent {
        let settings = match engine.settings(name) {
            Ok(s) => s,
            Err(e) => return fail(&e, None),
        };
        let name = settings.name.as_str();
        match engine.secret_file(name, kind) {
            Ok(Some(file)) => errln!(
                "error: there is no system keychain here to remove the {} from; it is read \
                 from {} when that file exists: remove the file to stop using it.",
                kind.label(),
                output::shell_quote(&file.display().to_string())
            ),
            _ => errln!(
                "error: {} Without one, no {} is saved for {} to remove.",
                SecretsError::NoKeychain {
                    detail: String::new()
                },
                kind.label(),
                quoted(name)
            ),
        }
        return EXIT_CREDENTIALS;
    }
    match engine.remove_secret(name, kind).await {
        Ok(details) => {
            outln!(
                "Removed the {} for {} from the system keychain.",
                kind.label(),
                quoted(name)
            );
            if let Some(path) = details
                .secrets
                .iter()
                .find(|s| s.kind == kind)
                .and_then(|s| s.path.as_deref())
            {
                errln!(
                    "note: the secrets folder's file {path} still provides it; remove that \
                     file too to stop using it."
                );
            }
            EXIT_OK
        }
        Err(e) => fail(&e, None),
    }
}

/// Signs in with a Namely token just saved, as the wizard does when a token is pasted: the
/// person it belongs to becomes a possible owner (and the owner, when none is chosen yet and
/// they can be), so that a sync's pre-flight finds an owner without a `check` first. The token
/// stays saved whatever Namely answers (the exit code of `secret set` does not change);
/// a refusal is a warning that names `check`.
async fn sign_in_after_saving(engine: &Engine, name: &str) {
    match engine.check_namely_sign_in(name).await {
        Ok(r) if r.check.passed => outln!("{}", r.check.summary),
        Ok(r) => {
            let mut line = format!("warning: {}", r.check.summary);
            if let Some(fix) = &r.check.fix {
                line.push(' ');
                line.push_str(fix);
            }
            errln!(
                "{line} (`icims-namely check {}` checks again.)",
                output::shell_quote(name)
            );
        }
        Err(e) => errln!("warning: could not sign in to Namely with it: {e}"),
    }
}
