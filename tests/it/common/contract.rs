//! Checks every staff API answer the tests receive against the OpenAPI document: the status
//! must be one the operation documents, and the body must match the schema documented for it.
//! A handler that answers a field, a status or a shape the document does not describe fails
//! the test that met it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tangazo::domain::Lang;

struct Contract {
    doc: Value,
    /// Compiled validators by component schema name.
    validators: Mutex<BTreeMap<String, Arc<jsonschema::Validator>>>,
}

impl Contract {
    fn new(languages: &[Lang]) -> Contract {
        let doc = tangazo::web::api::openapi_document("http://contract.test", languages);
        Contract {
            doc,
            validators: Mutex::new(BTreeMap::new()),
        }
    }

    /// A validator of the component `name`, with every other component reachable under
    /// `$defs` (OpenAPI's `#/components/schemas/X` rewritten to `#/$defs/X`).
    fn validator(&self, name: &str) -> Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().unwrap();
        if let Some(v) = cache.get(name) {
            return v.clone();
        }
        let defs = rewrite_refs(self.doc["components"]["schemas"].clone());
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": format!("#/$defs/{name}"),
            "$defs": defs,
        });
        let v = Arc::new(
            jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|e| panic!("the schema {name} does not compile: {e}")),
        );
        cache.insert(name.to_string(), v.clone());
        v
    }

    /// The operation of the document that serves `method` `path` (without the query): the
    /// one whose template matches with the most literal segments.
    fn operation(&self, method: &str, path: &str) -> Option<(&str, &Value)> {
        let method = method.to_ascii_lowercase();
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, &str, &Value)> = None;
        for (template, item) in self.doc["paths"].as_object()? {
            let Some(op) = item.get(&method) else {
                continue;
            };
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut literal = 0;
            let matches = parts.iter().zip(&segments).all(|(t, s)| {
                if t.starts_with('{') {
                    !s.is_empty()
                } else {
                    literal += 1;
                    t == s
                }
            });
            if matches && best.is_none_or(|(n, _, _)| literal > n) {
                best = Some((literal, template, op));
            }
        }
        best.map(|(_, t, op)| (t, op))
    }
}

fn rewrite_refs(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match (k.as_str(), &v) {
                    ("$ref", Value::String(r)) => (
                        k,
                        Value::String(r.replace("#/components/schemas/", "#/$defs/")),
                    ),
                    _ => (k, rewrite_refs(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(rewrite_refs).collect()),
        other => other,
    }
}

fn contract(languages: &[Lang]) -> Arc<Contract> {
    static CONTRACTS: OnceLock<Mutex<BTreeMap<String, Arc<Contract>>>> = OnceLock::new();
    let key = languages
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(",");
    CONTRACTS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(key)
        .or_insert_with(|| Arc::new(Contract::new(languages)))
        .clone()
}

/// Fails unless `status` and `body` are what the document says `method` `path` (under
/// `/api/v1`, query string allowed) may answer. `body` is the parsed JSON, `Null` for none.
pub fn check(languages: &[Lang], method: &str, path: &str, status: u16, body: &Value) {
    let c = contract(languages);
    let path = path.split('?').next().unwrap_or(path);
    let what = format!("{method} {path} answered {status}");
    let Some((template, op)) = c.operation(method, path) else {
        // A route the API does not have: the router's 404 or 405, in the error shape.
        assert!(
            status == 404 || status == 405,
            "{what}, but the document has no such operation: {body}"
        );
        validate(&c, "ErrorBody", body, &what);
        return;
    };
    let Some(response) = op["responses"].get(status.to_string()) else {
        panic!(
            "{what}: status {status} is not documented for {method} {template} (documented: {:?}); body {body}",
            op["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        );
    };
    match response["content"]["application/json"]["schema"]["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            validate(&c, name, body, &what);
        }
        None => assert!(
            body.is_null(),
            "{what}: the document describes no body, but it answered {body}"
        ),
    }
}

fn validate(c: &Contract, name: &str, body: &Value, what: &str) {
    let v = c.validator(name);
    let errors: Vec<String> = v
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the body does not match its documented schema {name}:\n  {}\nbody: {body}",
        errors.join("\n  ")
    );
}
