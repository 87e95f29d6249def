//! The rules every email Tangazo sends must follow, checked on the bytes it sent with a real
//! parser (mail-parser): MIME-Version, a Message-ID on the public URL's host, a valid Date,
//! ASCII headers, and text parts in UTF-8 whose transfer encoding fits their content.

use mail_parser::{MessageParser, MimeHeaders, PartType};

/// What a checked email says.
#[derive(Debug)]
pub struct Checked {
    pub to: String,
    pub subject: String,
    /// The decoded text/plain body.
    pub text: String,
    /// The decoded text/html body, when the email has one.
    pub html: Option<String>,
}

/// Parses `raw` and checks every rule; panics naming the rule and the email otherwise.
pub fn check(raw: &[u8], host: &str) -> Checked {
    let shown = String::from_utf8_lossy(raw);
    let m = MessageParser::default()
        .parse(raw)
        .unwrap_or_else(|| panic!("not an email: {shown}"));
    let headers_end = find(raw, b"\r\n\r\n").unwrap_or_else(|| panic!("no header end: {shown}"));
    assert!(
        raw[..headers_end].is_ascii(),
        "headers must be ASCII (encoded words for the rest): {shown}"
    );
    assert_eq!(
        m.mime_version().as_text().map(str::trim),
        Some("1.0"),
        "MIME-Version: {shown}"
    );
    let id = m
        .message_id()
        .unwrap_or_else(|| panic!("no Message-ID: {shown}"));
    assert_eq!(
        id.rsplit_once('@').map(|(_, d)| d),
        Some(host),
        "Message-ID on the public host: {shown}"
    );
    let date = m.date().unwrap_or_else(|| panic!("no Date: {shown}"));
    assert!(date.is_valid(), "Date {date:?}: {shown}");
    let leaves: Vec<_> = m
        .parts
        .iter()
        .filter(|p| !matches!(p.body, PartType::Multipart(_)))
        .collect();
    assert!(!leaves.is_empty(), "no body: {shown}");
    for part in &leaves {
        let ct = part
            .content_type()
            .unwrap_or_else(|| panic!("a part without Content-Type: {shown}"));
        assert_eq!(ct.ctype(), "text", "{shown}");
        assert!(
            matches!(ct.subtype(), Some("plain" | "html")),
            "{ct:?}: {shown}"
        );
        assert!(
            ct.attribute("charset")
                .is_some_and(|c| c.eq_ignore_ascii_case("utf-8")),
            "charset=utf-8: {shown}"
        );
        let body = &raw[part.raw_body_offset() as usize..part.raw_end_offset() as usize];
        match part
            .content_transfer_encoding()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("7bit") => assert!(
                body.is_ascii() && body.split(|b| *b == b'\n').all(|l| l.len() <= 1000),
                "7bit bodies are ASCII in lines of at most 998 octets: {shown}"
            ),
            Some("quoted-printable" | "base64") => assert!(body.is_ascii(), "{shown}"),
            Some(other) => panic!("transfer encoding {other}: {shown}"),
        }
    }
    match leaves.len() {
        1 => {}
        2 => assert!(
            m.content_type()
                .is_some_and(|c| c.ctype() == "multipart" && c.subtype() == Some("alternative")),
            "two bodies are alternatives: {shown}"
        ),
        n => panic!("{n} bodies: {shown}"),
    }
    Checked {
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m
            .body_text(0)
            .unwrap_or_else(|| panic!("no text body: {shown}"))
            .into_owned(),
        html: m
            .body_html(0)
            .map(|h| h.into_owned())
            .filter(|_| leaves.len() == 2),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Every `.eml` file in `dir`, with its file name.
pub fn emails_in(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}
