//! Named connections: add, list, show, change and remove them, and the views of one.

use super::{AddConnection, Engine, EngineError, Result, now, views};
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
                        "\"{s}\" is not a status iCIMS could have: use its name (e.g. Hired) or its id (e.g. C12345)."
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
                    "\"{id}\" is not an iCIMS Customer ID: it is a number, like 1234, given by \
                     your iCIMS integration specialist."
                ),
                Some(Field::IcimsCustomerId),
            ));
        }
        Ok(id.to_string())
    }

    /// Adds a connection with everything at once (the command line).
    pub fn add_connection(&self, input: AddConnection) -> Result<ConnectionDetails> {
        let name = Self::parse_name(&input.name)?;
        let permalink = Self::normalize_permalink(&input.namely_permalink)?.permalink;
        let customer_id = Self::check_customer_id(&input.icims_customer_id)?;
        let username = input.icims_username.trim().to_string();
        if username.is_empty()
            || username.contains(',')
            || username.chars().any(char::is_whitespace)
        {
            return Err(EngineError::invalid(
                "Give the iCIMS integration Username (no spaces or commas).",
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
        // Both URLs must be acceptable to the clients (plain http only on loopback).
        clients::namely_endpoint(&settings).map_err(|e| match EngineError::from(e) {
            EngineError::InvalidInput { message, .. } if settings.namely_url.is_some() => {
                EngineError::invalid(message, Some(Field::NamelyUrl))
            }
            other => other,
        })?;
        let probe = SecretString::from("probe");
        if let Err(e) = clients::icims_client(&settings, probe, &self.inner.options.clients) {
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
        self.insert_connection(&settings)?;
        self.details(&settings)
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
        let mut settings = self.settings(name)?;
        settings.hired_statuses = Self::check_hired_statuses(&input.hired_statuses)?;
        settings.schedule = input.schedule;
        self.inner.store.update_connection(&settings)?;
        self.schedule_changed();
        self.details(&settings)
    }

    pub(super) fn details(&self, settings: &ConnectionSettings) -> Result<ConnectionDetails> {
        let checks = self.inner.store.checks(&settings.name)?;
        let meta = self.inner.store.secret_meta(&settings.name)?;
        let steps = views::steps(&checks);
        let health = views::health(&checks, &meta);
        let resume_step = self
            .inner
            .store
            .resume_step(&settings.name)?
            .unwrap_or(SetupStep::Review);
        Ok(ConnectionDetails {
            settings: views::settings_view(settings),
            company_name: settings.namely_company_name.clone(),
            secrets: views::secret_infos(&meta),
            steps,
            resume_step,
            health,
        })
    }

    pub(super) fn summary(
        &self,
        settings: &ConnectionSettings,
        running: &HashSet<String>,
    ) -> Result<ConnectionSummary> {
        let checks = self.inner.store.checks(&settings.name)?;
        let meta = self.inner.store.secret_meta(&settings.name)?;
        let last_run = self.inner.store.last_run(&settings.name)?;
        let local_now = now().to_offset(self.inner.options.local_offset);
        Ok(ConnectionSummary {
            name: settings.name.to_string(),
            company_name: settings.namely_company_name.clone(),
            namely_permalink: settings.namely_permalink.clone(),
            sandbox: settings.sandbox,
            health: views::health(&checks, &meta),
            last_run: last_run.as_ref().map(views::run_summary),
            next_sync_at: settings.schedule.next_after(local_now).map(views::rfc3339),
            schedule: settings.schedule,
            running: running.contains(&settings.name.key()),
        })
    }
}
