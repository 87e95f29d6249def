//! Services customers use (Send money, Pay bill, …) and their statuses, in Statuspage's words.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::lang::Localized;

/// A stable, URL-safe identifier such as `send-money`: lowercase ASCII letters, digits and
/// hyphens, 2–40 characters, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceCode(String);

impl ServiceCode {
    pub fn parse(raw: &str) -> Result<ServiceCode, String> {
        let s = raw.trim();
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !(2..=40).contains(&s.len())
            || !ok_chars
            || !s.starts_with(|c: char| c.is_ascii_lowercase())
            || s.ends_with('-')
        {
            return Err(format!(
                "'{}' is not a service code: use 2-40 lowercase letters, digits and hyphens, starting with a letter (e.g. send-money)",
                raw.chars().take(50).collect::<String>()
            ));
        }
        Ok(ServiceCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A service's status. The order is "how bad it is for a customer", used to derive the worst
/// status when several notices touch one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    Operational,
    UnderMaintenance,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

impl ServiceStatus {
    pub const ALL: [ServiceStatus; 5] = [
        ServiceStatus::Operational,
        ServiceStatus::UnderMaintenance,
        ServiceStatus::DegradedPerformance,
        ServiceStatus::PartialOutage,
        ServiceStatus::MajorOutage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Operational => "operational",
            ServiceStatus::UnderMaintenance => "under_maintenance",
            ServiceStatus::DegradedPerformance => "degraded_performance",
            ServiceStatus::PartialOutage => "partial_outage",
            ServiceStatus::MajorOutage => "major_outage",
        }
    }

    pub fn parse(raw: &str) -> Result<ServiceStatus, String> {
        ServiceStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                format!(
                    "'{}' is not a status; use one of {}",
                    raw.chars().take(40).collect::<String>(),
                    ServiceStatus::ALL.map(|s| s.as_str()).join(", ")
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub code: ServiceCode,
    pub name: Localized,
    pub description: Localized,
    pub group: String,
    pub position: i64,
    /// Status set by staff; what the page shows is derived from this and active notices.
    pub status: ServiceStatus,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_codes() {
        assert!(ServiceCode::parse("send-money").is_ok());
        assert!(ServiceCode::parse("ussd2").is_ok());
        for bad in [
            "",
            "a",
            "Send-Money",
            "-x",
            "x-",
            "pay bill",
            "2fa",
            &"a".repeat(41),
        ] {
            assert!(ServiceCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_round_trip_and_order() {
        for s in ServiceStatus::ALL {
            assert_eq!(ServiceStatus::parse(s.as_str()), Ok(s));
        }
        assert!(ServiceStatus::MajorOutage > ServiceStatus::UnderMaintenance);
        assert!(
            ServiceStatus::parse("down")
                .unwrap_err()
                .contains("major_outage")
        );
    }
}
