//! The staff console over HTTP, as a browser without JavaScript uses it: log in, the
//! announcement form with its preview, publishing, four eyes, the audit log, and each refusal.

use crate::common;

use std::collections::HashMap;

use chrono::Duration;
use common::{Backend, TestApp, TestDb};
use tangazo::clock::Clock;
use tangazo::domain::NoticeId;
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

    /// `path`, asked for in the languages `accept` names (an `Accept-Language` header).
    async fn get_in(&mut self, path: &str, accept: &str) -> Page {
        let resp = self
            .app
            .client
            .get(format!("{}{path}", self.app.url))
            .header("cookie", self.cookie_header())
            .header("accept-language", accept)
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

    /// What the live preview (`static/form.js`) fetches: the preview pane alone for `fields`
    /// posted to the form's own address.
    async fn preview_pane<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: &[(K, V)],
    ) -> String {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
            .finish();
        self.app
            .client
            .post(format!("{}{path}", self.app.url))
            .header("cookie", self.cookie_header())
            .header("x-preview-fragment", "1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
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

impl Browser<'_> {
    /// Follows a 303 as a browser does: the page it names.
    async fn follow(&mut self, p: &Page) -> Page {
        assert_eq!(p.status, 303, "{}", p.body);
        self.get(&p.location.clone()).await
    }

    /// Opens `page` and sends the form on it that posts to `action`: its hidden fields as the
    /// page wrote them (CSRF token, one-time token, what it was shown with), then `fields`.
    async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let shown = self.get(page).await;
        assert_eq!(shown.status, 200, "{page}: {}", shown.body);
        let mut all = hidden_fields(&shown.body, action);
        all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(action, &pairs).await
    }
}

/// The hidden inputs of the form in `body` that posts to `action`.
fn hidden_fields(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posting to {action} in {body}"));
    let form = &body[start..start + body[start..].find("</form>").unwrap()];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[i + 27..];
        let name = &rest[..rest.find('"').unwrap()];
        let value = rest[name.len()..]
            .strip_prefix("\" value=\"")
            .expect("a value after the name");
        let value = &value[..value.find('"').unwrap()];
        out.push((
            name.to_string(),
            value.replace("&#38;", "&").replace("&amp;", "&"),
        ));
    }
    out
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

/// A login page with what differs from one attempt to the next taken out: the email typed
/// and the fresh CSRF token.
fn as_anyone(body: &str, email: &str) -> String {
    body.replace(&hidden(body, "csrf"), "CSRF")
        .replace(email, "EMAIL")
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

    // Five wrong passwords lock the account, even for the right password afterwards; the
    // answer is the one an account that does not exist gets.
    let mut attacker = Browser::new(&app);
    for _ in 0..5 {
        attacker
            .login("writer@example.co.ke", "not the password", "/console")
            .await;
    }
    let p = attacker
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    assert_eq!(p.status, 401);
    assert!(p.body.contains("locked"), "{}", p.body);
    let unknown = attacker
        .login("nobody@example.co.ke", PASSWORD, "/console")
        .await;
    assert_eq!(unknown.status, p.status);
    assert_eq!(
        as_anyone(&unknown.body, "nobody@example.co.ke"),
        as_anyone(&p.body, "writer@example.co.ke")
    );
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
    let once = hidden(&form.body, "once");
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
                ("once", &once),
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
        ("once", once.as_str()),
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
    let frag = writer
        .preview_pane("/console/notices/preview", &fields)
        .await;
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
    let page = format!("/console/notices/{id}");
    let publish = format!("/console/notices/{id}/publish");
    let p = publisher.submit(&page, &publish, &[]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("Tick the confirmation box"));
    assert!(
        !app.text("/")
            .await
            .contains("Send money and Pay bill unavailable")
    );
    let p = publisher
        .submit(&page, &publish, &[("confirm", "yes")])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location, page, "back to the notice");
    // The notice page says what was done, and counts what the publication queued, with an
    // ETA at the configured pace.
    let shown = publisher.follow(&p).await;
    assert!(shown.body.contains("Done: maintenance.scheduled"));
    let public = app.text("/").await;
    assert!(public.contains("Send money and Pay bill unavailable"));
    assert!(public.contains("Finish urgent payments before 23:00."));
    assert!(
        shown.body.contains("<td>#1 <span class=\"meta\">maintenance.scheduled</span></td><td data-label=\"Channel\">sms</td><td data-label=\"Sent\">0</td><td data-label=\"Pending\">1 <span class=\"meta\">(about 1 s)</span>"),
        "{}",
        shown.body
    );

    // Extend with a new end in the page's zone.
    let later = (app.now() + Duration::days(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT09:00")
        .to_string();
    let p = publisher
        .submit(
            &page,
            &format!("/console/notices/{id}/extend"),
            &[
                ("confirm", "yes"),
                ("ends_at", &later),
                ("body.en", "Taking longer."),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(
        publisher
            .follow(&p)
            .await
            .body
            .contains("maintenance.extended")
    );
    // A scheduled window has no Complete button; a request made by hand is refused too.
    let shown = publisher.get(&page).await;
    let mut fields = hidden_fields(&shown.body, &format!("/console/notices/{id}/start"));
    fields.push(("confirm".into(), "yes".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = publisher
        .post(&format!("/console/notices/{id}/complete"), &fields)
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
    let s = start
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let e = (start + Duration::hours(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let p = one
        .submit(
            "/console/notices/new",
            "/console/notices",
            &[
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
    let page = format!("/console/notices/{id}");
    let publish = format!("/console/notices/{id}/publish");
    assert!(
        one.get(&page)
            .await
            .body
            .contains("another publisher must publish")
    );
    // ...cannot be published by pub1...
    let p = one.submit(&page, &publish, &[("confirm", "yes")]).await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("four-eyes"), "{}", p.body);
    assert!(!app.text("/").await.contains("Four eyes"));
    // pub2 opens the draft before pub1 edits it.
    let mut two = Browser::new(&app);
    two.login("pub2@example.co.ke", PASSWORD, "/console").await;
    let before_edit = two.get(&page).await;
    // An edit after writing shows up for the approver, field by field.
    let edit = format!("/console/notices/{id}/edit");
    let p = one
        .submit(
            &edit,
            &edit,
            &[
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
    // The page pub2 opened before the edit cannot publish what pub2 has not seen...
    let mut stale = hidden_fields(&before_edit.body, &publish);
    stale.push(("confirm".into(), "yes".into()));
    let pairs: Vec<(&str, &str)> = stale
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = two.post(&publish, &pairs).await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(
        p.body.contains("changed after this page was shown"),
        "{}",
        p.body
    );
    assert!(!app.text("/").await.contains("Four eyes"));
    // ...the page as it is now can.
    let page_now = two.get(&page).await;
    assert!(page_now.body.contains("Changes since it was written"));
    assert!(
        page_now.body.contains("Four eyes, edited")
            && page_now.body.contains("user:pub1@example.co.ke"),
        "{}",
        page_now.body
    );
    let p = two.submit(&page, &publish, &[("confirm", "yes")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
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
    let save = "/console/services/pay-bill";
    let p = boss
        .submit(
            "/console/services",
            save,
            &[
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
    let shown = boss.get("/console/services").await;
    let mut fields = hidden_fields(&shown.body, save);
    for (k, v) in [
        ("name.en", "Pay bill"),
        ("name.sw", "Lipa bili"),
        ("group", "Payments"),
        ("position", "0"),
        ("status", "partial_outage"),
    ] {
        fields.push((k.into(), v.into()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = boss.post(save, &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(boss.follow(&p).await.body.contains("Saved pay-bill."));
    // The same form again (a reload, the back button) does not save again: one audit entry.
    let p = boss.post(save, &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(boss.follow(&p).await.body.contains("Already done"));
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
    let biller = app.kplc().await;
    for service in ["pay-bill", "agent-cash"] {
        let settings = tangazo::store::EndpointSettings {
            services: Some(vec![tangazo::domain::ServiceCode::parse(service).unwrap()]),
            ..common::endpoint_at("https://hooks.kplc.example/tangazo")
        };
        app.store_endpoint(&biller.id, &settings).await;
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
    let multipart = |(csrf, once): &(String, String), csv: &str| {
        let b = "----tangazo-test-boundary";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"once\"\r\n\r\n{once}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{b}--\r\n"
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
    let cookie = boss.cookie_header();
    let page = async || {
        let body = app
            .client
            .get(format!("{}/console/subscribers/import", app.url))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (hidden(&body, "csrf"), hidden(&body, "once"), body)
    };
    let send = |ct: String, body: String| {
        app.client
            .post(format!("{}/console/subscribers/import", app.url))
            .header("cookie", &cookie)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let (csrf, once, _) = page().await;
    let tokens = (csrf, once);
    let clean = "address,services,consent\n0712000101,pay-bill,yes\n0712000102,,yes\nzawadi@example.com,,yes\n";
    let (ct, body) = multipart(&tokens, clean);
    let r = send(ct.clone(), body.clone()).await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        page()
            .await
            .2
            .contains("3 rows: 3 new subscribers, 0 already present.")
    );
    // The same upload again is refused as already done.
    let r = send(ct, body).await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(page().await.2.contains("Already done"));
    let (csrf, once, _) = page().await;
    let (ct, body) = multipart(
        &(csrf, once),
        "address,consent\n0712000103,yes\n0712000104,maybe\n",
    );
    let r = send(ct, body).await.unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("line 3: consent") && text.contains("nothing was imported"),
        "{text}"
    );
    let (_, once, _) = page().await;
    let (ct, body) = multipart(&("wrong".into(), once), "address,consent\n0712000105,yes\n");
    assert_eq!(send(ct, body).await.unwrap().status(), 403);
    let counts = app.store.subscriber_counts().await.unwrap();
    let total: i64 = counts.iter().map(|c| c.3).sum();
    assert_eq!(total, 3, "only the clean file was stored");
}

/// An instant as the console shows it: in the page's zone (Nairobi), the exact UTC time to the
/// millisecond on hover.
fn shown_at(app: &TestApp, at: chrono::DateTime<chrono::Utc>) -> String {
    let face = tangazo::render::i18n::Clockface::new(
        &app.running.state.settings,
        tangazo::domain::Lang::En,
        app.now(),
    );
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
    let p = boss
        .submit(
            "/console/billers",
            "/console/billers",
            &[("name", "Kenya Power"), ("contact_email", "not an email")],
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
        .submit(
            "/console/billers",
            "/console/billers",
            &[
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
        .submit(
            "/console/billers",
            "/console/billers",
            &[
                ("name", "Kenya Power"),
                ("contact_email", "ops@kplc.example"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(
        boss.follow(&p)
            .await
            .body
            .contains("Biller Kenya Power created.")
    );
    let billers = app.store.list_billers().await.unwrap();
    let biller = &billers[0].id;
    let p = boss
        .submit(
            "/console/billers",
            &format!("/console/billers/{biller}/endpoints"),
            &[
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
        .submit(
            "/console/billers",
            &format!("/console/billers/{biller}/endpoints"),
            &[
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
        .submit(
            "/console/billers",
            &format!("/console/billers/{biller}/endpoints"),
            &[
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
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(
        boss.follow(&p)
            .await
            .body
            .contains("shown only now: whsec_"),
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
    let ep_page = format!("/console/endpoints/{}", endpoint.id);
    let p = boss.submit(&ep_page, &action("test"), &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let shown = boss.follow(&p).await;
    assert!(
        shown.body.contains("Test event sent: HTTP 204"),
        "{}",
        shown.body
    );
    assert!(got.lock().unwrap()[0].contains("test.ping"));
    let p = boss.submit(&ep_page, &action("rotate"), &[]).await;
    let shown = boss.follow(&p).await;
    assert!(
        shown.body.contains("New secret, shown only now: whsec_"),
        "{}",
        shown.body
    );
    let p = boss.submit(&ep_page, &action("disable"), &[]).await;
    let shown = boss.follow(&p).await;
    assert!(shown.body.contains("Disabled"), "{}", shown.body);
    let p = boss
        .submit(&ep_page, &action("enable"), &[("replay", "yes")])
        .await;
    let shown = boss.follow(&p).await;
    assert!(
        shown.body.contains("Enabled; 0 missed update(s) queued."),
        "{}",
        shown.body
    );
    let p = boss
        .submit(&ep_page, &action("recover"), &[("since", "yesterday")])
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
    let biller = app.kplc().await;
    let (endpoint, _) = app
        .store_endpoint(&biller.id, &common::endpoint_at(hook_url))
        .await;
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

/// A subscriber following the services in `services` (all when empty), confirmed or not.
async fn subscriber(app: &TestApp, address: &str, services: &[&str], confirmed: bool) {
    let now = app.clock.now();
    app.store
        .subscribe(
            &tangazo::store::NewSubscriber {
                address: tangazo::domain::subscriber::Address::parse(
                    address,
                    "KE",
                    &["KE".to_string()],
                )
                .unwrap(),
                language: tangazo::domain::Lang::En,
                services: (!services.is_empty()).then(|| {
                    services
                        .iter()
                        .map(|c| tangazo::domain::ServiceCode::parse(c).unwrap())
                        .collect()
                }),
                source: "import",
                confirmed,
                expires_at: now + Duration::hours(1),
            },
            now,
        )
        .await
        .unwrap();
}

/// A biller endpoint following `events` (all when empty) of `services` (all when empty).
async fn endpoint(app: &TestApp, events: &[&str], services: &[&str]) {
    let biller = match app.store.list_billers().await.unwrap().pop() {
        Some(b) => b,
        None => app.kplc().await,
    };
    let settings = tangazo::store::EndpointSettings {
        event_types: events.iter().map(|e| e.to_string()).collect(),
        services: (!services.is_empty()).then(|| {
            services
                .iter()
                .map(|c| tangazo::domain::ServiceCode::parse(c).unwrap())
                .collect()
        }),
        ..common::endpoint_at("https://hooks.kplc.example/tangazo")
    };
    app.store_endpoint(&biller.id, &settings).await;
}

/// What is queued for one update of a notice, per channel: `(sms, email, webhook)`.
async fn queued(app: &TestApp, notice: &NoticeId, sequence: i64) -> (i64, i64, i64) {
    let mut out = (0, 0, 0);
    for p in app.store.delivery_progress(notice).await.unwrap() {
        if p.sequence != sequence {
            continue;
        }
        let n = p.pending + p.sent + p.failed + p.superseded + p.cancelled;
        match p.channel.as_str() {
            "sms" => out.0 += n,
            "email" => out.1 += n,
            _ => out.2 += n,
        }
    }
    out
}

/// The numbers a sentence gives each channel ("This sends 1,200 SMS, 3 emails and 1
/// webhook now"): `(sms, email, webhook)`, 0 for a channel it does not name.
fn counts_in(sentence: &str) -> (i64, i64, i64) {
    let words: Vec<&str> = sentence.split([' ', ';', '.']).collect();
    let mut out = (0, 0, 0);
    for pair in words.windows(2) {
        let Ok(n) = pair[0].replace(',', "").parse::<i64>() else {
            continue;
        };
        match pair[1].trim_end_matches(',') {
            "SMS" => out.0 = n,
            "email" | "emails" => out.1 = n,
            "webhook" | "webhooks" => out.2 = n,
            _ => {}
        }
    }
    out
}

/// What the confirmation box of the form posting to `action` says.
fn confirmation(body: &str, action: &str) -> String {
    let start = body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let form = &body[start..];
    let text = &form[form.find("I confirm: ").unwrap() + "I confirm: ".len()..];
    text[..text.find("</label>").unwrap()].to_string()
}

/// The first flash on a page.
fn flash(body: &str) -> &str {
    let start =
        body.find("<div class=\"flash\">").expect("a flash") + "<div class=\"flash\">".len();
    &body[start..start + body[start..].find("</div>").unwrap()]
}

/// A form sent by hand: `fields` as the browser would send them, with the session's cookie.
async fn post_as(app: &TestApp, cookie: &str, path: &str, fields: &[(String, String)]) -> u16 {
    app.client
        .post(format!("{}{path}", app.url))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish(),
        )
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A window published through the API, followed by one SMS and one email subscriber and one
/// biller endpoint, and a publisher logged in to the console.
async fn followed_window(app: &TestApp) -> NoticeId {
    app.seed_services().await;
    accounts(app).await;
    subscriber(app, "0712000001", &[], true).await;
    subscriber(app, "amina@example.com", &["pay-bill"], true).await;
    endpoint(app, &[], &[]).await;
    let v = app.publish_window("Core upgrade", 24, 4).await;
    NoticeId::new(v["id"].as_str().unwrap())
}

/// A1: a form sent again (a reload of its answer, the back button, a click more) does nothing
/// and says so; a form shown before the notice last changed is refused and keeps what was
/// typed; the other console forms are one-time too.
async fn replayed_forms_do_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = followed_window(&app).await;
    let mut publisher = Browser::new(&app);
    publisher
        .login("pub1@example.co.ke", PASSWORD, "/console")
        .await;
    let page = format!("/console/notices/{id}");
    let update = format!("/console/notices/{id}/update");
    let shown = publisher.get(&page).await;
    let mut fields = hidden_fields(&shown.body, &update);
    fields.push(("confirm".into(), "yes".into()));
    fields.push(("body.en".into(), "Halfway there.".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();

    let p = publisher.post(&update, &pairs).await;
    assert_eq!((p.status, p.location.as_str()), (303, page.as_str()));
    let after = publisher.follow(&p).await;
    assert!(
        flash(&after.body).starts_with("Done: maintenance.updated (update #2)."),
        "{}",
        flash(&after.body)
    );
    // A reload of that page is a GET: it shows the page, and the result only once.
    let reload = publisher.get(&page).await;
    assert!(!reload.body.contains("class=\"flash\""));

    // The same form sent again: already done, nothing sent.
    let p = publisher.post(&update, &pairs).await;
    assert_eq!((p.status, p.location.as_str()), (303, page.as_str()));
    let after = publisher.follow(&p).await;
    assert!(
        flash(&after.body).starts_with("Already done"),
        "{}",
        after.body
    );
    assert_eq!(app.store.get_updates(&id).await.unwrap().len(), 2);
    assert_eq!(
        queued(&app, &id, 2).await,
        (1, 1, 1),
        "one set of deliveries"
    );

    // The page as it was before update #2, with a token of its own (another tab): refused,
    // with what was typed still there.
    let mut stale = fields.clone();
    for (k, v) in stale.iter_mut() {
        match k.as_str() {
            "once" => *v = "another-tab-token".into(),
            "body.en" => *v = "Typed in another tab.".into(),
            _ => {}
        }
    }
    let pairs: Vec<(&str, &str)> = stale
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = publisher.post(&update, &pairs).await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(
        p.body
            .contains("update #2 was posted after this page was shown"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains(">Typed in another tab.</textarea>"),
        "nothing typed is lost"
    );
    assert_eq!(app.store.get_updates(&id).await.unwrap().len(), 2);
    // A form with no token at all (a page from before tokens) is not sent either.
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "once")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(publisher.post(&update, &pairs).await.status, 400);
    assert_eq!(app.store.get_updates(&id).await.unwrap().len(), 2);

    // Saving a new notice twice makes one draft; the replay goes to the list.
    let mut writer = Browser::new(&app);
    writer
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    let form = writer.get("/console/notices/new").await;
    let start = (app.now() + Duration::days(2))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let end = (app.now() + Duration::days(2) + Duration::hours(2))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut fields = hidden_fields(&form.body, "/console/notices");
    for (k, v) in [
        ("op", "save"),
        ("kind", "maintenance"),
        ("title.en", "Saved once"),
        ("affected", "pay-bill"),
        ("impact.pay-bill", "under_maintenance"),
        ("starts_at", start.as_str()),
        ("ends_at", end.as_str()),
    ] {
        fields.push((k.into(), v.into()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(writer.post("/console/notices", &pairs).await.status, 303);
    let p = writer.post("/console/notices", &pairs).await;
    assert_eq!((p.status, p.location.as_str()), (303, "/console"));
    assert!(flash(&writer.follow(&p).await.body).contains("Already done"));
    let (_, list) = app.api("GET", "/notices", &app.viewer, None).await;
    let saved = list["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["title"]["en"] == "Saved once")
        .count();
    assert_eq!(saved, 1);

    // A biller created twice is one biller.
    let mut boss = Browser::new(&app);
    boss.login("boss@example.co.ke", PASSWORD, "/console").await;
    let shown = boss.get("/console/billers").await;
    let mut fields = hidden_fields(&shown.body, "/console/billers");
    fields.push(("name".into(), "Nairobi Water".into()));
    fields.push(("contact_email".into(), "ops@water.example".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(boss.post("/console/billers", &pairs).await.status, 303);
    assert_eq!(boss.post("/console/billers", &pairs).await.status, 303);
    let billers = app.store.list_billers().await.unwrap();
    assert_eq!(
        billers.iter().filter(|b| b.name == "Nairobi Water").count(),
        1
    );
}

/// A1: two submissions of one form at the same moment (a double click): exactly one is done.
async fn double_submissions_send_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = followed_window(&app).await;
    let mut publisher = Browser::new(&app);
    publisher
        .login("pub1@example.co.ke", PASSWORD, "/console")
        .await;
    let cookie = publisher.cookie_header();
    let page = format!("/console/notices/{id}");
    let update = format!("/console/notices/{id}/update");
    for round in 0..4 {
        let shown = publisher.get(&page).await;
        let mut fields = hidden_fields(&shown.body, &update);
        fields.push(("confirm".into(), "yes".into()));
        fields.push(("body.en".into(), format!("Still going, round {round}.")));
        let (a, b) = tokio::join!(
            post_as(&app, &cookie, &update, &fields),
            post_as(&app, &cookie, &update, &fields)
        );
        assert_eq!((a, b), (303, 303));
        let shown = publisher.get(&page).await;
        let results = flash(&shown.body);
        assert!(
            results.contains("Done: maintenance.updated") && results.contains("Already done"),
            "one done, one refused: {results}"
        );
        let updates = app.store.get_updates(&id).await.unwrap();
        assert_eq!(updates.len(), round + 2, "one update per round");
        let sequence = updates.last().unwrap().sequence;
        assert_eq!(queued(&app, &id, sequence).await, (1, 1, 1));
    }
}

/// A4: each confirmation says what its action sends, counted as the fan-out counts; the
/// result says what was queued; both equal what is in the outbox, per channel. A draft's
/// discard sends nothing and says so, and SMS held by the quiet hours are said to wait.
async fn confirmations_count_what_is_queued(backend: Backend) {
    let db = std::sync::Arc::new(TestDb::new(backend).await);
    // Noon in Nairobi, outside the quiet hours.
    let noon =
        chrono::TimeZone::with_ymd_and_hms(&chrono_tz::Africa::Nairobi, 2031, 3, 4, 12, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc);
    let app = TestApp::spawn_on_at(
        db,
        &[
            ("TANGAZO_SCHEDULER_QUIET_HOURS", "21:00-07:00"),
            ("TANGAZO_SCHEDULER_QUIET_HOURS_URGENT", "true"),
        ],
        noon,
    )
    .await;
    app.seed_services().await;
    accounts(&app).await;
    // Followers: three SMS (all services, pay-bill, buy-goods: not affected), two emails
    // (one not confirmed), and endpoints on every event, on `started` only, and on agent cash.
    subscriber(&app, "0712000001", &[], true).await;
    subscriber(&app, "0712000002", &["pay-bill"], true).await;
    subscriber(&app, "0712000003", &["buy-goods"], true).await;
    subscriber(&app, "amina@example.com", &["send-money"], true).await;
    subscriber(&app, "baraka@example.com", &[], false).await;
    endpoint(&app, &[], &[]).await;
    endpoint(&app, &["maintenance.started"], &["pay-bill"]).await;
    endpoint(&app, &[], &["agent-cash"]).await;
    let draft = |title: &str| {
        let start = app.now() + Duration::hours(2);
        serde_json::json!({
            "kind": "maintenance",
            "title": {"en": title},
            "affected": [{"service": "send-money"}, {"service": "pay-bill"}],
            "starts_at": start.to_rfc3339(),
            "ends_at": (start + Duration::hours(3)).to_rfc3339(),
        })
    };
    let (s, v) = app
        .api("POST", "/notices", &app.editor, Some(draft("Counted")))
        .await;
    assert_eq!(s, 201, "{v}");
    let id = NoticeId::new(v["id"].as_str().unwrap());
    let mut publisher = Browser::new(&app);
    publisher
        .login("pub1@example.co.ke", PASSWORD, "/console")
        .await;
    let page = format!("/console/notices/{id}");

    // Publish: two SMS, one email, one webhook, as promised and as queued.
    let shown = publisher.get(&page).await;
    let publish = format!("/console/notices/{id}/publish");
    let promised = confirmation(&shown.body, &publish);
    assert!(
        promised.ends_with("This sends 2 SMS, 1 email and 1 webhook now."),
        "{promised}"
    );
    let discard = confirmation(&shown.body, &format!("/console/notices/{id}/cancel"));
    assert!(discard.contains("nothing is sent"), "{discard}");
    assert!(!discard.contains("shows it now"), "{discard}");
    let p = publisher
        .submit(&page, &publish, &[("confirm", "yes")])
        .await;
    let result = publisher.follow(&p).await;
    let said = flash(&result.body).to_string();
    assert!(
        said.contains("Queued 2 SMS, 1 email and 1 webhook."),
        "{said}"
    );
    assert_eq!(counts_in(&promised), queued(&app, &id, 1).await);
    assert_eq!(counts_in(&said), queued(&app, &id, 1).await);

    // Start: the endpoint on `started` joins.
    let start = format!("/console/notices/{id}/start");
    let promised = confirmation(&result.body, &start);
    assert!(
        promised.ends_with("This sends 2 SMS, 1 email and 2 webhooks now."),
        "{promised}"
    );
    let p = publisher.submit(&page, &start, &[("confirm", "yes")]).await;
    let result = publisher.follow(&p).await;
    let said = flash(&result.body).to_string();
    assert_eq!(counts_in(&promised), queued(&app, &id, 2).await);
    assert_eq!(counts_in(&said), queued(&app, &id, 2).await);

    // At 23:00 the SMS of an extension wait for the morning; the rest goes now.
    app.clock.advance(Duration::hours(11));
    let shown = publisher.get(&page).await;
    let extend = format!("/console/notices/{id}/extend");
    let promised = confirmation(&shown.body, &extend);
    assert!(
        promised.contains(
            "This sends 1 email and 1 webhook now; the 2 SMS wait for the end of the quiet hours ("
        ) && promised.contains("07:00 EAT)"),
        "{promised}"
    );
    let later = (app.now() + Duration::hours(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let p = publisher
        .submit(&page, &extend, &[("confirm", "yes"), ("ends_at", &later)])
        .await;
    let said = flash(&publisher.follow(&p).await.body).to_string();
    assert!(
        said.contains("the SMS go out when the quiet hours end"),
        "{said}"
    );
    assert_eq!(counts_in(&promised), queued(&app, &id, 3).await);
    assert_eq!(counts_in(&said), queued(&app, &id, 3).await);

    // Discarding a draft sends nothing, and says so.
    let (_, v) = app
        .api("POST", "/notices", &app.editor, Some(draft("Discarded")))
        .await;
    let other = NoticeId::new(v["id"].as_str().unwrap());
    let other_page = format!("/console/notices/{other}");
    let p = publisher
        .submit(
            &other_page,
            &format!("/console/notices/{other}/cancel"),
            &[("confirm", "yes")],
        )
        .await;
    let said = flash(&publisher.follow(&p).await.body).to_string();
    assert!(said.contains("Nothing was sent"), "{said}");
    assert!(!said.contains("The public page shows it now"), "{said}");
    assert!(
        app.store
            .delivery_progress(&other)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The tokens of a text that are written as a reference code is written: six characters of
/// the code alphabet, upper case.
fn codes_in(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| *t == t.to_uppercase())
        .filter_map(tangazo::domain::RefCode::parse)
        .map(|c| c.to_string())
        .collect()
}

/// Everything a preview page shows customers' messages in: its SMS and email panes.
fn previewed(body: &str) -> String {
    let start = body.find("<div id=\"preview\">").expect("a preview pane");
    body[start..].to_string()
}

/// A3: the preview of a saved notice (edit form, notice page, API) shows the notice's own
/// code, which its SMS then carries; an unsaved one shows a placeholder that is no code.
async fn previews_show_the_notices_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    accounts(&app).await;
    app.running.state.snapshot.refresh().await.unwrap();
    subscriber(&app, "0712000001", &[], true).await;
    let mut writer = Browser::new(&app);
    writer
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    let start = (app.now() + Duration::days(2))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT22:00")
        .to_string();
    let end = (app.now() + Duration::days(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT04:00")
        .to_string();
    let fields = [
        ("kind", "maintenance"),
        ("title.en", "Night work on Pay bill"),
        ("title.sw", "Kazi ya usiku kwa Lipa bili"),
        ("affected", "pay-bill"),
        ("impact.pay-bill", "under_maintenance"),
        ("starts_at", start.as_str()),
        ("ends_at", end.as_str()),
        ("body.en", "Pay early, please."),
    ];
    let with = |op: &'static str| {
        let mut f = fields.to_vec();
        f.push(("op", op));
        f
    };
    // Not saved yet: a placeholder, and a word that the code comes on save.
    let p = writer
        .submit("/console/notices/new", "/console/notices", &with("preview"))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let pane = previewed(&p.body);
    assert!(pane.contains("Ref ------ "), "{pane}");
    assert!(pane.contains("given when the notice is saved"), "{pane}");
    assert_eq!(codes_in(&pane), Vec::<String>::new(), "{pane}");
    // Nor an id the notice will not have: its links show the placeholder too.
    assert!(pane.contains("/notices/------"), "{pane}");
    let (s, v) = app
        .api(
            "POST",
            "/notices/preview",
            &app.editor,
            Some(serde_json::json!({
                "kind": "maintenance", "title": {"en": "Night work on Pay bill"},
                "affected": [{"service": "pay-bill"}],
                "starts_at": (app.now() + Duration::days(2)).to_rfc3339(),
                "ends_at": (app.now() + Duration::days(2) + Duration::hours(4)).to_rfc3339(),
            })),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["reference"], serde_json::Value::Null);
    assert!(
        v["reference_note"]
            .as_str()
            .unwrap()
            .contains("given when the notice is saved")
    );
    assert_eq!(codes_in(&v.to_string()), Vec::<String>::new(), "{v}");

    // Saved: every preview carries the notice's code.
    let p = writer
        .submit("/console/notices/new", "/console/notices", &with("save"))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let id = NoticeId::new(p.location.trim_start_matches("/console/notices/"));
    let reference = app
        .store
        .get_notice(&id)
        .await
        .unwrap()
        .reference
        .to_string();
    let edit = format!("/console/notices/{id}/edit");
    let p = writer.submit(&edit, &edit, &with("preview")).await;
    let pane = previewed(&p.body);
    assert!(!pane.contains("given when the notice is saved"));
    let shown_codes = codes_in(&pane);
    assert!(!shown_codes.is_empty(), "{pane}");
    assert!(
        shown_codes.iter().all(|c| *c == reference),
        "{shown_codes:?} ≠ {reference}"
    );
    // The live preview (to where the form posts) too.
    let shown = writer.get(&edit).await;
    let mut live = hidden_fields(&shown.body, &edit);
    live.extend(
        with("preview")
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let frag = writer.preview_pane(&edit, &live).await;
    assert!(frag.starts_with("<div id=\"preview\">"), "{frag}");
    assert!(codes_in(&frag).iter().all(|c| *c == reference) && frag.contains(&reference));
    let page = writer.get(&format!("/console/notices/{id}")).await;
    assert!(codes_in(&previewed(&page.body)).contains(&reference));
    let (s, v) = app
        .api("POST", &format!("/notices/{id}/preview"), &app.editor, None)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["reference"], reference.as_str());
    assert!(
        v["sms"]["en"]["text"]
            .as_str()
            .unwrap()
            .contains(&reference)
    );

    // Published: the SMS carries the code the last preview showed.
    let mut publisher = Browser::new(&app);
    publisher
        .login("pub1@example.co.ke", PASSWORD, "/console")
        .await;
    let notice_page = format!("/console/notices/{id}");
    let p = publisher
        .submit(
            &notice_page,
            &format!("/console/notices/{id}/publish"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let update = app.store.get_updates(&id).await.unwrap().remove(0);
    let messages = app
        .store
        .update_messages(std::slice::from_ref(&update.id))
        .await
        .unwrap();
    let sms = &messages[&(update.id.clone(), "sms".to_string(), "en".to_string())].text;
    let sent = codes_in(sms);
    assert!(
        !sent.is_empty() && sent.iter().all(|c| *c == shown_codes[0]),
        "{sms}"
    );
}

/// B6: twenty wrong passwords at once check at most five; the account is then locked, even
/// for the right password, and its answer is an unknown account's.
async fn parallel_wrong_passwords_lock_the_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    accounts(&app).await;
    let mut b = Browser::new(&app);
    let form = b.get("/console/login").await;
    let csrf = hidden(&form.body, "csrf");
    let cookie = b.cookie_header();
    let attempt = |password: &'static str| {
        let fields = vec![
            ("csrf".to_string(), csrf.clone()),
            ("next".to_string(), "/console".to_string()),
            ("email".to_string(), "writer@example.co.ke".to_string()),
            ("password".to_string(), password.to_string()),
        ];
        let (app, cookie) = (&app, cookie.clone());
        async move { post_as(app, &cookie, "/console/login", &fields).await }
    };
    let statuses =
        futures_util::future::join_all((0..20).map(|_| attempt("not the password"))).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    let checked = app
        .store
        .audit_entries(
            None,
            Some("console.login_failed"),
            Some("user:writer@example.co.ke"),
            100,
        )
        .await
        .unwrap();
    assert_eq!(checked.len(), 20);
    let evaluated = checked
        .iter()
        .filter(|e| e.detail.starts_with("wrong email or password"))
        .count();
    assert_eq!(
        evaluated, 5,
        "five wrong passwords checked, the rest refused unchecked"
    );

    // The right password, from another address (so the per-address throttle is not what
    // refuses it), is refused as an unknown account is.
    let elsewhere = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let login = async |email: &str, password: &str| {
        let form = elsewhere
            .get(format!("{}/console/login", app.url))
            .send()
            .await
            .unwrap();
        let set = form.headers()["set-cookie"].to_str().unwrap().to_string();
        let body = form.text().await.unwrap();
        let r = elsewhere
            .post(format!("{}/console/login", app.url))
            .header("cookie", set.split(';').next().unwrap())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([
                        ("csrf", hidden(&body, "csrf").as_str()),
                        ("next", "/console"),
                        ("email", email),
                        ("password", password),
                    ])
                    .finish(),
            )
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    let (status, locked) = login("writer@example.co.ke", PASSWORD).await;
    assert_eq!(status, 401, "the right password is refused while locked");
    let (unknown_status, unknown) = login("nobody@example.co.ke", PASSWORD).await;
    assert_eq!(unknown_status, status);
    assert_eq!(
        as_anyone(&locked, "writer@example.co.ke"),
        as_anyone(&unknown, "nobody@example.co.ke")
    );
    let (wrong_status, wrong) = login("pub1@example.co.ke", "not the password").await;
    assert_eq!(wrong_status, status);
    assert_eq!(
        as_anyone(&wrong, "pub1@example.co.ke"),
        as_anyone(&unknown, "nobody@example.co.ke")
    );
    // Fifteen minutes after the fifth wrong password, the account opens again.
    app.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    assert_eq!(login("writer@example.co.ke", PASSWORD).await.0, 303);
}

/// C10: a `next` with a control character (CR/LF above all) lands on the console after a
/// successful login, never on a broken redirect.
async fn login_next_with_control_characters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    accounts(&app).await;
    for next in [
        "/console\r\nSet-Cookie: tangazo_session=stolen",
        "/console/audit\n",
        "/console/\tnotices",
        "/console\0",
        "/console/\u{7f}",
        "/console/\u{85}",
    ] {
        let mut b = Browser::new(&app);
        let p = b.login("viewer@example.co.ke", PASSWORD, next).await;
        assert_eq!(
            (p.status, p.location.as_str()),
            (303, "/console"),
            "{next:?}"
        );
        // A form sent with the bad value itself (not the one the page wrote) goes there too.
        let form = b.get("/console/login").await;
        let p = b
            .post(
                "/console/login",
                &[
                    ("csrf", &hidden(&form.body, "csrf")),
                    ("next", next),
                    ("email", "viewer@example.co.ke"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            (p.status, p.location.as_str()),
            (303, "/console"),
            "{next:?}"
        );
    }
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
    services_view,
    replayed_forms_do_nothing,
    double_submissions_send_once,
    confirmations_count_what_is_queued,
    previews_show_the_notices_code,
    parallel_wrong_passwords_lock_the_account,
    login_next_with_control_characters
);

/// With Arabic offered, the preview shows its SMS right to left as UCS-2 and offers no "remove
/// the characters" fix for letters GSM-7 cannot write, while a Latin accent still gets one.
#[tokio::test]
async fn arabic_preview_is_right_to_left_without_a_fix() {
    let db = std::sync::Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_PAGE_LANGUAGES", "en,ar")]).await;
    let (s, v) = app
        .api(
            "POST",
            "/services",
            &app.admin,
            Some(
                serde_json::json!({"code": "send-money", "group": "Payments",
                "name": {"en": "Send money", "ar": "تحويل الأموال"}}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    accounts(&app).await;
    app.running.state.snapshot.refresh().await.unwrap();
    let mut writer = Browser::new(&app);
    writer
        .login("writer@example.co.ke", PASSWORD, "/console")
        .await;
    let form = writer.get("/console/notices/new").await;
    let start = (app.now() + Duration::days(2))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT23:00")
        .to_string();
    let end = (app.now() + Duration::days(3))
        .with_timezone(&chrono_tz::Africa::Nairobi)
        .format("%Y-%m-%dT02:00")
        .to_string();
    let (csrf, once) = (hidden(&form.body, "csrf"), hidden(&form.body, "once"));
    let p = writer
        .post(
            "/console/notices",
            &[
                ("csrf", csrf.as_str()),
                ("once", once.as_str()),
                ("op", "preview"),
                ("kind", "maintenance"),
                ("title.en", "Upgrade"),
                ("title.ar", "ترقية النظام"),
                ("affected", "send-money"),
                ("impact.send-money", "under_maintenance"),
                ("starts_at", &start),
                ("ends_at", &end),
                ("body.en", "Finish urgent payments first."),
                ("sms.en", "Send money down {window}, shop fête"),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body
            .contains("<div class=\"sms\" lang=\"ar\" dir=\"rtl\">")
    );
    assert!(p.body.contains("تحويل الأموال"), "{}", p.body);
    assert!(p.body.contains("written in a script GSM-7 cannot carry"));
    assert!(
        !p.body.contains("value=\"fix-ar\""),
        "no fix offered for Arabic"
    );
    assert!(
        p.body.contains("value=\"fix-en\""),
        "an accent in the English SMS can be removed"
    );
}

/// The console speaks the staff member's language: the one `Accept-Language` asks for among
/// the configured ones, else the default; Arabic right to left.
#[tokio::test]
async fn the_console_speaks_the_browsers_language() {
    let db = std::sync::Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_PAGE_LANGUAGES", "en,sw,ar")]).await;
    accounts(&app).await;
    let mut b = Browser::new(&app);
    b.login("writer@example.co.ke", PASSWORD, "/console").await;
    for (accept, html, words) in [
        (
            "ar",
            "<html lang=\"ar\" dir=\"rtl\">",
            ["الإعلانات", "إعلان جديد", "حفظ المسودة", "الخدمات المتأثرة"],
        ),
        (
            "sw-KE,sw;q=0.9,en;q=0.5",
            "<html lang=\"sw\" dir=\"ltr\">",
            [
                "Matangazo",
                "Tangazo jipya",
                "Hifadhi rasimu",
                "Huduma zinazoathirika",
            ],
        ),
        (
            "",
            "<html lang=\"en\" dir=\"ltr\">",
            ["Notices", "New notice", "Save draft", "Affected services"],
        ),
        (
            "de",
            "<html lang=\"en\" dir=\"ltr\">",
            ["Notices", "New notice", "Save draft", "Affected services"],
        ),
    ] {
        let (dashboard, form) = if accept.is_empty() {
            (b.get("/console").await, b.get("/console/notices/new").await)
        } else {
            (
                b.get_in("/console", accept).await,
                b.get_in("/console/notices/new", accept).await,
            )
        };
        assert_eq!(dashboard.status, 200, "{}", dashboard.body);
        assert_eq!(form.status, 200, "{}", form.body);
        for page in [&dashboard.body, &form.body] {
            assert!(page.contains(html), "{accept}: {page}");
            assert!(page.contains(words[1]), "{accept}: the navigation: {page}");
        }
        assert!(
            dashboard.body.contains(&format!("<h1>{} <a", words[0])),
            "{accept}: {}",
            dashboard.body
        );
        assert!(form.body.contains(words[2]), "{accept}: {}", form.body);
        assert!(form.body.contains(words[3]), "{accept}: {}", form.body);
    }
    // English pages keep no word of another language.
    let en = b.get("/console/notices/new").await.body;
    assert!(!en.contains("Hifadhi") && !en.contains("حفظ"), "{en}");
}

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
