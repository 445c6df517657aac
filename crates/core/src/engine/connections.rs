//! Named connections: add, list, show, change and remove them, and the views of one.

use super::runs::Pair;
use super::{AddConnection, EditConnection, EditOutcome, Engine, EngineError, Result, now, views};
use crate::api::{
    ConnectionDetails, ConnectionSummary, Field, NewConnectionInput, PermalinkView, SetupStep,
    SyncSettingsInput,
};
use crate::clients;
use crate::connection::{ConnectionName, ConnectionSettings, IcimsRegion};
use crate::store;
use secrecy::SecretString;
use std::collections::HashSet;

impl Engine {
    /// The connection a person named (case-insensitive).
    pub fn settings(&self, name: &str) -> Result<ConnectionSettings> {
        self.inner
            .store
            .find_connection(name)?
            .ok_or_else(|| EngineError::ConnectionNotFound {
                name: name.trim().to_string(),
            })
    }

    pub(super) fn parse_name(name: &str) -> Result<ConnectionName> {
        ConnectionName::new(name)
            .map_err(|e| EngineError::invalid(e.to_string(), Some(Field::ConnectionName)))
    }

    /// Normalises a permalink as typed, for showing the resolved address under the input.
    pub fn normalize_permalink(input: &str) -> Result<PermalinkView> {
        let permalink = namely::Permalink::parse(input)
            .map_err(|e| EngineError::invalid(e.to_string(), Some(Field::NamelyPermalink)))?;
        Ok(PermalinkView {
            permalink: permalink.as_str().to_string(),
            web_url: permalink
                .web_url()
                .as_str()
                .trim_end_matches('/')
                .to_string(),
        })
    }

    pub(super) fn check_hired_statuses(statuses: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for s in statuses {
            let s = s.trim();
            if s.is_empty() {
                continue;
            }
            if s.chars().any(char::is_control) || s.len() > 100 {
                return Err(EngineError::invalid(
                    format!(
                        "{} is not a status iCIMS could have: use its name (e.g. Hired) or its id (e.g. C12345).",
                        crate::quote::quoted(s)
                    ),
                    Some(Field::HiredStatuses),
                ));
            }
            if !out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
                out.push(s.to_string());
            }
        }
        if out.is_empty() {
            return Err(EngineError::invalid(
                "Give at least one iCIMS status that counts as hired (for example Hired).",
                Some(Field::HiredStatuses),
            ));
        }
        Ok(out)
    }

    pub(super) fn check_customer_id(id: &str) -> Result<String> {
        let id = id.trim();
        if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EngineError::invalid(
                format!(
                    "{} is not an iCIMS Customer ID: it is only digits (at most 18), like 1234, \
                     exactly as your iCIMS integration specialist gave them.",
                    crate::quote::quoted(id)
                ),
                Some(Field::IcimsCustomerId),
            ));
        }
        Ok(id.to_string())
    }

    /// Both URLs must be acceptable to the clients (plain http only on loopback).
    fn check_urls(&self, settings: &ConnectionSettings) -> Result<()> {
        clients::namely_endpoint(settings).map_err(|e| match EngineError::from(e) {
            EngineError::InvalidInput { message, .. } if settings.namely_url.is_some() => {
                EngineError::invalid(message, Some(Field::NamelyUrl))
            }
            other => other,
        })?;
        let probe = SecretString::from("probe");
        if let Err(e) = clients::icims_client(settings, probe, &self.inner.options.clients) {
            let field = if settings.icims_url.is_some() {
                Field::IcimsUrl
            } else {
                Field::IcimsCustomerId
            };
            return Err(EngineError::invalid(
                EngineError::from(e).to_string(),
                Some(field),
            ));
        }
        Ok(())
    }

    /// A start-from date as typed: `YYYY-MM-DD`, a real day.
    pub fn parse_start_from(text: &str) -> Result<time::Date> {
        crate::mapping::parse_calendar_date(text.trim()).ok_or_else(|| {
            EngineError::invalid(
                format!(
                    "{} is not a date: write the start-from date as YYYY-MM-DD, for example \
                     2026-11-01.",
                    crate::quote::quoted(text.trim())
                ),
                Some(Field::StartFrom),
            )
        })
    }

    /// Why a change of settings must read iCIMS again from the start-from date, if it must:
    /// a hired status added, another customer or address, or an earlier start-from date.
    pub(super) fn read_again_reason(
        old: &ConnectionSettings,
        new: &ConnectionSettings,
    ) -> Option<String> {
        let added: Vec<&String> = new
            .hired_statuses
            .iter()
            .filter(|s| !old.hired_statuses.iter().any(|o| o.eq_ignore_ascii_case(s)))
            .collect();
        if old.icims_customer_id != new.icims_customer_id {
            Some("the iCIMS customer changed".to_string())
        } else if old.icims_region != new.icims_region || old.icims_url != new.icims_url {
            Some("the iCIMS address changed".to_string())
        } else if !added.is_empty() {
            let list = added
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ");
            Some(format!("the hired statuses changed ({list} added)"))
        } else if new.start_from < old.start_from {
            Some(format!(
                "the start-from date moved back to {}",
                crate::mapping::human_date(new.start_from)
            ))
        } else {
            None
        }
    }

    /// Saves changed settings; when the change needs it, the next run reads iCIMS again from
    /// the start-from date. Returns the reason when it does.
    pub(super) fn save_settings(
        &self,
        old: &ConnectionSettings,
        new: &mut ConnectionSettings,
    ) -> Result<Option<String>> {
        let reason = Self::read_again_reason(old, new);
        if old.start_from != new.start_from {
            // Judged over another window: judged again on the next complete read.
            new.unmatched_statuses.clear();
        } else if old.hired_statuses != new.hired_statuses {
            new.unmatched_statuses
                .retain(|s| new.hired_statuses.contains(s));
        }
        self.inner.store.update_connection(new)?;
        if new.icims_concurrency != old.icims_concurrency {
            self.inner
                .store
                .set_icims_concurrency(&new.name, new.icims_concurrency)?;
        }
        // A connection that never completed a read reads from the start-from date anyway.
        let reason = match reason {
            Some(reason)
                if self.inner.store.watermark(&new.name)?.is_some()
                    || old.read_again_reason.is_some() =>
            {
                self.inner.store.read_again(&new.name, &reason)?;
                new.read_again_reason = Some(reason.clone());
                Some(reason)
            }
            _ => None,
        };
        Ok(reason)
    }

    /// iCIMS reads at once as asked for: 1 to the maximum, 0 for the default (`None`).
    fn check_icims_concurrency(n: u8) -> Result<Option<u8>> {
        let max = icims::assumptions::READ_CONCURRENCY_MAX;
        if usize::from(n) > max {
            return Err(EngineError::invalid(
                format!(
                    "Give how many iCIMS reads may run at once as a number from 1 to {max} (0 \
                     goes back to the default, {}).",
                    icims::assumptions::READ_CONCURRENCY
                ),
                Some(Field::IcimsConcurrency),
            ));
        }
        Ok((n > 0).then_some(n))
    }

    /// Changes what the command line's `connection edit` changes. `None` keeps a value.
    pub fn edit_connection(&self, name: &str, edit: EditConnection) -> Result<EditOutcome> {
        let old = self.settings(name)?;
        let mut new = old.clone();
        if let Some(day) = edit.start_from {
            new.start_from = day;
        }
        if let Some(statuses) = &edit.hired_statuses {
            new.hired_statuses = Self::check_hired_statuses(statuses)?;
        }
        if let Some(url) = edit.icims_url {
            new.icims_url = Some(url.trim().to_string()).filter(|u| !u.is_empty());
        }
        if let Some(url) = edit.namely_url {
            new.namely_url = Some(url.trim().to_string()).filter(|u| !u.is_empty());
        }
        self.check_urls(&new)?;
        let old_pair = Pair::of(&old);
        let new_pair = Pair::of(&new);
        if !matches!((&old_pair, &new_pair), (Some(a), Some(b)) if a.same(b)) {
            self.check_pair_free(&new)?;
        }
        if let Some(n) = edit.icims_concurrency {
            new.icims_concurrency = Self::check_icims_concurrency(n)?;
        }
        if let Some(schedule) = edit.schedule {
            new.schedule = schedule;
        }
        let read_again = self.save_settings(&old, &mut new)?;
        self.schedule_changed();
        Ok(EditOutcome {
            details: self.details(&new)?,
            read_again,
        })
    }

    /// Adds a connection with everything at once (the command line).
    pub fn add_connection(&self, input: AddConnection) -> Result<ConnectionDetails> {
        let name = Self::parse_name(&input.name)?;
        let permalink = Self::normalize_permalink(&input.namely_permalink)?.permalink;
        let customer_id = Self::check_customer_id(&input.icims_customer_id)?;
        let username = input.icims_username.trim().to_string();
        // As the iCIMS client will check it (plain ASCII, no commas), named as this field.
        if username.is_empty()
            || username.contains(',')
            || username
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
            || username.len() > 100
        {
            return Err(EngineError::invalid(
                "Give the iCIMS integration Username: plain letters, digits and signs (ASCII), \
                 no spaces, commas or control characters, at most 100.",
                Some(Field::IcimsUsername),
            ));
        }
        let mut settings = ConnectionSettings::new(
            name,
            permalink,
            customer_id,
            username,
            input.icims_region,
            now(),
        );
        settings.hired_statuses = if input.hired_statuses.is_empty() {
            crate::connection::default_hired_statuses()
        } else {
            Self::check_hired_statuses(&input.hired_statuses)?
        };
        settings.namely_url = input.namely_url.map(|u| u.trim().to_string());
        settings.icims_url = input.icims_url.map(|u| u.trim().to_string());
        if let Some(schedule) = input.schedule {
            settings.schedule = schedule;
        }
        if let Some(day) = input.start_from {
            settings.start_from = day;
        }
        self.check_urls(&settings)?;
        self.check_pair_free(&settings)?;
        self.insert_connection(&settings)?;
        self.details(&settings)
    }

    /// Refuses a second connection to the Namely company and iCIMS customer of another one in
    /// this data folder (the sandbox aside): both would read and add the same people.
    pub(super) fn check_pair_free(&self, settings: &ConnectionSettings) -> Result<()> {
        let Some(pair) = Pair::of(settings) else {
            return Ok(());
        };
        let existing = self.inner.store.list_connections()?;
        let taken = existing.iter().find(|other| {
            other.name.key() != settings.name.key()
                && Pair::of(other).is_some_and(|p| p.same(&pair))
        });
        match taken {
            Some(other) => Err(EngineError::AlreadyExists(format!(
                "The connection \"{}\" already syncs {}: two connections would add the same \
                 people. Edit that connection instead, or remove it first.",
                other.name,
                pair.describe()
            ))),
            None => Ok(()),
        }
    }

    pub(super) fn insert_connection(&self, settings: &ConnectionSettings) -> Result<()> {
        self.inner
            .store
            .add_connection(settings)
            .map_err(|e| match e {
                store::StoreError::ConnectionExists(existing) => {
                    EngineError::AlreadyExists(format!(
                        "A connection named \"{existing}\" already exists. Choose another name, or \
                     remove it first."
                    ))
                }
                other => other.into(),
            })?;
        self.schedule_changed();
        Ok(())
    }

    /// Starts a connection from the wizard: a name and the Namely permalink. The iCIMS part
    /// comes in part 4.
    pub fn create_connection(&self, input: NewConnectionInput) -> Result<ConnectionDetails> {
        let name = Self::parse_name(&input.name)?;
        let permalink = Self::normalize_permalink(&input.namely_permalink)?.permalink;
        let settings = ConnectionSettings::new(name, permalink, "", "", IcimsRegion::Us, now());
        self.insert_connection(&settings)?;
        self.details(&settings)
    }

    /// Every connection as a dashboard card, sorted by name.
    pub fn list_connections(&self) -> Result<Vec<ConnectionSummary>> {
        let running = self.running_keys();
        self.inner
            .store
            .list_connections()?
            .iter()
            .map(|s| self.summary(s, &running))
            .collect()
    }

    /// Everything about one connection.
    pub fn connection(&self, name: &str) -> Result<ConnectionDetails> {
        let settings = self.settings(name)?;
        self.details(&settings)
    }

    /// Removes a connection and its secrets. History stays unless `keep_history` is false.
    pub async fn remove_connection(&self, name: &str, keep_history: bool) -> Result<()> {
        let settings = self.settings(name)?;
        // Held to the end: no sync (here or in another process) may start while the
        // connection, its intents and its secrets are being removed.
        let _guard = self.claim(&settings.name)?;
        self.cancel_namely_sign_in(settings.name.as_str());
        self.forget_namely_session(&settings);
        self.keychain(&settings, |s, conn| s.delete_all(conn))
            .await?;
        self.inner
            .store
            .remove_connection(&settings.name, keep_history)?;
        self.schedule_changed();
        Ok(())
    }

    /// Hired statuses and schedule.
    pub fn update_sync_settings(
        &self,
        name: &str,
        input: SyncSettingsInput,
    ) -> Result<ConnectionDetails> {
        let old = self.settings(name)?;
        let mut settings = old.clone();
        settings.hired_statuses = Self::check_hired_statuses(&input.hired_statuses)?;
        settings.schedule = input.schedule;
        if let Some(day) = &input.start_from {
            settings.start_from = Self::parse_start_from(day)?;
        }
        if let Some(n) = input.icims_concurrency {
            settings.icims_concurrency = Self::check_icims_concurrency(n)?;
        }
        self.save_settings(&old, &mut settings)?;
        self.schedule_changed();
        self.details(&settings)
    }

    pub(super) fn details(&self, settings: &ConnectionSettings) -> Result<ConnectionDetails> {
        let checks = self.inner.store.checks(&settings.name)?;
        let secrets = self.secret_infos(settings)?;
        let steps = views::steps(&checks);
        let health = views::health(&checks, &secrets);
        let resume_step = self
            .inner
            .store
            .resume_step(&settings.name)?
            .unwrap_or(SetupStep::Review);
        let next = self.next_sync_view(settings);
        Ok(ConnectionDetails {
            settings: views::settings_view(settings),
            company_name: settings.namely_company_name.clone(),
            secrets,
            steps,
            resume_step,
            health,
            next_sync_at: next.at,
            next_sync_text: next.text,
            schedule_note: next.note,
        })
    }

    pub(super) fn summary(
        &self,
        settings: &ConnectionSettings,
        running: &HashSet<String>,
    ) -> Result<ConnectionSummary> {
        let checks = self.inner.store.checks(&settings.name)?;
        let secrets = self.secret_infos(settings)?;
        let last_run = self.inner.store.last_run(&settings.name)?;
        let next = self.next_sync_view(settings);
        Ok(ConnectionSummary {
            name: settings.name.to_string(),
            company_name: settings.namely_company_name.clone(),
            namely_permalink: settings.namely_permalink.clone(),
            sandbox: settings.sandbox,
            health: views::health(&checks, &secrets),
            last_run: last_run.as_ref().map(views::run_summary),
            next_sync_at: next.at,
            next_sync_text: next.text,
            schedule_note: next.note,
            schedule: settings.schedule,
            running: running.contains(&settings.name.key()),
            warnings: views::warnings(settings),
        })
    }
}
