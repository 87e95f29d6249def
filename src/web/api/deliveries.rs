//! How far a notice's deliveries have got, per update and channel, with an ETA.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};

use super::super::{AppState, Result};
use super::extract::Staff;
use super::notices::notice_or_404;
use super::types::DeliveryReport;
use crate::domain::NoticeId;

pub(super) async fn notice_deliveries(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<NoticeId>,
) -> Result<Json<DeliveryReport>> {
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

/// Progress of one notice's deliveries.
pub async fn delivery_report(state: &AppState, notice_id: &NoticeId) -> Result<DeliveryReport> {
    use super::types::{ChannelTotals, RecentFailure, UpdateProgress};
    let progress = state.store.delivery_progress(notice_id).await?;
    let failures = state.store.recent_failures(notice_id, 20).await?;
    let mut report = DeliveryReport {
        notice_id: notice_id.clone(),
        updates: Vec::new(),
        totals: BTreeMap::new(),
        rate_per_second: BTreeMap::new(),
        eta_seconds: BTreeMap::new(),
        recent_failures: failures
            .into_iter()
            .map(|(delivery_id, channel, error)| RecentFailure {
                delivery_id,
                channel,
                error,
            })
            .collect(),
    };
    for channel in crate::delivery::metrics::CHANNELS {
        let rows: Vec<_> = progress.iter().filter(|p| p.channel == channel).collect();
        if rows.is_empty() {
            continue;
        }
        let sum = |f: fn(&crate::store::Progress) -> i64| rows.iter().map(|p| f(p)).sum::<i64>();
        let pending = sum(|p| p.pending);
        report.totals.insert(
            channel.into(),
            ChannelTotals {
                pending,
                sent: sum(|p| p.sent),
                failed: sum(|p| p.failed),
                superseded: sum(|p| p.superseded),
                cancelled: sum(|p| p.cancelled),
                delivered: sum(|p| p.delivered),
                undelivered: sum(|p| p.undelivered),
            },
        );
        let (rate, seconds) = eta_of(state, channel, pending);
        report
            .rate_per_second
            .insert(channel.into(), (rate * 10.0).round() / 10.0);
        report.eta_seconds.insert(channel.into(), seconds);
    }
    report.updates = progress
        .into_iter()
        .map(|p| UpdateProgress {
            update_id: p.update_id,
            sequence: p.sequence,
            event: p.event,
            channel: p.channel,
            pending: p.pending,
            sent: p.sent,
            failed: p.failed,
            superseded: p.superseded,
            cancelled: p.cancelled,
            delivered: p.delivered,
            undelivered: p.undelivered,
        })
        .collect();
    Ok(report)
}
