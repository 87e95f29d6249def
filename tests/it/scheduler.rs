//! The scheduler over a simulated weekend (injected clock): the M-PESA window of April 2015
//! starts on its own and completes early; the EcoCash migration runs over, is shown honestly,
//! staff are told, customers hear it, then it is extended and completed; a window cancelled
//! before its start never starts. Each step runs once with two instances on one database.

use crate::common;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{Backend, TestApp, TestDb};
use serde_json::{Value, json};
use tangazo::domain::{Lang, NoticeId};

/// Saturday 18 April 2015, 23:00 EAT (20:00 UTC).
fn saturday_2300() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2015, 4, 18, 20, 0, 0).unwrap()
}

/// Two instances on one database, each with its own scheduler (driven by `tick`), clocks
/// kept together; emails to a directory.
async fn two_instances(
    backend: Backend,
    mail: &std::path::Path,
    reminders: &str,
) -> (TestApp, TestApp) {
    with_workers(backend, mail, reminders, &[]).await
}

/// [`two_instances`] with more settings (workers and sinks).
async fn with_workers(
    backend: Backend,
    mail: &std::path::Path,
    reminders: &str,
    extra: &[(&str, &str)],
) -> (TestApp, TestApp) {
    let db = Arc::new(TestDb::new(backend).await);
    let mut env = vec![
        ("TANGAZO_SCHEDULER_REMINDERS", reminders),
        ("TANGAZO_SCHEDULER_QUIET_HOURS", "21:00-07:00"),
        ("TANGAZO_EMAIL_DIR", mail.to_str().unwrap()),
        ("TANGAZO_SCHEDULER_ALERT_EMAIL", "noc@safaricom.example"),
        ("TANGAZO_SCHEDULER_OVERRUN_GRACE_MINUTES", "30"),
    ];
    env.extend_from_slice(extra);
    // A month before the scenarios, which then only move the clocks forward.
    let start = saturday_2300() - Duration::days(30);
    let a = TestApp::spawn_on_at(db.clone(), &env, start).await;
    let b = TestApp::spawn_on_at(db, &env, start).await;
    a.seed_services().await;
    (a, b)
}

fn set_time(apps: &[&TestApp], at: DateTime<Utc>) {
    for app in apps {
        app.clock.set(at);
    }
}

/// What the public sees on instance `app`: the page's state label for the window, the
/// Statuspage status of the maintenance, and whether the ics feed lists it.
async fn public_view(app: &TestApp, title: &str) -> (bool, String, bool) {
    // What the snapshot refresher does within a second of a change on the other instance.
    app.running.state.publish_changes().await;
    let page = app.text("/").await;
    let summary = app.json("/api/v2/scheduled-maintenances.json").await;
    let status = summary["scheduled_maintenances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == title)
        .map(|m| m["status"].as_str().unwrap().to_string())
        .unwrap_or_default();
    let ics = app.text("/maintenance.ics").await;
    (page.contains(title), status, ics.contains(title))
}

/// Waits until the workers have sent everything queued.
async fn settle(app: &TestApp) {
    let started = std::time::Instant::now();
    while app
        .store
        .queue_depth()
        .await
        .unwrap()
        .iter()
        .any(|q| q.pending > 0)
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "deliveries stuck"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Both instances look for due steps at the same moment; returns how many ran in all.
async fn tick_both(a: &TestApp, b: &TestApp) -> usize {
    let (x, y) = tokio::join!(
        tangazo::scheduler::tick(&a.running.state),
        tangazo::scheduler::tick(&b.running.state)
    );
    let n = x.unwrap() + y.unwrap();
    // Both rebuild their snapshots, as the refresher would within a second.
    a.running.state.publish_changes().await;
    b.running.state.publish_changes().await;
    n
}

/// One SMS and one email follower.
async fn follower(app: &TestApp) {
    for address in ["0712000001", "wanjiku@example.co.ke"] {
        app.follower(address, Lang::En).await;
    }
}

/// 23:00 EAT on a day relative to Saturday 18 April 2015, at `hh:mm` EAT.
fn eat(day_offset: i64, hh: u32, mm: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2015, 4, 18, hh, mm, 0).unwrap() - Duration::hours(3)
        + Duration::days(day_offset)
}

async fn window(app: &TestApp, title: &str, start: DateTime<Utc>, hours: i64) -> NoticeId {
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({
                "kind": "maintenance",
                "title": {"en": title, "sw": title},
                "affected": [{"service": "send-money"}, {"service": "pay-bill"}],
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + Duration::hours(hours)).to_rfc3339(),
                "publish": true
            })),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    NoticeId::new(v["id"].as_str().unwrap())
}

async fn events(app: &TestApp, id: &NoticeId) -> Vec<String> {
    let (_, v) = app
        .api("GET", &format!("/notices/{id}"), &app.viewer, None)
        .await;
    let mut e: Vec<(i64, String)> = v["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["sequence"].as_i64().unwrap(),
                u["event"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    e.sort();
    e.into_iter().map(|(_, e)| e).collect()
}

async fn state(app: &TestApp, id: &NoticeId) -> Value {
    app.api("GET", &format!("/notices/{id}"), &app.viewer, None)
        .await
        .1["state"]
        .clone()
}

/// The events the SMS follower's messages were queued for (one delivery each).
async fn sms_events(app: &TestApp, id: &NoticeId) -> Vec<String> {
    channel_events(app, id, "sms").await
}

async fn channel_events(app: &TestApp, id: &NoticeId, channel: &str) -> Vec<String> {
    let p = app.store.delivery_progress(id).await.unwrap();
    p.iter()
        .filter(|p| p.channel == channel)
        .map(|p| {
            assert_eq!(p.pending + p.sent + p.superseded, 1, "{p:?}");
            p.event.clone()
        })
        .collect()
}

/// Where the messages go when the workers run: an SMS file, an email directory (customers
/// and staff alerts) and a biller's webhook receiver.
struct Receivers {
    dir: tempfile::TempDir,
    hook: String,
    webhooks: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Receivers {
    async fn start() -> Receivers {
        let webhooks = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = webhooks.clone();
        let receiver = axum::Router::new().route(
            "/kplc",
            axum::routing::post(move |body: String| {
                let sink = sink.clone();
                async move {
                    let v: Value = serde_json::from_str(&body).unwrap();
                    sink.lock()
                        .unwrap()
                        .push(v["type"].as_str().unwrap().to_string());
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook = format!("http://{}/kplc", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, receiver).await });
        Receivers {
            dir: tempfile::tempdir().unwrap(),
            hook,
            webhooks,
        }
    }

    fn sms_file(&self) -> std::path::PathBuf {
        self.dir.path().join("sms.jsonl")
    }

    /// Two instances with workers, a follower on each channel and a biller's endpoint.
    async fn instances(&self, backend: Backend, reminders: &str) -> (TestApp, TestApp) {
        let sms_file = self.sms_file();
        let (a, b) = with_workers(
            backend,
            self.dir.path(),
            reminders,
            &[
                ("TANGAZO_DELIVERY_WORKERS", "true"),
                ("TANGAZO_DELIVERY_POLL_MILLIS", "20"),
                ("TANGAZO_SMS_FILE", sms_file.to_str().unwrap()),
                ("TANGAZO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true"),
            ],
        )
        .await;
        let biller = a.kplc().await;
        a.store_endpoint(&biller.id, &common::endpoint_at(&self.hook))
            .await;
        follower(&a).await;
        (a, b)
    }

    /// The events the SMS follower, the email follower and the biller received, in order.
    async fn received(
        &self,
        app: &TestApp,
        id: &NoticeId,
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        settle(app).await;
        let updates = app.store.get_updates(id).await.unwrap();
        let event_of = |update: &str| {
            updates
                .iter()
                .find(|u| u.id == update)
                .map(|u| (u.sequence, u.event.as_str().to_string()))
        };
        let sms: Vec<String> = std::fs::read_to_string(self.sms_file())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .inspect(common::sms_reference::assert_sink_line_billed)
            .filter(|v| v["to"] == "+254712000001")
            .filter_map(|v| {
                event_of(
                    v["delivery_id"]
                        .as_str()
                        .unwrap()
                        .split(':')
                        .next()
                        .unwrap(),
                )
            })
            .map(|(_, e)| e)
            .collect();
        let mut email: Vec<(i64, String)> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|f| f.unwrap())
            .filter(|f| f.path().extension().is_some_and(|e| e == "eml"))
            .filter_map(|f| {
                let raw = std::fs::read_to_string(f.path()).unwrap();
                let name = f.file_name().to_string_lossy().replace('_', ":");
                let found = event_of(name.split(':').next().unwrap())?;
                raw.contains("To: wanjiku@example.co.ke").then_some(found)
            })
            .collect();
        email.sort();
        let email = email.into_iter().map(|e| e.1).collect();
        (sms, email, self.webhooks.lock().unwrap().clone())
    }

    /// Staff alerts emailed so far.
    fn staff_alerts(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap_or_default())
            .filter(|m| m.contains("To: noc@safaricom.example"))
            .collect()
    }
}

async fn mpesa_weekend_starts_and_completes_early(backend: Backend) {
    let r = Receivers::start().await;
    let (a, b) = r.instances(backend, "24h,1h").await;
    follower(&a).await;
    // Announced on Thursday 16 April.
    set_time(&[&a, &b], eat(-2, 10, 0));
    let id = window(&a, "M-PESA moves home", saturday_2300(), 13).await;
    settle(&a).await;
    let title = "M-PESA moves home";
    assert_eq!(
        public_view(&b, title).await,
        (true, "scheduled".into(), true)
    );
    assert_eq!(tick_both(&a, &b).await, 0, "nothing is due on Thursday");

    // Reminders: SMS ones at 21:00, before the quiet hours, email ones on the hour.
    for (at, step) in [
        (eat(-1, 21, 0), "sms"),
        (eat(-1, 23, 0), "email"),
        (eat(0, 21, 0), "sms"),
        (eat(0, 22, 0), "email"),
    ] {
        set_time(&[&a, &b], at - Duration::seconds(1));
        assert_eq!(tick_both(&a, &b).await, 0, "not before {at}");
        set_time(&[&a, &b], at);
        assert_eq!(tick_both(&a, &b).await, 1, "{step} reminder at {at}");
        settle(&a).await;
        assert_eq!(
            public_view(&b, title).await,
            (true, "scheduled".into(), true)
        );
    }
    let reminded = [
        "maintenance.scheduled",
        "maintenance.reminder",
        "maintenance.reminder",
    ];
    assert_eq!(sms_events(&a, &id).await, reminded);
    assert_eq!(channel_events(&a, &id, "email").await, reminded);

    // Saturday 23:00 EAT: the window starts by itself, once, on either instance.
    set_time(&[&a, &b], saturday_2300() + Duration::seconds(1));
    assert_eq!(tick_both(&a, &b).await, 1);
    settle(&a).await;
    assert_eq!(state(&a, &id).await, "in_progress");
    assert_eq!(
        public_view(&b, title).await,
        (true, "in_progress".into(), true)
    );
    assert_eq!(
        b.json("/api/v2/status.json").await["status"]["indicator"],
        "maintenance"
    );
    assert_eq!(events(&a, &id).await.last().unwrap(), "maintenance.started");
    assert!(!b.text("/").await.contains("Running late"));
    assert_eq!(
        sms_events(&a, &id).await,
        [
            "maintenance.scheduled",
            "maintenance.reminder",
            "maintenance.reminder",
            "maintenance.started"
        ]
    );
    assert_eq!(tick_both(&a, &b).await, 0, "and only once");

    // Sunday 11:30 EAT: staff complete it half an hour early; the overrun step is cancelled.
    set_time(&[&a, &b], saturday_2300() + Duration::minutes(12 * 60 + 30));
    let (s, _) = a.act(&id, "complete", None).await;
    assert_eq!(s, 200);
    settle(&a).await;
    set_time(&[&a, &b], saturday_2300() + Duration::hours(20));
    assert_eq!(tick_both(&a, &b).await, 0);
    let steps = a.store.steps_of(&id).await.unwrap();
    let kinds: Vec<(&str, &str)> = steps.iter().map(|s| (s.0.as_str(), s.2.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("remind_sms", "done"),
            ("remind_email", "done"),
            ("remind_sms", "done"),
            ("remind_email", "done"),
            ("start", "done"),
            ("overrun", "cancelled")
        ]
    );
    assert!(
        a.text("/").await.contains("30 min"),
        "completed early is shown"
    );
    let feed = a.text("/history.atom").await;
    assert!(feed.contains("M-PESA moves home"));
    assert_eq!(public_view(&b, title).await.1, "completed");
    assert_eq!(
        b.json("/api/v2/status.json").await["status"]["indicator"],
        "none"
    );

    // What each channel received, in order: SMS and email got the reminders, billers did not.
    let all = [
        "maintenance.scheduled",
        "maintenance.reminder",
        "maintenance.reminder",
        "maintenance.started",
        "maintenance.completed",
    ];
    let (sms, email, hooks) = r.received(&a, &id).await;
    assert_eq!(sms, all);
    assert_eq!(email, all);
    assert_eq!(
        hooks,
        [
            "maintenance.scheduled",
            "maintenance.started",
            "maintenance.completed"
        ]
    );
    assert!(r.staff_alerts().is_empty(), "no staff alert");
}

async fn ecocash_overruns_then_is_extended_and_completed(backend: Backend) {
    let r = Receivers::start().await;
    let (a, b) = r.instances(backend, "").await;
    let got = |sms: &[&str]| {
        let all: Vec<String> = sms.iter().map(|e| format!("maintenance.{e}")).collect();
        (all.clone(), all.clone(), all)
    };
    let start = saturday_2300();
    set_time(&[&a, &b], start - Duration::days(7));
    let id = window(&a, "EcoCash platform migration", start, 24).await;
    // Sent before the clock jumps: a lease outlived by a jump of days would be taken again.
    settle(&a).await;
    set_time(&[&a, &b], start);
    assert_eq!(tick_both(&a, &b).await, 1, "started");
    assert_eq!(r.received(&a, &id).await, got(&["scheduled", "started"]));
    let title = "EcoCash platform migration";
    assert_eq!(
        public_view(&b, title).await,
        (true, "in_progress".into(), true)
    );

    // The planned end passes: the page says overrunning at once, staff get an email, but
    // customers hear nothing yet.
    let end = start + Duration::hours(24);
    set_time(&[&a, &b], end + Duration::minutes(1));
    assert_eq!(tick_both(&a, &b).await, 1);
    let page = b.text("/").await;
    assert!(page.contains("Running late"), "{page}");
    assert!(
        page.contains("We will post a new estimate"),
        "no end is invented"
    );
    let alerts = r.staff_alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].contains("Overrunning"));
    assert_eq!(events(&a, &id).await.len(), 2);
    assert_eq!(r.received(&a, &id).await, got(&["scheduled", "started"]));

    // After the grace period everyone is told it runs over, once; no new end is invented.
    set_time(&[&a, &b], end + Duration::minutes(31));
    assert_eq!(tick_both(&a, &b).await, 1);
    assert_eq!(
        events(&a, &id).await,
        [
            "maintenance.scheduled",
            "maintenance.started",
            "maintenance.overrunning"
        ]
    );
    let (_, v) = a
        .api("GET", &format!("/notices/{id}"), &a.viewer, None)
        .await;
    assert_eq!(
        v["ends_at"]
            .as_str()
            .map(|e| e.parse::<DateTime<Utc>>().unwrap()),
        Some(end)
    );
    assert_eq!(
        sms_events(&a, &id).await,
        [
            "maintenance.scheduled",
            "maintenance.started",
            "maintenance.overrunning"
        ]
    );
    assert_eq!(tick_both(&a, &b).await, 0, "told once");
    assert_eq!(
        r.received(&a, &id).await,
        got(&["scheduled", "started", "overrunning"])
    );
    assert_eq!(r.staff_alerts().len(), 2, "staff asked for a new estimate");

    // Staff extend it with a new estimate, then complete it a day late.
    let new_end = end + Duration::hours(26);
    let (s, _) = a
        .act(
            &id,
            "extend",
            Some(json!({"ends_at": new_end.to_rfc3339()})),
        )
        .await;
    assert_eq!(s, 200);
    settle(&a).await;
    set_time(&[&a, &b], end + Duration::hours(24));
    assert_eq!(tick_both(&a, &b).await, 0, "the new end has not come");
    let (s, _) = a.act(&id, "complete", None).await;
    assert_eq!(s, 200);
    assert_eq!(state(&b, &id).await, "completed");
    assert_eq!(
        public_view(&b, title).await,
        (true, "completed".into(), true)
    );
    assert!(!b.text("/").await.contains("Running late"));
    let steps = a.store.steps_of(&id).await.unwrap();
    let kinds: Vec<(&str, &str)> = steps.iter().map(|s| (s.0.as_str(), s.2.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("start", "done"),
            ("overrun", "done"),
            ("overrun_update", "done"),
            ("overrun", "cancelled")
        ]
    );
    assert_eq!(
        r.received(&a, &id).await,
        got(&[
            "scheduled",
            "started",
            "overrunning",
            "extended",
            "completed"
        ])
    );
}

async fn cancelled_before_start_never_starts(backend: Backend) {
    let mail = tempfile::tempdir().unwrap();
    let (a, b) = two_instances(backend, mail.path(), "1h").await;
    let start = saturday_2300();
    set_time(&[&a, &b], start - Duration::days(1));
    let id = window(&a, "Cancelled upgrade", start, 4).await;
    let (s, _) = a.act(&id, "cancel", None).await;
    assert_eq!(s, 200);
    let kinds: Vec<String> = a
        .store
        .steps_of(&id)
        .await
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s.0, s.2))
        .collect();
    assert_eq!(
        kinds,
        [
            "remind_sms cancelled",
            "remind_email cancelled",
            "start cancelled",
            "overrun cancelled"
        ],
        "cancelling drops the reminders too"
    );
    set_time(&[&a, &b], start + Duration::hours(6));
    assert_eq!(tick_both(&a, &b).await, 0);
    assert_eq!(state(&a, &id).await, "cancelled");
    assert_eq!(
        events(&a, &id).await,
        ["maintenance.scheduled", "maintenance.cancelled"]
    );

    // A window moved later: it starts at the new time, not the old one.
    let id = window(&a, "Moved upgrade", start + Duration::days(1), 4).await;
    let new_start = start + Duration::days(2);
    let (s, v) = a.act(&id, "reschedule", Some(json!({"starts_at": new_start.to_rfc3339(), "ends_at": (new_start + Duration::hours(4)).to_rfc3339()}))).await;
    assert_eq!(s, 200, "{v}");
    set_time(&[&a, &b], start + Duration::days(1) + Duration::minutes(5));
    assert_eq!(tick_both(&a, &b).await, 0, "the old start is gone");
    // Downtime over the new start, end and grace: the missed steps run once, in order; the
    // reminders come too late and are recorded, not sent.
    set_time(&[&a, &b], new_start + Duration::hours(5));
    assert_eq!(
        tick_both(&a, &b).await,
        5,
        "two reminders skipped; start, overrun, overrun update"
    );
    let steps = a.store.steps_of(&id).await.unwrap();
    let skipped: Vec<&str> = steps
        .iter()
        .filter(|s| s.2 == "skipped")
        .map(|s| s.3.as_deref().unwrap())
        .collect();
    assert_eq!(skipped.len(), 2, "{steps:?}");
    assert!(
        skipped.iter().all(|n| n.contains("not sent late")),
        "{skipped:?}"
    );
    assert_eq!(state(&a, &id).await, "in_progress");
    assert_eq!(
        events(&a, &id).await,
        [
            "maintenance.scheduled",
            "maintenance.rescheduled",
            "maintenance.started",
            "maintenance.overrunning"
        ]
    );
    assert_eq!(tick_both(&a, &b).await, 0);
}

/// With `scheduler.quiet_hours_urgent`, an SMS that a 23:00 start sends waits for 07:00; the
/// email goes at once.
async fn urgent_sms_can_wait_for_the_morning(backend: Backend) {
    let db = Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_SCHEDULER_REMINDERS", ""),
            ("TANGAZO_SCHEDULER_QUIET_HOURS_URGENT", "true"),
        ],
    )
    .await;
    app.seed_services().await;
    follower(&app).await;
    app.clock.set(saturday_2300() - Duration::days(1));
    let id = window(&app, "Night upgrade", saturday_2300(), 4).await;
    app.clock.set(saturday_2300());
    assert_eq!(
        tangazo::scheduler::tick(&app.running.state).await.unwrap(),
        1
    );
    let lease = Duration::seconds(30);
    let at = saturday_2300() + Duration::minutes(1);
    let sms = app
        .store
        .claim_deliveries("sms", 10, lease, at)
        .await
        .unwrap();
    assert!(sms.is_empty(), "held in the quiet hours: {sms:?}");
    let email = app
        .store
        .claim_deliveries("email", 10, lease, at)
        .await
        .unwrap();
    assert_eq!(email.len(), 1, "email is not held");
    assert_eq!(email[0].event, "maintenance.started");
    let morning = eat(1, 7, 0);
    let sms = app
        .store
        .claim_deliveries("sms", 10, lease, morning - Duration::seconds(1))
        .await
        .unwrap();
    assert!(sms.is_empty());
    let sms = app
        .store
        .claim_deliveries("sms", 10, lease, morning)
        .await
        .unwrap();
    assert_eq!(sms.len(), 1, "07:00 EAT");
    assert_eq!(sms[0].event, "maintenance.started");
    assert_eq!(sms[0].notice_id, id);
}

on_both_backends!(
    urgent_sms_can_wait_for_the_morning,
    mpesa_weekend_starts_and_completes_early,
    ecocash_overruns_then_is_extended_and_completed,
    cancelled_before_start_never_starts
);
