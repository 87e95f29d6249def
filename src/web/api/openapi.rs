//! The OpenAPI 3.1 document of `/api/v1`, built from the route table.

use serde_json::{Value, json};

use super::routes::{Body, endpoint_list};

/// OpenAPI 3.1 description of `/api/v1`.
pub fn openapi_document(server: &str) -> Value {
    let mut paths = serde_json::Map::new();
    for e in endpoint_list() {
        let mut params: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if e.method == "post" && e.role.is_some() {
            params.push(idempotency_key_parameter());
        }
        let mut responses = serde_json::Map::new();
        responses.insert(
            e.ok.to_string(),
            if e.ok == 204 {
                json!({"description": "Done"})
            } else {
                json!({"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}})
            },
        );
        let error = json!({"description": "See the message", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        if e.role.is_some() {
            responses.insert("401".into(), error.clone());
            responses.insert("403".into(), error.clone());
        }
        if e.path.contains('{') {
            responses.insert("404".into(), error.clone());
        }
        if e.body != Body::None {
            responses.insert("400".into(), error.clone());
            responses.insert("413".into(), error.clone());
            responses.insert("415".into(), error.clone());
        }
        if e.body != Body::None || e.method == "post" {
            responses.insert("409".into(), error.clone());
            responses.insert("422".into(), error.clone());
        }
        responses.insert("500".into(), error.clone());
        let mut op = json!({
            "summary": e.summary,
            "operationId": format!("{}{}", e.method, e.path.replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "responses": responses,
            "x-tangazo-role": e.role.map(|r| r.as_str()),
        });
        op["security"] = match e.role {
            Some(_) => json!([{"bearer": []}]),
            None => json!([]),
        };
        if e.body != Body::None {
            op["requestBody"] = json!({
                "required": e.body == Body::Required,
                "content": {"application/json": {"schema": {"type": "object"}}}
            });
        }
        paths
            .entry(e.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("path item is an object")
            .insert(e.method.to_string(), op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tangazo staff API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Services and notices of the status page. Texts are objects keyed by language ({\"en\": …, \"sw\": …}); times are RFC 3339 or local times in the page's zone. Every error answers {\"errors\": {\"field\": \"message\"}}, the field naming what the message is about: a body field, a header (Authorization for 401 and 403, Idempotency-Key), what was not found (404), body (413) or server (500). A POST may carry an Idempotency-Key: a retry with the same key and body within 24 hours gets the first answer again and does nothing."
        },
        "servers": [{"url": format!("{server}/api/v1")}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A token from `tangazo token create`"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["errors"],
                    "additionalProperties": false,
                    "properties": {
                        "errors": {
                            "description": "What went wrong, by field: a body field, a header, what was not found, body (413) or server (500)",
                            "type": "object",
                            "minProperties": 1,
                            "additionalProperties": {"type": "string"}
                        }
                    }
                }
            }
        },
        "paths": paths,
    })
}

/// The `Idempotency-Key` request header every staff POST accepts.
pub(super) fn idempotency_key_parameter() -> Value {
    use super::idempotency::KEY_MAX;
    json!({
        "name": super::idempotency::HEADER,
        "in": "header",
        "required": false,
        "description": format!("Makes a retry safe: the same key with the same request within 24 hours gets the first answer again (marked Idempotent-Replayed: true) and does nothing; with another request it is a 422; while the first has not answered, a 409. 1 to {KEY_MAX} visible ASCII characters, bare or as a quoted string; a UUID is a good key."),
        "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX + 2, "pattern": "^[!-~]+$"}
    })
}
