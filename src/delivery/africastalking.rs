//! Africa's Talking bulk SMS: one `POST /version1/messaging` carries one text to many numbers
//! (`bulkSMSMode=1`), and the answer gives a status code per recipient, so a batch of a
//! notice's SMS in one language costs one request. Delivery reports arrive later on
//! `/callbacks/sms/africastalking/{secret}/delivery` and name the `messageId` given here.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use serde::Deserialize;

use super::{Outcome, Receipt, SmsJob, error_chain, policy};

/// Numbers per request; Africa's Talking takes more, but a failed request then costs less.
pub const MAX_BATCH: usize = 100;

pub struct AfricasTalking {
    client: reqwest::Client,
    /// `{api_url}/version1/messaging`
    url: String,
    username: String,
    api_key: String,
}

#[derive(Deserialize)]
struct Response {
    #[serde(rename = "SMSMessageData")]
    data: MessageData,
}

#[derive(Deserialize)]
struct MessageData {
    #[serde(rename = "Message", default)]
    message: String,
    #[serde(rename = "Recipients", default)]
    recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
struct Recipient {
    #[serde(rename = "statusCode")]
    status_code: u16,
    number: String,
    #[serde(default)]
    status: String,
    #[serde(rename = "messageId", default)]
    message_id: String,
}

impl AfricasTalking {
    pub fn new(client: reqwest::Client, api_url: &str, username: &str, api_key: &str) -> Self {
        let base = match api_url.trim_end_matches('/') {
            "" => "https://api.africastalking.com",
            url => url,
        };
        AfricasTalking {
            client,
            url: format!("{base}/version1/messaging"),
            username: username.to_string(),
            api_key: api_key.to_string(),
        }
    }

    /// Sends each group of jobs sharing a text and sender as one bulk request; one outcome per
    /// job, in order.
    pub async fn send(&self, jobs: &[SmsJob]) -> Vec<Outcome> {
        let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for (i, j) in jobs.iter().enumerate() {
            groups.entry((&j.text, &j.from)).or_default().push(i);
        }
        let mut out: Vec<Option<Outcome>> = vec![None; jobs.len()];
        for ((text, from), indices) in groups {
            for chunk in indices.chunks(MAX_BATCH) {
                let numbers: Vec<&str> = chunk.iter().map(|&i| jobs[i].to.as_str()).collect();
                let outcomes = self.send_one(text, from, &numbers).await;
                for (&i, o) in chunk.iter().zip(outcomes) {
                    out[i] = Some(o);
                }
            }
        }
        out.into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::retry("no answer recorded for this message")))
            .collect()
    }

    async fn send_one(&self, text: &str, from: &str, numbers: &[&str]) -> Vec<Outcome> {
        let to = numbers.join(",");
        let mut form = vec![
            ("username", self.username.as_str()),
            ("to", to.as_str()),
            ("message", text),
            ("bulkSMSMode", "1"),
        ];
        if !from.is_empty() {
            form.push(("from", from));
        }
        let sent = self
            .client
            .post(&self.url)
            .header("apiKey", &self.api_key)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        let all = |o: Outcome| vec![o; numbers.len()];
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                return all(Outcome::retry(format!(
                    "Africa's Talking: request failed: {}",
                    error_chain(&e)
                )));
            }
        };
        let status = response.status();
        let retry_after = policy::retry_after(response.headers());
        let body = match response.text().await {
            Ok(b) => b,
            Err(e) => {
                return all(Outcome::retry(format!(
                    "Africa's Talking: HTTP {status}, body unreadable: {e}"
                )));
            }
        };
        if status.as_u16() == 429 {
            return all(Outcome::Retry {
                error: format!(
                    "Africa's Talking throttled the request (HTTP 429): {}",
                    snippet(&body)
                ),
                retry_after,
                throttled: true,
            });
        }
        if !status.is_success() {
            // 401 (bad key) and 5xx leave the messages unsent: retried until the account or
            // the provider is fixed, never dropped.
            return all(Outcome::Retry {
                error: format!(
                    "Africa's Talking answered HTTP {status}: {}",
                    snippet(&body)
                ),
                retry_after,
                throttled: status.is_server_error(),
            });
        }
        let parsed: Response = match serde_json::from_str(&body) {
            Ok(p) => p,
            Err(e) => {
                return all(Outcome::retry(format!(
                    "Africa's Talking: HTTP {status} with a body that is not its JSON ({e}): {}",
                    snippet(&body)
                )));
            }
        };
        let mut by_number: HashMap<String, VecDeque<Recipient>> = HashMap::new();
        for r in parsed.data.recipients {
            by_number.entry(r.number.clone()).or_default().push_back(r);
        }
        numbers
            .iter()
            .map(
                |n| match by_number.get_mut(*n).and_then(VecDeque::pop_front) {
                    Some(r) => recipient_outcome(&r),
                    None => Outcome::retry(format!(
                        "Africa's Talking did not list this number in its answer ({})",
                        snippet(&parsed.data.message)
                    )),
                },
            )
            .collect()
    }
}

/// Africa's Talking's documented per-recipient status codes.
fn recipient_outcome(r: &Recipient) -> Outcome {
    let why = || format!("Africa's Talking: {} ({})", r.status, r.status_code);
    match r.status_code {
        100..=102 => Outcome::Sent {
            provider_id: (!r.message_id.is_empty() && r.message_id != "None")
                .then(|| r.message_id.clone()),
        },
        // RiskHold, InsufficientBalance, InternalServerError, GatewayError: the message can go
        // once the account or the gateway recovers.
        401 | 405 | 500 | 501 => Outcome::retry(why()),
        // InvalidSenderId, InvalidPhoneNumber, UnsupportedNumberType, UserInBlacklist,
        // CouldNotRoute, DoNotDisturbRejection, RejectedByGateway, and anything unknown.
        _ => Outcome::failed(why()),
    }
}

/// A delivery report posted to the callback: `id`, `status`, `failureReason`, … (form fields).
pub fn parse_report(fields: &HashMap<String, String>) -> Option<Receipt> {
    let id = fields.get("id").filter(|v| !v.is_empty())?;
    let status = fields.get("status")?;
    let (word, is_final) = match status.as_str() {
        "Success" => ("delivered", true),
        "Rejected" | "Failed" | "AbsentSubscriber" | "Expired" => ("undelivered", true),
        other => (other, false),
    };
    let error = (word == "undelivered").then(|| {
        let reason = fields
            .get("failureReason")
            .filter(|r| !r.is_empty())
            .cloned()
            .unwrap_or_else(|| "no reason given".into());
        format!("Africa's Talking: {status}: {reason}")
    });
    Some(Receipt {
        provider_id: id.clone(),
        status: word.to_ascii_lowercase(),
        is_final,
        error,
    })
}

fn snippet(body: &str) -> String {
    let t: String = body.chars().take(200).collect();
    t.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: u16, status: &str, id: &str) -> Recipient {
        Recipient {
            status_code: code,
            number: "+254711000000".into(),
            status: status.into(),
            message_id: id.into(),
        }
    }

    #[test]
    fn status_codes_map_to_outcomes() {
        assert_eq!(
            recipient_outcome(&r(101, "Success", "ATXid_1")),
            Outcome::Sent {
                provider_id: Some("ATXid_1".into())
            }
        );
        assert!(matches!(
            recipient_outcome(&r(405, "InsufficientBalance", "None")),
            Outcome::Retry { .. }
        ));
        assert_eq!(
            recipient_outcome(&r(403, "InvalidPhoneNumber", "None")),
            Outcome::failed("Africa's Talking: InvalidPhoneNumber (403)")
        );
    }

    #[test]
    fn reports_become_receipts() {
        let f = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        };
        let ok = parse_report(&f(&[("id", "ATXid_1"), ("status", "Success")])).unwrap();
        assert_eq!(ok.status, "delivered");
        assert!(ok.is_final && ok.error.is_none());
        let bad = parse_report(&f(&[
            ("id", "ATXid_2"),
            ("status", "Failed"),
            ("failureReason", "DeliveryFailure"),
        ]))
        .unwrap();
        assert_eq!(bad.status, "undelivered");
        assert_eq!(
            bad.error.as_deref(),
            Some("Africa's Talking: Failed: DeliveryFailure")
        );
        let interim = parse_report(&f(&[("id", "ATXid_3"), ("status", "Buffered")])).unwrap();
        assert!(!interim.is_final);
        assert!(parse_report(&f(&[("status", "Success")])).is_none());
    }
}
