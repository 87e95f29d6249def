//! The outbox: publishing an update queues one delivery per confirmed follower, in their
//! language, in the same transaction; a newer update supersedes unsent older ones.

use crate::common;

use chrono::Duration;
use common::{Backend, TestApp};
use serde_json::json;
use tangazo::clock::Clock;
use tangazo::domain::subscriber::Address;
use tangazo::domain::{Lang, NoticeId, ServiceCode, UpdateId};
use tangazo::store::NewSubscriber;

fn counts(v: &[(String, String, i64)]) -> Vec<(&str, &str, i64)> {
    v.iter()
        .map(|(a, b, n)| (a.as_str(), b.as_str(), *n))
        .collect()
}

async fn fan_out_and_supersede(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let allowed = vec!["KE".to_string()];
    let now = app.clock.now();
    let code = |c: &str| ServiceCode::parse(c).unwrap();
    // Followers: all services (sms sw, email en), pay-bill only (sms en), buy-goods only (email),
    // one pending and one unsubscribed who must get nothing.
    for (addr, lang, services, confirmed) in [
        ("0712000001", Lang::Sw, None, true),
        ("a@example.com", Lang::En, None, true),
        ("0712000002", Lang::En, Some(vec![code("pay-bill")]), true),
        (
            "b@example.com",
            Lang::En,
            Some(vec![code("buy-goods")]),
            true,
        ),
        ("0712000003", Lang::Sw, None, false),
        ("0712000004", Lang::Sw, None, true),
    ] {
        app.store
            .subscribe(
                &NewSubscriber {
                    address: Address::parse(addr, "KE", &allowed).unwrap(),
                    language: lang,
                    services,
                    source: "import",
                    confirmed,
                    expires_at: now + Duration::hours(1),
                },
                now,
            )
            .await
            .unwrap();
    }
    let gone = app
        .store
        .find_subscriber(&Address::parse("0712000004", "KE", &allowed).unwrap())
        .await
        .unwrap()
        .unwrap();
    app.store.unsubscribe_id(&gone.id, now).await.unwrap();

    // A draft queues nothing; publishing queues the followers of send-money and pay-bill.
    let start = app.now() + Duration::hours(5);
    let (s, v) = app
        .api("POST", "/notices", &app.editor, Some(json!({"kind": "maintenance", "title": {"en": "Upgrade"}, "affected": [{"service": "send-money"}, {"service": "pay-bill"}], "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(2)).to_rfc3339()})))
        .await;
    assert_eq!(s, 201, "{v}");
    let id = NoticeId::new(v["id"].as_str().unwrap());
    assert!(app.store.delivery_counts(&id).await.unwrap().is_empty());
    let (s, v) = app.act(&id, "publish", None).await;
    assert_eq!(s, 200, "{v}");
    let first_update = UpdateId::new(v["update"]["id"].as_str().unwrap());
    assert_eq!(
        counts(&app.store.delivery_counts(&id).await.unwrap()),
        [("email", "pending", 1), ("sms", "pending", 2)]
    );
    assert_eq!(
        counts(&app.store.pending_by_language(&first_update).await.unwrap()),
        [("en", "email", 1), ("en", "sms", 1), ("sw", "sms", 1)],
        "each in their own language"
    );

    // Extending before anything was sent: the old messages are superseded, the new ones queued.
    let (s, v) = app
        .act(
            &id,
            "extend",
            Some(json!({"ends_at": (start + Duration::hours(4)).to_rfc3339()})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        counts(&app.store.delivery_counts(&id).await.unwrap()),
        [
            ("email", "pending", 1),
            ("email", "superseded", 1),
            ("sms", "pending", 2),
            ("sms", "superseded", 2)
        ]
    );
    // A refused action queues nothing.
    let (s, _) = app.act(&id, "complete", None).await;
    assert_eq!(s, 409);
    assert_eq!(
        app.store
            .delivery_counts(&id)
            .await
            .unwrap()
            .iter()
            .map(|c| c.2)
            .sum::<i64>(),
        6
    );

    // A discarded draft tells nobody.
    let (_, v) = app
        .api("POST", "/notices", &app.editor, Some(json!({"kind": "maintenance", "title": {"en": "Never mind"}, "affected": [{"service": "send-money"}], "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(2)).to_rfc3339()})))
        .await;
    let draft = NoticeId::new(v["id"].as_str().unwrap());
    let (s, _) = app.act(&draft, "cancel", None).await;
    assert_eq!(s, 200);
    assert!(app.store.delivery_counts(&draft).await.unwrap().is_empty());

    // Erasing a subscriber keeps their deliveries' history without them.
    let sw = app
        .store
        .find_subscriber(&Address::parse("0712000001", "KE", &allowed).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(app.store.erase_subscriber(&sw.id).await.unwrap());
    assert_eq!(
        app.store
            .delivery_counts(&id)
            .await
            .unwrap()
            .iter()
            .map(|c| c.2)
            .sum::<i64>(),
        6
    );
}

on_both_backends!(fan_out_and_supersede);

/// A claim whose lease ran out gives back only what it still holds: once another claim has
/// taken its rows, releasing them under the old claim leaves the new one's lease alone.
async fn lapsed_claim_releases_nothing_it_lost(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    for addr in ["0712000011", "0712000012"] {
        app.follower(addr, Lang::En).await;
    }
    app.publish_window("Core upgrade", 24, 4).await;
    let lease = Duration::minutes(1);
    let claim = || async {
        app.store
            .claim_deliveries("sms", 10, lease, app.clock.now())
            .await
            .unwrap()
    };
    let in_flight = || async {
        app.store
            .queue_depth()
            .await
            .unwrap()
            .iter()
            .find(|q| q.channel == "sms")
            .map_or(0, |q| q.in_flight)
    };
    let first = claim().await;
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|c| c.attempt == 1));
    assert_eq!(first[0].lease_until, app.clock.now() + lease);

    // The first claim stalls past its lease; a second claim takes the rows.
    app.clock.advance(Duration::minutes(2));
    let second = claim().await;
    assert_eq!(second.len(), 2);
    assert!(second.iter().all(|c| c.attempt == 2));
    assert_ne!(first[0].lease_owner, second[0].lease_owner);

    app.store
        .release_deliveries(&first, app.clock.now())
        .await
        .unwrap();
    assert_eq!(
        in_flight().await,
        2,
        "the second claim still holds both rows"
    );
    assert!(
        claim().await.is_empty(),
        "nothing was given back to be claimed a third time"
    );

    // Released by the claim that holds them, they are due again, the untried claim uncounted.
    app.store
        .release_deliveries(&second, app.clock.now())
        .await
        .unwrap();
    assert_eq!(in_flight().await, 0);
    let third = claim().await;
    assert_eq!(third.len(), 2);
    assert!(third.iter().all(|c| c.attempt == 2), "{third:?}");
}

on_both_backends!(lapsed_claim_releases_nothing_it_lost);

/// Every attempt is in a delivery's history wherever it was written: a retried one in its own
/// row, a sent one on the delivery's row, and a sent one whose claim had lapsed (a newer claim
/// holds the row) in its own row beside the newer claim's.
async fn every_attempt_is_kept_wherever_it_is_written(backend: Backend) {
    use tangazo::store::{Finish, Finished};
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    app.follower("0712000021", Lang::En).await;
    app.publish_window("Core upgrade", 24, 4).await;
    let lease = Duration::minutes(1);
    let claim = || async {
        let c = app
            .store
            .claim_deliveries("sms", 10, lease, app.clock.now())
            .await
            .unwrap();
        assert_eq!(c.len(), 1);
        c.into_iter().next().unwrap()
    };
    let record = |worker: &'static str, c: &tangazo::store::Claimed, finish: Finish| {
        let done = Finished {
            id: c.id.clone(),
            row: c.row,
            attempt: c.attempt,
            started_at: app.clock.now(),
            latency_ms: 7,
            finish,
            status_code: None,
            response: None,
        };
        let app = &app;
        async move {
            app.store
                .finish_deliveries(worker, &[done], app.clock.now())
                .await
                .unwrap()
        }
    };
    let first = claim().await;
    record(
        "w1",
        &first,
        Finish::Retry {
            at: app.clock.now(),
            error: "HTTP 503".into(),
        },
    )
    .await;
    let second = claim().await;
    // The second claim stalls past its lease and a third takes the row; both then send.
    app.clock.advance(Duration::minutes(2));
    let third = claim().await;
    assert_eq!((second.attempt, third.attempt), (2, 3));
    let sent = || Finish::Sent {
        provider_id: Some(format!("at-{}", app.clock.now().timestamp_micros())),
    };
    record("w2", &second, sent()).await;
    record("w3", &third, sent()).await;

    let history: Vec<(i64, String, String)> = app
        .store
        .attempts_of(&first.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.attempt, a.outcome, a.worker))
        .collect();
    let expected: Vec<(i64, String, String)> =
        [(1, "retry", "w1"), (2, "sent", "w2"), (3, "sent", "w3")]
            .map(|(n, o, w)| (n, o.to_string(), w.to_string()))
            .to_vec();
    assert_eq!(history, expected);
    let pending = app.store.queue_depth().await.unwrap();
    assert!(
        pending.iter().all(|q| q.pending == 0),
        "the third claim's send was recorded on the row: {pending:?}"
    );
}

on_both_backends!(every_attempt_is_kept_wherever_it_is_written);

/// An app whose one window was published to SMS followers at `numbers`, and their deliveries,
/// claimed (all of them) under a lease of a minute.
async fn claimed_sms(
    backend: Backend,
    numbers: &[&str],
) -> (TestApp, Vec<tangazo::store::Claimed>) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    for addr in numbers {
        app.follower(addr, Lang::En).await;
    }
    app.publish_window("Core upgrade", 24, 4).await;
    let claimed = app
        .store
        .claim_deliveries("sms", 10, Duration::minutes(1), app.clock.now())
        .await
        .unwrap();
    assert_eq!(claimed.len(), numbers.len());
    (app, claimed)
}

/// A batch of results is written by one of two statements: one for a chunk that is all sent,
/// one that chooses each column by the outcome. Both keep every field of every result: the
/// state, the attempt's worker, time, latency, status and answer, and the provider id.
async fn results_are_kept_whether_or_not_all_were_sent(backend: Backend) {
    use tangazo::store::{Finish, Finished};
    let (app, claimed) = claimed_sms(backend, &["0712000031", "0712000032", "0712000033"]).await;
    let started = app.clock.now() - Duration::seconds(1);
    let done = |c: &tangazo::store::Claimed, latency_ms: i64, finish: Finish| Finished {
        id: c.id.clone(),
        row: c.row,
        attempt: c.attempt,
        started_at: started,
        latency_ms,
        finish,
        status_code: Some(200 + latency_ms),
        response: Some(format!("answer {latency_ms}")),
    };
    let sent = |p: &str| Finish::Sent {
        provider_id: Some(p.into()),
    };
    // A chunk with a sent and a failed result, then a chunk that is all sent.
    let mixed = [
        done(&claimed[0], 1, sent("at-1")),
        done(
            &claimed[1],
            2,
            Finish::Failed {
                error: "HTTP 400".into(),
            },
        ),
    ];
    app.store
        .finish_deliveries("w-mixed", &mixed, app.clock.now())
        .await
        .unwrap();
    app.store
        .finish_deliveries(
            "w-sent",
            &[done(&claimed[2], 3, sent("at-3"))],
            app.clock.now(),
        )
        .await
        .unwrap();

    let mut counts = app
        .store
        .delivery_counts(&claimed[0].notice_id)
        .await
        .unwrap();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("sms".to_string(), "failed".to_string(), 1),
            ("sms".to_string(), "sent".to_string(), 2)
        ]
    );
    for (c, latency, worker, outcome, error) in [
        (&claimed[0], 1, "w-mixed", "sent", None),
        (&claimed[1], 2, "w-mixed", "failed", Some("HTTP 400")),
        (&claimed[2], 3, "w-sent", "sent", None),
    ] {
        let attempts = app.store.attempts_of(&c.id).await.unwrap();
        assert_eq!(attempts.len(), 1, "{attempts:?}");
        let a = &attempts[0];
        assert_eq!(
            (
                a.attempt,
                a.worker.as_str(),
                a.at.timestamp_millis(),
                a.latency_ms,
                a.outcome.as_str()
            ),
            (1, worker, started.timestamp_millis(), latency, outcome),
            "{a:?}"
        );
        assert_eq!(a.status_code, Some(200 + latency), "{a:?}");
        assert_eq!(
            a.response.as_deref(),
            Some(format!("answer {latency}").as_str())
        );
        assert_eq!(a.error.as_deref(), error, "{a:?}");
    }
    // The provider ids were kept: a delivery report naming each finds its message.
    for p in ["at-1", "at-3"] {
        let receipt = tangazo::delivery::Receipt {
            provider_id: p.into(),
            status: "delivered".into(),
            is_final: true,
            error: None,
        };
        assert!(
            app.store
                .record_receipt("sms", &receipt, app.clock.now())
                .await
                .unwrap(),
            "{p} names a sent message"
        );
    }
    assert_eq!(
        app.store
            .queue_depth()
            .await
            .unwrap()
            .iter()
            .map(|q| q.in_flight)
            .sum::<i64>(),
        0,
        "no lease is left behind"
    );
}

on_both_backends!(results_are_kept_whether_or_not_all_were_sent);

/// On SQLite a result finds its row by the rowid its claim read, and the id must match too: a
/// result whose rowid names another delivery (a table rebuilt by VACUUM renumbers rows) writes
/// nothing over that delivery. Its send is still kept, as an attempt row, and the row it was
/// for stays leased, to be sent again when the lease runs out, as for a lapsed claim.
async fn a_result_never_lands_on_another_row(backend: Backend) {
    use tangazo::store::{Finish, Finished};
    let (app, claimed) = claimed_sms(backend, &["0712000041", "0712000042"]).await;
    let (a, b) = (&claimed[0], &claimed[1]);
    if backend == Backend::Sqlite {
        assert!(
            a.row > 0 && b.row > 0 && a.row != b.row,
            "{} {}",
            a.row,
            b.row
        );
    }
    // a's result, carrying b's rowid.
    let crossed = Finished {
        id: a.id.clone(),
        row: b.row,
        attempt: a.attempt,
        started_at: app.clock.now(),
        latency_ms: 5,
        finish: Finish::Sent { provider_id: None },
        status_code: Some(200),
        response: Some(String::new()),
    };
    app.store
        .finish_deliveries("w", &[crossed], app.clock.now())
        .await
        .unwrap();
    let mut counts = app.store.delivery_counts(&a.notice_id).await.unwrap();
    counts.sort();
    let kept = app.store.attempts_of(&a.id).await.unwrap();
    assert_eq!(kept.len(), 1, "the send is kept either way: {kept:?}");
    assert_eq!(kept[0].outcome, "sent");
    if backend == Backend::Sqlite {
        assert_eq!(
            counts,
            [("sms".to_string(), "pending".to_string(), 2)],
            "b is not marked with a's result, nor is a marked without its rowid"
        );
        assert!(app.store.attempts_of(&b.id).await.unwrap().is_empty());
    } else {
        // PostgreSQL has no rowid: the result finds its row by id.
        assert_eq!(
            counts,
            [
                ("sms".to_string(), "pending".to_string(), 1),
                ("sms".to_string(), "sent".to_string(), 1)
            ]
        );
    }
}

on_both_backends!(a_result_never_lands_on_another_row);

/// Another process holding SQLite's write lock: a claim waits for it (on a thread of its own,
/// up to the busy timeout) and then takes the rows, while the runtime it was called from goes
/// on running other tasks. Before the lock is let go nothing is claimed.
#[tokio::test(flavor = "current_thread")]
async fn a_claim_waits_for_another_process_without_holding_up_the_runtime() {
    use sqlx::Connection;
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.seed_services().await;
    app.follower("0712000051", Lang::En).await;
    app.publish_window("Core upgrade", 24, 4).await;
    // Another process's writer, as `tangazo worker` on the same file would be.
    let mut other = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let ticks = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        })
    };
    let store = app.store.clone();
    let now = app.clock.now();
    let claim = tokio::spawn(async move {
        store
            .claim_deliveries("sms", 10, Duration::minutes(1), now)
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!claim.is_finished(), "the claim waits for the lock");
    let during = ticks.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        during >= 10,
        "the runtime ran on while the claim waited ({during} ticks)"
    );
    sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
    let claimed = tokio::time::timeout(std::time::Duration::from_secs(5), claim)
        .await
        .expect("the claim went ahead once the lock was free")
        .unwrap()
        .unwrap();
    assert_eq!(claimed.len(), 1);
    ticker.abort();
}
