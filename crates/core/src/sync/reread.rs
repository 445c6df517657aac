//! Who is looked at again outside the date window: open create intents, failed hires (with a
//! back-off when the failure will not fix itself), and invalid or needs-review records once
//! they are a day old.

use super::MAX_REREADS_PER_RUN;
use crate::connection::ConnectionName;
use crate::domain::{IcimsPersonId, OutcomeKind};
use crate::store::{Intent, Store, StoreError};
use std::collections::{BTreeSet, HashMap};
use time::OffsetDateTime;

/// How long a failure that will not fix itself (Namely refused required data) waits after its
/// second and after its third or later failure in a row; after the first, the next run tries
/// again.
const PERMANENT_FAILURE_BACKOFF: [time::Duration; 2] =
    [time::Duration::hours(6), time::Duration::days(1)];

/// Persons to look at again whatever the date window, in the order to read them: open create
/// intents first, then persons whose latest outcome is `failed` (every run) or `invalid` /
/// `needs_review` recorded at least `reread_after` ago, oldest record first; at most
/// [`MAX_REREADS_PER_RUN`]. Person id 0 (a workflow whose person iCIMS hid) is never re-read.
pub(super) fn persons_to_look_at_again(
    store: &Store,
    name: &ConnectionName,
    open_intents: &HashMap<IcimsPersonId, Intent>,
    reread_after: std::time::Duration,
    now: OffsetDateTime,
) -> Result<Vec<IcimsPersonId>, StoreError> {
    let reread_after = time::Duration::try_from(reread_after).unwrap_or(time::Duration::MAX);
    // Failures that will not fix themselves back off: the next run, 6 hours, then daily.
    let streaks: HashMap<IcimsPersonId, u32> =
        store.permanent_failure_streaks(name)?.into_iter().collect();
    // `at` is the latest failure's time: the latest outcome is that failure.
    let failed_due = |person: &IcimsPersonId, at: OffsetDateTime| -> bool {
        match streaks.get(person) {
            None | Some(0 | 1) => true,
            Some(2) => now - at >= PERMANENT_FAILURE_BACKOFF[0],
            Some(_) => now - at >= PERMANENT_FAILURE_BACKOFF[1],
        }
    };
    let mut due: Vec<(OffsetDateTime, IcimsPersonId)> = store
        .latest_outcomes(
            name,
            &[
                OutcomeKind::Failed,
                OutcomeKind::Invalid,
                OutcomeKind::NeedsReview,
            ],
        )?
        .into_iter()
        .filter(|(person, kind, at)| match kind {
            OutcomeKind::Failed => failed_due(person, *at),
            _ => now - *at >= reread_after,
        })
        .map(|(person, _, at)| (at, person))
        .collect();
    due.sort_unstable();
    let intents = sorted_unique(open_intents.keys().copied());
    let mut seen = BTreeSet::new();
    let candidates: Vec<IcimsPersonId> = intents
        .into_iter()
        .chain(due.into_iter().map(|(_, person)| person))
        .filter(|p| p.0 != 0 && seen.insert(*p))
        .collect();
    if candidates.len() > MAX_REREADS_PER_RUN {
        tracing::info!(
            due = candidates.len(),
            reading = MAX_REREADS_PER_RUN,
            "more persons are due to be looked at again than one run reads; the rest wait for \
             the next runs"
        );
    }
    Ok(candidates.into_iter().take(MAX_REREADS_PER_RUN).collect())
}

pub(super) fn sorted_unique(ids: impl IntoIterator<Item = IcimsPersonId>) -> Vec<IcimsPersonId> {
    ids.into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{ConnectionSettings, IcimsRegion};
    use crate::domain::Trigger;
    use crate::store::{IntentId, IntentState, RecordRow, RunId};
    use std::time::Duration;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 09:00 UTC);
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);

    fn rec(person: u64, outcome: OutcomeKind, hours_ago: i64) -> RecordRow {
        RecordRow {
            person_id: IcimsPersonId(person),
            workflow_ids: vec![],
            name: format!("p{person}"),
            email: None,
            outcome,
            reason: "x".into(),
            namely_profile_id: None,
            detail: None,
            at: NOW - time::Duration::hours(hours_ago),
            start_date: None,
            permanent: false,
        }
    }

    fn intent(name: &ConnectionName, person: u64) -> (IcimsPersonId, Intent) {
        let intent = Intent {
            id: IntentId(person as i64),
            connection: name.clone(),
            person_id: IcimsPersonId(person),
            run_id: RunId(1),
            email: "x@example.com".into(),
            state: IntentState::Unknown,
            started_at: NOW,
            ended_at: None,
            namely_profile_id: None,
        };
        (intent.person_id, intent)
    }

    fn ids(v: Vec<IcimsPersonId>) -> Vec<u64> {
        v.into_iter().map(|p| p.0).collect()
    }

    #[test]
    fn who_is_looked_at_again_and_in_what_order() {
        let store = Store::open_in_memory().unwrap();
        let name = ConnectionName::new("Acme").unwrap();
        let settings =
            ConnectionSettings::new(name.clone(), "acme", "1", "u", IcimsRegion::Us, NOW);
        store.add_connection(&settings).unwrap();
        let run = store.start_run(&name, Trigger::Manual, false, NOW).unwrap();
        store
            .add_records(
                run,
                &[
                    rec(1, OutcomeKind::Invalid, 30),     // due, oldest
                    rec(2, OutcomeKind::Invalid, 2),      // too recent
                    rec(3, OutcomeKind::NeedsReview, 25), // due
                    rec(4, OutcomeKind::Failed, 1),       // failed: every run
                    rec(5, OutcomeKind::Created, 100),    // final
                    rec(0, OutcomeKind::Invalid, 200),    // hidden person: never
                    rec(6, OutcomeKind::AlreadyInNamely, 50),
                ],
            )
            .unwrap();
        let intents: HashMap<_, _> = [intent(&name, 9), intent(&name, 4)].into();

        let got = persons_to_look_at_again(&store, &name, &intents, DAY, NOW).unwrap();
        assert_eq!(ids(got), vec![4, 9, 1, 3]);
        let got = persons_to_look_at_again(&store, &name, &HashMap::new(), DAY, NOW).unwrap();
        assert_eq!(ids(got), vec![1, 3, 4]);
        let got =
            persons_to_look_at_again(&store, &name, &HashMap::new(), Duration::ZERO, NOW).unwrap();
        assert_eq!(ids(got), vec![1, 3, 2, 4]);

        // At most MAX_REREADS_PER_RUN, oldest records first.
        let many: Vec<RecordRow> = (100..100 + MAX_REREADS_PER_RUN as u64 + 5)
            .map(|p| rec(p, OutcomeKind::Invalid, 1000 - p as i64))
            .collect();
        store.add_records(run, &many).unwrap();
        let got = persons_to_look_at_again(&store, &name, &HashMap::new(), DAY, NOW).unwrap();
        assert_eq!(got.len(), MAX_REREADS_PER_RUN);
        let got = ids(got);
        assert_eq!(got[0], 100, "the oldest first");
        assert!(!got.contains(&1), "newer than every one of the many");
    }
}
