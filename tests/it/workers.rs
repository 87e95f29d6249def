//! `tangazo worker` processes against a real SMS peer: two processes share a fan-out without
//! sending anything twice, SIGTERM finishes the batch in flight, and `kill -9` mid-fan-out loses
//! nothing, with duplicates bounded by the messages in flight; the same for biller webhooks,
//! whose repeats keep their `webhook-id`. Counted at the receivers.

use crate::common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::peers::{Child, SmsPeer};
use common::{Backend, TestApp, TestDb, wait_until_true};
use tangazo::clock::Clock;
use tangazo::domain::subscriber::{Address, Channel};
use tangazo::domain::{Lang, NoticeId};
use tangazo::store::NewSubscriber;

const SUBSCRIBERS: usize = 3000;
const BATCH: usize = 100;
/// `TANGAZO_SMS_CONCURRENCY` of the workers below.
const CONCURRENCY: usize = 2;
/// Sent but not yet recorded, at most: a round of bulk requests (100 numbers each) in flight,
/// one queued for the recorder, and about two being written (see `delivery::worker`).
const UNRECORDED_BOUND: usize = 4 * CONCURRENCY * BATCH;

async fn setup(backend: Backend) -> (TestApp, SmsPeer, String, String) {
    let peer = SmsPeer::default();
    *peer.delay.lock().unwrap() = Duration::from_millis(40);
    let url = peer.clone().serve().await;
    let db = std::sync::Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[]).await;
    app.seed_services().await;
    let now = app.clock.now();
    let mut import = app.store.begin_import().await.unwrap();
    let rows: Vec<NewSubscriber> = (0..SUBSCRIBERS)
        .map(|i| NewSubscriber {
            address: Address {
                channel: Channel::Sms,
                value: format!("+2547{i:08}"),
            },
            language: if i % 2 == 0 { Lang::En } else { Lang::Sw },
            services: None,
            source: "import",
            confirmed: true,
            expires_at: now,
        })
        .collect();
    for chunk in rows.chunks(500) {
        import.add(chunk, now).await.unwrap();
    }
    import.commit().await.unwrap();
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    (app, peer, url, id)
}

fn worker(app: &TestApp, sms_url: &str) -> Child {
    worker_with(
        app,
        &[
            ("TANGAZO_DELIVERY_BATCH_SIZE", &BATCH.to_string()),
            ("TANGAZO_SMS_DRIVER", "africastalking"),
            ("TANGAZO_SMS_API_URL", sms_url),
            ("TANGAZO_SMS_USERNAME", "sandbox"),
            ("TANGAZO_SMS_API_KEY", "test-key"),
            ("TANGAZO_SMS_RATE_PER_SECOND", "1000"),
            ("TANGAZO_SMS_CONCURRENCY", &CONCURRENCY.to_string()),
        ],
    )
}

/// A `tangazo worker` process on the test's database, with leases of 2 s and `env`.
fn worker_with(app: &TestApp, env: &[(&str, &str)]) -> Child {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tangazo"));
    // Only the configuration below: an inherited TANGAZO_* (CI sets TANGAZO_TEST_POSTGRES)
    // would be refused as an unknown key.
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("TANGAZO_")) {
        command.env_remove(key);
    }
    command
        .arg("worker")
        .env("TANGAZO_DATABASE_URL", &app.db.url)
        .env("TANGAZO_DELIVERY_LEASE_SECONDS", "2")
        .env("TANGAZO_DELIVERY_POLL_MILLIS", "50");
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("tangazo worker");
    let mut child = Child(child);
    std::thread::sleep(Duration::from_millis(300));
    if let Some(status) = child.0.try_wait().unwrap() {
        panic!("tangazo worker exited at once ({status}); its error is above");
    }
    child
}

async fn totals(app: &TestApp, id: &str) -> (i64, i64) {
    let p = app
        .store
        .delivery_progress(&NoticeId::new(id))
        .await
        .unwrap();
    (
        p.iter().map(|p| p.pending).sum(),
        p.iter().map(|p| p.sent).sum(),
    )
}

async fn workers_seen(app: &TestApp) -> usize {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    // A sent attempt is kept on its delivery's row, every other one in delivery_attempts.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT w) FROM (SELECT worker AS w FROM delivery_attempts \
         UNION ALL SELECT sent_worker FROM deliveries WHERE sent_worker IS NOT NULL) t",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    n as usize
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.0.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the worker did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two processes drain one fan-out together; SIGTERM to one finishes and records its batch in
/// flight and gives back the rest; nobody gets the message twice.
async fn two_workers_share_and_stop_cleanly(backend: Backend) {
    let (app, peer, url, id) = setup(backend).await;
    let mut a = worker(&app, &url);
    let mut b = worker(&app, &url);
    wait_until_true("a third of the messages", 60, async || {
        peer.count() >= SUBSCRIBERS / 3
    })
    .await;
    let status = terminate(&mut a);
    assert!(status.success(), "worker exited with {status}");
    wait_until_true("every delivery sent", 90, async || {
        totals(&app, &id).await == (0, SUBSCRIBERS as i64)
    })
    .await;
    let per_number = peer.per_number();
    assert_eq!(per_number.len(), SUBSCRIBERS);
    let twice: Vec<_> = per_number.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
    assert_eq!(
        workers_seen(&app).await,
        2,
        "both processes did some of the work"
    );
    assert!(terminate(&mut b).success());
}

on_both_backends!(two_workers_share_and_stop_cleanly);

/// `kill -9` in the middle of a fan-out, then a restart: every subscriber gets the message,
/// and no more messages go out twice than were in flight at the kill (sent, or being sent,
/// with their results not yet recorded).
async fn kill_9_loses_nothing(backend: Backend) {
    let (app, peer, url, id) = setup(backend).await;
    let start = || worker(&app, &url);
    let _b = kill_9_and_restart(
        &app,
        &id,
        SUBSCRIBERS,
        UNRECORDED_BOUND,
        || peer.count(),
        start,
    )
    .await;
    let numbers: HashSet<String> = peer.numbers().into_iter().collect();
    assert_eq!(numbers.len(), SUBSCRIBERS, "nobody was lost");
}

/// Starts a worker, `kill -9`s it once a third of the `total` messages of notice `id` have
/// reached the receiver (`received` counts them), and checks that at most `bound` of those
/// were not recorded yet: what the worker had sent, or was sending, whose results were still
/// on their way to the database. Then starts another, waits until every message is sent and
/// checks that no more went out twice than were unrecorded at the kill. Returns the second.
async fn kill_9_and_restart(
    app: &TestApp,
    id: &str,
    total: usize,
    bound: usize,
    received: impl Fn() -> usize,
    start: impl Fn() -> Child,
) -> Child {
    let mut a = start();
    wait_until_true("a third of the messages", 60, async || {
        received() >= total / 3
    })
    .await;
    a.0.kill().unwrap(); // SIGKILL: no shutdown code runs
    a.0.wait().unwrap();
    // Requests that reached the receiver before the kill are counted after its delay.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at_kill = received();
    let (pending, recorded) = totals(app, id).await;
    assert!(pending > 0, "the kill came mid-way");
    let unrecorded = at_kill - recorded as usize;
    assert!(
        unrecorded <= bound,
        "{unrecorded} messages out but not recorded; the worker holds at most {bound}"
    );
    let b = start();
    wait_until_true("every delivery sent after the restart", 90, async || {
        totals(app, id).await == (0, total as i64)
    })
    .await;
    let duplicates = received() - total;
    println!(
        "kill -9 after {at_kill} messages, {unrecorded} of them unrecorded: {duplicates} sent twice"
    );
    assert!(
        duplicates <= unrecorded,
        "{duplicates} duplicates; at most the {unrecorded} messages in flight at the kill may repeat"
    );
    b
}

on_both_backends!(kill_9_loses_nothing);

/// Webhook requests in flight at once in [`kill_9_mid_webhooks_loses_nothing`]; one per call.
const HOOK_CONCURRENCY: usize = 8;
const ENDPOINTS: usize = 600;

/// A biller's receiver: the `webhook-id` of every request, in the order they arrived, each
/// answered 204 after 20 ms.
async fn hook_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::http::HeaderMap;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook/{n}",
        axum::routing::post(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let id = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                seen.lock().unwrap().push(id);
                tokio::time::sleep(Duration::from_millis(20)).await;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), got)
}

/// `kill -9` in the middle of a webhook fan-out, then a restart: every endpoint gets its
/// webhook, and what goes out twice (at most what was in flight at the kill) goes out under
/// the same `webhook-id`, so a biller that keeps the ids it has handled sees each once.
async fn kill_9_mid_webhooks_loses_nothing(backend: Backend) {
    let (url, got) = hook_receiver().await;
    let db = std::sync::Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[]).await;
    app.seed_services().await;
    let biller = app.kplc().await;
    for n in 0..ENDPOINTS {
        let settings = common::endpoint_at(format!("{url}/hook/{n}"));
        app.store_endpoint(&biller.id, &settings).await;
    }
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    let concurrency = HOOK_CONCURRENCY.to_string();
    let env = [
        ("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
        ("TANGAZO_WEBHOOK_CONCURRENCY", concurrency.as_str()),
    ];
    // In flight, queued for the recorder and being written: four rounds of requests.
    let bound = 4 * HOOK_CONCURRENCY;
    let start = || worker_with(&app, &env);
    let _b = kill_9_and_restart(
        &app,
        &id,
        ENDPOINTS,
        bound,
        || got.lock().unwrap().len(),
        start,
    )
    .await;
    // Every endpoint's webhook arrived, and what went out twice repeated an id it had.
    let ids = got.lock().unwrap().clone();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ENDPOINTS, "nobody was lost");
    assert!(
        !distinct.contains(&String::new()),
        "every request had a webhook-id"
    );
}

on_both_backends!(kill_9_mid_webhooks_loses_nothing);
