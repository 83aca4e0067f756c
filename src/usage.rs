//! Anonymous usage counts for admins: command × language × day (UTC), counted in memory
//! and added to the store in batches, so answering never waits on a write.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::lang::Lang;
use crate::store::Usage;

/// Keyed by days since 1970 (UTC): counting costs no date formatting.
#[derive(Debug, Default)]
pub struct UsageCounter {
    pending: Mutex<HashMap<(i64, &'static str, Lang), i64>>,
}

impl UsageCounter {
    pub fn count(&self, command: &'static str, lang: Lang) {
        let day = epoch_day(0);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *pending.entry((day, command, lang)).or_insert(0) += 1;
    }

    /// Everything counted since the last take, ready to add to the store.
    pub fn take(&self) -> Vec<Usage> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending
            .drain()
            .map(|((day, command, lang), count)| Usage {
                day: format_day(day),
                command: command.to_string(),
                lang: lang.code().to_string(),
                count,
            })
            .collect()
    }

    /// Puts back counts a failed write could not store, so none are lost.
    pub fn restore(&self, rows: Vec<Usage>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for r in rows {
            let (Some(day), Some(command), Ok(lang)) = (
                parse_day(&r.day),
                crate::decide::counted_name(&r.command),
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
    format_day(epoch_day(n))
}

/// Days since 1970-01-01 (UTC), `n` days ago.
fn epoch_day(n: i64) -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    secs.div_euclid(86_400) - n
}

fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of a date this module formatted; `None` for anything else.
fn parse_day(text: &str) -> Option<i64> {
    // The counts in flight are at most a minute old: today or the day before.
    (0..2).map(epoch_day).find(|d| format_day(*d) == text)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Adds the counts gathered so far to the store; on failure they wait for next time.
pub async fn flush(
    counter: &UsageCounter,
    store: &crate::store::Store,
    metrics: &crate::metrics::Metrics,
) {
    let rows = counter.take();
    if rows.is_empty() {
        return;
    }
    if let Err(e) = store.add_usage(&rows).await {
        metrics.store_error("write");
        log::warn!("usage write failed, keeping the counts for later: {e}");
        counter.restore(rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(18_994), (2022, 1, 2));
        assert_eq!(civil_from_days(19_051), (2022, 2, 28));
        assert_eq!(civil_from_days(19_052), (2022, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
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
        c.restore(rows);
        assert_eq!(c.take().iter().map(|u| u.count).sum::<i64>(), 3);
    }
}
