//! The subscriber import: a CSV uploaded by an admin, imported as `tangazo subscribers import`
//! imports it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::error::Result;
use super::form::{Form, claim_form, done, form_token, release_form};
use super::page::{Frame, UserView, html};
use super::staff::{Staff, user_view};
use crate::locale::Arg;
use crate::store::Audit;
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "console/import.html")]
struct ImportPage {
    t: Frame,
    w: ImportWords,
    user: Option<UserView>,
    csrf: String,
    /// The form's one-time token.
    once: String,
    flash: Option<String>,
    error: Option<String>,
}

crate::render::i18n::labels!(
    /// The words of the import page.
    ImportWords, "console-import", {
        title,
        intro_file,
        intro_required,
        intro_address,
        intro_yes,
        intro_optional,
        intro_separated,
        intro_empty,
        checked_first,
        file,
        button,
    }
);

/// "The upload failed: …", in the staff member's language.
fn upload_failed(staff: &Staff, e: &axum::extract::multipart::MultipartError) -> String {
    staff.loc().format(
        "console-import-failed",
        &[("why", Arg::Str(&e.to_string()))],
    )
}

pub async fn import_form(staff: Staff) -> Result {
    Ok(html(ImportPage {
        t: staff.frame(),
        w: ImportWords::of(staff.loc()),
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        error: None,
    }))
}

/// The upload is streamed to a temporary file, then imported like `tangazo subscribers import`.
pub async fn import_upload(
    State(state): State<AppState>,
    staff: Staff,
    mut multipart: axum::extract::Multipart,
) -> Result {
    const BACK: &str = "/console/subscribers/import";
    let page = |status: StatusCode, error: String| -> Result {
        Ok((
            status,
            html(ImportPage {
                t: staff.frame(),
                w: ImportWords::of(staff.loc()),
                user: user_view(&staff),
                csrf: staff.csrf().to_string(),
                once: form_token(),
                flash: None,
                error: Some(error),
            }),
        )
            .into_response())
    };
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.into()))?;
    let path = dir.path().join("upload.csv");
    let mut csrf_ok = false;
    let mut once = String::new();
    let mut got_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return page(StatusCode::BAD_REQUEST, upload_failed(&staff, &e));
            }
        };
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.unwrap_or_default();
                csrf_ok = crate::web::secrets_equal(&v, staff.csrf());
            }
            Some("once") => once = field.text().await.unwrap_or_default(),
            Some("file") if csrf_ok => {
                use tokio::io::AsyncWriteExt;
                let mut out = tokio::fs::File::create(&path)
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?;
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(bytes)) => {
                            out.write_all(&bytes)
                                .await
                                .map_err(|e| AppError::Internal(e.into()))?;
                        }
                        Ok(None) => break,
                        Err(e) => {
                            return page(StatusCode::BAD_REQUEST, upload_failed(&staff, &e));
                        }
                    }
                }
                let _ = out.flush().await;
                got_file = true;
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return page(
            StatusCode::FORBIDDEN,
            staff.loc().text("console-import-expired"),
        );
    }
    if !got_file {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("file: {}", staff.loc().text("console-import-choose")),
        );
    }
    let form = Form(vec![("once".into(), once)]);
    claim_form(&state, &staff, &form, BACK).await?;
    match crate::app::import::import_csv(
        &state.store,
        &state.settings,
        &path,
        state.clock.now(),
        |_| {},
    )
    .await
    {
        Ok(r) => {
            let actor = staff.actor();
            let _ = state
                .store
                .audit(
                    Audit {
                        actor: &actor,
                        action: "subscriber.import",
                        target: "subscribers".into(),
                        before: None,
                        after: None,
                        detail: format!("{} rows, {} new", r.rows, r.inserted),
                    },
                    state.clock.now(),
                )
                .await;
            let message = staff.loc().format(
                "console-import-done",
                &[
                    ("rows", Arg::Num(r.rows as i64)),
                    ("new", Arg::Num(r.inserted as i64)),
                    ("present", Arg::Num((r.rows - r.inserted) as i64)),
                ],
            );
            Ok(done(&state, &staff, BACK, &message).await)
        }
        Err(e) => {
            release_form(&state, &form).await;
            page(StatusCode::UNPROCESSABLE_ENTITY, format!("{e:#}"))
        }
    }
}
