//! `icims-namely signin NAME --client-id ID [--no-browser] [--port N] [--timeout SECONDS]`:
//! Sign in with Namely (OAuth authorization code) instead of a personal access token.
//!
//! The client secret is read from standard input (typed without echo on a terminal, piped
//! otherwise), never taken as an argument. The command listens on 127.0.0.1 at the redirect
//! URI's port, prints the address to open (and opens it in the browser unless
//! `--no-browser`), waits for Namely's answer, and lets the engine check `state`, exchange the
//! code, check the sign-in and keep the client secret and refresh token in the keychain.
//! Nothing is saved unless all of that worked. Later commands refresh the short-lived access
//! token by themselves (the engine does).
//!
//! Exit codes: 0 signed in; 3 denied, a wrong `state`, a refused exchange, a time-out, a
//! sign-in check that failed, or no keychain to keep it in; 2 bad usage (unknown connection,
//! empty client ID, the port taken, a secret given as an argument); 130 Ctrl-C while waiting
//! (the sign-in is cancelled, nothing saved).

use crate::print::{errln, outln};
use crate::{
    EXIT_CREDENTIALS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, OutputArgs, StopSignals, fail, output,
    secret_cmd,
};
use clap::Args;
use icims_namely_core::api::Field;
use icims_namely_core::engine::{Engine, EngineError};
use icims_namely_core::quote::quoted;
use icims_namely_core::secrets::SecretKind;
use secrecy::SecretString;
use std::io::IsTerminal;
use std::time::Duration;

/// What `signin` says while it waits for the browser.
pub const WAITING: &str = "Waiting for you to click Accept in the browser… (Ctrl-C to stop)";
/// What `signin` says when Ctrl-C stopped the wait.
pub const CANCELLED: &str = "Sign-in cancelled; nothing was saved.";

#[derive(Args, Debug)]
pub struct SigninArgs {
    /// The connection's name.
    name: String,
    /// The client ID of the application registered in Namely (Namely › API › Register an
    /// application). The client secret is read from standard input, never an argument.
    #[arg(
        long,
        value_name = "ID",
        required_unless_present_any = ["refused_value", "client_secret"]
    )]
    client_id: Option<String>,
    /// Print the address to open instead of opening it in the browser.
    #[arg(long)]
    no_browser: bool,
    /// The port of the redirect URI http://127.0.0.1:PORT/namely/callback registered in
    /// Namely (default: the port of the last sign-in of this connection, else 47600).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    port: Option<u16>,
    /// How long to wait for Namely's answer, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 300,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    timeout: u64,
    /// Caught only to refuse it without printing it back: a secret given as an option would
    /// stay in the shell history.
    #[arg(long, hide = true, value_name = "SECRET")]
    client_secret: Option<String>,
    /// Caught only to refuse it without printing it back (a secret typed as an argument).
    #[arg(hide = true, num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    refused_value: Vec<String>,
    #[command(flatten)]
    out: OutputArgs,
}

pub async fn run(engine: &Engine, args: SigninArgs) -> u8 {
    let out = args.out;
    if !args.refused_value.is_empty() || args.client_secret.is_some() {
        errln!(
            "error: the client secret is never taken as an argument (it would stay in the shell \
             history). Pipe it on standard input instead, e.g.\n  icims-namely signin {} \
             --client-id ID < file-with-the-client-secret\nor run the command in a terminal \
             and type it when asked.",
            output::shell_quote(&args.name)
        );
        return EXIT_USAGE;
    }
    let client_id = args.client_id.unwrap_or_default();
    let settings = match engine.settings(&args.name) {
        Ok(s) => s,
        Err(e) => return fail(&e, Some(out)),
    };
    let name = settings.name.as_str();
    if client_id.trim().is_empty() {
        return crate::fail_with(
            &EngineError::invalid(
                "The client ID is empty. Give the client ID of the application registered in \
                 Namely (Namely › API).",
                Some(Field::NamelyClientId),
            ),
            Some(out),
            Some("--client-id"),
        );
    }
    let keychain = engine.app_info().keychain.persistent;
    let interactive = std::io::stdin().is_terminal();
    if !keychain && interactive {
        return no_keychain(name);
    }
    let secret = match read_client_secret(name) {
        Ok(secret) => secret,
        Err(code) => return code,
    };
    let secret = match Engine::check_secret_value(SecretKind::NamelyClientSecret, secret) {
        Ok(secret) => secret,
        Err(e) => return fail(&e, Some(out)),
    };
    if !keychain {
        return no_keychain(name);
    }
    let start = match engine
        .begin_namely_sign_in(name, &client_id, secret, args.port)
        .await
    {
        Ok(start) => start,
        Err(e) => return fail(&e, Some(out)),
    };
    // With --json, standard output is kept for the result: the steps go to standard error.
    let say = |line: &str| {
        if out.json {
            errln!("{line}");
        } else {
            outln!("{line}");
        }
    };
    say("Open this address in your browser to sign in to Namely:");
    say(&format!("  {}", start.authorize_url));
    say(&format!(
        "Namely sends its answer to {}: the application registered in Namely (Namely › API) \
         must have exactly this redirect URI.",
        start.redirect_uri
    ));
    if !args.no_browser {
        open_browser(start.authorize_url.clone()).await;
    }
    let result = wait(engine, name, Duration::from_secs(args.timeout)).await;
    let result = match result {
        Waited::Done(r) => *r,
        Waited::Quit => {
            errln!("Quit at once.");
            return EXIT_INTERRUPTED;
        }
        Waited::Cancelled => {
            errln!("{CANCELLED}");
            return EXIT_INTERRUPTED;
        }
    };
    match result {
        Ok(r) if r.check.passed => {
            if out.json {
                output::json(&r);
            } else {
                outln!("{}", r.check.summary);
                outln!(
                    "Saved the Namely client secret and refresh token for {} in the system \
                     keychain (the personal access token, if any, is no longer used). Later \
                     commands renew the access token by themselves.",
                    quoted(name)
                );
                outln!("Next: icims-namely check {}", output::shell_quote(name));
            }
            EXIT_OK
        }
        Ok(r) => {
            if out.json {
                output::json(&r);
            }
            let mut line = format!("error: Namely sign-in: {}", r.check.summary);
            if let Some(fix) = &r.check.fix {
                line.push(' ');
                line.push_str(fix);
            }
            errln!("{line}");
            errln!(
                "Nothing was saved: sign in again as someone who can use Namely's API, or save \
                 a personal access token with `icims-namely secret set {} namely-token`.",
                output::shell_quote(name)
            );
            EXIT_CREDENTIALS
        }
        Err(e) => fail(&e, Some(out)),
    }
}

/// How the wait for Namely's answer ended.
enum Waited {
    /// The engine finished (signed in, or an error saying why not).
    Done(Box<Result<icims_namely_core::api::SignInResult, EngineError>>),
    /// Ctrl-C (or SIGTERM) cancelled the wait; nothing was saved.
    Cancelled,
    /// A second Ctrl-C while the answer was being exchanged and saved.
    Quit,
}

/// Waits for the engine to finish the sign-in. The first Ctrl-C (or SIGTERM) cancels the wait
/// for the browser; once Namely's answer is in, it says the sign-in is being finished, and a
/// second one quits at once.
async fn wait(engine: &Engine, name: &str, timeout: Duration) -> Waited {
    let mut signals = match StopSignals::install() {
        Ok(signals) => Some(signals),
        Err(e) => {
            errln!("warning: could not catch Ctrl-C ({e}): Ctrl-C quits at once.");
            None
        }
    };
    errln!("{WAITING}");
    let finish = engine.finish_namely_sign_in(name, timeout);
    tokio::pin!(finish);
    let mut asked_to_stop = false;
    let mut cancelled = false;
    loop {
        let signal = async {
            match signals.as_mut() {
                Some(s) => s.next().await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            result = &mut finish => {
                // An answer that won the race with Ctrl-C and signed in is said as it is.
                return match result {
                    Err(_) if cancelled => Waited::Cancelled,
                    result => Waited::Done(Box::new(result)),
                };
            }
            () = signal => {
                if asked_to_stop {
                    return Waited::Quit;
                }
                asked_to_stop = true;
                if engine.cancel_namely_sign_in(name) {
                    cancelled = true;
                } else {
                    errln!(
                        "Namely has answered; finishing the sign-in… (press Ctrl-C again to \
                         quit at once)"
                    );
                }
            }
        }
    }
}

/// Opens the address in the system browser (`$BROWSER` first on Linux); a failure is said and
/// the wait goes on.
async fn open_browser(url: String) {
    let opened =
        tokio::task::spawn_blocking(move || webbrowser::open(&url).map_err(|e| e.to_string()))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
    match opened {
        Ok(()) => errln!("Opened it in your browser."),
        Err(e) => errln!(
            "Could not open a browser ({e}): open the address above yourself, on this computer."
        ),
    }
}

/// The client secret: typed without echo on a terminal, else read from the pipe (one trailing
/// line break dropped). `Err` holds the exit code, the reason said.
fn read_client_secret(name: &str) -> Result<SecretString, u8> {
    let label = SecretKind::NamelyClientSecret.label();
    if std::io::stdin().is_terminal() {
        errln!("Paste the {label} (it is not shown) and press Enter:");
        return match rpassword::read_password() {
            Ok(value) => Ok(SecretString::from(value)),
            Err(e) => {
                errln!("error: could not read the {label} from the terminal: {e}.");
                Err(EXIT_USAGE)
            }
        };
    }
    secret_cmd::read_piped_secret(
        label,
        &format!(
            "icims-namely signin {} --client-id ID < file-with-the-client-secret",
            output::shell_quote(name)
        ),
    )
}

/// No keychain to keep the sign-in in: what to do instead; exit code 3.
fn no_keychain(name: &str) -> u8 {
    let advice =
        secret_cmd::no_keychain_advice(name, &[SecretKind::NamelyToken]).unwrap_or_default();
    errln!(
        "error: Sign in with Namely needs a system keychain to keep the client secret and \
         refresh token in. Without one, use a personal access token: {advice}"
    );
    EXIT_CREDENTIALS
}
