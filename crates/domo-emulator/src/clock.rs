//! The emulator's clock: every "now" it answers with (timestamps, `NOW()`,
//! token and session expiry) and every time limit it enforces
//! (`--query-timeout` on queries and streamed replies) reads it, never the
//! system clock directly.
//!
//! A [`Clock`] is the system's (the default), shifted by an offset
//! (`--clock-offset`, `--now`), or a [`ManualClock`] that moves only when a
//! test says so. Tests then let time pass with [`ManualClock::advance`]
//! instead of sleeping: a token expires, a runaway query is stopped, a
//! client that reads nothing is let go, the moment the test advances the
//! clock, however busy the machine is.
//!
//! Time limits are [`Deadline`]s. On the system clock a deadline is an
//! `Instant` (monotonic: a change of the wall clock never ends a query
//! early); on a manual clock it is a point on that clock, and each one
//! armed is counted by its [`Timer`] kind, so a test can wait until the
//! emulator has reached the point it wants to time out
//! ([`ManualClock::wait_for`]) before advancing.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What a time limit is for; a manual clock counts armed deadlines by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A query running in SQLite (SQL, `/data/v1`): armed when SQLite
    /// starts on it, so one armed `Query` timer is one query at work.
    Query,
    /// A streamed reply bounded as a whole (SQL, `/data` as JSON): armed
    /// when the reply's task starts, before its query.
    Reply,
    /// A CSV export waiting for its client to take the next chunk: armed
    /// only while the export cannot hand a chunk over.
    ClientRead,
}

/// The clock the emulator reads. Cloning shares it: a manual clock's
/// clones all move together.
#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    /// The system clock plus `offset_ms`.
    System {
        offset_ms: i64,
    },
    Manual(Arc<Manual>),
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::System { offset_ms: 0 } => f.write_str("Clock::system()"),
            Source::System { offset_ms } => write!(f, "Clock::offset_by({offset_ms} ms)"),
            Source::Manual(m) => write!(f, "Clock::manual(at {} ms)", m.lock().now_ms),
        }
    }
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Clock {
    /// The system clock, as Domo's servers read theirs.
    pub fn system() -> Self {
        Clock(Source::System { offset_ms: 0 })
    }

    /// The system clock shifted by `offset_ms` (negative: in the past); it
    /// runs at the system's pace. `--clock-offset`.
    pub fn offset_by(offset_ms: i64) -> Self {
        Clock(Source::System { offset_ms })
    }

    /// The system clock's pace, starting now at `epoch_ms` (milliseconds
    /// since 1970-01-01 UTC). `--now`.
    pub fn starting_at(epoch_ms: i64) -> Self {
        Self::offset_by(epoch_ms.saturating_sub(system_ms()))
    }

    /// Milliseconds since 1970-01-01 UTC.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Source::System { offset_ms } => system_ms().saturating_add(*offset_ms),
            Source::Manual(m) => m.lock().now_ms,
        }
    }

    /// A time limit `after` from now, of kind `timer`.
    pub(crate) fn deadline(&self, timer: Timer, after: Duration) -> Deadline {
        match &self.0 {
            Source::System { .. } => {
                // Far beyond any run: `Instant` cannot hold every Duration.
                let at = Instant::now()
                    .checked_add(after)
                    .unwrap_or_else(|| Instant::now() + Duration::from_secs(1 << 32));
                Deadline(Armed::System(at))
            }
            Source::Manual(m) => {
                let after_ms = i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
                let mut state = m.lock();
                let at_ms = state.now_ms.saturating_add(after_ms);
                let id = state.next_id;
                state.next_id += 1;
                state.armed.insert(id, (timer, at_ms));
                drop(state);
                m.changed.notify_waiters();
                Deadline(Armed::Manual {
                    clock: Arc::clone(m),
                    id,
                    at_ms,
                })
            }
        }
    }
}

/// A clock that moves only when told: for tests of expiry and time limits
/// that must not wait on the wall clock.
///
/// ```
/// # use std::time::Duration;
/// let manual = domo_emulator::ManualClock::at(1_700_000_000_000);
/// let config = domo_emulator::EmulatorConfig {
///     clock: manual.clock(),
///     ..domo_emulator::EmulatorConfig::ephemeral()
/// };
/// manual.advance(Duration::from_secs(3600)); // an hour passes, at once
/// assert_eq!(config.clock.now_ms(), 1_700_003_600_000);
/// ```
#[derive(Clone)]
pub struct ManualClock(Arc<Manual>);

struct Manual {
    state: Mutex<ManualState>,
    /// Woken whenever the time moves or a deadline is armed or dropped.
    changed: tokio::sync::Notify,
}

struct ManualState {
    now_ms: i64,
    /// Armed deadlines by id: their kind and when they pass.
    armed: BTreeMap<u64, (Timer, i64)>,
    next_id: u64,
}

impl Manual {
    fn lock(&self) -> MutexGuard<'_, ManualState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.0.lock();
        f.debug_struct("ManualClock")
            .field("now_ms", &state.now_ms)
            .field("armed", &state.armed.len())
            .finish()
    }
}

impl ManualClock {
    /// A clock standing at `epoch_ms` (milliseconds since 1970-01-01 UTC).
    pub fn at(epoch_ms: i64) -> Self {
        ManualClock(Arc::new(Manual {
            state: Mutex::new(ManualState {
                now_ms: epoch_ms,
                armed: BTreeMap::new(),
                next_id: 0,
            }),
            changed: tokio::sync::Notify::new(),
        }))
    }

    /// A clock standing at the system's time now.
    pub fn at_system_time() -> Self {
        Self::at(system_ms())
    }

    /// The [`Clock`] to give the emulator (`EmulatorConfig::clock`).
    pub fn clock(&self) -> Clock {
        Clock(Source::Manual(Arc::clone(&self.0)))
    }

    /// Milliseconds since 1970-01-01 UTC on this clock.
    pub fn now_ms(&self) -> i64 {
        self.0.lock().now_ms
    }

    /// Lets `by` pass at once. Returns how many armed deadlines this made
    /// pass: each of them ends what it bounds (a query, a reply, a client
    /// left unread), even one whose work finished at the same moment.
    pub fn advance(&self, by: Duration) -> usize {
        let by_ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let mut state = self.0.lock();
        let before = state.now_ms;
        state.now_ms = before.saturating_add(by_ms);
        let now = state.now_ms;
        let passed = state
            .armed
            .values()
            .filter(|(_, at)| *at > before && *at <= now)
            .count();
        drop(state);
        self.0.changed.notify_waiters();
        passed
    }

    /// How many deadlines of kind `timer` are armed now.
    pub fn armed(&self, timer: Timer) -> usize {
        self.0
            .lock()
            .armed
            .values()
            .filter(|(t, _)| *t == timer)
            .count()
    }

    /// Waits until at least `n` deadlines of kind `timer` are armed: e.g.
    /// `wait_for(Timer::Query, 3)` returns once three queries are in
    /// SQLite, so advancing the clock then times all three out.
    pub async fn wait_for(&self, timer: Timer, n: usize) {
        loop {
            let changed = self.0.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.armed(timer) >= n {
                return;
            }
            changed.await;
        }
    }
}

/// A time limit on the emulator's clock. On a manual clock it counts as
/// armed until dropped or [`Deadline::close`]d.
#[derive(Debug)]
pub(crate) struct Deadline(Armed);

enum Armed {
    System(Instant),
    Manual {
        clock: Arc<Manual>,
        id: u64,
        at_ms: i64,
    },
}

impl fmt::Debug for Armed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Armed::System(at) => write!(f, "System({at:?})"),
            Armed::Manual { at_ms, .. } => write!(f, "Manual(at {at_ms} ms)"),
        }
    }
}

impl Deadline {
    /// Whether the limit has passed.
    pub(crate) fn passed(&self) -> bool {
        match &self.0 {
            Armed::System(at) => Instant::now() >= *at,
            Armed::Manual { clock, at_ms, .. } => clock.lock().now_ms >= *at_ms,
        }
    }

    /// Completes once the limit has passed.
    pub(crate) async fn reached(&self) {
        match &self.0 {
            Armed::System(at) => {
                tokio::time::sleep_until(tokio::time::Instant::from_std(*at)).await
            }
            Armed::Manual { clock, .. } => loop {
                let changed = clock.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                if self.passed() {
                    return;
                }
                changed.await;
            },
        }
    }

    /// Disarms the deadline and says whether it had passed, in one step:
    /// a deadline that `ManualClock::advance` counted as passed is passed
    /// here too, even if the work it bounds finished at the same moment.
    pub(crate) fn close(mut self) -> bool {
        match &mut self.0 {
            Armed::System(at) => Instant::now() >= *at,
            Armed::Manual { clock, id, at_ms } => {
                let mut state = clock.lock();
                state.armed.remove(id);
                let passed = state.now_ms >= *at_ms;
                drop(state);
                clock.changed.notify_waiters();
                passed
            }
        }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Armed::Manual { clock, id, .. } = &self.0 {
            let removed = clock.lock().armed.remove(id).is_some();
            if removed {
                clock.changed.notify_waiters();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let manual = ManualClock::at(1_000);
        let clock = manual.clock();
        assert_eq!(clock.now_ms(), 1_000);
        let d = clock.deadline(Timer::Query, Duration::from_millis(500));
        assert_eq!(manual.armed(Timer::Query), 1);
        assert!(!d.passed());
        assert_eq!(manual.advance(Duration::from_millis(499)), 0);
        assert!(!d.passed());
        assert_eq!(manual.advance(Duration::from_millis(1)), 1);
        assert!(d.passed());
        // Counted once: a later advance does not count it again.
        assert_eq!(manual.advance(Duration::from_secs(1)), 0);
        drop(d);
        assert_eq!(manual.armed(Timer::Query), 0);
        assert_eq!(clock.now_ms(), 2_500);
    }

    #[test]
    fn close_agrees_with_advance() {
        let manual = ManualClock::at(0);
        let d = manual
            .clock()
            .deadline(Timer::ClientRead, Duration::from_secs(1));
        assert_eq!(manual.advance(Duration::from_secs(2)), 1);
        assert!(d.close(), "counted as passed by advance, so passed");
        assert_eq!(manual.armed(Timer::ClientRead), 0);
        let d = manual
            .clock()
            .deadline(Timer::ClientRead, Duration::from_secs(1));
        assert!(!d.close());
        assert_eq!(manual.advance(Duration::from_secs(2)), 0, "closed first");
    }

    #[test]
    fn offsets_shift_the_system_clock() {
        let ahead = Clock::offset_by(86_400_000).now_ms();
        let now = Clock::system().now_ms();
        assert!((ahead - now - 86_400_000).abs() < 60_000);
        let then = Clock::starting_at(0).now_ms();
        assert!((0..60_000).contains(&then), "{then}");
    }

    #[tokio::test]
    async fn waiters_wake_when_the_clock_moves() {
        let manual = ManualClock::at(0);
        let clock = manual.clock();
        let waiting = {
            let manual = manual.clone();
            tokio::spawn(async move {
                let d = clock.deadline(Timer::Reply, Duration::from_secs(30));
                d.reached().await;
                manual.now_ms()
            })
        };
        manual.wait_for(Timer::Reply, 1).await;
        manual.advance(Duration::from_secs(30));
        assert_eq!(waiting.await.unwrap(), 30_000);
    }
}
