//! The lifecycle actions of a notice: publish, start, extend, reschedule, post an update,
//! complete, cancel. Each parses its body and calls `app::notices`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};

use super::super::{AppState, Result};
use super::BODY_MAX;
use super::extract::{OptionalJson, Staff};
use super::fields::{Errors, localized, parse_overrides, parse_time};
use super::notices::notice_json;
use super::types::{ActionIn, ExtendIn, NoticeOut, PostUpdateIn, RescheduleIn};
use crate::app::{self, notices::Texts};
use crate::domain::{Action, Localized, Notice, NoticeId, NoticeState, Overrides, Update, Window};

/// [`app::notices::act`] for the console, which still calls it here (with a form's one-time
/// token and view of the notice in `once`); says what was queued.
pub(crate) async fn run_action_once(
    state: &AppState,
    actor: &str,
    id: &NoticeId,
    action: Action,
    body: Option<Localized>,
    overrides: Option<Overrides>,
    once: Option<crate::store::Once<'_>>,
) -> Result<crate::store::Applied> {
    let texts = Texts { body, overrides };
    Ok(app::notices::act(state, actor, id, action, texts, once).await?)
}

pub(super) async fn respond(state: &AppState, (n, u): (Notice, Update)) -> Result<Json<NoticeOut>> {
    Ok(Json(notice_json(state, &n, None).with_update(&u)))
}

type Text = Option<BTreeMap<String, String>>;

/// The texts of an action's body (`body`, `sms`, `email`); every problem goes to `errors`.
/// (Each action's body type has only the fields it uses: any other is refused by name.)
pub(super) fn action_texts(
    state: &AppState,
    errors: &mut Errors,
    (body, sms, email): (&Text, &Text, &Text),
) -> Texts {
    let body = body
        .as_ref()
        .and_then(|raw| localized(state, errors, "body", raw, true, BODY_MAX));
    let overrides = parse_overrides(state, errors, sms.as_ref(), email.as_ref());
    Texts { body, overrides }
}

pub(super) async fn simple_action(
    state: AppState,
    staff: Staff,
    id: NoticeId,
    input: ActionIn,
    action: Action,
) -> Result<Json<NoticeOut>> {
    let mut errors = Errors::default();
    let texts = action_texts(&state, &mut errors, (&input.body, &input.sms, &input.email));
    errors.check()?;
    let (actor, app) = (staff.actor(), &state.app);
    let r = match action {
        Action::Publish => app::notices::publish(app, &actor, &id, texts).await?,
        Action::Start => app::notices::start(app, &actor, &id, texts).await?,
        Action::Complete => app::notices::complete(app, &actor, &id, texts).await?,
        _ => app::notices::cancel(app, &actor, &id, texts).await?,
    };
    respond(&state, r).await
}

pub(super) async fn publish(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Publish).await
}

pub(super) async fn start(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Start).await
}

pub(super) async fn complete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Complete).await
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Cancel).await
}

pub(super) async fn extend(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<ExtendIn>,
) -> Result<Json<NoticeOut>> {
    let mut errors = Errors::default();
    let texts = action_texts(&state, &mut errors, (&input.body, &input.sms, &input.email));
    let ends_at = match input
        .ends_at
        .as_deref()
        .map(|r| parse_time(&state, "ends_at", r))
    {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            errors.0.push(e);
            None
        }
        None => {
            errors.add("ends_at", "is required: the new end of the window");
            None
        }
    };
    errors.check()?;
    let ends_at = ends_at.expect("checked");
    let r = app::notices::extend(&state, &staff.actor(), &id, ends_at, texts).await?;
    respond(&state, r).await
}

pub(super) async fn reschedule(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<RescheduleIn>,
) -> Result<Json<NoticeOut>> {
    let mut errors = Errors::default();
    let texts = action_texts(&state, &mut errors, (&input.body, &input.sms, &input.email));
    let mut times = Vec::new();
    for (name, raw) in [("starts_at", &input.starts_at), ("ends_at", &input.ends_at)] {
        match raw.as_deref().map(|r| parse_time(&state, name, r)) {
            Some(Ok(t)) => times.push(t),
            Some(Err(e)) => errors.0.push(e),
            None => errors.add(name, "is required: the new window"),
        }
    }
    let window = match times[..] {
        [s, e] => match Window::new(s, e, state.settings.raw.notice.max_window_hours) {
            Ok(w) => Some(w),
            Err((f, m)) => {
                errors.add(f, m);
                None
            }
        },
        _ => None,
    };
    errors.check()?;
    let window = window.expect("checked");
    let r = app::notices::reschedule(&state, &staff.actor(), &id, window, texts).await?;
    respond(&state, r).await
}

pub(super) async fn post_update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    OptionalJson(input): OptionalJson<PostUpdateIn>,
) -> Result<Json<NoticeOut>> {
    let mut errors = Errors::default();
    let texts = action_texts(&state, &mut errors, (&input.body, &input.sms, &input.email));
    if input.body.is_none() {
        errors.add(
            format!("body.{}", state.settings.default_lang()),
            "is required: what customers should know",
        );
    }
    let status = match input.status.as_deref().map(NoticeState::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(m)) => {
            errors.add("status", m);
            None
        }
        None => None,
    };
    errors.check()?;
    let r = app::notices::post_update(&state, &staff.actor(), &id, status, texts).await?;
    respond(&state, r).await
}
