//! How far a notice's deliveries have got, per update and channel, with an ETA.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::super::{AppState, Result};
use super::extract::Staff;
use super::notices::notice_or_404;

pub(super) async fn notice_deliveries(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let n = notice_or_404(&state, &id).await?;
    Ok(Json(delivery_report(&state, &n.id).await?))
}

/// The send rate of a channel (what this process has been sending at over the last minute,
/// else the configured pace) and the seconds `pending` messages still need at that rate.
pub fn eta_of(state: &AppState, channel: &str, pending: i64) -> (f64, Option<i64>) {
    let configured = match channel {
        "sms" => state.settings.raw.sms.rate_per_second,
        "email" => state.settings.raw.email.rate_per_second,
        _ => 0,
    };
    let rate = state
        .deliveries
        .recent_rate(channel)
        .unwrap_or(f64::from(configured));
    let seconds = (pending > 0 && rate > 0.0).then(|| (pending as f64 / rate).ceil() as i64);
    (rate, seconds)
}

/// Progress of one notice's deliveries, shared by the API and the console.
pub async fn delivery_report(state: &AppState, notice_id: &str) -> Result<Value> {
    let progress = state.store.delivery_progress(notice_id).await?;
    let failures = state.store.recent_failures(notice_id, 20).await?;
    let mut totals = serde_json::Map::new();
    let mut eta = serde_json::Map::new();
    let mut rates = serde_json::Map::new();
    for channel in crate::delivery::metrics::CHANNELS {
        let rows: Vec<_> = progress.iter().filter(|p| p.channel == channel).collect();
        if rows.is_empty() {
            continue;
        }
        let sum = |f: fn(&crate::store::Progress) -> i64| rows.iter().map(|p| f(p)).sum::<i64>();
        let pending = sum(|p| p.pending);
        totals.insert(
            channel.into(),
            json!({
                "pending": pending,
                "sent": sum(|p| p.sent),
                "failed": sum(|p| p.failed),
                "superseded": sum(|p| p.superseded),
                "cancelled": sum(|p| p.cancelled),
                "delivered": sum(|p| p.delivered),
                "undelivered": sum(|p| p.undelivered),
            }),
        );
        let (rate, seconds) = eta_of(state, channel, pending);
        rates.insert(channel.into(), json!((rate * 10.0).round() / 10.0));
        eta.insert(channel.into(), json!(seconds));
    }
    Ok(json!({
        "notice_id": notice_id,
        "updates": progress,
        "totals": totals,
        "rate_per_second": rates,
        "eta_seconds": eta,
        "recent_failures": failures.iter().map(|(id, channel, error)| json!({
            "delivery_id": id, "channel": channel, "error": error,
        })).collect::<Vec<_>>(),
    }))
}
