//! Process-wide counters for operators, rendered in Prometheus' text format.
//!
//! Counts only: no label ever carries a chat id, a user id or any text a person typed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use crate::lang::Lang;

/// Upper bounds of the reply-latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
pub struct Metrics {
    updates: Mutex<BTreeMap<&'static str, u64>>,
    commands: Mutex<BTreeMap<(&'static str, Lang), u64>>,
    api_errors: Mutex<BTreeMap<&'static str, u64>>,
    store_errors: Mutex<BTreeMap<&'static str, u64>>,
    replies: AtomicU64,
    retry_after_waits: AtomicU64,
    retry_after_seconds: AtomicU64,
    flood_dropped: AtomicU64,
    content_generation: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

static GLOBAL: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The counters of this process.
pub fn global() -> &'static Metrics {
    &GLOBAL
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    // A poisoned lock only means another thread panicked mid-increment; the map is fine.
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    *map.entry(key).or_insert(0) += 1;
}

fn snapshot<K: Ord + Clone>(map: &Mutex<BTreeMap<K, u64>>) -> Vec<(K, u64)> {
    let map = map.lock().unwrap_or_else(|e| e.into_inner());
    map.iter().map(|(k, v)| (k.clone(), *v)).collect()
}

impl Metrics {
    pub fn update(&self, kind: &'static str) {
        bump(&self.updates, kind);
    }

    pub fn command(&self, name: &'static str, lang: Lang) {
        bump(&self.commands, (name, lang));
    }

    pub fn api_error(&self, kind: &'static str) {
        bump(&self.api_errors, kind);
    }

    pub fn store_error(&self, op: &'static str) {
        bump(&self.store_errors, op);
    }

    pub fn reply_sent(&self) {
        self.replies.fetch_add(1, Ordering::Relaxed);
    }

    pub fn retry_after(&self, wait: Duration) {
        self.retry_after_waits.fetch_add(1, Ordering::Relaxed);
        self.retry_after_seconds
            .fetch_add(wait.as_secs(), Ordering::Relaxed);
    }

    pub fn flood_dropped(&self) {
        self.flood_dropped.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_content_generation(&self, generation: u64) {
        self.content_generation.store(generation, Ordering::Relaxed);
    }

    /// Time from an update reaching its handler to its reply being accepted by Telegram.
    pub fn reply_latency(&self, took: Duration) {
        let secs = took.as_secs_f64();
        for (bound, counter) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            if secs <= *bound {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// The store errors seen so far, by operation; tests and /healthz read it.
    pub fn store_errors(&self, op: &str) -> u64 {
        snapshot(&self.store_errors)
            .into_iter()
            .find(|(k, _)| *k == op)
            .map_or(0, |(_, v)| v)
    }

    /// Prometheus text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        };
        counter(
            &mut out,
            "qantar_updates_total",
            "Updates received, by kind.",
        );
        for (kind, n) in snapshot(&self.updates) {
            let _ = writeln!(out, "qantar_updates_total{{kind=\"{kind}\"}} {n}");
        }
        counter(
            &mut out,
            "qantar_commands_total",
            "Commands and button presses handled, by name and language.",
        );
        for ((name, lang), n) in snapshot(&self.commands) {
            let _ = writeln!(
                out,
                "qantar_commands_total{{command=\"{name}\",lang=\"{lang}\"}} {n}"
            );
        }
        counter(
            &mut out,
            "qantar_replies_total",
            "Messages sent or edited successfully.",
        );
        let _ = writeln!(
            out,
            "qantar_replies_total {}",
            self.replies.load(Ordering::Relaxed)
        );
        counter(
            &mut out,
            "qantar_api_errors_total",
            "Bot API call failures, by kind.",
        );
        for (kind, n) in snapshot(&self.api_errors) {
            let _ = writeln!(out, "qantar_api_errors_total{{kind=\"{kind}\"}} {n}");
        }
        counter(
            &mut out,
            "qantar_retry_after_waits_total",
            "Waits ordered by Telegram with 429 retry_after.",
        );
        let _ = writeln!(
            out,
            "qantar_retry_after_waits_total {}",
            self.retry_after_waits.load(Ordering::Relaxed)
        );
        counter(
            &mut out,
            "qantar_retry_after_seconds_total",
            "Seconds spent waiting on 429 retry_after.",
        );
        let _ = writeln!(
            out,
            "qantar_retry_after_seconds_total {}",
            self.retry_after_seconds.load(Ordering::Relaxed)
        );
        counter(
            &mut out,
            "qantar_store_errors_total",
            "Preference store failures, by operation.",
        );
        for (op, n) in snapshot(&self.store_errors) {
            let _ = writeln!(out, "qantar_store_errors_total{{op=\"{op}\"}} {n}");
        }
        counter(
            &mut out,
            "qantar_flood_dropped_total",
            "Updates dropped because one chat sent too many too fast.",
        );
        let _ = writeln!(
            out,
            "qantar_flood_dropped_total {}",
            self.flood_dropped.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP qantar_reply_latency_seconds Time from update to reply accepted by Telegram.\n# TYPE qantar_reply_latency_seconds histogram"
        );
        for (bound, counter) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "qantar_reply_latency_seconds_bucket{{le=\"{bound}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "qantar_reply_latency_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "qantar_reply_latency_seconds_sum {sum}");
        let _ = writeln!(out, "qantar_reply_latency_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP qantar_content_generation Content and locales loaded so far (1 at start, +1 per reload).\n# TYPE qantar_content_generation gauge"
        );
        let _ = writeln!(
            out,
            "qantar_content_generation {}",
            self.content_generation.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.update("message");
        m.update("message");
        m.command("timeline", Lang::Kk);
        m.api_error("network");
        m.reply_latency(Duration::from_millis(3));
        m.reply_latency(Duration::from_millis(30));
        m.set_content_generation(2);
        let text = m.render();
        assert!(text.contains("qantar_updates_total{kind=\"message\"} 2"));
        assert!(text.contains("qantar_commands_total{command=\"timeline\",lang=\"kk\"} 1"));
        assert!(text.contains("qantar_api_errors_total{kind=\"network\"} 1"));
        assert!(text.contains("qantar_reply_latency_seconds_bucket{le=\"0.0025\"} 0"));
        assert!(text.contains("qantar_reply_latency_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("qantar_reply_latency_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("qantar_reply_latency_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(text.contains("qantar_content_generation 2"));
    }
}
