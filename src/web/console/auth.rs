//! Getting in and out of the console: login (with its double-submit CSRF cookie and the
//! per-address throttle), logout and the password change. The session they start, which every
//! other page is opened with, is [`Staff`] (in `staff`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration as StdDuration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::Result;
use super::form::Form;
use super::page::{Frame, UserView, html, locale_of};
use super::staff::{SESSION_COOKIE, Staff, cookie, user_view};
use crate::locale::{Arg, Locale};
use crate::store::{Audit, LoginError};
use crate::web::AppState;

const LOGIN_CSRF_COOKIE: &str = "tangazo_login_csrf";
/// Login attempts one address may make in [`THROTTLE_WINDOW`].
const THROTTLE_ATTEMPTS: u32 = 20;
const THROTTLE_WINDOW: StdDuration = StdDuration::from_secs(15 * 60);

/// Per-address counter of login attempts, in memory: it protects this process's CPU (argon2 is
/// slow on purpose) and slows guessing; the per-account lockout lives in the database.
#[derive(Default)]
pub struct LoginThrottle(Mutex<HashMap<IpAddr, (u32, Instant)>>);

impl LoginThrottle {
    fn allow(&self, ip: IpAddr) -> bool {
        let mut map = self.0.lock().expect("throttle lock");
        let now = Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, (_, start)| now.duration_since(*start) < THROTTLE_WINDOW);
        }
        let entry = map.entry(ip).or_insert((0, now));
        if now.duration_since(entry.1) >= THROTTLE_WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.0 <= THROTTLE_ATTEMPTS
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions, cookies, CSRF

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64, path: &str) -> HeaderValue {
    let secure = if state.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("tokens are URL-safe")
}

/// Where a login may send the browser: a path that, resolved as a browser resolves a
/// `Location` (the WHATWG URL rules of the `url` crate: `%2e%2e` is `..`, and so on), stays on
/// this host and inside `/console`; written only with characters a URL allows as they are (no
/// control characters, spaces or non-ASCII, so it is also a valid header, and nothing a URL
/// parser would silently drop). Anything else goes to `/console`.
fn safe_next(next: &str) -> &str {
    const HOST: &str = "console.invalid";
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%#".contains(&b);
    let stays = || {
        let base = url::Url::parse(&format!("http://{HOST}/")).ok()?;
        let to = base.join(next).ok()?;
        let path = to.path();
        Some(to.host_str() == Some(HOST) && (path == "/console" || path.starts_with("/console/")))
    };
    let ok = next.starts_with("/console")
        && !next.starts_with("//")
        && next.bytes().all(allowed)
        && stays() == Some(true);
    if ok { next } else { "/console" }
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    t: Frame,
    w: LoginWords,
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    next: String,
    email: String,
}

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    t: Frame,
    w: PasswordWords,
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
}

crate::render::i18n::labels!(
    /// The words of the login page.
    LoginWords, "console-login", {
        title,
        heading,
        email,
        password,
        button,
    }
);

crate::render::i18n::labels!(
    /// The words of the page that changes a password.
    PasswordWords, "console-password", {
        title,
        current,
        new,
        new_hint,
    }
);

// ---------------------------------------------------------------------------------------------
// Login, logout, password

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Response {
    let token = crate::store::random_token(24);
    let loc = locale_of(&state, &headers);
    let mut resp = html(LoginPage {
        t: Frame::of(&loc),
        w: LoginWords::of(&loc),
        user: None,
        csrf: token.clone(),
        flash: None,
        error: None,
        next: safe_next(q.next.as_deref().unwrap_or("/console")).to_string(),
        email: String::new(),
    });
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600, "/console/login"),
    );
    resp
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result {
    let form = Form::parse(&body);
    let next = safe_next(form.get("next")).to_string();
    let email = form.get("email").trim().to_string();
    let loc = locale_of(&state, &headers);
    let fail = |status: StatusCode, message: &str| {
        let token = crate::store::random_token(24);
        let mut resp = (
            status,
            html(LoginPage {
                t: Frame::of(&loc),
                w: LoginWords::of(&loc),
                user: None,
                csrf: token.clone(),
                flash: None,
                error: Some(message.to_string()),
                next: next.clone(),
                email: email.clone(),
            }),
        )
            .into_response();
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600, "/console/login"),
        );
        resp
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !crate::web::secrets_equal(form.get("csrf"), expected) {
        tracing::warn!(ip = %peer.ip(), "console login: CSRF token missing or wrong");
        return Ok(fail(
            StatusCode::FORBIDDEN,
            &loc.text("console-login-expired"),
        ));
    }
    if !state.login_throttle.allow(peer.ip()) {
        tracing::warn!(ip = %peer.ip(), "console login: too many attempts from this address");
        return Ok(fail(
            StatusCode::TOO_MANY_REQUESTS,
            &loc.text("console-login-throttled"),
        ));
    }
    let now = state.clock.now();
    match state.store.login(&email, form.get("password"), now).await? {
        Ok(user) => {
            let token = state.store.create_session(&user.id, now).await?;
            let actor = format!("user:{}", user.email);
            let _ = state
                .store
                .audit(
                    Audit {
                        actor: &actor,
                        action: "console.login",
                        target: format!("user:{}", user.email),
                        before: None,
                        after: None,
                        detail: format!("from {}", peer.ip()),
                    },
                    now,
                )
                .await;
            let mut resp = Redirect::to(&next).into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    &state,
                    SESSION_COOKIE,
                    &token,
                    crate::store::SESSION_HOURS_SECS,
                    "/",
                ),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0, "/console/login"),
            );
            Ok(resp)
        }
        Err(refused) => {
            // A locked account is answered exactly as an unknown one or a wrong password, so
            // the answer tells nobody which accounts exist; the log and the audit say which.
            let why = match refused {
                LoginError::WrongCredentials => "wrong email or password",
                LoginError::Locked { .. } => "account locked",
            };
            tracing::warn!(ip = %peer.ip(), why, "console login refused");
            login_failed(&state, &email, format!("{why}; from {}", peer.ip()), now).await;
            Ok(fail(StatusCode::UNAUTHORIZED, &login_refused(&loc)))
        }
    }
}

/// What every refused login is told, whatever the reason.
fn login_refused(loc: &Locale) -> String {
    loc.format(
        "console-login-refused",
        &[
            ("n", Arg::Num(crate::store::MAX_FAILED_LOGINS)),
            ("minutes", Arg::Num(crate::store::LOCKOUT_MINUTES)),
        ],
    )
}

/// Every refused login is in the audit log; a failure to write it must not change the answer.
async fn login_failed(state: &AppState, email: &str, detail: String, now: DateTime<Utc>) {
    let entry = Audit {
        actor: "anonymous",
        action: "console.login_failed",
        target: format!("user:{}", email.to_lowercase()),
        before: None,
        after: None,
        detail,
    };
    if let Err(e) = state.store.audit(entry, now).await {
        tracing::error!(error = %e, "cannot write a failed login to the audit log");
    }
}

pub async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Bytes,
) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.end_session(token).await?;
    }
    let mut resp = Redirect::to("/console/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0, "/"),
    );
    Ok(resp)
}

pub async fn password_form(staff: Staff) -> Response {
    html(PasswordPage {
        t: staff.frame(),
        w: PasswordWords::of(staff.loc()),
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        error: None,
    })
}

pub async fn change_password(State(state): State<AppState>, staff: Staff, body: Bytes) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let page = |error: Option<String>, flash: Option<String>| {
        html(PasswordPage {
            t: staff.frame(),
            w: PasswordWords::of(staff.loc()),
            user: user_view(&staff),
            csrf: staff.csrf().to_string(),
            flash,
            error,
        })
    };
    if let Err(m) = crate::store::check_password(form.get("new")) {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                Some(
                    staff
                        .loc()
                        .format("console-password-refused", &[("why", Arg::Str(&m))]),
                ),
                None,
            ),
        )
            .into_response());
    }
    let now = state.clock.now();
    match state
        .store
        .change_password(&staff.0.user.id, form.get("current"), form.get("new"), now)
        .await?
    {
        true => {
            let actor = staff.actor();
            let _ = state
                .store
                .audit(
                    Audit {
                        actor: &actor,
                        action: "console.password_change",
                        target: format!("user:{}", staff.0.user.email),
                        before: None,
                        after: None,
                        detail: String::new(),
                    },
                    now,
                )
                .await;
            // Every session ended with the change, this one too.
            let mut resp = Redirect::to("/console/login").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, "", 0, "/"),
            );
            Ok(resp)
        }
        false => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(Some(staff.loc().text("console-password-wrong")), None),
        )
            .into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;
    use proptest::prelude::*;

    /// What a login may redirect to: `/console` itself, or a console path that is a valid
    /// header and that a browser resolves inside `/console` on this host.
    fn allowed_target(to: &str) -> bool {
        let base = url::Url::parse("http://console.invalid/").unwrap();
        let resolved = base.join(to).unwrap();
        axum::http::HeaderValue::from_str(to).is_ok()
            && !to.chars().any(char::is_control)
            && resolved.host_str() == Some("console.invalid")
            && (resolved.path() == "/console" || resolved.path().starts_with("/console/"))
    }

    proptest! {
        /// A `next` with a control character anywhere is refused, and the login goes to the
        /// console.
        #[test]
        fn control_characters_go_to_the_console(
            before in "/console[a-z/?=&%.]{0,20}",
            control in prop::char::range('\0', '\u{1f}').prop_union(prop::char::range('\u{7f}', '\u{9f}')),
            after in "[ -~]{0,20}",
        ) {
            let next = format!("{before}{control}{after}");
            prop_assert_eq!(safe_next(&next), "/console");
        }

        /// Whatever `next` is, the redirect is a valid header and stays in the console.
        #[test]
        fn any_next_stays_in_the_console(next in "\\PC{0,40}|/console[ -~\r\n\t]{0,40}|/[ -~]{0,40}") {
            prop_assert!(allowed_target(safe_next(&next)), "{next:?} → {:?}", safe_next(&next));
        }
    }

    #[test]
    fn console_paths_pass_and_others_do_not() {
        for ok in [
            "/console",
            "/console/audit",
            "/console/subscribers?address=0712%20000%20002",
            "/console/notices/0193a2b4-7c1d-7000-8000-000000000000",
        ] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "/console\r\nSet-Cookie: a=b",
            "/console\n",
            "/console/\t",
            "//evil.example/console",
            "/console/../public",
            "/console/%2e%2e/api/v1/tokens",
            "/consolex",
            "/console\\..\\x",
            "https://evil.example/console",
            "/console/é",
            "/console/ x",
            "",
        ] {
            assert_eq!(safe_next(bad), "/console", "{bad:?}");
        }
    }
}
