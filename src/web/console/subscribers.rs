//! Subscribers: counts per channel and per service, and one subscriber found by exact
//! address (never a list of addresses).

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::error::Result;
use super::page::{Frame, UserView, face, html};
use super::staff::{Staff, user_view};
use crate::locale::Arg;
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
    t: Frame,
    w: SubscribersWords,
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    counts: Vec<(String, String, String, i64)>,
    per_service: Vec<(String, i64, i64)>,
    query: String,
    found: Option<FoundSubscriber>,
    error: Option<String>,
}

crate::render::i18n::labels!(
    /// The words of the subscribers page.
    SubscribersWords, "console-subscribers", {
        title,
        import,
        by_channel,
        col_channel,
        col_language,
        col_state,
        col_count,
        empty,
        by_service,
        col_service,
        col_sms,
        col_email,
        find,
        address_label,
        find_button,
        address,
        follows,
        signed_up,
        confirmed,
    }
);

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
                    let f = face(&state, staff.loc());
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
                            None => staff.loc().text("console-subscribers-all-services"),
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
                            .unwrap_or_else(|| staff.loc().text("console-subscribers-not-yet")),
                    });
                }
                None => {
                    error = Some(staff.loc().format(
                        "console-subscribers-none",
                        &[("address", Arg::Str(&address.value))],
                    ))
                }
            },
        }
    }
    Ok(html(SubscribersPage {
        t: staff.frame(),
        w: SubscribersWords::of(staff.loc()),
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
