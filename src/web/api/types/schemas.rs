//! Schemas of the string fields whose values come from the domain, and of texts, written by
//! hand where a derive cannot say enough.
//!
//! Values that come from the domain are listed from it, so they are exactly what the code
//! accepts. Texts are completed at run time with the page's languages (see
//! `openapi::name_languages`).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, Type};

pub(super) fn string_enum<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_string)))
        .build()
}

/// `schema` for an optional field: `null` is accepted as leaving it out, so an enum lists it.
fn or_null(mut schema: Object) -> Object {
    if let Some(values) = schema.enum_values.as_mut() {
        values.push(serde_json::Value::Null);
    }
    schema.schema_type = utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]);
    schema
}

pub(super) fn service_status_or_null_schema() -> Object {
    or_null(service_status_schema())
}

pub(super) fn impact_or_null_schema() -> Object {
    or_null(impact_schema())
}

pub(super) fn notice_state_or_null_schema() -> Object {
    or_null(notice_state_schema())
}

pub(super) fn notice_event_or_null_schema() -> Object {
    or_null(notice_event_schema())
}

pub(super) fn service_status_schema() -> Object {
    string_enum(crate::domain::ServiceStatus::ALL.map(|s| s.as_str()))
}

pub(super) fn impact_schema() -> Object {
    string_enum(
        crate::domain::ServiceStatus::ALL
            .into_iter()
            .filter(|s| *s != crate::domain::ServiceStatus::Operational)
            .map(|s| s.as_str()),
    )
}

pub(super) fn notice_kind_schema() -> Object {
    string_enum(["maintenance", "incident"])
}

pub(super) fn notice_state_schema() -> Object {
    string_enum(crate::domain::NoticeState::ALL.map(|s| s.as_str()))
}

pub(super) fn event_schema() -> Object {
    string_enum(crate::domain::Event::ALL.map(|e| e.as_str()))
}

/// The events a notice's message can be previewed as (not the test ping).
pub(super) fn notice_event_schema() -> Object {
    string_enum(
        crate::domain::Event::ALL
            .into_iter()
            .filter(|e| *e != crate::domain::Event::TestPing)
            .map(|e| e.as_str()),
    )
}

pub(super) fn channel_schema() -> Object {
    string_enum(crate::delivery::metrics::CHANNELS)
}

pub(super) fn subscriber_channel_schema() -> Object {
    string_enum(["sms", "email"])
}

pub(super) fn subscriber_state_schema() -> Object {
    string_enum(["pending", "confirmed", "unsubscribed"])
}

pub(super) fn delivery_state_schema() -> Object {
    string_enum(["pending", "sent", "failed"])
}

pub(super) fn encoding_schema() -> Object {
    string_enum(["gsm7", "ucs2"])
}

pub(super) fn errors_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .min_properties(Some(1))
        .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

pub(super) fn consent_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .build()
}

/// Placeholder for a language tag; replaced by the page's languages when the document is
/// built.
pub(super) fn language_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .extensions(Some(ext("x-tangazo-language", serde_json::json!(true))))
        .build()
}

/// A time: RFC 3339, or a local time in the page's zone without an offset.
pub(super) fn time_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "RFC 3339 (2026-04-18T23:00:00+03:00), or a local time in the page's zone (2026-04-18T23:00)",
        ))
        .pattern(Some(
            r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$",
        ))
        .build()
}

pub(super) fn token_name_schema() -> Object {
    visible_text(1, 60)
}

pub(super) fn biller_name_schema() -> Object {
    visible_text(1, 120)
}

pub(super) fn group_schema() -> Object {
    visible_text(1, super::super::NAME_MAX)
}

/// Texts of at most `max` characters per language; `x-tangazo-texts` marks them for the
/// run-time pass that names the languages.
pub(super) fn texts_of(max: usize, required: bool) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(RefOr::T(Schema::Object(visible_text(1, max)))))
        .extensions(Some(ext(
            "x-tangazo-texts",
            serde_json::json!({ "required": required }),
        )))
        .build()
}

pub(super) fn texts_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

pub(super) fn name_texts_schema() -> Object {
    texts_of(super::super::NAME_MAX, true)
}

pub(super) fn description_texts_schema() -> Object {
    texts_of(300, false)
}

pub(super) fn title_texts_schema() -> Object {
    texts_of(super::super::TITLE_MAX, true)
}

pub(super) fn still_works_texts_schema() -> Object {
    texts_of(super::super::STILL_WORKS_MAX, false)
}

pub(super) fn body_texts_schema() -> Object {
    texts_of(super::super::BODY_MAX, false)
}

/// A message's text: when given, it must hold the default language.
pub(super) fn message_texts_schema() -> Object {
    texts_of(super::super::BODY_MAX, true)
}

pub(super) fn sms_texts_schema() -> Object {
    texts_of(super::super::SMS_OVERRIDE_MAX, false)
}

/// Text people can read: no control or invisible formatting characters, and at least one
/// character that is not a space. (The server also refuses bidirectional overrides and
/// zero-width characters; the pattern says so as far as a regular expression portably can.)
pub(super) fn visible_text(min: usize, max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(VISIBLE_TEXT))
        .build()
}

/// At least one visible character, and none of the C0/C1 controls (but tab and line breaks), zero-width characters,
/// bidirectional controls or the byte-order mark.
pub const VISIBLE_TEXT: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]*[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]*$";

pub(super) fn ext(name: &str, value: serde_json::Value) -> utoipa::openapi::extensions::Extensions {
    let mut e = utoipa::openapi::extensions::Extensions::default();
    e.insert(name.to_string(), value);
    e
}
