//! Why reading iCIMS stopped before the end of what it was asked to read, in words and as a
//! run error code.

use crate::domain::RunErrorCode;

/// Why reading stopped before the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadStop {
    /// Fewer calls left than the margin, or a 429.
    Budget {
        remaining: u64,
        limit: Option<u64>,
    },
    Cancelled,
    /// iCIMS kept failing or refused: why, and what to do.
    Failed {
        code: RunErrorCode,
        message: String,
    },
}

impl ReadStop {
    /// The run's error text for this stop.
    pub(crate) fn message(&self) -> String {
        match self {
            ReadStop::Budget { remaining, limit } => {
                let limit = limit.map_or_else(|| "unknown".to_string(), |l| l.to_string());
                format!(
                    "iCIMS allowed only {remaining} more calls today (limit {limit}); the sync \
                     stopped to keep a safety margin and will resume on the next run after the \
                     reset at midnight UTC."
                )
            }
            ReadStop::Cancelled => "The sync was stopped before it finished. Nothing is lost: \
                                    the next run picks up where this one stopped."
                .to_string(),
            ReadStop::Failed { message, .. } => message.clone(),
        }
    }

    /// The run's error code for this stop.
    pub(crate) fn code(&self) -> RunErrorCode {
        match self {
            ReadStop::Budget { .. } => RunErrorCode::IcimsBudget,
            ReadStop::Cancelled => RunErrorCode::Cancelled,
            ReadStop::Failed { code, .. } => *code,
        }
    }
}
