//! The outbox worker: claim a batch, send it, record what happened, repeat.
//!
//! One worker runs per channel per process. It claims `delivery.batch_size` due rows under a
//! lease, turns each into the channel's job from the update's stored rendering (only the
//! unsubscribe link is per recipient), and queues them in chunks (a call's worth each) for
//! `*.concurrency` sender tasks, each of which takes the next chunk as soon as its call is
//! done. A token bucket (`*.rate_per_second`) paces the chunks; a provider that throttles
//! pauses the whole channel for its Retry-After. Once every chunk of a batch is under way the
//! next batch is claimed (while calls are quick, already once half of its rounds are left),
//! and results are written back by a recorder task while later chunks are sent, one
//! transaction for whatever has queued up, so the database work overlaps the sending instead
//! of adding to it.
//!
//! Shutdown: when `cancel` fires the worker claims nothing more, gives back the rows it has not
//! started, and waits for the chunks in flight and the recorder so every result is written. If
//! the process dies instead, the lease runs out and another worker (or this one, restarted)
//! takes the rows: at most the messages in flight or sent but not yet recorded at the kill go
//! out twice (the recorder's queue is bounded, so that is at most four rounds of chunks).

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::FutureExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::metrics::DeliveryMetrics;
use super::policy::{Backoff, Next};
use super::{Outbound, Outcome, SmsJob};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::{DeliveryId, SubscriberId, UpdateId, UpdateMessage};
use crate::render::messages::{Envelope, RenderedEmail};
use crate::store::{Claimed, Finish, Finished, Store};

/// What every worker needs, bundled once.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub outbound: Arc<Outbound>,
    pub link_key: Arc<String>,
    pub metrics: Arc<DeliveryMetrics>,
    /// Names this process in `delivery_attempts.worker`.
    pub worker_id: String,
}

/// A way out for messages: SMS, email and biller webhooks each implement it.
pub trait Channel: Send + Sync + 'static {
    type Job: Send + 'static;
    fn name(&self) -> &'static str;
    /// Jobs one `send` call takes (a bulk SMS request takes many).
    fn max_batch(&self) -> usize;
    fn rate_per_second(&self) -> u32;
    fn concurrency(&self) -> usize;
    /// One job from a claimed delivery with a confirmed address and its update's rendering;
    /// an error fails the delivery with that reason.
    fn prepare(&self, d: &Claimed, address: &str, m: &UpdateMessage) -> Result<Self::Job, String>;
    /// One outcome per job, in order.
    fn send(&self, jobs: Vec<Self::Job>) -> impl Future<Output = Vec<Outcome>> + Send;
    /// Like `send`, with what an HTTP peer answered for each job (for the attempt log).
    fn send_detailed(
        &self,
        jobs: Vec<Self::Job>,
    ) -> impl Future<Output = Vec<(Outcome, Option<Answer>)>> + Send {
        async move {
            self.send(jobs)
                .await
                .into_iter()
                .map(|o| (o, None))
                .collect()
        }
    }
    /// Reads, once per claimed batch and before its jobs are prepared, what the channel needs
    /// per batch rather than per message (webhooks: the endpoints' URLs and secrets).
    fn prefetch(&self, _claimed: &[Claimed]) -> impl Future<Output = ()> + Send {
        async {}
    }
    /// Housekeeping beside the sending, called at every turn of the worker's loop, so it
    /// must be cheap when there is nothing to do (webhooks: disabling endpoints that have
    /// failed for too long).
    fn tend(&self) -> impl Future<Output = ()> + Send {
        async {}
    }
    /// The retry schedule; the channel's own (webhooks) or `delivery.*`.
    fn backoff(&self, configured: Backoff) -> Backoff {
        configured
    }
}

/// What an HTTP endpoint answered to one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// `None` when the request got no answer (it timed out, say).
    pub status: Option<u16>,
    /// The first KB of the body.
    pub body: String,
    /// When the request itself went out (on the channel's clock) and how long it took, for a
    /// call that may wait before it (webhooks: an endpoint's pause or rate limit); the attempt
    /// records these rather than the whole call's.
    pub request: Option<(chrono::DateTime<Utc>, Duration)>,
}

pub struct SmsChannel {
    outbound: Arc<Outbound>,
    sender: String,
    rate: u32,
    concurrency: usize,
}

impl SmsChannel {
    pub fn new(ctx: &Ctx) -> SmsChannel {
        let sms = &ctx.settings.raw.sms;
        SmsChannel {
            outbound: ctx.outbound.clone(),
            sender: sms.sender.clone(),
            rate: sms.rate_per_second,
            concurrency: sms.concurrency as usize,
        }
    }
}

impl Channel for SmsChannel {
    /// The job and the notice's reference (which labels the file sink's lines).
    type Job = (SmsJob, String);

    fn name(&self) -> &'static str {
        "sms"
    }

    fn max_batch(&self) -> usize {
        self.outbound.sms_batch()
    }

    fn rate_per_second(&self) -> u32 {
        self.rate
    }

    fn concurrency(&self) -> usize {
        self.concurrency
    }

    fn prepare(
        &self,
        d: &Claimed,
        address: &str,
        m: &UpdateMessage,
    ) -> Result<(SmsJob, String), String> {
        let job = SmsJob {
            delivery_id: d.id.to_string(),
            to: address.to_string(),
            from: self.sender.clone(),
            text: m.text.clone(),
        };
        Ok((job, d.reference.clone()))
    }

    async fn send(&self, jobs: Vec<(SmsJob, String)>) -> Vec<Outcome> {
        let (jobs, refs): (Vec<SmsJob>, Vec<String>) = jobs.into_iter().unzip();
        let refs: Vec<Option<&str>> = refs.iter().map(|r| Some(r.as_str())).collect();
        self.outbound.sms(&jobs, &refs).await
    }
}

pub struct EmailChannel {
    outbound: Arc<Outbound>,
    from: String,
    mailto: String,
    public_url: String,
    link_key: Arc<String>,
    settings: Arc<Settings>,
    rate: u32,
    concurrency: usize,
}

impl EmailChannel {
    pub fn new(ctx: &Ctx) -> EmailChannel {
        let from = ctx.settings.raw.subscribers.email_from.clone();
        let mailto = from
            .parse::<lettre::message::Mailbox>()
            .map(|m| m.email.to_string())
            .unwrap_or_default();
        EmailChannel {
            outbound: ctx.outbound.clone(),
            from,
            mailto,
            public_url: ctx.settings.public_url.clone(),
            link_key: ctx.link_key.clone(),
            settings: ctx.settings.clone(),
            rate: ctx.settings.raw.email.rate_per_second,
            concurrency: ctx.settings.raw.email.concurrency as usize,
        }
    }
}

impl Channel for EmailChannel {
    type Job = (DeliveryId, lettre::Message);

    fn name(&self) -> &'static str {
        "email"
    }

    fn max_batch(&self) -> usize {
        1
    }

    fn rate_per_second(&self) -> u32 {
        self.rate
    }

    fn concurrency(&self) -> usize {
        self.concurrency
    }

    fn prepare(
        &self,
        d: &Claimed,
        address: &str,
        m: &UpdateMessage,
    ) -> Result<(DeliveryId, lettre::Message), String> {
        let subscriber = d.subscriber_id.as_ref().map_or("", SubscriberId::as_str);
        let unsubscribe_url = format!(
            "{}/unsubscribe/{}",
            self.public_url,
            super::recipient_token(&self.link_key, subscriber)
        );
        let message_id = super::message_id(&self.settings, &d.id.as_str().replace(':', "."));
        let rendered = RenderedEmail {
            subject: m.subject.clone(),
            text: m.text.clone(),
            html: m.html.clone(),
        };
        rendered
            .message(&Envelope {
                from: &self.from,
                to: address,
                unsubscribe_url: &unsubscribe_url,
                unsubscribe_mailto: &self.mailto,
                message_id: &message_id,
            })
            .map(|message| (d.id.clone(), message))
            .map_err(|e| format!("cannot build the email: {e}"))
    }

    async fn send(&self, jobs: Vec<(DeliveryId, lettre::Message)>) -> Vec<Outcome> {
        let mut out = Vec::with_capacity(jobs.len());
        for (id, message) in jobs {
            out.push(self.outbound.email(message, Some(id.as_str())).await);
        }
        out
    }
}

/// What the chunks in flight share: the pause a throttling provider asked for.
struct Pace {
    limiter: DefaultDirectRateLimiter,
    paused_until: Mutex<Option<Instant>>,
}

impl Pace {
    fn pause_for(&self, d: Duration) {
        if let Ok(mut p) = self.paused_until.lock() {
            let until = Instant::now() + d;
            if p.is_none_or(|old| old < until) {
                *p = Some(until);
            }
        }
    }

    async fn wait(&self, n: u32) {
        let until = self.paused_until.lock().ok().and_then(|p| *p);
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
        let n = NonZeroU32::new(n.max(1)).expect("at least one");
        // A chunk is never larger than the burst (see `run`), so this cannot be refused.
        let _ = self.limiter.until_n_ready(n).await;
    }
}

/// Runs one channel's worker until `cancel` fires.
pub async fn run<C: Channel>(ctx: Ctx, channel: C, cancel: CancellationToken) {
    let channel = Arc::new(channel);
    let rate = channel.rate_per_second().max(1);
    let chunk_size = channel.max_batch().clamp(1, rate as usize);
    let burst = NonZeroU32::new(rate).expect("rate is at least one");
    let pace = Arc::new(Pace {
        limiter: RateLimiter::direct(Quota::per_second(burst).allow_burst(burst)),
        paused_until: Mutex::new(None),
    });
    let concurrency = channel.concurrency().max(1);
    let poll = Duration::from_millis(u64::from(ctx.settings.raw.delivery.poll_millis));
    let lease = chrono::Duration::seconds(i64::from(ctx.settings.raw.delivery.lease_seconds));
    // A claim holds a few rounds of calls (see `rounds_for`), and the next is claimed only
    // once every chunk of this one is under way, so a claimed row waits at most one round
    // more: at the pace the calls keep, it is sent well within its lease, so no other worker
    // takes it over while it is still being sent (Twilio, calls of a second: 8 rows at 4 in
    // flight, not 100), and no more than the channel's rate sends in half the lease
    // (`paced_rows`). Rows whose calls slowed down since are given back near the lease's end
    // (`send_chunks`).
    let round = chunk_size * concurrency;
    let most = (ctx.settings.raw.delivery.batch_size as usize)
        .max(1)
        .min(paced_rows(rate, chunk_size, lease));
    // The slowest call since the last claim, in ms and plus one (0: none ended since); the
    // last one measured sizes the claims until another ends.
    let slowest = Arc::new(AtomicU64::new(0));
    let mut recent: Option<Duration> = None;
    let backoff = channel.backoff(Backoff::from_settings(&ctx.settings.raw.delivery));
    let mut messages: Renderings = HashMap::new();
    // Results are recorded by a task of their own while the next chunks are sent; it wakes
    // the claim loop after each write, because a recorded row can free a later one (webhooks
    // keep a notice's updates in order per endpoint).
    let recorded = Arc::new(Notify::new());
    // The queue holds one round of chunks. Full, it holds up the senders whose chunks finished
    // (they take no new chunk until theirs is queued), so sent-but-unrecorded results (what a
    // kill -9 would send again) stay within four rounds: one in flight, one queued, up to two
    // being written (a transaction of two rounds costs less per row than two of one each).
    let (results, queue) = mpsc::channel::<Vec<Finished>>(concurrency);
    let recorder = tokio::spawn(record(
        ctx.clone(),
        channel.name(),
        queue,
        recorded.clone(),
        chunk_size * concurrency * 2,
    ));
    let sending = Arc::new(Sending {
        ctx: ctx.clone(),
        channel: channel.clone(),
        pace,
        backoff,
        results,
        slowest: slowest.clone(),
        chunks: Chunks::default(),
        lease,
        cancel: cancel.clone(),
    });
    // `concurrency` senders, each taking the next chunk as soon as its call is done: no task
    // per call to start and wake (which, with a permit to wait for, was two task wake-ups per
    // webhook).
    let mut senders: JoinSet<()> = JoinSet::new();
    for _ in 0..concurrency {
        senders.spawn(send_chunks(sending.clone()));
    }
    tracing::info!(channel = channel.name(), worker = %ctx.worker_id, "delivery worker started");
    while !cancel.is_cancelled() {
        // A sender that panicked left its chunk's rows leased (they are retried when the
        // lease ends); another takes its place.
        while let Some(joined) = senders.try_join_next() {
            log_panic(channel.name(), joined);
            senders.spawn(send_chunks(sending.clone()));
        }
        channel.tend().await;
        if let Some(ms) = slowest.swap(0, Ordering::Relaxed).checked_sub(1) {
            recent = Some(Duration::from_millis(ms));
        }
        let rounds = rounds_for(recent, lease);
        let want = (round * rounds).min(most);
        let claimed = match ctx
            .store
            .claim_deliveries(channel.name(), want, lease, ctx.clock.now())
            .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(channel = channel.name(), error = %e, "cannot claim deliveries");
                idle(&cancel, Duration::from_secs(1), None).await;
                continue;
            }
        };
        if claimed.is_empty() {
            // Woken early when results are written, if chunks are still out.
            let wake = sending.chunks.busy().then_some(&*recorded);
            idle(&cancel, poll, wake).await;
            continue;
        }
        let full = claimed.len() >= want;
        if let Err(e) = load_messages(&ctx, channel.name(), &claimed, &mut messages).await {
            tracing::warn!(channel = channel.name(), error = %e, "cannot load rendered messages");
            let _ = ctx
                .store
                .release_deliveries(&claimed, ctx.clock.now())
                .await;
            idle(&cancel, Duration::from_secs(1), None).await;
            continue;
        }
        channel.prefetch(&claimed).await;
        let (ready, finished) = prepare(&ctx, &*channel, claimed, &messages);
        if !finished.is_empty() {
            // The receiver lives until every sender is gone.
            let _ = sending.results.send(finished).await;
        }
        // While calls are quick (claims hold more than the least rounds, and the pace does
        // not cut them shorter) and this claim was full, the next is claimed once half of this
        // one's rounds are left to go out, so the sending does not stop while the database
        // claims (claiming only once every chunk was under way let the calls in flight run
        // out while the claim waited its turn on the writer). Its rows wait those rounds
        // more: as a claim's rounds fit in half the lease, within a quarter of it. A claim
        // the pace cuts short already takes half the lease to go out at that pace, so the
        // next waits for it to be under way.
        let quick = rounds > ROUNDS.0 && round * rounds <= most;
        let lead = if quick && full {
            round * (rounds / 2)
        } else {
            0
        };
        let mut ready = ready.into_iter().peekable();
        let mut chunks = Vec::new();
        while ready.peek().is_some() {
            chunks.push(ready.by_ref().take(chunk_size).collect());
        }
        sending.chunks.push(chunks);
        sending.chunks.wait_until_at_most(lead, &cancel).await;
    }
    // Shutdown: the senders take no more chunks and finish the calls under way; what is still
    // queued goes back untried; then every result is written before returning.
    while let Some(joined) = senders.join_next().await {
        log_panic(channel.name(), joined);
    }
    let unsent: Vec<Claimed> = sending
        .chunks
        .take_all()
        .into_iter()
        .flatten()
        .map(|(d, _)| d)
        .collect();
    if !unsent.is_empty()
        && let Err(e) = ctx.store.release_deliveries(&unsent, ctx.clock.now()).await
    {
        tracing::warn!(channel = channel.name(), error = %e, "cannot give back claimed deliveries; they wait for their lease");
    }
    // The recorder ends once every sender of results is gone.
    drop(sending);
    if let Err(e) = recorder.await {
        tracing::error!(channel = channel.name(), error = %e, "the result recorder failed");
    }
    tracing::info!(channel = channel.name(), "delivery worker stopped");
}

fn log_panic(channel: &str, joined: Result<(), tokio::task::JoinError>) {
    // A panicking send leaves its rows leased; they are retried when the lease ends.
    if let Err(e) = joined {
        tracing::error!(channel, error = %e, "a send task failed");
    }
}

async fn idle(cancel: &CancellationToken, d: Duration, wake: Option<&Notify>) {
    let woken = async {
        match wake {
            Some(n) => n.notified().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = tokio::time::sleep(d) => {}
        _ = woken => {}
    }
}

/// Rounds of calls a claim holds at least, and at most.
const ROUNDS: (usize, usize) = (2, 8);

/// How many rounds of calls the next claim holds: as many as the slowest recent call fits in
/// half the lease, from two (also before any call has ended) to eight. While calls are quick
/// the claims are larger, and claiming costs less per message (a claim's transaction and its
/// reads of endpoints and renderings are shared by more rows); slow calls keep them small, so
/// the rows of a claim go out well within its lease.
fn rounds_for(slowest: Option<Duration>, lease: chrono::Duration) -> usize {
    let (least, most) = ROUNDS;
    let Some(slowest) = slowest else {
        return least;
    };
    let half = lease.to_std().unwrap_or_default() / 2;
    let fit = half.as_millis() / slowest.as_millis().max(1);
    (fit.min(most as u128) as usize).max(least)
}

/// The most rows a claim holds at the channel's pace: what `rate` per second lets out in
/// half the lease, and at least one chunk. However quick the calls, a claim at a low rate
/// (SMS at 1/s, 32 in flight: eight rounds are 256 rows, over four minutes) would otherwise
/// hold more than its lease can send, and the rest would wait out their turn only to be
/// given back.
fn paced_rows(rate: u32, chunk_size: usize, lease: chrono::Duration) -> usize {
    let half = u64::try_from(lease.num_seconds() / 2).unwrap_or(0);
    let rows = u64::from(rate).saturating_mul(half);
    usize::try_from(rows).unwrap_or(usize::MAX).max(chunk_size)
}

/// How long the recorder waits for more results before writing what it has.
const GATHER: Duration = Duration::from_millis(2);

/// Writes results as they come: what has queued up, and what arrives within [`GATHER`] of
/// the first, up to `gather` (two rounds of chunks), in one transaction.
async fn record(
    ctx: Ctx,
    name: &'static str,
    mut queue: mpsc::Receiver<Vec<Finished>>,
    recorded: Arc<Notify>,
    gather: usize,
) {
    let mut pending: Vec<Finished> = Vec::new();
    while let Some(first) = queue.recv().await {
        pending.extend(first);
        // What arrives within a moment joins the same transaction, up to two rounds of chunks
        // (so the four-round bound above holds): single-request channels (webhooks)
        // otherwise write a few rows at a time.
        let until = tokio::time::Instant::now() + GATHER;
        while pending.len() < gather {
            match tokio::time::timeout_at(until, queue.recv()).await {
                Ok(Some(more)) => pending.extend(more),
                _ => break,
            }
        }
        for f in &pending {
            ctx.metrics.count(name, &f.finish);
        }
        // The messages are out; losing their results would send them again after the lease,
        // so keep trying to record them for a while.
        let mut tries = 0;
        while let Err(e) = ctx
            .store
            .finish_deliveries(&ctx.worker_id, &pending, ctx.clock.now())
            .await
        {
            tries += 1;
            tracing::warn!(channel = name, error = %e, tries, "cannot record delivery results");
            if tries >= 10 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200 * tries)).await;
        }
        pending.clear();
        recorded.notify_one();
    }
}

/// Updates whose renderings are kept (each has one per language); the cache is small and is
/// emptied when it grows past this, so memory stays bounded.
const KEPT_RENDERINGS: usize = 256;

/// Renderings by update, then by language: looked up by borrowed ids, with no key built per
/// message.
type Renderings = HashMap<UpdateId, HashMap<String, UpdateMessage>>;

/// Loads the renderings of updates not seen yet into `cache`.
async fn load_messages(
    ctx: &Ctx,
    channel: &str,
    claimed: &[Claimed],
    cache: &mut Renderings,
) -> anyhow::Result<()> {
    let missing = missing_updates(claimed, cache);
    if missing.is_empty() {
        return Ok(());
    }
    for ((update, ch, lang), m) in ctx.store.update_messages(&missing).await? {
        if ch == channel {
            cache.entry(update).or_default().insert(lang, m);
        }
    }
    Ok(())
}

/// The updates of `claimed` whose renderings `cache` lacks, after emptying it if it has grown
/// past [`KEPT_RENDERINGS`]: emptied first, so a batch whose renderings were partly cached
/// has them all read again (emptied after, the cached ones were lost and their deliveries
/// failed with "no rendering stored").
fn missing_updates(claimed: &[Claimed], cache: &mut Renderings) -> Vec<UpdateId> {
    if cache.len() > KEPT_RENDERINGS {
        cache.clear();
    }
    let mut missing: Vec<UpdateId> = claimed
        .iter()
        .filter(|c| {
            cache
                .get(&c.update_id)
                .is_none_or(|m| !m.contains_key(&c.language))
        })
        .map(|c| c.update_id.clone())
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// A claimed chunk: the rows one call carries, each with its job.
type Chunk<J> = Vec<(Claimed, J)>;

/// What the senders share: the queue of claimed chunks and what a call needs.
struct Sending<C: Channel> {
    ctx: Ctx,
    channel: Arc<C>,
    pace: Arc<Pace>,
    backoff: Backoff,
    /// To the recorder, which ends when the last of these is dropped.
    results: mpsc::Sender<Vec<Finished>>,
    /// Where each chunk leaves how long its calls took (see `run`).
    slowest: Arc<AtomicU64>,
    chunks: Chunks<C::Job>,
    /// How long a claim holds its rows; a chunk is sent only with a quarter of it left.
    lease: chrono::Duration,
    cancel: CancellationToken,
}

/// Claimed chunks waiting for a sender, in the order they were claimed. Senders take them
/// one at a time, each once the pace lets it go, so what is queued is what is not under way:
/// the claim loop claims again when it runs low, and it goes back untried when the worker
/// stops.
struct Chunks<J> {
    queue: Mutex<Queued<J>>,
    /// Whose turn it is to wait for the pace and take the next chunk.
    turn: tokio::sync::Mutex<()>,
    /// A chunk was queued: idle senders wait here.
    queued: Notify,
    /// A chunk was taken: the claim loop waits here for the queue to run low.
    taken: Notify,
}

struct Queued<J> {
    chunks: std::collections::VecDeque<Chunk<J>>,
    /// Rows in `chunks`.
    rows: usize,
    /// Chunks a sender has taken and not yet handed to the recorder.
    out: usize,
}

impl<J> Default for Chunks<J> {
    fn default() -> Self {
        Chunks {
            queue: Mutex::new(Queued {
                chunks: Default::default(),
                rows: 0,
                out: 0,
            }),
            turn: tokio::sync::Mutex::new(()),
            queued: Notify::new(),
            taken: Notify::new(),
        }
    }
}

impl<J> Chunks<J> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queued<J>> {
        // Nothing panics while holding it; a poisoned queue is still consistent.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, chunks: Vec<Chunk<J>>) {
        {
            let mut q = self.lock();
            q.rows += chunks.iter().map(Vec::len).sum::<usize>();
            q.chunks.extend(chunks);
        }
        self.queued.notify_waiters();
    }

    /// The next chunk, in this sender's turn, once there is one and the pace lets it go;
    /// `None` once `cancel` has fired.
    async fn next(&self, cancel: &CancellationToken, pace: &Pace) -> Option<Chunk<J>> {
        let _turn = tokio::select! {
            _ = cancel.cancelled() => return None,
            turn = self.turn.lock() => turn,
        };
        loop {
            let queued = self.queued.notified();
            tokio::pin!(queued);
            // Registered before looking, so a chunk queued in between still wakes this one.
            queued.as_mut().enable();
            if cancel.is_cancelled() {
                return None;
            }
            let front = self.lock().chunks.front().map(Vec::len);
            let Some(len) = front else {
                tokio::select! {
                    _ = cancel.cancelled() => return None,
                    _ = queued => continue,
                }
            };
            tokio::select! {
                _ = cancel.cancelled() => return None,
                _ = pace.wait(len as u32) => {}
            }
            let taken = {
                let mut q = self.lock();
                let chunk = q.chunks.pop_front();
                if let Some(c) = &chunk {
                    q.rows -= c.len();
                    q.out += 1;
                }
                chunk
            };
            // (Gone meanwhile only if a lapsing claim took its chunks back.)
            if let Some(chunk) = taken {
                self.taken.notify_one();
                return Some(chunk);
            }
        }
    }

    /// A taken chunk's results are queued for the recorder (or it went back).
    fn done(&self) {
        self.lock().out -= 1;
    }

    /// The queued chunks of one claim, taken out.
    fn take_claim(&self, owner: &str) -> Vec<Chunk<J>> {
        let mut q = self.lock();
        let (theirs, others): (Vec<_>, Vec<_>) = std::mem::take(&mut q.chunks)
            .into_iter()
            .partition(|c| c.first().is_some_and(|(d, _)| d.lease_owner == owner));
        q.chunks = others.into();
        q.rows -= theirs.iter().map(Vec::len).sum::<usize>();
        theirs
    }

    fn take_all(&self) -> Vec<Chunk<J>> {
        let mut q = self.lock();
        q.rows = 0;
        q.chunks.drain(..).collect()
    }

    /// Whether any chunk is queued or being sent.
    fn busy(&self) -> bool {
        let q = self.lock();
        q.rows > 0 || q.out > 0
    }

    /// Returns once at most `rows` rows are queued (or `cancel` fires).
    async fn wait_until_at_most(&self, rows: usize, cancel: &CancellationToken) {
        loop {
            let taken = self.taken.notified();
            tokio::pin!(taken);
            taken.as_mut().enable();
            if self.lock().rows <= rows {
                return;
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = taken => {}
            }
        }
    }
}

/// One of a worker's `concurrency` senders: takes the next chunk as the pace allows, makes the
/// call and hands the results to the recorder, until the worker stops.
async fn send_chunks<C: Channel>(s: Arc<Sending<C>>) {
    let name = s.channel.name();
    while let Some(chunk) = s.chunks.next(&s.cancel, &s.pace).await {
        // A chunk whose lease would end before its calls could is given back instead of
        // sent: once the lease ends another claim may take the rows, and both would send
        // them. (The rows of a claim share one lease, so its queued chunks go back with it.)
        let left = chunk[0].0.lease_until - s.ctx.clock.now();
        if left < s.lease / 4 {
            tracing::warn!(
                channel = name,
                left_ms = left.num_milliseconds(),
                "lease nearly over before sending; giving the rows back"
            );
            let owner = chunk[0].0.lease_owner.clone();
            let rows: Vec<Claimed> = std::iter::once(chunk)
                .chain(s.chunks.take_claim(&owner))
                .flatten()
                .map(|(d, _)| d)
                .collect();
            s.ctx.metrics.given_back(name, rows.len());
            if let Err(e) = s
                .ctx
                .store
                .release_deliveries(&rows, s.ctx.clock.now())
                .await
            {
                tracing::warn!(channel = name, error = %e, "cannot give back unsent deliveries; they wait for their lease");
            }
            s.chunks.done();
            continue;
        }
        // Boxed: the call's future is thousands of bytes for a webhook, and the loop's own
        // future would otherwise carry it. A call that panics leaves its rows leased (they are
        // tried again when the lease ends); the sender goes on with the next chunk.
        let sent = std::panic::AssertUnwindSafe(Box::pin(s.send(chunk)))
            .catch_unwind()
            .await;
        if sent.is_err() {
            tracing::error!(
                channel = name,
                "a send panicked; its rows wait for their lease"
            );
        }
        s.chunks.done();
    }
}

impl<C: Channel> Sending<C> {
    /// One call with a chunk, its results queued for the recorder. The sender waits for room
    /// in that queue: a recorder that falls behind slows the sending instead of piling up
    /// results in memory.
    async fn send(&self, chunk: Chunk<C::Job>) {
        let clock = &self.ctx.clock;
        let (claims, jobs): (Vec<Claimed>, Vec<C::Job>) = chunk.into_iter().unzip();
        let started_at = clock.now();
        let started = Instant::now();
        let outcomes = self.channel.send_detailed(jobs).await;
        let elapsed = started.elapsed();
        self.slowest
            .fetch_max(elapsed.as_millis() as u64 + 1, Ordering::Relaxed);
        self.ctx
            .metrics
            .observe_send(self.channel.name(), elapsed, claims.len());
        let now = clock.now();
        let done: Vec<Finished> = claims
            .into_iter()
            .zip(outcomes.into_iter().chain(std::iter::repeat_with(|| {
                (
                    Outcome::retry("the channel gave no answer for this message"),
                    None,
                )
            })))
            .map(|(d, (outcome, answer))| {
                let (started_at, took) = answer
                    .as_ref()
                    .and_then(|a| a.request)
                    .unwrap_or((started_at, elapsed));
                let status = answer.as_ref().and_then(|a| a.status);
                Finished {
                    finish: finish_of(&self.backoff, &self.pace, &d, outcome, now),
                    id: d.id,
                    row: d.row,
                    attempt: d.attempt,
                    started_at,
                    latency_ms: took.as_millis() as i64,
                    status_code: status.map(i64::from),
                    // Only an answer has a body to keep.
                    response: answer.filter(|_| status.is_some()).map(|a| a.body),
                }
            })
            .collect();
        let _ = self.results.send(done).await;
    }
}

/// Each claimed row's job, from its address and its update's rendering; the rows that cannot
/// be sent (the subscriber left, no rendering, a job that cannot be built) as results.
fn prepare<C: Channel>(
    ctx: &Ctx,
    channel: &C,
    claimed: Vec<Claimed>,
    messages: &Renderings,
) -> (Vec<(Claimed, C::Job)>, Vec<Finished>) {
    let name = channel.name();
    let now = ctx.clock.now();
    let mut finished: Vec<Finished> = Vec::new();
    let mut ready: Vec<(Claimed, C::Job)> = Vec::with_capacity(claimed.len());
    for d in claimed {
        let done = |finish| Finished {
            id: d.id.clone(),
            row: d.row,
            attempt: d.attempt,
            started_at: now,
            latency_ms: 0,
            finish,
            status_code: None,
            response: None,
        };
        let Some(address) = d.address.as_deref() else {
            finished.push(done(Finish::Cancelled {
                reason: "the subscriber left before this was sent".into(),
            }));
            continue;
        };
        // A language dropped from page.languages since the fan-out: send the default one.
        let message = messages.get(&d.update_id).and_then(|m| {
            m.get(&d.language)
                .or_else(|| m.get(ctx.settings.default_lang().code()))
        });
        let Some(message) = message else {
            finished.push(done(Finish::Failed {
                error: format!("no {name} rendering stored for update {}", d.update_id),
            }));
            continue;
        };
        match channel.prepare(&d, address, message) {
            Ok(job) => ready.push((d, job)),
            Err(error) => finished.push(done(Finish::Failed { error })),
        }
    }
    (ready, finished)
}

fn finish_of(
    backoff: &Backoff,
    pace: &Pace,
    d: &Claimed,
    outcome: Outcome,
    now: chrono::DateTime<Utc>,
) -> Finish {
    match outcome {
        Outcome::Sent { provider_id } => Finish::Sent { provider_id },
        Outcome::Failed { error } => Finish::Failed { error },
        Outcome::NotSent { wait, reason } => Finish::Deferred {
            at: now + chrono::Duration::from_std(wait).unwrap_or_default(),
            reason,
        },
        Outcome::Retry {
            error,
            retry_after,
            throttled,
        } => {
            if throttled {
                pace.pause_for(retry_after.unwrap_or(Duration::from_secs(1)));
            }
            match backoff.next(d.tries, retry_after) {
                Next::RetryIn(delay) => Finish::Retry {
                    at: now + chrono::Duration::from_std(delay).unwrap_or_default(),
                    error,
                },
                Next::GiveUp => Finish::Failed {
                    error: format!("gave up after {} attempts: {error}", d.tries),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(update: &str, language: &str) -> Claimed {
        Claimed {
            id: DeliveryId::new(format!("{update}-{language}")),
            row: 0,
            notice_id: "n".into(),
            reference: "TGZ-1".into(),
            update_id: update.into(),
            sequence: 1,
            event: "notice.published".into(),
            language: language.into(),
            attempt: 1,
            tries: 1,
            subscriber_id: None,
            endpoint_id: None,
            address: None,
            lease_owner: "claim".into(),
            lease_until: Utc::now(),
        }
    }

    fn rendering() -> UpdateMessage {
        UpdateMessage {
            channel: "sms".into(),
            language: "en".into(),
            subject: String::new(),
            text: "text".into(),
            html: String::new(),
        }
    }

    #[test]
    fn claims_hold_more_rounds_while_calls_are_quick() {
        let lease = chrono::Duration::seconds(120);
        let ms = Duration::from_millis;
        assert_eq!(rounds_for(None, lease), 2, "no call has ended yet");
        assert_eq!(rounds_for(Some(ms(0)), lease), 8);
        assert_eq!(rounds_for(Some(ms(40)), lease), 8);
        // Half the lease is 60 s: four calls of 15 s (a webhook's timeout) fit in it.
        assert_eq!(rounds_for(Some(ms(15_000)), lease), 4);
        assert_eq!(rounds_for(Some(ms(25_000)), lease), 2);
        assert_eq!(
            rounds_for(Some(ms(90_000)), lease),
            2,
            "never fewer than two"
        );
        assert_eq!(rounds_for(Some(ms(1_000)), chrono::Duration::seconds(4)), 2);
    }

    #[test]
    fn claims_hold_what_the_pace_sends_in_half_the_lease() {
        let lease = chrono::Duration::seconds(120);
        assert_eq!(paced_rows(1, 1, lease), 60);
        assert_eq!(paced_rows(20, 20, lease), 1_200);
        assert_eq!(paced_rows(500, 1, chrono::Duration::seconds(8)), 2_000);
        assert_eq!(
            paced_rows(1, 5, chrono::Duration::seconds(4)),
            5,
            "never less than a chunk"
        );
        assert_eq!(paced_rows(u32::MAX, 1, lease), 60 * u32::MAX as usize);
    }

    #[test]
    fn a_cache_short_of_its_limit_reads_only_what_it_lacks() {
        let mut cache: Renderings = HashMap::new();
        cache
            .entry("u1".into())
            .or_default()
            .insert("en".into(), rendering());
        let batch = [
            claimed("u1", "en"),
            claimed("u2", "en"),
            claimed("u2", "sw"),
        ];
        assert_eq!(
            missing_updates(&batch, &mut cache),
            vec![UpdateId::new("u2")]
        );
        assert_eq!(cache.len(), 1, "nothing was dropped");
    }

    #[test]
    fn a_cache_emptied_for_its_size_reads_again_what_it_held() {
        let one = |m: UpdateMessage| HashMap::from([("en".to_string(), m)]);
        let mut cache: Renderings = (0..=KEPT_RENDERINGS)
            .map(|i| (UpdateId::new(format!("old{i}")), one(rendering())))
            .collect();
        cache.insert("u1".into(), one(rendering()));
        let batch = [claimed("u1", "en"), claimed("u2", "en")];
        // u1 was cached, but the cache is emptied: it must be read again with u2.
        assert_eq!(
            missing_updates(&batch, &mut cache),
            vec![UpdateId::new("u1"), UpdateId::new("u2")]
        );
        assert!(cache.is_empty());
    }
}
