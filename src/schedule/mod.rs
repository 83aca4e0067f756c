//! When and where outreach goes, as plain values the app holds and the sender reads:
//! the operator's settings (`settings`: rate, channels, zone, the daily slot; `window`;
//! `rehearsal`), when "on this day" is due (here), and the outreach clock (`clock`).
//!
//! When "on this day" goes out: on every local date in the operator's window whose month
//! and day have events in the record, at the operator's local time in the operator's
//! time zone. Pure: the clock is an argument, so tests and `qantar-bot schedule` ask
//! about any moment.

pub mod clock;
pub mod rehearsal;
pub mod settings;
pub mod window;

pub use settings::Outreach;

use jiff::Timestamp;
use jiff::Zoned;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// The operator's daily slot.
#[derive(Debug, Clone)]
pub struct Daily {
    pub at: Time,
    pub zone: TimeZone,
    /// The calendar days it may post on (`QANTAR_DAILY_WINDOW`).
    pub window: window::Window,
}

/// The job that carries one day's message: the same id on every replica and every
/// start, so a day is queued once.
pub fn job_id(date: Date) -> String {
    format!("day:{date}")
}

/// The local date in a job id made by [`job_id`].
pub fn date_of_job(job: &str) -> Option<Date> {
    job.strip_prefix("day:")?.parse().ok()
}

/// The date whose message is due at `now`: today's (local), once the local time has
/// reached the daily slot, if today's month and day have events. A bot started late in
/// the day still sends that day's; a day it was down for entirely is not sent later.
pub fn due(daily: &Daily, now: Timestamp, days: &[(u8, u8)]) -> Option<Date> {
    let local = now.to_zoned(daily.zone.clone());
    let today = local.date();
    let (month, day) = (today.month() as u8, today.day() as u8);
    let has_events = days.contains(&(month, day));
    (has_events && daily.window.contains(month, day) && local.time() >= daily.at).then_some(today)
}

/// The next planned send after `now`, within a year; `None` when the window holds no
/// day with events.
pub fn next(daily: &Daily, now: Timestamp, days: &[(u8, u8)]) -> Option<Zoned> {
    let today = now.to_zoned(daily.zone.clone()).date();
    let until = today.checked_add(jiff::Span::new().days(366)).ok()?;
    plan(daily, today, until, days)
        .into_iter()
        .find(|at| at.timestamp() >= now)
}

/// Every planned send from `from` to `to` (local dates, inclusive), with its local time.
pub fn plan(daily: &Daily, from: Date, to: Date, days: &[(u8, u8)]) -> Vec<Zoned> {
    let mut out = Vec::new();
    let mut date = from;
    while date <= to {
        let (month, day) = (date.month() as u8, date.day() as u8);
        if days.contains(&(month, day))
            && daily.window.contains(month, day)
            && let Ok(at) = date.to_datetime(daily.at).to_zoned(daily.zone.clone())
        {
            out.push(at);
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn almaty_at_nine() -> Daily {
        Daily {
            at: Time::new(9, 0, 0, 0).unwrap(),
            zone: TimeZone::get("Asia/Almaty").unwrap(),
            window: window::Window::all(),
        }
    }

    const DAYS: [(u8, u8); 3] = [(1, 2), (1, 5), (4, 24)];

    #[test]
    fn a_day_with_events_is_due_from_nine_local_time() {
        let d = almaty_at_nine();
        // Almaty is UTC+5 since March 2024: 09:00 local is 04:00 UTC.
        let before: Timestamp = "2027-01-05T03:59:00Z".parse().unwrap();
        let after: Timestamp = "2027-01-05T04:00:00Z".parse().unwrap();
        assert_eq!(due(&d, before, &DAYS), None);
        assert_eq!(due(&d, after, &DAYS), Some("2027-01-05".parse().unwrap()));
        let no_events: Timestamp = "2027-01-03T10:00:00Z".parse().unwrap();
        assert_eq!(due(&d, no_events, &DAYS), None);
        // Late on the 5th in UTC is already the 6th in Almaty, which has no events.
        let late: Timestamp = "2027-01-05T20:00:00Z".parse().unwrap();
        assert_eq!(due(&d, late, &DAYS), None);
        // Outside the window a day with events stays silent.
        let window = Daily {
            window: window::parse_window("01-03..01-19").unwrap(),
            ..d
        };
        assert_eq!(
            due(&window, after, &DAYS),
            Some("2027-01-05".parse().unwrap())
        );
        let jan2: Timestamp = "2027-01-02T05:00:00Z".parse().unwrap();
        assert_eq!(due(&window, jan2, &DAYS), None);
    }

    #[test]
    fn the_plan_lists_every_day_with_events_at_its_local_time() {
        let d = almaty_at_nine();
        let from = "2027-01-01".parse().unwrap();
        let to = "2027-01-31".parse().unwrap();
        let planned: Vec<String> = plan(&d, from, to, &DAYS)
            .iter()
            .map(|z| z.strftime("%F %H:%M %:z").to_string())
            .collect();
        assert_eq!(
            planned,
            ["2027-01-02 09:00 +05:00", "2027-01-05 09:00 +05:00"]
        );
        let now: Timestamp = "2027-01-02T05:00:00Z".parse().unwrap();
        let next = next(&d, now, &DAYS).unwrap();
        assert_eq!(next.strftime("%F %H:%M").to_string(), "2027-01-05 09:00");
        let job = job_id("2027-01-05".parse().unwrap());
        assert_eq!(job, "day:2027-01-05");
        assert_eq!(date_of_job(&job), Some("2027-01-05".parse().unwrap()));
        assert_eq!(date_of_job("announce:x"), None);
    }
}
