//! The ids of the crate's aggregates, one type each, so that a function asking for the id of
//! an endpoint cannot be handed the id of a notice. Each wraps the text the store keeps (a
//! UUID v7 for the ones minted here); serde reads and writes it as that bare string.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// An id as written elsewhere (a row, a path, a form). Nothing is checked: an id
            /// that names nothing is not found where it is looked up.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )*};
}

ids! {
    /// A notice: an incident or a maintenance. One read from a path or a form may hold the
    /// notice's reference code instead, which the store's look-up accepts as well.
    NoticeId;
    /// One update of a notice.
    UpdateId;
    /// One message of an update to one recipient, in the outbox: `{update}:{recipient}`, the
    /// update's id and the subscriber's or endpoint's, written by the fan-out's SQL (so that
    /// queueing an update twice for one recipient cannot make two rows).
    DeliveryId;
    /// A subscriber by SMS or email.
    SubscriberId;
    /// A biller, the owner of webhook endpoints.
    BillerId;
    /// A biller's webhook endpoint.
    EndpointId;
}

/// The ids this crate mints itself (a delivery's is made from its update's and recipient's).
macro_rules! minted {
    ($($name:ident),*) => {$(
        impl $name {
            /// A fresh id: a UUID v7, so ids sort by when they were minted.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }
        }
    )*};
}

minted!(NoticeId, UpdateId, SubscriberId, BillerId, EndpointId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_bare_string_in_json() {
        let id = NoticeId::new("0190a3c4-0000-7000-8000-000000000000");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0190a3c4-0000-7000-8000-000000000000\"");
        assert_eq!(serde_json::from_str::<NoticeId>(&json).unwrap(), id);
        assert_eq!(id.to_string(), id.as_str());
    }

    #[test]
    fn generated_ids_are_fresh_uuids() {
        let a = EndpointId::generate();
        let b = EndpointId::generate();
        assert!(uuid::Uuid::parse_str(a.as_str()).is_ok());
        assert_ne!(a, b);
    }
}
