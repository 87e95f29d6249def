//! Statuspage v2-compatible JSON (`/api/v2/*.json`) with Atlassian's field names, so existing
//! clients and widgets work. Texts are in the page's default language. What Statuspage has no
//! word for (a cancelled window, an overrun, the reference code, other languages) travels in
//! an extra `tangazo` object that Statuspage clients ignore.

use serde_json::{Value, json};

use super::View;
use crate::domain::status::notice_impact;
use crate::domain::{Lang, Notice, NoticeKind, NoticeState, Service, ServiceStatus};

fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn group_id(name: &str) -> String {
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("group-{}", slug.trim_matches('-'))
}

const PAGE_ID: &str = "tangazo";

impl View<'_> {
    fn lang(&self) -> Lang {
        self.settings.default_lang()
    }

    fn page_json(&self) -> Value {
        let updated = self
            .data
            .notices
            .iter()
            .map(|n| n.updated_at)
            .chain(self.data.services.iter().map(|s| s.updated_at))
            .max()
            .unwrap_or(self.now);
        json!({
            "id": PAGE_ID,
            "name": self.settings.raw.page.name,
            "url": self.settings.public_url,
            "time_zone": self.settings.time_zone.name(),
            "updated_at": ts(updated),
        })
    }

    /// Groups in the order their first service appears, each with its services in order: the
    /// order of `components.json`.
    fn layout(&self) -> Vec<(&str, Vec<&Service>)> {
        let mut groups: Vec<(&str, Vec<&Service>)> = Vec::new();
        for s in &self.data.services {
            match groups.iter_mut().find(|(g, _)| *g == s.group) {
                Some((_, v)) => v.push(s),
                None => groups.push((&s.group, vec![s])),
            }
        }
        groups
    }

    /// Each component's `position`, unique across the page as Statuspage numbers them: from 1,
    /// in the order of `components.json`, a group before its services.
    fn service_position(&self, code: &str) -> usize {
        let mut position = 0;
        for (_, members) in self.layout() {
            position += 1;
            for s in members {
                position += 1;
                if s.code.as_str() == code {
                    return position;
                }
            }
        }
        position + 1
    }

    fn component_json(&self, s: &Service) -> Value {
        let status = self.statuses.get(&s.code).copied().unwrap_or(s.status);
        let description = s.description.get(self.lang());
        json!({
            "id": s.code.as_str(),
            "name": s.name.get(self.lang()),
            "status": status.as_str(),
            "created_at": ts(s.created_at),
            "updated_at": ts(s.updated_at),
            "position": self.service_position(s.code.as_str()),
            "description": if description.is_empty() { Value::Null } else { json!(description) },
            "showcase": true,
            "start_date": Value::Null,
            "group_id": group_id(&s.group),
            "page_id": PAGE_ID,
            "group": false,
            "only_show_if_degraded": false,
            "tangazo": { "name": s.name },
        })
    }

    pub fn components_json(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let mut position = 0;
        for (name, members) in self.layout() {
            position += 1;
            let worst = members
                .iter()
                .map(|s| self.statuses.get(&s.code).copied().unwrap_or(s.status))
                .max()
                .unwrap_or(ServiceStatus::Operational);
            let created = members
                .iter()
                .map(|s| s.created_at)
                .min()
                .unwrap_or(self.now);
            let updated = members
                .iter()
                .map(|s| s.updated_at)
                .max()
                .unwrap_or(self.now);
            out.push(json!({
                "id": group_id(name),
                "name": name,
                "status": worst.as_str(),
                "created_at": ts(created),
                "updated_at": ts(updated),
                "position": position,
                "description": Value::Null,
                "showcase": false,
                "start_date": Value::Null,
                "group_id": Value::Null,
                "page_id": PAGE_ID,
                "group": true,
                "only_show_if_degraded": false,
                "components": members.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(),
            }));
            position += members.len();
            out.extend(members.iter().map(|s| self.component_json(s)));
        }
        out
    }

    /// Statuspage's status words for a notice; a cancelled window has none, so it reads
    /// `completed` with `tangazo.state = "cancelled"`.
    fn status_word(n: &Notice) -> &'static str {
        match n.state {
            NoticeState::Cancelled => "completed",
            NoticeState::Draft => "scheduled",
            s => s.as_str(),
        }
    }

    /// `affected_components` of one update: what it did to each affected service's status,
    /// from the notice's state before the update (`None`: not yet published) to its state
    /// after. Statuspage records the change, so an announcement reads operational →
    /// operational, a start operational → under_maintenance, a completion the way back.
    fn transitions(&self, n: &Notice, before: Option<NoticeState>, after: NoticeState) -> Value {
        let status = |state: Option<NoticeState>, impact: ServiceStatus| match state {
            Some(s) if s.is_active() => impact,
            _ => ServiceStatus::Operational,
        };
        let lang = self.lang();
        n.affected
            .iter()
            .map(|a| {
                json!({
                    "code": a.service.as_str(),
                    "name": self.service_name(&a.service, lang).unwrap_or_else(|| a.service.to_string()),
                    "old_status": status(before, a.impact).as_str(),
                    "new_status": status(Some(after), a.impact).as_str(),
                })
            })
            .collect()
    }

    fn incident_json(&self, n: &Notice) -> Value {
        let lang = self.lang();
        let updates = self.updates(n);
        let affected: Vec<Value> = n
            .affected
            .iter()
            .filter_map(|a| self.data.services.iter().find(|s| s.code == a.service))
            .map(|s| self.component_json(s))
            .collect();
        // Each update with the state the notice had before it (the first: none, so its
        // services were operational), newest first as Statuspage lists them.
        let incident_updates: Vec<Value> = updates
            .iter()
            .enumerate()
            .rev()
            .map(|(i, u)| {
                let before = i.checked_sub(1).map(|p| updates[p].state);
                let affected_components = self.transitions(n, before, u.state);
                json!({
                    "id": u.id,
                    "status": match u.state { NoticeState::Cancelled => "completed", s => s.as_str() },
                    "body": u.body.get(lang),
                    "incident_id": n.id,
                    "created_at": ts(u.created_at),
                    "updated_at": ts(u.created_at),
                    "display_at": ts(u.created_at),
                    "affected_components": affected_components,
                    "deliver_notifications": true,
                    "custom_tweet": Value::Null,
                    "tweet_id": Value::Null,
                    "tangazo": { "event": u.event.as_str(), "sequence": u.sequence, "body": u.body },
                })
            })
            .collect();
        let first_state_at = |s: NoticeState| {
            updates
                .iter()
                .find(|u| u.state == s)
                .map(|u| ts(u.created_at))
        };
        let created = n.published_at.unwrap_or(n.created_at);
        let mut v = json!({
            "id": n.id,
            "name": n.title.get(lang),
            "status": Self::status_word(n),
            "created_at": ts(created),
            "updated_at": ts(n.updated_at),
            "monitoring_at": first_state_at(NoticeState::Monitoring),
            "resolved_at": matches!(n.state, NoticeState::Resolved | NoticeState::Completed | NoticeState::Cancelled)
                .then(|| n.finished_at.map(ts)).flatten(),
            "impact": notice_impact(n),
            "shortlink": self.public_url(&format!("/notices/{}", n.id)),
            // As on Statuspage: a window that has not started yet started_at its creation.
            "started_at": ts(n.started_at.unwrap_or(created)),
            "page_id": PAGE_ID,
            "incident_updates": incident_updates,
            "components": affected,
            "tangazo": {
                "kind": n.kind.as_str(),
                "state": n.state.as_str(),
                "reference": n.reference.as_str(),
                "verify_url": self.public_url(&format!("/verify/{}", n.reference)),
                "overrunning": n.is_overrunning(self.now),
                "sequence": n.sequence,
                "title": n.title,
                "still_works": n.still_works,
                "planned_ends_at": n.planned_ends_at.map(ts),
            },
        });
        if n.kind == NoticeKind::Maintenance {
            v["scheduled_for"] = json!(n.starts_at.map(ts));
            v["scheduled_until"] = json!(n.ends_at.map(ts));
            v["scheduled_remind_prior"] = json!(true);
            v["scheduled_auto_in_progress"] = json!(n.auto_start);
            v["scheduled_auto_completed"] = json!(n.auto_complete);
        }
        v
    }

    fn notices_json(&self, keep: impl Fn(&Notice) -> bool) -> Vec<Value> {
        let mut list: Vec<&Notice> = self.data.notices.iter().filter(|n| keep(n)).collect();
        // Newest first, as Statuspage lists them.
        list.sort_by_key(|n| std::cmp::Reverse((n.starts_at.or(n.published_at), n.id.clone())));
        list.into_iter().map(|n| self.incident_json(n)).collect()
    }

    fn status_json(&self) -> Value {
        json!({
            "indicator": self.indicator.as_str(),
            "description": self.indicator.description(),
        })
    }

    /// Every Statuspage v2 document, keyed by its path.
    pub fn statuspage_documents(&self) -> Vec<(&'static str, Value)> {
        let is_incident = |n: &Notice| n.kind == NoticeKind::Incident;
        let is_maintenance = |n: &Notice| n.kind == NoticeKind::Maintenance;
        let unresolved = |n: &Notice| is_incident(n) && !n.state.is_terminal();
        let upcoming = |n: &Notice| is_maintenance(n) && n.state == NoticeState::Scheduled;
        let active = |n: &Notice| {
            is_maintenance(n) && matches!(n.state, NoticeState::InProgress | NoticeState::Verifying)
        };
        let page = self.page_json();
        let components = self.components_json();
        vec![
            (
                "/api/v2/summary.json",
                json!({
                    "page": page,
                    "components": components,
                    "incidents": self.notices_json(unresolved),
                    "scheduled_maintenances": self.notices_json(|n| upcoming(n) || active(n)),
                    "status": self.status_json(),
                }),
            ),
            (
                "/api/v2/status.json",
                json!({ "page": page, "status": self.status_json() }),
            ),
            (
                "/api/v2/components.json",
                json!({ "page": page, "components": components }),
            ),
            (
                "/api/v2/incidents.json",
                json!({ "page": page, "incidents": self.notices_json(is_incident) }),
            ),
            (
                "/api/v2/incidents/unresolved.json",
                json!({ "page": page, "incidents": self.notices_json(unresolved) }),
            ),
            (
                "/api/v2/scheduled-maintenances.json",
                json!({ "page": page, "scheduled_maintenances": self.notices_json(is_maintenance) }),
            ),
            (
                "/api/v2/scheduled-maintenances/upcoming.json",
                json!({ "page": page, "scheduled_maintenances": self.notices_json(upcoming) }),
            ),
            (
                "/api/v2/scheduled-maintenances/active.json",
                json!({ "page": page, "scheduled_maintenances": self.notices_json(active) }),
            ),
        ]
    }
}
