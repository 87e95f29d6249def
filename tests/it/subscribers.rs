//! Sign-up to confirmed to unsubscribed, for email (signed link) and SMS (6-digit code), the
//! caps under a burst, and one-click unsubscribe.

use crate::common;

use std::sync::Arc;

use chrono::Duration;
use common::{Backend, TestApp, TestDb};
use tangazo::clock::Clock;
use tangazo::domain::Lang;
use tangazo::domain::subscriber::Address;
use tangazo::store::{NewSubscriber, SubState};

struct Sinks {
    dir: tempfile::TempDir,
}

impl Sinks {
    fn new() -> Sinks {
        Sinks {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn email_dir(&self) -> String {
        self.dir.path().join("email").display().to_string()
    }
    fn sms_file(&self) -> String {
        self.dir.path().join("sms.jsonl").display().to_string()
    }
    fn emails(&self) -> Vec<String> {
        let Ok(rd) = std::fs::read_dir(self.dir.path().join("email")) else {
            return vec![];
        };
        rd.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }
    /// The SMS file sink's lines, each checked against how a carrier would bill it.
    fn sms(&self) -> Vec<serde_json::Value> {
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(self.sms_file())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        lines
            .iter()
            .for_each(common::sms_reference::assert_sink_line_billed);
        lines
    }
}

async fn app_with(backend: Backend, sinks: &Sinks, extra: &[(&str, &str)]) -> TestApp {
    let db = Arc::new(TestDb::new(backend).await);
    let email = sinks.email_dir();
    let sms = sinks.sms_file();
    let mut env: Vec<(&str, &str)> = vec![
        ("TANGAZO_EMAIL_DIR", &email),
        ("TANGAZO_SMS_FILE", &sms),
        ("TANGAZO_SUBSCRIBERS_ALLOWED_COUNTRIES", "KE,TZ"),
    ];
    env.extend_from_slice(extra);
    let app = TestApp::spawn_on(db, &env).await;
    app.seed_services().await;
    app.running.state.snapshot.refresh().await.unwrap();
    app
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let r = app
        .client
        .post(format!("{}{path}", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn ke(raw: &str) -> Address {
    Address::phone(raw, "KE", &["KE".to_string()]).unwrap()
}

/// Where the subscriber at `address` stands; it must exist.
async fn state_of(app: &TestApp, address: &Address) -> SubState {
    app.store
        .find_subscriber(address)
        .await
        .unwrap()
        .unwrap()
        .state
}

async fn email_sign_up_confirm_and_unsubscribe(backend: Backend) {
    let sinks = Sinks::new();
    let app = app_with(backend, &sinks, &[]).await;
    let page = app.text("/subscribe?lang=sw").await;
    assert!(page.contains("Pata taarifa kwa SMS au barua pepe") && page.contains("Tuma pesa"));

    let (s, body) = post_form(
        &app,
        "/subscribe",
        &[
            ("address", "Wanjiku@Example.co.ke"),
            ("language", "sw"),
            ("service", "pay-bill"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("We sent you an email"));
    let emails = sinks.emails();
    assert_eq!(emails.len(), 1);
    let mail = emails[0].replace("=\r\n", "");
    assert!(mail.contains("To: wanjiku@example.co.ke"));
    assert!(
        mail.contains("Thibitisha usajili wako"),
        "in the subscriber's language"
    );
    let link_start = mail
        .find("/subscribe/confirm/")
        .expect("a confirmation link");
    let token: String = mail[link_start + "/subscribe/confirm/".len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let address = Address::email("wanjiku@example.co.ke").unwrap();
    let sub = app.store.find_subscriber(&address).await.unwrap().unwrap();
    assert_eq!(sub.state, SubState::Pending);
    assert_eq!(sub.services.as_ref().unwrap().len(), 1);

    // A forged link does nothing; the real one confirms; a replay says so and changes nothing.
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        app.get(&format!("/subscribe/confirm/{forged}"))
            .await
            .status(),
        404
    );
    assert_eq!(state_of(&app, &address).await, SubState::Pending);
    let r = app.get(&format!("/subscribe/confirm/{token}")).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("You are subscribed"));
    assert_eq!(state_of(&app, &address).await, SubState::Confirmed);
    let r = app.get(&format!("/subscribe/confirm/{token}")).await;
    assert!(r.text().await.unwrap().contains("already subscribed"));
    assert_eq!(
        app.store
            .audience(&[tangazo::domain::ServiceCode::parse("pay-bill").unwrap()])
            .await
            .unwrap(),
        (0, 1)
    );
    assert_eq!(
        app.store
            .audience(&[tangazo::domain::ServiceCode::parse("send-money").unwrap()])
            .await
            .unwrap(),
        (0, 0),
        "follows pay-bill only"
    );

    // Signing up again while confirmed sends nothing new.
    let (s, body) = post_form(&app, "/subscribe", &[("address", "wanjiku@example.co.ke")]).await;
    assert_eq!(s, 200);
    assert!(body.contains("already subscribed"));
    assert_eq!(sinks.emails().len(), 1);

    // An expired link is refused.
    let (_, _) = post_form(&app, "/subscribe", &[("address", "otieno@example.com")]).await;
    let mail = sinks
        .emails()
        .into_iter()
        .find(|m| m.contains("otieno"))
        .unwrap()
        .replace("=\r\n", "");
    let i = mail.find("/subscribe/confirm/").unwrap();
    let token: String = mail[i + 19..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    app.clock.advance(Duration::hours(49));
    assert_eq!(
        app.get(&format!("/subscribe/confirm/{token}"))
            .await
            .status(),
        410
    );
    assert_eq!(
        app.store.expire_pending(app.clock.now()).await.unwrap(),
        1,
        "unconfirmed sign-ups expire"
    );

    // One-click unsubscribe (RFC 8058): a GET shows a button and changes nothing; the POST stops it.
    let signup = app
        .store
        .subscribe(
            &NewSubscriber {
                address: address.clone(),
                language: Lang::Sw,
                services: None,
                source: "web",
                confirmed: false,
                expires_at: app.now(),
            },
            app.now(),
        )
        .await
        .unwrap();
    assert!(signup.already_confirmed);
    let t = signup.manage_token;
    let r = app.get(&format!("/unsubscribe/{t}")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text().await.unwrap().contains("w…@example.co.ke"),
        "the address is masked"
    );
    assert_eq!(state_of(&app, &address).await, SubState::Confirmed);
    let r = app
        .client
        .post(format!("{}/unsubscribe/{t}", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text().await.unwrap().contains("Umejiondoa"),
        "answered in the subscriber's language"
    );
    assert_eq!(state_of(&app, &address).await, SubState::Unsubscribed);
    assert_eq!(app.get("/unsubscribe/not-a-token").await.status(), 404);
}

async fn sms_sign_up_with_a_code(backend: Backend) {
    let sinks = Sinks::new();
    let app = app_with(backend, &sinks, &[]).await;
    let (s, body) = post_form(&app, "/subscribe", &[("address", "+1 202 555 0143")]).await;
    assert_eq!(s, 422);
    assert!(
        body.contains("not accepted") && body.contains("KE, TZ"),
        "{body}"
    );
    assert!(sinks.sms().is_empty(), "no SMS for a refused number");
    let (s, body) = post_form(
        &app,
        "/subscribe",
        &[("address", "0712 345 678"), ("language", "en")],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("6-digit code"));
    let sms = sinks.sms();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["to"], "+254712345678");
    assert_eq!(sms[0]["encoding"], "gsm7");
    assert_eq!(sms[0]["segments"], 1);
    let text = sms[0]["text"].as_str().unwrap();
    let code: String = text
        .split("code: ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let id_start = body.find("name=\"id\" value=\"").unwrap() + 17;
    let id: String = body[id_start..].chars().take_while(|c| *c != '"').collect();

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (s, body) = post_form(&app, "/subscribe/code", &[("id", &id), ("code", wrong)]).await;
    assert_eq!(s, 422);
    assert!(body.contains("Tries left: 4"), "{body}");
    let (s, body) = post_form(&app, "/subscribe/code", &[("id", &id), ("code", &code)]).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("You are subscribed"));
    assert_eq!(state_of(&app, &ke("0712345678")).await, SubState::Confirmed);
    let (s, _) = post_form(&app, "/subscribe/code", &[("id", &id), ("code", &code)]).await;
    assert_eq!(s, 410, "a code works once");

    // Five wrong codes end the attempt.
    post_form(&app, "/subscribe", &[("address", "0722 000 111")]).await;
    let body = app.text("/subscribe").await;
    assert!(body.contains("Subscribe"));
    let sub = app
        .store
        .find_subscriber(&ke("0722000111"))
        .await
        .unwrap()
        .unwrap();
    let last_code: String = sinks.sms().last().unwrap()["text"]
        .as_str()
        .unwrap()
        .split("code: ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let wrong = if last_code == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        post_form(
            &app,
            "/subscribe/code",
            &[("id", sub.id.as_str()), ("code", wrong)],
        )
        .await;
    }
    let (s, _) = post_form(
        &app,
        "/subscribe/code",
        &[("id", sub.id.as_str()), ("code", &last_code)],
    )
    .await;
    assert_eq!(
        s, 410,
        "even the right code is refused after too many tries"
    );
}

async fn caps_hold_under_a_burst(backend: Backend) {
    let sinks = Sinks::new();
    let app = app_with(
        backend,
        &sinks,
        &[
            ("TANGAZO_SUBSCRIBERS_MAX_GLOBAL_HOUR", "15"),
            ("TANGAZO_SUBSCRIBERS_MAX_PER_IP_HOUR", "1000"),
        ],
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let client = app.client.clone();
        let url = app.url.clone();
        tasks.push(tokio::spawn(async move {
            let body = format!("address=07{:08}", 10_000_000 + i * 7);
            client
                .post(format!("{url}/subscribe"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            429 => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 15, "the global cap holds under concurrency");
    assert_eq!(refused, 45);
    assert_eq!(sinks.sms().len(), 15, "no more SMS than the cap");
    let metrics = app.text("/metrics").await;
    assert!(
        metrics.contains("tangazo_signups_refused_total{cap=\"global\"} 45"),
        "{metrics}"
    );

    // Per address: three confirmations a day.
    let sinks2 = Sinks::new();
    let app2 = app_with(backend, &sinks2, &[]).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            post_form(&app2, "/subscribe", &[("address", "0733 444 555")])
                .await
                .0,
        );
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    assert_eq!(sinks2.sms().len(), 3);
}

async fn staff_api_privacy_and_stop_callbacks(backend: Backend) {
    use serde_json::json;
    let sinks = Sinks::new();
    let app = app_with(
        backend,
        &sinks,
        &[
            ("TANGAZO_SMS_CALLBACK_SECRET", "k7Qz9mWp2xVb"),
            ("TANGAZO_SMS_TWILIO_AUTH_TOKEN", "twilio-token"),
        ],
    )
    .await;
    let (s, v) = app
        .api(
            "POST",
            "/subscribers",
            &app.admin,
            Some(json!({"address": "0712 111 222", "services": ["pay-bill", "nope"]})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(
        v["errors"]["consent"].is_string() && v["errors"]["services[1]"].is_string(),
        "{v}"
    );
    let (s, v) = app
        .api(
            "POST",
            "/subscribers",
            &app.admin,
            Some(json!({"address": "+44 20 7946 0958", "consent": true})),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        v["errors"]["address"]
            .as_str()
            .unwrap()
            .contains("not accepted")
    );
    for addr in ["0712 111 222", "0712 333 444", "mama.mboga@example.co.ke"] {
        let (s, v) = app
            .api(
                "POST",
                "/subscribers",
                &app.admin,
                Some(json!({"address": addr, "language": "sw", "consent": true})),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["state"], "confirmed");
    }
    let (s, _) = app
        .api(
            "POST",
            "/subscribers",
            &app.publisher,
            Some(json!({"address": "0712 555 666", "consent": true})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, v) = app
        .api(
            "GET",
            "/subscribers?address=%2B254712111222",
            &app.viewer,
            None,
        )
        .await;
    assert_eq!((s, v["language"].as_str()), (200, Some("sw")));
    let (s, _) = app
        .api(
            "GET",
            "/subscribers/export?address=mama.mboga%40example.co.ke",
            &app.viewer,
            None,
        )
        .await;
    assert_eq!(s, 403, "export is for admins");
    let (s, v) = app
        .api(
            "GET",
            "/subscribers/export?address=mama.mboga%40example.co.ke",
            &app.admin,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["subscriber"]["address"], "mama.mboga@example.co.ke");
    let (s, _) = app
        .api(
            "DELETE",
            "/subscribers?address=mama.mboga%40example.co.ke",
            &app.admin,
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .api(
            "GET",
            "/subscribers?address=mama.mboga%40example.co.ke",
            &app.viewer,
            None,
        )
        .await;
    assert_eq!(s, 404, "erased");
    let erased = app
        .store
        .audit_entries(None, Some("subscriber.erase"), None, 5)
        .await
        .unwrap();
    assert!(
        !erased[0].target.contains("mama"),
        "the audit log keeps no address"
    );

    // Africa's Talking: the secret URL authenticates; STOP words (any case) unsubscribe. In
    // order, each row's callback leaves the subscriber in the row's state.
    let callbacks = [
        (
            "wrong",
            &[("from", "+254712111222"), ("text", "STOP")][..],
            404,
            SubState::Confirmed,
            "a wrong secret changes nothing",
        ),
        (
            "k7Qz9mWp2xVb",
            &[
                ("from", "+254712111222"),
                ("to", "12345"),
                ("text", "hello"),
            ],
            200,
            SubState::Confirmed,
            "not a stop word",
        ),
        (
            "k7Qz9mWp2xVb",
            &[
                ("from", "+254712111222"),
                ("to", "12345"),
                ("text", "sitisha tafadhali"),
            ][..],
            200,
            SubState::Unsubscribed,
            "Swahili stop word",
        ),
    ];
    for (secret, fields, status, state, why) in callbacks {
        let path = format!("/callbacks/sms/africastalking/{secret}");
        let (s, _) = post_form(&app, &path, fields).await;
        assert_eq!(s, status, "{why}");
        assert_eq!(state_of(&app, &ke("0712111222")).await, state, "{why}");
    }

    // Twilio: the signature (HMAC-SHA1 of the URL and the sorted parameters) must match.
    let params = [
        ("Body", "Stop"),
        ("From", "+254712333444"),
        ("To", "+15005550006"),
    ];
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let mut data = "https://status.example.co.ke/callbacks/sms/twilio".to_string();
    for (k, v) in params {
        data.push_str(k);
        data.push_str(v);
    }
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(b"twilio-token").unwrap();
    mac.update(data.as_bytes());
    use base64::Engine;
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let send = |sig: String| {
        app.client
            .post(format!("{}/callbacks/sms/twilio", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", sig)
            .body(body.clone())
            .send()
    };
    assert_eq!(send("forged=".into()).await.unwrap().status(), 403);
    assert_eq!(state_of(&app, &ke("0712333444")).await, SubState::Confirmed);
    let r = send(signature).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "<Response></Response>");
    assert_eq!(
        state_of(&app, &ke("0712333444")).await,
        SubState::Unsubscribed
    );
    let stops = app
        .store
        .audit_entries(None, Some("subscriber.stop"), None, 5)
        .await
        .unwrap();
    assert_eq!(stops.len(), 2);
}

/// The whole path through a real SMTP server (aiosmtpd): the confirmation email arrives, its
/// link confirms, and its `List-Unsubscribe` header unsubscribes with one POST (RFC 8058).
async fn real_email_one_click_unsubscribe(backend: Backend) {
    let maildir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut smtp = std::process::Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir.path().join("box"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (pip install aiosmtpd; .ci/run does)");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "aiosmtpd did not start"
        );
        if let Ok(Some(status)) = smtp.try_wait() {
            panic!("aiosmtpd exited: {status}; is it installed (pip install aiosmtpd)?");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _smtp = Kill(smtp);
    let sinks = Sinks::new();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = app_with(
        backend,
        &sinks,
        &[
            ("TANGAZO_EMAIL_DRIVER", "smtp"),
            ("TANGAZO_EMAIL_SMTP_URL", &url),
        ],
    )
    .await;
    let (s, body) = post_form(
        &app,
        "/subscribe",
        &[("address", "akinyi@example.co.ke"), ("language", "en")],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert!(sinks.emails().is_empty(), "sent over SMTP, not to files");
    let new = maildir.path().join("box").join("new");
    let started = std::time::Instant::now();
    let raw = loop {
        if let Some(entry) = std::fs::read_dir(&new).ok().and_then(|mut d| d.next()) {
            break std::fs::read_to_string(entry.unwrap().path()).unwrap();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "no email reached the SMTP server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let unfolded = raw.replace("\r\n ", " ").replace("\n ", " ");
    assert!(
        unfolded.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{raw}"
    );
    let header = unfolded
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: "))
        .expect("List-Unsubscribe header");
    let https = header.split('<').nth(1).unwrap().split('>').next().unwrap();
    assert!(
        https.starts_with("https://status.example.co.ke/unsubscribe/"),
        "{header}"
    );
    let body = unfolded.replace("=\r\n", "").replace("=\n", "");
    let i = body.find("/subscribe/confirm/").unwrap();
    let token: String = body[i + 19..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(
        app.get(&format!("/subscribe/confirm/{token}"))
            .await
            .status(),
        200
    );
    let address = Address::email("akinyi@example.co.ke").unwrap();
    assert_eq!(state_of(&app, &address).await, SubState::Confirmed);
    // The manage link changes language and services without a login.
    let i = body.find("/manage/").expect("a manage link");
    let manage: String = body[i..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let page = app.text(&manage).await;
    assert!(
        page.contains("a…@example.co.ke") && page.contains("Your notices"),
        "{page}"
    );
    let (s, page) = post_form(
        &app,
        &manage,
        &[("language", "sw"), ("service", "pay-bill")],
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Imehifadhiwa."),
        "answered in the new language"
    );
    let sub = app.store.find_subscriber(&address).await.unwrap().unwrap();
    assert_eq!(sub.language, Lang::Sw);
    assert_eq!(
        sub.services
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        ["pay-bill"]
    );
    assert_eq!(app.get("/manage/not-a-token").await.status(), 404);
    // What a mail client does for "Unsubscribe": POST the header's URL, no login, no cookies.
    let local = https.replace("https://status.example.co.ke", &app.url);
    let r = app
        .client
        .post(local)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(state_of(&app, &address).await, SubState::Unsubscribed);
}

async fn unsubscribe_by_address(backend: Backend) {
    let sinks = Sinks::new();
    let app = app_with(backend, &sinks, &[]).await;
    let now = app.clock.now();
    app.store
        .subscribe(
            &NewSubscriber {
                address: ke("0712 999 000"),
                language: Lang::Sw,
                services: None,
                source: "import",
                confirmed: true,
                expires_at: now,
            },
            now,
        )
        .await
        .unwrap();
    assert!(app.text("/unsubscribe").await.contains("Stop notices"));
    // Unknown and known addresses get the same answer; only the known one gets a message.
    let (s, unknown) = post_form(&app, "/unsubscribe", &[("address", "0712 999 001")]).await;
    assert_eq!(s, 200);
    assert!(sinks.sms().is_empty());
    let (s, known) = post_form(&app, "/unsubscribe", &[("address", "0712 999 000")]).await;
    assert_eq!(s, 200);
    assert_eq!(unknown, known, "the page does not reveal who is subscribed");
    let sms = sinks.sms();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["to"], "+254712999000");
    let text = sms[0]["text"].as_str().unwrap();
    assert!(
        text.contains("kusitisha"),
        "in the subscriber's language: {text}"
    );
    let link = text
        .split_whitespace()
        .last()
        .unwrap()
        .replace("https://status.example.co.ke", "");
    assert_eq!(state_of(&app, &ke("0712999000")).await, SubState::Confirmed);
    let (s, _) = post_form(&app, &link, &[]).await;
    assert_eq!(s, 200);
    assert_eq!(
        state_of(&app, &ke("0712999000")).await,
        SubState::Unsubscribed
    );
}

on_both_backends!(
    email_sign_up_confirm_and_unsubscribe,
    sms_sign_up_with_a_code,
    caps_hold_under_a_burst,
    staff_api_privacy_and_stop_callbacks,
    real_email_one_click_unsubscribe,
    unsubscribe_by_address,
);
