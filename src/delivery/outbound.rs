//! Sending one message now (a confirmation or an unsubscribe link): email through lettre (SMTP
//! or `.eml` files in `email.dir`) and SMS through the configured driver. The outbox workers
//! send through the same channels in batches.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::config::Settings;
use crate::domain::sms;

pub struct Outbound {
    settings: Arc<Settings>,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// Appends to the SMS file one line at a time.
    sms_file: tokio::sync::Mutex<()>,
}

impl Outbound {
    pub fn new(settings: Arc<Settings>) -> anyhow::Result<Outbound> {
        let smtp = match settings.raw.email.driver.as_str() {
            "smtp" => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.raw.email.smtp_url)
                    .context("email.smtp_url")?
                    .timeout(Some(Duration::from_secs(15)))
                    .build(),
            ),
            _ => None,
        };
        Ok(Outbound {
            settings,
            smtp,
            sms_file: tokio::sync::Mutex::new(()),
        })
    }

    pub async fn send_email(&self, message: lettre::Message) -> anyhow::Result<()> {
        match &self.smtp {
            Some(smtp) => {
                smtp.send(message)
                    .await
                    .context("sending email over SMTP")?;
            }
            None => {
                let dir = PathBuf::from(&self.settings.raw.email.dir);
                tokio::fs::create_dir_all(&dir)
                    .await
                    .with_context(|| format!("email.dir: creating {}", dir.display()))?;
                let path = dir.join(format!("{}.eml", uuid::Uuid::now_v7()));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
        Ok(())
    }

    /// One SMS; the file sink writes the DESIGN.md line
    /// `{"to","from","text","encoding","segments","delivery_id","notice_ref"}`.
    pub async fn send_sms(
        &self,
        to: &str,
        text: &str,
        delivery_id: &str,
        notice_ref: Option<&str>,
    ) -> anyhow::Result<()> {
        match self.settings.raw.sms.driver.as_str() {
            "file" => {
                let encoded = sms::encode(text);
                let line = json!({
                    "to": to,
                    "from": self.settings.raw.sms.sender,
                    "text": encoded.text,
                    "encoding": encoded.encoding.as_str(),
                    "segments": encoded.segments,
                    "delivery_id": delivery_id,
                    "notice_ref": notice_ref,
                });
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
                f.write_all(format!("{line}\n").as_bytes()).await?;
                f.flush().await?;
                Ok(())
            }
            other => anyhow::bail!(
                "sms.driver '{other}' cannot send yet; the provider drivers come with the delivery engine"
            ),
        }
    }
}
