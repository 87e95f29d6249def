//! What every console page shares: the person shown in the header, the words of the frame in
//! the staff member's language, the rendering of a template, and the clock face times are
//! shown in.

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};

use crate::domain::Lang;
use crate::locale::Locale;
use crate::render::i18n::Clockface;
use crate::web::{AppError, AppState};

/// The person in a page's header ([`super::staff::user_view`]).
pub struct UserView {
    pub email: String,
    pub role: &'static str,
}

crate::render::i18n::labels!(
    /// The words of every console page's frame: title, navigation, log out.
    Frame, "console", {
        title,
        nav_new_notice,
        nav_services,
        nav_subscribers,
        nav_billers,
        nav_audit,
        nav_tokens,
        nav_password,
        nav_public,
        log_out,
    }
);

/// The staff member's language: the one `Accept-Language` asks for among the configured
/// languages, else the default (first configured).
pub fn lang_of(state: &AppState, headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Lang::negotiate(v, &state.settings.languages))
        .unwrap_or(state.settings.default_lang())
}

/// The locale of the staff member's language.
pub fn locale_of(state: &AppState, headers: &HeaderMap) -> Arc<Locale> {
    state.settings.locales.get(lang_of(state, headers)).clone()
}

pub fn html<T: Template>(t: T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

/// Times in the page's zone, in `loc`'s language.
pub fn face(state: &AppState, loc: &Arc<Locale>) -> Clockface {
    Clockface {
        tz: state.settings.time_zone,
        loc: loc.clone(),
        now: state.clock.now(),
    }
}

#[cfg(test)]
mod tests {
    use crate::locale::{Arg, Locales};

    /// Every console message of every shipped locale formats with the arguments the console
    /// gives it, leaving no variable unfilled.
    #[test]
    fn every_console_message_formats_in_every_shipped_language() {
        let tags: Vec<String> = crate::locale::shipped_tags()
            .iter()
            .map(|t| t.to_string())
            .collect();
        let (locales, langs) = Locales::load(None, &tags).expect("the shipped locales load");
        let ids: Vec<&str> = include_str!("../../../locales/en/console.ftl")
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(id, _)| id))
            .filter(|id| id.starts_with("console-"))
            .collect();
        assert!(ids.len() > 200, "{}", ids.len());
        for lang in langs {
            let loc = locales.get(lang);
            for id in &ids {
                for n in [0, 1, 2, 3, 11, 100] {
                    let count = n.to_string();
                    let text = loc.format(
                        id,
                        &[
                            ("n", Arg::Num(n)),
                            ("count", Arg::Str(&count)),
                            ("minutes", Arg::Num(15)),
                            ("needed", Arg::Str("publisher")),
                            ("has", Arg::Str("editor")),
                            ("message", Arg::Str("m")),
                            ("why", Arg::Str("w")),
                            ("reference", Arg::Str("R")),
                            ("hours", Arg::Str("1.5")),
                            ("init", Arg::Str("a, b")),
                            ("last", Arg::Str("c")),
                            ("list", Arg::Str("l")),
                            ("sms", Arg::Str("s")),
                            ("at", Arg::Str("t")),
                            ("event", Arg::Str("e")),
                            ("sequence", Arg::Str("2")),
                            ("queued", Arg::Str("q")),
                            ("code", Arg::Str("c")),
                            ("address", Arg::Str("a")),
                            ("rows", Arg::Num(3)),
                            ("new", Arg::Num(2)),
                            ("present", Arg::Num(1)),
                            ("name", Arg::Str("n")),
                            ("biller", Arg::Str("b")),
                            ("id", Arg::Str("i")),
                            ("contact", Arg::Str("c")),
                            ("raw", Arg::Str("r")),
                            ("url", Arg::Str("u")),
                            ("secret", Arg::Str("s")),
                            ("status", Arg::Str("200")),
                            ("ms", Arg::Str("12")),
                            ("error", Arg::Str("e")),
                            ("until", Arg::Str("t")),
                            ("placeholder", Arg::Str("------")),
                        ],
                    );
                    assert!(loc.has(id), "{lang}: {id} is missing");
                    if *id != "console-form-overrides-hint" {
                        assert!(!text.contains('{'), "{lang}: {id}: {text}");
                    }
                }
            }
        }
    }
}
