//! The outbox on SQLite on a file: the delivery workers' own connection, driven through
//! rusqlite rather than sqlx, and the claims and results that run on it.
//!
//! A worker's claim and its batches of results are the only writes that run thousands of
//! times a minute. Through sqlx every statement crossed to the driver's thread and back, every
//! bound value was converted twice (`Any`, then SQLite's), and a claim's rows came back as one
//! JSON text built by SQLite and parsed again here. On this connection statements are prepared
//! once and cached, and rows are read column by column, which costs SQLite a good deal less per
//! row than the same statements through sqlx (docs/adr/0001-rusqlite-outbox-path.md).
//!
//! A transaction runs on the task's own thread when it can start at once, which is the usual
//! case: this process's writers take turns before they get here (`Store::write_turn`), so only
//! another process can hold the write lock. A claim or a batch of results then blocks the
//! thread for a fraction of a millisecond, less than handing it to a blocking thread and back
//! costs: two thread wake-ups per transaction, a noticeable share of the CPU at the rates the
//! webhook channel reaches (numbers in the ADR above). When another process holds the lock,
//! the transaction waits for it on a blocking thread instead, for up to the busy timeout, so
//! no runtime thread ever sleeps in SQLite's busy handler.
//!
//! It writes to the same file as the store's sqlx connections, and tells the checkpointer of
//! each commit, as every other write transaction does.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

use super::{
    APPLY_EARLY_RECEIPTS, Arg, Claim, ClaimedRow, DROP_APPLIED_RECEIPTS, EARLY_RECEIPTS, Finished,
    RESULT_CHUNK, ResultChunk, Statement, names_providers,
};
use crate::store::{Store, StoreError, StoreResult, ms};

/// Statements kept prepared: a claim and its lease per channel and size, and the results'
/// statements for each power-of-two chunk (see [`RESULT_CHUNK`]).
const CACHED_STATEMENTS: usize = 64;

#[derive(Clone)]
pub(in crate::store) struct Lite {
    conn: Arc<Mutex<Slot>>,
    /// How long a transaction waits for another process's write lock.
    busy_timeout: Duration,
    /// The database file, to open the connection again (see [`Slot::Broken`]).
    path: PathBuf,
}

enum Slot {
    Open(rusqlite::Connection),
    /// A transaction could not be ended (see [`Lite::run`]): the connection was closed, and
    /// the next transaction opens another.
    Broken,
    Closed,
}

impl Lite {
    /// Opens the database file the store's pool has already created and migrated.
    pub(in crate::store) fn open(path: &Path, busy_timeout: Duration) -> anyhow::Result<Lite> {
        Ok(Lite {
            conn: Arc::new(Mutex::new(Slot::Open(connect(path)?))),
            busy_timeout,
            path: path.to_path_buf(),
        })
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction, committed if it returns `Ok`: here if
    /// the write lock is free, else on a blocking thread that waits for it. The caller holds
    /// this process's write turn.
    async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction) -> StoreResult<T> + Send + 'static,
    {
        let work = match self.run(None, work) {
            Attempt::Done(out) => return out,
            Attempt::Busy(work) => work,
        };
        let (lite, wait) = (self.clone(), self.busy_timeout);
        tokio::task::spawn_blocking(move || match lite.run(Some(wait), work) {
            Attempt::Done(out) => out,
            Attempt::Busy(_) => Err(StoreError::Other(anyhow::anyhow!(
                "the database stayed locked by another process for {} s",
                wait.as_secs_f64()
            ))),
        })
        .await
        .map_err(|e| StoreError::Other(anyhow::anyhow!("the delivery connection's task: {e}")))?
    }

    /// One try: `Busy` gives `work` back, not run, when the write lock was not had within
    /// `wait`. With no `wait` (on a runtime thread) nothing is waited for, not even the
    /// connection itself (held by a transaction that is waiting for another process, say).
    fn run<T, F>(&self, wait: Option<Duration>, work: F) -> Attempt<T, F>
    where
        F: FnOnce(&rusqlite::Transaction) -> StoreResult<T>,
    {
        let locked = match wait {
            Some(_) => self.conn.lock().map_err(|_| ()),
            None => match self.conn.try_lock() {
                Ok(guard) => Ok(guard),
                Err(std::sync::TryLockError::WouldBlock) => return Attempt::Busy(work),
                Err(std::sync::TryLockError::Poisoned(_)) => Err(()),
            },
        };
        let Ok(mut guard) = locked else {
            return Attempt::Done(Err(StoreError::Other(anyhow::anyhow!(
                "the delivery connection was poisoned"
            ))));
        };
        if matches!(*guard, Slot::Broken) {
            match connect(&self.path) {
                Ok(conn) => *guard = Slot::Open(conn),
                Err(e) => return Attempt::Done(Err(StoreError::Unavailable(e))),
            }
        }
        let Slot::Open(conn) = &mut *guard else {
            return Attempt::Done(Err(StoreError::Other(anyhow::anyhow!(
                "the store is closed"
            ))));
        };
        if let Err(e) = conn.busy_timeout(wait.unwrap_or(Duration::ZERO)) {
            return Attempt::Done(Err(lite_error(e)));
        }
        let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                return Attempt::Busy(work);
            }
            Err(e) => return Attempt::Done(Err(lite_error(e))),
        };
        let out = work(&tx).and_then(|out| {
            tx.commit().map_err(lite_error)?;
            Ok(out)
        });
        // A transaction that failed is rolled back as it is dropped, unless SQLite already
        // ended it (a full disk, an I/O error). Should one still be open, a checked ROLLBACK
        // ends it; failing that, the connection is closed rather than used inside it.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            tracing::warn!(
                "the delivery connection stayed inside a failed transaction; reopening it"
            );
            *guard = Slot::Broken;
        }
        Attempt::Done(out)
    }

    pub(in crate::store) fn close(&self) {
        if let Ok(mut conn) = self.conn.lock() {
            *conn = Slot::Closed;
        }
    }
}

/// The delivery connection, with its pragmas and its statement cache.
fn connect(path: &Path) -> anyhow::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {} for the delivery workers", path.display()))?;
    // As the writer's connection: the WAL is checkpointed in the background after each
    // commit, and this limit is only a backstop (see `store::checkpoint_in_background`).
    // Temporary files in memory: each multi-row UPDATE of a transaction keeps the pages it
    // changes in a statement journal (to undo just that statement if it fails), and past
    // 64 KiB SQLite spills it to a file of its own in /var/tmp, created, written and
    // deleted for most claims and batches of results: file-system work on the hot path for
    // nothing (docs/adr/0001-rusqlite-outbox-path.md). A statement here changes at most a
    // claim's rows (`delivery.batch_size`) or 128 results, so the journal stays under a
    // megabyte.
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
         PRAGMA wal_autocheckpoint = {}; PRAGMA temp_store = MEMORY;",
        crate::store::CHECKPOINT_BACKSTOP_PAGES
    ))?;
    conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
    Ok(conn)
}

enum Attempt<T, F> {
    Done(StoreResult<T>),
    Busy(F),
}

fn lite_error(e: rusqlite::Error) -> StoreError {
    let unavailable = e
        .sqlite_error()
        .is_some_and(|f| crate::store::SQLITE_UNAVAILABLE.contains(&(f.extended_code & 0xff)));
    if unavailable {
        StoreError::Unavailable(anyhow::Error::new(e))
    } else {
        StoreError::Other(anyhow::Error::new(e))
    }
}

impl Store {
    /// Runs `work` as one write transaction on the delivery workers' SQLite connection, in
    /// this process's turn, and tells the checkpointer of the commit.
    async fn lite_write<T, F>(&self, lite: &Lite, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction) -> StoreResult<T> + Send + 'static,
    {
        let turn = self.write_turn().await;
        let out = lite.write(work).await;
        drop(turn);
        if out.is_ok() {
            self.tell_checkpointer();
        }
        out
    }
}

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match *self {
            Arg::Int(Some(v)) => ToSqlOutput::Owned(Value::Integer(v)),
            Arg::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::Int(None) | Arg::Text(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

impl Statement<'_> {
    /// Runs it on the delivery workers' SQLite connection, prepared once per text.
    fn execute_lite(&self, tx: &rusqlite::Transaction) -> StoreResult<u64> {
        let mut st = tx.prepare_cached(&self.sql).map_err(lite_error)?;
        let n = st
            .execute(rusqlite::params_from_iter(&self.args))
            .map_err(lite_error)?;
        Ok(n as u64)
    }
}

impl ClaimedRow {
    /// From the SQLite claim's columns: the row's rowid first, then [`super::claim_fields`].
    fn of_lite(r: &rusqlite::Row) -> rusqlite::Result<(i64, ClaimedRow)> {
        Ok((
            r.get(0)?,
            ClaimedRow {
                id: r.get(1)?,
                notice_id: r.get(2)?,
                update_id: r.get(3)?,
                sequence: r.get(4)?,
                event: r.get(5)?,
                language: r.get(6)?,
                attempt: r.get(7)?,
                tries: r.get(8)?,
                subscriber_id: r.get(9)?,
                endpoint_id: r.get(10)?,
                reference: r.get(11)?,
                address: r.get(12)?,
            },
        ))
    }
}

/// [`Store::claim_deliveries`] on this connection: the rows' columns are read as they are,
/// with each row's rowid, by which the lease and later its result find it.
pub(super) async fn claim(
    store: &Store,
    lite: &Lite,
    c: &Claim<'_>,
) -> StoreResult<Vec<(i64, ClaimedRow)>> {
    let columns: Vec<&str> = std::iter::once("d.rowid")
        .chain(c.fields.iter().map(|(_, e)| *e))
        .collect();
    let select = c.due(&columns.join(", "));
    // Leased by rowid, which the claim has just read in the same transaction: no
    // lookup of each id in the primary key's index.
    let lease = c.lease("rowid");
    let (channel, owner) = (c.channel.to_string(), c.owner.to_string());
    let (now, lease_until) = (c.now, c.lease_until);
    store
        .lite_write(lite, move |tx| {
            let mut st = tx.prepare_cached(&select).map_err(lite_error)?;
            let rows: Vec<(i64, ClaimedRow)> = st
                .query_map(rusqlite::params![channel, ms(now)], ClaimedRow::of_lite)
                .and_then(|rows| rows.collect())
                .map_err(lite_error)?;
            if !rows.is_empty() {
                let keys = serde_json::to_string(&rows.iter().map(|r| r.0).collect::<Vec<_>>())
                    .map_err(anyhow::Error::new)?;
                tx.prepare_cached(&lease)
                    .and_then(|mut st| st.execute(rusqlite::params![owner, lease_until, keys]))
                    .map_err(lite_error)?;
            }
            Ok(rows)
        })
        .await
}

/// [`Store::finish_deliveries`] on this connection: the results move to the connection's
/// thread, and the same statements as through the pool run there.
pub(super) async fn finish(
    store: &Store,
    lite: &Lite,
    worker: &str,
    done: &[Finished],
    now: i64,
) -> StoreResult<()> {
    let backend = store.backend;
    let (done, worker) = (done.to_vec(), worker.to_string());
    store
        .lite_write(lite, move |tx| {
            for chunk in done.chunks(RESULT_CHUNK) {
                let chunk = ResultChunk::new(backend, chunk, &worker, now);
                let matched = chunk.update().execute_lite(tx)?;
                if chunk.needs_attempts(matched) {
                    chunk.attempts().execute_lite(tx)?;
                }
            }
            if names_providers(&done) {
                let early: i64 = tx
                    .query_row(EARLY_RECEIPTS, [], |r| r.get(0))
                    .map_err(lite_error)?;
                if early > 0 {
                    tx.execute(APPLY_EARLY_RECEIPTS, []).map_err(lite_error)?;
                    tx.execute(DROP_APPLIED_RECEIPTS, []).map_err(lite_error)?;
                }
            }
            Ok(())
        })
        .await
}
