//! The decision for each hire: pure, no I/O (std, serde and domain types only).
//!
//! Order of the checks for one hire (after merging a person's several hired jobs into one):
//! 1. a Namely profile carries `icims_id == person id` → [`Decision::AlreadyInNamely`];
//! 2. the start date (else hire date) is before the connection's start-from date →
//!    [`Decision::LeftOut`]: a past hire nobody asked for is never created;
//! 3. [`map_hire`] finds problems → [`Decision::Invalid`];
//! 4. the email belongs to a Namely profile (company or personal email) → [`Decision::NeedsReview`];
//! 5. a *possible match*: a profile without `icims_id` with the same first and last name
//!    (ignoring case, accents and extra spaces) and the same start date — someone HR typed
//!    by hand before the integration, under their company email → `NeedsReview`, unless a
//!    person chose "Create anyway" for this hire;
//! 6. an earlier hire of this run that will be created has the same email → `NeedsReview`,
//!    so one mailbox never gets two profiles;
//! 7. otherwise → [`Decision::Create`].

use crate::domain::{Decision, Hire, IcimsPersonId, IndexEntry};
use crate::mapping::{human_date, iso_date, map_hire, parse_calendar_date};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::Date;
use unicode_normalization::UnicodeNormalization;

/// What a plan follows besides the hires and the index.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Hires who started (else were hired) before this day are left out.
    pub start_from: Date,
    /// Hires a person reviewed and chose to create although a possible match exists (the
    /// email rule still holds).
    pub create_anyway: &'a BTreeSet<IcimsPersonId>,
}

/// Lookups over what the engine knows of Namely's profiles.
#[derive(Debug, Clone, Default)]
pub struct NamelyIndex {
    entries: Vec<IndexEntry>,
    /// Trimmed `icims_id` → positions in `entries`, ascending.
    by_icims_id: HashMap<String, Vec<usize>>,
    /// Trimmed, lowercased company or personal email → positions in `entries`, ascending.
    by_email: HashMap<String, Vec<usize>>,
    /// (folded first and last name, start date) of profiles without `icims_id` → positions.
    by_name_and_start: HashMap<(String, String), Vec<usize>>,
}

impl NamelyIndex {
    pub fn new(entries: &[IndexEntry]) -> Self {
        let mut index = NamelyIndex {
            entries: entries.to_vec(),
            ..NamelyIndex::default()
        };
        for (i, e) in entries.iter().enumerate() {
            if let Some(id) = non_empty(e.icims_id.as_deref()) {
                index.by_icims_id.entry(id.to_string()).or_default().push(i);
            }
            if non_empty(e.icims_id.as_deref()).is_none()
                && let Some(key) = name_key(
                    e.first_name.as_deref(),
                    e.last_name.as_deref(),
                    e.start_date.as_deref(),
                )
            {
                index.by_name_and_start.entry(key).or_default().push(i);
            }
            for email in [e.email.as_deref(), e.personal_email.as_deref()] {
                if let Some(email) = non_empty(email) {
                    let positions = index.by_email.entry(email.to_lowercase()).or_default();
                    if positions.last() != Some(&i) {
                        positions.push(i);
                    }
                }
            }
        }
        index
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every profile whose `icims_id` equals `icims_id` (both trimmed; exact otherwise).
    /// More than one means Namely already holds a duplicate.
    pub fn by_icims_id(&self, icims_id: &str) -> Vec<&IndexEntry> {
        self.lookup(&self.by_icims_id, icims_id.trim())
    }

    /// Every profile whose company or personal email equals `email`, ignoring case and
    /// surrounding whitespace.
    pub fn by_email(&self, email: &str) -> Vec<&IndexEntry> {
        self.lookup(&self.by_email, &email.trim().to_lowercase())
    }

    /// Profiles without `icims_id` with this first and last name (folded) and start date.
    pub fn possible_matches(&self, first: &str, last: &str, start: Date) -> Vec<&IndexEntry> {
        match name_key(Some(first), Some(last), Some(&iso_date(start))) {
            Some(key) => self
                .by_name_and_start
                .get(&key)
                .map(|positions| positions.iter().map(|&i| &self.entries[i]).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    fn lookup<'a>(&'a self, map: &HashMap<String, Vec<usize>>, key: &str) -> Vec<&'a IndexEntry> {
        map.get(key)
            .map(|positions| positions.iter().map(|&i| &self.entries[i]).collect())
            .unwrap_or_default()
    }
}

/// One hire and what the sync will do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRecord {
    /// The hire, with a person's several hired workflows merged into one.
    pub hire: Hire,
    /// The decision, with the profile to create or the Namely profile it is about.
    pub decision: Decision,
    /// Plain words for history, e.g. "Will be added as Jane Doe (start 2 Dec 2026)".
    pub reason: String,
}

/// Decide, for every hire, exactly one of Create / AlreadyInNamely / LeftOut / NeedsReview /
/// Invalid. One record per iCIMS person, ordered by person id.
pub fn plan(hires: &[Hire], index: &NamelyIndex, rules: &Rules<'_>) -> Vec<PlannedRecord> {
    // Emails (lowercased) that this run will create a profile for, and whose they are.
    let mut claimed: HashMap<String, IcimsPersonId> = HashMap::new();
    merge_by_person(hires)
        .into_iter()
        .map(|hire| decide(hire, index, rules, &mut claimed))
        .collect()
}

/// A name as compared for a possible match: lowercased, accents removed, spaces collapsed.
fn fold(name: &str) -> String {
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn name_key(
    first: Option<&str>,
    last: Option<&str>,
    start: Option<&str>,
) -> Option<(String, String)> {
    let (first, last) = (fold(first?), fold(last?));
    let start = parse_calendar_date(start?.trim())?;
    (!first.is_empty() && !last.is_empty())
        .then(|| (format!("{first}\u{1f}{last}"), iso_date(start)))
}

/// The day a hire counts from: the start date, else the hire date (as `map_hire` does).
fn counts_from(hire: &Hire) -> Option<Date> {
    let start = non_empty(hire.start_date.as_deref()).and_then(parse_calendar_date);
    start.or_else(|| non_empty(hire.hire_date.as_deref()).and_then(parse_calendar_date))
}

/// One `Hire` per person id, ascending. Workflow ids are merged (sorted, deduplicated); the
/// first occurrence's data wins, with gaps filled from later ones.
fn merge_by_person(hires: &[Hire]) -> Vec<Hire> {
    let mut merged: BTreeMap<IcimsPersonId, Hire> = BTreeMap::new();
    for h in hires {
        match merged.get_mut(&h.person_id) {
            None => {
                merged.insert(h.person_id, h.clone());
            }
            Some(m) => {
                m.workflow_ids.extend_from_slice(&h.workflow_ids);
                fill(&mut m.first_name, &h.first_name);
                fill(&mut m.last_name, &h.last_name);
                fill(&mut m.email, &h.email);
                fill(&mut m.start_date, &h.start_date);
                fill(&mut m.hire_date, &h.hire_date);
                fill(&mut m.gender, &h.gender);
                fill(&mut m.home, &h.home);
                fill(&mut m.job_title, &h.job_title);
            }
        }
    }
    merged
        .into_values()
        .map(|mut h| {
            h.workflow_ids.sort_unstable();
            h.workflow_ids.dedup();
            h
        })
        .collect()
}

fn fill<T: Clone>(slot: &mut Option<T>, other: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(other);
    }
}

fn decide(
    hire: Hire,
    index: &NamelyIndex,
    rules: &Rules<'_>,
    claimed: &mut HashMap<String, IcimsPersonId>,
) -> PlannedRecord {
    let icims_id = hire.person_id.to_string();

    let carriers = index.by_icims_id(&icims_id);
    if let Some(&first) = carriers.first() {
        let mut reason = format!(
            "Already in Namely as {} (icims_id {icims_id}",
            name_of(first)
        );
        if !first.user_status.eq_ignore_ascii_case("active") && !first.user_status.is_empty() {
            reason.push_str(&format!(", {}", first.user_status.to_lowercase()));
        }
        if carriers.len() > 1 {
            reason.push_str(&format!(
                "; {} Namely profiles carry it — check for a duplicate",
                carriers.len()
            ));
        }
        reason.push(')');
        return record(hire, Decision::AlreadyInNamely(first.clone()), reason);
    }

    if let Some(day) = counts_from(&hire)
        && day < rules.start_from
    {
        let reason = format!(
            "Left out: started {}, before the start-from date {}",
            human_date(day),
            human_date(rules.start_from)
        );
        return record(hire, Decision::LeftOut, reason);
    }

    let draft = match map_hire(&hire) {
        Ok(d) => d,
        Err(problems) => {
            let words: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
            let reason = format!("Invalid: {}", words.join("; "));
            return record(hire, Decision::Invalid, reason);
        }
    };
    let email = draft.email.to_lowercase();

    if let Some(&owner) = index.by_email(&email).first() {
        let reason = format!(
            "Needs review: {email} already belongs to {}, {}",
            name_of(owner),
            whose(owner)
        );
        return record(hire, Decision::NeedsReview(Some(owner.clone())), reason);
    }

    if !rules.create_anyway.contains(&hire.person_id)
        && let Some(&maybe) = index
            .possible_matches(&draft.first_name, &draft.last_name, draft.start_date)
            .first()
    {
        let reason = format!(
            "Needs review: possibly already in Namely as {} ({}), same name and start date {}, \
             no icims_id — Link it, or Create anyway",
            name_of(maybe),
            maybe.email.as_deref().unwrap_or("no company email"),
            human_date(draft.start_date)
        );
        return record(hire, Decision::NeedsReview(Some(maybe.clone())), reason);
    }

    if let Some(first) = claimed.get(&email) {
        let reason = format!(
            "Needs review: same email as iCIMS person {first} in this run ({email}); only one profile is created per email"
        );
        return record(hire, Decision::NeedsReview(None), reason);
    }
    claimed.insert(email, hire.person_id);

    let reason = format!(
        "Will be added as {} (start {})",
        draft.display_name(),
        human_date(draft.start_date)
    );
    record(hire, Decision::Create(draft), reason)
}

fn record(hire: Hire, decision: Decision, reason: String) -> PlannedRecord {
    PlannedRecord {
        hire,
        decision,
        reason,
    }
}

/// "who has no icims_id" / "who has icims_id 12 (a different iCIMS person)".
pub(crate) fn whose(entry: &IndexEntry) -> String {
    match non_empty(entry.icims_id.as_deref()) {
        None => "who has no icims_id".to_string(),
        Some(other) => format!("who has icims_id {other} (a different iCIMS person)"),
    }
}

/// "Jane Doe", or the profile id when Namely gave no name.
pub(crate) fn name_of(e: &IndexEntry) -> String {
    match e.full_name.trim() {
        "" => format!("Namely profile {}", e.profile_id),
        name => name.to_string(),
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests;
