//! One time unit per run: every time in a timeline is printed in the same unit with the same
//! number of decimals, right-aligned, so a column of times reads like a column of numbers
//! (not "837.814us" above "1.336482ms"). Durations are printed as durations, in the same unit.

use sim_core::{Duration, RunReport, Time};

/// How a run's times are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// The unit's name ("ms").
    pub unit: &'static str,
    /// Nanoseconds per unit.
    scale: u64,
    /// Decimals printed: down to the microsecond.
    decimals: usize,
    /// The width of the longest time of the run.
    width: usize,
}

impl Clock {
    /// The clock for times up to `latest`: seconds from one second on, milliseconds from one
    /// millisecond, else microseconds; always to the microsecond.
    pub fn up_to(latest: Time) -> Self {
        let (unit, scale, decimals) = match latest.as_nanos() {
            n if n >= 1_000_000_000 => ("s", 1_000_000_000, 6),
            n if n >= 1_000_000 => ("ms", 1_000_000, 3),
            _ => ("us", 1_000, 0),
        };
        let mut clock = Clock {
            unit,
            scale,
            decimals,
            width: 0,
        };
        clock.width = clock.number(latest.as_nanos()).len();
        clock
    }

    /// The clock of a run: its unit fits the latest time anywhere in it (trace, plan, end).
    pub fn of(report: &RunReport) -> Self {
        let trace = report.trace.as_deref().unwrap_or(&[]);
        let latest = trace
            .iter()
            .map(|e| e.time)
            .chain(report.plan.events.iter().map(|f| f.at))
            .chain([report.stats.end_time])
            .max()
            .unwrap_or(Time::ZERO);
        Clock::up_to(latest)
    }

    /// `ns` in this unit, rounded to the printed decimals.
    fn number(&self, ns: u64) -> String {
        let step = self.scale / 10u64.pow(self.decimals as u32);
        // Rounded half up without overflow: a time near 2^64 ns is printed, not wrapped to 0.
        let rounded = ns / step + u64::from(ns % step >= step - step / 2);
        let per_unit = 10u64.pow(self.decimals as u32);
        if self.decimals == 0 {
            format!("{rounded}")
        } else {
            format!(
                "{}.{:0width$}",
                rounded / per_unit,
                rounded % per_unit,
                width = self.decimals
            )
        }
    }

    /// A time, right-aligned to the run's widest time, without the unit (the column header
    /// names it).
    pub fn time(&self, t: Time) -> String {
        format!("{:>width$}", self.number(t.as_nanos()), width = self.width)
    }

    /// A time with its unit, for prose ("at 4.771ms").
    pub fn at(&self, t: Time) -> String {
        format!("{}{}", self.number(t.as_nanos()), self.unit)
    }

    /// A duration with its unit ("8.000ms").
    pub fn span(&self, d: Duration) -> String {
        format!("{}{}", self.number(d.as_nanos()), self.unit)
    }

    /// Nanoseconds per unit.
    pub fn unit_ns(&self) -> u64 {
        self.scale
    }

    /// The width of a time column.
    pub fn width(&self) -> usize {
        self.width
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unit_per_run_aligned() {
        let c = Clock::up_to(Time(1_336_482));
        assert_eq!(c.time(Time(837_814)), "0.838");
        assert_eq!(c.time(Time(1_336_482)), "1.336");
        assert_eq!(c.at(Time(12_000_000)), "12.000ms");
        let c = Clock::up_to(Time(25_000_000));
        assert_eq!(c.time(Time(837_814)), " 0.838");
        assert_eq!(c.span(Duration::from_millis(300)), "300.000ms");
        let c = Clock::up_to(Time(900_000));
        assert_eq!((c.unit, c.time(Time(837_814))), ("us", "838".to_string()));
        let c = Clock::up_to(Time(2_500_000_000));
        assert_eq!(c.at(Time(2_500_000_000)), "2.500000s");
        assert_eq!(c.at(Time(2_500_000_500)), "2.500001s");
        assert_eq!(c.at(Time(2_500_000_499)), "2.500000s");
    }

    #[test]
    fn the_latest_time_there_is_is_printed_not_wrapped() {
        let c = Clock::up_to(Time(u64::MAX));
        assert_eq!(c.at(Time(u64::MAX)), "18446744073.709552s");
        assert_eq!(c.time(Time(1_000)), "          0.000001");
    }
}
