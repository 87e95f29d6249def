//! When to try again: exponential backoff with jitter, the provider's Retry-After taken as a
//! floor, and a last attempt after which a delivery is failed with its last reason.

use std::time::Duration;

use rand::RngExt;

/// The retry schedule of one channel.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    pub max_attempts: u32,
    /// ±fraction of each delay, so a thousand deliveries that failed together do not all come
    /// back in the same second.
    pub jitter: f64,
    /// A fixed schedule instead of doubling: the delay before attempt n+1 is `schedule[n]`
    /// (the first entry is the first attempt's, normally zero); past its end, give up.
    pub schedule: Option<Vec<Duration>>,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    RetryIn(Duration),
    GiveUp,
}

impl Backoff {
    pub fn from_settings(d: &crate::config::Delivery) -> Backoff {
        Backoff {
            base: Duration::from_secs(u64::from(d.retry_base_seconds)),
            max: Duration::from_secs(u64::from(d.retry_max_seconds)),
            max_attempts: d.max_attempts,
            jitter: 0.2,
            schedule: None,
        }
    }

    /// A fixed schedule (webhooks: immediately, 5 s, 5 min, 30 min, 2 h, …).
    pub fn scheduled(schedule: Vec<Duration>, jitter: f64) -> Backoff {
        Backoff {
            base: Duration::ZERO,
            max: Duration::ZERO,
            max_attempts: schedule.len() as u32,
            jitter,
            schedule: Some(schedule),
        }
    }

    /// The delay before attempt `attempt + 1` without jitter: base × 2^(attempt-1), capped.
    pub fn nominal(&self, attempt: i64) -> Duration {
        if let Some(s) = &self.schedule {
            return s
                .get(attempt.max(0) as usize)
                .or(s.last())
                .copied()
                .unwrap_or_default();
        }
        let doublings = attempt.saturating_sub(1).clamp(0, 30) as u32;
        self.base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// After attempt number `attempt` (1-based) failed transiently.
    pub fn next(&self, attempt: i64, retry_after: Option<Duration>) -> Next {
        if attempt >= i64::from(self.max_attempts) {
            return Next::GiveUp;
        }
        let nominal = self.nominal(attempt).as_secs_f64();
        let factor = 1.0 + rand::rng().random_range(-self.jitter..=self.jitter);
        let delay = Duration::from_secs_f64((nominal * factor).max(0.0));
        Next::RetryIn(match retry_after {
            Some(asked) => delay.max(asked),
            None => delay,
        })
    }
}

/// Reads `Retry-After` as seconds or an HTTP date; capped at an hour so a bad header cannot park
/// a channel for days.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let raw = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let delay = match raw.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
            (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .unwrap_or_default()
        }
    };
    Some(delay.min(Duration::from_secs(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Backoff {
        Backoff {
            base: Duration::from_secs(10),
            max: Duration::from_secs(300),
            max_attempts: 6,
            jitter: 0.2,
            schedule: None,
        }
    }

    #[test]
    fn a_fixed_schedule_is_followed_then_given_up() {
        let s = |v: &[u64]| {
            v.iter()
                .map(|&x| Duration::from_secs(x))
                .collect::<Vec<_>>()
        };
        let p = Backoff::scheduled(s(&[0, 5, 300, 1800]), 0.0);
        assert_eq!(p.next(1, None), Next::RetryIn(Duration::from_secs(5)));
        assert_eq!(p.next(2, None), Next::RetryIn(Duration::from_secs(300)));
        assert_eq!(p.next(3, None), Next::RetryIn(Duration::from_secs(1800)));
        assert_eq!(p.next(4, None), Next::GiveUp);
    }

    #[test]
    fn doubles_up_to_the_cap() {
        let p = policy();
        let n: Vec<u64> = (1..=7).map(|a| p.nominal(a).as_secs()).collect();
        assert_eq!(n, [10, 20, 40, 80, 160, 300, 300]);
    }

    #[test]
    fn jitter_stays_within_a_fifth_and_varies() {
        let p = policy();
        let delays: Vec<f64> = (0..200)
            .map(|_| match p.next(3, None) {
                Next::RetryIn(d) => d.as_secs_f64(),
                Next::GiveUp => panic!("attempt 3 of 6 must be retried"),
            })
            .collect();
        assert!(
            delays.iter().all(|d| (32.0..=48.0).contains(d)),
            "{delays:?}"
        );
        let min = delays.iter().cloned().fold(f64::MAX, f64::min);
        let max = delays.iter().cloned().fold(0.0, f64::max);
        assert!(max - min > 4.0, "jitter spreads retries: {min}..{max}");
    }

    #[test]
    fn retry_after_is_a_floor_and_the_last_attempt_gives_up() {
        let p = policy();
        assert_eq!(
            p.next(1, Some(Duration::from_secs(120))),
            Next::RetryIn(Duration::from_secs(120))
        );
        assert_eq!(p.next(6, None), Next::GiveUp);
    }

    #[test]
    fn reads_retry_after_seconds_and_dates() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert("retry-after", "999999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3600)));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        h.insert("retry-after", soon.parse().unwrap());
        let d = retry_after(&h).unwrap().as_secs();
        assert!((28..=30).contains(&d), "{d}");
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
