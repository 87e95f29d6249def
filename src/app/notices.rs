//! Notices: create, edit, preview, and every lifecycle action (publish, start, extend,
//! reschedule, post an update, complete, cancel, and the scheduler's reminders and overrun).
//!
//! Every action takes one path, [`run`] (or [`apply`] with its context given piece by piece):
//! the state machine, the four-eyes rule, the update's texts (staff's, the draft's, or a
//! default), every message rendered within its limits, the quiet-hours hold of urgent SMS,
//! one transaction with its audit line, then the snapshot.

use chrono::{DateTime, Utc};

use super::error::not_found;
use super::{App, Result};
use crate::config::Settings;
use crate::domain::UpdateMessage;
use crate::domain::schedule::Policy;
use crate::domain::{
    Action, Event, FieldError, Localized, Notice, NoticeId, NoticeKind, NoticeState, Overrides,
    RefCode, Service, Update, UpdateId, Window,
};
use crate::render::messages;
use crate::store::{Applied, Change, Decide, NewNotice, NoticePatch, Once, Store};

/// When an urgent SMS (anything but a reminder) written at `at` goes out: at once, or, when
/// `schedule.hold_urgent` is set and `at` is in the quiet hours, when they end.
pub fn urgent_sms_at(policy: &Policy, at: DateTime<Utc>) -> DateTime<Utc> {
    if policy.hold_urgent {
        policy.after_quiet(at)
    } else {
        at
    }
}

/// What staff wrote for an update; what is left out is decided by [`Plan`].
#[derive(Debug, Clone, Default)]
pub struct Texts {
    pub body: Option<Localized>,
    /// SMS/email texts for this update.
    pub overrides: Option<Overrides>,
}

/// The decisions of one lifecycle action, made inside the store's transaction once the notice
/// is locked (see [`crate::store::Decide`]).
pub struct Plan<'a, D, C> {
    texts: Texts,
    /// Writes the body of an update staff left blank (no draft body either).
    default_body: Option<D>,
    /// Renders every message of the update, or says why one cannot be sent.
    check: Option<C>,
    /// The quiet hours urgent SMS may be held for.
    quiet: &'a Policy,
    /// With four-eyes approval on, who publishes: refused if they wrote the notice.
    four_eyes: Option<&'a str>,
}

impl<'a, D, C> Plan<'a, D, C>
where
    D: FnOnce(&Notice, Event) -> Localized,
    C: FnOnce(&Notice, &Update) -> std::result::Result<Vec<UpdateMessage>, Vec<FieldError>>,
{
    pub fn new(texts: Texts, quiet: &'a Policy, default_body: D, check: C) -> Self {
        Plan {
            texts,
            default_body: Some(default_body),
            check: Some(check),
            quiet,
            four_eyes: None,
        }
    }

    /// Refuses the action when `publisher` wrote the notice (`console.require_approval`).
    pub fn four_eyes(mut self, publisher: Option<&'a str>) -> Self {
        self.four_eyes = publisher;
        self
    }
}

impl<D, C> Decide for Plan<'_, D, C>
where
    D: FnOnce(&Notice, Event) -> Localized,
    C: FnOnce(&Notice, &Update) -> std::result::Result<Vec<UpdateMessage>, Vec<FieldError>>,
{
    /// Staff's texts; else, on a draft's first publication, the draft's; else a default body
    /// for the event and no overrides.
    fn texts(&mut self, before: &Notice, after: &Notice, event: Event) -> (Localized, Overrides) {
        let first = before.state == NoticeState::Draft;
        let overrides = self.texts.overrides.take().unwrap_or_else(|| {
            if first {
                before.draft_overrides.clone()
            } else {
                Overrides::default()
            }
        });
        let body = self
            .texts
            .body
            .take()
            .or_else(|| (first && !before.draft_body.is_empty()).then(|| before.draft_body.clone()))
            .unwrap_or_else(|| {
                let write = self.default_body.take().expect("texts are decided once");
                write(after, event)
            });
        (body, overrides)
    }

    /// Reminders go when planned (their time already keeps out of the quiet hours); every
    /// other SMS may be held until the quiet hours end.
    fn sms_at(&self, action: &Action, at: DateTime<Utc>) -> DateTime<Utc> {
        match action {
            Action::Remind { .. } => at,
            _ => urgent_sms_at(self.quiet, at),
        }
    }

    fn messages(
        &mut self,
        n: &Notice,
        u: &Update,
    ) -> std::result::Result<Vec<UpdateMessage>, Vec<FieldError>> {
        if let Some(actor) = self.four_eyes
            && n.created_by == actor
        {
            return Err(vec![FieldError::new(
                "approval",
                format!(
                    "four-eyes approval is on (console.require_approval): {actor} wrote this notice, so another publisher must publish it"
                ),
            )]);
        }
        let check = self.check.take().expect("messages are checked once");
        check(n, u)
    }
}

/// What an action applies to: a stored notice (from a console form, with its one-time token
/// and view of the notice), or a new one saved in the same transaction.
pub enum Target<'a> {
    Stored(&'a NoticeId, Option<Once<'a>>),
    New(&'a NewNotice),
}

/// Everything one lifecycle action needs, given piece by piece (the demo and the benches,
/// which run without a server).
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub settings: &'a Settings,
    /// The page's services: the names the messages show.
    pub services: &'a [Service],
    pub actor: &'a str,
    pub now: DateTime<Utc>,
    /// Whether `console.require_approval` applies to this actor's publications.
    pub four_eyes: bool,
}

/// Applies one lifecycle action in one transaction (the draft of [`Target::New`] is created in
/// it too: a refused publication leaves no draft behind).
pub async fn apply(
    ctx: &Ctx<'_>,
    target: Target<'_>,
    action: Action,
    texts: Texts,
) -> Result<Applied> {
    let Ctx {
        store,
        settings,
        services,
        actor,
        now,
        four_eyes,
    } = *ctx;
    let plan = Plan::new(
        texts,
        store.schedule_policy(),
        crate::render::default_body(settings, now),
        messages::checker(settings, services, now),
    )
    .four_eyes((four_eyes && action == Action::Publish).then_some(actor));
    let change = Change {
        action: &action,
        actor,
        now,
        max_window_hours: settings.raw.notice.max_window_hours,
    };
    Ok(match target {
        Target::Stored(id, once) => store
            .apply_action_once(id, change, once, plan)
            .await
            .map_err(|e| not_found(e, "notice", id.as_str()))?,
        Target::New(new) => store.create_and_apply(new, change, plan).await?,
    })
}

/// [`apply`] as staff or the scheduler: now, the services the page shows (from the snapshot:
/// no query, and the same names), four-eyes as configured; then the snapshot is rebuilt so the
/// page shows the change at once.
pub async fn run(
    app: &App,
    actor: &str,
    target: Target<'_>,
    action: Action,
    texts: Texts,
) -> Result<Applied> {
    let snapshot = app.snapshot.load();
    let ctx = Ctx {
        store: &app.store,
        settings: &app.settings,
        services: &snapshot.data().services,
        actor,
        now: app.clock.now(),
        four_eyes: app.settings.raw.console.require_approval,
    };
    let result = apply(&ctx, target, action, texts).await?;
    app.publish_changes().await;
    Ok(result)
}

/// One notice by id or reference code.
pub async fn get(app: &App, id: &NoticeId) -> Result<Notice> {
    app.store
        .get_notice(id)
        .await
        .map_err(|e| not_found(e, "notice", id.as_str()))
}

/// Saves a draft; with `publish`, creates and publishes it in one transaction.
pub async fn create(app: &App, actor: &str, new: &NewNotice, publish: bool) -> Result<Notice> {
    if publish {
        let done = run(
            app,
            actor,
            Target::New(new),
            Action::Publish,
            Texts::default(),
        )
        .await?;
        Ok(done.notice)
    } else {
        Ok(app.store.create_notice(new, actor, app.clock.now()).await?)
    }
}

/// Edits a draft (a published notice changes only through actions).
pub async fn edit(app: &App, actor: &str, id: &NoticeId, patch: &NoticePatch) -> Result<Notice> {
    Ok(app
        .store
        .edit_draft(
            id,
            patch,
            actor,
            app.clock.now(),
            app.settings.raw.notice.max_window_hours,
        )
        .await?)
}

/// One stored notice's action, as the API, the console and the scheduler ask for it.
async fn on_stored(
    app: &App,
    actor: &str,
    id: &NoticeId,
    action: Action,
    texts: Texts,
) -> Result<(Notice, Update)> {
    let a = run(app, actor, Target::Stored(id, None), action, texts).await?;
    Ok((a.notice, a.update))
}

pub async fn publish(
    app: &App,
    actor: &str,
    id: &NoticeId,
    texts: Texts,
) -> Result<(Notice, Update)> {
    on_stored(app, actor, id, Action::Publish, texts).await
}

pub async fn start(
    app: &App,
    actor: &str,
    id: &NoticeId,
    texts: Texts,
) -> Result<(Notice, Update)> {
    on_stored(app, actor, id, Action::Start, texts).await
}

pub async fn complete(
    app: &App,
    actor: &str,
    id: &NoticeId,
    texts: Texts,
) -> Result<(Notice, Update)> {
    on_stored(app, actor, id, Action::Complete, texts).await
}

/// Cancels a window, or discards a draft.
pub async fn cancel(
    app: &App,
    actor: &str,
    id: &NoticeId,
    texts: Texts,
) -> Result<(Notice, Update)> {
    on_stored(app, actor, id, Action::Cancel, texts).await
}

/// Moves the end of a window later.
pub async fn extend(
    app: &App,
    actor: &str,
    id: &NoticeId,
    ends_at: DateTime<Utc>,
    texts: Texts,
) -> Result<(Notice, Update)> {
    on_stored(app, actor, id, Action::Extend { ends_at }, texts).await
}

/// Moves a window that has not started.
pub async fn reschedule(
    app: &App,
    actor: &str,
    id: &NoticeId,
    window: Window,
    texts: Texts,
) -> Result<(Notice, Update)> {
    on_stored(app, actor, id, Action::Reschedule { window }, texts).await
}

/// A timeline update, optionally moving the notice's state.
pub async fn post_update(
    app: &App,
    actor: &str,
    id: &NoticeId,
    state: Option<NoticeState>,
    texts: Texts,
) -> Result<(Notice, Update)> {
    on_stored(app, actor, id, Action::Post { state }, texts).await
}

/// Any action on a stored notice (the scheduler's steps, a console form with `once`).
pub async fn act(
    app: &App,
    actor: &str,
    id: &NoticeId,
    action: Action,
    texts: Texts,
    once: Option<Once<'_>>,
) -> Result<Applied> {
    run(app, actor, Target::Stored(id, once), action, texts).await
}

fn preview_of(
    app: &App,
    notice: &Notice,
    event: Event,
    body: &Localized,
    overrides: &Overrides,
    sequence: i64,
    update_id: &UpdateId,
) -> messages::Preview {
    let snapshot = app.snapshot.load();
    let now = app.clock.now();
    let subject = messages::Subject {
        event,
        notice,
        body,
        at: now,
        sequence,
        update_id,
        services: &snapshot.data().services,
        overrides,
    };
    messages::preview(&app.settings, &subject, now)
}

/// A draft previews as it will be once published.
fn as_published(app: &App, n: &Notice) -> (Notice, Event) {
    let now = app.clock.now();
    match n.apply(
        &Action::Publish,
        now,
        app.settings.raw.notice.max_window_hours,
    ) {
        Ok(published) => published,
        Err(_) => (
            n.clone(),
            match n.kind {
                NoticeKind::Maintenance => Event::MaintenanceScheduled,
                NoticeKind::Incident => Event::IncidentCreated,
            },
        ),
    }
}

/// The preview of an existing notice: `event`, `body` and `overrides` default to the next
/// message (a draft's publication) or the latest one.
pub async fn preview_existing(
    app: &App,
    current: &Notice,
    event: Option<Event>,
    body: Option<Localized>,
    overrides: Option<Overrides>,
) -> Result<messages::Preview> {
    let updates = app.store.get_updates(&current.id).await?;
    let latest = updates.last();
    let (notice, next_event) = if current.state == NoticeState::Draft {
        as_published(app, current)
    } else {
        let e = latest.map(|u| u.event).unwrap_or(Event::MaintenanceUpdated);
        (current.clone(), e)
    };
    let event = event.unwrap_or(next_event);
    let body = body
        .or_else(|| {
            (current.state == NoticeState::Draft && !current.draft_body.is_empty())
                .then(|| current.draft_body.clone())
        })
        .or_else(|| latest.filter(|u| u.event == event).map(|u| u.body.clone()))
        .unwrap_or_else(|| {
            crate::render::default_body(&app.settings, app.clock.now())(&notice, event)
        });
    let overrides = overrides
        .or_else(|| (current.state == NoticeState::Draft).then(|| current.draft_overrides.clone()))
        .or_else(|| {
            latest
                .filter(|u| u.event == event)
                .map(|u| u.overrides.clone())
        })
        .unwrap_or_default();
    let sequence = if current.state == NoticeState::Draft {
        current.sequence + 1
    } else {
        current.sequence
    };
    // Nothing published yet: the preview's update has no id of its own.
    let placeholder = UpdateId::new("preview");
    let update_id = latest.map_or(&placeholder, |u| &u.id);
    Ok(preview_of(
        app, &notice, event, &body, &overrides, sequence, update_id,
    ))
}

/// The preview of a form's notice as it will be once published: the notice `saved` (an edit
/// of it), with its own id and reference code, or a notice not saved yet, whose code is a
/// placeholder until it is saved.
pub fn preview_new(
    app: &App,
    new: &NewNotice,
    actor: &str,
    saved: Option<&Notice>,
) -> messages::Preview {
    let now = app.clock.now();
    let draft = match saved {
        Some(n) => new.draft_as(n.id.clone(), n.reference.clone(), &n.created_by, now),
        // Unsaved, it has neither id nor code: links show the placeholder too, never an id
        // that will not be the notice's.
        None => new.draft_as(
            NoticeId::new(RefCode::PLACEHOLDER),
            RefCode::placeholder(),
            actor,
            now,
        ),
    };
    let (notice, event) = as_published(app, &draft);
    let body = if draft.draft_body.is_empty() {
        crate::render::default_body(&app.settings, now)(&notice, event)
    } else {
        draft.draft_body.clone()
    };
    preview_of(
        app,
        &notice,
        event,
        &body,
        &draft.draft_overrides,
        1,
        &UpdateId::new("preview"),
    )
}

/// Emails staff about a notice (`scheduler.alert_email`, else `console.first_admin`); a
/// failure is logged, not raised: the step it belongs to has run.
pub async fn alert_staff(state: &App, n: &Notice, what: &str) {
    let to = match state.settings.raw.scheduler.alert_email.trim() {
        "" => state.settings.raw.console.first_admin.clone(),
        a => a.to_string(),
    };
    let lang = state.settings.default_lang();
    let title = n.title.get(lang).to_string();
    let built = crate::delivery::plain_email(
        &state.settings,
        &to,
        format!("Overrunning: {title} ({})", n.reference),
        format!(
            "{title} ({}) {what}\n\n{}/console/notices/{}\n",
            n.reference, state.settings.public_url, n.id
        ),
    );
    let sent = match built {
        Ok(m) => state.outbound.send_email(m).await,
        Err(e) => Err(e),
    };
    if let Err(e) = sent {
        tracing::warn!(notice = %n.id, error = %e, "scheduler: cannot email staff");
    }
}
