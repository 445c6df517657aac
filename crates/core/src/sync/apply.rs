//! Step 4, one hire: create the Namely profile of a planned `Create`, never twice. Several of
//! these run at once, each for a different person ([`super::apply_all`]).
//!
//! For each hire:
//! 1. **Guard lookup**, where the freshly refreshed index cannot tell (an open intent, or
//!    [`super::GuardLookups::Always`]): `GET /profiles?filter[email]=…` and
//!    `…filter[personal_email]=…` (and, when an earlier run left a create open under another
//!    email, that email too). A profile carrying this hire's `icims_id` → `AlreadyInNamely`
//!    (and the open intent is resolved as created); a profile with the email but no or
//!    another `icims_id` → `NeedsReview`. If the lookup fails — or Namely answers it with
//!    other people's profiles, i.e. ignores the filter (the guard fails closed) — nothing is
//!    sent (`Failed`, retried next run).
//! 2. **An open intent** (an earlier create Namely did not confirm, or a process that died
//!    during the POST) is cleared by absence only once Namely has shown nobody — by
//!    `icims_id` (the index, refreshed at the start of this run) and by email — for the settle
//!    time after that POST ([`super::UNCONFIRMED_SETTLE_TIME`], 15 minutes): reads can lag
//!    behind writes. Sooner, the hire is recorded *unconfirmed* and nothing is sent.
//! 3. **Intent** (`Store::begin_intent`) before the POST, then the **POST**. Success → intent
//!    done, index upserted, `Created`.
//! 4. An answer that leaves open whether Namely created the profile (timeout, 5xx, a reset
//!    connection, an unreadable 2xx — [`namely::Error::may_have_been_applied`]): one lookup
//!    after a short pause. Found with our `icims_id` → `Created`. Otherwise the intent stays
//!    open (`unknown`), the hire is recorded *unconfirmed*, and there is **no second POST in
//!    this run**: step 2 decides on a later run.
//! 5. 422 → `Failed` with Namely's message and what to fix; the intent is `failed`
//!    (certainly not created), unless a lookup finds the profile after all. 401/403 →
//!    `Failed` and the run stops applying.
//!
//! Every lookup's answer is judged in one place, [`Applier::settle`], whatever asked for it.

use super::Namely;
use super::halt::{Halt, not_checked};
use super::index::{Found, classify};
use super::lookup::{LookupError, SETTLE_BEFORE_LOOKUP};
use super::optional::without_refused_parts;
use super::record::{
    added_reason, already_reason, fix_advice, record, review_reason, short, unconfirmed_reason,
};
use crate::connection::ConnectionName;
use crate::domain::{Hire, IndexEntry, OutcomeKind, ProfileDraft};
use crate::store::{Intent, IntentId, IntentResolution, RecordRow, RunId, Store, StoreError};
use std::time::Duration;
use time::OffsetDateTime;

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
    /// When this run started: its index refresh (the lookup by `icims_id`) came after it.
    pub run_started_at: OffsetDateTime,
    /// How long an unconfirmed create must stay unseen before it is sent again.
    pub settle_time: Duration,
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
        guard: bool,
    ) -> Result<Applied, StoreError> {
        // 1. Guard lookup, where the index cannot tell (`guard`): the person, or someone
        //    with their email, may be in Namely already.
        let (found, seen) = if !guard {
            (Found::Nobody, Vec::new())
        } else {
            match self.look_up(hire, draft, open, true).await {
                Ok(answer) => answer,
                Err(e) => {
                    let (record, halt) = not_checked(hire, draft, &e);
                    return Ok(Applied {
                        record,
                        seen: Vec::new(),
                        halt,
                    });
                }
            }
        };
        // 2. What the lookup settles, an open intent included.
        let asked = Asked::BeforeSending { open };
        if let Some(applied) = self.settle(hire, draft, found, seen, asked)? {
            return Ok(applied);
        }

        // 3.–5. Intent, POST, and what its answer leaves to do.
        let mut current = draft.clone();
        // What was left out after Namely refused only an optional part, and why.
        let mut dropped: Option<String> = None;
        loop {
            let draft: &ProfileDraft = &current;
            let profile = new_profile(draft, self.field);
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
                    let (outcome, reason) = match &dropped {
                        None => (OutcomeKind::Created, added_reason(draft)),
                        Some(why) => (
                            OutcomeKind::CreatedWithWarning,
                            format!("{} {why}", added_reason(draft)),
                        ),
                    };
                    let rec = record(hire, outcome, reason, Some(entry.profile_id.clone()), None);
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
                current = without;
                continue;
            }
            if error.may_have_been_applied() {
                return self.after_unconfirmed(hire, draft, intent, &error).await;
            }
            self.store.fail_intent(intent, true, now())?;
            return self.after_refused(hire, draft, &error).await;
        }
    }

    /// The live lookup of a hire by email (and by personal email, with `personal`), judged
    /// for this hire: the only place a lookup's answer is classified.
    async fn look_up(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        open: Option<&Intent>,
        personal: bool,
    ) -> Result<(Found, Vec<IndexEntry>), LookupError> {
        let mut seen = self
            .namely
            .lookup(&draft.email, self.field, personal)
            .await?;
        let mut found = classify(&seen, &draft.email, hire.person_id);
        // An earlier create went out with another email (the hire's email changed since):
        // whatever Namely holds under that one counts too.
        if let Some(intent) = open
            && !intent.email.trim().eq_ignore_ascii_case(draft.email.trim())
            && !matches!(found, Found::Ours(_))
        {
            let more = self.namely.lookup(&intent.email, self.field, false).await?;
            match classify(&more, &intent.email, hire.person_id) {
                Found::Nobody => {}
                other if matches!(found, Found::Nobody) || matches!(other, Found::Ours(_)) => {
                    found = other;
                }
                _ => {}
            }
            seen.extend(more);
        }
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
                    // Absence clears an open intent only once Namely has shown nobody (by
                    // icims_id in this run's index refresh, and by email now) for the settle
                    // time after that POST: reads may lag behind writes.
                    let unseen_for = self.run_started_at - intent.started_at;
                    if unseen_for < self.settle_time {
                        let rec = record(
                            hire,
                            OutcomeKind::Failed,
                            unconfirmed_reason(self.settle_time),
                            None,
                            Some(format!(
                                "create intent {} of {} still open; not sent again before {}",
                                intent.id,
                                crate::store::ts(intent.started_at),
                                crate::store::ts(intent.started_at + self.settle_time),
                            )),
                        );
                        return Ok(Some(applied(rec, seen)));
                    }
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
    /// person up once. Found → created. Otherwise the intent stays open (`unknown`) and the
    /// hire is *unconfirmed*: never a second POST in this run.
    async fn after_unconfirmed(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        intent: IntentId,
        error: &namely::Error,
    ) -> Result<Applied, StoreError> {
        tracing::warn!(error = %error, "create not confirmed; looking the person up");
        tokio::time::sleep(SETTLE_BEFORE_LOOKUP).await;
        let lookup = self.look_up(hire, draft, None, false).await;
        let (halt, detail) = match lookup {
            Ok((found, seen)) => {
                let asked = Asked::AfterUnconfirmed { intent, error };
                if let Some(applied) = self.settle(hire, draft, found, seen, asked)? {
                    return Ok(applied);
                }
                (
                    None,
                    format!("create: {error} — not found by email right after"),
                )
            }
            Err(lookup_error) => (
                Halt::of_lookup(&lookup_error),
                format!("create: {error} — lookup: {lookup_error}"),
            ),
        };
        self.store.fail_intent(intent, false, now())?;
        let rec = record(
            hire,
            OutcomeKind::Failed,
            unconfirmed_reason(self.settle_time),
            None,
            Some(detail),
        );
        Ok(Applied {
            record: rec,
            seen: Vec::new(),
            halt,
        })
    }

    /// After Namely certainly did not create the profile (the intent is already `failed`).
    async fn after_refused(
        &self,
        hire: &Hire,
        draft: &ProfileDraft,
        error: &namely::Error,
    ) -> Result<Applied, StoreError> {
        if let namely::Error::Validation { .. } = error {
            // When Namely says the email is taken, the profile may exist after all: ask
            // before calling it a failure.
            let text = short(error);
            if text.to_ascii_lowercase().contains("email")
                && let Ok((found, seen)) = self.look_up(hire, draft, None, false).await
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
