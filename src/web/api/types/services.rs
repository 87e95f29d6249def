//! Services: what the page lists.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schemas::*;
use super::{Texts, texts, whole_number};
use crate::domain::Service;

/// A service of the status page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceOut {
    /// Stable code: lower-case letters, digits and dashes.
    pub code: String,
    #[schema(schema_with = texts_schema)]
    pub name: Texts,
    #[schema(schema_with = texts_schema)]
    pub description: Texts,
    pub group: String,
    pub position: i64,
    #[schema(schema_with = service_status_schema)]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Service> for ServiceOut {
    fn from(s: &Service) -> Self {
        ServiceOut {
            code: s.code.to_string(),
            name: texts(&s.name),
            description: texts(&s.description),
            group: s.group.clone(),
            position: s.position,
            status: s.status.as_str().into(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceList {
    pub services: Vec<ServiceOut>,
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceNew {
    #[schema(required = true, nullable = false, pattern = "^[a-z][a-z0-9-]{1,39}$")]
    pub code: Option<String>,
    /// Its name in every language of the page.
    #[schema(required = true, nullable = false, schema_with = name_texts_schema)]
    pub name: Option<Texts>,
    #[schema(schema_with = description_texts_schema)]
    pub description: Option<Texts>,
    /// The heading it is listed under, e.g. Payments.
    #[schema(required = true, nullable = false, schema_with = group_schema)]
    pub group: Option<String>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i64>,
    #[schema(schema_with = service_status_or_null_schema)]
    pub status: Option<String>,
}

/// Changes to a service: any subset of its fields; the code cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceChanges {
    #[schema(pattern = "^[a-z][a-z0-9-]{1,39}$")]
    pub code: Option<String>,
    #[schema(schema_with = name_texts_schema)]
    pub name: Option<Texts>,
    #[schema(schema_with = description_texts_schema)]
    pub description: Option<Texts>,
    #[schema(schema_with = group_schema)]
    pub group: Option<String>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i64>,
    #[schema(schema_with = service_status_or_null_schema)]
    pub status: Option<String>,
}
