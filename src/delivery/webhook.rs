//! Biller webhooks through the outbox workers, Standard Webhooks exactly: `webhook-id` (the
//! delivery id, the same on every retry), `webhook-timestamp`, `webhook-signature` (`v1,…` per
//! live secret, space-separated while a rotation overlaps, plus `v1a,…` with ed25519), and the
//! body bytes signed are the bytes sent: the payload stored when the update was published.
//!
//! Policy: 2xx is success. 410 disables the endpoint. 429, 502, 503 and 504 slow that endpoint
//! down (its own pause, honouring Retry-After) without holding back other billers: what is
//! claimed for it while more than a few seconds of the pause are left goes back to the queue
//! until the pause ends, not counted as an attempt; the same for its own rate limit. Anything
//! else, including 3xx (never followed), is a failed attempt retried on the schedule in
//! `webhook.retry_schedule`. An endpoint failing without a break for `webhook.disable_after_hours`
//! is disabled and its contact is emailed (looked for at each failed attempt and once a minute,
//! [`Channel::tend`]); it keeps its missed deliveries for a replay.
//!
//! Requests go only to vetted addresses ([`super::ssrf`]); a refusal is recorded on the endpoint.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use hyper::header::{HeaderName, HeaderValue};

use super::Outcome;
use super::hook_client::{Destination, Failure, HookClient};
use super::policy::{self, Backoff};
use super::ssrf::{self, Policy};
use super::worker::{Answer, Channel, Ctx};
use crate::crypto::signing;
use crate::domain::{DeliveryId, EndpointId, UpdateMessage};
use crate::store::{Claimed, SigningMaterial, Store};

/// Bytes of a response kept for the attempt log, and read at most.
const KEEP: usize = 1024;
const READ_LIMIT: usize = 64 * 1024;
/// Endpoints whose settings are kept between claimed batches; past this the map starts over.
const KEPT_ENDPOINTS: usize = 4096;
/// The longest a request waits for its endpoint's pause to end or its rate limit to have room;
/// past this it goes back to the queue (not counted as an attempt) rather than hold one of the
/// channel's request slots, which would hold back other billers, and outlive its lease (a
/// Retry-After may ask for an hour, and a backlog behind a limit of 1/s takes as long as it is).
const WAIT_FOR_ROOM: Duration = Duration::from_secs(5);
/// How often the channel looks for endpoints failing too long to be disabled ([`Channel::tend`]).
const TEND_EVERY_SECONDS: i64 = 60;

pub struct Job {
    pub delivery_id: DeliveryId,
    pub endpoint_id: EndpointId,
    pub body: String,
    /// The endpoint's URL and secrets as read for its claimed batch; `None` if that read
    /// failed, and then the request reads them itself.
    pub material: Option<Arc<Ready>>,
}

/// An endpoint's settings as its requests use them, made ready once when they are read (per
/// claimed batch) rather than for every request: the URL vetted and parsed, the keys ready to
/// sign.
pub struct Ready {
    pub material: SigningMaterial,
    /// The vetted URL made ready for requests, or why it is refused.
    url: Result<Destination, String>,
    signer: signing::Signer,
}

impl Ready {
    fn new(material: SigningMaterial, policy: Policy) -> Ready {
        let keys: Vec<Vec<u8>> = material
            .secrets
            .iter()
            .filter_map(|s| signing::parse_secret(s).ok())
            .collect();
        Ready {
            url: ssrf::check_url(&material.url, policy).and_then(Destination::new),
            signer: signing::Signer::new(&keys, material.ed25519_secret.as_deref()),
            material,
        }
    }
}

/// Per-endpoint state the channel keeps between sends.
#[derive(Default)]
struct PerEndpoint {
    limiter: Option<(i64, Arc<DefaultDirectRateLimiter>)>,
    /// On the channel's clock, like the retries it is compared with.
    paused_until: Option<chrono::DateTime<chrono::Utc>>,
}

pub struct WebhookChannel {
    ctx: Ctx,
    client: HookClient,
    policy: Policy,
    endpoints: Mutex<HashMap<EndpointId, PerEndpoint>>,
    /// The settings read for the latest claimed batch of each endpoint ([`Channel::prefetch`]).
    materials: Mutex<HashMap<EndpointId, Arc<Ready>>>,
    /// When [`Channel::tend`] last looked for failing endpoints.
    tended: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

impl WebhookChannel {
    pub fn new(ctx: &Ctx) -> anyhow::Result<WebhookChannel> {
        let policy = Policy::from_config(&ctx.settings.raw.webhook);
        Ok(WebhookChannel {
            client: client(&ctx.settings, policy)?,
            policy,
            ctx: ctx.clone(),
            endpoints: Mutex::new(HashMap::new()),
            materials: Mutex::new(HashMap::new()),
            tended: Mutex::new(None),
        })
    }

    /// One endpoint's settings (an indexed row), for a request whose batch read failed.
    async fn material(&self, id: &EndpointId) -> Result<Ready, String> {
        self.ctx
            .store
            .signing_material(id, self.ctx.clock.now())
            .await
            .map(|m| Ready::new(m, self.policy))
            .map_err(|e| format!("cannot read the endpoint: {e}"))
    }

    /// Waits for the endpoint's own pause (a 429 or 503 it sent) and rate limit, up to
    /// [`WAIT_FOR_ROOM`]; past that, how long to put the request back for, and why.
    async fn pace(&self, id: &EndpointId, rate_limit: i64) -> Result<(), (Duration, String)> {
        let (pause, limiter) = {
            let Ok(mut map) = self.endpoints.lock() else {
                return Ok(());
            };
            // Most endpoints have no limit and were never paused: nothing to keep for them.
            if rate_limit <= 0 && !map.contains_key(id) {
                return Ok(());
            }
            let e = map.entry(id.clone()).or_default();
            if rate_limit > 0 && e.limiter.as_ref().is_none_or(|(r, _)| *r != rate_limit) {
                let per_second = NonZeroU32::new(rate_limit.clamp(1, 100_000) as u32)
                    .expect("clamped to at least one");
                e.limiter = Some((
                    rate_limit,
                    Arc::new(RateLimiter::direct(Quota::per_second(per_second))),
                ));
            }
            if rate_limit <= 0 {
                e.limiter = None;
            }
            (e.paused_until, e.limiter.as_ref().map(|(_, l)| l.clone()))
        };
        if let Some(until) = pause {
            let left = (until - self.ctx.clock.now()).to_std().unwrap_or_default();
            if left > WAIT_FOR_ROOM {
                // In the page's zone, as the console shows times, with its offset for a
                // biller's system reading it through the API.
                let until = until
                    .with_timezone(&self.ctx.settings.time_zone)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
                return Err((left, format!("the endpoint asked to pause until {until}")));
            }
            tokio::time::sleep(left).await;
        }
        if let Some(l) = limiter {
            let waited = Instant::now();
            while let Err(not_until) = l.check() {
                let now = governor::clock::Clock::now(l.clock());
                let wait = not_until.wait_time_from(now);
                if waited.elapsed() + wait > WAIT_FOR_ROOM {
                    return Err((
                        WAIT_FOR_ROOM,
                        format!("the endpoint's rate limit ({rate_limit}/s) has no room"),
                    ));
                }
                tokio::time::sleep(wait).await;
            }
        }
        Ok(())
    }

    fn pause(&self, id: &EndpointId, d: Duration) {
        if let Ok(mut map) = self.endpoints.lock() {
            let until = self.ctx.clock.now() + chrono::Duration::from_std(d).unwrap_or_default();
            let e = map.entry(id.clone()).or_default();
            if e.paused_until.is_none_or(|p| p < until) {
                e.paused_until = Some(until);
            }
        }
    }

    async fn send_one(&self, job: Job) -> (Outcome, Option<Answer>) {
        let ready = match job.material {
            Some(r) => r,
            None => match self.material(&job.endpoint_id).await {
                Ok(r) => Arc::new(r),
                Err(e) => return (Outcome::retry(e), None),
            },
        };
        let m = &ready.material;
        if !m.enabled {
            // Disabled after it was claimed: back to the queue, where it waits.
            return (Outcome::retry("the endpoint is disabled"), None);
        }
        let url = match &ready.url {
            Ok(u) => u,
            Err(reason) => return self.refused(&job.endpoint_id, m, reason).await,
        };
        if let Err((wait, why)) = self.pace(&job.endpoint_id, m.rate_limit).await {
            let reason = format!("not sent yet: {why}");
            return (Outcome::NotSent { wait, reason }, None);
        }
        // The attempt's time and latency are the request's, after any wait above.
        let started_at = self.ctx.clock.now();
        let started = Instant::now();
        let headers = signed(
            &ready.signer,
            job.delivery_id.as_str(),
            started_at.timestamp(),
            job.body.as_bytes(),
        );
        let sent = self
            .client
            .post_to(url, &headers, job.body.into(), KEEP, READ_LIMIT)
            .await;
        let request = Some((started_at, started.elapsed()));
        let unanswered = Some(Answer {
            status: None,
            body: String::new(),
            request,
        });
        let reply = match sent {
            Ok(r) => r,
            Err(Failure::Refused(why)) => {
                let (outcome, _) = self.refused(&job.endpoint_id, m, &why).await;
                return (outcome, unanswered);
            }
            // "timed out: …", "request failed: …" or "TLS handshake failed: …".
            Err(Failure::NoAnswer { error, .. }) => {
                self.health(&job.endpoint_id, m, false).await;
                return (Outcome::retry(error), unanswered);
            }
            // Headers, then silence: the receiver never finished answering, so it cannot be
            // taken as having handled the webhook.
            Err(Failure::Unfinished {
                status,
                timed_out,
                error,
            }) => {
                self.health(&job.endpoint_id, m, false).await;
                let what = if timed_out { "timed out" } else { "failed" };
                return (
                    Outcome::retry(format!(
                        "HTTP {status}, then reading the answer {what}: {error}"
                    )),
                    Some(Answer {
                        status: Some(status),
                        body: String::new(),
                        request,
                    }),
                );
            }
        };
        let code = reply.status;
        let retry_after = policy::retry_after(&reply.headers);
        let answer = Some(Answer {
            status: Some(code),
            body: reply.body,
            request,
        });
        if (200..300).contains(&code) {
            self.health(&job.endpoint_id, m, true).await;
            // No provider id: the status is in the attempt, and no report will name one.
            return (Outcome::Sent { provider_id: None }, answer);
        }
        self.health(&job.endpoint_id, m, false).await;
        let outcome = match code {
            410 => {
                let reason = "the endpoint answered 410 Gone";
                let _ = self
                    .ctx
                    .store
                    .disable_endpoint(&job.endpoint_id, reason, "webhooks", self.ctx.clock.now())
                    .await;
                self.forget(&job.endpoint_id);
                Outcome::failed(format!("HTTP 410: {reason}; it is disabled"))
            }
            429 | 502 | 503 | 504 => {
                self.pause(
                    &job.endpoint_id,
                    retry_after.unwrap_or(Duration::from_secs(5)),
                );
                Outcome::Retry {
                    error: format!("HTTP {code}: the endpoint asked to slow down"),
                    retry_after,
                    throttled: false,
                }
            }
            300..=399 => Outcome::retry(format!(
                "HTTP {code}: redirects are not followed; update the endpoint URL"
            )),
            _ => Outcome::retry(format!("HTTP {code}")),
        };
        (outcome, answer)
    }

    /// A request refused before it left (the URL or an address it resolves to): shown on the
    /// endpoint, counted against its health, and retried on the schedule.
    async fn refused(
        &self,
        id: &EndpointId,
        m: &SigningMaterial,
        why: &str,
    ) -> (Outcome, Option<Answer>) {
        let _ = self.ctx.store.endpoint_refused(id, why).await;
        self.health(id, m, false).await;
        (
            Outcome::retry(format!("refused before sending: {why}")),
            None,
        )
    }

    fn forget(&self, id: &EndpointId) {
        if let Ok(mut map) = self.endpoints.lock() {
            map.remove(id);
        }
    }

    /// Tracks the endpoint's run of failures; one failing without a break for
    /// `webhook.disable_after_hours` is disabled and its contact told.
    async fn health(&self, id: &EndpointId, m: &SigningMaterial, ok: bool) {
        if ok && m.failing_since.is_none() {
            return;
        }
        let now = self.ctx.clock.now();
        let since = match self.ctx.store.endpoint_health(id, ok, now).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(endpoint = %id, error = %e, "cannot record endpoint health");
                return;
            }
        };
        let Some(since) = since.filter(|s| now - *s >= self.disable_after()) else {
            return;
        };
        self.disable_failing(id, &m.url, &m.contact_email, since, now)
            .await;
    }

    fn disable_after(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(self.ctx.settings.raw.webhook.disable_after_hours))
    }

    /// Disables an endpoint whose run of failures began at `since` and emails its contact
    /// (only the process whose disabling took effect does).
    async fn disable_failing(
        &self,
        id: &EndpointId,
        url: &str,
        contact_email: &str,
        since: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let reason = format!(
            "failing without a success since {} ({} hours)",
            since.to_rfc3339(),
            (now - since).num_hours()
        );
        match self
            .ctx
            .store
            .disable_endpoint(id, &reason, "webhooks", now)
            .await
        {
            Ok(true) => notify_contact(&self.ctx, id, url, contact_email, &reason).await,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(endpoint = %id, error = %e, "cannot disable a failing endpoint")
            }
        }
        self.forget(id);
    }
}

/// Emails an endpoint's contact that it was disabled, and how to get it back.
async fn notify_contact(ctx: &Ctx, id: &EndpointId, url: &str, to: &str, reason: &str) {
    let built = super::plain_email(
        &ctx.settings,
        to,
        format!("{}: webhook endpoint disabled", ctx.settings.raw.page.name),
        format!(
            "Your webhook endpoint {url} (id {id}) was disabled: {reason}.\n\n\
             Updates published from now on are not queued for it. Fix the receiver, then \
             enable it again (POST /api/v1/endpoints/{id}/enable with {{\"replay\": true}}) \
             to receive what it missed.\n"
        ),
    );
    let result = match built {
        Ok(message) => ctx.outbound.send_email(message).await,
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!(endpoint = %id, error = %e, "cannot email the endpoint's contact");
    }
}

impl Channel for WebhookChannel {
    type Job = Job;

    fn name(&self) -> &'static str {
        "webhook"
    }

    /// One request per call, so a slow endpoint holds one of `webhook.concurrency` requests,
    /// and every other result is recorded (freeing that biller's next update) as it comes.
    fn max_batch(&self) -> usize {
        1
    }

    fn rate_per_second(&self) -> u32 {
        self.ctx.settings.raw.webhook.rate_per_second
    }

    fn concurrency(&self) -> usize {
        self.ctx.settings.raw.webhook.concurrency as usize
    }

    /// Once a minute (on the channel's clock), disables the endpoints that have been failing
    /// for `webhook.disable_after_hours`. A failed attempt checks its own endpoint; this finds
    /// the ones with no attempt left to check them: a notice's retries end after about three
    /// days, and an endpoint down for longer with nothing new to send was never disabled.
    async fn tend(&self) {
        let now = self.ctx.clock.now();
        {
            let Ok(mut last) = self.tended.lock() else {
                return;
            };
            if last.is_some_and(|t| now - t < chrono::Duration::seconds(TEND_EVERY_SECONDS)) {
                return;
            }
            *last = Some(now);
        }
        match self
            .ctx
            .store
            .failing_endpoints(now - self.disable_after())
            .await
        {
            Ok(failing) => {
                for (id, url, contact_email, since) in failing {
                    self.disable_failing(&id, &url, &contact_email, since, now)
                        .await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot look for failing endpoints"),
        }
    }

    /// The batch's endpoints in one query: a rotation, a new URL or a disabling applies from
    /// the next claimed batch, in every process.
    async fn prefetch(&self, claimed: &[Claimed]) {
        let mut ids: Vec<EndpointId> = claimed
            .iter()
            .filter_map(|d| d.endpoint_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let read = self
            .ctx
            .store
            .signing_materials(&ids, self.ctx.clock.now())
            .await;
        let Ok(mut map) = self.materials.lock() else {
            return;
        };
        match read {
            Ok(materials) => {
                if map.len() + materials.len() > KEPT_ENDPOINTS {
                    map.clear();
                }
                map.extend(
                    materials
                        .into_iter()
                        .map(|(id, m)| (id, Arc::new(Ready::new(m, self.policy)))),
                );
            }
            Err(e) => {
                // Nothing older is used: each request reads its endpoint itself.
                tracing::warn!(error = %e, "cannot read the batch's endpoints");
                for id in &ids {
                    map.remove(id);
                }
            }
        }
    }

    fn prepare(&self, d: &Claimed, _address: &str, m: &UpdateMessage) -> Result<Job, String> {
        let endpoint_id = d
            .endpoint_id
            .clone()
            .ok_or("the delivery names no endpoint")?;
        let material = self
            .materials
            .lock()
            .ok()
            .and_then(|map| map.get(&endpoint_id).cloned());
        Ok(Job {
            delivery_id: d.id.clone(),
            endpoint_id,
            body: m.text.clone(),
            material,
        })
    }

    async fn send(&self, jobs: Vec<Job>) -> Vec<Outcome> {
        self.send_detailed(jobs)
            .await
            .into_iter()
            .map(|(o, _)| o)
            .collect()
    }

    async fn send_detailed(&self, jobs: Vec<Job>) -> Vec<(Outcome, Option<Answer>)> {
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            out.push(self.send_one(job).await);
        }
        out
    }

    fn backoff(&self, _configured: Backoff) -> Backoff {
        let webhook = &self.ctx.settings.raw.webhook;
        Backoff::scheduled(
            schedule(&webhook.retry_schedule),
            f64::from(webhook.retry_jitter_percent) / 100.0,
        )
    }
}

/// A Standard Webhooks request's headers for `body`, signed with every live secret.
fn signed(
    signer: &signing::Signer,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> [(HeaderName, HeaderValue); 3] {
    let signature = signer.header(id, timestamp, body);
    // The id (a delivery id, or test_ and a UUID) and the base64 signature are always valid
    // header values; were one not, it would go out empty and the receiver would refuse the
    // delivery, rather than the worker panicking.
    let value = |s: String| HeaderValue::try_from(s).unwrap_or(HeaderValue::from_static(""));
    [
        (HeaderName::from_static("webhook-id"), value(id.to_string())),
        (
            HeaderName::from_static("webhook-timestamp"),
            HeaderValue::from(timestamp),
        ),
        (
            HeaderName::from_static("webhook-signature"),
            value(signature),
        ),
    ]
}

fn client(settings: &crate::config::Settings, policy: Policy) -> anyhow::Result<HookClient> {
    HookClient::new(
        policy,
        Duration::from_secs(5),
        Duration::from_secs(u64::from(settings.raw.webhook.timeout_seconds)),
    )
}

/// `webhook.retry_schedule`: seconds before each attempt, comma-separated (validated at start).
pub fn schedule(raw: &str) -> Vec<Duration> {
    raw.split(',')
        .filter_map(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .collect()
}

/// What a test ping did ([`send_test`]): the API answers it as is, the console says it in
/// a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingResult {
    /// The endpoint answered 2xx.
    pub ok: bool,
    /// The `webhook-id` the ping went with; `None` when it was refused before it was built.
    pub webhook_id: Option<String>,
    /// The HTTP status it answered, if it got that far.
    pub status: Option<u16>,
    /// From the request's start to the end of the answer (or of the failure).
    pub latency_ms: Option<u64>,
    /// The first KB of its answer.
    pub response: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

impl PingResult {
    fn failed(webhook_id: Option<String>, latency_ms: Option<u64>, error: String) -> Self {
        PingResult {
            ok: false,
            webhook_id,
            status: None,
            latency_ms,
            response: None,
            error: Some(error),
        }
    }
}

/// Sends a `test.ping` to an endpoint now, outside the outbox, and says what happened.
pub async fn send_test(
    store: &Store,
    settings: &crate::config::Settings,
    endpoint_id: &EndpointId,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<PingResult> {
    let policy = Policy::from_config(&settings.raw.webhook);
    let ready = Ready::new(store.signing_material(endpoint_id, now).await?, policy);
    let url = match &ready.url {
        Ok(u) => u,
        Err(reason) => {
            store.endpoint_refused(endpoint_id, reason).await?;
            return Ok(PingResult::failed(None, None, reason.clone()));
        }
    };
    let body = crate::render::webhook::test_ping(settings, now).to_string();
    let id = format!("test_{}", uuid::Uuid::now_v7());
    let started = Instant::now();
    let client = client(settings, policy)?;
    let headers = signed(&ready.signer, &id, now.timestamp(), body.as_bytes());
    let sent = client
        .post_to(url, &headers, body.into(), KEEP, READ_LIMIT)
        .await;
    let latency_ms = Some(started.elapsed().as_millis() as u64);
    Ok(match sent {
        Ok(r) => PingResult {
            ok: (200..300).contains(&r.status),
            webhook_id: Some(id),
            status: Some(r.status),
            latency_ms,
            response: Some(r.body),
            error: None,
        },
        Err(Failure::Refused(why)) => {
            store.endpoint_refused(endpoint_id, &why).await?;
            PingResult::failed(Some(id), latency_ms, why)
        }
        Err(e @ Failure::Unfinished { status, .. }) => PingResult {
            status: Some(status),
            ..PingResult::failed(Some(id), latency_ms, e.to_string())
        },
        Err(e) => PingResult::failed(Some(id), latency_ms, e.to_string()),
    })
}
