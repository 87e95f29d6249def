//! One notice update rendered for every channel and language: SMS (GSM-7 aware, within the
//! segment budget, always ending with the reference code and short verify URL), email
//! (subject, plain text, HTML) and the webhook payload.
//!
//! Rendering happens once per (event, channel, language); the only per-recipient part, the
//! unsubscribe link, is a marker that [`RenderedEmail::personalise`] swaps in, so a fan-out to a
//! million subscribers renders six texts, not six million.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::Arc;

use askama::Template;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::i18n::Clockface;
use crate::config::Settings;
use crate::domain::sms::{self, SmsText};
use crate::domain::{Event, FieldError, Lang, Notice, NoticeKind, Service, UpdateMessage};
use crate::locale::{Arg, Locale};

/// Stands in for each recipient's unsubscribe URL until [`RenderedEmail::personalise`].
pub const UNSUBSCRIBE_MARKER: &str = "https://unsubscribe.invalid/__TANGAZO_UNSUBSCRIBE__";

pub use super::Subject;
pub use super::placeholders::{PLACEHOLDERS, check_placeholders};

/// What the templates see: everything already in the reader's language and zone.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub event: Event,
    pub lang: &'static str,
    /// `ltr` or `rtl`, for the email's `dir` attribute.
    pub dir: &'static str,
    /// The reader's locale, for the event's texts.
    pub loc: Arc<Locale>,
    pub page_name: String,
    pub title: String,
    pub body: String,
    /// "Sat 18 Apr 23:00 – Sun 19 Apr 12:00 EAT", empty when the notice has no window.
    pub window: String,
    pub has_window: bool,
    /// "Sat 18 Apr 23:00 EAT"
    pub start: String,
    pub end: String,
    /// "Send money, Pay bill"
    pub affected: String,
    pub still_works: Option<String>,
    /// "Finished 30 min early", for completed windows.
    pub outcome: Option<String>,
    pub reference: String,
    /// Short, without the scheme, for SMS: "status.example.co.ke/v/H33B3C".
    pub verify_url: String,
    pub verify_url_full: String,
    pub notice_url: String,
    pub ics_url: String,
    pub page_url: String,
    pub unsubscribe_url: String,
}

super::i18n::labels!(
    /// Labels of the email layout, and the short label before the reference in an SMS.
    Labels, "email", {
        when, affected, still_works, reference, check_at, details, calendar, fraud, unsubscribe,
        sms_ref,
    }
);

/// The arguments every message of an event may use, from the context.
fn message_args(c: &Ctx) -> Vec<(&'static str, Arg<'_>)> {
    let yes_no = |b: bool| Arg::Str(if b { "yes" } else { "no" });
    vec![
        ("page_name", Arg::Str(&c.page_name)),
        ("title", Arg::Str(&c.title)),
        ("body", Arg::Str(&c.body)),
        ("window", Arg::Str(&c.window)),
        ("start", Arg::Str(&c.start)),
        ("end", Arg::Str(&c.end)),
        ("affected", Arg::Str(&c.affected)),
        (
            "still_works",
            Arg::Str(c.still_works.as_deref().unwrap_or("")),
        ),
        ("has_still_works", yes_no(c.still_works.is_some())),
        ("outcome", Arg::Str(c.outcome.as_deref().unwrap_or(""))),
        ("has_outcome", yes_no(c.outcome.is_some())),
    ]
}

/// The message `{kind}-{event}` of the reader's locale, filled from the context.
fn event_text(c: &Ctx, kind: &str) -> String {
    c.loc.format(&message_id(kind, c.event), &message_args(c))
}

fn message_id(kind: &str, event: Event) -> String {
    format!("{kind}-{}", event.as_str().replace('.', "-"))
}

#[derive(Template)]
#[template(path = "email/text.txt")]
struct EmailText<'a> {
    c: &'a Ctx,
    l: Labels,
    lead: String,
}

impl Deref for EmailText<'_> {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        self.c
    }
}

#[derive(Template)]
#[template(path = "email/html.html")]
struct EmailHtml<'a> {
    c: &'a Ctx,
    l: Labels,
    subject: String,
    lead: String,
    body_paragraphs: Vec<String>,
    colour: &'static str,
}

impl Deref for EmailHtml<'_> {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        self.c
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl RenderedEmail {
    /// The text and HTML with one recipient's unsubscribe URL.
    pub fn personalise(&self, unsubscribe_url: &str) -> (String, String) {
        let html_url = askama::filters::escape(unsubscribe_url, askama::filters::Html)
            .map(|s| s.to_string())
            .unwrap_or_default();
        (
            self.text.replace(UNSUBSCRIBE_MARKER, unsubscribe_url),
            self.html.replace(UNSUBSCRIBE_MARKER, &html_url),
        )
    }

    /// A complete RFC 5322 message for one recipient, with RFC 8058 one-click unsubscribe.
    pub fn message(&self, envelope: &Envelope<'_>) -> anyhow::Result<lettre::Message> {
        use lettre::message::header::{ContentType, HeaderName, HeaderValue};
        use lettre::message::{MultiPart, SinglePart};
        let (text, html) = self.personalise(envelope.unsubscribe_url);
        let mut message = lettre::Message::builder()
            .from(envelope.from.parse()?)
            .to(envelope.to.parse()?)
            .subject(self.subject.clone())
            .message_id(Some(envelope.message_id.to_string()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )?;
        let list_unsubscribe = format!(
            "<{}>, <mailto:{}?subject=unsubscribe>",
            envelope.unsubscribe_url, envelope.unsubscribe_mailto
        );
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            list_unsubscribe,
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ));
        Ok(message)
    }
}

/// Who one email goes to, and how that recipient leaves the list.
pub struct Envelope<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub unsubscribe_url: &'a str,
    pub unsubscribe_mailto: &'a str,
    /// `<id@host>`
    pub message_id: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub event: Event,
    pub sms: BTreeMap<Lang, SmsText>,
    pub email: BTreeMap<Lang, RenderedEmail>,
    pub webhook: Value,
}

fn short_url(url: &str) -> String {
    url.split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(url)
        .to_string()
}

fn trim_sentence(s: &str) -> String {
    s.trim().trim_end_matches('.').to_string()
}

pub(crate) fn context(settings: &Settings, s: &Subject<'_>, lang: Lang, now: DateTime<Utc>) -> Ctx {
    let n = s.notice;
    let face = Clockface::new(settings, lang, now);
    let names: Vec<String> = n
        .affected
        .iter()
        .map(|a| {
            s.services
                .iter()
                .find(|sv| sv.code == a.service)
                .map(|sv| sv.name.get(lang).to_string())
                .unwrap_or_else(|| a.service.to_string())
        })
        .collect();
    let base = &settings.public_url;
    let (window, start, end) = match (n.starts_at, n.ends_at) {
        (Some(st), Some(en)) => (face.window(st, en), face.instant(st), face.instant(en)),
        (Some(st), None) => (face.instant(st), face.instant(st), String::new()),
        _ => (String::new(), String::new(), String::new()),
    };
    Ctx {
        event: s.event,
        lang: lang.code(),
        dir: lang.dir(),
        loc: face.loc.clone(),
        page_name: settings.raw.page.name.clone(),
        title: n.title.get(lang).to_string(),
        body: s.body.get(lang).trim().to_string(),
        has_window: n.kind == NoticeKind::Maintenance && !window.is_empty(),
        window,
        start,
        end,
        affected: names.join(&face.loc.text("list-separator")),
        still_works: (!n.still_works.is_empty()).then(|| trim_sentence(n.still_works.get(lang))),
        outcome: n.minutes_early().map(|m| face.outcome(m)),
        reference: n.reference.to_string(),
        verify_url: short_url(&format!("{base}/v/{}", n.reference)),
        verify_url_full: format!("{base}/verify/{}", n.reference),
        notice_url: format!("{base}/notices/{}", n.id),
        ics_url: format!("{base}/maintenance.ics"),
        page_url: format!("{base}/"),
        unsubscribe_url: UNSUBSCRIBE_MARKER.to_string(),
    }
}

/// Fills `{placeholders}` (and `{{`, `}}` escapes) of a staff override from the context.
fn fill(text: &str, c: &Ctx) -> String {
    super::placeholders::fill(text, |name| match name {
        "title" => &c.title,
        "window" => &c.window,
        "start" => &c.start,
        "end" => &c.end,
        "affected" => &c.affected,
        "still_works" => c.still_works.as_deref().unwrap_or(""),
        "reference" => &c.reference,
        "verify_url" => &c.verify_url,
        "page_url" => &c.page_url,
        "body" => &c.body,
        _ => "",
    })
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The SMS for one language: template (or override) text, then the reference and short verify
/// URL, checked against the segment budget. Over budget, the text comes back with the error so
/// a preview can still show it.
pub fn render_sms(
    c: &Ctx,
    lang: Lang,
    override_text: Option<&str>,
    budget: usize,
) -> (SmsText, Option<FieldError>) {
    let main = match override_text {
        Some(t) => fill(t, c),
        None => event_text(c, "sms"),
    };
    let text = format!(
        "{} {} {} {}",
        squash(&main),
        c.loc.text("email-sms-ref"),
        c.reference,
        c.verify_url
    );
    let encoded = sms::encode(&text);
    if encoded.segments > budget {
        let what = match override_text {
            Some(_) => format!("the SMS override ({})", lang.code()),
            None => format!(
                "the {} text {}",
                lang.native_name(),
                message_id("sms", c.event)
            ),
        };
        let forcing = if encoded.forcing_ucs2.is_empty() {
            String::new()
        } else {
            format!(
                "; UCS-2 because of {}",
                encoded
                    .forcing_ucs2
                    .iter()
                    .map(|ch| format!("'{ch}'"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        let error = FieldError::new(
            format!("sms.{}", lang.code()),
            format!(
                "{what} renders {} SMS segments ({} units, {}{forcing}); the budget is {budget} (sms.segment_budget for {}). Shorten the text or write an SMS override.",
                encoded.segments,
                encoded.units,
                encoded.encoding.as_str(),
                lang.code(),
            ),
        );
        return (encoded, Some(error));
    }
    (encoded, None)
}

pub fn render_email(c: &Ctx, override_text: Option<&str>) -> RenderedEmail {
    let subject = squash(&event_text(c, "email-subject"));
    let lead = match override_text {
        Some(t) => fill(t, c),
        None => squash(&event_text(c, "email-lead")),
    };
    let l = Labels::of(&c.loc);
    let text = EmailText {
        c,
        l,
        lead: lead.clone(),
    }
    .render()
    .expect("email text renders");
    let body_paragraphs = c
        .body
        .split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let colour = match c.event {
        Event::MaintenanceOverrunning | Event::IncidentCreated | Event::IncidentUpdated => {
            "#b42318"
        }
        Event::MaintenanceCompleted | Event::IncidentResolved | Event::MaintenanceCancelled => {
            "#1f7a3d"
        }
        _ => "#0b5cad",
    };
    let html = EmailHtml {
        c,
        l: Labels::of(&c.loc),
        subject: subject.clone(),
        lead,
        body_paragraphs,
        colour,
    }
    .render()
    .expect("email html renders");
    RenderedEmail {
        subject,
        text: text.replace("\n\n\n", "\n\n"),
        html,
    }
}

/// What a preview of a notice that is not saved yet says of its reference code.
pub fn unsaved_reference_note() -> String {
    format!(
        "The reference code is given when the notice is saved; {} stands in for it here.",
        crate::domain::RefCode::PLACEHOLDER
    )
}

/// Every channel and language for one update, with the problems found (each naming its
/// channel and language, `sms.sw`), so staff can see and fix them all at once.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub event: Event,
    /// The notice's reference code, which every text ends with; `None` for a notice that is
    /// not saved yet, whose texts show [`crate::domain::RefCode::PLACEHOLDER`] instead.
    pub reference: Option<String>,
    /// Says so when there is no code yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_note: Option<String>,
    pub ok: bool,
    pub errors: BTreeMap<String, String>,
    pub sms: BTreeMap<Lang, SmsText>,
    pub email: BTreeMap<Lang, RenderedEmail>,
    pub webhook: Value,
}

pub fn preview(settings: &Settings, s: &Subject<'_>, now: DateTime<Utc>) -> Preview {
    let mut errors = BTreeMap::new();
    let mut sms_out = BTreeMap::new();
    let mut email_out = BTreeMap::new();
    for &lang in &settings.languages {
        let c = context(settings, s, lang, now);
        let sms_override = s.overrides.sms.0.get(&lang).map(String::as_str);
        let (sms, error) = render_sms(&c, lang, sms_override, settings.sms_budget(lang));
        if let Some(e) = error {
            errors.insert(e.field, e.message);
        }
        sms_out.insert(lang, sms);
        let email_override = s.overrides.email.0.get(&lang).map(String::as_str);
        email_out.insert(lang, render_email(&c, email_override));
    }
    let unsaved = s.notice.reference.is_placeholder();
    Preview {
        event: s.event,
        reference: (!unsaved).then(|| s.notice.reference.to_string()),
        reference_note: unsaved.then(unsaved_reference_note),
        ok: errors.is_empty(),
        errors,
        sms: sms_out,
        email: email_out,
        webhook: super::webhook::payload(settings, s, now),
    }
}

/// Renders every channel and language for one update, or every reason it cannot be sent.
pub fn render(
    settings: &Settings,
    s: &Subject<'_>,
    now: DateTime<Utc>,
) -> Result<Rendered, Vec<FieldError>> {
    let p = preview(settings, s, now);
    if !p.ok {
        return Err(p
            .errors
            .into_iter()
            .map(|(f, m)| FieldError::new(f, m))
            .collect());
    }
    Ok(Rendered {
        event: p.event,
        sms: p.sms,
        email: p.email,
        webhook: p.webhook,
    })
}

/// The check a lifecycle action runs before it commits: every message of the new update must
/// render within its limits. What it renders is stored with the update, so workers send
/// exactly what was checked.
pub fn checker<'a>(
    settings: &'a Settings,
    services: &'a [Service],
    now: DateTime<Utc>,
) -> impl FnOnce(&Notice, &crate::domain::Update) -> Result<Vec<UpdateMessage>, Vec<FieldError>> + 'a
{
    move |n, u| {
        let subject = Subject {
            event: u.event,
            notice: n,
            body: &u.body,
            at: u.created_at,
            sequence: u.sequence,
            update_id: &u.id,
            services,
            overrides: &u.overrides,
        };
        render(settings, &subject, now).map(|r| r.to_stored())
    }
}

impl Rendered {
    /// One row per channel and language, as the outbox keeps them.
    pub fn to_stored(&self) -> Vec<UpdateMessage> {
        let mut out = Vec::new();
        for (lang, sms) in &self.sms {
            out.push(UpdateMessage {
                channel: "sms".into(),
                language: lang.code().into(),
                subject: String::new(),
                text: sms.text.clone(),
                html: String::new(),
            });
        }
        for (lang, email) in &self.email {
            out.push(UpdateMessage {
                channel: "email".into(),
                language: lang.code().into(),
                subject: email.subject.clone(),
                text: email.text.clone(),
                html: email.html.clone(),
            });
        }
        out.push(UpdateMessage {
            channel: "webhook".into(),
            language: String::new(),
            subject: String::new(),
            text: self.webhook.to_string(),
            html: String::new(),
        });
        out
    }
}
