//! Subscribers, their confirmation and the counters behind the sign-up caps.

use chrono::{DateTime, Utc};
use rand::RngExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::imports::VISIBLE;
use super::{Store, StoreError, StoreResult, from_ms, ms};
use crate::crypto::{hash_token, random_token};
use crate::domain::subscriber::{Address, Channel};
use crate::domain::{Lang, ServiceCode, SubscriberId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubState {
    Pending,
    Confirmed,
    Unsubscribed,
}

impl SubState {
    pub fn as_str(self) -> &'static str {
        match self {
            SubState::Pending => "pending",
            SubState::Confirmed => "confirmed",
            SubState::Unsubscribed => "unsubscribed",
        }
    }

    fn parse(s: &str) -> SubState {
        match s {
            "confirmed" => SubState::Confirmed,
            "unsubscribed" => SubState::Unsubscribed,
            _ => SubState::Pending,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Subscriber {
    pub id: SubscriberId,
    pub address: Address,
    pub language: Lang,
    /// `None`: every service.
    pub services: Option<Vec<ServiceCode>>,
    pub state: SubState,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

/// A sign-up as it arrived, already parsed.
#[derive(Debug, Clone)]
pub struct NewSubscriber {
    pub address: Address,
    pub language: Lang,
    pub services: Option<Vec<ServiceCode>>,
    /// web, api or import.
    pub source: &'static str,
    /// Staff and imports assert consent themselves; web sign-ups must confirm.
    pub confirmed: bool,
    /// When an unconfirmed sign-up expires.
    pub expires_at: DateTime<Utc>,
}

/// What a sign-up produced: the subscriber, a fresh manage token and, for SMS, the code.
#[derive(Debug, Clone)]
pub struct SignUp {
    pub subscriber: Subscriber,
    pub manage_token: String,
    pub code: Option<String>,
    /// Already confirmed before: no confirmation message is needed.
    pub already_confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    Confirmed,
    Wrong { attempts_left: i64 },
    Expired,
    TooManyAttempts,
    NotPending,
}

/// Limits on confirmation messages (see `subscribers.max_*`).
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub address_day: i64,
    pub ip_hour: i64,
    pub global_hour: i64,
    pub global_day: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapHit {
    Address,
    Ip,
    Global,
}

const COLUMNS: &str = "id, channel, address, language, all_services, state, source, created_at, confirmed_at, unsubscribed_at";

fn sub_from_row(row: &AnyRow, services: Option<Vec<ServiceCode>>) -> anyhow::Result<Subscriber> {
    let channel =
        Channel::parse(&row.try_get::<String, _>("channel")?).map_err(anyhow::Error::msg)?;
    let lang: String = row.try_get("language")?;
    Ok(Subscriber {
        id: super::id_at(row, "id")?,
        address: Address {
            channel,
            value: row.try_get("address")?,
        },
        language: Lang::parse(&lang).unwrap_or_else(Lang::default_lang),
        services,
        state: SubState::parse(&row.try_get::<String, _>("state")?),
        source: row.try_get("source")?,
        created_at: from_ms(row.try_get("created_at")?),
        confirmed_at: row.try_get::<Option<i64>, _>("confirmed_at")?.map(from_ms),
        unsubscribed_at: row
            .try_get::<Option<i64>, _>("unsubscribed_at")?
            .map(from_ms),
    })
}

impl Store {
    async fn load_subscriber(
        &self,
        conn: &mut sqlx::AnyConnection,
        row: AnyRow,
    ) -> StoreResult<Subscriber> {
        let all: i64 = row.try_get("all_services")?;
        let id: SubscriberId = super::id_at(&row, "id")?;
        let services = if all != 0 {
            None
        } else {
            let codes: Vec<String> = sqlx::query_scalar(
                "SELECT service_code FROM subscriber_services WHERE subscriber_id = $1 ORDER BY service_code",
            )
            .bind(id.as_str())
            .fetch_all(&mut *conn)
            .await?;
            Some(
                codes
                    .iter()
                    .filter_map(|c| ServiceCode::parse(c).ok())
                    .collect(),
            )
        };
        Ok(sub_from_row(&row, services)?)
    }

    /// Creates or refreshes a subscription in one transaction. An unsubscribed address signs up
    /// again as pending; a confirmed one keeps its state (and gets a new manage token).
    pub async fn subscribe(&self, new: &NewSubscriber, now: DateTime<Utc>) -> StoreResult<SignUp> {
        let mut tx = self.begin_write().await?;
        // A row an import has not made live yet is this sign-up's to take over: it is not a
        // subscription yet, and if that import fails the sign-up must stay.
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, CASE WHEN {VISIBLE} THEN 0 ELSE 1 END AS hidden \
             FROM subscribers s WHERE channel = $1 AND address = $2"
        )))
        .bind(new.address.channel.as_str())
        .bind(&new.address.value)
        .fetch_optional(&mut *tx)
        .await?;
        let manage_token = random_token(24);
        let code = (new.address.channel == Channel::Sms && !new.confirmed)
            .then(|| format!("{:06}", rand::rng().random_range(0..1_000_000u32)));
        let hidden = match &existing {
            Some(r) => r.try_get::<i64, _>("hidden")? == 1,
            None => false,
        };
        let was_confirmed = !hidden
            && existing
                .as_ref()
                .map(|r| r.try_get::<String, _>("state").map(|s| s == "confirmed"))
                .transpose()?
                .unwrap_or(false);
        let state = if new.confirmed || was_confirmed {
            SubState::Confirmed
        } else {
            SubState::Pending
        };
        let id = match &existing {
            Some(row) => {
                let id: SubscriberId = super::id_at(row, "id")?;
                sqlx::query(
                    "UPDATE subscribers SET language = $2, all_services = $3, state = $4, code_hash = $5, \
                     code_attempts = 0, expires_at = $6, manage_hash = $7, unsubscribed_at = NULL, \
                     confirmed_at = CASE WHEN $9 = 1 THEN $8 ELSE COALESCE(confirmed_at, $8) END, \
                     source = CASE WHEN $9 = 1 THEN $10 ELSE source END, import_id = NULL WHERE id = $1",
                )
                .bind(id.as_str())
                .bind(new.language.code())
                .bind(i64::from(new.services.is_none()))
                .bind(state.as_str())
                .bind(code.as_deref().map(hash_token))
                .bind((state == SubState::Pending).then(|| ms(new.expires_at)))
                .bind(hash_token(&manage_token))
                .bind((state == SubState::Confirmed).then(|| ms(now)))
                .bind(i64::from(hidden))
                .bind(new.source)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let id = SubscriberId::generate();
                sqlx::query(
                    "INSERT INTO subscribers (id, channel, address, language, all_services, state, source, \
                     code_hash, code_attempts, expires_at, manage_hash, created_at, confirmed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12)",
                )
                .bind(id.as_str())
                .bind(new.address.channel.as_str())
                .bind(&new.address.value)
                .bind(new.language.code())
                .bind(i64::from(new.services.is_none()))
                .bind(state.as_str())
                .bind(new.source)
                .bind(code.as_deref().map(hash_token))
                .bind((state == SubState::Pending).then(|| ms(new.expires_at)))
                .bind(hash_token(&manage_token))
                .bind(ms(now))
                .bind((state == SubState::Confirmed).then(|| ms(now)))
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        sqlx::query("DELETE FROM subscriber_services WHERE subscriber_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        for code in new.services.iter().flatten() {
            sqlx::query(
                "INSERT INTO subscriber_services (subscriber_id, service_code) VALUES ($1, $2)",
            )
            .bind(id.as_str())
            .bind(code.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if super::is_foreign_key_violation(&e) {
                    StoreError::Conflict {
                        field: "services".into(),
                        message: format!("no service '{code}'"),
                    }
                } else {
                    e.into()
                }
            })?;
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM subscribers WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let subscriber = self.load_subscriber(&mut tx, row).await?;
        tx.commit().await?;
        Ok(SignUp {
            subscriber,
            manage_token,
            code: if was_confirmed { None } else { code },
            already_confirmed: was_confirmed,
        })
    }

    pub async fn get_subscriber(&self, id: &SubscriberId) -> StoreResult<Subscriber> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM subscribers WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        self.load_subscriber(&mut conn, row).await
    }

    pub async fn find_subscriber(&self, address: &Address) -> StoreResult<Option<Subscriber>> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM subscribers WHERE channel = $1 AND address = $2"
        )))
        .bind(address.channel.as_str())
        .bind(&address.value)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(r) => Ok(Some(self.load_subscriber(&mut conn, r).await?)),
            None => Ok(None),
        }
    }

    pub async fn find_by_manage_token(&self, token: &str) -> StoreResult<Option<Subscriber>> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM subscribers WHERE manage_hash = $1"
        )))
        .bind(hash_token(token))
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(r) => Ok(Some(self.load_subscriber(&mut conn, r).await?)),
            None => Ok(None),
        }
    }

    /// Confirms a pending email subscription (its signed link was checked by the caller).
    /// Returns false when it was not pending or has expired.
    pub async fn confirm_subscriber(
        &self,
        id: &SubscriberId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE subscribers SET state = 'confirmed', confirmed_at = $2, expires_at = NULL, code_hash = NULL \
             WHERE id = $1 AND state = 'pending' AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(id.as_str())
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Checks an SMS code; a pending subscription allows `max_attempts` tries.
    pub async fn confirm_code(
        &self,
        id: &SubscriberId,
        code: &str,
        max_attempts: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<CodeCheck> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT state, code_hash, code_attempts, expires_at FROM subscribers WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let state: String = row.try_get("state")?;
        let hash: Option<String> = row.try_get("code_hash")?;
        let attempts: i64 = row.try_get("code_attempts")?;
        let expires: Option<i64> = row.try_get("expires_at")?;
        let result = if state != "pending" || hash.is_none() {
            CodeCheck::NotPending
        } else if expires.is_some_and(|e| e <= ms(now)) {
            CodeCheck::Expired
        } else if attempts >= max_attempts {
            CodeCheck::TooManyAttempts
        } else if hash.as_deref() == Some(hash_token(code.trim()).as_str()) {
            sqlx::query("UPDATE subscribers SET state = 'confirmed', confirmed_at = $2, code_hash = NULL, expires_at = NULL WHERE id = $1")
                .bind(id.as_str())
                .bind(ms(now))
                .execute(&mut *tx)
                .await?;
            CodeCheck::Confirmed
        } else {
            sqlx::query("UPDATE subscribers SET code_attempts = code_attempts + 1 WHERE id = $1")
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
            CodeCheck::Wrong {
                attempts_left: max_attempts - attempts - 1,
            }
        };
        tx.commit().await?;
        Ok(result)
    }

    pub async fn unsubscribe_id(&self, id: &SubscriberId, now: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE subscribers SET state = 'unsubscribed', unsubscribed_at = $2, code_hash = NULL, expires_at = NULL \
             WHERE id = $1 AND state <> 'unsubscribed'",
        )
        .bind(id.as_str())
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes unconfirmed sign-ups whose time is up; returns how many.
    pub async fn expire_pending(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM subscribers WHERE state = 'pending' AND expires_at <= $1")
                .bind(ms(now))
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Erases everything stored about one subscriber.
    pub async fn erase_subscriber(&self, id: &SubscriberId) -> StoreResult<bool> {
        Ok(sqlx::query("DELETE FROM subscribers WHERE id = $1")
            .bind(id.as_str())
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1)
    }

    /// Confirmed subscribers a notice about `services` reaches, per channel.
    pub async fn audience(&self, services: &[ServiceCode]) -> StoreResult<(i64, i64)> {
        let codes: Vec<String> = services.iter().map(|c| c.to_string()).collect();
        let list = if codes.is_empty() {
            "''".to_string()
        } else {
            (1..=codes.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!(
            "SELECT channel, COUNT(*) AS n FROM subscribers s WHERE state = 'confirmed' AND {VISIBLE} AND (all_services = 1 OR EXISTS \
             (SELECT 1 FROM subscriber_services ss WHERE ss.subscriber_id = s.id AND ss.service_code IN ({list}))) GROUP BY channel"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for c in &codes {
            q = q.bind(c);
        }
        let (mut sms, mut email) = (0, 0);
        for row in q.fetch_all(&self.pool).await? {
            let n: i64 = row.try_get("n")?;
            match row.try_get::<String, _>("channel")?.as_str() {
                "sms" => sms = n,
                _ => email = n,
            }
        }
        Ok((sms, email))
    }

    /// Subscribers per channel, language and state, for the console.
    pub async fn subscriber_counts(&self) -> StoreResult<Vec<(String, String, String, i64)>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT channel, language, state, COUNT(*) AS n FROM subscribers s WHERE {VISIBLE} \
                 GROUP BY channel, language, state ORDER BY channel, language, state"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("channel")?,
                    r.try_get("language")?,
                    r.try_get("state")?,
                    r.try_get("n")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Checks the caps and, if none is reached, records one confirmation message, in one
    /// serialised transaction: a burst of concurrent sign-ups cannot slip past a cap.
    pub async fn reserve_confirmation(
        &self,
        address: &Address,
        ip: &str,
        caps: &Caps,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CapHit>> {
        let mut tx = self.begin_write().await?;
        if let Some(lock) = self.backend.serialise() {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        let hour = ms(now - chrono::Duration::hours(1));
        let day = ms(now - chrono::Duration::days(1));
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM confirmation_sends WHERE address_hash = $1 AND at > $4) AS address_day, \
               (SELECT COUNT(*) FROM confirmation_sends WHERE ip_hash = $2 AND at > $3) AS ip_hour, \
               (SELECT COUNT(*) FROM confirmation_sends WHERE at > $3) AS global_hour, \
               (SELECT COUNT(*) FROM confirmation_sends WHERE at > $4) AS global_day",
        )
        .bind(hash_token(&address.value))
        .bind(hash_token(ip))
        .bind(hour)
        .bind(day)
        .fetch_one(&mut *tx)
        .await?;
        let n = |c: &str| row.try_get::<i64, _>(c);
        let hit = if n("global_hour")? >= caps.global_hour || n("global_day")? >= caps.global_day {
            Some(CapHit::Global)
        } else if n("ip_hour")? >= caps.ip_hour {
            Some(CapHit::Ip)
        } else if n("address_day")? >= caps.address_day {
            Some(CapHit::Address)
        } else {
            None
        };
        if hit.is_none() {
            sqlx::query("INSERT INTO confirmation_sends (id, at, channel, address_hash, ip_hash) VALUES ($1, $2, $3, $4, $5)")
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(ms(now))
                .bind(address.channel.as_str())
                .bind(hash_token(&address.value))
                .bind(hash_token(ip))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(hit)
    }

    /// A key generated once per installation (first caller wins on a race).
    pub async fn instance_secret(&self, name: &str) -> StoreResult<String> {
        let candidate = random_token(32);
        sqlx::query("INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&candidate)
            .execute(&self.pool)
            .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl Store {
    /// Changes what a subscriber receives (from the manage page).
    pub async fn update_preferences(
        &self,
        id: &SubscriberId,
        language: Lang,
        services: Option<&[ServiceCode]>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE subscribers SET language = $2, all_services = $3 WHERE id = $1")
            .bind(id.as_str())
            .bind(language.code())
            .bind(i64::from(services.is_none()))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM subscriber_services WHERE subscriber_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        for code in services.into_iter().flatten() {
            sqlx::query(
                "INSERT INTO subscriber_services (subscriber_id, service_code) VALUES ($1, $2)",
            )
            .bind(id.as_str())
            .bind(code.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// A new manage token for a subscriber (the old links stop working); `None` if unknown.
    pub async fn rotate_manage_token(&self, id: &SubscriberId) -> StoreResult<Option<String>> {
        let token = random_token(24);
        let done = sqlx::query("UPDATE subscribers SET manage_hash = $2 WHERE id = $1")
            .bind(id.as_str())
            .bind(hash_token(&token))
            .execute(&self.pool)
            .await?;
        Ok((done.rows_affected() == 1).then_some(token))
    }
}
