//! Counters the workers keep for `/metrics`: outcomes per channel, send latency, and the recent
//! send rate the progress API turns into an ETA. Queue depth and the oldest pending delivery
//! come from the database when `/metrics` is scraped, since other processes work the queue too.

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
/// How far back the recent rate looks, in seconds.
const WINDOW_SECONDS: u64 = 60;

#[derive(Default)]
struct PerChannel {
    outcomes: [AtomicU64; 4],
    /// Calls per bucket (the first whose bound they are within), plus one for the rest: one
    /// count per call, made cumulative when rendered (counting a call in every bucket above
    /// it was twelve contended increments per webhook).
    latency: [AtomicU64; 12],
    latency_sum_micros: AtomicU64,
    /// Claimed rows given back untried because their lease was nearly over.
    given_back: AtomicU64,
    /// Messages sent per second over the window, for the rate.
    recent: Mutex<Recent>,
}

/// Messages sent in each of the last [`WINDOW_SECONDS`] seconds (and the current one), in a
/// ring: memory and work per send stay the same whatever the rate (a list of every send in
/// the window held 2.4 million entries at 40,000 webhooks a second, and grew while it filled).
struct Recent {
    /// Seconds are counted from here.
    epoch: Instant,
    /// (second, messages) by `second % len`; a slot holding an older second is stale.
    slots: [(u64, u64); WINDOW_SECONDS as usize + 1],
}

impl Default for Recent {
    fn default() -> Self {
        Recent {
            epoch: Instant::now(),
            slots: [(u64::MAX, 0); WINDOW_SECONDS as usize + 1],
        }
    }
}

impl Recent {
    fn second(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.epoch).as_secs()
    }

    fn add(&mut self, at: Instant, messages: u64) {
        let second = self.second(at);
        let slot = &mut self.slots[(second % self.slots.len() as u64) as usize];
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 += messages;
    }

    /// Messages per second from the first second with a send in the window until `now`
    /// (at least a second), or `None` if the window had none.
    fn rate(&self, now: Instant) -> Option<f64> {
        let current = self.second(now);
        // An unused slot holds u64::MAX, never a second up to now.
        let live = |s: &&(u64, u64)| s.0 <= current && current - s.0 <= WINDOW_SECONDS && s.1 > 0;
        let first = self.slots.iter().filter(live).map(|s| s.0).min()?;
        let n: u64 = self.slots.iter().filter(live).map(|s| s.1).sum();
        let since = self.epoch + Duration::from_secs(first);
        let span = now.saturating_duration_since(since).as_secs_f64().max(1.0);
        Some(n as f64 / span)
    }
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
        let bucket = BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
            .unwrap_or(BUCKETS.len());
        ch.latency[bucket].fetch_add(1, Ordering::Relaxed);
        ch.latency_sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        if let Ok(mut recent) = ch.recent.lock() {
            recent.add(Instant::now(), messages as u64);
        }
    }

    /// Messages per second this process sent over the last minute, if it sent any.
    pub fn recent_rate(&self, channel: &str) -> Option<f64> {
        let c = index(channel)?;
        self.channels[c].recent.lock().ok()?.rate(Instant::now())
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
            let mut count = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                count += ch.latency[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "tangazo_send_seconds_bucket{{channel=\"{channel}\",le=\"{bound}\"}} {count}"
                );
            }
            count += ch.latency[BUCKETS.len()].load(Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latency_histogram_is_cumulative_as_rendered() {
        let m = DeliveryMetrics::default();
        for ms in [3, 3, 40, 900, 20_000] {
            m.observe_send("webhook", Duration::from_millis(ms), 1);
        }
        let mut out = String::new();
        m.render(&mut out, &[], chrono::Utc::now());
        let bucket = |le: &str| {
            let line = format!("tangazo_send_seconds_bucket{{channel=\"webhook\",le=\"{le}\"}} ");
            out.lines()
                .find_map(|l| l.strip_prefix(line.as_str()))
                .unwrap_or_else(|| panic!("no bucket {le} in {out}"))
                .to_string()
        };
        assert_eq!(bucket("0.005"), "2");
        assert_eq!(bucket("0.025"), "2");
        assert_eq!(bucket("0.05"), "3");
        assert_eq!(bucket("1"), "4");
        assert_eq!(bucket("15"), "4");
        assert_eq!(bucket("+Inf"), "5");
        assert!(
            out.contains("tangazo_send_seconds_count{channel=\"webhook\"} 5"),
            "{out}"
        );
    }

    #[test]
    fn the_rate_counts_the_window_and_forgets_what_is_older() {
        let mut recent = Recent::default();
        let epoch = recent.epoch;
        let at = |s: f64| epoch + Duration::from_secs_f64(s);
        assert_eq!(recent.rate(at(5.0)), None, "nothing sent yet");
        // 100 messages a second for ten seconds, from second 10.
        for s in 10..20 {
            recent.add(at(s as f64 + 0.5), 100);
        }
        let rate = recent.rate(at(20.0)).unwrap();
        assert!((rate - 100.0).abs() < 1e-9, "{rate}");
        // Ten idle seconds later the same 1,000 spread over twenty seconds.
        let rate = recent.rate(at(30.0)).unwrap();
        assert!((rate - 50.0).abs() < 1e-9, "{rate}");
        // Past the window the old seconds no longer count, even where a slot is reused.
        assert_eq!(recent.rate(at(90.0)), None);
        // Second 132 takes the slot second 10 had.
        recent.add(at(132.2), 7);
        assert_eq!(recent.rate(at(132.5)), Some(7.0), "at least a second");
        let rate = recent.rate(at(134.0)).unwrap();
        assert!((rate - 3.5).abs() < 1e-9, "{rate}");
    }

    #[test]
    fn many_sends_in_one_second_share_a_slot() {
        let mut recent = Recent::default();
        let at = |s: f64| recent.epoch + Duration::from_secs_f64(s);
        let (t, end) = (at(3.25), at(4.0));
        for _ in 0..100_000 {
            recent.add(t, 1);
        }
        assert_eq!(recent.rate(end), Some(100_000.0));
    }
}
