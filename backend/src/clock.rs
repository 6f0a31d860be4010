//! Where "now" comes from: one injectable clock for the server, the ingest, the operator
//! scheduler and the simulator (tests and replays set it; production reads the system time).

use std::sync::Arc;

use jiff::Timestamp;

/// Where "now" comes from. The system clock in production; tests and replays set it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(Timestamp::now))
    }

    pub fn fixed(at: Timestamp) -> Self {
        Clock(Arc::new(move || at))
    }

    /// A clock that reads `now` from a function (tests move time forward with it).
    pub fn from_fn(now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// A clock that runs at real speed from `start` (demos and tests at a busy hour).
    pub fn starting_at(start: Timestamp) -> Self {
        let started = std::time::Instant::now();
        Clock::from_fn(move || {
            let elapsed = jiff::SignedDuration::try_from(started.elapsed())
                .unwrap_or(jiff::SignedDuration::ZERO);
            start.saturating_add(elapsed).unwrap_or(start)
        })
    }

    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}
