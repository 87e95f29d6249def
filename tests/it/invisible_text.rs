//! Staff texts that customers read refuse invisible characters (bidirectional controls,
//! zero-width and other format characters) in every field the API takes, naming the field
//! and the character; a family emoji, whose joiners sit between emoji, passes everywhere.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Duration;
use common::{Backend, TestApp, TestDb};
use serde_json::{Value, json};

/// Every character the issue names, with the words the refusal uses for it.
const FORBIDDEN: [(char, &str); 19] = [
    ('\u{202A}', "left-to-right embedding"),
    ('\u{202B}', "right-to-left embedding"),
    ('\u{202C}', "pop directional formatting"),
    ('\u{202D}', "left-to-right override"),
    ('\u{202E}', "right-to-left override"),
    ('\u{2066}', "left-to-right isolate"),
    ('\u{2067}', "right-to-left isolate"),
    ('\u{2068}', "first strong isolate"),
    ('\u{2069}', "pop directional isolate"),
    ('\u{200B}', "zero-width space"),
    ('\u{200C}', "zero-width non-joiner"),
    ('\u{200D}', "zero-width joiner"),
    ('\u{2060}', "word joiner"),
    ('\u{FEFF}', "zero-width no-break space"),
    ('\u{180E}', "Mongolian vowel separator"),
    ('\u{061C}', "Arabic letter mark"),
    ('\u{200E}', "left-to-right mark"),
    ('\u{200F}', "right-to-left mark"),
    ('\u{00AD}', "soft hyphen"),
];

static SERVICES: AtomicUsize = AtomicUsize::new(0);

const FAMILY: &str = "Familia 👨\u{200D}👩\u{200D}👧 karibu";

/// One field of one request: where it goes and the error key that must name it.
struct Field {
    key: &'static str,
    method: &'static str,
    path: String,
    body: Box<dyn Fn(&str) -> Value>,
}

fn field(
    key: &'static str,
    method: &'static str,
    path: String,
    body: impl Fn(&str) -> Value + 'static,
) -> Field {
    Field {
        key,
        method,
        path,
        body: Box::new(body),
    }
}

fn draft(app: &TestApp) -> Value {
    let start = app.now() + Duration::days(2);
    json!({
        "kind": "maintenance",
        "title": {"en": "Night upgrade", "sw": "Uboreshaji wa usiku"},
        "still_works": {"en": "Cash at agents"},
        "body": {"en": "Finish payments first."},
        "affected": [{"service": "pay-bill"}],
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + Duration::hours(3)).to_rfc3339(),
    })
}

/// `base` with `text` at the JSON pointer `at`.
fn with(base: &Value, at: &str, text: &str) -> Value {
    let mut v = base.clone();
    let mut target = &mut v;
    for part in at.split('/').filter(|p| !p.is_empty()) {
        target = &mut target[part];
    }
    *target = json!(text);
    v
}

async fn fields(app: &TestApp) -> Vec<Field> {
    let base = draft(app);
    let (s, v) = app
        .api("POST", "/notices", &app.publisher, Some(base.clone()))
        .await;
    assert_eq!(s, 201, "{v}");
    let draft_id = v["id"].as_str().unwrap().to_string();
    let live = app.publish_window("Upgrade", 5, 3).await;
    let live_id = live["id"].as_str().unwrap().to_string();
    let (s, b) = app
        .api(
            "POST",
            "/billers",
            &app.admin,
            Some(json!({"name": "Kenya Power", "contact_email": "ops@kplc.example"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let biller = b["id"].as_str().unwrap().to_string();
    let endpoint = json!({"biller_id": biller, "url": "http://127.0.0.1:9/hook",
        "contact_email": "ops@kplc.example", "description": "payments switch"});
    let (s, e) = app
        .api("POST", "/endpoints", &app.admin, Some(endpoint.clone()))
        .await;
    assert_eq!(s, 201, "{e}");
    let endpoint_id = e["endpoint"]["id"].as_str().unwrap().to_string();

    let notice = |key, at: &'static str| {
        let base = base.clone();
        field(key, "POST", "/notices".into(), move |t| with(&base, at, t))
    };
    let update = json!({"body": {"en": "Going well.", "sw": "Inaendelea vizuri."}});
    let updates = format!("/notices/{live_id}/updates");
    let service = json!({"name": {"en": "USSD", "sw": "USSD"}, "group": "Channels"});
    let mut list = vec![
        notice("title.en", "/title/en"),
        notice("title.sw", "/title/sw"),
        notice("still_works.en", "/still_works/en"),
        notice("body.en", "/body/en"),
        notice("sms.en", "/sms/en"),
        notice("email.sw", "/email/sw"),
        field(
            "title.en",
            "PATCH",
            format!("/notices/{draft_id}"),
            |t| json!({"title": {"en": t}}),
        ),
        field(
            "still_works.sw",
            "PATCH",
            format!("/notices/{draft_id}"),
            |t| json!({"still_works": {"en": "Cash", "sw": t}}),
        ),
    ];
    for (key, at) in [
        ("body.sw", "/body/sw"),
        ("sms.en", "/sms/en"),
        ("email.en", "/email/en"),
    ] {
        let update = update.clone();
        list.push(field(key, "POST", updates.clone(), move |t| {
            with(&update, at, t)
        }));
    }
    for (key, at) in [
        ("name.en", "/name/en"),
        ("description.en", "/description/en"),
        ("group", "/group"),
    ] {
        let service = service.clone();
        list.push(field(key, "POST", "/services".into(), move |t| {
            // A code of its own each time, so that the request that passes creates one.
            let n = SERVICES.fetch_add(1, Ordering::Relaxed);
            with(&with(&service, at, t), "/code", &format!("ussd-{n}"))
        }));
    }
    list.push(field(
        "name.sw",
        "PATCH",
        "/services/pay-bill".into(),
        |t| json!({"name": {"en": "Pay bill", "sw": t}}),
    ));
    list.push(field(
        "group",
        "PATCH",
        "/services/pay-bill".into(),
        |t| json!({"group": t}),
    ));
    list.push(field(
        "name",
        "POST",
        "/billers".into(),
        |t| json!({"name": t, "contact_email": "ops@kplc.example"}),
    ));
    list.push(field(
        "description",
        "POST",
        "/endpoints".into(),
        move |t| with(&endpoint, "/description", t),
    ));
    list.push(field(
        "reason",
        "POST",
        format!("/endpoints/{endpoint_id}/disable"),
        |t| json!({"reason": t}),
    ));
    list
}

async fn every_field_refuses_every_invisible_character(backend: Backend) {
    let db = Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")]).await;
    app.seed_services().await;
    for f in fields(&app).await {
        for (c, name) in FORBIDDEN {
            let text = format!("Pay {c}bill now");
            let (s, v) = app
                .api(f.method, &f.path, &app.admin, Some((f.body)(&text)))
                .await;
            assert_eq!(
                s,
                422,
                "{} {} {}: U+{:04X}: {v}",
                f.method,
                f.path,
                f.key,
                u32::from(c)
            );
            let message = v["errors"][f.key].as_str().unwrap_or_else(|| {
                panic!("{} {}: no error under {}: {v}", f.method, f.path, f.key)
            });
            let expected = format!("contains an invisible {name}");
            let at = format!("(U+{:04X}) at position 5; remove it", u32::from(c));
            assert!(
                message.contains(&expected) && message.contains(&at),
                "{}: {message}",
                f.key
            );
        }
        let (s, v) = app
            .api(f.method, &f.path, &app.admin, Some((f.body)(FAMILY)))
            .await;
        assert!(
            (200..300).contains(&s),
            "{} {} {}: a family emoji passes: {v}",
            f.method,
            f.path,
            f.key
        );
    }
    // What was accepted kept its joiners.
    let (_, v) = app
        .api("GET", "/services/pay-bill", &app.viewer, None)
        .await;
    assert_eq!(v["group"], FAMILY, "{v}");
}

on_both_backends!(every_field_refuses_every_invisible_character);
