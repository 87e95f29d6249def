//! The delivery engine end to end against real peers: SMS to an HTTP server answering like
//! Africa's Talking (and Twilio), email to a real SMTP server (aiosmtpd), with the workers of
//! the serve process; progress, attempts, delivery reports and metrics as staff see them.

use crate::common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use common::peers::{SmsPeer, Smtp};
use common::{Backend, TestApp, TestDb};
use serde_json::Value;
use tangazo::domain::subscriber::Address;
use tangazo::domain::{DeliveryId, Lang};

/// Waits (advancing the test clock so retries fall due) until nothing is pending.
async fn drain(app: &TestApp, notice: &str, step: Span) -> Value {
    let started = Instant::now();
    loop {
        let v = app.deliveries(notice).await;
        let pending: i64 = ["sms", "email"]
            .iter()
            .map(|c| v["totals"][c]["pending"].as_i64().unwrap_or(0))
            .sum();
        if pending == 0 {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "deliveries still pending: {v}"
        );
        app.advance_when_idle(step).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sms_and_email_reach_real_peers(backend: Backend) {
    let peer = SmsPeer::default();
    let sms_url = peer.clone().serve().await;
    let smtp = Smtp::start();
    let db = std::sync::Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_DELIVERY_WORKERS", "true"),
            ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
            ("TANGAZO_DELIVERY_MAX_ATTEMPTS", "4"),
            ("TANGAZO_SMS_DRIVER", "africastalking"),
            ("TANGAZO_SMS_API_URL", &sms_url),
            ("TANGAZO_SMS_USERNAME", "sandbox"),
            ("TANGAZO_SMS_API_KEY", "test-key"),
            ("TANGAZO_SMS_CALLBACK_SECRET", "dlr-secret"),
            ("TANGAZO_SMS_RATE_PER_SECOND", "1000"),
            ("TANGAZO_EMAIL_DRIVER", "smtp"),
            ("TANGAZO_EMAIL_SMTP_URL", &smtp.url),
        ],
    )
    .await;
    app.seed_services().await;
    for i in 0..40 {
        let lang = if i % 2 == 0 { Lang::En } else { Lang::Sw };
        app.follower(&format!("07120001{i:02}"), lang).await;
    }
    app.follower("0712340003", Lang::En).await; // the provider refuses this number
    app.follower("akinyi@example.co.ke", Lang::En).await;
    app.follower("baraka@example.co.ke", Lang::Sw).await;
    app.follower("bounce@example.co.ke", Lang::En).await;
    app.follower("busy@example.co.ke", Lang::En).await;
    // The provider's first answer is a 429: the channel waits and retries, losing nothing.
    peer.throttle_next.store(1, Ordering::SeqCst);

    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    let reference = v["reference"].as_str().unwrap().to_string();
    let report = drain(&app, &id, Span::hours(2)).await;

    // Every SMS arrived once, in the subscriber's language, ending with the reference.
    let per_number = peer.per_number();
    assert_eq!(per_number.len(), 40, "{per_number:?}");
    assert!(per_number.values().all(|n| *n == 1), "{per_number:?}");
    for (number, text) in peer.received.lock().unwrap().iter() {
        let i: usize = number[number.len() - 2..].parse().unwrap();
        assert!(text.contains(&reference), "{text}");
        let swahili = text.contains("Tuma pesa");
        assert_eq!(swahili, i % 2 == 1, "{number}: {text}");
    }
    assert!(
        peer.requests.load(Ordering::SeqCst) >= 2,
        "throttled, then sent"
    );
    assert_eq!(report["totals"]["sms"]["sent"], 40, "{report}");
    assert_eq!(report["totals"]["sms"]["failed"], 1, "{report}");
    assert_eq!(report["totals"]["email"]["sent"], 2, "{report}");
    assert_eq!(report["totals"]["email"]["failed"], 2, "{report}");
    let failures = report["recent_failures"].to_string();
    assert!(failures.contains("InvalidPhoneNumber (403)"), "{failures}");
    assert!(
        failures.contains("550"),
        "a permanent SMTP refusal: {failures}"
    );
    assert!(
        failures.contains("gave up after 4 attempts") && failures.contains("451"),
        "a temporary refusal retried until the last attempt: {failures}"
    );

    // Two emails through SMTP, each with its recipient's own one-click unsubscribe link.
    let mail = smtp.received();
    assert_eq!(
        mail.len(),
        2,
        "{:?}",
        mail.iter().map(|m| &m.0).collect::<Vec<_>>()
    );
    let (_, raw) = mail
        .iter()
        .find(|(rcpt, _)| rcpt == "baraka@example.co.ke")
        .expect("baraka's email");
    assert!(raw.contains(&reference), "{raw}");
    let unfolded = raw.replace("\r\n ", " ").replace("\n ", " ");
    let link = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .and_then(|l| l.split('>').next())
        .expect("List-Unsubscribe header")
        .to_string();
    let path = link
        .strip_prefix("https://status.example.co.ke")
        .expect("a link to the public URL");
    assert!(path.starts_with("/unsubscribe/s1."), "{path}");
    let forged = format!("{}x", &path[..path.len() - 1]);
    let r = app
        .client
        .post(format!("{}{forged}", app.url))
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "a forged link unsubscribes nobody");
    let r = app
        .client
        .post(format!("{}{path}", app.url))
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let allowed = vec!["KE".to_string()];
    let baraka = app
        .store
        .find_subscriber(&Address::parse("baraka@example.co.ke", "KE", &allowed).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(baraka.state.as_str(), "unsubscribed");

    // Every attempt is kept: the busy mailbox was tried four times, then failed.
    let busy = app
        .store
        .find_subscriber(&Address::parse("busy@example.co.ke", "KE", &allowed).unwrap())
        .await
        .unwrap()
        .unwrap();
    let update_id = report["updates"][0]["update_id"].as_str().unwrap();
    let attempts = app
        .store
        .attempts_of(&DeliveryId::new(format!("{update_id}:{}", busy.id)))
        .await
        .unwrap();
    let outcomes: Vec<&str> = attempts.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        ["retry", "retry", "retry", "failed"],
        "{attempts:?}"
    );
    assert!(
        attempts
            .iter()
            .all(|a| a.error.as_deref().unwrap_or("").contains("451"))
    );

    // Delivery reports from the provider's callback.
    let dlr = |secret: &str, id: &str, status: &str| {
        app.client
            .post(format!(
                "{}/callbacks/sms/africastalking/{secret}/delivery",
                app.url
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "id={id}&status={status}&phoneNumber=%2B254712000100&failureReason=UserInBlacklist"
            ))
            .send()
    };
    assert_eq!(
        dlr("dlr-secret", "ATXid_1", "Success")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        dlr("dlr-secret", "ATXid_2", "Rejected")
            .await
            .unwrap()
            .status(),
        200
    );
    // A report ahead of its send is kept for when the send is recorded, not lost.
    assert_eq!(
        dlr("dlr-secret", "ATXid_999", "Success")
            .await
            .unwrap()
            .status(),
        202
    );
    assert_eq!(
        dlr("wrong", "ATXid_3", "Success").await.unwrap().status(),
        404
    );
    let report = app.deliveries(&id).await;
    assert_eq!(report["totals"]["sms"]["delivered"], 1, "{report}");
    assert_eq!(report["totals"]["sms"]["undelivered"], 1, "{report}");

    // Metrics: outcomes, an empty queue, latency observed.
    let metrics = app.text("/metrics").await;
    assert!(
        metrics.contains("tangazo_deliveries_total{channel=\"sms\",outcome=\"sent\"} 40"),
        "{metrics}"
    );
    assert!(metrics.contains("tangazo_outbox_pending{channel=\"sms\"} 0"));
    assert!(metrics.contains("tangazo_send_seconds_count{channel=\"email\"}"));
}

on_both_backends!(sms_and_email_reach_real_peers);

/// A newer update supersedes unsent SMS of an older one; sending resumes with the newer text.
async fn newer_update_supersedes_queued_sms(backend: Backend) {
    let peer = SmsPeer::default();
    let sms_url = peer.clone().serve().await;
    let db = std::sync::Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_DELIVERY_WORKERS", "true"),
            ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
            ("TANGAZO_DELIVERY_BATCH_SIZE", "5"),
            ("TANGAZO_SMS_DRIVER", "africastalking"),
            ("TANGAZO_SMS_API_URL", &sms_url),
            ("TANGAZO_SMS_USERNAME", "sandbox"),
            ("TANGAZO_SMS_API_KEY", "test-key"),
            // Slow enough that most of the first update is still queued when it is cancelled.
            ("TANGAZO_SMS_RATE_PER_SECOND", "5"),
        ],
    )
    .await;
    app.seed_services().await;
    for i in 0..30 {
        app.follower(&format!("07120002{i:02}"), Lang::En).await;
    }
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    while peer.count() == 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "nothing sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (s, v) = app.act(&id, "cancel", None).await;
    assert_eq!(s, 200, "{v}");
    let report = drain(&app, &id, Span::seconds(1)).await;
    let first = &report["updates"][0];
    let second = &report["updates"][1];
    assert!(first["superseded"].as_i64().unwrap() > 0, "{report}");
    assert_eq!(
        first["sent"].as_i64().unwrap() + first["superseded"].as_i64().unwrap(),
        30
    );
    assert_eq!(second["sent"], 30, "{report}");
    // Nobody got the old text after the new one.
    let received = peer.received.lock().unwrap().clone();
    for number in peer.per_number().keys() {
        let texts: Vec<&String> = received
            .iter()
            .filter(|(n, _)| n == number)
            .map(|(_, t)| t)
            .collect();
        let last = texts.last().unwrap();
        assert!(
            last.to_lowercase().contains("cancel"),
            "{number} last got: {last}"
        );
        assert!(texts.len() <= 2);
    }
}

on_both_backends!(newer_update_supersedes_queued_sms);

/// At a slow pace a claim holds only what the rate sends in half the lease: at 1 SMS/s, 8 in
/// flight and a lease of 8 s, 4 rows at a time. Sized by the calls alone it held 16 (two
/// rounds of 8), which take 16 s to go out, longer than the lease.
async fn a_slow_pace_claims_what_half_the_lease_sends(backend: Backend) {
    let peer = SmsPeer::default();
    let sms_url = peer.clone().serve().await;
    let db = std::sync::Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_DELIVERY_WORKERS", "true"),
            ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
            ("TANGAZO_DELIVERY_LEASE_SECONDS", "8"),
            ("TANGAZO_SMS_DRIVER", "africastalking"),
            ("TANGAZO_SMS_API_URL", &sms_url),
            ("TANGAZO_SMS_USERNAME", "sandbox"),
            ("TANGAZO_SMS_API_KEY", "test-key"),
            ("TANGAZO_SMS_RATE_PER_SECOND", "1"),
            ("TANGAZO_SMS_CONCURRENCY", "8"),
        ],
    )
    .await;
    app.seed_services().await;
    for i in 0..20 {
        app.follower(&format!("07120003{i:02}"), Lang::En).await;
    }
    app.publish_window("Core upgrade", 24, 4).await;
    // The rows under a lease, watched while the first six go out (about five seconds).
    let mut most = 0;
    let started = Instant::now();
    while peer.count() < 6 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "only {} sent",
            peer.count()
        );
        let claimed = app.claimed("sms").await;
        most = most.max(claimed);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(most >= 1, "no claim was seen");
    // A claim of 4, and at most the last row of the claim before it not yet recorded.
    assert!(most <= 5, "{most} rows under a lease at once");
}

on_both_backends!(a_slow_pace_claims_what_half_the_lease_sends);

/// Twilio: the delivery id is the idempotency token, a 500 is retried, error 21211 fails for
/// good, and signed status callbacks record delivery.
#[tokio::test]
async fn twilio_driver_and_status_callbacks() {
    let peer = SmsPeer::default();
    let sms_url = peer.clone().serve().await;
    let db = std::sync::Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_DELIVERY_WORKERS", "true"),
            ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
            ("TANGAZO_SMS_DRIVER", "twilio"),
            ("TANGAZO_SMS_API_URL", &sms_url),
            ("TANGAZO_SMS_TWILIO_ACCOUNT_SID", "ACtest"),
            ("TANGAZO_SMS_TWILIO_AUTH_TOKEN", "twilio-token"),
            ("TANGAZO_SMS_CONCURRENCY", "1"),
        ],
    )
    .await;
    app.seed_services().await;
    for n in ["0712300001", "0712300002", "0712300021"] {
        app.follower(n, Lang::En).await;
    }
    peer.fail_next.store(1, Ordering::SeqCst);
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    let report = drain(&app, &id, Span::minutes(5)).await;
    assert_eq!(report["totals"]["sms"]["sent"], 2, "{report}");
    assert_eq!(report["totals"]["sms"]["failed"], 1, "{report}");
    assert!(
        report["recent_failures"]
            .to_string()
            .contains("Twilio error 21211"),
        "{report}"
    );
    let keys = peer.idempotency.lock().unwrap().clone();
    let update_id = report["updates"][0]["update_id"].as_str().unwrap();
    assert!(keys.iter().all(|k| k.starts_with(update_id)), "{keys:?}");
    // Three messages, one of them retried after the 500 under the same key; none sent twice.
    assert_eq!(keys.len(), 4, "{keys:?}");
    let mut distinct = keys.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{keys:?}");
    assert!(
        peer.per_number().values().all(|&n| n == 1),
        "{:?}",
        peer.numbers()
    );

    // Status callbacks are checked against X-Twilio-Signature.
    let url = "https://status.example.co.ke/callbacks/sms/twilio/status";
    let sid = format!("SM{:032}", 1);
    let fields = vec![
        ("MessageSid".to_string(), sid.clone()),
        ("MessageStatus".to_string(), "delivered".to_string()),
    ];
    let body = format!("MessageSid={sid}&MessageStatus=delivered");
    let post = |signature: String| {
        app.client
            .post(format!("{}/callbacks/sms/twilio/status", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(body.clone())
            .send()
    };
    assert_eq!(post("forged".into()).await.unwrap().status(), 403);
    let good = tangazo::web::subscribe::twilio_signature("twilio-token", url, &fields);
    // The first message sent has SID 1; a 202 here means it was sent again under another SID.
    assert_eq!(
        post(good).await.unwrap().status(),
        200,
        "sent: {:?}, keys: {keys:?}",
        peer.numbers()
    );
    let report = app.deliveries(&id).await;
    assert_eq!(report["totals"]["sms"]["delivered"], 1, "{report}");
}

/// The progress API shows what is queued and an ETA at the configured pace before any worker
/// runs; it refuses callers without a token.
async fn progress_and_eta_without_workers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    for i in 0..12 {
        app.follower(&format!("07120003{i:02}"), Lang::En).await;
    }
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap();
    let report = app.deliveries(id).await;
    assert_eq!(report["totals"]["sms"]["pending"], 12, "{report}");
    assert_eq!(
        report["rate_per_second"]["sms"], 20.0,
        "the configured pace"
    );
    assert_eq!(report["eta_seconds"]["sms"], 1, "12 messages at 20/s");
    let r = app
        .client
        .get(format!("{}/api/v1/notices/{id}/deliveries", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

on_both_backends!(progress_and_eta_without_workers);

/// A claimed batch comes back with rows sharing a text side by side, so a bulk SMS chunk cut
/// from it is one provider request, not one per language.
async fn claimed_rows_are_grouped_by_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    for i in 0..10 {
        let lang = if i % 2 == 0 { Lang::En } else { Lang::Sw };
        app.follower(&format!("07120004{i:02}"), lang).await;
    }
    app.publish_window("Core upgrade", 24, 4).await;
    let claimed = app
        .store
        .claim_deliveries("sms", 10, Span::seconds(60), app.now())
        .await
        .unwrap();
    let languages: Vec<&str> = claimed.iter().map(|c| c.language.as_str()).collect();
    assert_eq!(
        languages,
        ["en", "en", "en", "en", "en", "sw", "sw", "sw", "sw", "sw"]
    );
}

on_both_backends!(claimed_rows_are_grouped_by_text);

/// A channel that answers at once, one message per call and one call at a time, except that
/// its `block_at`-th call waits for `gate` and its `panic_at`-th panics (0: none does).
#[derive(Default)]
struct GatedChannel {
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    block_at: usize,
    panic_at: usize,
    blocked: std::sync::Arc<tokio::sync::Notify>,
    gate: std::sync::Arc<tokio::sync::Notify>,
}

/// A worker context on the app's database for a channel of the test's own.
fn worker_ctx(app: &TestApp, worker_id: &str) -> tangazo::delivery::worker::Ctx {
    let settings = std::sync::Arc::new(common::settings(&app.db.url, &[]));
    tangazo::delivery::worker::Ctx {
        store: app.store.clone(),
        outbound: std::sync::Arc::new(tangazo::delivery::Outbound::new(settings.clone()).unwrap()),
        settings,
        clock: app.clock.clone(),
        link_key: std::sync::Arc::new("link".into()),
        metrics: Default::default(),
        worker_id: worker_id.into(),
    }
}

impl tangazo::delivery::worker::Channel for GatedChannel {
    type Job = ();

    fn name(&self) -> &'static str {
        "sms"
    }
    fn max_batch(&self) -> usize {
        1
    }
    fn rate_per_second(&self) -> u32 {
        1000
    }
    fn concurrency(&self) -> usize {
        1
    }
    fn prepare(
        &self,
        _d: &tangazo::store::Claimed,
        _address: &str,
        _m: &tangazo::domain::UpdateMessage,
    ) -> Result<(), String> {
        Ok(())
    }
    async fn send(&self, jobs: Vec<()>) -> Vec<tangazo::delivery::Outcome> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if call == self.block_at {
            let opened = self.gate.notified();
            self.blocked.notify_one();
            opened.await;
        }
        if call == self.panic_at {
            panic!("a bug in a channel");
        }
        jobs.iter()
            .map(|_| tangazo::delivery::Outcome::Sent { provider_id: None })
            .collect()
    }
}

/// While calls are quick a worker claims its next batch before the last one has gone out.
/// Stopped then, it gives that claim back untried with the rest: nothing stays leased (to
/// wait out the lease) and no try is counted for what was not sent.
async fn a_claim_made_ahead_is_given_back_at_shutdown(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    for i in 0..30 {
        app.follower(&format!("07120005{i:02}"), Lang::En).await;
    }
    let notice = app.publish_window("Core upgrade", 24, 4).await;
    let ctx = worker_ctx(&app, "gated");
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let blocked = std::sync::Arc::new(tokio::sync::Notify::new());
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    // One message per call, one call at a time: the first claim holds two rounds (no call has
    // been timed yet), the next eight, and the one after that is made once four of those
    // eight are left; the ninth call is held while that claim is out.
    let channel = GatedChannel {
        calls: calls.clone(),
        block_at: 9,
        blocked: blocked.clone(),
        gate: gate.clone(),
        ..Default::default()
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let worker = tokio::spawn(tangazo::delivery::worker::run(ctx, channel, cancel.clone()));
    tokio::time::timeout(Duration::from_secs(20), blocked.notified())
        .await
        .expect("the ninth call was made");
    // The ninth and tenth rows of the second claim, and the third claim's eight.
    let leased = common::poll_until("the third claim made", 10, async || {
        let n = app.claimed("sms").await;
        if n >= 10 {
            Ok(n)
        } else {
            Err(format!("{n} leased"))
        }
    })
    .await;
    assert!(leased <= 12, "{leased} rows leased");
    cancel.cancel();
    // The worker sees the stop while it waits for the call's permit, before the call ends.
    tokio::time::sleep(Duration::from_millis(200)).await;
    gate.notify_one();
    tokio::time::timeout(Duration::from_secs(20), worker)
        .await
        .expect("the worker stopped")
        .unwrap();
    assert_eq!(app.claimed("sms").await, 0, "nothing is left leased");
    let sent = calls.load(Ordering::SeqCst);
    assert_eq!(
        sent, 9,
        "nothing was sent after the stop but the call under way"
    );
    let id = notice["id"].as_str().unwrap().to_string();
    let v = app.deliveries(&id).await;
    assert_eq!(v["totals"]["sms"]["sent"], 9, "{v}");
    assert_eq!(v["totals"]["sms"]["pending"], 21, "{v}");
    // Given back is not a try: what was not sent is as it was queued.
    let tries: Vec<i64> = app
        .store
        .claim_deliveries("sms", 100, Span::seconds(60), app.now())
        .await
        .unwrap()
        .iter()
        .map(|c| c.attempt)
        .collect();
    assert_eq!(tries, vec![1; 21]);
}

on_both_backends!(a_claim_made_ahead_is_given_back_at_shutdown);

/// A call that panics loses only its own message, which stays leased until the lease runs
/// out (then it is tried again): the worker, even with one call at a time, goes on with the
/// rest and stops cleanly.
async fn a_panicking_call_holds_up_nothing_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    for i in 0..6 {
        app.follower(&format!("07120006{i:02}"), Lang::En).await;
    }
    let notice = app.publish_window("Core upgrade", 24, 4).await;
    let id = notice["id"].as_str().unwrap().to_string();
    let ctx = worker_ctx(&app, "panicky");
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let channel = GatedChannel {
        calls: calls.clone(),
        panic_at: 1,
        ..Default::default()
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let worker = tokio::spawn(tangazo::delivery::worker::run(ctx, channel, cancel.clone()));
    let report = common::poll_until("the other five recorded", 20, async || {
        let v = app.deliveries(&id).await;
        if v["totals"]["sms"]["sent"] == 5 {
            Ok(v)
        } else {
            Err(v.to_string())
        }
    })
    .await;
    assert_eq!(report["totals"]["sms"]["pending"], 1, "{report}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        6,
        "each message was tried once"
    );
    assert_eq!(
        app.claimed("sms").await,
        1,
        "the panicked one is still leased"
    );
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(20), worker)
        .await
        .expect("the worker stopped")
        .unwrap();
}

on_both_backends!(a_panicking_call_holds_up_nothing_else);
