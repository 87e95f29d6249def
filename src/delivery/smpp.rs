//! SMS straight to an operator's SMSC over SMPP 3.4, for operators and aggregators that offer
//! a bind instead of (or cheaper than) an HTTP API.
//!
//! One [`Smpp`] holds one transceiver bind, made on the first [`Smpp::send`] and made again on
//! the next send after the connection drops, so a restarted SMSC costs one batch of
//! [`Outcome::Retry`] and nothing else. The session itself (framing, sequence numbers,
//! enquire_link, answering the SMSC's requests) is the `smpp34` crate's client; this module
//! decides what goes into each `submit_sm`, how many are outstanding, and what each answer
//! means for the outbox.
//!
//! Choices worth knowing:
//! - **Encoding.** [`sms::encode`] decides: GSM-7 (data_coding 0x00, one septet per octet,
//!   unpacked, as SMPP carries it) when every character is in the GSM 03.38 tables, else UCS-2
//!   (0x08, UTF-16BE). The text sent is the normalised one `encode` returns.
//! - **Long messages** go whole in the `message_payload` TLV (empty `short_message`), and the
//!   SMSC splits them. Segmenting with a UDH here would give one `message_id` and one receipt
//!   per part, while a job has one [`Outcome::Sent`] id and the outbox one receipt per job.
//!   An SMSC that refuses `message_payload` answers with an error status that ends up in
//!   [`Outcome::Failed`], so the gap shows instead of silently truncating.
//! - **Window.** At most [`SmppConfig::window`] `submit_sm` are outstanding, across all
//!   concurrent [`Smpp::send`] calls, because SMSCs throttle or drop binds that exceed the
//!   window they agreed to.
//! - **Receipts.** `deliver_sm` with the receipt bit is parsed ([`parse_receipt`]) and pushed to
//!   the channel [`Smpp::new`] returns; the `deliver_sm_resp` is sent only once the receipt is
//!   in the channel, so a reader that falls behind makes the SMSC redeliver later instead of
//!   losing receipts.

use std::sync::Arc;
use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::join_all;
use smpp34::client::{BIND_TYPE, SMSC, SmppClient, SmppClientListener};
use smpp34::{SmppConnectionInformation, SmppError, TlvList, TlvTag, deliver_sm, deliver_sm_resp};
use tokio::sync::{Mutex, Semaphore, mpsc, oneshot};

use super::{Outcome, Receipt, SmsJob};
use crate::domain::sms::{self, Encoding};

/// How long a throttled or queue-full SMSC is left alone before the job is tried again: long
/// enough for a per-second rate limit to refill, short enough not to stall a notice.
const THROTTLE_BACKOFF: Duration = Duration::from_secs(1);

/// How often the session sends enquire_link (the crate's timer runs whether or not traffic
/// flows): SMSCs commonly drop binds that stay silent for 60 s or more, and an unanswered one
/// is how a dead connection is noticed between batches.
const ENQUIRE_LINK_EVERY: Duration = Duration::from_secs(30);

/// The SMSC is expected to say something (a response, an enquire_link) within this, or the
/// connection is considered dead and closed.
const INACTIVITY_LIMIT: Duration = Duration::from_secs(300);

/// Receipts waiting for the application before the SMSC is asked to redeliver later.
const RECEIPT_BUFFER: usize = 1024;

/// `esm_class` bits 2–5 (message type) for an SMSC delivery receipt.
const ESM_CLASS_TYPE_MASK: u8 = 0x3C;
const ESM_CLASS_DELIVERY_RECEIPT: u8 = 0x04;

const DATA_CODING_DEFAULT: u8 = 0x00;
const DATA_CODING_UCS2: u8 = 0x08;

#[derive(Clone)]
pub struct SmppConfig {
    pub host: String,
    pub port: u16,
    pub system_id: String,
    pub password: String,
    pub system_type: String,
    /// Max outstanding submit_sm (the window agreed with the SMSC operator).
    pub window: usize,
    /// How long to wait for a bind or a submit_sm answer before the job is retried later.
    pub response_timeout: Duration,
}

// Written by hand so the password never reaches a log line.
impl std::fmt::Debug for SmppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmppConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("system_id", &self.system_id)
            .field("password", &"…")
            .field("system_type", &self.system_type)
            .field("window", &self.window)
            .field("response_timeout", &self.response_timeout)
            .finish()
    }
}

impl SmppConfig {
    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// An SMPP 3.4 channel: one transceiver bind, shared by every caller.
pub struct Smpp {
    cfg: SmppConfig,
    window: Semaphore,
    session: Mutex<Option<Session>>,
    receipts: mpsc::Sender<Receipt>,
}

/// One bind. Replaced as a whole when the connection drops, so a job never goes out on a
/// half-dead session.
struct Session {
    /// Kept because dropping it stops the session.
    client: SmppClient,
    handle: Arc<Bound>,
}

/// What a job needs from the current bind.
struct Bound {
    smsc: SMSC,
    /// Cleared by the listener when the session ends (peer closed, unbind, enquire_link unanswered).
    up: Arc<AtomicBool>,
}

impl Smpp {
    /// Binds as a transceiver lazily (on first send) and rebinds after a dropped connection.
    pub fn new(cfg: SmppConfig) -> (Smpp, mpsc::Receiver<Receipt>) {
        let (tx, rx) = mpsc::channel(RECEIPT_BUFFER);
        let window = Semaphore::new(cfg.window.max(1));
        let smpp = Smpp {
            cfg,
            window,
            session: Mutex::new(None),
            receipts: tx,
        };
        (smpp, rx)
    }

    /// Sends jobs with up to `window` submit_sm outstanding at once; one Outcome per job, same order.
    pub async fn send(&self, jobs: &[SmsJob]) -> Vec<Outcome> {
        if jobs.is_empty() {
            return Vec::new();
        }
        let bound = match self.bound().await {
            Ok(bound) => bound,
            Err(error) => return jobs.iter().map(|_| Outcome::retry(error.clone())).collect(),
        };
        join_all(jobs.iter().map(|job| self.send_one(&bound, job))).await
    }

    /// Unbinds politely, so the SMSC does not keep queueing receipts for a gone client.
    pub async fn close(&self) {
        let Some(mut session) = self.session.lock().await.take() else {
            return;
        };
        if session.handle.up.load(Ordering::SeqCst) {
            match tokio::time::timeout(self.cfg.response_timeout, session.handle.smsc.send_unbind())
                .await
            {
                Ok(Ok(_)) => tracing::info!(smsc = %self.cfg.address(), "unbound from SMSC"),
                Ok(Err(e)) => tracing::warn!(
                    smsc = %self.cfg.address(),
                    "SMSC answered unbind with {}; closing the connection anyway",
                    status_name(e as u32)
                ),
                Err(_) => tracing::warn!(
                    smsc = %self.cfg.address(),
                    "SMSC did not answer unbind within {:?}; closing the connection anyway",
                    self.cfg.response_timeout
                ),
            }
        }
        session.client.stop().await;
    }

    /// The live bind, binding first when there is none or the last one dropped.
    async fn bound(&self) -> Result<Arc<Bound>, String> {
        let mut guard = self.session.lock().await;
        if let Some(session) = guard.as_ref() {
            if session.handle.up.load(Ordering::SeqCst) {
                return Ok(session.handle.clone());
            }
            tracing::info!(smsc = %self.cfg.address(), "SMPP connection was lost; binding again");
        }
        if let Some(mut old) = guard.take() {
            old.client.stop().await;
        }
        let session = self.bind().await?;
        let handle = session.handle.clone();
        *guard = Some(session);
        Ok(handle)
    }

    async fn bind(&self) -> Result<Session, String> {
        let cfg = &self.cfg;
        let (bound_tx, bound_rx) = oneshot::channel();
        let up = Arc::new(AtomicBool::new(false));
        let listener = Arc::new(Listener {
            bound: StdMutex::new(Some(bound_tx)),
            up: up.clone(),
            receipts: self.receipts.clone(),
            receipt_wait: cfg.response_timeout,
        });
        let timeout_ms = u64::try_from(cfg.response_timeout.as_millis()).unwrap_or(u64::MAX);
        let mut client = SmppClient::new_with_default_timers(
            cfg.host.clone(),
            cfg.port,
            false,
            BIND_TYPE::TRX,
            cfg.system_id.clone(),
            cfg.password.clone(),
            cfg.system_type.clone(),
            0,
            0,
            String::new(),
            listener,
            timeout_ms,
            ENQUIRE_LINK_EVERY.as_millis() as u64,
            INACTIVITY_LIMIT.as_millis() as u64,
            // Our own timeout answers the caller first; the session's only cleans up after it.
            timeout_ms.saturating_add(1000),
            64 * 1024,
            cfg.window.max(1),
        );

        let no_bind = |why: String| {
            format!(
                "could not bind to the SMSC at {} as system_id '{}': {why}",
                cfg.address(),
                cfg.system_id
            )
        };
        // start() connects before it returns and has no connect timeout of its own.
        if tokio::time::timeout(cfg.response_timeout, client.start())
            .await
            .is_err()
        {
            client.stop().await;
            return Err(no_bind(format!(
                "the TCP connection was not established within {:?} (firewall or wrong host/port?)",
                cfg.response_timeout
            )));
        }
        let outcome = tokio::time::timeout(cfg.response_timeout, bound_rx).await;
        match outcome {
            Ok(Ok(Ok(smsc))) => {
                tracing::info!(smsc = %cfg.address(), system_id = %cfg.system_id, "bound as transceiver");
                Ok(Session {
                    client,
                    handle: Arc::new(Bound { smsc, up }),
                })
            }
            Ok(Ok(Err(error))) => {
                client.stop().await;
                Err(no_bind(format!(
                    "{error} (is the SMSC running and reachable?)"
                )))
            }
            // The client reports a refused bind only in its log, never to the listener, so a
            // rejection and a silent SMSC look the same from here.
            Ok(Err(_)) | Err(_) => {
                client.stop().await;
                Err(no_bind(format!(
                    "no accepted bind_transceiver_resp within {:?}: the SMSC refused the bind \
                     (check system_id, password and system_type, or whether the account allows \
                     another bind) or did not answer",
                    cfg.response_timeout
                )))
            }
        }
    }

    async fn send_one(&self, bound: &Bound, job: &SmsJob) -> Outcome {
        let submit = match Submit::prepare(job) {
            Ok(submit) => submit,
            Err(error) => return Outcome::failed(error),
        };
        let Ok(_permit) = self.window.acquire().await else {
            return Outcome::retry("the SMPP channel is shutting down; try again later");
        };
        if !bound.up.load(Ordering::SeqCst) {
            return Outcome::retry(format!(
                "the connection to the SMSC at {} was lost before this message was submitted; \
                 it will be retried on a new bind",
                self.cfg.address()
            ));
        }

        let mut builder = bound
            .smsc
            .submit_sm()
            .source_addr_ton(submit.source_ton)
            .source_addr_npi(submit.source_npi)
            .source_addr(submit.source.clone())
            .dest_addr_ton(1)
            .dest_addr_npi(1)
            .destination_addr(submit.destination.clone())
            .registered_delivery(1)
            .data_coding(submit.data_coding);
        builder = if submit.body.len() <= submit.single_limit {
            builder.short_message(submit.body)
        } else {
            builder.tlv(TlvTag::MessagePayload, submit.body)
        };

        let answer = tokio::time::timeout(self.cfg.response_timeout, builder.send()).await;
        let to = &job.to;
        match answer {
            Err(_) => Outcome::retry(format!(
                "the SMSC at {} did not answer submit_sm for {to} within {:?}; it may still have \
                 accepted it, so a retry can deliver a duplicate",
                self.cfg.address(),
                self.cfg.response_timeout
            )),
            Ok(Ok(resp)) if resp.command_status() == SmppError::ESME_ROK as u32 => {
                match resp.message_id.filter(|id| !id.is_empty()) {
                    Some(id) => Outcome::Sent {
                        provider_id: Some(id),
                    },
                    None => {
                        tracing::warn!(smsc = %self.cfg.address(), %to, "SMSC accepted a message without giving a message_id; its receipts cannot be matched");
                        Outcome::Sent { provider_id: None }
                    }
                }
            }
            Ok(Ok(resp)) => self.rejected(resp.command_status(), to, &bound.up, "submit_sm_resp"),
            // The client answers a lost connection (and its own timeout) with ESME_RSYSERR
            // without a PDU; a generic_nack from the SMSC carries its own status.
            Ok(Err(SmppError::ESME_RSYSERR)) if !bound.up.load(Ordering::SeqCst) => {
                Outcome::retry(format!(
                    "the connection to the SMSC at {} was lost before it answered submit_sm for \
                     {to}; it may still have accepted it, so a retry can deliver a duplicate",
                    self.cfg.address()
                ))
            }
            // The session may not have noticed the dropped connection yet, or the SMSC sent
            // a generic_nack with a system error: the same status, told apart by neither.
            Ok(Err(SmppError::ESME_RSYSERR)) => Outcome::retry(format!(
                "submit_sm for {to} got no answer from the SMSC at {}: the connection dropped, \
                 or the SMSC reported a system error (ESME_RSYSERR); it may still have accepted \
                 it; will retry, binding again if the connection is gone",
                self.cfg.address()
            )),
            Ok(Err(e)) => self.rejected(e as u32, to, &bound.up, "generic_nack"),
        }
    }

    /// What an error status from the SMSC means for the job.
    fn rejected(&self, status: u32, to: &str, up: &AtomicBool, pdu: &str) -> Outcome {
        let name = status_name(status);
        let smsc = self.cfg.address();
        match status {
            0x58 | 0x14 => Outcome::Retry {
                error: format!(
                    "the SMSC at {smsc} is {} ({pdu} {name}); slowing down and retrying {to} in \
                     about {}s",
                    if status == 0x58 {
                        "throttling this account: more messages per second than it allows"
                    } else {
                        "not taking messages: its queue is full"
                    },
                    THROTTLE_BACKOFF.as_secs()
                ),
                retry_after: Some(THROTTLE_BACKOFF),
                throttled: true,
            },
            // Incorrect bind status: the SMSC no longer thinks we are bound; bind again.
            0x04 => {
                up.store(false, Ordering::SeqCst);
                Outcome::retry(format!(
                    "the SMSC at {smsc} says this client is not bound ({pdu} {name}); binding \
                     again and retrying {to}"
                ))
            }
            0x08 | 0x45 | 0x64 | 0xFE | 0xFF | 0x0D => Outcome::retry(format!(
                "the SMSC at {smsc} could not take the message to {to} right now ({pdu} {name}); \
                 will retry"
            )),
            _ => Outcome::failed(format!(
                "the SMSC at {smsc} rejected the message to {to}: {name}{}",
                advice(status)
            )),
        }
    }
}

/// The fields of one submit_sm, worked out before a window slot is taken so a bad job never
/// holds one.
struct Submit {
    source: String,
    source_ton: u8,
    source_npi: u8,
    destination: String,
    data_coding: u8,
    body: Vec<u8>,
    /// Octets `short_message` may carry for this encoding as a single SMS.
    single_limit: usize,
}

impl Submit {
    fn prepare(job: &SmsJob) -> Result<Submit, String> {
        let destination = job.to.strip_prefix('+').unwrap_or(&job.to).to_string();
        if destination.is_empty() || !destination.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "'{}' is not a phone number in international format (+ and digits); fix the \
                 subscriber's number",
                job.to
            ));
        }
        if destination.len() > 20 {
            return Err(format!(
                "'{}' has more than 20 digits, which SMPP cannot carry; fix the subscriber's number",
                job.to
            ));
        }
        let (source, source_ton, source_npi) = source_address(&job.from)?;
        let (data_coding, body, single_limit) = encode_body(&job.text);
        Ok(Submit {
            source,
            source_ton,
            source_npi,
            destination,
            data_coding,
            body,
            single_limit,
        })
    }
}

/// source_addr with its TON/NPI: an international number (`+…`) as TON 1/NPI 1, a short code
/// (digits) as TON 0 (unknown)/NPI 1, anything else as an alphanumeric sender ID, TON 5/NPI 0.
fn source_address(from: &str) -> Result<(String, u8, u8), String> {
    let too_long = |max: usize| {
        format!(
            "sender '{from}' is longer than {max} characters, which the SMSC cannot carry; \
             shorten sms.sender"
        )
    };
    if let Some(digits) = from.strip_prefix('+')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        if digits.len() > 20 {
            return Err(too_long(21));
        }
        return Ok((digits.to_string(), 1, 1));
    }
    if from.is_empty() {
        return Err("no sender set (sms.sender is empty); set a sender ID or number".to_string());
    }
    if from.bytes().all(|b| b.is_ascii_digit()) {
        if from.len() > 20 {
            return Err(too_long(20));
        }
        return Ok((from.to_string(), 0, 1));
    }
    // Handsets show at most 11 characters of an alphanumeric sender; SMSCs reject longer.
    if from.chars().count() > 11 {
        return Err(too_long(11));
    }
    Ok((from.to_string(), 5, 0))
}

/// data_coding, the octets, and how many octets fit one SMS, chosen by [`sms::encode`].
fn encode_body(text: &str) -> (u8, Vec<u8>, usize) {
    let sms = sms::encode(text);
    if sms.encoding == Encoding::Gsm7 {
        if let Some(octets) = sms::gsm7_unpacked(&sms.text) {
            return (DATA_CODING_DEFAULT, octets, 160);
        }
        // encode() and gsm7_unpacked() disagree: UCS-2 can carry anything, so send that.
        tracing::warn!("GSM-7 text has a character without a septet; sending as UCS-2");
    }
    let octets = sms.text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    (DATA_CODING_UCS2, octets, 140)
}

/// `ESME_RINVDSTADR (0x0000000B)`: the name operators' documentation uses, and the code their
/// support desks ask for.
fn status_name(status: u32) -> String {
    let error = SmppError::from_command_status(status);
    if error == SmppError::ESME_RUNKNOWNERR && status != SmppError::ESME_RUNKNOWNERR as u32 {
        if (0x400..=0x4FF).contains(&status) {
            format!("vendor-specific error 0x{status:08X}")
        } else {
            format!("unknown error 0x{status:08X}")
        }
    } else {
        format!("{error:?} (0x{status:08X})")
    }
}

/// What a person should do about a permanent rejection.
fn advice(status: u32) -> &'static str {
    match status {
        0x0B => ", invalid destination address; check the subscriber's number",
        0x50 | 0x51 => ", destination number type not accepted; check the subscriber's number",
        0x0A => ", invalid source address; the SMSC does not allow this sender (sms.sender)",
        0x48 | 0x49 => ", sender type not accepted; check sms.sender with the SMSC operator",
        0x01 => ", message length invalid; the SMSC refused the text's length",
        0xC0..=0xC4 => {
            ", the SMSC refused an optional parameter (long texts use message_payload); \
             shorten the text to one SMS or ask the operator to enable message_payload"
        }
        0x43 => ", esm_class not accepted by the SMSC",
        0x62 => ", validity period not accepted by the SMSC",
        0x65 | 0x66 => ", the receiving side rejected the message permanently",
        _ => "; see the SMSC operator's documentation for this status",
    }
}

/// Parses a delivery receipt: the SMPP 3.4 Appendix B text
/// (`id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`) and, when present,
/// the `receipted_message_id` and `message_state` TLVs, which win over the text because they
/// are the machine-readable copy (several SMSCs format the text id differently from the
/// submit_sm_resp id). `None` when neither names a message id.
pub fn parse_receipt(
    short_message: &[u8],
    receipted_message_id: Option<String>,
    message_state: Option<u8>,
) -> Option<Receipt> {
    let text = String::from_utf8_lossy(short_message);
    let field = |key: &str| receipt_field(&text, key);
    let provider_id = receipted_message_id
        .map(|id| id.trim_end_matches('\0').trim().to_string())
        .filter(|id| !id.is_empty())
        .or_else(|| field("id"))?;
    let stat = message_state
        .and_then(state_name)
        .map(str::to_string)
        .or_else(|| field("stat").map(|s| s.to_ascii_uppercase()))
        .unwrap_or_else(|| "UNKNOWN".to_string());
    let err = field("err");

    let (status, is_final, error) = match stat.as_str() {
        "DELIVRD" => ("delivered".to_string(), true, None),
        "UNDELIV" | "REJECTD" | "EXPIRED" | "DELETED" | "UNKNOWN" => {
            let why = match stat.as_str() {
                "UNDELIV" => {
                    "the network could not deliver it (phone off, out of coverage, or number not in service)"
                }
                "REJECTD" => "the operator rejected it (sender not allowed, or number barred)",
                "EXPIRED" => "it expired before the phone could be reached",
                "DELETED" => "it was deleted at the SMSC before delivery",
                _ => "the SMSC does not know what became of it",
            };
            let err = err.as_deref().unwrap_or("none given");
            (
                "undelivered".to_string(),
                true,
                Some(format!("{why}: stat {stat}, err {err}")),
            )
        }
        "ACCEPTD" => ("accepted".to_string(), false, None),
        "ENROUTE" => ("enroute".to_string(), false, None),
        other => (other.to_ascii_lowercase(), false, None),
    };
    Some(Receipt {
        provider_id,
        status,
        is_final,
        error,
    })
}

/// The value after `key:` in a receipt text, up to the next space. `submit date` and
/// `done date` are the only keys with spaces and are never asked for.
fn receipt_field(text: &str, key: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let needle = format!("{key}:");
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&needle) {
        let start = from + pos;
        // A whole key, not the tail of another (`id:` inside `receipted_id:`).
        let at_word = start == 0 || lower.as_bytes()[start - 1] == b' ';
        if at_word {
            let value_start = start + needle.len();
            let value = text[value_start..].split(' ').next().unwrap_or("").trim();
            return (!value.is_empty()).then(|| value.to_string());
        }
        from = start + needle.len();
    }
    None
}

/// SMPP 3.4 §5.2.28 message_state as the receipt text's `stat` word.
fn state_name(state: u8) -> Option<&'static str> {
    Some(match state {
        1 => "ENROUTE",
        2 => "DELIVRD",
        3 => "EXPIRED",
        4 => "DELETED",
        5 => "UNDELIV",
        6 => "ACCEPTD",
        7 => "UNKNOWN",
        8 => "REJECTD",
        _ => return None,
    })
}

/// Session events for one bind.
struct Listener {
    bound: StdMutex<Option<oneshot::Sender<Result<SMSC, String>>>>,
    up: Arc<AtomicBool>,
    receipts: mpsc::Sender<Receipt>,
    receipt_wait: Duration,
}

impl Listener {
    fn report_bind(&self, result: Result<SMSC, String>) {
        let sender = match self.bound.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(sender) = sender {
            // Nobody waiting means bind() already gave up; the session is stopped there.
            let _ = sender.send(result);
        }
    }
}

#[async_trait]
impl SmppClientListener for Listener {
    async fn on_smsc_bound(&self, smsc: SMSC, _session_id: &String) {
        self.up.store(true, Ordering::SeqCst);
        self.report_bind(Ok(smsc));
    }

    async fn on_smsc_unbound(&self, session_id: &String) {
        self.up.store(false, Ordering::SeqCst);
        tracing::warn!(%session_id, "SMPP session ended; the next send binds again");
    }

    async fn on_connection_failed(&self, error: &str) {
        self.report_bind(Err(error.to_string()));
    }

    async fn on_deliver_sm(
        &self,
        pdu: deliver_sm,
        _connection: &SmppConnectionInformation,
        _session_id: &String,
    ) -> deliver_sm_resp {
        if pdu.esm_class & ESM_CLASS_TYPE_MASK != ESM_CLASS_DELIVERY_RECEIPT {
            // Replies from subscribers: nothing here reads them, and refusing would only make
            // the SMSC redeliver them forever.
            tracing::info!(from = %pdu.source_addr, "ignoring a mobile-originated message");
            return pdu.accept();
        }
        let body = match pdu.tlvs.get_tlv(TlvTag::MessagePayload) {
            Some(payload) if pdu.short_message.is_empty() => payload.value.clone(),
            _ => pdu.short_message.clone(),
        };
        let Some(receipt) = parse_receipt(
            &body,
            pdu.tlvs.receipted_message_id(),
            pdu.tlvs.message_state(),
        ) else {
            tracing::warn!(
                text = %String::from_utf8_lossy(&body),
                "delivery receipt names no message id; acknowledged and dropped"
            );
            return pdu.accept();
        };
        match tokio::time::timeout(self.receipt_wait, self.receipts.send(receipt)).await {
            Ok(Ok(())) => pdu.accept(),
            Ok(Err(lost)) => {
                tracing::warn!(provider_id = %lost.0.provider_id, "delivery receipt arrived but nobody reads receipts; dropped");
                pdu.accept()
            }
            // Not acknowledged, so the SMSC keeps it and redelivers once we have caught up.
            Err(_) => pdu.reject(SmppError::ESME_RX_T_APPN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(text: &str) -> Option<Receipt> {
        parse_receipt(text.as_bytes(), None, None)
    }

    #[test]
    fn delivered_receipt_text() {
        let r = receipt(
            "id:7f3a9c sub:001 dlvrd:001 submit date:2511250303 done date:2511250304 \
             stat:DELIVRD err:000 text:Huduma itarudi",
        )
        .expect("receipt");
        assert_eq!(r.provider_id, "7f3a9c");
        assert_eq!(r.status, "delivered");
        assert!(r.is_final);
        assert_eq!(r.error, None);
    }

    #[test]
    fn undelivered_receipt_names_stat_and_err() {
        for stat in ["UNDELIV", "REJECTD", "EXPIRED", "DELETED", "UNKNOWN"] {
            let r = receipt(&format!(
                "id:42 sub:001 dlvrd:000 submit date:2511250303 done date:2511250304 stat:{stat} err:034 text:x"
            ))
            .expect("receipt");
            assert_eq!(r.status, "undelivered", "{stat}");
            assert!(r.is_final, "{stat}");
            let error = r.error.expect("error");
            assert!(error.contains(stat) && error.contains("034"), "{error}");
        }
    }

    #[test]
    fn intermediate_states_are_not_final() {
        let r = receipt("id:9 sub:001 dlvrd:000 stat:ACCEPTD err:000").expect("receipt");
        assert_eq!((r.status.as_str(), r.is_final), ("accepted", false));
        let r = receipt("id:9 stat:enroute err:000").expect("receipt");
        assert_eq!((r.status.as_str(), r.is_final), ("enroute", false));
    }

    #[test]
    fn tlvs_win_over_the_text() {
        let r = parse_receipt(
            b"id:00000255 sub:001 dlvrd:000 stat:DELIVRD err:000 text:",
            Some("ff\0".to_string()),
            Some(5),
        )
        .expect("receipt");
        assert_eq!(r.provider_id, "ff");
        assert_eq!(r.status, "undelivered");
        assert!(r.error.expect("error").contains("UNDELIV"));
    }

    #[test]
    fn receipt_without_id_is_none_and_text_keys_are_whole_words() {
        assert_eq!(receipt("stat:DELIVRD err:000"), None);
        assert_eq!(receipt(""), None);
        assert_eq!(receipt("receipted_id:5 stat:DELIVRD"), None);
        // The user's text after text: can hold anything, including fake keys.
        let r = receipt("id:1 stat:DELIVRD err:000 text:stat:UNDELIV").expect("receipt");
        assert_eq!(r.status, "delivered");
    }

    #[test]
    fn gsm_text_goes_as_default_alphabet() {
        let (dc, body, limit) = encode_body("Huduma itarudi saa 12:00 @ £5");
        assert_eq!(dc, DATA_CODING_DEFAULT);
        assert_eq!(limit, 160);
        assert_eq!(&body[..6], b"Huduma");
        // '@' is septet 0x00 and '£' 0x01, not their Latin-1 bytes.
        assert_eq!(body[body.len() - 4], 0x00);
        assert_eq!(body[body.len() - 2], 0x01);
    }

    #[test]
    fn extension_characters_are_escaped() {
        let (dc, body, _) = encode_body("5€ [x]");
        assert_eq!(dc, DATA_CODING_DEFAULT);
        assert_eq!(
            body,
            vec![b'5', 0x1B, 0x65, b' ', 0x1B, 0x3C, b'x', 0x1B, 0x3E]
        );
    }

    #[test]
    fn non_gsm_text_goes_as_ucs2() {
        let (dc, body, limit) = encode_body("Umeme utarudi ✅");
        assert_eq!(dc, DATA_CODING_UCS2);
        assert_eq!(limit, 140);
        assert_eq!(&body[..4], &[0x00, b'U', 0x00, b'm']);
        assert_eq!(&body[body.len() - 2..], &[0x27, 0x05]);
        // Typographic quotes are normalised by sms::encode and do not force UCS-2.
        assert_eq!(encode_body("it’s on").0, DATA_CODING_DEFAULT);
    }

    #[test]
    fn source_and_destination_addresses() {
        assert_eq!(
            source_address("+254700000001"),
            Ok(("254700000001".into(), 1, 1))
        );
        assert_eq!(source_address("KPLC"), Ok(("KPLC".into(), 5, 0)));
        assert_eq!(source_address("22345"), Ok(("22345".into(), 0, 1)));
        assert!(source_address("AVeryLongSenderName").is_err());
        assert!(source_address("").is_err());
        let job = |to: &str| SmsJob {
            delivery_id: "d".into(),
            to: to.into(),
            from: "KPLC".into(),
            text: "x".into(),
        };
        assert_eq!(
            Submit::prepare(&job("+254712345678")).map(|s| s.destination),
            Ok("254712345678".into())
        );
        let err = Submit::prepare(&job("+2547 1234")).err().expect("error");
        assert!(err.contains("not a phone number"), "{err}");
    }

    #[test]
    fn status_names_carry_the_hex_code() {
        assert_eq!(status_name(0x0B), "ESME_RINVDSTADR (0x0000000B)");
        assert_eq!(status_name(0x401), "vendor-specific error 0x00000401");
        assert_eq!(status_name(0x09), "unknown error 0x00000009");
    }
}
