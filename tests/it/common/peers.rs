//! Real peers for the delivery tests: an SMTP server (aiosmtpd, in Python), and HTTP servers
//! that answer like Africa's Talking and Twilio document.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

/// A child process killed when dropped.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tests/peers/smtp.py`: refuses `bounce…@` with 550 and `busy…@` with 451.
pub struct Smtp {
    pub url: String,
    pub dir: tempfile::TempDir,
    _child: Child,
}

impl Smtp {
    pub fn start() -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = std::process::Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/smtp.py"))
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("python3 tests/peers/smtp.py (pip install aiosmtpd; .ci/run does)");
        let mut child = Child(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.0.try_wait() {
                panic!("the SMTP peer exited ({status}); is aiosmtpd installed?");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "SMTP peer did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp {
            url: format!("smtp://127.0.0.1:{port}"),
            dir,
            _child: child,
        }
    }

    /// Every message received so far: (envelope recipient, raw message).
    pub fn received(&self) -> Vec<(String, String)> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let raw = std::fs::read_to_string(p).unwrap();
                let rcpt = raw
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("X-Peer-Rcpt: "))
                    .unwrap_or("")
                    .to_string();
                (rcpt, raw)
            })
            .collect()
    }
}

/// What an SMS provider peer has received: (number, text) per message.
#[derive(Clone, Default)]
pub struct SmsPeer {
    pub received: Arc<Mutex<Vec<(String, String)>>>,
    /// Requests answered so far (including refused ones).
    pub requests: Arc<AtomicUsize>,
    /// The next N requests are answered 429 with `Retry-After: 1`.
    pub throttle_next: Arc<AtomicUsize>,
    /// The next N requests are answered 500.
    pub fail_next: Arc<AtomicUsize>,
    /// Each request takes this long to answer.
    pub delay: Arc<Mutex<Duration>>,
    /// Idempotency keys seen (Twilio).
    pub idempotency: Arc<Mutex<Vec<String>>>,
}

impl SmsPeer {
    pub fn numbers(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// How many times each number got a message.
    pub fn per_number(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for n in self.numbers() {
            *m.entry(n).or_insert(0) += 1;
        }
        m
    }

    async fn gate(&self) -> Option<Response> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if take_one(&self.throttle_next) {
            return Some(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "1")],
                    "Too many requests",
                )
                    .into_response(),
            );
        }
        if take_one(&self.fail_next) {
            return Some(
                (StatusCode::INTERNAL_SERVER_ERROR, "upstream gateway error").into_response(),
            );
        }
        None
    }

    /// Serves the peer on a free port; returns its base URL.
    pub async fn serve(self) -> String {
        let app = Router::new()
            .route("/version1/messaging", post(africastalking))
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(twilio))
            .with_state(self);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }
}

fn take_one(n: &AtomicUsize) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Africa's Talking's bulk SMS answer: 201 with a status per recipient. Numbers ending in
/// +254712340003 is InvalidPhoneNumber (403), like the documented code.
async fn africastalking(State(peer): State<SmsPeer>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = peer.gate().await {
        return r;
    }
    if headers.get("apikey").and_then(|v| v.to_str().ok()) != Some("test-key") {
        return (
            StatusCode::UNAUTHORIZED,
            "The supplied authentication is invalid",
        )
            .into_response();
    }
    let f = form(&body);
    let (Some(to), Some(text)) = (f.get("to"), f.get("message")) else {
        return (
            StatusCode::BAD_REQUEST,
            "Request is missing required form field 'to'",
        )
            .into_response();
    };
    let mut recipients = Vec::new();
    let mut received = peer.received.lock().unwrap();
    for number in to.split(',') {
        if number.ends_with("12340003") {
            recipients.push(json!({"statusCode": 403, "number": number, "status": "InvalidPhoneNumber", "cost": "0", "messageId": "None"}));
        } else {
            received.push((number.to_string(), text.clone()));
            let id = format!("ATXid_{}", received.len());
            recipients.push(json!({"statusCode": 101, "number": number, "status": "Success", "cost": "KES 0.8000", "messageId": id}));
        }
    }
    let sent = recipients.iter().filter(|r| r["statusCode"] == 101).count();
    (
        StatusCode::CREATED,
        axum::Json(json!({"SMSMessageData": {
            "Message": format!("Sent to {sent}/{} Total Cost: KES {}", recipients.len(), sent as f64 * 0.8),
            "Recipients": recipients,
        }})),
    )
        .into_response()
}

/// Twilio's Messages API: 201 with a `sid`; `To` ending in 0021 is error 21211 (400).
async fn twilio(State(peer): State<SmsPeer>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(key) = headers
        .get("i-twilio-idempotency-token")
        .and_then(|v| v.to_str().ok())
    {
        peer.idempotency.lock().unwrap().push(key.to_string());
    }
    if let Some(r) = peer.gate().await {
        return r;
    }
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ACtest:twilio-token")
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"code": 20003, "message": "Authenticate", "status": 401})),
        )
            .into_response();
    }
    let f = form(&body);
    let to = f.get("To").cloned().unwrap_or_default();
    if to.ends_with("0021") {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"code": 21211, "message": format!("The 'To' number {to} is not a valid phone number."), "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})),
        )
            .into_response();
    }
    let mut received = peer.received.lock().unwrap();
    received.push((to.clone(), f.get("Body").cloned().unwrap_or_default()));
    let sid = format!("SM{:032}", received.len());
    (
        StatusCode::CREATED,
        axum::Json(json!({"sid": sid, "status": "queued", "to": to, "status_callback": f.get("StatusCallback")})),
    )
        .into_response()
}
