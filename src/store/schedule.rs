//! Scheduled actions: re-planned with every notice change (in its transaction), claimed under a
//! lease like deliveries (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so that each runs once across
//! instances, and finished as done or skipped with the reason.

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};

use super::{Store, StoreResult, from_ms, ms};
use crate::domain::schedule::{Kind, Policy, plan};
use crate::domain::{Notice, NoticeId};

/// A claimed step.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    pub notice_id: NoticeId,
    pub kind: Kind,
    pub due_at: DateTime<Utc>,
}

/// Replaces a notice's pending steps with its current plan. A step planned again with the same
/// time keeps its row (and stays done if it ran); a step being run right now (leased: the
/// scheduler's own action re-plans the notice) is left to its runner to finish.
pub(super) async fn replan(
    conn: &mut sqlx::AnyConnection,
    n: &Notice,
    policy: &Policy,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE scheduled_actions SET state = 'cancelled', finished_at = $2, lease_owner = NULL \
         WHERE notice_id = $1 AND state = 'pending' AND (lease_until IS NULL OR lease_until < $2)",
    )
    .bind(n.id.as_str())
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    for (kind, at) in plan(n, policy, now) {
        insert_step(conn, &n.id, kind, at, now).await?;
    }
    Ok(())
}

async fn insert_step(
    conn: &mut sqlx::AnyConnection,
    notice_id: &NoticeId,
    kind: Kind,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO scheduled_actions (id, notice_id, kind, due_at, state, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) \
         ON CONFLICT (id) DO UPDATE SET state = 'pending', finished_at = NULL, note = NULL \
         WHERE scheduled_actions.state = 'cancelled'",
    )
    .bind(format!("{notice_id}:{}:{}", kind.as_str(), ms(at)))
    .bind(notice_id.as_str())
    .bind(kind.as_str())
    .bind(ms(at))
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Plans every active notice (steps already there are kept): for notices published before
    /// the scheduler existed, run once when a scheduler starts.
    pub async fn replan_all(&self, now: DateTime<Utc>) -> StoreResult<()> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM notices WHERE kind = 'maintenance' AND state IN ('scheduled', 'in_progress', 'verifying')",
        )
        .fetch_all(&self.pool)
        .await?;
        for id in ids.into_iter().map(NoticeId::from) {
            let n = self.get_notice(&id).await?;
            let mut tx = self.begin_write().await?;
            let pending: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM scheduled_actions WHERE notice_id = $1")
                    .bind(id.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
            if pending == 0 {
                for (kind, at) in plan(&n, &self.schedule, now) {
                    insert_step(&mut tx, &id, kind, at, now).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Adds one step (the overrun update after the grace period).
    pub async fn schedule_step(
        &self,
        notice_id: &NoticeId,
        kind: Kind,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_step(&mut tx, notice_id, kind, at, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims due steps, oldest first, for `lease`.
    pub async fn claim_steps(
        &self,
        limit: i64,
        lease: chrono::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Due>> {
        let owner = uuid::Uuid::now_v7().to_string();
        let mut tx = self.begin_write().await?;
        // The limit is in the text, as in `claim_deliveries`: SQLite would prepare a statement
        // with a bound `LIMIT` again at every claim.
        let sql = format!(
            "UPDATE scheduled_actions SET lease_owner = $1, lease_until = $2 WHERE id IN \
             (SELECT id FROM scheduled_actions WHERE state = 'pending' AND due_at <= $3 \
              AND (lease_until IS NULL OR lease_until < $3) ORDER BY due_at LIMIT {}{})",
            limit.max(0),
            self.backend.skip_locked()
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(&owner)
            .bind(ms(now + lease))
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT id, notice_id, kind, due_at FROM scheduled_actions WHERE lease_owner = $1 \
             AND state = 'pending' ORDER BY due_at, id",
        )
        .bind(&owner)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut out = Vec::new();
        for r in rows {
            let kind: String = r.try_get("kind")?;
            let Some(kind) = Kind::parse(&kind) else {
                // Written by a newer version: recorded rather than left leased forever.
                let id: String = r.try_get("id")?;
                self.finish_step(&id, "skipped", &format!("unknown step '{kind}'"), now)
                    .await?;
                continue;
            };
            out.push(Due {
                id: r.try_get("id")?,
                notice_id: super::id_at(&r, "notice_id")?,
                kind,
                due_at: from_ms(r.try_get("due_at")?),
            });
        }
        Ok(out)
    }

    /// Marks a step `done` or `skipped` (with why).
    pub async fn finish_step(
        &self,
        id: &str,
        state: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE scheduled_actions SET state = $2, note = $3, finished_at = $4, lease_owner = NULL \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(state)
        .bind(note)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives a claimed step back to run at the next tick: its action failed for want of the
    /// database, not because it no longer applies.
    pub async fn release_step(&self, id: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE scheduled_actions SET lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A notice's steps, for the console and tests: (kind, due, state, note).
    pub async fn steps_of(
        &self,
        notice_id: &NoticeId,
    ) -> StoreResult<Vec<(String, DateTime<Utc>, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT kind, due_at, state, note FROM scheduled_actions WHERE notice_id = $1 ORDER BY due_at, kind",
        )
        .bind(notice_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("kind")?,
                    from_ms(r.try_get("due_at")?),
                    r.try_get("state")?,
                    r.try_get("note")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Moves the public revision so every instance rebuilds its snapshot (a window that
    /// passed its end shows as overrunning).
    pub async fn touch_revision(&self) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        super::bump_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
