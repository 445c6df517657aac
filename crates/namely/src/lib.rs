//! Namely HRIS API client (v1): permalinks, bearer auth, profiles, fields, job titles and the
//! 406 throttle on `GET /profiles` (paced client-side to 100 a minute, 406 retried).
//!
//! The API facts this crate relies on are written down in `docs/namely-api.md`; every
//! unverified choice lives in [`assumptions`].
//!
//! ```no_run
//! use namely::{Client, Config, Endpoint, NewProfile, ProfileUpdate, find_field};
//! use secrecy::SecretString;
//!
//! # async fn run() -> Result<(), namely::Error> {
//! let endpoint = Endpoint::permalink("acme.namely.com")?; // or Endpoint::base_url("http://127.0.0.1:4010")?
//! let client = Client::new(Config::new(endpoint, SecretString::from("personal-access-token"))?)?;
//!
//! let company = client.company_info().await?;
//! let me = client.me().await?; // `me.access_role` may be None: "could not verify"
//! let fields = client.fields().await?;
//! let icims = find_field(&fields, "icims_id").expect("create the icims_id text field in Namely");
//!
//! // Index every profile by its iCIMS id (pages of 50, stops at the first empty page).
//! let everyone = client
//!     .all_profiles(namely::PER_PAGE_MAX, |p| println!("{} profiles read", p.fetched))
//!     .await?;
//! let known = everyone.iter().any(|p| p.custom_text(&icims.name) == Some("12345"));
//!
//! if !known && client.find_by_email("ann.lee@acme.com").await?.is_empty() {
//!     let hire = NewProfile::active("Ann", "Lee", "ann.lee@acme.com", time::macros::date!(2024 - 03 - 04))
//!         .with_custom_text(&icims.name, "12345");
//!     match client.create_profile(&hire).await {
//!         Ok(created) => println!("created {}", created.id),
//!         // A timeout or 5xx may still have created the person: look them up before retrying.
//!         Err(e) if e.may_have_been_applied() => eprintln!("check Namely before retrying: {e}"),
//!         Err(e) => return Err(e),
//!     }
//! }
//! # let _ = (company, me, ProfileUpdate::default());
//! # Ok(())
//! # }
//! ```

pub mod assumptions;
mod client;
mod config;
mod error;
#[cfg(test)]
mod http_tests;
mod model;
mod oauth;
mod pacer;
mod page;
mod permalink;

pub use assumptions::PER_PAGE_MAX;
pub use client::Client;
pub use config::{Config, ConfigError, Endpoint, ThrottlePolicy};
pub use error::{Error, MAX_BODY_BYTES, MAX_ERRORS_KEPT, MAX_MESSAGE_CHARS};
pub use model::{
    Address, CompanyInfo, Field, JobTitle, JobTitleRef, NamelyDate, NewProfile, PageMeta,
    PageProgress, Profile, ProfileFilter, ProfileId, ProfileUpdate, ProfilesPage, UserStatus,
    find_field,
};
pub use oauth::{
    Authorization, Credential, OAuth, OAuthApp, OAuthSession, RefreshTokenSaver, SignInError,
    Tokens, redirect_uri,
};
pub use page::MAX_SNIPPET_CHARS;
pub use permalink::{Permalink, PermalinkError};
