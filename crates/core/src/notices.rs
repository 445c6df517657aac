//! What a finished run has to tell a person who is not looking at the window: the desktop
//! notification ("3 new hires added to Namely") and the screen a click on it opens.
//!
//! Pure: decided from the run's result alone (which failures break setup as the webhook alerts
//! judge them, `crate::alerts`), tested without a window. A quiet run (nothing
//! added, nothing failed, nothing broken) has nothing to say. A broken setup is told once per
//! state, not at every scheduled retry ([`NoticeMemory`]).

use crate::alerts::{AlertEvent, Verdict};
use crate::api::{RunDetails, RunStatus};
use crate::domain::RunErrorCode;
use crate::engine::EngineError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// What kind of news a notice carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// People were added to Namely.
    Added,
    /// Hires wait for a person's decision.
    NeedsReview,
    /// Some records failed.
    RecordsFailed,
    /// The run failed or could not start for a passing reason (a vendor down).
    RunFailed,
    /// Setup needs a person: owner no longer valid, credential refused, secret missing,
    /// iCIMS budget used up.
    SetupBroken,
}

/// The screen a click on a notice opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum NoticeRoute {
    /// One run's records.
    History {
        connection: String,
        #[serde(rename = "runId")]
        run_id: i64,
    },
    /// The connection's setup, where a broken part is fixed.
    Wizard { connection: String },
    /// The dashboard.
    Dashboard,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The notification's title: "3 new hires added to Namely".
    pub title: String,
    /// One or two sentences: who, and what to do.
    pub body: String,
    pub route: NoticeRoute,
}

/// Names listed in a body before "and N more".
const NAMES_SHOWN: usize = 3;

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "Jane Doe, John Roe and 2 more": the people this run added to Namely.
fn added_names(details: &RunDetails) -> String {
    use crate::domain::OutcomeKind;
    let all: Vec<&str> = details
        .records
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                OutcomeKind::Created | OutcomeKind::CreatedWithWarning
            )
        })
        .map(|r| r.name.as_str())
        .collect();
    let shown = &all[..all.len().min(NAMES_SHOWN)];
    let rest = all.len() - shown.len();
    match (shown, rest) {
        ([], _) => String::new(),
        ([one], 0) => (*one).to_string(),
        (_, 0) => {
            let (last, first) = shown.split_last().expect("not empty");
            format!("{} and {last}", first.join(", "))
        }
        (_, rest) => format!("{} and {rest} more", shown.join(", ")),
    }
}

/// What to tell a person about a finished run of `connection`, or `None` for a quiet run.
pub fn notice_for(connection: &str, result: &Result<RunDetails, EngineError>) -> Option<Notice> {
    let details = match result {
        Ok(details) => details,
        Err(e) => {
            // Which errors are worth telling, and which break setup: as the alerts judge.
            let Verdict::Alert(alert) = crate::alerts::judge(connection, result) else {
                return None;
            };
            return Some(Notice {
                kind: if alert.event == AlertEvent::SetupBroken {
                    NoticeKind::SetupBroken
                } else {
                    NoticeKind::RunFailed
                },
                title: format!("{connection}: the scheduled sync could not start"),
                body: e.to_string(),
                route: NoticeRoute::Wizard {
                    connection: connection.to_string(),
                },
            });
        }
    };
    let summary = &details.summary;
    if summary.dry_run {
        return None;
    }
    let run = NoticeRoute::History {
        connection: connection.to_string(),
        run_id: summary.id,
    };
    let counts = &summary.counts;
    let added = if counts.created > 0 {
        let who = added_names(details);
        format!(" Added: {who}.")
    } else {
        String::new()
    };
    if let Some(code) = summary.error_code {
        if matches!(code, RunErrorCode::Cancelled | RunErrorCode::Interrupted) {
            // Someone asked it to stop (or the app was closed): they know.
            return (counts.created > 0).then(|| Notice {
                kind: NoticeKind::Added,
                title: format!(
                    "{} added to Namely ({connection})",
                    plural(counts.created, "new hire", "new hires")
                ),
                body: format!("The sync stopped early.{added}"),
                route: run,
            });
        }
        let why = summary.error.clone().unwrap_or_default();
        if crate::alerts::is_setup(code) {
            let title = match code {
                RunErrorCode::IcimsBudget => {
                    format!("{connection}: today's iCIMS calls are used up")
                }
                RunErrorCode::OwnerInvalid => {
                    format!("{connection}'s integration owner is no longer valid — fix the setup")
                }
                _ => format!("{connection} needs attention — fix the setup"),
            };
            let route = if code == RunErrorCode::IcimsBudget {
                run
            } else {
                NoticeRoute::Wizard {
                    connection: connection.to_string(),
                }
            };
            return Some(Notice {
                kind: NoticeKind::SetupBroken,
                title,
                body: format!("{why}{added}").trim().to_string(),
                route,
            });
        }
        if matches!(summary.status, RunStatus::Failed | RunStatus::NotStarted) {
            return Some(Notice {
                kind: NoticeKind::RunFailed,
                title: format!("{connection}: the sync failed"),
                body: format!("{why}{added}").trim().to_string(),
                route: run,
            });
        }
    }
    if counts.failed > 0 {
        return Some(Notice {
            kind: NoticeKind::RecordsFailed,
            title: format!(
                "{} could not be added ({connection}) — open the history",
                plural(counts.failed, "hire", "hires")
            ),
            body: format!("Open the run to see why, then use Retry failed.{added}"),
            route: run,
        });
    }
    if counts.created > 0 {
        let who = added_names(details);
        return Some(Notice {
            kind: NoticeKind::Added,
            title: format!(
                "{} added to Namely ({connection})",
                plural(counts.created, "new hire", "new hires")
            ),
            body: format!("{who}."),
            route: run,
        });
    }
    if counts.needs_review > 0 {
        return Some(Notice {
            kind: NoticeKind::NeedsReview,
            title: format!(
                "{} your review ({connection})",
                plural(counts.needs_review, "hire needs", "hires need")
            ),
            body: "They may already be in Namely. Open the run to Link or Create anyway."
                .to_string(),
            route: run,
        });
    }
    None
}

/// Remembers what was last told per connection, so that a broken setup, retried by the
/// scheduler every few minutes, is told once, and told again only after it changed or was
/// fixed in between.
#[derive(Debug, Default)]
pub struct NoticeMemory {
    last_broken: HashMap<String, String>,
}

impl NoticeMemory {
    /// The notice for this result, when it should be shown now.
    pub fn filter(
        &mut self,
        connection: &str,
        result: &Result<RunDetails, EngineError>,
    ) -> Option<Notice> {
        let key = connection.to_lowercase();
        let notice = notice_for(connection, result);
        match &notice {
            Some(n) if matches!(n.kind, NoticeKind::SetupBroken | NoticeKind::RunFailed) => {
                let state = format!("{:?}:{}", n.kind, n.title).to_lowercase();
                if self.last_broken.get(&key) == Some(&state) {
                    return None;
                }
                self.last_broken.insert(key, state);
            }
            _ if matches!(result, Err(EngineError::Busy(_))) => {}
            _ => {
                self.last_broken.remove(&key);
            }
        }
        notice
    }
}

#[cfg(test)]
mod tests;
