//! Subscribers: an email address or an E.164 phone number, parsed at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(raw: &str) -> Result<Channel, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "email" => Ok(Channel::Email),
            "sms" | "phone" => Ok(Channel::Sms),
            other => Err(format!(
                "'{}' is not a channel; use email or sms",
                other.chars().take(30).collect::<String>()
            )),
        }
    }
}

/// A normalised address: a lowercase email address or an E.164 number (`+254712345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Address {
    pub channel: Channel,
    pub value: String,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// Why a typed address was refused, so each reader can be told in their language (the
/// `Display` is the English one staff and the API see).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    NotEmail {
        shown: String,
    },
    NotPhone {
        shown: String,
    },
    InvalidPhone {
        shown: String,
    },
    /// `country` is empty when the number's country is unknown.
    CountryRefused {
        country: String,
        allowed: String,
    },
}

impl AddressError {
    /// The message id of the sign-up flow's locale texts, and its arguments.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, &str)>) {
        match self {
            AddressError::NotEmail { shown } => {
                ("subscribe-address-not-email", vec![("shown", shown)])
            }
            AddressError::NotPhone { shown } => {
                ("subscribe-address-not-phone", vec![("shown", shown)])
            }
            AddressError::InvalidPhone { shown } => {
                ("subscribe-address-invalid-phone", vec![("shown", shown)])
            }
            AddressError::CountryRefused { country, allowed } if country.is_empty() => (
                "subscribe-address-country-unknown",
                vec![("allowed", allowed)],
            ),
            AddressError::CountryRefused { country, allowed } => (
                "subscribe-address-country-refused",
                vec![("country", country), ("allowed", allowed)],
            ),
        }
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::NotEmail { shown } => write!(f, "'{shown}' is not an email address"),
            AddressError::NotPhone { shown } => write!(f, "'{shown}' is not a phone number"),
            AddressError::InvalidPhone { shown } => {
                write!(f, "'{shown}' is not a valid phone number")
            }
            AddressError::CountryRefused { country, allowed } => write!(
                f,
                "numbers from {} are not accepted here (allowed: {allowed})",
                if country.is_empty() {
                    "that country"
                } else {
                    country
                }
            ),
        }
    }
}

impl From<AddressError> for String {
    fn from(e: AddressError) -> String {
        e.to_string()
    }
}

impl Address {
    /// An email address as people type them: trimmed and lowercased (so one person is one
    /// subscriber however they type it; providers treat local parts case-insensitively in
    /// practice). Checks the shape
    /// (one `@`, a dotted domain, no spaces, RFC 5321 lengths), not deliverability.
    pub fn email(raw: &str) -> Result<Address, AddressError> {
        let s = raw.trim();
        let bad = || AddressError::NotEmail {
            shown: s.chars().take(60).collect(),
        };
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.len() <= 253
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !(domain_ok && local_ok) || s.len() > 254 {
            return Err(bad());
        }
        Ok(Address {
            channel: Channel::Email,
            value: format!("{local}@{domain}").to_lowercase(),
        })
    }

    /// A phone number in E.164, read with `default_country` when it has no `+` prefix, and
    /// refused outside `allowed` (ISO 3166 codes such as KE): every confirmation SMS costs
    /// money, and numbers from elsewhere are the raw material of SMS pumping fraud.
    pub fn phone(
        raw: &str,
        default_country: &str,
        allowed: &[String],
    ) -> Result<Address, AddressError> {
        let s = raw.trim();
        let shown = s.chars().take(30).collect::<String>();
        let country: Option<phonenumber::country::Id> = default_country.parse().ok();
        let number = phonenumber::parse(country, s).map_err(|_| AddressError::NotPhone {
            shown: shown.clone(),
        })?;
        if !phonenumber::is_valid(&number) {
            return Err(AddressError::InvalidPhone { shown });
        }
        let region = number
            .country()
            .id()
            .map(|id| format!("{id:?}"))
            .unwrap_or_default();
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(&region)) {
            return Err(AddressError::CountryRefused {
                country: region,
                allowed: allowed.join(", "),
            });
        }
        Ok(Address {
            channel: Channel::Sms,
            value: number.format().to_string(),
        })
    }

    /// Email if it looks like one, else a phone number.
    pub fn parse(
        raw: &str,
        default_country: &str,
        allowed: &[String],
    ) -> Result<Address, AddressError> {
        if raw.contains('@') {
            Address::email(raw)
        } else {
            Address::phone(raw, default_country, allowed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ke() -> Vec<String> {
        vec!["KE".into(), "TZ".into()]
    }

    #[test]
    fn phones_become_e164() {
        for raw in [
            "0712 345 678",
            "+254712345678",
            "254 712 345678",
            "(0712) 345-678",
        ] {
            let a = Address::phone(raw, "KE", &ke()).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(a.value, "+254712345678", "{raw}");
        }
        assert_eq!(
            Address::phone("+255 754 123 456", "KE", &ke())
                .unwrap()
                .value,
            "+255754123456"
        );
        let err = Address::phone("+1 202 555 0143", "KE", &ke())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not accepted") && err.contains("KE, TZ"),
            "{err}"
        );
        assert!(Address::phone("12", "KE", &ke()).is_err());
        assert!(Address::phone("not a number", "KE", &ke()).is_err());
    }

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(
            Address::email(" Wanjiku.K@Example.CO.KE ").unwrap().value,
            "wanjiku.k@example.co.ke"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@example.com",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "a@-b.com",
            ".a@b.com",
            "a@b.com.",
        ] {
            assert!(Address::email(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Address::parse("0712345678", "KE", &ke()).unwrap().channel,
            Channel::Sms
        );
        assert_eq!(
            Address::parse("x@y.co", "KE", &ke()).unwrap().channel,
            Channel::Email
        );
    }
}
