//! `icims-namely review NAME`: the hires that need review, and how to resolve one: **link** it
//! to the Namely profile that is already that person (writes their `icims_id` there), or
//! **create** it anyway. Each resolution is a run of its own in the history.

use crate::print::outln;
use crate::{EXIT_OK, OutputArgs, fail, output};
use clap::Args;
use icims_namely_core::api::ReviewItem;
use icims_namely_core::engine::Engine;
use icims_namely_core::quote::quoted;

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// The connection's name.
    name: String,
    /// Link this hire (iCIMS person id) to the Namely profile given with --profile: writes
    /// their icims_id onto that profile instead of creating a second one.
    #[arg(
        long,
        value_name = "ICIMS_ID",
        requires = "profile",
        conflicts_with = "create"
    )]
    link: Option<u64>,
    /// With --link: the Namely profile id that is already this hire.
    #[arg(long, value_name = "NAMELY_ID", requires = "link")]
    profile: Option<String>,
    /// Create this hire (iCIMS person id) in Namely anyway, although a possible match exists.
    #[arg(long, value_name = "ICIMS_ID")]
    create: Option<u64>,
    #[command(flatten)]
    out: OutputArgs,
}

pub async fn run(engine: &Engine, args: ReviewArgs) -> u8 {
    let out = args.out;
    let resolved = match (args.link, args.profile.as_deref(), args.create) {
        (Some(person), Some(profile), None) => {
            engine.link_review(&args.name, person, profile).await
        }
        (None, None, Some(person)) => engine.create_anyway(&args.name, person).await,
        // clap enforces the pairs; what is left is the list.
        _ => return list(engine, &args.name, out),
    };
    match resolved {
        Ok(details) => {
            if out.json {
                output::json(&details);
            } else {
                output::run_details(&details);
                output::not_started_hint(&details, &args.name);
            }
            output::run_exit_code(&details)
        }
        Err(e) => fail(&e, Some(out)),
    }
}

fn list(engine: &Engine, name: &str, out: OutputArgs) -> u8 {
    let items = match engine.open_reviews(name) {
        Ok(items) => items,
        Err(e) => return fail(&e, Some(out)),
    };
    if out.json {
        output::json(&items);
    } else {
        print_items(&items, name);
    }
    EXIT_OK
}

fn print_items(items: &[ReviewItem], name: &str) {
    if items.is_empty() {
        outln!("No hires need review for {}.", quoted(name));
        return;
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|r| {
            let namely = match (&r.namely_profile_id, &r.namely_name) {
                (None, _) => "-".to_string(),
                (Some(id), name) => {
                    let mut who = name.clone().unwrap_or_else(|| "profile".to_string());
                    if let Some(email) = &r.namely_email {
                        who.push_str(&format!(" <{email}>"));
                    }
                    format!("{who} ({id})")
                }
            };
            vec![
                r.person_id.to_string(),
                r.name.clone(),
                r.email.clone().unwrap_or_else(|| "-".into()),
                r.start_date.clone().unwrap_or_else(|| "-".into()),
                namely,
                r.reason.clone(),
            ]
        })
        .collect();
    output::table(
        &[
            "ICIMS ID",
            "NAME",
            "EMAIL",
            "START",
            "POSSIBLY IN NAMELY AS",
            "REASON",
        ],
        &rows,
    );
    let name = output::shell_quote(name);
    outln!();
    outln!(
        "Link one to the profile that is already them: icims-namely review {name} --link ICIMS_ID --profile NAMELY_ID"
    );
    outln!(
        "Or add them anyway:                           icims-namely review {name} --create ICIMS_ID"
    );
}
