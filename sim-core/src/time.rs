//! Virtual time: integer nanoseconds, never floating-point seconds, so that arithmetic is exact
//! and identical on every machine.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in virtual time, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

/// A span of virtual time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub u64);

impl Time {
    /// The start of a run.
    pub const ZERO: Time = Time(0);
    /// The end of time (no run gets there).
    pub const MAX: Time = Time(u64::MAX);
    /// When what a script does not name happens: after the end of any run (about 292 years;
    /// below 2⁶³, which the event queue's buckets can hold).
    pub const NEVER: Time = Time(i64::MAX as u64);

    /// The time `ms` milliseconds after the start of the run.
    pub const fn from_millis(ms: u64) -> Self {
        Time(ms * 1_000_000)
    }

    /// Nanoseconds since the start of the run.
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// The span from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Time) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
}

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration(0);

    /// `ns` nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        Duration(ns)
    }
    /// `us` microseconds.
    pub const fn from_micros(us: u64) -> Self {
        Duration(us * 1_000)
    }
    /// `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        Duration(ms * 1_000_000)
    }
    /// `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        Duration(s * 1_000_000_000)
    }
    /// The span in nanoseconds.
    pub fn as_nanos(self) -> u64 {
        self.0
    }
}

impl Add<Duration> for Time {
    type Output = Time;
    fn add(self, d: Duration) -> Time {
        Time(self.0.saturating_add(d.0))
    }
}

impl AddAssign<Duration> for Time {
    fn add_assign(&mut self, d: Duration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}

impl Sub for Time {
    type Output = Duration;
    fn sub(self, t: Time) -> Duration {
        self.since(t)
    }
}

const UNITS: [(&str, u64); 5] = [
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("µs", 1_000),
    ("ns", 1),
];

/// Formats nanoseconds with the largest unit that keeps the number readable ("12.5ms", "3s").
fn format_nanos(ns: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if ns == 0 {
        return f.write_str("0ms");
    }
    let (unit, scale) = match ns {
        n if n >= 1_000_000_000 => ("s", 1_000_000_000),
        n if n >= 1_000_000 => ("ms", 1_000_000),
        n if n >= 1_000 => ("us", 1_000),
        _ => ("ns", 1),
    };
    let whole = ns / scale;
    let frac = ns % scale;
    if frac == 0 {
        return write!(f, "{whole}{unit}");
    }
    let digits = scale.ilog10() as usize;
    let s = format!("{frac:0digits$}");
    write!(f, "{whole}.{}{unit}", s.trim_end_matches('0'))
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_nanos(self.0, f)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_nanos(self.0, f)
    }
}

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDurationError(pub String);

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected a duration such as \"10ms\", \"2s\", \"1.5s\", \"250us\" or \"100ns\", \
             found {:?}",
            self.0
        )?;
        if let Some(odd) = odd_space(&self.0) {
            write!(
                f,
                " (it holds {} (U+{:04X}), which looks like a space but is not one; write \
                 the number and its unit together, such as \"1ms\")",
                space_name(odd),
                odd as u32
            )?;
        } else if self
            .0
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .count()
            > 11
        {
            write!(f, " (too long: at most {} nanoseconds)", u64::MAX)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseDurationError {}

/// A whitespace character other than the plain space (a non-breaking space pasted from a
/// document, a tab, a line break): a duration never holds one.
fn odd_space(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_whitespace() && *c != ' ')
}

fn space_name(c: char) -> &'static str {
    match c {
        '\u{a0}' => "a non-breaking space",
        '\u{202f}' => "a narrow non-breaking space",
        '\t' => "a tab",
        '\n' | '\r' => "a line break",
        _ => "an unusual space",
    }
}

impl std::str::FromStr for Duration {
    type Err = ParseDurationError;

    /// Parses "10ms", "2s", "1.5s", "250us", "100ns" (and "0") exactly, with integer arithmetic.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || ParseDurationError(text.to_string());
        if odd_space(text).is_some() {
            return Err(err());
        }
        let s = text.trim_matches(' ');
        if s == "0" {
            return Ok(Duration::ZERO);
        }
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(err)?;
        let (number, unit) = s.split_at(split);
        let scale = UNITS
            .iter()
            .find(|(u, _)| *u == unit.trim_matches(' '))
            .map(|(_, scale)| *scale)
            .ok_or_else(err)?;
        let (whole, frac) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(err());
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| err())?
        };
        let mut ns = whole.checked_mul(scale).ok_or_else(err)?;
        let mut place = scale;
        for c in frac.chars() {
            place /= 10;
            let digit = c.to_digit(10).ok_or_else(err)? as u64;
            if place == 0 {
                if digit != 0 {
                    return Err(err()); // finer than a nanosecond
                }
                continue;
            }
            ns = ns.checked_add(digit * place).ok_or_else(err)?;
        }
        Ok(Duration(ns))
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Duration(self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Duration::deserialize(d).map(|d| Time(d.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_exactly() {
        assert_eq!("10ms".parse::<Duration>(), Ok(Duration::from_millis(10)));
        assert_eq!("2s".parse::<Duration>(), Ok(Duration::from_secs(2)));
        assert_eq!("1.5s".parse::<Duration>(), Ok(Duration(1_500_000_000)));
        assert_eq!("250us".parse::<Duration>(), Ok(Duration(250_000)));
        assert_eq!("100ns".parse::<Duration>(), Ok(Duration(100)));
        assert_eq!("0".parse::<Duration>(), Ok(Duration::ZERO));
        assert_eq!(".5ms".parse::<Duration>(), Ok(Duration(500_000)));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "10",
            "ms",
            "10 parsecs",
            "1.2.3s",
            "-1ms",
            "0.1ns",
            "99999999999999s",
            "1\u{a0}ms",
            "1\tms",
            "1ms\n",
        ] {
            assert!(bad.parse::<Duration>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn display_round_trips() {
        for ns in [
            0,
            1,
            999,
            1_000,
            1_500_000,
            12_345_678,
            3_000_000_000,
            3_000_000_001,
        ] {
            let d = Duration(ns);
            assert_eq!(d.to_string().parse::<Duration>(), Ok(d), "{d}");
        }
        assert_eq!(Duration(12_500_000).to_string(), "12.5ms");
    }
}
