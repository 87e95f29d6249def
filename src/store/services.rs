//! Services: the things customers use, in the order the page shows them.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{Audit, insert_audit};
use super::{
    StoreError, StoreResult, bump_revision, from_ms, is_foreign_key_violation, is_unique_violation,
    ms,
};
use crate::domain::{Localized, Service, ServiceCode, ServiceStatus};

const COLUMNS: &str =
    "code, name, description, group_name, position, status, created_at, updated_at";

pub(super) fn service_from_row(row: &AnyRow) -> anyhow::Result<Service> {
    let code: String = row.try_get("code")?;
    let status: String = row.try_get("status")?;
    Ok(Service {
        code: ServiceCode::parse(&code).map_err(anyhow::Error::msg)?,
        name: Localized::from_json(&row.try_get::<String, _>("name")?)?,
        description: Localized::from_json(&row.try_get::<String, _>("description")?)?,
        group: row.try_get("group_name")?,
        position: row.try_get("position")?,
        status: ServiceStatus::parse(&status).map_err(anyhow::Error::msg)?,
        created_at: from_ms(row.try_get("created_at")?),
        updated_at: from_ms(row.try_get("updated_at")?),
    })
}

impl super::Store {
    pub async fn list_services(&self) -> StoreResult<Vec<Service>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM services ORDER BY position, code"
        )))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(service_from_row)
            .collect::<anyhow::Result<_>>()?)
    }

    pub async fn get_service(&self, code: &ServiceCode) -> StoreResult<Service> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM services WHERE code = $1"
        )))
        .bind(code.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(service_from_row(&row)?)
    }

    /// Inserts a service; a taken code is a conflict on `code`.
    pub async fn insert_service(&self, s: &Service, actor: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "INSERT INTO services (code, name, description, group_name, position, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.code.as_str())
        .bind(s.name.to_json())
        .bind(s.description.to_json())
        .bind(&s.group)
        .bind(s.position)
        .bind(s.status.as_str())
        .bind(ms(s.created_at))
        .bind(ms(s.updated_at))
        .execute(&mut *tx)
        .await;
        match result {
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    field: "code".into(),
                    message: format!("a service with code '{}' already exists", s.code),
                });
            }
            other => other?,
        };
        insert_audit(
            &mut tx,
            Audit {
                actor,
                action: "service.create",
                target: format!("service:{}", s.code),
                before: None,
                after: Some(summary(s)),
                detail: String::new(),
            },
            s.updated_at,
        )
        .await?;
        bump_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a service's editable fields (its code never changes).
    pub async fn update_service(&self, s: &Service, actor: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let before = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM services WHERE code = $1"
        )))
        .bind(s.code.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| service_from_row(&row))
        .transpose()?;
        let done = sqlx::query(
            "UPDATE services SET name = $2, description = $3, group_name = $4, position = $5, \
             status = $6, updated_at = $7 WHERE code = $1",
        )
        .bind(s.code.as_str())
        .bind(s.name.to_json())
        .bind(s.description.to_json())
        .bind(&s.group)
        .bind(s.position)
        .bind(s.status.as_str())
        .bind(ms(s.updated_at))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(
            &mut tx,
            Audit {
                actor,
                action: "service.update",
                target: format!("service:{}", s.code),
                before: before.as_ref().map(summary),
                after: Some(summary(s)),
                detail: String::new(),
            },
            s.updated_at,
        )
        .await?;
        bump_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a service no notice refers to; one that history mentions is kept (conflict).
    pub async fn delete_service(
        &self,
        code: &ServiceCode,
        actor: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query("DELETE FROM services WHERE code = $1")
            .bind(code.as_str())
            .execute(&mut *tx)
            .await;
        let done = match result {
            Err(e) if is_foreign_key_violation(&e) => {
                return Err(StoreError::Conflict {
                    field: "code".into(),
                    message: format!(
                        "service '{code}' is named by notices and stays for their history; set its status instead"
                    ),
                });
            }
            other => other?,
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(
            &mut tx,
            Audit {
                actor,
                action: "service.delete",
                target: format!("service:{code}"),
                before: None,
                after: None,
                detail: String::new(),
            },
            now,
        )
        .await?;
        bump_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn summary(s: &Service) -> String {
    serde_json::json!({
        "name": s.name,
        "group": s.group,
        "position": s.position,
        "status": s.status.as_str(),
    })
    .to_string()
}
