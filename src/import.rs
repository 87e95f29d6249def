//! `tangazo subscribers import FILE.csv`: existing customer lists, streamed so that a file of a
//! million rows runs in bounded memory.
//!
//! Columns (header row, any order, any case): `address` and `consent` are required; `channel`
//! (email or sms), `language` and `services` (codes separated by `;`, empty or `all` for every
//! service) are optional. The file is read twice: first every row is checked and every problem
//! reported with its line number; only a clean file is imported, in one transaction, so nothing
//! partial is ever stored. Addresses already present are left alone: importing the same file
//! again changes nothing.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::domain::subscriber::{Address, Channel};
use crate::domain::{Lang, ServiceCode};
use crate::store::{NewSubscriber, Store};

const BATCH: usize = 500;
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

fn reader(path: &Path) -> anyhow::Result<csv::Reader<std::fs::File>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(csv::ReaderBuilder::new().flexible(false).from_reader(file))
}

/// Checks, then imports; `progress` is called with the rows done so far.
pub async fn import_csv(
    store: &Store,
    settings: &Settings,
    path: &Path,
    now: DateTime<Utc>,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let known: Vec<ServiceCode> = store
        .list_services()
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();

    // Pass 1: check every row, keep nothing but the errors.
    let mut rdr = reader(path)?;
    let header = rdr
        .headers()
        .map_err(|e| anyhow::anyhow!("line 1: {}", csv_problem(&e)))?
        .clone();
    let cols = columns(&header)?;
    let mut errors = Vec::new();
    let mut bad = 0u64;
    let mut rows = 0u64;
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                if let Err(m) = parse_row(&cols, &record, settings, &known, now) {
                    bad += 1;
                    if errors.len() < SHOWN_ERRORS {
                        let line = record.position().map(|p| p.line()).unwrap_or(rows + 1);
                        errors.push(format!("line {line}: {m}"));
                    }
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(rows + 2);
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

    // Pass 2: import in batches inside one transaction.
    let mut rdr = reader(path)?;
    let mut import = store.begin_import().await?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut done = 0u64;
    while rdr.read_record(&mut record)? {
        batch.push(parse_row(&cols, &record, settings, &known, now).map_err(anyhow::Error::msg)?);
        if batch.len() == BATCH {
            import.add(&batch, now).await?;
            done += batch.len() as u64;
            batch.clear();
            if done.is_multiple_of(100_000) {
                let rate = done as f64 / started.elapsed().as_secs_f64();
                progress(&format!(
                    "imported {done} of {rows} rows ({rate:.0} rows/s)"
                ));
            }
        }
    }
    import.add(&batch, now).await?;
    let (seen, inserted) = import.commit().await?;
    Ok(Report {
        rows: seen,
        inserted,
        seconds: started.elapsed().as_secs_f64(),
    })
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
