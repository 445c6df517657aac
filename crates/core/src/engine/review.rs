//! Records that need review, and how a person resolves them: **Link** writes the hire's
//! `icims_id` onto the Namely profile that is already them; **Create anyway** adds the hire
//! although a possible match exists (the email rule still holds: one mailbox, one profile).
//! Each resolution is a run of its own (trigger `review`) with one record, so the history
//! says who was linked or created, and when.

use super::{Engine, EngineError, Result, SyncRequest, now};
use crate::api::{ReviewItem, ReviewKind, RunDetails, RunStatus};
use crate::domain::{IcimsPersonId, IndexEntry, NamelyProfileId, OutcomeKind, Trigger};
use crate::store::{self, RecordRow};
use crate::sync::DEFAULT_ICIMS_FIELD_NAME;

impl Engine {
    /// The hires whose latest outcome is "needs review", oldest first.
    pub fn open_reviews(&self, name: &str) -> Result<Vec<ReviewItem>> {
        let settings = self.settings(name)?;
        let store = &self.inner.store;
        let persons = store.latest_outcomes(&settings.name, &[OutcomeKind::NeedsReview])?;
        let index = store.index_all(&settings.name)?;
        let mut items = Vec::with_capacity(persons.len());
        for (person, _, _) in persons {
            let Some(rec) = store.latest_record(&settings.name, person)? else {
                continue;
            };
            let profile = rec
                .namely_profile_id
                .as_ref()
                .and_then(|id| index.iter().find(|e| &e.profile_id == id));
            let email = rec.email.as_deref().map(str::to_lowercase);
            let kind = match profile {
                None => ReviewKind::SameEmailInRun,
                Some(p)
                    if email.is_some()
                        && (p.email.as_deref().map(str::to_lowercase) == email
                            || p.personal_email.as_deref().map(str::to_lowercase) == email) =>
                {
                    ReviewKind::EmailTaken
                }
                Some(_) => ReviewKind::PossibleMatch,
            };
            items.push(ReviewItem {
                person_id: person.0,
                name: rec.name.clone(),
                email: rec.email.clone(),
                start_date: rec.start_date.clone(),
                reason: rec.reason.clone(),
                namely_profile_id: rec.namely_profile_id.as_ref().map(|p| p.0.clone()),
                namely_name: profile.map(|p| p.full_name.clone()),
                namely_email: profile.and_then(|p| p.email.clone()),
                namely_start_date: profile.and_then(|p| p.start_date.clone()),
                kind,
                since: super::views::rfc3339(rec.at),
            });
        }
        items.sort_by(|a, b| a.since.cmp(&b.since).then(a.person_id.cmp(&b.person_id)));
        Ok(items)
    }

    fn open_review(
        &self,
        name: &str,
        person: u64,
    ) -> Result<(crate::connection::ConnectionSettings, RecordRow)> {
        let settings = self.settings(name)?;
        let latest = self
            .inner
            .store
            .latest_record(&settings.name, IcimsPersonId(person))?;
        match latest {
            Some(rec) if rec.outcome == OutcomeKind::NeedsReview => Ok((settings, rec)),
            Some(rec) => Err(EngineError::invalid(
                format!(
                    "iCIMS person {person} ({}) does not need review: their latest outcome is \
                     {}.",
                    rec.name,
                    rec.outcome.as_str().replace('_', " ")
                ),
                None,
            )),
            None => Err(EngineError::NotFound(format!(
                "No record of iCIMS person {person} for this connection."
            ))),
        }
    }

    /// **Link**: writes `icims_id` = `person` onto Namely profile `profile_id`, which is that
    /// hire already. Refused when the profile carries another iCIMS person's id.
    pub async fn link_review(
        &self,
        name: &str,
        person: u64,
        profile_id: &str,
    ) -> Result<RunDetails> {
        let (settings, rec) = self.open_review(name, person)?;
        let _guard = self.claim(&settings.name)?;
        let profile_id = profile_id.trim();
        if profile_id.is_empty() {
            return Err(EngineError::invalid(
                "Give the Namely profile id to link to.",
                None,
            ));
        }
        let settings = self.at_running_sandbox(settings).await?;
        let client = self.namely_client(&settings).await?;
        let field = settings
            .icims_field_name
            .clone()
            .unwrap_or_else(|| DEFAULT_ICIMS_FIELD_NAME.to_string());
        let id = namely::ProfileId::new(profile_id.to_string());
        let profile = client.profile(&id).await.map_err(|e| match e {
            namely::Error::NotFound { .. } => {
                EngineError::NotFound(format!("Namely has no profile {profile_id}."))
            }
            other => namely_error(other),
        })?;
        let existing = crate::sync::entry_from_profile(&profile, &field);
        let icims_id = person.to_string();
        match existing.icims_id.as_deref().map(str::trim) {
            Some(other) if !other.is_empty() && other != icims_id => {
                return Err(EngineError::invalid(
                    format!(
                        "{} already carries icims_id {other}, another iCIMS person: not linked.",
                        existing.full_name
                    ),
                    None,
                ));
            }
            _ => {}
        }
        let mut update = namely::ProfileUpdate::default();
        update.custom.insert(field.clone(), icims_id.clone());
        let updated = client
            .update_profile(&id, &update)
            .await
            .map_err(namely_error)?;
        let entry: IndexEntry = crate::sync::entry_from_profile(&updated, &field);
        self.inner
            .store
            .index_upsert(&settings.name, std::slice::from_ref(&entry))?;
        let reason = format!(
            "Linked by hand to {} ({}): icims_id {icims_id} written to that profile",
            entry.full_name,
            entry.email.as_deref().unwrap_or("no company email")
        );
        let record = RecordRow {
            outcome: OutcomeKind::AlreadyInNamely,
            reason,
            namely_profile_id: Some(NamelyProfileId(entry.profile_id.0.clone())),
            detail: None,
            at: now(),
            permanent: false,
            ..rec
        };
        self.record_review(&settings, record)
    }

    /// **Create anyway**: reads the hire again from iCIMS and adds them to Namely although a
    /// possible match exists (not when their email belongs to a profile).
    pub async fn create_anyway(&self, name: &str, person: u64) -> Result<RunDetails> {
        let (settings, _) = self.open_review(name, person)?;
        let request = SyncRequest {
            create_anyway: Some(IcimsPersonId(person)),
            ..SyncRequest::sync(Trigger::Review)
        };
        self.sync(settings.name.as_str(), request, &|_| {}, None)
            .await
    }

    fn record_review(
        &self,
        settings: &crate::connection::ConnectionSettings,
        record: RecordRow,
    ) -> Result<RunDetails> {
        let store = &self.inner.store;
        let at = now();
        let run = store.start_run(&settings.name, Trigger::Review, false, at)?;
        store.add_record(run, &record)?;
        let mut counts = crate::domain::Counts::default();
        counts.add(record.outcome);
        store.finish_run(
            run,
            &store::RunEnd {
                ended_at: now(),
                status: RunStatus::Succeeded,
                counts,
                icims_calls: 0,
                namely_calls: 2,
                error_code: None,
                error: None,
            },
        )?;
        self.run_details(run)
    }
}

/// A Namely call of a review that failed, in the engine's words.
fn namely_error(e: namely::Error) -> EngineError {
    if e.is_auth() {
        EngineError::Credentials(format!(
            "Namely refused the saved token ({e}). Sign in to Namely again (part 2)."
        ))
    } else if matches!(
        e,
        namely::Error::Transport { .. } | namely::Error::Server { .. } | namely::Error::Throttled
    ) {
        EngineError::Network(format!(
            "Could not reach Namely: {e} Nothing was changed; try again."
        ))
    } else {
        EngineError::Internal(format!("Namely did not accept the change: {e}"))
    }
}
