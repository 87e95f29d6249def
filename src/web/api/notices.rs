//! Notices: create, edit, list, read and preview (the lifecycle actions are in `actions`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::{AppError, AppState, Result};
use super::extract::{ApiJson, OptionalJson, Staff};
use super::fields::{Errors, localized, parse_overrides, parse_time};
use super::types::{
    AffectedIn, NoticeIn, NoticeList, NoticeOut, NoticeQuery, PreviewIn, PreviewOut,
};
use super::{BODY_MAX, STILL_WORKS_MAX, TITLE_MAX};
use crate::app;
use crate::domain::{
    Affected, Event, Localized, Notice, NoticeId, NoticeKind, NoticeState, Overrides, ServiceCode,
    ServiceStatus, Update, Window,
};
use crate::render::messages;
use crate::store::{NewNotice, NoticeFilter, NoticePatch, Role};

pub(super) async fn notice_or_404(state: &AppState, id: &NoticeId) -> Result<Notice> {
    Ok(app::notices::get(state, id).await?)
}

pub(super) fn notice_json(state: &AppState, n: &Notice, updates: Option<&[Update]>) -> NoticeOut {
    let out = NoticeOut::new(n, &state.settings.public_url, state.clock.now());
    match updates {
        Some(u) => out.with_updates(u),
        None => out,
    }
}

pub(super) async fn parse_affected(
    state: &AppState,
    errors: &mut Errors,
    kind: NoticeKind,
    raw: Vec<AffectedIn>,
) -> Result<Vec<Affected>> {
    let known: Vec<ServiceCode> = state
        .store
        .list_services()
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let mut out: Vec<Affected> = Vec::new();
    for (i, a) in raw.into_iter().enumerate() {
        let service = match ServiceCode::parse(&a.service) {
            Ok(c) if known.contains(&c) => c,
            Ok(c) => {
                errors.add(
                    format!("affected[{i}].service"),
                    format!("no service '{c}'"),
                );
                continue;
            }
            Err(m) => {
                errors.add(format!("affected[{i}].service"), m);
                continue;
            }
        };
        if out.iter().any(|o| o.service == service) {
            errors.add(
                format!("affected[{i}].service"),
                format!("'{service}' is listed twice"),
            );
            continue;
        }
        let impact = match a.impact.as_deref() {
            None => match kind {
                NoticeKind::Maintenance => ServiceStatus::UnderMaintenance,
                NoticeKind::Incident => ServiceStatus::PartialOutage,
            },
            Some(raw) => match ServiceStatus::parse(raw) {
                Ok(ServiceStatus::Operational) => {
                    errors.add(
                        format!("affected[{i}].impact"),
                        "an affected service cannot be operational; leave it out",
                    );
                    continue;
                }
                Ok(s) => s,
                Err(m) => {
                    errors.add(format!("affected[{i}].impact"), m);
                    continue;
                }
            },
        };
        out.push(Affected { service, impact });
    }
    Ok(out)
}

/// Parses a new notice, reporting every problem at once.
pub(crate) async fn parse_new_notice(state: &AppState, input: NoticeIn) -> Result<NewNotice> {
    let now = state.clock.now();
    let mut errors = Errors::default();
    // With no valid kind, the checks that depend on it are skipped: one error, not five.
    let kind = match input.kind.as_deref().map(NoticeKind::parse) {
        Some(Ok(k)) => Some(k),
        Some(Err(m)) => {
            errors.add("kind", m);
            None
        }
        None => {
            errors.add("kind", "is required: maintenance or incident");
            None
        }
    };
    let title = match &input.title {
        Some(raw) => localized(state, &mut errors, "title", raw, true, TITLE_MAX),
        None => {
            errors.add(
                format!("title.{}", state.settings.default_lang()),
                "is required",
            );
            None
        }
    };
    let still_works = localized(
        state,
        &mut errors,
        "still_works",
        &input.still_works.unwrap_or_default(),
        false,
        STILL_WORKS_MAX,
    );
    let body = localized(
        state,
        &mut errors,
        "body",
        &input.body.unwrap_or_default(),
        false,
        BODY_MAX,
    );
    let draft_overrides =
        parse_overrides(state, &mut errors, input.sms.as_ref(), input.email.as_ref());
    let affected = parse_affected(
        state,
        &mut errors,
        kind.unwrap_or(NoticeKind::Maintenance),
        input.affected.unwrap_or_default(),
    )
    .await?;
    let starts_at = input
        .starts_at
        .as_deref()
        .map(|r| parse_time(state, "starts_at", r));
    let ends_at = input
        .ends_at
        .as_deref()
        .map(|r| parse_time(state, "ends_at", r));
    let (mut start, mut end) = (None, None);
    for (slot, parsed) in [(&mut start, starts_at), (&mut end, ends_at)] {
        match parsed {
            Some(Ok(t)) => *slot = Some(t),
            Some(Err(e)) => errors.0.push(e),
            None => {}
        }
    }
    match kind {
        None => {}
        Some(NoticeKind::Maintenance) => {
            if input.starts_at.is_none() {
                errors.add("starts_at", "is required for maintenance");
            }
            if input.ends_at.is_none() {
                errors.add("ends_at", "is required for maintenance");
            }
            if let (Some(s), Some(e)) = (start, end) {
                match Window::new(s, e, state.settings.raw.notice.max_window_hours) {
                    Err((f, m)) => errors.add(f, m),
                    Ok(_) if e <= now => errors.add("ends_at", "is in the past; check the date"),
                    Ok(_) => {}
                }
            }
            if affected.is_empty() && !errors.0.iter().any(|e| e.field.starts_with("affected")) {
                errors.add(
                    "affected",
                    "name at least one service the window takes down",
                );
            }
        }
        Some(NoticeKind::Incident) => {
            if input.ends_at.is_some() {
                errors.add(
                    "ends_at",
                    "an incident ends when it is resolved; leave ends_at out",
                );
            }
            if start.is_some_and(|s| s > now) {
                errors.add(
                    "starts_at",
                    "an incident cannot start in the future; plan maintenance instead",
                );
            }
        }
    }
    errors.check()?;
    let new = NewNotice {
        kind: kind.expect("checked"),
        title: title.expect("checked"),
        still_works: still_works.unwrap_or_default(),
        draft_body: body.unwrap_or_default(),
        draft_overrides: draft_overrides.unwrap_or_default(),
        affected,
        starts_at: start,
        ends_at: end,
        auto_start: input.auto_start.unwrap_or(true),
        auto_complete: input.auto_complete.unwrap_or(false),
    };
    Ok(new)
}

pub(super) async fn create_notice(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<NoticeIn>,
) -> Result<Response> {
    // The route needs an editor; publishing on create needs what publishing needs.
    if input.publish {
        staff.require(Role::Publisher)?;
    }
    let publish = input.publish;
    let new = parse_new_notice(&state, input).await?;
    // Created and published in one transaction: a refused publication leaves no draft.
    let notice = app::notices::create(&state, &staff.actor(), &new, publish).await?;
    let updates = state.store.get_updates(&notice.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(notice_json(&state, &notice, Some(&updates))),
    )
        .into_response())
}

pub(super) async fn edit_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    ApiJson(input): ApiJson<NoticeIn>,
) -> Result<Json<NoticeOut>> {
    let current = notice_or_404(&state, &id).await?;
    let mut errors = Errors::default();
    if input
        .kind
        .as_deref()
        .is_some_and(|k| k != current.kind.as_str())
    {
        errors.add("kind", "cannot change; create a new notice");
    }
    if input.publish {
        errors.add("publish", "use POST /api/v1/notices/{id}/publish");
    }
    let mut patch = NoticePatch {
        auto_start: input.auto_start,
        auto_complete: input.auto_complete,
        ..NoticePatch::default()
    };
    if let Some(raw) = &input.title {
        patch.title = localized(&state, &mut errors, "title", raw, true, TITLE_MAX);
    }
    if let Some(raw) = &input.still_works {
        patch.still_works = localized(
            &state,
            &mut errors,
            "still_works",
            raw,
            false,
            STILL_WORKS_MAX,
        );
    }
    if let Some(raw) = &input.body {
        patch.draft_body = localized(&state, &mut errors, "body", raw, false, BODY_MAX);
    }
    if let Some(mut o) = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    ) {
        // A PATCH that names only one channel keeps the other as it was.
        if input.sms.is_none() {
            o.sms = current.draft_overrides.sms.clone();
        }
        if input.email.is_none() {
            o.email = current.draft_overrides.email.clone();
        }
        patch.draft_overrides = Some(o);
    }
    if let Some(raw) = input.affected {
        patch.affected = Some(parse_affected(&state, &mut errors, current.kind, raw).await?);
    }
    if let Some(raw) = &input.starts_at {
        match parse_time(&state, "starts_at", raw) {
            Ok(t) => patch.starts_at = Some(t),
            Err(e) => errors.0.push(e),
        }
    }
    if let Some(raw) = &input.ends_at {
        match parse_time(&state, "ends_at", raw) {
            Ok(t) if current.kind == NoticeKind::Incident => {
                let _ = t;
                errors.add("ends_at", "an incident ends when it is resolved");
            }
            Ok(t) => patch.ends_at = Some(t),
            Err(e) => errors.0.push(e),
        }
    }
    errors.check()?;
    let n = app::notices::edit(&state, &staff.actor(), &id, &patch).await?;
    Ok(Json(notice_json(&state, &n, None)))
}

pub(super) async fn list_notices(
    State(state): State<AppState>,
    _staff: Staff,
    query: std::result::Result<Query<NoticeQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<NoticeList>> {
    let Query(q) = query.map_err(|e| AppError::field("query", e.body_text()))?;
    let mut errors = Errors::default();
    let mut filter = NoticeFilter {
        limit: q.limit.unwrap_or(100),
        ..NoticeFilter::default()
    };
    if !(1..=500).contains(&filter.limit) {
        errors.add("limit", "must be between 1 and 500");
    }
    if let Some(k) = &q.kind {
        match NoticeKind::parse(k) {
            Ok(k) => filter.kind = Some(k),
            Err(m) => errors.add("kind", m),
        }
    }
    if let Some(s) = &q.state {
        match NoticeState::parse(s) {
            Ok(s) => filter.state = Some(s),
            Err(m) => errors.add("state", m),
        }
    }
    if let Some(s) = &q.service {
        match ServiceCode::parse(s) {
            Ok(c) => filter.service = Some(c),
            Err(m) => errors.add("service", m),
        }
    }
    for (name, raw, slot) in [
        ("from", &q.from, &mut filter.from),
        ("to", &q.to, &mut filter.to),
    ] {
        if let Some(raw) = raw {
            match parse_time(&state, name, raw) {
                Ok(t) => *slot = Some(t),
                Err(e) => errors.0.push(e),
            }
        }
    }
    errors.check()?;
    let list = state.store.list_notices(&filter).await?;
    Ok(Json(NoticeList {
        notices: list.iter().map(|n| notice_json(&state, n, None)).collect(),
    }))
}

pub(super) async fn get_notice(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<NoticeId>,
) -> Result<Json<NoticeOut>> {
    let n = notice_or_404(&state, &id).await?;
    let updates = state.store.get_updates(&n.id).await?;
    Ok(Json(notice_json(&state, &n, Some(&updates))))
}

/// `POST /notices/{id}/preview`: every channel and language of the next (or a named) message.
pub(super) async fn preview_notice(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<PreviewIn>,
) -> Result<Json<PreviewOut>> {
    let current = notice_or_404(&state, &id).await?;
    let mut errors = Errors::default();
    let event = match input.event.as_deref().map(|e| (e, Event::parse(e))) {
        Some((_, Some(Event::TestPing))) => {
            errors.add("event", "test.ping is not about a notice");
            None
        }
        Some((_, Some(e))) => Some(e),
        Some((raw, None)) => {
            errors.add("event", format!("unknown event '{raw}'"));
            None
        }
        None => None,
    };
    let body = input
        .body
        .as_ref()
        .and_then(|raw| localized(&state, &mut errors, "body", raw, true, BODY_MAX));
    let overrides = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    );
    errors.check()?;
    let p = app::notices::preview_existing(&state, &current, event, body, overrides).await?;
    Ok(Json(p.into()))
}

/// [`app::notices::preview_existing`] for the console.
pub(crate) async fn preview_existing(
    state: &AppState,
    current: &Notice,
    event: Option<Event>,
    body: Option<Localized>,
    overrides: Option<Overrides>,
) -> Result<messages::Preview> {
    Ok(app::notices::preview_existing(state, current, event, body, overrides).await?)
}

/// [`app::notices::preview_new`] for the console.
pub(crate) fn preview_new(
    state: &AppState,
    new: &NewNotice,
    actor: &str,
    saved: Option<&Notice>,
) -> messages::Preview {
    app::notices::preview_new(state, new, actor, saved)
}

/// `POST /notices/preview`: the same for a notice that is not saved yet.
pub(super) async fn preview_unsaved(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<NoticeIn>,
) -> Result<Json<PreviewOut>> {
    let new = parse_new_notice(&state, input).await?;
    let p = app::notices::preview_new(&state, &new, &staff.actor(), None);
    Ok(Json(p.into()))
}
