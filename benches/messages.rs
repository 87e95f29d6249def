//! Rendering one notice for a million recipients: render each (event, channel, language) once
//! and personalise per recipient, against the baseline of rendering per recipient, measured in
//! the same run.
//!
//! Run: `cargo bench --bench messages` (BENCH_RECIPIENTS=1000000 by default; the per-recipient
//! baseline runs on a sample and is scaled, since rendering a million times is the point to avoid).

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use chrono::{Duration, Utc};
use tangazo::config::Config;
use tangazo::domain::{
    Affected, Event, Lang, Localized, Notice, NoticeKind, NoticeState, Overrides, RefCode, Service,
    ServiceCode, ServiceStatus, UpdateId,
};
use tangazo::render::messages::{self, Subject};

fn text(en: &str, sw: &str) -> Localized {
    Localized(BTreeMap::from([
        (Lang::En, en.to_string()),
        (Lang::Sw, sw.to_string()),
    ]))
}

fn main() {
    let recipients = common::env_or("BENCH_RECIPIENTS", 1_000_000) as usize;
    let settings = Config::load(None, Vec::<(String, String)>::new())
        .unwrap()
        .validate()
        .unwrap();
    let now = Utc::now();
    let services: Vec<Service> = [
        ("send-money", "Send money", "Tuma pesa"),
        ("pay-bill", "Pay bill", "Lipa bili"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (c, en, sw))| Service {
        code: ServiceCode::parse(c).unwrap(),
        name: text(en, sw),
        description: Localized::default(),
        group: "Payments".into(),
        position: i as i64,
        status: ServiceStatus::Operational,
        created_at: now,
        updated_at: now,
    })
    .collect();
    let notice = Notice {
        id: "bench".into(),
        reference: RefCode::generate(),
        kind: NoticeKind::Maintenance,
        state: NoticeState::Scheduled,
        title: text("M-PESA upgrade", "Uboreshaji wa M-PESA"),
        still_works: text("Cash at agents", "Pesa kwa wakala"),
        draft_body: Localized::default(),
        draft_overrides: Overrides::default(),
        affected: services
            .iter()
            .map(|s| Affected {
                service: s.code.clone(),
                impact: ServiceStatus::UnderMaintenance,
            })
            .collect(),
        starts_at: Some(now + Duration::hours(30)),
        ends_at: Some(now + Duration::hours(34)),
        planned_ends_at: Some(now + Duration::hours(34)),
        published_at: Some(now),
        started_at: None,
        finished_at: None,
        auto_start: true,
        auto_complete: false,
        sequence: 1,
        created_by: "bench".into(),
        created_at: now,
        updated_at: now,
    };
    let body = text(
        "Finish urgent payments first.",
        "Maliza malipo ya dharura kwanza.",
    );
    let overrides = Overrides::default();
    let subject = Subject {
        event: Event::MaintenanceScheduled,
        notice: &notice,
        body: &body,
        at: now,
        sequence: 1,
        update_id: &UpdateId::new("u1"),
        services: &services,
        overrides: &overrides,
    };
    // Recipients split evenly over languages and channels, as a fan-out would see them.
    let langs = [Lang::En, Lang::Sw];

    // Baseline: a full render per recipient, on a sample, scaled to the recipient count.
    let sample = 2_000.min(recipients);
    let started = Instant::now();
    for i in 0..sample {
        let r = messages::render(&settings, &subject, now).unwrap();
        let lang = langs[i % 2];
        black_box(r.email[&lang].personalise(&format!("https://x/u/{i}")));
        black_box(&r.sms[&lang].text);
    }
    let per_recipient = started.elapsed().as_secs_f64() / sample as f64;

    // Tangazo: render once, personalise per recipient.
    let started = Instant::now();
    let rendered = messages::render(&settings, &subject, now).unwrap();
    let render_once = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut bytes = 0usize;
    for i in 0..recipients {
        let lang = langs[i % 2];
        if i % 2 == 0 {
            let (t, h) = rendered.email[&lang].personalise(&format!("https://x/u/{i}"));
            bytes += t.len() + h.len();
        } else {
            bytes += black_box(&rendered.sms[&lang].text).len();
        }
    }
    let fan_out = started.elapsed().as_secs_f64();
    let total = render_once + fan_out;
    let baseline = per_recipient * recipients as f64;
    println!("recipients: {recipients} (half email, half SMS, English and Swahili)");
    println!(
        "renders: 1 per (event, channel, language) = {} texts",
        rendered.sms.len() + rendered.email.len()
    );
    println!(
        "baseline, render per recipient: {:.3} ms each -> {:.1} s for all (from {sample} samples)",
        per_recipient * 1e3,
        baseline
    );
    println!(
        "render once ({:.3} ms) + personalise: {:.2} s for all, {:.0} MB of message bytes",
        render_once * 1e3,
        total,
        bytes as f64 / 1e6
    );
    println!("speed-up: {:.0}x", baseline / total);
}
