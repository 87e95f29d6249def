//! The public site over HTTP: page, Statuspage JSON, feeds and calendar, all from the
//! snapshot; languages, caching, compression, verification, and a second instance.

use crate::common;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use common::{Backend, TestApp, TestDb, wait_until_true};
use serde_json::{Value, json};

async fn a_published_notice_is_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let v = app.publish_window("Send money upgrade", 6, 4).await;
    let id = v["id"].as_str().unwrap();
    let reference = v["reference"].as_str().unwrap();

    // The writing instance answers only after its snapshot shows the change.
    let page = app.text("/").await;
    assert!(page.contains("Send money upgrade"), "page");
    assert!(page.contains(reference));
    assert!(page.contains("EAT"), "times carry the zone");
    assert!(page.contains("Cash at agents"), "what still works");

    let summary = app.json("/api/v2/summary.json").await;
    let m = &summary["scheduled_maintenances"][0];
    assert_eq!(m["id"], id);
    assert_eq!(m["name"], "Send money upgrade");
    assert_eq!(m["status"], "scheduled");
    assert_eq!(m["impact"], "maintenance");
    assert!(m["scheduled_for"].as_str().unwrap().ends_with('Z'));
    assert_eq!(m["incident_updates"][0]["status"], "scheduled");
    assert_eq!(m["components"][0]["id"], "send-money");
    let upcoming = app
        .json("/api/v2/scheduled-maintenances/upcoming.json")
        .await;
    assert_eq!(
        upcoming["scheduled_maintenances"].as_array().unwrap().len(),
        1
    );
    let active = app.json("/api/v2/scheduled-maintenances/active.json").await;
    assert_eq!(
        active["scheduled_maintenances"].as_array().unwrap().len(),
        0
    );

    let atom: atom_syndication::Feed = app.text("/history.atom").await.parse().expect("valid Atom");
    assert_eq!(atom.entries().len(), 1);
    assert!(
        atom.entries()[0]
            .title()
            .as_str()
            .contains("Send money upgrade")
    );
    let rss: rss::Channel = app.text("/history.rss").await.parse().expect("valid RSS");
    assert_eq!(rss.items().len(), 1);
    assert!(
        rss.items()[0]
            .link()
            .unwrap()
            .ends_with(&format!("/notices/{id}"))
    );
    let ics = app.text("/maintenance.ics").await;
    let parsed: icalendar::Calendar = ics.parse().expect("valid iCalendar");
    assert_eq!(parsed.events().count(), 1);
    assert!(
        ics.contains(&format!("UID:{id}@status.example.co.ke")),
        "{ics}"
    );
    assert!(ics.contains("SEQUENCE:1"));

    // A second instance on the same database sees it by polling the revision.
    let other = TestApp::spawn_on(app.db.clone(), &[]).await;
    assert!(other.text("/").await.contains("Send money upgrade"));
    let (s, _) = app
        .act(id, "cancel", Some(json!({"body": {"en": "Called off."}})))
        .await;
    assert_eq!(s, 200);
    let started = Instant::now();
    wait_until_true("the other instance shows the cancellation", 3, async || {
        other
            .text("/maintenance.ics")
            .await
            .contains("STATUS:CANCELLED")
    })
    .await;
    let took = started.elapsed();
    assert!(took < StdDuration::from_millis(2500));
    let ics = other.text("/maintenance.ics").await;
    assert!(
        ics.contains(&format!("UID:{id}@status.example.co.ke")),
        "UID is stable"
    );
    assert!(ics.contains("SEQUENCE:2"), "SEQUENCE grows: {ics}");
    let sm = other.json("/api/v2/scheduled-maintenances.json").await;
    assert_eq!(
        sm["scheduled_maintenances"][0]["tangazo"]["state"],
        "cancelled"
    );
}

async fn statuses_and_overrun(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let status = app.json("/api/v2/status.json").await;
    assert_eq!(status["status"]["indicator"], "none");
    assert_eq!(status["status"]["description"], "All Systems Operational");

    let v = app.publish_window("Core migration", 1, 24).await;
    let id = v["id"].as_str().unwrap().to_string();
    app.clock.advance(Duration::hours(1));
    let (s, _) = app.act(&id, "start", None).await;
    assert_eq!(s, 200);
    let summary = app.json("/api/v2/summary.json").await;
    assert_eq!(summary["status"]["indicator"], "maintenance");
    let comp = summary["components"].as_array().unwrap();
    let send = comp.iter().find(|c| c["id"] == "send-money").unwrap();
    assert_eq!(send["status"], "under_maintenance");
    let cash = comp.iter().find(|c| c["id"] == "agent-cash").unwrap();
    assert_eq!(cash["status"], "operational");
    let payments = comp
        .iter()
        .find(|c| c["group"] == true && c["name"] == "Payments")
        .unwrap();
    assert_eq!(payments["status"], "under_maintenance");
    assert_eq!(send["group_id"], payments["id"]);
    assert!(!app.text("/").await.contains("Running late"));

    // 25 hours after the start the window is past its end: the page says so, honestly.
    app.clock.advance(Duration::hours(25));
    app.running.state.snapshot.refresh().await.unwrap();
    let page = app.text("/").await;
    assert!(page.contains("Running late"), "overrun shown");
    assert!(
        page.contains("Maintenance is running late"),
        "banner says so"
    );
    assert!(page.contains("past the planned end"));
    let active = app.json("/api/v2/scheduled-maintenances/active.json").await;
    assert_eq!(
        active["scheduled_maintenances"][0]["tangazo"]["overrunning"],
        true
    );
    let sw = app.text("/?lang=sw").await;
    assert!(sw.contains("Imechelewa"), "overrun in Swahili");

    // An incident on top makes it worse than maintenance.
    let (s, v) = app
        .api("POST", "/notices", &app.publisher, Some(json!({"kind": "incident", "title": {"en": "Cash deposits failing"}, "affected": [{"service": "agent-cash", "impact": "major_outage"}], "publish": true})))
        .await;
    assert_eq!(s, 201, "{v}");
    let summary = app.json("/api/v2/summary.json").await;
    assert_eq!(summary["status"]["indicator"], "critical");
    assert_eq!(summary["incidents"][0]["impact"], "critical");
    assert_eq!(summary["incidents"][0]["status"], "investigating");
    let unresolved = app.json("/api/v2/incidents/unresolved.json").await;
    assert_eq!(unresolved["incidents"].as_array().unwrap().len(), 1);

    // Completed: finished late compared with what was announced.
    let (s, _) = app.act(&id, "complete", None).await;
    assert_eq!(s, 200);
    let page = app.text("/").await;
    assert!(
        page.contains("Finished 1 day late") || page.contains("late"),
        "history tells the outcome"
    );
}

async fn languages_caching_and_compression(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let v = app.publish_window("Pay bill upgrade", 3, 2).await;
    let id = v["id"].as_str().unwrap();

    let en = app.text("/").await;
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\">") && en.contains("Planned maintenance"));
    let sw = app.text("/?lang=sw").await;
    assert!(
        sw.contains("<html lang=\"sw\" dir=\"ltr\">") && sw.contains("Matengenezo yaliyopangwa")
    );
    assert!(sw.contains("Pay bill upgrade (sw)"), "Swahili title");
    assert!(sw.contains("Lipa bili"), "Swahili service names");
    let r = app
        .client
        .get(format!("{}/", app.url))
        .header("accept-language", "sw-KE,sw;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["vary"], "Accept-Encoding, Accept-Language");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<html lang=\"sw\" dir=\"ltr\">")
    );

    // Unknown notice: 404 in the visitor's language.
    let r = app
        .client
        .get(format!("{}/notices/nope", app.url))
        .header("accept-language", "sw")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Haipatikani"));
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Not found"));

    // Detail page with the timeline, by id and by reference code.
    let detail = app.text(&format!("/notices/{id}")).await;
    assert!(detail.contains("Finish urgent payments first."));
    let by_ref = app
        .text(&format!(
            "/notices/{}",
            v["reference"].as_str().unwrap().to_lowercase()
        ))
        .await;
    assert_eq!(detail, by_ref);

    // Strong ETag per encoding, 304 on match, cache headers, gzip and brotli bodies.
    let r = app.get("/").await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"));
    let cc = r.headers()["cache-control"].to_str().unwrap();
    assert!(
        cc.contains("public") && cc.contains("max-age=") && cc.contains("stale-while-revalidate="),
        "{cc}"
    );
    let plain = r.bytes().await.unwrap();
    let r = app
        .client
        .get(format!("{}/", app.url))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    assert!(r.bytes().await.unwrap().is_empty());

    let r = app
        .client
        .get(format!("{}/", app.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let gz_etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(gz_etag, etag);
    let body = r.bytes().await.unwrap();
    assert!(body.len() < plain.len());
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, plain);
    let r = app
        .client
        .get(format!("{}/", app.url))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "br");
    let body = r.bytes().await.unwrap();
    let mut out = Vec::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, plain);
    let r = app
        .client
        .get(format!("{}/", app.url))
        .header("accept-encoding", "br;q=0, gzip;q=0")
        .send()
        .await
        .unwrap();
    assert!(!r.headers().contains_key("content-encoding"));

    // A change gives a new ETag.
    let (s, _) = app
        .act(
            id,
            "updates",
            Some(json!({"body": {"en": "Still on track."}})),
        )
        .await;
    assert_eq!(s, 200);
    let r = app
        .client
        .get(format!("{}/", app.url))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Still on track."));
}

async fn verify_and_escaping(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let v = app
        .publish_window("<script>alert('x')</script> & more", 3, 2)
        .await;
    let reference = v["reference"].as_str().unwrap();
    let page = app.text("/").await;
    assert!(!page.contains("<script>alert"), "staff text is escaped");
    assert!(page.contains("&#60;script&#62;"));

    let r = app
        .get(&format!("/verify/{}", reference.to_lowercase()))
        .await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains("is an official notice"));
    assert!(body.contains(reference));
    let r = app.get("/verify/ABCDEF?lang=sw").await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Hakuna tangazo rasmi"));
    let r = app.get("/verify/%3Cb%3Ex%3C%2Fb%3E").await;
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("<b>x</b>"));
    let r = app
        .get(&format!("/verify?code=+{reference}+&lang=sw"))
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/verify/{reference}?lang=sw")
    );

    // Drafts are never public.
    let start = app.now() + Duration::hours(5);
    let (s, v) = app
        .api("POST", "/notices", &app.editor, Some(json!({"kind": "maintenance", "title": {"en": "Secret draft"}, "affected": [{"service": "pay-bill"}], "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(1)).to_rfc3339()})))
        .await;
    assert_eq!(s, 201);
    assert!(!app.text("/").await.contains("Secret draft"));
    assert_eq!(
        app.get(&format!("/notices/{}", v["id"].as_str().unwrap()))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/verify/{}", v["reference"].as_str().unwrap()))
            .await
            .status(),
        404
    );
    assert!(
        !app.text("/api/v2/scheduled-maintenances.json")
            .await
            .contains("Secret draft")
    );
}

async fn demo_page_tells_the_scenarios(backend: Backend) {
    let db = Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[]).await;
    let settings = common::settings(&app.db.url, &[]);
    assert!(
        tangazo::demo::load(&app.store, &settings, app.now())
            .await
            .unwrap()
    );
    assert!(
        !tangazo::demo::load(&app.store, &settings, app.now())
            .await
            .unwrap(),
        "loads once"
    );
    app.running.state.snapshot.refresh().await.unwrap();
    let page = app.text("/").await;
    for needle in [
        "M-PESA moves to its new platform in Kenya",
        "Sat, 18 Apr 2015, 23:00 – Sun, 19 Apr 2015, 12:00 EAT",
        "Finished 30 min early",
        "Core platform migration",
        "Running late",
        "Scheduled M-PESA upgrade",
        "Pay bill confirmations delayed",
    ] {
        assert!(page.contains(needle), "demo page lacks {needle:?}");
    }
    assert!(page.len() < 30 * 1024, "page is {} bytes", page.len());
    let sw = app.text("/?lang=sw").await;
    assert!(sw.contains("Yalikamilika mapema kwa dakika 30"));
    assert!(sw.len() < 30 * 1024);
    for path in [
        "/api/v2/summary.json",
        "/api/v2/incidents.json",
        "/api/v2/components.json",
    ] {
        let v: Value = app.json(path).await;
        assert_eq!(v["page"]["time_zone"], "Africa/Nairobi", "{path}");
        assert_eq!(v["page"]["url"], "https://status.example.co.ke");
    }
    let incidents = app.json("/api/v2/incidents.json").await;
    let inc = &incidents["incidents"][0];
    assert_eq!(inc["status"], "resolved");
    assert_eq!(inc["incident_updates"].as_array().unwrap().len(), 3);
    for key in [
        "id",
        "name",
        "status",
        "created_at",
        "updated_at",
        "monitoring_at",
        "resolved_at",
        "impact",
        "shortlink",
        "started_at",
        "page_id",
        "incident_updates",
        "components",
    ] {
        assert!(inc.get(key).is_some(), "incident lacks {key}");
    }
    for key in [
        "id",
        "status",
        "body",
        "incident_id",
        "created_at",
        "updated_at",
        "display_at",
        "affected_components",
    ] {
        assert!(
            inc["incident_updates"][0].get(key).is_some(),
            "update lacks {key}"
        );
    }
    let m = app.text("/metrics").await;
    assert!(m.contains("tangazo_page_requests_total{route=\"index\"}"));
}

/// `/readyz` writes a row to prove writes work; anyone may call it, so a flood of calls shares
/// probes: fifty at once cost one write.
async fn readiness_probes_are_shared(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let before = app.running.state.readiness.probes();
    let calls = (0..50).map(|_| app.get("/readyz"));
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "ready");
    }
    assert_eq!(app.running.state.readiness.probes() - before, 1);
    // A probe's answer stands for a moment only: later calls probe again.
    tokio::time::sleep(StdDuration::from_millis(600)).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    assert_eq!(app.running.state.readiness.probes() - before, 2);
}

on_both_backends!(
    readiness_probes_are_shared,
    a_published_notice_is_everywhere,
    statuses_and_overrun,
    languages_caching_and_compression,
    verify_and_escaping,
    demo_page_tells_the_scenarios,
);
