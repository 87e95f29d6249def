//! Notices, their updates, lifecycle actions, previews and delivery reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schemas::*;
use super::{Texts, texts};
use crate::domain::{DeliveryId, Notice, NoticeId, Update, UpdateId};

/// A service a notice affects, and how.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AffectedOut {
    pub service: String,
    #[schema(schema_with = service_status_schema)]
    pub impact: String,
}

/// One update of a notice: what was published, when, by whom.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOut {
    #[schema(value_type = String)]
    pub id: UpdateId,
    pub sequence: i64,
    #[schema(schema_with = event_schema)]
    pub event: String,
    #[schema(schema_with = notice_state_schema)]
    pub state: String,
    #[schema(schema_with = texts_schema)]
    pub body: Texts,
    /// SMS texts written for this update instead of the template.
    #[schema(schema_with = texts_schema)]
    pub sms: Texts,
    /// Email openings written for this update instead of the template.
    #[schema(schema_with = texts_schema)]
    pub email: Texts,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Update> for UpdateOut {
    fn from(u: &Update) -> Self {
        UpdateOut {
            id: u.id.clone(),
            sequence: u.sequence,
            event: u.event.as_str().into(),
            state: u.state.as_str().into(),
            body: texts(&u.body),
            sms: texts(&u.overrides.sms),
            email: texts(&u.overrides.email),
            starts_at: u.starts_at,
            ends_at: u.ends_at,
            created_by: u.created_by.clone(),
            created_at: u.created_at,
        }
    }
}

/// A notice: a maintenance window or an incident.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeOut {
    #[schema(value_type = String)]
    pub id: NoticeId,
    /// The code every message ends with; customers check it at `/verify/{reference}`.
    pub reference: String,
    #[schema(schema_with = notice_kind_schema)]
    pub kind: String,
    #[schema(schema_with = notice_state_schema)]
    pub state: String,
    /// In progress past its planned end.
    pub overrunning: bool,
    #[schema(schema_with = texts_schema)]
    pub title: Texts,
    #[schema(schema_with = texts_schema)]
    pub still_works: Texts,
    /// The draft's text of its first update.
    #[schema(schema_with = texts_schema)]
    pub body: Texts,
    #[schema(schema_with = texts_schema)]
    pub sms: Texts,
    #[schema(schema_with = texts_schema)]
    pub email: Texts,
    pub affected: Vec<AffectedOut>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub planned_ends_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub auto_start: bool,
    pub auto_complete: bool,
    pub sequence: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The notice on the public page.
    pub url: String,
    /// Where customers check that a message naming this reference is official.
    pub verify_url: String,
    /// The timeline, oldest first (one notice; not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<Vec<UpdateOut>>,
    /// The update an action just published (lifecycle actions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateOut>,
}

impl NoticeOut {
    /// `public_url` is the page's address; `now` decides whether it is overrunning.
    pub fn new(n: &Notice, public_url: &str, now: DateTime<Utc>) -> NoticeOut {
        NoticeOut {
            id: n.id.clone(),
            reference: n.reference.to_string(),
            kind: n.kind.as_str().into(),
            state: n.state.as_str().into(),
            overrunning: n.is_overrunning(now),
            title: texts(&n.title),
            still_works: texts(&n.still_works),
            body: texts(&n.draft_body),
            sms: texts(&n.draft_overrides.sms),
            email: texts(&n.draft_overrides.email),
            affected: n
                .affected
                .iter()
                .map(|a| AffectedOut {
                    service: a.service.to_string(),
                    impact: a.impact.as_str().into(),
                })
                .collect(),
            starts_at: n.starts_at,
            ends_at: n.ends_at,
            planned_ends_at: n.planned_ends_at,
            published_at: n.published_at,
            started_at: n.started_at,
            finished_at: n.finished_at,
            auto_start: n.auto_start,
            auto_complete: n.auto_complete,
            sequence: n.sequence,
            created_by: n.created_by.clone(),
            created_at: n.created_at,
            updated_at: n.updated_at,
            url: format!("{public_url}/notices/{}", n.id),
            verify_url: format!("{public_url}/verify/{}", n.reference),
            updates: None,
            update: None,
        }
    }

    pub fn with_updates(mut self, updates: &[Update]) -> NoticeOut {
        self.updates = Some(updates.iter().map(UpdateOut::from).collect());
        self
    }

    pub fn with_update(mut self, update: &Update) -> NoticeOut {
        self.update = Some(update.into());
        self
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeList {
    pub notices: Vec<NoticeOut>,
}

/// A service a new notice affects.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AffectedIn {
    /// The code of an existing service.
    #[schema(pattern = "^[a-z][a-z0-9-]{1,39}$")]
    pub service: String,
    /// Its status while the notice is active; by default under_maintenance for a maintenance
    /// and partial_outage for an incident. Never operational.
    #[schema(schema_with = impact_or_null_schema)]
    pub impact: Option<String>,
}

/// A new notice (POST) or changes to a draft (PATCH: any subset; `kind` and `publish` cannot
/// change there).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeIn {
    #[schema(required = true, nullable = false, schema_with = notice_kind_schema)]
    pub kind: Option<String>,
    /// Its title in every language of the page.
    #[schema(required = true, nullable = false, schema_with = title_texts_schema)]
    pub title: Option<Texts>,
    /// What still works while it lasts ("cash at agents").
    #[schema(schema_with = still_works_texts_schema)]
    pub still_works: Option<Texts>,
    /// The text of its first update; by default the template's.
    #[schema(schema_with = body_texts_schema)]
    pub body: Option<Texts>,
    #[schema(required = true, nullable = false, min_items = 1)]
    pub affected: Option<Vec<AffectedIn>>,
    /// RFC 3339, or a local time in the page's zone (`2026-04-18T23:00`). Required for a
    /// maintenance; an incident's start defaults to now.
    #[schema(schema_with = time_schema)]
    pub starts_at: Option<String>,
    /// The planned end of a maintenance window; an incident has none.
    #[schema(schema_with = time_schema)]
    pub ends_at: Option<String>,
    /// Start the window at `starts_at` (default true).
    pub auto_start: Option<bool>,
    /// Complete the window at `ends_at` (default false).
    pub auto_complete: Option<bool>,
    /// SMS text per language replacing the template (placeholders allowed).
    #[schema(schema_with = sms_texts_schema)]
    pub sms: Option<Texts>,
    /// Opening paragraph of the email per language replacing the template.
    #[schema(schema_with = body_texts_schema)]
    pub email: Option<Texts>,
    /// Create and publish in one step (needs the publisher role).
    #[serde(default)]
    pub publish: bool,
}

/// The message of a lifecycle action: by default the template's text for its event.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    #[schema(schema_with = message_texts_schema)]
    pub body: Option<Texts>,
    #[schema(schema_with = sms_texts_schema)]
    pub sms: Option<Texts>,
    #[schema(schema_with = body_texts_schema)]
    pub email: Option<Texts>,
}

/// A later end for a window, with its message.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendIn {
    #[schema(required = true, nullable = false, schema_with = time_schema)]
    pub ends_at: Option<String>,
    #[schema(schema_with = message_texts_schema)]
    pub body: Option<Texts>,
    #[schema(schema_with = sms_texts_schema)]
    pub sms: Option<Texts>,
    #[schema(schema_with = body_texts_schema)]
    pub email: Option<Texts>,
}

/// A new window for a maintenance that has not started, with its message.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleIn {
    #[schema(required = true, nullable = false, schema_with = time_schema)]
    pub starts_at: Option<String>,
    #[schema(required = true, nullable = false, schema_with = time_schema)]
    pub ends_at: Option<String>,
    #[schema(schema_with = message_texts_schema)]
    pub body: Option<Texts>,
    #[schema(schema_with = sms_texts_schema)]
    pub sms: Option<Texts>,
    #[schema(schema_with = body_texts_schema)]
    pub email: Option<Texts>,
}

/// An update on a published notice; an incident's may move it to another state.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostUpdateIn {
    /// What customers should know now.
    #[schema(required = true, nullable = false, schema_with = message_texts_schema)]
    pub body: Option<Texts>,
    /// An incident's new state (identified, monitoring, …).
    #[schema(schema_with = notice_state_or_null_schema)]
    pub status: Option<String>,
    #[schema(schema_with = sms_texts_schema)]
    pub sms: Option<Texts>,
    #[schema(schema_with = body_texts_schema)]
    pub email: Option<Texts>,
}

/// What to preview; by default the next message (a draft's publication) or the latest one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewIn {
    #[schema(schema_with = notice_event_or_null_schema)]
    pub event: Option<String>,
    #[schema(schema_with = message_texts_schema)]
    pub body: Option<Texts>,
    #[schema(schema_with = sms_texts_schema)]
    pub sms: Option<Texts>,
    #[schema(schema_with = body_texts_schema)]
    pub email: Option<Texts>,
}

/// Filters of the notice list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    #[param(schema_with = notice_kind_schema)]
    pub kind: Option<String>,
    #[param(schema_with = notice_state_schema)]
    pub state: Option<String>,
    /// Notices that affect this service.
    #[param(pattern = "^[a-z][a-z0-9-]{1,39}$")]
    pub service: Option<String>,
    /// Notices whose window or incident reaches past this time.
    #[param(schema_with = time_schema)]
    pub from: Option<String>,
    /// Notices that begin before this time.
    #[param(schema_with = time_schema)]
    pub to: Option<String>,
    /// At most this many, newest first (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// One SMS as it will be sent, with what it costs.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsOut {
    pub text: String,
    #[schema(schema_with = encoding_schema)]
    pub encoding: String,
    /// Parts billed.
    pub segments: usize,
    pub parts: Vec<String>,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text.
    pub units: usize,
    /// The characters that force UCS-2, each once.
    pub forcing_ucs2: Vec<String>,
}

/// One email as it will be sent.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailOut {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Every channel and language of one message, with the problems found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewOut {
    #[schema(schema_with = event_schema)]
    pub event: String,
    /// The notice's reference code; null for a notice not saved yet.
    pub reference: Option<String>,
    /// Says why there is no code yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_note: Option<String>,
    /// No problem found: it can be sent as it is.
    pub ok: bool,
    /// Problems by channel and language (`sms.sw`).
    pub errors: BTreeMap<String, String>,
    pub sms: BTreeMap<String, SmsOut>,
    pub email: BTreeMap<String, EmailOut>,
    /// The webhook payload billers will receive (see `/schemas/{event}.json`).
    #[schema(value_type = Object)]
    pub webhook: serde_json::Value,
}

impl From<crate::render::messages::Preview> for PreviewOut {
    fn from(p: crate::render::messages::Preview) -> Self {
        PreviewOut {
            event: p.event.as_str().into(),
            reference: p.reference,
            reference_note: p.reference_note,
            ok: p.ok,
            errors: p.errors,
            sms: p
                .sms
                .into_iter()
                .map(|(lang, s)| {
                    let out = SmsOut {
                        encoding: serde_json::to_value(s.encoding)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        text: s.text,
                        segments: s.segments,
                        parts: s.parts,
                        units: s.units,
                        forcing_ucs2: s.forcing_ucs2.iter().map(|c| c.to_string()).collect(),
                    };
                    (lang.code().to_string(), out)
                })
                .collect(),
            email: p
                .email
                .into_iter()
                .map(|(lang, e)| {
                    let out = EmailOut {
                        subject: e.subject,
                        text: e.text,
                        html: e.html,
                    };
                    (lang.code().to_string(), out)
                })
                .collect(),
            webhook: p.webhook,
        }
    }
}

/// Sending progress of one channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelTotals {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    /// Not sent because a newer update of the notice went out first.
    pub superseded: i64,
    pub cancelled: i64,
    /// Sent, and the provider has since reported delivery.
    pub delivered: i64,
    pub undelivered: i64,
}

/// Progress of one update on one channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProgress {
    #[schema(value_type = String)]
    pub update_id: UpdateId,
    pub sequence: i64,
    #[schema(schema_with = event_schema)]
    pub event: String,
    #[schema(schema_with = channel_schema)]
    pub channel: String,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub superseded: i64,
    pub cancelled: i64,
    pub delivered: i64,
    pub undelivered: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecentFailure {
    #[schema(value_type = String)]
    pub delivery_id: DeliveryId,
    #[schema(schema_with = channel_schema)]
    pub channel: String,
    pub error: String,
}

/// Who a notice's messages have reached, by channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryReport {
    #[schema(value_type = String)]
    pub notice_id: NoticeId,
    pub updates: Vec<UpdateProgress>,
    /// By channel (sms, email, webhook); a channel with no messages is left out.
    pub totals: BTreeMap<String, ChannelTotals>,
    /// Messages per second being sent, by channel.
    pub rate_per_second: BTreeMap<String, f64>,
    /// Seconds until the pending messages are sent at that rate; null when nothing waits.
    pub eta_seconds: BTreeMap<String, Option<i64>>,
    /// The latest failures, newest first.
    pub recent_failures: Vec<RecentFailure>,
}
