//! The announcement form: a new notice, an edit of a draft, and the preview of what either
//! would send (a button, or live from `static/form.js`).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};

use std::sync::Arc;

use super::preview::{PreviewView, PreviewWords, example_unsubscribe, preview_view};
use crate::domain::{Lang, Notice, NoticeId, ServiceStatus};
use crate::locale::{Arg, Locale};
use crate::render::i18n;
use crate::render::messages::Preview;
use crate::web::api::{self, AffectedIn, NoticeIn};
use crate::web::console::error::{Result, field_errors};
use crate::web::console::form::{Form, claim_form, done, form_token, release_form};
use crate::web::console::page::{Frame, UserView, face, html};
use crate::web::console::staff::{Staff, user_view};
use crate::web::{AppError, AppState};

pub struct LangFields {
    name: &'static str,
    hint: String,
    title: String,
    still_works: String,
    body: String,
    sms: String,
    email: String,
}

pub struct ServiceChoice {
    code: String,
    name: String,
    selected: bool,
    impact: String,
}

pub struct FormView {
    heading: String,
    /// "Nothing was saved: 2 fields need attention", when some do.
    nothing_saved: String,
    action: String,
    creating: bool,
    zone: String,
    values: HashMap<String, String>,
    errors: BTreeMap<String, String>,
    langs: Vec<LangFields>,
    services: Vec<ServiceChoice>,
    impacts: Vec<(&'static str, String)>,
}

impl FormView {
    fn val(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    fn affected_errors(&self) -> Vec<String> {
        self.errors
            .iter()
            .filter(|(k, _)| k.starts_with("affected["))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect()
    }

    fn has_overrides(&self) -> bool {
        self.values
            .iter()
            .any(|(k, v)| (k.starts_with("sms.") || k.starts_with("email.")) && !v.is_empty())
            || self
                .errors
                .keys()
                .any(|k| k.starts_with("sms") || k.starts_with("email"))
    }
}

#[derive(Template)]
#[template(path = "console/form.html")]
struct FormPage {
    t: Frame,
    w: FormWords,
    pw: PreviewWords,
    user: Option<UserView>,
    csrf: String,
    /// The form's one-time token (saving; a preview does not use it).
    once: String,
    flash: Option<String>,
    f: FormView,
    preview: Option<PreviewView>,
}

#[derive(Template)]
#[template(path = "console/preview.html")]
struct PreviewFragment {
    pw: PreviewWords,
    p: PreviewView,
}

crate::render::i18n::labels!(
    /// The words of the announcement form.
    FormWords, "console-form", {
        kind,
        maintenance,
        incident,
        title,
        affected,
        impact_on,
        starts,
        ends,
        auto_start,
        auto_complete,
        still_works,
        still_works_hint,
        announcement,
        overrides,
        overrides_hint,
        sms,
        email_opening,
        save_draft,
        save_changes,
    }
);

/// The form page, its words in the staff member's language.
fn form_page(
    staff: &Staff,
    flash: Option<String>,
    f: FormView,
    preview: Option<PreviewView>,
) -> FormPage {
    let loc = staff.loc();
    FormPage {
        t: staff.frame(),
        w: FormWords::of(loc),
        pw: PreviewWords::of(loc),
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash,
        f,
        preview,
    }
}

/// The live preview's pane when the form cannot be previewed yet: the fields to fix.
#[derive(Template)]
#[template(
    source = "<div id=\"preview\"><h2>{{ pw.title }}</h2><p class=\"meta\">{{ pw.fix_first }} {{ fields }}</p></div>",
    ext = "html"
)]
struct FixFirst {
    pw: PreviewWords,
    fields: String,
}

fn local_input(state: &AppState, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        t.with_timezone(&state.settings.time_zone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// The form for a new notice, or for editing `saved`, showing `values` and `errors`.
fn form_view(
    state: &AppState,
    loc: &Arc<Locale>,
    saved: Option<&Notice>,
    values: HashMap<String, String>,
    errors: BTreeMap<String, String>,
) -> FormView {
    let (creating, action, heading) = form_target(loc, saved);
    let snapshot = state.snapshot.load();
    let default = state.settings.default_lang();
    let selected: Vec<String> = values
        .get("affected")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let kind = values
        .get("kind")
        .map(String::as_str)
        .unwrap_or("maintenance");
    let default_impact = if kind == "incident" {
        "partial_outage"
    } else {
        "under_maintenance"
    };
    FormView {
        heading,
        nothing_saved: loc.format(
            "console-form-nothing-saved",
            &[("n", Arg::Num(errors.len() as i64))],
        ),
        action,
        creating,
        zone: format!(
            "{} ({})",
            face(state, loc).zone_abbr(state.clock.now()),
            state.settings.time_zone.name()
        ),
        langs: state
            .settings
            .languages
            .iter()
            .map(|&l| LangFields {
                name: l.native_name(),
                hint: loc.text(if l == default {
                    "console-form-required"
                } else {
                    "console-form-optional"
                }),
                title: format!("title.{l}"),
                still_works: format!("still_works.{l}"),
                body: format!("body.{l}"),
                sms: format!("sms.{l}"),
                email: format!("email.{l}"),
            })
            .collect(),
        services: snapshot
            .data()
            .services
            .iter()
            .map(|s| ServiceChoice {
                code: s.code.to_string(),
                name: s.name.get(default).to_string(),
                selected: selected.iter().any(|c| c == s.code.as_str()),
                impact: values
                    .get(&format!("impact.{}", s.code))
                    .cloned()
                    .unwrap_or_else(|| default_impact.to_string()),
            })
            .collect(),
        impacts: ServiceStatus::ALL
            .iter()
            .filter(|s| **s != ServiceStatus::Operational)
            .map(|s| (s.as_str(), i18n::status_label(loc, *s)))
            .collect(),
        values,
        errors,
    }
}

/// What the browser sent, kept so nothing typed is lost when the form comes back.
fn form_values(form: &Form) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = form
        .0
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "once" | "affected" | "op"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    values.insert("affected".into(), form.all("affected").join(","));
    values
}

fn notice_input(form: &Form) -> NoticeIn {
    NoticeIn {
        kind: Some(form.get("kind").to_string()).filter(|k| !k.is_empty()),
        title: form.localized("title"),
        still_works: form.localized("still_works"),
        body: form.localized("body"),
        affected: Some(
            form.all("affected")
                .into_iter()
                .map(|code| AffectedIn {
                    service: code.to_string(),
                    impact: Some(form.get(&format!("impact.{code}")).to_string())
                        .filter(|v| !v.is_empty()),
                })
                .collect(),
        ),
        starts_at: Some(form.get("starts_at").to_string()).filter(|v| !v.is_empty()),
        ends_at: Some(form.get("ends_at").to_string()).filter(|v| !v.is_empty()),
        auto_start: Some(form.get("auto_start") == "on"),
        auto_complete: Some(form.get("auto_complete") == "on"),
        sms: form.localized("sms"),
        email: form.localized("email"),
        publish: false,
    }
}

pub async fn new_notice(State(state): State<AppState>, staff: Staff) -> Result {
    let values = HashMap::from([
        ("kind".to_string(), "maintenance".to_string()),
        ("auto_start".to_string(), "on".to_string()),
    ]);
    Ok(fresh_form(&state, &staff, None, values))
}

/// Removes, from the SMS of one language, the characters that force UCS-2, by writing that SMS
/// as an override (the footer with the reference is added again when rendered).
fn fix_ucs2(form: &mut Form, p: &Preview, lang_code: &str) {
    let Some(lang) = Lang::parse(lang_code) else {
        return;
    };
    let Some(sms) = p.sms.get(&lang) else { return };
    let main = sms.text.rsplitn(4, ' ').nth(3).unwrap_or(&sms.text);
    let cleaned: String = main
        .chars()
        .filter(|c| !sms.forcing_ucs2.contains(c))
        .collect();
    let key = format!("sms.{lang_code}");
    form.0.retain(|(k, _)| *k != key);
    form.0.push((
        key,
        cleaned.split_whitespace().collect::<Vec<_>>().join(" "),
    ));
}

/// Preview (button or live): renders the form with what every customer would receive.
pub async fn preview_form(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Bytes,
) -> Result {
    let mut form = Form::parse(&body);
    staff.check_csrf(&form)?;
    render_form_with_preview(&state, &staff, &mut form, is_fragment(&headers), None).await
}

/// The live preview (`static/form.js`) asks for the preview pane alone.
fn is_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("x-preview-fragment")
}

/// Where a notice form posts and what it is headed: a new notice, or an edit of `saved`.
fn form_target(loc: &Locale, saved: Option<&Notice>) -> (bool, String, String) {
    match saved {
        None => (
            true,
            "/console/notices".into(),
            loc.text("console-form-new-heading"),
        ),
        Some(n) => (
            false,
            format!("/console/notices/{}/edit", n.id),
            loc.format(
                "console-form-edit-heading",
                &[("reference", Arg::Str(&n.reference.to_string()))],
            ),
        ),
    }
}

/// The form again, with the preview of what it would send: an edit's with the notice's own
/// reference code, a new notice's with a placeholder until it is saved.
async fn render_form_with_preview(
    state: &AppState,
    staff: &Staff,
    form: &mut Form,
    fragment: bool,
    saved: Option<&Notice>,
) -> Result {
    let mut preview = None;
    let mut errors = BTreeMap::new();
    match api::parse_new_notice(state, notice_input(form)).await {
        Ok(new) => {
            let mut p = api::preview_new(state, &new, &staff.actor(), saved);
            if let Some(lang) = form.get("op").strip_prefix("fix-").map(str::to_string) {
                fix_ucs2(form, &p, &lang);
                if let Ok(new) = api::parse_new_notice(state, notice_input(form)).await {
                    p = api::preview_new(state, &new, &staff.actor(), saved);
                }
            }
            preview = Some(preview_view(
                staff.loc(),
                &p,
                &state.settings,
                &example_unsubscribe(state),
            ));
        }
        Err(e) => errors = field_errors(e)?,
    }
    if fragment {
        let pw = PreviewWords::of(staff.loc());
        return Ok(match preview {
            Some(p) => html(PreviewFragment { pw, p }),
            None => html(FixFirst {
                pw,
                fields: errors.keys().cloned().collect::<Vec<_>>().join(", "),
            }),
        });
    }
    let f = form_view(state, staff.loc(), saved, form_values(form), errors);
    Ok(html(form_page(staff, None, f, preview)))
}

pub async fn create_notice(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Bytes,
) -> Result {
    let mut form = Form::parse(&body);
    staff.check_csrf(&form)?;
    if form.get("op") != "save" && !form.get("op").is_empty() {
        return render_form_with_preview(&state, &staff, &mut form, is_fragment(&headers), None)
            .await;
    }
    let new = match api::parse_new_notice(&state, notice_input(&form)).await {
        Ok(new) => new,
        Err(e) => return form_refused(&state, &staff, &form, e, None),
    };
    // A replayed form goes to the list, where the notice the first one saved is.
    claim_form(&state, &staff, &form, "/console").await?;
    match state
        .store
        .create_notice(&new, &staff.actor(), state.clock.now())
        .await
    {
        Ok(n) => Ok(done(
            &state,
            &staff,
            &format!("/console/notices/{}", n.id),
            &staff.loc().text("console-saved"),
        )
        .await),
        Err(e) => {
            release_form(&state, &form).await;
            form_refused(&state, &staff, &form, e.into(), None)
        }
    }
}

/// A form whose save was refused: back to it with every error and every value.
fn form_refused(
    state: &AppState,
    staff: &Staff,
    form: &Form,
    e: AppError,
    saved: Option<&Notice>,
) -> Result {
    let errors = field_errors(e)?;
    let f = form_view(state, staff.loc(), saved, form_values(form), errors);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        html(form_page(staff, None, f, None)),
    )
        .into_response())
}

fn values_of(state: &AppState, n: &Notice) -> HashMap<String, String> {
    let mut v = HashMap::new();
    v.insert("kind".into(), n.kind.as_str().to_string());
    for (prefix, text) in [
        ("title", &n.title),
        ("still_works", &n.still_works),
        ("body", &n.draft_body),
        ("sms", &n.draft_overrides.sms),
        ("email", &n.draft_overrides.email),
    ] {
        for (lang, t) in &text.0 {
            v.insert(format!("{prefix}.{lang}"), t.clone());
        }
    }
    v.insert(
        "affected".into(),
        n.affected
            .iter()
            .map(|a| a.service.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    for a in &n.affected {
        v.insert(
            format!("impact.{}", a.service),
            a.impact.as_str().to_string(),
        );
    }
    v.insert("starts_at".into(), local_input(state, n.starts_at));
    v.insert("ends_at".into(), local_input(state, n.ends_at));
    if n.auto_start {
        v.insert("auto_start".into(), "on".into());
    }
    if n.auto_complete {
        v.insert("auto_complete".into(), "on".into());
    }
    v
}

pub async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
) -> Result {
    let n = state.store.get_notice(&id).await?;
    let values = values_of(&state, &n);
    Ok(fresh_form(&state, &staff, Some(&n), values))
}

/// The form as it opens, before anything is sent: a new notice's, or `notice`'s to edit.
fn fresh_form(
    state: &AppState,
    staff: &Staff,
    notice: Option<&Notice>,
    values: HashMap<String, String>,
) -> axum::response::Response {
    let f = form_view(state, staff.loc(), notice, values, BTreeMap::new());
    html(form_page(staff, staff.flash(), f, None))
}

/// Saving an edit replaces the draft's fields with the form's (the same checks as creating).
pub async fn edit_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<NoticeId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result {
    let mut form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let saved = state.store.get_notice(&id).await?;
    if form.get("op") != "save" && !form.get("op").is_empty() {
        return render_form_with_preview(
            &state,
            &staff,
            &mut form,
            is_fragment(&headers),
            Some(&saved),
        )
        .await;
    }
    let new = match api::parse_new_notice(&state, notice_input(&form)).await {
        Ok(new) => new,
        Err(e) => return form_refused(&state, &staff, &form, e, Some(&saved)),
    };
    let back = format!("/console/notices/{}", saved.id);
    claim_form(&state, &staff, &form, &back).await?;
    let patch = crate::store::NoticePatch {
        title: Some(new.title),
        still_works: Some(new.still_works),
        draft_body: Some(new.draft_body),
        draft_overrides: Some(new.draft_overrides),
        affected: Some(new.affected),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        auto_start: Some(new.auto_start),
        auto_complete: Some(new.auto_complete),
    };
    match state
        .store
        .edit_draft(
            &id,
            &patch,
            &staff.actor(),
            state.clock.now(),
            state.settings.raw.notice.max_window_hours,
        )
        .await
    {
        Ok(_) => Ok(done(&state, &staff, &back, &staff.loc().text("console-saved")).await),
        Err(e) => {
            release_form(&state, &form).await;
            form_refused(&state, &staff, &form, e.into(), Some(&saved))
        }
    }
}
