//! Staff API tokens. Only a SHA-256 of each token is stored: a leaked database does not leak
//! working credentials, and a token is shown once, when it is created.

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Store, StoreResult, from_ms, ms};

/// What a token may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads everything staff can see.
    Viewer,
    /// Writes and edits drafts.
    Editor,
    /// Publishes and moves notices through their lifecycle (this is what reaches customers).
    Publisher,
    /// Manages services and tokens.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Publisher, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Publisher => "publisher",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| format!("'{raw}' is not a role; use viewer, editor, publisher or admin"))
    }
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Set on a biller's token: it reaches only that biller's endpoints, never staff routes.
    pub biller_id: Option<String>,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Creates a token and returns it in clear, the only time it exists outside the caller.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> StoreResult<(ApiToken, String)> {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let token = format!(
            "tgz_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
        );
        let t = ApiToken {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.to_string(),
            role,
            created_at: now,
            biller_id: None,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.id)
        .bind(&t.name)
        .bind(role.as_str())
        .bind(hash_token(&token))
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok((t, token))
    }

    /// The live token with this secret, if any.
    pub async fn find_token(&self, token: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query(
            "SELECT id, name, role, created_at, biller_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.try_get("role")?;
        Ok(Some(ApiToken {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            role: Role::parse(&role).map_err(anyhow::Error::msg)?,
            created_at: from_ms(row.try_get("created_at")?),
            biller_id: row.try_get("biller_id")?,
        }))
    }
}
