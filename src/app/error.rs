//! What an operation answers when it does not do what was asked. The web layer maps each
//! variant to an HTTP status and body (`web::AppError`); the scheduler records the message.

use crate::domain::FieldError;
use crate::store::StoreError;

/// Why an operation refused or failed. Client errors name the field and say what to fix, in
/// the words staff use; internal errors keep their cause chain for the log.
#[derive(Debug)]
pub enum Error {
    /// The input does not fit: every problem at once, each naming its field.
    Invalid(Vec<FieldError>),
    /// What was looked for (`notice`, `service`, `address`…) and what was not found.
    NotFound {
        what: String,
        message: String,
    },
    /// The request is valid but the current state refuses it (field → message).
    Conflict {
        field: String,
        message: String,
    },
    /// The caller may not do this (four-eyes, a role too low).
    Forbidden(String),
    /// The database cannot serve just now ([`StoreError::Unavailable`]).
    Unavailable(anyhow::Error),
    Internal(anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: impl Into<String>, message: impl Into<String>) -> Error {
        Error::NotFound {
            what: what.into(),
            message: message.into(),
        }
    }

    /// What went wrong, in one line (for logs and the scheduler's notes).
    pub fn message(&self) -> String {
        match self {
            Error::Invalid(errors) => {
                // As a map would keep them: by field, the last message for a field.
                let map: std::collections::BTreeMap<_, _> = errors
                    .iter()
                    .map(|e| (e.field.as_str(), e.message.as_str()))
                    .collect();
                map.iter()
                    .map(|(f, m)| format!("{f}: {m}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            Error::Conflict { field, message } => format!("{field}: {message}"),
            Error::NotFound { message, .. } | Error::Forbidden(message) => message.clone(),
            Error::Unavailable(e) | Error::Internal(e) => format!("{e:#}"),
        }
    }
}

/// A store error where a missing row is the `what` named `key` (a notice, a service…).
pub(crate) fn not_found(e: StoreError, what: &str, key: &str) -> Error {
    match e {
        StoreError::NotFound => Error::not_found(
            what,
            format!("no {what} '{}'", key.chars().take(60).collect::<String>()),
        ),
        other => other.into(),
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::not_found("id", "nothing has this id"),
            StoreError::Conflict { field, message } => Error::Conflict { field, message },
            StoreError::Refused(r) => Error::Conflict {
                field: r.field.into(),
                message: r.message,
            },
            StoreError::Invalid(errors) => Error::Invalid(errors),
            StoreError::Replayed => Error::Conflict {
                field: crate::store::REPLAYED_FIELD.into(),
                message: "this form was sent already; nothing was done again".into(),
            },
            StoreError::Unavailable(e) => Error::Unavailable(e),
            StoreError::Other(e) => Error::from(e),
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        if crate::store::caused_by_unavailable(&e) {
            Error::Unavailable(e)
        } else {
            Error::Internal(e)
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// The message already carries the cause chain (see [`Error::message`]).
impl std::error::Error for Error {}
