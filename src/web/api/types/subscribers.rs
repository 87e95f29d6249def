//! Subscribers as staff manage them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schemas::*;
use crate::domain::SubscriberId;

/// A person who receives notices by SMS or email.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberOut {
    #[schema(value_type = String)]
    pub id: SubscriberId,
    #[schema(schema_with = subscriber_channel_schema)]
    pub channel: String,
    /// The phone number (E.164) or email address.
    pub address: String,
    pub language: String,
    /// Service codes followed; null: every service.
    pub services: Option<Vec<String>>,
    #[schema(schema_with = subscriber_state_schema)]
    pub state: String,
    /// How they signed up: web, sms, api, import.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

impl From<&crate::store::Subscriber> for SubscriberOut {
    fn from(s: &crate::store::Subscriber) -> Self {
        SubscriberOut {
            id: s.id.clone(),
            channel: s.address.channel.as_str().into(),
            address: s.address.value.clone(),
            language: s.language.code().into(),
            services: s
                .services
                .as_ref()
                .map(|v| v.iter().map(|c| c.to_string()).collect()),
            state: s.state.as_str().into(),
            source: s.source.clone(),
            created_at: s.created_at,
            confirmed_at: s.confirmed_at,
            unsubscribed_at: s.unsubscribed_at,
        }
    }
}

/// Everything stored about one person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberExport {
    pub subscriber: SubscriberOut,
    pub note: String,
}

/// A person staff add, who asked for these notices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriberIn {
    /// A phone number (international, or national in the page's default country) or an email
    /// address.
    #[schema(required = true, nullable = false, min_length = 3, max_length = 254)]
    pub address: Option<String>,
    /// One of the page's languages; by default the first.
    #[schema(schema_with = language_schema)]
    pub language: Option<String>,
    /// Service codes; absent or empty means every service.
    pub services: Option<Vec<String>>,
    /// Must be true: staff assert they hold the person's consent.
    #[schema(required = true, nullable = false, schema_with = consent_schema)]
    pub consent: Option<bool>,
}

/// Which subscriber: their exact phone number or email address.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddressQuery {
    #[param(required = true, nullable = false, min_length = 3, max_length = 254)]
    pub address: Option<String>,
}
