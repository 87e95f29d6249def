//! Notices: the dashboard's list, and a notice's page with its deliveries, its updates, the
//! changes of a draft and the lifecycle buttons ([`actions`]). The form to write and edit one
//! is [`form`]; what it would send, [`preview`].

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::error::Result;
use super::form::form_token;
use super::page::{Frame, UserView, face, html};
use super::reach;
use super::staff::{Staff, user_view};
use std::sync::Arc;

use crate::domain::{DeliveryId, Notice, NoticeId, NoticeState};
use crate::locale::{Arg, Locale};
use crate::render::i18n;
use crate::store::Role;
use crate::web::AppState;
use crate::web::api;
use actions::{ACTIONS, ActionView, Refusal, actions_for};
use preview::{PreviewView, PreviewWords, example_unsubscribe, preview_view};

pub mod actions;
pub mod form;
mod preview;

struct Row {
    id: NoticeId,
    title: String,
    kind: &'static str,
    state: &'static str,
    state_label: String,
    overrunning: bool,
    window: String,
    reference: String,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct Dashboard {
    t: Frame,
    w: DashboardWords,
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    notices: Vec<Row>,
}

crate::render::i18n::labels!(
    /// The words of the dashboard's list of notices.
    DashboardWords, "console-dashboard", {
        title,
        new_notice,
        col_title,
        col_kind,
        col_state,
        col_window,
        col_reference,
        overrunning,
        empty,
    }
);

crate::render::i18n::labels!(
    /// The words of a notice's page.
    NoticeWords, "console-notice", {
        overrunning,
        reference,
        public_page,
        edit_draft,
        window,
        affected,
        still_works,
        written_by,
        actions,
        who_is_told,
        told_at_once,
        told_sms,
        told_email,
        told_endpoints,
        actions_note,
        four_eyes,
        new_end,
        new_start,
        status,
        unchanged,
        message,
        required,
        optional_standard,
        i_confirm,
        no_actions_before,
        no_actions_after,
        changes,
        no_changes_before,
        no_changes_after,
        col_when,
        col_who,
        col_field,
        col_before,
        col_after,
        deliveries,
        nothing_queued,
        col_update,
        col_channel,
        col_sent,
        col_pending,
        col_failed,
        col_superseded,
        col_delivered,
        not_delivered,
        recent_failures,
        also_json,
        timeline,
        not_published,
    }
);

pub struct NoticeView {
    id: NoticeId,
    title: String,
    state: &'static str,
    state_label: String,
    overrunning: bool,
    reference: String,
    public_url: String,
    is_draft: bool,
    window: String,
    affected: String,
    still_works: String,
    created_by: String,
}

pub struct UpdateRow {
    sequence: i64,
    when: String,
    event: &'static str,
    state: &'static str,
    body: String,
    by: String,
}

pub struct ChangeRow {
    when: String,
    who: String,
    field: String,
    before: String,
    after: String,
}

/// For the approver: every field each edit of a draft changed, from the audit log.
async fn draft_changes(state: &AppState, loc: &Arc<Locale>, n: &Notice) -> Result<Vec<ChangeRow>> {
    let entries = state
        .store
        .audit_entries(
            None,
            Some("notice.edit"),
            Some(&format!("notice:{}", n.id)),
            100,
        )
        .await?;
    let f = face(state, loc);
    let mut rows = Vec::new();
    for e in entries.iter().rev() {
        let parse = |v: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
            v.as_deref()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default()
        };
        let (before, after) = (parse(&e.before), parse(&e.after));
        for (field, new) in &after {
            let old = before
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if &old != new {
                rows.push(ChangeRow {
                    when: f.instant(e.at),
                    who: e.actor.clone(),
                    field: field.clone(),
                    before: old.to_string(),
                    after: new.to_string(),
                });
            }
        }
    }
    Ok(rows)
}

/// One update's deliveries on one channel, with what is left of it.
pub struct DeliveryRow {
    p: crate::store::Progress,
    eta: String,
}

#[derive(Template)]
#[template(path = "console/notice.html")]
struct NoticePage {
    t: Frame,
    w: NoticeWords,
    /// The preview pane's words.
    pw: PreviewWords,
    deliveries: Vec<DeliveryRow>,
    failures: Vec<(DeliveryId, String, String)>,
    audience_sms: i64,
    audience_email: i64,
    audience_endpoints: i64,
    changes: Vec<ChangeRow>,
    user: Option<UserView>,
    csrf: String,
    /// The action forms' one-time token.
    once: String,
    /// The notice as shown, `sequence-fingerprint`: see [`crate::store::Once::seen`].
    seen: String,
    flash: Option<String>,
    error: Option<String>,
    n: NoticeView,
    actions: Vec<ActionView>,
    approval_needed: bool,
    role: &'static str,
    zone: String,
    langs: Vec<(&'static str, &'static str)>,
    updates: Vec<UpdateRow>,
    p: PreviewView,
}

fn window_text(state: &AppState, loc: &Arc<Locale>, n: &Notice) -> String {
    let f = face(state, loc);
    match (n.starts_at, n.ends_at) {
        (Some(s), Some(e)) => f.window(s, e),
        (Some(s), None) => f.instant(s),
        _ => String::new(),
    }
}

pub async fn dashboard(State(state): State<AppState>, staff: Staff) -> Result {
    let list = state
        .store
        .list_notices(&crate::store::NoticeFilter {
            limit: 200,
            ..Default::default()
        })
        .await?;
    let lang = state.settings.default_lang();
    let now = state.clock.now();
    let loc = staff.loc();
    Ok(html(Dashboard {
        t: staff.frame(),
        w: DashboardWords::of(loc),
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        notices: list
            .iter()
            .map(|n| Row {
                id: n.id.clone(),
                title: n.title.get(lang).to_string(),
                kind: n.kind.as_str(),
                state: n.state.as_str(),
                state_label: i18n::state_label(loc, n.state),
                overrunning: n.is_overrunning(now),
                window: window_text(&state, loc, n),
                reference: n.reference.to_string(),
            })
            .collect(),
    }))
}

pub async fn view_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
) -> Result {
    notice_page(&state, &staff, &id, None, StatusCode::OK).await
}

/// A notice's page; after a refused action, with why and the form as it was sent.
async fn notice_page(
    state: &AppState,
    staff: &Staff,
    id: &NoticeId,
    refusal: Option<Refusal>,
    status: StatusCode,
) -> Result {
    let n = state.store.get_notice(id).await?;
    let updates = state.store.get_updates(&n.id).await?;
    let preview = api::preview_existing(state, &n, None, None, None).await?;
    let lang = state.settings.default_lang();
    let snapshot = state.snapshot.load();
    let loc = staff.loc();
    let f = face(state, loc);
    let approval_needed = state.settings.raw.console.require_approval
        && n.state == NoticeState::Draft
        && n.created_by == staff.actor();
    let view = NoticeView {
        id: n.id.clone(),
        title: n.title.get(lang).to_string(),
        state: n.state.as_str(),
        state_label: i18n::state_label(loc, n.state),
        overrunning: n.is_overrunning(state.clock.now()),
        reference: n.reference.to_string(),
        public_url: format!("/notices/{}", n.id),
        is_draft: n.state == NoticeState::Draft,
        window: window_text(state, loc, &n),
        affected: n
            .affected
            .iter()
            .map(|a| {
                let name = snapshot
                    .data()
                    .services
                    .iter()
                    .find(|s| s.code == a.service)
                    .map(|s| s.name.get(lang).to_string())
                    .unwrap_or_else(|| a.service.to_string());
                format!("{name} ({})", i18n::status_label(loc, a.impact))
            })
            .collect::<Vec<_>>()
            .join(", "),
        still_works: n.still_works.get(lang).to_string(),
        created_by: n.created_by.clone(),
    };
    let changes = if n.state == NoticeState::Draft {
        draft_changes(state, loc, &n).await?
    } else {
        vec![]
    };
    let codes: Vec<crate::domain::ServiceCode> =
        n.affected.iter().map(|a| a.service.clone()).collect();
    // Webhook counts depend on the event, so only the buttons this person has are counted.
    let events: Vec<_> = if staff.0.user.role >= Role::Publisher {
        ACTIONS
            .iter()
            .filter_map(|a| reach::event_of(&n, a))
            .collect()
    } else {
        vec![]
    };
    let reach = reach::Reach::of(state, loc, &n, events).await?;
    let progress = state.store.delivery_progress(&n.id).await?;
    let failures = state.store.recent_failures(&n.id, 10).await?;
    let deliveries = progress
        .into_iter()
        .map(|p| {
            let eta = match api::eta_of(state, &p.channel, p.pending).1 {
                None => String::new(),
                Some(s) if s < 120 => loc.format("console-eta-seconds", &[("n", Arg::Num(s))]),
                Some(s) if s < 7200 => {
                    loc.format("console-eta-minutes", &[("n", Arg::Num((s + 59) / 60))])
                }
                Some(s) => loc.format(
                    "console-eta-hours",
                    &[("hours", Arg::Str(&format!("{:.1}", s as f64 / 3600.0)))],
                ),
            };
            DeliveryRow { p, eta }
        })
        .collect();
    let mut actions = actions_for(loc, &n, staff.0.user.role, &reach);
    let error = refusal.map(|r| {
        if let Some(a) = actions.iter_mut().find(|a| a.name == r.action) {
            a.values = r.values;
        }
        r.message
    });
    let page = NoticePage {
        t: staff.frame(),
        w: NoticeWords::of(loc),
        pw: PreviewWords::of(loc),
        deliveries,
        failures,
        audience_sms: reach.sms,
        audience_email: reach.email,
        audience_endpoints: state.store.endpoint_audience(&codes).await?,
        changes,
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        seen: format!("{}-{}", n.sequence, crate::store::fingerprint(&n)),
        flash: staff.flash(),
        error,
        actions,
        approval_needed,
        role: staff.0.user.role.as_str(),
        zone: format!(
            "{} ({})",
            f.zone_abbr(state.clock.now()),
            state.settings.time_zone.name()
        ),
        langs: state
            .settings
            .languages
            .iter()
            .map(|l| (l.code(), l.native_name()))
            .collect(),
        updates: updates
            .iter()
            .rev()
            .map(|u| UpdateRow {
                sequence: u.sequence,
                when: f.instant(u.created_at),
                event: u.event.as_str(),
                state: u.state.as_str(),
                body: u.body.get(lang).to_string(),
                by: u.created_by.clone(),
            })
            .collect(),
        p: preview_view(loc, &preview, &state.settings, &example_unsubscribe(state)),
        n: view,
    };
    Ok((status, html(page)).into_response())
}
