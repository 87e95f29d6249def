//! The application layer: one function per operation that changes state (publish a notice,
//! edit a service, add a subscriber, rotate an endpoint's secret, import…). The staff API,
//! the console, the scheduler, the demo, the CLI and the benches all call these, so a rule
//! (four-eyes, messages that must fit, the quiet-hours hold) lives in one place; none of them
//! imports the HTTP layer.
//!
//! Input arrives here already parsed into domain types; what is checked here is what depends
//! on the state of the installation (the notice as it is, the services that exist, who wrote
//! the draft).

pub mod billers;
mod error;
pub mod export;
pub mod import;
pub mod notices;
pub mod services;
pub mod subscribers;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use error::{Error, Result};

use crate::clock::Clock;
use crate::config::Settings;
use crate::delivery::Outbound;
use crate::snapshot::SnapshotHandle;
use crate::store::Store;

/// What an operation needs: the store, the settings, the page's snapshot and the clock, and
/// the outbound mail client the scheduler alerts staff with.
#[derive(Clone)]
pub struct App {
    pub settings: Arc<Settings>,
    pub store: Store,
    /// The page as it is served; rebuilt after every write so the writer sees its change.
    pub snapshot: Arc<SnapshotHandle>,
    pub clock: Arc<dyn Clock>,
    pub outbound: Arc<Outbound>,
}

impl App {
    /// Rebuilds the snapshot after a committed write so the writer sees its change at once.
    /// A failure here does not undo the write: the background refresher retries within a
    /// second, so it is logged rather than reported as a failed request.
    pub async fn publish_changes(&self) {
        if let Err(e) = self.snapshot.refresh().await {
            tracing::warn!(error = ?e, "snapshot rebuild after a write failed; the refresher will retry");
        }
    }

    /// When an urgent SMS (anything but a reminder) written at `at` goes out (see
    /// [`notices::urgent_sms_at`]).
    pub fn urgent_sms_at(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        notices::urgent_sms_at(self.store.schedule_policy(), at)
    }
}
