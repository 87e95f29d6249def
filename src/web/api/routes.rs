//! THE route table of `/api/v1`: method, path, the least role, summary, body and success
//! status of every operation. The router and the OpenAPI document are both built from it, and
//! the role stated here is the one enforced (see [`super::extract::Staff`]).

use axum::routing::{MethodRouter, delete, get, patch, post};

use super::super::AppState;
use super::{actions, billers, deliveries, endpoints, notices, schemas, services, subscribers};
use crate::store::Role;

/// One operation of the API: the router and the OpenAPI document are both built from the
/// same list, so the document cannot name a route that does not exist or miss one that does.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    /// The least role that may call it; `None` for public documents.
    pub role: Option<Role>,
    pub summary: &'static str,
    /// Whether it takes a JSON body (required or optional).
    pub body: Body,
    /// Success status.
    pub ok: u16,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    Optional,
    Required,
}

pub(super) fn endpoints() -> Vec<(Endpoint, MethodRouter<AppState>)> {
    use Body::{None as No, Optional, Required};
    let e = |method, path, role, summary, body, ok| Endpoint {
        method,
        path,
        role,
        summary,
        body,
        ok,
    };
    let viewer = Some(Role::Viewer);
    let editor = Some(Role::Editor);
    let publisher = Some(Role::Publisher);
    let admin = Some(Role::Admin);
    vec![
        (
            e(
                "get",
                "/services",
                viewer,
                "List services in page order",
                No,
                200,
            ),
            get(services::list_services),
        ),
        (
            e(
                "post",
                "/services",
                admin,
                "Create a service",
                Required,
                201,
            ),
            post(services::create_service),
        ),
        (
            e("get", "/services/{code}", viewer, "One service", No, 200),
            get(services::get_service),
        ),
        (
            e(
                "patch",
                "/services/{code}",
                admin,
                "Change a service's name, group, position or status",
                Required,
                200,
            ),
            patch(services::edit_service),
        ),
        (
            e(
                "delete",
                "/services/{code}",
                admin,
                "Delete a service no notice names",
                No,
                204,
            ),
            delete(services::delete_service),
        ),
        (
            e(
                "get",
                "/notices",
                viewer,
                "List notices (filters: kind, state, service, from, to, limit)",
                No,
                200,
            ),
            get(notices::list_notices),
        ),
        (
            e(
                "post",
                "/notices",
                editor,
                "Create a draft (publisher role with \"publish\": true)",
                Required,
                201,
            ),
            post(notices::create_notice),
        ),
        (
            e(
                "get",
                "/notices/{id}",
                viewer,
                "One notice with its timeline; {id} may be the reference code",
                No,
                200,
            ),
            get(notices::get_notice),
        ),
        (
            e(
                "patch",
                "/notices/{id}",
                editor,
                "Edit a draft",
                Required,
                200,
            ),
            patch(notices::edit_notice),
        ),
        (
            e(
                "post",
                "/notices/{id}/publish",
                publisher,
                "Publish a draft",
                Optional,
                200,
            ),
            post(actions::publish),
        ),
        (
            e(
                "post",
                "/notices/{id}/start",
                publisher,
                "Start a scheduled window now",
                Optional,
                200,
            ),
            post(actions::start),
        ),
        (
            e(
                "post",
                "/notices/{id}/extend",
                publisher,
                "Move the end of a window later (ends_at)",
                Required,
                200,
            ),
            post(actions::extend),
        ),
        (
            e(
                "post",
                "/notices/{id}/reschedule",
                publisher,
                "Move a window that has not started (starts_at, ends_at)",
                Required,
                200,
            ),
            post(actions::reschedule),
        ),
        (
            e(
                "post",
                "/notices/{id}/complete",
                publisher,
                "Complete a window or resolve an incident",
                Optional,
                200,
            ),
            post(actions::complete),
        ),
        (
            e(
                "post",
                "/notices/{id}/cancel",
                publisher,
                "Cancel a window (or discard a draft)",
                Optional,
                200,
            ),
            post(actions::cancel),
        ),
        (
            e(
                "post",
                "/notices/{id}/updates",
                publisher,
                "Post a timeline update (body, optional status)",
                Required,
                200,
            ),
            post(actions::post_update),
        ),
        (
            e("get", "/billers", viewer, "List billers", No, 200),
            get(billers::list_billers),
        ),
        (
            e(
                "post",
                "/billers",
                admin,
                "Create a biller (name, contact_email)",
                Required,
                201,
            ),
            post(billers::create_biller),
        ),
        (
            e(
                "post",
                "/billers/{id}/tokens",
                admin,
                "Create a biller's own API token (shown once); it reaches only that biller's endpoints",
                Required,
                201,
            ),
            post(billers::create_biller_token),
        ),
        (
            e(
                "get",
                "/endpoints",
                viewer,
                "List webhook endpoints (a biller token: its own; staff: all, or ?biller_id=)",
                No,
                200,
            ),
            get(endpoints::list_endpoints),
        ),
        (
            e(
                "post",
                "/endpoints",
                admin,
                "Create a webhook endpoint (url, description, event_types, services, rate_limit, contact_email, ed25519); returns its whsec_ secret once. Staff give biller_id; a biller token creates its own",
                Required,
                201,
            ),
            post(endpoints::create_endpoint),
        ),
        (
            e(
                "get",
                "/endpoints/{id}",
                viewer,
                "One endpoint (never its secret)",
                No,
                200,
            ),
            get(endpoints::get_endpoint),
        ),
        (
            e(
                "patch",
                "/endpoints/{id}",
                admin,
                "Change an endpoint's settings",
                Required,
                200,
            ),
            patch(endpoints::patch_endpoint),
        ),
        (
            e(
                "delete",
                "/endpoints/{id}",
                admin,
                "Delete an endpoint and its queued deliveries",
                No,
                204,
            ),
            delete(endpoints::delete_endpoint),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/rotate-secret",
                admin,
                "New secret (shown once); the old one keeps signing too for webhook.secret_overlap_hours",
                No,
                200,
            ),
            post(endpoints::rotate_secret),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/test",
                publisher,
                "Send a signed test.ping now and show the answer",
                No,
                200,
            ),
            post(endpoints::test_endpoint),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/disable",
                admin,
                "Stop sending (optional reason); deliveries wait",
                Optional,
                200,
            ),
            post(endpoints::disable_endpoint),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/enable",
                admin,
                "Send again; {\"replay\": true} queues every update published while it was disabled",
                Optional,
                200,
            ),
            post(endpoints::enable_endpoint),
        ),
        (
            e(
                "get",
                "/endpoints/{id}/deliveries",
                viewer,
                "Newest deliveries to the endpoint (?state=pending|sent|failed)",
                No,
                200,
            ),
            get(endpoints::endpoint_deliveries),
        ),
        (
            e(
                "get",
                "/endpoints/{id}/deliveries/{delivery}/attempts",
                viewer,
                "Every attempt at one delivery: time, status, latency, first KB of the answer, error",
                No,
                200,
            ),
            get(endpoints::delivery_attempts),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/deliveries/{delivery}/replay",
                publisher,
                "Send one delivery again now",
                No,
                200,
            ),
            post(endpoints::replay_delivery),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/recover",
                publisher,
                "Send again every failed delivery created since a time ({\"since\": …})",
                Required,
                200,
            ),
            post(endpoints::recover),
        ),
        (
            e(
                "get",
                "/notices/{id}/deliveries",
                viewer,
                "Delivery progress per update and channel (sent, pending, failed, superseded), an ETA, and recent failures",
                No,
                200,
            ),
            get(deliveries::notice_deliveries),
        ),
        (
            e(
                "post",
                "/notices/{id}/preview",
                editor,
                "Every channel and language of the next or a named message",
                Optional,
                200,
            ),
            post(notices::preview_notice),
        ),
        (
            e(
                "post",
                "/notices/preview",
                editor,
                "Preview a notice that is not saved",
                Required,
                200,
            ),
            post(notices::preview_unsaved),
        ),
        (
            e("get", "/schemas", None, "Webhook payload schemas", No, 200),
            get(schemas::schema_index),
        ),
        (
            e(
                "get",
                "/schemas/{file}",
                None,
                "JSON Schema of one webhook event type ({type}.json)",
                No,
                200,
            ),
            get(schemas::schema),
        ),
        (
            e("get", "/openapi.json", None, "This document", No, 200),
            get(super::openapi_json),
        ),
        (
            e(
                "post",
                "/subscribers",
                admin,
                "Add a subscriber whose consent you hold (confirmed at once)",
                Required,
                201,
            ),
            post(subscribers::add_subscriber),
        ),
        (
            e(
                "get",
                "/subscribers",
                viewer,
                "Find one subscriber by exact address (?address=)",
                No,
                200,
            ),
            get(subscribers::find_subscriber),
        ),
        (
            e(
                "get",
                "/subscribers/export",
                admin,
                "Everything stored about one subscriber (?address=)",
                No,
                200,
            ),
            get(subscribers::export_subscriber),
        ),
        (
            e(
                "delete",
                "/subscribers",
                admin,
                "Erase one subscriber (?address=)",
                No,
                204,
            ),
            delete(subscribers::erase_subscriber),
        ),
    ]
}

/// The endpoints without their handlers, for the OpenAPI document and its test.
pub fn endpoint_list() -> Vec<Endpoint> {
    endpoints().into_iter().map(|(e, _)| e).collect()
}
