//! What the page says right now: each service's status derived from its own setting and the
//! notices that are active, and the page's overall indicator in Statuspage's words.

use std::collections::HashMap;

use serde::Serialize;

use super::notice::{Notice, NoticeKind};
use super::service::{Service, ServiceCode, ServiceStatus};

/// Statuspage's `status.indicator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Indicator {
    None,
    Maintenance,
    Minor,
    Major,
    Critical,
}

impl Indicator {
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::None => "none",
            Indicator::Maintenance => "maintenance",
            Indicator::Minor => "minor",
            Indicator::Major => "major",
            Indicator::Critical => "critical",
        }
    }

    /// Statuspage's English `status.description` for this indicator.
    pub fn description(self) -> &'static str {
        match self {
            Indicator::None => "All Systems Operational",
            Indicator::Maintenance => "Service Under Maintenance",
            Indicator::Minor => "Minor Service Outage",
            Indicator::Major => "Partial System Outage",
            Indicator::Critical => "Major Service Outage",
        }
    }
}

/// Each service's status now: the worst impact of the notices active on it, else its own.
/// A scheduled window changes nothing until it has started.
pub fn service_statuses(
    services: &[Service],
    notices: &[Notice],
) -> HashMap<ServiceCode, ServiceStatus> {
    let mut out: HashMap<ServiceCode, ServiceStatus> = services
        .iter()
        .map(|s| (s.code.clone(), s.status))
        .collect();
    for n in notices.iter().filter(|n| n.state.is_active()) {
        for a in &n.affected {
            if let Some(current) = out.get_mut(&a.service) {
                *current = (*current).max(a.impact);
            }
        }
    }
    out
}

/// The page's overall indicator from the derived statuses.
pub fn indicator<'a>(statuses: impl IntoIterator<Item = &'a ServiceStatus>) -> Indicator {
    statuses
        .into_iter()
        .map(|s| match s {
            ServiceStatus::Operational => Indicator::None,
            ServiceStatus::UnderMaintenance => Indicator::Maintenance,
            ServiceStatus::DegradedPerformance => Indicator::Minor,
            ServiceStatus::PartialOutage => Indicator::Major,
            ServiceStatus::MajorOutage => Indicator::Critical,
        })
        .max()
        .unwrap_or(Indicator::None)
}

/// Statuspage's incident `impact` for one notice: the worst impact it declares.
pub fn notice_impact(n: &Notice) -> &'static str {
    let worst = n.affected.iter().map(|a| a.impact).max();
    match (n.kind, worst) {
        (NoticeKind::Maintenance, _) => "maintenance",
        (_, Some(ServiceStatus::MajorOutage)) => "critical",
        (_, Some(ServiceStatus::PartialOutage)) => "major",
        (_, Some(ServiceStatus::DegradedPerformance)) => "minor",
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Affected, Lang, Localized, NoticeState, RefCode};

    fn service(code: &str, status: ServiceStatus) -> Service {
        Service {
            code: ServiceCode::parse(code).unwrap(),
            name: Localized::single(Lang::En, code),
            description: Localized::default(),
            group: "Payments".into(),
            position: 0,
            status,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn notice(state: NoticeState, affected: &[(&str, ServiceStatus)]) -> Notice {
        let now = chrono::Utc::now();
        Notice {
            id: "x".into(),
            reference: RefCode::generate(),
            kind: NoticeKind::Maintenance,
            state,
            title: Localized::single(Lang::En, "t"),
            still_works: Localized::default(),
            draft_body: Localized::default(),
            draft_overrides: Default::default(),
            affected: affected
                .iter()
                .map(|(c, i)| Affected {
                    service: ServiceCode::parse(c).unwrap(),
                    impact: *i,
                })
                .collect(),
            starts_at: None,
            ends_at: None,
            planned_ends_at: None,
            published_at: None,
            started_at: None,
            finished_at: None,
            auto_start: true,
            auto_complete: false,
            sequence: 0,
            created_by: "t".into(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn worst_active_impact_wins() {
        use ServiceStatus::*;
        let services = [
            service("send-money", Operational),
            service("pay-bill", DegradedPerformance),
        ];
        let scheduled = notice(NoticeState::Scheduled, &[("send-money", UnderMaintenance)]);
        let s = service_statuses(&services, std::slice::from_ref(&scheduled));
        assert_eq!(
            s[&services[0].code], Operational,
            "scheduled windows do not change status"
        );
        assert_eq!(indicator(s.values()), Indicator::Minor);

        let running = notice(
            NoticeState::InProgress,
            &[
                ("send-money", UnderMaintenance),
                ("pay-bill", UnderMaintenance),
            ],
        );
        let outage = notice(NoticeState::Investigating, &[("pay-bill", MajorOutage)]);
        let s = service_statuses(&services, &[running.clone(), outage]);
        assert_eq!(s[&services[0].code], UnderMaintenance);
        assert_eq!(s[&services[1].code], MajorOutage);
        assert_eq!(indicator(s.values()), Indicator::Critical);

        let s = service_statuses(&[service("send-money", Operational)], &[running]);
        assert_eq!(indicator(s.values()), Indicator::Maintenance);
        assert_eq!(indicator([].iter()), Indicator::None);
    }
}
