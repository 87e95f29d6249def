//! The audit log, filtered by actor, action and target.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::error::Result;
use super::page::{Frame, UserView, html};
use super::staff::{Staff, user_view};
use crate::web::AppState;

struct AuditRow {
    at: String,
    actor: String,
    action: String,
    target: String,
    before: Option<String>,
    after: Option<String>,
    detail: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    t: Frame,
    w: AuditWords,
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    actor: String,
    action: String,
    target: String,
    entries: Vec<AuditRow>,
}

crate::render::i18n::labels!(
    /// The words of the audit log.
    AuditWords, "console-audit", {
        title,
        actor,
        action,
        target,
        filter,
        col_when,
        col_who,
        col_before_after,
        empty,
    }
);

#[derive(Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
}

pub async fn audit(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> Result {
    let pick = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (actor, action, target) = (pick(&q.actor), pick(&q.action), pick(&q.target));
    let entries = state
        .store
        .audit_entries(actor.as_deref(), action.as_deref(), target.as_deref(), 300)
        .await?;
    Ok(html(AuditPage {
        t: staff.frame(),
        w: AuditWords::of(staff.loc()),
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        actor: actor.unwrap_or_default(),
        action: action.unwrap_or_default(),
        target: target.unwrap_or_default(),
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor: e.actor,
                action: e.action,
                target: e.target,
                before: e.before,
                after: e.after,
                detail: e.detail,
            })
            .collect(),
    }))
}
