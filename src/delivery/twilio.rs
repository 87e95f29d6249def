//! Twilio Messages API: one `POST /2010-04-01/Accounts/{sid}/Messages.json` per message, with
//! the delivery id as `I-Twilio-Idempotency-Token` so a retry after a lost answer is not sent
//! twice, and a `StatusCallback` to `/callbacks/sms/twilio/status` for delivery reports.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;

use super::{Outcome, Receipt, SmsJob, error_chain, policy};

pub struct Twilio {
    client: reqwest::Client,
    url: String,
    account_sid: String,
    auth_token: String,
    status_callback: String,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: String,
}

impl Twilio {
    pub fn new(
        client: reqwest::Client,
        api_url: &str,
        account_sid: &str,
        auth_token: &str,
        public_url: &str,
    ) -> Self {
        let base = match api_url.trim_end_matches('/') {
            "" => "https://api.twilio.com",
            url => url,
        };
        Twilio {
            client,
            url: format!("{base}/2010-04-01/Accounts/{account_sid}/Messages.json"),
            account_sid: account_sid.to_string(),
            auth_token: auth_token.to_string(),
            status_callback: format!("{public_url}/callbacks/sms/twilio/status"),
        }
    }

    /// One request per job, one after another; the worker runs several calls side by side.
    pub async fn send(&self, jobs: &[SmsJob]) -> Vec<Outcome> {
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            out.push(self.send_one(job).await);
        }
        out
    }

    async fn send_one(&self, job: &SmsJob) -> Outcome {
        let form = [
            ("To", job.to.as_str()),
            ("From", job.from.as_str()),
            ("Body", job.text.as_str()),
            ("StatusCallback", self.status_callback.as_str()),
        ];
        let sent = self
            .client
            .post(&self.url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .header("I-Twilio-Idempotency-Token", &job.delivery_id)
            .form(&form)
            .timeout(Duration::from_secs(15))
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                return Outcome::retry(format!("Twilio: request failed: {}", error_chain(&e)));
            }
        };
        let status = response.status();
        let retry_after = policy::retry_after(response.headers());
        let body = response.text().await.unwrap_or_default();
        if status.is_success() {
            return match serde_json::from_str::<Created>(&body) {
                Ok(c) => Outcome::Sent {
                    provider_id: Some(c.sid),
                },
                // Retried under the same idempotency token, so Twilio will not send it twice.
                Err(e) => Outcome::retry(format!(
                    "Twilio: HTTP {status} with a body that is not a message ({e})"
                )),
            };
        }
        let api: Option<ApiError> = serde_json::from_str(&body).ok();
        let what = match &api {
            Some(a) => format!(
                "Twilio error {}: {}",
                a.code.map(|c| c.to_string()).unwrap_or_else(|| "?".into()),
                a.message
            ),
            None => format!("Twilio answered HTTP {status}"),
        };
        match status.as_u16() {
            429 => Outcome::Retry {
                error: format!("{what} (throttled, HTTP 429)"),
                retry_after,
                throttled: true,
            },
            // Bad credentials: nothing is wrong with the message; it waits for the fix.
            401 | 403 => Outcome::retry(format!(
                "{what} (HTTP {status}: check sms.twilio_account_sid and the token)"
            )),
            400..=499 => Outcome::failed(format!("{what} (HTTP {status})")),
            _ => Outcome::Retry {
                error: format!("{what} (HTTP {status})"),
                retry_after,
                throttled: status.is_server_error(),
            },
        }
    }
}

/// A status callback: `MessageSid`, `MessageStatus`, `ErrorCode` (form fields).
pub fn parse_status(fields: &HashMap<String, String>) -> Option<Receipt> {
    let sid = fields.get("MessageSid").filter(|s| !s.is_empty())?;
    let status = fields.get("MessageStatus")?;
    let (word, is_final) = match status.as_str() {
        "delivered" => ("delivered", true),
        "undelivered" | "failed" => ("undelivered", true),
        other => (other, false),
    };
    let error = (word == "undelivered").then(|| {
        format!(
            "Twilio: {status}, error code {}",
            fields
                .get("ErrorCode")
                .filter(|c| !c.is_empty())
                .map(String::as_str)
                .unwrap_or("none")
        )
    });
    Some(Receipt {
        provider_id: sid.clone(),
        status: word.to_string(),
        is_final,
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_callbacks_become_receipts() {
        let f = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        };
        let ok = parse_status(&f(&[("MessageSid", "SM1"), ("MessageStatus", "delivered")]));
        assert_eq!(ok.unwrap().status, "delivered");
        let bad = parse_status(&f(&[
            ("MessageSid", "SM2"),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "30003"),
        ]))
        .unwrap();
        assert!(bad.is_final);
        assert_eq!(
            bad.error.as_deref(),
            Some("Twilio: undelivered, error code 30003")
        );
        let sent = parse_status(&f(&[("MessageSid", "SM3"), ("MessageStatus", "sent")])).unwrap();
        assert!(!sent.is_final);
        assert!(parse_status(&f(&[("MessageStatus", "sent")])).is_none());
    }
}
