//! Broadcast mode (issue 14): `qantar-bot` sends an announcement to every subscriber at
//! the paid rate against the fake API, triggered as an admin would (`/announce <id>`,
//! then Confirm under the preview). Measures the rate as it arrives (overall, and the
//! most in any one-second window), duplicates and losses, the same across a SIGKILL at
//! half way and a restart, interactive latency during a broadcast against the same load
//! without one, the bot's peak memory growth, and the time `Store::create_job` takes to
//! enqueue a million recipients on SQLite and on PostgreSQL.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Options;
use crate::fake::Fake;
use crate::process::{BotProcess, Kind, database_url};
use crate::stats::{ms, percentile};
use crate::subscribers;
use crate::workload::{self, SUBSCRIBER_FIRST};

/// After the last subscriber is reached, how long to keep listening for late
/// duplicates (longer than the sender's idle poll of 2 s).
const SETTLE: Duration = Duration::from_secs(3);

/// One broadcast to every subscriber, start to end.
#[derive(Debug, Clone)]
pub struct CleanRun {
    /// Sends / (last − first arrival) / the configured rate.
    pub rate_fraction: f64,
    /// The most sends arriving within any one second.
    pub max_window: usize,
    /// Chats that received the message more than once, and the extra messages.
    pub duplicated: usize,
    pub extra: usize,
    /// Subscribers never reached.
    pub lost: usize,
    /// From the Confirm press to the first message arriving, s.
    pub confirm_to_first_s: f64,
    /// VmHWM before Confirm and after the broadcast, MiB.
    pub peak_before_mib: f64,
    pub peak_after_mib: f64,
}

/// A broadcast with the bot SIGKILLed once half the subscribers were reached, then
/// started again on the same database and key.
#[derive(Debug, Clone)]
pub struct KillRun {
    pub in_flight: usize,
    pub duplicated: usize,
    pub extra: usize,
    pub lost: usize,
    /// From the kill to the first message of the restarted bot, s (the dead bot's lease
    /// has to lapse first).
    pub resumed_after_s: f64,
}

/// Interactive replies at a steady pace, with or without a broadcast going on.
#[derive(Debug, Clone)]
pub struct LatencyRun {
    pub round: usize,
    pub during_broadcast: bool,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The share of the paced phase during which the broadcast was still sending.
    pub overlap: f64,
}

#[derive(Debug, Clone)]
pub struct EnqueueRun {
    pub backend: &'static str,
    pub recipients: i64,
    pub ms: f64,
}

#[derive(Debug, Default)]
pub struct Results {
    pub clean: Vec<CleanRun>,
    pub kill: Vec<KillRun>,
    pub latency: Vec<LatencyRun>,
    pub enqueue: Vec<EnqueueRun>,
}

/// The parts of the mode, each also a name for `--only`.
pub const PARTS: [&str; 4] = [
    "broadcast-rate",
    "broadcast-kill",
    "broadcast-latency",
    "enqueue",
];

pub async fn run(o: &Options, parts: &[&str], results: &mut Results) -> Result<(), String> {
    let wants = |p: &str| parts.contains(&p);
    let id = announcement()?;
    if wants("broadcast-rate") || wants("broadcast-kill") || wants("broadcast-latency") {
        let template = Template::seed(o.subscribers).await?;
        if wants("broadcast-rate") {
            for r in 0..o.runs {
                let run = clean_run(o, &template, &id).await?;
                eprintln!("broadcast run {r}: {run:?}");
                results.clean.push(run);
            }
        }
        if wants("broadcast-kill") {
            for &in_flight in &o.kill_in_flight {
                for r in 0..o.runs {
                    let run = kill_run(o, &template, &id, in_flight).await?;
                    eprintln!("broadcast kill run {r}: {run:?}");
                    results.kill.push(run);
                }
            }
        }
        if wants("broadcast-latency") {
            for r in 0..o.runs {
                let order = if r % 2 == 0 {
                    [false, true]
                } else {
                    [true, false]
                };
                for during in order {
                    let run = latency_run(o, &template, &id, r, during).await?;
                    eprintln!("broadcast latency run {r}: {run:?}");
                    results.latency.push(run);
                }
            }
        }
    }
    if wants("enqueue") {
        enqueue(o, results).await?;
    }
    Ok(())
}

/// The first announcement of the shipped `content/announcements.yaml`.
pub fn announcement() -> Result<String, String> {
    let path = crate::process::repo().join("content/announcements.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix("- id:"))
        .map(|id| id.trim().to_string())
        .ok_or_else(|| format!("{} has no announcement", path.display()))
}

/// A database with its key file and `n` subscribers, seeded once and copied per run.
pub struct Template {
    dir: tempfile::TempDir,
    subscribers: usize,
}

impl Template {
    pub async fn seed(n: usize) -> Result<Template, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let url = database_url(dir.path());
        let key = subscribers::sqlite_key(&url)?;
        let t0 = Instant::now();
        subscribers::seed(&url, &key, n).await?;
        eprintln!(
            "seeded {n} subscribers in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        Ok(Template {
            dir,
            subscribers: n,
        })
    }

    /// How many subscribers it holds.
    pub fn subscribers(&self) -> usize {
        self.subscribers
    }

    /// A fresh folder holding a copy of the database and its key file.
    pub fn copy(&self) -> Result<Arc<tempfile::TempDir>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        copy_files(self.dir.path(), dir.path()).map_err(|e| e.to_string())?;
        Ok(Arc::new(dir))
    }
}

fn copy_files(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with("prefs.db") {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// The bot's settings for a broadcast run. The daily "on this day" is put out of the way
/// (23:59 in the zone where it is earliest in the day now), so the announcement is the
/// only thing sent to subscribers.
fn env(o: &Options, in_flight: Option<usize>) -> Vec<(&'static str, String)> {
    env_at(o.broadcast_rate, true, in_flight)
}

/// The same at `rate` messages a second, paid or not.
pub fn env_at(rate: usize, paid: bool, in_flight: Option<usize>) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("QANTAR_PAID_BROADCAST", paid.to_string()),
        ("QANTAR_BROADCAST_RATE", rate.to_string()),
        ("QANTAR_ADMINS", workload::ADMIN.to_string()),
        ("QANTAR_DAILY_AT", "23:59".to_string()),
        ("QANTAR_TIMEZONE", earliest_zone()),
    ];
    if let Some(n) = in_flight {
        env.push(("QANTAR_BROADCAST_IN_FLIGHT", n.to_string()));
    }
    env
}

/// The fixed-offset zone (Etc/GMT+12 … Etc/GMT-14) whose local time of day is now the
/// earliest: at most an hour past midnight.
fn earliest_zone() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let utc_minute = (secs / 60 % 1440) as i64;
    let offset = (-12..=14)
        .min_by_key(|h: &i64| (utc_minute + h * 60).rem_euclid(1440))
        .unwrap_or(0);
    // The tz database's Etc zones have the sign inverted: Etc/GMT-5 is UTC+5.
    match offset {
        0 => "Etc/GMT".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    }
}

async fn start(
    o: &Options,
    dir: Arc<tempfile::TempDir>,
    in_flight: Option<usize>,
) -> Result<(Fake, BotProcess), String> {
    start_with(dir, &env(o, in_flight), Duration::ZERO).await
}

/// A fake API answering after `answer`, and the bot on the files in `dir` with `env`,
/// up to its first getUpdates.
pub async fn start_with(
    dir: Arc<tempfile::TempDir>,
    env: &[(&'static str, String)],
    answer: Duration,
) -> Result<(Fake, BotProcess), String> {
    let fake = Fake::start().await.map_err(|e| e.to_string())?;
    fake.answer_after(answer);
    let bot = BotProcess::launch(Kind::Qantar, &fake.url, dir, env)?;
    if fake
        .wait_first_poll(Duration::from_secs(20))
        .await
        .is_none()
    {
        return Err(format!("qantar-bot never polled; its log:\n{}", bot.log()));
    }
    Ok((fake, bot))
}

async fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    done()
}

/// Set when a Confirm press was ignored and the harness queued the job itself.
pub static CONFIRM_IGNORED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// `/announce <id>` from the admin, then Confirm under the preview; returns when the
/// press was made, once the first message to a subscriber arrived. `before_press` runs
/// just before the press (to read memory).
pub async fn announce(
    fake: &Fake,
    bot: &BotProcess,
    id: &str,
    before_press: impl FnOnce(),
) -> Result<Instant, String> {
    let seen = fake.admin_messages().len();
    let command = format!("/announce {id}");
    fake.push_untracked(|u| workload::admin_command(u, &command));
    if !wait_for(Duration::from_secs(10), || {
        fake.admin_messages().len() > seen
    })
    .await
    {
        return Err(format!("no preview for `{command}`; log:\n{}", bot.log()));
    }
    let preview = fake.admin_messages().pop().unwrap_or_default();
    // Confirm carries the fingerprint of what the preview showed: `1:a:<id>:<version>`.
    let prefix = format!("\"callback_data\":\"1:a:{id}:");
    let Some(data) = preview.find(&prefix).and_then(|at| {
        let rest = &preview[at + prefix.len() - format!("1:a:{id}:").len()..];
        rest.split('"').next().map(str::to_string)
    }) else {
        return Err(format!("the preview has no Confirm: {preview}"));
    };
    before_press();
    let pressed = Instant::now();
    fake.push_untracked(|u| workload::admin_press(u, 1, &data));
    let answered = wait_for(Duration::from_secs(5), || {
        fake.admin_messages().len() > seen + 1
    })
    .await;
    if !answered {
        // The press changed nothing in the admin's chat: Confirm did not queue it. The
        // run goes on with the job queued as Confirm would queue it (the same library
        // call, on the bot's database), and the report says so.
        CONFIRM_IGNORED.store(true, std::sync::atomic::Ordering::Relaxed);
        let url = database_url(bot.dir().path());
        let key = subscribers::sqlite_key(&url)?;
        let store = qantar_bot::store::Store::open(&url, 0, key)
            .await
            .map_err(|e| e.to_string())?;
        let queued = store
            .create_job(&format!("announce:{id}"), &[], &[])
            .await
            .map_err(|e| e.to_string())?;
        store.close().await;
        if queued.is_none() {
            return Err(format!("announce:{id} was queued already"));
        }
    }
    if !wait_for(Duration::from_secs(15), || fake.broadcast_progress().0 > 0).await {
        let shown = fake.admin_messages()[seen + 1..].join("\n");
        return Err(format!(
            "Confirm ({data}) started no broadcast in 15 s; the admin's chat was {} \
             after the press: {shown}\nlog:\n{}",
            if answered { "edited" } else { "not edited" },
            bot.log()
        ));
    }
    Ok(pressed)
}

/// Waits until every subscriber was reached (or the time a broadcast at `rate` should
/// take, twice over, plus a minute), then a little longer for late duplicates.
pub async fn wait_complete(rate: usize, fake: &Fake, n: usize, extra: Duration) {
    let expected = Duration::from_secs_f64(n as f64 / rate as f64);
    let limit = expected * 2 + Duration::from_secs(60) + extra;
    wait_for(limit, || fake.broadcast_progress().1 >= n).await;
    tokio::time::sleep(SETTLE).await;
}

/// Per chat, how often it was sent the message: (chats reached more than once, extra
/// messages, subscribers never reached).
pub fn tally(log: &[(Instant, i64)], n: usize) -> (usize, usize, usize) {
    let mut per_chat: HashMap<i64, usize> = HashMap::with_capacity(n);
    for (_, chat) in log {
        *per_chat.entry(*chat).or_default() += 1;
    }
    let duplicated = per_chat.values().filter(|&&c| c > 1).count();
    let extra = per_chat.values().map(|c| c - 1).sum();
    let reached = (0..n as i64)
        .filter(|i| per_chat.contains_key(&(SUBSCRIBER_FIRST + i)))
        .count();
    (duplicated, extra, n - reached)
}

/// The most arrivals within any one-second window.
pub fn max_window(log: &[(Instant, i64)]) -> usize {
    let mut times: Vec<Instant> = log.iter().map(|(t, _)| *t).collect();
    times.sort_unstable();
    let mut best = 0;
    let mut from = 0;
    for to in 0..times.len() {
        while times[to].duration_since(times[from]) >= Duration::from_secs(1) {
            from += 1;
        }
        best = best.max(to - from + 1);
    }
    best
}

async fn clean_run(o: &Options, t: &Template, id: &str) -> Result<CleanRun, String> {
    let n = t.subscribers;
    let (fake, bot) = start(o, t.copy()?, None).await?;
    let mut before = 0;
    let pressed = announce(&fake, &bot, id, || before = bot.memory().peak_kib).await?;
    wait_complete(o.broadcast_rate, &fake, n, Duration::ZERO).await;
    let after = bot.memory().peak_kib;
    bot.stop();
    let log = fake.broadcast_log();
    let (duplicated, extra, lost) = tally(&log, n);
    let first = log.iter().map(|(t, _)| *t).min();
    let last = log.iter().map(|(t, _)| *t).max();
    let span = match (first, last) {
        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
        _ => 0.0,
    };
    let mib = |kib: u64| kib as f64 / 1024.0;
    Ok(CleanRun {
        rate_fraction: log.len() as f64 / span.max(1e-9) / o.broadcast_rate as f64,
        max_window: max_window(&log),
        duplicated,
        extra,
        lost,
        confirm_to_first_s: first.map_or(0.0, |f| f.duration_since(pressed).as_secs_f64()),
        peak_before_mib: mib(before),
        peak_after_mib: mib(after),
    })
}

async fn kill_run(
    o: &Options,
    t: &Template,
    id: &str,
    in_flight: usize,
) -> Result<KillRun, String> {
    let n = t.subscribers;
    let (fake, bot) = start(o, t.copy()?, Some(in_flight)).await?;
    announce(&fake, &bot, id, || {}).await?;
    let half = n.div_ceil(2);
    let limit = Duration::from_secs_f64(n as f64 / o.broadcast_rate as f64) + SETTLE * 20;
    if !wait_for(limit, || fake.broadcast_progress().1 >= half).await {
        return Err(format!(
            "half the subscribers not reached; log:\n{}",
            bot.log()
        ));
    }
    let dir = bot.dir();
    bot.kill();
    let killed = Instant::now();
    let sent_at_kill = fake.broadcast_progress().0;
    let bot = BotProcess::launch(Kind::Qantar, &fake.url, dir, &env(o, Some(in_flight)))?;
    // The dead bot's lease has to lapse before the new one sends (15 s).
    wait_complete(o.broadcast_rate, &fake, n, Duration::from_secs(20)).await;
    bot.stop();
    let log = fake.broadcast_log();
    let (duplicated, extra, lost) = tally(&log, n);
    let resumed = log
        .get(sent_at_kill..)
        .and_then(|rest| rest.iter().map(|(t, _)| *t).find(|t| *t > killed));
    Ok(KillRun {
        in_flight,
        duplicated,
        extra,
        lost,
        resumed_after_s: resumed.map_or(f64::NAN, |t| t.duration_since(killed).as_secs_f64()),
    })
}

async fn latency_run(
    o: &Options,
    t: &Template,
    id: &str,
    round: usize,
    during: bool,
) -> Result<LatencyRun, String> {
    let (fake, bot) = start(o, t.copy()?, None).await?;
    let limit = Duration::from_secs(300);
    let warmup = workload::updates(o.warmup, o.chats, 0);
    let stats = fake.run_phase(&warmup, None, limit).await;
    crate::checked(Kind::Qantar, &bot, warmup.len(), stats)?;
    // As many updates as fit in most of the broadcast's time, at most `paced`.
    let broadcast_s = t.subscribers as f64 / o.broadcast_rate as f64;
    let n = (o.paced as f64)
        .min(broadcast_s * 0.8 * o.interactive_rate)
        .max(1.0) as usize;
    let paced = workload::updates(n, o.chats, 0);
    if during {
        announce(&fake, &bot, id, || {}).await?;
    }
    let t0 = Instant::now();
    let stats = fake
        .run_phase(&paced, Some(o.interactive_rate), limit)
        .await;
    let t1 = Instant::now();
    let mut stats = crate::checked(Kind::Qantar, &bot, paced.len(), stats)?;
    bot.stop();
    let overlap = if during {
        let last = fake.broadcast_log().iter().map(|(t, _)| *t).max();
        last.map_or(0.0, |l| {
            (l.min(t1).saturating_duration_since(t0)).as_secs_f64()
                / t1.duration_since(t0).as_secs_f64().max(1e-9)
        })
    } else {
        0.0
    };
    stats.latencies.sort_unstable();
    Ok(LatencyRun {
        round,
        during_broadcast: during,
        p50_ms: ms(percentile(&stats.latencies, 50.0)),
        p99_ms: ms(percentile(&stats.latencies, 99.0)),
        max_ms: ms(stats.latencies.last().copied().unwrap_or_default()),
        overlap,
    })
}

/// `Store::create_job` over `o.enqueue` subscribers, on SQLite (a copy of one seeded
/// file per run) and on PostgreSQL (a database made for the purpose and dropped after;
/// the queue emptied between runs).
async fn enqueue(o: &Options, results: &mut Results) -> Result<(), String> {
    use qantar_bot::store::Store;
    let n = o.enqueue;
    let seeded = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = database_url(seeded.path());
    let key = subscribers::sqlite_key(&url)?;
    let t0 = Instant::now();
    subscribers::seed(&url, &key, n).await?;
    eprintln!(
        "SQLite: seeded {n} subscribers in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    for r in 0..o.runs {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        copy_files(seeded.path(), dir.path()).map_err(|e| e.to_string())?;
        let url = database_url(dir.path());
        let store = Store::open(&url, 0, key.clone())
            .await
            .map_err(|e| e.to_string())?;
        let run = time_job(&store, "sqlite").await?;
        store.close().await;
        eprintln!("enqueue SQLite run {r}: {run:?}");
        results.enqueue.push(run);
    }
    let Some(admin_url) = o.postgres_url.clone() else {
        eprintln!("enqueue: no --postgres-url (or QANTAR_TEST_POSTGRES_URL): PostgreSQL skipped");
        return Ok(());
    };
    let db = Postgres::create(&admin_url).await?;
    let outcome = async {
        let key = qantar_bot::store::DataKey::from_bytes(
            &qantar_bot::store::DataKey::generate().map_err(|e| e.to_string())?,
        );
        let t0 = Instant::now();
        subscribers::seed(&db.url, &key, n).await?;
        eprintln!(
            "PostgreSQL: seeded {n} subscribers in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        let store = Store::open(&db.url, 0, key)
            .await
            .map_err(|e| e.to_string())?;
        for r in 0..o.runs {
            db.empty_queue().await?;
            let run = time_job(&store, "postgres").await?;
            eprintln!("enqueue PostgreSQL run {r}: {run:?}");
            results.enqueue.push(run);
        }
        store.close().await;
        Ok::<(), String>(())
    }
    .await;
    db.drop().await?;
    outcome
}

async fn time_job(
    store: &qantar_bot::store::Store,
    backend: &'static str,
) -> Result<EnqueueRun, String> {
    let t0 = Instant::now();
    let queued = store
        .create_job("announce:load_enqueue", &[], &[])
        .await
        .map_err(|e| e.to_string())?;
    let took = t0.elapsed();
    let recipients = queued.ok_or("the job existed already")?;
    Ok(EnqueueRun {
        backend,
        recipients,
        ms: ms(took),
    })
}

/// A database of its own on the PostgreSQL server the admin URL points to.
struct Postgres {
    admin_url: String,
    name: String,
    url: String,
}

impl Postgres {
    async fn create(admin_url: &str) -> Result<Postgres, String> {
        use sqlx::Connection;
        let name = format!("qantar_load_{}", std::process::id());
        let mut url = url::Url::parse(admin_url).map_err(|e| format!("--postgres-url: {e}"))?;
        url.set_path(&name);
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .map_err(|e| format!("PostgreSQL at --postgres-url: {e}"))?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .map_err(|e| e.to_string())?;
        let _ = admin.close().await;
        Ok(Postgres {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        })
    }

    async fn empty_queue(&self) -> Result<(), String> {
        use sqlx::Connection;
        let mut db = sqlx::PgConnection::connect(&self.url)
            .await
            .map_err(|e| e.to_string())?;
        // Separately: VACUUM refuses to run inside the transaction a multi-statement
        // query makes.
        for sql in [
            "TRUNCATE outreach_queue, outreach_channel_post, outreach_job",
            "VACUUM ANALYZE",
        ] {
            sqlx::raw_sql(sql)
                .execute(&mut db)
                .await
                .map_err(|e| e.to_string())?;
        }
        let _ = db.close().await;
        Ok(())
    }

    async fn drop(self) -> Result<(), String> {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .map_err(|e| e.to_string())?;
        let _ = admin.close().await;
        Ok(())
    }
}
