//! The console's post/redirect/get: the one-time tokens its action forms carry, and the
//! one-line results ("flashes") a session sees on the next page it opens.
//!
//! A form's token is claimed with a unique insert when its action runs. Two submissions of the
//! same form (a reload, the back button, a double click) race for one row: the database lets
//! exactly one insert through, and the other finds the token taken. A notice's lifecycle
//! actions claim inside the action's own transaction, so a crash either keeps both the claim
//! and the action or neither; other forms claim just before their action.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::accounts::SESSION_HOURS;
use super::{Store, StoreError, StoreResult, is_unique_violation, ms};
use crate::crypto::hash_token;

/// The field a replayed form's refusal names (see [`StoreError::Replayed`]).
pub const REPLAYED_FIELD: &str = "form";

/// How long a flash waits for its page: past this, a result is stale news.
const FLASH_MINUTES: i64 = 10;

/// Claims a form's one-time token on `conn`, inside the caller's transaction; a token claimed
/// before is [`StoreError::Replayed`]. Claims older than a session are removed on the way: a
/// form cannot outlive its session's CSRF token.
pub(super) async fn claim(
    conn: &mut sqlx::AnyConnection,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if token.is_empty() {
        return Err(StoreError::Conflict {
            field: REPLAYED_FIELD.into(),
            message: "the form has no one-time token; reload the page and try again".into(),
        });
    }
    let inserted = sqlx::query("INSERT INTO form_claims (token_hash, claimed_at) VALUES ($1, $2)")
        .bind(hash_token(token))
        .bind(ms(now))
        .execute(&mut *conn)
        .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(StoreError::Replayed),
        other => other?,
    };
    sqlx::query("DELETE FROM form_claims WHERE claimed_at < $1")
        .bind(ms(now - Duration::hours(SESSION_HOURS)))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Claims a form's token in a transaction of its own, before an action that has no
    /// transaction to share (see [`claim`]).
    pub async fn claim_form(&self, token: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        claim(&mut tx, token, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a claimed token back when its action did nothing (it was refused), so that the
    /// same form may be sent again once corrected.
    pub async fn release_form(&self, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM form_claims WHERE token_hash = $1")
            .bind(hash_token(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keeps a result for the next page the session (`session_hash`, see
    /// [`super::Session::id`]) opens.
    pub async fn push_flash(
        &self,
        session_hash: &str,
        message: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO console_flashes (id, session_hash, message, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(session_hash)
        .bind(message)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session's waiting results, oldest first; each is shown once.
    pub async fn take_flashes(
        &self,
        session_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "DELETE FROM console_flashes WHERE session_hash = $1 RETURNING id, message, created_at",
        )
        .bind(session_hash)
        .fetch_all(&self.pool)
        .await?;
        let fresh = ms(now - Duration::minutes(FLASH_MINUTES));
        let mut out = Vec::new();
        for r in rows {
            let at: i64 = r.try_get("created_at")?;
            if at >= fresh {
                out.push((r.try_get::<String, _>("id")?, r.try_get("message")?));
            }
        }
        // Ids are UUIDv7: their order is the order the results were kept in.
        out.sort();
        Ok(out.into_iter().map(|(_, m)| m).collect())
    }
}
