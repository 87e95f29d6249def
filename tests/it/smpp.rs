//! The SMPP driver against a real SMSC: `tests/peers/smsc.py`, an SMPP 3.4 server built on the
//! `smpp34` Python package, run as a child process on loopback. It records what it received
//! and sends delivery receipts, so these tests check the wire, not a mock.

use crate::common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tangazo::delivery::smpp::{Smpp, SmppConfig};
use tangazo::delivery::{Outcome, Receipt, SmsJob};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/smsc.py");

/// A running simulator; killed when dropped.
struct Sim {
    child: Child,
    port: u16,
    messages: PathBuf,
    stats: PathBuf,
    stderr: PathBuf,
}

impl Sim {
    /// Starts the simulator on `port` (0: any) with its files in `dir`, waiting for it to say
    /// which port it listens on.
    async fn start(dir: &Path, name: &str, port: u16, extra: &[&str]) -> Sim {
        require_smpp34();
        let messages = dir.join(format!("{name}.jsonl"));
        let stats = dir.join(format!("{name}.stats.json"));
        let stderr = dir.join(format!("{name}.stderr"));
        let err_file = std::fs::File::create(&stderr).expect("create simulator stderr file");
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .args(["--port", &port.to_string()])
            .arg("--messages")
            .arg(&messages)
            .arg("--stats")
            .arg(&stats)
            .args(["--system-id", "tangazo", "--password", "secret"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err_file))
            .kill_on_drop(true)
            .spawn()
            .expect("start python3 tests/peers/smsc.py");
        let stdout = child.stdout.take().expect("simulator stdout");
        let mut first = String::new();
        let read = timeout(
            Duration::from_secs(20),
            BufReader::new(stdout).read_line(&mut first),
        )
        .await;
        let port = match read {
            Ok(Ok(n)) if n > 0 => first.trim().parse::<u16>().ok(),
            _ => None,
        };
        let Some(port) = port else {
            let _ = child.kill().await;
            panic!(
                "the SMSC simulator did not print its port (got {first:?}); its stderr:\n{}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
        };
        Sim {
            child,
            port,
            messages,
            stats,
            stderr,
        }
    }

    async fn kill(mut self) {
        self.child.kill().await.expect("kill the simulator");
    }

    /// Every message the simulator accepted, by message id.
    fn messages(&self) -> HashMap<String, Value> {
        let text = std::fs::read_to_string(&self.messages).unwrap_or_default();
        text.lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line).expect("simulator JSON line");
                (v["message_id"].as_str().expect("message_id").to_string(), v)
            })
            .collect()
    }

    fn stat(&self, key: &str) -> u64 {
        let text = std::fs::read_to_string(&self.stats).unwrap_or_else(|e| {
            panic!("read {}: {e}", self.stats.display());
        });
        let v: Value = serde_json::from_str(&text).expect("simulator stats JSON");
        v[key].as_u64().unwrap_or_else(|| panic!("no {key} in {v}"))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

/// The simulator is part of the test, so a machine without its package fails loudly.
fn require_smpp34() {
    match std::process::Command::new("python3")
        .args(["-c", "import smpp34"])
        .output()
    {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "python3 cannot import smpp34, which the SMSC simulator needs: run `pip install smpp34`\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            panic!("python3 is not runnable ({e}); install Python 3 and `pip install smpp34`")
        }
    }
}

fn config(port: u16, password: &str, window: usize, response_timeout: Duration) -> SmppConfig {
    SmppConfig {
        host: "127.0.0.1".into(),
        port,
        system_id: "tangazo".into(),
        password: password.into(),
        system_type: String::new(),
        window,
        response_timeout,
    }
}

fn job(id: &str, to: &str, text: &str) -> SmsJob {
    SmsJob {
        delivery_id: id.into(),
        to: to.into(),
        from: "KPLC".into(),
        text: text.into(),
    }
}

fn provider_id(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Sent {
            provider_id: Some(id),
        } => id,
        other => panic!("expected Sent with an id, got {other:?}"),
    }
}

/// Final receipts for `ids`, waiting until each has one or the deadline passes.
async fn final_receipts(
    rx: &mut mpsc::Receiver<Receipt>,
    ids: &HashSet<String>,
    within: Duration,
) -> HashMap<String, Receipt> {
    let deadline = Instant::now() + within;
    let mut got = HashMap::new();
    while got.len() < ids.len() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(r)) if r.is_final && ids.contains(&r.provider_id) => {
                got.insert(r.provider_id.clone(), r);
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_is_windowed_encoded_throttled_and_receipted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), "smsc", 0, &["--throttle-every", "40"]).await;
    let window = 8;
    let (smpp, mut receipts) =
        Smpp::new(config(sim.port, "secret", window, Duration::from_secs(5)));

    let swahili = "Umeme utarudi saa 12:00 ✅ Asante kwa uvumilivu wenu.";
    let long: String = "Huduma za M-PESA zitasimama Jumamosi kuanzia saa 23:00 hadi 02:00. "
        .chars()
        .cycle()
        .take(300)
        .collect();
    let mut jobs = vec![job("bad", "+254700000000", "never goes")];
    for i in 0..200 {
        jobs.push(job(
            &format!("d{i}"),
            &format!("+254710{i:04}5"),
            &format!("Notice {i}: water off in Kilimani 09:00-13:00 @ £0 {{maintenance}}"),
        ));
    }
    jobs.push(job("sw", "+254711000001", swahili));
    jobs.push(job("long", "+254711000002", &long));
    jobs.push(job("undeliv", "+254711009999", "this one will not arrive"));

    let outcomes = smpp.send(&jobs).await;
    assert_eq!(outcomes.len(), jobs.len());

    match &outcomes[0] {
        Outcome::Failed { error } => {
            assert!(
                error.contains("ESME_RINVDSTADR")
                    && error.contains("0x0000000B")
                    && error.contains("+254700000000"),
                "{error}"
            );
        }
        other => panic!("invalid destination should fail for good, got {other:?}"),
    }

    // 203 accepted-shaped submits, every 40th throttled.
    let retried: Vec<usize> = (1..jobs.len())
        .filter(|&i| matches!(outcomes[i], Outcome::Retry { .. }))
        .collect();
    assert_eq!(retried.len(), 5, "outcomes: {outcomes:?}");
    for &i in &retried {
        match &outcomes[i] {
            Outcome::Retry {
                error,
                retry_after,
                throttled,
            } => {
                assert!(*throttled, "{error}");
                assert!(
                    retry_after.is_some_and(|d| d >= Duration::from_millis(500)),
                    "{retry_after:?}"
                );
                assert!(error.contains("ESME_RTHROTTLED"), "{error}");
            }
            other => panic!("{other:?}"),
        }
    }

    // The throttled ones go through on the next try.
    let again: Vec<SmsJob> = retried.iter().map(|&i| jobs[i].clone()).collect();
    let again_outcomes = smpp.send(&again).await;
    let mut sent: HashMap<&str, String> = HashMap::new();
    for (i, outcome) in outcomes.iter().enumerate().skip(1) {
        if !retried.contains(&i) {
            sent.insert(&jobs[i].delivery_id, provider_id(outcome).to_string());
        }
    }
    for (j, outcome) in again.iter().zip(&again_outcomes) {
        sent.insert(&j.delivery_id, provider_id(outcome).to_string());
    }
    assert_eq!(sent.len(), 203);
    let ids: HashSet<String> = sent.values().cloned().collect();
    assert_eq!(ids.len(), 203, "provider ids must be distinct");

    // What the SMSC received is what was meant, in the right encoding.
    let received = sim.messages();
    assert_eq!(received.len(), 203, "simulator accepted {}", received.len());
    for j in &jobs[1..] {
        let id = &sent[j.delivery_id.as_str()];
        let m = &received[id];
        assert_eq!(m["to"], j.to.trim_start_matches('+'), "{m}");
        assert_eq!(m["from"], "KPLC");
        assert_eq!(
            (m["source_addr_ton"].as_u64(), m["source_addr_npi"].as_u64()),
            (Some(5), Some(0))
        );
        assert_eq!(
            (m["dest_addr_ton"].as_u64(), m["dest_addr_npi"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(m["registered_delivery"], 1);
        assert_eq!(m["text"], j.text.as_str(), "{}", j.delivery_id);
        let expected_coding = if j.delivery_id == "sw" { 8 } else { 0 };
        assert_eq!(m["data_coding"], expected_coding, "{}", j.delivery_id);
        assert_eq!(m["payload"], j.delivery_id == "long", "{}", j.delivery_id);
    }

    // Never more outstanding than the window, and the window was actually used.
    let max = sim.stat("max_inflight");
    assert!(
        max <= window as u64,
        "SMSC saw {max} outstanding with window {window}"
    );
    assert!(
        max >= 2,
        "submits went one at a time (max outstanding {max})"
    );

    // A final receipt per message: delivered, except the ...9999 one.
    let got = final_receipts(&mut receipts, &ids, Duration::from_secs(20)).await;
    assert_eq!(
        got.len(),
        ids.len(),
        "receipts missing; simulator log:\n{}",
        sim.log()
    );
    let undeliv = &sent["undeliv"];
    for (id, r) in &got {
        if id == undeliv {
            assert_eq!(r.status, "undelivered");
            let error = r.error.as_deref().unwrap_or("");
            assert!(
                error.contains("UNDELIV") && error.contains("001"),
                "{error}"
            );
        } else {
            assert_eq!(r.status, "delivered", "{r:?}");
            assert_eq!(r.error, None);
        }
    }

    smpp.close().await;
    assert_eq!(sim.stat("binds"), 1, "one bind for all of it");
    sim.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebinds_after_the_smsc_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), "first", 0, &[]).await;
    let port = sim.port;
    let (smpp, mut receipts) = Smpp::new(config(port, "secret", 4, Duration::from_secs(2)));
    let batch = |from: usize, n: usize| -> Vec<SmsJob> {
        (from..from + n)
            .map(|i| {
                job(
                    &format!("r{i}"),
                    &format!("+254720{i:04}5"),
                    &format!("restart {i}"),
                )
            })
            .collect()
    };

    let before = smpp.send(&batch(0, 10)).await;
    let before_ids: HashSet<String> = before.iter().map(|o| provider_id(o).to_string()).collect();
    assert_eq!(before_ids.len(), 10);

    sim.kill().await;
    let during = smpp.send(&batch(10, 5)).await;
    for outcome in &during {
        match outcome {
            Outcome::Retry {
                error, throttled, ..
            } => {
                assert!(!throttled, "{error}");
                assert!(
                    error.contains("127.0.0.1")
                        && (error.contains("bind") || error.contains("connection")),
                    "{error}"
                );
            }
            other => panic!("jobs during the outage should be retried, got {other:?}"),
        }
    }

    let sim = Sim::start(dir.path(), "second", port, &[]).await;
    let after = smpp.send(&batch(15, 10)).await;
    let after_ids: HashSet<String> = after.iter().map(|o| provider_id(o).to_string()).collect();
    assert_eq!(after_ids.len(), 10);
    assert!(after_ids.is_disjoint(&before_ids));
    assert_eq!(sim.messages().len(), 10);
    assert_eq!(
        sim.stat("binds"),
        1,
        "the driver bound again to the new SMSC"
    );

    // Receipts flow on the new bind too.
    let got = final_receipts(&mut receipts, &after_ids, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 10, "simulator log:\n{}", sim.log());
    smpp.close().await;
    sim.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_bind_is_retry_that_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), "smsc", 0, &[]).await;
    let (smpp, _receipts) = Smpp::new(config(sim.port, "wrong", 4, Duration::from_secs(1)));
    let outcomes = smpp
        .send(&[
            job("a", "+254730000001", "x"),
            job("b", "+254730000002", "y"),
        ])
        .await;
    assert_eq!(outcomes.len(), 2);
    for outcome in &outcomes {
        match outcome {
            Outcome::Retry { error, .. } => {
                assert!(
                    error.contains("could not bind") && error.contains("password"),
                    "{error}"
                )
            }
            other => panic!("a refused bind should be retried, got {other:?}"),
        }
    }
    assert!(sim.stat("bind_rejects") >= 1);
    assert!(sim.messages().is_empty());
    sim.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_submit_is_retried_after_the_response_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Sim::start(dir.path(), "smsc", 0, &[]).await;
    let (smpp, _receipts) = Smpp::new(config(sim.port, "secret", 2, Duration::from_secs(1)));
    let started = Instant::now();
    let outcomes = smpp
        .send(&[
            job("silent", "+254740007777", "no answer"),
            job("fine", "+254740000001", "answered"),
        ])
        .await;
    match &outcomes[0] {
        Outcome::Retry {
            error, throttled, ..
        } => {
            assert!(!throttled);
            assert!(error.contains("did not answer"), "{error}");
        }
        other => panic!("expected Retry after the timeout, got {other:?}"),
    }
    provider_id(&outcomes[1]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    smpp.close().await;
    sim.kill().await;
}

/// The whole path: a published notice goes out through the serve process's workers over SMPP,
/// and the SMSC's delivery receipts mark each message delivered.
async fn notices_go_out_over_smpp(backend: Backend) {
    use tangazo::clock::Clock;
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), "e2e", 0, &[]).await;
    let port = sim.port.to_string();
    let db = std::sync::Arc::new(common::TestDb::new(backend).await);
    let app = common::TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_DELIVERY_WORKERS", "true"),
            ("TANGAZO_DELIVERY_POLL_MILLIS", "50"),
            ("TANGAZO_SMS_DRIVER", "smpp"),
            ("TANGAZO_SMS_SMPP_HOST", "127.0.0.1"),
            ("TANGAZO_SMS_SMPP_PORT", &port),
            ("TANGAZO_SMS_SMPP_SYSTEM_ID", "tangazo"),
            ("TANGAZO_SMS_SMPP_PASSWORD", "secret"),
            ("TANGAZO_SMS_RATE_PER_SECOND", "500"),
        ],
    )
    .await;
    app.seed_services().await;
    let allowed = vec!["KE".to_string()];
    let now = app.clock.now();
    for i in 0..25 {
        let lang = if i % 2 == 0 {
            tangazo::domain::Lang::En
        } else {
            tangazo::domain::Lang::Sw
        };
        app.store
            .subscribe(
                &tangazo::store::NewSubscriber {
                    address: tangazo::domain::subscriber::Address::parse(
                        &format!("07120004{i:02}"),
                        "KE",
                        &allowed,
                    )
                    .unwrap(),
                    language: lang,
                    services: None,
                    source: "import",
                    confirmed: true,
                    expires_at: now + chrono::Duration::hours(1),
                },
                now,
            )
            .await
            .unwrap();
    }
    let v = app.publish_window("Core upgrade", 24, 4).await;
    let id = v["id"].as_str().unwrap().to_string();
    let reference = v["reference"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    let report = loop {
        let r = app.deliveries(&id).await;
        if r["totals"]["sms"]["delivered"] == 25 {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "not all delivered: {r}\n{}",
            sim.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(report["totals"]["sms"]["sent"], 25, "{report}");
    let messages = sim.messages();
    assert_eq!(messages.len(), 25);
    let numbers: HashSet<&str> = messages
        .values()
        .map(|m| m["to"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 25, "each subscriber once");
    assert!(
        messages
            .values()
            .all(|m| m["text"].as_str().unwrap().contains(&reference))
    );
}

use common::Backend;
on_both_backends!(notices_go_out_over_smpp);
