//! Services: the rows of the status page.

use super::error::not_found;
use super::{App, Error, Result};
use crate::domain::{Service, ServiceCode};

/// One service by its code; a code that cannot exist is not found either.
pub async fn get(app: &App, code: &str) -> Result<Service> {
    let parsed = ServiceCode::parse(code)
        .map_err(|_| Error::not_found("service", format!("no service '{code}'")))?;
    app.store
        .get_service(&parsed)
        .await
        .map_err(|e| not_found(e, "service", code))
}

/// Where a new service goes when none is given: after the last one.
pub async fn next_position(app: &App) -> Result<i64> {
    Ok(app
        .store
        .list_services()
        .await?
        .iter()
        .map(|s| s.position + 1)
        .max()
        .unwrap_or(0))
}

pub async fn create(app: &App, actor: &str, s: Service) -> Result<Service> {
    app.store.insert_service(&s, actor).await?;
    app.publish_changes().await;
    Ok(s)
}

/// Saves an edited service (its code is stable); the page shows it at once.
pub async fn save(app: &App, actor: &str, mut s: Service) -> Result<Service> {
    s.updated_at = app.clock.now();
    app.store.update_service(&s, actor).await?;
    app.publish_changes().await;
    Ok(s)
}

/// Deletes a service no notice names.
pub async fn delete(app: &App, actor: &str, code: &str) -> Result<()> {
    let parsed = ServiceCode::parse(code)
        .map_err(|_| Error::not_found("service", format!("no service '{code}'")))?;
    app.store
        .delete_service(&parsed, actor, app.clock.now())
        .await
        .map_err(|e| not_found(e, "service", code))?;
    app.publish_changes().await;
    Ok(())
}
