//! What a notice would send, as staff read it: every language's SMS (with its encoding and
//! segments) and email.

use crate::locale::{Arg, Locale};
use crate::render::messages::Preview;
use crate::web::AppState;

pub struct SmsView {
    pub lang: &'static str,
    pub dir: &'static str,
    pub lang_name: &'static str,
    pub text: String,
    pub encoding: &'static str,
    /// "2 segments", in the staff member's language.
    pub segments_label: String,
    pub units: usize,
    pub forcing: String,
    /// Whether removing the characters that force UCS-2 is offered: only when they are
    /// accents, punctuation or symbols, not the letters of a script GSM-7 cannot write.
    pub fixable: bool,
    pub over: bool,
}

crate::render::i18n::labels!(
    /// The words of the preview pane.
    PreviewWords, "console-preview", {
        heading,
        cannot_send,
        sms,
        septets,
        ucs2_units,
        script,
        forcing,
        remove,
        email,
        subject,
        title,
        press,
        fix_first,
    }
);

pub struct EmailView {
    pub lang: &'static str,
    pub dir: &'static str,
    pub lang_name: &'static str,
    pub subject: String,
    pub text: String,
}

pub struct PreviewView {
    pub event: &'static str,
    /// For a notice not saved yet: that its reference code is given on save.
    pub reference_note: Option<String>,
    pub errors: Vec<(String, String)>,
    pub sms: Vec<SmsView>,
    pub email: Vec<EmailView>,
}

/// `example_unsubscribe` stands in for each recipient's own link in what staff read.
pub fn example_unsubscribe(state: &AppState) -> String {
    format!("{}/unsubscribe/…", state.settings.public_url)
}

pub fn preview_view(
    loc: &Locale,
    p: &Preview,
    settings: &crate::config::Settings,
    example_unsubscribe: &str,
) -> PreviewView {
    PreviewView {
        event: p.event.as_str(),
        // The render layer's note is English (the API's); staff read it in their language.
        reference_note: p.reference_note.as_ref().map(|_| {
            loc.format(
                "console-preview-reference-note",
                &[("placeholder", Arg::Str(crate::domain::RefCode::PLACEHOLDER))],
            )
        }),
        errors: p
            .errors
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        sms: p
            .sms
            .iter()
            .map(|(lang, s)| SmsView {
                lang: lang.code(),
                dir: lang.dir(),
                lang_name: lang.native_name(),
                text: s.text.clone(),
                encoding: match s.encoding {
                    crate::domain::sms::Encoding::Gsm7 => "GSM-7",
                    crate::domain::sms::Encoding::Ucs2 => "UCS-2",
                },
                segments_label: loc.format(
                    "console-preview-segments",
                    &[("n", Arg::Num(s.segments as i64))],
                ),
                units: s.units,
                forcing: s
                    .forcing_ucs2
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                fixable: s
                    .forcing_ucs2
                    .iter()
                    .all(|c| !c.is_alphabetic() || is_latin(*c)),
                over: s.segments > settings.sms_budget(*lang),
            })
            .collect(),
        email: p
            .email
            .iter()
            .map(|(lang, e)| EmailView {
                lang: lang.code(),
                dir: lang.dir(),
                lang_name: lang.native_name(),
                subject: e.subject.clone(),
                text: e.personalise(example_unsubscribe).0,
            })
            .collect(),
    }
}

/// A letter of the Latin script (with or without accents), which an SMS can write without.
fn is_latin(c: char) -> bool {
    matches!(c, 'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}
