//! Getting messages out: the outbox workers ([`worker`]), the retry policy ([`policy`]) and
//! the channels they send through. Each channel takes a batch of jobs and answers one
//! [`Outcome`] per job, so the worker loop is the same for SMS, email and webhooks.
//!
//! Confirmation messages (one at a time, outside the outbox) go through [`Outbound`].

pub mod africastalking;
pub mod hook_client;
pub mod metrics;
mod outbound;
pub mod policy;
pub mod smpp;
pub mod ssrf;
pub mod twilio;
pub mod webhook;
pub mod worker;

use std::time::Duration;

use crate::domain::SubscriberId;

pub use outbound::{Outbound, http_client, install_tls_provider, message_id, plain_email};

/// Starts the SMS, email and webhook workers and the receipts task; they stop when `cancel` fires.
pub fn spawn_all(
    ctx: worker::Ctx,
    cancel: tokio_util::sync::CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = vec![
        tokio::spawn(worker::run(
            ctx.clone(),
            worker::SmsChannel::new(&ctx),
            cancel.clone(),
        )),
        tokio::spawn(worker::run(
            ctx.clone(),
            worker::EmailChannel::new(&ctx),
            cancel.clone(),
        )),
    ];
    match webhook::WebhookChannel::new(&ctx) {
        Ok(w) => handles.push(tokio::spawn(worker::run(ctx.clone(), w, cancel.clone()))),
        Err(e) => tracing::error!(error = %e, "cannot start the webhook worker"),
    }
    if let Some(mut receipts) = ctx.outbound.take_receipts() {
        let ctx = ctx.clone();
        handles.push(tokio::spawn(async move {
            loop {
                let receipt = tokio::select! {
                    _ = cancel.cancelled() => return,
                    r = receipts.recv() => match r { Some(r) => r, None => return },
                };
                if let Err(e) = ctx.store.record_receipt("sms", &receipt, ctx.clock.now()).await {
                    tracing::warn!(error = %e, provider_id = %receipt.provider_id, "cannot record a delivery receipt");
                }
            }
        }));
    }
    handles
}

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
    /// Not sent, on purpose, and not an attempt: back to the queue for `wait` (the endpoint's
    /// pause or rate limit has no room now).
    NotSent { wait: Duration, reason: String },
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

/// A provider's delivery report: the channels parse it, the store records it.
pub use crate::domain::Receipt;

/// The error and its causes in one line ("error sending request: connection refused").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

fn recipient_mac(key: &str, id: &str) -> String {
    crate::crypto::hmac_sha256_url(key.as_bytes(), format!("recipient:{id}").as_bytes())
}

/// The key in one subscriber's unsubscribe and manage links in notice emails: `s1.{id}.{mac}`,
/// signed with the installation's key. Manage tokens are stored only hashed, so a fan-out
/// cannot put them in a million emails; this can be computed for each one, never expires
/// (an old email's link must still work), and dies with the subscriber when erased.
pub fn recipient_token(key: &str, subscriber_id: &str) -> String {
    format!("s1.{subscriber_id}.{}", recipient_mac(key, subscriber_id))
}

/// The subscriber id a [`recipient_token`] names, if its signature holds.
pub fn check_recipient_token(key: &str, token: &str) -> Option<SubscriberId> {
    let rest = token.strip_prefix("s1.")?;
    let (id, mac) = rest.rsplit_once('.')?;
    crate::crypto::secrets_equal(mac, &recipient_mac(key, id)).then(|| SubscriberId::new(id))
}
