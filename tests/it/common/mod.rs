//! Test harness: a real server on port 0 with its own database, on SQLite or PostgreSQL.
//!
//! PostgreSQL tests use `TANGAZO_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`) and a fresh schema per test. They fail, never
//! skip, when the server is not there: CI must see the PostgreSQL leg run.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tangazo::clock::{Clock, ManualClock};
use tangazo::config::{Config, Settings};
use tangazo::store::{Role, Store};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod <name> { sqlite(), postgres() }` for each async fn `<name>(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A biller's endpoint at `url` following every event of every service, without a rate limit;
/// `..endpoint_at(url)` fills in what a test leaves out.
pub fn endpoint_at(url: impl Into<String>) -> tangazo::store::EndpointSettings {
    tangazo::store::EndpointSettings {
        url: url.into(),
        description: String::new(),
        event_types: vec![],
        services: None,
        rate_limit: 0,
        contact_email: "ops@kplc.example".into(),
    }
}

pub fn postgres_base() -> String {
    std::env::var("TANGAZO_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A database of its own for one test; dropped schemas are cleaned up by later runs.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("tangazo.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                use sqlx::{Connection, Executor};
                let base = postgres_base();
                let mut admin = sqlx::PgConnection::connect(&base).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL leg: cannot reach {base} ({e}); start PostgreSQL or set TANGAZO_TEST_POSTGRES")
                });
                let now = Utc::now().timestamp();
                let schema = format!("tz_{}_{}", now, uuid::Uuid::new_v4().simple());
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .await
                    .expect("create schema");
                // Schemas left by earlier runs (over an hour old) are removed.
                let old: Vec<String> = sqlx::query_scalar(
                    "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'tz\\_%'",
                )
                .fetch_all(&mut admin)
                .await
                .unwrap_or_default();
                for name in old {
                    let ts: i64 = name
                        .split('_')
                        .nth(1)
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(now);
                    if ts < now - 3600 {
                        let _ = admin
                            .execute(sqlx::AssertSqlSafe(format!(
                                "DROP SCHEMA IF EXISTS {name} CASCADE"
                            )))
                            .await;
                    }
                }
                let _ = admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                TestDb {
                    url: format!("{base}{sep}options[search_path]={schema}"),
                    _dir: None,
                }
            }
        }
    }
}

pub fn settings(db_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut env = vec![
        ("TANGAZO_DATABASE_URL".to_string(), db_url.to_string()),
        ("TANGAZO_SERVER_BIND".to_string(), "127.0.0.1:0".to_string()),
        (
            "TANGAZO_SERVER_PUBLIC_URL".to_string(),
            "https://status.example.co.ke".to_string(),
        ),
        // Tests that send start workers themselves; the others check what is queued.
        ("TANGAZO_DELIVERY_WORKERS".to_string(), "false".to_string()),
        // Scheduler tests drive it themselves (scheduler::tick), step by step.
        ("TANGAZO_SCHEDULER_ENABLED".to_string(), "false".to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::load(None, env).unwrap().validate().unwrap()
}

/// Runs `check` every 50 ms until it gives `Ok`, and returns that value. After `secs` it fails
/// with `what` and the last `Err`, which says what was seen instead.
pub async fn poll_until<T>(
    what: &str,
    secs: u64,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let started = std::time::Instant::now();
    loop {
        let seen = match check().await {
            Ok(v) => return v,
            Err(seen) => seen,
        };
        assert!(
            started.elapsed() < std::time::Duration::from_secs(secs),
            "{what}: {seen}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// [`poll_until`] for a check that only says yes or no.
pub async fn wait_until_true(what: &str, secs: u64, mut check: impl AsyncFnMut() -> bool) {
    poll_until(what, secs, async || {
        if check().await {
            Ok(())
        } else {
            Err(format!("not within {secs} s"))
        }
    })
    .await
}

pub struct TestApp {
    pub url: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub running: tangazo::Running,
    pub admin: String,
    pub publisher: String,
    pub editor: String,
    pub viewer: String,
    pub db: Arc<TestDb>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let db = Arc::new(TestDb::new(backend).await);
        Self::spawn_on(db, &[]).await
    }

    /// Another instance on the same database (as several hosts would run on PostgreSQL).
    pub async fn spawn_on(db: Arc<TestDb>, extra: &[(&str, &str)]) -> TestApp {
        Self::spawn_on_at(db, extra, Utc::now()).await
    }

    /// [`TestApp::spawn_on`] with its clock starting at `start`. A test that sets its clocks
    /// back (to a past scenario) after the workers started races them: a claim that read the
    /// clock before the jump runs with a time far ahead of the other instance's lease and
    /// takes its rows again, so both send them. Starting before the scenario, a test only
    /// ever moves its clocks forward.
    pub async fn spawn_on_at(
        db: Arc<TestDb>,
        extra: &[(&str, &str)],
        start: DateTime<Utc>,
    ) -> TestApp {
        let settings = settings(&db.url, extra);
        let store = Store::open(
            secrecy::ExposeSecret::expose_secret(&settings.raw.database.url),
            5,
        )
        .await
        .expect("open store");
        let clock = Arc::new(ManualClock::new(start));
        let mut tokens = Vec::new();
        for role in [Role::Admin, Role::Publisher, Role::Editor, Role::Viewer] {
            // A token's name is unique among live tokens: another instance on the same
            // database names its own after the first's.
            let mut name = role.as_str().to_string();
            let t = loop {
                match store
                    .create_token(&name, role, None, "test", clock.now())
                    .await
                {
                    Ok((_, t)) => break t,
                    Err(tangazo::store::StoreError::Conflict { .. }) => name.push('+'),
                    Err(e) => panic!("token: {e}"),
                }
            };
            tokens.push(t);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = tangazo::start(
            settings,
            store.clone(),
            clock.clone(),
            listener,
            CancellationToken::new(),
        )
        .await
        .expect("start");
        TestApp {
            url: format!("http://{}", running.addr),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            store,
            clock,
            running,
            admin: tokens[0].clone(),
            publisher: tokens[1].clone(),
            editor: tokens[2].clone(),
            viewer: tokens[3].clone(),
            db,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Whether a worker holds a claimed delivery it has not recorded yet.
    pub async fn in_flight(&self) -> bool {
        self.store
            .queue_depth()
            .await
            .unwrap()
            .iter()
            .any(|q| q.in_flight > 0)
    }

    /// How many deliveries of `channel` are claimed and not yet recorded.
    pub async fn claimed(&self, channel: &str) -> i64 {
        self.store
            .queue_depth()
            .await
            .unwrap()
            .iter()
            .filter(|q| q.channel == channel)
            .map(|q| q.in_flight)
            .sum()
    }

    /// Moves the test clock on once no delivery is being sent. A worker claims its next batch
    /// while the last is still out, under a lease read off this clock: a jump past the lease
    /// with messages out would hand them to a claim again, as a worker that died would.
    pub async fn advance_when_idle(&self, by: chrono::Duration) {
        let started = std::time::Instant::now();
        while self.in_flight().await {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "deliveries in flight for 30 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.clock.advance(by);
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("GET")
    }

    pub async fn text(&self, path: &str) -> String {
        let r = self.get(path).await;
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.text().await.unwrap()
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path).await;
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
    }

    /// Sends JSON to the staff API; returns status and parsed body.
    /// A notice's delivery report (`GET /api/v1/notices/{id}/deliveries`) as a viewer reads
    /// it; the call must succeed.
    pub async fn deliveries(&self, notice_id: &str) -> serde_json::Value {
        let (s, v) = self
            .api(
                "GET",
                &format!("/notices/{notice_id}/deliveries"),
                &self.viewer,
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .client
            .request(
                method.parse().unwrap(),
                format!("{}/api/v1{path}", self.url),
            )
            .bearer_auth(token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("API call");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        let v = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&bytes).into())
            })
        };
        contract::check(
            &self.running.state.settings.languages,
            method,
            path,
            status,
            &v,
        );
        (status, v)
    }

    /// A lifecycle action on a notice as the publisher: `POST /notices/{notice}/{verb}` (publish,
    /// start, extend, reschedule, complete, cancel, or updates to post one); status and body.
    pub async fn act(
        &self,
        notice: &(impl std::fmt::Display + ?Sized),
        verb: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.api(
            "POST",
            &format!("/notices/{notice}/{verb}"),
            &self.publisher,
            body,
        )
        .await
    }

    /// The tests' biller, Kenya Power, made in the store.
    pub async fn kplc(&self) -> tangazo::store::Biller {
        self.store
            .create_biller("Kenya Power", "ops@kplc.example", "test", self.now())
            .await
            .unwrap()
    }

    /// An endpoint of `biller` made in the store, past the API's checks; its secret beside it.
    pub async fn store_endpoint(
        &self,
        biller: &tangazo::domain::BillerId,
        settings: &tangazo::store::EndpointSettings,
    ) -> (tangazo::store::Endpoint, String) {
        self.store
            .create_endpoint(biller, settings, false, "test", self.now())
            .await
            .unwrap()
    }

    /// A confirmed subscriber (phone number or email) following every service, in `lang`.
    pub async fn follower(&self, address: &str, lang: tangazo::domain::Lang) {
        let now = self.clock.now();
        self.store
            .subscribe(
                &tangazo::store::NewSubscriber {
                    address: tangazo::domain::subscriber::Address::parse(
                        address,
                        "KE",
                        &["KE".to_string()],
                    )
                    .unwrap(),
                    language: lang,
                    services: None,
                    source: "import",
                    confirmed: true,
                    expires_at: now + Duration::hours(1),
                },
                now,
            )
            .await
            .unwrap();
    }

    /// Creates the services the tests use.
    pub async fn seed_services(&self) {
        for (code, en, sw, group) in [
            ("send-money", "Send money", "Tuma pesa", "Payments"),
            ("pay-bill", "Pay bill", "Lipa bili", "Payments"),
            ("buy-goods", "Buy goods", "Nunua bidhaa", "Payments"),
            ("agent-cash", "Cash at agents", "Pesa kwa wakala", "Agents"),
        ] {
            let (s, v) = self
                .api(
                    "POST",
                    "/services",
                    &self.admin,
                    Some(serde_json::json!({"code": code, "name": {"en": en, "sw": sw}, "group": group})),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
    }

    /// A published window starting in `starts_in` hours and lasting `hours`.
    pub async fn publish_window(
        &self,
        title: &str,
        starts_in: i64,
        hours: i64,
    ) -> serde_json::Value {
        let start = self.now() + Duration::hours(starts_in);
        let end = start + Duration::hours(hours);
        let (s, v) = self
            .api(
                "POST",
                "/notices",
                &self.publisher,
                Some(serde_json::json!({
                    "kind": "maintenance",
                    "title": {"en": title, "sw": format!("{title} (sw)")},
                    "still_works": {"en": "Cash at agents", "sw": "Pesa kwa wakala"},
                    "body": {"en": "Finish urgent payments first.", "sw": "Maliza malipo ya dharura kwanza."},
                    "affected": [{"service": "send-money"}, {"service": "pay-bill"}],
                    "starts_at": start.to_rfc3339(),
                    "ends_at": end.to_rfc3339(),
                    "publish": true
                })),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        v
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.running.cancel.cancel();
    }
}
pub mod contract;
pub mod mail;
pub mod peers;
pub mod sms_reference;
