//! Retried API calls: the `Idempotency-Key` request header on every POST under `/api/v1`,
//! after the IETF draft "The Idempotency-Key HTTP Header Field".
//!
//! A client that sends a key and gets no answer (a timeout, a dropped connection) sends the
//! same request with the same key again; the operation then runs at most once:
//! * the same key (per token) with the same request within [`KEEP`] gets the first answer
//!   again, marked `Idempotent-Replayed: true`, and nothing runs;
//! * the same key with another request (body or path) is a 422 naming the header;
//! * while the first request has not answered, or when its process stopped before it did (so
//!   nobody knows whether it took effect), a 409 says so; the operation is not run twice.
//!
//! Only answers that say what became of the operation are kept: a success, and the client
//! errors that say why it was refused (400, 404, 409, 415, 422). A server error frees the key,
//! so the client's retry runs the operation again; so does a refused token (401, 403).
//! The database keeps a SHA-256 of the token id with the key, and one of the request: neither
//! the key nor the body.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::super::{AppError, AppState};
use super::{BODY_LIMIT, body_too_large, token_of};
use crate::store::{Claim, KeptAnswer};

/// The request header.
pub const HEADER: &str = "Idempotency-Key";
/// The response header that marks an answer given again.
pub const REPLAYED: &str = "idempotent-replayed";
/// How long a key is kept: a retry later than this runs the operation again.
pub const KEEP: chrono::Duration = chrono::Duration::hours(24);
/// The longest key, in characters.
pub const KEY_MAX: usize = 255;

/// The key of a header value: a Structured Field string (`"…"`, as the draft has it) or the
/// bare value (as many clients send a UUID), of 1 to [`KEY_MAX`] visible ASCII characters.
pub fn parse_key(raw: &[u8]) -> Result<String, String> {
    let rule = format!("must be 1 to {KEY_MAX} visible ASCII characters, such as a UUID");
    let key = if raw.first() == Some(&b'"') {
        match sfv::Parser::new(raw).parse::<sfv::Item>() {
            Ok(sfv::Item {
                bare_item: sfv::BareItem::String(s),
                params,
            }) if params.is_empty() => s.as_str().as_bytes().to_vec(),
            _ => return Err(format!("{rule}; this is not a well-formed quoted string")),
        }
    } else {
        raw.to_vec()
    };
    if key.is_empty() {
        return Err(format!("{rule}; this one is empty"));
    }
    if key.len() > KEY_MAX {
        return Err(format!("{rule}; this one has {}", key.len()));
    }
    if !key.iter().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "{rule}; this one holds a space, a control character or a non-ASCII one"
        ));
    }
    Ok(String::from_utf8(key).expect("visible ASCII is UTF-8"))
}

/// What the database keeps of a key: a SHA-256 of the token's id and the key, so one token's
/// key never meets another's.
pub fn key_hash(token_id: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(token_id.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    hex::encode(h.finalize())
}

/// A SHA-256 of the request a key was first sent with: its method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// Whether an answer says what became of the operation, so that a retry may be given it.
fn kept(status: StatusCode) -> bool {
    status.is_success()
        || [
            StatusCode::BAD_REQUEST,
            StatusCode::NOT_FOUND,
            StatusCode::CONFLICT,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            StatusCode::UNPROCESSABLE_ENTITY,
        ]
        .contains(&status)
}

/// The headers of an answer that are repeated with it (the others belong to the exchange).
const KEPT_HEADERS: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::LOCATION];

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let errors = std::collections::BTreeMap::from([(HEADER.to_string(), message.into())]);
    AppError::Invalid(status, errors).into_response()
}

/// The layer on every route of `/api/v1`: a POST with a key runs through [`keyed`].
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let mut values = req.headers().get_all(HEADER).iter();
    let Some(raw) = values.next() else {
        return next.run(req).await;
    };
    if values.next().is_some() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "send it once; this request has several",
        );
    }
    let key = match parse_key(raw.as_bytes()) {
        Ok(k) => k,
        Err(m) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, m),
    };
    keyed(state, key, req, next).await
}

async fn keyed(state: AppState, key: String, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // Without a valid token there is no operation to protect: the handler refuses it.
    let Ok(token) = token_of(&parts, &state).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            let e = e.into_inner();
            if e.is::<http_body_util::LengthLimitError>() {
                return body_too_large().into_response();
            }
            let m = format!("could not be read: {e}");
            return AppError::field("body", m).into_response();
        }
    };
    let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let print = fingerprint(parts.method.as_str(), path, &body);
    let hash = key_hash(&token.id, &key);
    let claim = state
        .store
        .claim_key(&hash, &print, state.clock.now(), KEEP)
        .await;
    match claim {
        Err(e) => AppError::from(e).into_response(),
        Ok(Claim::Reused) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "was sent with another request (another body or path) in the last 24 hours; use a new key for a new request",
        ),
        Ok(Claim::Running) => refuse(
            StatusCode::CONFLICT,
            "the first request with this key has not answered: it is still running, or the server stopped before it answered and its outcome is unknown. It is not run twice: retry in a moment, and if this persists, check whether it took effect before you send it with a new key",
        ),
        Ok(Claim::Answered(answer)) => replay(answer),
        Ok(Claim::Acquired) => {
            let req = Request::from_parts(parts, Body::from(body));
            // The operation and the keeping of its answer run to the end even when the client
            // goes away mid-way, which is when it will retry.
            let task = tokio::spawn(run_and_keep(state, hash, req, next));
            task.await.unwrap_or_else(|e| {
                // A panic mid-way: the key stays held, as the outcome is unknown.
                AppError::Internal(anyhow::anyhow!("an idempotent request panicked: {e}"))
                    .into_response()
            })
        }
    }
}

async fn run_and_keep(state: AppState, hash: String, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !kept(status) {
        if let Err(e) = state.store.release_key(&hash).await {
            // The key stays held: a retry is told the outcome is unknown, never run twice.
            tracing::warn!(error = %e, "cannot free an idempotency key after a failed request");
        }
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return AppError::Internal(anyhow::Error::new(e)).into_response(),
    };
    let answer = KeptAnswer {
        status: status.as_u16(),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|h| {
                let v = parts.headers.get(h)?.to_str().ok()?;
                Some((h.as_str().to_string(), v.to_string()))
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) = state.store.keep_answer(&hash, &answer).await {
        tracing::warn!(error = %e, "cannot keep the answer of an idempotent request; a retry will be told its outcome is unknown");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(answer: KeptAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, answer.body).into_response();
    let headers = resp.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (name, value) in &answer.headers {
        if let (Ok(n), Ok(v)) = (
            header::HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(n, v);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any 1 to 255 visible ASCII characters are a key, bare or quoted.
        #[test]
        fn visible_ascii_keys_are_taken(key in "[!#-~][!-~]{0,254}") {
            prop_assert_eq!(parse_key(key.as_bytes()), Ok(key.clone()));
            let quoted = format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""));
            prop_assert_eq!(parse_key(quoted.as_bytes()), Ok(key));
        }

        /// Anything else is refused with the rule in words.
        #[test]
        fn other_keys_are_refused(key in prop_oneof![
            Just(String::new()),
            "[!-~]{256,400}",
            "[!-~]{0,20}[ \t\u{7f}\u{e9}\u{1}][!-~]{0,20}",
        ]) {
            let e = parse_key(key.as_bytes()).unwrap_err();
            prop_assert!(e.contains("1 to 255 visible ASCII"), "{}", e);
        }
    }

    #[test]
    fn a_quoted_string_is_its_content() {
        assert_eq!(
            parse_key(br#""8e03978e-40d5-43e8""#).unwrap(),
            "8e03978e-40d5-43e8"
        );
        assert_eq!(parse_key(br#""a\"b""#).unwrap(), "a\"b");
        assert!(parse_key(br#""a b""#).is_err(), "a space is not visible");
        assert!(parse_key(br#""open"#).is_err());
        assert!(parse_key(br#""a";x=1"#).is_err());
    }
}
