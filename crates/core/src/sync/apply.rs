//! Step 4: create one Namely profile per planned `Create`, strictly one at a time, never
//! twice.
//!
//! For each hire:
//! 1. **Guard lookup** (always): `GET /profiles?filter[email]=…` and
//!    `…filter[personal_email]=…`. A profile carrying this
//!    hire's `icims_id` → `AlreadyInNamely` (and an intent left open by an earlier run is
//!    resolved as created); a profile with the email but no or another `icims_id` →
//!    `NeedsReview`; nobody → an open intent is resolved as not created, and we go on. If the
//!    lookup fails, nothing is sent (`Failed`, retried next run).
//! 2. **Intent** (`Store::begin_intent`) before the POST.
//! 3. **POST**. Success → intent done, index upserted, `Created`.
//! 4. An answer that leaves open whether Namely created the profile (timeout after sending,
//!    5xx, unreadable 2xx — [`namely::Error::may_have_been_applied`]): look the person up
//!    again (with retries). Found with our `icims_id` → `Created`. Not found → one more POST
//!    (two at most). Still not confirmed → `Failed` with the intent left `unknown`, so the
//!    next run looks first. The lookup itself failing → the same.
//! 5. 422 → `Failed` with Namely's message and what to fix; the intent is `failed`
//!    (certainly not created). 401/403 → `Failed` and the run stops applying.

use super::index::{Found, SETTLE_BEFORE_LOOKUP, classify, name_of, whose};
use super::{Namely, POST_ATTEMPTS, backoff};
use crate::connection::ConnectionName;
use crate::domain::{Hire, IndexEntry, NamelyProfileId, OutcomeKind, ProfileDraft, RunErrorCode};
use crate::mapping::CalendarDate;
use crate::plan::PlannedRecord;
use crate::store::{Intent, IntentResolution, RecordRow, RunId, Store, StoreError};
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

/// Builds the record of one hire.
pub(crate) fn record(
    hire: &Hire,
    outcome: OutcomeKind,
    reason: impl Into<String>,
    profile: Option<NamelyProfileId>,
    detail: Option<String>,
) -> RecordRow {
    RecordRow {
        person_id: hire.person_id,
        workflow_ids: hire.workflow_ids.clone(),
        name: hire.display_name(),
        email: hire
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string),
        outcome,
        reason: reason.into(),
        namely_profile_id: profile,
        detail,
        at: OffsetDateTime::now_utc(),
    }
}

/// "Added as Jane Doe (start 2 Dec 2026)".
fn added_reason(draft: &ProfileDraft) -> String {
    let start = CalendarDate::parse(&draft.start_date)
        .map(CalendarDate::human)
        .unwrap_or_else(|| draft.start_date.clone());
    format!("Added as {} (start {start})", draft.display_name())
}

fn already_reason(entry: &IndexEntry, icims_id: &str, earlier_intent: bool) -> String {
    let mut reason = format!(
        "Already in Namely as {} (icims_id {icims_id})",
        name_of(entry)
    );
    if earlier_intent {
        reason.push_str(FOUND_AFTER_EARLIER_RUN);
    }
    reason
}

/// Appended to the reason of a hire whose create an earlier run left unconfirmed.
pub(crate) const FOUND_AFTER_EARLIER_RUN: &str =
    " — found after an earlier run stopped before it could record adding this person";

fn review_reason(entry: &IndexEntry, email: &str) -> String {
    format!(
        "Needs review: {} already belongs to {}, {}",
        email.trim().to_lowercase(),
        name_of(entry),
        whose(entry)
    )
}

/// The profile to POST for a draft.
pub(crate) fn new_profile(draft: &ProfileDraft, field: &str) -> Result<namely::NewProfile, String> {
    let date = time::Date::parse(
        &draft.start_date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|e| format!("the start date {:?} is not a date: {e}", draft.start_date))?;
    let mut profile = namely::NewProfile::active(
        draft.first_name.clone(),
        draft.last_name.clone(),
        draft.email.clone(),
        date,
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
    Ok(profile)
}

/// Namely's complaint in a few words, for a record's reason.
fn short(e: &namely::Error) -> String {
    match e {
        namely::Error::Validation { message, errors } if errors.is_empty() => message.clone(),
        namely::Error::Validation { errors, .. } => errors.join("; "),
        namely::Error::Server { status, message }
        | namely::Error::UnexpectedStatus { status, message } => {
            format!("HTTP {}: {message}", status.as_u16())
        }
        namely::Error::NotFound { message } => format!("HTTP 404: {message}"),
        namely::Error::Transport {
            timed_out: true, ..
        } => "Namely did not answer in time".into(),
        namely::Error::Transport { .. } => "Namely could not be reached".into(),
        namely::Error::Decode { .. } => "Namely's answer could not be read".into(),
        namely::Error::Throttled => "Namely is limiting requests".into(),
        namely::Error::Unauthorized | namely::Error::Forbidden => {
            "Namely refused the credential — sign in again".into()
        }
        namely::Error::InvalidInput { message } => message.clone(),
        other => other.to_string(),
    }
}

/// What to fix for a 422, by what Namely complained about.
fn fix_advice(text: &str) -> &'static str {
    let t = text.to_ascii_lowercase();
    if ["home", "address", "state", "zip", "country", "city"]
        .iter()
        .any(|w| t.contains(w))
    {
        "Fix the address in iCIMS"
    } else if t.contains("email") {
        "Fix the email in iCIMS"
    } else if t.contains("start_date") || t.contains("date") {
        "Fix the start date in iCIMS"
    } else if t.contains("name") {
        "Fix the name in iCIMS"
    } else {
        "Fix the candidate in iCIMS"
    }
}

impl Applier<'_> {
    /// Create the hire of one planned `Create`, or find out why not. `open` is this person's
    /// intent left open by an earlier run, if any. Errors only when the local store fails.
    #[tracing::instrument(skip_all, fields(person = %planned.hire.person_id))]
    pub(crate) async fn create(
        &self,
        planned: &PlannedRecord,
        open: Option<&Intent>,
    ) -> Result<Applied, StoreError> {
        let hire = &planned.hire;
        let Some(draft) = planned.draft.as_ref() else {
            return Ok(self.done(record(
                hire,
                OutcomeKind::Failed,
                "Failed: nothing to send (internal error: no profile was prepared); it will be \
                 retried next run.",
                None,
                None,
            )));
        };
        let icims_id = hire.person_id.to_string();
        let email = draft.email.as_str();
        let now = OffsetDateTime::now_utc;

        // 1. Guard lookup.
        let seen = match self.namely.lookup(email, self.field, true).await {
            Ok(seen) => seen,
            Err(e) => {
                let halt = Halt::of(&e);
                let reason = match halt {
                    Some(h) => h.not_sent_reason().to_string(),
                    None => format!(
                        "Failed: could not check Namely for an existing profile with {email}, so \
                         nothing was sent ({}); it will be retried next run.",
                        short(&e)
                    ),
                };
                let rec = record(hire, OutcomeKind::Failed, reason, None, Some(e.to_string()));
                return Ok(Applied {
                    record: rec,
                    seen: Vec::new(),
                    halt,
                });
            }
        };
        match classify(&seen, email, hire.person_id) {
            Found::Ours(entry) => {
                if let Some(intent) = open {
                    self.store.resolve_intent(
                        intent.id,
                        &IntentResolution::Created(entry.profile_id.clone()),
                        now(),
                    )?;
                }
                let rec = record(
                    hire,
                    OutcomeKind::AlreadyInNamely,
                    already_reason(&entry, &icims_id, open.is_some()),
                    Some(entry.profile_id.clone()),
                    None,
                );
                return Ok(Applied {
                    record: rec,
                    seen,
                    halt: None,
                });
            }
            Found::Taken(entry) => {
                // An open intent stays open: whether our earlier POST made this profile is for
                // a person to decide, and no create may happen meanwhile.
                let rec = record(
                    hire,
                    OutcomeKind::NeedsReview,
                    review_reason(&entry, email),
                    Some(entry.profile_id.clone()),
                    None,
                );
                return Ok(Applied {
                    record: rec,
                    seen,
                    halt: None,
                });
            }
            Found::Nobody => {
                if let Some(intent) = open {
                    self.store
                        .resolve_intent(intent.id, &IntentResolution::NotCreated, now())?;
                }
            }
        }

        let profile = match new_profile(draft, self.field) {
            Ok(p) => p,
            Err(problem) => {
                return Ok(self.done(record(
                    hire,
                    OutcomeKind::Failed,
                    format!(
                        "Failed: {problem}; nothing was sent. Fix it in iCIMS; it will be \
                         retried next run."
                    ),
                    None,
                    None,
                )));
            }
        };

        // 2.–5. Intent, POST, and the lookup after an ambiguous answer.
        let mut attempt = 1;
        loop {
            let intent =
                match self
                    .store
                    .begin_intent(self.name, hire.person_id, self.run_id, email, now())
                {
                    Ok(id) => id,
                    Err(e @ StoreError::IntentOpen { .. }) => {
                        return Ok(self.done(record(
                            hire,
                            OutcomeKind::Failed,
                            "Failed: an earlier attempt to add this person is still unresolved, so \
                         nothing was sent; the next run looks them up in Namely first.",
                            None,
                            Some(e.to_string()),
                        )));
                    }
                    Err(e) => return Err(e),
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
                    return Ok(Applied {
                        record: record(
                            hire,
                            OutcomeKind::Created,
                            added_reason(draft),
                            Some(entry.profile_id.clone()),
                            detail,
                        ),
                        seen: vec![entry],
                        halt: None,
                    });
                }
                Err(e) => e,
            };

            if error.may_have_been_applied() {
                tracing::warn!(error = %error, attempt, "create not confirmed; looking the person up");
                tokio::time::sleep(SETTLE_BEFORE_LOOKUP).await;
                match self.namely.lookup(email, self.field, false).await {
                    Err(lookup_error) => {
                        self.store.fail_intent(intent, false, now())?;
                        let rec = record(
                            hire,
                            OutcomeKind::Failed,
                            format!(
                                "Failed: Namely did not confirm adding {} ({}) and could not be \
                                 asked afterwards; the next run looks them up in Namely before \
                                 trying again.",
                                hire.display_name(),
                                short(&error)
                            ),
                            None,
                            Some(format!("create: {error} — lookup: {lookup_error}")),
                        );
                        return Ok(Applied {
                            record: rec,
                            seen: Vec::new(),
                            halt: Halt::of(&lookup_error),
                        });
                    }
                    Ok(seen) => match classify(&seen, email, hire.person_id) {
                        Found::Ours(entry) => {
                            self.store
                                .complete_intent(intent, &entry.profile_id, now())?;
                            let rec = record(
                                hire,
                                OutcomeKind::Created,
                                added_reason(draft),
                                Some(entry.profile_id.clone()),
                                Some(format!(
                                    "Namely did not confirm the create ({error}); the profile \
                                     was found afterwards"
                                )),
                            );
                            return Ok(Applied {
                                record: rec,
                                seen,
                                halt: None,
                            });
                        }
                        Found::Taken(entry) => {
                            // Someone else's profile has the email now, or ours without the
                            // icims_id: a person decides; the intent stays open meanwhile.
                            self.store.fail_intent(intent, false, now())?;
                            let rec = record(
                                hire,
                                OutcomeKind::NeedsReview,
                                review_reason(&entry, email),
                                Some(entry.profile_id.clone()),
                                Some(format!("create: {error}")),
                            );
                            return Ok(Applied {
                                record: rec,
                                seen,
                                halt: None,
                            });
                        }
                        // A POST that timed out may still be under way at Namely: a lookup
                        // that finds nobody proves nothing yet, so never POST again in this
                        // run (the next run looks them up first). After a 5xx answer Namely
                        // has finished with the request, and one more POST is safe.
                        Found::Nobody if attempt < POST_ATTEMPTS && !still_in_flight(&error) => {
                            self.store.resolve_intent(
                                intent,
                                &IntentResolution::NotCreated,
                                now(),
                            )?;
                            tokio::time::sleep(backoff(attempt)).await;
                            attempt += 1;
                            continue;
                        }
                        Found::Nobody => {
                            self.store.fail_intent(intent, false, now())?;
                            let rec = record(
                                hire,
                                OutcomeKind::Failed,
                                format!(
                                    "Failed: Namely did not confirm adding {} after {attempt} \
                                     attempts ({}) and the profile was not found afterwards; the \
                                     next run looks them up again before retrying.",
                                    hire.display_name(),
                                    short(&error)
                                ),
                                None,
                                Some(error.to_string()),
                            );
                            return Ok(self.done(rec));
                        }
                    },
                }
            }

            // Certainly not created by this POST.
            self.store.fail_intent(intent, true, now())?;
            if let namely::Error::Validation { .. } = &error {
                // After an ambiguous first attempt (or when Namely says the email is taken),
                // the profile may exist after all: ask before calling it a failure.
                let text = short(&error);
                if (attempt > 1 || text.to_ascii_lowercase().contains("email"))
                    && let Ok(seen) = self.namely.lookup(email, self.field, false).await
                {
                    match classify(&seen, email, hire.person_id) {
                        Found::Ours(entry) => {
                            let rec = record(
                                hire,
                                OutcomeKind::Created,
                                added_reason(draft),
                                Some(entry.profile_id.clone()),
                                Some(format!(
                                    "Namely answered {error}; the profile was found \
                                         afterwards"
                                )),
                            );
                            return Ok(Applied {
                                record: rec,
                                seen,
                                halt: None,
                            });
                        }
                        Found::Taken(entry) => {
                            let rec = record(
                                hire,
                                OutcomeKind::NeedsReview,
                                review_reason(&entry, email),
                                Some(entry.profile_id.clone()),
                                Some(error.to_string()),
                            );
                            return Ok(Applied {
                                record: rec,
                                seen,
                                halt: None,
                            });
                        }
                        Found::Nobody => {}
                    }
                }
                let rec = record(
                    hire,
                    OutcomeKind::Failed,
                    format!(
                        "Failed: Namely rejected the profile — {text}. {}; it will be retried \
                         next run.",
                        fix_advice(&text)
                    ),
                    None,
                    Some(error.to_string()),
                );
                return Ok(self.done(rec));
            }
            let halt = Halt::of(&error);
            let reason = match halt {
                Some(Halt::Credential) => {
                    "Failed: Namely refused the credential — sign in again; it will be retried on \
                     the next run."
                        .to_string()
                }
                _ => format!(
                    "Failed: Namely did not add the profile ({}); it will be retried next run.",
                    short(&error)
                ),
            };
            let rec = record(
                hire,
                OutcomeKind::Failed,
                reason,
                None,
                Some(error.to_string()),
            );
            return Ok(Applied {
                record: rec,
                seen: Vec::new(),
                halt,
            });
        }
    }

    fn done(&self, record: RecordRow) -> Applied {
        Applied {
            record,
            seen: Vec::new(),
            halt: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{HomeAddress, IcimsPersonId};

    fn draft() -> ProfileDraft {
        ProfileDraft {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            email: "jane@example.com".into(),
            user_status: "active".into(),
            start_date: "2026-12-02".into(),
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
        let p = new_profile(&draft(), "icims_id").unwrap();
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
        assert!(
            new_profile(
                &ProfileDraft {
                    start_date: "2026-13-01".into(),
                    ..draft()
                },
                "icims_id"
            )
            .is_err()
        );
    }

    #[test]
    fn reasons_read_well() {
        assert_eq!(
            added_reason(&draft()),
            "Added as Jane Doe (start 2 Dec 2026)"
        );
        let e = namely::Error::Validation {
            message: "error creating profile".into(),
            errors: vec!["home state_id 'XX' is not valid".into()],
        };
        assert_eq!(short(&e), "home state_id 'XX' is not valid");
        assert_eq!(fix_advice(&short(&e)), "Fix the address in iCIMS");
        assert_eq!(
            fix_advice("email has already been taken"),
            "Fix the email in iCIMS"
        );
        let hire = Hire {
            person_id: IcimsPersonId(5),
            workflow_ids: vec![1, 2],
            first_name: Some("Jane".into()),
            last_name: Some("Doe".into()),
            email: Some(" jane@example.com ".into()),
            start_date: None,
            hire_date: None,
            gender: None,
            home: None,
            job_title: None,
        };
        let r = record(&hire, OutcomeKind::Created, "x", None, None);
        assert_eq!(r.name, "Jane Doe");
        assert_eq!(r.email.as_deref(), Some("jane@example.com"));
        assert_eq!(r.workflow_ids, vec![1, 2]);
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
