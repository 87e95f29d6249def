//! The delivery workers' own SQLite connection, driven through rusqlite rather than sqlx.
//!
//! A worker's claim and its batches of results are the only writes that run thousands of
//! times a minute. Through sqlx every statement crosses to the driver's thread and back, every
//! bound value is converted twice (`Any`, then SQLite's), and a claim's rows came back as one
//! JSON text built by SQLite and parsed again here. On this connection a whole transaction (a
//! claim, or a batch of results) is one trip to a blocking thread, statements are prepared
//! once and cached, and rows are read column by column: in SQLite alone a webhook's claim,
//! lease and result took 8.3–9.6 µs instead of 11.1–12.0 (30,000 webhooks, 3 runs of each in
//! turn).
//!
//! It writes to the same file as the store's sqlx connections, so it takes its turn with
//! them (`Store::write_turn`) before `BEGIN IMMEDIATE`, and tells the checkpointer of each
//! commit, as every other write transaction does.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;

use super::{StoreError, StoreResult};

/// Statements kept prepared: a claim and its lease per channel and size, and the results'
/// statements for each power-of-two chunk (see `outbox::RESULT_CHUNK`).
const CACHED_STATEMENTS: usize = 64;

#[derive(Clone)]
pub(super) struct Lite {
    /// `None` once the store is closed.
    conn: Arc<Mutex<Option<rusqlite::Connection>>>,
}

impl Lite {
    /// Opens the database file the store's pool has already created and migrated.
    pub(super) fn open(path: &Path, busy_timeout: std::time::Duration) -> anyhow::Result<Lite> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open {} for the delivery workers", path.display()))?;
        conn.busy_timeout(busy_timeout)?;
        // As the writer's connection: the WAL is checkpointed in the background after each
        // commit, and this limit is only a backstop (see `store::checkpoint_in_background`).
        conn.execute_batch(&format!(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
             PRAGMA wal_autocheckpoint = {};",
            super::CHECKPOINT_BACKSTOP_PAGES
        ))?;
        conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        Ok(Lite {
            conn: Arc::new(Mutex::new(Some(conn))),
        })
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on a blocking thread, committed if it
    /// returns `Ok`. The caller holds the write turn.
    pub(super) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction) -> StoreResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| anyhow::anyhow!("the delivery connection was poisoned"))?;
            let conn = guard
                .as_mut()
                .ok_or_else(|| anyhow::anyhow!("the store is closed"))?;
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(lite_error)?;
            let out = work(&tx)?;
            tx.commit().map_err(lite_error)?;
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Other(anyhow::anyhow!("the delivery connection's task: {e}")))?
    }

    pub(super) fn close(&self) {
        if let Ok(mut conn) = self.conn.lock() {
            conn.take();
        }
    }
}

pub(super) fn lite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Other(anyhow::Error::new(e))
}
