//! Time-driven steps of maintenance windows, through the same path staff actions take:
//! reminders before the start (`scheduler.reminders`; SMS ones move out of
//! `scheduler.quiet_hours`, and one whose window has started is skipped, never sent late), a
//! window starts at its start (`auto_start`), completes at its end (`auto_complete`), or, past
//! its end and not done, shows as overrunning on the page, alerts staff by email, and after
//! `scheduler.overrun_grace_minutes` tells everyone it runs over (`maintenance.overrunning`)
//! without inventing a new end.
//!
//! Steps are rows re-planned in the transaction of every notice change, claimed under a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so several instances can run the scheduler and each
//! step runs once. A step that no longer applies (the window was cancelled, completed or moved)
//! is recorded as skipped with the reason. After downtime the missed steps run in due order;
//! the clock is injected, so tests play a weekend in milliseconds.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::domain::schedule::Kind;
use crate::domain::subscriber::Channel;
use crate::domain::{Action, Notice};
use crate::store::{Due, StoreError};

/// Runs due steps every `scheduler.poll_millis` until `cancel` fires.
pub async fn run(state: App, cancel: CancellationToken) {
    if let Err(e) = state.store.replan_all(state.clock.now()).await {
        tracing::warn!(error = %e, "scheduler: cannot plan the active notices");
    }
    let every = Duration::from_millis(u64::from(state.settings.raw.scheduler.poll_millis));
    let mut held = Vec::new();
    loop {
        if let Err(e) = tick_holding(&state, &mut held).await {
            tracing::warn!(error = %e, "scheduler: a tick failed; trying again");
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Runs every step due now, oldest first; returns how many ran (done or skipped).
pub async fn tick(state: &App) -> anyhow::Result<usize> {
    tick_holding(state, &mut Vec::new()).await
}

/// [`tick`], first giving back the steps in `held`: claimed by an earlier tick that the
/// database failed under, and not given back then either (they would wait for their lease).
async fn tick_holding(state: &App, held: &mut Vec<String>) -> anyhow::Result<usize> {
    while let Some(id) = held.last() {
        state.store.release_step(id).await?;
        held.pop();
    }
    let mut ran = 0;
    loop {
        let now = state.clock.now();
        let due = state
            .store
            .claim_steps(20, chrono::Duration::seconds(60), now)
            .await?;
        if due.is_empty() {
            return Ok(ran);
        }
        let mut due = due.into_iter();
        while let Some(step) = due.next() {
            let (outcome, note) = run_step(state, &step, now).await;
            if outcome == RETRY {
                // Recorded as skipped, a window would never start once the database is back:
                // this step and the rest of the claim are given back, to run again.
                held.push(step.id);
                held.extend(due.map(|s| s.id));
                anyhow::bail!("{note}; the step runs again once the database is back");
            }
            tracing::info!(notice = %step.notice_id, kind = step.kind.as_str(), outcome, %note, "scheduler step");
            state
                .store
                .finish_step(&step.id, outcome, &note, state.clock.now())
                .await?;
            ran += 1;
        }
    }
}

/// The outcome of a step the database could not run just now: it is not recorded, and runs
/// again.
const RETRY: &str = "retry";

async fn run_step(state: &App, step: &Due, now: DateTime<Utc>) -> (&'static str, String) {
    let n = match state.store.get_notice(&step.notice_id).await {
        Ok(n) => n,
        Err(StoreError::NotFound) => return ("skipped", "the notice is gone".into()),
        Err(e @ StoreError::Unavailable(_)) => return (RETRY, e.to_string()),
        Err(e) => return ("skipped", format!("cannot read the notice: {e}")),
    };
    match step.kind {
        Kind::Start => act(state, &n, Action::Start).await,
        Kind::RemindSms | Kind::RemindEmail => {
            // Never late: a reminder for a window that has started is recorded, not sent.
            if n.starts_at.is_none_or(|s| s <= now) {
                return (
                    "skipped",
                    format!(
                        "the window is {} and its start has passed: not sent late",
                        n.state
                    ),
                );
            }
            let channel = if step.kind == Kind::RemindSms {
                Channel::Sms
            } else {
                Channel::Email
            };
            act(state, &n, Action::Remind { channel }).await
        }
        Kind::Complete => act(state, &n, Action::Complete).await,
        Kind::Overrun => {
            if !past_end(&n, step, now) {
                return ("skipped", not_overrunning(&n));
            }
            // The page derives "overrunning" from the time; a new revision makes every
            // instance rebuild it now.
            if let Err(e) = state.store.touch_revision().await {
                return ("skipped", format!("cannot refresh the page: {e}"));
            }
            state.publish_changes().await;
            let grace = chrono::Duration::minutes(i64::from(
                state.settings.raw.scheduler.overrun_grace_minutes,
            ));
            if let Err(e) = state
                .store
                .schedule_step(&n.id, Kind::OverrunUpdate, step.due_at + grace, now)
                .await
            {
                return ("skipped", format!("cannot plan the overrun update: {e}"));
            }
            crate::app::notices::alert_staff(
                state,
                &n,
                &format!(
                    "passed its planned end and is not completed. The page shows it as overrunning. \
                     Unless it is completed or extended within {} minutes, customers and billers \
                     are told it runs over. Give a new estimate by extending it.",
                    grace.num_minutes()
                ),
            )
            .await;
            (
                "done",
                "the page shows it overrunning; staff alerted".into(),
            )
        }
        Kind::OverrunUpdate => {
            if !n.is_overrunning(now) {
                return ("skipped", not_overrunning(&n));
            }
            let result = act(state, &n, Action::Overrun).await;
            if result.0 == "done" {
                crate::app::notices::alert_staff(
                    state,
                    &n,
                    "still runs over: customers and billers were told. Extend it with a new estimate, or complete it.",
                )
                .await;
            }
            result
        }
    }
}

/// Whether the window this step was planned for has passed its end unfinished.
fn past_end(n: &Notice, step: &Due, now: DateTime<Utc>) -> bool {
    n.ends_at == Some(step.due_at)
        && now >= step.due_at
        && matches!(
            n.state,
            crate::domain::NoticeState::InProgress | crate::domain::NoticeState::Verifying
        )
}

fn not_overrunning(n: &Notice) -> String {
    format!(
        "not overrunning: the window is {}{}",
        n.state,
        n.ends_at
            .map(|e| format!(", ending {}", e.to_rfc3339()))
            .unwrap_or_default()
    )
}

/// A lifecycle action as the scheduler; a refusal (the window moved on) is a skip.
async fn act(state: &App, n: &Notice, action: Action) -> (&'static str, String) {
    let name = action.name();
    let texts = crate::app::notices::Texts::default();
    match crate::app::notices::act(state, "scheduler", &n.id, action, texts, None).await {
        Ok(a) => (
            "done",
            format!(
                "{} (sequence {})",
                a.update.event.as_str(),
                a.update.sequence
            ),
        ),
        Err(e @ crate::app::Error::Unavailable(_)) => (RETRY, e.message()),
        Err(e) => (
            "skipped",
            format!("{name} no longer applies: {}", e.message()),
        ),
    }
}
