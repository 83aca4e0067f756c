//! Outreach: what the channel sends unprompted, "on this day" and announcements, to
//! subscribers and channels, through one durable queue (`store::outreach`) at
//! Telegram's limits (`pace`), sent by one replica at a time (`sender`).

pub mod channels;
pub mod clock;
pub mod notice;
pub mod pace;
pub mod rehearsal;
pub mod schedule;
pub mod sender;
pub mod settings;
pub mod snapshot;
pub mod watch;
pub mod window;

use jiff::civil::Time;

use crate::lang::Lang;
use crate::view::{Links, View};
use settings::{Channel, Zone};

/// The operator's outreach settings, checked at start.
#[derive(Debug, Clone)]
pub struct Outreach {
    /// Messages per second overall.
    pub rate: u32,
    /// `allow_paid_broadcast` on every message (up to 1,000/s, paid in Stars).
    pub paid: bool,
    /// Messages sent at once; also the most that a kill can leave sent but unrecorded.
    pub in_flight: usize,
    pub daily_at: Time,
    pub zone: Zone,
    /// The calendar days "on this day" may post on.
    pub window: window::Window,
    pub channels: Vec<Channel>,
    /// Rehearsal mode: everything goes to the admins and the rehearsal channel only.
    pub rehearsal: Option<rehearsal::Rehearsal>,
}

impl Outreach {
    /// The channels jobs post to: in rehearsal mode, the rehearsal channel alone.
    pub fn channels(&self) -> Vec<(String, Lang)> {
        match &self.rehearsal {
            Some(r) => r.channel.iter().map(|c| (c.name.clone(), c.lang)).collect(),
            None => self
                .channels
                .iter()
                .map(|c| (c.name.clone(), c.lang))
                .collect(),
        }
    }

    /// When the day's message goes: the slot, its zone and the window.
    pub fn daily(&self) -> schedule::Daily {
        schedule::Daily {
            at: self.daily_at,
            zone: self.zone.0.clone(),
            window: self.window.clone(),
        }
    }

    /// The store's id of the job for `item` (`day:…`, `announce:…`): its own in
    /// rehearsal mode, so a rehearsal never stands for the real item.
    pub fn job_id(&self, item: &str) -> String {
        match self.rehearsal {
            Some(_) => format!("{}{item}", rehearsal::JOB_PREFIX),
            None => item.to_string(),
        }
    }
}

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
