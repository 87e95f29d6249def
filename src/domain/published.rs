//! What has been published, as the public view is built from it: the store reads it, the
//! snapshot and the page render it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Localized, Notice, NoticeId, NoticeKind, NoticeState, RefCode, Service, Update};

/// Everything the public snapshot is built from, read in one consistent transaction.
#[derive(Debug, Clone)]
pub struct SnapshotData {
    pub revision: i64,
    pub services: Vec<Service>,
    /// Published notices: all unfinished ones and the most recent finished ones.
    pub notices: Vec<Notice>,
    pub updates: HashMap<NoticeId, Vec<Update>>,
    /// Reference codes of every published notice (bounded), for `/verify/{code}`.
    pub references: HashMap<RefCode, VerifyEntry>,
}

/// What `/verify/{code}` shows of the notice a reference code names.
#[derive(Debug, Clone)]
pub struct VerifyEntry {
    pub notice_id: NoticeId,
    pub title: Localized,
    pub state: NoticeState,
    pub kind: NoticeKind,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}
