//! Eyes on outreach for the people who run it: a watchdog that notices what the sender
//! cannot say about itself (no replica sending while work waits, the day's post missing
//! or not started a quarter of an hour after its time), tells the admins in Telegram,
//! sets `/metrics` and makes `/healthz` unhealthy with the reason. Paused outreach is
//! never a fault. The judgement is a pure function of what was observed, so it is
//! tested apart from the clock and the store.

use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use tokio_util::sync::CancellationToken;

use super::notice::{Notice, tell_admins};
use crate::app::App;
pub use crate::health::{Stall, Watch};
use crate::schedule;
use crate::store::outreach::{Job, JobState};

/// How long work may wait with no replica holding the sender's lease.
pub const LEASE_GRACE: Duration = Duration::from_secs(120);
/// How long after its time the day's post may not have started.
pub const DAY_GRACE_MINUTES: i64 = 15;
/// How often the watchdog looks.
const EVERY: Duration = Duration::from_secs(10);

/// What the watchdog saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub paused: bool,
    /// Some running job still has recipients waiting.
    pub work_waiting: bool,
    /// How long no replica has held the lease while work waited (zero while held).
    pub unheld_for: Duration,
    /// Today's day job id, when its post was due `DAY_GRACE_MINUTES` ago or more.
    pub day_overdue: Option<String>,
    /// That job as the store has it.
    pub day_job: Option<Job>,
}

/// The judgement: what is wrong, given what was seen.
pub fn judge(seen: &Seen) -> Vec<Stall> {
    if seen.paused {
        return Vec::new();
    }
    let mut stalls = Vec::new();
    if seen.work_waiting && seen.unheld_for >= LEASE_GRACE {
        stalls.push(Stall::NoSender(seen.unheld_for));
    }
    if let Some(day) = &seen.day_overdue {
        match &seen.day_job {
            None => stalls.push(Stall::DayMissing(day.clone())),
            Some(j)
                if j.state == JobState::Running
                    && j.sent + j.blocked + j.failed == 0
                    && j.pending > 0 =>
            {
                stalls.push(Stall::DayNotStarted(day.clone()));
            }
            Some(_) => {}
        }
    }
    stalls
}

/// Runs the watchdog on the bot's runtime until `stop`.
pub fn spawn(bot: Bot, app: Arc<App>, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut held_at = Instant::now();
        loop {
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                () = stop.cancelled() => return,
            }
            let Some(seen) = look(&app, &mut held_at).await else {
                continue;
            };
            let stalls = judge(&seen);
            app.metrics.set_outreach_stalls(&stalls);
            app.watch.set(stalls.clone());
            for s in &stalls {
                log::warn!("{}", s.reason());
                let notice = match s {
                    Stall::NoSender(d) => Notice::NoSender {
                        minutes: d.as_secs() / 60,
                    },
                    Stall::DayMissing(job) | Stall::DayNotStarted(job) => {
                        Notice::DayLate { job: job.clone() }
                    }
                };
                tell_admins(&bot, &app, notice).await;
            }
        }
    });
}

/// What the store says now; `None` when it cannot say (the store's own health covers
/// that).
async fn look(app: &App, held_at: &mut Instant) -> Option<Seen> {
    let store = &app.store;
    let paused = store.paused().await.ok()?.is_some();
    let running = store.running_jobs().await.ok()?;
    let work_waiting = !running.is_empty();
    if store.lease_held().await.ok()? || !work_waiting {
        *held_at = Instant::now();
    }
    let catalog = app.catalog.get();
    let days = crate::render::days_with_events(&catalog.content);
    let daily = app.outreach.daily();
    let grace = jiff::SignedDuration::from_mins(DAY_GRACE_MINUTES);
    let late = crate::schedule::clock::now().checked_sub(grace).ok()?;
    let day_overdue = schedule::due(&daily, late, &days).map(schedule::job_id);
    let day_job = match &day_overdue {
        Some(job) => store.job(&app.outreach.job_id(job)).await.ok()?,
        None => None,
    };
    Some(Seen {
        paused,
        work_waiting,
        unheld_for: held_at.elapsed(),
        day_overdue,
        day_job,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen() -> Seen {
        Seen {
            paused: false,
            work_waiting: true,
            unheld_for: Duration::ZERO,
            day_overdue: None,
            day_job: None,
        }
    }

    fn job(sent: i64, pending: i64) -> Job {
        Job {
            id: "day:2027-01-05".into(),
            state: JobState::Running,
            created_ms: 0,
            finished_ms: None,
            total: sent + pending,
            sent,
            blocked: 0,
            failed: 0,
            cancelled: 0,
            not_before_ms: 0,
            pending,
        }
    }

    #[test]
    fn no_sender_for_two_minutes_while_work_waits_is_a_stall() {
        let mut s = seen();
        s.unheld_for = Duration::from_secs(119);
        assert!(judge(&s).is_empty());
        s.unheld_for = LEASE_GRACE;
        assert_eq!(judge(&s), vec![Stall::NoSender(LEASE_GRACE)]);
        s.work_waiting = false;
        assert!(judge(&s).is_empty(), "nothing waits: nothing to send");
    }

    #[test]
    fn the_day_missing_or_not_started_after_its_grace_is_a_stall() {
        let mut s = seen();
        s.day_overdue = Some("day:2027-01-05".into());
        assert_eq!(judge(&s), vec![Stall::DayMissing("day:2027-01-05".into())]);
        s.day_job = Some(job(0, 100));
        assert_eq!(
            judge(&s),
            vec![Stall::DayNotStarted("day:2027-01-05".into())]
        );
        s.day_job = Some(job(1, 99));
        assert!(judge(&s).is_empty(), "started");
    }

    #[test]
    fn paused_is_never_a_stall() {
        let mut s = seen();
        s.paused = true;
        s.unheld_for = Duration::from_secs(3600);
        s.day_overdue = Some("day:2027-01-05".into());
        assert!(judge(&s).is_empty());
    }
}
