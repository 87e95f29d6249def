//! Subscribers as staff manage them: add one whose consent they hold, look one up, export
//! what is stored about them, erase them. The audit log keeps ids, never addresses.

use super::{App, Error, Result};
use crate::domain::subscriber::Address;
use crate::domain::{Lang, ServiceCode, SubscriberId};
use crate::store::{Audit, NewSubscriber, Subscriber};

/// Adds a subscriber staff vouch for: confirmed at once. `services` empty: every service.
pub async fn add(
    app: &App,
    actor: &str,
    address: Address,
    language: Lang,
    services: Vec<ServiceCode>,
) -> Result<Subscriber> {
    let now = app.clock.now();
    let signup = app
        .store
        .subscribe(
            &NewSubscriber {
                address,
                language,
                services: (!services.is_empty()).then_some(services),
                source: "api",
                confirmed: true,
                expires_at: now,
            },
            now,
        )
        .await?;
    let channel = signup.subscriber.address.channel.as_str().to_string();
    audit(app, actor, "subscriber.add", &signup.subscriber.id, channel).await?;
    Ok(signup.subscriber)
}

/// The subscriber with exactly this address.
pub async fn find(app: &App, address: &Address) -> Result<Subscriber> {
    app.store
        .find_subscriber(address)
        .await?
        .ok_or_else(|| Error::not_found("address", format!("no subscriber {}", address.value)))
}

/// Everything stored about one person (GDPR-style access request), audited.
pub async fn export(app: &App, actor: &str, address: &Address) -> Result<Subscriber> {
    let s = find(app, address).await?;
    audit(app, actor, "subscriber.export", &s.id, String::new()).await?;
    Ok(s)
}

/// Erases a subscriber; the audit log keeps the id, never the address.
pub async fn erase(app: &App, actor: &str, address: &Address) -> Result<()> {
    let s = find(app, address).await?;
    app.store.erase_subscriber(&s.id).await?;
    audit(app, actor, "subscriber.erase", &s.id, String::new()).await?;
    Ok(())
}

/// Audits a staff action on one subscriber by id.
async fn audit(
    app: &App,
    actor: &str,
    action: &str,
    id: &SubscriberId,
    detail: String,
) -> Result<()> {
    let entry = Audit {
        actor,
        action,
        target: format!("subscriber:{id}"),
        before: None,
        after: None,
        detail,
    };
    app.store.audit(entry, app.clock.now()).await?;
    Ok(())
}
