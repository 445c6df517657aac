//! The four live setup checks of the wizard (UX.md, "Wizard — a stepper with five stops"):
//! the Namely field `icims_id`, signing in to Namely, the integration owner, and the iCIMS
//! connection. Each answers an [`api::CheckResult`]: what happened, what to do, which input it
//! concerns, and the technical detail one click away.
//!
//! The checks take ready-made clients and a `now` (this computer's clock): no store, no
//! keychain. The engine builds the clients and persists the results.
//!
//! No text produced here ever contains a secret: the Namely token and the iCIMS HMAC key are
//! only inside the clients, whose error messages are scrubbed of them, and the `Authorization`
//! header is never read.

use crate::api::{
    CheckResult, Field, OwnerCandidate, OwnerVerdict, RegionView, SetupStep, SignInResult,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// The Namely field label (and expected `name`) the integration writes iCIMS person ids to.
pub const ICIMS_FIELD: &str = "icims_id";

/// The largest difference between this computer's clock and iCIMS's that is not reported.
/// iCIMS's own tolerance is unknown (icims-api.md §2.2.6); five minutes is the usual window of
/// signed-request schemes.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// iCIMS's usual daily request limit (icims-api.md §6), shown when a refusal does not say the
/// customer's own.
const USUAL_DAILY_LIMIT: u64 = 10_000;

/// How to create the field, as Namely's own iCIMS guide puts it (namely-api.md §5.3).
const CREATE_FIELD_FIX: &str = "Create it in Namely: Company › Settings › Profile Fields › Add \
                                New Field, Label `icims_id`, Type Text. Then Check again.";
const NEW_TOKEN_FIX: &str = "Paste a new personal access token (Namely › API › Personal Access \
                             Tokens), or sign in again.";
const NOBODY_QUALIFIES_FIX: &str =
    "An active Administrator must sign in once. Send them this app, or ask them to sign in here.";
const INTEGRATION_GROUP_FIX_TAIL: &str = "Ask your iCIMS integration specialist to add it, then \
                                          Test again.";

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/// RFC 3339 in UTC, e.g. `2026-11-27T10:42:00Z`.
fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

fn passed(
    step: SetupStep,
    summary: String,
    detail: Option<String>,
    now: OffsetDateTime,
) -> CheckResult {
    CheckResult {
        step,
        passed: true,
        summary,
        fix: None,
        field: None,
        detail,
        checked_at: rfc3339(now),
    }
}

fn failed(
    step: SetupStep,
    summary: impl Into<String>,
    fix: impl Into<String>,
    field: Option<Field>,
    detail: Option<String>,
    now: OffsetDateTime,
) -> CheckResult {
    CheckResult {
        step,
        passed: false,
        summary: summary.into(),
        fix: Some(fix.into()),
        field,
        detail,
        checked_at: rfc3339(now),
    }
}

// ---------------------------------------------------------------------------------------------
// Part 1: the Namely field `icims_id`
// ---------------------------------------------------------------------------------------------

/// The outcome of the field check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCheck {
    pub result: CheckResult,
    /// The Namely field `name` to write iCIMS person ids to, when the check passed. Usually
    /// `icims_id`; a field whose label was renamed to `icims_id` keeps its old name.
    pub field_name: Option<String>,
}

/// Part 1: `GET /profiles/fields` and look for a Text field labelled (or named) `icims_id`.
///
/// Passes for a field whose label is `icims_id` (trimmed, any case), else whose `name` is
/// `icims_id`, of type `text`. Otherwise says what was found instead: nothing, a near miss
/// ([`looks_like_misspelt_icims_id`]), or the right field with the wrong type.
#[tracing::instrument(skip_all)]
pub async fn namely_field(namely: &namely::Client, now: OffsetDateTime) -> FieldCheck {
    let step = SetupStep::NamelyField;
    let fields = match namely.fields().await {
        Ok(f) => f,
        Err(e) => {
            return FieldCheck {
                result: namely_failure(step, namely, NamelyCall::Fields, &e, now),
                field_name: None,
            };
        }
    };
    match judge_fields(&fields) {
        FieldFinding::Found { field, notes } => {
            let mut detail = vec![describe_field(field)];
            detail.extend(notes);
            FieldCheck {
                result: passed(
                    step,
                    "Found the field `icims_id` (Text).".to_string(),
                    Some(detail.join(" ")),
                    now,
                ),
                field_name: Some(field.name.clone()),
            }
        }
        FieldFinding::WrongType(field) => {
            let shown = shown_name(field);
            FieldCheck {
                result: failed(
                    step,
                    format!(
                        "Found `{shown}` but it is {} field.",
                        with_article(&type_label(&field.field_type))
                    ),
                    "Delete it and create it again as Text.",
                    None,
                    Some(describe_field(field)),
                    now,
                ),
                field_name: None,
            }
        }
        FieldFinding::Typo(field) => {
            let shown = shown_name(field);
            FieldCheck {
                result: failed(
                    step,
                    format!("Found `{shown}`, which looks like a typo."),
                    "Delete it and create `icims_id` — renaming keeps the old internal name, so \
                     it would still not match.",
                    None,
                    Some(describe_field(field)),
                    now,
                ),
                field_name: None,
            }
        }
        FieldFinding::None => {
            let detail = format!(
                "GET /profiles/fields listed {} fields; none is labelled or named `icims_id`.",
                fields.len()
            );
            // Custom fields are listed only for people allowed to see them (namely-api.md
            // §5.3): with a non-administrator's token, "not there" may mean "not shown".
            let me = namely.me().await.ok();
            let role = me
                .as_ref()
                .and_then(|p| clean_role(p.access_role.as_deref()));
            match (me.as_ref(), role) {
                (Some(me), Some(role)) if !role.eq_ignore_ascii_case("Administrator") => {
                    FieldCheck {
                        result: failed(
                            step,
                            format!(
                                "No field named `icims_id` is visible to {} ({role}).",
                                person_name(me)
                            ),
                            format!(
                                "Namely shows custom fields only to people allowed to see them. \
                                 Sign in as an active Administrator, then Check again. If the \
                                 field does not exist yet: {CREATE_FIELD_FIX}"
                            ),
                            Some(Field::NamelyToken),
                            Some(detail),
                            now,
                        ),
                        field_name: None,
                    }
                }
                _ => FieldCheck {
                    result: failed(
                        step,
                        "No field named `icims_id` yet.",
                        CREATE_FIELD_FIX,
                        None,
                        Some(detail),
                        now,
                    ),
                    field_name: None,
                },
            }
        }
    }
}

enum FieldFinding<'a> {
    Found {
        field: &'a namely::Field,
        notes: Vec<String>,
    },
    WrongType(&'a namely::Field),
    Typo(&'a namely::Field),
    None,
}

fn label_matches(f: &namely::Field) -> bool {
    f.label.trim().eq_ignore_ascii_case(ICIMS_FIELD)
}

fn name_matches(f: &namely::Field) -> bool {
    f.name.trim().eq_ignore_ascii_case(ICIMS_FIELD)
}

fn judge_fields(fields: &[namely::Field]) -> FieldFinding<'_> {
    // Label first (what a person typed in Namely), then name (the frozen API key).
    let exact: Vec<&namely::Field> = fields
        .iter()
        .filter(|f| label_matches(f))
        .chain(
            fields
                .iter()
                .filter(|f| name_matches(f) && !label_matches(f)),
        )
        .collect();
    let typo = fields.iter().find(|f| {
        !label_matches(f)
            && !name_matches(f)
            && (looks_like_misspelt_icims_id(&f.label) || looks_like_misspelt_icims_id(&f.name))
    });
    if let Some(field) = exact.iter().copied().find(|f| f.is_text()) {
        let mut notes = Vec::new();
        if field.name != ICIMS_FIELD {
            if label_matches(field) {
                notes.push(format!(
                    "Note: its internal name is `{}` (Namely keeps the name a field was created \
                     with when its label is renamed). This app writes to `{}`, so this works; \
                     Namely's own iCIMS integration expects the internal name `icims_id`.",
                    field.name, field.name
                ));
            } else {
                notes.push(format!(
                    "Note: it is found by its internal name `{}`; its label is `{}`.",
                    field.name,
                    field.label.trim()
                ));
            }
        } else if field.label.trim() != ICIMS_FIELD && label_matches(field) {
            notes.push(format!(
                "Note: its label is written `{}`; that is fine.",
                field.label.trim()
            ));
        }
        if let Some(t) = typo {
            notes.push(format!(
                "There is also a field `{}`, which is not used.",
                shown_name(t)
            ));
        }
        return FieldFinding::Found { field, notes };
    }
    if let Some(field) = exact.first() {
        return FieldFinding::WrongType(field);
    }
    match typo {
        Some(field) => FieldFinding::Typo(field),
        None => FieldFinding::None,
    }
}

/// The label as a person sees it in Namely, or the name when the label is empty.
fn shown_name(f: &namely::Field) -> &str {
    let label = f.label.trim();
    if label.is_empty() {
        f.name.trim()
    } else {
        label
    }
}

fn describe_field(f: &namely::Field) -> String {
    format!(
        "Namely field: label `{}`, internal name `{}`, type {}.",
        f.label.trim(),
        f.name,
        if f.field_type.is_empty() {
            "(none)"
        } else {
            &f.field_type
        }
    )
}

/// Namely's field type as its settings page names it.
fn type_label(field_type: &str) -> String {
    let t = field_type.trim().to_ascii_lowercase();
    match t.as_str() {
        "text" => "Text".into(),
        "longtext" => "Long Text".into(),
        "email" => "Email".into(),
        "date" => "Date".into(),
        "number" => "Number".into(),
        "select" => "Select".into(),
        "checkboxes" => "Checkboxes".into(),
        "address" => "Address".into(),
        "file" => "File".into(),
        "image" => "Image".into(),
        "salary" => "Salary".into(),
        "" => "an untyped".into(),
        _ => {
            let mut c = t.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect(),
                None => t,
            }
        }
    }
}

/// "a Number", "an Email".
fn with_article(label: &str) -> String {
    if label.starts_with("an ") {
        return label.to_string();
    }
    let vowel = label
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {label}", if vowel { "an" } else { "a" })
}

/// Whether a field label or name looks like a misspelling of `icims_id` (but is not it).
///
/// Both sides are normalised by lowercasing and dropping everything but letters and digits,
/// so `icims id`, `icims-id` and `iCIMS ID` all become `icimsid`; the result is compared with
/// `icimsid` by optimal-string-alignment (Damerau–Levenshtein) distance: at most 1 edit, or 2
/// when the text is at least as long as `icimsid`. Text that equals `icims_id` after trimming
/// and lowercasing is *not* a near miss (it is the field).
///
/// Deliberately conservative: a near miss tells the person to delete a field, so a false alarm
/// could cost them data, while a miss only means "create `icims_id`". Short words two edits
/// away (`cms_id`, `sims_id`, `icims`) and other ids (`icims_job_id`, `greenhouse_id`) are not
/// near misses.
pub fn looks_like_misspelt_icims_id(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case(ICIMS_FIELD) {
        return false;
    }
    let norm: Vec<char> = trimmed
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    if norm.is_empty() {
        return false;
    }
    let target: Vec<char> = "icimsid".chars().collect();
    let d = osa_distance(&norm, &target);
    d <= 1 || (d == 2 && norm.len() >= target.len())
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters each cost 1.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

// ---------------------------------------------------------------------------------------------
// Part 2: signing in to Namely
// ---------------------------------------------------------------------------------------------

/// Part 2: `GET /companies/info` (the company exists, its name) and `GET /profiles/me` (the
/// token works, and whose it is).
#[tracing::instrument(skip_all)]
pub async fn namely_sign_in(namely: &namely::Client, now: OffsetDateTime) -> SignInResult {
    let step = SetupStep::NamelySignIn;
    let company = match namely.company_info().await {
        Ok(c) => c,
        Err(e) => {
            return SignInResult {
                check: namely_failure(step, namely, NamelyCall::CompanyInfo, &e, now),
                company_name: None,
                signed_in_as: None,
            };
        }
    };
    let company_name = company
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let me = match namely.me().await {
        Ok(me) => me,
        Err(e) => {
            return SignInResult {
                check: namely_failure(step, namely, NamelyCall::Me, &e, now),
                company_name,
                signed_in_as: None,
            };
        }
    };
    let candidate = owner_verdict(&me, now);
    let shown_company = company_name.clone().unwrap_or_else(|| namely_host(namely));
    let role = match &candidate.access_role {
        Some(role) => role.clone(),
        None => "access role not shown by Namely".to_string(),
    };
    let summary = format!(
        "Signed in to {shown_company} as {} ({role})",
        candidate.full_name
    );
    let detail = format!(
        "GET /companies/info: name {:?}, permalink {:?}. GET /profiles/me: profile {}, status {}, \
         access role {}. Owner verdict: {}",
        company.name.as_deref().unwrap_or(""),
        company.permalink.as_deref().unwrap_or(""),
        candidate.profile_id,
        candidate.user_status,
        candidate.access_role.as_deref().unwrap_or("(absent)"),
        candidate.reason,
    );
    SignInResult {
        check: passed(step, summary, Some(detail), now),
        company_name,
        signed_in_as: Some(candidate),
    }
}

/// Which Namely call failed, to word its failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NamelyCall {
    CompanyInfo,
    Me,
    Fields,
}

impl NamelyCall {
    fn path(self) -> &'static str {
        match self {
            NamelyCall::CompanyInfo => "GET /companies/info",
            NamelyCall::Me => "GET /profiles/me",
            NamelyCall::Fields => "GET /profiles/fields",
        }
    }
}

/// `acme.namely.com` (or `127.0.0.1:4010` for the sandbox).
fn namely_host(namely: &namely::Client) -> String {
    let url = namely.api_base();
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.as_str().to_string(),
    }
}

/// Words a failed Namely call: what happened, what to do, which input.
fn namely_failure(
    step: SetupStep,
    namely: &namely::Client,
    call: NamelyCall,
    e: &namely::Error,
    now: OffsetDateTime,
) -> CheckResult {
    use namely::Error as E;
    let host = namely_host(namely);
    let detail = Some(format!("{} at {}: {e}", call.path(), namely.api_base()));
    let permalink_fix = "The permalink is the part before .namely.com in your Namely web \
                         address (acme for https://acme.namely.com). Correct it, then Check \
                         again."
        .to_string();
    match e {
        E::Unauthorized => failed(
            step,
            "Namely did not accept this token.",
            NEW_TOKEN_FIX,
            Some(Field::NamelyToken),
            detail,
            now,
        ),
        E::Forbidden => failed(
            step,
            "Namely refused this token: its owner may be inactive or lack permission.",
            "Use a token of an active Administrator: ask them to sign in here, or paste a \
             personal access token they created (Namely › API › Personal Access Tokens).",
            Some(Field::NamelyToken),
            detail,
            now,
        ),
        E::NotFound { .. } if call == NamelyCall::Me => failed(
            step,
            "Namely found no profile for the owner of this token.",
            "Sign in again as an active Administrator, or paste a token they created.",
            Some(Field::NamelyToken),
            detail,
            now,
        ),
        E::NotFound { .. } => failed(
            step,
            format!("No Namely company at {host} — check the permalink."),
            permalink_fix,
            Some(Field::NamelyPermalink),
            detail,
            now,
        ),
        E::UnexpectedStatus { status, .. } if status.is_redirection() => failed(
            step,
            format!("No Namely company at {host} — check the permalink."),
            permalink_fix,
            Some(Field::NamelyPermalink),
            detail,
            now,
        ),
        E::Transport {
            timed_out: false,
            may_have_reached_server: false,
            ..
        } => failed(
            step,
            format!("Could not reach Namely at {host} — check the permalink."),
            format!(
                "{permalink_fix} If it is right, check this computer's internet connection, \
                 proxy and firewall."
            ),
            Some(Field::NamelyPermalink),
            detail,
            now,
        ),
        E::Transport {
            timed_out: true, ..
        } => failed(
            step,
            format!("Namely at {host} did not answer in time."),
            "Check the internet connection, then Check again.",
            None,
            detail,
            now,
        ),
        E::Transport { .. } => failed(
            step,
            format!("The connection to Namely at {host} broke off."),
            "Check the internet connection, then Check again.",
            None,
            detail,
            now,
        ),
        E::Throttled => failed(
            step,
            "Namely is limiting requests right now.",
            "Wait a minute, then Check again.",
            None,
            detail,
            now,
        ),
        E::Server { .. } => failed(
            step,
            "Namely had a temporary problem.",
            "Check again in a few minutes. If it keeps happening, contact Namely support.",
            None,
            detail,
            now,
        ),
        E::InvalidConfig(cfg) => {
            let field = match cfg {
                namely::ConfigError::EmptyToken | namely::ConfigError::InvalidToken => {
                    Field::NamelyToken
                }
                _ => Field::NamelyPermalink,
            };
            failed(
                step,
                "The Namely settings are not valid.",
                format!("{cfg}."),
                Some(field),
                detail,
                now,
            )
        }
        _ => failed(
            step,
            "Namely answered in a way this app did not expect.",
            "Check again. If it keeps happening, send the Details to support.",
            None,
            detail,
            now,
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Part 3: the owner
// ---------------------------------------------------------------------------------------------

/// `Some(role)` trimmed, or `None` when Namely sent none or an empty one.
fn clean_role(role: Option<&str>) -> Option<&str> {
    role.map(str::trim).filter(|r| !r.is_empty())
}

/// "Olivia Owner": the full name, else first and last, else the email, else the id.
fn person_name(p: &namely::Profile) -> String {
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
/// `Administrator` (Namely Connect's rule, namely-api.md §8.1). A profile without an access
/// role (namely-api.md §9.13, `/profiles/me` may omit it) is [`OwnerVerdict::RoleUnknown`],
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

/// Part 3: the chosen person (by Namely profile id) can own the integration.
pub fn owner_check(
    candidates: &[OwnerCandidate],
    chosen: Option<&str>,
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
                "Namely did not show the access role of {}: confirm in Namely that they are an \
                 active Administrator, or: {NOBODY_QUALIFIES_FIX}",
                names(&unverified)
            ),
            ([], []) => NOBODY_QUALIFIES_FIX.to_string(),
        }
    };
    let Some(chosen) = chosen.map(str::trim).filter(|c| !c.is_empty()) else {
        return if candidates.is_empty() {
            failed(
                step,
                "Nobody has signed in for this company yet.",
                NOBODY_QUALIFIES_FIX,
                None,
                detail,
                now,
            )
        } else if able.is_empty() {
            failed(
                step,
                "Nobody who has signed in is an active Administrator.",
                alternative(),
                None,
                detail,
                now,
            )
        } else {
            failed(
                step,
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
            "The chosen owner has not signed in for this company.",
            alternative(),
            None,
            detail,
            now,
        );
    };
    let name = &person.full_name;
    match person.verdict {
        OwnerVerdict::CanOwn => passed(
            step,
            format!("{name} owns the integration: an active Administrator."),
            detail,
            now,
        ),
        OwnerVerdict::Inactive | OwnerVerdict::NotAdministrator => failed(
            step,
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
            format!("Could not verify that {name} is an active Administrator: Namely did not say."),
            match able.as_slice() {
                [] => format!(
                    "Confirm in Namely that {name} is an active Administrator, or: \
                     {NOBODY_QUALIFIES_FIX}"
                ),
                _ => format!(
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

// ---------------------------------------------------------------------------------------------
// Part 4: iCIMS
// ---------------------------------------------------------------------------------------------

/// Immediate form errors of part 4, before anything is sent: the Customer ID is digits, the
/// Username is set, and the HMAC key (when a new one is given; `None` keeps the saved one) is
/// not empty and has no surrounding spaces or line breaks. The key is never repeated back.
pub fn validate_icims_input(
    customer_id: &str,
    username: &str,
    key: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), CheckResult> {
    let step = SetupStep::Icims;
    let bad = |summary: &str, fix: &str, field: Field| {
        Err(failed(step, summary, fix, Some(field), None, now))
    };
    let id = customer_id.trim();
    if id.is_empty() {
        return bad(
            "Enter the iCIMS Customer ID.",
            "It is a number, such as 1234, that your iCIMS integration specialist gives you.",
            Field::IcimsCustomerId,
        );
    }
    if !id.chars().all(|c| c.is_ascii_digit()) || id.len() > 18 {
        return bad(
            "The Customer ID is digits only, like 1234.",
            "Enter the number your iCIMS integration specialist gave you (it is the number in \
             iCIMS's /customers/1234/ addresses).",
            Field::IcimsCustomerId,
        );
    }
    let user = username.trim();
    if user.is_empty() {
        return bad(
            "Enter the iCIMS Username.",
            "It is the name of the iCIMS integration user, from your iCIMS integration \
             specialist.",
            Field::IcimsUsername,
        );
    }
    if user
        .chars()
        .any(|c| !c.is_ascii() || c.is_ascii_control() || c == ',')
    {
        return bad(
            "The Username may hold only plain letters, digits and punctuation, and no commas.",
            "Copy the Username again from your iCIMS integration specialist's message.",
            Field::IcimsUsername,
        );
    }
    if let Some(key) = key {
        if key.is_empty() {
            return bad(
                "Paste the HMAC key.",
                "Your iCIMS integration specialist gives it with the Username.",
                Field::IcimsHmacKey,
            );
        }
        if key.trim() != key {
            return bad(
                "The HMAC key starts or ends with a space or line break.",
                "Paste it again without them; the key is case-sensitive and must be exact.",
                Field::IcimsHmacKey,
            );
        }
        if key.chars().any(char::is_control) {
            return bad(
                "The HMAC key contains a line break or another invisible character.",
                "Paste it again exactly as iCIMS issued it.",
                Field::IcimsHmacKey,
            );
        }
    }
    Ok(())
}

fn region_name(region: RegionView) -> &'static str {
    match region {
        RegionView::Us => "US",
        RegionView::Eu => "EU",
    }
}

fn other_region(region: RegionView) -> RegionView {
    match region {
        RegionView::Us => RegionView::Eu,
        RegionView::Eu => RegionView::Us,
    }
}

/// `api.icims.com` (or `127.0.0.1:PORT` for the sandbox).
fn icims_host(icims: &icims::Client) -> String {
    let base = icims.config().base_url();
    match url::Url::parse(base) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => base.to_string(),
        },
        Err(_) => base.to_string(),
    }
}

/// 9950 → "9,950".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether a 404 from the ping (a search under `/customers/{id}/`) means the customer does
/// not exist: any 404 but errorCode 3 (access denied, which iCIMS also answers as 404, §7).
fn is_customer_not_found(e: &icims::Error) -> bool {
    matches!(e, icims::Error::NotFound { .. }) && !e.is_access_denied()
}

/// The clock-skew failure when this computer's clock (`now`) and iCIMS's `Date` differ by more
/// than [`MAX_CLOCK_SKEW`].
fn clock_skew(
    now: OffsetDateTime,
    server_date: Option<OffsetDateTime>,
    context: &str,
) -> Option<CheckResult> {
    let server = server_date?;
    let skew = now - server;
    if skew.abs() <= MAX_CLOCK_SKEW {
        return None;
    }
    let minutes = (skew.abs().whole_seconds() + 30) / 60;
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    let direction = if skew.is_positive() {
        "ahead of"
    } else {
        "behind"
    };
    Some(failed(
        SetupStep::Icims,
        format!(
            "Your computer's clock is {minutes} {unit} off; iCIMS rejects signed requests when \
             clocks differ."
        ),
        "Turn on automatic date & time, then Test again.",
        None,
        Some(format!(
            "This computer's clock reads {} and iCIMS's reads {}: {minutes} {unit} {direction} \
             iCIMS (more than {} allowed). {context}",
            rfc3339(now),
            rfc3339(server),
            MAX_CLOCK_SKEW.whole_minutes()
        )),
        now,
    ))
}

/// Part 4: one cheap signed call ([`icims::Client::ping`]) proves the Customer ID, Username,
/// HMAC key, Search API access and this computer's clock.
///
/// `region` is the region `icims` points at. `alternate_region`, when given, is a client for
/// the same customer in the other region: it is asked only when `icims` answers "no such
/// customer", to tell an EU customer tested against the US host (or the reverse) from a wrong
/// Customer ID.
#[tracing::instrument(skip_all)]
pub async fn icims(
    icims: &icims::Client,
    region: RegionView,
    alternate_region: Option<&icims::Client>,
    now: OffsetDateTime,
) -> CheckResult {
    let step = SetupStep::Icims;
    let customer = icims.config().customer_id().to_string();
    let user = icims.config().username().to_string();
    let host = icims_host(icims);
    let call = format!(
        "POST {}/customers/{customer}/search/applicantworkflows (signed as {user})",
        icims.config().base_url()
    );
    let err = match icims.ping().await {
        Ok(reply) => {
            if let Some(skew) = clock_skew(
                now,
                reply.server_date,
                "iCIMS accepted this request, but may refuse the next ones.",
            ) {
                return skew;
            }
            let remaining = reply.rate_limit.and_then(|r| r.remaining);
            let summary = match remaining {
                Some(n) => format!(
                    "Connected to iCIMS customer {customer} as {user} ({} calls left today).",
                    thousands(n)
                ),
                None => format!("Connected to iCIMS customer {customer} as {user}."),
            };
            let rl = reply.rate_limit.unwrap_or_default();
            let detail = format!(
                "{call}: OK. Daily limit {}, remaining {}, resets in {} s. Server date {}.",
                rl.limit.map_or("unknown".into(), thousands),
                rl.remaining.map_or("unknown".into(), thousands),
                rl.reset_secs.map_or("unknown".into(), |s| s.to_string()),
                reply
                    .server_date
                    .map_or_else(|| "not sent".to_string(), rfc3339),
            );
            return passed(step, summary, Some(detail), now);
        }
        Err(e) => e,
    };
    let detail = Some(format!("{call}: {err}"));
    // The refused reply's headers (iCIMS's clock, the real daily limit). Only an error that
    // came with a reply has any: after a transport failure `last_reply` would be an older one.
    let reply = err
        .http_status()
        .and_then(|_| icims.last_reply())
        .filter(|r| r.status >= 400);
    use icims::Error as E;
    match &err {
        E::BadCredentials { .. } => {
            if let Some(skew) = clock_skew(
                now,
                reply.and_then(|r| r.server_date),
                &format!("{call}: {err}"),
            ) {
                return skew;
            }
            let server_date = reply
                .and_then(|r| r.server_date)
                .map(|d| {
                    format!(
                        " iCIMS's clock reads {}, within {} minutes of this computer's.",
                        rfc3339(d),
                        MAX_CLOCK_SKEW.whole_minutes()
                    )
                })
                .unwrap_or_default();
            failed(
                step,
                "iCIMS did not accept the Username or HMAC key.",
                "Check both with your iCIMS integration specialist; the key is case-sensitive. \
                 If they are right, make sure this computer sets its date & time automatically: \
                 iCIMS also refuses signed requests when clocks differ.",
                Some(Field::IcimsHmacKey),
                Some(format!("{call}: {err}{server_date}")),
                now,
            )
        }
        e if is_customer_not_found(e) => {
            let here = region_name(region);
            let there = region_name(other_region(region));
            let summary = format!("iCIMS has no customer {customer} in the {here} region.");
            let elsewhere = match alternate_region {
                Some(alt) => match alt.ping().await {
                    Ok(_) => Some("answered".to_string()),
                    Err(alt_err) if is_customer_not_found(&alt_err) => None,
                    // No answer at all says nothing about the customer.
                    Err(E::Transport { .. } | E::InvalidConfig(_)) => None,
                    Err(alt_err) => Some(format!("answered: {alt_err}")),
                },
                None => None,
            };
            match elsewhere {
                Some(how) => failed(
                    step,
                    summary,
                    format!(
                        "This looks like {} customer — choose the {there} region.",
                        match other_region(region) {
                            RegionView::Us => "a US",
                            RegionView::Eu => "an EU",
                        }
                    ),
                    Some(Field::IcimsRegion),
                    Some(format!(
                        "{call}: {err} The {there} host ({}) {how}.",
                        alternate_region.map(icims_host).unwrap_or_default()
                    )),
                    now,
                ),
                None => failed(
                    step,
                    summary,
                    format!(
                        "Check the Customer ID with your iCIMS integration specialist: it is the \
                         number in your iCIMS API addresses (/customers/1234/). If your iCIMS is \
                         hosted in the {there} region, choose {there}."
                    ),
                    Some(Field::IcimsCustomerId),
                    detail,
                    now,
                ),
            }
        }
        E::NotFound { .. } | E::BadRequest { .. } => failed(
            step,
            format!(
                "iCIMS refused the search for {user}: the iCIMS user must be in the Integration \
                 User group."
            ),
            format!("{user} is not allowed to search. {INTEGRATION_GROUP_FIX_TAIL}"),
            Some(Field::IcimsUsername),
            detail,
            now,
        ),
        E::RateLimited { reset_secs } => {
            let when = reset_secs
                .map(|s| {
                    let reset = now + Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 2));
                    format!(" Resets at {} (in {s} s).", rfc3339(reset))
                })
                .unwrap_or_default();
            let limit = reply.and_then(|r| r.rate_limit).and_then(|rl| rl.limit);
            let limit_note = match limit {
                Some(_) => " The limit shown is iCIMS's x-ratelimit-limit.",
                None => {
                    " The limit shown is iCIMS's usual daily limit; iCIMS did not say yours, \
                     which may differ."
                }
            };
            failed(
                step,
                format!(
                    "iCIMS allowed no more calls today (limit {}); it resets at midnight UTC.",
                    thousands(limit.unwrap_or(USUAL_DAILY_LIMIT))
                ),
                "Test again after midnight UTC, or ask iCIMS for a larger daily limit.",
                None,
                Some(format!("{call}: {err}{when}{limit_note}")),
                now,
            )
        }
        E::Transport {
            timed_out: true, ..
        } => failed(
            step,
            format!("iCIMS at {host} did not answer in time."),
            "Check the internet connection, then Test again.",
            None,
            detail,
            now,
        ),
        E::Transport { .. } => failed(
            step,
            format!("Could not reach iCIMS at {host}."),
            "Check the internet connection, proxy and firewall, then Test again. If your iCIMS \
             user has IP address restrictions, ask your iCIMS integration specialist to allow \
             this computer.",
            None,
            detail,
            now,
        ),
        E::Server { .. } => failed(
            step,
            "iCIMS had a temporary problem.",
            "Test again in a few minutes. If it keeps happening, contact iCIMS support.",
            None,
            detail,
            now,
        ),
        E::InvalidConfig(_) => failed(
            step,
            "The iCIMS settings are not valid.",
            "Check the Customer ID, Username and HMAC key, then Test again.",
            None,
            detail,
            now,
        ),
        _ => failed(
            step,
            "iCIMS answered in a way this app did not expect.",
            "Test again. If it keeps happening, send the Details to support.",
            None,
            detail,
            now,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn thousands_groups() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (9950, "9,950"),
            (10_000, "10,000"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(thousands(n), s);
        }
    }

    #[test]
    fn osa_counts_transpositions_once() {
        let d = |a: &str, b: &str| {
            osa_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("icmisid", "icimsid"), 1);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", "abc"), 0);
        assert_eq!(d("kitten", "sitting"), 3);
    }

    #[test]
    fn skew_rounds_to_minutes_and_ignores_small() {
        let now = datetime!(2026-11-27 10:07:00 UTC);
        assert!(clock_skew(now, Some(datetime!(2026-11-27 10:02:00 UTC)), "").is_none());
        assert!(clock_skew(now, None, "").is_none());
        let r = clock_skew(now, Some(datetime!(2026-11-27 10:00:01 UTC)), "").unwrap();
        assert!(r.summary.contains("is 7 minutes off"), "{}", r.summary);
        assert!(r.detail.unwrap().contains("ahead of"));
        let r = clock_skew(now, Some(datetime!(2026-11-27 10:19:00 UTC)), "").unwrap();
        assert!(r.summary.contains("is 12 minutes off"), "{}", r.summary);
        assert_eq!(r.checked_at, "2026-11-27T10:07:00Z");
    }

    #[test]
    fn type_labels_with_articles() {
        assert_eq!(with_article(&type_label("number")), "a Number");
        assert_eq!(with_article(&type_label("email")), "an Email");
        assert_eq!(with_article(&type_label("longtext")), "a Long Text");
        assert_eq!(with_article(&type_label("weird")), "a Weird");
    }
}
