//! The staff API's contract: the request and response bodies and query strings of every
//! `/api/v1` operation, as Rust types that carry their JSON Schema (utoipa). Handlers parse
//! into these types and answer with them, and the OpenAPI document is built from them, so the
//! document cannot drift from what the API reads and writes.
//!
//! Request fields are `Option` so that one answer can name every missing or bad field at once;
//! the schema still says which are required. Texts are objects keyed by the page's languages;
//! the document is built at run time, so it names the languages this instance is configured
//! with.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{Localized, Notice, Service, Update};

/// Text per language, e.g. `{"en": "…", "sw": "…"}`.
pub type Texts = BTreeMap<String, String>;

fn texts(l: &Localized) -> Texts {
    l.0.iter()
        .map(|(lang, text)| (lang.code().to_string(), text.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Every error: what went wrong, by field. The field names a body field (`title.sw`,
/// `affected[0].service`), a header (`Authorization` for 401 and 403, `Idempotency-Key`), what
/// was not found (404), `body` (413, 415) or `server` (500).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    #[schema(schema_with = errors_schema)]
    pub errors: BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------------------------
// Services

/// A service of the status page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceOut {
    /// Stable code: lower-case letters, digits and dashes.
    pub code: String,
    #[schema(schema_with = texts_schema)]
    pub name: Texts,
    #[schema(schema_with = texts_schema)]
    pub description: Texts,
    pub group: String,
    pub position: i64,
    #[schema(schema_with = service_status_schema)]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Service> for ServiceOut {
    fn from(s: &Service) -> Self {
        ServiceOut {
            code: s.code.to_string(),
            name: texts(&s.name),
            description: texts(&s.description),
            group: s.group.clone(),
            position: s.position,
            status: s.status.as_str().into(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceList {
    pub services: Vec<ServiceOut>,
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceNew {
    #[schema(required = true, nullable = false, pattern = "^[a-z][a-z0-9-]{1,39}$")]
    pub code: Option<String>,
    /// Its name in every language of the page.
    #[schema(required = true, nullable = false, schema_with = name_texts_schema)]
    pub name: Option<Texts>,
    #[schema(schema_with = description_texts_schema)]
    pub description: Option<Texts>,
    /// The heading it is listed under, e.g. Payments.
    #[schema(required = true, nullable = false, schema_with = group_schema)]
    pub group: Option<String>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i64>,
    #[schema(schema_with = service_status_schema)]
    pub status: Option<String>,
}

/// Changes to a service: any subset of its fields; the code cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceChanges {
    #[schema(pattern = "^[a-z][a-z0-9-]{1,39}$")]
    pub code: Option<String>,
    #[schema(schema_with = name_texts_schema)]
    pub name: Option<Texts>,
    #[schema(schema_with = description_texts_schema)]
    pub description: Option<Texts>,
    #[schema(schema_with = group_schema)]
    pub group: Option<String>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i64>,
    #[schema(schema_with = service_status_schema)]
    pub status: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Notices

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
    pub id: String,
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
    pub id: String,
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
    #[schema(schema_with = impact_schema)]
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
    #[schema(schema_with = notice_state_schema)]
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
    #[schema(schema_with = notice_event_schema)]
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
    pub update_id: String,
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
    pub delivery_id: String,
    #[schema(schema_with = channel_schema)]
    pub channel: String,
    pub error: String,
}

/// Who a notice's messages have reached, by channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryReport {
    pub notice_id: String,
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

// ---------------------------------------------------------------------------------------------
// Subscribers

/// A person who receives notices by SMS or email.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberOut {
    pub id: String,
    #[schema(schema_with = subscriber_channel_schema)]
    pub channel: String,
    /// The phone number (E.164) or email address.
    pub address: String,
    pub language: String,
    /// Service codes followed; null: every service.
    pub services: Option<Vec<String>>,
    #[schema(schema_with = subscriber_state_schema)]
    pub state: String,
    /// How they signed up: web, sms, api, import.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

impl From<&crate::store::Subscriber> for SubscriberOut {
    fn from(s: &crate::store::Subscriber) -> Self {
        SubscriberOut {
            id: s.id.clone(),
            channel: s.address.channel.as_str().into(),
            address: s.address.value.clone(),
            language: s.language.code().into(),
            services: s
                .services
                .as_ref()
                .map(|v| v.iter().map(|c| c.to_string()).collect()),
            state: s.state.as_str().into(),
            source: s.source.clone(),
            created_at: s.created_at,
            confirmed_at: s.confirmed_at,
            unsubscribed_at: s.unsubscribed_at,
        }
    }
}

/// Everything stored about one person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberExport {
    pub subscriber: SubscriberOut,
    pub note: String,
}

/// A person staff add, who asked for these notices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberIn {
    /// A phone number (international, or national in the page's default country) or an email
    /// address.
    #[schema(required = true, nullable = false, min_length = 3, max_length = 254)]
    pub address: Option<String>,
    /// One of the page's languages; by default the first.
    #[schema(schema_with = language_schema)]
    pub language: Option<String>,
    /// Service codes; absent or empty means every service.
    pub services: Option<Vec<String>>,
    /// Must be true: staff assert they hold the person's consent.
    #[schema(required = true, nullable = false, schema_with = consent_schema)]
    pub consent: Option<bool>,
}

/// Which subscriber: their exact phone number or email address.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddressQuery {
    #[param(required = true, nullable = false, min_length = 3, max_length = 254)]
    pub address: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Billers and endpoints

/// A company that receives webhooks: a power or water utility, a bank.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillerOut {
    pub id: String,
    pub name: String,
    pub contact_email: String,
    pub created_at: DateTime<Utc>,
}

impl From<crate::store::Biller> for BillerOut {
    fn from(b: crate::store::Biller) -> Self {
        BillerOut {
            id: b.id,
            name: b.name,
            contact_email: b.contact_email,
            created_at: b.created_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillerList {
    pub billers: Vec<BillerOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillerIn {
    #[schema(schema_with = biller_name_schema)]
    pub name: String,
    #[schema(format = Email)]
    pub contact_email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// What the token is for, unique among the biller's live tokens.
    #[schema(schema_with = token_name_schema)]
    pub name: String,
}

/// A biller's token: shown once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillerTokenOut {
    pub id: String,
    pub name: String,
    pub biller_id: String,
    pub token: String,
    pub note: String,
}

/// A webhook endpoint of a biller; never its secrets.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointOut {
    pub id: String,
    pub biller_id: String,
    pub url: String,
    pub description: String,
    /// Empty: every event type.
    pub event_types: Vec<String>,
    /// null: every service.
    pub services: Option<Vec<String>>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Webhooks per second at most.
    pub rate_limit: i64,
    pub contact_email: String,
    /// Until when the previous secret still signs, during a rotation.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The ed25519 public key (`whpk_…`) to verify `v1a` signatures with.
    pub ed25519_public_key: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_refusal: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<crate::store::Endpoint> for EndpointOut {
    fn from(e: crate::store::Endpoint) -> Self {
        EndpointOut {
            id: e.id,
            biller_id: e.biller_id,
            url: e.url,
            description: e.description,
            event_types: e.event_types,
            services: e.services,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            disabled_at: e.disabled_at,
            rate_limit: e.rate_limit,
            contact_email: e.contact_email,
            previous_secret_until: e.previous_secret_until,
            ed25519_public_key: e.ed25519_public_key,
            failing_since: e.failing_since,
            last_refusal: e.last_refusal,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointList {
    pub endpoints: Vec<EndpointOut>,
}

/// A new endpoint and its signing secret: shown once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointCreated {
    pub endpoint: EndpointOut,
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
    pub note: String,
}

/// Which endpoints to list (staff only; a biller sees its own).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndpointQuery {
    pub biller_id: Option<String>,
}

/// The new signing secret; the previous one keeps signing until `previous_secret_until`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRotated {
    pub secret: String,
    pub previous_secret_until: DateTime<Utc>,
    pub note: String,
}

/// What a test ping to an endpoint did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestResult {
    /// The endpoint answered 2xx.
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_id: Option<String>,
    /// The HTTP status it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The first KB of its answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Changes to an endpoint (PATCH: any subset), or a new one (POST: `url` required, and
/// `biller_id` for staff tokens).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    pub biller_id: Option<String>,
    /// An https URL on the public internet.
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Event types to send (see `/schemas`); empty or absent: every type.
    pub event_types: Option<Vec<String>>,
    /// Service codes; `null` (or absent on create): every service; absent on a patch:
    /// unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>, min_items = 1)]
    pub services: Option<Option<Vec<String>>>,
    /// Webhooks per second at most; 0: no limit.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub rate_limit: Option<i64>,
    #[schema(format = Email)]
    pub contact_email: Option<String>,
    /// Also sign with ed25519 (`v1a`); only on create.
    pub ed25519: Option<bool>,
    /// `false` disables it (its deliveries wait), `true` enables it again without replay.
    pub enabled: Option<bool>,
}

/// An integer, also when written with a zero fraction (`5.0`), as JSON Schema's `integer`
/// allows.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
            _ => Err(serde::de::Error::custom(format!(
                "invalid type: {n}, expected a whole number"
            ))),
        },
    }
}

/// A field that was sent, even as `null` (serde reads a `null` `Option<Option<_>>` as absent).
fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnableIn {
    /// Queue every update published while the endpoint was disabled.
    #[serde(default)]
    pub replay: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableIn {
    /// Why it is disabled; by default who disabled it.
    #[schema(min_length = 1, max_length = 300)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Enabled {
    pub enabled: bool,
    /// Deliveries queued again (with `replay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A page of an endpoint's deliveries, newest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    #[param(schema_with = delivery_state_schema)]
    pub state: Option<String>,
    /// Deliveries per page (200).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// A page's `next_cursor`: the page after it.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryOut {
    pub id: String,
    pub notice_id: String,
    pub update_id: String,
    pub sequence: i64,
    #[schema(schema_with = event_schema)]
    pub event: String,
    #[schema(schema_with = delivery_state_schema)]
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

impl From<crate::store::WebhookDelivery> for DeliveryOut {
    fn from(d: crate::store::WebhookDelivery) -> Self {
        DeliveryOut {
            id: d.id,
            notice_id: d.notice_id,
            update_id: d.update_id,
            sequence: d.sequence,
            event: d.event,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            finished_at: d.finished_at,
            error: d.error,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryList {
    pub deliveries: Vec<DeliveryOut>,
    /// Ask for the next page with `cursor`; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptOut {
    pub attempt: i64,
    /// Which worker made it (host:pid).
    pub worker: String,
    pub at: DateTime<Utc>,
    pub latency_ms: i64,
    pub outcome: String,
    pub status_code: Option<i64>,
    /// The first KB of what the endpoint answered.
    pub response: Option<String>,
    pub error: Option<String>,
}

impl From<crate::store::Attempt> for AttemptOut {
    fn from(a: crate::store::Attempt) -> Self {
        AttemptOut {
            attempt: a.attempt,
            worker: a.worker,
            at: a.at,
            latency_ms: a.latency_ms,
            outcome: a.outcome,
            status_code: a.status_code,
            response: a.response,
            error: a.error,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptList {
    pub delivery_id: String,
    pub attempts: Vec<AttemptOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverIn {
    /// Queue again the failed deliveries created since this time (RFC 3339 or local).
    #[schema(schema_with = time_schema)]
    pub since: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Queued {
    /// Deliveries queued again.
    pub queued: u64,
}

// ---------------------------------------------------------------------------------------------
// Webhook payload schemas

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaLink {
    #[serde(rename = "type")]
    #[schema(schema_with = event_schema)]
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaIndex {
    pub schemas: Vec<SchemaLink>,
}

// ---------------------------------------------------------------------------------------------
// Schemas of the string fields whose values come from the domain, so that they list exactly
// what the code accepts. Texts are completed at run time with the page's languages
// (see `openapi::name_languages`).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, Type};

fn string_enum<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_string)))
        .build()
}

fn service_status_schema() -> Object {
    string_enum(crate::domain::ServiceStatus::ALL.map(|s| s.as_str()))
}

fn impact_schema() -> Object {
    string_enum(
        crate::domain::ServiceStatus::ALL
            .into_iter()
            .filter(|s| *s != crate::domain::ServiceStatus::Operational)
            .map(|s| s.as_str()),
    )
}

fn notice_kind_schema() -> Object {
    string_enum(["maintenance", "incident"])
}

fn notice_state_schema() -> Object {
    string_enum(crate::domain::NoticeState::ALL.map(|s| s.as_str()))
}

fn event_schema() -> Object {
    string_enum(crate::domain::Event::ALL.map(|e| e.as_str()))
}

/// The events a notice's message can be previewed as (not the test ping).
fn notice_event_schema() -> Object {
    string_enum(
        crate::domain::Event::ALL
            .into_iter()
            .filter(|e| *e != crate::domain::Event::TestPing)
            .map(|e| e.as_str()),
    )
}

fn channel_schema() -> Object {
    string_enum(crate::delivery::metrics::CHANNELS)
}

fn subscriber_channel_schema() -> Object {
    string_enum(["sms", "email"])
}

fn subscriber_state_schema() -> Object {
    string_enum(["pending", "confirmed", "unsubscribed"])
}

fn delivery_state_schema() -> Object {
    string_enum(["pending", "sent", "failed"])
}

fn encoding_schema() -> Object {
    string_enum(["gsm7", "ucs2"])
}

fn errors_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .min_properties(Some(1))
        .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn consent_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .build()
}

/// Placeholder for a language tag; replaced by the page's languages when the document is
/// built.
fn language_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .extensions(Some(ext("x-tangazo-language", serde_json::json!(true))))
        .build()
}

/// A time: RFC 3339, or a local time in the page's zone without an offset.
fn time_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "RFC 3339 (2026-04-18T23:00:00+03:00), or a local time in the page's zone (2026-04-18T23:00)",
        ))
        .pattern(Some(
            r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$",
        ))
        .build()
}

fn token_name_schema() -> Object {
    visible_text(1, 60)
}

fn biller_name_schema() -> Object {
    visible_text(1, 120)
}

fn group_schema() -> Object {
    visible_text(1, super::NAME_MAX)
}

/// Texts of at most `max` characters per language; `x-tangazo-texts` marks them for the
/// run-time pass that names the languages.
fn texts_of(max: usize, required: bool) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(RefOr::T(Schema::Object(visible_text(1, max)))))
        .extensions(Some(ext(
            "x-tangazo-texts",
            serde_json::json!({ "required": required }),
        )))
        .build()
}

fn texts_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn name_texts_schema() -> Object {
    texts_of(super::NAME_MAX, true)
}

fn description_texts_schema() -> Object {
    texts_of(300, false)
}

fn title_texts_schema() -> Object {
    texts_of(super::TITLE_MAX, true)
}

fn still_works_texts_schema() -> Object {
    texts_of(super::STILL_WORKS_MAX, false)
}

fn body_texts_schema() -> Object {
    texts_of(super::BODY_MAX, false)
}

/// A message's text: when given, it must hold the default language.
fn message_texts_schema() -> Object {
    texts_of(super::BODY_MAX, true)
}

fn sms_texts_schema() -> Object {
    texts_of(super::SMS_OVERRIDE_MAX, false)
}

/// Text people can read: no control or invisible formatting characters, and at least one
/// character that is not a space. (The server also refuses bidirectional overrides and
/// zero-width characters; the pattern says so as far as a regular expression portably can.)
fn visible_text(min: usize, max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(VISIBLE_TEXT))
        .build()
}

/// At least one visible character, and none of the C0/C1 controls (but tab and line breaks), zero-width characters,
/// bidirectional controls or the byte-order mark.
pub const VISIBLE_TEXT: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]*[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]*$";

fn ext(name: &str, value: serde_json::Value) -> utoipa::openapi::extensions::Extensions {
    let mut e = utoipa::openapi::extensions::Extensions::default();
    e.insert(name.to_string(), value);
    e
}
