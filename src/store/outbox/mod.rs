//! The outbox as workers see it: claim a batch under a lease, record what became of it in a
//! batch, apply providers' delivery reports, and count progress.
//!
//! A claim sets `lease_owner` and `lease_until`, and the claim passes over rows whose lease
//! has not run out, so a worker that dies leaves rows that become claimable again when its
//! lease runs out: nothing is lost, and at most the claimed-but-unrecorded rows are sent
//! twice. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes claim side by side.
//!
//! Claims and results, the statements that run thousands of times a minute, reach the
//! database one of two ways ([`Driver`], chosen once per batch): on SQLite on a file through
//! the delivery workers' own rusqlite connection ([`sqlite`]), otherwise through the store's
//! sqlx pool ([`pool`]). Both run the SQL built here; everything else is sqlx, as in the rest
//! of the store.

mod pool;
mod sqlite;

pub(super) use sqlite::Lite;

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};

use super::sql::placeholders;
use super::{Backend, Store, StoreResult, from_ms, ms};
use crate::domain::{
    DeliveryId, EndpointId, NoticeId, Receipt, SubscriberId, UpdateId, UpdateMessage,
};

/// A delivery a worker holds under its lease.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: DeliveryId,
    /// Where the row is in SQLite's table (its rowid), by which its result is written without
    /// a look-up of `id` (0 on PostgreSQL, which writes by `id`).
    pub row: i64,
    pub notice_id: NoticeId,
    /// The notice's public reference code (empty for a webhook, which does not use it).
    pub reference: String,
    pub update_id: UpdateId,
    pub sequence: i64,
    pub event: String,
    pub language: String,
    /// 1 for the first try; counts claims, so a try lost in a crash still counts.
    pub attempt: i64,
    /// Tries since the delivery was last queued again by hand (replay, recover), which the
    /// retry schedule counts; `attempt` before any such requeue.
    pub tries: i64,
    pub subscriber_id: Option<SubscriberId>,
    pub endpoint_id: Option<EndpointId>,
    /// The subscriber's address; `None` when the subscriber was erased or has unsubscribed
    /// since the fan-out. A webhook's is its endpoint's id: the channel reads the URL with
    /// the endpoint's secrets (a deleted endpoint's deliveries are not claimed).
    pub address: Option<String>,
    /// The claim that holds the row (one per `claim_deliveries` call) and when its lease ends;
    /// once it has ended another claim may hold the row, so it must not be sent under this one.
    pub lease_owner: String,
    pub lease_until: DateTime<Utc>,
}

/// What became of one claimed delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    Sent {
        provider_id: Option<String>,
    },
    /// Back to pending, to be tried at `at`.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    Failed {
        error: String,
    },
    /// Not sent on purpose (the subscriber left after the fan-out): state `cancelled`.
    Cancelled {
        reason: String,
    },
    /// Not sent and not an attempt: pending again from `at`, the claim's attempt taken back and
    /// no attempt row written (an endpoint's pause or rate limit had no room).
    Deferred {
        at: DateTime<Utc>,
        reason: String,
    },
}

/// One row for [`Store::finish_deliveries`].
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: DeliveryId,
    /// The claimed row's [`Claimed::row`].
    pub row: i64,
    pub attempt: i64,
    pub started_at: DateTime<Utc>,
    pub latency_ms: i64,
    pub finish: Finish,
    /// What an HTTP endpoint answered: status and the first KB of the body.
    pub status_code: Option<i64>,
    pub response: Option<String>,
}

/// Deliveries of one update on one channel, by state.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Progress {
    pub update_id: UpdateId,
    pub sequence: i64,
    pub event: String,
    pub channel: String,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub superseded: i64,
    pub cancelled: i64,
    /// Sent messages whose provider has since reported delivery.
    pub delivered: i64,
    pub undelivered: i64,
}

/// Queue depth of one channel, for `/metrics`.
#[derive(Debug, Clone)]
pub struct QueueDepth {
    pub channel: String,
    pub pending: i64,
    /// Of those, claimed by a worker and being sent (or sent, the result not yet recorded).
    pub in_flight: i64,
    pub oldest_created_at: Option<DateTime<Utc>>,
}

/// Rows per multi-row statement: well under both backends' parameter limits.
const CHUNK: usize = 200;
/// Results per statement of [`Store::finish_deliveries`], a power of two: 128 rows of at most
/// nine binds stay well under both backends' parameter limits.
const RESULT_CHUNK: usize = 128;

/// One result as its two statements bind it. Text loses its NUL characters, which
/// PostgreSQL's text cannot hold (a receiver's answer may have them), so that one answer
/// cannot make the whole batch's record fail.
struct ResultRow<'a> {
    id: &'a str,
    row: i64,
    attempt: i64,
    state: &'a str,
    outcome: &'a str,
    next: Option<i64>,
    started: i64,
    latency: i64,
    provider: Option<Cow<'a, str>>,
    error: Option<Cow<'a, str>>,
    status: Option<i64>,
    response: Option<Cow<'a, str>>,
}

fn without_nul(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

impl<'a> ResultRow<'a> {
    fn of(f: &'a Finished) -> ResultRow<'a> {
        let (state, outcome, next, provider, error) = match &f.finish {
            Finish::Sent { provider_id } => ("sent", "sent", None, provider_id.as_deref(), None),
            Finish::Retry { at, error } => ("pending", "retry", Some(ms(*at)), None, Some(error)),
            Finish::Failed { error } => ("failed", "failed", None, None, Some(error)),
            Finish::Cancelled { reason } => ("cancelled", "cancelled", None, None, Some(reason)),
            Finish::Deferred { at, reason } => {
                ("pending", "deferred", Some(ms(*at)), None, Some(reason))
            }
        };
        ResultRow {
            id: f.id.as_str(),
            row: f.row,
            attempt: f.attempt,
            state,
            outcome,
            next,
            started: ms(f.started_at),
            latency: f.latency_ms,
            provider: provider.map(without_nul),
            error: error.map(|e| without_nul(e)),
            status: f.status_code,
            response: f.response.as_deref().map(without_nul),
        }
    }
}

/// `WITH v(fields) AS (VALUES (…), …)`: `rows` rows of placeholders, numbered from 1 (on
/// SQLite anonymous `?`, bound in order: sqlx looks up each numbered one by name, a scan of
/// all of them, which makes a thousand binds cost a million steps).
fn values_cte(backend: Backend, fields: &[&str], rows: usize) -> String {
    let width = fields.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=width)
                .map(|c| backend.placeholder(r * width + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    format!(
        "WITH v({}) AS (VALUES {})",
        fields.join(", "),
        values.join(", ")
    )
}

/// A value bound to one of the outbox's statements, for either driver.
#[derive(Debug, Clone, Copy)]
enum Arg<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
}

/// One statement and its values, in order.
struct Statement<'a> {
    sql: String,
    args: Vec<Arg<'a>>,
}

impl<'a> Statement<'a> {
    fn of(sql: impl Into<String>, args: Vec<Arg<'a>>) -> Statement<'a> {
        Statement {
            sql: sql.into(),
            args,
        }
    }
}

/// Each result row's `fields`, in their order, as a statement of [`Store::finish_deliveries`]
/// lists them in its `VALUES` (a padding row binds NULLs).
fn result_args<'a>(rows: &'a [Option<ResultRow<'a>>], fields: &[&str], out: &mut Vec<Arg<'a>>) {
    for r in rows {
        let r = r.as_ref();
        for field in fields {
            out.push(match *field {
                "id" => Arg::Text(r.map(|r| r.id)),
                "row" => Arg::Int(r.map(|r| r.row)),
                "attempt" => Arg::Int(r.map(|r| r.attempt)),
                "state" => Arg::Text(r.map(|r| r.state)),
                "outcome" => Arg::Text(r.map(|r| r.outcome)),
                "next" => Arg::Int(r.and_then(|r| r.next)),
                "provider" => Arg::Text(r.and_then(|r| r.provider.as_deref())),
                "error" => Arg::Text(r.and_then(|r| r.error.as_deref())),
                "started" => Arg::Int(r.map(|r| r.started)),
                "latency" => Arg::Int(r.map(|r| r.latency)),
                "status" => Arg::Int(r.and_then(|r| r.status)),
                "response" => Arg::Text(r.and_then(|r| r.response.as_deref())),
                other => unreachable!("a result has no field {other}"),
            });
        }
    }
}

/// Every field of a result, as the statement for a chunk with any outcome and the attempts'
/// insert bind them; `row` only on SQLite (see [`ResultChunk::fields`]).
const RESULT_FIELDS: [&str; 12] = [
    "row", "id", "attempt", "state", "outcome", "next", "provider", "error", "started", "latency",
    "status", "response",
];

/// The fields a send has, as the statement for an all-sent chunk binds them.
const SENT_FIELDS: [&str; 8] = [
    "row", "id", "attempt", "provider", "started", "latency", "status", "response",
];

/// One chunk of results of [`Store::finish_deliveries`] and the statements that record it,
/// built the same for both drivers: the row's update, then, where [`ResultChunk::needs_attempts`]
/// says so, the attempts' insert.
struct ResultChunk<'a> {
    backend: Backend,
    /// Padded to a power of two with rows of NULLs, which match nothing, so a few statement
    /// texts (each prepared once) serve every batch size.
    rows: Vec<Option<ResultRow<'a>>>,
    len: usize,
    /// The usual chunk: every result a send.
    all_sent: bool,
    /// Whether any result is neither sent nor deferred: those always get an attempt row.
    unsent: bool,
    worker: &'a str,
    now: i64,
    /// The `VALUES` of every field, built once for whichever statements need it.
    values: std::cell::OnceCell<String>,
}

impl<'a> ResultChunk<'a> {
    fn new(backend: Backend, chunk: &'a [Finished], worker: &'a str, now: i64) -> Self {
        ResultChunk {
            backend,
            rows: chunk
                .iter()
                .map(|f| Some(ResultRow::of(f)))
                .chain(std::iter::repeat_with(|| None))
                .take(chunk.len().next_power_of_two())
                .collect(),
            len: chunk.len(),
            all_sent: chunk
                .iter()
                .all(|f| matches!(f.finish, Finish::Sent { .. })),
            unsent: chunk
                .iter()
                .any(|f| !matches!(f.finish, Finish::Sent { .. } | Finish::Deferred { .. })),
            worker,
            now,
            values: std::cell::OnceCell::new(),
        }
    }

    /// The fields this backend binds of `all`: SQLite finds each row by its rowid, which
    /// PostgreSQL does not have.
    fn fields<'f>(&self, all: &'f [&'f str]) -> &'f [&'f str] {
        match self.backend {
            Backend::Sqlite => all,
            Backend::Postgres => &all[1..],
        }
    }

    /// How the update finds a result's row: by rowid on SQLite (the id is checked too, so a
    /// row that moved, say by a VACUUM, is not matched by another's), else by id.
    fn by_row(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "deliveries.rowid = v.row AND deliveries.id = v.id",
            Backend::Postgres => "deliveries.id = v.id",
        }
    }

    fn all_values(&self) -> &str {
        self.values
            .get_or_init(|| values_cte(self.backend, self.fields(&RESULT_FIELDS), self.rows.len()))
    }

    /// The n-th placeholder after the rows' values of `fields`.
    fn after_rows(&self, fields: &[&str], n: usize) -> String {
        self.backend.placeholder(fields.len() * self.rows.len() + n)
    }

    /// The rows' update. The usual chunk is all sent: a statement that only sets, with the
    /// fields a send has, instead of choosing every column by the outcome, which costs SQLite
    /// more per row (a `CASE` per column) for the one outcome that is by far the most common.
    fn update(&self) -> Statement<'_> {
        let (sent_fields, all_fields) = (self.fields(&SENT_FIELDS), self.fields(&RESULT_FIELDS));
        let (sql, fields) = if self.all_sent {
            let sql = format!(
                "{} UPDATE deliveries SET state = 'sent', finished_at = {}, \
                   provider_id = NULLIF(v.provider, ''), error = NULL, lease_owner = NULL, \
                   lease_until = NULL, sent_worker = {}, sent_started_at = v.started, \
                   sent_latency_ms = v.latency, sent_status_code = v.status, \
                   sent_response = v.response \
                 FROM v \
                 WHERE {} AND deliveries.attempts = v.attempt \
                   AND deliveries.lease_owner IS NOT NULL",
                values_cte(self.backend, sent_fields, self.rows.len()),
                self.after_rows(sent_fields, 1),
                self.after_rows(sent_fields, 2),
                self.by_row(),
            );
            (sql, sent_fields)
        } else {
            let sent = |column: &str, value: &str| {
                format!(
                    "{column} = CASE WHEN v.outcome = 'sent' THEN {value} ELSE deliveries.{column} END"
                )
            };
            let sql = format!(
                "{} UPDATE deliveries SET \
                   state = CASE WHEN v.state = 'sent' OR deliveries.state = 'pending' THEN v.state ELSE deliveries.state END, \
                   next_attempt_at = CASE WHEN v.state = 'pending' THEN v.next ELSE deliveries.next_attempt_at END, \
                   finished_at = CASE WHEN v.state = 'sent' OR deliveries.state = 'pending' \
                     THEN CASE WHEN v.state = 'pending' THEN NULL ELSE {} END \
                     ELSE deliveries.finished_at END, \
                   provider_id = NULLIF(v.provider, ''), error = NULLIF(v.error, ''), lease_owner = NULL, lease_until = NULL, \
                   attempts = CASE WHEN v.outcome = 'deferred' THEN v.attempt - 1 ELSE deliveries.attempts END, \
                   {}, {}, {}, {}, {} \
                 FROM v \
                 WHERE {} AND deliveries.attempts = v.attempt \
                   AND deliveries.lease_owner IS NOT NULL",
                self.all_values(),
                self.after_rows(all_fields, 1),
                sent("sent_worker", &self.after_rows(all_fields, 2)),
                sent("sent_started_at", "v.started"),
                sent("sent_latency_ms", "v.latency"),
                sent("sent_status_code", "v.status"),
                sent("sent_response", "v.response"),
                self.by_row(),
            );
            (sql, all_fields)
        };
        let mut args = Vec::with_capacity(fields.len() * self.rows.len() + 2);
        result_args(&self.rows, fields, &mut args);
        args.push(Arg::Int(Some(self.now)));
        args.push(Arg::Text(Some(self.worker)));
        Statement::of(sql, args)
    }

    /// A sent attempt is kept on its delivery's row (the update); every other attempt gets a
    /// row of its own, and so does a sent one whose delivery had moved on to a newer claim
    /// (its lease ran out), which keeps that claim's result on the row: the update then
    /// matched fewer rows than the chunk has.
    fn needs_attempts(&self, matched: u64) -> bool {
        self.unsent || matched < self.len as u64
    }

    fn attempts(&self) -> Statement<'_> {
        let fields = self.fields(&RESULT_FIELDS);
        let sql = format!(
            "{} INSERT INTO delivery_attempts \
             (delivery_id, attempt, worker, started_at, latency_ms, outcome, provider_id, error, \
             status_code, response) \
             SELECT v.id, v.attempt, {}, v.started, v.latency, v.outcome, v.provider, v.error, \
             v.status, v.response FROM v WHERE v.id IS NOT NULL AND v.outcome <> 'deferred' \
             AND (v.outcome <> 'sent' OR NOT EXISTS (SELECT 1 FROM deliveries d \
               WHERE d.id = v.id AND d.attempts = v.attempt AND d.sent_started_at = v.started)) \
             ON CONFLICT DO NOTHING",
            self.all_values(),
            self.after_rows(fields, 1),
        );
        let mut args = Vec::with_capacity(fields.len() * self.rows.len() + 1);
        result_args(&self.rows, fields, &mut args);
        args.push(Arg::Text(Some(self.worker)));
        Statement::of(sql, args)
    }
}

/// Whether a batch has a send with a provider id: only such a send can have a delivery report
/// that arrived before it was recorded (a webhook has none).
fn names_providers(done: &[Finished]) -> bool {
    done.iter()
        .any(|f| matches!(&f.finish, Finish::Sent { provider_id: Some(p) } if !p.is_empty()))
}

/// Reports that arrived before their sends were recorded. Usually there are none, and then
/// this is one look at an empty table; otherwise the provider-id index finds them.
const EARLY_RECEIPTS: &str = "SELECT COUNT(*) FROM early_receipts";
const APPLY_EARLY_RECEIPTS: &str = "UPDATE deliveries SET \
     receipt = (SELECT e.status FROM early_receipts e WHERE e.provider_id = deliveries.provider_id AND e.channel = deliveries.channel), \
     receipt_at = (SELECT e.received_at FROM early_receipts e WHERE e.provider_id = deliveries.provider_id AND e.channel = deliveries.channel), \
     error = COALESCE((SELECT NULLIF(e.error, '') FROM early_receipts e WHERE e.provider_id = deliveries.provider_id AND e.channel = deliveries.channel), error) \
     WHERE provider_id IN (SELECT provider_id FROM early_receipts) \
     AND EXISTS (SELECT 1 FROM early_receipts e WHERE e.provider_id = deliveries.provider_id AND e.channel = deliveries.channel)";
const DROP_APPLIED_RECEIPTS: &str = "DELETE FROM early_receipts WHERE EXISTS (SELECT 1 FROM deliveries d \
     WHERE d.provider_id = early_receipts.provider_id AND d.channel = early_receipts.channel)";

/// What a claim reads of each row, as (name, expression), in the order the SQLite claim's
/// columns come back; `reference` and `address` depend on the channel (see
/// [`Store::claim_deliveries`]).
fn claim_fields<'a>(reference: &'a str, address: &'a str) -> [(&'static str, &'a str); 12] {
    [
        ("id", "d.id"),
        ("notice_id", "d.notice_id"),
        ("update_id", "d.update_id"),
        ("sequence", "d.sequence"),
        ("event", "d.event"),
        ("language", "d.language"),
        ("attempt", "d.attempts + 1"),
        ("tries", "d.attempts + 1 - d.retry_base"),
        ("subscriber_id", "d.subscriber_id"),
        ("endpoint_id", "d.endpoint_id"),
        ("reference", reference),
        ("address", address),
    ]
}

/// A claimed row as the claim reads it (from PostgreSQL's JSON array, or SQLite's columns in
/// the order of [`claim_fields`]).
#[derive(serde::Deserialize)]
struct ClaimedRow {
    id: String,
    notice_id: String,
    reference: String,
    update_id: String,
    sequence: i64,
    event: String,
    language: String,
    attempt: i64,
    tries: i64,
    subscriber_id: Option<String>,
    endpoint_id: Option<String>,
    address: Option<String>,
}

/// How claims and results reach the database, chosen once per batch.
enum Driver<'s> {
    /// SQLite on a file: the delivery workers' own rusqlite connection.
    Sqlite(&'s Lite),
    /// PostgreSQL, and SQLite in memory: the store's sqlx pool.
    Pool,
}

/// One claim's query, as either driver runs it.
struct Claim<'a> {
    channel: &'a str,
    now: DateTime<Utc>,
    owner: &'a str,
    lease_until: i64,
    fields: [(&'static str, &'a str); 12],
    webhook_rules: &'a str,
    limit: usize,
    backend: Backend,
}

impl Claim<'_> {
    /// The due rows, locked on PostgreSQL (skipping rows another worker holds) until the
    /// lease below is written. The limit is written into the text: SQLite plans
    /// `ORDER BY … LIMIT ?` with the bound value, so it prepared the statement again at
    /// every claim (a worker's limit does not change, so the text is prepared once).
    fn due(&self, columns: &str) -> String {
        let (webhook_rules, limit) = (self.webhook_rules, self.limit);
        format!(
            "SELECT {columns} FROM deliveries d \
             WHERE d.state = 'pending' AND d.channel = $1 AND d.next_attempt_at <= $2 \
             AND (d.lease_until IS NULL OR d.lease_until <= $2){webhook_rules} \
             ORDER BY d.next_attempt_at LIMIT {limit}{}",
            self.backend.skip_locked()
        )
    }

    /// The lease of the claimed rows, named by `key` in one JSON value (`$3`). Only columns
    /// no index holds: the row keeps its place in the claim index, and the claim above
    /// passes over it while its lease lasts (a few rounds of calls per worker). Moving
    /// `next_attempt_at` to the lease's end instead, as claims once did, moved an index entry
    /// per row and cost webhooks to an instant receiver about a tenth of their rate (8 pairs
    /// of runs).
    fn lease(&self, key: &str) -> String {
        format!(
            "UPDATE deliveries SET lease_owner = $1, lease_until = $2, \
             attempts = attempts + 1 WHERE {key} IN ({})",
            self.backend.json_texts(3)
        )
    }
}

impl Store {
    fn outbox_driver(&self) -> Driver<'_> {
        match &self.lite {
            Some(lite) => Driver::Sqlite(lite),
            None => Driver::Pool,
        }
    }

    /// Claims up to `limit` due deliveries of `channel` for `lease`, under a fresh owner token.
    /// On SQLite the claim runs on the delivery workers' own connection and reads the rows'
    /// columns as they are; on PostgreSQL the rows are read as one JSON array and leased by one
    /// UPDATE naming their ids in one JSON value, so a batch crosses the driver as two values
    /// whatever its size.
    pub async fn claim_deliveries(
        &self,
        channel: &str,
        limit: usize,
        lease: chrono::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Claimed>> {
        let owner = uuid::Uuid::now_v7().to_string();
        // Webhooks: nothing for a disabled endpoint (it waits for re-enabling), and one
        // endpoint gets a notice's updates in sequence order: a later one waits while an
        // earlier one is untried or in flight (not while it is being retried, so one bad
        // delivery cannot hold back "completed" for hours).
        // What a message needs beyond the row: its notice's reference (which labels the SMS
        // file sink's lines) and its confirmed address. A webhook needs neither: the channel
        // reads each endpoint's URL with its secrets once per batch, and the rule already
        // found the endpoint, so its id stands for the address (two lookups fewer per row, a
        // real part of what the claim's query costs SQLite).
        let (webhook_rules, reference, address) = if channel == "webhook" {
            (
                " AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.enabled = 1) \
                  AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_id = d.endpoint_id \
                    AND p.notice_id = d.notice_id AND p.state = 'pending' AND p.sequence < d.sequence \
                    AND (p.attempts = 0 OR p.lease_owner IS NOT NULL))",
                "''",
                "d.endpoint_id",
            )
        } else {
            (
                "",
                "(SELECT n.reference FROM notices n WHERE n.id = d.notice_id)",
                "(SELECT s.address FROM subscribers s WHERE s.id = d.subscriber_id \
                   AND s.state = 'confirmed')",
            )
        };
        let claim = Claim {
            channel,
            now,
            owner: &owner,
            lease_until: ms(now + lease),
            fields: claim_fields(reference, address),
            webhook_rules,
            limit,
            backend: self.backend,
        };
        let rows = match self.outbox_driver() {
            Driver::Sqlite(lite) => sqlite::claim(self, lite, &claim).await?,
            Driver::Pool => pool::claim(self, &claim).await?,
        };
        let mut claimed: Vec<Claimed> = rows
            .into_iter()
            .map(|(row, r)| Claimed {
                id: DeliveryId::from(r.id),
                row,
                notice_id: NoticeId::from(r.notice_id),
                reference: r.reference,
                update_id: UpdateId::from(r.update_id),
                sequence: r.sequence,
                event: r.event,
                language: r.language,
                attempt: r.attempt,
                tries: r.tries,
                subscriber_id: r.subscriber_id.map(SubscriberId::from),
                endpoint_id: r.endpoint_id.map(EndpointId::from),
                address: r.address,
                lease_owner: owner.clone(),
                lease_until: now + lease,
            })
            .collect();
        // Earlier updates first; rows sharing a text side by side, so a bulk SMS chunk is one
        // request rather than one per language.
        claimed.sort_by(|a, b| {
            (a.sequence, &a.update_id, &a.language).cmp(&(b.sequence, &b.update_id, &b.language))
        });
        Ok(claimed)
    }

    /// Records a batch of results and their attempts in one transaction. A result counts only
    /// while its row is still leased to the same claim (`attempts` matches): a worker whose
    /// lease ran out and was re-claimed cannot overwrite the newer claim's result. A message
    /// that went out is recorded `sent` even if a newer update superseded it meanwhile,
    /// because that is what happened.
    pub async fn finish_deliveries(
        &self,
        worker: &str,
        done: &[Finished],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        if done.is_empty() {
            return Ok(());
        }
        let now = ms(now);
        match self.outbox_driver() {
            Driver::Sqlite(lite) => sqlite::finish(self, lite, worker, done, now).await,
            Driver::Pool => pool::finish(self, worker, done, now).await,
        }
    }

    /// Gives claimed rows back untried (a worker shutting down before it sent them, or whose
    /// lease ran out before their turn came). Rows another claim has taken since are left alone.
    pub async fn release_deliveries(
        &self,
        claimed: &[Claimed],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for chunk in claimed.chunks(CHUNK) {
            let mut owners: Vec<&str> = chunk.iter().map(|c| c.lease_owner.as_str()).collect();
            owners.sort_unstable();
            owners.dedup();
            let sql = format!(
                "UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, next_attempt_at = $1, \
                 attempts = attempts - 1 WHERE lease_owner IN ({}) AND id IN ({})",
                placeholders(2, owners.len()),
                placeholders(2 + owners.len(), chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(ms(now));
            for o in owners {
                q = q.bind(o.to_string());
            }
            for c in chunk {
                q = q.bind(c.id.to_string());
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Applies a provider's delivery report to the message it names. A report naming no
    /// recorded message yet is kept and applied when its send is recorded (false is returned).
    pub async fn record_receipt(
        &self,
        channel: &str,
        receipt: &Receipt,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        if let Some(lock) = self.backend.lock_receipts() {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        // A final report is never replaced by a late interim one.
        sqlx::query(
            "UPDATE deliveries SET receipt = $1, receipt_at = $2, \
             error = CASE WHEN $3 = '' THEN error ELSE $3 END \
             WHERE provider_id = $4 AND channel = $5 \
               AND (receipt IS NULL OR receipt NOT IN ('delivered', 'undelivered'))",
        )
        .bind(&receipt.status)
        .bind(ms(now))
        .bind(receipt.error.clone().unwrap_or_default())
        .bind(&receipt.provider_id)
        .bind(channel)
        .execute(&mut *tx)
        .await?;
        let known: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE provider_id = $1 AND channel = $2",
        )
        .bind(&receipt.provider_id)
        .bind(channel)
        .fetch_one(&mut *tx)
        .await?;
        if known == 0 {
            sqlx::query("DELETE FROM early_receipts WHERE received_at < $1")
                .bind(ms(now - chrono::Duration::days(1)))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO early_receipts (provider_id, channel, status, error, received_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider_id, channel) DO UPDATE SET \
                 status = excluded.status, error = excluded.error, received_at = excluded.received_at \
                 WHERE early_receipts.status NOT IN ('delivered', 'undelivered')",
            )
            .bind(&receipt.provider_id)
            .bind(channel)
            .bind(&receipt.status)
            .bind(receipt.error.clone().unwrap_or_default())
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(known > 0)
    }

    /// The rendered messages of the given updates, keyed by (update, channel, language).
    pub async fn update_messages(
        &self,
        update_ids: &[UpdateId],
    ) -> StoreResult<HashMap<(UpdateId, String, String), UpdateMessage>> {
        let mut out = HashMap::new();
        for chunk in update_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT update_id, channel, language, subject, text, html FROM update_messages \
                 WHERE update_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for r in q.fetch_all(&self.pool).await? {
                let m = UpdateMessage {
                    channel: r.try_get("channel")?,
                    language: r.try_get("language")?,
                    subject: r.try_get("subject")?,
                    text: r.try_get("text")?,
                    html: r.try_get("html")?,
                };
                out.insert(
                    (
                        super::id_at(&r, "update_id")?,
                        m.channel.clone(),
                        m.language.clone(),
                    ),
                    m,
                );
            }
        }
        Ok(out)
    }

    /// Progress of every update of one notice, per channel, oldest update first.
    pub async fn delivery_progress(&self, notice_id: &NoticeId) -> StoreResult<Vec<Progress>> {
        let rows = sqlx::query(
            "SELECT update_id, sequence, event, channel, state, receipt, COUNT(*) AS n FROM deliveries \
             WHERE notice_id = $1 GROUP BY update_id, sequence, event, channel, state, receipt \
             ORDER BY sequence, channel",
        )
        .bind(notice_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<Progress> = Vec::new();
        for r in rows {
            let update_id: UpdateId = super::id_at(&r, "update_id")?;
            let channel: String = r.try_get("channel")?;
            let i = match out
                .iter()
                .position(|p| p.update_id == update_id && p.channel == channel)
            {
                Some(i) => i,
                None => {
                    out.push(Progress {
                        update_id,
                        sequence: r.try_get("sequence")?,
                        event: r.try_get("event")?,
                        channel,
                        pending: 0,
                        sent: 0,
                        failed: 0,
                        superseded: 0,
                        cancelled: 0,
                        delivered: 0,
                        undelivered: 0,
                    });
                    out.len() - 1
                }
            };
            let p = &mut out[i];
            let n: i64 = r.try_get("n")?;
            match r.try_get::<String, _>("state")?.as_str() {
                "pending" => p.pending += n,
                "sent" => p.sent += n,
                "failed" => p.failed += n,
                "superseded" => p.superseded += n,
                _ => p.cancelled += n,
            }
            match r.try_get::<Option<String>, _>("receipt")?.as_deref() {
                Some("delivered") => p.delivered += n,
                Some("undelivered") => p.undelivered += n,
                _ => {}
            }
        }
        Ok(out)
    }

    /// The newest failed deliveries of a notice: (delivery id, channel, error).
    pub async fn recent_failures(
        &self,
        notice_id: &NoticeId,
        limit: i64,
    ) -> StoreResult<Vec<(DeliveryId, String, String)>> {
        let rows = sqlx::query(
            "SELECT id, channel, error FROM deliveries WHERE notice_id = $1 AND state = 'failed' \
             ORDER BY finished_at DESC, id LIMIT $2",
        )
        .bind(notice_id.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    super::id_at(r, "id")?,
                    r.try_get("channel")?,
                    r.try_get::<Option<String>, _>("error")?.unwrap_or_default(),
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Pending deliveries per channel and the oldest one's age.
    pub async fn queue_depth(&self) -> StoreResult<Vec<QueueDepth>> {
        let rows = sqlx::query(
            "SELECT channel, COUNT(*) AS n, MIN(created_at) AS oldest, \
             SUM(CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END) AS in_flight FROM deliveries \
             WHERE state = 'pending' GROUP BY channel ORDER BY channel",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QueueDepth {
                    channel: r.try_get("channel")?,
                    pending: r.try_get("n")?,
                    in_flight: r.try_get("in_flight")?,
                    oldest_created_at: r.try_get::<Option<i64>, _>("oldest")?.map(from_ms),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

/// Stores an update's rendered messages with one multi-row INSERT, in the publishing
/// transaction.
pub(super) async fn insert_messages(
    conn: &mut sqlx::AnyConnection,
    update_id: &UpdateId,
    messages: &[UpdateMessage],
) -> StoreResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let values = (0..messages.len())
        .map(|i| {
            let b = i * 6;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO update_messages (update_id, channel, language, subject, text, html) VALUES {values}"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for m in messages {
        q = q
            .bind(update_id.to_string())
            .bind(m.channel.clone())
            .bind(m.language.clone())
            .bind(m.subject.clone())
            .bind(m.text.clone())
            .bind(m.html.clone());
    }
    q.execute(&mut *conn).await?;
    Ok(())
}
