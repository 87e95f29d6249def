//! End to end in headless Chromium (Debian's `chromium` and `chromium-driver`): log in, write
//! a maintenance notice in the form, watch the live SMS preview count segments, have a second
//! publisher approve it, and find it on the public page. Screenshots of the form and the page
//! land in `target/screenshots/` to be looked at.
//!
//! The test fails (it never skips) when chromedriver is missing: `.ci/run` installs it.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use common::{Backend, TestApp, TestDb, wait_until_true};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use tangazo::clock::Clock;
use tangazo::store::Role;

const PASSWORD: &str = "correct horse battery staple";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_chromedriver() -> (Driver, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("browser leg: cannot start {bin} ({e}); install Debian's chromium and chromium-driver (.ci/run does)"));
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < StdDuration::from_secs(20),
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(StdDuration::from_millis(100));
    }
    (Driver(child), port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_write_preview_approve_publish() {
    let db = std::sync::Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_CONSOLE_REQUIRE_APPROVAL", "true")]).await;
    app.seed_services().await;
    for (email, role) in [
        ("amina@example.co.ke", Role::Publisher),
        ("baraka@example.co.ke", Role::Publisher),
    ] {
        app.store
            .create_user(email, role, PASSWORD, app.clock.now())
            .await
            .unwrap();
    }
    app.running.state.snapshot.refresh().await.unwrap();

    let (_driver, port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,1700", format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session in headless Chromium");
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let login = |email: &'static str| {
        let c = c.clone();
        let url = app.url.clone();
        async move {
            c.goto(&format!("{url}/console/login")).await.unwrap();
            c.find(Locator::Id("email"))
                .await
                .unwrap()
                .send_keys(email)
                .await
                .unwrap();
            c.find(Locator::Id("password"))
                .await
                .unwrap()
                .send_keys(PASSWORD)
                .await
                .unwrap();
            c.find(Locator::Css("button[type=submit]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            wait_until_true("logged in", 15, async || {
                c.current_url().await.unwrap().path() == "/console"
            })
            .await;
        }
    };

    // Amina writes the notice.
    login("amina@example.co.ke").await;
    c.find(Locator::LinkText("New notice"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_true("the form", 15, async || {
        c.find(Locator::Id("title.en")).await.is_ok()
    })
    .await;
    c.find(Locator::Id("title.en"))
        .await
        .unwrap()
        .send_keys("Send money and Pay bill unavailable")
        .await
        .unwrap();
    c.find(Locator::Id("title.sw"))
        .await
        .unwrap()
        .send_keys("Tuma pesa na Lipa bili hazitapatikana")
        .await
        .unwrap();
    c.find(Locator::Id("svc-send-money"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("svc-pay-bill"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let tz = chrono_tz::Africa::Nairobi;
    let start = (app.now() + Duration::days(3))
        .with_timezone(&tz)
        .format("%Y-%m-%dT23:00")
        .to_string();
    let end = (app.now() + Duration::days(4))
        .with_timezone(&tz)
        .format("%Y-%m-%dT06:00")
        .to_string();
    // datetime-local typing depends on the browser's locale; set the values as a person's
    // date picker would.
    c.execute(
        "document.getElementById('starts_at').value = arguments[0]; document.getElementById('ends_at').value = arguments[1];",
        vec![json!(start), json!(end)],
    )
    .await
    .unwrap();
    c.find(Locator::Id("still_works.en"))
        .await
        .unwrap()
        .send_keys("Cash at agents")
        .await
        .unwrap();
    c.find(Locator::Id("body.en"))
        .await
        .unwrap()
        .send_keys("Please finish urgent payments before 23:00 and keep some cash.")
        .await
        .unwrap();
    // The live preview (a little JavaScript) shows each SMS with its encoding and segments.
    wait_until_true("the live SMS preview", 15, async || {
        let html = c
            .find(Locator::Id("preview"))
            .await
            .unwrap()
            .html(false)
            .await
            .unwrap_or_default();
        html.contains("segment") && html.contains("GSM-7") && html.contains("Kumb.")
    })
    .await;
    let preview = c
        .find(Locator::Id("preview"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains("Send money, Pay bill unavailable"),
        "{preview}"
    );
    std::fs::write(
        shots.join("console-form.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.find(Locator::Css("button[value=save]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_true("the saved draft", 15, async || {
        c.source().await.unwrap_or_default().contains("Saved.")
    })
    .await;
    let notice_url = c.current_url().await.unwrap();
    let source = c.source().await.unwrap();
    assert!(
        source.contains("another publisher must publish"),
        "four eyes is on"
    );

    // Amina cannot publish her own notice.
    c.find(Locator::Css("form[action$='/publish'] input[name=confirm]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/publish'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_true("the refusal", 15, async || {
        c.source()
            .await
            .unwrap_or_default()
            .contains("four-eyes approval is on")
    })
    .await;
    assert!(
        !app.text("/")
            .await
            .contains("Send money and Pay bill unavailable")
    );
    c.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_true("logged out", 15, async || {
        c.current_url().await.unwrap().path() == "/console/login"
    })
    .await;

    // Baraka approves by publishing.
    login("baraka@example.co.ke").await;
    c.goto(notice_url.as_str()).await.unwrap();
    c.find(Locator::Css("form[action$='/publish'] input[name=confirm]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/publish'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_true("published", 15, async || {
        c.source()
            .await
            .unwrap_or_default()
            .contains("Done: maintenance.scheduled")
    })
    .await;

    // The public page shows it.
    c.goto(&format!("{}/", app.url)).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("Send money and Pay bill unavailable"));
    assert!(page.contains("Please finish urgent payments before 23:00"));
    std::fs::write(shots.join("public-page.png"), c.screenshot().await.unwrap()).unwrap();
    let audit = app
        .store
        .audit_entries(None, Some("notice.publish"), None, 5)
        .await
        .unwrap();
    assert_eq!(audit[0].actor, "user:baraka@example.co.ke");
    c.close().await.unwrap();
}
