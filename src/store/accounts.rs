//! Staff accounts (argon2id passwords, lockout after repeated failures), server-side sessions
//! and the append-only audit log.

use chrono::{DateTime, Duration, Utc};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::tokens::Role;
use super::{Store, StoreError, StoreResult, from_ms, is_unique_violation, ms};
use crate::crypto::{hash_password, hash_token, password_matches, random_token};

/// Wrong passwords checked per account in any [`LOCKOUT_MINUTES`]; the account is locked
/// until the oldest of them is that old.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
/// How long a session lives without a new login.
pub const SESSION_HOURS: i64 = 12;
/// The same, for the cookie's Max-Age.
pub const SESSION_HOURS_SECS: i64 = SESSION_HOURS * 3600;

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Session {
    /// The SHA-256 of the cookie's token: what the session's rows are keyed on.
    pub id: String,
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// Whether results of earlier actions wait to be shown (see [`Store::take_flashes`]).
    pub has_flash: bool,
}

/// Why a login failed; the page says the same thing for a wrong email and a wrong password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    WrongCredentials,
    Locked { until: DateTime<Utc> },
}

/// [`password_matches`] off the async workers: argon2 is slow on purpose, and a burst of
/// logins must not stall every other request on the same threads.
async fn verify_password(password: &str, hash: String) -> bool {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password_matches(&password, &hash))
        .await
        .unwrap_or(false)
}

/// What [`Store::reserve_login`] found.
enum Reserved {
    Unknown,
    Locked {
        until: DateTime<Utc>,
    },
    /// A wrong-password slot (its row's id) is reserved: check the password against `hash`.
    Slot {
        user: User,
        hash: String,
        slot: String,
    },
}

/// A password staff may choose: long enough to resist guessing, not absurdly long.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 12 {
        return Err(format!("is {n} characters; use at least 12"));
    }
    if n > 200 {
        return Err("is longer than 200 characters".into());
    }
    Ok(())
}

fn user_from_row(row: &AnyRow) -> anyhow::Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).map_err(anyhow::Error::msg)?,
        created_at: from_ms(row.try_get("created_at")?),
    })
}

impl Store {
    pub async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn create_user(
        &self,
        email: &str,
        role: Role,
        password: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let email = email.trim().to_lowercase();
        let user = User {
            id: uuid::Uuid::now_v7().to_string(),
            email: email.clone(),
            role,
            created_at: now,
        };
        let hash = hash_password(password)?;
        let r = sqlx::query(
            "INSERT INTO users (id, email, role, password_hash, failed_logins, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5)",
        )
        .bind(&user.id)
        .bind(&email)
        .bind(role.as_str())
        .bind(hash)
        .bind(ms(now))
        .execute(&self.pool)
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict {
                field: "email".into(),
                message: format!("an account for {email} already exists"),
            }),
            other => {
                other?;
                Ok(user)
            }
        }
    }

    pub async fn list_users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT id, email, role, created_at FROM users ORDER BY email")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(user_from_row)
            .collect::<anyhow::Result<_>>()?)
    }

    /// Checks a password. At most [`MAX_FAILED_LOGINS`] wrong passwords per account are
    /// checked in any [`LOCKOUT_MINUTES`], however many attempts arrive at once: each check
    /// first reserves a slot (see [`Store::reserve_login`]), and a right password gives its
    /// slot back. An unknown or locked account is checked against a dummy hash instead, so it
    /// takes as long as a wrong password.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<User, LoginError>> {
        let email = email.trim().to_lowercase();
        let (user, hash, slot) = match self.reserve_login(&email, now).await? {
            Reserved::Slot { user, hash, slot } => (user, hash, slot),
            Reserved::Unknown => {
                verify_password(password, dummy_hash().to_string()).await;
                return Ok(Err(LoginError::WrongCredentials));
            }
            Reserved::Locked { until } => {
                verify_password(password, dummy_hash().to_string()).await;
                return Ok(Err(LoginError::Locked { until }));
            }
        };
        if !verify_password(password, hash).await {
            return Ok(Err(LoginError::WrongCredentials));
        }
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(slot)
            .execute(&self.pool)
            .await?;
        Ok(Ok(user))
    }

    /// Reserves one of the account's wrong-password slots, in one transaction that holds the
    /// account's row: concurrent attempts take their turn, and each sees the slots the others
    /// took. The slot counts as a wrong password until [`Store::login`] gives it back.
    async fn reserve_login(&self, email: &str, now: DateTime<Utc>) -> StoreResult<Reserved> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT id, email, role, created_at, password_hash FROM users WHERE email = $1{}",
            self.backend.for_update()
        )))
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            // Nothing was written; ending the transaction hands the writer on.
            tx.commit().await?;
            return Ok(Reserved::Unknown);
        };
        let user = user_from_row(&row)?;
        let window = Duration::minutes(LOCKOUT_MINUTES);
        sqlx::query("DELETE FROM login_failures WHERE user_id = $1 AND at <= $2")
            .bind(&user.id)
            .bind(ms(now - window))
            .execute(&mut *tx)
            .await?;
        let recent: Vec<i64> = sqlx::query_scalar(
            "SELECT at FROM login_failures WHERE user_id = $1 ORDER BY at DESC LIMIT $2",
        )
        .bind(&user.id)
        .bind(MAX_FAILED_LOGINS)
        .fetch_all(&mut *tx)
        .await?;
        if recent.len() as i64 >= MAX_FAILED_LOGINS {
            tx.commit().await?;
            // Locked until the oldest of the last few wrong passwords leaves the window.
            let oldest = recent.last().copied().map(from_ms).unwrap_or(now);
            return Ok(Reserved::Locked {
                until: oldest + window,
            });
        }
        let slot = uuid::Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO login_failures (id, user_id, at) VALUES ($1, $2, $3)")
            .bind(&slot)
            .bind(&user.id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Reserved::Slot {
            user,
            hash: row.try_get("password_hash")?,
            slot,
        })
    }

    pub async fn change_password(
        &self,
        user_id: &str,
        current: &str,
        new: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let hash: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some(hash) = hash else {
            return Err(StoreError::NotFound);
        };
        if !password_matches(current, &hash) {
            return Ok(false);
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(hash_password(new)?)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        // A changed password ends every other session of the account.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Starts a session; returns the cookie token (stored only as a hash).
    pub async fn create_session(&self, user_id: &str, now: DateTime<Utc>) -> StoreResult<String> {
        let token = random_token(32);
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash_token(&token))
        .bind(user_id)
        .bind(random_token(24))
        .bind(ms(now))
        .bind(ms(now + Duration::hours(SESSION_HOURS)))
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    pub async fn find_session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.role, u.created_at, s.token_hash, s.csrf_token, s.expires_at, \
             CASE WHEN EXISTS (SELECT 1 FROM console_flashes f WHERE f.session_hash = s.token_hash) \
             THEN 1 ELSE 0 END AS has_flash \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(hash_token(token))
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Session {
            id: row.try_get("token_hash")?,
            user: user_from_row(&row)?,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: from_ms(row.try_get("expires_at")?),
            has_flash: row.try_get::<i64, _>("has_flash")? != 0,
        }))
    }

    pub async fn end_session(&self, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_token(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A real argon2id hash, verified against when the email is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token(16)).unwrap_or_default())
}
