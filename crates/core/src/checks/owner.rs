//! Part 3: who owns the integration — an active Namely user with the Administrator access
//! role, among the people who signed in for this company.

use super::{failed, passed, rfc3339};
use crate::api::{CheckCode, CheckResult, Field, OwnerCandidate, OwnerVerdict, SetupStep};
use crate::connection::RoleConfirmation;
use time::OffsetDateTime;

const NOBODY_QUALIFIES_FIX: &str =
    "An active Administrator must sign in once. Send them this app, or ask them to sign in here.";

/// `Some(role)` trimmed, or `None` when Namely sent none or an empty one.
pub(super) fn clean_role(role: Option<&str>) -> Option<&str> {
    role.map(str::trim).filter(|r| !r.is_empty())
}

/// "Olivia Owner": the full name, else first and last, else the email, else the id.
pub(super) fn person_name(p: &namely::Profile) -> String {
    let non_empty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(full) = non_empty(&p.full_name) {
        return full;
    }
    let parts: Vec<String> = [non_empty(&p.first_name), non_empty(&p.last_name)]
        .into_iter()
        .flatten()
        .collect();
    if !parts.is_empty() {
        return parts.join(" ");
    }
    non_empty(&p.email).unwrap_or_else(|| format!("Namely profile {}", p.id))
}

/// Whether this person can own the integration: only an **active** user whose access role is
/// `Administrator` (Namely Connect's rule, `docs/namely-api.md` §8). A profile without an access
/// role (`docs/namely-api.md` §8: `/profiles/me` may omit it) is [`OwnerVerdict::RoleUnknown`],
/// never "not an Administrator". A profile without a `user_status` cannot be verified either
/// and is reported as `RoleUnknown` with its own reason.
pub fn owner_verdict(profile: &namely::Profile, now: OffsetDateTime) -> OwnerCandidate {
    use namely::UserStatus;
    let role = clean_role(profile.access_role.as_deref()).map(str::to_string);
    let (verdict, reason) = match (&profile.user_status, role.as_deref()) {
        (Some(UserStatus::Active), Some(r)) if r.eq_ignore_ascii_case("Administrator") => {
            (OwnerVerdict::CanOwn, "✓ can own".to_string())
        }
        (Some(UserStatus::Active), Some(r)) => (
            OwnerVerdict::NotAdministrator,
            format!("✗ not an Administrator ({r})"),
        ),
        (Some(UserStatus::Active), None) => (
            OwnerVerdict::RoleUnknown,
            "? could not verify the access role — confirm in Namely that this user is an \
             Administrator"
                .to_string(),
        ),
        (Some(UserStatus::Pending), _) => (
            OwnerVerdict::Inactive,
            "✗ not active in Namely yet (pending)".to_string(),
        ),
        (Some(_), _) => (OwnerVerdict::Inactive, "✗ inactive in Namely".to_string()),
        (None, _) => (
            OwnerVerdict::RoleUnknown,
            "? could not verify that this user is active — confirm in Namely that this user \
             is an active Administrator"
                .to_string(),
        ),
    };
    OwnerCandidate {
        profile_id: profile.id.as_str().to_string(),
        full_name: person_name(profile),
        email: profile
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string),
        access_role: role,
        user_status: profile
            .user_status
            .as_ref()
            .map_or_else(|| "unknown".to_string(), |s| s.as_str().to_string()),
        verdict,
        reason,
        verified_at: rfc3339(now),
    }
}

/// What part 3 knows besides the people who signed in and the chosen one.
#[derive(Debug, Clone, Copy, Default)]
pub struct OwnerFacts<'a> {
    /// The Namely profile the saved token belongs to (`GET /profiles/me`), when known.
    pub signed_in_profile_id: Option<&'a str>,
    /// A person confirmed the access role Namely did not report.
    pub confirmation: Option<&'a RoleConfirmation>,
}

/// Whether a candidate may be confirmed as an Administrator by a person: Namely said they
/// are active but did not report their access role.
pub fn can_confirm_role(c: &OwnerCandidate) -> bool {
    c.verdict == OwnerVerdict::RoleUnknown && c.user_status == "active"
}

/// Part 3: the chosen person (by Namely profile id) can own the integration, and the saved
/// token is theirs.
pub fn owner_check(
    candidates: &[OwnerCandidate],
    chosen: Option<&str>,
    facts: OwnerFacts<'_>,
    now: OffsetDateTime,
) -> CheckResult {
    let step = SetupStep::Owner;
    let able: Vec<&OwnerCandidate> = candidates
        .iter()
        .filter(|c| c.verdict == OwnerVerdict::CanOwn)
        .collect();
    let unverified: Vec<&OwnerCandidate> = candidates
        .iter()
        .filter(|c| c.verdict == OwnerVerdict::RoleUnknown)
        .collect();
    let detail = Some(
        candidates
            .iter()
            .map(|c| {
                format!(
                    "{} ({}; status {}, role {}, verified {}): {}",
                    c.full_name,
                    c.profile_id,
                    c.user_status,
                    c.access_role.as_deref().unwrap_or("unknown"),
                    c.verified_at,
                    c.reason
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .filter(|d| !d.is_empty());
    // What to do when the chosen person (or nobody) can own it.
    let alternative = || -> String {
        match (able.as_slice(), unverified.as_slice()) {
            ([one], _) => format!("Choose {}, who can own it.", one.full_name),
            ([_, ..], _) => format!(
                "Choose one of the people marked ✓ can own ({}).",
                names(&able)
            ),
            ([], [_, ..]) => format!(
                "Namely did not show the access role of {}: choose the one who is an \
                 Administrator in Namely and confirm it here, or: {NOBODY_QUALIFIES_FIX}",
                names(&unverified)
            ),
            ([], []) => NOBODY_QUALIFIES_FIX.to_string(),
        }
    };
    let Some(chosen) = chosen.map(str::trim).filter(|c| !c.is_empty()) else {
        return if candidates.is_empty() {
            failed(
                step,
                CheckCode::NobodySignedIn,
                "Nobody has signed in for this company yet.",
                NOBODY_QUALIFIES_FIX,
                None,
                detail,
                now,
            )
        } else if able.is_empty() && !candidates.iter().any(can_confirm_role) {
            failed(
                step,
                CheckCode::NoEligibleOwner,
                "Nobody who has signed in is an active Administrator.",
                alternative(),
                None,
                detail,
                now,
            )
        } else {
            failed(
                step,
                CheckCode::OwnerNotChosen,
                "Choose who owns the integration.",
                alternative(),
                None,
                detail,
                now,
            )
        };
    };
    let Some(person) = candidates.iter().find(|c| c.profile_id == chosen) else {
        return failed(
            step,
            CheckCode::OwnerNotSignedIn,
            "The chosen owner has not signed in for this company.",
            alternative(),
            None,
            detail,
            now,
        );
    };
    let name = &person.full_name;
    let confirmed = facts
        .confirmation
        .filter(|c| c.profile_id.0 == person.profile_id && can_confirm_role(person));
    let can_own = person.verdict == OwnerVerdict::CanOwn || confirmed.is_some();
    if can_own
        && let Some(token_owner) = facts.signed_in_profile_id
        && token_owner != person.profile_id
    {
        let holder = candidates
            .iter()
            .find(|c| c.profile_id == token_owner)
            .map_or_else(
                || format!("Namely profile {token_owner}"),
                |c| c.full_name.clone(),
            );
        return failed(
            step,
            CheckCode::TokenNotOwner,
            format!("The saved Namely token belongs to {holder}, not to the owner {name}."),
            format!(
                "Sign in as {name} (paste a token {name} created), or choose {holder} as the \
                 owner if they are an active Administrator."
            ),
            Some(Field::NamelyToken),
            detail,
            now,
        );
    }
    if let Some(c) = confirmed {
        return passed(
            step,
            format!(
                "{name} owns the integration: active in Namely; Administrator confirmed by {} \
                 on {} (Namely does not report access roles).",
                c.by,
                crate::mapping::human_date(c.at.date())
            ),
            detail,
            now,
        );
    }
    match person.verdict {
        OwnerVerdict::CanOwn => passed(
            step,
            format!("{name} owns the integration: an active Administrator."),
            detail,
            now,
        ),
        OwnerVerdict::Inactive | OwnerVerdict::NotAdministrator => failed(
            step,
            if person.verdict == OwnerVerdict::Inactive {
                CheckCode::OwnerInactive
            } else {
                CheckCode::OwnerNotAdministrator
            },
            format!(
                "{name} cannot own the integration: {}.",
                person.reason.trim_start_matches("✗ ")
            ),
            alternative(),
            None,
            detail,
            now,
        ),
        OwnerVerdict::RoleUnknown => failed(
            step,
            CheckCode::OwnerUnverified,
            format!("Could not verify that {name} is an active Administrator: Namely did not say."),
            match (able.as_slice(), can_confirm_role(person)) {
                (able, true) => {
                    let confirm = if facts.signed_in_profile_id == Some(person.profile_id.as_str())
                    {
                        format!(
                            "Look {name} up in Namely (Company › Access roles) and, if they are an \
                             Administrator, confirm it here: \"{name} is an Administrator in \
                             Namely\""
                        )
                    } else {
                        format!(
                            "Sign in to Namely as {name}; then, if they are an Administrator \
                             (Namely › Company › Access roles), confirm it: \"{name} is an \
                             Administrator in Namely\""
                        )
                    };
                    if able.is_empty() {
                        format!("{confirm}.")
                    } else {
                        format!("{confirm}; or {}", lowercase_first(&alternative()))
                    }
                }
                ([], false) => format!(
                    "Confirm in Namely that {name} is an active Administrator, or: \
                     {NOBODY_QUALIFIES_FIX}"
                ),
                (_, false) => format!(
                    "Confirm in Namely that {name} is an active Administrator, or {}",
                    lowercase_first(&alternative())
                ),
            },
            None,
            detail,
            now,
        ),
    }
}

fn names(people: &[&OwnerCandidate]) -> String {
    people
        .iter()
        .map(|c| c.full_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
