//! The pre-flight before every run (manual, scheduled, command line, dry run, retry, review):
//! the Namely token in use belongs to the owner, who is active, an Administrator (reported by
//! Namely, or confirmed by a person where Namely does not say) and sees `icims_id`; and the
//! iCIMS credentials sign. Namely is asked first — it costs no iCIMS budget — and a Namely
//! failure stops the run before any iCIMS call. A run that fails its pre-flight is recorded as
//! *not started*, with the reason and the fix; it reads no hire and sends nothing.
//!
//! Cost: `GET /profiles/me` and `GET /profiles/fields` (neither is Namely's throttled listing),
//! then one iCIMS search that matches nothing (`icims::Client::ping`).

use super::{Engine, Result, now};
use crate::api::{CheckCode, CheckResult, OwnerVerdict, SetupStep};
use crate::checks;
use crate::connection::ConnectionSettings;
use crate::domain::RunErrorCode;

/// Why a run did not start.
#[derive(Debug, Clone)]
pub(super) struct NotStarted {
    pub code: RunErrorCode,
    /// What was found and what to do, in plain words.
    pub message: String,
    /// The setup check this failure breaks, to show on the dashboard and in the wizard.
    pub check: Option<CheckResult>,
    /// Namely calls the pre-flight made.
    pub namely_calls: u64,
}

impl NotStarted {
    fn new(code: RunErrorCode, message: String) -> Self {
        Self {
            code,
            message,
            check: None,
            namely_calls: 1,
        }
    }

    fn owner(summary: String, fix: String) -> Self {
        Self {
            code: RunErrorCode::OwnerInvalid,
            message: format!("{summary} {fix}"),
            check: Some(CheckResult {
                step: SetupStep::Owner,
                code: CheckCode::OwnerNotChosen,
                passed: false,
                summary,
                fix: Some(fix),
                field: None,
                detail: None,
                checked_at: super::views::rfc3339(now()),
            }),
            namely_calls: 1,
        }
    }
}

impl Engine {
    /// `Ok(None)` when the run may start.
    pub(super) async fn preflight(
        &self,
        settings: &ConnectionSettings,
        namely: &namely::Client,
        icims: &icims::Client,
    ) -> Result<Option<NotStarted>> {
        if let Some(stop) = Self::preflight_namely(settings, namely).await {
            return Ok(Some(stop));
        }
        Ok(Self::preflight_icims(icims).await)
    }

    async fn preflight_namely(
        settings: &ConnectionSettings,
        namely: &namely::Client,
    ) -> Option<NotStarted> {
        let me = match namely.me().await {
            Ok(me) => me,
            Err(e) if e.is_auth() => {
                return Some(NotStarted::new(
                    RunErrorCode::NamelyCredentials,
                    format!("Namely refused the saved token: {e}"),
                ));
            }
            Err(e) => {
                return Some(NotStarted::new(
                    RunErrorCode::NamelyUnavailable,
                    format!(
                        "Could not reach Namely to check the owner before the sync ({e}). \
                         Nothing was read or sent; the next run tries again."
                    ),
                ));
            }
        };
        let me = checks::owner_verdict(&me, now());
        let Some(owner) = settings.owner_profile_id.as_ref() else {
            return Some(NotStarted::owner(
                "No integration owner is chosen.".to_string(),
                "Choose who owns the integration: an active Administrator who signed in."
                    .to_string(),
            ));
        };
        if owner.0 != me.profile_id {
            let mut stop = NotStarted::owner(
                format!(
                    "The saved Namely token belongs to {}, not to the integration owner.",
                    me.full_name
                ),
                "Sign in to Namely as the owner, or choose this person as the owner if they \
                 are an active Administrator."
                    .to_string(),
            );
            if let Some(check) = &mut stop.check {
                check.code = CheckCode::TokenNotOwner;
            }
            return Some(stop);
        }
        let confirmed = settings
            .owner_role_confirmation
            .as_ref()
            .is_some_and(|c| c.profile_id.0 == me.profile_id && checks::can_confirm_role(&me));
        let name = &me.full_name;
        let refused = match me.verdict {
            OwnerVerdict::CanOwn => None,
            OwnerVerdict::RoleUnknown if confirmed => None,
            OwnerVerdict::Inactive => Some((
                CheckCode::OwnerInactive,
                format!("The integration owner {name} is no longer active in Namely."),
            )),
            OwnerVerdict::NotAdministrator => Some((
                CheckCode::OwnerNotAdministrator,
                format!(
                    "The integration owner {name} is no longer an Administrator in Namely ({})",
                    me.access_role.as_deref().unwrap_or("another role")
                ),
            )),
            OwnerVerdict::RoleUnknown => Some((
                CheckCode::OwnerUnverified,
                format!(
                    "Namely does not say whether the integration owner {name} is an active \
                     Administrator, and nobody confirmed it."
                ),
            )),
        };
        if let Some((code, summary)) = refused {
            let mut stop = NotStarted::owner(
                summary.trim_end_matches('.').to_string() + ".",
                "Choose an active Administrator as the owner, and sign in to Namely as them."
                    .to_string(),
            );
            if let Some(check) = &mut stop.check {
                check.code = code;
            }
            return Some(stop);
        }
        // The owner must see the field the sync writes and reads (`icims_id`).
        let field = checks::namely_field(namely, now()).await;
        if !field.result.passed {
            let code = match field.result.code {
                CheckCode::TokenRefused | CheckCode::TokenForbidden => {
                    RunErrorCode::NamelyCredentials
                }
                CheckCode::VendorUnreachable
                | CheckCode::VendorTimeout
                | CheckCode::VendorThrottled
                | CheckCode::VendorUnavailable => RunErrorCode::NamelyUnavailable,
                _ => RunErrorCode::OwnerInvalid,
            };
            let fix = field.result.fix.clone().unwrap_or_default();
            return Some(NotStarted {
                code,
                message: format!("{} {fix}", field.result.summary),
                check: (code == RunErrorCode::OwnerInvalid).then(|| field.result.clone()),
                namely_calls: 2,
            });
        }
        None
    }

    async fn preflight_icims(icims: &icims::Client) -> Option<NotStarted> {
        let e = icims.ping().await.err()?;
        let code = match &e {
            icims::Error::BadCredentials { .. } => RunErrorCode::IcimsCredentials,
            icims::Error::RateLimited { .. } => RunErrorCode::IcimsBudget,
            icims::Error::NotFound { .. } | icims::Error::BadRequest { .. } => {
                RunErrorCode::IcimsAccess
            }
            e if e.is_transient() => RunErrorCode::IcimsUnavailable,
            _ => RunErrorCode::IcimsUnexpected,
        };
        let fix = match code {
            RunErrorCode::IcimsCredentials => "Check the iCIMS Username and HMAC key.",
            RunErrorCode::IcimsBudget => "The sync starts again after the daily limit resets.",
            RunErrorCode::IcimsUnavailable => "Nothing was read or sent; the next run tries again.",
            _ => "Test the iCIMS connection again.",
        };
        let message = match code {
            // The error says what to check already.
            RunErrorCode::IcimsCredentials => {
                format!("iCIMS did not accept the connection before the sync: {e}")
            }
            _ => format!("iCIMS did not accept the connection before the sync: {e} {fix}"),
        };
        Some(NotStarted {
            namely_calls: 2,
            ..NotStarted::new(code, message)
        })
    }
}
