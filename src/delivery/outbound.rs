//! The configured channels, shared by the outbox workers (batches) and by messages sent at once
//! (a confirmation code, an unsubscribe link): email through lettre (a pooled SMTP transport,
//! or `.eml` files in `email.dir`) and SMS through the configured driver (Africa's Talking,
//! Twilio, SMPP, or the JSON-lines file sink `sms.file`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::africastalking::AfricasTalking;
use super::smpp::{Smpp, SmppConfig};
use super::twilio::Twilio;
use super::{Outcome, Receipt, SmsJob};
use crate::config::{self, EmailDriver, Settings};
use crate::domain::sms;

enum SmsDriver {
    File,
    AfricasTalking(AfricasTalking),
    Twilio(Twilio),
    Smpp(Box<Smpp>),
}

pub struct Outbound {
    settings: Arc<Settings>,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    sms: SmsDriver,
    /// Appends to the SMS file one batch at a time.
    sms_file: tokio::sync::Mutex<()>,
    /// Delivery reports a driver receives on its own connection (SMPP); HTTP providers post
    /// theirs to the callbacks instead.
    receipts: std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<Receipt>>>,
}

/// TLS for every outbound connection uses rustls with *ring* (lettre's provider too); with two
/// providers compiled in, rustls needs to be told which. Idempotent.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// One HTTP client for every provider call: no redirects, bounded connect time.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("tangazo/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")
}

/// A Message-ID (RFC 5322 §3.6.4) on the public URL's host, whatever domain `email_from`
/// has: `<local@status.example.co.ke>`. `local` must be unique (a delivery id, a new UUID).
pub fn message_id(settings: &Settings, local: &str) -> String {
    format!("<{local}@{}>", settings.public_host())
}

/// A plain-text email from `subscribers.email_from` (sign-up and stop links, staff alerts,
/// endpoint notices). Like every email Tangazo sends it has MIME-Version, a Message-ID on the
/// public host and a Date (lettre adds it), and UTF-8 text in the transfer encoding its
/// content needs (lettre picks 7bit, quoted-printable or base64).
pub fn plain_email(
    settings: &Settings,
    to: &str,
    subject: impl Into<String>,
    body: String,
) -> anyhow::Result<lettre::Message> {
    let id = message_id(settings, &uuid::Uuid::now_v7().to_string());
    Ok(lettre::Message::builder()
        .from(settings.raw.subscribers.email_from.parse()?)
        .to(to.parse()?)
        .subject(subject)
        .message_id(Some(id))
        .singlepart(lettre::message::SinglePart::plain(body))?)
}

impl Outbound {
    pub fn new(settings: Arc<Settings>) -> anyhow::Result<Outbound> {
        install_tls_provider();
        let raw = &settings.raw;
        let smtp = match &settings.email_driver {
            EmailDriver::Smtp { url } => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .context("email.smtp_url")?
                    .timeout(Some(Duration::from_secs(15)))
                    .pool_config(PoolConfig::new().max_size(raw.email.concurrency.max(1)))
                    .build(),
            ),
            EmailDriver::File => None,
        };
        let mut receipts = None;
        let sms = match &settings.sms_driver {
            config::SmsDriver::AfricasTalking { username, api_key } => {
                SmsDriver::AfricasTalking(AfricasTalking::new(
                    http_client()?,
                    &raw.sms.api_url,
                    username,
                    api_key.expose_secret(),
                ))
            }
            config::SmsDriver::Twilio {
                account_sid,
                auth_token,
            } => SmsDriver::Twilio(Twilio::new(
                http_client()?,
                &raw.sms.api_url,
                account_sid,
                auth_token.expose_secret(),
                &settings.public_url,
            )),
            config::SmsDriver::Smpp {
                host,
                port,
                system_id,
                password,
                window,
            } => {
                let (smpp, rx) = Smpp::new(SmppConfig {
                    host: host.clone(),
                    port: *port,
                    system_id: system_id.clone(),
                    password: password.expose_secret().to_string(),
                    system_type: String::new(),
                    window: *window as usize,
                    response_timeout: Duration::from_secs(10),
                });
                receipts = Some(rx);
                SmsDriver::Smpp(Box::new(smpp))
            }
            config::SmsDriver::File => SmsDriver::File,
        };
        Ok(Outbound {
            settings,
            smtp,
            sms,
            sms_file: tokio::sync::Mutex::new(()),
            receipts: std::sync::Mutex::new(receipts),
        })
    }

    /// Ends provider sessions politely at shutdown (SMPP unbind).
    pub async fn close(&self) {
        if let SmsDriver::Smpp(s) = &self.sms {
            s.close().await;
        }
    }

    /// The receiver of driver-side delivery reports, once (the receipts task takes it).
    pub fn take_receipts(&self) -> Option<tokio::sync::mpsc::Receiver<Receipt>> {
        self.receipts.lock().ok()?.take()
    }

    /// Jobs one SMS call should carry: a bulk request for Africa's Talking, one otherwise.
    pub fn sms_batch(&self) -> usize {
        match &self.sms {
            SmsDriver::AfricasTalking(_) => super::africastalking::MAX_BATCH,
            SmsDriver::Twilio(_) => 1,
            // The driver keeps `smpp_window` submits in flight within one call.
            SmsDriver::Smpp(_) => self.settings.raw.sms.smpp_window as usize,
            SmsDriver::File => 100,
        }
    }

    /// One email now; an error says why it was not accepted.
    pub async fn send_email(&self, message: lettre::Message) -> anyhow::Result<()> {
        match self.email(message, None).await {
            Outcome::Sent { .. } => Ok(()),
            Outcome::Retry { error, .. }
            | Outcome::Failed { error }
            | Outcome::NotSent { reason: error, .. } => anyhow::bail!(error),
        }
    }

    /// One email, classified: a 5xx SMTP reply (unknown mailbox, rejected) is permanent,
    /// anything else is worth another try. `name` names the `.eml` file of the file sink.
    pub async fn email(&self, message: lettre::Message, name: Option<&str>) -> Outcome {
        match &self.smtp {
            Some(smtp) => match smtp.send(message).await {
                Ok(response) => Outcome::Sent {
                    provider_id: response.first_line().map(|l| l.chars().take(200).collect()),
                },
                Err(e) if e.is_permanent() => {
                    Outcome::failed(format!("SMTP rejected the message: {e}"))
                }
                Err(e) => Outcome::retry(format!("SMTP: {}", super::error_chain(&e))),
            },
            None => {
                let dir = PathBuf::from(&self.settings.raw.email.dir);
                let name = name
                    .map(|n| n.replace([':', '/'], "_"))
                    .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
                let path = dir.join(format!("{name}.eml"));
                let written = async {
                    tokio::fs::create_dir_all(&dir).await?;
                    tokio::fs::write(&path, message.formatted()).await
                };
                match written.await {
                    Ok(()) => Outcome::Sent {
                        provider_id: Some(name),
                    },
                    Err(e) => {
                        Outcome::retry(format!("email.dir: cannot write {}: {e}", path.display()))
                    }
                }
            }
        }
    }

    /// One SMS now; an error says why it was not accepted.
    pub async fn send_sms(
        &self,
        to: &str,
        text: &str,
        delivery_id: &str,
        notice_ref: Option<&str>,
    ) -> anyhow::Result<()> {
        let job = SmsJob {
            delivery_id: delivery_id.to_string(),
            to: to.to_string(),
            from: self.settings.raw.sms.sender.clone(),
            text: text.to_string(),
        };
        match self.sms(&[job], &[notice_ref]).await.pop() {
            Some(Outcome::Sent { .. }) => Ok(()),
            Some(
                Outcome::Retry { error, .. }
                | Outcome::Failed { error }
                | Outcome::NotSent { reason: error, .. },
            ) => anyhow::bail!(error),
            None => anyhow::bail!("the SMS driver gave no answer"),
        }
    }

    /// A batch of SMS through the configured driver; one outcome per job, in order.
    /// `notice_refs` (same length) only label the file sink's lines.
    pub async fn sms(&self, jobs: &[SmsJob], notice_refs: &[Option<&str>]) -> Vec<Outcome> {
        match &self.sms {
            SmsDriver::AfricasTalking(at) => at.send(jobs).await,
            SmsDriver::Twilio(t) => t.send(jobs).await,
            SmsDriver::Smpp(s) => s.send(jobs).await,
            SmsDriver::File => match self.write_sms_file(jobs, notice_refs).await {
                Ok(()) => jobs
                    .iter()
                    .map(|j| Outcome::Sent {
                        provider_id: Some(j.delivery_id.clone()),
                    })
                    .collect(),
                Err(e) => vec![Outcome::retry(format!("{e:#}")); jobs.len()],
            },
        }
    }

    /// The file sink: one DESIGN.md line per message,
    /// `{"to","from","text","encoding","segments","delivery_id","notice_ref"}`.
    async fn write_sms_file(
        &self,
        jobs: &[SmsJob],
        notice_refs: &[Option<&str>],
    ) -> anyhow::Result<()> {
        let mut lines = String::new();
        for (i, job) in jobs.iter().enumerate() {
            let encoded = sms::encode(&job.text);
            let line = json!({
                "to": job.to,
                "from": job.from,
                "text": encoded.text,
                "encoding": encoded.encoding.as_str(),
                "segments": encoded.segments,
                "delivery_id": job.delivery_id,
                "notice_ref": notice_refs.get(i).copied().flatten(),
            });
            lines.push_str(&line.to_string());
            lines.push('\n');
        }
        let path = PathBuf::from(&self.settings.raw.sms.file);
        let _one_writer = self.sms_file.lock().await;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent).await?;
        }
        let mut f = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await
            .with_context(|| format!("sms.file: opening {}", path.display()))?;
        f.write_all(lines.as_bytes()).await?;
        f.flush().await?;
        Ok(())
    }
}
