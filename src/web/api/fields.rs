//! Parsing request fields into domain types, collecting every problem at once.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::super::{AppError, AppState, Result};
use super::{BODY_MAX, SMS_OVERRIDE_MAX};
use crate::domain::{FieldError, Localized, Overrides};
use crate::render::messages;

/// Collects field errors so a request learns about every problem at once.
#[derive(Default)]
pub(super) struct Errors(pub(super) Vec<FieldError>);

impl Errors {
    pub(super) fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub(super) fn take<T>(&mut self, r: std::result::Result<T, Vec<FieldError>>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(mut e) => {
                self.0.append(&mut e);
                None
            }
        }
    }

    pub(super) fn check(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::fields(self.0))
        }
    }
}

/// [`parse_time`] for other web modules.
pub(crate) fn parse_time_public(
    state: &AppState,
    field: &str,
    raw: &str,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    parse_time(state, field, raw)
}

/// RFC 3339, or a local time in the page's zone ("2026-04-18T23:00").
pub(super) fn parse_time(
    state: &AppState,
    field: &str,
    raw: &str,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(raw, fmt) {
            return state
                .settings
                .time_zone
                .from_local_datetime(&naive)
                .single()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| {
                    FieldError::new(
                        field,
                        format!(
                            "'{raw}' does not exist or is ambiguous in {}",
                            state.settings.time_zone.name()
                        ),
                    )
                });
        }
    }
    Err(FieldError::new(
        field,
        format!(
            "'{}' is not a time; use RFC 3339 such as 2026-04-18T23:00:00+03:00, or 2026-04-18T23:00 in {}",
            raw.chars().take(40).collect::<String>(),
            state.settings.time_zone.name()
        ),
    ))
}

pub(super) fn localized(
    state: &AppState,
    errors: &mut Errors,
    field: &str,
    raw: &BTreeMap<String, String>,
    required: bool,
    max: usize,
) -> Option<Localized> {
    errors.take(Localized::parse(
        field,
        raw,
        &state.settings.languages,
        required,
        max,
    ))
}

/// SMS and email overrides: same text checks as any field, plus known placeholders only.
pub(super) fn parse_overrides(
    state: &AppState,
    errors: &mut Errors,
    sms: Option<&BTreeMap<String, String>>,
    email: Option<&BTreeMap<String, String>>,
) -> Option<Overrides> {
    if sms.is_none() && email.is_none() {
        return None;
    }
    let mut one = |field: &str, raw: Option<&BTreeMap<String, String>>, max: usize| {
        let parsed = Localized::parse_partial(field, raw?, &state.settings.languages, max);
        let text = errors.take(parsed)?;
        let bad = messages::check_placeholders(field, &text);
        let ok = bad.is_empty();
        errors.0.extend(bad);
        ok.then_some(text)
    };
    let sms = one("sms", sms, SMS_OVERRIDE_MAX);
    let email = one("email", email, BODY_MAX);
    Some(Overrides {
        sms: sms.unwrap_or_default(),
        email: email.unwrap_or_default(),
    })
}
