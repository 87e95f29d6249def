//! Counters the workers keep for `/metrics`: outcomes per channel, send latency, and the recent
//! send rate the progress API turns into an ETA. Queue depth and the oldest pending delivery
//! come from the database when `/metrics` is scraped, since other processes work the queue too.

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::store::Finish;

pub const CHANNELS: [&str; 3] = ["sms", "email", "webhook"];
const OUTCOMES: [&str; 4] = ["sent", "retry", "failed", "cancelled"];
/// Upper bounds (seconds) of the send-latency histogram.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0,
];
/// How far back the recent rate looks.
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
struct PerChannel {
    outcomes: [AtomicU64; 4],
    /// Cumulative counts per bucket, plus one for +Inf.
    latency: [AtomicU64; 12],
    latency_sum_micros: AtomicU64,
    /// Claimed rows given back untried because their lease was nearly over.
    given_back: AtomicU64,
    /// (when, messages) of recent sends, for the rate.
    recent: Mutex<VecDeque<(Instant, u64)>>,
}

#[derive(Default)]
pub struct DeliveryMetrics {
    channels: [PerChannel; 3],
}

fn index(channel: &str) -> Option<usize> {
    CHANNELS.iter().position(|c| *c == channel)
}

impl DeliveryMetrics {
    pub fn count(&self, channel: &str, finish: &Finish) {
        let Some(c) = index(channel) else { return };
        let o = match finish {
            Finish::Sent { .. } => 0,
            Finish::Retry { .. } => 1,
            Finish::Failed { .. } => 2,
            Finish::Cancelled { .. } => 3,
            // Not an attempt.
            Finish::Deferred { .. } => return,
        };
        self.channels[c].outcomes[o].fetch_add(1, Ordering::Relaxed);
    }

    /// Claimed rows given back untried because their lease was nearly over before their turn.
    pub fn given_back(&self, channel: &str, rows: usize) {
        let Some(c) = index(channel) else { return };
        self.channels[c]
            .given_back
            .fetch_add(rows as u64, Ordering::Relaxed);
    }

    /// One provider call that carried `messages` messages and took `took`.
    pub fn observe_send(&self, channel: &str, took: Duration, messages: usize) {
        let Some(c) = index(channel) else { return };
        let ch = &self.channels[c];
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                ch.latency[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        ch.latency[BUCKETS.len()].fetch_add(1, Ordering::Relaxed);
        ch.latency_sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        if let Ok(mut recent) = ch.recent.lock() {
            let now = Instant::now();
            recent.push_back((now, messages as u64));
            while recent.front().is_some_and(|(t, _)| now - *t > WINDOW) {
                recent.pop_front();
            }
        }
    }

    /// Messages per second this process sent over the last minute, if it sent any.
    pub fn recent_rate(&self, channel: &str) -> Option<f64> {
        let c = index(channel)?;
        let recent = self.channels[c].recent.lock().ok()?;
        let now = Instant::now();
        let (first, _) = recent.iter().find(|(t, _)| now - *t <= WINDOW)?;
        let n: u64 = recent
            .iter()
            .filter(|(t, _)| now - *t <= WINDOW)
            .map(|(_, n)| n)
            .sum();
        let span = (now - *first).as_secs_f64().max(1.0);
        Some(n as f64 / span)
    }

    pub fn render(
        &self,
        out: &mut String,
        queue: &[crate::store::QueueDepth],
        now: chrono::DateTime<chrono::Utc>,
    ) {
        out.push_str("# HELP tangazo_deliveries_total Delivery attempts by channel and outcome (this process).\n");
        out.push_str("# TYPE tangazo_deliveries_total counter\n");
        for (c, channel) in CHANNELS.iter().enumerate() {
            for (o, outcome) in OUTCOMES.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "tangazo_deliveries_total{{channel=\"{channel}\",outcome=\"{outcome}\"}} {}",
                    self.channels[c].outcomes[o].load(Ordering::Relaxed)
                );
            }
        }
        out.push_str("# HELP tangazo_deliveries_given_back_total Claimed deliveries given back untried because their lease was nearly over before their turn (this process).\n");
        out.push_str("# TYPE tangazo_deliveries_given_back_total counter\n");
        for (c, channel) in CHANNELS.iter().enumerate() {
            let _ = writeln!(
                out,
                "tangazo_deliveries_given_back_total{{channel=\"{channel}\"}} {}",
                self.channels[c].given_back.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP tangazo_send_seconds Time one provider call took (a bulk SMS call carries many messages).\n");
        out.push_str("# TYPE tangazo_send_seconds histogram\n");
        for (c, channel) in CHANNELS.iter().enumerate() {
            let ch = &self.channels[c];
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "tangazo_send_seconds_bucket{{channel=\"{channel}\",le=\"{bound}\"}} {}",
                    ch.latency[i].load(Ordering::Relaxed)
                );
            }
            let count = ch.latency[BUCKETS.len()].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "tangazo_send_seconds_bucket{{channel=\"{channel}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "tangazo_send_seconds_sum{{channel=\"{channel}\"}} {:.6}",
                ch.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "tangazo_send_seconds_count{{channel=\"{channel}\"}} {count}"
            );
        }
        outbox_gauge(
            out,
            "tangazo_outbox_pending",
            "Deliveries waiting to be sent (all processes).",
            queue,
            |q| q.map_or(0, |q| q.pending).to_string(),
        );
        outbox_gauge(
            out,
            "tangazo_outbox_in_flight",
            "Pending deliveries a worker has claimed and is sending.",
            queue,
            |q| q.map_or(0, |q| q.in_flight).to_string(),
        );
        outbox_gauge(
            out,
            "tangazo_outbox_oldest_pending_seconds",
            "Age of the oldest pending delivery.",
            queue,
            |q| {
                let age = q.and_then(|q| q.oldest_created_at).map_or(0.0, |t| {
                    ((now - t).num_milliseconds() as f64 / 1000.0).max(0.0)
                });
                format!("{age:.3}")
            },
        );
    }
}

/// One gauge per channel from the outbox depth (a channel with nothing pending has no row).
fn outbox_gauge(
    out: &mut String,
    name: &str,
    help: &str,
    queue: &[crate::store::QueueDepth],
    value: impl Fn(Option<&crate::store::QueueDepth>) -> String,
) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for channel in CHANNELS {
        let v = value(queue.iter().find(|q| q.channel == channel));
        let _ = writeln!(out, "{name}{{channel=\"{channel}\"}} {v}");
    }
}
