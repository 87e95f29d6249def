//! Webhook payloads in the Standard Webhooks envelope `{"type", "timestamp", "data"}`, and a
//! JSON Schema (draft 2020-12) for each event type, served at `/api/v1/schemas/{type}.json`.
//!
//! `data.sequence` grows with every update of a notice, so a biller can drop an update that
//! arrives after a newer one.
//!
//! `data.started_at` and `data.finished_at` are when the notice really started and finished,
//! `data.planned_ends_at` the end first announced (extensions do not move it), and
//! `data.minutes_early` how many minutes before that end a window was completed (negative:
//! late), rounded by [`Notice::minutes_early`](crate::domain::Notice::minutes_early) as every
//! other channel says it; `null` until a window is completed.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::Subject;
use super::i18n::Clockface;
use crate::config::Settings;
use crate::domain::{Event, Lang};

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn payload(settings: &Settings, s: &Subject<'_>, now: DateTime<Utc>) -> Value {
    let n = s.notice;
    let base = &settings.public_url;
    let window_local: serde_json::Map<String, Value> = settings
        .languages
        .iter()
        .filter_map(|&lang| {
            let face = Clockface::new(settings, lang, now);
            let w = n.window().map(|w| face.window(w.start, w.end))?;
            Some((lang.code().to_string(), json!(w)))
        })
        .collect();
    let affected: Vec<Value> = n
        .affected
        .iter()
        .map(|a| {
            let name = s
                .services
                .iter()
                .find(|sv| sv.code == a.service)
                .map(|sv| json!(sv.name))
                .unwrap_or_else(|| json!({ Lang::En.code(): a.service.as_str() }));
            json!({ "code": a.service.as_str(), "name": name, "impact": a.impact.as_str() })
        })
        .collect();
    json!({
        "type": s.event.as_str(),
        "timestamp": ts(s.at),
        "data": {
            "id": n.id,
            "update_id": s.update_id,
            "reference": n.reference.as_str(),
            "kind": n.kind.as_str(),
            "state": n.state.as_str(),
            "overrunning": n.is_overrunning(now),
            "sequence": s.sequence,
            "starts_at": n.starts_at.map(ts),
            "ends_at": n.ends_at.map(ts),
            "planned_ends_at": n.planned_ends_at.map(ts),
            "started_at": n.started_at.map(ts),
            "finished_at": n.finished_at.map(ts),
            "minutes_early": n.minutes_early(),
            "time_zone": settings.time_zone.name(),
            "window_local": window_local,
            "title": n.title,
            "body": s.body,
            "still_works": n.still_works,
            "affected": affected,
            "links": {
                "page": format!("{base}/notices/{}", n.id),
                "verify": format!("{base}/verify/{}", n.reference),
                "ics": format!("{base}/maintenance.ics"),
            },
        }
    })
}

/// `test.ping`: proves the endpoint and its signature check work; carries no notice.
pub fn test_ping(settings: &Settings, now: DateTime<Utc>) -> Value {
    json!({
        "type": Event::TestPing.as_str(),
        "timestamp": ts(now),
        "data": {
            "message": "This is a test event from Tangazo.",
            "page": settings.public_url,
        }
    })
}

fn texts() -> Value {
    json!({
        "type": "object",
        // Keyed by the BCP 47 tag of each language the page offers ("en", "sw", "pt-BR").
        "propertyNames": { "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$" },
        "additionalProperties": { "type": "string", "minLength": 1 },
    })
}

fn time() -> Value {
    json!({ "type": "string", "format": "date-time", "pattern": "Z$" })
}

fn nullable_time() -> Value {
    json!({ "anyOf": [time(), { "type": "null" }] })
}

/// JSON Schema of the payload of one event type.
pub fn schema(event: Event) -> Value {
    let id = format!("https://tangazo.dev/schemas/{}.json", event.as_str());
    let data = if event == Event::TestPing {
        json!({
            "type": "object",
            "required": ["message", "page"],
            "additionalProperties": false,
            "properties": {
                "message": { "type": "string" },
                "page": { "type": "string", "format": "uri" },
            }
        })
    } else {
        let states: Vec<&str> = crate::domain::NoticeState::ALL
            .iter()
            .map(|s| s.as_str())
            .collect();
        let statuses: Vec<&str> = crate::domain::ServiceStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect();
        // A completion always says when the window really started and finished, what end was
        // announced, and how early (positive) or late (negative) it finished.
        let completed = event == Event::MaintenanceCompleted;
        json!({
            "type": "object",
            "required": ["id", "update_id", "reference", "kind", "state", "overrunning", "sequence",
                         "starts_at", "ends_at", "planned_ends_at", "started_at", "finished_at",
                         "minutes_early", "time_zone", "window_local", "title", "body", "still_works",
                         "affected", "links"],
            "additionalProperties": false,
            "properties": {
                "id": { "type": "string", "minLength": 1 },
                "update_id": { "type": "string" },
                "reference": { "type": "string", "pattern": "^[2-9A-HJKMNP-Z]{6}$" },
                "kind": { "enum": ["maintenance", "incident"] },
                "state": { "enum": states },
                "overrunning": { "type": "boolean" },
                "sequence": { "type": "integer", "minimum": 0 },
                "starts_at": nullable_time(),
                "ends_at": nullable_time(),
                "planned_ends_at": if completed { time() } else { nullable_time() },
                "started_at": if completed { time() } else { nullable_time() },
                "finished_at": if completed { time() } else { nullable_time() },
                "minutes_early": if completed {
                    json!({ "type": "integer" })
                } else {
                    json!({ "type": ["integer", "null"] })
                },
                "time_zone": { "type": "string", "minLength": 1 },
                "window_local": texts(),
                "title": texts(),
                "body": texts(),
                "still_works": texts(),
                "affected": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "name", "impact"],
                        "additionalProperties": false,
                        "properties": {
                            "code": { "type": "string", "pattern": "^[a-z][a-z0-9-]*$" },
                            "name": texts(),
                            "impact": { "enum": statuses },
                        }
                    }
                },
                "links": {
                    "type": "object",
                    "required": ["page", "verify", "ics"],
                    "additionalProperties": false,
                    "properties": {
                        "page": { "type": "string", "format": "uri" },
                        "verify": { "type": "string", "format": "uri" },
                        "ics": { "type": "string", "format": "uri" },
                    }
                }
            }
        })
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": id,
        "title": format!("Tangazo webhook: {}", event.as_str()),
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "additionalProperties": false,
        "properties": {
            "type": { "const": event.as_str() },
            "timestamp": time(),
            "data": data,
        }
    })
}
