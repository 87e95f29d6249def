//! Billers and their webhook endpoints: filters (event types, services), signing secrets and
//! their rotation, health (failing since, disabled and why), and the deliveries an endpoint can
//! list, replay and recover. Every staff or biller change is audited in its transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{Audit, insert_audit};
use super::id_at;
use super::{Store, StoreError, StoreResult, from_ms, is_unique_violation, ms};
use crate::domain::{BillerId, DeliveryId, EndpointId, NoticeId, ServiceCode, UpdateId};

#[derive(Debug, Clone, Serialize)]
pub struct Biller {
    pub id: BillerId,
    pub name: String,
    pub contact_email: String,
    pub created_at: DateTime<Utc>,
}

/// An endpoint as staff and its biller see it: never its secrets.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub id: EndpointId,
    pub biller_id: BillerId,
    pub url: String,
    pub description: String,
    /// Empty: every event type.
    pub event_types: Vec<String>,
    /// `None`: every service.
    pub services: Option<Vec<String>>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub rate_limit: i64,
    pub contact_email: String,
    /// Until when the previous secret still signs, during a rotation.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The ed25519 public key (`whpk_…`) billers verify `v1a` signatures with.
    pub ed25519_public_key: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_refusal: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a worker needs to sign and send to one endpoint.
#[derive(Debug, Clone)]
pub struct SigningMaterial {
    pub url: String,
    pub enabled: bool,
    /// The current secret, then the previous one while its overlap lasts.
    pub secrets: Vec<String>,
    pub ed25519_secret: Option<String>,
    pub rate_limit: i64,
    pub contact_email: String,
    pub failing_since: Option<DateTime<Utc>>,
}

/// A new endpoint or a whole replacement of its settings.
#[derive(Debug, Clone)]
pub struct EndpointSettings {
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub services: Option<Vec<ServiceCode>>,
    pub rate_limit: i64,
    pub contact_email: String,
}

/// One webhook delivery with its attempts, for listing and replay.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookDelivery {
    pub id: DeliveryId,
    pub notice_id: NoticeId,
    pub update_id: UpdateId,
    pub sequence: i64,
    pub event: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub attempt: i64,
    pub worker: String,
    pub at: DateTime<Utc>,
    pub latency_ms: i64,
    pub outcome: String,
    pub status_code: Option<i64>,
    /// The first KB of what the endpoint answered.
    pub response: Option<String>,
    pub error: Option<String>,
}

/// Where a page of an endpoint's deliveries ends: the next page holds those listed after it
/// (older, or as old with a smaller id). Written `{created_at ms}.{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryCursor {
    pub created_ms: i64,
    pub id: DeliveryId,
}

impl DeliveryCursor {
    pub fn after(d: &WebhookDelivery) -> DeliveryCursor {
        DeliveryCursor {
            created_ms: ms(d.created_at),
            id: d.id.clone(),
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryCursor> {
        let (at, id) = s.split_once('.')?;
        Some(DeliveryCursor {
            created_ms: at.parse().ok()?,
            id: DeliveryId::new(id),
        })
        .filter(|c| !c.id.as_str().is_empty())
    }
}

impl std::fmt::Display for DeliveryCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.created_ms, self.id)
    }
}

const ENDPOINT_COLUMNS: &str = "id, biller_id, url, description, all_events, all_services, enabled, \
    disabled_reason, disabled_at, rate_limit, contact_email, previous_secret, previous_expires_at, \
    ed25519_secret, failing_since, last_refusal, created_at, updated_at, secret";

fn opt_time(r: &sqlx::any::AnyRow, col: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(from_ms))
}

impl Store {
    pub async fn create_biller(
        &self,
        name: &str,
        contact_email: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Biller> {
        let b = Biller {
            id: BillerId::generate(),
            name: name.trim().to_string(),
            contact_email: contact_email.trim().to_string(),
            created_at: from_ms(ms(now)),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO billers (id, name, contact_email, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(b.id.as_str())
        .bind(&b.name)
        .bind(&b.contact_email)
        .bind(ms(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict {
                    field: "name".into(),
                    message: format!("a biller named '{}' exists already", b.name),
                }
            } else {
                e.into()
            }
        })?;
        insert_audit(
            &mut tx,
            Audit {
                actor,
                action: "biller.create",
                target: format!("biller:{}", b.id),
                before: None,
                after: Some(serde_json::json!({"name": b.name}).to_string()),
                detail: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(b)
    }

    pub async fn list_billers(&self) -> StoreResult<Vec<Biller>> {
        let rows =
            sqlx::query("SELECT id, name, contact_email, created_at FROM billers ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(Biller {
                    id: id_at(r, "id")?,
                    name: r.try_get("name")?,
                    contact_email: r.try_get("contact_email")?,
                    created_at: from_ms(r.try_get("created_at")?),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn get_biller(&self, id: &BillerId) -> StoreResult<Biller> {
        self.list_billers()
            .await?
            .into_iter()
            .find(|b| &b.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Creates an endpoint with a fresh secret; returns it with the secret, shown only now.
    pub async fn create_endpoint(
        &self,
        biller_id: &BillerId,
        s: &EndpointSettings,
        ed25519: bool,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<(Endpoint, String)> {
        let id = EndpointId::generate();
        let secret = crate::crypto::signing::generate_secret();
        let ed = ed25519.then(|| crate::crypto::signing::generate_ed25519().0);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO endpoints (id, biller_id, url, description, all_events, all_services, enabled, \
             rate_limit, contact_email, secret, ed25519_secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $11, $11)",
        )
        .bind(id.as_str())
        .bind(biller_id.as_str())
        .bind(&s.url)
        .bind(&s.description)
        .bind(i64::from(s.event_types.is_empty()))
        .bind(i64::from(s.services.is_none()))
        .bind(s.rate_limit)
        .bind(&s.contact_email)
        .bind(&secret)
        .bind(ed)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        write_filters(&mut tx, &id, s).await?;
        audit_endpoint(&mut tx, actor, "endpoint.create", &id, None, Some(s), now).await?;
        tx.commit().await?;
        Ok((self.get_endpoint(&id).await?, secret))
    }

    pub async fn update_endpoint(
        &self,
        id: &EndpointId,
        s: &EndpointSettings,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Endpoint> {
        let before = self.get_endpoint(id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE endpoints SET url = $2, description = $3, all_events = $4, all_services = $5, \
             rate_limit = $6, contact_email = $7, last_refusal = NULL, updated_at = $8 WHERE id = $1",
        )
        .bind(id.as_str())
        .bind(&s.url)
        .bind(&s.description)
        .bind(i64::from(s.event_types.is_empty()))
        .bind(i64::from(s.services.is_none()))
        .bind(s.rate_limit)
        .bind(&s.contact_email)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM endpoint_events WHERE endpoint_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM endpoint_services WHERE endpoint_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        write_filters(&mut tx, id, s).await?;
        audit_endpoint(
            &mut tx,
            actor,
            "endpoint.update",
            id,
            Some(&before),
            Some(s),
            now,
        )
        .await?;
        tx.commit().await?;
        self.get_endpoint(id).await
    }

    pub async fn delete_endpoint(
        &self,
        id: &EndpointId,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let before = self.get_endpoint(id).await?;
        let mut tx = self.begin_write().await?;
        // Its queued deliveries go with it; sent ones keep their history without the link.
        sqlx::query("DELETE FROM deliveries WHERE endpoint_id = $1 AND state = 'pending'")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM endpoints WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        audit_endpoint(
            &mut tx,
            actor,
            "endpoint.delete",
            id,
            Some(&before),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get_endpoint(&self, id: &EndpointId) -> StoreResult<Endpoint> {
        let mut list = self.endpoints_where("e.id = $1", id.as_str()).await?;
        list.pop().ok_or(StoreError::NotFound)
    }

    /// Every endpoint, or one biller's.
    pub async fn list_endpoints(&self, biller_id: Option<&BillerId>) -> StoreResult<Vec<Endpoint>> {
        match biller_id {
            Some(b) => self.endpoints_where("e.biller_id = $1", b.as_str()).await,
            None => self.endpoints_where("$1 = $1", "").await,
        }
    }

    async fn endpoints_where(&self, filter: &str, value: &str) -> StoreResult<Vec<Endpoint>> {
        let cols = ENDPOINT_COLUMNS
            .split(", ")
            .map(|c| format!("e.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {cols} FROM endpoints e WHERE {filter} ORDER BY e.created_at, e.id"
        )))
        .bind(value)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: EndpointId = id_at(&r, "id")?;
            let events: Vec<String> = sqlx::query_scalar(
                "SELECT event_type FROM endpoint_events WHERE endpoint_id = $1 ORDER BY event_type",
            )
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?;
            let all_services: i64 = r.try_get("all_services")?;
            let services = if all_services == 1 {
                None
            } else {
                Some(
                    sqlx::query_scalar(
                        "SELECT service_code FROM endpoint_services WHERE endpoint_id = $1 ORDER BY service_code",
                    )
                    .bind(id.as_str())
                    .fetch_all(&self.pool)
                    .await?,
                )
            };
            let ed: Option<String> = r.try_get("ed25519_secret")?;
            let previous: Option<String> = r.try_get("previous_secret")?;
            out.push(Endpoint {
                id,
                biller_id: id_at(&r, "biller_id")?,
                url: r.try_get("url")?,
                description: r.try_get("description")?,
                event_types: events,
                services,
                enabled: r.try_get::<i64, _>("enabled")? == 1,
                disabled_reason: r.try_get("disabled_reason")?,
                disabled_at: opt_time(&r, "disabled_at")?,
                rate_limit: r.try_get("rate_limit")?,
                contact_email: r.try_get("contact_email")?,
                previous_secret_until: previous
                    .and_then(|_| opt_time(&r, "previous_expires_at").ok().flatten()),
                ed25519_public_key: ed
                    .as_deref()
                    .and_then(|s| crate::crypto::signing::public_key_of(s).ok()),
                failing_since: opt_time(&r, "failing_since")?,
                last_refusal: r.try_get("last_refusal")?,
                created_at: from_ms(r.try_get("created_at")?),
                updated_at: from_ms(r.try_get("updated_at")?),
            });
        }
        Ok(out)
    }

    /// Enabled endpoints that follow any of `services` (or all): who a notice on them reaches,
    /// before event-type filters.
    pub async fn endpoint_audience(&self, services: &[ServiceCode]) -> StoreResult<i64> {
        let codes: Vec<String> = services.iter().map(|c| c.to_string()).collect();
        let list = if codes.is_empty() {
            "''".to_string()
        } else {
            super::sql::placeholders(1, codes.len())
        };
        let mut q = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM endpoints e WHERE enabled = 1 AND (all_services = 1 OR EXISTS \
             (SELECT 1 FROM endpoint_services es WHERE es.endpoint_id = e.id AND es.service_code IN ({list})))"
        )));
        for c in &codes {
            q = q.bind(c.clone());
        }
        Ok(q.fetch_one(&self.pool).await?)
    }

    /// The secrets that sign now: the current one, and the previous one while it overlaps.
    pub async fn signing_material(
        &self,
        id: &EndpointId,
        now: DateTime<Utc>,
    ) -> StoreResult<SigningMaterial> {
        self.signing_materials(std::slice::from_ref(id), now)
            .await?
            .remove(id)
            .ok_or(StoreError::NotFound)
    }

    /// [`Store::signing_material`] of several endpoints in one query (a worker's batch).
    pub async fn signing_materials(
        &self,
        ids: &[EndpointId],
        now: DateTime<Utc>,
    ) -> StoreResult<std::collections::HashMap<EndpointId, SigningMaterial>> {
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        // One JSON array for the batch: one value crosses the driver, not ten per endpoint.
        let rows = self.backend.json_rows(&[
            ("id", "id"),
            ("url", "url"),
            ("enabled", "enabled"),
            ("secret", "secret"),
            ("previous_secret", "previous_secret"),
            ("previous_expires_at", "previous_expires_at"),
            ("ed25519_secret", "ed25519_secret"),
            ("rate_limit", "rate_limit"),
            ("contact_email", "contact_email"),
            ("failing_since", "failing_since"),
        ]);
        let sql = format!(
            "SELECT {rows} FROM endpoints WHERE id IN ({})",
            self.backend.json_texts(1)
        );
        let ids = serde_json::to_string(ids).map_err(anyhow::Error::new)?;
        let json: String = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(ids)
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<MaterialRow> = serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("the endpoints did not read back: {e}"))?;
        for r in rows {
            let mut secrets = vec![r.secret];
            if let (Some(p), Some(until)) = (r.previous_secret, r.previous_expires_at)
                && until > ms(now)
            {
                secrets.push(p);
            }
            let material = SigningMaterial {
                url: r.url,
                enabled: r.enabled == 1,
                secrets,
                ed25519_secret: r.ed25519_secret,
                rate_limit: r.rate_limit,
                contact_email: r.contact_email,
                failing_since: r.failing_since.map(from_ms),
            };
            out.insert(r.id, material);
        }
        Ok(out)
    }
}

/// An endpoint's row as [`Store::signing_materials`] reads it.
#[derive(serde::Deserialize)]
struct MaterialRow {
    id: EndpointId,
    url: String,
    enabled: i64,
    secret: String,
    previous_secret: Option<String>,
    previous_expires_at: Option<i64>,
    ed25519_secret: Option<String>,
    rate_limit: i64,
    contact_email: String,
    failing_since: Option<i64>,
}

impl Store {
    /// A new secret; the old one keeps signing too for `overlap`, so a biller can switch
    /// without dropping a message. Returns the new secret (shown once).
    pub async fn rotate_endpoint_secret(
        &self,
        id: &EndpointId,
        overlap: chrono::Duration,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<String> {
        let secret = crate::crypto::signing::generate_secret();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE endpoints SET previous_secret = secret, previous_expires_at = $2, secret = $3, \
             updated_at = $4 WHERE id = $1",
        )
        .bind(id.as_str())
        .bind(ms(now + overlap))
        .bind(&secret)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        audit_note(
            &mut tx,
            actor,
            "endpoint.rotate_secret",
            id,
            &format!(
                "previous secret signs until {}",
                (now + overlap).to_rfc3339()
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// After an attempt: a success clears `failing_since`; a failure starts it if it was
    /// clear. Returns when the current run of failures began.
    pub async fn endpoint_health(
        &self,
        id: &EndpointId,
        ok: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        if ok {
            sqlx::query("UPDATE endpoints SET failing_since = NULL, last_refusal = NULL WHERE id = $1 AND failing_since IS NOT NULL")
                .bind(id.as_str())
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        sqlx::query(
            "UPDATE endpoints SET failing_since = $2 WHERE id = $1 AND failing_since IS NULL",
        )
        .bind(id.as_str())
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        let since: Option<i64> =
            sqlx::query_scalar("SELECT failing_since FROM endpoints WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?
                .flatten();
        Ok(since.map(from_ms))
    }

    /// Enabled endpoints whose run of failures began at `before` or earlier and whose settings
    /// have not changed since it began (a new URL may have mended it, which only its next
    /// attempt can tell): (id, URL, contact email, when the run began).
    pub async fn failing_endpoints(
        &self,
        before: DateTime<Utc>,
    ) -> StoreResult<Vec<(EndpointId, String, String, DateTime<Utc>)>> {
        let rows = sqlx::query(
            "SELECT id, url, contact_email, failing_since FROM endpoints \
             WHERE enabled = 1 AND failing_since IS NOT NULL AND failing_since <= $1 \
               AND updated_at <= failing_since ORDER BY id",
        )
        .bind(ms(before))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    id_at(r, "id")?,
                    r.try_get("url")?,
                    r.try_get("contact_email")?,
                    from_ms(r.try_get("failing_since")?),
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Records why a request was refused before it left (SSRF rules), on the endpoint.
    pub async fn endpoint_refused(&self, id: &EndpointId, reason: &str) -> StoreResult<()> {
        sqlx::query("UPDATE endpoints SET last_refusal = $2 WHERE id = $1")
            .bind(id.as_str())
            .bind(reason)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stops sending to an endpoint; its queued deliveries wait (they are not claimed) and new
    /// updates are not queued for it until it is enabled again. False if it was disabled already.
    pub async fn disable_endpoint(
        &self,
        id: &EndpointId,
        reason: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE endpoints SET enabled = 0, disabled_reason = $2, disabled_at = $3, updated_at = $3 \
             WHERE id = $1 AND enabled = 1",
        )
        .bind(id.as_str())
        .bind(reason)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done > 0 {
            audit_note(&mut tx, actor, "endpoint.disable", id, reason, now).await?;
        }
        tx.commit().await?;
        Ok(done > 0)
    }

    /// Enables an endpoint again. With `replay`, every update published while it was disabled
    /// that matches its filters is queued for it, and every delivery to it that failed since
    /// its run of failures began (in the same transaction); returns how many.
    pub async fn enable_endpoint(
        &self,
        id: &EndpointId,
        replay: bool,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT disabled_at, failing_since FROM endpoints WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let disabled_at: Option<i64> = row.try_get(0)?;
        let failing_since: Option<i64> = row.try_get(1)?;
        sqlx::query(
            "UPDATE endpoints SET enabled = 1, disabled_reason = NULL, disabled_at = NULL, \
             failing_since = NULL, updated_at = $2 WHERE id = $1",
        )
        .bind(id.as_str())
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        let mut queued = 0;
        if replay && let Some(since) = disabled_at {
            queued = sqlx::query(
                "INSERT INTO deliveries (id, notice_id, update_id, sequence, event, channel, endpoint_id, \
                 language, state, attempts, next_attempt_at, created_at) \
                 SELECT u.id || ':' || e.id, u.notice_id, u.id, u.sequence, u.event, 'webhook', e.id, '', \
                 'pending', 0, $3, $3 FROM notice_updates u JOIN endpoints e ON e.id = $1 \
                 WHERE u.created_at >= $2 \
                 AND (e.all_events = 1 OR EXISTS (SELECT 1 FROM endpoint_events ee \
                      WHERE ee.endpoint_id = e.id AND ee.event_type = u.event)) \
                 AND (e.all_services = 1 OR EXISTS (SELECT 1 FROM endpoint_services es \
                      JOIN notice_services ns ON ns.service_code = es.service_code \
                      WHERE es.endpoint_id = e.id AND ns.notice_id = u.notice_id)) \
                 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = u.id || ':' || e.id)",
            )
            .bind(id.as_str())
            .bind(since)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        // An endpoint disabled for failing also missed what gave up during that run.
        if replay && let Some(since) = failing_since {
            queued += requeue_in(
                &mut tx,
                "endpoint_id = $1 AND state = 'failed' AND finished_at >= CAST($2 AS BIGINT)",
                id,
                &since.to_string(),
                now,
            )
            .await?;
        }
        audit_note(
            &mut tx,
            actor,
            "endpoint.enable",
            id,
            &format!("{queued} missed update(s) queued"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// The newest deliveries to an endpoint, optionally in one state.
    pub async fn endpoint_deliveries(
        &self,
        endpoint_id: &EndpointId,
        state: Option<&str>,
        before: Option<&DeliveryCursor>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let rows = sqlx::query(
            "SELECT id, notice_id, update_id, sequence, event, state, attempts, next_attempt_at, \
             created_at, finished_at, error FROM deliveries WHERE endpoint_id = $1 \
             AND ($2 = '' OR state = $2) AND (created_at < $4 OR (created_at = $4 AND id < $5)) \
             ORDER BY created_at DESC, id DESC LIMIT $3",
        )
        .bind(endpoint_id.as_str())
        .bind(state.unwrap_or(""))
        .bind(limit)
        .bind(before.map_or(i64::MAX, |c| c.created_ms))
        .bind(before.map_or("", |c| c.id.as_str()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                Ok(WebhookDelivery {
                    id: id_at(r, "id")?,
                    notice_id: id_at(r, "notice_id")?,
                    update_id: id_at(r, "update_id")?,
                    sequence: r.try_get("sequence")?,
                    event: r.try_get("event")?,
                    next_attempt_at: if state == "pending" {
                        opt_time(r, "next_attempt_at")?
                    } else {
                        None
                    },
                    state,
                    attempts: r.try_get("attempts")?,
                    created_at: from_ms(r.try_get("created_at")?),
                    finished_at: opt_time(r, "finished_at")?,
                    error: r.try_get("error")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Every attempt at one delivery, oldest first, with what the endpoint answered.
    pub async fn attempts_of(&self, delivery_id: &DeliveryId) -> StoreResult<Vec<Attempt>> {
        let rows = sqlx::query(
            "SELECT attempt, worker, started_at, latency_ms, outcome, status_code, response, error \
             FROM delivery_attempts WHERE delivery_id = $1 \
             UNION ALL SELECT attempts, sent_worker, sent_started_at, sent_latency_ms, 'sent', \
               sent_status_code, sent_response, NULL FROM deliveries \
             WHERE id = $2 AND sent_started_at IS NOT NULL ORDER BY 1",
        )
        .bind(delivery_id.as_str())
        .bind(delivery_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Attempt {
                    attempt: r.try_get("attempt")?,
                    worker: r.try_get("worker")?,
                    at: from_ms(r.try_get("started_at")?),
                    latency_ms: r.try_get("latency_ms")?,
                    outcome: r.try_get("outcome")?,
                    status_code: r.try_get("status_code")?,
                    response: r.try_get("response")?,
                    error: r.try_get("error")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Sends one delivery to its endpoint again, now (whatever its state). False if the
    /// endpoint has no such delivery.
    pub async fn replay_delivery(
        &self,
        endpoint_id: &EndpointId,
        delivery_id: &DeliveryId,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .requeue(
                "endpoint_id = $1 AND id = $2 AND state <> 'pending'",
                endpoint_id,
                delivery_id.as_str(),
                actor,
                "endpoint.replay",
                now,
            )
            .await?;
        Ok(n > 0)
    }

    /// Queues again every failed delivery to an endpoint created since `since`.
    pub async fn recover_failed(
        &self,
        endpoint_id: &EndpointId,
        since: DateTime<Utc>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.requeue(
            "endpoint_id = $1 AND state = 'failed' AND created_at >= CAST($2 AS BIGINT)",
            endpoint_id,
            &ms(since).to_string(),
            actor,
            "endpoint.recover",
            now,
        )
        .await
    }

    async fn requeue(
        &self,
        filter: &str,
        endpoint_id: &EndpointId,
        arg: &str,
        actor: &str,
        action: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let n = requeue_in(&mut tx, filter, endpoint_id, arg, now).await?;
        audit_note(
            &mut tx,
            actor,
            action,
            endpoint_id,
            &format!("{n} delivery(ies) queued again"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Creates a token for a biller: it reaches only that biller's endpoints.
    pub async fn create_biller_token(
        &self,
        biller_id: &BillerId,
        name: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<(super::ApiToken, String)> {
        self.get_biller(biller_id).await?;
        self.create_token(name, super::Role::Viewer, Some(biller_id), actor, now)
            .await
    }
}

async fn write_filters(
    conn: &mut sqlx::AnyConnection,
    id: &EndpointId,
    s: &EndpointSettings,
) -> StoreResult<()> {
    for e in &s.event_types {
        sqlx::query("INSERT INTO endpoint_events (endpoint_id, event_type) VALUES ($1, $2)")
            .bind(id.as_str())
            .bind(e)
            .execute(&mut *conn)
            .await?;
    }
    for c in s.services.iter().flatten() {
        sqlx::query("INSERT INTO endpoint_services (endpoint_id, service_code) VALUES ($1, $2)")
            .bind(id.as_str())
            .bind(c.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn audit_endpoint(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    id: &EndpointId,
    before: Option<&Endpoint>,
    after: Option<&EndpointSettings>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    insert_audit(
        conn,
        Audit {
            actor,
            action,
            target: format!("endpoint:{id}"),
            before: before.map(|e| {
                serde_json::json!({"url": e.url, "event_types": e.event_types, "services": e.services})
                    .to_string()
            }),
            after: after.map(|s| {
                serde_json::json!({"url": s.url, "event_types": s.event_types,
                    "services": s.services.as_ref().map(|v| v.iter().map(|c| c.as_str().to_string()).collect::<Vec<_>>())})
                .to_string()
            }),
            detail: String::new(),
        },
        now,
    )
    .await
}

/// An audited endpoint action that changes no settings (rotation, disabling, replays): what
/// happened is in `detail`.
async fn audit_note(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    id: &EndpointId,
    detail: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    insert_audit(
        conn,
        Audit {
            actor,
            action,
            target: format!("endpoint:{id}"),
            before: None,
            after: None,
            detail: detail.to_string(),
        },
        now,
    )
    .await
}

/// Queues the webhook deliveries `filter` picks again (`$1` the endpoint, `$2` `arg`), each
/// with the whole retry schedule; returns how many.
async fn requeue_in(
    tx: &mut sqlx::AnyConnection,
    filter: &str,
    endpoint_id: &EndpointId,
    arg: &str,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    // A sent attempt kept on its row moves to the attempts first, so the next send cannot
    // overwrite it.
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO delivery_attempts (delivery_id, attempt, worker, started_at, latency_ms, \
         outcome, provider_id, error, status_code, response) \
         SELECT id, attempts, sent_worker, sent_started_at, sent_latency_ms, 'sent', provider_id, \
         NULL, sent_status_code, sent_response FROM deliveries \
         WHERE channel = 'webhook' AND {filter} AND sent_started_at IS NOT NULL \
         ON CONFLICT DO NOTHING"
    )))
    .bind(endpoint_id.as_str())
    .bind(arg)
    .execute(&mut *tx)
    .await?;
    let n = sqlx::query(AssertSqlSafe(format!(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = $3, finished_at = NULL, \
         retry_base = attempts, lease_owner = NULL, lease_until = NULL, sent_worker = NULL, \
         sent_started_at = NULL, sent_latency_ms = NULL, sent_status_code = NULL, \
         sent_response = NULL WHERE channel = 'webhook' AND {filter}"
    )))
    .bind(endpoint_id.as_str())
    .bind(arg)
    .bind(ms(now))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(n)
}
