//! Billers, their tokens, webhook endpoints and deliveries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schemas::*;
use super::{present, whole_number};
use crate::domain::{BillerId, DeliveryId, EndpointId, NoticeId, UpdateId};

/// A company that receives webhooks: a power or water utility, a bank.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillerOut {
    #[schema(value_type = String)]
    pub id: BillerId,
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
    #[schema(value_type = String)]
    pub biller_id: BillerId,
    pub token: String,
    pub note: String,
}

/// A webhook endpoint of a biller; never its secrets.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointOut {
    #[schema(value_type = String)]
    pub id: EndpointId,
    #[schema(value_type = String)]
    pub biller_id: BillerId,
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
    #[param(value_type = Option<String>)]
    pub biller_id: Option<BillerId>,
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

impl From<crate::delivery::webhook::PingResult> for TestResult {
    fn from(r: crate::delivery::webhook::PingResult) -> Self {
        TestResult {
            ok: r.ok,
            webhook_id: r.webhook_id,
            status: r.status,
            latency_ms: r.latency_ms,
            response: r.response,
            error: r.error,
        }
    }
}

/// Changes to an endpoint (PATCH: any subset), or a new one (POST: `url` required, and
/// `biller_id` for staff tokens).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    #[schema(value_type = Option<String>)]
    pub biller_id: Option<BillerId>,
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
    #[schema(value_type = String)]
    pub id: DeliveryId,
    #[schema(value_type = String)]
    pub notice_id: NoticeId,
    #[schema(value_type = String)]
    pub update_id: UpdateId,
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
    #[schema(value_type = String)]
    pub delivery_id: DeliveryId,
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
