//! The setup wizard's four live checks, run for one connection, and what they leave behind:
//! each result remembered, the company name, the people who signed in, the chosen owner.

use super::{Engine, EngineError, Result, now, views};
use crate::api::{
    CheckCode, CheckResult, Field, IcimsInput, OwnerCandidate, OwnerStep, SetupStep, SignInResult,
};
use crate::checks;
use crate::clients;
use crate::connection::{ConnectionSettings, RoleConfirmation};
use crate::domain::NamelyProfileId;
use crate::secrets::SecretKind;
use crate::store;
use secrecy::{ExposeSecret, SecretString};

impl Engine {
    pub(super) fn remember(
        &self,
        settings: &ConnectionSettings,
        result: &CheckResult,
    ) -> Result<()> {
        let message = match &result.fix {
            Some(fix) if !result.passed => format!("{} {}", result.summary, fix),
            _ => result.summary.clone(),
        };
        self.inner.store.record_check(
            &settings.name,
            &store::CheckRecord {
                step: result.step,
                passed: result.passed,
                code: Some(result.code),
                message,
                checked_at: now(),
            },
        )?;
        Ok(())
    }

    pub(super) fn missing_secret_result(step: SetupStep, kind: SecretKind) -> CheckResult {
        CheckResult {
            step,
            code: CheckCode::SecretMissing,
            passed: false,
            summary: format!("No {} is saved for this company yet.", kind.label()),
            fix: Some(match kind {
                SecretKind::NamelyToken => "Paste a Namely personal access token (Namely › API › Personal Access Tokens) to sign in.".to_string(),
                SecretKind::IcimsHmacKey => "Enter the iCIMS Customer ID, Username and HMAC key, then Test connection.".to_string(),
                SecretKind::AlertWebhook => "Save the address of the chat or monitoring webhook that alerts go to.".to_string(),
                SecretKind::NamelyClientSecret | SecretKind::NamelyRefreshToken => "Sign in with Namely again (setup part 2), or paste a personal access token instead.".to_string(),
            }),
            field: Some(Field::from(kind)),
            detail: None,
            checked_at: views::rfc3339(now()),
        }
    }

    /// Saves a Namely token, then signs in with it (part 2).
    pub async fn save_namely_token(&self, name: &str, token: SecretString) -> Result<SignInResult> {
        let settings = self.live_settings(name).await?;
        // As the command line checks it: not empty, one word, not a pasted file — before
        // anything is sent to Namely.
        let token = Self::check_secret_value(SecretKind::NamelyToken, token)?;
        // Sign in with the new token first: a wrong or expired token must not replace one
        // that works (scheduled syncs would start failing).
        let result = self
            .sign_in_with(settings.clone(), token.clone().into(), true)
            .await?;
        if result.check.passed {
            self.set_secret(name, SecretKind::NamelyToken, token)
                .await?;
            if settings.namely_oauth.is_some() {
                // The token replaces the sign-in with Namely: one credential per connection.
                self.inner.store.set_namely_oauth(&settings.name, None)?;
                self.forget_namely_session(&settings);
                for kind in SecretKind::SIGN_IN {
                    self.remove_secret(name, kind).await?;
                }
            }
        }
        Ok(result)
    }

    /// Part 2: the Namely credential works for this permalink.
    pub async fn check_namely_sign_in(&self, name: &str) -> Result<SignInResult> {
        let settings = self.live_settings(name).await?;
        let Some(credential) = self.namely_credential(&settings).await? else {
            let check = Self::missing_secret_result(
                SetupStep::NamelySignIn,
                Self::namely_secret_kind(&settings),
            );
            self.remember(&settings, &check)?;
            return Ok(SignInResult {
                check,
                company_name: None,
                signed_in_as: None,
            });
        };
        self.sign_in_with(settings, credential, true).await
    }

    /// Signs in with `credential` and remembers the result (and, when it passes, the company
    /// name and the person as a possible owner). Does not store the credential. A failure is
    /// remembered only when `remember_failure` (a sign-in that is not kept leaves the
    /// connection's step as its kept credential last made it).
    pub(super) async fn sign_in_with(
        &self,
        mut settings: ConnectionSettings,
        credential: namely::Credential,
        remember_failure: bool,
    ) -> Result<SignInResult> {
        let client = clients::namely_client(&settings, credential, &self.inner.options.clients)?;
        let result = checks::namely_sign_in(&client, now()).await;
        if result.check.passed || remember_failure {
            self.remember(&settings, &result.check)?;
        }
        if result.check.passed {
            if let Some(company) = &result.company_name {
                settings.namely_company_name = Some(company.clone());
            }
            if let Some(me) = &result.signed_in_as {
                self.inner.store.upsert_owner_candidate(
                    &settings.name,
                    &store::OwnerCandidate {
                        profile_id: NamelyProfileId(me.profile_id.clone()),
                        full_name: me.full_name.clone(),
                        email: me.email.clone(),
                        access_role: me.access_role.clone(),
                        user_status: me.user_status.clone(),
                        verified_at: now(),
                    },
                )?;
                settings.signed_in_profile_id = Some(NamelyProfileId(me.profile_id.clone()));
                // The person who signs in is the natural owner when none is chosen yet (when
                // Namely does not report roles, they still confirm the role in part 3).
                if settings.owner_profile_id.is_none()
                    && (me.verdict == crate::api::OwnerVerdict::CanOwn
                        || checks::can_confirm_role(me))
                {
                    settings.owner_profile_id = Some(NamelyProfileId(me.profile_id.clone()));
                }
            }
            self.inner.store.update_connection(&settings)?;
        }
        Ok(result)
    }

    /// Part 1: the Namely field `icims_id` exists and is Text.
    pub async fn check_namely_field(&self, name: &str) -> Result<CheckResult> {
        let mut settings = self.live_settings(name).await?;
        let Some(credential) = self.namely_credential(&settings).await? else {
            let check = Self::missing_secret_result(
                SetupStep::NamelyField,
                Self::namely_secret_kind(&settings),
            );
            self.remember(&settings, &check)?;
            return Ok(check);
        };
        let client = clients::namely_client(&settings, credential, &self.inner.options.clients)?;
        let found = checks::namely_field(&client, now()).await;
        self.remember(&settings, &found.result)?;
        if found.result.passed && found.field_name != settings.icims_field_name {
            settings.icims_field_name = found.field_name.clone();
            self.inner.store.update_connection(&settings)?;
        }
        Ok(found.result)
    }

    /// Part 3: the people who signed in for this company, each verified live now.
    pub async fn owner_step(&self, name: &str) -> Result<OwnerStep> {
        let settings = self.live_settings(name).await?;
        let candidates = self.verify_candidates(&settings).await?;
        self.judge_owner(&settings, candidates)
    }

    /// The people who signed in for this company, each verified live now (as last verified
    /// when Namely cannot be asked).
    async fn verify_candidates(
        &self,
        settings: &ConnectionSettings,
    ) -> Result<Vec<OwnerCandidate>> {
        let stored = self.inner.store.owner_candidates(&settings.name)?;
        let client = match self.namely_credential(settings).await? {
            Some(credential) => Some(clients::namely_client(
                settings,
                credential,
                &self.inner.options.clients,
            )?),
            None => None,
        };
        let mut candidates = Vec::with_capacity(stored.len());
        for c in &stored {
            let live = match &client {
                Some(client) => {
                    client
                        .profile(&namely::ProfileId::new(c.profile_id.0.clone()))
                        .await
                }
                None => Err(namely::Error::Unauthorized),
            };
            let candidate = match live {
                Ok(profile) => {
                    let v = checks::owner_verdict(&profile, now());
                    self.inner.store.upsert_owner_candidate(
                        &settings.name,
                        &store::OwnerCandidate {
                            profile_id: c.profile_id.clone(),
                            full_name: v.full_name.clone(),
                            email: v.email.clone(),
                            access_role: v.access_role.clone(),
                            user_status: v.user_status.clone(),
                            verified_at: now(),
                        },
                    )?;
                    v
                }
                // Could not re-verify: judge the last verified state, and say when it was.
                Err(_) => views::owner_from_store(c),
            };
            candidates.push(candidate);
        }
        Ok(candidates)
    }

    /// Part 3's check of `candidates` under `settings`, remembered.
    fn judge_owner(
        &self,
        settings: &ConnectionSettings,
        candidates: Vec<OwnerCandidate>,
    ) -> Result<OwnerStep> {
        let chosen = settings.owner_profile_id.as_ref().map(|p| p.0.clone());
        let facts = checks::OwnerFacts {
            signed_in_profile_id: settings.signed_in_profile_id.as_ref().map(|p| p.0.as_str()),
            confirmation: settings.owner_role_confirmation.as_ref(),
        };
        let check = checks::owner_check(&candidates, chosen.as_deref(), facts, now());
        self.remember(settings, &check)?;
        Ok(OwnerStep {
            candidates,
            chosen_profile_id: chosen,
            signed_in_profile_id: settings.signed_in_profile_id.as_ref().map(|p| p.0.clone()),
            role_confirmation: settings
                .owner_role_confirmation
                .as_ref()
                .map(views::role_confirmation),
            check,
        })
    }

    /// Part 3: choose the owner among the people who signed in. With `confirm_administrator`,
    /// the person at this computer confirms that the owner is an Administrator in Namely —
    /// allowed only where Namely reports them active but does not report their access role;
    /// who confirmed and when is recorded and shown.
    pub async fn choose_owner(
        &self,
        name: &str,
        profile_id: &str,
        confirm_administrator: bool,
    ) -> Result<OwnerStep> {
        let mut settings = self.live_settings(name).await?;
        let known = self.inner.store.owner_candidates(&settings.name)?;
        let Some(person) = known.iter().find(|c| c.profile_id.0 == profile_id) else {
            return Err(EngineError::NotFound(
                "That person has not signed in for this company. They must sign in once before they can own the integration.".to_string(),
            ));
        };
        // Verified live while confirming, and judged again after saving without asking twice.
        let mut verified = None;
        if confirm_administrator {
            // Only the owner's own sign-in may confirm: the sync uses the owner's token.
            if settings.signed_in_profile_id.as_ref().map(|p| p.0.as_str()) != Some(profile_id) {
                return Err(EngineError::invalid(
                    format!(
                        "Sign in to Namely as {} first: the sync uses the owner's own token, so \
                         the owner confirms their role while signed in.",
                        person.full_name
                    ),
                    None,
                ));
            }
            // Judge what Namely says now, not what it said at the last sign-in.
            let candidates = self.verify_candidates(&settings).await?;
            let live = candidates.iter().find(|c| c.profile_id == profile_id);
            if !live.is_some_and(checks::can_confirm_role) {
                let why = live.map_or(person.full_name.as_str(), |c| c.reason.as_str());
                return Err(EngineError::invalid(
                    format!(
                        "Only an access role Namely does not report can be confirmed here; \
                         Namely reports {}: {why}.",
                        person.full_name
                    ),
                    None,
                ));
            }
            verified = Some(candidates);
        }
        // Nothing refused: save.
        let changed = settings.owner_profile_id.as_ref().map(|p| p.0.as_str()) != Some(profile_id);
        settings.owner_profile_id = Some(NamelyProfileId(profile_id.to_string()));
        if changed {
            // A confirmation is for one person.
            settings.owner_role_confirmation = None;
        }
        if confirm_administrator {
            let signed_in = person.full_name.clone();
            let os_user = std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .ok()
                .filter(|u| !u.trim().is_empty());
            let by = match os_user {
                Some(u) => format!("{signed_in} (signed in to Namely; computer user {u})"),
                None => format!("{signed_in} (signed in to Namely)"),
            };
            settings.owner_role_confirmation = Some(RoleConfirmation {
                profile_id: NamelyProfileId(profile_id.to_string()),
                by,
                at: now(),
            });
        }
        self.inner.store.update_connection(&settings)?;
        match verified {
            Some(candidates) => self.judge_owner(&settings, candidates),
            None => self.owner_step(name).await,
        }
    }

    pub(super) fn icims_settings_from(
        settings: &ConnectionSettings,
        input: &IcimsInput,
    ) -> ConnectionSettings {
        let mut s = settings.clone();
        s.icims_customer_id = input.customer_id.trim().to_string();
        s.icims_username = input.username.trim().to_string();
        s.icims_region = input.region;
        s
    }

    /// Part 4: tests the iCIMS connection as typed, without saving anything.
    pub async fn test_icims(&self, name: &str, input: &IcimsInput) -> Result<CheckResult> {
        let settings = self.live_settings(name).await?;
        if let Some(key) = &input.hmac_key {
            // One line, at most MAX_SECRET_LEN characters; the message never repeats it.
            Self::check_secret_value(SecretKind::IcimsHmacKey, key.clone().into_secret())?;
        }
        if let Err(result) = checks::validate_icims_input(
            &input.customer_id,
            &input.username,
            input.hmac_key.as_ref().map(ExposeSecret::expose_secret),
            now(),
        ) {
            return Ok(result);
        }
        let key = match &input.hmac_key {
            Some(k) => k.clone().into_secret(),
            None => match self.secret(&settings, SecretKind::IcimsHmacKey).await? {
                Some(k) => k,
                None => {
                    return Ok(Self::missing_secret_result(
                        SetupStep::Icims,
                        SecretKind::IcimsHmacKey,
                    ));
                }
            },
        };
        let candidate = Self::icims_settings_from(&settings, input);
        let opts = &self.inner.options.clients;
        let client = clients::icims_client(&candidate, key.clone(), opts)?;
        // With the vendor's hosts, the other region tells "wrong region" from "no such customer".
        let alternate = if candidate.icims_url.is_none() {
            let mut other = candidate.clone();
            other.icims_region = candidate.icims_region.other();
            clients::icims_client(&other, key, opts).ok()
        } else {
            None
        };
        Ok(checks::icims(&client, input.region, alternate.as_ref(), now()).await)
    }

    /// Part 4: tests, and only when the test passes saves the settings and the key.
    pub async fn save_icims(&self, name: &str, input: &IcimsInput) -> Result<CheckResult> {
        let settings = self.live_settings(name).await?;
        let mut updated = Self::icims_settings_from(&settings, input);
        // Another connection of this data folder already syncs this company and customer.
        self.check_pair_free(&updated)?;
        let result = self.test_icims(name, input).await?;
        if !result.passed {
            // Nothing saved, nothing lost: the form keeps what was typed.
            return Ok(result);
        }
        if let Some(key) = &input.hmac_key {
            self.set_secret(name, SecretKind::IcimsHmacKey, key.clone().into_secret())
                .await?;
        }
        // Another customer: the next run reads again from the start-from date.
        self.save_settings(&settings, &mut updated)?;
        self.remember(&updated, &result)?;
        Ok(result)
    }

    /// Re-checks parts 1–4 live (the command line's `check`).
    pub async fn check_all(&self, name: &str) -> Result<Vec<CheckResult>> {
        let sign_in = self.check_namely_sign_in(name).await?.check;
        let field = self.check_namely_field(name).await?;
        let owner = self.owner_step(name).await?.check;
        let settings = self.live_settings(name).await?;
        let icims = match self.secret(&settings, SecretKind::IcimsHmacKey).await? {
            None => Self::missing_secret_result(SetupStep::Icims, SecretKind::IcimsHmacKey),
            Some(_) => {
                let input = IcimsInput {
                    customer_id: settings.icims_customer_id.clone(),
                    username: settings.icims_username.clone(),
                    region: settings.icims_region,
                    hmac_key: None,
                };
                let r = self.test_icims(name, &input).await?;
                self.remember(&settings, &r)?;
                r
            }
        };
        Ok(vec![field, sign_in, owner, icims])
    }
}
