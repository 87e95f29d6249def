//! A notice's lifecycle buttons: which ones a person sees, each with its confirmation, and
//! what one does when pressed.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::notice_page;
use crate::domain::{Action, Localized, Notice, NoticeId, NoticeKind, NoticeState, Window};
use crate::locale::Locale;
use crate::store::{Once, Role};
use crate::web::api;
use crate::web::console::error::{Result, field_errors};
use crate::web::console::form::{Form, done};
use crate::web::console::reach;
use crate::web::console::staff::Staff;
use crate::web::{AppError, AppState};

pub struct ActionView {
    pub name: &'static str,
    pub label: String,
    /// What the box says is confirmed: what the action does, then what it sends.
    pub confirm: String,
    pub needs_end: bool,
    pub needs_start: bool,
    pub needs_body: bool,
    pub danger: bool,
    pub statuses: Vec<(&'static str, String)>,
    /// What was typed into this form when it was refused, so nothing is lost.
    pub values: HashMap<String, String>,
}

impl ActionView {
    pub fn val(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn body(&self, lang: &str) -> &str {
        self.val(&format!("body.{lang}"))
    }
}

/// An action form the page shows again after refusing it: its name, what was typed, and why.
pub struct Refusal {
    pub action: String,
    pub values: HashMap<String, String>,
    pub message: String,
}

/// Every lifecycle button's name.
pub const ACTIONS: [&str; 7] = [
    "publish",
    "start",
    "extend",
    "reschedule",
    "update",
    "complete",
    "cancel",
];

/// The lifecycle buttons of a notice, each confirming what it does and what it sends (from
/// `reach`, the fan-out's own count).
pub fn actions_for(loc: &Locale, n: &Notice, role: Role, reach: &reach::Reach) -> Vec<ActionView> {
    use NoticeState::*;
    if role < Role::Publisher {
        return vec![];
    }
    // `label` and `does` name messages `console-action-{label}` and `console-does-{does}`.
    let a = |name, label: &str, does: &str, danger| ActionView {
        name,
        label: loc.text(&format!("console-action-{label}")),
        confirm: {
            let does = loc.text(&format!("console-does-{does}"));
            match reach::event_of(n, name) {
                Some(event) => format!(
                    "{does}. {}",
                    reach::sends(loc, reach.queued(event), reach.sms_wait.as_deref())
                ),
                None => format!("{does}."),
            }
        },
        needs_end: false,
        needs_start: false,
        needs_body: false,
        danger,
        statuses: vec![],
        values: HashMap::new(),
    };
    let tell = "tell";
    let status = |code: &'static str| {
        (
            code,
            loc.text(&format!("console-status-{}", code.replace('_', "-"))),
        )
    };
    let mut out = Vec::new();
    match (n.kind, n.state) {
        (_, Draft) => {
            out.push(a("publish", "publish", "publish", false));
            out.push(a("cancel", "discard", "discard", true));
        }
        (NoticeKind::Maintenance, Scheduled) => {
            out.push(a("start", "start", tell, false));
            out.push(ActionView {
                needs_end: true,
                ..a("extend", "extend", tell, false)
            });
            out.push(ActionView {
                needs_start: true,
                needs_end: true,
                ..a("reschedule", "reschedule", tell, false)
            });
            out.push(ActionView {
                needs_body: true,
                ..a("update", "update", tell, false)
            });
            out.push(a("cancel", "cancel", tell, true));
        }
        (NoticeKind::Maintenance, InProgress | Verifying) => {
            out.push(ActionView {
                needs_end: true,
                ..a("extend", "extend", tell, false)
            });
            out.push(ActionView {
                needs_body: true,
                statuses: vec![status("in_progress"), status("verifying")],
                ..a("update", "update", tell, false)
            });
            out.push(a("complete", "complete", "complete", false));
            if n.state == InProgress {
                out.push(a("cancel", "cancel", tell, true));
            }
        }
        (NoticeKind::Incident, s) if !s.is_terminal() => {
            out.push(ActionView {
                needs_body: true,
                statuses: vec![
                    status("investigating"),
                    status("identified"),
                    status("monitoring"),
                ],
                ..a("update", "update", tell, false)
            });
            out.push(a("complete", "resolve", "resolve", false));
        }
        _ => {}
    }
    out
}

/// `sequence-fingerprint` as the notice page wrote it (see [`super::NoticePage::seen`]).
fn parse_seen(raw: &str) -> Option<(i64, &str)> {
    let (sequence, fingerprint) = raw.split_once('-')?;
    Some((sequence.parse().ok()?, fingerprint))
}

/// One lifecycle button pressed: checked, then done through the same code as the API, with the
/// form's one-time token claimed in the action's transaction. A form to fix comes back on the
/// notice's page, with why and what was typed.
pub async fn notice_action(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, name)): Path<(NoticeId, String)>,
    body: Bytes,
) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let refuse = |status: StatusCode, message: String| {
        let refusal = Refusal::of(&name, &form, message);
        let (state, staff, id) = (&state, &staff, &id);
        async move { notice_page(state, staff, id, Some(refusal), status).await }
    };
    let loc = staff.loc();
    let Checked { action, body, once } = match check(&state, loc, &form, &name) {
        Ok(checked) => checked,
        Err(Unchecked::NoSuchAction) => {
            return Err(AppError::NotFound("action".into(), format!("no action '{name}'")).into());
        }
        Err(Unchecked::Fix(status, message)) => return refuse(status, message).await,
    };
    let back = format!("/console/notices/{id}");
    match api::run_action_once(&state, &staff.actor(), &id, action, body, None, Some(once)).await {
        Ok(applied) => Ok(done(&state, &staff, &back, &reach::result(&state, loc, &applied)).await),
        Err(AppError::Conflict(field, _)) if field == crate::store::REPLAYED_FIELD => {
            tracing::info!(user = %staff.0.user.email, notice = %id, "console: replayed action refused");
            Ok(done(&state, &staff, &back, &loc.text("console-already-done")).await)
        }
        Err(e) => {
            let message = one_line(&field_errors(e)?);
            tracing::warn!(user = %staff.0.user.email, %message, "console: action refused");
            refuse(StatusCode::CONFLICT, message).await
        }
    }
}

impl Refusal {
    /// `name`'s form as it was sent (without its tokens and its tick), and why it was refused.
    fn of(name: &str, form: &Form, message: String) -> Refusal {
        Refusal {
            action: name.to_string(),
            values: form
                .0
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "once" | "seen" | "confirm"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            message,
        }
    }
}

/// A lifecycle form that passed the console's own checks, for the application layer.
struct Checked<'f> {
    action: Action,
    /// The update's text, in every language given.
    body: Option<Localized>,
    /// The form's one-time token and the notice as the form showed it.
    once: Once<'f>,
}

/// Why a lifecycle form is not done.
enum Unchecked {
    /// No button has this name.
    NoSuchAction,
    /// Something to fix first, said on the notice's page with this status.
    Fix(StatusCode, String),
}

/// The console's own checks of a lifecycle form, in this order: that it comes from a page
/// that showed the notice as it is (400), the ticked box, the action's fields, the update's
/// text (each 422).
fn check<'f>(
    state: &AppState,
    loc: &Locale,
    form: &'f Form,
    name: &str,
) -> Result<Checked<'f>, Unchecked> {
    let fix = |message: String| Unchecked::Fix(StatusCode::UNPROCESSABLE_ENTITY, message);
    let Some(seen) = parse_seen(form.get("seen")).filter(|_| !form.get("once").is_empty()) else {
        return Err(Unchecked::Fix(
            StatusCode::BAD_REQUEST,
            loc.text("console-check-older-page"),
        ));
    };
    if form.get("confirm") != "yes" {
        return Err(fix(loc.text("console-check-tick")));
    }
    let action = parse_action(state, loc, form, name).map_err(|e| match e {
        None => Unchecked::NoSuchAction,
        Some(message) => fix(message),
    })?;
    let body = update_body(state, loc, form, name).map_err(fix)?;
    let once = Once {
        token: form.get("once"),
        seen: Some(seen),
    };
    Ok(Checked { action, body, once })
}

/// The text of an update, which `update` needs in the default language at least, checked as
/// the API checks it; the other actions may carry one too.
fn update_body(
    state: &AppState,
    loc: &Locale,
    form: &Form,
    name: &str,
) -> Result<Option<Localized>, String> {
    let body = form.localized("body");
    if name == "update" && body.is_none() {
        return Err(format!(
            "body.{}: {}",
            state.settings.default_lang(),
            loc.text("console-check-write-update")
        ));
    }
    body.map(|raw| Localized::parse("body", &raw, &state.settings.languages, true, api::BODY_MAX))
        .transpose()
        .map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        })
}

/// Field errors as one line, `field: message; …`.
fn one_line(errors: &BTreeMap<String, String>) -> String {
    errors
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The action a button names, with its fields; `Err(None)` for no such action, `Err(Some(_))`
/// for a field to fix.
fn parse_action(
    state: &AppState,
    loc: &Locale,
    form: &Form,
    name: &str,
) -> Result<Action, Option<String>> {
    let parse = |field: &str| -> Result<Option<DateTime<Utc>>, String> {
        let raw = form.get(field);
        if raw.is_empty() {
            return Ok(None);
        }
        api::parse_time_public(state, field, raw)
            .map(Some)
            .map_err(|e| format!("{}: {}", e.field, e.message))
    };
    let max = state.settings.raw.notice.max_window_hours;
    match name {
        "publish" => Ok(Action::Publish),
        "start" => Ok(Action::Start),
        "complete" => Ok(Action::Complete),
        "cancel" => Ok(Action::Cancel),
        "extend" => match parse("ends_at") {
            Ok(Some(t)) => Ok(Action::Extend { ends_at: t }),
            Ok(None) => Err(format!("ends_at: {}", loc.text("console-check-new-end"))),
            Err(e) => Err(e),
        },
        "reschedule" => match (parse("starts_at"), parse("ends_at")) {
            (Ok(Some(s)), Ok(Some(e))) => Window::new(s, e, max)
                .map(|window| Action::Reschedule { window })
                .map_err(|(f, m)| format!("{f}: {m}")),
            (Err(e), _) | (_, Err(e)) => Err(e),
            _ => Err(loc.text("console-check-new-window")),
        },
        "update" => match form.get("status") {
            "" => Ok(Action::Post { state: None }),
            s => NoticeState::parse(s)
                .map(|st| Action::Post { state: Some(st) })
                .map_err(|m| format!("status: {m}")),
        },
        _ => return Err(None),
    }
    .map_err(Some)
}
