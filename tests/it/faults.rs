//! Faults from outside the process: a full disk under SQLite, PostgreSQL going away, clients
//! that hold connections without using them, and a large subscriber import beside the other
//! writers. Each fails loudly while it lasts and is recovered from without a restart.

use crate::common;

use std::io::{BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Backend, TestApp, TestDb, poll_until, wait_until_true};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A draft notice as the API takes it (the services come from `TestApp::seed_services` or
/// the demo).
fn draft(title: &str, starts_in: chrono::Duration) -> Value {
    let start = Utc::now() + starts_in;
    json!({
        "kind": "maintenance",
        "title": {"en": title, "sw": format!("{title} (sw)")},
        "body": {"en": "Finish urgent payments first.", "sw": "Maliza malipo ya dharura kwanza."},
        "affected": [{"service": "send-money"}],
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + chrono::Duration::hours(2)).to_rfc3339(),
    })
}

fn tangazo() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tangazo"));
    // The test runner's own TANGAZO_* settings must not leak in.
    for (k, _) in std::env::vars() {
        if k.starts_with("TANGAZO_") {
            c.env_remove(k);
        }
    }
    c.env("RUST_LOG", "warn");
    c
}

/// Reads from `stream` until the peer closes it (`Ok`), or gives up after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return Err(format!("still open after {limit:?}")),
            Ok(Ok(0)) | Ok(Err(_)) => return Ok(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// One request on an open connection, its answer read whole (by its Content-Length).
async fn exchange(stream: &mut TcpStream, path: &str) -> String {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed before the answer ended: {got:?}");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("content-length");
            if body.len() >= length {
                return text;
            }
        }
    }
}

async fn connect_from(source: &str, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(server).await.unwrap()
}

/// A client that sends half a request line, or trickles header bytes, is cut off once the
/// header timeout (here 1 s) has passed; one that sends its requests in time keeps its
/// connection for the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_slow_to_send_headers_are_cut_off() {
    let db = Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_SERVER_HEADER_TIMEOUT_SECONDS", "1")]).await;
    let addr = app.running.addr;

    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET / HT").await.unwrap();
    let after = closed_within(&mut half, Duration::from_secs(5)).await;
    let after = after.expect("half a request line is cut off");
    assert!(
        after >= Duration::from_millis(500),
        "closed after the timeout, not before: {after:?}"
    );

    let mut trickle = TcpStream::connect(addr).await.unwrap();
    trickle.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let writer = tokio::spawn(async move {
        for _ in 0..40 {
            if trickle.write_all(b"X").await.is_err() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("still accepting header bytes after 4 s")
    });
    writer
        .await
        .unwrap()
        .expect("a trickle of header bytes is cut off too");

    let mut kept = TcpStream::connect(addr).await.unwrap();
    for _ in 0..3 {
        let answer = exchange(&mut kept, "/healthz").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// One address holds at most `server.max_connections_per_ip` connections: the next is closed
/// at once, while another address is served, and a slot comes back when a connection ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_at_most_its_limit_of_connections() {
    let db = Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_SERVER_MAX_CONNECTIONS_PER_IP", "3")]).await;
    let addr = app.running.addr;

    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.1", addr).await);
    }
    // Each of the three is served.
    for stream in &mut held {
        assert!(
            exchange(stream, "/healthz")
                .await
                .starts_with("HTTP/1.1 200")
        );
    }
    let mut fourth = connect_from("127.0.0.1", addr).await;
    let _ = fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), fourth.read_to_end(&mut answer)).await;
    assert!(
        answer.is_empty(),
        "a fourth connection from one address is closed unanswered: {}",
        String::from_utf8_lossy(&answer)
    );

    let mut other = connect_from("127.0.0.2", addr).await;
    assert!(
        exchange(&mut other, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );

    drop(held.pop());
    poll_until("a slot freed by a closed connection", 5, async || {
        let mut again = connect_from("127.0.0.1", addr).await;
        let _ = again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), again.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer).to_string();
        if answer.starts_with("HTTP/1.1 200") {
            Ok(())
        } else {
            Err(answer)
        }
    })
    .await;
}

/// A TCP proxy in front of PostgreSQL that the test can cut (every connection through it is
/// dropped and new ones are closed at once) and restore.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (up2, open2) = (up.clone(), open.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                if !up2.load(Ordering::SeqCst) {
                    continue;
                }
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open2.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy { addr, up, open }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// PostgreSQL goes away: the API answers 503 `{"errors": {"database": "unavailable"}}` and
/// `/readyz` 503, each within 2 s (checked against 3 s, one measurement each); the console
/// shows a page that says so; the public page goes on from memory; and everything works again
/// once PostgreSQL is back, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_is_answered_unavailable_at_once_and_recovered_from() {
    let base = url::Url::parse(&common::postgres_base()).unwrap();
    let upstream = format!(
        "{}:{}",
        base.host_str().unwrap(),
        base.port().unwrap_or(5432)
    );
    let proxy = Proxy::start(upstream).await;
    let mut db = TestDb::new(Backend::Postgres).await;
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.addr.port())).unwrap();
    db.url = url.to_string();
    let app = TestApp::spawn_on(Arc::new(db), &[]).await;
    app.seed_services().await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.cut();
    let started = Instant::now();
    let (status, body) = app
        .api(
            "POST",
            "/notices",
            &app.editor,
            Some(draft("Database away", chrono::Duration::days(2))),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body, json!({"errors": {"database": "unavailable"}}));
    assert!(took < Duration::from_secs(3), "answered after {took:?}");

    // /readyz's answer may be up to half a second old (calls share probes): past that, it
    // probes again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let started = Instant::now();
    let ready = app.get("/readyz").await;
    let took = started.elapsed();
    assert_eq!(ready.status(), 503);
    assert!(
        took < Duration::from_secs(3),
        "/readyz answered after {took:?}"
    );
    assert!(ready.text().await.unwrap().starts_with("not ready: "));

    let console = app
        .client
        .get(format!("{}/console", app.url))
        .header("cookie", "tangazo_session=anything")
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 503);
    let page = console.text().await.unwrap();
    assert!(page.contains("The database is unavailable"), "{page}");

    assert_eq!(
        app.get("/").await.status(),
        200,
        "the page is served from memory"
    );

    proxy.restore();
    poll_until(
        "the API works again once PostgreSQL is back",
        20,
        async || {
            let (status, body) = app
                .api(
                    "POST",
                    "/notices",
                    &app.editor,
                    Some(draft("Database back", chrono::Duration::days(2))),
                )
                .await;
            if status == 201 {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        },
    )
    .await;
    assert_eq!(app.get("/readyz").await.status(), 200);
}

/// `tangazo serve` with its database on a tmpfs of its own: a real filesystem that fills up.
/// `unshare` gives the server a user and mount namespace in which it may mount one (this
/// needs no privilege where unprivileged user namespaces are allowed, as on Debian); the test
/// reaches the mount through `/proc/<pid>/root`.
struct Contained {
    child: Child,
    addr: String,
    /// The tmpfs as the test sees it.
    disk: PathBuf,
    token: String,
    work: tempfile::TempDir,
    log: Arc<Mutex<String>>,
}

impl Contained {
    fn start(size_kb: u32) -> Contained {
        // The test's HTTP client needs one (the server in the other tests installs it).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let work = tempfile::tempdir().unwrap();
        let mnt = work.path().join("disk");
        std::fs::create_dir(&mnt).unwrap();
        let script = format!(
            "mount -t tmpfs -o size={size_kb}k tmpfs \"$0\" && \
             \"$1\" token create --name ops --role admin > token && exec \"$1\" serve --demo"
        );
        let mut child = Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
            .arg(&mnt)
            .arg(env!("CARGO_BIN_EXE_tangazo"))
            .current_dir(work.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env(
                "TANGAZO_DATABASE_URL",
                format!("sqlite://{}/tangazo.db", mnt.display()),
            )
            .env("TANGAZO_SERVER_BIND", "127.0.0.1:0")
            .env("TANGAZO_SCHEDULER_QUIET_HOURS", "")
            .env("TANGAZO_SCHEDULER_POLL_MILLIS", "200")
            .env("TANGAZO_DELIVERY_POLL_MILLIS", "100")
            .stderr(Stdio::piped())
            .spawn()
            .expect("unshare (util-linux) runs");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = String::new();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                panic!(
                    "the contained server did not start (unshare needs user namespaces, and \
                     mount in them):\n{seen}"
                );
            };
            seen.push_str(&line);
            seen.push('\n');
            if let Some(rest) = line.split("serving http://").nth(1) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep reading its log, so that a flood of warnings never blocks it on a full pipe.
        let log = Arc::new(Mutex::new(seen));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let disk = PathBuf::from(format!("/proc/{}/root{}", child.id(), mnt.display()));
        let token = std::fs::read_to_string(work.path().join("token"))
            .unwrap()
            .trim()
            .to_string();
        Contained {
            child,
            addr,
            disk,
            token,
            work,
            log,
        }
    }

    fn client(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .client()
            .request(
                method.parse().unwrap(),
                format!("http://{}/api/v1{path}", self.addr),
            )
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(20));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("an answer");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn ready(&self) -> (u16, String) {
        let resp = self
            .client()
            .get(format!("http://{}/readyz", self.addr))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    /// Fills the filesystem with one file, to the last byte.
    fn fill(&self) {
        let mut f = std::fs::File::create(self.disk.join("filler")).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let mut byte = [0u8; 1];
        while f.write_all(&byte).is_ok() {
            byte[0] = 1;
        }
    }

    fn free(&self) {
        std::fs::remove_file(self.disk.join("filler")).unwrap();
    }

    fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    fn sms_sent_to(&self, number: &str) -> usize {
        let sink = self.work.path().join("outbox/sms.jsonl");
        std::fs::read_to_string(sink)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(number))
            .count()
    }
}

impl Drop for Contained {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The disk under SQLite fills up: writes fail with 503 "unavailable" and `/readyz` says why;
/// once space is back, writes work again within a second or two, without a restart, and the
/// scheduler and the delivery workers carry on (a window due meanwhile starts, and its
/// subscriber gets the SMS).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_writes_loudly_and_they_recover_when_space_is_back() {
    let server = Contained::start(8 * 1024);
    let number = "+254712000001";
    let (s, v) = server
        .api(
            "POST",
            "/subscribers",
            Some(json!({"address": number, "consent": true})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let mut window = draft(
        "Starts while the disk is full",
        chrono::Duration::seconds(6),
    );
    window["publish"] = json!(true);
    let (s, v) = server.api("POST", "/notices", Some(window)).await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let due = Instant::now() + Duration::from_secs(6);
    wait_until_true("the announcement is sent", 20, async || {
        server.sms_sent_to(number) == 1
    })
    .await;

    server.fill();
    let mut refused = None;
    for i in 0..500 {
        let (s, v) = server
            .api(
                "POST",
                "/notices",
                Some(draft(&format!("Draft {i}"), chrono::Duration::days(3))),
            )
            .await;
        if s != 201 {
            refused = Some((s, v));
            break;
        }
    }
    let (s, v) = refused.expect("a write fails once the disk is full");
    assert_eq!(
        (s, v),
        (503, json!({"errors": {"database": "unavailable"}}))
    );
    let (s, why) = server.ready().await;
    assert_eq!(s, 503, "{why}");
    assert!(why.contains("full"), "{why}");
    // The window falls due while the disk is full: the scheduler's steps fail meanwhile.
    tokio::time::sleep(due.saturating_duration_since(Instant::now()) + Duration::from_secs(1))
        .await;
    let (s, v) = server.api("GET", &format!("/notices/{id}"), None).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("scheduled")), "{v}");

    server.free();
    let freed = Instant::now();
    poll_until("writes work again once space is back", 10, async || {
        let (s, v) = server
            .api(
                "POST",
                "/notices",
                Some(draft("Space is back", chrono::Duration::days(3))),
            )
            .await;
        if s == 201 {
            Ok(())
        } else {
            Err(format!("{s} {v}"))
        }
    })
    .await;
    let took = freed.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "writes came back after {took:?}"
    );
    let (s, why) = server.ready().await;
    assert_eq!(s, 200, "{why}");
    poll_until("the scheduler starts the window", 20, async || {
        let (_, v) = server.api("GET", &format!("/notices/{id}"), None).await;
        if v["state"] == "in_progress" {
            Ok(())
        } else {
            Err(format!(
                "{}; the server's log ends:\n{}",
                v["state"],
                server.log_tail()
            ))
        }
    })
    .await;
    wait_until_true("the workers send the start", 20, async || {
        server.sms_sent_to(number) == 2
    })
    .await;
    let log = server.log.lock().unwrap().clone();
    assert!(!log.contains("non-zero transaction depth"), "{log}");
}

fn write_list(path: &Path, rows: usize) {
    let mut csv = String::from("address,consent\n");
    for i in 0..rows {
        csv.push_str(&format!("07{:08},yes\n", 10_000_000 + i));
    }
    std::fs::write(path, csv).unwrap();
}

/// What an import has written, seen from outside the server: every row in the table, the
/// ones still hidden (marked with their import), and those the console counts.
async fn import_rows(app: &TestApp, raw: &sqlx::SqlitePool) -> (i64, i64, i64) {
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM subscribers")
        .fetch_one(raw)
        .await
        .unwrap();
    let hidden: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM subscribers WHERE import_id IS NOT NULL")
            .fetch_one(raw)
            .await
            .unwrap_or(0);
    let counted: i64 = app
        .store
        .subscriber_counts()
        .await
        .unwrap()
        .iter()
        .map(|c| c.3)
        .sum();
    (all, hidden, counted)
}

/// A large import on SQLite lets other writers through: while `tangazo subscribers import`
/// (another process) writes its rows, API writes complete, and none of its rows is seen yet;
/// at its end all of them are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_writes_complete_while_an_import_runs() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.seed_services().await;
    let raw = sqlx::SqlitePool::connect(&app.db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rows = 20_000;
    write_list(&dir.path().join("list.csv"), rows);
    let mut import = import_command(&app, dir.path()).spawn().unwrap();
    let mut beside = 0;
    let mut writes = 0;
    while import.try_wait().unwrap().is_none() {
        let (s, v) = app
            .api(
                "POST",
                "/notices",
                &app.editor,
                Some(draft("Beside the import", chrono::Duration::days(2))),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        writes += 1;
        let (all, hidden, counted) = import_rows(&app, &raw).await;
        if all > 0 && all == hidden && counted == 0 {
            beside += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let out = import.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        beside > 0,
        "no write of {writes} completed while the import's rows were written and still hidden"
    );
    let n = rows as i64;
    assert_eq!(
        import_rows(&app, &raw).await,
        (n, 0, n),
        "all rows in, seen and unmarked"
    );
}

/// `tangazo subscribers import list.csv` into the test's database.
fn import_command(app: &TestApp, dir: &Path) -> Command {
    let mut c = tangazo();
    c.args(["subscribers", "import", "list.csv"])
        .current_dir(dir)
        .env("TANGAZO_DATABASE_URL", &app.db.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn import_whole(app: &TestApp, dir: &Path) -> String {
    let out = import_command(app, dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// An import killed half way leaves nothing anyone sees: no count, no fan-out. Its rows are
/// removed (here at once; `serve` does it a while after the import stopped writing), and the
/// file imports whole when run again, and a third time changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_leaves_nothing_seen_and_is_cleaned_up() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.seed_services().await;
    let raw = sqlx::SqlitePool::connect(&app.db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rows = 20_000;
    write_list(&dir.path().join("list.csv"), rows);
    let mut import = import_command(&app, dir.path()).spawn().unwrap();
    poll_until("the import writes rows", 60, async || {
        let (all, _, _) = import_rows(&app, &raw).await;
        if all > 0 {
            Ok(())
        } else {
            Err("no row written".into())
        }
    })
    .await;
    import.kill().unwrap();
    import.wait().unwrap();

    let (all, hidden, counted) = import_rows(&app, &raw).await;
    assert!(
        all > 0 && all < rows as i64,
        "killed half way: {all} rows written"
    );
    assert_eq!((hidden, counted), (all, 0), "every row written is hidden");
    assert_eq!(app.store.audience(&[]).await.unwrap(), (0, 0));
    let v = app.publish_window("After the killed import", 24, 2).await;
    let sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliveries WHERE notice_id = $1 AND subscriber_id IS NOT NULL",
    )
    .bind(v["id"].as_str().unwrap())
    .fetch_one(&raw)
    .await
    .unwrap();
    assert_eq!(sent, 0, "the fan-out reaches none of its rows");

    let tidied = app.store.tidy_imports(Duration::ZERO).await.unwrap();
    assert_eq!(tidied, 1);
    assert_eq!(
        import_rows(&app, &raw).await,
        (0, 0, 0),
        "its rows are removed"
    );

    let out = import_whole(&app, dir.path());
    assert!(
        out.starts_with(&format!("{rows} rows, {rows} new subscribers")),
        "{out}"
    );
    let out = import_whole(&app, dir.path());
    assert!(
        out.starts_with(&format!("{rows} rows, 0 new subscribers")),
        "{out}"
    );
}

/// An import given up (it failed) is never seen, on either backend, and a person who signs up
/// meanwhile with an address it holds keeps the sign-up (SQLite: the sign-up takes the hidden
/// row over; on PostgreSQL it would wait for the import's transaction).
async fn an_import_given_up_is_never_seen(backend: Backend) {
    use tangazo::domain::Lang;
    use tangazo::domain::subscriber::Address;
    use tangazo::store::NewSubscriber;
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let now = app.now();
    let rows: Vec<NewSubscriber> = (0..300)
        .map(|i| NewSubscriber {
            address: Address::parse(
                &format!("07{:08}", 20_000_000 + i),
                "KE",
                &["KE".to_string()],
            )
            .unwrap(),
            language: Lang::Sw,
            services: None,
            source: "import",
            confirmed: true,
            expires_at: now,
        })
        .collect();
    let mut import = app.store.begin_import().await.unwrap();
    import.add(&rows, now).await.unwrap();
    let counted: i64 = app
        .store
        .subscriber_counts()
        .await
        .unwrap()
        .iter()
        .map(|c| c.3)
        .sum();
    assert_eq!(counted, 0, "not seen before it is done");
    assert_eq!(app.store.audience(&[]).await.unwrap(), (0, 0));
    if backend == Backend::Sqlite {
        app.follower("+254720000007", Lang::En).await;
    }
    import.abandon().await.unwrap();
    let left = app.store.subscriber_counts().await.unwrap();
    let counted: i64 = left.iter().map(|c| c.3).sum();
    let expected = i64::from(backend == Backend::Sqlite);
    assert_eq!(counted, expected, "{left:?}");
    if backend == Backend::Sqlite {
        let address = Address::parse("+254720000007", "KE", &["KE".to_string()]).unwrap();
        let kept = app.store.find_subscriber(&address).await.unwrap();
        assert!(
            kept.is_some(),
            "the sign-up outlives the import it overlapped"
        );
    }
}

on_both_backends!(an_import_given_up_is_never_seen);
