//! The calendar days on which "on this day" may post (`QANTAR_DAILY_WINDOW`): ranges
//! of month-days such as `01-02..01-19`, or `all`. Outside the window a day with events
//! stays silent, so the bot does not post "4 years ago today" on 20 December, weeks
//! before the anniversary it is run for.

use std::fmt;

/// A month and day, `(month, day)`.
type MonthDay = (u8, u8);

/// The days a day's message may go on; `None` is every day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window(Option<Vec<(MonthDay, MonthDay)>>);

/// The anniversary: from the first protests to the end of the state of emergency.
pub const DEFAULT_WINDOW: &str = "01-02..01-19";

impl Window {
    pub fn all() -> Window {
        Window(None)
    }

    /// Whether `(month, day)` is in the window. A range whose end comes before its start
    /// runs over the new year (`12-20..01-19`).
    pub fn contains(&self, month: u8, day: u8) -> bool {
        let Some(ranges) = &self.0 else {
            return true;
        };
        let d = (month, day);
        ranges.iter().any(|&(from, to)| {
            if from <= to {
                from <= d && d <= to
            } else {
                d >= from || d <= to
            }
        })
    }

    /// The days of `days` (month, day) in the window.
    pub fn filter(&self, days: &[MonthDay]) -> Vec<MonthDay> {
        days.iter()
            .copied()
            .filter(|&(m, d)| self.contains(m, d))
            .collect()
    }
}

impl Default for Window {
    fn default() -> Window {
        parse_window(DEFAULT_WINDOW).unwrap_or_else(|_| Window::all())
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(ranges) = &self.0 else {
            return f.write_str("all");
        };
        let parts: Vec<String> = ranges
            .iter()
            .map(|((m1, d1), (m2, d2))| format!("{m1:02}-{d1:02}..{m2:02}-{d2:02}"))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// `MM-DD..MM-DD[,MM-DD..MM-DD…]`, a single `MM-DD`, or `all`.
pub fn parse_window(raw: &str) -> Result<Window, String> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("all") {
        return Ok(Window::all());
    }
    let mut ranges = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (from, to) = part.split_once("..").unwrap_or((part, part));
        ranges.push((month_day(from)?, month_day(to)?));
    }
    if ranges.is_empty() {
        return Err(format!(
            "`{raw}` names no days: write ranges such as {DEFAULT_WINDOW}, or all"
        ));
    }
    Ok(Window(Some(ranges)))
}

fn month_day(s: &str) -> Result<MonthDay, String> {
    let bad = || format!("`{s}` is not a month and day: write it as MM-DD, e.g. 01-05");
    let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
    if m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (m, d): (u8, u8) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // February has its 29th: a window is about the calendar, not one year.
    let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    match days.get(usize::from(m).wrapping_sub(1)) {
        Some(&last) if (1..=last).contains(&d) => Ok((m, d)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_anniversary() {
        let w = Window::default();
        assert_eq!(w.to_string(), DEFAULT_WINDOW);
        assert!(!w.contains(1, 1));
        assert!(w.contains(1, 2));
        assert!(w.contains(1, 19));
        assert!(!w.contains(1, 20));
        assert!(!w.contains(12, 20), "not before the anniversary");
        assert!(!w.contains(4, 24));
    }

    #[test]
    fn ranges_may_run_over_the_new_year_and_be_listed() {
        let w = parse_window("12-30..01-03, 04-24").unwrap();
        for (m, d, inside) in [(12, 29, false), (12, 30, true), (1, 3, true), (1, 4, false)] {
            assert_eq!(w.contains(m, d), inside, "{m}-{d}");
        }
        assert!(w.contains(4, 24) && !w.contains(4, 25));
        assert!(parse_window("all").unwrap().contains(7, 7));
        assert_eq!(parse_window("All").unwrap().to_string(), "all");
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "13-01..01-02",
            "01-32",
            "1-5",
            "01-05..",
            "02-30",
            "jan",
        ] {
            assert!(parse_window(bad).is_err(), "{bad:?}");
        }
        assert!(parse_window("02-29").is_ok());
    }
}
