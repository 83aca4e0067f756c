//! Calendar dates as curators write them: a day (`2022-01-05`) or only a month (`2022-05`).

use std::fmt;
use std::str::FromStr;

/// A date with day or month precision. Ordering treats a month-only date as its first day,
/// so a month sorts before the days inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct Date {
    pub year: u16,
    pub month: u8,
    /// `None` when only the month is known.
    pub day: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: write YYYY-MM-DD, or YYYY-MM when only the month is known")]
pub struct BadDate(pub String);

impl FromStr for Date {
    type Err = BadDate;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDate(s.chars().take(40).collect());
        let parts: Vec<&str> = s.split('-').collect();
        let number = |p: &str, len: usize| -> Option<u16> {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let (year, month, day) = match parts.as_slice() {
            [y, m] => (number(y, 4), number(m, 2), None),
            [y, m, d] => (
                number(y, 4),
                number(m, 2),
                Some(number(d, 2).ok_or_else(bad)?),
            ),
            _ => return Err(bad()),
        };
        let (year, month) = (year.ok_or_else(bad)?, month.ok_or_else(bad)?);
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        if let Some(day) = day
            && (day == 0 || day > days_in_month(year, month as u8) as u16)
        {
            return Err(bad());
        }
        Ok(Date {
            year,
            month: month as u8,
            day: day.map(|d| d as u8),
        })
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.day {
            Some(d) => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, d),
            None => write!(f, "{:04}-{:02}", self.year, self.month),
        }
    }
}

impl TryFrom<String> for Date {
    type Error = BadDate;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_months() {
        let d: Date = "2022-01-05".parse().unwrap();
        assert_eq!((d.year, d.month, d.day), (2022, 1, Some(5)));
        let m: Date = "2022-05".parse().unwrap();
        assert_eq!(m.day, None);
        assert_eq!(m.to_string(), "2022-05");
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in [
            "2022-13-01",
            "2022-02-30",
            "2022-1-5",
            "22-01-05",
            "2022/01/05",
            "",
            "x",
        ] {
            assert!(s.parse::<Date>().is_err(), "{s}");
        }
    }

    #[test]
    fn a_month_sorts_before_its_days() {
        let m: Date = "2022-01".parse().unwrap();
        let d: Date = "2022-01-01".parse().unwrap();
        assert!(m < d);
    }
}
