//! `icims-namely owner NAME [--set PROFILE_ID [--confirm-administrator]]`: who signed in to
//! Namely for this company, each verified live, and who owns the integration (setup part 3).

use crate::print::{errln, outln};
use crate::{EXIT_OK, OutputArgs, check_code_exit, fail, output};
use clap::Args;
use icims_namely_core::api::{OwnerStep, OwnerVerdict};
use icims_namely_core::engine::Engine;

#[derive(Args, Debug)]
pub struct OwnerArgs {
    /// The connection's name.
    name: String,
    /// Choose this person (their Namely profile id, as listed) as the owner.
    #[arg(long, value_name = "PROFILE_ID")]
    set: Option<String>,
    /// With --set: confirm that this person is an Administrator in Namely. Only for someone
    /// Namely reports active but without an access role; who confirmed and when is recorded.
    #[arg(long, requires = "set")]
    confirm_administrator: bool,
    #[command(flatten)]
    out: OutputArgs,
}

pub async fn run(engine: &Engine, args: OwnerArgs) -> u8 {
    let out = args.out;
    // Sign in with the saved token first, as `check` does: the person it belongs to is then
    // among those listed, and the "← token" mark is today's.
    let sign_in = match engine.check_namely_sign_in(&args.name).await {
        Ok(s) => s.check,
        Err(e) => return fail(&e, Some(out)),
    };
    let step = match &args.set {
        None => engine.owner_step(&args.name).await,
        Some(profile) => {
            engine
                .choose_owner(&args.name, profile.trim(), args.confirm_administrator)
                .await
        }
    };
    let step = match step {
        Ok(s) => s,
        Err(e) => return fail(&e, Some(out)),
    };
    if out.json {
        output::json(&step);
        if !sign_in.passed {
            errln!("warning: Namely sign-in: {}", sign_in.summary);
        }
    } else {
        if !sign_in.passed {
            outln!("FAIL  2 Namely sign-in  {}", sign_in.summary);
            if let Some(fix) = &sign_in.fix {
                outln!("      {:<17} {fix}", "");
            }
            outln!();
        }
        print_step(&step, &args.name);
    }
    // A sign-in that failed is as grave as it is in `check`.
    let sign_in_exit = if sign_in.passed {
        EXIT_OK
    } else {
        check_code_exit(sign_in.code)
    };
    check_code_exit(step.check.code).max(sign_in_exit)
}

fn print_step(step: &OwnerStep, name: &str) {
    if step.candidates.is_empty() {
        outln!(
            "Nobody has signed in to Namely for this company yet. Save a Namely token with \
             `icims-namely secret set {} namely-token`.",
            output::shell_quote(name)
        );
    } else {
        let rows: Vec<Vec<String>> = step
            .candidates
            .iter()
            .map(|c| {
                let mut marks = Vec::new();
                if step.chosen_profile_id.as_deref() == Some(c.profile_id.as_str()) {
                    marks.push("← owner");
                }
                if step.signed_in_profile_id.as_deref() == Some(c.profile_id.as_str()) {
                    marks.push("← token");
                }
                vec![
                    c.full_name.clone(),
                    c.profile_id.clone(),
                    c.user_status.clone(),
                    c.access_role
                        .clone()
                        .unwrap_or_else(|| "not reported".to_string()),
                    c.reason.clone(),
                    marks.join(" "),
                ]
            })
            .collect();
        output::table(
            &["NAME", "PROFILE ID", "STATUS", "ROLE", "VERDICT", ""],
            &rows,
        );
    }
    if let Some(c) = &step.role_confirmation
        && step.chosen_profile_id.as_deref() == Some(c.profile_id.as_str())
    {
        outln!(
            "Administrator role confirmed by {} on {} (Namely does not report it).",
            c.by,
            output::when(&c.at)
        );
    }
    outln!();
    let mark = if step.check.passed { "ok  " } else { "FAIL" };
    outln!("{mark}  {:<17} {}", "3 Owner", step.check.summary);
    if let Some(fix) = step.check.fix.as_ref().filter(|_| !step.check.passed) {
        outln!("      {:<17} {fix}", "");
    }
    let name = output::shell_quote(name);
    let confirmable = step.candidates.iter().any(|c| {
        c.verdict == OwnerVerdict::RoleUnknown
            && c.user_status == "active"
            && step.role_confirmation.is_none()
    });
    if !step.check.passed && confirmable {
        outln!(
            "If Namely shows that person as an Administrator: icims-namely owner {name} --set \
             PROFILE_ID --confirm-administrator"
        );
    } else if !step.check.passed && step.candidates.len() > 1 {
        outln!("Choose another owner: icims-namely owner {name} --set PROFILE_ID");
    }
}
