//! Which pre-compressed body a public response sends: content-coding negotiation on
//! `Accept-Encoding` as RFC 9110 §12.5.3 describes it.
//!
//! The client's qualities decide; among codings it rates equally, ours decide (brotli, then
//! gzip, then none), because brotli bodies are the smallest. A coding rated `q=0` is never sent.
//! `*` rates every coding the header does not name, `identity` (no coding) included; identity
//! not named and not refused is acceptable but rated below anything the client names, so
//! `gzip;q=0.5` gets gzip. When nothing we have is acceptable (`identity;q=0` on a body too
//! small to compress) the body goes out uncompressed rather than as a 406: RFC 9110 §12.1 lets
//! a server disregard the header, and a status page must always answer. No header at all
//! gets identity, as clients that send none expect.
//!
//! The header's grammar is small (`#( codings [ weight ] )`), and the crates that parse it
//! either drop `*` and `identity` or bring a copy of a whole typed-header crate, so the parser
//! is here, with property tests.

/// A body's content coding, in our order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    /// Ours, best first: the tie-breaker between codings the client rates the same.
    pub const PREFERENCE: [Coding; 3] = [Coding::Brotli, Coding::Gzip, Coding::Identity];

    /// The `Content-Encoding` value, `None` for an uncompressed body.
    pub fn content_encoding(self) -> Option<&'static str> {
        match self {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }

    fn matches(self, token: &str) -> bool {
        match self {
            Coding::Brotli => token.eq_ignore_ascii_case("br"),
            // RFC 9110 §8.4.1.3: x-gzip is gzip.
            Coding::Gzip => {
                token.eq_ignore_ascii_case("gzip") || token.eq_ignore_ascii_case("x-gzip")
            }
            Coding::Identity => token.eq_ignore_ascii_case("identity"),
        }
    }
}

/// A qvalue in thousandths (the grammar allows three decimals), so that comparing never
/// meets floating-point rounding.
pub type Quality = u16;

const MAX_QUALITY: Quality = 1000;

/// How a client rates identity that it neither names nor refuses: acceptable, below anything
/// it names (the smallest qvalue there is).
const IMPLICIT_IDENTITY: Quality = 1;

/// One `coding;q=…` entry of the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub coding: &'a str,
    pub quality: Quality,
}

/// The entries of one or more `Accept-Encoding` values; an entry whose coding or weight
/// breaks the grammar is left out (a client that cannot write it cannot mean it).
pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Entry<'a>> {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .filter_map(entry)
        .collect()
}

fn entry(raw: &str) -> Option<Entry<'_>> {
    let mut parts = raw.split(';');
    let coding = parts.next()?.trim_matches([' ', '\t']);
    if coding.is_empty() || !coding.bytes().all(is_tchar) {
        return None;
    }
    let mut quality = MAX_QUALITY;
    for param in parts {
        let (name, value) = param.split_once('=')?;
        if name.trim_matches([' ', '\t']).eq_ignore_ascii_case("q") {
            quality = qvalue(value.trim_matches([' ', '\t']))?;
        }
    }
    Some(Entry { coding, quality })
}

/// RFC 9110 §5.6.2 token characters.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
fn qvalue(raw: &str) -> Option<Quality> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: Quality = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(MAX_QUALITY),
        _ => None,
    }
}

/// How the client rates `coding`: its own entry (the highest, if named twice), else `*`'s,
/// else not at all, except identity, which stays acceptable unless refused.
pub fn quality(entries: &[Entry<'_>], coding: Coding) -> Quality {
    let rated = |pred: &dyn Fn(&str) -> bool| {
        entries
            .iter()
            .filter(|e| pred(e.coding))
            .map(|e| e.quality)
            .max()
    };
    rated(&|c| coding.matches(c))
        .or_else(|| rated(&|c| c == "*"))
        .unwrap_or(match coding {
            Coding::Identity => IMPLICIT_IDENTITY,
            _ => 0,
        })
}

/// The coding to send, among those `available` (identity always is): the best rated, ties
/// to our preference; identity when the client sent no header or accepts nothing we have.
pub fn choose<'a>(
    values: Option<impl IntoIterator<Item = &'a str>>,
    available: impl Fn(Coding) -> bool,
) -> Coding {
    let Some(values) = values else {
        return Coding::Identity;
    };
    let entries = parse(values);
    let mut best = (Coding::Identity, 0);
    for coding in Coding::PREFERENCE {
        if coding != Coding::Identity && !available(coding) {
            continue;
        }
        let q = quality(&entries, coding);
        if q > best.1 {
            best = (coding, q);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pick(header: &str, br: bool, gzip: bool) -> Coding {
        choose(Some([header]), |c| match c {
            Coding::Brotli => br,
            Coding::Gzip => gzip,
            Coding::Identity => true,
        })
    }

    #[test]
    fn the_reported_header_gets_gzip() {
        assert_eq!(pick("br;q=0.5, gzip;q=1.0", true, true), Coding::Gzip);
        assert_eq!(
            pick("gzip, br", true, true),
            Coding::Brotli,
            "a tie is ours"
        );
        assert_eq!(pick("br;q=0, gzip;q=0", true, true), Coding::Identity);
        assert_eq!(pick("*", true, true), Coding::Brotli);
        assert_eq!(pick("*;q=0, gzip", true, true), Coding::Gzip);
        assert_eq!(
            pick("", true, true),
            Coding::Identity,
            "empty: identity only"
        );
        assert_eq!(pick("gzip;q=0.5", true, true), Coding::Gzip);
        assert_eq!(pick("identity, gzip;q=0.5", true, true), Coding::Identity);
        assert_eq!(pick("X-GZIP; Q=0.9 , br;q=0.8", true, true), Coding::Gzip);
        assert_eq!(
            pick("br;q=2, gzip;q=0.1", true, true),
            Coding::Gzip,
            "q=2 is no qvalue"
        );
        assert_eq!(pick("br", false, true), Coding::Identity, "br is not there");
        assert_eq!(
            choose(None::<[&str; 0]>, |_| true),
            Coding::Identity,
            "no header"
        );
    }

    #[test]
    fn qvalues_follow_the_grammar() {
        for (raw, q) in [
            ("1", 1000),
            ("1.", 1000),
            ("1.000", 1000),
            ("0", 0),
            ("0.5", 500),
        ] {
            assert_eq!(qvalue(raw), Some(q), "{raw}");
        }
        assert_eq!(qvalue("0.001"), Some(1));
        for bad in ["1.001", "0.0001", "2", "-0", ".5", "0,5", "", "1e0", "0.5x"] {
            assert_eq!(qvalue(bad), None, "{bad}");
        }
    }

    /// The codings a generated header names, each once, with its written weight.
    #[derive(Debug, Clone)]
    struct Named {
        token: String,
        /// `None`: no weight written (q=1).
        quality: Option<Quality>,
        spaces: bool,
    }

    /// Distinct codings in any order, each in either case (gzip also as x-gzip), with or
    /// without a weight and spaces around its `;`.
    fn named() -> impl Strategy<Value = Vec<Named>> {
        let tokens = ["br", "gzip", "identity", "*", "deflate", "zstd"];
        let shape = (
            prop::option::of(0..=MAX_QUALITY),
            any::<bool>(),
            any::<bool>(),
        );
        prop::collection::vec(prop::option::of(shape), tokens.len())
            .prop_map(move |shapes| {
                tokens
                    .iter()
                    .zip(shapes)
                    .filter_map(|(t, shape)| {
                        let (quality, upper, spaces) = shape?;
                        let t = if *t == "gzip" && upper { "x-gzip" } else { t };
                        let token = if upper {
                            t.to_ascii_uppercase()
                        } else {
                            t.to_string()
                        };
                        Some(Named {
                            token,
                            quality,
                            spaces,
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .prop_shuffle()
    }

    fn written(q: Quality) -> String {
        match q {
            MAX_QUALITY => "1.0".into(),
            q => format!("0.{q:03}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
        }
    }

    fn header(named: &[Named]) -> String {
        named
            .iter()
            .map(|n| {
                let sep = if n.spaces { " ; " } else { ";" };
                match n.quality {
                    Some(q) => format!("{}{sep}q={}", n.token, written(q)),
                    None => n.token.clone(),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The rule, read off the generated entries rather than parsed: a coding's own weight,
    /// else `*`'s, else nothing (identity: acceptable, below anything named).
    fn rated(named: &[Named], coding: Coding) -> Quality {
        let weight = |n: &Named| n.quality.unwrap_or(MAX_QUALITY);
        let own = named.iter().find(|n| coding.matches(&n.token)).map(weight);
        let star = named.iter().find(|n| n.token == "*").map(weight);
        own.or(star).unwrap_or(match coding {
            Coding::Identity => IMPLICIT_IDENTITY,
            _ => 0,
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_best_rated_coding_we_have_is_sent(
            named in named(),
            br in any::<bool>(),
            gzip in any::<bool>(),
        ) {
            let h = header(&named);
            let have = |c: Coding| match c {
                Coding::Brotli => br,
                Coding::Gzip => gzip,
                Coding::Identity => true,
            };
            let chosen = pick(&h, br, gzip);
            prop_assert!(have(chosen), "{h}: sent {chosen:?}, which we do not have");
            let best = Coding::PREFERENCE
                .into_iter()
                .filter(|c| have(*c))
                .map(|c| rated(&named, c))
                .max()
                .unwrap_or(0);
            let q = rated(&named, chosen);
            if best > 0 {
                prop_assert_eq!(q, best, "{}: sent {:?}", h, chosen);
                prop_assert!(q > 0);
                // Among equals, ours: nothing we prefer was rated as high.
                for better in Coding::PREFERENCE.into_iter().take_while(|c| *c != chosen) {
                    prop_assert!(!have(better) || rated(&named, better) < best, "{}", h);
                }
            } else {
                prop_assert_eq!(chosen, Coding::Identity, "{}: nothing acceptable", h);
            }
        }
    }
}
