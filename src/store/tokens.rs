//! Staff API tokens. Only a SHA-256 of each token is stored: a leaked database does not leak
//! working credentials, and a token is shown once, when it is created. Tokens are listed and
//! revoked by name or id; a live token's name is unique among staff tokens and among each
//! biller's, so a name says which token it is.

use base64::Engine;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{Audit, insert_audit};
use super::{Store, StoreError, StoreResult, from_ms, is_unique_violation, ms};
use crate::crypto::{hash_token, random_bytes};
use crate::domain::BillerId;

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
    pub biller_id: Option<BillerId>,
    /// When it stopped working; `find_token` never returns a revoked token.
    pub revoked_at: Option<DateTime<Utc>>,
}

const TOKEN_COLUMNS: &str = "id, name, role, created_at, biller_id, revoked_at";

fn token_from_row(row: &AnyRow) -> StoreResult<ApiToken> {
    let role: String = row.try_get("role")?;
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: Role::parse(&role).map_err(anyhow::Error::msg)?,
        created_at: from_ms(row.try_get("created_at")?),
        biller_id: super::opt_id_at(row, "biller_id")?,
        revoked_at: row.try_get::<Option<i64>, _>("revoked_at")?.map(from_ms),
    })
}

/// What the audit log keeps of a token: never its secret.
fn summary(t: &ApiToken) -> String {
    serde_json::json!({
        "name": t.name,
        "role": t.role.as_str(),
        "biller_id": t.biller_id,
        "revoked_at": t.revoked_at,
    })
    .to_string()
}

impl Store {
    /// Creates a token and returns it in clear, the only time it exists outside the caller.
    /// A biller's token (`biller_id`) reaches only that biller's endpoints. Audited as `actor`.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        biller_id: Option<&BillerId>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<(ApiToken, String)> {
        let token = format!(
            "tgz_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
        );
        let t = ApiToken {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.to_string(),
            role,
            created_at: from_ms(ms(now)),
            biller_id: biller_id.cloned(),
            revoked_at: None,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, name, role, token_hash, created_at, biller_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&t.id)
        .bind(&t.name)
        .bind(role.as_str())
        .bind(hash_token(&token))
        .bind(ms(now))
        .bind(biller_id.map(BillerId::as_str))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                let whose = if biller_id.is_some() { " for this biller" } else { "" };
                StoreError::Conflict {
                    field: "name".into(),
                    message: format!(
                        "a token named '{name}' already exists{whose}; choose another name, or revoke that token first"
                    ),
                }
            } else {
                e.into()
            }
        })?;
        insert_audit(
            &mut tx,
            Audit {
                actor,
                action: "token.create",
                target: format!("token:{}", t.id),
                before: None,
                after: Some(summary(&t)),
                detail: t.name.clone(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((t, token))
    }

    /// The live token with this secret, if any.
    pub async fn find_token(&self, token: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        )))
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Every token, live ones first, then by name; never a secret (only its hash is stored).
    pub async fn list_tokens(&self) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens \
             ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, name, created_at"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes the token with this id, or the live token with this name, in one transaction
    /// with its audit line. A token revoked already is a conflict that says since when, and so
    /// is a name several live tokens have.
    pub async fn revoke_token(
        &self,
        name_or_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ApiToken> {
        let mut tx = self.begin_write().await?;
        // An id names one token; a name names the live one (a name is unique among staff
        // tokens and among one biller's, so a staff token and a biller's may share one).
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1 OR (name = $1 AND revoked_at IS NULL) \
             ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, id LIMIT 2{}",
            self.backend.for_update()
        )))
        .bind(name_or_id)
        .fetch_all(&mut *tx)
        .await?;
        let row = rows.first().ok_or(StoreError::NotFound)?;
        if let [a, b] = &rows[..]
            && a.try_get::<String, _>("id")? != name_or_id
        {
            let ids = [a, b].map(|r| r.try_get::<String, _>("id").unwrap_or_default());
            return Err(StoreError::Conflict {
                field: "token".into(),
                message: format!(
                    "several live tokens are named '{name_or_id}' (a staff token and a biller's, or several billers'), such as {} and {}; revoke one by its id",
                    ids[0], ids[1]
                ),
            });
        }
        let before = token_from_row(row)?;
        if let Some(at) = before.revoked_at {
            return Err(StoreError::Conflict {
                field: "token".into(),
                message: format!(
                    "token '{}' ({}) was revoked already, at {}",
                    before.name,
                    before.id,
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            });
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1")
            .bind(&before.id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        let after = ApiToken {
            revoked_at: Some(from_ms(ms(now))),
            ..before.clone()
        };
        insert_audit(
            &mut tx,
            Audit {
                actor,
                action: "token.revoke",
                target: format!("token:{}", after.id),
                before: Some(summary(&before)),
                after: Some(summary(&after)),
                detail: after.name.clone(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
