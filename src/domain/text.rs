//! The rule for every text that staff write and customers read (titles, bodies, overrides,
//! service and group names, biller and endpoint texts): nothing invisible that could make an
//! SMS, an email or the page read differently from what staff saw.
//!
//! Refused: Unicode's default-ignorable code points (`Default_Ignorable_Code_Point`: the
//! bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, zero-width
//! space, joiners, word joiner, U+FEFF, the Mongolian vowel separator U+180E, the soft hyphen,
//! variation selectors, tags, Hangul fillers…) and every other format character (general
//! category Cf, such as the interlinear annotation marks). An override such as U+202E can turn
//! "pay 0722 123 456" into a different number on screen, and an invisible character can hide a
//! word from a reviewer; a printable look-alike can be seen, these cannot.
//!
//! Kept, because emoji need them and they are harmless there:
//! - a zero-width joiner between two emoji (👨‍👩‍👧, 👩🏽‍💻, 🏳️‍🌈);
//! - one variation selector (U+FE00–U+FE0F) after a visible character (❤️ is U+2764 U+FE0F);
//! - the tag characters of an emoji tag sequence (the flag of Scotland: 🏴 + tags + U+E007F).
//!
//! The bidirectional *marks* (LRM U+200E, RLM U+200F and the Arabic letter mark U+061C) are
//! refused too, though they are weaker than overrides: between digits in a left-to-right
//! paragraph a right-to-left mark still reorders them ("12\u{200F}34" shows as 3412), and no
//! language the page ships (English, Swahili) needs them. A right-to-left language (Arabic)
//! would: its texts need ALM and RLM around numbers and Latin words. Adding one should allow
//! those three marks in that language's texts only, never the embeddings, overrides or
//! isolates, here, where the rule lives.

use icu_properties::props::{
    DefaultIgnorableCodePoint, EmojiModifier, ExtendedPictographic, GeneralCategory,
};
use icu_properties::{CodePointMapData, CodePointSetData};

use super::FieldError;

const ZWJ: char = '\u{200D}';
const BLACK_FLAG: char = '\u{1F3F4}';
const CANCEL_TAG: char = '\u{E007F}';

fn is_forbidden(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::Format
}

fn is_pictographic(c: char) -> bool {
    CodePointSetData::new::<ExtendedPictographic>().contains(c)
}

fn is_variation_selector(c: char) -> bool {
    ('\u{FE00}'..='\u{FE0F}').contains(&c)
}

fn is_tag(c: char) -> bool {
    ('\u{E0020}'..='\u{E007E}').contains(&c)
}

/// Whether the joiner at `chars[i]` joins two emoji: an emoji (with its skin tone or
/// presentation selector) before it, an emoji after it.
fn joins_emoji(chars: &[char], i: usize) -> bool {
    let before = chars[..i]
        .iter()
        .rev()
        .find(|&&c| c != '\u{FE0F}' && !CodePointSetData::new::<EmojiModifier>().contains(c));
    let after = chars.get(i + 1);
    before.is_some_and(|&c| is_pictographic(c)) && after.is_some_and(|&c| is_pictographic(c))
}

/// Whether the tag at `chars[i]` belongs to 🏴 + tags + cancel tag.
fn in_tag_sequence(chars: &[char], i: usize) -> bool {
    let start = chars[..i].iter().rposition(|&c| !is_tag(c));
    let opened = start.is_some_and(|s| chars[s] == BLACK_FLAG);
    let end = chars[i..].iter().position(|&c| !is_tag(c)).map(|n| i + n);
    opened && end.is_some_and(|e| chars[e] == CANCEL_TAG)
}

/// Whether the forbidden character at `chars[i]` is one of the kept exceptions.
fn allowed_here(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    match c {
        ZWJ => joins_emoji(chars, i),
        _ if is_variation_selector(c) => {
            i > 0 && !is_forbidden(chars[i - 1]) && !is_variation_selector(chars[i - 1])
        }
        _ if is_tag(c) => in_tag_sequence(chars, i),
        CANCEL_TAG => i > 0 && is_tag(chars[i - 1]) && in_tag_sequence(chars, i - 1),
        _ => false,
    }
}

/// What staff call the character.
fn name(c: char) -> &'static str {
    match c {
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{061C}' => "Arabic letter mark",
        '\u{200B}' => "zero-width space",
        '\u{200C}' => "zero-width non-joiner",
        ZWJ => "zero-width joiner",
        '\u{2060}' => "word joiner",
        '\u{FEFF}' => "zero-width no-break space (byte order mark)",
        '\u{180E}' => "Mongolian vowel separator",
        '\u{00AD}' => "soft hyphen",
        c if is_variation_selector(c) => "variation selector",
        c if is_tag(c) || c == CANCEL_TAG => "tag character",
        _ => "formatting character",
    }
}

/// Refuses the first invisible character in `text`, naming `field`, the character, its code
/// point and its position (counted in characters from 1, as staff count).
pub fn check_visible(field: &str, text: &str) -> Result<(), FieldError> {
    // Control characters (C0 and C1) other than line breaks and tabs print as nothing or
    // garble the line: the same rule as for localized texts.
    if let Some((i, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            field,
            format!(
                "contains a control character (U+{:04X}) at position {}; remove it",
                u32::from(c),
                i + 1
            ),
        ));
    }
    if !text.chars().any(is_forbidden) {
        return Ok(());
    }
    let chars: Vec<char> = text.chars().collect();
    let Some(i) = (0..chars.len()).find(|&i| is_forbidden(chars[i]) && !allowed_here(&chars, i))
    else {
        return Ok(());
    };
    let c = chars[i];
    let hint = match c {
        ZWJ => " (a joiner is kept only between two emoji, as in 👨\u{200D}👩\u{200D}👧)",
        _ => "",
    };
    Err(FieldError::new(
        field,
        format!(
            "contains an invisible {} (U+{:04X}) at position {}; remove it{hint}",
            name(c),
            u32::from(c),
            i + 1
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_kept() {
        assert!(check_visible("group", "Pay\u{9B}ments").is_err());
        assert!(check_visible("group", "Pay\u{7}ments").is_err());
        assert!(check_visible("body", "One line\r\nand\tanother").is_ok());
    }

    fn refusal(text: &str) -> Option<String> {
        check_visible("title.en", text).err().map(|e| {
            assert_eq!(e.field, "title.en");
            e.message
        })
    }

    /// The characters the rule is there for, one of each kind.
    const FORBIDDEN: [char; 24] = [
        '\u{202A}',
        '\u{202B}',
        '\u{202C}',
        '\u{202D}',
        '\u{202E}',
        '\u{2066}',
        '\u{2067}',
        '\u{2068}',
        '\u{2069}',
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{180E}',
        '\u{061C}',
        '\u{200E}',
        '\u{200F}',
        '\u{00AD}',
        '\u{2061}',
        '\u{FFF9}',
        '\u{E0001}',
        '\u{3164}',
        '\u{034F}',
    ];

    #[test]
    fn names_the_character_and_where_it_is() {
        assert_eq!(
            refusal("Pay bill \u{202E}0722").as_deref(),
            Some("contains an invisible right-to-left override (U+202E) at position 10; remove it")
        );
        assert_eq!(
            refusal("\u{FEFF}Hello").as_deref(),
            Some(
                "contains an invisible zero-width no-break space (byte order mark) (U+FEFF) at \
                 position 1; remove it"
            )
        );
        let zwj = refusal("M-PESA\u{200D}ni").unwrap_or_default();
        assert!(
            zwj.contains("zero-width joiner (U+200D) at position 7"),
            "{zwj}"
        );
        assert!(zwj.contains("between two emoji"), "{zwj}");
    }

    #[test]
    fn every_listed_character_is_refused_alone_and_between_letters() {
        for c in FORBIDDEN {
            assert!(refusal(&c.to_string()).is_some(), "U+{:04X}", u32::from(c));
            assert!(
                refusal(&format!("ab{c}cd")).is_some(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn emoji_sequences_pass() {
        for ok in [
            "Karibu 👨\u{200D}👩\u{200D}👧 family",
            "👩🏽\u{200D}💻 engineers",
            "🏳\u{FE0F}\u{200D}🌈",
            "❤\u{FE0F} and ☎\u{FE0E}",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} Scotland",
            "Habari, M-PESA itarudi saa 12:00 — asante!",
            "Ελληνικά, кириллица, 中文, हिन्दी क्ष",
        ] {
            assert_eq!(refusal(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn exceptions_hold_only_in_their_place() {
        for bad in [
            "👨\u{200D}",           // joiner with nothing after
            "\u{200D}👩",           // nothing before
            "a\u{200D}👩",          // a letter before
            "👨\u{200D}b",          // a letter after
            "1\u{FE0F}\u{200D}👩",  // a digit with a selector before
            "\u{FE0F}start",        // a selector on nothing
            "❤\u{FE0F}\u{FE0F}",    // two selectors
            "x\u{E0067}\u{E007F}",  // tags without the flag
            "🏴\u{E0067}\u{E0062}", // tags without their end
            "🏴\u{E007F}\u{E007F}", // a cancel tag on its own
            "text\u{E0100}",        // an ideographic variation selector
        ] {
            assert!(refusal(bad).is_some(), "{bad:?}");
        }
    }

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[A-Za-z0-9 ,.:'-]{0,12}",
            1 => Just("👨\u{200D}👩\u{200D}👧".to_string()),
            1 => Just("❤\u{FE0F}".to_string()),
            1 => "[а-яё ]{0,6}",
        ]
    }

    proptest! {
        #[test]
        fn clean_text_passes(words in proptest::collection::vec(word(), 0..8)) {
            prop_assert_eq!(refusal(&words.join(" ")), None);
        }

        #[test]
        fn an_inserted_invisible_character_is_found_where_it_is(
            words in proptest::collection::vec(word(), 0..8),
            c in proptest::sample::select(&FORBIDDEN[..]),
            at in any::<prop::sample::Index>(),
        ) {
            // Words apart, and never inside an emoji sequence, so that no insertion can make
            // a joiner that joins two emoji.
            let clean: Vec<char> = words.join(" ").chars().collect();
            let bounds: Vec<usize> = (0..=clean.len())
                .filter(|&i| i == 0 || i == clean.len() || !matches!(clean[i], '\u{200D}' | '\u{FE0F}' | '👩' | '👧'))
                .collect();
            let i = bounds[at.index(bounds.len())];
            let mut text = clean.clone();
            text.insert(i, c);
            let text: String = text.into_iter().collect();
            let message = refusal(&text);
            prop_assert!(message.is_some(), "{:?}", text);
            let message = message.unwrap_or_default();
            let expected = format!("(U+{:04X}) at position {};", u32::from(c), i + 1);
            prop_assert!(message.contains(&expected), "{} in {:?}", message, text);
        }
    }
}
