//! A second SMS splitter, written from the published rules rather than from Tangazo's code,
//! so that tests can check every SMS Tangazo renders or sends against what a carrier bills.
//!
//! The rules, as 3GPP TS 23.038/23.040 set them and Twilio's segment documentation and
//! calculator apply them:
//! - GSM-7 when every character is in the GSM 03.38 default alphabet or its extension table,
//!   an extension character taking two septets (escape + code); otherwise UCS-2, one unit per
//!   UTF-16 code unit (an emoji outside the BMP takes two).
//! - One SMS holds 160 septets or 70 units. A longer text is concatenated, and each part then
//!   holds 153 septets or 67 units, the rest of its 140 octets carrying the 6-octet header.
//! - Parts are filled in order, and a user-perceived character (an extended grapheme cluster:
//!   a family emoji, a letter with its combining accent) is never cut: when it does not fit
//!   what is left of a part it starts the next one. A cluster larger than a whole part, which
//!   no rule covers, is cut between its code points.
#![allow(dead_code)]

use unicode_segmentation::UnicodeSegmentation;

/// The GSM 03.38 default alphabet in table order (the escape, 0x1B, left out).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                         ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table's characters (form feed, ^ { } \ [ ~ ] | €).
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billed {
    /// `gsm7` or `ucs2`, as the file sink and the preview name them.
    pub encoding: &'static str,
    pub parts: Vec<String>,
}

fn septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// How a carrier splits `text` (as sent: no normalisation here).
pub fn billed(text: &str) -> Billed {
    let gsm = text.chars().all(|c| septets(c).is_some());
    let units = |s: &str| -> usize {
        if gsm {
            s.chars().filter_map(septets).sum()
        } else {
            s.encode_utf16().count()
        }
    };
    let (single, per_part, encoding) = if gsm {
        (160, 153, "gsm7")
    } else {
        (70, 67, "ucs2")
    };
    if units(text) <= single {
        return Billed {
            encoding,
            parts: vec![text.to_string()],
        };
    }
    let mut pieces: Vec<String> = Vec::new();
    for g in text.graphemes(true) {
        if units(g) <= per_part {
            pieces.push(g.to_string());
        } else {
            pieces.extend(g.chars().map(String::from));
        }
    }
    let mut parts = vec![String::new()];
    let mut used = 0;
    for piece in pieces {
        let n = units(&piece);
        if used + n > per_part {
            parts.push(String::new());
            used = 0;
        }
        parts
            .last_mut()
            .expect("one part at least")
            .push_str(&piece);
        used += n;
    }
    Billed { encoding, parts }
}

/// Panics unless `encoding` and `segments` (as Tangazo reported them for `text`) are what a
/// carrier would bill; `what` says which message it is.
pub fn assert_billed_as(text: &str, encoding: &str, segments: u64, what: &str) {
    let b = billed(text);
    assert_eq!(
        (encoding, segments),
        (b.encoding, b.parts.len() as u64),
        "{what}: Tangazo's count differs from the carrier's split {:?} of {text:?}",
        b.parts
    );
}

/// The same check on a line of the SMS file sink.
pub fn assert_sink_line_billed(line: &serde_json::Value) {
    assert_billed_as(
        line["text"].as_str().expect("text"),
        line["encoding"].as_str().expect("encoding"),
        line["segments"].as_u64().expect("segments"),
        &format!("SMS to {}", line["to"]),
    );
}
