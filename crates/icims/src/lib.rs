//! iCIMS REST API client: HMAC signing (`x-icims-v1-hmac-sha256`), applicant-workflow search
//! with id paging, workflow/person/job reads, rate-limit and clock metadata, typed errors.
//!
//! The API facts this crate relies on are written down in `docs/icims-api.md`; where that
//! document says a behaviour is unverified, the choice made is in [`assumptions`].
//!
//! ```no_run
//! use icims::{Client, Config, Region, SearchQuery, SecretString, DEFAULT_PERSON_FIELDS};
//! use std::ops::ControlFlow;
//!
//! # async fn run() -> Result<(), icims::Error> {
//! let config = Config::new(Region::Us, "1234", "apiuser", SecretString::from("hmac key"))?;
//! let client = Client::new(config)?;
//! client.ping().await?; // signed credential check
//!
//! let query = SearchQuery::statuses(["C12345"]);
//! let found = client
//!     .search_all_workflows(&query, |p| {
//!         // stop early when the daily budget runs low
//!         match p.rate_limit.and_then(|r| r.remaining) {
//!             Some(left) if left < 100 => ControlFlow::Break(()),
//!             _ => ControlFlow::Continue(()),
//!         }
//!     })
//!     .await?;
//! for id in found.ids {
//!     let workflow = client.workflow(id).await?.value;
//!     if let Some(person_id) = workflow.person_id() {
//!         let person = client.person(person_id, DEFAULT_PERSON_FIELDS).await?.value;
//!         println!("{person_id}: {:?} {:?}", person.firstname, person.lastname);
//!     }
//! }
//! println!("{} calls", client.calls_made());
//! # Ok(()) }
//! ```

pub mod assumptions;
mod client;
mod config;
mod error;
#[cfg(test)]
mod http_tests;
mod model;
mod page;
mod reply;
pub mod sign;

pub use client::{Client, Clock, ReplyMeta, SearchAll, SearchProgress};
pub use config::{Config, DEFAULT_TIMEOUT, Endpoint, Region};
pub use error::{Error, MAX_BODY_BYTES, MAX_MESSAGE_CHARS, MAX_MESSAGES_KEPT, Result};
pub use model::{
    Address, DEFAULT_PERSON_FIELDS, JOB_FIELDS, Job, JobId, ListNode, PAGE_SIZE, Person, PersonId,
    Phone, ProfileRef, SearchPage, SearchQuery, Workflow, WorkflowId,
};
pub use page::MAX_SNIPPET_CHARS;
pub use reply::{RateLimit, Reply};
pub use secrecy::SecretString;
