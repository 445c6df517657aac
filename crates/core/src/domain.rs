//! Domain words of the engine: hires, plans, outcomes, runs. No I/O here.
//!
//! Vendor words (person, workflow, profile) stay in the client crates; the engine speaks of
//! `Hire`s that become Namely profiles exactly once.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;
use ts_rs::TS;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// An enum of fixed words: each variant is written as its word in JSON, in the TypeScript
/// bindings and in the local database, from the one literal given here. Adds `ALL`, `as_str`
/// and `parse`.
macro_rules! words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $word)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The word for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)*
                }
            }

            /// The value written as `word`, if any.
            pub fn parse(word: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == word)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// The iCIMS person id (system id of the person profile). The dedupe key written to Namely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IcimsPersonId(pub u64);

impl fmt::Display for IcimsPersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A Namely profile id (UUID string).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NamelyProfileId(pub String);

impl fmt::Display for NamelyProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A home address as read from iCIMS, in Namely's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HomeAddress {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    /// Subdivision id, e.g. "NY".
    pub state_id: Option<String>,
    /// ISO alpha-2, e.g. "US".
    pub country_id: Option<String>,
    pub zip: Option<String>,
}

/// One hired candidate as read from iCIMS: the person plus the hired workflows that point at
/// them (a person hired on two jobs is one `Hire` with two workflow ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hire {
    pub person_id: IcimsPersonId,
    /// Hired recruiting workflows of this person, ascending.
    pub workflow_ids: Vec<u64>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// `YYYY-MM-DD`
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`
    pub hire_date: Option<String>,
    /// As iCIMS gives it ("Male", "Female", "Decline to State", …).
    pub gender: Option<String>,
    pub home: Option<HomeAddress>,
    /// Job title of the (first) hired job, for display only.
    pub job_title: Option<String>,
}

impl Hire {
    /// "Jane Doe", or "iCIMS person 123" when the names are missing.
    pub fn display_name(&self) -> String {
        match (self.first_name.as_deref(), self.last_name.as_deref()) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            (Some(n), None) | (None, Some(n)) => n.to_string(),
            (None, None) => format!("iCIMS person {}", self.person_id),
        }
    }
}

/// What a sync decides for one hire, carrying what that decision needs (pure planning; see
/// `plan`): a create cannot exist without the profile to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not in Namely yet: create this active profile.
    Create(ProfileDraft),
    /// This Namely profile already carries the hire's `icims_id`.
    AlreadyInNamely(IndexEntry),
    /// The email is taken, so a person must decide: by this Namely profile (without this
    /// `icims_id`), or, when `None`, by an earlier hire of the same run that will be created.
    NeedsReview(Option<IndexEntry>),
    /// Required data is missing or malformed in iCIMS; nothing is sent.
    Invalid,
    /// Started (else hired) before the connection's start-from date: never created.
    LeftOut,
}

impl Decision {
    /// The outcome a record of this decision has when nothing is written (a dry run, and
    /// every decision but `Create`).
    pub fn planned_outcome(&self) -> OutcomeKind {
        match self {
            Decision::Create(_) => OutcomeKind::WouldCreate,
            Decision::AlreadyInNamely(_) => OutcomeKind::AlreadyInNamely,
            Decision::NeedsReview(_) => OutcomeKind::NeedsReview,
            Decision::Invalid => OutcomeKind::Invalid,
            Decision::LeftOut => OutcomeKind::LeftOut,
        }
    }

    /// The Namely profile the decision is about, if any.
    pub fn existing(&self) -> Option<&IndexEntry> {
        match self {
            Decision::AlreadyInNamely(e) | Decision::NeedsReview(Some(e)) => Some(e),
            _ => None,
        }
    }
}

words! {
    /// The final outcome of one record in a run (what history shows).
    pub enum OutcomeKind {
        /// Created in Namely by this run.
        Created = "created",
        /// Created in Namely by this run without an optional part Namely refused (home
        /// address, gender); the reason says which.
        CreatedWithWarning = "created_with_warning",
        /// Would be created (dry run only).
        WouldCreate = "would_create",
        AlreadyInNamely = "already_in_namely",
        NeedsReview = "needs_review",
        Invalid = "invalid",
        /// Namely or the network refused it; it will be retried (next run, or after a
        /// back-off when the failure will not fix itself).
        Failed = "failed",
        /// Started (else hired) before the connection's start-from date: never created.
        LeftOut = "left_out",
    }
}

words! {
    /// How a run was started.
    pub enum Trigger {
        Manual = "manual",
        Schedule = "schedule",
        Cli = "cli",
        Retry = "retry",
        /// A person resolved a "needs review" record (Link, or Create anyway).
        Review = "review",
    }
}

words! {
    /// How a run is going or how it ended.
    pub enum RunStatus {
        /// Not ended yet.
        Running = "running",
        Succeeded = "succeeded",
        /// Ended, but some records failed (they are retried next run).
        FinishedWithFailures = "finished_with_failures",
        /// The run as a whole failed (e.g. could not reach iCIMS); [`RunErrorCode`] says why.
        Failed = "failed",
        /// Stopped early because the iCIMS daily call budget ran out.
        StoppedBudget = "stopped_budget",
        /// Stopped before it ended: asked to, or the process ended (found at the next start).
        Interrupted = "interrupted",
        /// Stopped early because a person asked (Ctrl-C, Cancel) after the record in flight;
        /// the next run picks up where it stopped.
        Cancelled = "cancelled",
        /// Did not start: the pre-flight found setup broken, or a secret was missing; nothing
        /// was read from iCIMS beyond the pre-flight and nothing was sent to Namely.
        NotStarted = "not_started",
    }
}

words! {
    /// Why a run failed or stopped early, as a code: the command line maps it to an exit code
    /// and the interface branches on it. The run's `error` text is for people; rewording it
    /// changes no code.
    pub enum RunErrorCode {
        /// Asked to stop before it finished; the next run picks up where it stopped.
        Cancelled = "cancelled",
        /// The app or command ended while the run was going (found at the next start).
        Interrupted = "interrupted",
        /// Fewer iCIMS calls were left today than the safety margin (or iCIMS said none).
        IcimsBudget = "icims_budget",
        /// iCIMS refused the Username or HMAC key.
        IcimsCredentials = "icims_credentials",
        /// iCIMS refused the search or a record to this user (Integration User group).
        IcimsAccess = "icims_access",
        /// iCIMS could not be reached, or kept failing.
        IcimsUnavailable = "icims_unavailable",
        /// iCIMS answered in a way the sync cannot use.
        IcimsUnexpected = "icims_unexpected",
        /// Namely refused the credential.
        NamelyCredentials = "namely_credentials",
        /// Namely kept limiting requests even after waiting.
        NamelyThrottled = "namely_throttled",
        /// Namely's profiles could not be read.
        NamelyUnavailable = "namely_unavailable",
        /// Namely answered in a way the sync cannot use (e.g. it ignored a lookup filter).
        NamelyUnexpected = "namely_unexpected",
        /// The local database failed.
        LocalStorage = "local_storage",
        /// The run could not start: a secret it needs is not saved.
        SecretMissing = "secret_missing",
        /// The run could not start: the keychain refused or is locked.
        Keychain = "keychain",
        /// The run could not start for another reason (its error says which).
        NotStarted = "not_started",
        /// The run did not start: the Namely token is not the owner's, or the owner is no
        /// longer an active Administrator, or cannot see `icims_id`.
        OwnerInvalid = "owner_invalid",
    }
}

words! {
    /// The stops of the setup wizard, in order: the four parts of the integration guide, then
    /// the review and first sync.
    pub enum SetupStep {
        /// Part 1: the Namely profile field `icims_id` (Text) exists.
        NamelyField = "namely_field",
        /// Part 2: signed in to Namely for the company permalink.
        NamelySignIn = "namely_sign_in",
        /// Part 3: an active Administrator owns the integration.
        Owner = "owner",
        /// Part 4: the iCIMS Customer ID, Username and HMAC key work.
        Icims = "icims",
        /// Hired statuses, schedule, and the approved dry run.
        Review = "review",
    }
}

words! {
    /// What a live setup check found, as a code: the command line maps it to an exit code
    /// and the interface branches on it. The check's summary and fix are for people;
    /// rewording them changes no code.
    pub enum CheckCode {
        /// The check passed.
        Passed = "passed",
        /// The secret the check needs is not saved yet.
        SecretMissing = "secret_missing",

        // Part 1: the Namely field.
        /// No field `icims_id`.
        FieldMissing = "field_missing",
        /// A field whose name looks like a typo of `icims_id`.
        FieldMisspelt = "field_misspelt",
        /// `icims_id` exists but is not Text.
        FieldWrongType = "field_wrong_type",
        /// No `icims_id` is visible to the signed-in person, who is not an Administrator.
        FieldHidden = "field_hidden",

        // Part 2: signing in to Namely.
        /// Namely did not accept the token (401).
        TokenRefused = "token_refused",
        /// Namely refused the token's owner (403).
        TokenForbidden = "token_forbidden",
        /// Namely has no profile for the token's owner.
        TokenOwnerUnknown = "token_owner_unknown",
        /// No Namely company at the permalink.
        CompanyNotFound = "company_not_found",

        // Part 3: the owner.
        /// Nobody has signed in for this company yet.
        NobodySignedIn = "nobody_signed_in",
        /// Nobody who signed in can own the integration.
        NoEligibleOwner = "no_eligible_owner",
        /// People can own it, but none was chosen.
        OwnerNotChosen = "owner_not_chosen",
        /// The chosen owner is not among the people who signed in.
        OwnerNotSignedIn = "owner_not_signed_in",
        /// The chosen owner is not an Administrator.
        OwnerNotAdministrator = "owner_not_administrator",
        /// The chosen owner is not active in Namely.
        OwnerInactive = "owner_inactive",
        /// Namely did not say whether the chosen owner is an active Administrator.
        OwnerUnverified = "owner_unverified",
        /// The saved Namely token belongs to someone other than the chosen owner.
        TokenNotOwner = "token_not_owner",

        // Part 4: iCIMS.
        /// The Customer ID, Username or key as typed cannot be right (nothing was sent).
        IcimsInputInvalid = "icims_input_invalid",
        /// iCIMS did not accept the Username or HMAC key.
        IcimsCredentialsRefused = "icims_credentials_refused",
        /// iCIMS has no such customer in this region.
        IcimsCustomerNotFound = "icims_customer_not_found",
        /// The customer is in the other region.
        IcimsWrongRegion = "icims_wrong_region",
        /// The iCIMS user may not search: not in the Integration User group.
        IcimsNotIntegrationUser = "icims_not_integration_user",
        /// iCIMS allows no more calls today.
        IcimsBudgetExhausted = "icims_budget_exhausted",
        /// This computer's clock differs too much from iCIMS's.
        ClockSkew = "clock_skew",

        // Either vendor.
        /// The vendor could not be reached, or the connection broke off.
        VendorUnreachable = "vendor_unreachable",
        /// The vendor did not answer in time.
        VendorTimeout = "vendor_timeout",
        /// The vendor is limiting requests right now.
        VendorThrottled = "vendor_throttled",
        /// The vendor had a temporary problem (5xx).
        VendorUnavailable = "vendor_unavailable",
        /// The settings cannot make a valid request.
        SettingsInvalid = "settings_invalid",
        /// The vendor answered in a way this app did not expect.
        UnexpectedAnswer = "unexpected_answer",
    }
}

impl CheckCode {
    pub fn passed(self) -> bool {
        self == CheckCode::Passed
    }
}

/// Per-outcome counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Counts {
    /// Hires read from iCIMS.
    pub read: u64,
    pub created: u64,
    pub would_create: u64,
    pub already_in_namely: u64,
    pub needs_review: u64,
    pub invalid: u64,
    pub failed: u64,
    /// Left out: started before the start-from date.
    #[serde(default)]
    pub left_out: u64,
}

impl Counts {
    pub fn add(&mut self, kind: OutcomeKind) {
        match kind {
            OutcomeKind::Created | OutcomeKind::CreatedWithWarning => self.created += 1,
            OutcomeKind::WouldCreate => self.would_create += 1,
            OutcomeKind::AlreadyInNamely => self.already_in_namely += 1,
            OutcomeKind::NeedsReview => self.needs_review += 1,
            OutcomeKind::Invalid => self.invalid += 1,
            OutcomeKind::Failed => self.failed += 1,
            OutcomeKind::LeftOut => self.left_out += 1,
        }
    }
}

/// What the engine remembers of one Namely profile, to match hires without listing every
/// profile on every run. Kept in the local store and refreshed incrementally.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndexEntry {
    pub profile_id: NamelyProfileId,
    /// Value of the `icims_id` custom field, if set.
    pub icims_id: Option<String>,
    /// Company email, lowercased.
    pub email: Option<String>,
    /// Personal email, lowercased.
    pub personal_email: Option<String>,
    pub full_name: String,
    /// "active", "pending", "inactive".
    pub user_status: String,
    /// First and last name and start date (`YYYY-MM-DD`), to tell a possible match: a
    /// profile HR typed by hand before the integration.
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
}

/// The Namely profile a hire becomes: exactly the fields this app sends, nothing else
/// (no job title, phone, salary or custom fields other than `icims_id`). Built by
/// [`crate::mapping::map_hire`].
///
/// `icims_id` is the value of the Namely custom field; the JSON key it is sent under is the
/// field `name` discovered from `GET /profiles/fields`, so the Namely client builds the request
/// body and this type's own serialization is for previews and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDraft {
    pub first_name: String,
    pub last_name: String,
    /// Company email, as given in iCIMS (trimmed).
    pub email: String,
    /// Always `"active"` ([`ProfileDraft::ACTIVE`]): hires sync only as active profiles.
    pub user_status: String,
    /// The iCIMS start date, else the hire date; written `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    pub start_date: Date,
    /// `"Male"` or `"Female"`; anything else is not sent.
    pub gender: Option<String>,
    /// Home address with empty parts dropped; `None` when there is none.
    pub home: Option<HomeAddress>,
    /// The iCIMS person id as a decimal string.
    pub icims_id: String,
}

impl ProfileDraft {
    /// The only `user_status` this app writes.
    pub const ACTIVE: &'static str = "active";

    /// "Jane Doe".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// Which secret of a connection. One type for the keychain, the command line, the local
/// database and the interface; it has two spellings: [`SecretKind::as_str`] on the command
/// line and in keychain entries (`icims-hmac-key`), [`SecretKind::as_key`] in JSON, the
/// TypeScript binding and the database (`icims_hmac_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// The iCIMS API HMAC key.
    IcimsHmacKey,
    /// The Namely personal access token.
    NamelyToken,
    /// Optional: the address alerts about failed runs and broken setup are posted to (a
    /// secret: whoever has it can post to the channel).
    AlertWebhook,
    /// Sign in with Namely: the client secret of the application registered in Namely.
    NamelyClientSecret,
    /// Sign in with Namely: the refresh token Namely gave at sign-in (the access token it
    /// gets lives in memory only).
    NamelyRefreshToken,
}

impl SecretKind {
    /// Every kind, the optional ones included.
    pub const ALL: [SecretKind; 3] = [
        SecretKind::IcimsHmacKey,
        SecretKind::NamelyToken,
        SecretKind::AlertWebhook,
    ];
    /// What Sign in with Namely keeps: saved by signing in, never typed in by hand.
    pub const SIGN_IN: [SecretKind; 2] = [
        SecretKind::NamelyClientSecret,
        SecretKind::NamelyRefreshToken,
    ];
    /// Every kind this app keeps, the sign-in's included.
    pub const KEPT: [SecretKind; 5] = [
        SecretKind::IcimsHmacKey,
        SecretKind::NamelyToken,
        SecretKind::AlertWebhook,
        SecretKind::NamelyClientSecret,
        SecretKind::NamelyRefreshToken,
    ];
    /// The kinds a connection with a personal access token needs to sync; the others are
    /// optional (a connection signed in with Namely needs [`Self::SIGN_IN`] instead of the
    /// token).
    pub const REQUIRED: [SecretKind; 2] = [SecretKind::IcimsHmacKey, SecretKind::NamelyToken];

    /// Not needed to sync (the alert webhook).
    pub fn is_optional(self) -> bool {
        !Self::REQUIRED.contains(&self)
    }

    /// The stable name used in the keychain and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::IcimsHmacKey => "icims-hmac-key",
            SecretKind::NamelyToken => "namely-token",
            SecretKind::AlertWebhook => "alert-webhook",
            SecretKind::NamelyClientSecret => "namely-client-secret",
            SecretKind::NamelyRefreshToken => "namely-refresh-token",
        }
    }

    /// The word in JSON views and the local database: `icims_hmac_key`, `namely_token` (what
    /// serde writes).
    pub fn as_key(self) -> &'static str {
        match self {
            SecretKind::IcimsHmacKey => "icims_hmac_key",
            SecretKind::NamelyToken => "namely_token",
            SecretKind::AlertWebhook => "alert_webhook",
            SecretKind::NamelyClientSecret => "namely_client_secret",
            SecretKind::NamelyRefreshToken => "namely_refresh_token",
        }
    }

    /// What people call it: "iCIMS HMAC key", "Namely token".
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::IcimsHmacKey => "iCIMS HMAC key",
            SecretKind::NamelyToken => "Namely token",
            SecretKind::AlertWebhook => "alert webhook",
            SecretKind::NamelyClientSecret => "Namely client secret",
            SecretKind::NamelyRefreshToken => "Namely sign-in",
        }
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown secret name, e.g. on the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown secret {}: use icims-hmac-key, namely-token or alert-webhook",
    crate::quote::quoted(.0)
)]
pub struct UnknownSecretKind(pub String);

impl FromStr for SecretKind {
    type Err = UnknownSecretKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        SecretKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownSecretKind(s.to_string()))
    }
}
