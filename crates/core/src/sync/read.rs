//! Step 1: read hires from iCIMS, within the daily call budget.
//!
//! The search pages are read one after another (each starts after the last id of the one
//! before); the workflows, persons and jobs they lead to are read [`Reader::overlapping`]
//! at a time, in search order, so that what was handled is always a prefix of the window.
//! Before each call the run checks the cancel flag and the last `x-ratelimit-remaining`
//! seen, less the calls still in flight; below the margin (or after a 429) it stops
//! *cleanly*: every
//! hire whose person was read is kept and will still be planned and applied, and the caller
//! does not move the watermark. A 5xx or network failure is retried ([`super::ICIMS_ATTEMPTS`]
//! in all, with a short backoff); when it persists, reading stops the same way with a plain
//! message. A record iCIMS does not show (404, which is also how access denied looks) becomes
//! an `Invalid` record naming the Security Rules, and reading goes on. (A workflow whose
//! person iCIMS hides has no person id; its record carries person id 0 and the workflow id.)
//!
//! The window's search may start after a workflow id (an earlier run stopped there), and
//! workflows whose person is already in Namely are skipped without a call; what was handled
//! is reported as `read_up_to`, and iCIMS's clock at the first search page as
//! `searched_at`, for the runner to store the position or move the watermark.
//!
//! Persons read outside the date window (re-reads, "Retry failed") are first checked to be
//! still hired: one search of the hired workflows of that person. A person with none — the
//! offer was rescinded, the workflow moved on — is not read and gets an Invalid record
//! ("Not added: no longer in a hired status"), so nobody who is no longer hired is ever
//! created, and they are looked at again only as rarely as other invalid hires.

use super::budget::Budget;
use super::person::hire_from_person;
use super::read_state::{PersonRead, ReadState, unlinked};
pub(crate) use super::read_stop::ReadStop;
use super::{ICIMS_ATTEMPTS, Reporter, backoff, cancelled};
use crate::api::SyncPhase;
use crate::connection::ConnectionName;
use crate::domain::{Hire, IcimsPersonId, RunErrorCode};
use crate::store::{RecordRow, Store};
use futures::FutureExt;
use futures::stream::{self, StreamExt};
use icims::{DEFAULT_PERSON_FIELDS, PAGE_SIZE, PersonId, Reply, SearchQuery, WorkflowId};
use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, PoisonError};
use time::OffsetDateTime;

/// What to read.
pub(crate) struct ReadRequest<'a> {
    /// The workflow statuses that mean "hired".
    pub statuses: &'a [String],
    /// Search the hired workflows of this window; `None` reads only `persons`.
    pub window: Option<Window>,
    /// Persons to look at again outside the window (retries, open intents, invalid records),
    /// in the order to read them, without duplicates. Each is read only if a search finds a
    /// hired workflow of theirs.
    pub persons: Vec<IcimsPersonId>,
}

/// The date-window search.
pub(crate) struct Window {
    /// `None`: every hired workflow (first run).
    pub updated_since: Option<OffsetDateTime>,
    /// Go on after this workflow id: an earlier run read the window up to it.
    pub after: Option<WorkflowId>,
}

/// What was read.
#[derive(Debug, Default)]
pub(crate) struct ReadOutcome {
    /// One hire per person whose person record was read, ascending by person id.
    pub hires: Vec<Hire>,
    /// Records settled while reading: persons or workflows iCIMS would not show.
    pub invalid: Vec<RecordRow>,
    pub stop: Option<ReadStop>,
    /// The window search ran to its last page and every workflow it found was read.
    pub window_complete: bool,
    /// Status ids and values (trimmed, lowercased) of every workflow read.
    pub statuses_seen: BTreeSet<String>,
    /// The window was handled up to and including this workflow id (read, or skipped as
    /// settled); where the next run goes on if this one stopped inside the window.
    pub read_up_to: Option<WorkflowId>,
    /// iCIMS's clock when the window's first search page was answered (its `Date` header).
    pub searched_at: Option<OffsetDateTime>,
    /// Workflows of the window skipped without a call: their person is already in Namely.
    pub skipped_settled: usize,
}

/// A call that did not give a value.
enum CallError {
    /// Stop reading.
    Stop(ReadStop),
    /// 404: the record does not exist or the integration user may not see it.
    NotShown(icims::Error),
    /// The record came back with a field of the wrong type ("addresses: expected a list, got
    /// an object"): this record is recorded as Invalid and reading goes on.
    Unreadable(String),
}

pub(crate) struct Reader<'a> {
    icims: &'a icims::Client,
    cancel: Option<&'a AtomicBool>,
    budget: Mutex<Budget<'a>>,
    /// Workflows whose person is already in Namely: the window skips them without a call.
    settled: HashSet<u64>,
    /// Reads kept in flight at once (at least 1).
    concurrency: usize,
}

/// What one workflow of the window came to.
enum Handled {
    Read,
    /// Skipped without a call: its person is already in Namely.
    Settled,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(
        icims: &'a icims::Client,
        store: &'a Store,
        name: &'a ConnectionName,
        margin: u64,
        cancel: Option<&'a AtomicBool>,
    ) -> Self {
        Self {
            icims,
            cancel,
            budget: Mutex::new(Budget::new(store, name, margin, icims.calls_made())),
            settled: HashSet::new(),
            concurrency: 1,
        }
    }

    /// Skip these workflows of the window without reading them (their person is settled).
    pub(crate) fn skipping(mut self, settled: HashSet<u64>) -> Self {
        self.settled = settled;
        self
    }

    /// Keep up to `n` reads in flight (1: one after another).
    pub(crate) fn overlapping(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    fn budget(&self) -> std::sync::MutexGuard<'_, Budget<'a>> {
        self.budget.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One iCIMS call with the budget and cancel checks before it and retries of transient
    /// failures. Several may run at once: the budget is shared, and a call that finds it
    /// spent (or cancelled) is not sent.
    async fn call<T, F, Fut>(&self, what: &str, mut send: F) -> Result<Reply<T>, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = icims::Result<Reply<T>>>,
    {
        let mut attempt = 1;
        loop {
            if cancelled(self.cancel) {
                return Err(CallError::Stop(ReadStop::Cancelled));
            }
            if let Some(stop) = self.budget().reserve() {
                return Err(CallError::Stop(stop));
            }
            let result = send().await;
            let rate_limit = result.as_ref().ok().and_then(|r| r.rate_limit);
            self.budget().observe(self.icims.calls_made(), rate_limit);
            match result {
                Ok(reply) => return Ok(reply),
                Err(icims::Error::RateLimited { .. }) => {
                    return Err(CallError::Stop(self.budget().rate_limited()));
                }
                Err(e @ icims::Error::NotFound { .. }) => return Err(CallError::NotShown(e)),
                Err(icims::Error::Unreadable { field, problem, .. }) => {
                    return Err(CallError::Unreadable(format!("{field}: {problem}")));
                }
                Err(e) if e.is_transient() && attempt < ICIMS_ATTEMPTS => {
                    tracing::info!(what, attempt, error = %e, "iCIMS call failed; retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => {
                    let message = if e.is_transient() {
                        format!("Could not read {what} from iCIMS after {attempt} attempts: {e}")
                    } else {
                        format!("Could not read {what} from iCIMS: {e}")
                    };
                    let code = match e {
                        icims::Error::BadCredentials { .. } => RunErrorCode::IcimsCredentials,
                        _ if e.is_transient() => RunErrorCode::IcimsUnavailable,
                        _ => RunErrorCode::IcimsUnexpected,
                    };
                    return Err(CallError::Stop(ReadStop::Failed { code, message }));
                }
            }
        }
    }

    /// Read the window and the listed persons, up to [`Self::overlapping`] reads at once.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn read(
        self,
        request: &ReadRequest<'_>,
        reporter: &Reporter<'_>,
    ) -> ReadOutcome {
        let state = Mutex::new(ReadState::default());
        let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut stop = None;
        let mut window_complete = false;
        let mut read_up_to = None;
        let mut searched_at = None;
        let mut skipped_settled = 0;
        let n = self.concurrency;

        if let Some(window) = &request.window {
            reporter.report(SyncPhase::Searching, 0, None);
            match self.search(request.statuses, window).await {
                Err(s) => stop = Some(s),
                Ok(found) => {
                    stop = found.stop;
                    searched_at = found.server_date;
                    let ids = found.ids;
                    let total = ids.len() + request.persons.len();
                    lock().total = total;
                    reporter.report(SyncPhase::ReadingHires, 0, Some(total));
                    // Workflows handled in the order of the search (whatever order the calls
                    // finish in), so that what was handled is always a prefix of it.
                    let mut handled: Vec<WorkflowId> = Vec::with_capacity(ids.len());
                    if stop.is_none() {
                        let state = &state;
                        let this = &self;
                        let mut results = stream::iter(ids.iter().copied())
                            .map(|id| {
                                async move {
                                    if this.settled.contains(&id.0) {
                                        (id, Ok(Handled::Settled))
                                    } else {
                                        let read = this.read_workflow(id, state).await;
                                        (id, read.map(|()| Handled::Read))
                                    }
                                }
                                .boxed()
                            })
                            .buffered(n)
                            .boxed();
                        while let Some((id, result)) = results.next().await {
                            match result {
                                Ok(Handled::Settled) => skipped_settled += 1,
                                Ok(Handled::Read) => {}
                                Err(s) => {
                                    stop = Some(s);
                                    break;
                                }
                            }
                            handled.push(id);
                            let mut st = lock();
                            st.done += 1;
                            let done = st.done;
                            drop(st);
                            reporter.report(SyncPhase::ReadingHires, done, Some(total));
                        }
                    }
                    window_complete = stop.is_none();
                    // A workflow counts as handled once its person was read too (another
                    // workflow of theirs may have been reading them when reading stopped).
                    read_up_to = lock().handled_prefix(&handled);
                }
            }
        } else {
            let total = request.persons.len();
            lock().total = total;
            reporter.report(SyncPhase::ReadingHires, 0, Some(total));
        }

        if stop.is_none() {
            let state = &state;
            let this = &self;
            let statuses = request.statuses;
            let mut results = stream::iter(request.persons.iter().copied())
                .map(|person| {
                    async move {
                        // Persons the window already read are not read again.
                        let known =
                            person.0 == 0 || lock_state(state).persons.contains_key(&person.0);
                        if known {
                            return Ok(());
                        }
                        this.read_if_hired(statuses, PersonId(person.0), state)
                            .await
                    }
                    .boxed()
                })
                .buffered(n)
                .boxed();
            while let Some(result) = results.next().await {
                if let Err(s) = result {
                    stop = Some(s);
                    break;
                }
                let mut st = lock();
                st.done += 1;
                let (done, total) = (st.done, st.total);
                drop(st);
                reporter.report(SyncPhase::ReadingHires, done, Some(total));
            }
        }

        let mut state = state.into_inner().unwrap_or_else(PoisonError::into_inner);
        ReadOutcome {
            hires: state.hires(),
            invalid: std::mem::take(&mut state.invalid),
            statuses_seen: std::mem::take(&mut state.statuses_seen),
            stop,
            window_complete,
            read_up_to,
            searched_at,
            skipped_settled,
        }
    }

    /// Every hired workflow id of the window (after `window.after`), paged by id; `stop` set
    /// when the budget or a failure stopped the paging after some pages. Pages are read one
    /// after another: each starts after the last id of the one before.
    async fn search(&self, statuses: &[String], window: &Window) -> Result<Found, ReadStop> {
        let mut query = SearchQuery::statuses(statuses.iter().cloned());
        if let Some(since) = window.updated_since {
            query = query.updated_since(since);
        }
        if let Some(after) = window.after {
            query = query.after(after);
        }
        let mut ids: Vec<WorkflowId> = Vec::new();
        let mut server_date = None;
        loop {
            let icims = self.icims;
            let q = query.clone();
            let page = match self
                .call("the hired workflows", || icims.search_workflows(&q))
                .await
            {
                Ok(reply) => {
                    server_date = server_date.or(reply.server_date);
                    reply.value
                }
                Err(CallError::Stop(s)) if ids.is_empty() => return Err(s),
                Err(CallError::Stop(s)) => {
                    return Ok(Found {
                        ids,
                        stop: Some(s),
                        server_date,
                    });
                }
                Err(CallError::NotShown(e)) => {
                    return Err(ReadStop::Failed {
                        code: RunErrorCode::IcimsAccess,
                        message: format!("iCIMS did not allow the search for hired workflows: {e}"),
                    });
                }
                Err(CallError::Unreadable(problem)) => return Err(unreadable_search(&problem)),
            };
            let last = page.ids.last().copied();
            if let (Some(after), Some(first)) = (query.after, page.ids.first())
                && *first <= after
            {
                return Err(ReadStop::Failed {
                    code: RunErrorCode::IcimsUnexpected,
                    message: format!(
                        "iCIMS returned workflow {first} after workflow {after}; search results \
                         must be in ascending order, so reading stopped. Please report this \
                         with the log file."
                    ),
                });
            }
            let is_last = page.ids.len() < PAGE_SIZE;
            ids.extend(page.ids);
            match last {
                Some(last) if !is_last => query = query.after(last),
                _ => break,
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(Found {
            ids,
            stop: None,
            server_date,
        })
    }

    /// GET one workflow, then its person (once per run, whichever workflow gets there
    /// first) and, when the workflow does not name it, its job's title (once per run).
    async fn read_workflow(
        &self,
        id: WorkflowId,
        state: &Mutex<ReadState>,
    ) -> Result<(), ReadStop> {
        let icims = self.icims;
        let what = format!("workflow {id}");
        let workflow = match self.call(&what, || icims.workflow(id)).await {
            Ok(reply) => reply.value,
            Err(CallError::Stop(s)) => return Err(s),
            Err(CallError::NotShown(e)) => {
                lock_state(state).invalid.push(unlinked(
                    id,
                    format!(
                        "Invalid: iCIMS did not show workflow {id} — check the Security Rules of \
                         the integration user"
                    ),
                    e.to_string(),
                ));
                return Ok(());
            }
            Err(CallError::Unreadable(problem)) => {
                lock_state(state).invalid.push(unlinked(
                    id,
                    format!(
                        "Invalid: iCIMS's record of workflow {id} could not be read ({problem}) \
                         — correct it in iCIMS; it is read again daily"
                    ),
                    problem,
                ));
                return Ok(());
            }
        };
        let job = workflow.job_id();
        // The title the workflow itself carries (`baseprofile.value`), if trusted.
        let named_title = workflow
            .baseprofile
            .as_ref()
            .and_then(|b| b.value.as_deref())
            .map(str::trim)
            .filter(|t| icims::assumptions::WORKFLOW_NAMES_THE_JOB_TITLE && !t.is_empty())
            .map(str::to_string);
        let (read_person, read_job) = {
            let mut st = lock_state(state);
            if let Some(status) = &workflow.status {
                for word in [status.id.as_deref(), status.value.as_deref()]
                    .into_iter()
                    .flatten()
                {
                    st.statuses_seen.insert(word.trim().to_lowercase());
                }
            }
            let Some(person) = workflow.person_id() else {
                st.invalid.push(unlinked(
                    id,
                    format!(
                        "Invalid: iCIMS hid the person of workflow {id} — check the Security \
                         Rules of the integration user"
                    ),
                    "the workflow has no associatedprofile".to_string(),
                ));
                return Ok(());
            };
            st.workflow_person.insert(id.0, person.0);
            let entry = st.persons.entry(person.0).or_default();
            entry.workflows.insert(id.0);
            if entry.first_job.is_none() {
                entry.first_job = job;
            }
            let read_person = matches!(entry.read, PersonRead::NotYet).then(|| {
                entry.read = PersonRead::Reading;
                person
            });
            // A job is read at most once per run, and not at all when a workflow names it.
            let read_job = match (job, named_title) {
                (Some(job), Some(title)) => {
                    st.job_titles.insert(job.0, Some(title));
                    None
                }
                (Some(job), None) if !st.job_titles.contains_key(&job.0) => {
                    st.job_titles.insert(job.0, None);
                    Some(job)
                }
                _ => None,
            };
            (read_person, read_job)
        };
        if let Some(person) = read_person {
            self.read_person(person, state).await?;
        }
        if let Some(job) = read_job {
            let title = match self.call(&format!("job {job}"), || icims.job(job)).await {
                Ok(reply) => reply.value.jobtitle,
                Err(CallError::Stop(s)) => {
                    // Not read: another workflow of this job may try again.
                    lock_state(state).job_titles.remove(&job.0);
                    return Err(s);
                }
                // The title is for display only.
                Err(CallError::NotShown(_) | CallError::Unreadable(_)) => None,
            };
            let mut st = lock_state(state);
            let slot = st.job_titles.entry(job.0).or_default();
            if slot.is_none() {
                *slot = title;
            }
        }
        Ok(())
    }

    /// Search the hired workflows of one person; read the person only if there is one (the
    /// found workflows become the hire's). Someone no longer hired is not read and never
    /// created; they get an Invalid record saying so.
    async fn read_if_hired(
        &self,
        statuses: &[String],
        id: PersonId,
        state: &Mutex<ReadState>,
    ) -> Result<(), ReadStop> {
        let icims = self.icims;
        let query = SearchQuery::statuses(statuses.iter().cloned()).person(id);
        let what = format!("the hired workflows of person {id}");
        let workflows = match self.call(&what, || icims.search_workflows(&query)).await {
            Ok(reply) => reply.value.ids,
            Err(CallError::Stop(s)) => return Err(s),
            Err(CallError::NotShown(e)) => {
                return Err(ReadStop::Failed {
                    code: RunErrorCode::IcimsAccess,
                    message: format!("iCIMS did not allow the search for hired workflows: {e}"),
                });
            }
            Err(CallError::Unreadable(problem)) => return Err(unreadable_search(&problem)),
        };
        {
            let mut st = lock_state(state);
            let entry = st.persons.entry(id.0).or_default();
            if workflows.is_empty() {
                // Recorded (as Invalid, with the reason) so that history says why they were
                // not added, "Retry failed" stops offering them, and they are looked at again
                // only once a day like other invalid hires.
                tracing::debug!(
                    person = id.0,
                    "person has no hired workflow any more; not read"
                );
                entry.read = PersonRead::NoLongerHired;
                return Ok(());
            }
            entry.workflows.extend(workflows.iter().map(|w| w.0));
            entry.read = PersonRead::Reading;
        }
        self.read_person(id, state).await
    }

    /// GET one person (already marked [`PersonRead::Reading`]) and keep them as a hire, or as
    /// an Invalid record if iCIMS hides them; back to `NotYet` when reading stopped.
    async fn read_person(&self, id: PersonId, state: &Mutex<ReadState>) -> Result<(), ReadStop> {
        let icims = self.icims;
        let what = format!("person {id}");
        let result = self
            .call(&what, || icims.person(id, DEFAULT_PERSON_FIELDS))
            .await;
        let mut st = lock_state(state);
        let entry = st.persons.entry(id.0).or_default();
        let (read, outcome) = match result {
            Ok(reply) => (
                PersonRead::Read(Box::new(hire_from_person(id, &reply.value))),
                Ok(()),
            ),
            Err(CallError::Stop(s)) => (PersonRead::NotYet, Err(s)),
            Err(CallError::NotShown(e)) => (PersonRead::NotShown(e.to_string()), Ok(())),
            Err(CallError::Unreadable(problem)) => (PersonRead::Unreadable(problem), Ok(())),
        };
        entry.read = read;
        outcome
    }
}

fn lock_state(state: &Mutex<ReadState>) -> std::sync::MutexGuard<'_, ReadState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the window's search found.
struct Found {
    ids: Vec<WorkflowId>,
    /// Why paging stopped early, if it did.
    stop: Option<ReadStop>,
    /// iCIMS's clock at the first page.
    server_date: Option<OffsetDateTime>,
}

/// How reading ends when a search page itself cannot be read.
fn unreadable_search(problem: &str) -> ReadStop {
    ReadStop::Failed {
        code: RunErrorCode::IcimsUnexpected,
        message: format!(
            "iCIMS answered the search for hired workflows in a way this app cannot read \
             ({problem}). Please report this with the log file."
        ),
    }
}
