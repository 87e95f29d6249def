//! Languages the page and messages are written in, and texts kept per language.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Sw,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Sw];

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "sw" => Some(Lang::Sw),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sw => "sw",
        }
    }

    /// The language's own name, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Sw => "Kiswahili",
        }
    }

    /// Picks the best offered language from an `Accept-Language` header (RFC 9110 q-values).
    pub fn negotiate(header: &str, offered: &[Lang]) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let Some(lang) = Lang::parse(primary) else {
                continue;
            };
            if q > 0.0 && offered.contains(&lang) && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A text written in one or more languages. The page's default language is always present
/// (checked when parsed); other languages fall back to it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub BTreeMap<Lang, String>);

/// Why a localized text was refused; the key is the field path to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl Localized {
    pub fn single(lang: Lang, text: impl Into<String>) -> Self {
        Localized(BTreeMap::from([(lang, text.into())]))
    }

    /// Parses raw `{"en": "...", "sw": "..."}` input.
    /// `required` demands the default language; `max` is the longest text accepted, in characters.
    pub fn parse(
        field: &str,
        raw: &BTreeMap<String, String>,
        languages: &[Lang],
        required: bool,
        max: usize,
    ) -> Result<Localized, Vec<FieldError>> {
        Self::parse_inner(field, raw, languages, required, false, max)
    }

    /// Like [`Localized::parse`] for texts where each language stands alone (message
    /// overrides): any subset of languages may be given, the rest keep their default.
    pub fn parse_partial(
        field: &str,
        raw: &BTreeMap<String, String>,
        languages: &[Lang],
        max: usize,
    ) -> Result<Localized, Vec<FieldError>> {
        Self::parse_inner(field, raw, languages, false, true, max)
    }

    fn parse_inner(
        field: &str,
        raw: &BTreeMap<String, String>,
        languages: &[Lang],
        required: bool,
        partial: bool,
        max: usize,
    ) -> Result<Localized, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for (code, text) in raw {
            let Some(lang) = Lang::parse(code).filter(|l| languages.contains(l)) else {
                errors.push(FieldError::new(
                    format!("{field}.{code}"),
                    format!(
                        "unknown language '{code}'; this page offers {}",
                        languages
                            .iter()
                            .map(|l| l.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                continue;
            };
            // Positions in messages count from what staff typed, leading spaces included.
            let typed = text;
            let text = text.trim();
            if text.is_empty() {
                // An empty translation is more likely a slip than a choice: say so, and say
                // how to get the fallback on purpose.
                let message = if lang == languages[0] {
                    "must not be empty".to_string()
                } else {
                    format!(
                        "must not be empty; leave '{code}' out to use the {} text",
                        languages[0].code()
                    )
                };
                errors.push(FieldError::new(format!("{field}.{code}"), message));
                continue;
            }
            let chars = text.chars().count();
            if chars > max {
                errors.push(FieldError::new(
                    format!("{field}.{code}"),
                    format!("is {chars} characters long; at most {max} are allowed"),
                ));
                continue;
            }
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                errors.push(FieldError::new(
                    format!("{field}.{code}"),
                    "contains control characters",
                ));
                continue;
            }
            if let Err(e) = super::text::check_visible(&format!("{field}.{code}"), typed) {
                errors.push(e);
                continue;
            }
            out.insert(lang, text.replace("\r\n", "\n"));
        }
        let default = languages[0];
        if required
            && !out.contains_key(&default)
            && !errors
                .iter()
                .any(|e| e.field.starts_with(&format!("{field}.{}", default.code())))
        {
            errors.push(FieldError::new(
                format!("{field}.{}", default.code()),
                format!(
                    "is required (the page's default language is {})",
                    default.code()
                ),
            ));
        }
        if !required && !partial && !out.is_empty() && !out.contains_key(&default) {
            errors.push(FieldError::new(
                format!("{field}.{}", default.code()),
                "is required when other languages are given",
            ));
        }
        if errors.is_empty() {
            Ok(Localized(out))
        } else {
            Err(errors)
        }
    }

    /// The text in `lang`, else in the first language present.
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("localized text serialises")
    }

    pub fn from_json(s: &str) -> Result<Localized, serde_json::Error> {
        serde_json::from_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_accept_language() {
        let offered = [Lang::En, Lang::Sw];
        assert_eq!(
            Lang::negotiate("sw-KE,sw;q=0.9,en;q=0.8", &offered),
            Some(Lang::Sw)
        );
        assert_eq!(
            Lang::negotiate("fr, en;q=0.5, sw;q=0.7", &offered),
            Some(Lang::Sw)
        );
        assert_eq!(Lang::negotiate("fr", &offered), None);
        assert_eq!(Lang::negotiate("sw;q=0", &offered), None);
        assert_eq!(Lang::negotiate("sw", &[Lang::En]), None);
    }

    #[test]
    fn parse_names_the_language_field() {
        let langs = [Lang::En, Lang::Sw];
        let raw = BTreeMap::from([("fr".to_string(), "Bonjour".to_string())]);
        let errs = Localized::parse("title", &raw, &langs, true, 10).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title.fr", "title.en"]);

        let raw = BTreeMap::from([("en".to_string(), "x".repeat(11))]);
        let errs = Localized::parse("title", &raw, &langs, true, 10).unwrap_err();
        assert!(errs[0].message.contains("11 characters"));

        let raw = BTreeMap::from([
            ("en".to_string(), " Send money ".to_string()),
            ("sw".to_string(), "".to_string()),
        ]);
        let errs = Localized::parse("title", &raw, &langs, true, 20).unwrap_err();
        assert_eq!(errs[0].field, "title.sw");
        assert!(errs[0].message.contains("leave 'sw' out"));
        let raw = BTreeMap::from([("en".to_string(), " Send money ".to_string())]);
        let ok = Localized::parse("title", &raw, &langs, true, 20).unwrap();
        assert_eq!(ok.get(Lang::En), "Send money");
        assert_eq!(
            ok.get(Lang::Sw),
            "Send money",
            "falls back to the default language"
        );
        let raw = BTreeMap::from([("sw".to_string(), "Taarifa".to_string())]);
        let partial = Localized::parse_partial("sms", &raw, &langs, 20).unwrap();
        assert_eq!(
            partial.0.len(),
            1,
            "overrides may cover some languages only"
        );
    }
}
