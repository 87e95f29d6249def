//! Store tests: the same assertions on SQLite and on PostgreSQL.

use crate::common;

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use common::{Backend, TestDb};
use tangazo::app::notices::{Plan, Texts};
use tangazo::domain::{
    Action, Affected, Event, Lang, Localized, NoticeId, NoticeKind, NoticeState, Service,
    ServiceCode, ServiceStatus,
};
use tangazo::store::{Change, NewNotice, NoticeFilter, Store, StoreError};

fn text(en: &str) -> Localized {
    Localized(BTreeMap::from([(Lang::En, en.to_string())]))
}

fn code(c: &str) -> ServiceCode {
    ServiceCode::parse(c).unwrap()
}

async fn store(backend: Backend) -> (Store, TestDb) {
    let db = TestDb::new(backend).await;
    let store = Store::open(&db.url, 5).await.unwrap();
    // Applying migrations again is a no-op.
    store.migrate().await.unwrap();
    let now = Utc::now();
    for (i, c) in ["send-money", "pay-bill", "buy-goods"].iter().enumerate() {
        store
            .insert_service(
                &Service {
                    code: code(c),
                    name: text(c),
                    description: Localized::default(),
                    group: "Payments".into(),
                    position: i as i64,
                    status: ServiceStatus::Operational,
                    created_at: now,
                    updated_at: now,
                },
                "test",
            )
            .await
            .unwrap();
    }
    (store, db)
}

fn window(kind: NoticeKind, services: &[&str], start_in_h: i64, hours: i64) -> NewNotice {
    let start = Utc::now() + Duration::hours(start_in_h);
    NewNotice {
        kind,
        title: text("Upgrade"),
        still_works: Localized::default(),
        draft_body: text("We upgrade."),
        draft_overrides: Default::default(),
        affected: services
            .iter()
            .map(|s| Affected {
                service: code(s),
                impact: ServiceStatus::UnderMaintenance,
            })
            .collect(),
        starts_at: (kind == NoticeKind::Maintenance).then_some(start),
        ends_at: (kind == NoticeKind::Maintenance).then_some(start + Duration::hours(hours)),
        auto_start: true,
        auto_complete: false,
    }
}

async fn act(
    store: &Store,
    id: &NoticeId,
    action: Action,
    at: chrono::DateTime<Utc>,
) -> Result<(tangazo::domain::Notice, tangazo::domain::Update), StoreError> {
    store
        .apply_action(
            id,
            Change {
                action: &action,
                actor: "test",
                now: at,
                max_window_hours: 168,
            },
            Plan::new(
                Texts::default(),
                store.schedule_policy(),
                |_, e| text(&format!("default for {}", e.as_str())),
                |_, _| Ok(Vec::new()),
            ),
        )
        .await
}

async fn services_crud(backend: Backend) {
    let (store, _db) = store(backend).await;
    let list = store.list_services().await.unwrap();
    assert_eq!(
        list.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(),
        ["send-money", "pay-bill", "buy-goods"]
    );
    let mut s = list[0].clone();
    let err = store.insert_service(&s, "test").await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { ref field, .. } if field == "code"),
        "{err:?}"
    );
    s.status = ServiceStatus::DegradedPerformance;
    s.name = text("Send money now");
    store.update_service(&s, "test").await.unwrap();
    let back = store.get_service(&s.code).await.unwrap();
    assert_eq!(back.status, ServiceStatus::DegradedPerformance);
    assert_eq!(back.name.get(Lang::En), "Send money now");

    // A service that a notice names stays for history.
    store
        .create_notice(
            &window(NoticeKind::Maintenance, &["pay-bill"], 1, 2),
            "t",
            Utc::now(),
        )
        .await
        .unwrap();
    let err = store
        .delete_service(&code("pay-bill"), "test", Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    store
        .delete_service(&code("buy-goods"), "test", Utc::now())
        .await
        .unwrap();
    assert!(matches!(
        store.get_service(&code("buy-goods")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .delete_service(&code("buy-goods"), "test", Utc::now())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn lifecycle_grows_sequence_and_revision(backend: Backend) {
    let (store, _db) = store(backend).await;
    let now = Utc::now();
    let draft = store
        .create_notice(
            &window(NoticeKind::Maintenance, &["send-money", "pay-bill"], 2, 13),
            "t",
            now,
        )
        .await
        .unwrap();
    assert_eq!(draft.state, NoticeState::Draft);
    assert_eq!(draft.affected.len(), 2);
    let rev0 = store.revision().await.unwrap();

    let (n, u) = act(&store, &draft.id, Action::Publish, now).await.unwrap();
    assert_eq!(
        (n.state, u.sequence, u.event),
        (NoticeState::Scheduled, 1, Event::MaintenanceScheduled)
    );
    assert_eq!(
        u.body.get(Lang::En),
        "We upgrade.",
        "first update carries the draft's body"
    );
    assert!(store.revision().await.unwrap() > rev0);

    // A reference code names a notice wherever its id does.
    let (_, u) = act(
        &store,
        &NoticeId::new(n.reference.to_string()),
        Action::Start,
        now + Duration::hours(2),
    )
    .await
    .unwrap();
    assert_eq!((u.sequence, u.event), (2, Event::MaintenanceStarted));
    assert_eq!(u.body.get(Lang::En), "default for maintenance.started");
    let new_end = now + Duration::hours(20);
    let (n, u) = act(
        &store,
        &draft.id,
        Action::Extend { ends_at: new_end },
        now + Duration::hours(14),
    )
    .await
    .unwrap();
    assert_eq!(u.sequence, 3);
    assert_eq!(
        n.ends_at.unwrap().timestamp_millis(),
        new_end.timestamp_millis()
    );

    // A refused action changes nothing.
    let rev = store.revision().await.unwrap();
    let err = act(&store, &draft.id, Action::Publish, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Refused(ref r) if r.field == "state"),
        "{err:?}"
    );
    assert_eq!(store.revision().await.unwrap(), rev);
    assert_eq!(store.get_updates(&draft.id).await.unwrap().len(), 3);

    let (n, u) = act(
        &store,
        &draft.id,
        Action::Complete,
        now + Duration::hours(19),
    )
    .await
    .unwrap();
    assert_eq!((n.state, u.sequence), (NoticeState::Completed, 4));
    let back = store.get_notice(&draft.id).await.unwrap();
    assert_eq!(back, n, "what was written is what is read");
    let seqs: Vec<i64> = store
        .get_updates(&draft.id)
        .await
        .unwrap()
        .iter()
        .map(|u| u.sequence)
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert!(matches!(
        store.get_notice(&NoticeId::new("no-such-id")).await,
        Err(StoreError::NotFound)
    ));
}

async fn concurrent_updates_get_distinct_sequences(backend: Backend) {
    let (store, _db) = store(backend).await;
    let now = Utc::now();
    let n = store
        .create_notice(&window(NoticeKind::Incident, &["pay-bill"], 0, 0), "t", now)
        .await
        .unwrap();
    act(&store, &n.id, Action::Publish, now).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let store = store.clone();
        let id = n.id.clone();
        tasks.push(tokio::spawn(async move {
            act(&store, &id, Action::Post { state: None }, Utc::now())
                .await
                .map(|(_, u)| u.sequence)
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().expect("every concurrent update succeeds"));
    }
    seqs.sort();
    assert_eq!(seqs, (2..=13).collect::<Vec<_>>());
    assert_eq!(store.get_notice(&n.id).await.unwrap().sequence, 13);
}

async fn filters_and_snapshot(backend: Backend) {
    let (store, _db) = store(backend).await;
    let now = Utc::now();
    let a = store
        .create_notice(
            &window(NoticeKind::Maintenance, &["send-money"], 5, 2),
            "t",
            now,
        )
        .await
        .unwrap();
    let b = store
        .create_notice(
            &window(NoticeKind::Maintenance, &["pay-bill"], 48, 2),
            "t",
            now,
        )
        .await
        .unwrap();
    let c = store
        .create_notice(&window(NoticeKind::Incident, &["pay-bill"], 0, 0), "t", now)
        .await
        .unwrap();
    act(&store, &a.id, Action::Publish, now).await.unwrap();
    act(&store, &c.id, Action::Publish, now).await.unwrap();
    act(&store, &c.id, Action::Complete, now).await.unwrap();

    let ids = |v: Vec<tangazo::domain::Notice>| v.into_iter().map(|n| n.id).collect::<Vec<_>>();
    let all = NoticeFilter {
        limit: 50,
        ..Default::default()
    };
    assert_eq!(store.list_notices(&all).await.unwrap().len(), 3);
    let f = NoticeFilter {
        kind: Some(NoticeKind::Incident),
        ..all.clone()
    };
    assert_eq!(
        ids(store.list_notices(&f).await.unwrap()),
        std::slice::from_ref(&c.id)
    );
    let f = NoticeFilter {
        state: Some(NoticeState::Draft),
        ..all.clone()
    };
    assert_eq!(
        ids(store.list_notices(&f).await.unwrap()),
        std::slice::from_ref(&b.id)
    );
    let f = NoticeFilter {
        service: Some(code("pay-bill")),
        kind: Some(NoticeKind::Maintenance),
        ..all.clone()
    };
    assert_eq!(
        ids(store.list_notices(&f).await.unwrap()),
        std::slice::from_ref(&b.id)
    );
    let f = NoticeFilter {
        from: Some(now + Duration::hours(24)),
        kind: Some(NoticeKind::Maintenance),
        ..all.clone()
    };
    assert_eq!(
        ids(store.list_notices(&f).await.unwrap()),
        std::slice::from_ref(&b.id)
    );
    let f = NoticeFilter {
        to: Some(now + Duration::hours(24)),
        kind: Some(NoticeKind::Maintenance),
        ..all.clone()
    };
    assert_eq!(
        ids(store.list_notices(&f).await.unwrap()),
        std::slice::from_ref(&a.id)
    );

    let snap = store.snapshot_data(50).await.unwrap();
    let mut got: Vec<&str> = snap.notices.iter().map(|n| n.id.as_str()).collect();
    got.sort();
    let mut want = vec![a.id.as_str(), c.id.as_str()];
    want.sort();
    assert_eq!(got, want, "drafts never reach the public snapshot");
    assert_eq!(snap.updates[&c.id].len(), 2);
    assert!(snap.references.contains_key(&a.reference));
    assert!(!snap.references.contains_key(&b.reference));
    assert_eq!(snap.revision, store.revision().await.unwrap());

    // The history keeps only the newest finished notices, but verification knows them all.
    for _ in 0..3 {
        let n = store
            .create_notice(&window(NoticeKind::Incident, &["pay-bill"], 0, 0), "t", now)
            .await
            .unwrap();
        act(&store, &n.id, Action::Publish, now).await.unwrap();
        act(&store, &n.id, Action::Complete, now + Duration::minutes(5))
            .await
            .unwrap();
    }
    let snap = store.snapshot_data(2).await.unwrap();
    assert_eq!(
        snap.notices
            .iter()
            .filter(|n| n.state.is_terminal())
            .count(),
        2
    );
    assert!(
        snap.notices.iter().any(|n| n.id == a.id),
        "active notices are always there"
    );
    assert_eq!(snap.references.len(), 5);
}

async fn drafts_edit_only_while_draft(backend: Backend) {
    let (store, _db) = store(backend).await;
    let now = Utc::now();
    let n = store
        .create_notice(
            &window(NoticeKind::Maintenance, &["send-money"], 5, 2),
            "t",
            now,
        )
        .await
        .unwrap();
    let patch = tangazo::store::NoticePatch {
        title: Some(text("Changed")),
        affected: Some(vec![Affected {
            service: code("buy-goods"),
            impact: ServiceStatus::PartialOutage,
        }]),
        ends_at: Some(now + Duration::hours(9)),
        ..Default::default()
    };
    let edited = store
        .edit_draft(&n.id, &patch, "t", now, 168)
        .await
        .unwrap();
    assert_eq!(edited.title.get(Lang::En), "Changed");
    let back = store.get_notice(&n.id).await.unwrap();
    assert_eq!(back.affected, edited.affected);
    let bad = tangazo::store::NoticePatch {
        ends_at: Some(now + Duration::hours(1)),
        ..Default::default()
    };
    assert!(
        matches!(store.edit_draft(&n.id, &bad, "t", now, 168).await, Err(StoreError::Conflict { ref field, .. }) if field == "ends_at")
    );
    let bad = tangazo::store::NoticePatch {
        affected: Some(vec![Affected {
            service: code("no-such"),
            impact: ServiceStatus::PartialOutage,
        }]),
        title: Some(text("Should not stick")),
        ..Default::default()
    };
    assert!(store.edit_draft(&n.id, &bad, "t", now, 168).await.is_err());
    assert_eq!(
        store.get_notice(&n.id).await.unwrap().title.get(Lang::En),
        "Changed",
        "a failed edit writes nothing"
    );
    act(&store, &n.id, Action::Publish, now).await.unwrap();
    let err = store
        .edit_draft(&n.id, &patch, "t", now, 168)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { ref field, .. } if field == "state"),
        "{err:?}"
    );
}

/// A database from before token names were unique may hold several live tokens of one name:
/// migrating keeps every token working, the oldest under its name, the others renamed with
/// their id; afterwards a duplicate name is refused and a name names one token to revoke.
async fn token_names_become_unique(backend: Backend) {
    use tangazo::store::Role;
    let db = TestDb::new(backend).await;
    let dir = match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!(
            "{}{}",
            db.url,
            if backend == Backend::Sqlite {
                "?mode=rwc"
            } else {
                ""
            }
        ))
        .await
        .unwrap();
    let before = sqlx::migrate::Migrator::new(std::path::Path::new(dir))
        .await
        .unwrap();
    before.run_to(13, &pool).await.unwrap();
    sqlx::query(
        "INSERT INTO billers (id, name, contact_email, created_at) VALUES ('b1', 'KPLC', 'ops@kplc.example', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    for (id, at, revoked, biller) in [
        ("t3", 3, None, None),
        ("t1", 1, None, None),
        ("t2", 2, None, None),
        ("t0", 0, Some(5), None),
        ("b2", 2, None, Some("b1")),
        ("b1", 1, None, Some("b1")),
    ] {
        sqlx::query(
            "INSERT INTO api_tokens (id, name, role, token_hash, created_at, revoked_at, biller_id) \
             VALUES ($1, 'ops', 'admin', $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(format!("hash-{id}"))
        .bind(at as i64)
        .bind(revoked.map(|r: i64| r))
        .bind(biller)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
    let store = Store::open(&db.url, 2).await.unwrap();
    let names: BTreeMap<String, String> = store
        .list_tokens()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    assert_eq!(names["t1"], "ops", "the oldest live one keeps its name");
    assert_eq!(names["t2"], "ops (t2)");
    assert_eq!(names["t3"], "ops (t3)");
    assert_eq!(names["t0"], "ops", "a revoked token is left as it was");
    assert_eq!(
        names["b1"], "ops",
        "a biller's tokens are named apart from staff's"
    );
    assert_eq!(names["b2"], "ops (b2)");

    let now = Utc::now();
    let refused = store
        .create_token("ops", Role::Viewer, None, "test", now)
        .await;
    match refused {
        Err(StoreError::Conflict { field, message }) => {
            assert_eq!(field, "name");
            assert!(message.contains("'ops'"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let (ci, secret) = store
        .create_token("ci", Role::Editor, None, "cli:ops", now)
        .await
        .unwrap();
    assert!(store.find_token(&secret).await.unwrap().is_some());
    let revoked = store.revoke_token("ci", "cli:ops", now).await.unwrap();
    assert_eq!(revoked.id, ci.id);
    assert!(
        store.find_token(&secret).await.unwrap().is_none(),
        "revoked"
    );
    match store.revoke_token(&ci.id, "cli:ops", now).await {
        Err(StoreError::Conflict { message, .. }) => assert!(message.contains("already")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.revoke_token("ci", "cli:ops", now).await,
        Err(StoreError::NotFound)
    ));
    // The name of a revoked token is free again.
    store
        .create_token("ci", Role::Editor, None, "cli:ops", now)
        .await
        .unwrap();
    let audit = store
        .audit_entries(Some("cli:ops"), None, None, 10)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["token.create", "token.revoke", "token.create"]);
    assert!(
        audit.iter().all(|e| !format!("{e:?}").contains(&secret)),
        "the audit log never holds a secret"
    );
}

on_both_backends!(
    token_names_become_unique,
    services_crud,
    lifecycle_grows_sequence_and_revision,
    concurrent_updates_get_distinct_sequences,
    filters_and_snapshot,
    drafts_edit_only_while_draft,
);

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    use sqlx::{Connection, Row};
    let db = TestDb::new(Backend::Sqlite).await;
    let store = Store::open(&db.url, 2).await.unwrap();
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
}

/// The WAL is copied back into the database file soon after a write, by the store's own
/// checkpointer, not by whichever commit finds it past SQLite's limit: after one small write
/// the file holds every page, the schema the migrations left in the WAL included, long before
/// that limit.
#[tokio::test]
async fn sqlite_checkpoints_soon_after_a_write() {
    use sqlx::Connection;
    let db = TestDb::new(Backend::Sqlite).await;
    let store = Store::open(&db.url, 2).await.unwrap();
    let path = std::path::PathBuf::from(db.url.trim_start_matches("sqlite://"));
    let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let wal = path.with_extension("db-wal");
    let before = size();
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > before,
        "the migrations are in the WAL ({before} bytes in the file)"
    );
    store.touch_revision().await.unwrap();
    // The database's size as a reader sees it, WAL included.
    let mut reader = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut reader)
        .await
        .unwrap();
    let page: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut reader)
        .await
        .unwrap();
    let whole = (pages * page) as u64;
    assert!(whole > before, "{pages} pages of {page} bytes");
    common::poll_until("the WAL checkpointed", 5, async || {
        let now = size();
        if now >= whole {
            Ok(now)
        } else {
            Err(format!("the file is {now} bytes of {whole}"))
        }
    })
    .await;
    store.close().await;
}
