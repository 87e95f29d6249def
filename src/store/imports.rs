//! Subscriber list imports: all or nothing, idempotent, and never holding every other writer
//! up for the length of a file.
//!
//! Addresses already present are left alone, so importing a file again changes nothing. On
//! PostgreSQL one transaction makes an import all or nothing, and other writers go on beside
//! it (it locks the rows it writes, not the table). SQLite has one writer at a time: one
//! transaction for a million rows held the API, the scheduler and the delivery workers for the
//! whole file. There an import writes its rows in short transactions instead, each row marked
//! with the import's id, and a marked row is hidden ([`VISIBLE`]: from the fan-out, the
//! audience counts and the console's counts) until one small transaction makes its import
//! `live`. The marks are then cleared a few thousand rows at a time, so that the fan-out's
//! check stays a NULL test for every row. An import that fails, or whose process stops
//! writing for [`ABANDONED_AFTER`] (killed), is given up: its rows are deleted, by the next
//! import or by `serve` ([`Store::tidy_imports`]).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::{Executor, Row};

use super::{Backend, NewSubscriber, Store, StoreError, StoreResult, WriteTx, ms};
use crate::domain::{ServiceCode, SubscriberId};

/// Whether the subscriber row `s` is seen: it is not marked, or its import is live.
pub(super) const VISIBLE: &str = "(s.import_id IS NULL OR s.import_id IN \
     (SELECT id FROM subscriber_imports WHERE state = 'live'))";

/// An import that has written nothing for this long is taken for dead (its process was
/// killed): its rows are removed. A live one writes a chunk every few milliseconds, and waits
/// for the write lock at most the busy timeout.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(15);

/// Rows unmarked or deleted per transaction once an import is live or given up.
const TIDY_CHUNK: i64 = 5_000;

/// The start of an imported subscriber's `manage_hash`, followed by its id. No manage link
/// has been sent to it (one gets a token of its own when it asks for a link), and no token
/// hashes to this (a hash is 64 hex digits). A random hash, as a sign-up's, put each row at a
/// random place of the column's index, whose pages every chunk's transaction then wrote
/// anew; ids grow, so these go at its end.
const UNISSUED: &str = "unissued:";

/// Rows per `INSERT` ([`VALUES_PER_ROW`] bound values each).
const ROWS_PER_STATEMENT: usize = 500;

/// The shortest and the longest pause after each of a staged import's transactions, as long as
/// the transaction itself within these bounds. Writers of other processes wait for SQLite's
/// lock in its busy handler, which sleeps and tries again (up to 100 ms apart): they find the
/// lock free at least half the time.
const BREATHER: (Duration, Duration) = (Duration::from_millis(2), Duration::from_millis(100));

/// An import under way: [`Import::add`] its rows in chunks, then [`Import::commit`].
/// Dropped without either, nothing of it is ever seen (on SQLite its rows are removed once it
/// has been still for [`ABANDONED_AFTER`]).
pub struct Import {
    store: Store,
    mode: Mode,
    /// Rows added by this import (addresses not already present).
    pub inserted: u64,
    /// Rows given to [`Import::add`].
    pub seen: u64,
}

enum Mode {
    /// PostgreSQL: every row in one transaction.
    Whole(WriteTx),
    /// SQLite: each chunk in a transaction of its own, marked with this import's id.
    Staged { id: String },
}

impl Store {
    /// Starts an import. On SQLite it first removes what earlier imports left behind, and is
    /// refused while another import is running: rows it has hidden would otherwise count as
    /// present for this one, and be missing if it failed.
    pub async fn begin_import(&self) -> StoreResult<Import> {
        let mode = match self.backend {
            Backend::Postgres => Mode::Whole(self.begin_write().await?),
            Backend::Sqlite => {
                self.tidy_imports(ABANDONED_AFTER).await?;
                Mode::Staged {
                    id: self.register_import().await?,
                }
            }
        };
        Ok(Import {
            store: self.clone(),
            mode,
            inserted: 0,
            seen: 0,
        })
    }

    async fn register_import(&self) -> StoreResult<String> {
        let mut tx = self.begin_write().await?;
        let other: Option<(String, i64)> = sqlx::query_as(
            "SELECT state, heartbeat_at FROM subscriber_imports \
             WHERE state IN ('staging', 'failed') LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((state, heartbeat)) = other {
            let message = if state == "staging" && heartbeat > cutoff(ABANDONED_AFTER) {
                format!(
                    "another import is running (it wrote {:.0} s ago); run this one once it has \
                     finished, or {} s after it was stopped",
                    (ms(Utc::now()) - heartbeat).max(0) as f64 / 1000.0,
                    ABANDONED_AFTER.as_secs()
                )
            } else {
                format!(
                    "an earlier import that did not finish is still being removed; try again in {} s",
                    ABANDONED_AFTER.as_secs()
                )
            };
            return Err(StoreError::Conflict {
                field: "import".into(),
                message,
            });
        }
        let id = uuid::Uuid::now_v7().to_string();
        let now = ms(Utc::now());
        sqlx::query(
            "INSERT INTO subscriber_imports (id, state, started_at, heartbeat_at) \
             VALUES ($1, 'staging', $2, $2)",
        )
        .bind(&id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Finishes what imports left behind (SQLite): deletes the rows of imports that failed or
    /// have written nothing for `abandoned_after`, and clears the marks of live ones. Returns
    /// how many imports it finished.
    pub async fn tidy_imports(&self, abandoned_after: Duration) -> StoreResult<usize> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let left: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, state FROM subscriber_imports WHERE state <> 'done' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut finished = 0;
        for (id, state) in left {
            let done = match state.as_str() {
                "live" => {
                    self.unmark_import(&id).await?;
                    true
                }
                _ => self.discard_import(&id, cutoff(abandoned_after)).await?,
            };
            if done {
                tracing::info!(import = %id, state, "finished what an import left behind");
                finished += 1;
            }
        }
        Ok(finished)
    }

    /// Gives an import up and deletes its rows, if it failed already or is staging and last
    /// wrote before `stale_before` (unix ms). False if it is not to be given up.
    async fn discard_import(&self, id: &str, stale_before: i64) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let given_up = sqlx::query(
            "UPDATE subscriber_imports SET state = 'failed' WHERE id = $1 \
             AND (state = 'failed' OR (state = 'staging' AND heartbeat_at < $2))",
        )
        .bind(id)
        .bind(stale_before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        if given_up == 0 {
            return Ok(false);
        }
        while self.delete_hidden_rows(id).await? > 0 {
            tokio::time::sleep(BREATHER.0).await;
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM subscriber_imports WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes up to [`TIDY_CHUNK`] rows of a given-up import (SQLite), with their services.
    ///
    /// Foreign keys are off meanwhile on the writer's connection: a deleted subscriber makes
    /// SQLite look for its deliveries to clear their `subscriber_id`, and no index of
    /// deliveries by subscriber exists (publishing would pay for it on every row), so each
    /// row would cost a scan of every delivery ever made. A hidden row never had one: the
    /// fan-out does not see it. Its services, which would cascade, are deleted first.
    async fn delete_hidden_rows(&self, id: &str) -> StoreResult<u64> {
        let turn = self.write_turn().await;
        let mut conn = self.writer.acquire().await?;
        conn.execute("PRAGMA foreign_keys = OFF").await?;
        let deleted = delete_chunk(&mut conn, id).await;
        if deleted.is_err() {
            let _ = conn.execute("ROLLBACK").await;
        }
        // PRAGMA foreign_keys does nothing inside a transaction: read it back, and close a
        // connection that could not be put right rather than let another writer have it.
        let restored = conn.execute("PRAGMA foreign_keys = ON").await.is_ok()
            && sqlx::query_scalar::<_, i64>("PRAGMA foreign_keys")
                .fetch_one(&mut *conn)
                .await
                .is_ok_and(|on| on == 1);
        if !restored {
            tracing::warn!("the writer's connection could not turn foreign keys on again; closed");
            let _ = conn.close().await;
        }
        drop(turn);
        if deleted.as_ref().is_ok_and(|n| *n > 0) {
            self.tell_checkpointer();
        }
        deleted
    }

    /// Clears the marks of a live import's rows, a chunk per transaction, then calls it done.
    async fn unmark_import(&self, id: &str) -> StoreResult<()> {
        loop {
            let started = Instant::now();
            let mut tx = self.begin_write().await?;
            let n = sqlx::query(
                "UPDATE subscribers SET import_id = NULL WHERE id IN \
                 (SELECT id FROM subscribers WHERE import_id = $1 LIMIT $2)",
            )
            .bind(id)
            .bind(TIDY_CHUNK)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                sqlx::query(
                    "UPDATE subscriber_imports SET state = 'done' WHERE id = $1 AND state = 'live'",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(());
            }
            tx.commit().await?;
            breathe(started).await;
        }
    }
}

/// One transaction of [`Store::delete_hidden_rows`], on a connection with foreign keys off.
async fn delete_chunk(conn: &mut sqlx::AnyConnection, id: &str) -> StoreResult<u64> {
    // The rows come from the import's index in rowid order: both statements take the same.
    let chunk = "SELECT id FROM subscribers WHERE import_id = $1 ORDER BY rowid LIMIT $2";
    conn.execute("BEGIN IMMEDIATE").await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM subscriber_services WHERE subscriber_id IN ({chunk})"
    )))
    .bind(id)
    .bind(TIDY_CHUNK)
    .execute(&mut *conn)
    .await?;
    let n = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM subscribers WHERE id IN ({chunk})"
    )))
    .bind(id)
    .bind(TIDY_CHUNK)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    conn.execute("COMMIT").await?;
    Ok(n)
}

impl Import {
    /// Adds confirmed subscribers; addresses already present are left as they are. On SQLite
    /// the chunk is one short transaction, followed by a pause as long (see [`BREATHER`]).
    pub async fn add(&mut self, rows: &[NewSubscriber], now: DateTime<Utc>) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.seen += rows.len() as u64;
        let inserted = match &mut self.mode {
            Mode::Whole(tx) => insert_rows(tx, self.store.backend, rows, None, now).await?,
            Mode::Staged { id } => {
                let started = Instant::now();
                let mut tx = self.store.begin_write().await?;
                let alive = sqlx::query(
                    "UPDATE subscriber_imports SET heartbeat_at = $2 \
                     WHERE id = $1 AND state = 'staging'",
                )
                .bind(&*id)
                .bind(ms(Utc::now()))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if alive == 0 {
                    return Err(given_up());
                }
                let n = insert_rows(&mut tx, self.store.backend, rows, Some(id), now).await?;
                tx.commit().await?;
                breathe(started).await;
                n
            }
        };
        self.inserted += inserted;
        Ok(())
    }

    /// Makes every added row seen at once. Returns (rows seen, rows inserted).
    pub async fn commit(self) -> StoreResult<(u64, u64)> {
        let counts = (self.seen, self.inserted);
        let id = match self.mode {
            Mode::Whole(tx) => {
                tx.commit().await?;
                return Ok(counts);
            }
            Mode::Staged { id } => id,
        };
        let store = self.store;
        if let Err(e) = make_live(&store, &id).await {
            if let Err(e) = store.discard_import(&id, i64::MAX).await {
                tracing::warn!(import = %id, error = %e, "cannot remove a failed import's rows yet; serve will");
            }
            return Err(e);
        }
        // The rows are seen now; clearing their marks only keeps the fan-out's check short,
        // and `serve` finishes it if this cannot.
        if let Err(e) = store.unmark_import(&id).await {
            tracing::warn!(import = %id, error = %e, "cannot clear an import's marks yet; serve will");
        }
        Ok(counts)
    }

    /// Gives the import up: nothing of it is ever seen, and its rows are removed.
    pub async fn abandon(self) -> StoreResult<()> {
        match self.mode {
            // Dropped, the transaction is rolled back.
            Mode::Whole(tx) => {
                drop(tx);
                Ok(())
            }
            Mode::Staged { id } => {
                self.store.discard_import(&id, i64::MAX).await?;
                Ok(())
            }
        }
    }
}

/// The one small transaction after which a staged import's rows are seen.
async fn make_live(store: &Store, id: &str) -> StoreResult<()> {
    let mut tx = store.begin_write().await?;
    let flipped = sqlx::query(
        "UPDATE subscriber_imports SET state = 'live', finished_at = $2 \
         WHERE id = $1 AND state = 'staging'",
    )
    .bind(id)
    .bind(ms(Utc::now()))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if flipped == 0 {
        return Err(given_up());
    }
    tx.commit().await?;
    Ok(())
}

fn given_up() -> StoreError {
    StoreError::Conflict {
        field: "import".into(),
        message: format!(
            "this import was given up after {} s without progress, and its rows removed; run it again",
            ABANDONED_AFTER.as_secs()
        ),
    }
}

/// Unix ms before which an import's last write means it was abandoned (wall clock: this is
/// about processes, not about the service's notion of time).
fn cutoff(abandoned_after: Duration) -> i64 {
    ms(Utc::now()) - i64::try_from(abandoned_after.as_millis()).unwrap_or(i64::MAX)
}

/// Pauses after a staged transaction that took since `started`, within [`BREATHER`].
async fn breathe(started: Instant) {
    tokio::time::sleep(started.elapsed().clamp(BREATHER.0, BREATHER.1)).await;
}

/// Inserts rows not already present, marked with `import_id`; returns how many it inserted.
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: &[NewSubscriber],
    import_id: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        inserted += insert_statement(conn, backend, chunk, import_id, now).await?;
    }
    Ok(inserted)
}

/// Bound values per row of [`insert_statement`].
const VALUES_PER_ROW: usize = 10;

/// `(?, ?, …), (?, ?, …)…` (or `$1, $2…`) for `rows` rows of `width` values, in order.
fn values_list(
    backend: Backend,
    rows: usize,
    width: usize,
    row: impl Fn(&[String]) -> String,
) -> String {
    (0..rows)
        .map(|r| {
            let p: Vec<String> = (1..=width)
                .map(|k| backend.placeholder(r * width + k))
                .collect();
            row(&p)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn insert_statement(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: &[NewSubscriber],
    import_id: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let ids: Vec<SubscriberId> = rows.iter().map(|_| SubscriberId::generate()).collect();
    let values = values_list(backend, rows.len(), VALUES_PER_ROW, |p| {
        format!(
            "({}, {}, {}, {}, {}, 'confirmed', {}, NULL, 0, {}, {}, {}, {})",
            p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]
        )
    });
    let sql = format!(
        "INSERT INTO subscribers (id, channel, address, language, all_services, state, source, code_hash, \
         code_attempts, manage_hash, created_at, confirmed_at, import_id) VALUES {values} \
         ON CONFLICT (channel, address) DO NOTHING RETURNING id"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (row, id) in rows.iter().zip(&ids) {
        q = q
            .bind(id.as_str())
            .bind(row.address.channel.as_str())
            .bind(&row.address.value)
            .bind(row.language.code())
            .bind(i64::from(row.services.is_none()))
            .bind(row.source)
            .bind(format!("{UNISSUED}{id}"))
            .bind(ms(now))
            .bind(ms(now))
            .bind(import_id);
    }
    let inserted: Vec<String> = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let fresh: std::collections::HashSet<&str> = inserted.iter().map(String::as_str).collect();
    let pairs: Vec<(&str, &ServiceCode)> = rows
        .iter()
        .zip(&ids)
        .filter(|(_, id)| fresh.contains(id.as_str()))
        .flat_map(|(row, id)| row.services.iter().flatten().map(move |c| (id.as_str(), c)))
        .collect();
    for chunk in pairs.chunks(400) {
        let values = values_list(backend, chunk.len(), 2, |p| format!("({}, {})", p[0], p[1]));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO subscriber_services (subscriber_id, service_code) VALUES {values}"
        )));
        for (id, code) in chunk {
            q = q.bind(*id).bind(code.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(inserted.len() as u64)
}
