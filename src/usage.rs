//! Anonymous usage counts for admins: command × language × day (UTC), counted in memory
//! and added to the store in batches, so answering never waits on a write.
//!
//! Plain data and counting only: the store writes and reads these rows
//! (`store::usage`), the app flushes them (`App::flush_usage`), `/stats` shows them.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};

use crate::lang::Lang;

/// One row of usage: on `day` (UTC, YYYY-MM-DD), `command` ran `count` times in `lang`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Usage {
    pub day: String,
    pub command: String,
    pub lang: String,
    pub count: i64,
}

/// A row as both store backends read it: day, command, lang, count.
pub type UsageRow = (String, String, String, i64);

impl From<UsageRow> for Usage {
    fn from((day, command, lang, count): UsageRow) -> Usage {
        Usage {
            day,
            command,
            lang,
            count,
        }
    }
}

/// Keyed by the UTC date as a value: counting costs no date formatting.
#[derive(Debug, Default)]
pub struct UsageCounter {
    pending: Mutex<HashMap<(Date, &'static str, Lang), i64>>,
}

impl UsageCounter {
    pub fn count(&self, command: &'static str, lang: Lang) {
        let day = utc_today();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *pending.entry((day, command, lang)).or_insert(0) += 1;
    }

    /// Everything counted since the last take, ready to add to the store.
    pub fn take(&self) -> Vec<Usage> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending
            .drain()
            .map(|((day, command, lang), count)| Usage {
                day: day.to_string(),
                command: command.to_string(),
                lang: lang.code().to_string(),
                count,
            })
            .collect()
    }

    /// Puts back counts a failed write could not store, so none are lost. `counted`
    /// gives the static name for a stored one (`input::counted::counted_name`); a name
    /// no longer counted is dropped.
    pub fn restore(&self, rows: Vec<Usage>, counted: impl Fn(&str) -> Option<&'static str>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for r in rows {
            let (Ok(day), Some(command), Ok(lang)) = (
                r.day.parse::<Date>(),
                counted(&r.command),
                r.lang.parse::<Lang>(),
            ) else {
                continue;
            };
            *pending.entry((day, command, lang)).or_insert(0) += r.count;
        }
    }
}

/// Today's date in UTC as YYYY-MM-DD.
pub fn today() -> String {
    days_ago(0)
}

/// The UTC date `n` days before today, as YYYY-MM-DD.
pub fn days_ago(n: i64) -> String {
    utc_today().saturating_sub(n.days()).to_string()
}

/// Days are counted in UTC, whatever the server's zone, so replicas agree.
fn utc_today() -> Date {
    Offset::UTC.to_datetime(Timestamp::now()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_iso_dates_in_utc() {
        let today = utc_today();
        assert_eq!(days_ago(0), today.to_string());
        assert_eq!(days_ago(0), super::today());
        let week_ago: Date = days_ago(6).parse().unwrap();
        assert_eq!(week_ago.until(today).unwrap().get_days(), 6);
        assert_eq!(jiff::civil::date(2000, 2, 29).to_string(), "2000-02-29");
    }

    #[test]
    fn counts_from_other_days_are_restored_too() {
        let c = UsageCounter::default();
        c.restore(
            vec![Usage {
                day: "2022-01-05".into(),
                command: "help".into(),
                lang: "ru".into(),
                count: 2,
            }],
            |_| Some("help"),
        );
        let rows = c.take();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].day.as_str(), rows[0].count), ("2022-01-05", 2));
    }

    #[test]
    fn counts_are_taken_once_and_restored_after_a_failed_write() {
        let c = UsageCounter::default();
        c.count("help", Lang::Kk);
        c.count("help", Lang::Kk);
        c.count("timeline", Lang::En);
        let mut rows = c.take();
        rows.sort_by(|a, b| a.command.cmp(&b.command));
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].command.as_str(), rows[0].count), ("help", 2));
        assert!(c.take().is_empty());
        c.restore(rows, |n| ["help", "timeline"].into_iter().find(|c| *c == n));
        assert_eq!(c.take().iter().map(|u| u.count).sum::<i64>(), 3);
    }
}
