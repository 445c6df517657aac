//! Step 4: create one Namely profile per planned `Create`, strictly one at a time, never
//! twice.
//!
//! For each hire:
//! 1. **Guard lookup** (always): `GET /profiles?filter[email]=…` and
//!    `…filter[personal_email]=…`. A profile carrying this hire's `icims_id` →
//!    `AlreadyInNamely` (and an intent left open by an earlier run is resolved as created); a
//!    profile with the email but no or another `icims_id` → `NeedsReview`; nobody → an open
//!    intent is resolved as not created, and we go on. If the lookup fails, nothing is sent
//!    (`Failed`, retried next run).
//! 2. **Intent** (`Store::begin_intent`) before the POST.
//! 3. **POST**. Success → intent done, index upserted, `Created`.
//! 4. An answer that leaves open whether Namely created the profile (timeout after sending,
//!    5xx, unreadable 2xx — [`namely::Error::may_have_been_applied`]): look the person up
//!    again (with retries). Found with our `icims_id` → `Created`. Not found → one more POST
//!    (two at most, and never after a timeout). Still not confirmed → `Failed` with the intent
//!    left `unknown`, so the next run looks first. The lookup itself failing → the same.
//! 5. 422 → `Failed` with Namely's message and what to fix; the intent is `failed`
//!    (certainly not created), unless a lookup finds the profile after all. 401/403 →
//!    `Failed` and the run stops applying.
//!
//! Every lookup's answer is judged in one place, [`Applier::settle`], whatever asked for it.

use super::index::{Found, SETTLE_BEFORE_LOOKUP, classify};
use super::optional::without_refused_parts;
use super::record::{added_reason, already_reason, fix_advice, record, review_reason, short};
use super::{Namely, POST_ATTEMPTS, backoff};
use crate::connection::ConnectionName;
use crate::domain::{Hire, IndexEntry, OutcomeKind, ProfileDraft, RunErrorCode};
use crate::store::{Intent, IntentId, IntentResolution, RecordRow, RunId, Store, StoreError};
use time::OffsetDateTime;

/// Why applying stops before the remaining creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Halt {
    /// 401/403: the token is refused; every further call would be too.
    Credential,
    /// Namely kept throttling even after the client waited.
    Throttled,
}

impl Halt {
    /// The reason recorded for hires not sent because of this halt.
    pub(crate) fn not_sent_reason(self) -> &'static str {
        match self {
            Halt::Credential => {
                "Not sent: Namely refused the credential — sign in again; it will be retried on \
                 the next run."
            }
            Halt::Throttled => {
                "Not sent: Namely kept limiting requests; it will be retried on the next run."
            }
        }
    }

    /// The run's error text.
    pub(crate) fn run_error(self) -> &'static str {
        match self {
            Halt::Credential => {
                "Namely refused the credential — sign in again. The hires not yet added will be \
                 added on the next run."
            }
            Halt::Throttled => {
                "Namely kept limiting requests even after waiting. The hires not yet added will \
                 be added on the next run."
            }
        }
    }

    /// The run's error code.
    pub(crate) fn code(self) -> RunErrorCode {
        match self {
            Halt::Credential => RunErrorCode::NamelyCredentials,
            Halt::Throttled => RunErrorCode::NamelyThrottled,
        }
    }

    fn of(e: &namely::Error) -> Option<Halt> {
        if e.is_auth() {
            Some(Halt::Credential)
        } else if matches!(e, namely::Error::Throttled) {
            Some(Halt::Throttled)
        } else {
            None
        }
    }
}

/// The outcome of one planned create.
pub(crate) struct Applied {
    pub record: RecordRow,
    /// Entries to upsert into the local index (what Namely showed or created).
    pub seen: Vec<IndexEntry>,
    pub halt: Option<Halt>,
}

pub(crate) struct Applier<'a> {
    pub store: &'a Store,
    pub namely: &'a Namely<'a>,
    pub name: &'a ConnectionName,
    pub run_id: RunId,
    /// Name of the Namely custom field holding the iCIMS person id.
    pub field: &'a str,
}

/// Why Namely was asked, live, whether a hire is there.
#[derive(Clone, Copy)]
enum Asked<'a> {
    /// Before anything is sent; `open` is a create intent an earlier run left open.
    BeforeSending { open: Option<&'a Intent> },
    /// After a POST whose answer left open whether Namely created the profile.
    AfterUnconfirmed {
        intent: IntentId,
        error: &'a namely::Error,
    },
    /// After Namely refused the POST (422), perhaps because the profile exists.
    AfterRefused { error: &'a namely::Error },
}

/// The profile to POST for a draft: exactly the drafted fields, the iCIMS person id in the
/// custom field named `field`.
pub(crate) fn new_profile(draft: &ProfileDraft, field: &str) -> namely::NewProfile {
    let mut profile = namely::NewProfile::active(
        draft.first_name.clone(),
        draft.last_name.clone(),
        draft.email.clone(),
        draft.start_date,
    )
    .with_custom_text(field, draft.icims_id.clone());
    profile.gender.clone_from(&draft.gender);
    profile.home = draft.home.as_ref().map(|h| namely::Address {
        address1: h.address1.clone(),
        address2: h.address2.clone(),
        city: h.city.clone(),
        state_id: h.state_id.clone(),
        country_id: h.country_id.clone(),
        zip: h.zip.clone(),
    });
    profile
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

impl Applier<'_> {
    /// Create `draft` for `hire` (a planned `Create`), or find out why not. `open` is this
    /// person's intent left open by an earlier run, if any. Errors only when the local store
    /// fails.
    #[tracing::instrument(skip_all, fields(person = %hire.person_id))]
    pub(crate) async fn create(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        open: Option<&Intent>,
    ) -> Result<Applied, StoreError> {
        // 1. Guard lookup: the person, or someone with their email, may be in Namely already.
        let (found, seen) = match self.look_up(hire, draft, true).await {
            Ok(answer) => answer,
            Err(e) => return Ok(not_checked(hire, draft, &e)),
        };
        let asked = Asked::BeforeSending { open };
        if let Some(applied) = self.settle(hire, draft, found, seen, asked)? {
            return Ok(applied);
        }

        // 2.–5. Intent, POST, and what its answer leaves to do.
        let mut current = draft.clone();
        let mut profile = new_profile(&current, self.field);
        // What was left out after Namely refused only an optional part, and why.
        let mut dropped: Option<String> = None;
        let mut attempt = 1;
        loop {
            let draft: &ProfileDraft = &current;
            let intent = match self.begin_intent(hire, draft)? {
                Ok(intent) => intent,
                Err(applied) => return Ok(applied),
            };
            self.namely.tick();
            let error = match self.namely.client.create_profile(&profile).await {
                Ok(created) => {
                    let entry = super::index::entry_from_profile(&created, self.field);
                    self.store
                        .complete_intent(intent, &entry.profile_id, now())?;
                    let detail = (attempt > 1).then(|| {
                        "added on the second attempt, after Namely did not confirm the first \
                         and the profile was not found"
                            .to_string()
                    });
                    let (outcome, reason) = match &dropped {
                        None => (OutcomeKind::Created, added_reason(draft)),
                        Some(why) => (
                            OutcomeKind::CreatedWithWarning,
                            format!("{} {why}", added_reason(draft)),
                        ),
                    };
                    let rec = record(
                        hire,
                        outcome,
                        reason,
                        Some(entry.profile_id.clone()),
                        detail,
                    );
                    return Ok(applied(rec, vec![entry]));
                }
                Err(e) => e,
            };
            // Namely refused only an optional part (a home state it does not accept, a
            // gender): nothing was created (422), so add the person on time without it.
            if dropped.is_none()
                && let Some((without, why)) = without_refused_parts(draft, &error)
            {
                self.store.fail_intent(intent, true, now())?;
                tracing::info!(%why, "Namely refused an optional part; adding without it");
                dropped = Some(why);
                profile = new_profile(&without, self.field);
                current = without;
                continue;
            }
            let done = if error.may_have_been_applied() {
                self.after_unconfirmed(hire, draft, intent, &error, attempt)
                    .await?
            } else {
                self.store.fail_intent(intent, true, now())?;
                Some(self.after_refused(hire, draft, &error, attempt).await?)
            };
            match done {
                Some(applied) => return Ok(applied),
                None => {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
            }
        }
    }

    /// The live lookup of a hire by email (and by personal email, with `personal`), judged
    /// for this hire: the only place a lookup's answer is classified.
    async fn look_up(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        personal: bool,
    ) -> Result<(Found, Vec<IndexEntry>), namely::Error> {
        let seen = self
            .namely
            .lookup(&draft.email, self.field, personal)
            .await?;
        let found = classify(&seen, &draft.email, hire.person_id);
        Ok((found, seen))
    }

    /// What a lookup's answer settles, and the intent bookkeeping it calls for; `None` when
    /// nobody was found and the caller decides what comes next.
    fn settle(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        found: Found,
        seen: Vec<IndexEntry>,
        asked: Asked<'_>,
    ) -> Result<Option<Applied>, StoreError> {
        let rec = match found {
            Found::Ours(entry) => {
                let (outcome, reason, detail) = match asked {
                    Asked::BeforeSending { open } => {
                        if let Some(intent) = open {
                            let created = IntentResolution::Created(entry.profile_id.clone());
                            self.store.resolve_intent(intent.id, &created, now())?;
                        }
                        let reason = already_reason(&entry, &draft.icims_id, open.is_some());
                        (OutcomeKind::AlreadyInNamely, reason, None)
                    }
                    Asked::AfterUnconfirmed { intent, error } => {
                        self.store
                            .complete_intent(intent, &entry.profile_id, now())?;
                        let detail = format!(
                            "Namely did not confirm the create ({error}); the profile was found \
                             afterwards"
                        );
                        (OutcomeKind::Created, added_reason(draft), Some(detail))
                    }
                    Asked::AfterRefused { error } => {
                        let detail =
                            format!("Namely answered {error}; the profile was found afterwards");
                        (OutcomeKind::Created, added_reason(draft), Some(detail))
                    }
                };
                record(hire, outcome, reason, Some(entry.profile_id), detail)
            }
            Found::Taken(entry) => {
                // Whether an earlier POST made this profile is for a person to decide; an
                // intent left open by an earlier run stays open meanwhile, so no create can
                // happen behind their back.
                let detail = match asked {
                    Asked::BeforeSending { .. } => None,
                    Asked::AfterUnconfirmed { intent, error } => {
                        self.store.fail_intent(intent, false, now())?;
                        Some(format!("create: {error}"))
                    }
                    Asked::AfterRefused { error } => Some(error.to_string()),
                };
                let reason = review_reason(&entry, &draft.email);
                record(
                    hire,
                    OutcomeKind::NeedsReview,
                    reason,
                    Some(entry.profile_id),
                    detail,
                )
            }
            Found::Nobody => {
                if let Asked::BeforeSending { open: Some(intent) } = asked {
                    self.store
                        .resolve_intent(intent.id, &IntentResolution::NotCreated, now())?;
                }
                return Ok(None);
            }
        };
        Ok(Some(applied(rec, seen)))
    }

    /// The intent written before a POST; `Err` with the record when an earlier attempt is
    /// still unresolved (nothing is sent then).
    fn begin_intent(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
    ) -> Result<Result<IntentId, Applied>, StoreError> {
        match self
            .store
            .begin_intent(self.name, hire.person_id, self.run_id, &draft.email, now())
        {
            Ok(id) => Ok(Ok(id)),
            Err(e @ StoreError::IntentOpen { .. }) => Ok(Err(applied(
                record(
                    hire,
                    OutcomeKind::Failed,
                    "Failed: an earlier attempt to add this person is still unresolved, so \
                     nothing was sent; the next run looks them up in Namely first.",
                    None,
                    Some(e.to_string()),
                ),
                Vec::new(),
            ))),
            Err(e) => Err(e),
        }
    }

    /// After a POST whose answer leaves open whether Namely created the profile: look the
    /// person up before anything else. `None` when nobody was found and one more POST is safe
    /// (Namely answered, so it is done with the first one).
    async fn after_unconfirmed(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        intent: IntentId,
        error: &namely::Error,
        attempt: u32,
    ) -> Result<Option<Applied>, StoreError> {
        tracing::warn!(error = %error, attempt, "create not confirmed; looking the person up");
        tokio::time::sleep(SETTLE_BEFORE_LOOKUP).await;
        let (found, seen) = match self.look_up(hire, draft, false).await {
            Ok(answer) => answer,
            Err(lookup_error) => {
                self.store.fail_intent(intent, false, now())?;
                let rec = record(
                    hire,
                    OutcomeKind::Failed,
                    format!(
                        "Failed: Namely did not confirm adding {} ({}) and could not be asked \
                         afterwards; the next run looks them up in Namely before trying again.",
                        hire.display_name(),
                        short(error)
                    ),
                    None,
                    Some(format!("create: {error} — lookup: {lookup_error}")),
                );
                return Ok(Some(Applied {
                    record: rec,
                    seen: Vec::new(),
                    halt: Halt::of(&lookup_error),
                }));
            }
        };
        let asked = Asked::AfterUnconfirmed { intent, error };
        if let Some(applied) = self.settle(hire, draft, found, seen, asked)? {
            return Ok(Some(applied));
        }
        // Nobody found. A POST that timed out may still be under way at Namely: a lookup that
        // finds nobody proves nothing yet, so never POST again in this run (the next run looks
        // them up first). After a 5xx answer Namely has finished with the request, and one
        // more POST is safe.
        if attempt < POST_ATTEMPTS && !still_in_flight(error) {
            self.store
                .resolve_intent(intent, &IntentResolution::NotCreated, now())?;
            return Ok(None);
        }
        self.store.fail_intent(intent, false, now())?;
        let rec = record(
            hire,
            OutcomeKind::Failed,
            format!(
                "Failed: Namely did not confirm adding {} after {attempt} attempts ({}) and the \
                 profile was not found afterwards; the next run looks them up again before \
                 retrying.",
                hire.display_name(),
                short(error)
            ),
            None,
            Some(error.to_string()),
        );
        Ok(Some(applied(rec, Vec::new())))
    }

    /// After Namely certainly did not create the profile (the intent is already `failed`).
    async fn after_refused(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        error: &namely::Error,
        attempt: u32,
    ) -> Result<Applied, StoreError> {
        if let namely::Error::Validation { .. } = error {
            // After an ambiguous first attempt (or when Namely says the email is taken), the
            // profile may exist after all: ask before calling it a failure.
            let text = short(error);
            if (attempt > 1 || text.to_ascii_lowercase().contains("email"))
                && let Ok((found, seen)) = self.look_up(hire, draft, false).await
                && let Some(applied) =
                    self.settle(hire, draft, found, seen, Asked::AfterRefused { error })?
            {
                return Ok(applied);
            }
            let mut rec = record(
                hire,
                OutcomeKind::Failed,
                format!(
                    "Failed: Namely rejected the profile — {text}. {}; it is tried again after \
                     the next run, then after 6 hours, then daily, until it is fixed.",
                    fix_advice(&text)
                ),
                None,
                Some(error.to_string()),
            );
            // Required data Namely refused does not fix itself: back off.
            rec.permanent = true;
            return Ok(applied(rec, Vec::new()));
        }
        let halt = Halt::of(error);
        let reason = match halt {
            Some(Halt::Credential) => "Failed: Namely refused the credential — sign in again; \
                                       it will be retried on the next run."
                .to_string(),
            _ => format!(
                "Failed: Namely did not add the profile ({}); it will be retried next run.",
                short(error)
            ),
        };
        let rec = record(
            hire,
            OutcomeKind::Failed,
            reason,
            None,
            Some(error.to_string()),
        );
        Ok(Applied {
            record: rec,
            seen: Vec::new(),
            halt,
        })
    }
}

/// A record that needs no run halt.
fn applied(record: RecordRow, seen: Vec<IndexEntry>) -> Applied {
    Applied {
        record,
        seen,
        halt: None,
    }
}

/// The guard lookup failed: nothing is sent.
fn not_checked(hire: &Hire, draft: &ProfileDraft, e: &namely::Error) -> Applied {
    let halt = Halt::of(e);
    let reason = match halt {
        Some(h) => h.not_sent_reason().to_string(),
        None => format!(
            "Failed: could not check Namely for an existing profile with {}, so nothing was \
             sent ({}); it will be retried next run.",
            draft.email,
            short(e)
        ),
    };
    Applied {
        record: record(hire, OutcomeKind::Failed, reason, None, Some(e.to_string())),
        seen: Vec::new(),
        halt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::HomeAddress;

    fn draft() -> ProfileDraft {
        ProfileDraft {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            email: "jane@example.com".into(),
            user_status: "active".into(),
            start_date: time::macros::date!(2026 - 12 - 02),
            gender: Some("Female".into()),
            home: Some(HomeAddress {
                address1: Some("1 Main St".into()),
                state_id: Some("NY".into()),
                country_id: Some("US".into()),
                ..HomeAddress::default()
            }),
            icims_id: "9012".into(),
        }
    }

    #[test]
    fn profile_body_has_exactly_the_drafted_fields() {
        let p = new_profile(&draft(), "icims_id");
        let body = serde_json::to_value(&p).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "first_name": "Jane", "last_name": "Doe", "email": "jane@example.com",
                "user_status": "active", "start_date": "2026-12-02", "gender": "Female",
                "home": {"address1": "1 Main St", "state_id": "NY", "country_id": "US"},
                "icims_id": "9012"
            })
        );
    }
}

/// Whether a create that failed this way may still be running at Namely (the client gave up
/// waiting, or could not read an answer), as opposed to Namely having answered with an error.
fn still_in_flight(error: &namely::Error) -> bool {
    matches!(
        error,
        namely::Error::Transport {
            timed_out: true,
            ..
        } | namely::Error::Decode { .. }
    )
}

#[cfg(test)]
mod in_flight_tests {
    use super::still_in_flight;

    #[test]
    fn only_a_timeout_or_an_unreadable_answer_may_still_be_in_flight() {
        let timeout = namely::Error::Transport {
            message: "timed out".into(),
            timed_out: true,
            may_have_reached_server: true,
        };
        let refused = namely::Error::Transport {
            message: "connection refused".into(),
            timed_out: false,
            may_have_reached_server: false,
        };
        let server = namely::Error::Server {
            status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
            message: "unavailable".into(),
        };
        let unreadable = namely::Error::Decode {
            message: "not JSON".into(),
        };
        assert!(still_in_flight(&timeout), "no second POST after a timeout");
        assert!(still_in_flight(&unreadable));
        assert!(!still_in_flight(&server), "Namely answered: done with it");
        assert!(!still_in_flight(&refused));
    }
}
