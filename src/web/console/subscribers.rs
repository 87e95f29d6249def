//! Subscribers: counts per channel and per service, and one subscriber found by exact
//! address (never a list of addresses).

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::error::Result;
use super::page::{UserView, face, html};
use super::staff::{Staff, user_view};
use crate::store::Audit;
use crate::web::AppState;

pub struct FoundSubscriber {
    address: String,
    state: &'static str,
    language: &'static str,
    services: String,
    created: String,
    source: String,
    confirmed: String,
}

#[derive(Template)]
#[template(path = "console/subscribers.html")]
struct SubscribersPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    counts: Vec<(String, String, String, i64)>,
    per_service: Vec<(String, i64, i64)>,
    query: String,
    found: Option<FoundSubscriber>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct AddressQuery {
    address: Option<String>,
}

/// Counts, and one subscriber found by exact address (never a list of addresses).
pub async fn subscribers(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Result {
    let counts = state.store.subscriber_counts().await?;
    let snapshot = state.snapshot.load();
    let lang = state.settings.default_lang();
    let mut per_service = Vec::new();
    for s in &snapshot.data().services {
        let (sms, email) = state.store.audience(std::slice::from_ref(&s.code)).await?;
        per_service.push((s.name.get(lang).to_string(), sms, email));
    }
    let query = q.address.unwrap_or_default().trim().to_string();
    let (mut found, mut error) = (None, None);
    if !query.is_empty() {
        let sub = &state.settings.raw.subscribers;
        match crate::domain::subscriber::Address::parse(
            &query,
            &sub.default_country,
            &state.settings.allowed_countries,
        ) {
            Err(e) => error = Some(e.to_string()),
            Ok(address) => match state.store.find_subscriber(&address).await? {
                Some(s) => {
                    let f = face(&state);
                    let actor = staff.actor();
                    let _ = state
                        .store
                        .audit(
                            Audit {
                                actor: &actor,
                                action: "subscriber.lookup",
                                target: format!("subscriber:{}", s.id),
                                before: None,
                                after: None,
                                detail: String::new(),
                            },
                            state.clock.now(),
                        )
                        .await;
                    found = Some(FoundSubscriber {
                        address: s.address.value.clone(),
                        state: s.state.as_str(),
                        language: s.language.native_name(),
                        services: match &s.services {
                            None => "all services".into(),
                            Some(list) => list
                                .iter()
                                .map(|c| c.to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                        },
                        created: f.instant(s.created_at),
                        source: s.source.clone(),
                        confirmed: s
                            .confirmed_at
                            .map(|t| f.instant(t))
                            .unwrap_or_else(|| "not yet".into()),
                    });
                }
                None => error = Some(format!("No subscriber has the address {}.", address.value)),
            },
        }
    }
    Ok(html(SubscribersPage {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        counts,
        per_service,
        query,
        found,
        error,
    }))
}
