//! Public sign-up: `/subscribe`, confirmation (a signed, expiring email link or a 6-digit SMS
//! code), one-click unsubscribe (RFC 8058) and the manage page. Works without JavaScript.
//!
//! Every confirmation SMS costs money, so before anything is sent the sign-up is checked
//! against per-address, per-IP and global caps (`subscribers.max_*`): a burst of sign-ups can
//! cost at most the global cap, and refusals are counted on `/metrics`.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{KeyInit, Mac};

use crate::locale::Arg;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::AppState;
use super::metrics::Refusal;
use crate::domain::subscriber::{Address, AddressError, Channel};
use crate::domain::{Lang, ServiceCode, SubscriberId};
use crate::render::{LinkStyle, View};
use crate::store::{CodeCheck, NewSubscriber};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subscribe", get(form).post(sign_up))
        .route("/subscribe/confirm/{token}", get(confirm_link))
        .route("/subscribe/code", post(confirm_code))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
        .route(
            "/callbacks/sms/africastalking/{secret}",
            post(africastalking_inbound),
        )
        .route(
            "/callbacks/sms/africastalking/{secret}/delivery",
            post(africastalking_delivery),
        )
        .route("/callbacks/sms/twilio", post(twilio_inbound))
        .route("/callbacks/sms/twilio/status", post(twilio_status))
        .route("/manage/{token}", get(manage).post(save_manage))
        .route(
            "/unsubscribe",
            get(unsubscribe_form).post(unsubscribe_request),
        )
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn lang_of(state: &AppState, raw: Option<&str>, headers: &HeaderMap) -> Lang {
    raw.and_then(|t| Lang::best_for(t, &state.settings.languages))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| Lang::negotiate(v, &state.settings.languages))
        })
        .unwrap_or(state.settings.default_lang())
}

/// Renders with the snapshot's data (service names), without touching the database.
fn page(state: &AppState, status: StatusCode, f: impl FnOnce(&View<'_>) -> String) -> Response {
    let snap = state.snapshot.load();
    let view = View::new(
        snap.data(),
        &state.settings,
        state.clock.now(),
        LinkStyle::Live,
    );
    let mut resp = (status, Html(f(&view))).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

/// A one-sentence result page: the sentence is both heading and text.
fn message(state: &AppState, status: StatusCode, lang: Lang, text: &str, good: bool) -> Response {
    page(state, status, |v| {
        v.message_html(lang, text, text, good, None, None)
    })
}

async fn form(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&state, q.lang.as_deref(), &headers);
    page(&state, StatusCode::OK, |v| v.subscribe_html(lang, None, ""))
}

// ---------------------------------------------------------------------------------------------
// Signed confirmation links: `{id}.{expires}.{mac}`, HMAC-SHA256 with the installation's key.

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn mac(key: &str, id: &str, expires: i64) -> String {
    let mut m = HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    m.update(format!("confirm:{id}:{expires}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

pub fn confirm_token(key: &str, id: &SubscriberId, expires: DateTime<Utc>) -> String {
    let exp = expires.timestamp();
    format!("{id}.{exp}.{}", mac(key, id.as_str(), exp))
}

enum LinkCheck {
    Valid(SubscriberId),
    Expired,
    Forged,
}

fn check_token(key: &str, token: &str, now: DateTime<Utc>) -> LinkCheck {
    let mut parts = token.rsplitn(3, '.');
    let (Some(sig), Some(exp), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return LinkCheck::Forged;
    };
    let Ok(exp) = exp.parse::<i64>() else {
        return LinkCheck::Forged;
    };
    let expected = mac(key, id, exp);
    if !super::secrets_equal(sig, &expected) {
        return LinkCheck::Forged;
    }
    if exp <= now.timestamp() {
        return LinkCheck::Expired;
    }
    LinkCheck::Valid(SubscriberId::new(id))
}

/// The subscriber a manage or unsubscribe link names: a signed `s1.` link from a notice email
/// ([`crate::delivery::recipient_token`]) or the random token of the confirmation email.
async fn subscriber_for_link(
    state: &AppState,
    token: &str,
) -> crate::store::StoreResult<Option<crate::store::Subscriber>> {
    if token.starts_with("s1.") {
        let Some(id) = crate::delivery::check_recipient_token(&state.link_key, token) else {
            return Ok(None);
        };
        return match state.store.get_subscriber(&id).await {
            Ok(s) => Ok(Some(s)),
            Err(crate::store::StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        };
    }
    state.store.find_by_manage_token(token).await
}

// ---------------------------------------------------------------------------------------------

crate::render::i18n::labels!(
    /// The sign-up flow's messages, and the confirmation texts it sends.
    Words, "subscribe", {
        bad_address, try_later, check_email, check_phone, already, confirmed, link_expired,
        link_bad, wrong_code, code_expired, unsubscribed, unsubscribe_q, unknown_link,
        email_subject, email_body, not_you, manage, stop_subject, stop_body, unsubscribe_sent,
        saved,
    }
);

/// "Please check the phone number or email address: '12' is not a phone number", in the
/// reader's language.
fn address_error(state: &AppState, lang: Lang, e: &AddressError) -> String {
    let loc = state.settings.locales.get(lang);
    let (id, args) = e.message();
    let args: Vec<(&str, Arg<'_>)> = args.into_iter().map(|(k, v)| (k, Arg::Str(v))).collect();
    let reason = loc.format(id, &args);
    let label = loc.text("subscribe-bad-address");
    loc.format(
        "subscribe-address-refused",
        &[("label", Arg::Str(&label)), ("reason", Arg::Str(&reason))],
    )
}

fn words(state: &AppState, lang: Lang) -> Words {
    Words::of(state.settings.locales.get(lang))
}

async fn sign_up(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let page_lang = lang_of(&state, Some(get("lang")), &headers);
    let w = words(&state, page_lang);
    let raw_address = get("address").to_string();
    let again = |status: StatusCode, error: String| {
        page(&state, status, |v| {
            v.subscribe_html(page_lang, Some(error), &raw_address)
        })
    };
    let s = &state.settings.raw.subscribers;
    let address = match Address::parse(
        &raw_address,
        &s.default_country,
        &state.settings.allowed_countries,
    ) {
        Ok(a) => a,
        Err(e) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                address_error(&state, page_lang, &e),
            );
        }
    };
    let language = Lang::parse(get("language"))
        .filter(|l| state.settings.languages.contains(l))
        .unwrap_or(page_lang);
    let chosen: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "service")
        .map(|(_, v)| v.as_str())
        .collect();
    let snapshot = state.snapshot.load();
    let known = &snapshot.data().services;
    let mut services = Vec::new();
    for c in &chosen {
        match ServiceCode::parse(c) {
            Ok(code) if known.iter().any(|s| s.code == code) => services.push(code),
            _ => return again(StatusCode::UNPROCESSABLE_ENTITY, format!("service: '{c}'")),
        }
    }
    let now = state.clock.now();
    // The caps, before anything is stored or sent.
    let ip = peer.ip().to_string();
    let caps = crate::store::Caps {
        address_day: i64::from(s.max_per_address_day),
        ip_hour: i64::from(s.max_per_ip_hour),
        global_hour: i64::from(s.max_global_hour),
        global_day: i64::from(s.max_global_day),
    };
    match state
        .store
        .reserve_confirmation(&address, &ip, &caps, now)
        .await
    {
        Ok(None) => {}
        Ok(Some(hit)) => {
            let r = match hit {
                crate::store::CapHit::Address => Refusal::Address,
                crate::store::CapHit::Ip => Refusal::Ip,
                crate::store::CapHit::Global => Refusal::Global,
            };
            state.metrics.refused(r);
            tracing::warn!(reason = r.as_str(), "sign-up refused by a cap");
            let mut resp = again(StatusCode::TOO_MANY_REQUESTS, w.try_later.to_string());
            resp.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static("3600"),
            );
            return resp;
        }
        Err(e) => return super::AppError::from(e).into_response(),
    }
    let new = NewSubscriber {
        address: address.clone(),
        language,
        services: if chosen.is_empty() {
            None
        } else {
            Some(services)
        },
        source: "web",
        confirmed: false,
        expires_at: now + Duration::hours(i64::from(s.confirm_hours)),
    };
    let signup = match state.store.subscribe(&new, now).await {
        Ok(s) => s,
        Err(e) => return super::AppError::from(e).into_response(),
    };
    if signup.already_confirmed {
        return message(&state, StatusCode::OK, page_lang, &w.already, true);
    }
    let lw = words(&state, language);
    let sent = match address.channel {
        Channel::Email => {
            let link = format!(
                "{}/subscribe/confirm/{}",
                state.settings.public_url,
                confirm_token(&state.link_key, &signup.subscriber.id, new.expires_at)
            );
            send_confirmation_email(&state, &address, &lw, &link, &signup.manage_token).await
        }
        Channel::Sms => {
            let code = signup.code.clone().unwrap_or_default();
            let text = format!(
                "{} {}",
                state.settings.raw.page.name,
                state.settings.locales.get(language).format(
                    "subscribe-sms-code",
                    &[
                        ("code", Arg::Str(&code)),
                        ("hours", Arg::Num(i64::from(s.confirm_hours))),
                    ]
                )
            );
            state
                .outbound
                .send_sms(
                    &address.value,
                    &text,
                    &format!("confirm-{}", signup.subscriber.id),
                    None,
                )
                .await
        }
    };
    if let Err(e) = sent {
        tracing::error!(error = ?e, channel = address.channel.as_str(), "confirmation not sent");
        return message(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            page_lang,
            &w.try_later,
            false,
        );
    }
    match address.channel {
        Channel::Email => message(&state, StatusCode::OK, page_lang, &w.check_email, true),
        Channel::Sms => page(&state, StatusCode::OK, |v| {
            v.message_html(
                page_lang,
                &w.check_phone,
                &w.check_phone,
                true,
                Some(signup.subscriber.id.to_string()),
                None,
            )
        }),
    }
}

/// The confirmation email already carries the one-click unsubscribe (RFC 8058): someone signed
/// up with an address that is not theirs must be able to stop it at once.
async fn send_confirmation_email(
    state: &AppState,
    to: &Address,
    w: &Words,
    link: &str,
    manage_token: &str,
) -> anyhow::Result<()> {
    use lettre::message::header::{HeaderName, HeaderValue};
    let unsubscribe = format!("{}/unsubscribe/{manage_token}", state.settings.public_url);
    let from: lettre::message::Mailbox = state.settings.raw.subscribers.email_from.parse()?;
    let mut message = crate::delivery::plain_email(
        &state.settings,
        &to.value,
        &w.email_subject,
        format!(
            "{}\n\n{link}\n\n{}: {}/manage/{manage_token}\n{}: {unsubscribe}\n",
            &w.email_body, &w.manage, state.settings.public_url, &w.not_you
        ),
    )?;
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe"),
        format!(
            "<{unsubscribe}>, <mailto:{}?subject=unsubscribe>",
            from.email
        ),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click".to_string(),
    ));
    state.outbound.send_email(message).await
}

async fn confirm_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&state, None, &headers);
    let w = words(&state, lang);
    let now = state.clock.now();
    match check_token(&state.link_key, &token, now) {
        LinkCheck::Forged => message(&state, StatusCode::NOT_FOUND, lang, &w.link_bad, false),
        LinkCheck::Expired => message(&state, StatusCode::GONE, lang, &w.link_expired, false),
        LinkCheck::Valid(id) => match state.store.confirm_subscriber(&id, now).await {
            Ok(true) => message(&state, StatusCode::OK, lang, &w.confirmed, true),
            Ok(false) => match state.store.get_subscriber(&id).await {
                // A replayed link: say what is true, change nothing.
                Ok(s) if s.state == crate::store::SubState::Confirmed => {
                    message(&state, StatusCode::OK, lang, &w.already, true)
                }
                _ => message(&state, StatusCode::GONE, lang, &w.link_expired, false),
            },
            Err(e) => super::AppError::from(e).into_response(),
        },
    }
}

async fn confirm_code(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let lang = lang_of(&state, Some(get("lang")), &headers);
    let w = words(&state, lang);
    let id = SubscriberId::new(get("id"));
    let max = i64::from(state.settings.raw.subscribers.code_attempts);
    match state
        .store
        .confirm_code(&id, get("code"), max, state.clock.now())
        .await
    {
        Ok(CodeCheck::Confirmed) => message(&state, StatusCode::OK, lang, &w.confirmed, true),
        Ok(CodeCheck::Wrong { attempts_left }) if attempts_left > 0 => {
            let text = format!("{} {attempts_left}", &w.wrong_code);
            page(&state, StatusCode::UNPROCESSABLE_ENTITY, |v| {
                v.message_html(lang, &text, &text, false, Some(id.to_string()), None)
            })
        }
        Ok(
            CodeCheck::Wrong { .. }
            | CodeCheck::TooManyAttempts
            | CodeCheck::Expired
            | CodeCheck::NotPending,
        ) => message(&state, StatusCode::GONE, lang, &w.code_expired, false),
        Err(crate::store::StoreError::NotFound) => {
            message(&state, StatusCode::NOT_FOUND, lang, &w.code_expired, false)
        }
        Err(e) => super::AppError::from(e).into_response(),
    }
}

/// The unsubscribe link in every email: a page with one button (a GET never changes state,
/// because mail scanners follow links).
async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&state, None, &headers);
    let w = words(&state, lang);
    match subscriber_for_link(&state, &token).await {
        Ok(Some(s)) => {
            let lang = s.language;
            let w = words(&state, lang);
            let masked = mask(&s.address);
            let text = format!("{} ({masked})", &w.unsubscribe_q);
            page(&state, StatusCode::OK, |v| {
                v.message_html(
                    lang,
                    &w.unsubscribe_q,
                    &text,
                    true,
                    None,
                    Some(format!("/unsubscribe/{token}")),
                )
            })
        }
        Ok(None) => message(&state, StatusCode::NOT_FOUND, lang, &w.unknown_link, false),
        Err(e) => super::AppError::from(e).into_response(),
    }
}

/// RFC 8058 one-click (`List-Unsubscribe=One-Click` in the body) and the page's button.
async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&state, None, &headers);
    let found = match subscriber_for_link(&state, &token).await {
        Ok(Some(s)) => state
            .store
            .unsubscribe_id(&s.id, state.clock.now())
            .await
            .map(|_| Some(s)),
        other => other,
    };
    match found {
        Ok(Some(s)) => {
            let w = words(&state, s.language);
            message(&state, StatusCode::OK, s.language, &w.unsubscribed, true)
        }
        Ok(None) => {
            let w = words(&state, lang);
            message(&state, StatusCode::NOT_FOUND, lang, &w.unknown_link, false)
        }
        Err(e) => super::AppError::from(e).into_response(),
    }
}

/// `w…@example.com`, `+2547…78`: enough to recognise, not to harvest.
pub fn mask(a: &Address) -> String {
    match a.channel {
        Channel::Email => {
            let (local, domain) = a.value.split_once('@').unwrap_or((&a.value, ""));
            format!("{}…@{domain}", local.chars().next().unwrap_or('?'))
        }
        Channel::Sms => {
            let v = &a.value;
            let n = v.chars().count();
            if n < 8 {
                "…".into()
            } else {
                format!(
                    "{}…{}",
                    v.chars().take(5).collect::<String>(),
                    v.chars().skip(n - 2).collect::<String>()
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Unsubscribe by address: the answer is the same whether or not the address is subscribed, and
// the link goes only to the address itself.

async fn unsubscribe_form(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&state, q.lang.as_deref(), &headers);
    page(&state, StatusCode::OK, |v| v.unsubscribe_html(lang, None))
}

async fn unsubscribe_request(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = form_fields(&body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let lang = lang_of(&state, Some(get("lang")), &headers);
    let w = words(&state, lang);
    let s = &state.settings.raw.subscribers;
    // Stopping must work for any number that could have subscribed.
    let address = match Address::parse(
        get("address"),
        &s.default_country,
        &state.settings.allowed_countries,
    ) {
        Ok(a) => a,
        Err(e) => {
            return page(&state, StatusCode::UNPROCESSABLE_ENTITY, |v| {
                v.unsubscribe_html(lang, Some(address_error(&state, lang, &e)))
            });
        }
    };
    let sent = w.unsubscribe_sent.clone();
    let now = state.clock.now();
    let sub = match state.store.find_subscriber(&address).await {
        Ok(s) => s,
        Err(e) => return super::AppError::from(e).into_response(),
    };
    let Some(sub) = sub.filter(|s| s.state != crate::store::SubState::Unsubscribed) else {
        return message(&state, StatusCode::OK, lang, &sent, true);
    };
    // These messages cost money too: the same caps as sign-ups.
    let caps = crate::store::Caps {
        address_day: i64::from(s.max_per_address_day),
        ip_hour: i64::from(s.max_per_ip_hour),
        global_hour: i64::from(s.max_global_hour),
        global_day: i64::from(s.max_global_day),
    };
    match state
        .store
        .reserve_confirmation(&address, &peer.ip().to_string(), &caps, now)
        .await
    {
        Ok(None) => {}
        Ok(Some(_)) => {
            return message(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                lang,
                &w.try_later,
                false,
            );
        }
        Err(e) => return super::AppError::from(e).into_response(),
    }
    let token = match state.store.rotate_manage_token(&sub.id).await {
        Ok(Some(t)) => t,
        Ok(None) => return message(&state, StatusCode::OK, lang, &sent, true),
        Err(e) => return super::AppError::from(e).into_response(),
    };
    let link = format!("{}/unsubscribe/{token}", state.settings.public_url);
    let sw = words(&state, sub.language);
    let result = match address.channel {
        Channel::Email => {
            async {
                let message = crate::delivery::plain_email(
                    &state.settings,
                    &address.value,
                    &sw.stop_subject,
                    format!("{}\n\n{link}\n", &sw.stop_body),
                )?;
                state.outbound.send_email(message).await
            }
            .await
        }
        Channel::Sms => {
            let text = format!("{}: {} {link}", state.settings.raw.page.name, &sw.stop_body);
            state
                .outbound
                .send_sms(&address.value, &text, &format!("stop-{}", sub.id), None)
                .await
        }
    };
    if let Err(e) = result {
        tracing::error!(error = ?e, "unsubscribe link not sent");
        return message(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            &w.try_later,
            false,
        );
    }
    message(&state, StatusCode::OK, lang, &sent, true)
}

// ---------------------------------------------------------------------------------------------
// The manage page: language and services, without a login (the link is the key).

async fn manage(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    manage_page(&state, &token, &headers, None).await
}

async fn manage_page(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
    flash: Option<String>,
) -> Response {
    let lang = lang_of(state, None, headers);
    match subscriber_for_link(state, token).await {
        Ok(Some(s)) if s.state != crate::store::SubState::Unsubscribed => {
            let masked = mask(&s.address);
            page(state, StatusCode::OK, |v| {
                v.manage_html(
                    s.language,
                    token,
                    &masked,
                    s.state.as_str(),
                    s.services.as_deref(),
                    flash,
                )
            })
        }
        Ok(_) => {
            let w = words(state, lang);
            message(state, StatusCode::NOT_FOUND, lang, &w.unknown_link, false)
        }
        Err(e) => super::AppError::from(e).into_response(),
    }
}

async fn save_manage(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = form_fields(&body);
    let Ok(Some(s)) = subscriber_for_link(&state, &token).await else {
        let lang = lang_of(&state, None, &headers);
        let w = words(&state, lang);
        return message(&state, StatusCode::NOT_FOUND, lang, &w.unknown_link, false);
    };
    let language = fields
        .iter()
        .find(|(k, _)| k == "language")
        .and_then(|(_, v)| Lang::parse(v))
        .filter(|l| state.settings.languages.contains(l))
        .unwrap_or(s.language);
    let snapshot = state.snapshot.load();
    let chosen: Vec<ServiceCode> = fields
        .iter()
        .filter(|(k, _)| k == "service")
        .filter_map(|(_, v)| ServiceCode::parse(v).ok())
        .filter(|c| snapshot.data().services.iter().any(|s| &s.code == c))
        .collect();
    let services = (!chosen.is_empty()).then_some(chosen.as_slice());
    if let Err(e) = state
        .store
        .update_preferences(&s.id, language, services)
        .await
    {
        return super::AppError::from(e).into_response();
    }
    let saved = words(&state, language).saved;
    manage_page(&state, &token, &headers, Some(saved)).await
}

// ---------------------------------------------------------------------------------------------
// Inbound SMS: STOP and the operator's local words unsubscribe the sender.

fn is_stop(state: &AppState, text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("").to_uppercase();
    let first = first.trim_matches(|c: char| !c.is_alphanumeric());
    !first.is_empty()
        && state
            .settings
            .raw
            .subscribers
            .stop_words
            .split(',')
            .any(|w| w.trim().eq_ignore_ascii_case(first))
}

async fn stop_number(state: &AppState, raw: &str, provider: &str) -> anyhow::Result<bool> {
    let s = &state.settings.raw.subscribers;
    // A STOP is honoured from any country a number could have subscribed from.
    let Ok(address) = Address::phone(raw, &s.default_country, &state.settings.allowed_countries)
    else {
        return Ok(false);
    };
    let Some(sub) = state.store.find_subscriber(&address).await? else {
        return Ok(false);
    };
    let now = state.clock.now();
    let changed = state.store.unsubscribe_id(&sub.id, now).await?;
    if changed {
        state
            .store
            .audit(
                crate::store::Audit {
                    actor: provider,
                    action: "subscriber.stop",
                    target: format!("subscriber:{}", sub.id),
                    before: None,
                    after: None,
                    detail: "inbound SMS".into(),
                },
                now,
            )
            .await?;
    }
    Ok(changed)
}

fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Africa's Talking posts inbound messages (`from`, `text`) and opt-out notifications
/// (`phoneNumber`) to a URL whose last segment is `sms.callback_secret`.
async fn africastalking_inbound(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    let expected = state.settings.raw.sms.callback_secret.expose_secret();
    if expected.is_empty() || !super::secrets_equal(&secret, expected) {
        tracing::warn!("Africa's Talking callback with a wrong or no secret");
        return StatusCode::NOT_FOUND.into_response();
    }
    let fields = form_fields(&body);
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let result = if let Some(number) = get("phoneNumber") {
        stop_number(&state, number, "provider:africastalking").await
    } else if let (Some(from), Some(text)) = (get("from"), get("text")) {
        if is_stop(&state, text) {
            stop_number(&state, from, "provider:africastalking").await
        } else {
            Ok(false)
        }
    } else {
        return (
            StatusCode::BAD_REQUEST,
            "expected from and text, or phoneNumber",
        )
            .into_response();
    };
    match result {
        Ok(_) => (StatusCode::OK, "OK").into_response(),
        Err(e) => super::AppError::Internal(e).into_response(),
    }
}

/// Twilio's request signature: base64 HMAC-SHA1, keyed with the auth token, of the URL
/// followed by every POST parameter name and value, sorted by name.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut m =
        hmac::Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
    m.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

/// The form fields of a Twilio callback to `path`, or the answer refusing it: 404 while
/// Twilio is not configured, 403 when `X-Twilio-Signature` does not match.
fn twilio_fields(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, (StatusCode, &'static str)> {
    let token = state.settings.raw.sms.twilio_auth_token.expose_secret();
    if token.is_empty() {
        return Err((StatusCode::NOT_FOUND, "Twilio is not configured"));
    }
    let fields = form_fields(body);
    let url = format!("{}{path}", state.settings.public_url);
    let expected = twilio_signature(token, &url, &fields);
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !super::secrets_equal(given, &expected) {
        tracing::warn!(path, "Twilio callback with a wrong signature");
        return Err((StatusCode::FORBIDDEN, "bad signature"));
    }
    Ok(fields)
}

/// Delivery reports (`MessageSid`, `MessageStatus`) for messages sent through Twilio.
async fn twilio_status(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match twilio_fields(&state, "/callbacks/sms/twilio/status", &headers, &body) {
        Ok(f) => f,
        Err(refused) => return refused.into_response(),
    };
    let map = fields.into_iter().collect();
    receipt(&state, crate::delivery::twilio::parse_status(&map)).await
}

/// Delivery reports (`id`, `status`, `failureReason`) from Africa's Talking, on the same secret
/// URL as inbound messages plus `/delivery`.
async fn africastalking_delivery(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    let expected = state.settings.raw.sms.callback_secret.expose_secret();
    if expected.is_empty() || !super::secrets_equal(&secret, expected) {
        tracing::warn!("Africa's Talking delivery report with a wrong or no secret");
        return StatusCode::NOT_FOUND.into_response();
    }
    let map = form_fields(&body).into_iter().collect();
    receipt(&state, crate::delivery::africastalking::parse_report(&map)).await
}

/// Applies a parsed report: 200 when recorded, 400 when the report lacks its fields, 202 when
/// it names no recorded message yet (it is kept and applied when the send is recorded).
async fn receipt(state: &AppState, parsed: Option<crate::delivery::Receipt>) -> Response {
    let Some(r) = parsed else {
        return (
            StatusCode::BAD_REQUEST,
            "expected a message id and a status",
        )
            .into_response();
    };
    match state
        .store
        .record_receipt("sms", &r, state.clock.now())
        .await
    {
        Ok(true) => (StatusCode::OK, "OK").into_response(),
        Ok(false) => (StatusCode::ACCEPTED, "kept until that message is recorded").into_response(),
        Err(e) => super::AppError::from(e).into_response(),
    }
}

async fn twilio_inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = match twilio_fields(&state, "/callbacks/sms/twilio", &headers, &body) {
        Ok(f) => f,
        Err(refused) => return refused.into_response(),
    };
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if let (Some(from), Some(text)) = (get("From"), get("Body"))
        && is_stop(&state, text)
        && let Err(e) = stop_number(&state, from, "provider:twilio").await
    {
        return super::AppError::Internal(e).into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/xml")],
        "<Response></Response>",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_tokens() {
        let now = Utc::now();
        let t = confirm_token("key", &SubscriberId::new("abc"), now + Duration::hours(1));
        assert!(matches!(check_token("key", &t, now), LinkCheck::Valid(id) if id == "abc"));
        assert!(matches!(
            check_token("other key", &t, now),
            LinkCheck::Forged
        ));
        assert!(matches!(
            check_token("key", &t.replace("abc", "abd"), now),
            LinkCheck::Forged
        ));
        assert!(matches!(
            check_token("key", &t, now + Duration::hours(2)),
            LinkCheck::Expired
        ));
        assert!(matches!(check_token("key", "junk", now), LinkCheck::Forged));
    }
}
