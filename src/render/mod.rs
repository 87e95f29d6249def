//! Everything the public sees, rendered from snapshot data: HTML pages, Statuspage-compatible
//! JSON, Atom/RSS feeds and iCalendar. Nothing here touches the database.

pub mod feeds;
pub mod i18n;
pub mod messages;
pub mod page;
mod placeholders;
pub mod statuspage;
pub mod webhook;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::domain::status::{self, Indicator};
use crate::domain::{
    Event, Lang, Localized, Notice, Overrides, Service, ServiceCode, ServiceStatus, SnapshotData,
    Update, UpdateId,
};

/// What one message is about: the update that the SMS, email and webhook of [`messages`]
/// and [`webhook`] are rendered from.
pub struct Subject<'a> {
    pub event: Event,
    pub notice: &'a Notice,
    /// The update's text per language.
    pub body: &'a Localized,
    /// When the update was made (the webhook `timestamp`).
    pub at: DateTime<Utc>,
    pub sequence: i64,
    pub update_id: &'a UpdateId,
    pub services: &'a [Service],
    pub overrides: &'a Overrides,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStyle {
    /// The running service: `/notices/{id}?lang=sw`.
    Live,
    /// `tangazo export`: `/sw/notices/{id}/`, served as directories of index.html.
    Static,
}

pub struct Links {
    pub style: LinkStyle,
    pub default_lang: Lang,
}

/// One consistent view of the public data at one instant.
pub struct View<'a> {
    pub data: &'a SnapshotData,
    pub settings: &'a Settings,
    pub now: DateTime<Utc>,
    pub links: Links,
    pub statuses: HashMap<ServiceCode, ServiceStatus>,
    pub indicator: Indicator,
}

impl<'a> View<'a> {
    pub fn new(
        data: &'a SnapshotData,
        settings: &'a Settings,
        now: DateTime<Utc>,
        style: LinkStyle,
    ) -> View<'a> {
        let statuses = status::service_statuses(&data.services, &data.notices);
        let indicator = status::indicator(statuses.values());
        View {
            data,
            settings,
            now,
            links: Links {
                style,
                default_lang: settings.default_lang(),
            },
            statuses,
            indicator,
        }
    }

    pub fn updates(&self, n: &Notice) -> &[Update] {
        self.data
            .updates
            .get(&n.id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn service_name(&self, code: &ServiceCode, lang: Lang) -> Option<String> {
        self.data
            .services
            .iter()
            .find(|s| &s.code == code)
            .map(|s| s.name.get(lang).to_string())
    }

    pub fn public_url(&self, path: &str) -> String {
        format!("{}{}", self.settings.public_url, path)
    }
}

/// Writes the body of an update staff left blank, in every page language, for the notice as
/// it stands after the change.
pub fn default_body(
    settings: &Settings,
    now: DateTime<Utc>,
) -> impl FnOnce(&Notice, crate::domain::Event) -> crate::domain::Localized + use<> {
    let tz = settings.time_zone;
    let languages = settings.languages.clone();
    let locales = settings.locales.clone();
    move |n, e| {
        let texts = languages
            .into_iter()
            .map(|lang| {
                let loc = locales.get(lang).clone();
                let face = i18n::Clockface { tz, loc, now };
                let window = n.window().map(|w| face.window(w.start, w.end));
                (lang, i18n::default_body(&face.loc, e, window))
            })
            .collect();
        crate::domain::Localized(texts)
    }
}
