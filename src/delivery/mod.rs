//! Getting messages out: the outbox workers ([`worker`]), the retry policy ([`policy`]) and
//! the channels they send through. Each channel takes a batch of jobs and answers one
//! [`Outcome`] per job, so the worker loop is the same for SMS, email and (later) webhooks.
//!
//! Confirmation messages (one at a time, outside the outbox) go through [`Outbound`].

pub mod africastalking;
mod outbound;
pub mod policy;
pub mod smpp;
pub mod twilio;

use std::time::Duration;

pub use outbound::Outbound;

/// One SMS ready to go to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsJob {
    /// The outbox row's stable id: the provider's idempotency key where it takes one.
    pub delivery_id: String,
    /// E.164, `+254712345678`.
    pub to: String,
    /// Sender ID or number (`sms.sender`).
    pub from: String,
    pub text: String,
}

/// What became of one job.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The provider took the message; `provider_id` is what its delivery reports will name.
    Sent { provider_id: Option<String> },
    /// Worth trying again later: network errors, timeouts, 5xx, throttling. `retry_after` is
    /// the provider's own ask (Retry-After); `throttled` slows the whole channel down.
    Retry {
        error: String,
        retry_after: Option<Duration>,
        throttled: bool,
    },
    /// Will never succeed as it is (bad number, blacklisted, rejected): recorded, not retried.
    Failed { error: String },
}

impl Outcome {
    pub fn retry(error: impl Into<String>) -> Outcome {
        Outcome::Retry {
            error: error.into(),
            retry_after: None,
            throttled: false,
        }
    }

    pub fn failed(error: impl Into<String>) -> Outcome {
        Outcome::Failed {
            error: error.into(),
        }
    }
}

/// A delivery report from a provider, after it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The id the provider gave when it accepted the message ([`Outcome::Sent`]).
    pub provider_id: String,
    /// `delivered` or `undelivered` once final; otherwise the provider's own word
    /// (`queued`, `sent`, `buffered`, …).
    pub status: String,
    /// Whether this report is the last one for the message.
    pub is_final: bool,
    /// The provider's reason when undelivered.
    pub error: Option<String>,
}
