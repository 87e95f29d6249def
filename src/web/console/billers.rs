//! Billers and their webhook endpoints in the console: create them (the secret is shown once),
//! send a test event, rotate the secret, disable and enable (with a replay of what was missed),
//! and each endpoint's deliveries with their attempts, replay and recovery. The same store calls
//! and checks as `/api/v1/endpoints`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, SecondsFormat, Utc};

use super::error::Result;
use super::form::{Form, claim_form, done, form_token, release_form};
use super::page::{Frame, UserView, html};
use super::staff::{Staff, user_view};
use crate::domain::{BillerId, DeliveryId, EndpointId};
use crate::locale::{Arg, Locale};
use crate::render::i18n::Clockface;
use crate::store::{Attempt, Biller, Endpoint, Role, WebhookDelivery};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "console/billers.html")]
struct BillersPage {
    t: Frame,
    w: BillersWords,
    user: Option<UserView>,
    csrf: String,
    /// The forms' one-time token.
    once: String,
    flash: Option<String>,
    error: Option<String>,
    can_edit: bool,
    billers: Vec<(Biller, Vec<Endpoint>)>,
}

#[derive(Template)]
#[template(path = "console/endpoint.html")]
struct EndpointPage {
    t: Frame,
    w: EndpointWords,
    user: Option<UserView>,
    csrf: String,
    /// The forms' one-time token.
    once: String,
    flash: Option<String>,
    error: Option<String>,
    can_act: bool,
    /// The name of the biller the endpoint belongs to.
    biller: String,
    e: Endpoint,
    failing_since: Option<Shown>,
    previous_secret_until: Option<Shown>,
    deliveries: Vec<DeliveryRow>,
}

crate::render::i18n::labels!(
    /// The words of the billers page.
    BillersWords, "console-billers", {
        heading,
        intro,
        contact,
        id,
        no_endpoints,
        col_endpoint,
        col_events,
        col_services,
        col_state,
        all,
        failing,
        enabled,
        disabled,
        refused,
        add,
        url,
        description,
        contact_email,
        contact_hint,
        event_types,
        events_hint,
        services_hint,
        rate,
        rate_hint,
        ed25519,
        add_button,
        new_biller,
        name,
        create,
    }
);

crate::render::i18n::labels!(
    /// The words of an endpoint's page.
    EndpointWords, "console-endpoint", {
        title,
        failing_since,
        enabled,
        disabled,
        refused_before,
        events,
        services,
        all,
        rate,
        none,
        contact,
        key,
        previous_before,
        previous_after,
        test,
        rotate,
        disable,
        replay_missed,
        enable,
        recover_label,
        recover_hint,
        recover,
        deliveries,
        none_yet,
        col_update,
        col_state,
        col_attempts,
        webhook_id,
        next_try,
        send_again,
    }
);

/// An instant as the console shows it: in the page's zone ("Wed 2 Dec 01:36 EAT"), with the
/// exact UTC time (to the millisecond, as the API gives it) on hover.
struct Shown {
    local: String,
    utc: String,
}

impl Shown {
    fn of(f: &Clockface, at: DateTime<Utc>) -> Shown {
        Shown {
            local: f.instant(at),
            utc: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// One delivery to the endpoint, with its attempts, each with its time shown.
struct DeliveryRow {
    d: WebhookDelivery,
    created: Shown,
    /// When a pending delivery is tried next.
    next: Option<Shown>,
    attempts: Vec<(Attempt, Shown)>,
}

/// Where the billers' forms go back to.
const BILLERS: &str = "/console/billers";

pub async fn billers(State(state): State<AppState>, staff: Staff) -> Result {
    billers_page(&state, &staff, None, StatusCode::OK).await
}

async fn billers_page(
    state: &AppState,
    staff: &Staff,
    error: Option<String>,
    status: StatusCode,
) -> Result {
    let loaded = async {
        let mut out = Vec::new();
        for b in state.store.list_billers().await? {
            let endpoints = state.store.list_endpoints(Some(&b.id)).await?;
            out.push((b, endpoints));
        }
        Ok::<_, crate::store::StoreError>(out)
    };
    let billers = loaded.await?;
    let page = BillersPage {
        t: staff.frame(),
        w: BillersWords::of(staff.loc()),
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        error,
        can_edit: staff.0.user.role >= Role::Admin,
        billers,
    };
    Ok((status, html(page)).into_response())
}

/// A client error as one line for the page; an internal one is logged and not shown.
fn errors_text(loc: &Locale, e: AppError) -> String {
    match e {
        AppError::Internal(e) => {
            tracing::error!(error = ?e, "console billers");
            loc.text("console-billers-went-wrong")
        }
        other => other.message(),
    }
}

pub async fn create_biller(State(state): State<AppState>, staff: Staff, body: Bytes) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let loc = staff.loc();
    let contact = form.get("contact_email").trim();
    let checked = match crate::web::billers::check_biller_name(form.get("name")) {
        Err(e) => Err(e.message()),
        Ok(_) if contact.parse::<lettre::Address>().is_err() => Err(format!(
            "contact_email: {}",
            loc.format(
                "console-billers-not-email",
                &[("contact", Arg::Str(contact))]
            )
        )),
        Ok(name) => Ok(name),
    };
    let name = match checked {
        Ok(name) => name,
        Err(e) => {
            return billers_page(&state, &staff, Some(e), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    claim_form(&state, &staff, &form, BILLERS).await?;
    match state
        .store
        .create_biller(name, contact, &staff.actor(), state.clock.now())
        .await
    {
        Ok(b) => Ok(done(
            &state,
            &staff,
            BILLERS,
            &loc.format("console-billers-created", &[("name", Arg::Str(&b.name))]),
        )
        .await),
        Err(e) => {
            release_form(&state, &form).await;
            let msg = errors_text(loc, e.into());
            billers_page(&state, &staff, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn create_endpoint(
    State(state): State<AppState>,
    staff: Staff,
    Path(biller): Path<BillerId>,
    body: Bytes,
) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let loc = staff.loc();
    let list = |name: &str| -> Vec<String> {
        form.get(name)
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let services = list("services");
    let raw_rate = form.get("rate_limit").trim().to_string();
    let Ok(rate_limit) = (if raw_rate.is_empty() {
        Ok(0)
    } else {
        raw_rate.parse::<i64>()
    }) else {
        return billers_page(
            &state,
            &staff,
            Some(format!(
                "rate_limit: {}",
                loc.format(
                    "console-billers-rate-not-number",
                    &[("raw", Arg::Str(&raw_rate))]
                )
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = crate::web::billers::EndpointIn {
        biller_id: Some(biller.clone()),
        url: Some(form.get("url").to_string()),
        description: Some(form.get("description").to_string()),
        event_types: Some(list("event_types")),
        services: Some((!services.is_empty()).then_some(services)),
        rate_limit: Some(rate_limit),
        contact_email: Some(form.get("contact_email").to_string()),
        ed25519: Some(form.get("ed25519") == "yes"),
        enabled: None,
    };
    let settings = match input.settings(&state, None).await {
        Ok(s) => s,
        Err(e) => {
            let msg = errors_text(loc, e);
            return billers_page(&state, &staff, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    claim_form(&state, &staff, &form, BILLERS).await?;
    match state
        .store
        .create_endpoint(
            &biller,
            &settings,
            form.get("ed25519") == "yes",
            &staff.actor(),
            state.clock.now(),
        )
        .await
    {
        Ok((e, secret)) => {
            // Kept with the session's results until its next page, then deleted: shown once.
            let flash = loc.format(
                "console-billers-endpoint-created",
                &[("url", Arg::Str(&e.url)), ("secret", Arg::Str(&secret))],
            );
            Ok(done(&state, &staff, BILLERS, &flash).await)
        }
        Err(e) => {
            release_form(&state, &form).await;
            let msg = errors_text(loc, e.into());
            billers_page(&state, &staff, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn endpoint(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<EndpointId>,
) -> Result {
    endpoint_page(&state, &staff, &id, None, StatusCode::OK).await
}

async fn endpoint_page(
    state: &AppState,
    staff: &Staff,
    id: &EndpointId,
    error: Option<String>,
    status: StatusCode,
) -> Result {
    let loaded = async {
        let e = state.store.get_endpoint(id).await?;
        let biller = state.store.get_biller(&e.biller_id).await?.name;
        let mut deliveries = Vec::new();
        for d in state.store.endpoint_deliveries(id, None, None, 50).await? {
            let attempts = state.store.attempts_of(&d.id).await?;
            deliveries.push((d, attempts));
        }
        Ok::<_, crate::store::StoreError>((e, biller, deliveries))
    };
    let (e, biller, deliveries) = loaded.await?;
    let f = super::page::face(state, staff.loc());
    let page = EndpointPage {
        t: staff.frame(),
        w: EndpointWords::of(staff.loc()),
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        error,
        can_act: staff.0.user.role >= Role::Publisher,
        biller,
        failing_since: e.failing_since.map(|t| Shown::of(&f, t)),
        previous_secret_until: e.previous_secret_until.map(|t| Shown::of(&f, t)),
        e,
        deliveries: deliveries
            .into_iter()
            .map(|(d, attempts)| DeliveryRow {
                created: Shown::of(&f, d.created_at),
                next: d
                    .next_attempt_at
                    .filter(|_| d.state == "pending")
                    .map(|t| Shown::of(&f, t)),
                attempts: attempts
                    .into_iter()
                    .map(|a| {
                        let at = Shown::of(&f, a.at);
                        (a, at)
                    })
                    .collect(),
                d,
            })
            .collect(),
    };
    Ok((status, html(page)).into_response())
}

/// `test`, `rotate`, `disable`, `enable`, `recover` and `replay` (with `delivery`).
pub async fn endpoint_action(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(EndpointId, String)>,
    body: Bytes,
) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let back = format!("/console/endpoints/{id}");
    claim_form(&state, &staff, &form, &back).await?;
    let loc = staff.loc();
    let now = state.clock.now();
    let actor = staff.actor();
    let store = &state.store;
    let result: Result<String, AppError> = async {
        Ok(match action.as_str() {
            "test" => {
                let r =
                    crate::delivery::webhook::send_test(store, &state.settings, &id, now).await?;
                match (r.status, r.latency_ms) {
                    (Some(s), Some(ms)) => loc.format(
                        "console-endpoint-test-sent",
                        &[
                            ("status", Arg::Str(&s.to_string())),
                            ("ms", Arg::Str(&ms.to_string())),
                        ],
                    ),
                    _ => loc.format(
                        "console-endpoint-test-failed",
                        &[("error", Arg::Str(r.error.as_deref().unwrap_or("")))],
                    ),
                }
            }
            "rotate" => {
                let overlap = chrono::Duration::hours(i64::from(
                    state.settings.raw.webhook.secret_overlap_hours,
                ));
                let secret = store
                    .rotate_endpoint_secret(&id, overlap, &actor, now)
                    .await?;
                loc.format(
                    "console-endpoint-rotated",
                    &[
                        ("secret", Arg::Str(&secret)),
                        ("until", Arg::Str(&(now + overlap).to_rfc3339())),
                    ],
                )
            }
            "disable" => {
                store
                    .disable_endpoint(&id, &format!("disabled by {actor}"), &actor, now)
                    .await?;
                loc.text("console-endpoint-disabled-flash")
            }
            "enable" => {
                let n = store
                    .enable_endpoint(&id, form.get("replay") == "yes", &actor, now)
                    .await?;
                loc.format(
                    "console-endpoint-enabled-flash",
                    &[("n", Arg::Num(n as i64))],
                )
            }
            "replay" => {
                if store
                    .replay_delivery(&id, &DeliveryId::new(form.get("delivery")), &actor, now)
                    .await?
                {
                    loc.text("console-endpoint-replayed")
                } else {
                    return Err(AppError::NotFound(
                        "delivery".into(),
                        loc.text("console-endpoint-no-such-delivery"),
                    ));
                }
            }
            "recover" => {
                let since = crate::web::api::parse_time_public(&state, "since", form.get("since"))
                    .map_err(|e| AppError::fields(vec![e]))?;
                let n = store.recover_failed(&id, since, &actor, now).await?;
                loc.format("console-endpoint-recovered", &[("n", Arg::Num(n as i64))])
            }
            _ => {
                return Err(AppError::NotFound(
                    "action".into(),
                    format!("no action '{action}'"),
                ));
            }
        })
    }
    .await;
    match result {
        Ok(flash) => Ok(done(&state, &staff, &back, &flash).await),
        Err(e) => {
            release_form(&state, &form).await;
            let msg = errors_text(loc, e);
            endpoint_page(
                &state,
                &staff,
                &id,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
