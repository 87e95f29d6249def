//! Languages the page and messages are written in, and texts kept per language.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

/// A language a locale exists for, as its BCP 47 tag in canonical case ("en", "sw", "pt-BR").
///
/// A `Lang` is only made for a tag that has been registered (by loading its locale), so texts
/// can be keyed by it everywhere and a tag from outside (a request, a stored row) that no
/// locale serves is refused where it is parsed. Registered tags live for the whole process;
/// there are as many as there are locale folders.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lang(&'static str);

/// A registered language: its tag, its own name and its writing direction.
struct Entry {
    tag: &'static str,
    name: &'static str,
    rtl: bool,
}

static REGISTERED: RwLock<Vec<Entry>> = RwLock::new(Vec::new());
static DEFAULT: RwLock<Option<Lang>> = RwLock::new(None);

#[allow(non_upper_case_globals)]
impl Lang {
    /// English, the reference locale every other is checked against.
    pub const En: Lang = Lang("en");
    pub const Sw: Lang = Lang("sw");

    /// The tag in canonical case, or `None` when it is not a well-formed BCP 47 tag.
    pub fn canonical(tag: &str) -> Option<String> {
        let tag = tag.trim();
        if tag.is_empty() || tag.len() > 35 || tag == "*" {
            return None;
        }
        let id: unic_langid::LanguageIdentifier = tag.replace('_', "-").parse().ok()?;
        Some(id.to_string())
    }

    /// Registers a tag a locale has been loaded for, with the language's own name ("Kiswahili")
    /// and whether it is written right to left. Registering again updates both.
    pub fn register(tag: &str, name: &str, rtl: bool) -> Option<Lang> {
        let canonical = Self::canonical(tag)?;
        let mut list = REGISTERED.write().expect("language registry");
        if let Some(e) = list.iter_mut().find(|e| e.tag == canonical) {
            if e.name != name {
                e.name = Box::leak(name.to_string().into_boxed_str());
            }
            e.rtl = rtl;
            return Some(Lang(e.tag));
        }
        let tag: &'static str = Box::leak(canonical.into_boxed_str());
        let name: &'static str = Box::leak(name.to_string().into_boxed_str());
        list.push(Entry { tag, name, rtl });
        Some(Lang(tag))
    }

    fn with_entry<T>(self, f: impl FnOnce(&Entry) -> T) -> Option<T> {
        REGISTERED
            .read()
            .expect("language registry")
            .iter()
            .find(|e| e.tag == self.0)
            .map(f)
    }

    fn known(canonical: &str) -> Option<Lang> {
        REGISTERED
            .read()
            .expect("language registry")
            .iter()
            .find(|e| e.tag == canonical)
            .map(|e| Lang(e.tag))
    }

    /// Every language a locale has been loaded for, in the order they were registered.
    pub fn registered() -> Vec<Lang> {
        REGISTERED
            .read()
            .expect("language registry")
            .iter()
            .map(|e| Lang(e.tag))
            .collect()
    }

    /// The language's own name, for language switchers ("Kiswahili", "العربية").
    pub fn native_name(self) -> &'static str {
        self.with_entry(|e| e.name).unwrap_or(self.0)
    }

    /// Whether the language is written right to left (its pages get `dir="rtl"`).
    pub fn is_rtl(self) -> bool {
        self.with_entry(|e| e.rtl).unwrap_or(false)
    }

    /// `"rtl"` or `"ltr"`, for a `dir` attribute.
    pub fn dir(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    /// The registered language with exactly this tag (any case).
    pub fn parse(code: &str) -> Option<Lang> {
        Self::known(&Self::canonical(code)?)
    }

    /// The best of `offered` for a tag, falling back along its chain: `fr-CD` → `fr`,
    /// `zh-Hant-TW` → `zh-Hant` → `zh`.
    pub fn best_for(tag: &str, offered: &[Lang]) -> Option<Lang> {
        let mut tag = Self::canonical(tag)?;
        loop {
            if let Some(l) = offered.iter().find(|l| l.0 == tag) {
                return Some(*l);
            }
            let cut = tag.rfind('-')?;
            tag.truncate(cut);
        }
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// Picks the best offered language from an `Accept-Language` header (RFC 9110 q-values;
    /// a regional tag falls back to its language, `fr-CD` → `fr`; `*` takes the first
    /// offered). `None` when nothing offered is acceptable: the caller uses its default.
    pub fn negotiate(header: &str, offered: &[Lang]) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',').take(32) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "*" {
                offered.first().copied()
            } else {
                Self::best_for(tag, offered)
            };
            let Some(lang) = lang else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// Sets the language texts fall back to when they lack the one asked for: the page's
    /// default (first configured) language.
    pub fn set_default(lang: Lang) {
        *DEFAULT.write().expect("default language") = Some(lang);
    }

    pub fn default_lang() -> Lang {
        DEFAULT
            .read()
            .expect("default language")
            .unwrap_or(Lang::En)
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let tag = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Lang::parse(&tag)
            .ok_or_else(|| serde::de::Error::custom(format!("no locale for language '{tag}'")))
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

    /// The text in `lang`, else in its parent language (`fr` for `fr-CD`), else in the
    /// default language, else in the first language present.
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| {
                let parent = lang.code().rsplit_once('-').map(|(p, _)| p)?;
                self.0
                    .iter()
                    .find(|(l, _)| l.code() == parent)
                    .map(|(_, t)| t)
            })
            .or_else(|| self.0.get(&Lang::default_lang()))
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
