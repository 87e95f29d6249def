//! Retried API calls: `Idempotency-Key` on the staff API's POSTs, and a notice created and
//! published in one transaction.

use crate::common;

use chrono::Duration;
use common::{Backend, TestApp};
use serde_json::{Value, json};
use tangazo::domain::{Lang, NoticeId};
use tangazo::store::Claim;
use tangazo::web::idempotency::{KEEP, fingerprint, key_hash};

const KEY: &str = "Idempotency-Key";

struct Answer {
    status: u16,
    replayed: bool,
    body: Value,
}

/// POSTs `body` to the API with `key` (a raw header value) as `token`.
async fn post(app: &TestApp, path: &str, token: &str, key: Option<&[u8]>, body: &Value) -> Answer {
    let mut req = app
        .client
        .post(format!("{}/api/v1{path}", app.url))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(k) = key {
        req = req.header(KEY, reqwest::header::HeaderValue::from_bytes(k).unwrap());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let replayed = resp
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let body = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap_or(Value::Null);
    Answer {
        status,
        replayed,
        body,
    }
}

fn incident(title: &str) -> Value {
    json!({"kind": "incident", "title": {"en": title},
        "affected": [{"service": "pay-bill"}], "publish": true})
}

async fn notice_count(app: &TestApp) -> usize {
    let (s, v) = app.api("GET", "/notices", &app.viewer, None).await;
    assert_eq!(s, 200, "{v}");
    v["notices"].as_array().unwrap().len()
}

async fn delivery_total(app: &TestApp, notice_id: &str) -> i64 {
    let counts = app
        .store
        .delivery_counts(&NoticeId::new(notice_id))
        .await
        .unwrap();
    counts.iter().map(|(_, _, n)| n).sum()
}

async fn followers(app: &TestApp) {
    app.follower("+254712000001", Lang::En).await;
    app.follower("+254712000002", Lang::Sw).await;
    app.follower("ops@example.co.ke", Lang::En).await;
}

/// The header's error, which must be the only one.
fn key_error(a: &Answer) -> &str {
    let errors = a.body["errors"].as_object().unwrap_or_else(|| {
        panic!("no errors object in {}", a.body);
    });
    assert_eq!(errors.len(), 1, "{}", a.body);
    errors[KEY].as_str().unwrap()
}

async fn same_key_same_body_runs_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    followers(&app).await;
    let body = incident("Pay bill slow");
    let first = post(&app, "/notices", &app.publisher, Some(b"k-1"), &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(!first.replayed);
    let id = first.body["id"].as_str().unwrap().to_string();
    let sent = delivery_total(&app, &id).await;
    assert_eq!(sent, 3, "one message per follower");

    let again = post(&app, "/notices", &app.publisher, Some(b"k-1"), &body).await;
    assert_eq!((again.status, again.replayed), (201, true));
    assert_eq!(again.body, first.body, "the first answer, as it was");
    // The draft's quoted form (a Structured Field string) is the same key.
    let quoted = post(&app, "/notices", &app.publisher, Some(b"\"k-1\""), &body).await;
    assert_eq!((quoted.status, quoted.replayed), (201, true));
    assert_eq!(notice_count(&app).await, 1, "one notice");
    assert_eq!(
        delivery_total(&app, &id).await,
        sent,
        "one set of deliveries"
    );

    // The key with another request: refused, naming the header, and nothing runs.
    let other = post(
        &app,
        "/notices",
        &app.publisher,
        Some(b"k-1"),
        &incident("Another"),
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.body);
    assert!(
        key_error(&other).contains("another request"),
        "{}",
        other.body
    );
    let path = format!("/notices/{id}/updates");
    let update = json!({"body": {"en": "Still slow."}});
    let other = post(&app, &path, &app.publisher, Some(b"k-1"), &update).await;
    assert_eq!(other.status, 422, "another path is another request");
    assert_eq!(notice_count(&app).await, 1);

    // Keys are per token: another token's k-1 is its own.
    let admin = post(&app, "/notices", &app.admin, Some(b"k-1"), &body).await;
    assert_eq!((admin.status, admin.replayed), (201, false));
    assert_eq!(notice_count(&app).await, 2);

    // A key is kept for 24 hours; after that the same request runs again.
    app.clock.advance(KEEP + Duration::minutes(1));
    let later = post(&app, "/notices", &app.publisher, Some(b"k-1"), &body).await;
    assert_eq!(
        (later.status, later.replayed),
        (201, false),
        "{}",
        later.body
    );
    assert_eq!(notice_count(&app).await, 3);
}

async fn keys_out_of_bounds_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let body = incident("Pay bill slow");
    let long = "k".repeat(256);
    for bad in [
        long.as_bytes(),
        b"",
        "café".as_bytes(),
        b"two words",
        b"\"unclosed",
    ] {
        let a = post(&app, "/notices", &app.publisher, Some(bad), &body).await;
        assert_eq!(
            a.status,
            422,
            "{:?}: {}",
            String::from_utf8_lossy(bad),
            a.body
        );
        assert!(
            key_error(&a).contains("1 to 255 visible ASCII"),
            "{}",
            a.body
        );
    }
    let longest = "k".repeat(255);
    let a = post(
        &app,
        "/notices",
        &app.publisher,
        Some(longest.as_bytes()),
        &body,
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(notice_count(&app).await, 1, "only the good key ran");
}

async fn concurrent_same_key_runs_once(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    app.seed_services().await;
    followers(&app).await;
    let body = incident("Pay bill slow");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, body) = (app.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            post(&app, "/notices", &app.publisher, Some(b"same"), &body).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let a = t.await.unwrap();
        match a.status {
            201 => ids.push(a.body["id"].as_str().unwrap().to_string()),
            409 => assert!(key_error(&a).contains("not answered"), "{}", a.body),
            other => panic!("{other}: {}", a.body),
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every success is the one operation: {ids:?}");
    assert_eq!(notice_count(&app).await, 1);
    assert_eq!(delivery_total(&app, &ids[0]).await, 3);
}

async fn failed_first_attempts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    // A refused request is answered the same way again, and still nothing is made.
    let bad = json!({"kind": "incident", "publish": true});
    let first = post(&app, "/notices", &app.publisher, Some(b"a"), &bad).await;
    assert_eq!(
        (first.status, first.replayed),
        (422, false),
        "{}",
        first.body
    );
    let again = post(&app, "/notices", &app.publisher, Some(b"a"), &bad).await;
    assert_eq!((again.status, again.replayed), (422, true));
    assert_eq!(again.body, first.body);
    assert_eq!(notice_count(&app).await, 0);
    let fixed = incident("Pay bill slow");
    let reused = post(&app, "/notices", &app.publisher, Some(b"a"), &fixed).await;
    assert_eq!(reused.status, 422, "a corrected request takes a new key");
    let made = post(&app, "/notices", &app.publisher, Some(b"b"), &fixed).await;
    assert_eq!(made.status, 201, "{}", made.body);

    // A conflict (publishing what is published) likewise.
    let id = made.body["id"].as_str().unwrap();
    let path = format!("/notices/{id}/publish");
    let first = post(&app, &path, &app.publisher, Some(b"c"), &json!({})).await;
    assert_eq!(
        (first.status, first.replayed),
        (409, false),
        "{}",
        first.body
    );
    let again = post(&app, &path, &app.publisher, Some(b"c"), &json!({})).await;
    assert_eq!((again.status, again.replayed), (409, true));

    // A first request whose process stopped mid-way: its key is held and its outcome unknown,
    // so the retry is refused, saying so, and nothing runs.
    let token = app.store.find_token(&app.publisher).await.unwrap().unwrap();
    let body = incident("Started before a crash");
    let print = fingerprint("POST", "/notices", body.to_string().as_bytes());
    let hash = key_hash(&token.id, "crashed");
    let claim = app.store.claim_key(&hash, &print, app.now(), KEEP).await;
    assert_eq!(claim.unwrap(), Claim::Acquired);
    let retry = post(&app, "/notices", &app.publisher, Some(b"crashed"), &body).await;
    assert_eq!(retry.status, 409, "{}", retry.body);
    assert!(
        key_error(&retry).contains("outcome is unknown"),
        "{}",
        retry.body
    );
    assert_eq!(notice_count(&app).await, 1);

    // A server error frees the key for the retry; a kept answer is never freed.
    let hash = key_hash(&token.id, "failed");
    let claim = |h: String| {
        let store = app.store.clone();
        let now = app.now();
        async move { store.claim_key(&h, "print", now, KEEP).await.unwrap() }
    };
    assert_eq!(claim(hash.clone()).await, Claim::Acquired);
    app.store.release_key(&hash).await.unwrap();
    assert_eq!(claim(hash.clone()).await, Claim::Acquired);
    let answer = tangazo::store::KeptAnswer {
        status: 201,
        headers: vec![],
        body: "{}".into(),
    };
    app.store.keep_answer(&hash, &answer).await.unwrap();
    app.store.release_key(&hash).await.unwrap();
    assert_eq!(claim(hash).await, Claim::Answered(answer));
}

/// `"publish": true` creates and publishes in one transaction: when the publication is
/// refused (an SMS over its segment budget), no draft is left for a retry to duplicate.
async fn create_and_publish_is_one_transaction(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    followers(&app).await;
    let mut body = incident("Pay bill slow");
    body["sms"] = json!({"en": "Pay bill is slow. ".repeat(25)});
    let (s, v) = app
        .api("POST", "/notices", &app.publisher, Some(body.clone()))
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(
        v["errors"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("sms")),
        "{v}"
    );
    assert_eq!(notice_count(&app).await, 0, "no draft left behind");
    let created = app
        .store
        .audit_entries(None, Some("notice.create"), None, 10)
        .await
        .unwrap();
    assert!(created.is_empty(), "nothing committed: {created:?}");

    // Published, it is one notice with its deliveries and both audit lines.
    body["sms"] = json!({"en": "Pay bill is slow."});
    let (s, v) = app
        .api("POST", "/notices", &app.publisher, Some(body))
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["state"], "investigating");
    assert_eq!(delivery_total(&app, v["id"].as_str().unwrap()).await, 3);
    for action in ["notice.create", "notice.publish"] {
        let lines = app
            .store
            .audit_entries(None, Some(action), None, 10)
            .await
            .unwrap();
        assert_eq!(lines.len(), 1, "{action}");
    }
}

on_both_backends!(
    same_key_same_body_runs_once,
    keys_out_of_bounds_are_refused,
    concurrent_same_key_runs_once,
    failed_first_attempts,
    create_and_publish_is_one_transaction,
);
