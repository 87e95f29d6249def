//! Languages as data: every word customers read, per language, from Project Fluent files in
//! `locales/{tag}/`, and dates written by CLDR's rules for that language (ICU4X).
//!
//! The shipped locales are compiled in. An operator may add a language, or override single
//! messages of a shipped one, with a folder of `.ftl` files under `page.locales_dir`; every
//! configured language must then have every message English has, or start is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use icu_datetime::fieldsets::{MDE, T, YMDE};
use icu_datetime::input::{Date, DateTime as IcuDateTime, Time};
use icu_datetime::{FixedCalendarDateTimeFormatter, NoCalendarFormatter};

use crate::domain::Lang;

/// The locales compiled into the binary: (tag, [(file name, Fluent source)]).
const SHIPPED: &[(&str, &[(&str, &str)])] = &[
    shipped!("en"),
    shipped!("sw"),
    shipped!("fr"),
    shipped!("pt"),
    shipped!("ar"),
];

macro_rules! shipped {
    ($tag:literal) => {
        (
            $tag,
            &[
                (
                    "page.ftl",
                    include_str!(concat!("../../locales/", $tag, "/page.ftl")),
                ),
                (
                    "messages.ftl",
                    include_str!(concat!("../../locales/", $tag, "/messages.ftl")),
                ),
                (
                    "subscribe.ftl",
                    include_str!(concat!("../../locales/", $tag, "/subscribe.ftl")),
                ),
                (
                    "console.ftl",
                    include_str!(concat!("../../locales/", $tag, "/console.ftl")),
                ),
            ],
        )
    };
}
use shipped;

/// The tags of the locales compiled in.
pub fn shipped_tags() -> Vec<&'static str> {
    SHIPPED.iter().map(|(t, _)| *t).collect()
}

/// One language's messages and date formatters.
pub struct Locale {
    pub lang: Lang,
    bundle: FluentBundle<FluentResource>,
    dates: Dates,
}

impl std::fmt::Debug for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Locale({})", self.lang)
    }
}

/// An argument to a message.
pub enum Arg<'a> {
    Str(&'a str),
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl Locale {
    /// The message `id` with no arguments.
    pub fn text(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The message `id` with its arguments. A message the locale lacks (start checks that none
    /// is missing) comes out as its id, so a gap shows instead of a blank.
    pub fn format(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(lang = %self.lang, id, "message missing from locale");
            return id.to_string();
        };
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Str(s) => fargs.set(*name, FluentValue::from(*s)),
                Arg::Num(n) => fargs.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let out = self
            .bundle
            .format_pattern(pattern, Some(&fargs), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(lang = %self.lang, id, ?errors, "message formatted with errors");
        }
        out.into_owned()
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// "Sat, 18 Apr" in this language's CLDR pattern, with the year when it is not `this_year`.
    pub fn date(&self, local: &DateTime<Tz>, this_year: i32) -> String {
        let date = icu_date(local);
        if local.year() == this_year {
            self.dates.day.format(&date).to_string()
        } else {
            self.dates.day_year.format(&date).to_string()
        }
    }

    /// "23:00", on the 24-hour clock, in this language's digits.
    pub fn time(&self, local: &DateTime<Tz>) -> String {
        self.dates.time.format(&icu_time(local)).to_string()
    }

    /// A date with its time, joined as this language joins them ("Sat, 18 Apr, 23:00").
    pub fn date_time(&self, local: &DateTime<Tz>, this_year: i32) -> String {
        let dt = IcuDateTime {
            date: icu_date(local),
            time: icu_time(local),
        };
        if local.year() == this_year {
            self.dates.day_time.format(&dt).to_string()
        } else {
            self.dates.day_year_time.format(&dt).to_string()
        }
    }
}

fn icu_date(local: &DateTime<Tz>) -> Date<icu_calendar::Gregorian> {
    Date::try_new_gregorian(local.year(), local.month() as u8, local.day() as u8)
        .expect("a chrono date is a valid Gregorian date")
}

fn icu_time(local: &DateTime<Tz>) -> Time {
    Time::try_new(local.hour() as u8, local.minute() as u8, 0, 0)
        .expect("a chrono time is a valid time")
}

struct Dates {
    day: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, MDE>,
    day_year: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, YMDE>,
    day_time:
        FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, icu_datetime::fieldsets::MDET>,
    day_year_time:
        FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, icu_datetime::fieldsets::YMDET>,
    time: NoCalendarFormatter<T>,
}

impl Dates {
    /// Formatters for `cldr` (a locale's `cldr-locale` message, else its tag), always on the
    /// Gregorian calendar and the 24-hour clock, as notices are written.
    fn new(cldr: &str) -> Result<Dates> {
        let with_clock = if cldr.contains("-u-") {
            format!("{cldr}-hc-h23")
        } else {
            format!("{cldr}-u-hc-h23")
        };
        let locale: icu_locale::Locale = with_clock
            .parse()
            .map_err(|e| anyhow!("'{cldr}' is not a CLDR locale: {e:?}"))?;
        let prefs = || (&locale).into();
        Ok(Dates {
            day: FixedCalendarDateTimeFormatter::try_new(prefs(), MDE::medium())
                .map_err(|e| anyhow!("{cldr}: day format: {e:?}"))?,
            day_year: FixedCalendarDateTimeFormatter::try_new(prefs(), YMDE::medium())
                .map_err(|e| anyhow!("{cldr}: day format: {e:?}"))?,
            day_time: FixedCalendarDateTimeFormatter::try_new(
                prefs(),
                MDE::medium().with_time_hm(),
            )
            .map_err(|e| anyhow!("{cldr}: date and time format: {e:?}"))?,
            day_year_time: FixedCalendarDateTimeFormatter::try_new(
                prefs(),
                YMDE::medium().with_time_hm(),
            )
            .map_err(|e| anyhow!("{cldr}: date and time format: {e:?}"))?,
            time: NoCalendarFormatter::try_new(prefs(), T::hm())
                .map_err(|e| anyhow!("{cldr}: time format: {e:?}"))?,
        })
    }
}

/// The locales an instance serves, one per configured language.
#[derive(Debug, Clone)]
pub struct Locales {
    by_lang: BTreeMap<Lang, Arc<Locale>>,
    default: Lang,
}

/// A locale's sources before they are turned into a bundle: (where from, Fluent text).
type Sources = Vec<(String, String)>;

impl Locales {
    /// Loads the shipped locales and those under `dir` for `languages` (BCP 47 tags, first is
    /// the default), checking each is complete. Registers every language it loads.
    pub fn load(dir: Option<&Path>, languages: &[String]) -> Result<(Locales, Vec<Lang>)> {
        let mut sources: BTreeMap<String, Sources> = BTreeMap::new();
        for (tag, files) in SHIPPED {
            sources.insert(
                tag.to_string(),
                files
                    .iter()
                    .map(|(name, text)| {
                        (format!("locales/{tag}/{name} (built in)"), text.to_string())
                    })
                    .collect(),
            );
        }
        if let Some(dir) = dir {
            for (tag, files) in read_dir(dir)? {
                sources.entry(tag).or_default().extend(files);
            }
        }
        let reference = bundle("en", sources.get("en").expect("English is shipped"))?;
        let reference_ids = ids_of(sources.get("en").expect("English is shipped"));
        let mut by_lang = BTreeMap::new();
        let mut langs = Vec::new();
        for wanted in languages {
            let canonical = Lang::canonical(wanted).ok_or_else(|| {
                anyhow!("config: page.languages: '{wanted}' is not a BCP 47 language tag")
            })?;
            let Some(src) = sources.get(&canonical) else {
                bail!(
                    "config: page.languages: '{wanted}' has no locale (built in: {}; add a folder \
                     locales/{canonical}/ under page.locales_dir)",
                    shipped_tags().join(", ")
                );
            };
            let b = bundle(&canonical, src)?;
            let missing: Vec<&String> = reference_ids
                .iter()
                .filter(|id| !b.has_message(id))
                .collect();
            if !missing.is_empty() {
                bail!(
                    "config: page.languages: the locale '{canonical}' lacks {} of English's \
                     messages: {}{}",
                    missing.len(),
                    missing
                        .iter()
                        .take(8)
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if missing.len() > 8 { ", …" } else { "" }
                );
            }
            let name = message(&b, "language-name").unwrap_or_else(|| canonical.clone());
            let cldr = message(&b, "cldr-locale").unwrap_or_else(|| canonical.clone());
            let langid: icu_locale::LanguageIdentifier = canonical
                .parse()
                .map_err(|e| anyhow!("config: page.languages: '{canonical}': {e:?}"))?;
            let rtl = icu_locale::LocaleDirectionality::new_common().is_right_to_left(&langid);
            let lang = Lang::register(&canonical, &name, rtl).expect("a canonical tag registers");
            if langs.contains(&lang) {
                bail!("config: page.languages: '{wanted}' is listed twice");
            }
            let dates = Dates::new(&cldr).with_context(|| format!("locale '{canonical}'"))?;
            langs.push(lang);
            by_lang.insert(
                lang,
                Arc::new(Locale {
                    lang,
                    bundle: b,
                    dates,
                }),
            );
        }
        drop(reference);
        let default = *langs
            .first()
            .ok_or_else(|| anyhow!("config: page.languages: must name at least one language"))?;
        Ok((Locales { by_lang, default }, langs))
    }

    /// The locale for `lang`, else the default language's.
    pub fn get(&self, lang: Lang) -> &Arc<Locale> {
        self.by_lang
            .get(&lang)
            .unwrap_or_else(|| &self.by_lang[&self.default])
    }
}

fn message(b: &FluentBundle<FluentResource>, id: &str) -> Option<String> {
    let pattern = b.get_message(id)?.value()?;
    let mut errors = Vec::new();
    Some(
        b.format_pattern(pattern, None, &mut errors)
            .trim()
            .to_string(),
    )
}

/// A bundle from a locale's sources in order, later ones overriding earlier messages.
fn bundle(tag: &str, sources: &Sources) -> Result<FluentBundle<FluentResource>> {
    let langid: unic_langid::LanguageIdentifier = tag
        .parse()
        .map_err(|e| anyhow!("locale '{tag}': not a language tag: {e}"))?;
    let mut b = FluentBundle::new_concurrent(vec![langid]);
    // Unicode isolation marks would cost SMS characters and force UCS-2; pages isolate
    // left-to-right runs with markup instead.
    b.set_use_isolating(false);
    for (origin, text) in sources {
        let res = parse(origin, text)?;
        b.add_resource_overriding(res);
    }
    Ok(b)
}

fn parse(origin: &str, text: &str) -> Result<FluentResource> {
    FluentResource::try_new(text.to_string()).map_err(|(_, errors)| {
        let first = &errors[0];
        let line = text[..first.pos.start.min(text.len())]
            .matches('\n')
            .count()
            + 1;
        let more = match errors.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more Fluent syntax errors)"),
        };
        anyhow!("{origin}: line {line}: {}{more}", first.kind)
    })
}

fn ids_of(sources: &Sources) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (origin, text) in sources {
        if let Ok(res) = parse(origin, text) {
            for entry in res.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    ids.insert(m.id.name.to_string());
                }
            }
        }
    }
    ids.remove("cldr-locale");
    ids
}

/// The locale folders under `dir`: (canonical tag, its `.ftl` files in name order).
fn read_dir(dir: &Path) -> Result<Vec<(String, Sources)>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("config: page.locales_dir: cannot read {}", dir.display()))?;
    let mut folders: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    folders.sort_by_key(|e| e.file_name());
    for folder in folders {
        if !folder.path().is_dir() {
            continue;
        }
        let name = folder.file_name().to_string_lossy().to_string();
        let Some(tag) = Lang::canonical(&name) else {
            bail!(
                "config: page.locales_dir: folder '{name}' in {} is not a BCP 47 language tag",
                dir.display()
            );
        };
        let mut files: Vec<_> = std::fs::read_dir(folder.path())?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        files.sort();
        let mut sources = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).with_context(|| {
                format!("config: page.locales_dir: cannot read {}", f.display())
            })?;
            parse(&f.display().to_string(), &text)?;
            sources.push((f.display().to_string(), text));
        }
        out.push((tag, sources));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each message's variables (`$name`), by id, from a locale's sources.
    fn variables(tag: &str) -> BTreeMap<String, BTreeSet<String>> {
        let (_, files) = SHIPPED.iter().find(|(t, _)| *t == tag).unwrap();
        let mut out = BTreeMap::new();
        for (name, text) in *files {
            let res = parse(name, text).unwrap_or_else(|e| panic!("{tag}: {e}"));
            for entry in res.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    collect(&m.value, &mut vars);
                    out.insert(m.id.name.to_string(), vars);
                }
            }
        }
        out
    }

    fn collect(pattern: &Option<fluent_syntax::ast::Pattern<&str>>, vars: &mut BTreeSet<String>) {
        use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
        fn inline(e: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
            match e {
                InlineExpression::VariableReference { id } => {
                    vars.insert(id.name.to_string());
                }
                InlineExpression::Placeable { expression } => expr(expression, vars),
                _ => {}
            }
        }
        fn expr(e: &Expression<&str>, vars: &mut BTreeSet<String>) {
            match e {
                Expression::Inline(i) => inline(i, vars),
                Expression::Select { selector, variants } => {
                    inline(selector, vars);
                    for v in variants {
                        collect(&Some(v.value.clone()), vars);
                    }
                }
            }
        }
        let Some(p) = pattern else { return };
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                expr(expression, vars);
            }
        }
    }

    #[test]
    fn every_shipped_locale_has_every_english_message_and_its_variables() {
        let english = variables("en");
        assert!(
            english.len() > 150,
            "English has {} messages",
            english.len()
        );
        for tag in shipped_tags() {
            let other = variables(tag);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(
                extra.is_empty(),
                "{tag} has messages English lacks: {extra:?}"
            );
            for (id, vars) in &english {
                // A translation may leave out a variable English shows (a count written as a
                // word), but never use one the code does not pass.
                let unknown: Vec<_> = other[id].difference(vars).collect();
                assert!(
                    unknown.is_empty(),
                    "{tag} {id} uses {unknown:?}, not passed"
                );
            }
        }
        let all: Vec<String> = shipped_tags().iter().map(|t| t.to_string()).collect();
        let (locales, langs) = Locales::load(None, &all).expect("every shipped locale loads");
        assert_eq!(langs.len(), 5);
        let ar = Lang::parse("ar").unwrap();
        assert!(ar.is_rtl() && !Lang::parse("sw").unwrap().is_rtl());
        assert_eq!(ar.native_name(), "العربية");
        assert_eq!(locales.get(ar).lang, ar);
    }
}
