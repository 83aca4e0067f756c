//! The load harness: `cargo bench --features loadtest --bench load`.
//!
//! Runs `qantar-bot` and the floor bot (`src/bin/floor-bot.rs`, teloxide answering with a
//! fixed text) in turn against a fast fake Bot API on loopback, and reports throughput,
//! latency from hand-out to reply, peak memory, start-up time and the time of
//! `qantar-bot check`, each as the median (min–max) of several runs. Throughput runs
//! also run a second, diagnostic floor whose replies are as large as ours, to tell what
//! our replies' size costs from what our code costs. Results go to
//! stdout as Markdown for BENCHMARKS.md; progress goes to stderr.
//!
//! Options (after `--`): `--runs N`, `--only throughput,latency,memory,startup,check`,
//! `--updates N`, `--chats N`, `--rate N`, `--paced N`, `--memory-chats N`, `--saved N`,
//! `--floor-multi-thread` (the floor on tokio's default runtime, as `#[tokio::main]` and
//! teloxide's examples have it, instead of the product's one thread), `--quick` (fewer
//! runs and updates, to try the harness out). `QANTAR_LOAD_BOT=PATH` runs another
//! qantar-bot binary (a build kept aside) in place of this one, for before/after figures.
//!
//! Broadcast mode (issue 14), not in the default set (a full run takes the best part of
//! an hour): `--only broadcast` runs its four parts, each also a name for `--only`:
//! `broadcast-rate` (an announcement to every subscriber at the paid rate: achieved rate,
//! the most in any one-second window, duplicates, losses, peak RSS growth),
//! `broadcast-kill` (SIGKILL at half way, restart on the same database and key: losses
//! and duplicates, for each `--kill-in-flight` value of QANTAR_BROADCAST_IN_FLIGHT),
//! `broadcast-latency` (interactive p99 at `--interactive-rate` updates/s with and
//! without a broadcast) and `enqueue` (`Store::create_job` over `--enqueue N`
//! subscribers on SQLite, and on PostgreSQL at `--postgres-url URL`, else
//! `QANTAR_TEST_POSTGRES_URL`, in a database it creates and drops). Options:
//! `--subscribers N` (100,000), `--broadcast-rate N` (1,000/s, paid),
//! `--kill-in-flight 1,4`, `--interactive-rate N` (200), `--enqueue N` (1,000,000);
//! `--quick` makes them 10,000 subscribers and 100,000 to enqueue.
//!
//! Pace mode (issue 22), not in the default set either (about 4 minutes a run):
//! `--only broadcast-pace` sends an announcement at each rate of `--pace-rates 25,100,1000`
//! with the fake's answers taking each of `--answer-ms 0,100` milliseconds, to enough
//! subscribers for `--pace-seconds 25` at that rate (`--quick`: 6), and reports the rate
//! reached, the most messages in any second and the gaps between them as received;
//! `--pace-log DIR` also writes each run's arrival times there.

mod broadcast;
mod fake;
mod pace;
mod process;
mod report;
mod stats;
mod subscribers;
mod workload;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use fake::{Fake, PhaseStats};
use process::{BotProcess, Kind, Memory, own_cpu};
use stats::{ms, percentile};

#[derive(Debug, Clone)]
pub struct Options {
    pub runs: usize,
    pub modes: Vec<String>,
    /// Throughput: updates in the measured burst, over `chats` chats.
    pub updates: usize,
    pub chats: usize,
    /// Updates answered before any measurement, so connections and caches are warm.
    pub warmup: usize,
    /// Latency: updates per second, and how many updates at that pace.
    pub rate: f64,
    pub paced: usize,
    /// Memory: distinct chats per burst (two identical bursts).
    pub memory_chats: usize,
    /// Start-up is also timed with this many saved language choices in the database.
    pub saved: usize,
    /// Floor bots on tokio's multi-thread runtime rather than the product's one thread.
    pub floor_multi_thread: bool,
    /// Broadcast: subscribers, the paid rate, QANTAR_BROADCAST_IN_FLIGHT for each kill
    /// scenario, and the pace of interactive updates during a broadcast.
    pub subscribers: usize,
    pub broadcast_rate: usize,
    pub kill_in_flight: Vec<usize>,
    pub interactive_rate: f64,
    /// Subscribers `Store::create_job` enqueues, and the PostgreSQL server for it.
    pub enqueue: usize,
    pub postgres_url: Option<String>,
    /// Pace mode: the rates, the fake's answer times, the seconds each broadcast takes
    /// at its rate, and where to write arrival times (if anywhere).
    pub pace_rates: Vec<usize>,
    pub answer_ms: Vec<u64>,
    pub pace_seconds: f64,
    pub pace_log: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runs: 5,
            modes: ["startup", "check", "throughput", "latency", "memory"]
                .map(String::from)
                .to_vec(),
            updates: 100_000,
            chats: 1_000,
            warmup: 2_000,
            rate: 1_000.0,
            paced: 10_000,
            memory_chats: 100_000,
            saved: 100_000,
            floor_multi_thread: false,
            subscribers: 100_000,
            broadcast_rate: 1_000,
            kill_in_flight: vec![1, 4],
            interactive_rate: 200.0,
            enqueue: 1_000_000,
            postgres_url: std::env::var("QANTAR_TEST_POSTGRES_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            pace_rates: vec![25, 100, 1_000],
            answer_ms: vec![0, 100],
            pace_seconds: 25.0,
            pace_log: None,
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value"))
                .and_then(|v| v.parse::<usize>().map_err(|e| format!("{name}: {e}")))
        };
        match arg.as_str() {
            "--bench" => {}
            "--runs" => o.runs = value(arg)?.max(1),
            "--updates" => o.updates = value(arg)?,
            "--chats" => o.chats = value(arg)?.max(1),
            "--rate" => o.rate = value(arg)?.max(1) as f64,
            "--paced" => o.paced = value(arg)?,
            "--memory-chats" => o.memory_chats = value(arg)?,
            "--saved" => o.saved = value(arg)?,
            "--floor-multi-thread" => o.floor_multi_thread = true,
            "--subscribers" => o.subscribers = value(arg)?.max(1),
            "--broadcast-rate" => o.broadcast_rate = value(arg)?.clamp(1, 1000),
            "--interactive-rate" => o.interactive_rate = value(arg)?.max(1) as f64,
            "--enqueue" => o.enqueue = value(arg)?.max(1),
            "--postgres-url" => {
                o.postgres_url = Some(it.next().ok_or("--postgres-url needs a URL")?.clone());
            }
            "--kill-in-flight" => o.kill_in_flight = list(arg, it.next())?,
            "--pace-rates" => {
                o.pace_rates = list(arg, it.next())?;
                if o.pace_rates.iter().any(|r| !(1..=1000).contains(r)) {
                    return Err("--pace-rates: each between 1 and 1000".into());
                }
            }
            "--answer-ms" => o.answer_ms = list(arg, it.next())?,
            "--pace-seconds" => o.pace_seconds = value(arg)?.max(1) as f64,
            "--pace-log" => {
                o.pace_log = Some(it.next().ok_or("--pace-log needs a folder")?.into());
            }
            "--only" => {
                let list = it.next().ok_or("--only needs a list")?;
                o.modes = list.split(',').map(|m| m.trim().to_string()).collect();
            }
            "--quick" => {
                o.runs = 2;
                o.updates = 5_000;
                o.warmup = 500;
                o.paced = 2_000;
                o.memory_chats = 10_000;
                o.saved = 10_000;
                o.subscribers = 10_000;
                o.enqueue = 100_000;
                o.pace_seconds = 6.0;
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(o)
}

/// A comma-separated list of numbers, the value of option `name`.
fn list<T: std::str::FromStr>(name: &str, value: Option<&String>) -> Result<Vec<T>, String>
where
    T::Err: std::fmt::Display,
{
    value
        .ok_or_else(|| format!("{name} needs a list"))?
        .split(',')
        .map(|n| n.trim().parse::<T>().map_err(|e| format!("{name}: {e}")))
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test --all-targets` runs bench targets without `--bench`: nothing to do then.
    if !args.iter().any(|a| a == "--bench") {
        println!("load harness: run it with `cargo bench --features loadtest --bench load`");
        return ExitCode::SUCCESS;
    }
    let options = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // One thread for the fake API: it must leave the bots the rest of the machine.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&options)) {
        Ok(results) => {
            println!("{}", report::markdown(&options, &results));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("load harness failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One throughput or latency run of one bot.
#[derive(Debug, Clone, Copy)]
pub struct LoadRun {
    pub kind: Kind,
    /// Which round of runs this was: ratios pair the bots' runs of one round.
    pub round: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Bot CPU time (user + system) per answered update.
    pub cpu_us: f64,
    /// The harness's own CPU use over the phase, as a share of one core.
    pub harness_core: f64,
    pub peak_mib: f64,
    /// getUpdates calls per 100 updates answered (100 to a batch is 1).
    pub polls_per_100: f64,
    /// Updates handed out per update answered: above 1 when polls repeat updates the
    /// bot has not confirmed yet.
    pub handouts_per_update: f64,
    /// Mean size of a sendMessage request body.
    pub request_bytes: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct MemoryRun {
    pub kind: Kind,
    pub first: Memory,
    pub second: Memory,
}

#[derive(Debug, Default)]
pub struct Results {
    pub startup_ms: Vec<(Kind, f64)>,
    /// qantar-bot only: start-up with `saved` choices to load.
    pub startup_saved_ms: Vec<f64>,
    pub check_ms: Vec<f64>,
    pub throughput: Vec<LoadRun>,
    pub latency: Vec<LoadRun>,
    pub memory: Vec<MemoryRun>,
    pub broadcast: broadcast::Results,
    pub pace: Vec<pace::PaceRun>,
}

/// Both bots each run, the order alternating so neither always runs on a cooler machine.
fn order(run: usize) -> [Kind; 2] {
    if run.is_multiple_of(2) {
        [Kind::Floor, Kind::Qantar]
    } else {
        [Kind::Qantar, Kind::Floor]
    }
}

async fn run(o: &Options) -> Result<Results, String> {
    let mut results = Results::default();
    let wants = |m: &str| o.modes.iter().any(|x| x == m);
    for mode in &o.modes {
        let known = [
            "startup",
            "check",
            "throughput",
            "latency",
            "memory",
            "broadcast",
            "broadcast-pace",
        ];
        if !known.contains(&mode.as_str()) && !broadcast::PARTS.contains(&mode.as_str()) {
            return Err(format!("unknown mode `{mode}`"));
        }
    }
    if wants("startup") {
        for r in 0..o.runs {
            for kind in order(r) {
                let (fake, bot, started) = session(o, kind, 0, 0).await?;
                eprintln!("startup {:>10} run {r}: {:.1} ms", kind.name(), started);
                results.startup_ms.push((kind, started));
                drop(fake);
                bot.stop();
            }
            if o.saved > 0 {
                let (fake, bot, started) = session(o, Kind::Qantar, o.saved, 0).await?;
                eprintln!("startup with {} saved run {r}: {started:.1} ms", o.saved);
                results.startup_saved_ms.push(started);
                drop(fake);
                bot.stop();
            }
        }
    }
    if wants("check") {
        // Once unmeasured, so the binary and content are in the page cache as in use.
        process::time_check().map_err(|e| e.to_string())?;
        for r in 0..o.runs * 2 {
            let took = ms(process::time_check().map_err(|e| e.to_string())?);
            eprintln!("check run {r}: {took:.1} ms");
            results.check_ms.push(took);
        }
    }
    if wants("throughput") {
        let burst = workload::updates(o.updates, o.chats, 0);
        for r in 0..o.runs {
            let mut round = Vec::new();
            for kind in order(r) {
                let run = load_run(o, r, kind, &burst, None, 0).await?;
                eprintln!("throughput {:>10} run {r}: {run:?}", kind.name());
                round.push(run);
            }
            // The diagnostic floor: its text grown so its requests are the size of ours.
            let size = |k: Kind| round.iter().find(|x| x.kind == k).map(|x| x.request_bytes);
            if let (Some(ours), Some(floor)) = (size(Kind::Qantar), size(Kind::Floor)) {
                let text = (ours - floor).max(0.0) as usize + "ok".len();
                let run = load_run(o, r, Kind::FloorSized, &burst, None, text).await?;
                eprintln!("throughput {} run {r}: {run:?}", Kind::FloorSized.name());
                round.push(run);
            }
            results.throughput.extend(round);
        }
    }
    if wants("latency") {
        let paced = workload::updates(o.paced, o.chats, 0);
        for r in 0..o.runs {
            for kind in order(r) {
                let run = load_run(o, r, kind, &paced, Some(o.rate), 0).await?;
                eprintln!("latency {:>10} run {r}: {run:?}", kind.name());
                results.latency.push(run);
            }
        }
    }
    if wants("memory") {
        let burst = workload::updates(o.memory_chats, o.memory_chats, 0);
        for r in 0..o.runs {
            for kind in order(r) {
                let run = memory_run(o, kind, &burst).await?;
                eprintln!("memory {:>10} run {r}: {run:?}", kind.name());
                results.memory.push(run);
            }
        }
    }
    let parts: Vec<&str> = broadcast::PARTS
        .into_iter()
        .filter(|p| wants(p) || wants("broadcast"))
        .collect();
    if !parts.is_empty() {
        broadcast::run(o, &parts, &mut results.broadcast).await?;
    }
    if wants("broadcast-pace") {
        pace::run(o, &mut results.pace).await?;
    }
    Ok(results)
}

/// A fresh fake API and a fresh bot (with `saved` choices in its database), up to its
/// first getUpdates; returns the milliseconds from spawning the process to that request.
async fn session(
    o: &Options,
    kind: Kind,
    saved: usize,
    reply_bytes: usize,
) -> Result<(Fake, BotProcess, f64), String> {
    let fake = Fake::start().await.map_err(|e| e.to_string())?;
    let bot = BotProcess::spawn(kind, &fake.url, saved, reply_bytes, o.floor_multi_thread).await?;
    match fake.wait_first_poll(Duration::from_secs(20)).await {
        Some(at) => {
            let started = ms(at.saturating_duration_since(bot.spawned));
            Ok((fake, bot, started))
        }
        None => Err(format!(
            "{} never asked for updates; its log:\n{}",
            kind.name(),
            bot.log()
        )),
    }
}

/// Phases must be answered in full, one reply per update, or the figures mean nothing.
fn checked(
    kind: Kind,
    bot: &BotProcess,
    n: usize,
    stats: PhaseStats,
) -> Result<PhaseStats, String> {
    if stats.answered != n || stats.unmatched != 0 {
        return Err(format!(
            "{}: {} of {n} updates answered, {} replies unmatched; its log:\n{}",
            kind.name(),
            stats.answered,
            stats.unmatched,
            bot.log()
        ));
    }
    Ok(stats)
}

async fn load_run(
    o: &Options,
    round: usize,
    kind: Kind,
    updates: &[workload::Update],
    rate: Option<f64>,
    reply_bytes: usize,
) -> Result<LoadRun, String> {
    let (fake, bot, _) = session(o, kind, 0, reply_bytes).await?;
    let limit = Duration::from_secs(300);
    let warmup = workload::updates(o.warmup, o.chats, 0);
    let stats = fake.run_phase(&warmup, None, limit).await;
    checked(kind, &bot, warmup.len(), stats)?;

    let (cpu0, own0, t0) = (bot.cpu(), own_cpu(), Instant::now());
    let stats = fake.run_phase(updates, rate, limit).await;
    let (cpu1, own1, wall) = (bot.cpu(), own_cpu(), t0.elapsed());
    let mut stats = checked(kind, &bot, updates.len(), stats)?;
    let peak = bot.memory();
    bot.stop();

    stats.latencies.sort_unstable();
    let n = updates.len() as f64;
    Ok(LoadRun {
        kind,
        round,
        per_second: n / stats.span.as_secs_f64().max(1e-9),
        p50_ms: ms(percentile(&stats.latencies, 50.0)),
        p99_ms: ms(percentile(&stats.latencies, 99.0)),
        max_ms: ms(stats.latencies.last().copied().unwrap_or_default()),
        cpu_us: (cpu1.saturating_sub(cpu0)).as_secs_f64() * 1e6 / n,
        harness_core: own1.saturating_sub(own0).as_secs_f64() / wall.as_secs_f64().max(1e-9),
        peak_mib: peak.peak_kib as f64 / 1024.0,
        polls_per_100: stats.polls as f64 * 100.0 / n,
        handouts_per_update: stats.handed as f64 / n,
        request_bytes: stats.sent_bytes as f64 / n,
    })
}

async fn memory_run(
    o: &Options,
    kind: Kind,
    burst: &[workload::Update],
) -> Result<MemoryRun, String> {
    let (fake, bot, _) = session(o, kind, 0, 0).await?;
    let limit = Duration::from_secs(600);
    let mut after = [Memory::default(); 2];
    for slot in &mut after {
        let stats = fake.run_phase(burst, None, limit).await;
        checked(kind, &bot, burst.len(), stats)?;
        // Let workers for idle chats wind down before reading.
        tokio::time::sleep(Duration::from_millis(500)).await;
        *slot = bot.memory();
    }
    bot.stop();
    Ok(MemoryRun {
        kind,
        first: after[0],
        second: after[1],
    })
}
