//! The outbox through the store's sqlx pool: PostgreSQL, and SQLite in memory (which has no
//! file for a connection of the workers' own).

use sqlx::AssertSqlSafe;

use super::{
    APPLY_EARLY_RECEIPTS, Arg, Claim, ClaimedRow, DROP_APPLIED_RECEIPTS, EARLY_RECEIPTS, Finished,
    RESULT_CHUNK, ResultChunk, Statement, names_providers,
};
use crate::store::{Store, StoreResult, ms};

impl Statement<'_> {
    /// Runs it through sqlx; the rows it changed.
    async fn execute(&self, conn: &mut sqlx::AnyConnection) -> StoreResult<u64> {
        let mut q = sqlx::query(AssertSqlSafe(self.sql.as_str()));
        for a in &self.args {
            q = match *a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        Ok(q.execute(&mut *conn).await?.rows_affected())
    }
}

/// [`Store::claim_deliveries`] through the pool: the rows are read as one JSON array and
/// leased by one UPDATE naming their ids in one JSON value, so a batch crosses the driver as
/// two values whatever its size.
pub(super) async fn claim(store: &Store, c: &Claim<'_>) -> StoreResult<Vec<(i64, ClaimedRow)>> {
    let mut tx = store.begin_write().await?;
    // The aggregate is taken outside the locking select, which may not have one.
    let select = format!(
        "SELECT {} FROM ({}) d",
        store.backend.json_rows(&c.fields),
        c.due(
            "d.id, d.notice_id, d.update_id, d.sequence, d.event, d.language, \
             d.attempts, d.retry_base, d.subscriber_id, d.endpoint_id"
        )
    );
    let json: String = sqlx::query_scalar(AssertSqlSafe(select))
        .bind(c.channel)
        .bind(ms(c.now))
        .fetch_one(&mut *tx)
        .await?;
    let rows: Vec<ClaimedRow> = serde_json::from_str(&json)
        .map_err(|e| anyhow::anyhow!("the claimed rows did not read back: {e}"))?;
    if !rows.is_empty() {
        let ids = serde_json::to_string(&rows.iter().map(|r| &r.id).collect::<Vec<_>>())
            .map_err(anyhow::Error::new)?;
        sqlx::query(AssertSqlSafe(c.lease("id")))
            .bind(c.owner)
            .bind(c.lease_until)
            .bind(ids)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows.into_iter().map(|r| (0, r)).collect())
}

/// [`Store::finish_deliveries`] through the pool, in one transaction.
pub(super) async fn finish(
    store: &Store,
    worker: &str,
    done: &[Finished],
    now: i64,
) -> StoreResult<()> {
    let mut tx = store.begin_write().await?;
    for chunk in done.chunks(RESULT_CHUNK) {
        let chunk = ResultChunk::new(store.backend, chunk, worker, now);
        let matched = chunk.update().execute(&mut tx).await?;
        if chunk.needs_attempts(matched) {
            chunk.attempts().execute(&mut tx).await?;
        }
    }
    if names_providers(done) {
        if let Some(lock) = store.backend.lock_receipts() {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        let early: i64 = sqlx::query_scalar(EARLY_RECEIPTS)
            .fetch_one(&mut *tx)
            .await?;
        if early > 0 {
            sqlx::query(APPLY_EARLY_RECEIPTS).execute(&mut *tx).await?;
            sqlx::query(DROP_APPLIED_RECEIPTS).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
