//! The append-only audit log: who changed what, written in the same transaction as the
//! change it records.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError, StoreResult, from_ms, ms};

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: String,
}

/// One audit log line, written in the same transaction as the change it records.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: String,
}

/// Appends to the audit log. Nothing in the application updates or deletes these rows.
pub(super) async fn insert_audit(
    conn: &mut sqlx::AnyConnection,
    e: Audit<'_>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, target, before_json, after_json, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(ms(now))
    .bind(e.actor)
    .bind(e.action)
    .bind(e.target)
    .bind(e.before)
    .bind(e.after)
    .bind(e.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Appends to the audit log, for actions that are not themselves a store write (logins).
    pub async fn audit(&self, entry: Audit<'_>, now: DateTime<Utc>) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit(&mut conn, entry, now).await
    }

    /// Newest first, optionally only one actor's, one action's or one target's entries.
    pub async fn audit_entries(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        target: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target, before_json, after_json, detail FROM audit_log \
             WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR target = $3) \
             ORDER BY at DESC, id DESC LIMIT $4",
        )
        .bind(actor.unwrap_or(""))
        .bind(action.unwrap_or(""))
        .bind(target.unwrap_or(""))
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: from_ms(r.try_get("at")?),
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    before: r.try_get("before_json")?,
                    after: r.try_get("after_json")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
