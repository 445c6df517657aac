//! The client-side pacer for Namely's listing limit (100 `GET /profiles` a minute,
//! `docs/namely-api.md` §9): it holds a listing request back until sending it cannot take the
//! server over the limit, for every task sharing one [`crate::Client`].
//!
//! Namely counts a request when it handles it, somewhere between the moment the client sends
//! it and the moment the answer arrives. So the pacer counts each request from when it is
//! admitted until it completes (in flight), and then for a whole window after it completed.
//! A new request is admitted only while `in flight + completed within the window < limit`.
//! Any `window`-long stretch of server time then holds at most `limit` of this client's
//! requests, whatever the network delays: every request the server counted in the window
//! before handling a new one was, when the new one was admitted, either still in flight or
//! completed less than a window before.
//!
//! Waiting is a sleep until the oldest completion leaves the window, or until an in-flight
//! request completes (then the count is checked again). Waiters take turns in arrival order.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Counts listing requests for one client (and its clones).
#[derive(Debug)]
pub(crate) struct Pacer {
    /// Requests allowed per window; 0 = no pacing.
    limit: u32,
    window: Duration,
    state: Mutex<Count>,
    /// Woken on every completion.
    completed: Notify,
    /// One waiter at a time, in arrival order (tokio's mutex is fair).
    turn: tokio::sync::Mutex<()>,
    /// Total time spent waiting for admission, in nanoseconds.
    waited_nanos: AtomicU64,
}

#[derive(Debug, Default)]
struct Count {
    in_flight: u32,
    /// When each request still inside the window completed, oldest first. Never longer than
    /// `limit`: `in_flight + done.len() <= limit` at all times.
    done: VecDeque<Instant>,
}

/// An admitted listing request. Dropping it marks the request completed: keep it until the
/// answer (or the failure) is in hand.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    pacer: &'a Pacer,
}

impl Pacer {
    /// At most `limit` requests in any `window`; `limit == 0` disables pacing.
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            state: Mutex::new(Count::default()),
            completed: Notify::new(),
            turn: tokio::sync::Mutex::new(()),
            waited_nanos: AtomicU64::new(0),
        }
    }

    /// Total time requests have waited for admission so far (summed over concurrent waiters).
    pub(crate) fn waited(&self) -> Duration {
        Duration::from_nanos(self.waited_nanos.load(Ordering::Relaxed))
    }

    /// Waits until one more request may be sent, and counts it as in flight. `None` when
    /// pacing is off. Cancel-safe: dropping the future before it resolves counts no request
    /// (the time it waited is still added to [`Pacer::waited`]).
    pub(crate) async fn admit(&self) -> Option<Permit<'_>> {
        if self.limit == 0 {
            return None;
        }
        let mut clock = WaitClock {
            pacer: self,
            started: Instant::now(),
            waited: false,
        };
        let _turn = match self.turn.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                clock.waited = true;
                self.turn.lock().await
            }
        };
        loop {
            // Created before the count is read, so a completion between the read and the
            // wait below still wakes it (`notify_waiters` reaches every `Notified` created
            // before the call, polled or not).
            let notified = self.completed.notified();
            let oldest_leaves = {
                let mut count = self.count();
                let now = Instant::now();
                while count
                    .done
                    .front()
                    .is_some_and(|&at| at + self.window <= now)
                {
                    count.done.pop_front();
                }
                if count.in_flight as usize + count.done.len() < self.limit as usize {
                    count.in_flight += 1;
                    break;
                }
                count.done.front().map(|&at| at + self.window)
            };
            clock.waited = true;
            match oldest_leaves {
                Some(at) => {
                    let _ = tokio::time::timeout_at(at, notified).await;
                }
                // Everything counted is in flight: wait for a completion.
                None => notified.await,
            }
        }
        drop(clock);
        Some(Permit { pacer: self })
    }

    fn count(&self) -> std::sync::MutexGuard<'_, Count> {
        // Nothing panics while holding it; a poisoned count is still a valid count.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Adds the time one call of [`Pacer::admit`] waited (if it had to) when it ends, admitted or
/// cancelled.
struct WaitClock<'a> {
    pacer: &'a Pacer,
    started: Instant,
    waited: bool,
}

impl Drop for WaitClock<'_> {
    fn drop(&mut self) {
        if !self.waited {
            return;
        }
        let waited = self.started.elapsed();
        let nanos = u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX);
        self.pacer.waited_nanos.fetch_add(nanos, Ordering::Relaxed);
        tracing::debug!(
            waited_ms = waited.as_millis() as u64,
            limit = self.pacer.limit,
            window_ms = self.pacer.window.as_millis() as u64,
            "paced a profile listing request"
        );
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        {
            let mut count = self.pacer.count();
            count.in_flight = count.in_flight.saturating_sub(1);
            count.done.push_back(Instant::now());
        }
        self.pacer.completed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    //! On tokio's paused clock: sleeps end exactly when due, so times are exact.

    use std::sync::Arc;

    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn the_next_request_waits_a_window_after_the_oldest_completion() {
        let pacer = Pacer::new(3, MINUTE);
        let t0 = Instant::now();
        for _ in 0..3 {
            drop(pacer.admit().await.expect("pacing on"));
        }
        assert_eq!(pacer.waited(), Duration::ZERO, "no wait within the limit");
        tokio::time::advance(Duration::from_secs(10)).await;
        let fourth = pacer.admit().await.expect("pacing on");
        assert_eq!(
            t0.elapsed(),
            MINUTE,
            "when the first completion left the window"
        );
        assert_eq!(pacer.waited(), Duration::from_secs(50));
        drop(fourth);
        // The other two completed at t0 too: the fifth goes at once.
        let _fifth = pacer.admit().await;
        assert_eq!(t0.elapsed(), MINUTE);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_requests_count_and_their_completion_starts_their_window() {
        let pacer = Arc::new(Pacer::new(2, MINUTE));
        let t0 = Instant::now();
        let first = pacer.admit().await.expect("on");
        let second = pacer.admit().await.expect("on");
        let waiter = {
            let pacer = pacer.clone();
            tokio::spawn(async move {
                let _third = pacer.admit().await;
                t0.elapsed()
            })
        };
        // In flight for 30 s (a slow answer), then completed: the waiter now has to wait for
        // that completion to leave the window, not for a window after it was sent.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(first);
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(second);
        assert_eq!(waiter.await.expect("task"), Duration::from_secs(90));
    }

    #[tokio::test(start_paused = true)]
    async fn a_limit_of_zero_never_waits_and_counts_nothing() {
        let pacer = Pacer::new(0, MINUTE);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(pacer.admit().await.is_none());
        }
        assert_eq!(t0.elapsed(), Duration::ZERO);
        assert_eq!(pacer.waited(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_takes_no_place() {
        let pacer = Pacer::new(1, MINUTE);
        let held = pacer.admit().await;
        let gave_up = tokio::time::timeout(Duration::from_secs(1), pacer.admit()).await;
        assert!(gave_up.is_err(), "still waiting");
        assert_eq!(pacer.waited(), Duration::from_secs(1), "the wait counts");
        drop(held);
        let t0 = Instant::now();
        let _next = pacer.admit().await;
        assert_eq!(
            t0.elapsed(),
            MINUTE,
            "one completion to wait out, nothing more"
        );
    }

    /// 40 tasks, 5 requests each, random answer times: in every window no more than `limit`
    /// requests are in flight or completed (so the server, which counts each one somewhere
    /// between its admission and its completion, never sees more), and nobody starves.
    #[tokio::test(start_paused = true)]
    async fn many_tasks_sharing_one_pacer_never_exceed_the_limit() {
        const LIMIT: usize = 7;
        let pacer = Arc::new(Pacer::new(LIMIT as u32, MINUTE));
        let spans = Arc::new(Mutex::new(Vec::<(Instant, Instant)>::new()));
        let t0 = Instant::now();
        let tasks: Vec<_> = (0..40u64)
            .map(|task| {
                let (pacer, spans) = (pacer.clone(), spans.clone());
                tokio::spawn(async move {
                    for k in 0..5u64 {
                        let permit = pacer.admit().await;
                        let admitted = Instant::now();
                        // 0 to 12 s "on the network", varying per task and request
                        let ms = (task * 7919 + k * 104_729) % 12_000;
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        drop(permit);
                        spans.lock().unwrap().push((admitted, Instant::now()));
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
        let spans = spans.lock().unwrap().clone();
        assert_eq!(spans.len(), 200);
        for &(admitted, _) in &spans {
            // Requests the server might count in the window ending at this admission.
            let counted = spans
                .iter()
                .filter(|&&(a, c)| a <= admitted && c + MINUTE > admitted)
                .count();
            assert!(counted <= LIMIT, "{counted} in one window");
        }
        // 200 requests, 7 at a time, each slot free again a minute after its completion: at
        // least 28 minutes; and well under 40 (nobody starves, no slot is lost).
        let took = t0.elapsed();
        assert!(took >= 28 * MINUTE && took < 40 * MINUTE, "{took:?}");
        assert!(pacer.waited() > Duration::ZERO);
    }
}
