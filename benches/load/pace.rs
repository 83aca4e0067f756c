//! Pace mode (issue 22): how close the sender comes to the configured rate, and how
//! evenly it spaces messages, when Telegram's answers take time. For each rate of
//! `--pace-rates` (25, 100 and 1,000/s) and each answer time of `--answer-ms` (0 and
//! 100 ms), an announcement goes to enough subscribers for about `--pace-seconds` (25 s)
//! at that rate. The fake records each message when its request arrives, before the wait
//! for its answer, as Telegram would count it. Reported: achieved / configured rate, the
//! most messages in any 1-second window, the median and p99 gap between two messages.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::Options;
use crate::broadcast::{self, Template};
use crate::stats::{ms, percentile};

/// Above this, a broadcast needs `QANTAR_PAID_BROADCAST` (Telegram's free 30/s).
const FREE_RATE: usize = 30;

/// One broadcast at one rate and answer time.
#[derive(Debug, Clone)]
pub struct PaceRun {
    pub rate: usize,
    pub answer_ms: u64,
    pub in_flight: usize,
    /// Messages the fake received.
    pub received: usize,
    /// The rate sustained, over the configured rate (see `sustained`).
    pub rate_fraction: f64,
    /// The most messages arriving within any one second.
    pub max_window: usize,
    pub gap_p50_ms: f64,
    pub gap_p99_ms: f64,
    pub gap_max_ms: f64,
    /// Extra messages (a chat sent it twice) and subscribers never reached: both 0, or
    /// the run measured something else.
    pub extra: usize,
    pub lost: usize,
}

/// QANTAR_BROADCAST_IN_FLIGHT for `rate` with answers taking `answer`: a message is in
/// flight for about the answer time, so the rate needs rate × answer of them at once;
/// half again leaves room for the request's own time and a slow answer. Never below the
/// default, 4.
pub fn in_flight(rate: usize, answer: Duration) -> usize {
    let needed = rate as f64 * answer.as_secs_f64();
    ((needed * 1.5).ceil() as usize).max(4)
}

pub async fn run(o: &Options, results: &mut Vec<PaceRun>) -> Result<(), String> {
    let id = broadcast::announcement()?;
    for &rate in &o.pace_rates {
        let n = ((rate as f64 * o.pace_seconds).round() as usize).max(2);
        let template = Template::seed(n).await?;
        for r in 0..o.runs {
            for &answer_ms in &o.answer_ms {
                let run = pace_run(o, &template, &id, rate, answer_ms, r).await?;
                eprintln!("pace run {r}: {run:?}");
                results.push(run);
            }
        }
    }
    Ok(())
}

async fn pace_run(
    o: &Options,
    t: &Template,
    id: &str,
    rate: usize,
    answer_ms: u64,
    round: usize,
) -> Result<PaceRun, String> {
    let n = t.subscribers();
    let answer = Duration::from_millis(answer_ms);
    let in_flight = in_flight(rate, answer);
    let env = broadcast::env_at(rate, rate > FREE_RATE, Some(in_flight));
    let (fake, bot) = broadcast::start_with(t.copy()?, &env, answer).await?;
    broadcast::announce(&fake, &bot, id, || {}).await?;
    broadcast::wait_complete(rate, &fake, n, Duration::ZERO).await;
    bot.stop();
    let log = fake.broadcast_log();
    let (_, extra, lost) = broadcast::tally(&log, n);
    let mut times: Vec<Instant> = log.iter().map(|(t, _)| *t).collect();
    times.sort_unstable();
    if let Some(dir) = &o.pace_log {
        write_log(dir, rate, answer_ms, round, &times).map_err(|e| e.to_string())?;
    }
    let mut gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_unstable();
    Ok(PaceRun {
        rate,
        answer_ms,
        in_flight,
        received: times.len(),
        rate_fraction: sustained(&times, rate) / rate as f64,
        max_window: broadcast::max_window(&log),
        gap_p50_ms: ms(percentile(&gaps, 50.0)),
        gap_p99_ms: ms(percentile(&gaps, 99.0)),
        gap_max_ms: ms(gaps.last().copied().unwrap_or_default()),
        extra,
        lost,
    })
}

/// Messages a second, sustained: `rate` messages over the time `rate` messages took,
/// on average over the run (the mean of the last `rate` arrivals less the mean of the
/// first `rate`, shared among the n − `rate` steps between). Messages sent in bursts,
/// one each second, are not flattered by where the first and last bursts fall: counted
/// from the first message to the last, bursts of 25 in the first half of each second
/// read as 1.02 of 25/s. Evenly spaced, it is (n − 1) / (last − first).
fn sustained(times: &[Instant], rate: usize) -> f64 {
    let n = times.len();
    let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
        return 0.0;
    };
    if n <= rate {
        return (n.saturating_sub(1)) as f64 / last.duration_since(first).as_secs_f64().max(1e-9);
    }
    let secs = |ts: &[Instant]| -> f64 {
        ts.iter()
            .map(|t| t.duration_since(first).as_secs_f64())
            .sum()
    };
    let apart = (secs(&times[n - rate..]) - secs(&times[..rate])) / rate as f64;
    (n - rate) as f64 / apart.max(1e-9)
}

/// Each arrival in microseconds after the first, one a line, for a closer look.
fn write_log(
    dir: &Path,
    rate: usize,
    answer_ms: u64,
    round: usize,
    times: &[Instant],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("pace-{rate}-{answer_ms}ms-{round}.txt"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    if let Some(&first) = times.first() {
        for t in times {
            writeln!(out, "{}", t.duration_since(first).as_micros())?;
        }
    }
    out.flush()
}
