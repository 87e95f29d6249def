//! The small template language of staff-written SMS and email overrides: `{title}` and the
//! other [`PLACEHOLDERS`] are filled in from the notice, and `{{` and `}}` stand for a literal
//! `{` and `}`, as in Rust's and Python's format strings, so that an override can show a brace.
//!
//! Input is checked once, when staff save it ([`check_placeholders`]); rendering ([`fill`]) is
//! lenient and writes anything it cannot read as it stands, so a text saved before a rule
//! changed still renders. A value is inserted once and never read again, so a title that
//! contains `{body}` shows those six characters instead of the body.

use crate::domain::{FieldError, Localized};

/// Placeholders a staff-written SMS or email override may use.
pub const PLACEHOLDERS: [&str; 10] = [
    "title",
    "window",
    "start",
    "end",
    "affected",
    "still_works",
    "reference",
    "verify_url",
    "page_url",
    "body",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'static str),
}

/// The override as literal text and placeholders, and what is wrong with it, in order. A
/// piece that is wrong is kept as literal text.
fn parse(text: &str) -> (Vec<Piece<'_>>, Vec<String>) {
    let mut pieces = Vec::new();
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        if at > 0 {
            pieces.push(Piece::Text(&rest[..at]));
        }
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            pieces.push(Piece::Text(&tail[..1]));
            rest = &tail[2..];
        } else if let Some(after) = tail.strip_prefix('}') {
            problems
                .push("has a '}' that closes no placeholder; write }} for a literal '}'".into());
            pieces.push(Piece::Text("}"));
            rest = after;
        } else {
            let after = &tail[1..];
            let close = after
                .find(['{', '}'])
                .filter(|&i| after[i..].starts_with('}'));
            let Some(close) = close else {
                problems.push(
                    "has a '{' without a closing '}'; write {{ for a literal '{'".to_string(),
                );
                pieces.push(Piece::Text("{"));
                rest = after;
                continue;
            };
            let name = &after[..close];
            match PLACEHOLDERS.iter().find(|&&p| p == name) {
                Some(p) => pieces.push(Piece::Placeholder(p)),
                None => {
                    problems.push(format!(
                        "unknown placeholder {{{name}}}; use {}, or write {{{{ and }}}} for a \
                         literal brace",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                    ));
                    pieces.push(Piece::Text(&tail[..close + 2]));
                }
            }
            rest = &after[close + 1..];
        }
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    (pieces, problems)
}

/// Refuses braces that are neither a known `{placeholder}` nor an escape (`{{`, `}}`), each
/// problem under `field.lang`.
pub fn check_placeholders(field: &str, text: &Localized) -> Vec<FieldError> {
    text.0
        .iter()
        .flat_map(|(lang, t)| {
            parse(t)
                .1
                .into_iter()
                .map(move |m| FieldError::new(format!("{field}.{lang}"), m))
        })
        .collect()
}

/// The override with each placeholder replaced by `value(name)` and each escape by its brace.
pub fn fill<'v>(text: &str, value: impl Fn(&str) -> &'v str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in parse(text).0 {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(name) => out.push_str(value(name)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use proptest::prelude::*;

    fn value(name: &str) -> &'static str {
        match name {
            "title" => "Night {body} upgrade",
            "body" => "Pay bill is down.",
            _ => "…",
        }
    }

    fn problems(text: &str) -> Vec<String> {
        check_placeholders("sms", &Localized::single(Lang::Sw, text))
            .into_iter()
            .map(|e| {
                assert_eq!(e.field, "sms.sw");
                e.message
            })
            .collect()
    }

    #[test]
    fn doubled_braces_write_one_brace() {
        assert!(problems("Use code {{A}} now: {title}").is_empty());
        assert_eq!(fill("{{", value), "{");
        assert_eq!(fill("}}", value), "}");
        assert_eq!(
            fill("Use code {{A}} now: {title}", value),
            "Use code {A} now: Night {body} upgrade"
        );
        assert_eq!(fill("{{title}}", value), "{title}");
        assert_eq!(fill("{{{title}}}", value), "{Night {body} upgrade}");
    }

    #[test]
    fn a_lone_brace_is_refused_and_the_message_gives_the_escape() {
        for (text, says) in [
            ("Price {5 KES", "write {{ for a literal '{'"),
            ("Price 5} KES", "write }} for a literal '}'"),
            ("Price {kesho} KES", "write {{ and }} for a literal brace"),
            ("{{{", "write {{ for a literal '{'"),
        ] {
            let p = problems(text);
            assert_eq!(p.len(), 1, "{text}: {p:?}");
            assert!(p[0].contains(says), "{text}: {p:?}");
        }
        let p = problems("Taarifa {kesho} {title");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("unknown placeholder {kesho}"), "{p:?}");
    }

    #[test]
    fn what_cannot_be_read_renders_as_written() {
        assert_eq!(fill("a } b { c {kesho}", value), "a } b { c {kesho}");
    }

    fn literal() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => proptest::char::range(' ', '~'),
                2 => prop_oneof![Just('{'), Just('}')],
                1 => proptest::char::range('а', 'я'),
                1 => Just('😀'),
            ],
            0..20,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    /// Literal text or a placeholder name.
    fn piece() -> impl Strategy<Value = Result<String, &'static str>> {
        prop_oneof![
            3 => literal().prop_map(Ok),
            1 => proptest::sample::select(&PLACEHOLDERS[..]).prop_map(Err),
        ]
    }

    proptest! {
        #[test]
        fn escaped_text_comes_back_and_placeholders_are_filled(
            pieces in proptest::collection::vec(piece(), 0..12)
        ) {
            let mut written = String::new();
            let mut expected = String::new();
            for p in &pieces {
                match p {
                    Ok(text) => {
                        written.push_str(&text.replace('{', "{{").replace('}', "}}"));
                        expected.push_str(text);
                    }
                    Err(name) => {
                        written.push_str(&format!("{{{name}}}"));
                        expected.push_str(value(name));
                    }
                }
            }
            prop_assert!(problems(&written).is_empty(), "{:?}", written);
            prop_assert_eq!(fill(&written, value), expected);
        }

        #[test]
        fn fill_never_loses_text_it_cannot_read(text in literal()) {
            // With no placeholder and no escape, every character is kept.
            let has_pair = text.contains("{{") || text.contains("}}");
            let filled = fill(&text, |_| "");
            if !has_pair && !PLACEHOLDERS.iter().any(|p| text.contains(&format!("{{{p}}}"))) {
                prop_assert_eq!(filled, text);
            }
        }
    }
}
