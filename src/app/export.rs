//! `tangazo export DIR`: the whole public site as static files, so a CDN or a second host can
//! serve it when the service itself is down. Pages link to `/sw/…/` directories instead of
//! `?lang=sw`, because static hosts ignore query strings.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::render::{LinkStyle, View};
use crate::store::Store;

pub async fn export(
    store: &Store,
    settings: &Settings,
    now: DateTime<Utc>,
    dir: &Path,
) -> anyhow::Result<usize> {
    let data = store.snapshot_data(settings.raw.page.history_size).await?;
    let view = View::new(&data, settings, now, LinkStyle::Static);
    let mut files: Vec<(String, String)> = Vec::new();
    for &lang in &settings.languages {
        let prefix = if lang == settings.default_lang() {
            String::new()
        } else {
            format!("{}/", lang.code())
        };
        files.push((format!("{prefix}index.html"), view.index_html(lang)));
        files.push((format!("{prefix}notices/index.html"), view.list_html(lang)));
        files.push((format!("{prefix}404.html"), view.not_found_html(lang)));
        for n in &data.notices {
            let html = view.notice_html(lang, n);
            files.push((format!("{prefix}notices/{}/index.html", n.id), html.clone()));
            files.push((format!("{prefix}notices/{}/index.html", n.reference), html));
            let entry = data.references.get(&n.reference);
            files.push((
                format!("{prefix}verify/{}/index.html", n.reference),
                view.verify_html(lang, n.reference.as_str(), entry),
            ));
        }
    }
    for (path, doc) in view.statuspage_documents() {
        files.push((path.trim_start_matches('/').to_string(), doc.to_string()));
    }
    for &lang in &settings.languages {
        let prefix = if lang == settings.default_lang() {
            String::new()
        } else {
            format!("{}/", lang.code())
        };
        files.push((format!("{prefix}history.atom"), view.atom(lang)));
        files.push((format!("{prefix}history.rss"), view.rss(lang)));
        files.push((format!("{prefix}maintenance.ics"), view.ics(lang)));
    }
    for (rel, body) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(files.len())
}
