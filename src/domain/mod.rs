//! Pure types and rules. Nothing here touches the database, the network or the clock:
//! callers pass `now` in.

mod lang;
mod notice;
pub mod schedule;
mod service;
pub mod sms;
pub mod status;
pub mod subscriber;
pub mod text;
pub use status::Indicator;

pub use lang::{FieldError, Lang, Localized};
pub use notice::{
    Action, Affected, Event, Notice, NoticeKind, NoticeState, Overrides, RefCode, Refused, Update,
    Window,
};
pub use service::{Service, ServiceCode, ServiceStatus};
