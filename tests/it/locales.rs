//! Languages as data: a locale folder added at run time, a language without a locale refused
//! at start, right-to-left Arabic, and `Accept-Language` falling back along its chain.

use crate::common;

use std::path::Path;

use common::{Backend, TestApp, TestDb};
use serde_json::json;
use std::sync::Arc;
use tangazo::config::Config;

const SHIPPED_EN: &[&str] = &["page.ftl", "messages.ftl", "subscribe.ftl", "console.ftl"];

/// A locale folder for `tag` under `dir`: English's files with `replace` applied to each.
fn write_locale(dir: &Path, tag: &str, replace: &[(&str, &str)]) {
    let folder = dir.join(tag);
    std::fs::create_dir_all(&folder).unwrap();
    for name in SHIPPED_EN {
        let mut text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales/en")
                .join(name),
        )
        .unwrap();
        for (from, to) in replace {
            text = text.replace(from, to);
        }
        std::fs::write(folder.join(name), text).unwrap();
    }
}

fn validate(pairs: &[(&str, &str)]) -> anyhow::Result<tangazo::config::Settings> {
    let env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::load(None, env.collect::<std::collections::BTreeMap<_, _>>())?.validate()
}

#[test]
fn start_refuses_a_language_without_a_complete_locale() {
    let e = validate(&[("TANGAZO_PAGE_LANGUAGES", "en,am")]).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("page.languages") && msg.contains("'am' has no locale"),
        "{msg}"
    );
    assert!(
        msg.contains("page.locales_dir"),
        "says how to add one: {msg}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    // A folder that lacks messages English has is refused, naming what is missing.
    write_locale(dir.path(), "am", &[]);
    std::fs::remove_file(dir.path().join("am/subscribe.ftl")).unwrap();
    let e = validate(&[
        ("TANGAZO_PAGE_LANGUAGES", "en,am"),
        ("TANGAZO_PAGE_LOCALES_DIR", path),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("'am' lacks 28 of English's messages") && e.contains("subscribe-"),
        "{e}"
    );
    // A syntax error names the file and line.
    std::fs::write(
        dir.path().join("am/subscribe.ftl"),
        "subscribe-title = ok\n= broken\n",
    )
    .unwrap();
    let e = validate(&[
        ("TANGAZO_PAGE_LANGUAGES", "en,am"),
        ("TANGAZO_PAGE_LOCALES_DIR", path),
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("am/subscribe.ftl: line 2"), "{e}");
    // A folder whose name is no language tag is refused.
    std::fs::remove_dir_all(dir.path().join("am")).unwrap();
    std::fs::create_dir_all(dir.path().join("not a tag")).unwrap();
    let e = validate(&[("TANGAZO_PAGE_LOCALES_DIR", path)])
        .unwrap_err()
        .to_string();
    assert!(e.contains("'not a tag'") && e.contains("BCP 47"), "{e}");
}

/// An operator adds Lingala with a folder, and overrides one English message, without a build.
async fn a_locale_folder_adds_a_language_at_run_time(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    write_locale(
        dir.path(),
        "ln",
        &[
            ("page-services = Services", "page-services = Misala"),
            ("language-name = English", "language-name = Lingála"),
            ("cldr-locale = en-001", "cldr-locale = ln"),
            (
                "sms-maintenance-scheduled = Planned maintenance",
                "sms-maintenance-scheduled = Bobongisi ebongisami",
            ),
        ],
    );
    std::fs::create_dir_all(dir.path().join("en")).unwrap();
    std::fs::write(
        dir.path().join("en/override.ftl"),
        "page-upcoming = Maintenance we have planned\n",
    )
    .unwrap();
    let db = Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(
        db,
        &[
            ("TANGAZO_PAGE_LANGUAGES", "en,ln"),
            ("TANGAZO_PAGE_LOCALES_DIR", dir.path().to_str().unwrap()),
        ],
    )
    .await;
    let ln = app.text("/?lang=ln").await;
    assert!(ln.contains("<html lang=\"ln\" dir=\"ltr\">"), "{ln}");
    assert!(ln.contains("Misala"), "the folder's words are on the page");
    assert!(
        ln.contains(">Lingála</a>"),
        "the switcher names it in its own words"
    );
    let en = app.text("/").await;
    assert!(
        en.contains("Maintenance we have planned") && !en.contains(">Planned maintenance<"),
        "one message of a shipped locale overridden, the rest kept"
    );
    assert!(en.contains(">Services<"), "{en}");
    // Texts are keyed by the new tag in the API.
    let (s, v) = app
        .api(
            "POST",
            "/services",
            &app.admin,
            Some(json!({"code": "send-money", "name": {"en": "Send money", "ln": "Kotinda mbongo"}, "group": "Payments"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["name"]["ln"], "Kotinda mbongo");
    assert!(app.text("/?lang=ln").await.contains("Kotinda mbongo"));
    // And its SMS, from the folder's messages, with CLDR's Lingala dates.
    let start = app.now() + chrono::Duration::days(2);
    let (s, p) = app
        .api(
            "POST",
            "/notices/preview",
            &app.publisher,
            Some(json!({
                "kind": "maintenance",
                "title": {"en": "Upgrade", "ln": "Bobongisi"},
                "affected": [{"service": "send-money"}],
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + chrono::Duration::hours(2)).to_rfc3339(),
            })),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let sms = p["sms"]["ln"]["text"].as_str().unwrap();
    assert!(
        sms.starts_with("Bobongisi ebongisami ") && sms.contains("Kotinda mbongo"),
        "{sms}"
    );
}

/// Arabic: the page is right to left, with reference codes kept left to right; regional tags
/// fall back to their language, and anything else to the default.
async fn arabic_is_right_to_left_and_regional_tags_fall_back(backend: Backend) {
    let db = Arc::new(TestDb::new(backend).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_PAGE_LANGUAGES", "en,sw,fr,pt,ar")]).await;
    let (s, v) = app
        .api(
            "POST",
            "/services",
            &app.admin,
            Some(json!({"code": "send-money", "group": "Payments", "name": {
                "en": "Send money", "sw": "Tuma pesa", "fr": "Envoi d'argent",
                "pt": "Enviar dinheiro", "ar": "تحويل الأموال"}})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let start = app.now() + chrono::Duration::hours(5);
    let (s, v) = app
        .api(
            "POST",
            "/notices",
            &app.publisher,
            Some(json!({
                "kind": "maintenance",
                "title": {"en": "Upgrade", "ar": "ترقية النظام", "fr": "Mise à niveau"},
                "body": {"en": "Finish urgent payments first.", "ar": "أنهوا مدفوعاتكم العاجلة أولًا."},
                "affected": [{"service": "send-money"}],
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + chrono::Duration::hours(2)).to_rfc3339(),
                "publish": true
            })),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let reference = v["reference"].as_str().unwrap().to_string();
    let ar = app.text("/?lang=ar").await;
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(ar.contains("ترقية النظام") && ar.contains("تحويل الأموال"));
    assert!(ar.contains(&format!("<code dir=\"ltr\">{reference}</code>")));
    // A text not written in French falls back to the default language, stated as English.
    let fr = app.text("/?lang=fr").await;
    assert!(fr.contains("<html lang=\"fr\" dir=\"ltr\">") && fr.contains("Mise à niveau"));
    assert!(
        fr.contains("Finish urgent payments first."),
        "body falls back to English"
    );

    for (accept, want) in [
        ("fr-CD,fr;q=0.9", "fr"),
        ("sw-TZ", "sw"),
        ("pt-MZ, en;q=0.5", "pt"),
        ("ar-EG", "ar"),
        ("de-DE, sw;q=0.3", "sw"),
        ("de-DE", "en"),
        ("*", "en"),
    ] {
        let r = app
            .client
            .get(format!("{}/", app.url))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{want}\"")),
            "Accept-Language {accept} → {want}"
        );
    }
    assert!(app.text("/?lang=fr-CD").await.contains("<html lang=\"fr\""));

    // The feeds and the calendar, in the language asked for.
    let atom = app.text("/history.atom?lang=ar").await;
    assert!(
        atom.contains("xml:lang=\"ar\"") && atom.contains("ترقية النظام"),
        "{atom}"
    );
    assert!(atom.contains("/history.atom?lang=ar"), "its own address");
    let rss = app.text("/history.rss?lang=fr").await;
    assert!(rss.contains("<language>fr</language>") && rss.contains("Mise à niveau"));
    let r = app
        .client
        .get(format!("{}/maintenance.ics", app.url))
        .header("accept-language", "pt-MZ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["vary"], "Accept-Encoding, Accept-Language");
    let ics = r.text().await.unwrap();
    assert!(ics.contains("Serviços abrangidos: Enviar din"), "{ics}");
    assert!(
        app.text("/history.atom").await.contains("xml:lang=\"en\""),
        "the default language without a choice"
    );
    assert!(app.text("/?lang=xx").await.contains("<html lang=\"en\""));

    // The preview shows the Arabic SMS as UCS-2, within Arabic's own budget.
    let id = v["id"].as_str().unwrap();
    let (s, p) = app
        .api(
            "POST",
            &format!("/notices/{id}/preview"),
            &app.publisher,
            None,
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["sms"]["ar"]["encoding"], "ucs2", "{p}");
    assert_eq!(p["sms"]["fr"]["encoding"], "gsm7", "{p}");

    // A refused sign-up says why in the reader's language, the typed text kept.
    for (lang, address, why) in [
        (
            "sw",
            "+1 202 555 0143",
            "namba kutoka US hazikubaliki hapa (zinazokubaliwa: KE)",
        ),
        ("ar", "0712 34", "«0712 34» ليس رقم هاتف صالحًا"),
        (
            "fr",
            "a@b",
            "adresse e-mail : « a@b » n&#39;est pas une adresse e-mail",
        ),
    ] {
        let r = app
            .client
            .post(format!("{}/subscribe", app.url))
            .form(&[("address", address), ("lang", lang)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains(why), "{lang}: {html}");
    }
}

on_both_backends!(
    a_locale_folder_adds_a_language_at_run_time,
    arabic_is_right_to_left_and_regional_tags_fall_back
);
