//! The delivery engine, each measurement against a baseline run in the same process, on the
//! same database and the same peers, so the ratio (Tangazo / baseline) is the result; the
//! absolute numbers depend on the machine (everything below shares its cores).
//!
//! 1. **Claim + complete** (SQLite; PostgreSQL too when `BENCH_POSTGRES` is set): a notice is
//!    published to N SMS subscribers (N = `BENCH_DELIVERIES`, 200,000 by default), then
//!    `Store::claim_deliveries("sms", 500, …)` + `Store::finish_deliveries(…, all sent with a
//!    provider id, …)` run in a loop until nothing is claimable: deliveries/s. Baseline: what a
//!    minimal outbox would run on the same rows of the same table, one
//!    `UPDATE deliveries SET state = 'sent' WHERE id IN (SELECT id … WHERE state = 'pending'
//!    AND channel = 'sms' LIMIT 500)` per batch. The rows are put back to pending before each
//!    run (`requeue`); the baseline runs before and after Tangazo and the mean of the two is used.
//! 2. **End-to-end SMS**: the real worker (`delivery::worker::run` with `SmsChannel`, Africa's
//!    Talking driver) drains the same N deliveries to an in-process HTTP peer answering like the
//!    bulk API (it parses the form and answers per recipient), with `sms.rate_per_second` at
//!    1,000,000 so the engine, not the token bucket, is measured: messages/s from start until
//!    every row is recorded. Baseline: a bare reqwest loop POSTing the same bulk requests (100
//!    numbers, same text, `sms.concurrency` in flight) to the same peer and parsing the answers.
//! 3. **End-to-end email**: the worker with `email.driver = smtp` sends M emails
//!    (`BENCH_EMAILS`, 2,000) to `tests/peers/smtp.py --discard` (aiosmtpd; messages are
//!    accepted but not written): emails/s until every row is recorded. Baseline: a bare lettre
//!    `AsyncSmtpTransport` pooled like Tangazo's (`email.concurrency` connections and messages
//!    in flight) sending M pre-built messages of the same rendering to the same peer.
//! 4. **Public page under fan-out**: `GET /` requests/s (keep-alive connections, the load
//!    generator of benches/page.rs) while idle (mean of a run before and a run after), and while
//!    the SMS worker drains the N deliveries to the peer of 2, with `sms.rate_per_second` = 500
//!    (a realistic contract; target ratio ≥ 0.7) and unlimited (1,000,000; no target, it shows
//!    what a full-speed drain costs the page on the same cores).
//!
//! 5. **Webhooks**: W = E endpoints (`BENCH_ENDPOINTS`, 100) × U notices (`BENCH_NOTICES`,
//!    300, for the instant receiver; `BENCH_SLOW_NOTICES`, 20, for the others, and twice that
//!    for the 100 ms one) deliveries, in a database of their own, drained by the real webhook
//!    worker (signing, the SSRF-vetting client, attempt records) to an in-process receiver
//!    answering 204, with `webhook.concurrency` = `BENCH_WEBHOOK_CONCURRENCY` (32; 256,
//!    `BENCH_SLOW_CONCURRENCY`, for the 100 ms receiver): deliveries/s. Baseline: a bare
//!    reqwest loop POSTing the same W bodies with the same concurrency to the same receiver
//!    (target ≥ 0.7). With the instant receiver the drain and its bare loop run in turn
//!    `BENCH_ROUNDS` (5) times, the rows put back to pending between rounds, and the pair with
//!    the median ratio is reported (each round's are printed): one pair says little on a
//!    machine whose speed drifts between runs, and the first round also pays for
//!    the memory the process touches for the first time. With the instant receiver the same
//!    run is also set against a bare hyper loop (the same bodies over as many connections of
//!    hyper's connection API, which Tangazo's webhook client is built on): a stricter baseline
//!    than the bare reqwest loop, since a bare hyper
//!    request costs less than a reqwest one. Then the same against receivers that take a
//!    few milliseconds per request (`BENCH_RECEIVER_MS`, 2 and 5), which show from what
//!    latency on the receiver is the limit rather than the engine, and against one that takes
//!    100 ms, where the ideal is
//!    concurrency / 0.1 s. Each run also prints the CPU time the process used per
//!    message (all threads: worker, receiver, SQLite), which shows where the cores went. The
//!    drain ends when the receiver has everything and no row is pending (the receiver's count is
//!    watched first, so counting rows does not load the cores the worker runs on).
//!    With the instant receiver the two halves of the engine are then measured on their own,
//!    against the same bare loop, because they bound what the end-to-end run can reach:
//!    5b. the **send path alone**: every row claimed once and its endpoints read (untimed), then
//!    handed to `WebhookChannel::send_detailed` as the worker does, with as many requests in
//!    flight (signing, the vetted request, the capped answer), with no claim and no record;
//!    5c. **claim + record alone**: the worker's claims (64 rows) and each batch's results
//!    recorded, one attempt each, with no request;
//!    5d. the **floor**: the bare loop's requests, each answered one marked sent in SQLite by
//!    a task of its own (one `UPDATE … WHERE id IN (…)` per up to 64 answers, while the next
//!    requests go out), the least any outbox that records its sends adds (no lease, no
//!    attempt row, no signing); a ratio below 0.7 here means no outbox design reaches 0.7 on
//!    this machine;
//!    5e. the **send path + the same mark**: 5b's signed, vetted requests with 5d's record,
//!    the least this webhooks allow (they must be signed and their results kept);
//!    5f. the **send path + the worker's record**: 5b with each answer recorded by
//!    `Store::finish_deliveries` (result and attempt row), up to 32 at a time: the end-to-end
//!    run without the cost of claiming, which is what leasing in memory could reach.
//!
//! Run: `cargo bench --bench delivery`. Scale with BENCH_DELIVERIES (200000), BENCH_EMAILS
//! (2000), BENCH_BATCH (500: `delivery.batch_size` of the workers in 2-5), BENCH_CONCURRENCY (4:
//! `sms.concurrency` and `email.concurrency`, and the baselines' requests in flight),
//! BENCH_SECONDS (5 per page run), BENCH_CONNECTIONS (32), and
//! BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test to add measurement 1 on PostgreSQL
//! (in a schema of its own, dropped afterwards). `BENCH_ONLY=webhooks` runs 5 alone, and
//! `BENCH_SLOW_RECEIVER=0` leaves out its 100 ms receiver (4,000 webhooks, 2 s at 256 in
//! flight). Needs
//! python3 with aiosmtpd. To profile the end-to-end webhook drain alone: `mkfifo ctl ack`, then
//! `PERF_CTL=ctl perf record -D -1 --control fifo:ctl,ack -g <the bench binary>`.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use futures_util::StreamExt;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;
use sqlx::{AnyConnection, Connection};
use tangazo::clock::{Clock, SystemClock};
use tangazo::config::{Config, Settings};
use tangazo::delivery::webhook::WebhookChannel;
use tangazo::delivery::worker::{self, Ctx, EmailChannel, SmsChannel};
use tangazo::domain::subscriber::{Address, Channel};
use tangazo::domain::{DeliveryId, Lang, ServiceCode, UpdateId};
use tangazo::render::messages::{Envelope, RenderedEmail};
use tangazo::store::{Finish, Finished, NewSubscriber, Store};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use common::env_or;

const API_KEY: &str = "bench-key";
const UNLIMITED: u32 = 1_000_000;

/// One line of the summary.
struct Row {
    what: String,
    tangazo: f64,
    baseline: f64,
    unit: &'static str,
    target: Option<f64>,
}

// ---------------------------------------------------------------------------------------------
// Peers

/// An HTTP server answering like Africa's Talking's bulk SMS API; counts what it took.
#[derive(Clone, Default)]
struct SmsPeer {
    requests: Arc<AtomicU64>,
    messages: Arc<AtomicU64>,
}

impl SmsPeer {
    async fn serve(self) -> String {
        let app = Router::new()
            .route("/version1/messaging", post(africastalking))
            .with_state(self);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    fn reset(&self) {
        self.requests.store(0, Ordering::SeqCst);
        self.messages.store(0, Ordering::SeqCst);
    }
}

/// 201 with a status per recipient, as Africa's Talking documents the bulk answer.
async fn africastalking(State(peer): State<SmsPeer>, headers: HeaderMap, body: Bytes) -> Response {
    peer.requests.fetch_add(1, Ordering::Relaxed);
    if headers.get("apikey").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        return (
            StatusCode::UNAUTHORIZED,
            "The supplied authentication is invalid",
        )
            .into_response();
    }
    let (mut to, mut text) = (None, None);
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "to" => to = Some(v.into_owned()),
            "message" => text = Some(v.into_owned()),
            _ => {}
        }
    }
    let (Some(to), Some(_text)) = (to, text) else {
        return (
            StatusCode::BAD_REQUEST,
            "Request is missing required form field 'to'",
        )
            .into_response();
    };
    let recipients: Vec<_> = to
        .split(',')
        .map(|number| {
            let id = peer.messages.fetch_add(1, Ordering::Relaxed) + 1;
            json!({"statusCode": 101, "number": number, "status": "Success",
                   "cost": "KES 0.8000", "messageId": format!("ATXid_{id}")})
        })
        .collect();
    let n = recipients.len();
    (
        StatusCode::CREATED,
        axum::Json(json!({"SMSMessageData": {
            "Message": format!("Sent to {n}/{n} Total Cost: KES {}", n as f64 * 0.8),
            "Recipients": recipients,
        }})),
    )
        .into_response()
}

/// `tests/peers/smtp.py PORT DIR --discard`, killed when dropped.
struct SmtpPeer {
    url: String,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl SmtpPeer {
    fn start() -> SmtpPeer {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/smtp.py"))
            .arg(port.to_string())
            .arg(dir.path())
            .arg("--discard")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("python3 tests/peers/smtp.py (pip install aiosmtpd)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the SMTP peer exited ({status}); is aiosmtpd installed?");
            }
            assert!(started.elapsed() < Duration::from_secs(20), "SMTP peer");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpPeer {
            url: format!("smtp://127.0.0.1:{port}"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for SmtpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Database

fn settings(db_url: &str, sms_url: &str, smtp_url: &str, sms_rate: u32) -> Settings {
    let batch = env_or("BENCH_BATCH", 500).to_string();
    let concurrency = env_or("BENCH_CONCURRENCY", 4).to_string();
    let env = [
        ("TANGAZO_DATABASE_URL", db_url),
        ("TANGAZO_SERVER_PUBLIC_URL", "https://status.example.co.ke"),
        // The bench starts the workers it measures itself.
        ("TANGAZO_DELIVERY_WORKERS", "false"),
        ("TANGAZO_DELIVERY_BATCH_SIZE", &batch),
        ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
        ("TANGAZO_SMS_DRIVER", "africastalking"),
        ("TANGAZO_SMS_API_URL", sms_url),
        ("TANGAZO_SMS_USERNAME", "bench"),
        ("TANGAZO_SMS_API_KEY", API_KEY),
        ("TANGAZO_SMS_RATE_PER_SECOND", &sms_rate.to_string()),
        ("TANGAZO_SMS_CONCURRENCY", &concurrency),
        ("TANGAZO_EMAIL_DRIVER", "smtp"),
        ("TANGAZO_EMAIL_SMTP_URL", smtp_url),
        ("TANGAZO_EMAIL_RATE_PER_SECOND", &UNLIMITED.to_string()),
        ("TANGAZO_EMAIL_CONCURRENCY", &concurrency),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    Config::load(None, env).unwrap().validate().unwrap()
}

/// Loads the demo data, imports `sms` SMS subscribers (English, so every bulk request carries
/// 100 numbers of one text) and `emails` email subscribers (English and Swahili), and publishes
/// a maintenance notice to all of them. Returns the update id.
async fn prepare(store: &Store, settings: &Settings, sms: usize, emails: usize) -> UpdateId {
    let now = SystemClock.now();
    tangazo::demo::load(store, settings, now).await.unwrap();
    let started = Instant::now();
    common::import(store, sms + emails, now, |i| {
        let (channel, value, language) = if i < sms {
            (Channel::Sms, sms_number(i), Lang::En)
        } else {
            let j = i - sms;
            let lang = if j.is_multiple_of(2) {
                Lang::En
            } else {
                Lang::Sw
            };
            (Channel::Email, email_address(j), lang)
        };
        NewSubscriber {
            address: Address { channel, value },
            language,
            services: None,
            source: "import",
            confirmed: true,
            expires_at: now,
        }
    })
    .await;
    let start = now + chrono::Duration::hours(30);
    let send_money = [ServiceCode::parse("send-money").unwrap()];
    let draft = common::draft_window(store, "Delivery benchmark", &send_money, start, now).await;
    let services = store.list_services().await.unwrap();
    let update = common::publish(store, settings, &services, &draft, now).await;
    println!(
        "  {sms} SMS + {emails} email subscribers imported and the notice published in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    update.id
}

fn sms_number(i: usize) -> String {
    format!("+2547{i:08}")
}

fn email_address(j: usize) -> String {
    format!("user{j}@example.co.ke")
}

/// A plain connection for the baselines and for counting, set up as the store's are.
async fn raw_connection(url: &str) -> AnyConnection {
    let mut conn = AnyConnection::connect(url).await.unwrap();
    if url.starts_with("sqlite:") {
        sqlx::raw_sql(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
        )
        .execute(&mut conn)
        .await
        .unwrap();
    }
    conn
}

async fn count(conn: &mut AnyConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(conn).await.unwrap()
}

async fn pending_sms(conn: &mut AnyConnection) -> i64 {
    count(
        conn,
        "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND channel = 'sms'",
    )
    .await
}

/// Puts every delivery of `channel` back to pending and due, as published (attempts keep
/// counting, so the next claim records a new attempt rather than colliding with an old one).
/// Untimed.
async fn requeue(conn: &mut AnyConnection, sqlite: bool, channel: &str) -> u64 {
    let n = sqlx::query(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = created_at, \
         lease_owner = NULL, lease_until = NULL, finished_at = NULL, provider_id = NULL, \
         error = NULL, receipt = NULL, receipt_at = NULL, sent_worker = NULL, \
         sent_started_at = NULL, sent_latency_ms = NULL, sent_status_code = NULL, \
         sent_response = NULL WHERE channel = $1",
    )
    .bind(channel)
    .execute(&mut *conn)
    .await
    .unwrap()
    .rows_affected();
    if sqlite {
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await
            .unwrap();
    } else {
        sqlx::raw_sql("VACUUM ANALYZE deliveries")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    n
}

// ---------------------------------------------------------------------------------------------
// 1. Claim + complete

async fn bare_drain(conn: &mut AnyConnection) -> (u64, f64) {
    let started = Instant::now();
    let mut total = 0;
    loop {
        let n = sqlx::query(
            "UPDATE deliveries SET state = 'sent' WHERE id IN (SELECT id FROM deliveries \
             WHERE state = 'pending' AND channel = 'sms' LIMIT 500)",
        )
        .execute(&mut *conn)
        .await
        .unwrap()
        .rows_affected();
        if n == 0 {
            break;
        }
        total += n;
    }
    (total, started.elapsed().as_secs_f64())
}

/// What a peer answered, as recorded for the `n`th message: provider id, status, body.
type Answer = fn(u64) -> (String, Option<i64>, Option<String>);

/// Claims `batch` rows of `channel` and records them sent with `answer`, until nothing is
/// claimable. Also returns the seconds spent in `claim_deliveries` and in `finish_deliveries`.
async fn tangazo_drain(
    store: &Store,
    channel: &str,
    batch: usize,
    answer: Answer,
) -> (u64, f64, f64, f64) {
    let lease = chrono::Duration::seconds(120);
    let started = Instant::now();
    let (mut total, mut id) = (0u64, 0u64);
    let (mut claiming, mut finishing) = (Duration::ZERO, Duration::ZERO);
    loop {
        let now = Utc::now();
        let step = Instant::now();
        let claimed = store
            .claim_deliveries(channel, batch, lease, now)
            .await
            .unwrap();
        claiming += step.elapsed();
        if claimed.is_empty() {
            break;
        }
        let finished: Vec<Finished> = claimed
            .iter()
            .map(|c| {
                id += 1;
                let (provider_id, status_code, response) = answer(id);
                Finished {
                    id: c.id.clone(),
                    row: c.row,
                    attempt: c.attempt,
                    started_at: now,
                    latency_ms: 1,
                    finish: Finish::Sent {
                        provider_id: Some(provider_id),
                    },
                    status_code,
                    response,
                }
            })
            .collect();
        let step = Instant::now();
        store
            .finish_deliveries("bench", &finished, Utc::now())
            .await
            .unwrap();
        finishing += step.elapsed();
        total += claimed.len() as u64;
    }
    (
        total,
        started.elapsed().as_secs_f64(),
        claiming.as_secs_f64(),
        finishing.as_secs_f64(),
    )
}

async fn claim_complete(store: &Store, url: &str, label: &str) -> Row {
    let sqlite = url.starts_with("sqlite:");
    let mut conn = raw_connection(url).await;
    // Every run starts from requeued rows, checkpointed (SQLite) or vacuumed and analysed
    // (PostgreSQL), so none starts on a table in another state.
    requeue(&mut conn, sqlite, "sms").await;
    let (b1, b1_secs) = bare_drain(&mut conn).await;
    requeue(&mut conn, sqlite, "sms").await;
    let (t, t_secs, claiming, finishing) =
        tangazo_drain(store, "sms", 500, |id| (format!("ATXid_{id}"), None, None)).await;
    requeue(&mut conn, sqlite, "sms").await;
    let (b2, b2_secs) = bare_drain(&mut conn).await;
    requeue(&mut conn, sqlite, "sms").await;
    assert_eq!(b1, t, "both drained the same rows");
    assert_eq!(b2, t, "both drained the same rows");
    let (r1, r2, rt) = (b1 as f64 / b1_secs, b2 as f64 / b2_secs, t as f64 / t_secs);
    println!(
        "  {t} deliveries; bare UPDATE {r1:.0}/s, tangazo claim+finish {rt:.0}/s \
         ({claiming:.1} s claiming, {finishing:.1} s finishing), bare UPDATE again {r2:.0}/s"
    );
    Row {
        what: format!("claim+complete, batch 500 ({label})"),
        tangazo: rt,
        baseline: (r1 + r2) / 2.0,
        unit: "deliveries/s",
        target: None,
    }
}

// ---------------------------------------------------------------------------------------------
// 2. and 3. End to end

async fn context(store: &Store, settings: Settings) -> Ctx {
    let settings = Arc::new(settings);
    Ctx {
        store: store.clone(),
        outbound: Arc::new(tangazo::delivery::Outbound::new(settings.clone()).unwrap()),
        settings,
        clock: Arc::new(SystemClock),
        link_key: Arc::new(store.instance_secret("link_hmac").await.unwrap()),
        metrics: Arc::new(Default::default()),
        worker_id: "bench".into(),
    }
}

async fn sms_e2e(ctx: &Ctx, peer: &SmsPeer, conn: &mut AnyConnection, text: &str) -> Row {
    let n = pending_sms(conn).await as u64;
    let concurrency = ctx.settings.raw.sms.concurrency as usize;
    peer.reset();
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let handle = tokio::spawn(worker::run(
        ctx.clone(),
        SmsChannel::new(ctx),
        cancel.clone(),
    ));
    while peer.messages.load(Ordering::SeqCst) < n {
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "SMS drain stalled"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    while pending_sms(conn).await > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let t_secs = started.elapsed().as_secs_f64();
    cancel.cancel();
    handle.await.unwrap();
    let sent = count(
        conn,
        "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms' AND state = 'sent'",
    )
    .await as u64;
    assert_eq!(sent, n, "every SMS recorded sent");
    assert_eq!(peer.messages.load(Ordering::SeqCst), n, "each sent once");
    let t_requests = peer.requests.load(Ordering::SeqCst);

    // Baseline: the same bulk requests, bare.
    let batches: Vec<String> = (0..n as usize)
        .collect::<Vec<_>>()
        .chunks(100)
        .map(|c| {
            c.iter()
                .map(|&i| sms_number(i))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let client = tangazo::delivery::http_client().unwrap();
    let url = format!("{}/version1/messaging", ctx.settings.raw.sms.api_url);
    let sender = ctx.settings.raw.sms.sender.clone();
    peer.reset();
    let started = Instant::now();
    let ok: usize = futures_util::stream::iter(batches)
        .map(|to| {
            let (client, url, sender) = (&client, &url, &sender);
            async move {
                let form = [
                    ("username", "bench"),
                    ("to", to.as_str()),
                    ("message", text),
                    ("bulkSMSMode", "1"),
                    ("from", sender.as_str()),
                ];
                let r = client
                    .post(url)
                    .header("apiKey", API_KEY)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 201);
                let body = r.text().await.unwrap();
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                v["SMSMessageData"]["Recipients"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["statusCode"] == 101)
                    .count()
            }
        })
        .buffer_unordered(concurrency)
        .fold(0, |a, b| async move { a + b })
        .await;
    let b_secs = started.elapsed().as_secs_f64();
    assert_eq!(ok as u64, n);
    println!(
        "  {n} SMS: tangazo {t_secs:.2} s in {t_requests} requests, bare reqwest {b_secs:.2} s in {} requests",
        peer.requests.load(Ordering::SeqCst)
    );
    Row {
        what: format!(
            "SMS end to end (batch {}, {concurrency} in flight)",
            ctx.settings.raw.delivery.batch_size
        ),
        tangazo: n as f64 / t_secs,
        baseline: n as f64 / b_secs,
        unit: "messages/s",
        target: None,
    }
}

async fn email_e2e(
    ctx: &Ctx,
    conn: &mut AnyConnection,
    update_id: &UpdateId,
    smtp_url: &str,
    emails: usize,
) -> Row {
    let pending = "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND channel = 'email'";
    let n = count(conn, pending).await as u64;
    assert_eq!(n, emails as u64);
    let concurrency = ctx.settings.raw.email.concurrency;
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let handle = tokio::spawn(worker::run(
        ctx.clone(),
        EmailChannel::new(ctx),
        cancel.clone(),
    ));
    while count(conn, pending).await > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "email drain stalled"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let t_secs = started.elapsed().as_secs_f64();
    cancel.cancel();
    handle.await.unwrap();
    let sent = count(
        conn,
        "SELECT COUNT(*) FROM deliveries WHERE channel = 'email' AND state = 'sent'",
    )
    .await as u64;
    assert_eq!(sent, n, "every email recorded sent");

    // Baseline: the same renderings, built beforehand, through a bare pooled transport.
    let renderings = ctx
        .store
        .update_messages(std::slice::from_ref(update_id))
        .await
        .unwrap();
    let from = &ctx.settings.raw.subscribers.email_from;
    let messages: Vec<lettre::Message> = (0..emails)
        .map(|j| {
            let lang = if j.is_multiple_of(2) { "en" } else { "sw" };
            let m = &renderings[&(update_id.clone(), "email".to_string(), lang.to_string())];
            let rendered = RenderedEmail {
                subject: m.subject.clone(),
                text: m.text.clone(),
                html: m.html.clone(),
            };
            let token = tangazo::delivery::recipient_token(&ctx.link_key, &format!("s{j}"));
            rendered
                .message(&Envelope {
                    from,
                    to: &email_address(j),
                    unsubscribe_url: &format!("{}/unsubscribe/{token}", ctx.settings.public_url),
                    unsubscribe_mailto: "status@localhost",
                    message_id: &format!("<{update_id}.{j}@localhost>"),
                })
                .unwrap()
        })
        .collect();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
        .unwrap()
        .timeout(Some(Duration::from_secs(15)))
        .pool_config(PoolConfig::new().max_size(concurrency))
        .build();
    let started = Instant::now();
    let ok: usize = futures_util::stream::iter(messages)
        .map(|m| {
            let transport = &transport;
            async move { usize::from(transport.send(m).await.is_ok()) }
        })
        .buffer_unordered(concurrency as usize)
        .fold(0, |a, b| async move { a + b })
        .await;
    let b_secs = started.elapsed().as_secs_f64();
    assert_eq!(ok, emails, "the baseline sent every email");
    println!("  {n} emails: tangazo {t_secs:.2} s, bare lettre {b_secs:.2} s");
    Row {
        what: format!("email end to end (SMTP, {concurrency} in flight)"),
        tangazo: n as f64 / t_secs,
        baseline: n as f64 / b_secs,
        unit: "emails/s",
        target: None,
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The public page (the load generator in benches/common, as benches/page.rs uses it)

async fn page_load(addr: SocketAddr) -> f64 {
    let seconds = env_or("BENCH_SECONDS", 5);
    let conns = env_or("BENCH_CONNECTIONS", 32);
    common::load(addr, "", conns, seconds).await.0
}

/// Requests/s on `GET /` while the SMS worker of `ctx` drains the fan-out; the SMS/s it managed
/// meanwhile and whether it was still draining when the load stopped.
async fn page_during_drain(
    addr: SocketAddr,
    ctx: &Ctx,
    peer: &SmsPeer,
    conn: &mut AnyConnection,
) -> (f64, f64, bool) {
    let n = pending_sms(conn).await as u64;
    peer.reset();
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(worker::run(
        ctx.clone(),
        SmsChannel::new(ctx),
        cancel.clone(),
    ));
    // Let the first batch get going.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent_before = peer.messages.load(Ordering::SeqCst);
    let started = Instant::now();
    let rps = page_load(addr).await;
    let sms_rate = (peer.messages.load(Ordering::SeqCst) - sent_before) as f64
        / started.elapsed().as_secs_f64();
    let draining = peer.messages.load(Ordering::SeqCst) < n;
    cancel.cancel();
    handle.await.unwrap();
    (rps, sms_rate, draining)
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// 5. Webhooks

/// A receiver answering 204 after `delay`; counts requests.
#[derive(Clone)]
struct HookPeer {
    requests: Arc<AtomicU64>,
    delay: Duration,
}

async fn hook(State(peer): State<HookPeer>) -> StatusCode {
    if !peer.delay.is_zero() {
        tokio::time::sleep(peer.delay).await;
    }
    peer.requests.fetch_add(1, Ordering::SeqCst);
    StatusCode::NO_CONTENT
}

impl HookPeer {
    async fn serve(self) -> String {
        let app = Router::new().route("/hook", post(hook)).with_state(self);
        // A backlog of 4,096 rather than tokio's 128: at 256 in flight the clients open 256
        // connections at once, and past 128 the kernel drops their SYNs, which are sent again
        // a second later (a whole run then measured that second, not the client).
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(4096).unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }
}

/// The bare loop's client: reqwest with nothing but redirects turned off, as Tangazo's are.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One bare webhook request: the body POSTed as JSON, unsigned; the status it got.
async fn bare_post(client: &reqwest::Client, url: &str, body: String) -> u16 {
    client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A second baseline, stricter than the issue's: the same bodies POSTed unsigned over hyper's
/// connection API (what Tangazo's webhook client is built on), `concurrency` connections each
/// sending one request after another. Requests/s.
async fn bare_hyper(url: &str, bodies: &[String], concurrency: usize) -> f64 {
    use http_body_util::Full;
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches("/hook")
        .parse()
        .unwrap();
    let bodies: Arc<Vec<Bytes>> = Arc::new(bodies.iter().map(|b| Bytes::from(b.clone())).collect());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (bodies, next) = (bodies.clone(), next.clone());
            tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(
                    hyper_util::rt::TokioIo::new(stream),
                )
                .await
                .unwrap();
                tokio::spawn(conn);
                let mut ok = 0u64;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    sender.ready().await.unwrap();
                    let request = hyper::Request::post("/hook")
                        .header("host", addr.to_string())
                        .header("content-type", "application/json")
                        .body(Full::new(body.clone()))
                        .unwrap();
                    let response = sender.send_request(request).await.unwrap();
                    ok += u64::from(response.status() == StatusCode::NO_CONTENT);
                }
                ok
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        ok += t.await.unwrap();
    }
    assert_eq!(ok as usize, bodies.len());
    bodies.len() as f64 / started.elapsed().as_secs_f64()
}

/// A fresh database with `endpoints` endpoints at `url` and `notices` published notices, so
/// `endpoints × notices` webhook deliveries wait. Returns the store, its settings and the bodies.
async fn webhook_setup(
    dir: &std::path::Path,
    name: &str,
    url: &str,
    endpoints: usize,
    notices: usize,
    concurrency: u64,
) -> (Store, Settings, Vec<String>) {
    let db = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let concurrency = concurrency.to_string();
    let batch = env_or("BENCH_BATCH", 500).to_string();
    let env = [
        ("TANGAZO_DATABASE_URL", db.as_str()),
        ("TANGAZO_DELIVERY_WORKERS", "false"),
        ("TANGAZO_DELIVERY_BATCH_SIZE", batch.as_str()),
        ("TANGAZO_DELIVERY_POLL_MILLIS", "20"),
        ("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
        ("TANGAZO_WEBHOOK_RATE_PER_SECOND", "1000000"),
        ("TANGAZO_WEBHOOK_CONCURRENCY", concurrency.as_str()),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    let settings = Config::load(None, env).unwrap().validate().unwrap();
    let store = Store::open(&db, 4).await.unwrap();
    let now = SystemClock.now();
    tangazo::demo::load(&store, &settings, now).await.unwrap();
    // Only the notices published here queue webhooks: the demo's are before the endpoints.
    let biller = store
        .create_biller("Bench Power", "ops@bench.example", "bench", now)
        .await
        .unwrap();
    for _ in 0..endpoints {
        store
            .create_endpoint(
                &biller.id,
                &tangazo::store::EndpointSettings {
                    url: url.to_string(),
                    description: String::new(),
                    event_types: vec![],
                    services: None,
                    rate_limit: 0,
                    contact_email: "ops@bench.example".into(),
                },
                false,
                "bench",
                now,
            )
            .await
            .unwrap();
    }
    let services = store.list_services().await.unwrap();
    let mut bodies = Vec::new();
    for i in 0..notices {
        let start = now + chrono::Duration::hours(30 + i as i64);
        let pay_bill = [ServiceCode::parse("pay-bill").unwrap()];
        let title = format!("Webhook benchmark {i}");
        let draft = common::draft_window(&store, title, &pay_bill, start, now).await;
        let update = common::publish(&store, &settings, &services, &draft, now).await;
        let m = store
            .update_messages(std::slice::from_ref(&update.id))
            .await
            .unwrap();
        let body = m[&(update.id.clone(), "webhook".to_string(), String::new())]
            .text
            .clone();
        bodies.extend(std::iter::repeat_n(body, endpoints));
    }
    (store, settings, bodies)
}

/// The end-to-end run against its bare loop; with an instant receiver also the two halves of
/// the engine on their own (5b, 5c), which bound what the end-to-end run can reach.
async fn webhooks(
    dir: &std::path::Path,
    delay: Duration,
    label: &str,
    notices: usize,
    concurrency: u64,
) -> Vec<Row> {
    let endpoints = env_or("BENCH_ENDPOINTS", 100) as usize;
    let peer = HookPeer {
        requests: Arc::new(AtomicU64::new(0)),
        delay,
    };
    let url = peer.clone().serve().await;
    let name = format!("hooks{}", delay.as_millis());
    let (store, settings, bodies) =
        webhook_setup(dir, &name, &url, endpoints, notices, concurrency).await;
    let n = bodies.len() as u64;
    let concurrency = settings.raw.webhook.concurrency as usize;
    let ctx = context(&store, settings).await;
    let db = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let mut conn = raw_connection(&db).await;
    let pending = "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND channel = 'webhook'";
    assert_eq!(
        count(&mut conn, pending).await as u64,
        n,
        "every webhook queued"
    );
    // The end-to-end drain and its bare loop, in turn, `BENCH_ROUNDS` times with the instant
    // receiver (this machine's speed drifts from one second to the next, so one pair of runs
    // says little): the pair with the median ratio is reported. The first round also pays for
    // the memory the process touches for the first time (the kernel zeroes each page), which
    // later rounds, like a service running for a while, do not.
    let rounds = if delay.is_zero() {
        env_or("BENCH_ROUNDS", 5).max(1)
    } else {
        1
    };
    let client = bare_client();
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    for round in 0..rounds {
        if round > 0 {
            requeue(&mut conn, true, "webhook").await;
        }
        peer.requests.store(0, Ordering::SeqCst);
        // Built before the clock starts, as the bare loop's client is: loading the platform's
        // TLS roots is the worker's start, not its sending.
        let channel = WebhookChannel::new(&ctx).unwrap();
        let cpu0 = cpu_secs();
        perf_ctl("enable");
        let cancel = CancellationToken::new();
        let started = Instant::now();
        let handle = tokio::spawn(worker::run(ctx.clone(), channel, cancel.clone()));
        // The receiver's counter is watched until everything arrived, then the table until
        // every result is recorded (counting rows every few ms from the start would load the
        // cores the worker runs on).
        while peer.requests.load(Ordering::SeqCst) < n || count(&mut conn, pending).await > 0 {
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "webhook drain stalled"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let t_secs = started.elapsed().as_secs_f64();
        let t_cpu = cpu_secs() - cpu0;
        perf_ctl("disable");
        cancel.cancel();
        handle.await.unwrap();
        let sent = count(
            &mut conn,
            "SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND state = 'sent'",
        )
        .await as u64;
        assert_eq!(sent, n, "every webhook recorded sent");
        assert_eq!(peer.requests.load(Ordering::SeqCst), n, "each sent once");

        // Baseline: the same bodies, bare, with the same concurrency.
        peer.requests.store(0, Ordering::SeqCst);
        let cpu1 = cpu_secs();
        let started = Instant::now();
        let ok: u64 = futures_util::stream::iter(bodies.clone())
            .map(|body| {
                let (client, url) = (&client, &url);
                async move { u64::from(bare_post(client, url, body).await == 204) }
            })
            .buffer_unordered(concurrency)
            .fold(0, |a, b| async move { a + b })
            .await;
        let b_secs = started.elapsed().as_secs_f64();
        let b_cpu = cpu_secs() - cpu1;
        assert_eq!(ok, n);
        println!(
            "  {n} webhooks ({endpoints} endpoints × {notices} notices, {concurrency} in flight, receiver {} ms){}: \
             tangazo {t_secs:.2} s using {t_cpu:.2} CPU-s ({:.0} µs per delivery), \
             bare reqwest {b_secs:.2} s using {b_cpu:.2} CPU-s ({:.0} µs per request), ratio {:.2}",
            delay.as_millis(),
            if rounds > 1 {
                format!(", round {}", round + 1)
            } else {
                String::new()
            },
            t_cpu * 1e6 / n as f64,
            b_cpu * 1e6 / n as f64,
            b_secs / t_secs,
        );
        pairs.push((n as f64 / t_secs, n as f64 / b_secs));
    }
    pairs.sort_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)));
    let (tangazo, bare) = pairs[pairs.len() / 2];
    if rounds > 1 {
        println!(
            "  ratios over {rounds} rounds: {} (the median is reported)",
            pairs
                .iter()
                .map(|(t, b)| format!("{:.2}", t / b))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut rows = vec![Row {
        what: format!("webhooks, {label}"),
        tangazo,
        baseline: bare,
        unit: "deliveries/s",
        target: delay.is_zero().then_some(0.7),
    }];
    if delay.is_zero() {
        peer.requests.store(0, Ordering::SeqCst);
        rows.push(Row {
            what: format!("webhooks, {label}, against a bare hyper loop instead"),
            tangazo,
            baseline: bare_hyper(&url, &bodies, concurrency).await,
            unit: "deliveries/s",
            target: None,
        });
        assert_eq!(peer.requests.load(Ordering::SeqCst), n);
        requeue(&mut conn, true, "webhook").await;
        rows.push(send_path_alone(&ctx, &peer, n, bare, Keep::Nothing).await);
        requeue(&mut conn, true, "webhook").await;
        rows.push(bookkeeping_alone(&store, n, bare).await);
        requeue(&mut conn, true, "webhook").await;
        rows.push(bare_marked(&db, &url, &bodies, concurrency, bare).await);
        requeue(&mut conn, true, "webhook").await;
        rows.push(send_path_alone(&ctx, &peer, n, bare, Keep::Mark(&db)).await);
        requeue(&mut conn, true, "webhook").await;
        rows.push(send_path_alone(&ctx, &peer, n, bare, Keep::Record).await);
    }
    store.close().await;
    rows
}

/// What the send-path runs keep of each answered request.
#[derive(Clone, Copy, PartialEq)]
enum Keep<'a> {
    /// 5b: nothing.
    Nothing,
    /// 5e: a durable mark by [`marker`] on the database at this URL.
    Mark(&'a str),
    /// 5f: the worker's own record, `Store::finish_deliveries` (result and attempt row) for up
    /// to 32 answers at a time, as the recorder writes them; only the claim is left out.
    Record,
}

/// 5b. The requests the worker makes, without the outbox around them: every row claimed once
/// and its endpoints read (untimed; the worker reads them once per claim of 64), then handed to
/// `WebhookChannel::send_detailed` one request per call with the worker's number in flight
/// (signing, the vetted request, the capped answer). No claim and no record, so this is the
/// most the end-to-end run could reach with a free database.
/// With `record`, 5e and 5f: what is kept of each answered one while the next go out.
async fn send_path_alone(ctx: &Ctx, peer: &HookPeer, n: u64, bare: f64, record: Keep<'_>) -> Row {
    use tangazo::delivery::webhook::Job;
    use tangazo::delivery::worker::Channel;
    let channel = WebhookChannel::new(ctx).unwrap();
    let claimed = ctx
        .store
        .claim_deliveries(
            "webhook",
            n as usize,
            chrono::Duration::hours(1),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(claimed.len() as u64, n);
    let mut updates: Vec<UpdateId> = claimed.iter().map(|c| c.update_id.clone()).collect();
    updates.sort();
    updates.dedup();
    let messages = ctx.store.update_messages(&updates).await.unwrap();
    channel.prefetch(&claimed).await;
    let chunks: Vec<(Vec<String>, Vec<Job>)> = claimed
        .chunks(channel.max_batch())
        .map(|chunk| {
            let jobs = chunk
                .iter()
                .map(|d| {
                    let m = &messages[&(d.update_id.clone(), "webhook".to_string(), String::new())];
                    channel.prepare(d, "", m).unwrap()
                })
                .collect();
            (chunk.iter().map(|d| d.id.to_string()).collect(), jobs)
        })
        .collect();
    peer.requests.store(0, Ordering::SeqCst);
    let cpu0 = cpu_secs();
    let started = Instant::now();
    let marking = match record {
        Keep::Nothing => None,
        Keep::Mark(db) => Some(marker(db).await),
        Keep::Record => Some(recorder(ctx.store.clone(), &claimed)),
    };
    let answered = marking.as_ref().map(|(a, _)| a.clone());
    let sent: usize = futures_util::stream::iter(chunks)
        .map(|(ids, jobs)| {
            let (channel, answered) = (&channel, &answered);
            async move {
                let outcomes = channel.send_detailed(jobs).await;
                let mut sent = 0;
                for (id, (o, _)) in ids.into_iter().zip(outcomes) {
                    if matches!(o, tangazo::delivery::Outcome::Sent { .. }) {
                        sent += 1;
                        if let Some(a) = answered {
                            a.send(id).unwrap();
                        }
                    }
                }
                sent
            }
        })
        .buffer_unordered(channel.concurrency())
        .fold(0, |a, b| async move { a + b })
        .await;
    drop(answered);
    let marked = match marking {
        Some((a, recorder)) => {
            drop(a);
            Some(recorder.await.unwrap())
        }
        None => None,
    };
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    assert_eq!(sent as u64, n, "every request answered 204");
    assert_eq!(peer.requests.load(Ordering::SeqCst), n);
    if let Some(marked) = marked {
        assert_eq!(marked, n, "every answer kept once");
    }
    let what = match record {
        Keep::Nothing => "send path alone (no claim/record)",
        Keep::Mark(_) => "send path + durable mark",
        Keep::Record => "send path + the worker's record",
    };
    println!(
        "  {what}: {n} in {secs:.2} s using {cpu:.2} CPU-s ({:.0} µs per request)",
        cpu * 1e6 / n as f64
    );
    Row {
        what: format!("webhooks, {what}"),
        tangazo: n as f64 / secs,
        baseline: bare,
        unit: "deliveries/s",
        target: None,
    }
}

/// What a durable outbox must at least do per answered request: mark it sent in SQLite. A task
/// with a connection of its own takes the answered ids and marks up to 64 at a time, one
/// `UPDATE … WHERE id IN (…)` in its own transaction, while the next requests go out. No
/// claim, no lease, no attempt row. Returns the ids' sender and the count of rows marked.
async fn marker(
    db: &str,
) -> (
    tokio::sync::mpsc::UnboundedSender<String>,
    tokio::task::JoinHandle<u64>,
) {
    let mut conn = sqlx::SqliteConnection::connect(db).await.unwrap();
    sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .execute(&mut conn)
        .await
        .unwrap();
    let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel::<String>();
    let recorder = tokio::spawn(async move {
        let (mut batch, mut marked) = (Vec::with_capacity(64), 0u64);
        while answers.recv_many(&mut batch, 64).await > 0 {
            let sql = format!(
                "UPDATE deliveries SET state = 'sent', finished_at = ? WHERE id IN ({})",
                vec!["?"; batch.len()].join(", ")
            );
            let mut update =
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(Utc::now().timestamp_millis());
            for id in &batch {
                update = update.bind(id);
            }
            let mut tx = conn.begin().await.unwrap();
            marked += update.execute(&mut *tx).await.unwrap().rows_affected();
            tx.commit().await.unwrap();
            batch.clear();
        }
        marked
    });
    (answered, recorder)
}

/// 5f's record: the answered ids' sender, and a task that records up to 32 at a time sent
/// (HTTP 204, empty answer) through `Store::finish_deliveries` (the worker's recorder writes
/// up to two rounds of calls at a time); it returns how many it recorded.
fn recorder(
    store: Store,
    claimed: &[tangazo::store::Claimed],
) -> (
    tokio::sync::mpsc::UnboundedSender<String>,
    tokio::task::JoinHandle<u64>,
) {
    let attempts: HashMap<String, (i64, i64)> = claimed
        .iter()
        .map(|c| (c.id.to_string(), (c.row, c.attempt)))
        .collect();
    let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel::<String>();
    let task = tokio::spawn(async move {
        let (mut batch, mut recorded) = (Vec::with_capacity(32), 0u64);
        while answers.recv_many(&mut batch, 32).await > 0 {
            let now = Utc::now();
            let done: Vec<Finished> = batch
                .drain(..)
                .map(|id: String| Finished {
                    row: attempts[&id].0,
                    attempt: attempts[&id].1,
                    id: DeliveryId::from(id),
                    started_at: now,
                    latency_ms: 1,
                    finish: Finish::Sent { provider_id: None },
                    status_code: Some(204),
                    response: Some(String::new()),
                })
                .collect();
            store.finish_deliveries("bench", &done, now).await.unwrap();
            recorded += done.len() as u64;
        }
        recorded
    });
    (answered, task)
}

/// 5d. The bare loop's requests (unsigned, unvetted), each answered one marked sent by
/// [`marker`]: the least any outbox that records its sends adds to the bare loop. A ratio
/// below the target here means no outbox design reaches it on this machine.
async fn bare_marked(db: &str, url: &str, bodies: &[String], concurrency: usize, bare: f64) -> Row {
    let mut conn = raw_connection(db).await;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE channel = 'webhook' AND state = 'pending'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(ids.len(), bodies.len(), "every webhook pending again");
    let client = bare_client();
    let cpu0 = cpu_secs();
    let started = Instant::now();
    let (answered, recorder) = marker(db).await;
    futures_util::stream::iter(ids.into_iter().zip(bodies.iter().cloned()))
        .map(|(id, body)| {
            let (client, answered) = (&client, &answered);
            async move {
                assert_eq!(bare_post(client, url, body).await, 204);
                answered.send(id).unwrap();
            }
        })
        .buffer_unordered(concurrency)
        .collect::<()>()
        .await;
    drop(answered);
    let marked = recorder.await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    assert_eq!(marked, bodies.len() as u64, "every answer marked once");
    println!(
        "  bare loop + a durable mark per answer: {marked} in {secs:.2} s using {cpu:.2} CPU-s ({:.0} µs per request)",
        cpu * 1e6 / marked as f64
    );
    Row {
        what: "webhooks, bare loop + durable mark (floor)".into(),
        tangazo: marked as f64 / secs,
        baseline: bare,
        unit: "deliveries/s",
        target: None,
    }
}

/// 5c. The outbox work of the same webhooks without any request: claims of the worker's batch
/// size (64: two rounds of 32) and each batch's results recorded as sent, one attempt each.
/// Against the bare request loop, this is the most the end-to-end run could reach if sending
/// cost nothing.
async fn bookkeeping_alone(store: &Store, n: u64, bare: f64) -> Row {
    let cpu0 = cpu_secs();
    let (total, secs, claiming, finishing) = tangazo_drain(store, "webhook", 64, |_| {
        ("HTTP 204".into(), Some(204), Some(String::new()))
    })
    .await;
    let cpu = cpu_secs() - cpu0;
    assert_eq!(total, n, "every webhook claimed and recorded once");
    println!(
        "  claim + record alone: {n} in {secs:.2} s ({claiming:.2} s claiming, {finishing:.2} s recording) \
         using {cpu:.2} CPU-s ({:.0} µs per delivery)",
        cpu * 1e6 / n as f64
    );
    Row {
        what: "webhooks, claim + record alone (no HTTP)".into(),
        tangazo: total as f64 / secs,
        baseline: bare,
        unit: "deliveries/s",
        target: None,
    }
}

fn main() {
    let n = env_or("BENCH_DELIVERIES", 200_000) as usize;
    let emails = env_or("BENCH_EMAILS", 2_000) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let total = Instant::now();
    let webhooks_only = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "webhooks");
    rt.block_on(async move {
        let mut rows = Vec::new();
        let dir = tempfile::tempdir().unwrap();
        if !webhooks_only {
            let peer = SmsPeer::default();
            let sms_url = peer.clone().serve().await;
            let smtp = SmtpPeer::start();
            let url = format!("sqlite://{}", dir.path().join("delivery.db").display());
            let full_speed = settings(&url, &sms_url, &smtp.url, UNLIMITED);
            let store = Store::open(&url, 4).await.unwrap();

            println!("SQLite: preparing");
            let update_id = prepare(&store, &full_speed, n, emails).await;
            println!("1. claim + complete (SQLite)");
            rows.push(claim_complete(&store, &url, "SQLite").await);

            let ctx = context(&store, full_speed.clone()).await;
            let mut conn = raw_connection(&url).await;
            let text = ctx.store.update_messages(std::slice::from_ref(&update_id)).await.unwrap()
                [&(update_id.clone(), "sms".to_string(), "en".to_string())]
                .text
                .clone();
            println!("2. SMS end to end");
            rows.push(sms_e2e(&ctx, &peer, &mut conn, &text).await);
            requeue(&mut conn, true, "sms").await;

            println!("3. email end to end");
            rows.push(email_e2e(&ctx, &mut conn, &update_id, &smtp.url, emails).await);

            println!("4. public page under fan-out");
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let running = tangazo::start(
                full_speed.clone(),
                store.clone(),
                Arc::new(SystemClock),
                listener,
                CancellationToken::new(),
            )
            .await
            .unwrap();
            let idle_before = page_load(running.addr).await;
            let paced = context(&store, settings(&url, &sms_url, &smtp.url, 500)).await;
            let (at_500, sms_500, draining_500) =
                page_during_drain(running.addr, &paced, &peer, &mut conn).await;
            requeue(&mut conn, true, "sms").await;
            let (at_full, sms_full, draining_full) =
                page_during_drain(running.addr, &ctx, &peer, &mut conn).await;
            requeue(&mut conn, true, "sms").await;
            let idle_after = page_load(running.addr).await;
            let idle = (idle_before + idle_after) / 2.0;
            println!(
                "  idle {idle_before:.0} then {idle_after:.0} req/s; at 500 SMS/s {at_500:.0} req/s \
                 ({sms_500:.0} SMS/s sent meanwhile{}); unlimited {at_full:.0} req/s ({sms_full:.0} SMS/s{})",
                if draining_500 { "" } else { ", DRAINED EARLY" },
                if draining_full { "" } else { ", DRAINED BEFORE THE LOAD ENDED" },
            );
            rows.push(Row {
                what: "GET / during SMS fan-out at 500/s".into(),
                tangazo: at_500,
                baseline: idle,
                unit: "req/s (base: idle)",
                target: Some(0.7),
            });
            rows.push(Row {
                what: "GET / during SMS fan-out, unlimited".into(),
                tangazo: at_full,
                baseline: idle,
                unit: "req/s (base: idle)",
                target: None,
            });
            running.cancel.cancel();
            store.close().await;

            if let Ok(base) = std::env::var("BENCH_POSTGRES") {
                println!("PostgreSQL: preparing");
                let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
                let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                let pg_url = format!("{base}{sep}options[search_path]={schema}");
                let pg = Store::open(&pg_url, 4).await.unwrap();
                prepare(&pg, &settings(&pg_url, &sms_url, &smtp.url, UNLIMITED), n, 0).await;
                println!("1. claim + complete (PostgreSQL)");
                rows.push(claim_complete(&pg, &pg_url, "PostgreSQL").await);
                pg.close().await;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
        }

        println!("5. webhooks");
        // The instant receiver drains 30,000 by default: a drain of a few thousand is over so
        // soon that the worker's first claims (two rounds of calls, before any call is timed)
        // weigh as much as the steady state the ratio is about. The slower receivers need fewer.
        let concurrency = env_or("BENCH_WEBHOOK_CONCURRENCY", 32);
        let slow = env_or("BENCH_SLOW_NOTICES", 20) as usize;
        rows.extend(
            webhooks(
                dir.path(),
                Duration::ZERO,
                "receiver answers at once",
                env_or("BENCH_NOTICES", 300) as usize,
                concurrency,
            )
            .await,
        );
        for ms in receiver_millis() {
            let label = format!("receiver takes {ms} ms");
            rows.extend(
                webhooks(dir.path(), Duration::from_millis(ms), &label, slow, concurrency).await,
            );
        }
        if env_or("BENCH_SLOW_RECEIVER", 1) == 1 {
            // At high concurrency: 256 requests in flight (`BENCH_SLOW_CONCURRENCY`).
            let many = env_or("BENCH_SLOW_CONCURRENCY", 256);
            let label = format!("receiver takes 100 ms, {many} in flight");
            rows.extend(
                webhooks(dir.path(), Duration::from_millis(100), &label, slow * 2, many).await,
            );
        }

        println!();
        println!(
            "{:<46} {:>12} {:>12} {:<20} {:>6} {:>7}",
            "measurement", "tangazo", "baseline", "unit", "ratio", "target"
        );
        for r in &rows {
            let ratio = r.tangazo / r.baseline;
            let target = match r.target {
                Some(t) if ratio >= t => format!("≥{t} ok"),
                Some(t) => format!("≥{t} MISS"),
                None => "-".into(),
            };
            println!(
                "{:<46} {:>12.0} {:>12.0} {:<20} {:>6.2} {:>7}",
                r.what, r.tangazo, r.baseline, r.unit, ratio, target
            );
        }
        println!(
            "(publish fan-out, target ≥ 0.8, is benches/fanout.rs; N = {n}, M = {emails}, total {:.0} s)",
            total.elapsed().as_secs_f64()
        );
    });
}

/// `BENCH_RECEIVER_MS` (default `2,5`): receivers that take this long per request, run after
/// the instant one, which show from what latency on the receiver, not the engine, is the limit.
fn receiver_millis() -> Vec<u64> {
    std::env::var("BENCH_RECEIVER_MS")
        .unwrap_or_else(|_| "2,5".into())
        .split(',')
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            v.trim()
                .parse()
                .expect("BENCH_RECEIVER_MS: comma-separated milliseconds, e.g. 2,5")
        })
        .collect()
}

/// CPU time this process has used (user + system), from /proc/self/stat in clock ticks.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

/// With `PERF_CTL=FIFO`, tells `perf record -D -1 --control fifo:FIFO` to sample only the
/// end-to-end webhook drains.
fn perf_ctl(what: &str) {
    if let Ok(p) = std::env::var("PERF_CTL") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
        writeln!(f, "{what}").unwrap();
    }
}
