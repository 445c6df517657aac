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
use crate::api::{CheckCode, CheckResult};
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
}

impl Engine {
    /// `Ok(None)` when the run may start.
    pub(super) async fn preflight(
        &self,
        settings: &ConnectionSettings,
        namely: &namely::Client,
        icims: &icims::Client,
    ) -> Result<Option<NotStarted>> {
        if let Some(stop) = self.preflight_namely(settings, namely).await? {
            return Ok(Some(stop));
        }
        Ok(Self::preflight_icims(icims).await)
    }

    async fn preflight_namely(
        &self,
        settings: &ConnectionSettings,
        namely: &namely::Client,
    ) -> Result<Option<NotStarted>> {
        let me = match namely.me().await {
            Ok(me) => me,
            Err(e) if e.is_auth() => {
                return Ok(Some(NotStarted::new(
                    RunErrorCode::NamelyCredentials,
                    if settings.namely_oauth.is_some() {
                        format!("Namely refused the saved sign-in: {e}")
                    } else {
                        format!("Namely refused the saved token: {e}")
                    },
                )));
            }
            Err(e) => {
                return Ok(Some(NotStarted::new(
                    RunErrorCode::NamelyUnavailable,
                    format!(
                        "Could not reach Namely to check the owner before the sync ({e}). \
                         Nothing was read or sent; the next run tries again."
                    ),
                )));
            }
        };
        // The owner judged as part 3 judges them: the people who signed in, the token's holder
        // as Namely shows them now.
        let me = checks::owner_verdict(&me, now());
        let mut candidates: Vec<_> = self
            .inner
            .store
            .owner_candidates(&settings.name)?
            .iter()
            .filter(|c| c.profile_id.0 != me.profile_id)
            .map(super::views::owner_from_store)
            .collect();
        candidates.push(me.clone());
        let owner = checks::owner_check(
            &candidates,
            settings.owner_profile_id.as_ref().map(|p| p.0.as_str()),
            checks::OwnerFacts {
                signed_in_profile_id: Some(&me.profile_id),
                confirmation: settings.owner_role_confirmation.as_ref(),
            },
            now(),
        );
        if !owner.passed {
            let fix = owner.fix.clone().unwrap_or_default();
            return Ok(Some(NotStarted {
                code: RunErrorCode::OwnerInvalid,
                message: format!("{} {fix}", owner.summary),
                check: Some(owner),
                namely_calls: 1,
            }));
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
            return Ok(Some(NotStarted {
                code,
                message: format!("{} {fix}", field.result.summary),
                check: (code == RunErrorCode::OwnerInvalid).then(|| field.result.clone()),
                namely_calls: 2,
            }));
        }
        Ok(None)
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
