//! Idempotency keys of the staff API: which request holds a key, and the answer it gave.
//!
//! A key is claimed before its request runs and answered after, each in a transaction of its
//! own; on PostgreSQL the claim is a row every instance sees, so a retry that reaches another
//! instance finds it too. What is stored is chosen by the web layer (hashes only, never the
//! key or the token).

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{Store, StoreResult, ms};

/// What a request finds when it claims its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's: run it, then [`Store::keep_answer`] or
    /// [`Store::release_key`].
    Acquired,
    /// An earlier request with the key has not answered: it still runs, or its process
    /// stopped before it answered and nobody knows whether it took effect.
    Running,
    /// The key was used for another request (another body or path).
    Reused,
    /// The earlier request's answer, to give again.
    Answered(KeptAnswer),
}

/// An answer kept for the retries of its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    pub status: u16,
    /// The headers worth repeating, as (name, value).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Store {
    /// Claims `key_hash` for the request with `fingerprint` for `ttl`, or says who has it.
    /// Keys past their time are deleted here, so the table holds only the last `ttl`'s keys.
    pub async fn claim_key(
        &self,
        key_hash: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> StoreResult<Claim> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (key_hash, fingerprint, created_at, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (key_hash) DO NOTHING",
        )
        .bind(key_hash)
        .bind(fingerprint)
        .bind(ms(now))
        .bind(ms(now + ttl))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let claim = if inserted == 1 {
            Claim::Acquired
        } else {
            let row = sqlx::query(
                "SELECT fingerprint, status, headers, body FROM idempotency_keys WHERE key_hash = $1",
            )
            .bind(key_hash)
            .fetch_one(&mut *tx)
            .await?;
            let status: Option<i64> = row.try_get("status")?;
            if row.try_get::<String, _>("fingerprint")? != fingerprint {
                Claim::Reused
            } else if let Some(status) = status {
                let headers: Option<String> = row.try_get("headers")?;
                Claim::Answered(KeptAnswer {
                    status: u16::try_from(status).map_err(anyhow::Error::new)?,
                    headers: serde_json::from_str(headers.as_deref().unwrap_or("[]"))
                        .map_err(anyhow::Error::new)?,
                    body: row
                        .try_get::<Option<String>, _>("body")?
                        .unwrap_or_default(),
                })
            } else {
                Claim::Running
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    /// Keeps the answer of the request that holds `key_hash`, for its retries.
    pub async fn keep_answer(&self, key_hash: &str, answer: &KeptAnswer) -> StoreResult<()> {
        let headers = serde_json::to_string(&answer.headers).map_err(anyhow::Error::new)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE idempotency_keys SET status = $2, headers = $3, body = $4 WHERE key_hash = $1",
        )
        .bind(key_hash)
        .bind(i64::from(answer.status))
        .bind(headers)
        .bind(&answer.body)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Frees a key whose request did not complete (a server error): a retry runs it again.
    pub async fn release_key(&self, key_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE key_hash = $1 AND status IS NULL")
            .bind(key_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
