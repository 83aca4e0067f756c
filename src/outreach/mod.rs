//! Outreach: what the channel sends unprompted, "on this day" and announcements, to
//! subscribers and channels, through one durable queue (`store::outreach`) at
//! Telegram's limits (`pace`), sent by one replica at a time (`sender`, on its own
//! thread: `sender_thread`); the watchdog, the channel check and the admins' notices.
//! The settings and the clock it reads are `schedule`; what its loops found, `health`.

pub mod channels;
pub mod notice;
pub mod pace;
pub mod rehearsal;
pub mod sender;
pub mod sender_thread;
pub mod snapshot;
pub mod watch;

use crate::schedule;
use crate::view::{Links, View};

/// What a job sends: `day:2027-01-05` is that day's "on this day", `announce:<id>`
/// the announcement. `None` for a job of no known kind.
pub fn job_view(job: &str, links: Links) -> Option<View> {
    if let Some(date) = schedule::date_of_job(job) {
        let day = crate::content::Date {
            year: u16::try_from(date.year()).ok()?,
            month: date.month() as u8,
            day: Some(date.day() as u8),
        };
        return Some(View::OnThisDay { day, links });
    }
    job.strip_prefix("announce:").map(|id| View::Announcement {
        id: id.to_string(),
        links,
    })
}
