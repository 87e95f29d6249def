//! Database access through sqlx's `Any` driver, so SQLite and PostgreSQL run the same SQL.
//! On SQLite the delivery workers' claims and results, the writes that run thousands of times
//! a minute, run the same statements through rusqlite on a connection of their own
//! ([`outbox`]).
//!
//! Queries use `$1` placeholders (both backends accept them) and only portable types: text,
//! 64-bit integers (times are unix milliseconds) and NULL. What differs between backends is
//! kept in [`Backend`]: how a write transaction begins and how a row is locked for update.

mod accounts;
mod audit;
mod endpoints;
mod forms;
mod idempotency;
mod imports;
mod notices;
mod outbox;
mod schedule;
mod services;
mod sql;
mod subscribers;
mod tokens;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// The old path of [`crate::crypto::random_token`], kept while web/console.rs still uses it.
pub use crate::crypto::random_token;
pub use accounts::{
    LOCKOUT_MINUTES, LoginError, MAX_FAILED_LOGINS, SESSION_HOURS_SECS, Session, User,
    check_password,
};
pub use audit::{Audit, AuditEntry};
pub use endpoints::{
    Attempt, Biller, DeliveryCursor, Endpoint, EndpointSettings, SigningMaterial, WebhookDelivery,
};
pub use forms::REPLAYED_FIELD;
pub use idempotency::{Claim, KeptAnswer};
pub use imports::{ABANDONED_AFTER, Import};
pub use notices::{
    Applied, Change, Decide, NewNotice, NoticeFilter, NoticePatch, Once, Queued, fingerprint,
};
pub use outbox::{Claimed, Finish, Finished, Progress, QueueDepth};
pub use schedule::Due;
pub use subscribers::{CapHit, Caps, CodeCheck, NewSubscriber, SignUp, SubState, Subscriber};
pub use tokens::{ApiToken, Role};

/// Errors a caller can act on; everything else is `Other`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error(transparent)]
    Refused(#[from] crate::domain::Refused),
    /// Field-level problems found while checking a change (e.g. an SMS over its budget).
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<crate::domain::FieldError>),
    /// A console form's one-time token was claimed before: the form was sent already, and
    /// this submission did nothing.
    #[error("this form was sent already")]
    Replayed,
    /// The database cannot serve just now: it cannot be reached (PostgreSQL is down, or no
    /// connection came within the pool's wait) or it cannot write (a full disk, an I/O error,
    /// locked by another process past the busy timeout). Nothing is wrong with the request;
    /// it may be tried again.
    #[error("the database is unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            StoreError::Unavailable(anyhow::Error::new(e))
        } else {
            StoreError::Other(anyhow::Error::new(e))
        }
    }
}

/// Whether an error means the database is out of reach or cannot write, rather than that a
/// statement was wrong: no connection (refused, reset, timed out, TLS), PostgreSQL's
/// connection, shutdown and resource classes (08, 57P, 53: a full disk there too), SQLite's
/// busy, locked, read-only, I/O, corrupt, full and cannot-open codes.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => {
            if let Some(pg) = d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                let code = pg.code();
                code.starts_with("08") || code.starts_with("57P") || code.starts_with("53")
            } else if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                let primary = d.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0) & 0xff;
                SQLITE_UNAVAILABLE.contains(&primary)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// SQLite's primary result codes that mean it cannot serve now: busy, locked, read-only, I/O
/// error, corrupt, full, cannot open, not a database.
const SQLITE_UNAVAILABLE: [i32; 8] = [5, 6, 8, 10, 11, 13, 14, 26];

/// [`is_unavailable`] for an error that carries a database error somewhere in its causes.
pub fn caused_by_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<sqlx::Error>().is_some_and(is_unavailable)
            || c.downcast_ref::<StoreError>()
                .is_some_and(|s| matches!(s, StoreError::Unavailable(_)))
    })
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// SQLite must take its write lock at BEGIN: a deferred transaction that reads first and
    /// writes later can fail with SQLITE_BUSY when another connection wrote in between.
    fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Serialises a check-then-insert across connections (SQLite's IMMEDIATE lock already does).
    fn serialise(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("SELECT pg_advisory_xact_lock(727001)"),
        }
    }

    /// Orders delivery reports against the recording of sends, so a report that arrives while
    /// its send is being recorded is applied by one or the other, never by neither.
    fn lock_receipts(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("SELECT pg_advisory_xact_lock(727002)"),
        }
    }

    /// The `n`th bind parameter (from 1) in a statement whose parameters are all written in
    /// order: numbered on PostgreSQL, anonymous on SQLite.
    fn placeholder(self, n: usize) -> String {
        match self {
            Backend::Sqlite => "?".into(),
            Backend::Postgres => format!("${n}"),
        }
    }

    /// Lets several workers claim side by side, each skipping rows another has locked
    /// (SQLite has one writer at a time anyway).
    fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// The strings of a JSON array bound as parameter `n`, as a one-column query: a list of
    /// ids is then one bound value, not one per id.
    fn json_texts(self, n: usize) -> String {
        match self {
            Backend::Sqlite => format!("SELECT value FROM json_each(${n})"),
            Backend::Postgres => format!("SELECT json_array_elements_text(${n}::json)"),
        }
    }

    /// One JSON text holding an array of one object per row: `fields` are (key, expression)
    /// pairs. Rows read this way cross from the driver's thread as one value, not one per field.
    fn json_rows(self, fields: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = fields.iter().map(|(k, e)| format!("'{k}', {e}")).collect();
        match self {
            Backend::Sqlite => format!("json_group_array(json_object({}))", pairs.join(", ")),
            Backend::Postgres => format!(
                "COALESCE(json_agg(json_build_object({})), '[]')::text",
                pairs.join(", ")
            ),
        }
    }

    /// Row lock for read-modify-write of one notice (SQLite's IMMEDIATE lock covers it).
    fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// How long a query waits for a pooled connection. PostgreSQL is across a network: when
    /// it is down, a request is answered "unavailable" within [`POSTGRES_ACQUIRE_TIMEOUT`]
    /// instead of after the whole `database.connect_timeout` (which bounds the wait at start).
    /// A SQLite connection is a file that is always there; waiting means the pool is busy.
    fn acquire_timeout(self, connect_timeout: Duration) -> Duration {
        match self {
            Backend::Sqlite => connect_timeout,
            Backend::Postgres => POSTGRES_ACQUIRE_TIMEOUT.min(connect_timeout),
        }
    }
}

/// Free space on the disk of a SQLite database below which it is full for
/// [`Store::check_writable`]: a write of any size may fail there.
const MIN_FREE_BYTES: u64 = 1024 * 1024;

/// See [`Backend::acquire_timeout`]: short enough to answer within two seconds.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// How long a SQLite writer waits for the lock: `PRAGMA busy_timeout`, and the wait for a
/// writer's turn in this process.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where [`WriteTx`] runs: on SQLite a pool of one connection, on PostgreSQL `pool`.
    writer: AnyPool,
    backend: Backend,
    /// How every change re-plans its reminders (none until [`Store::with_schedule_policy`]).
    schedule: std::sync::Arc<crate::domain::schedule::Policy>,
    /// SQLite's writers in this process take turns here (see [`WriteTx`]).
    write_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// SQLite: the WAL's checkpoints, told of every committed write.
    checkpoints: Option<Checkpoints>,
    /// SQLite on a file: the delivery workers' own connection (see [`outbox`]).
    lite: Option<outbox::Lite>,
    /// SQLite on a file: the directory the database is in, whose free space
    /// [`Store::check_writable`] looks at.
    directory: Option<std::path::PathBuf>,
}

/// Where SQLite's WAL is checkpointed from (see [`checkpoint_in_background`]).
#[derive(Clone)]
struct Checkpoints {
    written: tokio::sync::mpsc::Sender<()>,
    pool: AnyPool,
}

/// A write transaction. On SQLite this process's writers queue for their turn (fairly, in
/// order) before `BEGIN IMMEDIATE`, instead of meeting SQLITE_BUSY and sleeping in SQLite's
/// busy handler, whose naps (1, 2, 5, 10… ms) cost a delivery worker's claim more than the
/// claim itself whenever the result recorder was committing. Other processes on the same file
/// still meet the busy handler; a turn not given within the busy timeout is not waited for.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    written: Option<tokio::sync::mpsc::Sender<()>>,
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        if let Some(written) = &self.written {
            // One signal waiting is enough: the checkpoint after it covers this commit too.
            let _ = written.try_send(());
        }
        Ok(())
    }
}

impl Store {
    /// Connects (creating a SQLite file on first start) without migrating.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Store> {
        Store::connect_with_timeout(url, max_connections, Duration::from_secs(10)).await
    }

    pub async fn connect_with_timeout(
        url: &str,
        max_connections: u32,
        timeout: Duration,
    ) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let mut url = url.to_string();
            if !url.contains("mode=") {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str("mode=rwc");
            }
            (Backend::Sqlite, url)
        } else {
            (Backend::Postgres, url.to_string())
        };
        let options = AnyConnectOptions::from_str(&url)
            .with_context(|| "database.url: cannot be parsed".to_string())?;
        let max = match backend {
            // Writers serialise on SQLite anyway; a few connections let reads overlap one write.
            Backend::Sqlite => max_connections.min(4),
            Backend::Postgres => max_connections,
        };
        // `backstop`: the writer's connection, whose WAL is checkpointed in the background
        // (see `checkpoint_in_background`); the others keep SQLite's own checkpoints for the
        // few single statements that write on them.
        let pool_of = |max: u32, backstop: bool| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(backend.acquire_timeout(timeout))
                // A SQLite connection is a file, not a socket that can drop: no ping (a trip
                // to its thread and back) before every use.
                .test_before_acquire(backend == Backend::Postgres)
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {}; \
                                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;{}",
                                SQLITE_BUSY_TIMEOUT.as_millis(),
                                if backstop {
                                    format!(
                                        " PRAGMA wal_autocheckpoint = {CHECKPOINT_BACKSTOP_PAGES};"
                                    )
                                } else {
                                    String::new()
                                }
                            )))
                            .await?;
                        }
                        Ok(())
                    })
                })
                .connect_lazy_with(options.clone())
        };
        let cannot = || format!("cannot connect to the database ({})", redact(&url));
        let pool = pool_of(max, false);
        reachable(&pool, timeout).await.with_context(cannot)?;
        // SQLite: the write transactions take turns on one connection of their own. Its page
        // cache then stays valid from one write to the next (a connection's cache is dropped
        // whenever another connection has written), instead of each write on another of the
        // pool's connections reading back the pages the previous one changed.
        let writer = match backend {
            Backend::Sqlite => pool_of(1, true),
            Backend::Postgres => pool.clone(),
        };
        let checkpoints = match backend {
            Backend::Sqlite => {
                let (written, commits) = tokio::sync::mpsc::channel(1);
                let pool = pool_of(1, false);
                tokio::spawn(checkpoint_in_background(pool.clone(), commits));
                Some(Checkpoints { written, pool })
            }
            Backend::Postgres => None,
        };
        // A file the pool has opened (an in-memory database has none to share).
        let (lite, directory) = match backend {
            Backend::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
                    .with_context(|| "database.url: cannot be parsed".to_string())?;
                let path = options.get_filename();
                if path.is_file() {
                    let directory = path.parent().map(|d| match d.as_os_str().is_empty() {
                        true => std::path::PathBuf::from("."),
                        false => d.to_path_buf(),
                    });
                    (
                        Some(outbox::Lite::open(path, SQLITE_BUSY_TIMEOUT)?),
                        directory,
                    )
                } else {
                    (None, None)
                }
            }
            Backend::Postgres => (None, None),
        };
        Ok(Store {
            pool,
            writer,
            backend,
            schedule: Default::default(),
            write_turn: Default::default(),
            checkpoints,
            lite,
            directory,
        })
    }

    /// Connects and applies pending migrations.
    pub async fn open(url: &str, max_connections: u32) -> anyhow::Result<Store> {
        let store = Store::connect(url, max_connections).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects as the configuration says and applies pending migrations.
    pub async fn open_configured(db: &crate::config::Database) -> anyhow::Result<Store> {
        let timeout = Duration::from_secs(u64::from(db.connect_timeout.max(1)));
        use secrecy::ExposeSecret;
        let url = db.url.expose_secret();
        let store = Store::connect_with_timeout(url, db.max_connections, timeout).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .context("applying database migrations")?;
        Ok(())
    }

    /// The reminder offsets and quiet hours changes plan with.
    pub fn with_schedule_policy(mut self, policy: crate::domain::schedule::Policy) -> Store {
        self.schedule = std::sync::Arc::new(policy);
        self
    }

    /// The reminder offsets and quiet hours this store plans with.
    pub fn schedule_policy(&self) -> &crate::domain::schedule::Policy {
        &self.schedule
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(lite) = &self.lite {
            lite.close();
        }
        self.pool.close().await;
        self.writer.close().await;
        if let Some(c) = &self.checkpoints {
            c.pool.close().await;
        }
    }

    /// Grows with every committed change to public data.
    pub async fn revision(&self) -> anyhow::Result<i64> {
        let value: i64 = sqlx::query_scalar("SELECT value FROM revision WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(value)
    }

    async fn begin_write(&self) -> StoreResult<WriteTx> {
        let turn = self.write_turn().await;
        self.begin_write_in(turn).await
    }

    /// [`Store::begin_write`] once this process's turn to write (if any) is had.
    async fn begin_write_in(
        &self,
        turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    ) -> StoreResult<WriteTx> {
        let conn = self.writer_connection().await?;
        let begin = sqlx::SqlSafeStr::into_sql_str(self.backend.begin_write());
        Ok(WriteTx {
            _turn: turn,
            tx: sqlx::Transaction::begin(conn, Some(begin)).await?,
            written: self.checkpoints.as_ref().map(|c| c.written.clone()),
        })
    }

    /// A connection of the writer's pool that is not inside a transaction.
    ///
    /// SQLite ends a transaction by itself on some errors (a full disk, an I/O error): sqlx
    /// still counts it open, its ROLLBACK at the end fails for want of a transaction, and the
    /// connection went back to the pool refusing every later BEGIN ("attempted to call
    /// begin_with at non-zero transaction depth") until the process restarted. Such a
    /// connection is closed here, and the pool opens a fresh one.
    async fn writer_connection(&self) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        use sqlx::Connection;
        for _ in 0..4 {
            let conn = self.writer.acquire().await?;
            if !conn.is_in_transaction() {
                return Ok(conn);
            }
            tracing::warn!(
                "a database connection came back inside a failed transaction; reopening it"
            );
            let _ = conn.close().await;
        }
        Err(StoreError::Other(anyhow::anyhow!(
            "the database's connections keep coming back inside a transaction"
        )))
    }

    /// Whether a write can begin and commit now, within `within`: what `/readyz` answers.
    /// It writes one row of its own ([`begin_write`](Store::begin_write), an `UPDATE`, a
    /// commit), so a dropped PostgreSQL, a file locked by another process or a connection
    /// that cannot write shows, each with its reason. On SQLite, this process's own writers
    /// queued ahead (a fan-out to a million) are not a fault: if the probe's turn does not
    /// come within `within`, writes are taken to work, as the ones ahead of it are writing.
    ///
    /// On a full disk a one-row write can still succeed (SQLite reuses its write-ahead log)
    /// while any larger one fails, so for SQLite the free space where the database is counts
    /// too: under [`MIN_FREE_BYTES`] is not ready.
    pub async fn check_writable(&self, within: Duration) -> Result<(), String> {
        if let Some(directory) = &self.directory
            && let Ok(disk) = rustix::fs::statvfs(directory)
        {
            let free = disk.f_bavail.saturating_mul(disk.f_frsize);
            if free < MIN_FREE_BYTES {
                return Err(format!(
                    "the disk holding the database is full ({} KiB free)",
                    free / 1024
                ));
            }
        }
        let started = tokio::time::Instant::now();
        let turn = match self.backend {
            Backend::Sqlite => {
                match tokio::time::timeout(within, self.write_turn.clone().lock_owned()).await {
                    Ok(turn) => Some(turn),
                    Err(_) => return Ok(()),
                }
            }
            Backend::Postgres => None,
        };
        let probe = async {
            let mut tx = self.begin_write_in(turn).await?;
            sqlx::query("UPDATE write_probe SET checked_at = $1 WHERE id = 1")
                .bind(ms(Utc::now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            StoreResult::Ok(())
        };
        match tokio::time::timeout_at(started + within, probe).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(match e {
                StoreError::Unavailable(e) | StoreError::Other(e) => format!("{e:#}"),
                e => e.to_string(),
            }),
            Err(_) => Err(format!(
                "a write could not begin within {} ms",
                within.as_millis()
            )),
        }
    }

    /// Tells the checkpointer (SQLite) of a commit made outside [`WriteTx`].
    fn tell_checkpointer(&self) {
        if let Some(c) = &self.checkpoints {
            let _ = c.written.try_send(());
        }
    }

    /// On SQLite, this process's turn to write (see [`WriteTx`]).
    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.backend {
            Backend::Sqlite => {
                tokio::time::timeout(SQLITE_BUSY_TIMEOUT, self.write_turn.clone().lock_owned())
                    .await
                    .ok()
            }
            Backend::Postgres => None,
        }
    }
}

/// How long after a commit the WAL is checkpointed, so that a burst of commits (a delivery
/// worker's claims and results) shares one checkpoint.
const CHECKPOINT_AFTER: Duration = Duration::from_millis(100);

/// WAL pages after which the writer's connection checkpoints by itself, SQLite's own way:
/// only a backstop for when [`checkpoint_in_background`] cannot keep up (SQLite's default,
/// which the other connections keep, is 1,000 pages).
const CHECKPOINT_BACKSTOP_PAGES: u32 = 10_000;

/// Copies the WAL's committed pages back into the database file, on a connection of its own,
/// [`CHECKPOINT_AFTER`] a commit. SQLite otherwise does it in whichever commit finds the WAL
/// past 1,000 pages: on the one writer connection every write of this process waits for, which
/// then also waits for the checkpoint's two fsyncs, and so do a delivery worker's claims
/// queued behind it (docs/adr/0002-wal-checkpointer.md). A passive checkpoint
/// runs beside the writer and never blocks it. Ends when the store is closed or every clone of
/// it is gone.
async fn checkpoint_in_background(pool: AnyPool, mut commits: tokio::sync::mpsc::Receiver<()>) {
    // Whether the last checkpoint left frames behind (a reader still needed them).
    let mut unfinished = false;
    loop {
        if !unfinished && commits.recv().await.is_none() {
            break;
        }
        tokio::time::sleep(CHECKPOINT_AFTER).await;
        // Commits until now are covered by the checkpoint below; later ones signal again.
        while commits.try_recv().is_ok() {}
        if pool.is_closed() {
            break;
        }
        unfinished = match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await
        {
            Ok((_busy, frames, copied)) => copied < frames,
            Err(e) => {
                tracing::warn!(error = %e, "cannot checkpoint the SQLite WAL; SQLite will when it reaches its limit");
                false
            }
        };
    }
    pool.close().await;
}

/// Waits until the database lets `pool` connect, at most `timeout` (`database.connect_timeout`):
/// a server that refuses connections, is still starting or is not reached yet is tried again;
/// anything else (a wrong password, a bad path) fails at once.
async fn reachable(pool: &AnyPool, timeout: Duration) -> Result<(), sqlx::Error> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let attempt = tokio::time::timeout_at(deadline, pool.acquire()).await;
        match attempt {
            Ok(Ok(_conn)) => return Ok(()),
            Ok(Err(e)) if !worth_retrying(&e) => return Err(e),
            Ok(Err(e)) if tokio::time::Instant::now() + RETRY_CONNECT >= deadline => {
                return Err(e);
            }
            Err(_) => return Err(sqlx::Error::PoolTimedOut),
            Ok(Err(_)) => tokio::time::sleep(RETRY_CONNECT).await,
        }
    }
}

fn worth_retrying(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => d
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .is_some_and(|pg| pg.code() == "57P03"),
        _ => false,
    }
}

/// Pause between tries to reach the database at start.
const RETRY_CONNECT: Duration = Duration::from_millis(250);

async fn bump_revision(tx: &mut sqlx::AnyConnection) -> StoreResult<()> {
    sqlx::query("UPDATE revision SET value = value + 1 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

/// A typed id (`NoticeId`, `EndpointId`…) read from a text column: the domain's ids know
/// nothing of the database, so rows hand them over as strings.
pub(crate) fn id_at<T: From<String>>(row: &sqlx::any::AnyRow, col: &str) -> Result<T, sqlx::Error> {
    use sqlx::Row;
    Ok(T::from(row.try_get::<String, _>(col)?))
}

/// A nullable typed id column.
pub(crate) fn opt_id_at<T: From<String>>(
    row: &sqlx::any::AnyRow,
    col: &str,
) -> Result<Option<T>, sqlx::Error> {
    use sqlx::Row;
    Ok(row.try_get::<Option<String>, _>(col)?.map(T::from))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_foreign_key_violation())
}
