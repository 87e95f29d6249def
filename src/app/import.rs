//! `tangazo subscribers import FILE.csv`: existing customer lists, streamed so that a file of a
//! million rows runs in bounded memory.
//!
//! Columns (header row, any order, any case): `address` and `consent` are required; `channel`
//! (email or sms), `language` and `services` (codes separated by `;`, empty or `all` for every
//! service) are optional. The file is read twice: first every row is checked and every problem
//! reported with its line number; only a clean file is imported, all or nothing (see
//! `store::Import`: on SQLite in short transactions that let other writers through, seen only
//! once the last is in). Addresses already present are left alone: importing the same file
//! again changes nothing.

use std::fs::File;
use std::io::{Chain, Cursor, Read};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::domain::subscriber::{Address, Channel};
use crate::domain::{Lang, ServiceCode};
use crate::store::{Import, NewSubscriber, Store};

/// Rows per call to `Import::add`: on SQLite one transaction each.
const BATCH: usize = 1000;
/// Problems listed before the rest are only counted.
const SHOWN_ERRORS: usize = 50;

pub struct Report {
    pub rows: u64,
    pub inserted: u64,
    pub seconds: f64,
}

struct Columns {
    address: usize,
    consent: usize,
    channel: Option<usize>,
    language: Option<usize>,
    services: Option<usize>,
}

fn columns(header: &csv::StringRecord) -> anyhow::Result<Columns> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let known = ["address", "consent", "channel", "language", "services"];
    if let Some(unknown) = header
        .iter()
        .find(|h| !known.iter().any(|k| h.trim().eq_ignore_ascii_case(k)))
    {
        bail!(
            "line 1: unknown column '{unknown}'; the columns are {}",
            known.join(", ")
        );
    }
    Ok(Columns {
        address: find("address").context("line 1: the address column is missing")?,
        consent: find("consent").context(
            "line 1: the consent column is missing; import only people who agreed to receive notices, and say so per row",
        )?,
        channel: find("channel"),
        language: find("language"),
        services: find("services"),
    })
}

fn parse_row(
    c: &Columns,
    r: &csv::StringRecord,
    settings: &Settings,
    known: &[ServiceCode],
    expires: DateTime<Utc>,
) -> Result<NewSubscriber, String> {
    let get = |i: usize| r.get(i).unwrap_or("").trim();
    let consent = get(c.consent).to_ascii_lowercase();
    if !["yes", "y", "true", "1"].contains(&consent.as_str()) {
        return Err(format!(
            "consent: '{}' is not yes; rows without consent are not imported",
            get(c.consent)
        ));
    }
    let s = &settings.raw.subscribers;
    let raw = get(c.address);
    let address = match c.channel.map(get).filter(|v| !v.is_empty()) {
        Some(ch) => match Channel::parse(ch).map_err(|m| format!("channel: {m}"))? {
            Channel::Email => Address::email(raw),
            Channel::Sms => Address::phone(raw, &s.default_country, &settings.allowed_countries),
        },
        None => Address::parse(raw, &s.default_country, &settings.allowed_countries),
    }
    .map_err(|m| format!("address: {m}"))?;
    let language = match c.language.map(get).filter(|v| !v.is_empty()) {
        None => settings.default_lang(),
        Some(l) => Lang::parse(l)
            .filter(|l| settings.languages.contains(l))
            .ok_or_else(|| {
                format!(
                    "language: '{l}' is not offered (use {})",
                    settings
                        .languages
                        .iter()
                        .map(|l| l.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
    };
    let services = match c
        .services
        .map(get)
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("all"))
    {
        None => None,
        Some(list) => {
            let mut out = Vec::new();
            for code in list.split(';').map(str::trim).filter(|c| !c.is_empty()) {
                let parsed = ServiceCode::parse(code).ok().filter(|c| known.contains(c));
                out.push(parsed.ok_or_else(|| format!("services: no service '{code}'"))?);
            }
            Some(out)
        }
    };
    Ok(NewSubscriber {
        address,
        language,
        services,
        source: "import",
        confirmed: true,
        expires_at: expires,
    })
}

/// The file as the CSV reader sees it (see [`ExcelText`]).
fn reader(path: &Path) -> anyhow::Result<csv::Reader<ExcelText<File>>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let text = ExcelText::new(file).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(csv::ReaderBuilder::new().flexible(false).from_reader(text))
}

/// Text as Excel and other spreadsheets save it, given to the CSV reader as lines it counts
/// right.
///
/// The CSV reader counts lines by their `\n`, but it notes where a record starts before it
/// passes over what ends the line before: the `\n` of a `\r\n` (every line number was one too
/// low in a file with Excel's line ends, and a file with bare `\r` ends had every record on
/// line 1), or empty lines. So `\r\n` and a bare `\r` become `\n` here (also inside a quoted
/// field: no field of an import keeps line breaks), and empty lines are left out and
/// remembered, for [`ExcelText::line`] to count them back in. Excel's "CSV UTF-8" also starts
/// with a byte-order mark, which would otherwise be read as part of the first column's name.
struct ExcelText<R> {
    inner: Chain<Cursor<Vec<u8>>, R>,
    /// The last byte read was a `\r` (passed on as `\n`): a `\n` right after it is dropped.
    after_cr: bool,
    /// Nothing has been passed on since the last line end (or at all).
    line_start: bool,
    /// Inside a quoted field, by the parity of the quotes passed on (a doubled quote flips it
    /// twice), where an empty line is part of the field.
    quoted: bool,
    /// Bytes passed on so far.
    offset: u64,
    /// Where the empty lines left out were, as offsets in what was passed on.
    left_out: Vec<u64>,
}

impl<R: Read> ExcelText<R> {
    fn new(mut inner: R) -> std::io::Result<Self> {
        let mut head = Vec::with_capacity(3);
        (&mut inner).take(3).read_to_end(&mut head)?;
        if head == b"\xEF\xBB\xBF" {
            head.clear();
        }
        Ok(ExcelText {
            inner: Cursor::new(head).chain(inner),
            after_cr: false,
            line_start: true,
            quoted: false,
            offset: 0,
            left_out: Vec::new(),
        })
    }

    /// The line in the file of the record the CSV reader placed at `at`.
    fn line(&self, at: &csv::Position) -> u64 {
        let before = self.left_out.partition_point(|&o| o <= at.byte());
        at.line() + before as u64
    }
}

impl<R: Read> Read for ExcelText<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for i in 0..n {
                let mut b = buf[i];
                if std::mem::take(&mut self.after_cr) && b == b'\n' {
                    continue;
                }
                if b == b'\r' {
                    self.after_cr = true;
                    b = b'\n';
                }
                if b == b'\n' && self.line_start && !self.quoted {
                    self.left_out.push(self.offset);
                    continue;
                }
                self.quoted ^= b == b'"';
                self.line_start = b == b'\n';
                buf[kept] = b;
                kept += 1;
                self.offset += 1;
            }
            // All of it was left out (a `\n` after a `\r`, empty lines): read on.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// What pass 1 learnt of a clean file.
struct Checked {
    columns: Columns,
    rows: u64,
}

/// Pass 1: checks every row and keeps nothing but the problems, each with its line number.
/// Only a file without any passes.
fn check_file(
    path: &Path,
    settings: &Settings,
    known: &[ServiceCode],
    now: DateTime<Utc>,
    progress: &mut (dyn FnMut(&str) + Send),
) -> anyhow::Result<Checked> {
    let mut rdr = reader(path)?;
    let header = rdr
        .headers()
        .map_err(|e| anyhow::anyhow!("line 1: {}", csv_problem(&e)))?
        .clone();
    let columns = columns(&header)?;
    let mut errors = Vec::new();
    let mut bad = 0u64;
    let mut rows = 0u64;
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                if let Err(m) = parse_row(&columns, &record, settings, known, now) {
                    bad += 1;
                    if errors.len() < SHOWN_ERRORS {
                        let line = record.position().map(|p| rdr.get_ref().line(p));
                        let line = line.unwrap_or(rows + 1);
                        errors.push(format!("line {line}: {m}"));
                    }
                }
            }
            Err(e) => {
                let line = e.position().map(|p| rdr.get_ref().line(p));
                let line = line.unwrap_or(rows + 2);
                bail!("line {line}: {}; nothing was imported", csv_problem(&e));
            }
        }
        if rows.is_multiple_of(100_000) && rows > 0 {
            progress(&format!("checked {rows} rows"));
        }
    }
    if bad > 0 {
        let more = if bad as usize > errors.len() {
            format!("\n… and {} more", bad as usize - errors.len())
        } else {
            String::new()
        };
        bail!(
            "{bad} of {rows} rows are wrong; nothing was imported:\n{}{more}",
            errors.join("\n")
        );
    }
    Ok(Checked { columns, rows })
}

/// Checks, then imports; `progress` is called with what has been done so far.
pub async fn import_csv(
    store: &Store,
    settings: &Settings,
    path: &Path,
    now: DateTime<Utc>,
    progress: impl FnMut(&str) + Send + 'static,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let known: Vec<ServiceCode> = store
        .list_services()
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    // Reading a large file takes seconds: not on a thread that serves requests.
    let (checked, known, mut progress) = {
        let (path, settings) = (path.to_path_buf(), settings.clone());
        let mut progress: Box<dyn FnMut(&str) + Send> = Box::new(progress);
        tokio::task::spawn_blocking(move || {
            let checked = check_file(&path, &settings, &known, now, &mut *progress);
            (checked, known, progress)
        })
        .await
        .context("checking the file")?
    };
    let checked = checked?;

    // Pass 2: the rows in chunks; the import decides how they are made visible all at once.
    let mut import = store.begin_import().await?;
    match add_rows(
        &mut import,
        &checked,
        settings,
        &known,
        path,
        now,
        started,
        &mut *progress,
    )
    .await
    {
        Ok(()) => {}
        Err(e) => {
            if let Err(cleanup) = import.abandon().await {
                tracing::warn!(error = %cleanup, "cannot remove the failed import's rows yet; serve will");
            }
            return Err(e.context("nothing was imported"));
        }
    }
    let (seen, inserted) = import.commit().await?;
    Ok(Report {
        rows: seen,
        inserted,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Pass 2's reading: every row of the checked file, [`BATCH`] at a time.
#[allow(clippy::too_many_arguments)]
async fn add_rows(
    import: &mut Import,
    checked: &Checked,
    settings: &Settings,
    known: &[ServiceCode],
    path: &Path,
    now: DateTime<Utc>,
    started: Instant,
    progress: &mut (dyn FnMut(&str) + Send),
) -> anyhow::Result<()> {
    let mut rdr = reader(path)?;
    let mut record = csv::StringRecord::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut done = 0u64;
    while rdr.read_record(&mut record)? {
        let row = parse_row(&checked.columns, &record, settings, known, now);
        batch.push(row.map_err(anyhow::Error::msg)?);
        if batch.len() == BATCH {
            import.add(&batch, now).await?;
            done += batch.len() as u64;
            batch.clear();
            if done.is_multiple_of(100_000) {
                let rate = done as f64 / started.elapsed().as_secs_f64();
                progress(&format!(
                    "imported {done} of {} rows ({rate:.0} rows/s)",
                    checked.rows
                ));
            }
        }
    }
    import.add(&batch, now).await?;
    Ok(())
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text (save it as CSV UTF-8)".into(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} fields where the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    /// A row of a generated file: accepted or refused (no consent), on one line or with a
    /// quoted `services` field over two; or an empty line, which the reader skips.
    #[derive(Debug, Clone, Copy)]
    enum Row {
        Good,
        Refused,
        GoodOverTwoLines,
        RefusedOverTwoLines,
        Empty,
    }

    fn rows() -> impl Strategy<Value = Vec<Row>> {
        let row = prop_oneof![
            3 => Just(Row::Good),
            2 => Just(Row::Refused),
            1 => Just(Row::GoodOverTwoLines),
            1 => Just(Row::RefusedOverTwoLines),
            1 => Just(Row::Empty),
        ];
        proptest::collection::vec(row, 1..30)
    }

    /// The file's text, and the real line number of each refused row.
    fn file(rows: &[Row], eol: &str, bom: bool) -> (Vec<u8>, BTreeSet<u64>) {
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        text.push_str("address,consent,services");
        text.push_str(eol);
        let mut line = 2;
        let mut refused = BTreeSet::new();
        for (i, row) in rows.iter().enumerate() {
            let number = format!("07{:08}", 10_000_000 + i);
            let (consent, two_lines) = match row {
                Row::Empty => {
                    text.push_str(eol);
                    line += 1;
                    continue;
                }
                Row::Good => ("yes", false),
                Row::Refused => ("no", false),
                Row::GoodOverTwoLines => ("yes", true),
                Row::RefusedOverTwoLines => ("no", true),
            };
            if consent == "no" {
                refused.insert(line);
            }
            let services = if two_lines {
                format!("\"pay-bill;{eol}send-money\"")
            } else {
                String::new()
            };
            text.push_str(&format!("{number},{consent},{services}{eol}"));
            line += 1 + u64::from(two_lines);
        }
        (text.into_bytes(), refused)
    }

    fn settings() -> Settings {
        Config::load(None, Vec::<(String, String)>::new())
            .unwrap()
            .validate()
            .unwrap()
    }

    use crate::config::Config;

    proptest! {
        /// Whatever a file's line ends (`\n`, Excel's `\r\n`, old `\r`), with or without a
        /// byte-order mark, with quoted fields over several lines and empty lines: each
        /// refused row is reported at the line it starts on in the file.
        #[test]
        fn refused_rows_are_reported_at_their_real_line(
            rows in rows(),
            eol in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
            bom in any::<bool>(),
        ) {
            let (text, refused) = file(&rows, eol, bom);
            let mut f = tempfile::NamedTempFile::new().unwrap();
            f.write_all(&text).unwrap();
            let known = ["pay-bill", "send-money"].map(|c| ServiceCode::parse(c).unwrap());
            let checked = check_file(f.path(), &settings(), &known, Utc::now(), &mut |_| {});
            match checked {
                Ok(c) => {
                    prop_assert!(refused.is_empty(), "refused rows at {refused:?} passed");
                    let records = rows.iter().filter(|r| !matches!(r, Row::Empty)).count();
                    prop_assert_eq!(c.rows, records as u64);
                }
                Err(e) => {
                    let message = e.to_string();
                    let reported: BTreeSet<u64> = message
                        .lines()
                        .filter_map(|l| l.strip_prefix("line "))
                        .filter_map(|l| l.split(':').next()?.parse().ok())
                        .collect();
                    prop_assert_eq!(&reported, &refused, "{}", message);
                }
            }
        }
    }

    #[test]
    fn line_ends_become_newlines_even_split_across_reads() {
        /// Hands out one byte per read, so that every `\r\n` is split.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let input = b"\xEF\xBB\xBFa\r\nb\rc\n\r\r\n\"d\r\r\"\r";
        let mut text = ExcelText::new(OneByte(input)).unwrap();
        let mut out = Vec::new();
        text.read_to_end(&mut out).unwrap();
        assert_eq!(
            out, b"a\nb\nc\n\"d\n\n\"\n",
            "empty lines left out, not in quotes"
        );
        assert_eq!(text.left_out, [6, 6]);
    }
}
