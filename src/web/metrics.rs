//! Prometheus counters for the public site, written in the text exposition format by hand:
//! a handful of atomics needs no registry.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::snapshot::SnapshotHandle;

/// Routes counted separately on `/metrics`.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    Index,
    /// `/notices`: every notice the page keeps.
    List,
    Notice,
    Verify,
    Json,
    Feed,
    Calendar,
    NotFound,
}

const ROUTES: [(&str, Route); 8] = [
    ("index", Route::Index),
    ("list", Route::List),
    ("notice", Route::Notice),
    ("verify", Route::Verify),
    ("json", Route::Json),
    ("feed", Route::Feed),
    ("calendar", Route::Calendar),
    ("not_found", Route::NotFound),
];

/// Why a sign-up was refused before any message was sent.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    Address,
    Ip,
    Global,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Address => "address",
            Refusal::Ip => "ip",
            Refusal::Global => "global",
        }
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    hits: [AtomicU64; 8],
    not_modified: AtomicU64,
    refused: [AtomicU64; 3],
}

impl Metrics {
    pub fn hit(&self, route: Route) {
        self.hits[route as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn refused(&self, why: Refusal) {
        self.refused[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn not_modified(&self) {
        self.not_modified.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self, snapshot: &SnapshotHandle, now: chrono::DateTime<chrono::Utc>) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP tangazo_page_requests_total Public requests served from the snapshot.\n",
        );
        out.push_str("# TYPE tangazo_page_requests_total counter\n");
        for (name, route) in ROUTES {
            let _ = writeln!(
                out,
                "tangazo_page_requests_total{{route=\"{name}\"}} {}",
                self.hits[route as usize].load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP tangazo_page_not_modified_total Conditional requests answered 304.\n");
        out.push_str("# TYPE tangazo_page_not_modified_total counter\n");
        let _ = writeln!(
            out,
            "tangazo_page_not_modified_total {}",
            self.not_modified.load(Ordering::Relaxed)
        );
        out.push_str("# HELP tangazo_signups_refused_total Sign-ups refused by a cap before any message was sent.\n");
        out.push_str("# TYPE tangazo_signups_refused_total counter\n");
        for r in [Refusal::Address, Refusal::Ip, Refusal::Global] {
            let _ = writeln!(
                out,
                "tangazo_signups_refused_total{{cap=\"{}\"}} {}",
                r.as_str(),
                self.refused[r as usize].load(Ordering::Relaxed)
            );
        }
        let snap = snapshot.load();
        out.push_str("# HELP tangazo_snapshot_rebuilds_total Snapshot rebuilds since start.\n");
        out.push_str("# TYPE tangazo_snapshot_rebuilds_total counter\n");
        let _ = writeln!(
            out,
            "tangazo_snapshot_rebuilds_total {}",
            snapshot.rebuilds.load(Ordering::Relaxed)
        );
        out.push_str("# HELP tangazo_snapshot_revision Database revision the snapshot shows.\n");
        out.push_str("# TYPE tangazo_snapshot_revision gauge\n");
        let _ = writeln!(out, "tangazo_snapshot_revision {}", snap.revision);
        out.push_str("# HELP tangazo_snapshot_age_seconds Seconds since the snapshot was built.\n");
        out.push_str("# TYPE tangazo_snapshot_age_seconds gauge\n");
        let _ = writeln!(
            out,
            "tangazo_snapshot_age_seconds {:.3}",
            (now - snap.built_at).num_milliseconds() as f64 / 1000.0
        );
        out
    }
}
