//! What an admin's commands and buttons do: usage counts, a reload, the purge's
//! confirmation, announcements (preview, then Confirm), the progress of broadcasts, and
//! a rehearsal of one day's "on this day". Everyone else never reaches this file.

use teloxide::prelude::*;

use super::effects::Author;
use super::reload;
use crate::app::App;
use crate::deliver::{Delivery, menus, photo};
use crate::input::callback_data::JobAct;
use crate::input::command::AdminCommand;
use crate::lang::Lang;
use crate::outreach::snapshot;
use crate::store::outreach::Audience;
use crate::store::outreach::{Job, JobState, now_ms};
use crate::usage;
use crate::view::{JobProgress, View};

/// Days of usage /stats shows.
const STATS_DAYS: i64 = 7;
/// Jobs /broadcasts shows, newest first.
const BROADCASTS_SHOWN: i64 = 10;

/// What an admin asked for.
pub async fn admin_view(
    bot: &Bot,
    app: &App,
    admin: AdminCommand,
    lang: Lang,
    author: Author,
) -> View {
    match admin {
        AdminCommand::Stats => with_channel_trouble(app, stats(app).await),
        AdminCommand::Reload => {
            match reload::reload(
                bot,
                &app.catalog,
                &app.content_paths,
                &app.metrics,
                app.site.as_deref(),
            )
            .await
            {
                reload::Reloaded::Applied { generation, .. } => View::Reloaded(generation),
                reload::Reloaded::Rejected(problems) => {
                    View::ReloadRejected(problems.0.iter().map(|p| p.to_string()).collect())
                }
            }
        }
        // Nothing is deleted before the admin presses Confirm.
        AdminCommand::Purge => View::PurgeConfirm,
        AdminCommand::Announce(None) => View::AnnounceList(
            app.catalog
                .get()
                .content
                .announcements
                .iter()
                .map(|a| a.id.clone())
                .collect(),
        ),
        // Nothing is sent before the admin presses Confirm.
        AdminCommand::Announce(Some(id)) => announce_preview(app, id).await,
        AdminCommand::Broadcasts => with_channel_trouble(app, broadcasts(app).await),
        AdminCommand::Rehearse(day) => rehearse(bot, app, day, lang, author).await,
        AdminCommand::SendDay(day) => send_day_preview(app, day).await,
        AdminCommand::Pause => pause(app, author).await,
        AdminCommand::Resume => resume(app).await,
    }
}

/// `view`, headed by the channels the bot cannot post to, if any.
fn with_channel_trouble(app: &App, view: View) -> View {
    let problems = app.channel_health.problems();
    if problems.is_empty() {
        return view;
    }
    View::ChannelTrouble {
        problems: problems.into_iter().map(|p| (p.channel, p.cause)).collect(),
        then: Box::new(view),
    }
}

/// Counts are flushed first so /stats includes this minute.
async fn stats(app: &App) -> View {
    app.flush_usage().await;
    let usage = match app
        .store
        .usage_since(&usage::days_ago(STATS_DAYS - 1))
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            app.metrics.store_error("read");
            log::warn!("usage read failed: {e}");
            Vec::new()
        }
    };
    let subscribers = subscribers(app).await;
    View::Stats { usage, subscribers }
}

/// Subscribers per language they will receive in; none when the store cannot say.
async fn subscribers(app: &App) -> Vec<(Lang, i64)> {
    app.store.subscribers().await.unwrap_or_else(|e| {
        app.metrics.store_error("read");
        log::warn!("subscriber count failed: {e}");
        Vec::new()
    })
}

/// The announcement as each language and channel will get it, with the fingerprint of
/// exactly that for Confirm to carry.
async fn announce_preview(app: &App, id: String) -> View {
    preview_of(app, id, false).await
}

async fn preview_of(app: &App, id: String, changed: bool) -> View {
    let catalog = app.catalog.get();
    let job = format!("announce:{id}");
    let Some(messages) = job_messages(app, &catalog, &job) else {
        return View::AnnounceUnknown(id);
    };
    let recipients = subscribers(app).await;
    View::AnnouncePreview {
        id,
        recipients,
        channels: app.outreach.channels().len(),
        version: snapshot::version(&catalog, &job, &messages),
        changed,
    }
}

/// What `job` would send now, to chats and to the configured channels.
fn job_messages(
    app: &App,
    catalog: &crate::catalog::Catalog,
    job: &str,
) -> Option<Vec<crate::store::outreach::JobMessage>> {
    let langs: Vec<Lang> = app.outreach.channels().iter().map(|(_, l)| *l).collect();
    snapshot::job_messages(catalog, job, &langs, &app.bot_username)
}

/// The Confirm under a preview: queues the announcement once, whoever confirms and
/// however often, with the messages the preview showed. If the content changed since
/// (`version` differs), nothing is queued and the admin gets a fresh preview.
pub async fn announce(app: &App, id: String, version: String) -> View {
    let job = format!("announce:{id}");
    let catalog = app.catalog.get();
    let Some(messages) = job_messages(app, &catalog, &job) else {
        return View::AnnounceUnknown(id);
    };
    if snapshot::version(&catalog, &job, &messages) != version {
        log::info!("a Confirm under an older preview: a fresh preview instead");
        return preview_of(app, id, true).await;
    }
    // A `send_at` in the content schedules it: the job waits until then.
    let send_at = catalog
        .content
        .announcement(&id)
        .and_then(|a| a.send_at.as_deref())
        .and_then(|at| at.parse::<jiff::civil::DateTime>().ok())
        .and_then(|at| at.to_zoned(app.outreach.zone.0.clone()).ok());
    let not_before = send_at
        .as_ref()
        .map_or(0, |at| at.timestamp().as_millisecond());
    match crate::outreach::rehearsal::queue(app, &app.store, &job, not_before, messages).await {
        Ok(Some(recipients)) => match send_at {
            Some(at) => {
                log::info!("announcement scheduled for {recipients} recipients");
                View::AnnounceScheduled {
                    id,
                    recipients,
                    at: at.strftime("%F %H:%M %Z").to_string(),
                }
            }
            None => {
                log::info!("announcement queued for {recipients} recipients");
                View::AnnounceQueued { id, recipients }
            }
        },
        Ok(None) => match app.store.job(&app.outreach.job_id(&job)).await {
            Ok(Some(existing)) => View::AnnounceExists(progress(&existing, now_ms())),
            Ok(None) => View::AnnounceQueueFailed(id),
            Err(e) => {
                app.metrics.store_error("read");
                log::warn!("reading a queued announcement failed: {e}");
                View::AnnounceQueueFailed(id)
            }
        },
        Err(e) => {
            app.metrics.store_error("write");
            app.metrics.outreach_queue_failed();
            log::warn!("queueing an announcement failed: {e}");
            View::AnnounceQueueFailed(id)
        }
    }
}

async fn broadcasts(app: &App) -> View {
    let due = crate::schedule::clock::now().as_millisecond();
    let jobs = match app.store.jobs(BROADCASTS_SHOWN).await {
        Ok(jobs) => jobs
            .iter()
            .map(|j| {
                let mut p = progress(j, now_ms());
                // Not yet due: when it goes, instead of a rate and an ETA.
                if j.state == JobState::Running && j.not_before_ms > due {
                    p.scheduled_for = Some(local_time(app, j.not_before_ms));
                }
                p
            })
            .collect(),
        Err(e) => {
            app.metrics.store_error("read");
            log::warn!("broadcast progress failed: {e}");
            Vec::new()
        }
    };
    match app.store.paused().await {
        Ok(Some((since, by))) => View::BroadcastsPaused {
            since: local_time(app, since),
            by,
            jobs,
        },
        Ok(None) => View::Broadcasts(jobs),
        Err(e) => {
            app.metrics.store_error("read");
            log::warn!("reading the pause failed: {e}");
            View::Broadcasts(jobs)
        }
    }
}

/// A moment as the operator reads it: local date and time in QANTAR_TIMEZONE.
fn local_time(app: &App, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(app.outreach.zone.0.clone()))
        .map(|z| z.strftime("%F %H:%M %Z").to_string())
        .unwrap_or_default()
}

/// `/pause`: nothing unprompted goes out until `/resume`, on any replica, across
/// restarts.
async fn pause(app: &App, author: Author) -> View {
    let by = author.user.map_or(0, |u| u.0 as i64);
    let paused = match app.store.pause(by).await {
        Ok(newly) => newly,
        Err(e) => {
            app.metrics.store_error("write");
            log::warn!("pausing outreach failed: {e}");
            return View::PauseFailed;
        }
    };
    if paused {
        log::warn!("outreach paused by an admin");
    }
    match app.store.paused().await {
        Ok(Some((since, by))) => View::Paused {
            since: local_time(app, since),
            by,
            already: !paused,
        },
        _ => View::PauseFailed,
    }
}

/// `/resume`: what was queued continues where it stopped.
async fn resume(app: &App) -> View {
    match app.store.resume().await {
        Ok(was) => {
            if was {
                log::warn!("outreach resumed by an admin");
            }
            View::Resumed(was)
        }
        Err(e) => {
            app.metrics.store_error("write");
            log::warn!("resuming outreach failed: {e}");
            View::PauseFailed
        }
    }
}

/// A job's progress: its rate is what it has averaged since it was queued, and its ETA
/// what is left at that rate (the sender may be on another replica, so nothing closer
/// to now is known here).
fn progress(job: &Job, now: i64) -> JobProgress {
    let done = job.sent + job.blocked + job.failed;
    let end = job.finished_ms.unwrap_or(now);
    let seconds = (end - job.created_ms).max(1) as f64 / 1000.0;
    let per_second = done as f64 / seconds;
    let running = job.state == JobState::Running;
    // A cancelled job keeps its waiting rows for Resume: until then they count as
    // cancelled.
    let (pending, cancelled) = match job.state {
        JobState::Cancelled => (0, job.cancelled + job.pending),
        _ => (job.pending, job.cancelled),
    };
    JobProgress {
        job: job.id.clone(),
        total: job.total,
        sent: job.sent,
        pending,
        blocked: job.blocked,
        failed: job.failed,
        cancelled_count: cancelled,
        per_second,
        eta_seconds: (running && per_second > 0.0)
            .then(|| (pending as f64 / per_second).ceil() as u64),
        cancelled: job.state == JobState::Cancelled,
        scheduled_for: None,
    }
}

/// The day `raw` names, if it is one subscribers would get (a full date in the window,
/// with events), else the view that says why not.
fn sendable_day(app: &App, raw: &str) -> Result<crate::content::Date, Box<View>> {
    let Some(day) = raw
        .trim()
        .parse::<crate::content::Date>()
        .ok()
        .filter(|d| d.day.is_some())
    else {
        return Err(Box::new(View::SendDayBadDate(raw.to_string())));
    };
    if !app
        .outreach
        .window
        .contains(day.month, day.day.unwrap_or(0))
    {
        return Err(Box::new(View::RehearseOutsideWindow {
            day,
            window: app.outreach.window.to_string(),
        }));
    }
    if !snapshot::day_has_events(&app.catalog.get().content, day) {
        return Err(Box::new(View::RehearseNothing(day)));
    }
    Ok(day)
}

/// `/sendday YYYY-MM-DD`: that day's post for everyone, previewed with Confirm; a day
/// already queued says how far it got instead.
async fn send_day_preview(app: &App, raw: Option<String>) -> View {
    let day = match sendable_day(app, &raw.unwrap_or_default()) {
        Ok(day) => day,
        Err(view) => return *view,
    };
    day_preview(app, day, false).await
}

async fn day_preview(app: &App, day: crate::content::Date, changed: bool) -> View {
    let job = format!("day:{day}");
    match app.store.job(&app.outreach.job_id(&job)).await {
        Ok(Some(existing)) => return View::DayExists(progress(&existing, now_ms())),
        Ok(None) => {}
        Err(e) => {
            app.metrics.store_error("read");
            log::warn!("reading a day's job failed: {e}");
            return View::AnnounceQueueFailed(job);
        }
    }
    let catalog = app.catalog.get();
    let Some(messages) = job_messages(app, &catalog, &job) else {
        return View::RehearseNothing(day);
    };
    View::SendDayPreview {
        day,
        recipients: subscribers(app).await,
        channels: app.outreach.channels().len(),
        version: snapshot::version(&catalog, &job, &messages),
        changed,
    }
}

/// Confirm under /sendday's preview: queues the day as previewed, once.
pub async fn send_day(app: &App, day: crate::content::Date, version: String) -> View {
    let day = match sendable_day(app, &day.to_string()) {
        Ok(day) => day,
        Err(view) => return *view,
    };
    let job = format!("day:{day}");
    let catalog = app.catalog.get();
    let Some(messages) = job_messages(app, &catalog, &job) else {
        return View::RehearseNothing(day);
    };
    if snapshot::version(&catalog, &job, &messages) != version {
        return day_preview(app, day, true).await;
    }
    match crate::outreach::rehearsal::queue(app, &app.store, &job, 0, messages).await {
        Ok(Some(recipients)) => {
            log::info!("{job} queued by an admin for {recipients} recipients");
            View::SendDayQueued { day, recipients }
        }
        Ok(None) => match app.store.job(&app.outreach.job_id(&job)).await {
            Ok(Some(existing)) => View::DayExists(progress(&existing, now_ms())),
            _ => View::AnnounceQueueFailed(job),
        },
        Err(e) => {
            app.metrics.store_error("write");
            app.metrics.outreach_queue_failed();
            log::warn!("queueing {job} failed: {e}");
            View::AnnounceQueueFailed(job)
        }
    }
}

/// An admin's button on a job: Cancel asks first, with how far the job got; "Yes,
/// cancel" cancels; Resume sends a cancelled job on to those who have not received it.
pub async fn job_act(app: &App, job: String, act: JobAct) -> View {
    match act {
        JobAct::AskCancel => match app.store.job(&job).await {
            Ok(Some(j)) if j.state == JobState::Running => View::CancelAsk(progress(&j, now_ms())),
            Ok(_) => View::BroadcastNotRunning(job),
            Err(e) => {
                app.metrics.store_error("read");
                log::warn!("reading a broadcast failed: {e}");
                View::BroadcastCancelFailed(job)
            }
        },
        JobAct::Cancel => cancel_job(app, job).await,
        JobAct::Keep => View::JobKept(job),
        JobAct::Resume => match app.store.resume_job(&job).await {
            Ok(true) => {
                log::info!("a cancelled broadcast resumed by an admin");
                View::JobResumed(job)
            }
            Ok(false) => View::JobNotCancelled(job),
            Err(e) => {
                app.metrics.store_error("write");
                log::warn!("resuming a broadcast failed: {e}");
                View::BroadcastCancelFailed(job)
            }
        },
    }
}

async fn cancel_job(app: &App, job: String) -> View {
    match app.store.cancel_job(&job).await {
        Ok(true) => View::BroadcastCancelled(job),
        Ok(false) => View::BroadcastNotRunning(job),
        Err(e) => {
            app.metrics.store_error("write");
            log::warn!("cancelling a broadcast failed: {e}");
            View::BroadcastCancelFailed(job)
        }
    }
}

/// Sends one day's message to the admin's own chat, as subscribers will get it, and
/// tells the chat where the command came from. A day subscribers get nothing on is
/// said so, and nothing is sent.
/// `/rehearse`'s argument: a date, then optionally the language of the subscribers to
/// rehearse as (`en`, `ru`, `kk`; else the admin's own) or `channel` (deep links for
/// buttons, as channels get it, in the admin's language).
fn rehearsal_of(raw: &str, own: Lang) -> Option<(crate::content::Date, Audience, Lang)> {
    let mut words = raw.split_whitespace();
    let day = words
        .next()?
        .parse::<crate::content::Date>()
        .ok()
        .filter(|d| d.day.is_some())?;
    let (audience, lang) = match words.next() {
        None => (Audience::Chat, own),
        Some(w) if w.eq_ignore_ascii_case("channel") => (Audience::Channel, own),
        Some(w) => (Audience::Chat, w.parse().ok()?),
    };
    words.next().is_none().then_some((day, audience, lang))
}

async fn rehearse(bot: &Bot, app: &App, day: Option<String>, lang: Lang, author: Author) -> View {
    let raw = day.unwrap_or_default();
    let Some((day, audience, lang)) = rehearsal_of(&raw, lang) else {
        return View::RehearseBadDate(raw);
    };
    let Some(admin) = author.user else {
        return View::RehearseBadDate(raw);
    };
    if !app
        .outreach
        .window
        .contains(day.month, day.day.unwrap_or(0))
    {
        return View::RehearseOutsideWindow {
            day,
            window: app.outreach.window.to_string(),
        };
    }
    let catalog = app.catalog.get();
    let job = format!("day:{day}");
    let Some(reply) = snapshot::render_job(&catalog, &job, audience, lang, &app.bot_username)
    else {
        return View::RehearseNothing(day);
    };
    // As subscribers get it: with the day's map, when it has one.
    let to = ChatId(admin.0 as i64);
    match photo::send(bot, &app.metrics, &app.pictures, to, &reply).await {
        Delivery::Sent | Delivery::Unchanged => View::RehearseSent(day),
        Delivery::Unreachable => View::RehearseUnreachable,
        Delivery::Failed => View::RehearseFailed,
    }
}

/// Gives each admin a menu of their own in their private chat (a chat scope, so no one
/// else sees the admin commands), in the language saved for that chat, else `default`.
/// An admin who never opened the bot has no chat yet: Telegram refuses, and it is
/// logged (the bot gives them the menu at its next start or reload).
pub async fn publish_menus(bot: &Bot, app: &App) {
    let catalog = app.catalog.get();
    for admin in &app.admins {
        let chat = *admin as i64;
        let lang = app.admin_lang(&app.store, *admin).await;
        let scope = teloxide::types::BotCommandScope::Chat {
            chat_id: teloxide::types::Recipient::Id(ChatId(chat)),
        };
        if let Err(e) = bot
            .set_my_commands(menus::admin_commands(&catalog, lang))
            .scope(scope)
            .await
        {
            log::warn!("an admin's command menu was refused: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: JobState, created: i64, finished: Option<i64>, done: i64, pending: i64) -> Job {
        Job {
            id: "day:2027-01-05".into(),
            state,
            created_ms: created,
            finished_ms: finished,
            total: done + pending,
            sent: done,
            blocked: 0,
            failed: 0,
            cancelled: 0,
            not_before_ms: 0,
            pending,
        }
    }

    #[test]
    fn a_rehearsal_names_a_day_and_whom_to_rehearse_as() {
        let day: crate::content::Date = "2027-01-05".parse().unwrap();
        assert_eq!(
            rehearsal_of("2027-01-05", Lang::Ru),
            Some((day, Audience::Chat, Lang::Ru))
        );
        assert_eq!(
            rehearsal_of(" 2027-01-05  kk ", Lang::En),
            Some((day, Audience::Chat, Lang::Kk))
        );
        assert_eq!(
            rehearsal_of("2027-01-05 channel", Lang::En),
            Some((day, Audience::Channel, Lang::En))
        );
        for bad in [
            "",
            "2027-01",
            "2027-01-05 fr",
            "2027-01-05 kk extra",
            "soon",
        ] {
            assert_eq!(rehearsal_of(bad, Lang::En), None, "{bad:?}");
        }
    }

    #[test]
    fn progress_gives_the_average_rate_and_what_is_left() {
        let p = progress(&job(JobState::Running, 0, None, 250, 750), 10_000);
        assert_eq!(p.per_second, 25.0);
        assert_eq!(p.eta_seconds, Some(30));
        assert!(!p.cancelled);
        let done = progress(&job(JobState::Done, 0, Some(4_000), 100, 0), 60_000);
        assert_eq!((done.per_second, done.eta_seconds), (25.0, None));
    }
}
