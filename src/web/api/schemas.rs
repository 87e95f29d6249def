//! The JSON Schemas of webhook payloads, public: billers need them before they have a token.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use super::types::{SchemaIndex, SchemaLink};

use super::super::{AppError, AppState, Result};
use crate::domain::Event;

/// `GET /schemas/{type}.json`: the JSON Schema of a webhook payload. Public: billers need it
/// before they have a token.
pub(super) async fn schema(Path(file): Path<String>) -> Result<Json<Value>> {
    let name = file.strip_suffix(".json").unwrap_or(&file);
    let event = Event::parse(name).ok_or_else(|| {
        AppError::NotFound(
            "file".into(),
            format!(
                "no schema '{}'; known types: {}",
                name.chars().take(60).collect::<String>(),
                Event::ALL.map(|e| e.as_str()).join(", ")
            ),
        )
    })?;
    Ok(Json(crate::render::webhook::schema(event)))
}

pub(super) async fn schema_index(State(state): State<AppState>) -> Json<SchemaIndex> {
    let base = &state.settings.public_url;
    Json(SchemaIndex {
        schemas: Event::ALL
            .iter()
            .map(|e| SchemaLink {
                kind: e.as_str().into(),
                url: format!("{base}/api/v1/schemas/{}.json", e.as_str()),
            })
            .collect(),
    })
}
