//! Staff API over HTTP: tokens and roles, field-level validation, lifecycle actions.

use crate::common;

use chrono::Duration;
use common::{Backend, TestApp};
use serde_json::{Value, json};

fn errors(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors object in {v}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

async fn tokens_and_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let r = app
        .client
        .get(format!("{}/api/v1/services", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let (s, _) = app
        .api("GET", "/services", "tgz_not-a-real-token", None)
        .await;
    assert_eq!(s, 401);
    let (s, v) = app.api("GET", "/services", &app.viewer, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["services"].as_array().unwrap().len(), 4);

    let body = json!({"code": "ussd", "name": {"en": "USSD"}, "group": "Channels"});
    let (s, v) = app
        .api("POST", "/services", &app.publisher, Some(body.clone()))
        .await;
    assert_eq!(s, 403, "{v}");
    assert!(
        v["errors"]["Authorization"]
            .as_str()
            .unwrap()
            .contains("admin")
    );

    let start = app.now() + Duration::hours(3);
    let draft = json!({
        "kind": "maintenance", "title": {"en": "Upgrade"},
        "affected": [{"service": "send-money"}],
        "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(2)).to_rfc3339()
    });
    let (s, _) = app
        .api("POST", "/notices", &app.viewer, Some(draft.clone()))
        .await;
    assert_eq!(s, 403, "viewers cannot write");
    let (s, v) = app
        .api("POST", "/notices", &app.editor, Some(draft.clone()))
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["state"], "draft");
    let id = v["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .api("POST", &format!("/notices/{id}/publish"), &app.editor, None)
        .await;
    assert_eq!(s, 403, "editors cannot publish");
    let mut publish_now = draft.clone();
    publish_now["publish"] = json!(true);
    let (s, _) = app
        .api("POST", "/notices", &app.editor, Some(publish_now))
        .await;
    assert_eq!(s, 403, "editors cannot publish on create either");
    let (s, v) = app.act(&id, "publish", None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "scheduled");
    assert_eq!(v["update"]["sequence"], 1);
}

async fn validation_names_every_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let now = app.now();
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({
                "kind": "maintenance",
                "title": {"sw": "Matengenezo", "fr": "Entretien"},
                "body": {"en": "x".repeat(2001)},
                "affected": [{"service": "send-money"}, {"service": "no-such-service"}, {"service": "send-money"}, {"service": "pay-bill", "impact": "exploded"}],
                "starts_at": (now + Duration::hours(10)).to_rfc3339(),
                "ends_at": (now + Duration::hours(9)).to_rfc3339(),
            })),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(
        errors(&v),
        [
            "affected[1].service",
            "affected[2].service",
            "affected[3].impact",
            "body.en",
            "ends_at",
            "title.en",
            "title.fr"
        ]
    );
    assert!(
        v["errors"]["affected[1].service"]
            .as_str()
            .unwrap()
            .contains("no-such-service")
    );
    assert!(v["errors"]["body.en"].as_str().unwrap().contains("2001"));

    // A window longer than notice.max_window_hours, a time that is not a time, a bad kind.
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({
                "kind": "maintenance", "title": {"en": "Long"}, "affected": [{"service": "send-money"}],
                "starts_at": (now + Duration::hours(1)).to_rfc3339(),
                "ends_at": (now + Duration::hours(500)).to_rfc3339(),
            })),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        v["errors"]["ends_at"]
            .as_str()
            .unwrap()
            .contains("max_window_hours"),
        "{v}"
    );
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({"kind": "outage", "title": {"en": "X"}, "starts_at": "Saturday night"})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(errors(&v), ["kind", "starts_at"]);
    assert!(
        v["errors"]["starts_at"]
            .as_str()
            .unwrap()
            .contains("RFC 3339")
    );

    // Wrong types and unknown fields are named; broken JSON is a 400.
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({"kind": "incident", "title": "plain string"})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(errors(&v), ["title"]);
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({"kind": "incident", "tittle": {"en": "x"}})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(errors(&v), ["tittle"]);
    // A missing field is named itself, at its path, not as the body.
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({"kind": "incident", "title": {"en": "x"},
                "affected": [{"service": "pay-bill"}, {"impact": "major_outage"}]})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(errors(&v), ["affected[1].service"]);
    assert_eq!(v["errors"]["affected[1].service"], "is required", "{v}");
    let (s, v) = app
        .api(
            "POST",
            "/billers",
            &app.admin,
            Some(json!({"name": "Kenya Power"})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(v["errors"], json!({"contact_email": "is required"}), "{v}");
    let r = app
        .client
        .post(format!("{}/api/v1/notices", app.url))
        .bearer_auth(&app.publisher)
        .header("content-type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(errors(&v), ["body"]);

    // Nothing half-written: no notice exists after all those refusals.
    let (_, v) = app.api("GET", "/notices", &app.viewer, None).await;
    assert_eq!(v["notices"].as_array().unwrap().len(), 0);

    // Services: bad code, missing name, bad status.
    let (s, v) = app
        .api(
            "POST",
            "/services",
            &app.admin,
            Some(json!({"code": "Pay Bill", "status": "down"})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(errors(&v), ["code", "group", "name.en", "status"]);
    let (s, v) = app
        .api(
            "POST",
            "/services",
            &app.admin,
            Some(json!({"code": "pay-bill", "name": {"en": "Again"}, "group": "Payments"})),
        )
        .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(errors(&v), ["code"]);
}

async fn lifecycle_over_http(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let v = app.publish_window("Platform upgrade", 2, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    let reference = v["reference"].as_str().unwrap().to_string();
    assert_eq!(v["updates"][0]["event"], "maintenance.scheduled");
    assert_eq!(
        v["updates"][0]["body"]["sw"],
        "Maliza malipo ya dharura kwanza."
    );

    // Refused transitions: 409 naming the state; nothing changes.
    let (s, v) = app.act(&id, "complete", None).await;
    assert_eq!(s, 409, "{v}");
    assert!(v["errors"]["state"].as_str().unwrap().contains("scheduled"));
    let (s, v) = app
        .api(
            "PATCH",
            &format!("/notices/{id}"),
            &app.editor,
            Some(json!({"title": {"en": "Sneaky edit"}})),
        )
        .await;
    assert_eq!(s, 409, "published notices change only through actions: {v}");

    let start = app.now() + Duration::hours(5);
    let (s, v) = app.act(&reference, "reschedule", Some(json!({"starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(4)).to_rfc3339()}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["update"]["event"], "maintenance.rescheduled");
    assert!(
        v["update"]["body"]["en"].as_str().unwrap().contains("EAT"),
        "default body names the window: {v}"
    );

    let (s, v) = app
        .act(
            &id,
            "start",
            Some(json!({"body": {"en": "We have started.", "sw": "Tumeanza."}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "in_progress");
    let (s, v) = app.act(&id, "reschedule", Some(json!({"starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(4)).to_rfc3339()}))).await;
    assert_eq!(s, 409, "a started window is extended, not rescheduled: {v}");

    let (s, v) = app
        .act(
            &id,
            "extend",
            Some(json!({"ends_at": (start + Duration::hours(2)).to_rfc3339()})),
        )
        .await;
    assert_eq!(s, 409, "an extension must end later: {v}");
    assert_eq!(errors(&v), ["ends_at"]);
    let (s, v) = app
        .act(
            &id,
            "extend",
            Some(json!({"ends_at": (start + Duration::hours(8)).to_rfc3339()})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .act(&id, "updates", Some(json!({"status": "verifying"})))
        .await;
    assert_eq!(s, 422, "an update needs a body: {v}");
    assert_eq!(errors(&v), ["body.en"]);
    let (s, v) = app
        .act(
            &id,
            "updates",
            Some(json!({"status": "verifying", "body": {"en": "Checking services."}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "verifying");
    let (s, v) = app.act(&id, "complete", None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "completed");
    let (s, _) = app.act(&id, "cancel", None).await;
    assert_eq!(s, 409);

    let (s, v) = app
        .api("GET", &format!("/notices/{id}"), &app.viewer, None)
        .await;
    assert_eq!(s, 200);
    let events: Vec<&str> = v["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "maintenance.scheduled",
            "maintenance.rescheduled",
            "maintenance.started",
            "maintenance.extended",
            "maintenance.updated",
            "maintenance.completed"
        ]
    );
    let seqs: Vec<i64> = v["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);

    let (s, _) = app
        .api(
            "POST",
            "/notices/does-not-exist/start",
            &app.publisher,
            None,
        )
        .await;
    assert_eq!(s, 404);

    // Filters.
    let (_, v) = app
        .api(
            "GET",
            "/notices?state=completed&kind=maintenance&service=send-money",
            &app.viewer,
            None,
        )
        .await;
    assert_eq!(v["notices"].as_array().unwrap().len(), 1);
    let (_, v) = app
        .api("GET", "/notices?service=agent-cash", &app.viewer, None)
        .await;
    assert_eq!(v["notices"].as_array().unwrap().len(), 0);
    let (s, v) = app
        .api("GET", "/notices?state=sleeping&limit=0", &app.viewer, None)
        .await;
    assert_eq!(s, 422);
    assert_eq!(errors(&v), ["limit", "state"]);
}

async fn incidents_and_services(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let (s, v) = app
        .api("POST", "/notices", &app.publisher, Some(json!({"kind": "incident", "title": {"en": "Pay bill slow"}, "affected": [{"service": "pay-bill", "impact": "degraded_performance"}], "publish": true})))
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["state"], "investigating");
    let id = v["id"].as_str().unwrap();
    let (s, v) = app.act(id, "cancel", None).await;
    assert_eq!(s, 409, "{v}");
    let (s, v) = app
        .act(
            id,
            "updates",
            Some(json!({"status": "resolved", "body": {"en": "Fixed."}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["update"]["event"], "incident.resolved");

    let (s, v) = app
        .api(
            "PATCH",
            "/services/pay-bill",
            &app.admin,
            Some(json!({"status": "partial_outage", "position": 9})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "partial_outage");
    let (s, v) = app
        .api(
            "PATCH",
            "/services/pay-bill",
            &app.admin,
            Some(json!({"code": "pay-bills"})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let (s, _) = app
        .api("DELETE", "/services/pay-bill", &app.admin, None)
        .await;
    assert_eq!(s, 409, "history still names it");
    let (s, _) = app
        .api("DELETE", "/services/agent-cash", &app.admin, None)
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .api("GET", "/services/agent-cash", &app.viewer, None)
        .await;
    assert_eq!(s, 404);
}

on_both_backends!(
    tokens_and_roles,
    validation_names_every_field,
    lifecycle_over_http,
    incidents_and_services,
);

/// The OpenAPI document names every route the API answers, and each one it names exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_is_true() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.seed_services().await;
    let doc = app.json("/api/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["servers"][0]["url"],
        "https://status.example.co.ke/api/v1"
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path}"
            );
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));
            let concrete = path
                .replace("{code}", "send-money")
                .replace("{id}", "no-such-notice")
                .replace("{file}", "maintenance.scheduled.json");
            let mut req = app
                .client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}/api/v1{concrete}", app.url),
                )
                .bearer_auth(&app.viewer);
            if op.get("requestBody").is_some() {
                req = req.header("content-type", "application/json").body("{}");
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap();
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
            assert!(
                !body.contains("no such API route"),
                "{method} {path} is documented but not routed"
            );
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if !secured {
                assert_eq!(status, 200, "public {method} {path}");
            }
        }
    }
    assert_eq!(operations, tangazo::web::api::endpoint_list().len());
    assert!(operations >= 20);
    // And a route that is not documented is not answered.
    let (s, v) = app.api("GET", "/not-a-route", &app.viewer, None).await;
    assert_eq!(s, 404);
    assert!(
        v["errors"]["path"]
            .as_str()
            .is_some_and(|m| m.starts_with("no such API route")),
        "{v}"
    );
    let (s, _) = app.api("PUT", "/notices", &app.viewer, None).await;
    assert_eq!(s, 405, "an undocumented method is refused");
}

/// A raw request to the API: method, path, headers and body as given.
async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> (u16, String, Vec<u8>) {
    let mut req = app
        .client
        .request(method.parse().unwrap(), format!("{}/api/v1{path}", app.url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = resp.bytes().await.unwrap().to_vec();
    if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
        common::contract::check(
            &app.running.state.settings.languages,
            method,
            path,
            status,
            &v,
        );
    }
    (status, content_type, bytes)
}

/// The error rule: a JSON object `{"errors": {field: message}}` with at least one field, every
/// message a string, and nothing else.
fn assert_error_shape(what: &str, status: u16, content_type: &str, body: &[u8]) {
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {status} answered {content_type:?}: {}",
        String::from_utf8_lossy(body)
    );
    let v: Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("{what}: {status} {}", String::from_utf8_lossy(body)));
    let top = v.as_object().unwrap_or_else(|| panic!("{what}: {v}"));
    assert_eq!(
        top.keys().collect::<Vec<_>>(),
        ["errors"],
        "{what}: {status} {v}"
    );
    let errors = v["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("{what}: {v}"));
    assert!(!errors.is_empty(), "{what}: {status} {v}");
    assert!(
        errors
            .values()
            .all(|m| m.as_str().is_some_and(|m| !m.is_empty())),
        "{what}: {status} {v}"
    );
}

/// Every error the API answers, whatever produced it (a handler, an extractor, the router),
/// has the one shape; tried on every documented operation with every kind of bad request.
async fn every_error_is_an_errors_object(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let (s, v) = app
        .api(
            "POST",
            "/billers",
            &app.admin,
            Some(json!({"name": "Kenya Power", "contact_email": "ops@kplc.co.ke"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = app
        .api(
            "POST",
            &format!("/billers/{}/tokens", v["id"].as_str().unwrap()),
            &app.admin,
            Some(json!({"name": "kplc"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let biller = format!("Bearer {}", v["token"].as_str().unwrap());
    let admin = format!("Bearer {}", app.admin);
    let viewer = format!("Bearer {}", app.viewer);
    let json_type = ("content-type", "application/json");
    let mut seen = std::collections::BTreeSet::new();
    let mut check = |what: String, (status, content_type, body): (u16, String, Vec<u8>)| {
        if status >= 400 {
            assert_error_shape(&what, status, &content_type, &body);
            seen.insert(status);
        }
    };
    for e in tangazo::web::api::endpoint_list() {
        let method = e.method.to_uppercase();
        let path = e
            .path
            .replace("{code}", "no-such-service")
            .replace("{id}", "no-such-id")
            .replace("{delivery}", "no-such-delivery")
            .replace("{file}", "no-such-schema.json");
        let body = || Some(b"{}".to_vec());
        let what = |how: &str| format!("{method} {path} {how}");
        let auths: [(&str, &[(&str, &str)]); 6] = [
            ("without a token", &[]),
            (
                "with another scheme",
                &[("authorization", "Basic b3BzOm9wcw==")],
            ),
            (
                "with an unknown token",
                &[("authorization", "Bearer tgz_nope")],
            ),
            ("as a viewer", &[("authorization", &viewer)]),
            ("as a biller", &[("authorization", &biller)]),
            ("as an admin", &[("authorization", &admin)]),
        ];
        for (how, headers) in auths {
            let mut headers = headers.to_vec();
            headers.push(json_type);
            check(what(how), raw(&app, &method, &path, &headers, body()).await);
        }
        if e.body == tangazo::web::api::Body::None {
            continue;
        }
        let auth = ("authorization", admin.as_str());
        for (how, headers, body) in [
            (
                "with broken JSON",
                vec![auth, json_type],
                b"{\"kind\": ".to_vec(),
            ),
            (
                "with a wrong type",
                vec![auth, json_type],
                b"[1, 2]".to_vec(),
            ),
            (
                "as text",
                vec![auth, ("content-type", "text/plain")],
                b"{}".to_vec(),
            ),
            (
                "with a bad key",
                vec![auth, json_type, ("idempotency-key", "")],
                b"{}".to_vec(),
            ),
            (
                "too large",
                vec![auth, json_type],
                vec![b' '; tangazo::web::api::BODY_LIMIT + 1],
            ),
        ] {
            check(
                what(how),
                raw(&app, &method, &path, &headers, Some(body)).await,
            );
        }
    }
    let auth = ("authorization", admin.as_str());
    for (method, path) in [
        ("GET", "/no-such-route"),
        ("PUT", "/notices"),
        ("DELETE", "/notices/x/publish"),
        ("GET", "/endpoints?no_such_filter=1"),
        ("GET", "/notices?limit=many"),
    ] {
        check(
            format!("{method} {path}"),
            raw(&app, method, path, &[auth], None).await,
        );
    }
    let duplicate = json!({"code": "pay-bill", "name": {"en": "Again"}, "group": "Payments"});
    let duplicate = Some(duplicate.to_string().into_bytes());
    let headers = [auth, ("content-type", "application/json")];
    check(
        "a duplicate service".into(),
        raw(&app, "POST", "/services", &headers, duplicate).await,
    );
    for status in [400, 401, 403, 404, 405, 409, 413, 415, 422] {
        assert!(seen.contains(&status), "no {status} was tried: {seen:?}");
    }
}

/// A body one byte over the limit is a 413 that states the limit; a body at the limit is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_over_the_limit_is_413() {
    use tangazo::web::api::{BODY_LIMIT, Body};
    let app = TestApp::spawn(Backend::Sqlite).await;
    let padded = |len: usize| {
        let mut b = b"{\"padding\": \"".to_vec();
        b.resize(len - 2, b'x');
        b.extend_from_slice(b"\"}");
        b
    };
    let auth = format!("Bearer {}", app.admin);
    for e in tangazo::web::api::endpoint_list() {
        if e.body == Body::None {
            continue;
        }
        let method = e.method.to_uppercase();
        let path = e.path.replace("{code}", "send-money").replace("{id}", "x");
        let keys: &[Option<&str>] = if method == "POST" {
            &[None, Some("big-1")]
        } else {
            &[None]
        };
        for key in keys {
            let mut headers = vec![
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
            ];
            headers.extend(key.map(|k| ("idempotency-key", k)));
            let over = raw(&app, &method, &path, &headers, Some(padded(BODY_LIMIT + 1))).await;
            let what = format!("{method} {path} key {key:?}");
            assert_eq!(over.0, 413, "{what}: {}", String::from_utf8_lossy(&over.2));
            let v: Value = serde_json::from_slice(&over.2).unwrap();
            let m = v["errors"]["body"].as_str().unwrap();
            assert!(m.contains("2097152 bytes (2 MiB)"), "{what}: {m}");
            let at = raw(&app, &method, &path, &headers, Some(padded(BODY_LIMIT))).await;
            assert_ne!(at.0, 413, "{what}: a body at the limit is read");
            assert!(at.0 < 500, "{what}: {}", at.0);
        }
    }
}

/// The scheme name of `Authorization` is case-insensitive and may be followed by several
/// spaces (RFC 9110 §11.1, §11.4); any other scheme is refused, naming the header.
async fn bearer_scheme_in_any_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR", "beARer"] {
        for gap in [" ", "   "] {
            let value = format!("{scheme}{gap}{}", app.viewer);
            let (s, _, body) =
                raw(&app, "GET", "/services", &[("authorization", &value)], None).await;
            assert_eq!(s, 200, "{value}: {}", String::from_utf8_lossy(&body));
        }
    }
    for value in [
        format!("Basic {}", app.viewer),
        format!("Bearerx {}", app.viewer),
        format!("Bearer{}", app.viewer),
        "Bearer ".to_string(),
    ] {
        let (s, content_type, body) =
            raw(&app, "GET", "/services", &[("authorization", &value)], None).await;
        assert_eq!(s, 401, "{value}");
        assert_error_shape(&value, s, &content_type, &body);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert!(v["errors"]["Authorization"].is_string(), "{v}");
    }
}

/// A revoked token gets 401 at once, saying so under the header's name.
async fn revoked_token_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let now = app.now();
    let (_, ci) = app
        .store
        .create_token("ci", tangazo::store::Role::Editor, None, "test", now)
        .await
        .unwrap();
    let (s, _) = app.api("GET", "/services", &ci, None).await;
    assert_eq!(s, 200);
    app.store.revoke_token("ci", "test", now).await.unwrap();
    let (s, v) = app.api("GET", "/services", &ci, None).await;
    assert_eq!(s, 401);
    assert_eq!(
        v["errors"]["Authorization"], "unknown or revoked token",
        "{v}"
    );
    // A biller's tokens have names of their own: unique among that biller's.
    let (s, v) = app
        .api(
            "POST",
            "/billers",
            &app.admin,
            Some(json!({"name": "Kenya Power", "contact_email": "ops@kplc.co.ke"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let path = format!("/billers/{}/tokens", v["id"].as_str().unwrap());
    let (s, v) = app
        .api("POST", &path, &app.admin, Some(json!({"name": "editor"})))
        .await;
    assert_eq!(s, 201, "a staff token's name is not the biller's: {v}");
    let (s, v) = app
        .api("POST", &path, &app.admin, Some(json!({"name": "editor"})))
        .await;
    assert_eq!(s, 409, "{v}");
    let m = v["errors"]["name"].as_str().unwrap();
    assert!(m.contains("'editor' already exists for this biller"), "{v}");
    // Two live tokens named alike are revoked by id, the name being ambiguous.
    let refused = app.store.revoke_token("editor", "test", now).await;
    assert!(
        matches!(&refused, Err(tangazo::store::StoreError::Conflict { message, .. }) if message.contains("by its id")),
        "{refused:?}"
    );
}

/// A token over `server.api_requests_per_minute` is refused with 429 and `Retry-After`, as the
/// document says; other tokens go on.
async fn a_token_over_its_rate_waits(backend: Backend) {
    let db = std::sync::Arc::new(common::TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_SERVER_API_REQUESTS_PER_MINUTE", "3")]).await;
    // Three at once, then one every 20 s.
    for _ in 0..3 {
        let (s, v) = app.api("GET", "/notices", &app.viewer, None).await;
        assert_eq!(s, 200, "{v}");
    }
    let r = app
        .client
        .get(format!("{}/api/v1/notices", app.url))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=20).contains(&wait),
        "one request back every 20 s: {wait}"
    );
    let v: Value = r.json().await.unwrap();
    let why = v["errors"]["Authorization"].as_str().unwrap();
    assert!(why.contains("server.api_requests_per_minute"), "{why}");
    // Through the contract check too: 429 is a documented answer.
    let (s, _) = app.api("GET", "/notices", &app.viewer, None).await;
    assert_eq!(s, 429);
    let (s, v) = app.api("GET", "/notices", &app.editor, None).await;
    assert_eq!(s, 200, "another token has its own allowance: {v}");
}

on_both_backends!(
    every_error_is_an_errors_object,
    bearer_scheme_in_any_case,
    revoked_token_is_refused,
    a_token_over_its_rate_waits,
);

/// The check every API answer in these tests goes through refuses what the document does not
/// describe: an undocumented status, a missing or extra field, a value of the wrong type.
#[test]
fn the_contract_check_refuses_what_the_document_does_not_describe() {
    use tangazo::domain::Lang;
    let langs = [Lang::En, Lang::Sw];
    let refused = |method: &str, path: &str, status: u16, body: Value| {
        std::panic::catch_unwind(|| common::contract::check(&langs, method, path, status, &body))
            .is_err()
    };
    let service = json!({
        "code": "send-money", "name": {"en": "Send money"}, "description": {},
        "group": "Payments", "position": 0, "status": "operational",
        "created_at": "2026-12-07T10:00:00Z", "updated_at": "2026-12-07T10:00:00.123Z",
    });
    // What the API answers passes.
    assert!(!refused(
        "GET",
        "/services/send-money",
        200,
        service.clone()
    ));
    assert!(!refused(
        "GET",
        "/services",
        200,
        json!({"services": [service.clone()]})
    ));
    assert!(!refused(
        "GET",
        "/services/x",
        404,
        json!({"errors": {"service": "no service 'x'"}})
    ));
    // Anything else does not.
    assert!(refused("GET", "/services/send-money", 418, service.clone()));
    let mut extra = service.clone();
    extra["secret"] = json!("x");
    assert!(refused("GET", "/services/send-money", 200, extra));
    let mut missing = service.clone();
    missing.as_object_mut().unwrap().remove("group");
    assert!(refused("GET", "/services/send-money", 200, missing));
    let mut wrong = service.clone();
    wrong["status"] = json!("fine");
    assert!(refused("GET", "/services/send-money", 200, wrong));
    let mut not_a_time = service;
    not_a_time["created_at"] = json!("yesterday");
    assert!(refused("GET", "/services/send-money", 200, not_a_time));
    assert!(refused("GET", "/services/x", 404, json!({"errors": {}})));
    assert!(refused(
        "DELETE",
        "/services/x",
        204,
        json!({"deleted": true})
    ));
}
