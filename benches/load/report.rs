//! The results as Markdown: the machine, the settings, and one table of medians
//! (min–max) for qantar-bot beside the floor, with the targets of issue 7; pace mode's
//! figures in a table of their own, a row per rate and answer time.

use std::fmt::Write;
use std::process::Command;

use crate::process::Kind;
use crate::stats::show;
use crate::{LoadRun, MemoryRun, Options, Results};

/// One figure of a load run.
type Figure = fn(&LoadRun) -> f64;

pub fn markdown(o: &Options, r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", machine());
    let _ = writeln!(
        out,
        "Settings: {} runs; throughput {} updates over {} chats after a {}-update warm-up; \
         latency {} updates at {}/s; memory 2 × {} distinct chats; floor bots on {}.\n",
        o.runs,
        o.updates,
        o.chats,
        o.warmup,
        o.paced,
        o.rate,
        o.memory_chats,
        if o.floor_multi_thread {
            "tokio's multi-thread runtime"
        } else {
            "one thread, as the product"
        }
    );
    let b = &r.broadcast;
    if !(b.clean.is_empty() && b.kill.is_empty() && b.latency.is_empty()) {
        let _ = writeln!(
            out,
            "Broadcast: `/announce <id>` then Confirm from the admin, to {} subscribers at \
             QANTAR_BROADCAST_RATE={} with QANTAR_PAID_BROADCAST=true \
             (QANTAR_BROADCAST_IN_FLIGHT 4, the default, unless said); replies at {}/s \
             during it, {} updates over {} chats at most, after a {}-update warm-up.\n",
            o.subscribers, o.broadcast_rate, o.interactive_rate, o.paced, o.chats, o.warmup
        );
    }
    // The table's rows first: a run of pace mode alone has none, and no empty table.
    let mut table = String::new();
    let mut row = |name: &str, ours: String, floor: String, target: &str| {
        let _ = writeln!(table, "| {name} | {ours} | {floor} | {target} |");
    };

    let one = |runs: &[LoadRun], k: Kind, f: Figure, d: usize| {
        let values: Vec<f64> = runs.iter().filter(|x| x.kind == k).map(f).collect();
        show(&values, d)
    };
    let both = |runs: &[LoadRun], f: Figure, d: usize| {
        (one(runs, Kind::Qantar, f, d), one(runs, Kind::Floor, f, d))
    };
    if !r.throughput.is_empty() {
        let t = &r.throughput;
        let (a, b) = both(t, |x| x.per_second, 0);
        row("throughput, updates/s", a, b, "");
        row(
            "throughput, ours / floor (paired runs)",
            show(&ratios(t, Kind::Floor), 3),
            "1".into(),
            "≥ 0.9",
        );
        let (a, b) = both(t, |x| x.cpu_us, 0);
        row("bot CPU per update, µs", a, b, "");
        let (a, b) = both(t, |x| x.p50_ms, 1);
        row("latency at full throughput, p50 ms", a, b, "");
        let (a, b) = both(t, |x| x.p99_ms, 1);
        row("latency at full throughput, p99 ms", a, b, "");
        let (a, b) = both(t, |x| x.peak_mib, 1);
        row("peak RSS after the throughput run, MiB", a, b, "");
        let (a, b) = both(t, |x| x.harness_core * 100.0, 0);
        row("harness CPU during the run, % of a core", a, b, "");
        let (a, b) = both(t, |x| x.polls_per_100, 1);
        row("getUpdates calls per 100 updates", a, b, "");
        let (a, b) = both(t, |x| x.handouts_per_update, 2);
        row("updates handed out per update (repeats included)", a, b, "");
        let (a, b) = both(t, |x| x.request_bytes, 0);
        row("sendMessage request, mean bytes", a, b, "");
        if t.iter().any(|x| x.kind == Kind::FloorSized) {
            let name = "diagnostic floor, replies of our size";
            let figures: [(&str, Figure, usize); 3] = [
                ("request, mean bytes", |x| x.request_bytes, 0),
                ("updates/s", |x| x.per_second, 0),
                ("bot CPU per update, µs", |x| x.cpu_us, 0),
            ];
            for (figure, f, d) in figures {
                let value = one(t, Kind::FloorSized, f, d);
                row(&format!("{name}: {figure}"), "–".into(), value, "");
            }
            row(
                &format!("throughput, ours / {name} (paired runs)"),
                show(&ratios(t, Kind::FloorSized), 3),
                "1".into(),
                "",
            );
        }
    }
    if !r.latency.is_empty() {
        let l = &r.latency;
        let rate = o.rate;
        let (a, b) = both(l, |x| x.p50_ms, 2);
        row(&format!("latency at {rate}/s, p50 ms"), a, b, "");
        let (a, b) = both(l, |x| x.p99_ms, 2);
        row(&format!("latency at {rate}/s, p99 ms"), a, b, "≤ 5");
        let (a, b) = both(l, |x| x.max_ms, 1);
        row(&format!("latency at {rate}/s, max ms"), a, b, "");
        let (a, b) = both(l, |x| x.cpu_us, 0);
        row(&format!("at {rate}/s: bot CPU per update, µs"), a, b, "");
        let (a, b) = both(l, |x| x.polls_per_100, 0);
        row(
            &format!("at {rate}/s: getUpdates calls per 100 updates"),
            a,
            b,
            "",
        );
        let (a, b) = both(l, |x| x.handouts_per_update, 2);
        row(
            &format!("at {rate}/s: updates handed out per update"),
            a,
            b,
            "",
        );
    }
    if !r.memory.is_empty() {
        let m = &r.memory;
        let mib = |kib: u64| kib as f64 / 1024.0;
        let pick = |k: Kind, f: fn(&MemoryRun) -> u64| -> Vec<f64> {
            m.iter()
                .filter(|x| x.kind == k)
                .map(|x| mib(f(x)))
                .collect()
        };
        let growth = |k: Kind| -> Vec<f64> {
            m.iter()
                .filter(|x| x.kind == k)
                .map(|x| mib(x.second.peak_kib) - mib(x.first.peak_kib))
                .collect()
        };
        let both = |f: fn(&MemoryRun) -> u64| {
            (
                show(&pick(Kind::Qantar, f), 1),
                show(&pick(Kind::Floor, f), 1),
            )
        };
        let (a, b) = both(|x| x.first.peak_kib);
        let chats = o.memory_chats;
        row(
            &format!("peak RSS after {chats} distinct chats, MiB"),
            a,
            b,
            "≤ 40",
        );
        let (a, b) = both(|x| x.second.peak_kib);
        row(
            "peak RSS after a second, identical burst, MiB",
            a,
            b,
            "no growth",
        );
        let (a1, b1) = both(|x| x.first.now_kib);
        let (a2, b2) = both(|x| x.second.now_kib);
        row(
            "RSS after the first / second burst, MiB",
            format!("{a1} / {a2}"),
            format!("{b1} / {b2}"),
            "",
        );
        row(
            "peak growth on the second burst, MiB",
            show(&growth(Kind::Qantar), 1),
            show(&growth(Kind::Floor), 1),
            "0",
        );
    }
    if !r.startup_ms.is_empty() {
        let pick = |k: Kind| -> Vec<f64> {
            r.startup_ms
                .iter()
                .filter(|(x, _)| *x == k)
                .map(|(_, v)| *v)
                .collect()
        };
        row(
            "process start to first getUpdates, ms",
            show(&pick(Kind::Qantar), 1),
            show(&pick(Kind::Floor), 1),
            "≤ 150",
        );
    }
    if !r.startup_saved_ms.is_empty() {
        row(
            &format!("the same, with {} saved choices to load, ms", o.saved),
            show(&r.startup_saved_ms, 1),
            "–".into(),
            "≤ 150",
        );
    }
    broadcast_rows(o, &r.broadcast, &mut row);
    if !r.check_ms.is_empty() {
        row(
            "`qantar-bot check` on the shipped content, ms",
            show(&r.check_ms, 1),
            "–".into(),
            "≤ 50",
        );
    }
    if !table.is_empty() {
        let _ = writeln!(out, "| figure | qantar-bot | floor-bot | target |");
        let _ = writeln!(out, "|---|---|---|---|");
        out.push_str(&table);
    }
    if !r.pace.is_empty() {
        out.push_str(&pace_table(o, &r.pace));
    }
    if crate::broadcast::CONFIRM_IGNORED.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = writeln!(
            out,
            "\nNote: the admin's Confirm press (`1:a:<id>`) was answered but queued nothing \
             (the preview was not edited and no message went out), so the harness queued \
             the announcement itself with `Store::create_job(\"announce:<id>\")` on the \
             bot's database, the call Confirm makes; the sending is the bot's as usual. \
             \"Confirm to first message\" then includes the 5 s the harness waited."
        );
    }
    out
}

/// Ours over `floor`'s, for each round in which both ran.
fn ratios(runs: &[LoadRun], floor: Kind) -> Vec<f64> {
    runs.iter()
        .filter(|x| x.kind == Kind::Qantar)
        .filter_map(|ours| {
            let other = runs
                .iter()
                .find(|x| x.kind == floor && x.round == ours.round)?;
            Some(ours.per_second / other.per_second)
        })
        .collect()
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let run = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    format!(
        "Machine: {cores} cores, {model}, {mem_gib:.1} GiB; {}; commit {}; {}.",
        run("uname", &["-sr"]),
        run("git", &["rev-parse", "--short", "HEAD"]),
        run("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    )
}

/// Broadcast mode's figures: the product alone (no floor sends broadcasts).
fn broadcast_rows(
    o: &Options,
    b: &crate::broadcast::Results,
    row: &mut impl FnMut(&str, String, String, &str),
) {
    let dash = || "–".to_string();
    let (n, rate) = (o.subscribers, o.broadcast_rate);
    let of = |v: Vec<f64>, d: usize| show(&v, d);
    if !b.clean.is_empty() {
        let c = &b.clean;
        let pick = |f: fn(&crate::broadcast::CleanRun) -> f64| c.iter().map(f).collect();
        let at = format!("broadcast to {n} subscribers at {rate}/s (paid)");
        row(
            &format!("{at}: achieved / configured rate"),
            of(pick(|x| x.rate_fraction), 3),
            dash(),
            "≥ 0.98",
        );
        row(
            &format!("{at}: most messages in any 1-second window"),
            of(pick(|x| x.max_window as f64), 0),
            dash(),
            &format!("≤ {rate}"),
        );
        row(
            &format!("{at}: chats sent it twice or more / extra messages"),
            format!(
                "{} / {}",
                of(pick(|x| x.duplicated as f64), 0),
                of(pick(|x| x.extra as f64), 0)
            ),
            dash(),
            "0",
        );
        row(
            &format!("{at}: subscribers never reached"),
            of(pick(|x| x.lost as f64), 0),
            dash(),
            "0",
        );
        row(
            &format!("{at}: Confirm to first message, s"),
            of(pick(|x| x.confirm_to_first_s), 2),
            dash(),
            "",
        );
        row(
            &format!("{at}: peak RSS before Confirm / after, MiB"),
            format!(
                "{} / {}",
                of(pick(|x| x.peak_before_mib), 1),
                of(pick(|x| x.peak_after_mib), 1)
            ),
            dash(),
            "",
        );
        row(
            &format!("{at}: peak RSS growth, MiB"),
            of(pick(|x| x.peak_after_mib - x.peak_before_mib), 1),
            dash(),
            "≤ 20",
        );
    }
    let mut in_flights: Vec<usize> = b.kill.iter().map(|k| k.in_flight).collect();
    in_flights.dedup();
    for f in in_flights {
        let k: Vec<&crate::broadcast::KillRun> =
            b.kill.iter().filter(|x| x.in_flight == f).collect();
        let pick = |g: fn(&crate::broadcast::KillRun) -> f64| k.iter().map(|x| g(x)).collect();
        let at = format!("SIGKILL at 50 %, restarted, QANTAR_BROADCAST_IN_FLIGHT={f}");
        row(
            &format!("{at}: subscribers never reached"),
            of(pick(|x| x.lost as f64), 0),
            dash(),
            "0",
        );
        row(
            &format!("{at}: chats sent it twice or more / extra messages"),
            format!(
                "{} / {}",
                of(pick(|x| x.duplicated as f64), 0),
                of(pick(|x| x.extra as f64), 0)
            ),
            dash(),
            if f == 1 { "≤ 1" } else { "" },
        );
        row(
            &format!("{at}: kill to first message after restart, s"),
            of(pick(|x| x.resumed_after_s), 1),
            dash(),
            "",
        );
    }
    if !b.latency.is_empty() {
        let l = &b.latency;
        let ir = o.interactive_rate;
        let side = |during: bool, f: fn(&crate::broadcast::LatencyRun) -> f64| -> Vec<f64> {
            l.iter()
                .filter(|x| x.during_broadcast == during)
                .map(f)
                .collect()
        };
        for (name, f, d) in [
            (
                "p50",
                (|x| x.p50_ms) as fn(&crate::broadcast::LatencyRun) -> f64,
                2,
            ),
            ("p99", |x| x.p99_ms, 2),
            ("max", |x| x.max_ms, 1),
        ] {
            row(
                &format!("replies at {ir}/s without / during a broadcast, {name} ms"),
                format!("{} / {}", of(side(false, f), d), of(side(true, f), d)),
                dash(),
                "",
            );
        }
        // Paired by round: each round ran both, back to back.
        let deltas: Vec<f64> = l
            .iter()
            .filter(|x| x.during_broadcast)
            .filter_map(|with| {
                let without = l
                    .iter()
                    .find(|x| !x.during_broadcast && x.round == with.round)?;
                Some(with.p99_ms - without.p99_ms)
            })
            .collect();
        row(
            &format!("replies at {ir}/s: p99 during a broadcast − without (paired runs), ms"),
            of(deltas, 2),
            dash(),
            "≤ +2",
        );
        row(
            "share of the paced phase the broadcast was still sending",
            of(side(true, |x| x.overlap), 2),
            dash(),
            "",
        );
    }
    for backend in ["sqlite", "postgres"] {
        let e: Vec<&crate::broadcast::EnqueueRun> =
            b.enqueue.iter().filter(|x| x.backend == backend).collect();
        if let Some(first) = e.first() {
            let name = if backend == "sqlite" {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            row(
                &format!(
                    "`Store::create_job` enqueuing {} recipients, {name}, ms",
                    first.recipients
                ),
                of(e.iter().map(|x| x.ms).collect(), 0),
                dash(),
                "",
            );
        }
    }
}

/// Pace mode: a row per rate and answer time, each figure the median (min–max) of the
/// runs, targets in the header.
fn pace_table(o: &Options, runs: &[crate::pace::PaceRun]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nPace: an announcement to rate × {} s subscribers (`/announce <id>`, Confirm), \
         the fake Bot API answering each request after the time given; received = counted \
         when the request arrives, before that wait; achieved = the rate sustained, rate \
         messages over the mean time rate messages took; gaps between messages received. \
         {} run(s) each.\n",
        o.pace_seconds, o.runs
    );
    let _ = writeln!(
        out,
        "| rate/s | answers after | in flight | messages | achieved / configured (≥ 0.97) \
         | most received in any 1 s (≤ rate) | gap p50, ms | gap p99, ms | gap max, ms \
         | extra / never reached |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    let mut keys: Vec<(usize, u64)> = runs.iter().map(|x| (x.rate, x.answer_ms)).collect();
    keys.sort_unstable();
    keys.dedup();
    for (rate, answer_ms) in keys {
        let these: Vec<&crate::pace::PaceRun> = runs
            .iter()
            .filter(|x| x.rate == rate && x.answer_ms == answer_ms)
            .collect();
        let of = |f: fn(&crate::pace::PaceRun) -> f64, d: usize| {
            show(&these.iter().map(|x| f(x)).collect::<Vec<f64>>(), d)
        };
        let _ = writeln!(
            out,
            "| {rate} | {answer_ms} ms | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
            these.first().map_or(0, |x| x.in_flight),
            of(|x| x.received as f64, 0),
            of(|x| x.rate_fraction, 3),
            of(|x| x.max_window as f64, 0),
            of(|x| x.gap_p50_ms, 2),
            of(|x| x.gap_p99_ms, 2),
            of(|x| x.gap_max_ms, 1),
            of(|x| x.extra as f64, 0),
            of(|x| x.lost as f64, 0),
        );
    }
    out
}
