//! The `tangazo` binary as an operator uses it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tangazo(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tangazo"));
    c.current_dir(dir);
    // The test runner's own TANGAZO_* settings must not leak in.
    for (k, _) in std::env::vars() {
        if k.starts_with("TANGAZO_") {
            c.env_remove(k);
        }
    }
    c.env("RUST_LOG", "warn");
    c
}

/// A `tangazo serve` child that is killed if the test fails before it stops it: a server left
/// running would keep the test runner's output pipe open and hang whatever reads it.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn spawn_server(dir: &std::path::Path, args: &[&str]) -> Server {
    Server(
        tangazo(dir)
            .args(args)
            .env("TANGAZO_SERVER_BIND", "127.0.0.1:0")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run tangazo");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn migrate_demo_token_export() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(tangazo(dir.path()).arg("migrate"));
    assert!(ok, "{err}");
    assert!(out.contains("sqlite://tangazo.db"));
    assert!(
        dir.path().join("tangazo.db").exists(),
        "SQLite file created on first start"
    );

    let (ok, out, err) = run(tangazo(dir.path()).arg("demo"));
    assert!(ok, "{err}");
    assert!(out.contains("demo data loaded"));
    let (ok, out, _) = run(tangazo(dir.path()).arg("demo"));
    assert!(ok);
    assert!(out.contains("not loaded"), "demo is loaded once: {out}");

    let (ok, out, err) =
        run(tangazo(dir.path()).args(["token", "create", "--name", "ops", "--role", "publisher"]));
    assert!(ok, "{err}");
    let token = out.trim();
    assert!(token.starts_with("tgz_") && token.len() > 40, "{token}");
    assert!(err.contains("shown only once"));
    let (ok, _, err) =
        run(tangazo(dir.path()).args(["token", "create", "--name", "ops", "--role", "boss"]));
    assert!(!ok);
    assert!(err.contains("--role") && err.contains("publisher"), "{err}");

    let site = dir.path().join("site");
    let (ok, out, err) = run(tangazo(dir.path()).arg("export").arg(&site));
    assert!(ok, "{err}");
    assert!(out.starts_with("wrote "), "{out}");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("M-PESA moves to its new platform in Kenya"));
    assert!(index.contains("href=\"/sw/\""), "static language links");
    let sw = std::fs::read_to_string(site.join("sw/index.html")).unwrap();
    assert!(sw.contains("Kiswahili") && sw.contains("Yalikamilika mapema"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("api/v2/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["status"]["indicator"], "maintenance");
    for f in [
        "history.atom",
        "history.rss",
        "maintenance.ics",
        "404.html",
        "api/v2/scheduled-maintenances/upcoming.json",
    ] {
        assert!(site.join(f).exists(), "{f}");
    }
    let notice_dirs = std::fs::read_dir(site.join("notices"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(notice_dirs, 8, "4 notices by id and by reference");
    // The list of every notice, linked from the page, in each language.
    assert!(index.contains("href=\"/notices/\""), "{index}");
    let list = std::fs::read_to_string(site.join("notices/index.html")).unwrap();
    assert!(list.contains("M-PESA moves to its new platform in Kenya"));
    let sw_list = std::fs::read_to_string(site.join("sw/notices/index.html")).unwrap();
    assert!(sw_list.contains("Matangazo yote") && sw_list.contains("href=\"/notices/\""));
}

/// `token list` shows every token without its secret, `token revoke` takes a name or an id,
/// and a second live token of one name is refused, naming it; each change is in the audit log.
#[test]
fn token_list_revoke_and_duplicate_names() {
    let dir = tempfile::tempdir().unwrap();
    let create = |name: &str, role: &str| {
        run(tangazo(dir.path()).args(["token", "create", "--name", name, "--role", role]))
    };
    let (ok, ops, err) = create("ops", "publisher");
    assert!(ok, "{err}");
    let ops = ops.trim().to_string();
    let (ok, ci, err) = create("ci", "editor");
    assert!(ok, "{err}");
    let (ok, out, err) = create("ops", "viewer");
    assert!(!ok, "a duplicate name is refused: {out}");
    assert!(
        err.contains("--name") && err.contains("'ops' already exists"),
        "{err}"
    );

    let (ok, list, err) = run(tangazo(dir.path()).args(["token", "list"]));
    assert!(ok, "{err}");
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two tokens: {list}");
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("CREATED"),
        "{list}"
    );
    let ops_line = lines.iter().find(|l| l.starts_with("ops ")).unwrap();
    assert!(
        ops_line.contains("publisher") && ops_line.ends_with('-'),
        "{list}"
    );
    let ci_id = lines
        .iter()
        .find(|l| l.starts_with("ci "))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap()
        .to_string();
    assert!(
        !list.contains(&ops) && !list.contains(ci.trim()),
        "never a secret"
    );

    let (ok, out, err) = run(tangazo(dir.path()).args(["token", "revoke", "ops"]));
    assert!(ok, "{err}");
    assert!(
        out.contains("token 'ops'") && out.contains("revoked"),
        "{out}"
    );
    let (ok, out, err) = run(tangazo(dir.path()).args(["token", "revoke", &ci_id]));
    assert!(ok, "by id: {err}");
    assert!(out.contains("'ci'"), "{out}");
    let (ok, _, err) = run(tangazo(dir.path()).args(["token", "revoke", "ops"]));
    assert!(!ok && err.contains("no live token named 'ops'"), "{err}");
    let (ok, _, err) = run(tangazo(dir.path()).args(["token", "revoke", &ci_id]));
    assert!(!ok && err.contains("revoked already"), "{err}");
    let (_, list, _) = run(tangazo(dir.path()).args(["token", "list"]));
    assert!(
        list.lines().skip(1).all(|l| l.ends_with(" UTC")),
        "both show when they were revoked: {list}"
    );
    let (ok, _, err) = create("ops", "viewer");
    assert!(ok, "a revoked token's name is free again: {err}");

    let url = format!("sqlite://{}", dir.path().join("tangazo.db").display());
    let audit = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = tangazo::store::Store::open(&url, 1).await.unwrap();
        store.audit_entries(None, None, None, 20).await.unwrap()
    });
    let mut actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "token.create",
            "token.create",
            "token.create",
            "token.revoke",
            "token.revoke"
        ]
    );
    assert!(
        audit.iter().all(|e| e.actor.starts_with("cli")),
        "{audit:?}"
    );
}

#[test]
fn bad_config_stops_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(tangazo(dir.path())
        .arg("migrate")
        .env("TANGAZO_PAGE_TIME_ZONE", "Africa/Atlantis"));
    assert!(!ok);
    assert!(err.contains("page.time_zone"), "{err}");
    std::fs::write(dir.path().join("t.toml"), "[server]\nbind = 8080\n").unwrap();
    let (ok, _, err) = run(tangazo(dir.path()).args(["--config", "t.toml", "migrate"]));
    assert!(!ok);
    assert!(err.contains("server.bind"), "{err}");
    let (ok, _, err) = run(tangazo(dir.path())
        .arg("migrate")
        .env("TANGAZO_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("TANGAZO_DATABASE_CONNECT_TIMEOUT", "1"));
    assert!(!ok);
    assert!(err.contains("cannot connect to the database"), "{err}");
}

#[test]
fn serve_demo_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = spawn_server(dir.path(), &["serve", "--demo"]);
    let child = &mut server.0;
    let (addr, printed) = served_at(child);
    assert!(
        !printed.contains('\x1b'),
        "no colour codes in logs written to a pipe: {printed:?}"
    );
    assert!(
        printed.contains("server.public_url") && printed.contains("RFC 8058"),
        "an http public URL is warned about at start: {printed}"
    );
    let body = http_get(&addr, "/");
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("Core platform migration"));
    assert!(http_get(&addr, "/healthz").ends_with("ok"));
    assert!(http_get(&addr, "/readyz").contains("ready"));
    send_signal(child.id(), 15);
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "graceful shutdown exits 0: {status}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads the server's standard error up to the line that gives its address: the address, and
/// every line printed until then.
fn served_at(child: &mut std::process::Child) -> (String, String) {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut printed = String::new();
    loop {
        let line = lines.next().expect("server printed its address").unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.split("serving http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap().to_string();
            // Keep the pipe drained so the server never blocks on a full one.
            std::thread::spawn(move || for _ in lines {});
            return (addr, printed);
        }
    }
}

fn stop(child: &mut std::process::Child) {
    send_signal(child.id(), 15);
    assert!(child.wait().unwrap().success());
}

#[test]
fn serve_binds_before_it_creates_the_first_admin() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let (ok, _, err) = run(tangazo(dir.path())
        .arg("serve")
        .env("TANGAZO_SERVER_BIND", &port));
    assert!(!ok, "a taken port stops start");
    assert!(err.contains("server.bind"), "{err}");
    assert!(
        !err.contains("password"),
        "no account (and no password to lose) before the port is ours: {err}"
    );

    // The next start is still the first: it makes the admin and prints the password.
    let mut child = spawn_server(dir.path(), &["serve", "--demo"]);
    let (_, printed) = served_at(&mut child.0);
    assert!(
        printed
            .contains("First start: console account admin@localhost (admin) created with password"),
        "{printed}"
    );
    stop(&mut child.0);

    // A database with data: --demo says why it loads nothing, and no password is printed again.
    let mut child = spawn_server(dir.path(), &["serve", "--demo"]);
    let (_, printed) = served_at(&mut child.0);
    assert!(
        printed.contains("demo data not loaded") && printed.contains("already has services"),
        "{printed}"
    );
    assert!(!printed.contains("First start"), "{printed}");
    stop(&mut child.0);
}

#[test]
fn serve_help_says_what_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(tangazo(dir.path()).args(["serve", "--help"]));
    assert!(ok, "{err}");
    for word in [
        "web server",
        "delivery workers",
        "scheduler",
        "delivery.workers",
        "scheduler.enabled",
    ] {
        assert!(out.contains(word), "serve --help names {word}: {out}");
    }
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn send_signal(pid: u32, signal: i32) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn subscribers_import_is_checked_whole_and_idempotent() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    assert!(run(tangazo(dir.path()).arg("demo")).0);
    let mut csv = String::from("address,language,services,consent\n");
    for i in 0..5_000u32 {
        if i % 10 == 0 {
            writeln!(csv, "user{i}@example.co.ke,en,,yes").unwrap();
        } else {
            writeln!(csv, "07{:08},sw,pay-bill;send-money,yes", 10_000_000 + i).unwrap();
        }
    }
    std::fs::write(dir.path().join("list.csv"), &csv).unwrap();
    let (ok, out, err) = run(tangazo(dir.path()).args(["subscribers", "import", "list.csv"]));
    assert!(ok, "{err}");
    assert!(out.starts_with("5000 rows, 5000 new subscribers"), "{out}");
    let (ok, out, _) = run(tangazo(dir.path()).args(["subscribers", "import", "list.csv"]));
    assert!(ok);
    assert!(
        out.starts_with("5000 rows, 0 new subscribers, 5000 already present"),
        "re-import changes nothing: {out}"
    );

    // A bad row anywhere stops the whole import, naming the line and the reason.
    let bad = "address,consent\n0712000001,yes\n+1 202 555 0143,yes\nnot-an-address,yes\n0712000002,no\n0712000003,yes\n";
    std::fs::write(dir.path().join("bad.csv"), bad).unwrap();
    let (ok, _, err) = run(tangazo(dir.path()).args(["subscribers", "import", "bad.csv"]));
    assert!(!ok);
    assert!(
        err.contains("3 of 5 rows are wrong; nothing was imported"),
        "{err}"
    );
    assert!(
        err.contains("line 3: address:") && err.contains("not accepted"),
        "{err}"
    );
    assert!(err.contains("line 4: address:"), "{err}");
    assert!(err.contains("line 5: consent:"), "{err}");
    let (_, out, _) = run(tangazo(dir.path()).args(["subscribers", "import", "list.csv"]));
    assert!(
        out.contains("0 new"),
        "the rows of the bad file before the error were not stored either"
    );
    std::fs::write(
        dir.path().join("noconsent.csv"),
        "address,language\n0712000009,en\n",
    )
    .unwrap();
    let (ok, _, err) = run(tangazo(dir.path()).args(["subscribers", "import", "noconsent.csv"]));
    assert!(!ok && err.contains("consent column is missing"), "{err}");
    std::fs::write(
        dir.path().join("latin1.csv"),
        b"address,consent\n0712000009,yes\nJos\xe9@example.com,yes\n",
    )
    .unwrap();
    let (ok, _, err) = run(tangazo(dir.path()).args(["subscribers", "import", "latin1.csv"]));
    assert!(!ok && err.contains("not UTF-8"), "{err}");
    std::fs::write(
        dir.path().join("cols.csv"),
        "phone,consent\n0712000009,yes\n",
    )
    .unwrap();
    let (ok, _, err) = run(tangazo(dir.path()).args(["subscribers", "import", "cols.csv"]));
    assert!(!ok && err.contains("unknown column 'phone'"), "{err}");
}
