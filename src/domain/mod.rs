//! Pure types and rules. Nothing here touches the database, the network or the clock:
//! callers pass `now` in.

mod delivery;
mod ids;
mod lang;
mod notice;
mod published;
pub mod schedule;
mod service;
pub mod sms;
pub mod status;
pub mod subscriber;
pub mod text;
pub use status::Indicator;

pub use delivery::{Receipt, UpdateMessage};
pub use ids::{BillerId, DeliveryId, EndpointId, NoticeId, SubscriberId, UpdateId};
pub use lang::{FieldError, Lang, Localized};
pub use notice::{
    Action, Affected, Event, Notice, NoticeKind, NoticeState, Overrides, RefCode, Refused, Update,
    Window,
};
pub use published::{SnapshotData, VerifyEntry};
pub use service::{Service, ServiceCode, ServiceStatus};
