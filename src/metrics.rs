//! Counters for operators, exposed at /metrics in Prometheus' text format through
//! `prometheus-client`. One `Metrics` lives in `App`; nothing here is process-wide.
//!
//! Counts only: no label ever carries a chat id, a user id or any text a person typed.
//!
//! Every label set is made at start from a fixed table, so counting on the hot path is
//! a short scan and one atomic add: prometheus-client's `Family` would take a lock per
//! count, and its `Histogram` a mutex per observation.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::encoding::{
    EncodeLabelSet, EncodeLabelValue, EncodeMetric, LabelValueEncoder, MetricEncoder, NoLabelSet,
    prometheus_text,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::exemplar::Exemplar;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::lang::Lang;

/// The `Content-Type` of what `render` returns.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Upper bounds of the reply-latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Kinds of update the handlers count.
const UPDATE_KINDS: [&str; 3] = ["message", "callback_query", "inline_query"];

/// Kinds of Bot API failure, as `deliver` and the webhook classify them.
const API_ERROR_KINDS: [&str; 6] = [
    "retry_after",
    "unreachable",
    "network",
    "server",
    "other",
    "webhook_unauthorized",
];

/// Store operations that can fail.
const STORE_OPS: [&str; 2] = ["read", "write"];

/// Bot API methods that send or edit a message: what `qantar_replies_total` counts.
const REPLY_METHODS: [&str; 4] = [
    "sendMessage",
    "editMessageText",
    "sendPhoto",
    "editMessageMedia",
];

/// Bot API methods that answer without a message; counted apart from replies.
const ANSWER_METHODS: [&str; 2] = ["answerCallbackQuery", "answerInlineQuery"];

/// The counters of one bot, and the registry that renders them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    updates: Series<Label>,
    commands: Series<CommandLabels>,
    replies: Counter,
    answers: Series<Label>,
    api_errors: Series<Label>,
    store_errors: Series<Label>,
    retry_after_waits: Counter,
    retry_after_seconds: Counter,
    flood_dropped: Counter,
    content_generation: Gauge,
    latency: Latency,
    broadcast: Series<Label>,
    broadcast_pauses: Counter,
    outreach_queue_failures: Counter,
    admin_notices: Counter,
    broadcast_queue: Gauge,
    /// Rounds the sender began while it held the lease, and the number of the latest
    /// of them that sent nothing and left nothing in flight: a round begun after a
    /// moment and ended quiet proves the sender has nothing left from before it.
    sender_rounds: Counter,
    sender_quiet_round: Gauge,
    /// One gauge per stall the watchdog can see (1 while it lasts).
    stall_no_sender: Gauge,
    stall_day_missing: Gauge,
    stall_day_not_started: Gauge,
}

/// What became of a broadcast message, for `qantar_broadcast_messages_total`.
const BROADCAST_OUTCOMES: [&str; 4] = ["sent", "blocked", "failed", "retried"];

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let m = Metrics {
            registry: Registry::default(),
            updates: Series::new(UPDATE_KINDS.map(|v| Label::new("kind", v))),
            commands: Series::new(
                crate::input::counted::counted_names()
                    .flat_map(|command| Lang::ALL.map(|lang| CommandLabels { command, lang })),
            ),
            replies: Counter::default(),
            answers: Series::new(ANSWER_METHODS.map(|v| Label::new("method", v))),
            api_errors: Series::new(API_ERROR_KINDS.map(|v| Label::new("kind", v))),
            store_errors: Series::new(STORE_OPS.map(|v| Label::new("op", v))),
            retry_after_waits: Counter::default(),
            retry_after_seconds: Counter::default(),
            flood_dropped: Counter::default(),
            content_generation: Gauge::default(),
            latency: Latency::default(),
            broadcast: Series::new(BROADCAST_OUTCOMES.map(|v| Label::new("outcome", v))),
            broadcast_pauses: Counter::default(),
            outreach_queue_failures: Counter::default(),
            admin_notices: Counter::default(),
            broadcast_queue: Gauge::default(),
            sender_rounds: Counter::default(),
            sender_quiet_round: Gauge::default(),
            stall_no_sender: Gauge::default(),
            stall_day_missing: Gauge::default(),
            stall_day_not_started: Gauge::default(),
        };
        m.registered()
    }

    /// Registers every metric under the names /metrics has always shown (prometheus-client
    /// adds `_total` to counters and a full stop to the help). Long by nature: one
    /// registration per metric, read as a table.
    fn registered(mut self) -> Metrics {
        let r = &mut self.registry;
        r.register(
            "qantar_updates",
            "Updates received, by kind",
            self.updates.clone(),
        );
        r.register(
            "qantar_commands",
            "Commands and button presses handled, by name and language",
            self.commands.clone(),
        );
        r.register(
            "qantar_replies",
            "Messages sent or edited successfully",
            self.replies.clone(),
        );
        r.register(
            "qantar_answers",
            "Button presses and inline queries answered successfully, by method",
            self.answers.clone(),
        );
        r.register(
            "qantar_api_errors",
            "Bot API call failures, by kind",
            self.api_errors.clone(),
        );
        r.register(
            "qantar_retry_after_waits",
            "Waits ordered by Telegram with 429 retry_after",
            self.retry_after_waits.clone(),
        );
        r.register(
            "qantar_retry_after_seconds",
            "Seconds spent waiting on 429 retry_after",
            self.retry_after_seconds.clone(),
        );
        r.register(
            "qantar_store_errors",
            "Preference and usage store failures, by operation",
            self.store_errors.clone(),
        );
        r.register(
            "qantar_flood_dropped",
            "Updates dropped because one chat sent too many too fast",
            self.flood_dropped.clone(),
        );
        r.register(
            "qantar_reply_latency_seconds",
            "Time from update to reply accepted by Telegram",
            self.latency.clone(),
        );
        r.register(
            "qantar_broadcast_messages",
            "Messages of broadcasts and channel posts, by outcome",
            self.broadcast.clone(),
        );
        r.register(
            "qantar_broadcast_pauses",
            "Pauses of the whole broadcast ordered by Telegram (429)",
            self.broadcast_pauses.clone(),
        );
        for (name, help, gauge) in [
            (
                "qantar_outreach_stalled_no_sender",
                "1 while work waits and no replica has held the sender's lease for 2 minutes",
                &self.stall_no_sender,
            ),
            (
                "qantar_outreach_stalled_day_missing",
                "1 while the day's post is 15 minutes late and not queued",
                &self.stall_day_missing,
            ),
            (
                "qantar_outreach_stalled_day_not_started",
                "1 while the day's post is 15 minutes late, queued, and nothing has gone",
                &self.stall_day_not_started,
            ),
        ] {
            r.register(name, help, gauge.clone());
        }
        r.register(
            "qantar_outreach_queue_failures",
            "Jobs (the day's message, a confirmed announcement) the store would not queue",
            self.outreach_queue_failures.clone(),
        );
        r.register(
            "qantar_admin_notices",
            "Notices of failures sent to the admins in Telegram",
            self.admin_notices.clone(),
        );
        r.register(
            "qantar_broadcast_queue_depth",
            "Broadcast messages still to send",
            self.broadcast_queue.clone(),
        );
        r.register(
            "qantar_outreach_sender_rounds",
            "Rounds of the outreach sender while it held the lease",
            self.sender_rounds.clone(),
        );
        r.register(
            "qantar_outreach_sender_quiet_round",
            "The latest of those rounds that sent nothing and left nothing in flight",
            self.sender_quiet_round.clone(),
        );
        r.register(
            "qantar_content_generation",
            "Content and locales loaded so far (1 at start, +1 per reload)",
            self.content_generation.clone(),
        );
        self
    }

    pub fn update(&self, kind: &'static str) {
        self.updates.inc(|l| l.value == kind);
    }

    pub fn command(&self, name: &'static str, lang: Lang) {
        self.commands.inc(|l| l.lang == lang && l.command == name);
    }

    pub fn api_error(&self, kind: &'static str) {
        self.api_errors.inc(|l| l.value == kind);
    }

    pub fn store_error(&self, op: &'static str) {
        self.store_errors.inc(|l| l.value == op);
    }

    /// A Bot API call succeeded: a reply when it sent or edited a message, an answer
    /// when it answered a button press or an inline query.
    pub fn call_succeeded(&self, method: &str) {
        if REPLY_METHODS.contains(&method) {
            self.replies.inc();
        } else {
            self.answers.inc(|l| l.value == method);
        }
    }

    pub fn retry_after(&self, wait: Duration) {
        self.retry_after_waits.inc();
        self.retry_after_seconds.inc_by(wait.as_secs());
    }

    /// A broadcast message's outcome: "sent", "blocked", "failed" or "retried".
    pub fn broadcast(&self, outcome: &'static str) {
        self.broadcast.inc(|l| l.value == outcome);
    }

    pub fn broadcast_paused(&self) {
        self.broadcast_pauses.inc();
    }

    /// What the outreach watchdog sees wrong now: each stall's gauge is 1 or 0.
    pub fn set_outreach_stalls(&self, stalls: &[crate::health::Stall]) {
        let on = |label: &str| i64::from(stalls.iter().any(|s| s.label() == label));
        self.stall_no_sender.set(on("no_sender"));
        self.stall_day_missing.set(on("day_missing"));
        self.stall_day_not_started.set(on("day_not_started"));
    }

    /// A job (the day's, or a confirmed announcement) the store would not queue.
    pub fn outreach_queue_failed(&self) {
        self.outreach_queue_failures.inc();
    }

    /// A notice sent to an admin's private chat (a failure a person must see).
    pub fn admin_notice(&self) {
        self.admin_notices.inc();
    }

    pub fn set_broadcast_queue(&self, depth: i64) {
        self.broadcast_queue.set(depth);
    }

    /// The sender began a round holding the lease; returns the round's number (from 1).
    pub fn sender_round_began(&self) -> u64 {
        self.sender_rounds.inc() + 1
    }

    /// Round `n` ended having sent nothing, with nothing left in flight (an empty queue,
    /// or a pause).
    pub fn sender_round_quiet(&self, n: u64) {
        self.sender_quiet_round
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    pub fn flood_dropped(&self) {
        self.flood_dropped.inc();
    }

    pub fn set_content_generation(&self, generation: u64) {
        self.content_generation
            .set(i64::try_from(generation).unwrap_or(i64::MAX));
    }

    /// Time from an update reaching its handler to its reply being accepted by Telegram.
    pub fn reply_latency(&self, took: Duration) {
        self.latency.observe(took);
    }

    /// Prometheus text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_text::encode(&mut out, &self.registry) {
            // Writing to a String cannot fail; a failing encoder is a bug worth a line.
            log::error!("cannot render metrics: {e}");
        }
        out
    }
}

/// One label, for metrics that have a single one (`kind`, `op`, `method`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Label {
    key: &'static str,
    value: &'static str,
}

impl Label {
    fn new(key: &'static str, value: &'static str) -> Label {
        Label { key, value }
    }
}

impl EncodeLabelSet for Label {
    fn encode(
        &self,
        encoder: &mut prometheus_client::encoding::LabelSetEncoder,
    ) -> Result<(), std::fmt::Error> {
        [(self.key, self.value)].encode(encoder)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    command: &'static str,
    lang: Lang,
}

impl EncodeLabelValue for Lang {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        EncodeLabelValue::encode(&self.code(), encoder)
    }
}

/// Counters for a fixed table of label sets, all made up front (and all shown, zeros
/// included, as Prometheus prefers).
#[derive(Debug, Clone)]
struct Series<L> {
    series: Arc<[(L, Counter)]>,
}

impl<L> Series<L> {
    fn new(labels: impl IntoIterator<Item = L>) -> Series<L> {
        Series {
            series: labels
                .into_iter()
                .map(|l| (l, Counter::default()))
                .collect(),
        }
    }

    /// Counts one for the label set `is` picks. A label set missing from the table is a
    /// bug: tests (debug builds) stop on it; a release build does not count it.
    fn inc(&self, is: impl Fn(&L) -> bool) {
        let counter = self.series.iter().find(|(l, _)| is(l)).map(|(_, c)| c);
        debug_assert!(counter.is_some(), "a label set missing from the table");
        if let Some(counter) = counter {
            counter.inc();
        }
    }
}

impl<L: EncodeLabelSet + Debug + Send + Sync + 'static> EncodeMetric for Series<L> {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        for (labels, counter) in self.series.iter() {
            counter.encode(encoder.encode_family(labels)?)?;
        }
        Ok(())
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Counter
    }
}

/// A histogram of atomics (prometheus-client's own takes a mutex per observation).
#[derive(Debug, Clone, Default)]
struct Latency {
    inner: Arc<LatencyCounts>,
}

#[derive(Debug, Default)]
struct LatencyCounts {
    /// Per bucket, not cumulative: one add per observation.
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Latency {
    fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let c = &self.inner;
        if let Some(i) = LATENCY_BUCKETS.iter().position(|bound| secs <= *bound) {
            c.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        c.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        c.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

impl EncodeMetric for Latency {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let c = &self.inner;
        let buckets: Vec<(f64, u64)> = LATENCY_BUCKETS
            .iter()
            .zip(&c.buckets)
            .map(|(bound, n)| (*bound, n.load(Ordering::Relaxed)))
            .collect();
        let sum = c.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let count = c.count.load(Ordering::Relaxed);
        encoder.encode_histogram(
            sum,
            count,
            &buckets,
            None::<&HashMap<usize, Exemplar<NoLabelSet, f64>>>,
        )
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
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
        assert!(text.contains("qantar_reply_latency_seconds_count 2"));
        assert!(text.contains("qantar_content_generation 2"));
        assert!(
            text.contains("# TYPE qantar_replies_total counter"),
            "{text}"
        );
    }

    #[test]
    fn answers_are_not_replies() {
        let m = Metrics::default();
        m.call_succeeded("sendMessage");
        m.call_succeeded("editMessageText");
        m.call_succeeded("answerCallbackQuery");
        m.call_succeeded("answerInlineQuery");
        let text = m.render();
        assert!(text.contains("qantar_replies_total 2"), "{text}");
        assert!(text.contains("qantar_answers_total{method=\"answerCallbackQuery\"} 1"));
        assert!(text.contains("qantar_answers_total{method=\"answerInlineQuery\"} 1"));
    }

    #[test]
    fn every_command_name_has_its_series() {
        let m = Metrics::default();
        for name in crate::input::counted::counted_names() {
            for lang in Lang::ALL {
                m.command(name, lang);
            }
        }
        let text = m.render();
        assert!(text.contains("qantar_commands_total{command=\"stale_button\",lang=\"ru\"} 1"));
    }
}
