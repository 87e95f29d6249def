//! End to end in headless Chromium (Debian's `chromium` and `chromium-driver`): log in, write
//! a maintenance notice in the form, watch the live SMS preview count segments, have a second
//! publisher approve it, and find it on the public page; then reload and Back after an action,
//! as people do, and see that nothing goes out twice; and the console in Arabic on a phone,
//! mirrored. Screenshots of the forms and the page land in `target/screenshots/` to be looked
//! at.
//!
//! The test fails (it never skips) when chromedriver is missing: `.ci/run` installs it.

use crate::common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use common::{Backend, TestApp, TestDb, wait_until_true};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use tangazo::clock::Clock;
use tangazo::domain::NoticeId;
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

/// A WebDriver session in headless Chromium, with its driver and a profile of its own.
async fn chromium() -> (Driver, tempfile::TempDir, fantoccini::Client) {
    chromium_in("en-US,en", (1280, 1700)).await
}

/// [`chromium`] asking for the languages `accept` names, its viewport `(width, height)`
/// (narrower than a desktop window can be, as a phone's screen).
async fn chromium_in(
    accept: &str,
    (width, height): (u32, u32),
) -> (Driver, tempfile::TempDir, fantoccini::Client) {
    let (driver, port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    args.push(format!("--window-size={},{height}", width.max(500)));
    args.push(format!("--accept-lang={accept}"));
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": args,
            "prefs": { "intl": { "accept_languages": accept } },
        }),
    );
    if width < 500 {
        // A headless window is at least 500 px wide; a phone's viewport is emulated.
        caps["goog:chromeOptions"]["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0 },
        });
    }
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session in headless Chromium");
    (driver, profile, c)
}

/// A server on SQLite with the demo's services and a publisher account for each of `emails`.
async fn console_app(extra: &[(&str, &str)], emails: &[&str]) -> TestApp {
    let db = std::sync::Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, extra).await;
    app.seed_services().await;
    for email in emails {
        app.store
            .create_user(email, Role::Publisher, PASSWORD, app.clock.now())
            .await
            .unwrap();
    }
    app.running.state.snapshot.refresh().await.unwrap();
    app
}

/// Clicks what `at` finds.
async fn click(c: &fantoccini::Client, at: Locator<'_>) {
    c.find(at).await.unwrap().click().await.unwrap();
}

/// Types `text` into what `at` finds.
async fn type_into(c: &fantoccini::Client, at: Locator<'_>, text: &str) {
    c.find(at).await.unwrap().send_keys(text).await.unwrap();
}

/// Logs in through the console's form and waits for the dashboard.
async fn log_in(c: &fantoccini::Client, url: &str, email: &str) {
    c.goto(&format!("{url}/console/login")).await.unwrap();
    type_into(c, Locator::Id("email"), email).await;
    type_into(c, Locator::Id("password"), PASSWORD).await;
    click(c, Locator::Css("button[type=submit]")).await;
    wait_until_true("logged in", 15, async || {
        c.current_url().await.unwrap().path() == "/console"
    })
    .await;
}

/// The console in Arabic on a 360 px phone: right to left, its header mirrored (the log-out
/// button at the left, where the brand is at the right), the form's labels in Arabic.
/// Screenshots land beside the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_arabic_console_is_mirrored_at_360px() {
    let app = console_app(
        &[("TANGAZO_PAGE_LANGUAGES", "en,sw,ar")],
        &["amina@example.co.ke"],
    )
    .await;
    let (_driver, _profile, c) = chromium_in("ar", (360, 800)).await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    log_in(&c, &app.url, "amina@example.co.ke").await;
    let width = c
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(width, json!(360), "a phone's viewport");
    let page = c.source().await.unwrap();
    assert!(page.contains("lang=\"ar\" dir=\"rtl\""), "{page}");
    assert!(page.contains("الإعلانات"), "{page}");
    let mirrored = c
        .execute(
            "const r = e => document.querySelector(e).getBoundingClientRect(); \
             return r('header form').left < r('header a.brand').left \
                 && getComputedStyle(document.documentElement).direction === 'rtl';",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(mirrored, json!(true), "the header is mirrored");
    std::fs::write(
        shots.join("console-ar-360.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    click(&c, Locator::LinkText("إعلان جديد")).await;
    wait_until_true("the Arabic form", 15, async || {
        c.source().await.unwrap_or_default().contains("حفظ المسودة")
    })
    .await;
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(0), "the form fits the phone's width");
    std::fs::write(
        shots.join("console-form-ar-360.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_write_preview_approve_publish() {
    let app = console_app(
        &[("TANGAZO_CONSOLE_REQUIRE_APPROVAL", "true")],
        &["amina@example.co.ke", "baraka@example.co.ke"],
    )
    .await;

    let (_driver, _profile, c) = chromium().await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // Amina writes the notice.
    log_in(&c, &app.url, "amina@example.co.ke").await;
    click(&c, Locator::LinkText("New notice")).await;
    wait_until_true("the form", 15, async || {
        c.find(Locator::Id("title.en")).await.is_ok()
    })
    .await;
    type_into(
        &c,
        Locator::Id("title.en"),
        "Send money and Pay bill unavailable",
    )
    .await;
    type_into(
        &c,
        Locator::Id("title.sw"),
        "Tuma pesa na Lipa bili hazitapatikana",
    )
    .await;
    click(&c, Locator::Id("svc-send-money")).await;
    click(&c, Locator::Id("svc-pay-bill")).await;
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
    type_into(&c, Locator::Id("still_works.en"), "Cash at agents").await;
    type_into(
        &c,
        Locator::Id("body.en"),
        "Please finish urgent payments before 23:00 and keep some cash.",
    )
    .await;
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
    click(&c, Locator::Css("button[value=save]")).await;
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
    click(
        &c,
        Locator::Css("form[action$='/publish'] input[name=confirm]"),
    )
    .await;
    click(&c, Locator::Css("form[action$='/publish'] button")).await;
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
    click(&c, Locator::Css("header form button")).await;
    wait_until_true("logged out", 15, async || {
        c.current_url().await.unwrap().path() == "/console/login"
    })
    .await;

    // Baraka approves by publishing.
    log_in(&c, &app.url, "baraka@example.co.ke").await;
    c.goto(notice_url.as_str()).await.unwrap();
    click(
        &c,
        Locator::Css("form[action$='/publish'] input[name=confirm]"),
    )
    .await;
    click(&c, Locator::Css("form[action$='/publish'] button")).await;
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

/// An Arabic reader on a phone: the page is right to left and fits 360 px; the console's
/// preview shows the Arabic SMS right to left. Screenshots land in `target/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_arabic_page_and_console_on_a_phone() {
    let app = console_app(
        &[("TANGAZO_PAGE_LANGUAGES", "en,sw,ar")],
        &["amina@example.co.ke"],
    )
    .await;
    app.publish_window("Send money upgrade", 30, 3).await;
    app.running.state.snapshot.refresh().await.unwrap();
    let (_driver, _profile, c) = chromium_in("ar-EG,ar", (360, 800)).await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    c.goto(&format!("{}/", app.url)).await.unwrap();
    let page = read(
        &c,
        "return {dir: document.documentElement.dir, lang: document.documentElement.lang, \
         width: document.documentElement.clientWidth, \
         scroll: document.documentElement.scrollWidth, \
         align: getComputedStyle(document.querySelector('h2')).textAlign, \
         direction: getComputedStyle(document.body).direction}",
    )
    .await;
    assert_eq!(
        page["lang"], "ar",
        "Accept-Language ar-EG picks Arabic: {page}"
    );
    assert_eq!(page["dir"], "rtl");
    assert_eq!(page["direction"], "rtl");
    assert_eq!(page["width"], 360, "{page}");
    assert!(
        page["scroll"].as_u64().unwrap() <= 360,
        "no sideways scroll on a phone: {page}"
    );
    let html = c.source().await.unwrap();
    assert!(html.contains("الخدمات المتأثرة") && html.contains("Send money upgrade"));
    std::fs::write(shots.join("ar-page-360.png"), c.screenshot().await.unwrap()).unwrap();

    log_in(&c, &app.url, "amina@example.co.ke").await;
    c.goto(&format!("{}/console/notices/new", app.url))
        .await
        .unwrap();
    wait_until_true("the form", 15, async || {
        c.find(Locator::Id("title.en")).await.is_ok()
    })
    .await;
    type_into(&c, Locator::Id("title.en"), "Pay bill upgrade").await;
    click(&c, Locator::Css("input[name=affected][value=pay-bill]")).await;
    c.execute(
        "document.getElementById('starts_at').value = arguments[0]; \
         document.getElementById('ends_at').value = arguments[1];",
        vec![
            json!(
                (app.now() + Duration::days(2))
                    .with_timezone(&chrono_tz::Africa::Nairobi)
                    .format("%Y-%m-%dT23:00")
                    .to_string()
            ),
            json!(
                (app.now() + Duration::days(3))
                    .with_timezone(&chrono_tz::Africa::Nairobi)
                    .format("%Y-%m-%dT02:00")
                    .to_string()
            ),
        ],
    )
    .await
    .unwrap();
    click(&c, Locator::Css("button[value=preview]")).await;
    wait_until_true("the preview", 15, async || {
        c.source().await.unwrap_or_default().contains("dir=\"rtl\"")
    })
    .await;
    let sms = c
        .find(Locator::Css("div.sms[lang=ar]"))
        .await
        .expect("the Arabic SMS in the preview");
    c.execute(
        "document.querySelector('div.sms[lang=ar]').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    assert!(sms.text().await.unwrap().contains("EAT"));
    std::fs::write(
        shots.join("ar-console-preview-360.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.close().await.unwrap();
}

/// Every console page fits a 360 px phone and a 1366 px laptop without sideways scrolling
/// (tables become stacked rows on a phone). Screenshots land in `target/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_console_pages_fit_a_phone_and_a_laptop() {
    let app = console_app(&[], &[]).await;
    app.store
        .create_user(
            "wanjiru@example.co.ke",
            Role::Admin,
            PASSWORD,
            app.clock.now(),
        )
        .await
        .unwrap();
    let v = app
        .publish_window("Send money and Pay bill upgrade", 30, 3)
        .await;
    let notice = v["id"].as_str().unwrap().to_string();
    app.running.state.snapshot.refresh().await.unwrap();
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let pages = [
        ("dashboard", "/console".to_string()),
        ("notice", format!("/console/notices/{notice}")),
        ("new-notice", "/console/notices/new".to_string()),
        ("services", "/console/services".to_string()),
        ("subscribers", "/console/subscribers".to_string()),
        ("audit", "/console/audit".to_string()),
        ("tokens", "/console/tokens".to_string()),
        ("billers", "/console/billers".to_string()),
        ("import", "/console/import".to_string()),
    ];
    for (width, height) in [(360, 800), (1366, 900)] {
        let (_driver, _profile, c) = chromium_in("en-US,en", (width, height)).await;
        log_in(&c, &app.url, "wanjiru@example.co.ke").await;
        for (name, path) in &pages {
            c.goto(&format!("{}{path}", app.url)).await.unwrap();
            let size = read(
                &c,
                "return {width: document.documentElement.clientWidth, \
                 scroll: document.documentElement.scrollWidth}",
            )
            .await;
            // A laptop's window loses a scroll bar's width to a long page.
            let shown = size["width"].as_u64().unwrap();
            assert!(
                shown <= width as u64 && shown + 20 >= width as u64,
                "{name}: {size}"
            );
            assert!(
                size["scroll"].as_u64().unwrap() <= shown,
                "{name} at {width} px scrolls sideways: {size}"
            );
            std::fs::write(
                shots.join(format!("console-{name}-{width}.png")),
                c.screenshot().await.unwrap(),
            )
            .unwrap();
        }
        c.close().await.unwrap();
    }
}

/// What a script reads in the page now, as JSON.
async fn read(c: &fantoccini::Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Post an update, reload, go back, post again: one new update, one set of deliveries. The
/// console answers each action with a 303 (a reload shows the notice page again, and sends
/// nothing), and Back shows the page fetched again: a fresh one-time token, and an empty form
/// (form restoring is off), so pressing the button again sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_reload_and_back_send_nothing_twice() {
    let app = console_app(&[], &["amina@example.co.ke"]).await;
    app.follower("0712000001", tangazo::domain::Lang::En).await;
    app.follower("amina@example.com", tangazo::domain::Lang::En)
        .await;
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = NoticeId::new(v["id"].as_str().unwrap());
    let updates = async || app.store.get_updates(&id).await.unwrap().len();
    let deliveries = async || {
        app.store
            .delivery_progress(&id)
            .await
            .unwrap()
            .iter()
            .map(|p| p.pending + p.sent + p.failed + p.superseded + p.cancelled)
            .sum::<i64>()
    };
    assert_eq!((updates().await, deliveries().await), (1, 2));

    let (_driver, _profile, c) = chromium().await;
    log_in(&c, &app.url, "amina@example.co.ke").await;
    let page = format!("{}/console/notices/{id}", app.url);
    c.goto(&page).await.unwrap();
    // A mark in this document: a page the browser kept in memory (back/forward cache) still
    // has it after Back; a page fetched again does not.
    read(&c, "window.tangazoMark = 'first load'; return true").await;
    let token = read(
        &c,
        "return document.querySelector(\"form[action$='/update'] input[name=once]\")?.value",
    )
    .await;
    type_into(
        &c,
        Locator::Id("update-body-en"),
        "Halfway there; back by 04:00.",
    )
    .await;
    click(
        &c,
        Locator::Css("form[action$='/update'] input[name=confirm]"),
    )
    .await;
    click(&c, Locator::Css("form[action$='/update'] button")).await;
    wait_until_true("the update's result", 15, async || {
        c.source()
            .await
            .unwrap_or_default()
            .contains("Done: maintenance.updated (update #2)")
    })
    .await;
    // Post/redirect/get: the browser is on the notice page, not on the form's address.
    assert_eq!(c.current_url().await.unwrap().as_str(), page);
    assert_eq!((updates().await, deliveries().await), (2, 4));

    // Reload: a GET of the notice page; nothing is sent again.
    c.refresh().await.unwrap();
    wait_until_true("the page again", 15, async || {
        c.find(Locator::Css("form[action$='/update']"))
            .await
            .is_ok()
    })
    .await;
    assert!(
        !c.source()
            .await
            .unwrap()
            .contains("Done: maintenance.updated"),
        "the result is shown once"
    );
    assert_eq!((updates().await, deliveries().await), (2, 4));

    // Back: to the page the update was posted from.
    c.back().await.unwrap();
    wait_until_true("the page before the update", 15, async || {
        c.find(Locator::Css("form[action$='/update']"))
            .await
            .is_ok()
    })
    .await;
    // Chromium does not keep a page it left by a form POST (its `Cache-Control: no-store`
    // pages are kept only when left by an ordinary link, see the next test): it fetches the
    // page again, which comes with a fresh one-time token. Form restoring would then put back
    // what was typed and ticked, ready to post the update a second time; the console's forms
    // switch it off, so the form is empty.
    let kept = read(&c, "return window.tangazoMark === 'first load'").await;
    let navigation = read(
        &c,
        "return performance.getEntriesByType('navigation')[0].type",
    )
    .await;
    assert_eq!(
        (kept, navigation),
        (json!(false), json!("back_forward")),
        "Back fetched the page again"
    );
    let token_now = read(
        &c,
        "return document.querySelector(\"form[action$='/update'] input[name=once]\")?.value",
    )
    .await;
    assert_ne!(token_now, token);
    let typed = read(&c, "return document.getElementById('update-body-en').value").await;
    let ticked = read(
        &c,
        "return document.querySelector(\"form[action$='/update'] input[name=confirm]\").checked",
    )
    .await;
    assert_eq!(
        (typed, ticked),
        (json!(""), json!(false)),
        "nothing typed comes back"
    );

    // Submit again, as a person would press the button: the empty form does not go (its
    // message is required, and so is the confirmation).
    click(&c, Locator::Css("form[action$='/update'] button")).await;
    let valid = read(
        &c,
        "return document.querySelector(\"form[action$='/update']\").checkValidity()",
    )
    .await;
    assert_eq!(valid, json!(false));
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert_eq!(c.current_url().await.unwrap().as_str(), page);
    assert_eq!(
        (updates().await, deliveries().await),
        (2, 4),
        "one new update and one set of deliveries"
    );
    c.close().await.unwrap();
}

/// A page Chromium kept for Back (left by a link) is shown as it was; if the notice changed
/// meanwhile, its forms are refused: they carry the notice's sequence as shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_back_to_a_kept_page_acts_on_nothing_stale() {
    let app = console_app(&[], &["amina@example.co.ke"]).await;
    app.follower("0712000001", tangazo::domain::Lang::En).await;
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = NoticeId::new(v["id"].as_str().unwrap());

    let (_driver, _profile, c) = chromium().await;
    log_in(&c, &app.url, "amina@example.co.ke").await;
    c.goto(&format!("{}/console/notices/{id}", app.url))
        .await
        .unwrap();
    read(&c, "window.tangazoMark = 'first load'; return true").await;
    click(&c, Locator::LinkText("Audit log")).await;
    wait_until_true("the audit log", 15, async || {
        c.current_url().await.unwrap().path() == "/console/audit"
    })
    .await;
    // Meanwhile another publisher posts an update.
    let (s, v) = app
        .act(
            &id,
            "updates",
            Some(json!({"body": {"en": "Moved to the backup switch."}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    c.back().await.unwrap();
    wait_until_true("the notice page", 15, async || {
        c.find(Locator::Css("form[action$='/update']"))
            .await
            .is_ok()
    })
    .await;
    assert_eq!(
        read(&c, "return window.tangazoMark === 'first load'").await,
        json!(true),
        "Chromium showed the page it kept, as it was"
    );
    type_into(&c, Locator::Id("update-body-en"), "Half done.").await;
    click(
        &c,
        Locator::Css("form[action$='/update'] input[name=confirm]"),
    )
    .await;
    click(&c, Locator::Css("form[action$='/update'] button")).await;
    wait_until_true("the refusal", 15, async || {
        c.source()
            .await
            .unwrap_or_default()
            .contains("update #2 was posted after this page was shown")
    })
    .await;
    assert!(
        c.source().await.unwrap().contains(">Half done.</textarea>"),
        "what was typed is still there"
    );
    assert_eq!(app.store.get_updates(&id).await.unwrap().len(), 2);
    c.close().await.unwrap();
}
