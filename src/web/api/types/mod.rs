//! The staff API's contract: the request and response bodies and query strings of every
//! `/api/v1` operation, as Rust types that carry their JSON Schema (utoipa). Handlers parse
//! into these types and answer with them, and the OpenAPI document is built from them, so the
//! document cannot drift from what the API reads and writes.
//!
//! Request fields are `Option` so that one answer can name every missing or bad field at once;
//! the schema still says which are required. Texts are objects keyed by the page's languages;
//! the document is built at run time, so it names the languages this instance is configured
//! with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Localized;
use schemas::{errors_schema, event_schema};

/// Text per language, e.g. `{"en": "…", "sw": "…"}`.
pub type Texts = BTreeMap<String, String>;

pub(crate) fn texts(l: &Localized) -> Texts {
    l.0.iter()
        .map(|(lang, text)| (lang.code().to_string(), text.clone()))
        .collect()
}

/// An integer, also when written with a zero fraction (`5.0`), as JSON Schema's `integer`
/// allows.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
            _ => Err(serde::de::Error::custom(format!(
                "invalid type: {n}, expected a whole number"
            ))),
        },
    }
}

/// A field that was sent, even as `null` (serde reads a `null` `Option<Option<_>>` as absent).
pub(crate) fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

mod billers;
mod notices;
mod schemas;
mod services;
mod subscribers;

pub use billers::*;
pub use notices::*;
pub use services::*;
pub use subscribers::*;

// Errors and webhook payload schemas

/// Every error: what went wrong, by field. The field names a body field (`title.sw`,
/// `affected[0].service`), a header (`Authorization` for 401 and 403, `Idempotency-Key`), what
/// was not found (404), `body` (413, 415) or `server` (500).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    #[schema(schema_with = errors_schema)]
    pub errors: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaLink {
    #[serde(rename = "type")]
    #[schema(schema_with = event_schema)]
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaIndex {
    pub schemas: Vec<SchemaLink>,
}
