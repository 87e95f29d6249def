//! How a text will travel as SMS: which encoding the network will use, how many parts it is
//! split into and what each part holds.
//!
//! Operators bill per part, not per message. A plain GSM-7 text fits 160 characters in one
//! part, but a single character outside the GSM 03.38 default alphabet (a curly apostrophe
//! pasted from a word processor, an emoji, a `ç`) switches the whole message to UCS-2, where
//! one part holds only 70. A 150-character notice then costs three parts instead of one, for
//! every recipient. So the text is first [`normalise`]d (typographic punctuation that has a
//! GSM look-alike is replaced), and [`encode`] reports the count and the characters still
//! forcing UCS-2, so a person can fix them before sending.
//!
//! The rules are those of 3GPP TS 23.038 (GSM 03.38) with the default alphabet and its
//! extension table only: national language shift tables are not counted because senders
//! cannot rely on the handset and the operator supporting them. Long messages are assumed to
//! use concatenation with an 8-bit reference (a 6-byte user data header), which is what leaves
//! 153 septets or 67 UTF-16 units per part.
//!
//! Only what the spec says is changed: `ç` stays `ç` even though `Ç` is in the table, and a
//! backtick stays a backtick, because replacing letters changes what the reader sees; both
//! force UCS-2 and show up in [`SmsText::forcing_ucs2`].
//!
//! Parts end between user-perceived characters (Unicode grapheme clusters), never inside one:
//! carriers and Twilio's segment calculator keep a family emoji or a letter with its accent
//! whole and start the next part with it, so a count made by cutting between code points
//! would be lower than the bill.

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

/// The escape to the extension table. It occupies 0x1B in the basic table but is not a
/// character a text can contain, so it is excluded from [`septets`].
const ESC: char = '\u{1B}';

/// GSM 03.38 default alphabet, indexed by septet value.
const BASIC: [char; 128] = [
    // 0x00
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
    // 0x10
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ESC, 'Æ', 'æ', 'ß', 'É',
    // 0x20: ¤ (not $) is at 0x24
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    // 0x30
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    // 0x40: ¡ (not @) is at 0x40
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    // 0x50
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
    // 0x60
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    // 0x70
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

/// GSM 03.38 extension table, reached with ESC, as (septet after ESC, character). Only the
/// printable entries and form feed: 0x0D (CR2) and 0x1B (a further escape) have no character.
const EXTENSION: [(u8, char); 10] = [
    (0x0A, '\u{0C}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }

    /// Units a message may have and still go as one part.
    fn single_limit(self) -> usize {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units per part once the message is concatenated: the header takes 6 bytes of the 140.
    fn part_limit(self) -> usize {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }

    /// Units `piece` takes: septets in GSM-7 (every character of a GSM-7 text has some),
    /// UTF-16 code units in UCS-2.
    fn units(self, piece: &str) -> usize {
        match self {
            Encoding::Gsm7 => piece.chars().filter_map(septets).sum(),
            Encoding::Ucs2 => piece.encode_utf16().count(),
        }
    }
}

/// A text as it will be sent, with what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsText {
    /// The text after [`normalise`]: what is actually sent.
    pub text: String,
    pub encoding: Encoding,
    /// Number of parts billed. An empty text is still one (empty) message.
    pub segments: usize,
    /// The text of each part, in order; they concatenate to `text`. `[""]` for an empty text.
    pub parts: Vec<String>,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text, without headers.
    pub units: usize,
    /// The characters that are in neither GSM table, each once, in order of first appearance.
    /// Empty exactly when the encoding is GSM-7.
    pub forcing_ucs2: Vec<char>,
}

/// Replaces typographic punctuation and invisible or exotic spaces with their GSM look-alike,
/// so that text pasted from a word processor does not switch the message to UCS-2. Everything
/// else is kept as is, letters included. Applying it twice changes nothing more.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // ’ ‘ ‚ ′
            '\u{2019}' | '\u{2018}' | '\u{201A}' | '\u{2032}' => out.push('\''),
            // “ ” „ ″ « »
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' | '\u{AB}' | '\u{BB}' => {
                out.push('"');
            }
            // ‒ – — −
            '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            // …
            '\u{2026}' => out.push_str("..."),
            '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
                out.push(' ');
            }
            // Invisible: sending them costs units and, being non-GSM, forces UCS-2.
            '\u{200B}' | '\u{FEFF}' | '\u{AD}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The text as unpacked GSM-7 septets, one per octet (as SMPP data_coding 0 carries it), with
/// extension characters as ESC + code; `None` if a character has no septet.
pub fn gsm7_unpacked(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c == ESC {
            return None;
        }
        if let Some(code) = BASIC.iter().position(|&b| b == c) {
            out.push(code as u8);
        } else if let Some(&(code, _)) = EXTENSION.iter().find(|&&(_, e)| e == c) {
            out.extend([0x1B, code]);
        } else {
            return None;
        }
    }
    Some(out)
}

/// Whether `c` can be sent in GSM-7 (basic or extension table).
pub fn is_gsm7(c: char) -> bool {
    septets(c).is_some()
}

/// Septets `c` takes in GSM-7: 1 in the basic table, 2 in the extension table (ESC + code),
/// `None` if GSM-7 cannot carry it.
pub fn septets(c: char) -> Option<usize> {
    if c != ESC && BASIC.contains(&c) {
        Some(1)
    } else if EXTENSION.iter().any(|&(_, e)| e == c) {
        Some(2)
    } else {
        None
    }
}

/// Fills parts greedily with pieces that must not be cut.
struct Parts {
    limit: usize,
    done: Vec<String>,
    current: String,
    used: usize,
}

impl Parts {
    fn push(&mut self, piece: &str, units: usize) {
        // Nothing is pushed that costs more than a part holds, so no part is left empty.
        if self.used + units > self.limit {
            self.done.push(std::mem::take(&mut self.current));
            self.used = 0;
        }
        self.current.push_str(piece);
        self.used += units;
    }
}

/// Splits a text longer than one SMS into concatenated parts, one grapheme cluster at a time.
/// A cluster that is longer than a whole part (a letter under dozens of combining marks) cannot
/// stay whole anywhere; it alone is cut, between characters.
fn split(text: &str, encoding: Encoding) -> Vec<String> {
    let mut parts = Parts {
        limit: encoding.part_limit(),
        done: Vec::new(),
        current: String::new(),
        used: 0,
    };
    for cluster in text.graphemes(true) {
        let units = encoding.units(cluster);
        if units <= parts.limit {
            parts.push(cluster, units);
        } else {
            for c in cluster.chars() {
                let mut buf = [0; 4];
                let c = c.encode_utf8(&mut buf);
                parts.push(c, encoding.units(c));
            }
        }
    }
    parts.done.push(parts.current);
    parts.done
}

/// Normalises `text`, chooses the encoding and splits it into parts the way the sending
/// gateway will. Splitting is greedy and never cuts a grapheme cluster, so never a character
/// either: an extension character (ESC + code), a surrogate pair, an emoji sequence or a letter
/// with its combining marks that does not fit in what is left of a part starts the next one,
/// as carriers do (a handset would otherwise show garbage at the seam).
pub fn encode(text: &str) -> SmsText {
    let text = normalise(text);

    let mut forcing_ucs2 = Vec::new();
    for c in text.chars() {
        if !is_gsm7(c) && !forcing_ucs2.contains(&c) {
            forcing_ucs2.push(c);
        }
    }

    let encoding = if forcing_ucs2.is_empty() {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    };
    let units = encoding.units(&text);

    let parts = if units <= encoding.single_limit() {
        vec![text.clone()]
    } else {
        split(&text, encoding)
    };

    SmsText {
        text,
        encoding,
        segments: parts.len(),
        parts,
        units,
        forcing_ucs2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cost(encoding: Encoding, c: char) -> usize {
        match encoding {
            Encoding::Gsm7 => septets(c).unwrap_or(usize::MAX),
            Encoding::Ucs2 => c.len_utf16(),
        }
    }

    fn part_units(encoding: Encoding, part: &str) -> usize {
        part.chars().map(|c| cost(encoding, c)).sum()
    }

    fn lens(sms: &SmsText) -> Vec<usize> {
        sms.parts.iter().map(|p| p.chars().count()).collect()
    }

    #[test]
    fn basic_table_is_the_published_one() {
        // Spot checks where tables copied from ASCII usually go wrong.
        assert_eq!(BASIC[0x00], '@');
        assert_eq!(BASIC[0x01], '£');
        assert_eq!(BASIC[0x02], '$');
        assert_eq!(BASIC[0x09], 'Ç');
        assert_eq!(BASIC[0x0A], '\n');
        assert_eq!(BASIC[0x0D], '\r');
        assert_eq!(BASIC[0x10], 'Δ');
        assert_eq!(BASIC[0x11], '_');
        assert_eq!(BASIC[0x1B], ESC);
        assert_eq!(BASIC[0x24], '¤');
        assert_eq!(BASIC[0x40], '¡');
        assert_eq!(BASIC[0x5F], '§');
        assert_eq!(BASIC[0x60], '¿');
        assert_eq!(BASIC[0x7F], 'à');
        for (i, c) in ('A'..='Z').enumerate() {
            assert_eq!(BASIC[0x41 + i], c);
        }
        for (i, c) in ('a'..='z').enumerate() {
            assert_eq!(BASIC[0x61 + i], c);
        }
        for (i, c) in ('0'..='9').enumerate() {
            assert_eq!(BASIC[0x30 + i], c);
        }
        let mut distinct = BASIC.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 128);
        for (_, e) in EXTENSION {
            assert!(!BASIC.contains(&e), "{e:?} is in both tables");
        }
    }

    #[test]
    fn septet_costs() {
        assert_eq!(septets('a'), Some(1));
        assert_eq!(septets('@'), Some(1));
        assert_eq!(septets('¤'), Some(1));
        assert_eq!(septets('Σ'), Some(1));
        assert_eq!(septets('€'), Some(2));
        assert_eq!(septets('['), Some(2));
        assert_eq!(septets('\u{0C}'), Some(2));
        for c in ['^', '{', '}', '\\', '~', ']', '|'] {
            assert_eq!(septets(c), Some(2), "{c:?}");
        }
        assert_eq!(septets(ESC), None);
        assert_eq!(septets('`'), None);
        assert_eq!(septets('ç'), None);
        assert_eq!(septets('σ'), None);
        assert_eq!(septets('ж'), None);
        assert_eq!(septets('😀'), None);
        assert!(is_gsm7('€'));
        assert!(!is_gsm7('’'));
    }

    #[test]
    fn ascii_outside_gsm_is_only_the_backtick() {
        let missing: Vec<char> = (' '..='~').filter(|&c| !is_gsm7(c)).collect();
        assert_eq!(missing, vec!['`']);
    }

    #[test]
    fn gsm7_160_is_one_segment_161_is_two() {
        let sms = encode(&"a".repeat(160));
        assert_eq!(sms.encoding, Encoding::Gsm7);
        assert_eq!((sms.segments, sms.units), (1, 160));

        let sms = encode(&"a".repeat(161));
        assert_eq!((sms.segments, sms.units), (2, 161));
        assert_eq!(lens(&sms), vec![153, 8]);
    }

    #[test]
    fn gsm7_306_is_two_segments_307_is_three() {
        let sms = encode(&"a".repeat(306));
        assert_eq!(lens(&sms), vec![153, 153]);
        let sms = encode(&"a".repeat(307));
        assert_eq!(lens(&sms), vec![153, 153, 1]);
        assert_eq!(sms.segments, 3);
    }

    #[test]
    fn ucs2_70_is_one_segment_71_is_two() {
        let sms = encode(&"ж".repeat(70));
        assert_eq!(sms.encoding, Encoding::Ucs2);
        assert_eq!((sms.segments, sms.units), (1, 70));

        let sms = encode(&"ж".repeat(71));
        assert_eq!((sms.segments, sms.units), (2, 71));
        assert_eq!(lens(&sms), vec![67, 4]);
    }

    #[test]
    fn ucs2_134_is_two_segments_135_is_three() {
        let sms = encode(&"ж".repeat(134));
        assert_eq!(lens(&sms), vec![67, 67]);
        let sms = encode(&"ж".repeat(135));
        assert_eq!(lens(&sms), vec![67, 67, 1]);
    }

    #[test]
    fn extension_chars_count_two_septets() {
        assert_eq!(encode("€").units, 2);
        assert_eq!(encode("[").units, 2);
        let sms = encode("price: 5€ [approx]");
        assert_eq!(sms.encoding, Encoding::Gsm7);
        assert_eq!(sms.units, 18 + 3);
    }

    #[test]
    fn euro_after_159_chars_makes_161_septets() {
        let sms = encode(&format!("{}€", "a".repeat(159)));
        assert_eq!(sms.units, 161);
        assert_eq!(sms.segments, 2);
        assert_eq!(lens(&sms), vec![153, 7]);
        assert_eq!(sms.parts[1], format!("{}€", "a".repeat(6)));
    }

    #[test]
    fn extension_char_is_not_split_across_segments() {
        // 152 + 2 alone would fit one SMS, so text follows to make it concatenated.
        let text = format!("{}{{{}", "a".repeat(152), "b".repeat(10));
        let sms = encode(&text);
        assert_eq!(sms.units, 164);
        assert_eq!(lens(&sms), vec![152, 11]);
        assert!(sms.parts[1].starts_with('{'));
    }

    #[test]
    fn surrogate_pair_is_not_split_across_segments() {
        // 66 + 2 alone would fit one SMS, so text follows to make it concatenated.
        let text = format!("{}😀{}", "ж".repeat(66), "ж".repeat(10));
        let sms = encode(&text);
        assert_eq!(sms.units, 78);
        assert_eq!(lens(&sms), vec![66, 11]);
        assert!(sms.parts[1].starts_with('😀'));
        assert_eq!(part_units(Encoding::Ucs2, &sms.parts[1]), 12);
    }

    /// 👨‍👩‍👧: three emoji (two units each) joined by two ZWJ, eight units in all.
    const FAMILY: &str = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";

    #[test]
    fn family_emoji_across_the_boundary_starts_the_next_part() {
        // 65 + 👨 would fill the first part exactly: the cut would fall after the man.
        let text = format!("{}{FAMILY}{}", "ж".repeat(65), "ж".repeat(10));
        let sms = encode(&text);
        assert_eq!(sms.units, 83);
        assert_eq!(
            sms.parts,
            ["ж".repeat(65), format!("{FAMILY}{}", "ж".repeat(10))]
        );
    }

    #[test]
    fn letter_and_combining_accent_cost_the_part_the_carrier_bills() {
        // 66 + e + U+0301 + 66 = 134 units: two full parts when cut between code points, but
        // the accented e is one character on the handset and moves whole to the second part.
        let text = format!("{}e\u{301}{}", "ж".repeat(66), "ж".repeat(66));
        let sms = encode(&text);
        assert_eq!(sms.units, 134);
        assert_eq!(sms.segments, 3);
        assert_eq!(lens(&sms), vec![66, 67, 1]);
        assert!(sms.parts[1].starts_with("e\u{301}"));
    }

    #[test]
    fn crlf_in_gsm7_is_not_split_across_parts() {
        let text = format!("{}\r\n{}", "a".repeat(152), "b".repeat(10));
        let sms = encode(&text);
        assert_eq!(sms.encoding, Encoding::Gsm7);
        assert_eq!(lens(&sms), vec![152, 12]);
        assert!(sms.parts[1].starts_with("\r\n"));
    }

    #[test]
    fn a_cluster_longer_than_a_part_is_cut_between_characters() {
        let zalgo = format!("a{}", "\u{301}".repeat(100));
        let sms = encode(&zalgo);
        assert_eq!(sms.units, 101);
        assert_eq!(lens(&sms), vec![67, 34]);
        assert_eq!(sms.parts.concat(), zalgo);
    }

    #[test]
    fn empty_text_is_one_empty_segment() {
        let sms = encode("");
        assert_eq!(sms.encoding, Encoding::Gsm7);
        assert_eq!(sms.segments, 1);
        assert_eq!(sms.parts, vec![String::new()]);
        assert_eq!(sms.units, 0);
        assert!(sms.forcing_ucs2.is_empty());
    }

    #[test]
    fn hello_is_one_gsm7_segment() {
        let sms = encode("Hello");
        assert_eq!(sms.encoding, Encoding::Gsm7);
        assert_eq!((sms.segments, sms.units), (1, 5));
        assert_eq!(sms.parts, vec!["Hello".to_string()]);
    }

    #[test]
    fn swahili_notices_are_gsm7() {
        for text in [
            "M-PESA itarudi saa 12:00",
            "Huduma zote za M-PESA zitasimama kuanzia Jumamosi saa 23:00.",
        ] {
            let sms = encode(text);
            assert_eq!(sms.encoding, Encoding::Gsm7, "{text}");
            assert_eq!(sms.segments, 1);
            assert_eq!(sms.units, text.chars().count());
            assert_eq!(sms.text, text);
        }
    }

    #[test]
    fn emoji_forces_ucs2() {
        let sms = encode("Karibu 😀");
        assert_eq!(sms.encoding, Encoding::Ucs2);
        assert_eq!(sms.forcing_ucs2, vec!['😀']);
        assert_eq!(sms.units, 9);
        assert_eq!(sms.segments, 1);
    }

    #[test]
    fn typographic_punctuation_is_normalised_to_gsm7() {
        let sms = encode("It’s “done” – now…");
        assert_eq!(sms.text, "It's \"done\" - now...");
        assert_eq!(sms.encoding, Encoding::Gsm7);
        assert!(sms.forcing_ucs2.is_empty());
    }

    #[test]
    fn normalise_covers_every_listed_character() {
        assert_eq!(normalise("’‘‚′"), "''''");
        assert_eq!(normalise("“”„″«»"), "\"\"\"\"\"\"");
        assert_eq!(normalise("–—‒−"), "----");
        assert_eq!(normalise("…"), "...");
        let spaces: String = ['\u{A0}', '\u{202F}', '\u{205F}', '\u{3000}']
            .into_iter()
            .chain('\u{2000}'..='\u{200A}')
            .collect();
        assert_eq!(normalise(&spaces), " ".repeat(15));
        assert_eq!(normalise("a\u{200B}b\u{FEFF}c\u{AD}d"), "abcd");
        assert_eq!(normalise("ç Ç ж 😀 `"), "ç Ç ж 😀 `");
    }

    #[test]
    fn lowercase_c_cedilla_forces_ucs2() {
        let sms = encode("Ça va, garçon ?");
        assert_eq!(sms.encoding, Encoding::Ucs2);
        assert_eq!(sms.forcing_ucs2, vec!['ç']);
    }

    #[test]
    fn forcing_chars_are_distinct_in_order_of_appearance() {
        let sms = encode("ж😀ж`😀ç");
        assert_eq!(sms.forcing_ucs2, vec!['ж', '😀', '`', 'ç']);
    }

    #[test]
    fn serialises_encoding_in_lowercase() {
        assert_eq!(Encoding::Gsm7.as_str(), "gsm7");
        assert_eq!(Encoding::Ucs2.as_str(), "ucs2");
        let json = serde_json::to_value(encode("Hi ж")).unwrap_or_default();
        assert_eq!(json["encoding"], "ucs2");
        assert_eq!(json["segments"], 1);
        assert_eq!(json["forcing_ucs2"], serde_json::json!(["ж"]));
    }

    static EXTENSION_CHARS: [char; 10] = ['€', '[', ']', '{', '}', '^', '~', '\\', '|', '\u{0C}'];
    static GREEK_AND_ACCENTED: [char; 12] =
        ['Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', 'é', 'Ç'];
    static TYPOGRAPHIC: [char; 11] = [
        '’', '‘', '“', '”', '–', '—', '…', '\u{A0}', '\u{200B}', '«', '\u{AD}',
    ];

    fn any_char() -> impl Strategy<Value = char> {
        prop_oneof![
            6 => proptest::char::range(' ', '~'),
            1 => Just('\n'),
            2 => proptest::sample::select(&EXTENSION_CHARS[..]),
            2 => proptest::sample::select(&GREEK_AND_ACCENTED[..]),
            1 => proptest::sample::select(&TYPOGRAPHIC[..]),
            1 => proptest::char::range('а', 'я'),
            1 => proptest::char::range('\u{1F600}', '\u{1F64F}'),
        ]
    }

    /// Only characters that are GSM-7 once normalised.
    fn gsm_char() -> impl Strategy<Value = char> {
        let basic: Vec<char> = BASIC.iter().copied().filter(|&c| c != ESC).collect();
        prop_oneof![
            6 => proptest::char::range(' ', '_'),
            3 => proptest::char::range('a', 'z'),
            2 => proptest::sample::select(&EXTENSION_CHARS[..]),
            2 => proptest::sample::select(basic),
            1 => proptest::sample::select(&TYPOGRAPHIC[..]),
        ]
    }

    static CLUSTERS: [&str; 9] = [
        FAMILY,
        "\u{1F469}\u{1F3FD}\u{200D}\u{1F4BB}", // 👩🏽‍💻
        "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}",  // 🏳️‍🌈
        "\u{1F1F0}\u{1F1EA}",                  // 🇰🇪
        "1\u{FE0F}\u{20E3}",                   // 1️⃣
        "\u{1F44D}\u{1F3FF}",                  // 👍🏿
        "\u{915}\u{94D}\u{937}",               // क्ष
        "\u{1100}\u{1161}\u{11A8}",            // 각 as jamo
        "\r\n",
    ];

    /// A user-perceived character of one or more code points: a base with combining marks,
    /// an emoji sequence, a conjunct, or (rarely) a base under more marks than a part holds.
    fn cluster() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => any_char().prop_map(String::from),
            2 => (
                prop_oneof![proptest::char::range('a', 'z'), proptest::char::range('а', 'я')],
                proptest::collection::vec(proptest::char::range('\u{300}', '\u{36F}'), 1..4),
            )
                .prop_map(|(base, marks)| std::iter::once(base).chain(marks).collect()),
            2 => proptest::sample::select(&CLUSTERS[..]).prop_map(String::from),
            1 => proptest::collection::vec(Just('\u{301}'), 60..80)
                .prop_map(|marks| std::iter::once('e').chain(marks).collect()),
        ]
    }

    /// Half the cases are GSM-only (after normalisation), or nearly every long string would
    /// contain something forcing UCS-2 and the GSM-7 splitting would go untested; a third mix
    /// scripts, emoji sequences and combining marks.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(gsm_char(), 0..500)
                .prop_map(|cs| cs.into_iter().collect::<String>()),
            proptest::collection::vec(any_char(), 0..300)
                .prop_map(|cs| cs.into_iter().collect::<String>()),
            proptest::collection::vec(cluster(), 0..150).prop_map(|cs| cs.concat()),
        ]
    }

    /// Byte offsets where the text's grapheme clusters start, with the length of each cluster
    /// in units.
    fn cluster_starts(encoding: Encoding, text: &str) -> Vec<(usize, usize)> {
        text.grapheme_indices(true)
            .map(|(i, g)| (i, part_units(encoding, g)))
            .collect()
    }

    proptest! {
        #[test]
        fn parts_rebuild_the_text(s in any_text()) {
            let sms = encode(&s);
            prop_assert_eq!(sms.parts.concat(), sms.text.clone());
            prop_assert_eq!(sms.segments, sms.parts.len());
            prop_assert_eq!(sms.text, normalise(&s));
        }

        #[test]
        fn every_part_fits(s in any_text()) {
            let sms = encode(&s);
            let limit = if sms.segments == 1 {
                sms.encoding.single_limit()
            } else {
                sms.encoding.part_limit()
            };
            for part in &sms.parts {
                prop_assert!(part_units(sms.encoding, part) <= limit);
                if sms.segments > 1 {
                    prop_assert!(!part.is_empty());
                }
            }
        }

        #[test]
        fn splitting_is_greedy(s in any_text()) {
            let sms = encode(&s);
            if sms.segments > 1 {
                prop_assert!(sms.units > sms.encoding.single_limit());
                for pair in sms.parts.windows(2) {
                    // What starts the next part did not fit: its first cluster, or its first
                    // character when that cluster is too long for any part.
                    let next = pair[1].graphemes(true).next().unwrap_or_default();
                    let next_cost = match part_units(sms.encoding, next) {
                        n if n > sms.encoding.part_limit() => {
                            next.chars().next().map_or(0, |c| cost(sms.encoding, c))
                        }
                        n => n,
                    };
                    prop_assert!(next_cost > 0);
                    prop_assert!(
                        part_units(sms.encoding, &pair[0]) + next_cost > sms.encoding.part_limit()
                    );
                }
            } else {
                prop_assert!(sms.units <= sms.encoding.single_limit());
            }
        }

        #[test]
        fn no_part_ends_inside_a_cluster_that_fits_a_part(s in any_text()) {
            let sms = encode(&s);
            let mut cut = 0;
            let starts = cluster_starts(sms.encoding, &sms.text);
            for part in &sms.parts[..sms.parts.len() - 1] {
                cut += part.len();
                let inside = starts
                    .iter()
                    .zip(starts.iter().skip(1).map(|(i, _)| *i).chain([sms.text.len()]))
                    .find(|((start, _), end)| *start < cut && cut < *end);
                if let Some(((start, units), end)) = inside {
                    prop_assert!(
                        *units > sms.encoding.part_limit(),
                        "cut at byte {} inside {:?}",
                        cut,
                        &sms.text[*start..end]
                    );
                }
            }
        }

        #[test]
        fn units_are_the_sum_of_char_costs(s in any_text()) {
            let sms = encode(&s);
            let expected: usize = match sms.encoding {
                Encoding::Gsm7 => sms.text.chars().filter_map(septets).sum(),
                Encoding::Ucs2 => sms.text.encode_utf16().count(),
            };
            prop_assert_eq!(sms.units, expected);
            let by_parts: usize = sms.parts.iter().map(|p| part_units(sms.encoding, p)).sum();
            prop_assert_eq!(sms.units, by_parts);
        }

        #[test]
        fn gsm7_exactly_when_every_char_is_gsm(s in any_text()) {
            let sms = encode(&s);
            let all_gsm = sms.text.chars().all(is_gsm7);
            prop_assert_eq!(sms.encoding == Encoding::Gsm7, all_gsm);
            prop_assert_eq!(sms.forcing_ucs2.is_empty(), sms.encoding == Encoding::Gsm7);
            let mut seen = Vec::new();
            for c in sms.text.chars().filter(|&c| !is_gsm7(c)) {
                if !seen.contains(&c) {
                    seen.push(c);
                }
            }
            prop_assert_eq!(sms.forcing_ucs2, seen);
        }

        #[test]
        fn normalise_is_idempotent(s in any_text()) {
            let once = normalise(&s);
            prop_assert_eq!(normalise(&once), once);
        }
    }

    #[test]
    fn unpacked_septets_agree_with_the_counter() {
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            let unpacked = gsm7_unpacked(&c.to_string()).map(|o| o.len());
            assert_eq!(unpacked, septets(c), "{c:?}");
        }
        assert_eq!(gsm7_unpacked("A€@"), Some(vec![0x41, 0x1B, 0x65, 0x00]));
    }
}
