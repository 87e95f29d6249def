//! A notice's lifecycle buttons: which ones a person sees, each with its confirmation, and
//! what one does when pressed.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::notice_page;
use crate::domain::{Action, Localized, Notice, NoticeId, NoticeKind, NoticeState, Window};
use crate::store::{Once, Role};
use crate::web::api;
use crate::web::console::error::{Result, field_errors};
use crate::web::console::form::{ALREADY_DONE, Form, done};
use crate::web::console::reach;
use crate::web::console::staff::Staff;
use crate::web::{AppError, AppState};

pub struct ActionView {
    pub name: &'static str,
    pub label: &'static str,
    /// What the box says is confirmed: what the action does, then what it sends.
    pub confirm: String,
    pub needs_end: bool,
    pub needs_start: bool,
    pub needs_body: bool,
    pub danger: bool,
    pub statuses: Vec<(&'static str, &'static str)>,
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
pub fn actions_for(n: &Notice, role: Role, reach: &reach::Reach) -> Vec<ActionView> {
    use NoticeState::*;
    if role < Role::Publisher {
        return vec![];
    }
    let a = |name, label, does: &str, danger| ActionView {
        name,
        label,
        confirm: match reach::event_of(n, name) {
            Some(event) => format!(
                "{does}. {}",
                reach::sends(reach.queued(event), reach.sms_wait.as_deref())
            ),
            None => format!("{does}."),
        },
        needs_end: false,
        needs_start: false,
        needs_body: false,
        danger,
        statuses: vec![],
        values: HashMap::new(),
    };
    let tell = "the public page changes now";
    let mut out = Vec::new();
    match (n.kind, n.state) {
        (_, Draft) => {
            out.push(a(
                "publish",
                "Publish",
                "publish this notice as official; the public page shows it now",
                false,
            ));
            out.push(a(
                "cancel",
                "Discard draft",
                "discard this draft: nothing is sent, and the public page never shows it",
                true,
            ));
        }
        (NoticeKind::Maintenance, Scheduled) => {
            out.push(a("start", "Start now", tell, false));
            out.push(ActionView {
                needs_end: true,
                ..a("extend", "Extend", tell, false)
            });
            out.push(ActionView {
                needs_start: true,
                needs_end: true,
                ..a("reschedule", "Reschedule", tell, false)
            });
            out.push(ActionView {
                needs_body: true,
                ..a("update", "Post update", tell, false)
            });
            out.push(a("cancel", "Cancel maintenance", tell, true));
        }
        (NoticeKind::Maintenance, InProgress | Verifying) => {
            out.push(ActionView {
                needs_end: true,
                ..a("extend", "Extend", tell, false)
            });
            out.push(ActionView {
                needs_body: true,
                statuses: vec![
                    ("in_progress", "In progress"),
                    ("verifying", "Checking services"),
                ],
                ..a("update", "Post update", tell, false)
            });
            out.push(a(
                "complete",
                "Complete",
                "services are back; tell everyone",
                false,
            ));
            if n.state == InProgress {
                out.push(a("cancel", "Cancel maintenance", tell, true));
            }
        }
        (NoticeKind::Incident, s) if !s.is_terminal() => {
            out.push(ActionView {
                needs_body: true,
                statuses: vec![
                    ("investigating", "Investigating"),
                    ("identified", "Cause found"),
                    ("monitoring", "Fixed, monitoring"),
                ],
                ..a("update", "Post update", tell, false)
            });
            out.push(a(
                "complete",
                "Resolve",
                "the problem is fixed; tell everyone",
                false,
            ));
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
    let Checked { action, body, once } = match check(&state, &form, &name) {
        Ok(checked) => checked,
        Err(Unchecked::NoSuchAction) => {
            return Err(AppError::NotFound("action".into(), format!("no action '{name}'")).into());
        }
        Err(Unchecked::Fix(status, message)) => return refuse(status, message).await,
    };
    let back = format!("/console/notices/{id}");
    match api::run_action_once(&state, &staff.actor(), &id, action, body, None, Some(once)).await {
        Ok(applied) => Ok(done(&state, &staff, &back, &reach::result(&state, &applied)).await),
        Err(AppError::Conflict(field, _)) if field == crate::store::REPLAYED_FIELD => {
            tracing::info!(user = %staff.0.user.email, notice = %id, "console: replayed action refused");
            Ok(done(&state, &staff, &back, ALREADY_DONE).await)
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
fn check<'f>(state: &AppState, form: &'f Form, name: &str) -> Result<Checked<'f>, Unchecked> {
    let fix = |message: String| Unchecked::Fix(StatusCode::UNPROCESSABLE_ENTITY, message);
    let Some(seen) = parse_seen(form.get("seen")).filter(|_| !form.get("once").is_empty()) else {
        return Err(Unchecked::Fix(
            StatusCode::BAD_REQUEST,
            "This form is from an older page; it was not sent. Check the notice below, then try again.".into(),
        ));
    };
    if form.get("confirm") != "yes" {
        return Err(fix(
            "Tick the confirmation box: this changes what customers see.".into(),
        ));
    }
    let action = parse_action(state, form, name).map_err(|e| match e {
        None => Unchecked::NoSuchAction,
        Some(message) => fix(message),
    })?;
    let body = update_body(state, form, name).map_err(fix)?;
    let once = Once {
        token: form.get("once"),
        seen: Some(seen),
    };
    Ok(Checked { action, body, once })
}

/// The text of an update, which `update` needs in the default language at least, checked as
/// the API checks it; the other actions may carry one too.
fn update_body(state: &AppState, form: &Form, name: &str) -> Result<Option<Localized>, String> {
    let body = form.localized("body");
    if name == "update" && body.is_none() {
        return Err(format!(
            "body.{}: write the update customers will read",
            state.settings.default_lang()
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
fn parse_action(state: &AppState, form: &Form, name: &str) -> Result<Action, Option<String>> {
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
            Ok(None) => Err("ends_at: give the new end".to_string()),
            Err(e) => Err(e),
        },
        "reschedule" => match (parse("starts_at"), parse("ends_at")) {
            (Ok(Some(s)), Ok(Some(e))) => Window::new(s, e, max)
                .map(|window| Action::Reschedule { window })
                .map_err(|(f, m)| format!("{f}: {m}")),
            (Err(e), _) | (_, Err(e)) => Err(e),
            _ => Err("starts_at and ends_at: give the new window".to_string()),
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
