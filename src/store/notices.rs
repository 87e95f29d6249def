//! Notices, the services they affect and their timeline of updates.
//!
//! Every change a person sees as one action (create, edit, publish, extend, …) is one
//! transaction: the notice row, its update row and the revision counter move together.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sha2::Digest;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{Audit, insert_audit};
use super::imports::VISIBLE;
use super::services::service_from_row;
use super::sql::placeholders;
use super::{Store, StoreError, StoreResult, bump_revision, from_ms, id_at, ms};
use crate::domain::{
    Action, Affected, Event, FieldError, Localized, Notice, NoticeId, NoticeKind, NoticeState,
    Overrides, RefCode, ServiceCode, ServiceStatus, SnapshotData, Update, UpdateId, UpdateMessage,
    VerifyEntry,
};

const NOTICE_COLUMNS: &str = "id, reference, kind, state, title, still_works, draft_body, starts_at, ends_at, \
    planned_ends_at, published_at, started_at, finished_at, auto_start, auto_complete, sequence, \
    created_by, created_at, updated_at, draft_sms, draft_email";

const UPDATE_COLUMNS: &str = "id, notice_id, sequence, event, state, body, starts_at, ends_at, \
    created_by, created_at, sms_override, email_override";

/// One lifecycle action as a person (or the scheduler) asked for it.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: &'a Action,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
    pub max_window_hours: u32,
}

/// What the application layer decides for one lifecycle action, asked inside the action's
/// transaction once the notice is locked (the texts depend on the notice as the action leaves
/// it). The store persists what it is told; the policy lives in `app::notices::Plan`.
pub trait Decide {
    /// The body and SMS/email texts of the update `event` writes as `before` becomes `after`.
    fn texts(&mut self, before: &Notice, after: &Notice, event: Event) -> (Localized, Overrides);
    /// When the SMS of an update written at `at` by `action` go out.
    fn sms_at(&self, action: &Action, at: DateTime<Utc>) -> DateTime<Utc>;
    /// Every message of the update, rendered; an error refuses the action before it commits.
    fn messages(&mut self, n: &Notice, u: &Update) -> Result<Vec<UpdateMessage>, Vec<FieldError>>;
}

/// What a console form adds to a lifecycle action (see [`Store::apply_action_once`]).
#[derive(Debug, Clone, Copy)]
pub struct Once<'a> {
    /// The form's one-time token, claimed in the action's transaction.
    pub token: &'a str,
    /// The notice as the form showed it, its `sequence` and [`fingerprint`]: a form left
    /// open (another tab, a page the browser kept) must not act on a notice that changed since.
    pub seen: Option<(i64, &'a str)>,
}

/// A lifecycle action done: the notice as it is now, its new update, and what was queued.
#[derive(Debug, Clone)]
pub struct Applied {
    pub notice: Notice,
    pub update: Update,
    pub queued: Queued,
}

/// What a page showed of a notice, to tell later whether it changed: everything a person
/// edits or an action moves, hashed (a clock that has not moved since leaves `updated_at`
/// unchanged, so that is no witness).
pub fn fingerprint(n: &Notice) -> String {
    let content = serde_json::json!([
        summary(n),
        n.kind.as_str(),
        n.draft_overrides.sms,
        n.draft_overrides.email,
        n.auto_start,
        n.auto_complete,
        n.sequence,
    ]);
    hex::encode(&sha2::Sha256::digest(content.to_string().as_bytes())[..12])
}

/// Refuses an action from a form that showed the notice before its last change.
fn unchanged_since(current: &Notice, (sequence, seen): (i64, &str)) -> StoreResult<()> {
    let message = if current.sequence != sequence {
        format!(
            "update #{} was posted after this page was shown; read the timeline, then try again",
            current.sequence
        )
    } else if fingerprint(current) != seen {
        "the notice was changed after this page was shown; read it again, then try again".into()
    } else {
        return Ok(());
    };
    Err(StoreError::Conflict {
        field: "notice".into(),
        message,
    })
}

/// A new notice, always created as a draft.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub kind: NoticeKind,
    pub title: Localized,
    pub still_works: Localized,
    pub draft_body: Localized,
    pub draft_overrides: Overrides,
    pub affected: Vec<Affected>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub auto_start: bool,
    pub auto_complete: bool,
}

impl NewNotice {
    /// The draft this becomes, with a fresh id and reference code (not yet stored).
    pub fn draft(&self, actor: &str, now: DateTime<Utc>) -> Notice {
        self.draft_as(NoticeId::generate(), RefCode::generate(), actor, now)
    }

    /// The draft this becomes with a given id and reference code: a saved notice's own (the
    /// preview of an edit), or [`RefCode::placeholder`] (the preview of a form not saved yet).
    pub fn draft_as(
        &self,
        id: NoticeId,
        reference: RefCode,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Notice {
        Notice {
            id,
            reference,
            kind: self.kind,
            state: NoticeState::Draft,
            title: self.title.clone(),
            still_works: self.still_works.clone(),
            draft_body: self.draft_body.clone(),
            draft_overrides: self.draft_overrides.clone(),
            affected: self.affected.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            planned_ends_at: None,
            published_at: None,
            started_at: None,
            finished_at: None,
            auto_start: self.auto_start,
            auto_complete: self.auto_complete,
            sequence: 0,
            created_by: actor.to_string(),
            created_at: now,
            updated_at: now,
        }
    }
}

/// Changes to a draft; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct NoticePatch {
    pub title: Option<Localized>,
    pub still_works: Option<Localized>,
    pub draft_body: Option<Localized>,
    pub draft_overrides: Option<Overrides>,
    pub affected: Option<Vec<Affected>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub auto_start: Option<bool>,
    pub auto_complete: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct NoticeFilter {
    pub kind: Option<NoticeKind>,
    pub state: Option<NoticeState>,
    pub service: Option<ServiceCode>,
    /// Only notices whose window or life overlaps [from, to].
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

fn opt_time(row: &AnyRow, col: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(from_ms))
}

fn notice_from_row(row: &AnyRow, affected: Vec<Affected>) -> anyhow::Result<Notice> {
    let reference: String = row.try_get("reference")?;
    Ok(Notice {
        id: id_at(row, "id")?,
        reference: RefCode::parse(&reference)
            .ok_or_else(|| anyhow::anyhow!("bad reference {reference:?} in database"))?,
        kind: NoticeKind::parse(&row.try_get::<String, _>("kind")?).map_err(anyhow::Error::msg)?,
        state: NoticeState::parse(&row.try_get::<String, _>("state")?)
            .map_err(anyhow::Error::msg)?,
        title: Localized::from_json(&row.try_get::<String, _>("title")?)?,
        still_works: Localized::from_json(&row.try_get::<String, _>("still_works")?)?,
        draft_body: Localized::from_json(&row.try_get::<String, _>("draft_body")?)?,
        draft_overrides: Overrides {
            sms: Localized::from_json(&row.try_get::<String, _>("draft_sms")?)?,
            email: Localized::from_json(&row.try_get::<String, _>("draft_email")?)?,
        },
        affected,
        starts_at: opt_time(row, "starts_at")?,
        ends_at: opt_time(row, "ends_at")?,
        planned_ends_at: opt_time(row, "planned_ends_at")?,
        published_at: opt_time(row, "published_at")?,
        started_at: opt_time(row, "started_at")?,
        finished_at: opt_time(row, "finished_at")?,
        auto_start: row.try_get::<i64, _>("auto_start")? != 0,
        auto_complete: row.try_get::<i64, _>("auto_complete")? != 0,
        sequence: row.try_get("sequence")?,
        created_by: row.try_get("created_by")?,
        created_at: from_ms(row.try_get("created_at")?),
        updated_at: from_ms(row.try_get("updated_at")?),
    })
}

fn update_from_row(row: &AnyRow) -> anyhow::Result<Update> {
    let event: String = row.try_get("event")?;
    Ok(Update {
        id: id_at(row, "id")?,
        notice_id: id_at(row, "notice_id")?,
        sequence: row.try_get("sequence")?,
        event: Event::parse(&event).ok_or_else(|| anyhow::anyhow!("unknown event {event:?}"))?,
        state: NoticeState::parse(&row.try_get::<String, _>("state")?)
            .map_err(anyhow::Error::msg)?,
        body: Localized::from_json(&row.try_get::<String, _>("body")?)?,
        overrides: Overrides {
            sms: Localized::from_json(&row.try_get::<String, _>("sms_override")?)?,
            email: Localized::from_json(&row.try_get::<String, _>("email_override")?)?,
        },
        starts_at: opt_time(row, "starts_at")?,
        ends_at: opt_time(row, "ends_at")?,
        created_by: row.try_get("created_by")?,
        created_at: from_ms(row.try_get("created_at")?),
    })
}

/// The subscribers an update of notice `$notice` reaches: confirmed, seen (not the rows of an
/// import still under way, see `imports::VISIBLE`), and following a service the notice
/// affects (or all). The fan-out and its count ([`Store::followers`]) share it, so
/// what a confirmation promises is what the fan-out queues.
fn followers(notice: usize) -> String {
    format!(
        "FROM subscribers s WHERE s.state = 'confirmed' AND {VISIBLE} \
         AND (s.all_services = 1 OR EXISTS ( \
           SELECT 1 FROM subscriber_services ss JOIN notice_services ns ON ns.service_code = ss.service_code \
           WHERE ss.subscriber_id = s.id AND ns.notice_id = ${notice}))"
    )
}

/// The biller endpoints an update of notice `$notice` with event `$event` reaches: enabled,
/// and following the event and a service the notice affects (or all). Shared by the fan-out
/// and [`Store::endpoint_followers`].
fn endpoint_followers(notice: usize, event: usize) -> String {
    format!(
        "FROM endpoints e WHERE e.enabled = 1 \
         AND (e.all_events = 1 OR EXISTS (SELECT 1 FROM endpoint_events ee \
              WHERE ee.endpoint_id = e.id AND ee.event_type = ${event})) \
         AND (e.all_services = 1 OR EXISTS (SELECT 1 FROM endpoint_services es \
              JOIN notice_services ns ON ns.service_code = es.service_code \
              WHERE es.endpoint_id = e.id AND ns.notice_id = ${notice}))"
    )
}

/// What one update queued, per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queued {
    pub sms: i64,
    pub email: i64,
    pub webhook: i64,
}

/// Queues this update for every follower ([`followers`]) in their language, and for every
/// biller endpoint that follows it: one `INSERT … SELECT` per channel, in the publishing
/// transaction, so a crash can lose the update and its deliveries only together. Unsent SMS
/// and email of older updates of the notice are superseded first: nobody gets "starting
/// tonight" after "completed". A reminder queues one channel only (SMS and email remind at
/// different times, and billers are not reminded).
async fn fan_out(
    conn: &mut sqlx::AnyConnection,
    u: &Update,
    only: Option<&str>,
    sms_at: DateTime<Utc>,
) -> StoreResult<Queued> {
    sqlx::query(
        "UPDATE deliveries SET state = 'superseded', finished_at = $3 \
         WHERE notice_id = $1 AND state = 'pending' AND sequence < $2 \
         AND (($4 = '' AND channel IN ('sms', 'email')) OR channel = $4)",
    )
    .bind(u.notice_id.as_str())
    .bind(u.sequence)
    .bind(ms(u.created_at))
    .bind(only.unwrap_or(""))
    .execute(&mut *conn)
    .await?;
    let mut queued = Queued::default();
    for channel in only.map_or(vec!["sms", "email"], |c| vec![c]) {
        let sql = format!(
            "INSERT INTO deliveries (id, notice_id, update_id, sequence, event, channel, subscriber_id, \
             language, state, attempts, next_attempt_at, created_at) \
             SELECT $2 || ':' || s.id, $1, $2, $3, $4, s.channel, s.id, s.language, 'pending', 0, $5, $6 \
             {} AND s.channel = $7",
            followers(1)
        );
        let n = sqlx::query(AssertSqlSafe(sql))
            .bind(u.notice_id.as_str())
            .bind(u.id.as_str())
            .bind(u.sequence)
            .bind(u.event.as_str())
            .bind(ms(if channel == "sms" {
                sms_at
            } else {
                u.created_at
            }))
            .bind(ms(u.created_at))
            .bind(channel)
            .execute(&mut *conn)
            .await?
            .rows_affected() as i64;
        match channel {
            "sms" => queued.sms = n,
            _ => queued.email = n,
        }
    }
    if only.is_some() {
        return Ok(queued);
    }
    // Billers follow every update (nothing is superseded for them).
    let sql = format!(
        "INSERT INTO deliveries (id, notice_id, update_id, sequence, event, channel, endpoint_id, \
         language, state, attempts, next_attempt_at, created_at) \
         SELECT $2 || ':' || e.id, $1, $2, $3, $4, 'webhook', e.id, '', 'pending', 0, $5, $5 {}",
        endpoint_followers(1, 4)
    );
    queued.webhook = sqlx::query(AssertSqlSafe(sql))
        .bind(u.notice_id.as_str())
        .bind(u.id.as_str())
        .bind(u.sequence)
        .bind(u.event.as_str())
        .bind(ms(u.created_at))
        .execute(&mut *conn)
        .await?
        .rows_affected() as i64;
    Ok(queued)
}

/// What the audit log keeps of a notice before and after a change.
fn summary(n: &Notice) -> String {
    serde_json::json!({
        "state": n.state.as_str(),
        "title": n.title,
        "starts_at": n.starts_at,
        "ends_at": n.ends_at,
        "affected": n.affected,
        "still_works": n.still_works,
        "body": n.draft_body,
    })
    .to_string()
}

/// Times are stored in milliseconds: cut finer digits off before writing, so that what a
/// write returns is exactly what a later read gives.
fn to_stored_precision(n: &mut Notice) {
    let cut = |t: &mut Option<DateTime<Utc>>| *t = t.map(|v| from_ms(ms(v)));
    cut(&mut n.starts_at);
    cut(&mut n.ends_at);
    cut(&mut n.planned_ends_at);
    cut(&mut n.published_at);
    cut(&mut n.started_at);
    cut(&mut n.finished_at);
    n.created_at = from_ms(ms(n.created_at));
    n.updated_at = from_ms(ms(n.updated_at));
}

async fn affected_for(
    conn: &mut sqlx::AnyConnection,
    ids: &[NoticeId],
) -> StoreResult<HashMap<NoticeId, Vec<Affected>>> {
    let mut out: HashMap<NoticeId, Vec<Affected>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT ns.notice_id, ns.service_code, ns.impact FROM notice_services ns \
             LEFT JOIN services s ON s.code = ns.service_code \
             WHERE ns.notice_id IN ({}) ORDER BY ns.notice_id, s.position, ns.service_code",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let code: String = row.try_get("service_code")?;
            let impact: String = row.try_get("impact")?;
            out.entry(id_at(&row, "notice_id")?)
                .or_default()
                .push(Affected {
                    service: ServiceCode::parse(&code).map_err(anyhow::Error::msg)?,
                    impact: ServiceStatus::parse(&impact).map_err(anyhow::Error::msg)?,
                });
        }
    }
    Ok(out)
}

async fn notices_from_rows(
    conn: &mut sqlx::AnyConnection,
    rows: Vec<AnyRow>,
) -> StoreResult<Vec<Notice>> {
    let ids: Vec<NoticeId> = rows
        .iter()
        .map(|r| id_at(r, "id"))
        .collect::<Result<_, _>>()?;
    let mut affected = affected_for(conn, &ids).await?;
    Ok(rows
        .iter()
        .zip(&ids)
        .map(|(row, id)| notice_from_row(row, affected.remove(id).unwrap_or_default()))
        .collect::<anyhow::Result<_>>()?)
}

async fn updates_for(
    conn: &mut sqlx::AnyConnection,
    ids: &[NoticeId],
) -> StoreResult<HashMap<NoticeId, Vec<Update>>> {
    let mut out: HashMap<NoticeId, Vec<Update>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT {UPDATE_COLUMNS} FROM notice_updates WHERE notice_id IN ({}) \
             ORDER BY notice_id, sequence",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let u = update_from_row(&row)?;
            out.entry(u.notice_id.clone()).or_default().push(u);
        }
    }
    Ok(out)
}

/// The notice `key` names: its id, or its reference code, which staff and customers may write
/// where an id is asked for (a `NoticeId` from the edge may hold either).
async fn load_notice(conn: &mut sqlx::AnyConnection, key: &str, lock: &str) -> StoreResult<Notice> {
    let by_ref = RefCode::parse(key).map(|r| r.as_str().to_string());
    let sql = format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE id = $1 OR reference = $2{lock}");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(key)
        .bind(by_ref.unwrap_or_default())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(notices_from_rows(conn, vec![row]).await?.remove(0))
}

async fn write_affected(
    conn: &mut sqlx::AnyConnection,
    notice_id: &NoticeId,
    affected: &[Affected],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM notice_services WHERE notice_id = $1")
        .bind(notice_id.as_str())
        .execute(&mut *conn)
        .await?;
    if affected.is_empty() {
        return Ok(());
    }
    // One statement for the whole set.
    let values = (0..affected.len())
        .map(|i| format!("($1, ${}, ${})", 2 + 2 * i, 3 + 2 * i))
        .collect::<Vec<_>>()
        .join(", ");
    let sql =
        format!("INSERT INTO notice_services (notice_id, service_code, impact) VALUES {values}");
    let mut q = sqlx::query(AssertSqlSafe(sql)).bind(notice_id.as_str());
    for a in affected {
        q = q.bind(a.service.as_str()).bind(a.impact.as_str());
    }
    q.execute(&mut *conn).await.map_err(|e| {
        if super::is_foreign_key_violation(&e) {
            StoreError::Conflict {
                field: "affected".into(),
                message: "names a service that does not exist".into(),
            }
        } else {
            e.into()
        }
    })?;
    Ok(())
}

async fn write_notice(conn: &mut sqlx::AnyConnection, n: &Notice) -> StoreResult<()> {
    sqlx::query(
        "UPDATE notices SET state = $2, title = $3, still_works = $4, starts_at = $5, ends_at = $6, \
         planned_ends_at = $7, published_at = $8, started_at = $9, finished_at = $10, \
         auto_start = $11, auto_complete = $12, sequence = $13, updated_at = $14, \
         draft_body = $15, draft_sms = $16, draft_email = $17 WHERE id = $1",
    )
    .bind(n.id.as_str())
    .bind(n.state.as_str())
    .bind(n.title.to_json())
    .bind(n.still_works.to_json())
    .bind(n.starts_at.map(ms))
    .bind(n.ends_at.map(ms))
    .bind(n.planned_ends_at.map(ms))
    .bind(n.published_at.map(ms))
    .bind(n.started_at.map(ms))
    .bind(n.finished_at.map(ms))
    .bind(i64::from(n.auto_start))
    .bind(i64::from(n.auto_complete))
    .bind(n.sequence)
    .bind(ms(n.updated_at))
    .bind(n.draft_body.to_json())
    .bind(n.draft_overrides.sms.to_json())
    .bind(n.draft_overrides.email.to_json())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_update(conn: &mut sqlx::AnyConnection, u: &Update) -> StoreResult<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO notice_updates ({UPDATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )))
    .bind(u.id.as_str())
    .bind(u.notice_id.as_str())
    .bind(u.sequence)
    .bind(u.event.as_str())
    .bind(u.state.as_str())
    .bind(u.body.to_json())
    .bind(u.starts_at.map(ms))
    .bind(u.ends_at.map(ms))
    .bind(&u.created_by)
    .bind(ms(u.created_at))
    .bind(u.overrides.sms.to_json())
    .bind(u.overrides.email.to_json())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts a new draft with a fresh reference code, with its audit line.
async fn insert_draft(
    conn: &mut sqlx::AnyConnection,
    new: &NewNotice,
    actor: &str,
    now: DateTime<Utc>,
) -> StoreResult<Notice> {
    let mut notice = new.draft(actor, now);
    to_stored_precision(&mut notice);
    // A reference code collision is rare (31^6 codes) but possible: draw again. The insert
    // does nothing on a collision rather than fail, which on PostgreSQL would abort the
    // transaction this draft may share with its publication.
    let mut attempts = 0;
    loop {
        let inserted = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO notices ({NOTICE_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $14, $7, $8, $9, NULL, NULL, NULL, $10, $11, 0, $12, $13, $13, $15, $16) \
             ON CONFLICT (reference) DO NOTHING"
        )))
        .bind(notice.id.as_str())
        .bind(notice.reference.as_str())
        .bind(notice.kind.as_str())
        .bind(notice.state.as_str())
        .bind(notice.title.to_json())
        .bind(notice.still_works.to_json())
        .bind(notice.starts_at.map(ms))
        .bind(notice.ends_at.map(ms))
        .bind(notice.planned_ends_at.map(ms))
        .bind(i64::from(notice.auto_start))
        .bind(i64::from(notice.auto_complete))
        .bind(actor)
        .bind(ms(now))
        .bind(notice.draft_body.to_json())
        .bind(notice.draft_overrides.sms.to_json())
        .bind(notice.draft_overrides.email.to_json())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 1 {
            break;
        }
        attempts += 1;
        if attempts > 5 {
            return Err(anyhow::anyhow!("no free reference code in {attempts} draws").into());
        }
        notice.reference = RefCode::generate();
    }
    write_affected(conn, &notice.id, &notice.affected).await?;
    insert_audit(
        conn,
        Audit {
            actor,
            action: "notice.create",
            target: format!("notice:{}", notice.id),
            before: None,
            after: Some(summary(&notice)),
            detail: notice.title.get(crate::domain::Lang::En).to_string(),
        },
        now,
    )
    .await?;
    Ok(notice)
}

impl Store {
    /// Creates a draft with a fresh reference code.
    pub async fn create_notice(
        &self,
        new: &NewNotice,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Notice> {
        let mut tx = self.begin_write().await?;
        let notice = insert_draft(&mut tx, new, actor, now).await?;
        tx.commit().await?;
        Ok(notice)
    }

    /// Creates a draft and applies `change` to it (a publication) in one transaction: if the
    /// action is refused, no draft is left behind for a retry to duplicate.
    pub async fn create_and_apply(
        &self,
        new: &NewNotice,
        change: Change<'_>,
        decide: impl Decide,
    ) -> StoreResult<Applied> {
        let mut tx = self.begin_write().await?;
        let draft = insert_draft(&mut tx, new, change.actor, change.now).await?;
        let done = self
            .apply_in(&mut tx, &draft.id, change, None, decide)
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Edits a draft. Published notices change only through actions, so that every change
    /// customers could have seen is in the timeline.
    pub async fn edit_draft(
        &self,
        id: &NoticeId,
        patch: &NoticePatch,
        actor: &str,
        now: DateTime<Utc>,
        max_window_hours: u32,
    ) -> StoreResult<Notice> {
        let mut tx = self.begin_write().await?;
        let mut n = load_notice(&mut tx, id.as_str(), self.backend.for_update()).await?;
        let before = summary(&n);
        if n.state != NoticeState::Draft {
            return Err(StoreError::Conflict {
                field: "state".into(),
                message: format!(
                    "the notice is {} (published); change it with extend, reschedule or an update",
                    n.state
                ),
            });
        }
        if let Some(t) = &patch.title {
            n.title = t.clone();
        }
        if let Some(t) = &patch.still_works {
            n.still_works = t.clone();
        }
        if let Some(t) = &patch.draft_body {
            n.draft_body = t.clone();
        }
        if let Some(o) = &patch.draft_overrides {
            n.draft_overrides = o.clone();
        }
        if let Some(s) = patch.starts_at {
            n.starts_at = Some(s);
        }
        if let Some(e) = patch.ends_at {
            n.ends_at = Some(e);
        }
        if let (Some(s), Some(e)) = (n.starts_at, n.ends_at) {
            crate::domain::Window::new(s, e, max_window_hours).map_err(|(f, m)| {
                StoreError::Conflict {
                    field: f.into(),
                    message: m,
                }
            })?;
        }
        if let Some(v) = patch.auto_start {
            n.auto_start = v;
        }
        if let Some(v) = patch.auto_complete {
            n.auto_complete = v;
        }
        n.updated_at = now;
        to_stored_precision(&mut n);
        write_notice(&mut tx, &n).await?;
        if let Some(a) = &patch.affected {
            write_affected(&mut tx, &n.id, a).await?;
            n.affected = a.clone();
        }
        insert_audit(
            &mut tx,
            Audit {
                actor,
                action: "notice.edit",
                target: format!("notice:{}", n.id),
                before: Some(before),
                after: Some(summary(&n)),
                detail: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Applies a lifecycle action in one transaction (see [`Store::apply_in`]).
    pub async fn apply_action(
        &self,
        id: &NoticeId,
        change: Change<'_>,
        decide: impl Decide,
    ) -> StoreResult<(Notice, Update)> {
        let mut tx = self.begin_write().await?;
        let done = self.apply_in(&mut tx, id, change, None, decide).await?;
        tx.commit().await?;
        Ok((done.notice, done.update))
    }

    /// [`Store::apply_action`] for a console form: `once` claims the form's token in the
    /// action's transaction (a replay is [`StoreError::Replayed`]) and refuses the action if
    /// the notice changed since the form was shown. Says what was queued.
    pub async fn apply_action_once(
        &self,
        id: &NoticeId,
        change: Change<'_>,
        once: Option<Once<'_>>,
        decide: impl Decide,
    ) -> StoreResult<Applied> {
        let mut tx = self.begin_write().await?;
        if let Some(once) = &once {
            // First, so that of two submissions of one form the second waits here for the
            // first to commit, then finds the token taken.
            super::forms::claim(&mut tx, once.token, change.now).await?;
        }
        let seen = once.and_then(|o| o.seen);
        let done = self.apply_in(&mut tx, id, change, seen, decide).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Applies a lifecycle action within `tx`: the notice changes, an update with the next
    /// `sequence` joins the timeline with the messages `check` rendered for it, its deliveries
    /// are queued, and the public revision moves. With `seen` (a console form's view of the
    /// notice), a notice that changed since is refused. `decide` gives the update's texts,
    /// when its SMS go out, and its rendered messages.
    async fn apply_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: &NoticeId,
        change: Change<'_>,
        seen: Option<(i64, &str)>,
        mut decide: impl Decide,
    ) -> StoreResult<Applied> {
        let Change {
            action,
            actor,
            now,
            max_window_hours,
        } = change;
        let current = load_notice(tx, id.as_str(), self.backend.for_update()).await?;
        if let Some(seen) = seen {
            unchanged_since(&current, seen)?;
        }
        let (mut next, event) = current.apply(action, now, max_window_hours)?;
        to_stored_precision(&mut next);
        write_notice(tx, &next).await?;
        let (body, overrides) = decide.texts(&current, &next, event);
        let update = Update {
            id: UpdateId::generate(),
            notice_id: next.id.clone(),
            sequence: next.sequence,
            event,
            state: next.state,
            overrides,
            body,
            starts_at: next.starts_at,
            ends_at: next.ends_at,
            created_by: actor.to_string(),
            created_at: next.updated_at,
        };
        // Messages that cannot be sent (an SMS over budget) stop the change before it commits.
        let messages = decide
            .messages(&next, &update)
            .map_err(StoreError::Invalid)?;
        super::schedule::replan(tx, &next, &self.schedule, now).await?;
        insert_update(tx, &update).await?;
        super::outbox::insert_messages(tx, &update.id, &messages).await?;
        // A draft discarded before publication told nobody, so it tells nobody now.
        let mut queued = Queued::default();
        if current.state != NoticeState::Draft || *action == Action::Publish {
            let only = match action {
                Action::Remind { channel } => Some(channel.as_str()),
                _ => None,
            };
            let sms_at = decide.sms_at(action, update.created_at);
            queued = fan_out(tx, &update, only, sms_at).await?;
        }
        insert_audit(
            tx,
            Audit {
                actor,
                action: &format!("notice.{}", action.name()),
                target: format!("notice:{}", next.id),
                before: Some(summary(&current)),
                after: Some(summary(&next)),
                detail: format!("{} (sequence {})", event.as_str(), update.sequence),
            },
            now,
        )
        .await?;
        if current.state != NoticeState::Draft || next.state != NoticeState::Draft {
            bump_revision(tx).await?;
        }
        Ok(Applied {
            notice: next,
            update,
            queued,
        })
    }

    /// Confirmed subscribers an update of the notice would queue now, `(sms, email)`: the
    /// fan-out's own condition, counted in one query.
    pub async fn followers(&self, notice_id: &NoticeId) -> StoreResult<(i64, i64)> {
        let sql = format!(
            "SELECT s.channel, COUNT(*) AS n {} GROUP BY s.channel",
            followers(1)
        );
        let (mut sms, mut email) = (0, 0);
        for row in sqlx::query(AssertSqlSafe(sql))
            .bind(notice_id.as_str())
            .fetch_all(&self.pool)
            .await?
        {
            let n: i64 = row.try_get("n")?;
            match row.try_get::<String, _>("channel")?.as_str() {
                "sms" => sms = n,
                _ => email = n,
            }
        }
        Ok((sms, email))
    }

    /// Biller endpoints an update of the notice with `event` would queue now: the fan-out's
    /// own condition, counted.
    pub async fn endpoint_followers(&self, notice_id: &NoticeId, event: Event) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) {}", endpoint_followers(1, 2));
        Ok(sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(notice_id.as_str())
            .bind(event.as_str())
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn get_notice(&self, id: &NoticeId) -> StoreResult<Notice> {
        let mut conn = self.pool.acquire().await?;
        load_notice(&mut conn, id.as_str(), "").await
    }

    pub async fn get_updates(&self, notice_id: &NoticeId) -> StoreResult<Vec<Update>> {
        let mut conn = self.pool.acquire().await?;
        Ok(updates_for(&mut conn, std::slice::from_ref(notice_id))
            .await?
            .remove(notice_id)
            .unwrap_or_default())
    }

    /// Newest first.
    pub async fn list_notices(&self, f: &NoticeFilter) -> StoreResult<Vec<Notice>> {
        let mut clauses = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        if let Some(k) = f.kind {
            args.push(k.as_str().into());
            clauses.push(format!("kind = ${}", args.len()));
        }
        if let Some(s) = f.state {
            args.push(s.as_str().into());
            clauses.push(format!("state = ${}", args.len()));
        }
        if let Some(s) = &f.service {
            args.push(s.as_str().into());
            clauses.push(format!(
                "id IN (SELECT notice_id FROM notice_services WHERE service_code = ${})",
                args.len()
            ));
        }
        // Integer arguments follow the text ones.
        let mut int_clauses = Vec::new();
        if let Some(from) = f.from {
            ints.push(ms(from));
            int_clauses.push(("COALESCE(ends_at, finished_at, updated_at) >= ", ints.len()));
        }
        if let Some(to) = f.to {
            ints.push(ms(to));
            int_clauses.push(("COALESCE(starts_at, created_at) <= ", ints.len()));
        }
        for (expr, i) in int_clauses {
            clauses.push(format!("{expr}${}", args.len() + i));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {NOTICE_COLUMNS} FROM notices{filter} \
             ORDER BY COALESCE(starts_at, created_at) DESC, id DESC LIMIT {}",
            f.limit.clamp(1, 500)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a);
        }
        for i in &ints {
            q = q.bind(*i);
        }
        let mut conn = self.pool.acquire().await?;
        let rows = q.fetch_all(&mut *conn).await?;
        notices_from_rows(&mut conn, rows).await
    }

    /// Reads what the public snapshot needs in one read transaction.
    pub async fn snapshot_data(&self, history_size: u32) -> StoreResult<SnapshotData> {
        let begin = match self.backend {
            super::Backend::Sqlite => "BEGIN",
            super::Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        let revision: i64 = sqlx::query_scalar("SELECT value FROM revision WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let services = sqlx::query(
            "SELECT code, name, description, group_name, position, status, created_at, updated_at \
             FROM services ORDER BY position, code",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(service_from_row)
        .collect::<anyhow::Result<Vec<_>>>()?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE state IN ('scheduled', 'in_progress', \
             'verifying', 'investigating', 'identified', 'monitoring') \
             UNION ALL SELECT * FROM (SELECT {NOTICE_COLUMNS} FROM notices \
             WHERE state IN ('completed', 'cancelled', 'resolved') AND published_at IS NOT NULL \
             ORDER BY finished_at DESC LIMIT $1) finished"
        )))
        .bind(i64::from(history_size))
        .fetch_all(&mut *tx)
        .await?;
        let notices = notices_from_rows(&mut tx, rows).await?;
        let ids: Vec<NoticeId> = notices.iter().map(|n| n.id.clone()).collect();
        let updates = updates_for(&mut tx, &ids).await?;
        let mut references = HashMap::new();
        let rows = sqlx::query(
            "SELECT id, reference, kind, state, title, starts_at, ends_at, published_at \
             FROM notices WHERE published_at IS NOT NULL ORDER BY published_at DESC LIMIT 20000",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let reference: String = row.try_get("reference")?;
            let Some(code) = RefCode::parse(&reference) else {
                continue;
            };
            references.insert(
                code,
                VerifyEntry {
                    notice_id: id_at(&row, "id")?,
                    title: Localized::from_json(&row.try_get::<String, _>("title")?)
                        .map_err(anyhow::Error::new)?,
                    state: NoticeState::parse(&row.try_get::<String, _>("state")?)
                        .map_err(anyhow::Error::msg)?,
                    kind: NoticeKind::parse(&row.try_get::<String, _>("kind")?)
                        .map_err(anyhow::Error::msg)?,
                    starts_at: opt_time(&row, "starts_at")?,
                    ends_at: opt_time(&row, "ends_at")?,
                    published_at: opt_time(&row, "published_at")?,
                },
            );
        }
        tx.commit().await?;
        Ok(SnapshotData {
            revision,
            services,
            notices,
            updates,
            references,
        })
    }
}

impl Store {
    /// Deliveries of one notice by channel and state: `(channel, state, count)`.
    pub async fn delivery_counts(
        &self,
        notice_id: &NoticeId,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT channel, state, COUNT(*) AS n FROM deliveries WHERE notice_id = $1 \
             GROUP BY channel, state ORDER BY channel, state",
        )
        .bind(notice_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("channel")?, r.try_get("state")?, r.try_get("n")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Pending deliveries of one update per language and channel: `(language, channel, count)`.
    pub async fn pending_by_language(
        &self,
        update_id: &UpdateId,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT language, channel, COUNT(*) AS n FROM deliveries WHERE update_id = $1 AND state = 'pending' \
             GROUP BY language, channel ORDER BY language, channel",
        )
        .bind(update_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("language")?,
                    r.try_get("channel")?,
                    r.try_get("n")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
