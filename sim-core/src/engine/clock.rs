//! Each node's view of time: its clock (which a skew fault can set off and make drift) and its
//! speed (which a fail-slow fault can lower). Nodes read their clock through `Ctx::now` and
//! set timers on it; the engine runs on real virtual time, so timer delays are converted.
//! A node whose clock was never touched reads real time, and costs nothing.

use crate::time::{Duration, Time};

/// One node's clock: `local(t) = base_local + (t - since) * (1 + drift)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Clock {
    since: Time,
    base_local: u64,
    drift_ppm: i32,
    /// Percent of normal speed (100 when not slow): stretches sends and timers.
    slow_pct: u32,
}

const MILLION: i128 = 1_000_000;

impl Clock {
    /// A clock that reads real time, at normal speed.
    pub(super) fn real() -> Self {
        Clock {
            slow_pct: 100,
            ..Clock::default()
        }
    }

    /// The node's time when the real time is `now`.
    #[inline]
    pub(super) fn local(&self, now: Time) -> Time {
        if self.drift_ppm == 0 && self.since == Time::ZERO && self.base_local == 0 {
            return now;
        }
        let elapsed = now.0.saturating_sub(self.since.0) as i128;
        let local =
            self.base_local as i128 + elapsed * (MILLION + self.drift_ppm as i128) / MILLION;
        Time(local.clamp(0, u64::MAX as i128) as u64)
    }

    /// From `now` on: `offset_ns` ahead of real time, drifting by `drift_ppm`.
    pub(super) fn skew(&mut self, now: Time, offset_ns: i64, drift_ppm: i32) {
        self.base_local = (now.0 as i128 + offset_ns as i128).clamp(0, u64::MAX as i128) as u64;
        self.since = now;
        self.drift_ppm = drift_ppm;
    }

    /// The real time a timer of `delay` on this clock takes (and the node's slowness): rounded
    /// up, so a timer never fires before its deadline on the node's clock.
    #[inline]
    pub(super) fn timer_delay(&self, delay: Duration) -> Duration {
        if self.drift_ppm == 0 {
            // The rounded quotient below is `delay` itself: spared its 128-bit division.
            return self.stretch(delay);
        }
        let rate = MILLION + self.drift_ppm as i128;
        let d = (delay.0 as i128 * MILLION + rate - 1) / rate;
        self.stretch(Duration(d.clamp(0, u64::MAX as i128) as u64))
    }

    /// A duration as long as the node's slowness makes it.
    #[inline]
    pub(super) fn stretch(&self, d: Duration) -> Duration {
        if self.slow_pct == 100 {
            return d;
        }
        Duration((d.0 as u128 * self.slow_pct as u128 / 100).min(u64::MAX as u128) as u64)
    }

    pub(super) fn set_slow(&mut self, pct: u32) {
        self.slow_pct = pct;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skewed_clock_runs_off_and_fires_timers_on_its_own_time() {
        let mut c = Clock::real();
        assert_eq!(c.local(Time(5_000)), Time(5_000));
        // At 1ms the clock jumps 2ms ahead and runs 10% fast.
        c.skew(Time(1_000_000), 2_000_000, 100_000);
        assert_eq!(c.local(Time(1_000_000)), Time(3_000_000));
        assert_eq!(c.local(Time(11_000_000)), Time(14_000_000));
        // A 11ms timer on a clock 10% fast takes 10ms of real time.
        assert_eq!(
            c.timer_delay(Duration::from_millis(11)),
            Duration::from_millis(10)
        );
        c.skew(Time(0), -5, 0);
        assert_eq!(c.local(Time(0)), Time(0), "never before the start");
    }

    #[test]
    fn a_slow_node_stretches_what_it_does() {
        let mut c = Clock::real();
        c.set_slow(400);
        assert_eq!(c.stretch(Duration(10)), Duration(40));
        assert_eq!(c.timer_delay(Duration(10)), Duration(40));
    }
}
