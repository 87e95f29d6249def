//! Biller webhooks end to end: real HTTP receivers on loopback, Standard Webhooks signatures
//! checked with the reference implementation (`standardwebhooks`), ordering, every failure mode
//! of the delivery policy, rotation, replay and recovery, and biller tokens that see only their
//! own endpoints.

use crate::common;
use tangazo::domain::BillerId;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Duration as Span;
use common::{Backend, TestApp, TestDb, poll_until};
use serde_json::{Value, json};

/// One webhook as a receiver got it.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    /// Requests per path so far.
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Receiver {
    async fn serve(self) -> String {
        let app = Router::new()
            .route("/{kind}", post(receive))
            .with_state(self);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    fn on(&self, path: &str) -> Vec<Got> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.path == path)
            .cloned()
            .collect()
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// `/ok` 204; `/gone` 410; `/slow` 429 with Retry-After once, then 200; `/moved` 302 to `/ok`;
/// `/huge` 200 with 5 MB; `/hang` headers, then nothing; `/stall` not even headers; `/pause`
/// 429 with Retry-After an hour once, then 204; `/nul` 200 with a NUL byte in its answer;
/// `/late` not even headers once, then 204; `/broken` 500 always; `/s502`, `/s503` and `/s504`
/// that status with Retry-After once, then 200.
async fn receive(
    State(r): State<Receiver>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = {
        let mut hits = r.hits.lock().unwrap();
        let n = hits.entry(kind.clone()).or_insert(0);
        *n += 1;
        *n
    };
    r.got.lock().unwrap().push(Got {
        path: kind.clone(),
        headers,
        body,
    });
    match kind.as_str() {
        "ok" => StatusCode::NO_CONTENT.into_response(),
        "gone" => (StatusCode::GONE, "this endpoint was retired").into_response(),
        "slow" if n == 1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            "slow down",
        )
            .into_response(),
        "slow" => (StatusCode::OK, "thanks").into_response(),
        "moved" => (StatusCode::FOUND, [("location", "/ok")], "moved").into_response(),
        "huge" => (StatusCode::OK, "x".repeat(5 * 1024 * 1024)).into_response(),
        "hang" => {
            let stream = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
            (StatusCode::OK, axum::body::Body::from_stream(stream)).into_response()
        }
        "stall" => std::future::pending().await,
        "pause" if n == 1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "3600")],
            "come back in an hour",
        )
            .into_response(),
        "pause" => StatusCode::NO_CONTENT.into_response(),
        "nul" => (StatusCode::OK, "ok\0done").into_response(),
        "late" if n == 1 => std::future::pending().await,
        "late" => StatusCode::NO_CONTENT.into_response(),
        "s502" | "s503" | "s504" if n == 1 => (
            StatusCode::from_u16(kind[1..].parse().unwrap()).unwrap(),
            [("retry-after", "1")],
            "busy",
        )
            .into_response(),
        "s502" | "s503" | "s504" => (StatusCode::OK, "thanks").into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "upstream down").into_response(),
    }
}

const PUBLIC: &[(&str, &str)] = &[
    ("TANGAZO_DELIVERY_WORKERS", "true"),
    ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
    ("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
    ("TANGAZO_WEBHOOK_RETRY_SCHEDULE", "0,1,1"),
    ("TANGAZO_WEBHOOK_TIMEOUT_SECONDS", "1"),
];

async fn app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let db = Arc::new(TestDb::new(backend).await);
    let mut env: Vec<(&str, &str)> = PUBLIC.to_vec();
    env.extend_from_slice(extra);
    let app = TestApp::spawn_on(db, &env).await;
    app.seed_services().await;
    app
}

/// A biller and its own token.
async fn biller(app: &TestApp, name: &str) -> (String, String) {
    let (s, b) = app
        .api(
            "POST",
            "/billers",
            &app.admin,
            Some(json!({"name": name, "contact_email": "ops@kplc.example"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let (s, t) = app
        .api(
            "POST",
            &format!("/billers/{id}/tokens"),
            &app.admin,
            Some(json!({"name": "kplc-systems"})),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    (id, t["token"].as_str().unwrap().to_string())
}

async fn endpoint(app: &TestApp, token: &str, url: &str, extra: Value) -> (String, String) {
    let mut body =
        json!({"url": url, "contact_email": "ops@kplc.example", "description": "payments switch"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (s, v) = app.api("POST", "/endpoints", token, Some(body)).await;
    assert_eq!(s, 201, "{v}");
    (
        v["endpoint"]["id"].as_str().unwrap().to_string(),
        v["secret"].as_str().unwrap().to_string(),
    )
}

async fn wait_until(what: &str, app: &TestApp, step: Span, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out: {what}"
        );
        app.advance_when_idle(step).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn deliveries(app: &TestApp, token: &str, endpoint: &str) -> Vec<Value> {
    let (s, v) = app
        .api(
            "GET",
            &format!("/endpoints/{endpoint}/deliveries"),
            token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["deliveries"].as_array().unwrap().clone()
}

/// Every attempt at one delivery, as the API lists them.
async fn attempts(app: &TestApp, token: &str, endpoint: &str, delivery: &str) -> Vec<Value> {
    let (s, v) = app
        .api(
            "GET",
            &format!("/endpoints/{endpoint}/deliveries/{delivery}/attempts"),
            token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["attempts"].as_array().unwrap().clone()
}

fn verify(secret: &str, got: &Got) -> Result<(), String> {
    let wh = standardwebhooks::Webhook::new(secret).map_err(|e| format!("{e:?}"))?;
    wh.verify(&got.body, &got.headers)
        .map_err(|e| format!("{e:?}"))
}

/// What `tests/peers/verify.py` (the README's Python receiver, on the reference library) says
/// of each (secret, webhook): "ok" or "refused: …".
fn verify_in_python(cases: &[(&str, &Got)]) -> Vec<String> {
    use base64::Engine;
    use std::io::Write;
    let input: String = cases
        .iter()
        .map(|(secret, got)| {
            let headers: HashMap<&str, &str> = got
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
                .collect();
            let case = json!({
                "secret": secret,
                "body": base64::engine::general_purpose::STANDARD.encode(&got.body),
                "headers": headers,
            });
            format!("{case}\n")
        })
        .collect();
    let mut child = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/verify.py"
        ))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "verify.py (needs `pip install standardwebhooks`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

async fn signed_in_order_with_rotation(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let app = app_with(backend, &[]).await;
    let (_, token) = biller(&app, "Kenya Power").await;
    let (ep, secret) = endpoint(&app, &token, &format!("{base}/ok"), json!({})).await;
    assert!(secret.starts_with("whsec_"));

    // Three updates in quick succession reach the biller once each, in sequence order.
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    let end = app.now() + Span::hours(30);
    let (s, _) = app
        .act(&id, "extend", Some(json!({"ends_at": end.to_rfc3339()})))
        .await;
    assert_eq!(s, 200);
    let (s, _) = app.act(&id, "cancel", None).await;
    assert_eq!(s, 200);
    wait_until("three webhooks", &app, Span::zero(), || {
        receiver.on("ok").len() >= 3
    })
    .await;
    let got = receiver.on("ok");
    let types: Vec<String> = got
        .iter()
        .map(|g| {
            serde_json::from_slice::<Value>(&g.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        types,
        [
            "maintenance.scheduled",
            "maintenance.extended",
            "maintenance.cancelled"
        ]
    );
    let sequences: Vec<i64> = got
        .iter()
        .map(|g| {
            serde_json::from_slice::<Value>(&g.body).unwrap()["data"]["sequence"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    for g in &got {
        verify(&secret, g).unwrap();
        let wid = g.headers["webhook-id"].to_str().unwrap();
        assert!(wid.ends_with(&format!(":{ep}")), "{wid}");
        assert!(
            verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", g).is_err(),
            "another secret fails"
        );
    }
    // A changed body fails verification.
    let mut tampered = got[0].clone();
    tampered.body = Bytes::from(String::from_utf8_lossy(&got[0].body).replace("Core", "Kore"));
    assert!(verify(&secret, &tampered).is_err());

    // Rotation: both secrets sign during the overlap.
    let (s, r) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/rotate-secret"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let new_secret = r["secret"].as_str().unwrap().to_string();
    let (_, e) = app
        .api("GET", &format!("/endpoints/{ep}"), &token, None)
        .await;
    assert_eq!(
        r["previous_secret_until"], e["previous_secret_until"],
        "the rotation tells the end of the overlap as the endpoint keeps it"
    );
    app.publish_window("Second window", 48, 2).await;
    wait_until("the fourth webhook", &app, Span::zero(), || {
        receiver.on("ok").len() >= 4
    })
    .await;
    let fourth = receiver.on("ok")[3].clone();
    let signature = fourth.headers["webhook-signature"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(signature.split(' ').count(), 2, "{signature}");
    verify(&new_secret, &fourth).unwrap();
    verify(&secret, &fourth).unwrap();
    // The README's Python receiver agrees, on the same bytes.
    let said = verify_in_python(&[
        (&secret, &got[0]),
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &got[0]),
        (&secret, &tampered),
        (&new_secret, &fourth),
        (&secret, &fourth),
    ]);
    assert_eq!(said.len(), 5, "{said:?}");
    assert_eq!(said[0], "ok", "{said:?}");
    assert!(said[1].starts_with("refused"), "another secret: {said:?}");
    assert!(said[2].starts_with("refused"), "a changed body: {said:?}");
    assert_eq!(said[3..], ["ok", "ok"], "both secrets during rotation");

    // Attempts are recorded with the answer. The receiver holds the fourth
    // webhook before its worker has written the result, so wait for that too.
    let started = Instant::now();
    let list = loop {
        let list = deliveries(&app, &token, &ep).await;
        if list.iter().all(|d| d["state"] != "pending") {
            break list;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "results never recorded: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|d| d["state"] == "sent"), "{list:?}");
    let did = list[0]["id"].as_str().unwrap();
    let a = attempts(&app, &token, &ep, did).await;
    assert_eq!(a[0]["status_code"], 204, "{a:?}");
    assert_eq!(a[0]["outcome"], "sent");

    // Replaying one delivery sends it again with the same webhook-id.
    let (s, _) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/deliveries/{did}/replay"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200);
    wait_until("the replay", &app, Span::zero(), || {
        receiver.on("ok").len() >= 5
    })
    .await;
    assert_eq!(receiver.on("ok")[4].headers["webhook-id"], did);
    // Both sends are in its history: the first kept on the row moved to the attempts when it
    // was queued again, so the second did not overwrite it.
    let history = poll_until("the replay's attempt", 20, async || {
        let list = attempts(&app, &token, &ep, did).await;
        if list.len() == 2 {
            Ok(list)
        } else {
            Err(format!("{list:?}"))
        }
    })
    .await;
    let seen: Vec<(i64, &str, i64)> = history
        .iter()
        .map(|a| {
            (
                a["attempt"].as_i64().unwrap(),
                a["outcome"].as_str().unwrap(),
                a["status_code"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen, [(1, "sent", 204), (2, "sent", 204)], "{history:?}");
    assert!(
        history
            .iter()
            .all(|a| a["worker"].as_str().is_some_and(|w| !w.is_empty())),
        "{history:?}"
    );

    // Another biller's token sees nothing of this endpoint and cannot reach staff routes.
    let (_, other) = biller(&app, "Nairobi Water").await;
    let (s, _) = app
        .api("GET", &format!("/endpoints/{ep}"), &other, None)
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .api(
            "PATCH",
            &format!("/endpoints/{ep}"),
            &other,
            Some(json!({"url": format!("{base}/gone")})),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/rotate-secret"),
            &other,
            None,
        )
        .await;
    assert_eq!(s, 404);
    // `enabled` in a PATCH disables and enables, like the two routes (no replay).
    for enabled in [false, true] {
        let (s, e) = app
            .api(
                "PATCH",
                &format!("/endpoints/{ep}"),
                &token,
                Some(json!({"enabled": enabled})),
            )
            .await;
        assert_eq!((s, &e["enabled"]), (200, &json!(enabled)), "{e}");
        assert_eq!(e["disabled_reason"].is_string(), !enabled, "{e}");
    }
    // Nor any other of its routes: each answers 404 and changes nothing.
    let delivery = deliveries(&app, &token, &ep).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = receiver.got.lock().unwrap().len();
    let tried = attempts(&app, &token, &ep, &delivery).await.len();
    let since = json!({"since": "2020-01-01T00:00:00Z"});
    for (method, path, body) in [
        ("GET", format!("/endpoints/{ep}/deliveries"), None),
        (
            "GET",
            format!("/endpoints/{ep}/deliveries/{delivery}/attempts"),
            None,
        ),
        (
            "POST",
            format!("/endpoints/{ep}/deliveries/{delivery}/replay"),
            None,
        ),
        ("POST", format!("/endpoints/{ep}/recover"), Some(since)),
        ("POST", format!("/endpoints/{ep}/test"), None),
        (
            "POST",
            format!("/endpoints/{ep}/disable"),
            Some(json!({"reason": "x"})),
        ),
        ("POST", format!("/endpoints/{ep}/enable"), Some(json!({}))),
        ("DELETE", format!("/endpoints/{ep}"), None),
    ] {
        let (s, v) = app.api(method, &path, &other, body).await;
        assert_eq!(s, 404, "{method} {path}: {v}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        receiver.got.lock().unwrap().len(),
        before,
        "nothing was sent"
    );
    let (s, e) = app
        .api("GET", &format!("/endpoints/{ep}"), &token, None)
        .await;
    assert_eq!((s, &e["enabled"]), (200, &json!(true)), "{e}");
    assert_eq!(attempts(&app, &token, &ep, &delivery).await.len(), tried);
    let (s, v) = app.api("GET", "/endpoints", &other, None).await;
    assert_eq!((s, v["endpoints"].as_array().unwrap().len()), (200, 0));
    let (s, _) = app.api("GET", "/notices", &other, None).await;
    assert_eq!(s, 403, "a biller token is not a staff token");
    let (s, v) = app.api("GET", "/endpoints", &app.viewer, None).await;
    assert_eq!(
        (s, v["endpoints"].as_array().unwrap().len()),
        (200, 1),
        "staff see all"
    );
}

on_both_backends!(signed_in_order_with_rotation);

/// Each answer of the delivery policy, with its reason recorded.
async fn failure_modes(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let mail = tempfile::tempdir().unwrap();
    let app = app_with(
        backend,
        &[
            ("TANGAZO_WEBHOOK_DISABLE_AFTER_HOURS", "1"),
            ("TANGAZO_EMAIL_DIR", mail.path().to_str().unwrap()),
        ],
    )
    .await;
    let (_, token) = biller(&app, "Kenya Power").await;
    let mut eps = HashMap::new();
    let resetting = resetting_server().await;
    for kind in [
        "gone", "slow", "moved", "huge", "hang", "nul", "broken", "s502", "s503", "s504", "reset",
    ] {
        let url = match kind {
            "reset" => format!("{resetting}/reset"),
            _ => format!("{base}/{kind}"),
        };
        let (id, _) = endpoint(&app, &token, &url, json!({})).await;
        eps.insert(kind, id);
    }
    app.publish_window("Core upgrade", 24, 4).await;
    let settled = || async {
        let mut all = true;
        for id in eps.values() {
            let list = deliveries(&app, &token, id).await;
            all &= !list.is_empty() && list.iter().all(|d| d["state"] != "pending");
        }
        all
    };
    let started = Instant::now();
    while !settled().await {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "deliveries still pending"
        );
        app.advance_when_idle(Span::seconds(2)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let state_of = |kind: &str| {
        let id = eps[kind].clone();
        let token = token.clone();
        let app = &app;
        async move {
            let d = deliveries(app, &token, &id).await.remove(0);
            let did = d["id"].as_str().unwrap().to_string();
            let a = attempts(app, &token, &id, &did).await;
            let (_, e) = app
                .api("GET", &format!("/endpoints/{id}"), &token, None)
                .await;
            (d, a, e)
        }
    };
    // 410: failed at once, endpoint disabled with the reason.
    let (d, attempts, e) = state_of("gone").await;
    assert_eq!(d["state"], "failed");
    assert_eq!(attempts.len(), 1);
    assert_eq!(e["enabled"], false);
    assert!(
        e["disabled_reason"].as_str().unwrap().contains("410"),
        "{e}"
    );
    // 429 with Retry-After, then success.
    let (d, attempts, _) = state_of("slow").await;
    assert_eq!(d["state"], "sent", "{d}");
    let codes: Vec<&Value> = attempts.iter().map(|a| &a["status_code"]).collect();
    assert_eq!(codes, [&json!(429), &json!(200)]);
    let ids: Vec<String> = receiver
        .on("slow")
        .iter()
        .map(|g| g.headers["webhook-id"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        [d["id"].as_str().unwrap(); 2],
        "the retry reuses webhook-id"
    );
    // 502, 503 and 504 with Retry-After, like 429: retried, then sent.
    for kind in ["s502", "s503", "s504"] {
        let (d, attempts, _) = state_of(kind).await;
        assert_eq!(d["state"], "sent", "{d}");
        let codes: Vec<&Value> = attempts.iter().map(|a| &a["status_code"]).collect();
        assert_eq!(
            codes,
            [&json!(kind[1..].parse::<u16>().unwrap()), &json!(200)]
        );
    }
    // A connection reset after the request: no answer, retried, then failed with the reason.
    let (d, attempts, _) = state_of("reset").await;
    assert_eq!(d["state"], "failed", "{d}");
    assert_eq!(attempts.len(), 3, "the whole schedule: {attempts:?}");
    assert!(
        attempts
            .iter()
            .all(|a| a["status_code"].is_null() && a["error"].as_str().unwrap().contains("reset")),
        "{attempts:?}"
    );
    // 3xx is a failure and never followed.
    let (d, attempts, _) = state_of("moved").await;
    assert_eq!(d["state"], "failed");
    assert_eq!(attempts.len(), 3, "the whole schedule");
    assert!(attempts.iter().all(|a| a["status_code"] == 302));
    assert!(
        d["error"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"),
        "{d}"
    );
    assert_eq!(receiver.hits("ok"), 0, "the redirect was not followed");
    // A huge answer is cut to its first KB in the log; the delivery succeeded.
    let (d, attempts, _) = state_of("huge").await;
    assert_eq!(d["state"], "sent");
    assert_eq!(attempts[0]["response"].as_str().unwrap().len(), 1024);
    // A NUL in the answer (which PostgreSQL's text cannot hold) is kept as U+FFFD, and the
    // batch it was recorded with is not lost to it.
    let (d, attempts, _) = state_of("nul").await;
    assert_eq!(d["state"], "sent", "{d}");
    assert_eq!(attempts[0]["response"], "ok\u{FFFD}done");
    // Headers then silence: a timeout, retried, then failed.
    let (d, attempts, _) = state_of("hang").await;
    assert_eq!(d["state"], "failed");
    assert!(
        attempts
            .iter()
            .all(|a| a["error"].as_str().unwrap().contains("timed out")),
        "{attempts:?}"
    );
    // 500s: failed after the schedule; failing for longer than the limit disables it.
    let (d, attempts, _) = state_of("broken").await;
    assert_eq!(d["state"], "failed");
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[0]["response"], "upstream down");
    let (_, e) = app
        .api(
            "GET",
            &format!("/endpoints/{}", eps["broken"]),
            &token,
            None,
        )
        .await;
    assert!(e["failing_since"].is_string(), "{e}");
    assert_eq!(e["enabled"], true);

    // Still failing more than webhook.disable_after_hours later, with nothing more to send
    // it (its one delivery gave up): disabled all the same, contact emailed.
    let tried = receiver.on("broken").len();
    // One failing as long whose settings changed since (a new URL may have mended it) is left
    // for its next attempt to tell.
    let (s, v) = app
        .api(
            "PATCH",
            &format!("/endpoints/{}", eps["moved"]),
            &token,
            Some(json!({"description": "moved to the new switch"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    app.advance_when_idle(Span::hours(2)).await;
    let started = Instant::now();
    loop {
        let (_, e) = app
            .api(
                "GET",
                &format!("/endpoints/{}", eps["broken"]),
                &token,
                None,
            )
            .await;
        if e["enabled"] == false {
            assert!(
                e["disabled_reason"].as_str().unwrap().contains("failing"),
                "{e}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not disabled: {e}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The contact is emailed just after the endpoint is disabled, so the email may follow.
    let email = poll_until("an email about /broken", 20, async || {
        let emails: Vec<String> = std::fs::read_dir(mail.path())
            .unwrap()
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap_or_default())
            .collect();
        match emails
            .iter()
            .find(|m| m.contains("To: ops@kplc.example") && m.contains("/broken"))
        {
            Some(m) => Ok(m.clone()),
            None => Err(format!("{emails:?}")),
        }
    })
    .await;
    common::mail::check(email.as_bytes(), "status.example.co.ke");
    assert_eq!(
        receiver.on("broken").len(),
        tried,
        "no request was needed to find it failing"
    );
    let (_, moved) = app
        .api("GET", &format!("/endpoints/{}", eps["moved"]), &token, None)
        .await;
    assert_eq!(moved["enabled"], true, "{moved}");

    // Published while it is disabled: nothing is queued for it.
    let ep = &eps["broken"];
    app.publish_window("Second window", 48, 2).await;
    assert_eq!(deliveries(&app, &token, ep).await.len(), 1);

    // Mended and enabled with replay: what gave up during the failing run goes out again, and
    // what was published while it was disabled is queued for it.
    let (s, v) = app
        .api(
            "PATCH",
            &format!("/endpoints/{ep}"),
            &token,
            Some(json!({"url": format!("{base}/ok")})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/enable"),
            &token,
            Some(json!({"replay": true})),
        )
        .await;
    assert_eq!((s, v["replayed"].as_i64()), (200, Some(2)), "{v}");
    let started = Instant::now();
    while receiver.on("ok").len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            deliveries(&app, &token, ep).await
        );
        app.advance_when_idle(Span::seconds(2)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each result is recorded a moment after its answer.
    poll_until("both recorded sent", 10, async || {
        let states: Vec<Value> = deliveries(&app, &token, ep)
            .await
            .iter()
            .map(|d| d["state"].clone())
            .collect();
        match states == vec![json!("sent"), json!("sent")] {
            true => Ok(()),
            false => Err(format!("{states:?}")),
        }
    })
    .await;
}

on_both_backends!(failure_modes);

/// Reads the start of each request, then resets the connection (RST, not FIN), answering
/// nothing.
async fn resetting_server() -> String {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                stream.set_zero_linger().unwrap();
            });
        }
    });
    url
}

/// One biller's endpoint that never answers holds one request, not the others: a second biller
/// gets every update of the notice, in order, while the first request is still waiting.
async fn a_stalled_biller_holds_back_no_other(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    // A timeout longer than the test, so the stalled request stays open throughout.
    let app = app_with(backend, &[("TANGAZO_WEBHOOK_TIMEOUT_SECONDS", "60")]).await;
    let (_, stalled) = biller(&app, "Stalled Water").await;
    let (stalled_ep, _) = endpoint(&app, &stalled, &format!("{base}/stall"), json!({})).await;
    let (_, healthy) = biller(&app, "Kenya Power").await;
    let (healthy_ep, _) = endpoint(&app, &healthy, &format!("{base}/ok"), json!({})).await;
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    for action in ["start", "complete"] {
        let (s, b) = app
            .api(
                "POST",
                &format!("/notices/{id}/{action}"),
                &app.publisher,
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    poll_until(
        "the healthy biller's 3 while the other endpoint stalled",
        20,
        async || {
            let all_sent = deliveries(&app, &healthy, &healthy_ep)
                .await
                .iter()
                .all(|d| d["state"] == "sent");
            match (all_sent, receiver.hits("ok")) {
                (true, got) if got >= 3 => Ok(()),
                (_, got) => Err(format!("it got {got} of 3")),
            }
        },
    )
    .await;
    let types: Vec<String> = receiver
        .on("ok")
        .iter()
        .map(|g| serde_json::from_slice::<Value>(&g.body).unwrap()["type"].to_string())
        .collect();
    assert_eq!(
        types,
        [
            "\"maintenance.scheduled\"",
            "\"maintenance.started\"",
            "\"maintenance.completed\""
        ]
    );
    // The stalled endpoint has had its first update only, and it is still out: its later ones
    // wait behind it, in order.
    assert_eq!(receiver.hits("stall"), 1);
    let waiting = deliveries(&app, &stalled, &stalled_ep).await;
    assert_eq!(waiting.len(), 3, "{waiting:?}");
    assert!(
        waiting.iter().all(|d| d["state"] == "pending"),
        "{waiting:?}"
    );
}

on_both_backends!(a_stalled_biller_holds_back_no_other);

/// An endpoint that asks for an hour's pause gets nothing in that hour, and what it would have
/// got waits in the queue, not in a request held open for the hour (where its lease would run
/// out and the row be claimed, and later sent, again).
async fn a_long_retry_after_waits_in_the_queue(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let app = app_with(backend, &[]).await;
    let (_, paused) = biller(&app, "Paused Water").await;
    let (paused_ep, _) = endpoint(&app, &paused, &format!("{base}/pause"), json!({})).await;
    let (_, healthy) = biller(&app, "Kenya Power").await;
    endpoint(&app, &healthy, &format!("{base}/ok"), json!({})).await;
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    poll_until("first webhooks", 20, async || {
        match (receiver.hits("pause"), receiver.hits("ok")) {
            (p, o) if p >= 1 && o >= 1 => Ok(()),
            (p, o) => Err(format!("{p} paused, {o} ok")),
        }
    })
    .await;
    // The first answer asked for an hour; the next update of the notice is not held back by
    // the retry of the first, so it is claimed, and must go back to the queue until then.
    let (s, b) = app.act(&id, "start", None).await;
    assert_eq!(s, 200, "{b}");
    let settled = || async {
        let list = deliveries(&app, &paused, &paused_ep).await;
        list.len() == 2
            && list
                .iter()
                .all(|d| d["state"] == "pending" && !d["error"].is_null())
            && !app.in_flight().await
    };
    poll_until(
        "the paused endpoint's updates back in the queue",
        20,
        async || {
            if settled().await && receiver.hits("ok") >= 2 {
                Ok(())
            } else {
                Err(format!("{:?}", deliveries(&app, &paused, &paused_ep).await))
            }
        },
    )
    .await;
    assert_eq!(
        receiver.hits("pause"),
        1,
        "nothing was sent during the pause"
    );
    let hour = app.now() + Span::minutes(59);
    for d in deliveries(&app, &paused, &paused_ep).await {
        let next =
            chrono::DateTime::parse_from_rfc3339(d["next_attempt_at"].as_str().unwrap()).unwrap();
        assert!(next >= hour, "{d}");
        let did = d["id"].as_str().unwrap();
        let a = attempts(&app, &paused, &paused_ep, did).await;
        if d["event"] == "maintenance.scheduled" {
            assert_eq!(d["attempts"], 1, "{d}");
            assert_eq!(a.len(), 1);
            assert_eq!(a[0]["status_code"], 429);
        } else {
            // Put back untried: no attempt counted or logged, and the delivery says why.
            assert_eq!(d["attempts"], 0, "{d}");
            assert!(a.is_empty(), "{a:?}");
            let until = d["error"]
                .as_str()
                .unwrap()
                .strip_prefix("not sent yet: the endpoint asked to pause until ")
                .unwrap_or_else(|| panic!("{d}"));
            // The time it names is when the delivery is due again, in the page's zone
            // (Nairobi, as the console shows times).
            let until = chrono::DateTime::parse_from_rfc3339(until).unwrap();
            assert_eq!(until.offset().local_minus_utc(), 3 * 3600, "{d}");
            assert!((until - next).num_seconds().abs() <= 1, "{d}");
        }
    }
    // After the hour both go out, once each (a retried update may overtake: `sequence` says
    // which is newer).
    poll_until(
        "both updates after the pause",
        20,
        async || match receiver.hits("pause") {
            n if n >= 3 => Ok(()),
            n => {
                app.advance_when_idle(Span::minutes(10)).await;
                Err(format!("{n} requests"))
            }
        },
    )
    .await;
    let mut types: Vec<String> = receiver.on("pause")[1..]
        .iter()
        .map(|g| serde_json::from_slice::<Value>(&g.body).unwrap()["type"].to_string())
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["\"maintenance.scheduled\"", "\"maintenance.started\""]
    );
}

on_both_backends!(a_long_retry_after_waits_in_the_queue);

/// A backlog behind an endpoint's rate limit waits in the queue, not in request slots: what
/// has no room within a few seconds is put back untried, and each delivery still goes out
/// once, as its first attempt, whose latency is the request's without the wait for room.
async fn a_rate_limited_backlog_waits_in_the_queue(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let app = app_with(backend, &[]).await;
    let (_, limited) = biller(&app, "Slow Water").await;
    let (limited_ep, _) = endpoint(
        &app,
        &limited,
        &format!("{base}/ok"),
        json!({"rate_limit": 1}),
    )
    .await;
    const NOTICES: usize = 8;
    for i in 0..NOTICES {
        app.publish_window(&format!("Window {i}"), 24 + i as i64, 2)
            .await;
    }
    // At 1/s, some of the eight find no room within the wait and go back untried.
    let put_back = poll_until("a delivery put back", 30, async || {
        if app.in_flight().await {
            return Err("requests still out".into());
        }
        let back: Vec<Value> = deliveries(&app, &limited, &limited_ep)
            .await
            .into_iter()
            .filter(|d| d["state"] == "pending" && !d["error"].is_null())
            .collect();
        match back.is_empty() {
            true => Err("none put back yet".into()),
            false => Ok(back),
        }
    })
    .await;
    for d in &put_back {
        assert_eq!(d["attempts"], 0, "{d}");
        assert!(
            d["error"]
                .as_str()
                .unwrap()
                .contains("the endpoint's rate limit (1/s) has no room"),
            "{d}"
        );
    }
    poll_until("the backlog drained", 40, async || {
        match receiver.hits("ok") {
            n if n >= NOTICES => Ok(()),
            n => {
                app.advance_when_idle(Span::seconds(5)).await;
                Err(format!("{n} of {NOTICES}"))
            }
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.hits("ok"), NOTICES, "each sent once");
    let list = deliveries(&app, &limited, &limited_ep).await;
    assert_eq!(list.len(), NOTICES);
    for d in &list {
        assert_eq!(d["state"], "sent", "{d}");
        assert_eq!(d["attempts"], 1, "put back is not an attempt: {d}");
    }
    // At 1/s most of the eight waited a second or more for room before their request; the
    // instant receiver answered each at once, and that is what the attempt says.
    for d in &list {
        let tries = attempts(&app, &limited, &limited_ep, d["id"].as_str().unwrap()).await;
        assert_eq!(tries.len(), 1, "{tries:?}");
        let latency = tries[0]["latency_ms"].as_i64().unwrap();
        assert!(
            latency < 900,
            "the wait for room is not latency: {}",
            tries[0]
        );
    }
}

on_both_backends!(a_rate_limited_backlog_waits_in_the_queue);

/// A claimed delivery whose lease is nearly over before its turn comes (a claim holds rounds
/// of calls, and they can slow down after it) is given back untried rather than sent under a
/// lease another worker may take over; it is claimed again and sent once, as its first
/// attempt, and `/metrics` counts it.
async fn a_claim_near_its_lease_end_gives_back_what_waits(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let app = app_with(
        backend,
        &[
            ("TANGAZO_WEBHOOK_CONCURRENCY", "1"),
            ("TANGAZO_WEBHOOK_TIMEOUT_SECONDS", "3"),
        ],
    )
    .await;
    let (_, token) = biller(&app, "Late Power").await;
    let (ep, _) = endpoint(&app, &token, &format!("{base}/late"), json!({})).await;
    app.publish_window("Window A", 24, 2).await;
    app.publish_window("Window B", 25, 2).await;
    // One request at a time: the first hangs (until the 3 s timeout) while the second waits
    // for its turn under its claim's lease of 120 s, and meanwhile 100 s pass.
    poll_until("the first request out and both claimed", 10, async || {
        let claimed = app.claimed("webhook").await;
        match (receiver.hits("late"), claimed) {
            (1, 2) => Ok(()),
            seen => Err(format!("{seen:?} (requests, claimed)")),
        }
    })
    .await;
    app.clock.advance(Span::seconds(100));
    poll_until("both sent", 30, async || {
        let list = deliveries(&app, &token, &ep).await;
        match list.iter().all(|d| d["state"] == "sent") {
            true => Ok(list),
            false => {
                app.advance_when_idle(Span::seconds(1)).await;
                Err(format!("{list:?}"))
            }
        }
    })
    .await;
    let metrics = app.text("/metrics").await;
    assert!(
        metrics.contains("tangazo_deliveries_given_back_total{channel=\"webhook\"} 1"),
        "{metrics}"
    );
    assert_eq!(
        receiver.hits("late"),
        3,
        "the hung one twice, the other once"
    );
    let mut tries: Vec<usize> = Vec::new();
    for d in deliveries(&app, &token, &ep).await {
        tries.push(
            attempts(&app, &token, &ep, d["id"].as_str().unwrap())
                .await
                .len(),
        );
    }
    tries.sort();
    assert_eq!(tries, vec![1, 2], "given back is not an attempt");
}

on_both_backends!(a_claim_near_its_lease_end_gives_back_what_waits);

/// Disabled endpoints wait; enabling with replay sends what they missed; failed deliveries can
/// be recovered since a time; a test ping is signed like the rest.
async fn replay_recover_and_test_ping(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let app = app_with(backend, &[]).await;
    let (_, token) = biller(&app, "Kenya Power").await;
    let (ep, secret) = endpoint(
        &app,
        &token,
        &format!("{base}/ok"),
        json!({"services": ["pay-bill"]}),
    )
    .await;

    let (s, v) = app
        .api("POST", &format!("/endpoints/{ep}/test"), &token, None)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["ok"].as_bool(), v["status"].as_i64()),
        (Some(true), Some(204)),
        "{v}"
    );
    let ping = receiver.on("ok").remove(0);
    verify(&secret, &ping).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&ping.body).unwrap()["type"],
        "test.ping"
    );

    // A blank reason is refused, naming the field.
    let (s, v) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/disable"),
            &token,
            Some(json!({"reason": "  "})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["errors"]["reason"].as_str().is_some(), "{v}");
    let (s, _) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/disable"),
            &token,
            Some(json!({"reason": "switch upgrade"})),
        )
        .await;
    assert_eq!(s, 200);
    app.publish_window("While away", 24, 4).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        receiver.on("ok").len(),
        1,
        "nothing is sent to a disabled endpoint"
    );
    let (s, v) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/enable"),
            &token,
            Some(json!({"replay": true})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["replayed"], 1);
    wait_until("the missed update", &app, Span::zero(), || {
        receiver.on("ok").len() >= 2
    })
    .await;
    verify(&secret, &receiver.on("ok")[1]).unwrap();

    // Point it at a broken URL until deliveries fail, then back, and recover them.
    let (s, _) = app
        .api(
            "PATCH",
            &format!("/endpoints/{ep}"),
            &token,
            Some(json!({"url": format!("{base}/broken")})),
        )
        .await;
    assert_eq!(s, 200);
    let since = app.now();
    app.publish_window("Another", 24, 4).await;
    let started = Instant::now();
    while deliveries(&app, &token, &ep)
        .await
        .iter()
        .all(|d| d["state"] != "failed")
    {
        assert!(started.elapsed() < Duration::from_secs(20));
        app.advance_when_idle(Span::seconds(2)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let failed = deliveries(&app, &token, &ep)
        .await
        .into_iter()
        .find(|d| d["state"] == "failed")
        .unwrap();
    let id = failed["id"].as_str().unwrap().to_string();
    assert_eq!(attempts(&app, &token, &ep, &id).await.len(), 3, "{failed}");
    // Recovered while still broken, it gets the whole schedule again: its next failure is
    // retried, not the end of it.
    let (s, v) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/recover"),
            &token,
            Some(json!({"since": since.to_rfc3339()})),
        )
        .await;
    assert_eq!((s, v["queued"].as_i64()), (200, Some(1)), "{v}");
    poll_until(
        "the recovered delivery's next attempt",
        20,
        async || match attempts(&app, &token, &ep, &id).await {
            tried if tried.len() >= 4 => Ok(()),
            tried => Err(format!("{tried:?}")),
        },
    )
    .await;
    let again = deliveries(&app, &token, &ep)
        .await
        .into_iter()
        .find(|d| d["id"] == id.as_str())
        .unwrap();
    assert_eq!(
        again["state"], "pending",
        "retried after its first new failure: {again}"
    );
    let (s, _) = app
        .api(
            "PATCH",
            &format!("/endpoints/{ep}"),
            &token,
            Some(json!({"url": format!("{base}/ok")})),
        )
        .await;
    assert_eq!(s, 200);
    let started = Instant::now();
    while receiver.on("ok").len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the recovered delivery"
        );
        app.advance_when_idle(Span::seconds(2)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A service filter: a notice on other services is not sent.
    let (s, v) = app
        .api("POST", "/notices", &app.publisher, Some(json!({"kind": "incident", "title": {"en": "Agents slow", "sw": "Mawakala polepole"}, "affected": [{"service": "agent-cash", "impact": "degraded_performance"}], "publish": true})))
        .await;
    assert_eq!(s, 201, "{v}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.on("ok").len(), 3);
    // `null` drops the filter (an absent field would keep it): the next such notice is sent.
    let (s, v) = app
        .api(
            "PATCH",
            &format!("/endpoints/{ep}"),
            &token,
            Some(json!({"services": null})),
        )
        .await;
    assert_eq!((s, &v["services"]), (200, &Value::Null), "{v}");
    let (s, v) = app
        .api("POST", "/notices", &app.publisher, Some(json!({"kind": "incident", "title": {"en": "Agents slower", "sw": "Mawakala polepole zaidi"}, "affected": [{"service": "agent-cash", "impact": "degraded_performance"}], "publish": true})))
        .await;
    assert_eq!(s, 201, "{v}");
    wait_until("the notice on another service", &app, Span::zero(), || {
        receiver.on("ok").len() >= 4
    })
    .await;

    // Listed a page at a time, newest first, the pages hold the whole list once.
    let all: Vec<Value> = deliveries(&app, &token, &ep)
        .await
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert!(all.len() >= 3, "more than one page: {all:?}");
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=2&cursor={c}"),
            None => "?limit=2".into(),
        };
        let (s, v) = app
            .api(
                "GET",
                &format!("/endpoints/{ep}/deliveries{query}"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let page = v["deliveries"].as_array().unwrap();
        assert!(page.len() <= 2);
        paged.extend(page.iter().map(|d| d["id"].clone()));
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(paged.len() <= all.len(), "the pages never end: {paged:?}");
    }
    assert_eq!(paged, all);
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=many", "limit"),
        ("?cursor=x", "cursor"),
    ] {
        let (s, v) = app
            .api(
                "GET",
                &format!("/endpoints/{ep}/deliveries{query}"),
                &token,
                None,
            )
            .await;
        assert!((400..500).contains(&s), "{query}: {s} {v}");
        assert!(v.to_string().contains(field), "{query}: {v}");
    }
}

on_both_backends!(replay_recover_and_test_ping);

/// Whether one of the `v1` signatures is the reference library's for `secret`, whatever the
/// timestamp (its `verify` refuses one more than 5 minutes from the wall clock, and the test
/// clock has moved on a day).
fn signed_with(secret: &str, got: &Got) -> bool {
    let header = |name: &str| got.headers[name].to_str().unwrap().to_string();
    let expected = standardwebhooks::Webhook::new(secret)
        .unwrap()
        .sign(
            &header("webhook-id"),
            header("webhook-timestamp").parse().unwrap(),
            &got.body,
        )
        .unwrap();
    header("webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}

/// The `v1a` value of a `webhook-signature` header checked against a `whpk_` public key.
fn verify_v1a(public: &str, got: &Got) -> Result<(), String> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let header = |name: &str| got.headers[name].to_str().unwrap().to_string();
    let key: [u8; 32] = STANDARD
        .decode(public.strip_prefix("whpk_").ok_or("no whpk_ prefix")?)
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|_| "not 32 bytes")?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|e| e.to_string())?;
    let signatures = header("webhook-signature");
    let v1a = signatures
        .split(' ')
        .find_map(|s| s.strip_prefix("v1a,"))
        .ok_or("no v1a signature")?;
    let signature: [u8; 64] = STANDARD
        .decode(v1a)
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|_| "not 64 bytes")?;
    let mut signed =
        format!("{}.{}.", header("webhook-id"), header("webhook-timestamp")).into_bytes();
    signed.extend_from_slice(&got.body);
    key.verify_strict(&signed, &ed25519_dalek::Signature::from_bytes(&signature))
        .map_err(|e| e.to_string())
}

/// An endpoint created with `ed25519` gets `v1a` beside `v1` on real deliveries, checked with
/// the public key the API shows; a rotated-out secret signs for the overlap and not after it.
async fn ed25519_and_the_end_of_an_overlap(backend: Backend) {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let app = app_with(backend, &[]).await;
    let (_, token) = biller(&app, "Kenya Power").await;
    let (ep, old) = endpoint(
        &app,
        &token,
        &format!("{base}/ok"),
        json!({"ed25519": true}),
    )
    .await;
    let (s, e) = app
        .api("GET", &format!("/endpoints/{ep}"), &token, None)
        .await;
    assert_eq!(s, 200);
    let public = e["ed25519_public_key"].as_str().unwrap().to_string();
    assert!(public.starts_with("whpk_"), "{e}");

    let (s, v) = app
        .api(
            "POST",
            &format!("/endpoints/{ep}/rotate-secret"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let new = v["secret"].as_str().unwrap().to_string();
    app.publish_window("During the overlap", 48, 2).await;
    wait_until("the first delivery", &app, Span::zero(), || {
        !receiver.on("ok").is_empty()
    })
    .await;
    let first = receiver.on("ok").remove(0);
    let signatures = first.headers["webhook-signature"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(signatures.matches("v1,").count(), 2, "{signatures}");
    verify(&old, &first).unwrap();
    verify(&new, &first).unwrap();
    verify_v1a(&public, &first).unwrap();
    let mut tampered = first.clone();
    tampered.body = Bytes::from(format!("{} ", String::from_utf8_lossy(&first.body)));
    assert!(
        verify_v1a(&public, &tampered).is_err(),
        "a changed body fails v1a"
    );

    // Past webhook.secret_overlap_hours (24) only the new secret signs.
    app.advance_when_idle(Span::hours(25)).await;
    app.publish_window("After the overlap", 48, 2).await;
    wait_until("the second delivery", &app, Span::zero(), || {
        receiver.on("ok").len() >= 2
    })
    .await;
    let second = receiver.on("ok").remove(1);
    let signatures = second.headers["webhook-signature"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(signatures.matches("v1,").count(), 1, "{signatures}");
    assert!(
        !signed_with(&old, &second),
        "the old secret no longer signs"
    );
    assert!(signed_with(&new, &second));
    assert!(signed_with(&old, &first) && signed_with(&new, &first));
    verify_v1a(&public, &second).unwrap();
}

on_both_backends!(ed25519_and_the_end_of_an_overlap);

/// `webhook.retry_jitter_percent` = 0 puts each retry exactly where the schedule says (with
/// the default ±20 %, 7 s to the millisecond would be a one-in-thousands chance).
#[tokio::test]
async fn retries_land_on_the_schedule_without_jitter() {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let app = app_with(
        Backend::Sqlite,
        &[
            ("TANGAZO_WEBHOOK_RETRY_SCHEDULE", "0,7"),
            ("TANGAZO_WEBHOOK_RETRY_JITTER_PERCENT", "0"),
        ],
    )
    .await;
    let (_, token) = biller(&app, "Kenya Power").await;
    let (ep, _) = endpoint(&app, &token, &format!("{base}/broken"), json!({})).await;
    app.publish_window("Core upgrade", 24, 4).await;
    let ms = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    };
    poll_until("a retry scheduled", 20, async || {
        let id = deliveries(&app, &token, &ep).await.remove(0)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let tried = attempts(&app, &token, &ep, &id).await;
        // Read after its attempts: one read while the attempt was still out, its result
        // recorded just after, kept the due time it was claimed at.
        let d = deliveries(&app, &token, &ep).await.remove(0);
        match (
            tried.first(),
            d["state"].as_str(),
            d["next_attempt_at"].is_string(),
        ) {
            (Some(a), Some("pending"), true) => {
                assert_eq!(ms(&d["next_attempt_at"]) - ms(&a["at"]), 7_000, "{d} {a}");
                Ok(())
            }
            _ => Err(format!("{d} {tried:?}")),
        }
    })
    .await;
}

/// URLs that would reach inside the network are refused, with the reason.
#[tokio::test]
async fn private_addresses_are_refused() {
    let receiver = Receiver::default();
    let base = receiver.clone().serve().await;
    let db = Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_DELIVERY_WORKERS", "true"),
            ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
            ("TANGAZO_WEBHOOK_ALLOW_HTTP", "true"),
            ("TANGAZO_WEBHOOK_RETRY_SCHEDULE", "0"),
        ],
    )
    .await;
    app.seed_services().await;
    let (biller_id, token) = biller(&app, "Kenya Power").await;
    let port = base.rsplit(':').next().unwrap();
    let by_name = format!("http://localhost:{port}/ok");
    for url in [
        base.clone() + "/ok",
        by_name.clone(),
        "http://169.254.169.254/latest/meta-data".into(),
        "http://10.0.0.5/hook".into(),
        "http://[::1]/hook".into(),
        "ftp://example.com/hook".into(),
    ] {
        let (s, v) = app
            .api(
                "POST",
                "/endpoints",
                &token,
                Some(json!({"url": url, "contact_email": "ops@kplc.example"})),
            )
            .await;
        assert_eq!(s, 422, "{url}: {v}");
        let why = v["errors"]["url"].as_str().unwrap_or_default();
        assert!(!why.is_empty() && !why.starts_with("url:"), "{url}: {v}");
    }
    // A name is resolved as the endpoint is saved.
    let (_, v) = app
        .api(
            "POST",
            "/endpoints",
            &token,
            Some(json!({"url": by_name, "contact_email": "ops@kplc.example"})),
        )
        .await;
    let why = v["errors"]["url"].as_str().unwrap();
    assert!(
        why.starts_with("localhost resolves to 127.0.0.1, a loopback address")
            || why.starts_with("localhost resolves to ::1, a loopback address"),
        "{why}"
    );
    // And again before every send: a name whose address changed after it was saved (saved
    // here past the API's check) is refused then, with the reason on the endpoint.
    let ep = app
        .store
        .create_endpoint(
            &BillerId::new(biller_id.as_str()),
            &common::endpoint_at(by_name.clone()),
            false,
            "test",
            app.now(),
        )
        .await
        .unwrap()
        .0
        .id;
    // Changing another field keeps the URL without looking it up; giving it again does.
    let patch = |body: Value| {
        let (app, token, ep) = (&app, &token, &ep);
        async move {
            app.api("PATCH", &format!("/endpoints/{ep}"), token, Some(body))
                .await
        }
    };
    let (s, v) = patch(json!({"description": "switch"})).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = patch(json!({"url": by_name})).await;
    assert_eq!(s, 422, "{v}");
    assert!(
        v["errors"]["url"].as_str().unwrap().contains("resolves to"),
        "{v}"
    );
    app.publish_window("Core upgrade", 24, 4).await;
    let started = Instant::now();
    loop {
        let (_, e) = app
            .api("GET", &format!("/endpoints/{ep}"), &token, None)
            .await;
        if let Some(r) = e["last_refusal"].as_str() {
            assert!(r.contains("127.0.0.1") || r.contains("::1"), "{r}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no refusal recorded: {e}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        receiver.hits("ok"),
        0,
        "nothing reached the loopback receiver"
    );
}
