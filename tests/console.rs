//! The staff console over HTTP, as a browser without JavaScript uses it: log in, the
//! announcement form with its preview, publishing, four eyes, the audit log, and each refusal.

mod common;

use std::collections::HashMap;

use chrono::Duration;
use common::{Backend, TestApp, TestDb};
use tangazo::clock::Clock;
use tangazo::store::Role;

const PASSWORD: &str = "correct horse battery staple";

/// A browser: keeps cookies, follows nothing on its own.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: HashMap<String, String>,
}

struct Page {
    status: u16,
    location: String,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: HashMap::new(),
        }
    }

    fn keep(&mut self, resp: &reqwest::Response) {
        for v in resp.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if val.is_empty() || v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .app
            .client
            .get(format!("{}{path}", self.app.url))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.page(resp).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let resp = self
            .app
            .client
            .post(format!("{}{path}", self.app.url))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.page(resp).await
    }

    async fn page(&mut self, resp: reqwest::Response) -> Page {
        self.keep(&resp);
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        Page {
            status,
            location,
            body: resp.text().await.unwrap(),
        }
    }

    async fn login(&mut self, email: &str, password: &str, next: &str) -> Page {
        let form = self
            .get(&format!(
                "/console/login?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ))
            .await;
        let csrf = hidden(&form.body, "csrf");
        let next_field = hidden(&form.body, "next");
        self.post(
            "/console/login",
            &[
                ("csrf", &csrf),
                ("next", &next_field),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }
}

/// The value of a hidden input in a page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in page"))
        + marker.len();
    let end = body[start..].find('"').unwrap() + start;
    body[start..end].replace("&#38;", "&").replace("&amp;", "&")
}

async fn accounts(app: &TestApp) {
    for (email, role) in [
        ("writer@example.co.ke", Role::Editor),
        ("pub1@example.co.ke", Role::Publisher),
        ("pub2@example.co.ke", Role::Publisher),
        ("viewer@example.co.ke", Role::Viewer),
        ("boss@example.co.ke", Role::Admin),
    ] {
        app.store
            .create_user(email, role, PASSWORD, app.clock.now())
            .await
            .unwrap();
    }
}

async fn login_sessions_and_refusals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    accounts(&app).await;
    let mut b = Browser::new(&app);

    // Not logged in: sent to the login page, with where to come back.
    let p = b.get("/console/audit").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location, "/console/login?next=%2Fconsole%2Faudit");

    // Wrong password, then an open redirect attempt that lands on the console instead.
    let p = b
        .login("pub1@example.co.ke", "wrong password!!", "/console")
        .await;
    assert_eq!(p.status, 401);
    assert!(p.body.contains("Wrong email or password."));
    let p = b
        .login("PUB1@example.co.ke", PASSWORD, "//evil.example/steal")
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location, "/console", "no open redirect");
    let session = b
        .cookies
        .get("tangazo_session")
        .cloned()
        .expect("session cookie");
    let p = b.get("/console").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("pub1@example.co.ke (publisher)"));

    // The session cookie is HttpOnly and SameSite=Strict; Secure because the public URL is https.
    let r = app
        .client
        .post(format!("{}/console/login", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        403,
        "a login POST without its CSRF cookie is refused"
    );
    let fresh = app
        .client
        .get(format!("{}/console/login", app.url))
        .send()
        .await
        .unwrap();
    let set = fresh.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Secure"),
        "{set}"
    );
    assert!(
        fresh.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );

    // A form without the CSRF token is refused and changes nothing.
    let p = b.post("/console/logout", &[]).await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("CSRF"));
    assert_eq!(b.get("/console").await.status, 200, "still logged in");

    // Logging out ends the session on the server, not only in the browser.
    let csrf = hidden(&b.get("/console").await.body, "csrf");
    let p = b.post("/console/logout", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 303);
    let r = app
        .client
        .get(format!("{}/console", app.url))
        .header("cookie", format!("tangazo_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the old session token no longer works");

    // Five wrong passwords lock the account, even for the right password afterwards.
    let mut attacker = Browser::new(&app);
    for _ in 0..5 {
        attacker
            .login("writer@example.co.ke", "not the password", "/console")
            .await;
    }
    let p = attacker
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    assert_eq!(p.status, 429);
    assert!(p.body.contains("locked"), "{}", p.body);
    app.clock.advance(Duration::minutes(16));
    let p = attacker
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    assert_eq!(p.status, 303, "unlocked after the lockout");

    // Every login, failed or not, is in the audit log.
    let entries = app
        .store
        .audit_entries(None, Some("console.login_failed"), None, 50)
        .await
        .unwrap();
    assert!(entries.len() >= 6);
}

async fn form_preview_publish_and_audit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    accounts(&app).await;
    app.running.state.snapshot.refresh().await.unwrap();
    let mut writer = Browser::new(&app);
    writer
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    let form = writer.get("/console/notices/new").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Send money") && form.body.contains("EAT"));
    assert!(
        form.body.contains("Write {{ for a literal {, }} for }."),
        "the overrides' help gives the brace escape"
    );
    let csrf = hidden(&form.body, "csrf");
    let start = (app.now() + Duration::days(2))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT23:00")
        .to_string();
    let end = (app.now() + Duration::days(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT06:00")
        .to_string();

    // Bad input: errors next to the fields, everything typed comes back.
    let p = writer
        .post(
            "/console/notices",
            &[
                ("csrf", &csrf),
                ("op", "save"),
                ("kind", "maintenance"),
                ("title.sw", "Matengenezo <b>makubwa</b>"),
                ("starts_at", &end),
                ("ends_at", &start),
                ("body.en", "Keep this text"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Nothing was saved"));
    assert!(p.body.contains("title.en") || p.body.contains("is required"));
    assert!(p.body.contains("must be after starts_at"));
    assert!(p.body.contains("Keep this text"), "nothing typed is lost");
    assert!(
        p.body
            .contains("Matengenezo &#60;b&#62;makubwa&#60;/b&#62;"),
        "script-like text is escaped"
    );

    // Preview without JavaScript: the SMS, its encoding and segment count, per language.
    let fields = vec![
        ("csrf", csrf.as_str()),
        ("kind", "maintenance"),
        ("title.en", "Send money and Pay bill unavailable"),
        ("title.sw", "Tuma pesa na Lipa bili hazitapatikana"),
        ("affected", "send-money"),
        ("impact.send-money", "under_maintenance"),
        ("affected", "pay-bill"),
        ("impact.pay-bill", "under_maintenance"),
        ("starts_at", &start),
        ("ends_at", &end),
        ("auto_start", "on"),
        ("still_works.en", "Cash at agents"),
        ("body.en", "Finish urgent payments before 23:00."),
        ("sms.en", "Send money down {window} 🙏"),
    ];
    let mut preview = fields.clone();
    preview.push(("op", "preview"));
    let p = writer.post("/console/notices", &preview).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("What customers will receive"));
    assert!(p.body.contains("UCS-2"), "the emoji forces UCS-2");
    assert!(p.body.contains("forcing UCS-2: <b>🙏</b>"));
    assert!(
        p.body.contains("GSM-7"),
        "Swahili uses the template and stays GSM-7"
    );
    // One click removes the offending character from that SMS.
    let mut fix = fields.clone();
    fix.push(("op", "fix-en"));
    let p = writer.post("/console/notices", &fix).await;
    assert!(!p.body.contains("forcing UCS-2: <b>🙏</b>"), "fixed");
    assert!(p.body.contains("Send money down"));
    // The live preview endpoint returns only the pane.
    let frag = app
        .client
        .post(format!("{}/console/notices/preview", app.url))
        .header("cookie", writer.cookie_header())
        .header("x-preview-fragment", "1")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&fields)
                .finish(),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(frag.starts_with("<div id=\"preview\">"), "{frag}");

    // Save the draft.
    let mut save = fields.clone();
    save.retain(|(k, _)| *k != "sms.en");
    save.push(("op", "save"));
    let p = writer.post("/console/notices", &save).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let id = p
        .location
        .trim_start_matches("/console/notices/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page = writer.get(&p.location).await;
    assert!(page.body.contains("Saved."));
    assert!(
        page.body.contains("maintenance.scheduled"),
        "the preview shows the announcement to come"
    );
    assert!(
        !page.body.contains("action=\"/console/notices/"),
        "an editor sees no lifecycle buttons"
    );
    let p = writer
        .post(
            &format!("/console/notices/{id}/publish"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(p.status, 403, "an editor cannot publish");

    // One follower, whose SMS the publication queues.
    let now = app.clock.now();
    app.store
        .subscribe(
            &tangazo::store::NewSubscriber {
                address: tangazo::domain::subscriber::Address::parse(
                    "0712000001",
                    "KE",
                    &["KE".to_string()],
                )
                .unwrap(),
                language: tangazo::domain::Lang::En,
                services: None,
                source: "import",
                confirmed: true,
                expires_at: now,
            },
            now,
        )
        .await
        .unwrap();

    // Publisher: confirmation is required, then it is public.
    let mut publisher = Browser::new(&app);
    publisher
        .login("pub1@example.co.ke", PASSWORD, "/console")
        .await;
    let page = publisher.get(&format!("/console/notices/{id}")).await;
    let pcsrf = hidden(&page.body, "csrf");
    let p = publisher
        .post(
            &format!("/console/notices/{id}/publish"),
            &[("csrf", &pcsrf)],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Tick the confirmation box"));
    assert!(
        !app.text("/")
            .await
            .contains("Send money and Pay bill unavailable")
    );
    let p = publisher
        .post(
            &format!("/console/notices/{id}/publish"),
            &[("csrf", &pcsrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Done: maintenance.scheduled"));
    let public = app.text("/").await;
    assert!(public.contains("Send money and Pay bill unavailable"));
    assert!(public.contains("Finish urgent payments before 23:00."));
    // The notice page counts what the publication queued, with an ETA at the configured pace.
    let page = publisher.get(&format!("/console/notices/{id}")).await;
    assert!(
        page.body.contains("<td>#1 <span class=\"meta\">maintenance.scheduled</span></td><td>sms</td><td>0</td><td>1 <span class=\"meta\">(about 1 s)</span>"),
        "{}",
        page.body
    );

    // Extend with a new end in the page's zone.
    let later = (app.now() + Duration::days(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT09:00")
        .to_string();
    let p = publisher
        .post(
            &format!("/console/notices/{id}/extend"),
            &[
                ("csrf", &pcsrf),
                ("confirm", "yes"),
                ("ends_at", &later),
                ("body.en", "Taking longer."),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("maintenance.extended"));
    let p = publisher
        .post(
            &format!("/console/notices/{id}/complete"),
            &[("csrf", &pcsrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(p.status, 409, "a scheduled window cannot complete");
    assert!(
        p.body
            .contains("only a window in progress can be completed")
    );

    // The audit log: who did what, with before and after, filterable.
    let audit = publisher
        .get("/console/audit?actor=user%3Apub1%40example.co.ke")
        .await;
    assert!(audit.body.contains("notice.publish") && audit.body.contains("notice.extend"));
    assert!(
        !audit.body.contains("notice.create"),
        "filtered to one actor"
    );
    let all = app
        .store
        .audit_entries(None, None, Some(&format!("notice:{id}")), 50)
        .await
        .unwrap();
    let actions: Vec<&str> = all.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["notice.create", "notice.publish", "notice.extend"]
    );
    assert_eq!(all[0].actor, "user:pub1@example.co.ke");
    assert_eq!(all[2].actor, "user:writer@example.co.ke");
    assert!(
        all[1].before.as_deref().unwrap().contains("\"draft\"")
            && all[1].after.as_deref().unwrap().contains("\"scheduled\"")
    );
}

async fn four_eyes(backend: Backend) {
    let db = std::sync::Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_CONSOLE_REQUIRE_APPROVAL", "true")]).await;
    app.seed_services().await;
    accounts(&app).await;
    app.running.state.snapshot.refresh().await.unwrap();
    let start = app.now() + Duration::days(2);
    // Written by pub1 through the console...
    let mut one = Browser::new(&app);
    one.login("pub1@example.co.ke", PASSWORD, "/console").await;
    let csrf = hidden(&one.get("/console/notices/new").await.body, "csrf");
    let s = start
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let e = (start + Duration::hours(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let p = one
        .post(
            "/console/notices",
            &[
                ("csrf", &csrf),
                ("op", "save"),
                ("kind", "maintenance"),
                ("title.en", "Four eyes"),
                ("affected", "pay-bill"),
                ("impact.pay-bill", "under_maintenance"),
                ("starts_at", &s),
                ("ends_at", &e),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let id = p
        .location
        .trim_start_matches("/console/notices/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page = one.get(&format!("/console/notices/{id}")).await;
    assert!(page.body.contains("another publisher must publish"));
    // ...cannot be published by pub1...
    let p = one
        .post(
            &format!("/console/notices/{id}/publish"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("four-eyes"), "{}", p.body);
    assert!(!app.text("/").await.contains("Four eyes"));
    // An edit after writing shows up for the approver, field by field.
    let p = one
        .post(
            &format!("/console/notices/{id}/edit"),
            &[
                ("csrf", &csrf),
                ("op", "save"),
                ("kind", "maintenance"),
                ("title.en", "Four eyes, edited"),
                ("affected", "pay-bill"),
                ("impact.pay-bill", "under_maintenance"),
                ("starts_at", &s),
                ("ends_at", &e),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // ...but by pub2.
    let mut two = Browser::new(&app);
    two.login("pub2@example.co.ke", PASSWORD, "/console").await;
    let page = two.get(&format!("/console/notices/{id}")).await;
    assert!(page.body.contains("Changes since it was written"));
    assert!(
        page.body.contains("Four eyes, edited") && page.body.contains("user:pub1@example.co.ke"),
        "{}",
        page.body
    );
    let csrf2 = hidden(
        &two.get(&format!("/console/notices/{id}")).await.body,
        "csrf",
    );
    let p = two
        .post(
            &format!("/console/notices/{id}/publish"),
            &[("csrf", &csrf2), ("confirm", "yes")],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(app.text("/").await.contains("Four eyes, edited"));
}

async fn services_view(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    accounts(&app).await;
    let mut editor = Browser::new(&app);
    editor
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    let page = editor.get("/console/services").await;
    assert!(
        page.body.contains("send-money") && !page.body.contains(">Save</button>"),
        "editors read, admins edit: {}",
        page.body
    );
    let csrf = hidden(&page.body, "csrf");
    let p = editor
        .post(
            "/console/services/pay-bill",
            &[
                ("csrf", &csrf),
                ("name.en", "Pay bill"),
                ("group", "Payments"),
                ("position", "1"),
                ("status", "major_outage"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    let mut boss = Browser::new(&app);
    boss.login("boss@example.co.ke", PASSWORD, "/console").await;
    let csrf = hidden(&boss.get("/console/services").await.body, "csrf");
    let p = boss
        .post(
            "/console/services/pay-bill",
            &[
                ("csrf", &csrf),
                ("name.en", "Pay bill"),
                ("name.sw", "Lipa bili"),
                ("group", "Payments"),
                ("position", "x"),
                ("status", "partial_outage"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("position must be a whole number"));
    let p = boss
        .post(
            "/console/services/pay-bill",
            &[
                ("csrf", &csrf),
                ("name.en", "Pay bill"),
                ("name.sw", "Lipa bili"),
                ("group", "Payments"),
                ("position", "0"),
                ("status", "partial_outage"),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Saved pay-bill."));
    let summary = app.json("/api/v2/summary.json").await;
    let pay = summary["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "pay-bill")
        .unwrap()
        .clone();
    assert_eq!(pay["status"], "partial_outage");
    assert_eq!(summary["status"]["indicator"], "major");
    let audit = app
        .store
        .audit_entries(
            Some("user:boss@example.co.ke"),
            Some("service.update"),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].before.as_deref().unwrap().contains("operational")
            && audit[0]
                .after
                .as_deref()
                .unwrap()
                .contains("partial_outage")
    );
}

async fn subscribers_view_and_audience(backend: Backend) {
    use tangazo::domain::subscriber::Address;
    use tangazo::store::NewSubscriber;
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    accounts(&app).await;
    let allowed = vec!["KE".to_string()];
    let now = app.clock.now();
    let pay = tangazo::domain::ServiceCode::parse("pay-bill").unwrap();
    for (addr, services) in [
        ("0712000001", None),
        ("0712000002", Some(vec![pay.clone()])),
        ("a@example.com", None),
        (
            "b@example.com",
            Some(vec![
                tangazo::domain::ServiceCode::parse("buy-goods").unwrap(),
            ]),
        ),
    ] {
        app.store
            .subscribe(
                &NewSubscriber {
                    address: Address::parse(addr, "KE", &allowed).unwrap(),
                    language: tangazo::domain::Lang::Sw,
                    services,
                    source: "import",
                    confirmed: true,
                    expires_at: now,
                },
                now,
            )
            .await
            .unwrap();
    }
    // Biller endpoints: one on pay-bill, one on agent cash only.
    let now = app.clock.now();
    let biller = app
        .store
        .create_biller("Kenya Power", "ops@kplc.example", "test", now)
        .await
        .unwrap();
    for service in ["pay-bill", "agent-cash"] {
        let settings = tangazo::store::EndpointSettings {
            url: "https://hooks.kplc.example/tangazo".into(),
            description: String::new(),
            event_types: vec![],
            services: Some(vec![tangazo::domain::ServiceCode::parse(service).unwrap()]),
            rate_limit: 0,
            contact_email: "ops@kplc.example".into(),
        };
        app.store
            .create_endpoint(&biller.id, &settings, false, "test", now)
            .await
            .unwrap();
    }
    let v = app.publish_window("Pay bill upgrade", 5, 2).await;
    let mut b = Browser::new(&app);
    b.login("viewer@example.co.ke", PASSWORD, "/console").await;
    let page = b
        .get(&format!("/console/notices/{}", v["id"].as_str().unwrap()))
        .await;
    assert!(
        page.body.contains(
            "<b>2</b> SMS and <b>1</b> email subscribers and <b>1</b> biller webhook endpoint(s)"
        ),
        "send-money + pay-bill reach 2 SMS, 1 email, 1 endpoint"
    );
    let page = b.get("/console/subscribers").await;
    assert!(
        page.body
            .contains("<td>sms</td><td>sw</td><td>confirmed</td><td>2</td>"),
        "{}",
        page.body
    );
    let page = b.get("/console/subscribers?address=0712%20000%20002").await;
    assert!(page.body.contains("+254712000002") && page.body.contains("pay-bill"));
    let page = b.get("/console/subscribers?address=0799000000").await;
    assert!(
        page.body
            .contains("No subscriber has the address +254799000000")
    );
    let lookups = app
        .store
        .audit_entries(None, Some("subscriber.lookup"), None, 5)
        .await
        .unwrap();
    assert_eq!(lookups.len(), 1, "looking someone up is audited");
}

async fn import_upload_in_the_console(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    accounts(&app).await;
    let multipart = |csrf: &str, csv: &str| {
        let b = "----tangazo-test-boundary";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{b}--\r\n"
        );
        (format!("multipart/form-data; boundary={b}"), body)
    };
    let mut editor = Browser::new(&app);
    editor
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    assert_eq!(
        editor.get("/console/subscribers/import").await.status,
        403,
        "admins only"
    );
    let mut boss = Browser::new(&app);
    boss.login("boss@example.co.ke", PASSWORD, "/console").await;
    let page = boss.get("/console/subscribers/import").await;
    let csrf = hidden(&page.body, "csrf");
    let send = |ct: String, body: String| {
        app.client
            .post(format!("{}/console/subscribers/import", app.url))
            .header("cookie", boss.cookie_header())
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let (ct, body) = multipart(
        &csrf,
        "address,services,consent\n0712000101,pay-bill,yes\n0712000102,,yes\nzawadi@example.com,,yes\n",
    );
    let r = send(ct, body).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("3 rows: 3 new subscribers, 0 already present.")
    );
    let (ct, body) = multipart(&csrf, "address,consent\n0712000103,yes\n0712000104,maybe\n");
    let r = send(ct, body).await.unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("line 3: consent") && text.contains("nothing was imported"),
        "{text}"
    );
    let (ct, body) = multipart("wrong", "address,consent\n0712000105,yes\n");
    assert_eq!(send(ct, body).await.unwrap().status(), 403);
    let counts = app.store.subscriber_counts().await.unwrap();
    let total: i64 = counts.iter().map(|c| c.3).sum();
    assert_eq!(total, 3, "only the clean file was stored");
}

/// An instant as the console shows it: in the page's zone (Nairobi), the exact UTC time to the
/// millisecond on hover.
fn shown_at(app: &TestApp, at: chrono::DateTime<chrono::Utc>) -> String {
    let face = tangazo::render::i18n::Clockface {
        tz: "Africa/Nairobi".parse().unwrap(),
        lang: tangazo::domain::Lang::En,
        now: app.now(),
    };
    format!(
        "<span title=\"{}\">{}</span>",
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        face.instant(at)
    )
}

/// Billers and endpoints in the console: created with the secret shown once, a test event that
/// reaches a real receiver, rotation, disable and enable, and the deliveries with attempts.
async fn billers_view(backend: Backend) {
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = got.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let db = std::sync::Arc::new(common::TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")]).await;
    app.seed_services().await;
    accounts(&app).await;
    let mut viewer = Browser::new(&app);
    viewer
        .login("viewer@example.co.ke", PASSWORD, "/console")
        .await;
    let page = viewer.get("/console/billers").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("New biller"), "viewers only read");
    let csrf = hidden(&page.body, "csrf");
    let p = viewer
        .post(
            "/console/billers",
            &[
                ("csrf", &csrf),
                ("name", "KPLC"),
                ("contact_email", "ops@kplc.example"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);

    let mut boss = Browser::new(&app);
    boss.login("boss@example.co.ke", PASSWORD, "/console").await;
    let csrf = hidden(&boss.get("/console/billers").await.body, "csrf");
    let p = boss
        .post(
            "/console/billers",
            &[
                ("csrf", &csrf),
                ("name", "Kenya Power"),
                ("contact_email", "not an email"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body
            .contains("contact_email: &#39;not an email&#39; is not an email address")
            || p.body.contains("contact_email:"),
        "{}",
        p.body
    );
    let p = boss
        .post(
            "/console/billers",
            &[
                ("csrf", &csrf),
                ("name", "Kenya \u{202E}Power"),
                ("contact_email", "ops@kplc.example"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body
            .contains("name: contains an invisible right-to-left override (U+202E) at position 7"),
        "{}",
        p.body
    );
    let p = boss
        .post(
            "/console/billers",
            &[
                ("csrf", &csrf),
                ("name", "Kenya Power"),
                ("contact_email", "ops@kplc.example"),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let billers = app.store.list_billers().await.unwrap();
    let biller = &billers[0].id;
    let p = boss
        .post(
            &format!("/console/billers/{biller}/endpoints"),
            &[
                ("csrf", &csrf),
                ("url", "http://10.0.0.5:notaport/x"),
                ("contact_email", "ops@kplc.example"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "a bad URL is refused with its reason");
    assert!(
        p.body.contains("url: ") && !p.body.contains("url: url:"),
        "the field is named once: {}",
        p.body
    );
    let p = boss
        .post(
            &format!("/console/billers/{biller}/endpoints"),
            &[
                ("csrf", &csrf),
                ("url", &hook_url),
                ("contact_email", "ops@kplc.example"),
                ("rate_limit", "fast"),
            ],
        )
        .await;
    assert_eq!(
        p.status, 422,
        "a rate limit that is not a number is refused"
    );
    assert!(p.body.contains("rate_limit:"), "{}", p.body);
    assert!(
        app.store
            .list_endpoints(Some(biller))
            .await
            .unwrap()
            .is_empty(),
        "and nothing is created"
    );
    let p = boss
        .post(
            &format!("/console/billers/{biller}/endpoints"),
            &[
                ("csrf", &csrf),
                ("url", &hook_url),
                ("description", "payments switch"),
                ("contact_email", "ops@kplc.example"),
                (
                    "event_types",
                    "maintenance.scheduled, maintenance.completed",
                ),
                ("services", "pay-bill"),
                ("rate_limit", "5"),
            ],
        )
        .await;
    assert_eq!(p.status, 201, "{}", p.body);
    assert!(
        p.body.contains("shown only now: whsec_"),
        "the secret is shown once"
    );
    let endpoint = app
        .store
        .list_endpoints(Some(biller))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        endpoint.event_types,
        ["maintenance.completed", "maintenance.scheduled"]
    );
    assert_eq!(
        endpoint.services.as_deref(),
        Some(&["pay-bill".to_string()][..])
    );
    let page = boss.get("/console/billers").await;
    assert!(!page.body.contains("whsec_"), "and never again");
    assert!(page.body.contains(&hook_url));

    let action = |a: &str| format!("/console/endpoints/{}/{a}", endpoint.id);
    let p = boss.post(&action("test"), &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("Test event sent: HTTP 204"), "{}", p.body);
    assert!(got.lock().unwrap()[0].contains("test.ping"));
    let p = boss.post(&action("rotate"), &[("csrf", &csrf)]).await;
    assert!(
        p.body.contains("New secret, shown only now: whsec_"),
        "{}",
        p.body
    );
    let p = boss.post(&action("disable"), &[("csrf", &csrf)]).await;
    assert!(p.body.contains("Disabled"), "{}", p.body);
    let p = boss
        .post(&action("enable"), &[("csrf", &csrf), ("replay", "yes")])
        .await;
    assert!(
        p.body.contains("Enabled; 0 missed update(s) queued."),
        "{}",
        p.body
    );
    let p = boss
        .post(
            &action("recover"),
            &[("csrf", &csrf), ("since", "yesterday")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("since:"), "{}", p.body);
    let p = boss.post(&action("rotate"), &[("csrf", "forged")]).await;
    assert_eq!(p.status, 403, "CSRF is checked");
    let page = viewer
        .get(&format!("/console/endpoints/{}", endpoint.id))
        .await;
    assert_eq!(page.status, 200);
    // Times in the page's zone, the exact UTC instant on hover; the description under the URL.
    let until = app
        .store
        .get_endpoint(&endpoint.id)
        .await
        .unwrap()
        .previous_secret_until
        .expect("rotated");
    let shown = format!(
        "The previous secret also signs until {}.",
        shown_at(&app, until)
    );
    assert!(shown.contains(" EAT</span>"), "{shown}");
    assert!(page.body.contains(&shown), "{shown} in {}", page.body);
    assert!(page.body.contains("payments switch"), "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "<a href=\"/console/billers#biller-{biller}\">Billers</a> › Kenya Power"
        )),
        "the page names its biller, linked to its panel: {}",
        page.body
    );
    assert!(
        !page.body.contains("Rotate secret"),
        "viewers see no buttons"
    );
}

/// An endpoint's page lists its deliveries with every attempt: one that failed is pending with
/// when it is tried next, in the page's zone, and each attempt shows what the endpoint answered.
async fn endpoint_deliveries_view(backend: Backend) {
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(|| async {
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "switch is down",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let db = std::sync::Arc::new(common::TestDb::new(backend).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_DELIVERY_WORKERS", "true"),
            ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
            ("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
        ],
    )
    .await;
    app.seed_services().await;
    accounts(&app).await;
    let now = app.clock.now();
    let biller = app
        .store
        .create_biller("Kenya Power", "ops@kplc.example", "test", now)
        .await
        .unwrap();
    let settings = tangazo::store::EndpointSettings {
        url: hook_url,
        description: String::new(),
        event_types: vec![],
        services: None,
        rate_limit: 0,
        contact_email: "ops@kplc.example".into(),
    };
    let (endpoint, _) = app
        .store
        .create_endpoint(&biller.id, &settings, false, "test", now)
        .await
        .unwrap();
    app.publish_window("Core upgrade", 24, 4).await;
    // The first try fails; the next is due 5 s (±20 %) later.
    let started = std::time::Instant::now();
    let delivery = loop {
        let d = app
            .store
            .endpoint_deliveries(&endpoint.id, None, None, 10)
            .await
            .unwrap();
        if let Some(d) = d
            .into_iter()
            .find(|d| d.state == "pending" && d.error.is_some())
        {
            break d;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "a failed try: {:?}",
            app.store
                .endpoint_deliveries(&endpoint.id, None, None, 10)
                .await
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let next = delivery.next_attempt_at.expect("a pending delivery is due");
    assert!(next > app.clock.now(), "{next}");

    let mut viewer = Browser::new(&app);
    viewer
        .login("viewer@example.co.ke", PASSWORD, "/console")
        .await;
    let page = viewer
        .get(&format!("/console/endpoints/{}", endpoint.id))
        .await;
    assert_eq!(page.status, 200);
    let shown = format!("pending, next try {}", shown_at(&app, next));
    assert!(page.body.contains(&shown), "{shown} in {}", page.body);
    assert!(
        page.body
            .contains(&format!("webhook-id <code>{}</code>", delivery.id)),
        "{}",
        page.body
    );
    assert!(page.body.contains("#1 <span title="), "{}", page.body);
    assert!(
        page.body.contains("retry · HTTP 500") && page.body.contains("“switch is down”"),
        "each attempt shows the answer: {}",
        page.body
    );
}

/// Admins see every API token (never a secret) and revoke one behind CSRF and a ticked
/// confirmation; the POST answers 303 to the list, which says what was done; it is audited.
/// Other roles see and do nothing.
async fn tokens_view_and_revoke(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    accounts(&app).await;
    let (ci, secret) = app
        .store
        .create_token("ci <deploy>", Role::Editor, None, "test", app.now())
        .await
        .unwrap();
    let revoke = format!("/console/tokens/{}/revoke", ci.id);

    let mut publisher = Browser::new(&app);
    publisher
        .login("pub1@example.co.ke", PASSWORD, "/console")
        .await;
    assert_eq!(publisher.get("/console/tokens").await.status, 403);
    let csrf = hidden(&publisher.get("/console/password").await.body, "csrf");
    let p = publisher
        .post(&revoke, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(p.status, 403, "only admins revoke");

    let mut boss = Browser::new(&app);
    boss.login("boss@example.co.ke", PASSWORD, "/console").await;
    let page = boss.get("/console/tokens").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("ci &#60;deploy&#62;") || page.body.contains("ci &lt;deploy&gt;"),
        "escaped: {}",
        page.body
    );
    assert!(page.body.contains(&ci.id) && page.body.contains("publisher"));
    assert!(!page.body.contains(&secret), "never a secret");
    assert!(
        page.body.contains("href=\"/console/tokens\""),
        "linked for admins"
    );
    let csrf = hidden(&page.body, "csrf");

    let p = boss.post(&revoke, &[("confirm", "yes")]).await;
    assert_eq!(p.status, 403, "no CSRF token");
    let p = boss.post(&revoke, &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 422, "not confirmed");
    assert!(p.body.contains("Tick the confirmation box"), "{}", p.body);
    let (s, _) = app.api("GET", "/services", &secret, None).await;
    assert_eq!(s, 200, "still working");

    let p = boss
        .post(&revoke, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location, format!("/console/tokens?revoked={}", ci.id));
    let page = boss.get(&p.location).await;
    assert!(
        page.body.contains("revoked: it no longer works"),
        "{}",
        page.body
    );
    let (s, _) = app.api("GET", "/services", &secret, None).await;
    assert_eq!(s, 401, "revoked at once");
    let p = boss
        .post(&revoke, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(p.status, 409, "a replayed revocation changes nothing");
    assert!(p.body.contains("revoked already"), "{}", p.body);
    let audit = app
        .store
        .audit_entries(
            Some("user:boss@example.co.ke"),
            Some("token.revoke"),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].target, format!("token:{}", ci.id));
}

on_both_backends!(
    tokens_view_and_revoke,
    endpoint_deliveries_view,
    billers_view,
    import_upload_in_the_console,
    subscribers_view_and_audience,
    login_sessions_and_refusals,
    form_preview_publish_and_audit,
    four_eyes,
    services_view
);

#[test]
fn admin_create_cli() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_tangazo");
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut c = std::process::Command::new(bin);
        c.current_dir(dir.path())
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, _) in std::env::vars() {
            if k.starts_with("TANGAZO_") {
                c.env_remove(k);
            }
        }
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(
        &[
            "admin",
            "create",
            "--email",
            "Ops@Example.co.ke",
            "--role",
            "publisher",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.trim().len() >= 20,
        "a generated password is printed once: {out}"
    );
    assert!(err.contains("shown only once"));
    let (ok, _, err) = run(
        &[
            "admin",
            "create",
            "--email",
            "ops@example.co.ke",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok);
    assert!(err.contains("at least 12"), "{err}");
    let (ok, _, err) = run(
        &[
            "admin",
            "create",
            "--email",
            "ops@example.co.ke",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(!ok, "the email is taken (case-insensitive)");
    assert!(err.contains("already exists"), "{err}");
    let (ok, out, err) = run(
        &[
            "admin",
            "create",
            "--email",
            "second@example.co.ke",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(ok, "{err}");
    assert!(out.contains("created") && !out.contains("a long enough password"));
}
