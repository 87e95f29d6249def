//! The messages an update sends and what providers report of them: rendered by `render`,
//! kept in the outbox by `store`, sent and reported on by `delivery`.

/// One rendered message of an update, stored when it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateMessage {
    /// `sms`, `email` or `webhook`.
    pub channel: String,
    /// Empty for the webhook payload.
    pub language: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A delivery report from a provider, after it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The id the provider gave when it accepted the message (`delivery::Outcome::Sent`).
    pub provider_id: String,
    /// `delivered` or `undelivered` once final; otherwise the provider's own word
    /// (`queued`, `sent`, `buffered`, …).
    pub status: String,
    /// Whether this report is the last one for the message.
    pub is_final: bool,
    /// The provider's reason when undelivered.
    pub error: Option<String>,
}
