//! `icims-namely sandbox`: both simulators in the foreground, for demos, training and tests.

use crate::print::{errln, outln};
use clap::{Args, ValueEnum};
use sandbox::namely::{IcimsField, RefreshRotation};
use sandbox::seed::SeedConfig;
use sandbox::{Sandbox, SandboxConfig};
use std::io::Write;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Port of the simulated iCIMS API on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8701)]
    icims_port: u16,
    /// Port of the simulated Namely API on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8702)]
    namely_port: u16,
    /// Seed of the generated data: the same seed gives the same people.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Hired candidates in iCIMS.
    #[arg(long, default_value_t = 12)]
    hires: usize,
    /// Employees already in Namely.
    #[arg(long, default_value_t = 8)]
    employees: usize,
    /// Past hires (started between 60 days and 5 years ago): a hiring history that a first
    /// sync must not import.
    #[arg(long, default_value_t = 0)]
    history: usize,
    /// Current hires that HR already typed into Namely by hand (company email, no icims_id).
    #[arg(long, default_value_t = 0)]
    hand_made: usize,
    /// Answer like Namely's recorded traffic: no access_role on profiles, no /companies/info.
    #[arg(long)]
    recorded: bool,
    /// Hide a profile created through the Namely API from every read (lists, email lookups,
    /// GET by id) for this many seconds, like a lagging replica.
    #[arg(long, value_name = "SECS", default_value_t = 0.0)]
    read_lag: f64,
    /// Let Namely accept a new profile whose company email another profile already has.
    #[arg(long)]
    no_email_uniqueness: bool,
    /// How the Namely `icims_id` field is set up (to rehearse part 1 of the setup).
    #[arg(long, value_enum, default_value_t = FieldArg::Present)]
    field: FieldArg,
    /// iCIMS calls allowed per day.
    #[arg(long, default_value_t = 10_000)]
    daily_limit: u64,
    /// Delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests (0.0–1.0) that fail with a server error.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Use this iCIMS HMAC key instead of the public demo key (for tests that must tell the
    /// key apart from the demo values printed here). Like every sandbox value, it opens
    /// nothing outside this computer.
    #[arg(long, value_name = "KEY")]
    hmac_key: Option<String>,
    /// Use this token for Olivia Owner instead of the public demo token (for tests that must
    /// tell the token apart from the demo values printed here).
    #[arg(long, value_name = "TOKEN")]
    namely_token: Option<String>,
    /// A redirect URI of the demo OAuth app ("Sign in with Namely"); repeat for several. Replaces
    /// the default, http://127.0.0.1:47600/namely/callback. Namely compares it exactly.
    #[arg(long = "oauth-redirect-uri", value_name = "URI")]
    oauth_redirect_uris: Vec<String>,
    /// Use this client secret for the demo OAuth app instead of the public demo one (for tests
    /// that must tell it apart from the demo values printed here).
    #[arg(long, value_name = "SECRET")]
    oauth_client_secret: Option<String>,
    /// How long a Namely OAuth access token lives, in seconds (Namely: 899).
    #[arg(long, value_name = "SECONDS", default_value_t = 899)]
    access_token_ttl: u64,
    /// What a Namely token refresh answers besides the new access token: no refresh token (as
    /// recorded), the same one again, or a new one (the old one then stops working).
    #[arg(long, value_enum, default_value_t = RotationArg::Omit)]
    refresh_rotation: RotationArg,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum RotationArg {
    Omit,
    Same,
    Rotate,
}

impl From<RotationArg> for RefreshRotation {
    fn from(r: RotationArg) -> Self {
        match r {
            RotationArg::Omit => RefreshRotation::Omit,
            RotationArg::Same => RefreshRotation::Same,
            RotationArg::Rotate => RefreshRotation::Rotate,
        }
    }
}

/// A redirect URI given on the command line: an absolute http(s) address without spaces or
/// quotes (so the printed lines can be copied as they are).
fn valid_redirect_uri(value: &str) -> bool {
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '\'' && c != '"')
}

/// A sandbox credential given on the command line: printable ASCII without spaces or quotes,
/// so that the printed `echo '…'` lines work as they are.
fn valid_demo_secret(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_graphic() && c != '\'')
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum FieldArg {
    /// `icims_id`, type Text: set up right.
    Present,
    /// No such field.
    Missing,
    /// `icmis_id`: a typo.
    Misspelt,
    /// `icims_id`, type Number.
    WrongType,
}

pub async fn run(args: SandboxArgs) -> u8 {
    if !(0.0..=1.0).contains(&args.error_rate) {
        errln!("error: --error-rate must be between 0.0 and 1.0");
        return 2;
    }
    let Ok(read_lag) = Duration::try_from_secs_f64(args.read_lag) else {
        errln!("error: --read-lag must be a number of seconds, 0 or more");
        return 2;
    };
    for (flag, value) in [
        ("--hmac-key", &args.hmac_key),
        ("--namely-token", &args.namely_token),
        ("--oauth-client-secret", &args.oauth_client_secret),
    ] {
        if value.as_deref().is_some_and(|v| !valid_demo_secret(v)) {
            errln!("error: {flag} must be printable ASCII without spaces or quotes");
            return 2;
        }
    }
    if let Some(bad) = args
        .oauth_redirect_uris
        .iter()
        .find(|u| !valid_redirect_uri(u))
    {
        errln!(
            "error: --oauth-redirect-uri {} is not an http:// or https:// address without \
             spaces or quotes, such as http://127.0.0.1:47600/namely/callback",
            icims_namely_core::quote::quoted(bad)
        );
        return 2;
    }
    if args.access_token_ttl == 0 {
        errln!("error: --access-token-ttl must be 1 second or more (Namely gives 899)");
        return 2;
    }
    let mut config = SandboxConfig {
        seed: SeedConfig {
            seed: args.seed,
            hires: args.hires,
            employees: args.employees,
            history: args.history,
            hand_made: args.hand_made,
        },
        icims_port: args.icims_port,
        anchor_unix: Some(time::OffsetDateTime::now_utc().unix_timestamp()),
        ..SandboxConfig::default()
    };
    config.icims.daily_limit = args.daily_limit;
    config.icims.latency = Duration::from_millis(args.latency_ms);
    config.icims.error_rate = args.error_rate;
    config.namely.port = args.namely_port;
    config.namely.latency = Duration::from_millis(args.latency_ms);
    config.namely.error_rate = args.error_rate;
    config.namely.read_lag = read_lag;
    config.namely.email_unique = !args.no_email_uniqueness;
    if args.recorded {
        config.namely.include_access_role = false;
        config.namely.include_access_role_on_me = false;
        config.namely.companies_info = false;
    }
    if let Some(key) = &args.hmac_key {
        config.icims.hmac_key = key.clone();
    }
    if let Some(token) = &args.namely_token {
        for grant in &mut config.namely.tokens {
            if grant.token == sandbox::namely::TOKEN_OLIVIA_OWNER {
                grant.token = token.clone();
            }
        }
    }
    for app in &mut config.namely.oauth_apps {
        if app.client_id == sandbox::namely::OAUTH_CLIENT_ID {
            if let Some(secret) = &args.oauth_client_secret {
                app.client_secret = secret.clone();
            }
            if !args.oauth_redirect_uris.is_empty() {
                app.redirect_uris = args.oauth_redirect_uris.clone();
            }
        }
    }
    config.namely.access_token_ttl = Duration::from_secs(args.access_token_ttl);
    config.namely.refresh_rotation = args.refresh_rotation.into();
    config.namely.field = match args.field {
        FieldArg::Present => IcimsField::Present,
        FieldArg::Missing => IcimsField::Missing,
        FieldArg::Misspelt => IcimsField::misspelt(),
        FieldArg::WrongType => IcimsField::WrongType {
            type_name: "number".into(),
        },
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            errln!(
                "error: could not start the sandbox: {e}. If a port is taken, choose others with \
                 --icims-port and --namely-port (0 picks free ones)."
            );
            return 2;
        }
    };
    let mut d = sandbox.demo_credentials();
    if let Some(token) = args.namely_token {
        d.namely_token = token;
    }
    let world = &sandbox.world;
    // Past hires are hired too: count them apart, as the first sync leaves them out.
    let past = world.history.len();
    let current = world
        .hired_person_ids(&["Hired"])
        .len()
        .saturating_sub(past);
    let hand_made = world.hand_made.len();
    outln!("Sandbox running: simulated iCIMS and Namely; nothing leaves this computer.");
    outln!();
    outln!("  iCIMS URL          {}", d.icims_url);
    outln!("  iCIMS Customer ID  {}", d.icims_customer_id);
    outln!("  iCIMS Username     {}", d.icims_username);
    outln!("  iCIMS HMAC key     {}", d.icims_hmac_key);
    outln!("  Namely URL         {}", d.namely_url);
    outln!("  Namely permalink   {}", d.namely_permalink);
    outln!(
        "  Namely token       {}   (Olivia Owner, active Administrator)",
        d.namely_token
    );
    outln!(
        "  Employee's token   {}   (Emma Employee: cannot see icims_id or create people)",
        sandbox::namely::TOKEN_EMPLOYEE
    );
    let oauth = sandbox
        .namely
        .oauth_apps()
        .into_iter()
        .find(|a| a.client_id == sandbox::namely::OAUTH_CLIENT_ID);
    if let Some(app) = &oauth {
        outln!(
            "  OAuth client ID    {}   (to sign in with Namely instead of a token)",
            app.client_id
        );
        outln!("  OAuth secret       {}", app.client_secret);
        for uri in &app.redirect_uris {
            outln!("  Redirect URI       {uri}");
        }
    }
    outln!();
    let people = world.employees.len();
    if past == 0 && hand_made == 0 {
        outln!("  {current} hired candidates in iCIMS, {people} people in Namely.");
    } else {
        let mut icims = format!("  {current} hired candidates in iCIMS");
        if past > 0 {
            icims.push_str(&format!(
                ", plus {past} past hires who started 60 days to 5 years ago (before the \
                 default start-from date)"
            ));
        }
        outln!("{icims}.");
        let mut namely = format!("  {people} people in Namely");
        if hand_made > 0 {
            namely.push_str(&format!(
                ", {hand_made} of them current hires HR typed in by hand (no icims_id)"
            ));
        }
        outln!("{namely}.");
    }
    if args.recorded {
        outln!(
            "  Namely answers like its recorded traffic: no access_role on profiles, no \
             /companies/info."
        );
    }
    if !read_lag.is_zero() {
        outln!(
            "  Namely hides each profile created through its API from reads for {}s.",
            args.read_lag
        );
    }
    if args.no_email_uniqueness {
        outln!("  Namely accepts a second profile with a company email already in use.");
    }
    if args.access_token_ttl != 899 {
        outln!(
            "  Namely OAuth access tokens live {} seconds.",
            args.access_token_ttl
        );
    }
    match args.refresh_rotation {
        RotationArg::Omit => {}
        RotationArg::Same => {
            outln!("  A Namely token refresh answers the same refresh token again.")
        }
        RotationArg::Rotate => outln!(
            "  A Namely token refresh answers a new refresh token; the old one stops working."
        ),
    }
    outln!();
    outln!("Try it from another terminal:");
    outln!(
        "  icims-namely connection add demo --namely-permalink {} --icims-customer-id {} \\\n      --icims-username {} --icims-url {} --namely-url {}",
        d.namely_permalink,
        d.icims_customer_id,
        d.icims_username,
        d.icims_url,
        d.namely_url
    );
    outln!(
        "  echo '{}' | icims-namely secret set demo namely-token",
        d.namely_token
    );
    outln!(
        "  echo '{}' | icims-namely secret set demo icims-hmac-key",
        d.icims_hmac_key
    );
    if let Some(app) = &oauth {
        outln!("  # or, to sign in with Namely instead of the namely-token line above:");
        outln!(
            "  echo '{}' | icims-namely signin demo --client-id {}",
            app.client_secret,
            app.client_id
        );
    }
    outln!("  icims-namely check demo");
    if args.recorded {
        // Namely does not say who is an Administrator: a person confirms it.
        outln!("  icims-namely owner demo");
        outln!("  icims-namely owner demo --set PROFILE_ID --confirm-administrator");
    }
    outln!("  icims-namely sync demo --dry-run");
    outln!("  icims-namely sync demo");
    if hand_made > 0 {
        outln!("  icims-namely review demo");
    }
    outln!();
    outln!(
        "Type `hire` (or `hire Jane Doe`) and Enter to add a hired candidate to iCIMS, as \
         happens between two syncs."
    );
    outln!("Press Ctrl-C to stop.");
    let _ = std::io::stdout().flush();

    tokio::select! {
        _ = wait_for_stop() => {}
        _ = read_commands(&sandbox) => wait_for_stop().await,
    }
    errln!("Stopping the sandbox…");
    sandbox.shutdown().await;
    0
}

/// Lines typed while the sandbox runs: `hire [FIRST LAST]` adds a hired candidate now.
/// Returns at the end of standard input (none, or closed).
async fn read_commands(sandbox: &Sandbox) {
    // Standard input is read on a thread of its own (blocking reads), one line at a time.
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut added = 0usize;
    while let Some(line) = lines.recv().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => continue,
            ["hire"] | ["hire", _, ..] => {
                added += 1;
                let (first, last) = match &words[1..] {
                    [] => ("Casey".to_string(), format!("Newhire{added}")),
                    [first] => ((*first).to_string(), format!("Newhire{added}")),
                    [first, rest @ ..] => ((*first).to_string(), rest.join(" ")),
                };
                let hire = sandbox.icims.add_new_hire(&first, &last);
                outln!(
                    "Added {first} {last} to iCIMS as hired (person {}, workflow {}).",
                    hire.person_id,
                    hire.workflow_id
                );
            }
            [other, ..] => outln!(
                "{} is not a sandbox command. Type `hire` or `hire FIRST LAST`.",
                icims_namely_core::quote::quoted(other)
            ),
        }
        let _ = std::io::stdout().flush();
    }
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
