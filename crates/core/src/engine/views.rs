//! Store rows → the view types of [`crate::api`].

use crate::api::RoleConfirmationView;
use crate::api::{
    Health, OwnerCandidate, RecordView, RunSummary, SecretInfo, SecretKind, SettingsView,
    SetupStep, StepState, StepStatus,
};
use crate::connection::{ConnectionSettings, RoleConfirmation};
use crate::store::{self, CheckRecord, RecordRow, RunRow};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn settings_view(s: &ConnectionSettings) -> SettingsView {
    let namely_web_url = match &s.namely_url {
        Some(url) => url
            .trim_end_matches('/')
            .trim_end_matches("/api/v1")
            .to_string(),
        None => format!("https://{}.namely.com", s.namely_permalink),
    };
    let non_empty = |v: &str| (!v.trim().is_empty()).then(|| v.to_string());
    SettingsView {
        name: s.name.to_string(),
        namely_permalink: s.namely_permalink.clone(),
        namely_web_url,
        icims_customer_id: non_empty(&s.icims_customer_id),
        icims_username: non_empty(&s.icims_username),
        icims_region: s.icims_region,
        hired_statuses: s.hired_statuses.clone(),
        schedule: s.schedule,
        icims_field_name: s.icims_field_name.clone(),
        owner_profile_id: s.owner_profile_id.as_ref().map(|p| p.0.clone()),
        sandbox: s.sandbox,
        start_from: crate::mapping::iso_date(s.start_from),
        read_again_reason: s.read_again_reason.clone(),
        unmatched_statuses: s.unmatched_statuses.clone(),
        owner_role_confirmation: s
            .owner_role_confirmation
            .as_ref()
            .filter(|c| Some(&c.profile_id) == s.owner_profile_id.as_ref())
            .map(role_confirmation),
        icims_concurrency: u32::try_from(s.icims_reads_at_once()).unwrap_or(1),
        icims_concurrency_default: s.icims_concurrency.is_none(),
        namely_client_id: s.namely_oauth.as_ref().map(|o| o.client_id.clone()),
        namely_redirect_uri: s
            .namely_oauth
            .as_ref()
            .map_or_else(
                || namely::redirect_uri(namely::assumptions::DEFAULT_REDIRECT_PORT),
                |o| o.redirect_uri(),
            )
            .to_string(),
    }
}

pub(crate) fn role_confirmation(c: &RoleConfirmation) -> RoleConfirmationView {
    RoleConfirmationView {
        profile_id: c.profile_id.0.clone(),
        by: c.by.clone(),
        at: rfc3339(c.at),
    }
}

/// What the dashboard and `check` warn about besides the setup checks: statuses that matched
/// nothing, a read that will start again from the start-from date.
pub(crate) fn warnings(s: &ConnectionSettings) -> Vec<String> {
    let mut out = Vec::new();
    if !s.unmatched_statuses.is_empty() {
        let list = s
            .unmatched_statuses
            .iter()
            .map(|st| format!("\"{st}\""))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "No iCIMS workflow was in the hired status {list} since the start-from date {}: \
             check the spelling in Settings, or remove a status this company does not use.",
            crate::mapping::human_date(s.start_from)
        ));
    }
    if let Some(reason) = &s.read_again_reason {
        out.push(format!(
            "The next sync reads iCIMS again from the start-from date {} because {reason}.",
            crate::mapping::human_date(s.start_from)
        ));
    }
    out
}

pub(crate) fn steps(checks: &[CheckRecord]) -> Vec<StepStatus> {
    SetupStep::ALL
        .iter()
        .map(|step| match checks.iter().find(|c| c.step == *step) {
            Some(c) => StepStatus {
                step: *step,
                state: if c.passed {
                    StepState::Passed
                } else {
                    StepState::Failed
                },
                code: c.code,
                message: Some(c.message.clone()),
                checked_at: Some(rfc3339(c.checked_at)),
            },
            None => StepStatus {
                step: *step,
                state: StepState::NotStarted,
                code: None,
                message: None,
                checked_at: None,
            },
        })
        .collect()
}

fn passed(checks: &[CheckRecord], step: SetupStep) -> bool {
    checks.iter().any(|c| c.step == step && c.passed)
}

/// `secrets` as [`super::Engine::secret_infos`] lists them (set in the keychain or by a usable
/// file of the secrets folder).
pub(crate) fn health(checks: &[CheckRecord], secrets: &[SecretInfo]) -> Health {
    let has = |kind: SecretKind| secrets.iter().any(|s| s.kind == kind && s.set);
    Health {
        setup_complete: SetupStep::ALL.iter().all(|s| passed(checks, *s)),
        owner_valid: passed(checks, SetupStep::Owner),
        icims_key_set: has(SecretKind::IcimsHmacKey),
        namely_token_set: has(SecretKind::NamelyToken) || has(SecretKind::NamelyRefreshToken),
    }
}

pub(crate) fn run_summary(r: &RunRow) -> RunSummary {
    RunSummary {
        id: r.id.0,
        connection: r.connection.to_string(),
        trigger: r.trigger,
        dry_run: r.dry_run,
        status: r.status,
        started_at: rfc3339(r.started_at),
        ended_at: r.ended_at.map(rfc3339),
        counts: r.counts,
        icims_calls: r.icims_calls,
        namely_calls: r.namely_calls,
        error_code: r.error_code,
        error: r.error.clone(),
    }
}

pub(crate) fn record_view(r: &RecordRow) -> RecordView {
    RecordView {
        person_id: r.person_id.0,
        name: r.name.clone(),
        email: r.email.clone(),
        outcome: r.outcome,
        reason: r.reason.clone(),
        namely_profile_id: r.namely_profile_id.as_ref().map(|p| p.0.clone()),
        at: rfc3339(r.at),
        start_date: r.start_date.clone(),
    }
}

/// A candidate judged on what was last verified, when Namely cannot be asked right now.
pub(crate) fn owner_from_store(c: &store::OwnerCandidate) -> OwnerCandidate {
    let profile: Option<namely::Profile> = serde_json::from_value(serde_json::json!({
        "id": c.profile_id.0,
        "full_name": c.full_name,
        "email": c.email,
        "access_role": c.access_role,
        "user_status": c.user_status,
    }))
    .ok();
    match profile {
        Some(p) => crate::checks::owner_verdict(&p, c.verified_at),
        None => OwnerCandidate {
            profile_id: c.profile_id.0.clone(),
            full_name: c.full_name.clone(),
            email: c.email.clone(),
            access_role: c.access_role.clone(),
            user_status: c.user_status.clone(),
            verdict: crate::api::OwnerVerdict::RoleUnknown,
            reason: "? could not verify this person in Namely".to_string(),
            verified_at: rfc3339(c.verified_at),
        },
    }
}
