//! Staff accounts (argon2id passwords, lockout after repeated failures), server-side sessions
//! and the append-only audit log.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::tokens::{Role, hash_token};
use super::{Store, StoreError, StoreResult, from_ms, is_unique_violation, ms};

/// Failed logins in a row before an account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked.
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
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a login failed; the page says the same thing for a wrong email and a wrong password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    WrongCredentials,
    Locked { until: DateTime<Utc> },
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: String,
}

/// One audit log line, written in the same transaction as the change it records.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: String,
}

/// Appends to the audit log. Nothing in the application updates or deletes these rows.
pub(super) async fn insert_audit(
    conn: &mut sqlx::AnyConnection,
    e: Audit<'_>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, target, before_json, after_json, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(ms(now))
    .bind(e.actor)
    .bind(e.action)
    .bind(e.target)
    .bind(e.before)
    .bind(e.after)
    .bind(e.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
}

fn password_matches(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
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

    /// Checks a password; counts failures and locks the account after too many in a row.
    /// Verifying runs even for unknown emails, so timing does not reveal which accounts exist.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<User, LoginError>> {
        let email = email.trim().to_lowercase();
        let row = sqlx::query(
            "SELECT id, email, role, created_at, password_hash, failed_logins, locked_until FROM users WHERE email = $1",
        )
        .bind(&email)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Same work as a real check.
            let _ = password_matches(password, dummy_hash());
            return Ok(Err(LoginError::WrongCredentials));
        };
        let user = user_from_row(&row)?;
        if let Some(until) = row.try_get::<Option<i64>, _>("locked_until")?.map(from_ms)
            && until > now
        {
            return Ok(Err(LoginError::Locked { until }));
        }
        let hash: String = row.try_get("password_hash")?;
        if password_matches(password, &hash) {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(&user.id)
                .execute(&self.pool)
                .await?;
            return Ok(Ok(user));
        }
        let failed: i64 = row.try_get::<i64, _>("failed_logins")? + 1;
        let locked =
            (failed >= MAX_FAILED_LOGINS).then(|| now + Duration::minutes(LOCKOUT_MINUTES));
        sqlx::query("UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1")
            .bind(&user.id)
            .bind(if locked.is_some() { 0 } else { failed })
            .bind(locked.map(ms))
            .execute(&self.pool)
            .await?;
        Ok(Err(match locked {
            Some(until) => LoginError::Locked { until },
            None => LoginError::WrongCredentials,
        }))
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
            "SELECT u.id, u.email, u.role, u.created_at, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(hash_token(token))
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Session {
            user: user_from_row(&row)?,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: from_ms(row.try_get("expires_at")?),
        }))
    }

    pub async fn end_session(&self, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_token(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Appends to the audit log, for actions that are not themselves a store write (logins).
    pub async fn audit(&self, entry: Audit<'_>, now: DateTime<Utc>) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit(&mut conn, entry, now).await
    }

    /// Newest first, optionally only one actor's, one action's or one target's entries.
    pub async fn audit_entries(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        target: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target, before_json, after_json, detail FROM audit_log \
             WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR target = $3) \
             ORDER BY at DESC, id DESC LIMIT $4",
        )
        .bind(actor.unwrap_or(""))
        .bind(action.unwrap_or(""))
        .bind(target.unwrap_or(""))
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: from_ms(r.try_get("at")?),
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    before: r.try_get("before_json")?,
                    after: r.try_get("after_json")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

/// A real argon2id hash, verified against when the email is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token(16)).unwrap_or_default())
}
