//! The start-from date, chosen in the wizard's stop 5 before the dry run: the choices on
//! offer, and how many hires each would add according to the latest dry run.

use super::{Engine, Result, now};
use crate::api::{StartFromChoice, StartFromChoices};
use crate::connection::DEFAULT_START_FROM_DAYS;
use crate::domain::OutcomeKind;
use crate::mapping::{human_date, iso_date, parse_calendar_date};
use time::{Date, Duration};

impl Engine {
    /// The start-from dates to offer (today, 30 days ago — the default —, 90 days ago, a year
    /// ago, and the connection's own when it is another), each with how many hires it would
    /// add according to the latest dry run. The dry run read every hire who started on or after
    /// the connection's start-from date (and those hired up to a generous margin before it), so
    /// counts for that date and later ones are exact; for earlier dates they are a lower bound
    /// (`at_least`): preview again with the earlier date to see them all.
    pub fn start_from_choices(&self, name: &str) -> Result<StartFromChoices> {
        let settings = self.settings(name)?;
        let today = now().to_offset(self.inner.options.local_offset).date();
        let mut dates: Vec<(Date, String)> = vec![
            (
                today,
                "Today: only people who start from now on".to_string(),
            ),
            (
                today - Duration::days(DEFAULT_START_FROM_DAYS),
                format!("{DEFAULT_START_FROM_DAYS} days ago (recommended)"),
            ),
            (today - Duration::days(90), "90 days ago".to_string()),
            (today - Duration::days(365), "A year ago".to_string()),
        ];
        if !dates.iter().any(|(d, _)| *d == settings.start_from) {
            dates.push((settings.start_from, "The date saved now".to_string()));
        }
        dates.sort_by_key(|d| std::cmp::Reverse(d.0));
        let store = &self.inner.store;
        let preview = store
            .runs(&settings.name, 50)?
            .into_iter()
            .find(|r| r.dry_run && r.ended_at.is_some());
        let records = match &preview {
            Some(run) => store.records(run.id)?,
            None => Vec::new(),
        };
        // Hires the preview would add, or left out for being earlier: by their day.
        let days: Vec<Date> = records
            .iter()
            .filter(|r| matches!(r.outcome, OutcomeKind::WouldCreate | OutcomeKind::LeftOut))
            .filter_map(|r| r.start_date.as_deref().and_then(parse_calendar_date))
            .collect();
        let choices = dates
            .into_iter()
            .map(|(date, label)| StartFromChoice {
                date: iso_date(date),
                label: format!("{label} — {}", human_date(date)),
                would_add: preview.as_ref().map(|_| {
                    u32::try_from(days.iter().filter(|d| **d >= date).count()).unwrap_or(u32::MAX)
                }),
                at_least: date < settings.start_from,
                chosen: date == settings.start_from,
            })
            .collect();
        Ok(StartFromChoices {
            start_from: iso_date(settings.start_from),
            preview_run_id: preview.map(|r| r.id.0),
            choices,
        })
    }
}
