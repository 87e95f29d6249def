//! The OpenAPI 3.1 document of `/api/v1`, built by utoipa from the route table and the
//! request, query and response types of [`super::types`]: every body, query parameter and
//! status an operation can answer is described.

use serde_json::{Value, json};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, Responses};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApiBuilder, PathsBuilder, Ref, RefOr,
    Required, Schema, ServerBuilder,
};
use utoipa::{IntoParams, ToSchema};

use super::routes::{Body, Endpoint, endpoint_list};
use super::types::*;
use crate::domain::Lang;

/// A schema registered among the document's components, by name.
type SchemaFn = fn(&mut Vec<(String, RefOr<Schema>)>) -> String;

fn schema<T: ToSchema>(out: &mut Vec<(String, RefOr<Schema>)>) -> String {
    T::schemas(out);
    let name = T::name().to_string();
    out.push((name.clone(), T::schema()));
    name
}

/// What an operation reads and answers, beyond what the route table says.
pub struct Contract {
    pub request: Option<SchemaFn>,
    pub query: fn() -> Vec<Parameter>,
    /// The success body; `None` for 204.
    pub response: Option<SchemaFn>,
    /// Answers 409: the state of what it acts on refuses it.
    pub conflicts: bool,
    /// Answers 404 when what its query names does not exist (as a path's `{id}` does).
    pub finds: bool,
}

fn no_query() -> Vec<Parameter> {
    Vec::new()
}

fn query<T: IntoParams>() -> Vec<Parameter> {
    T::into_params(|| Some(ParameterIn::Query))
}

/// The contract of each operation of the route table, by method and path.
pub fn contract(method: &str, path: &str) -> Option<Contract> {
    let c = |request: Option<SchemaFn>, response: Option<SchemaFn>, conflicts: bool| Contract {
        request,
        query: no_query,
        response,
        conflicts,
        finds: false,
    };
    let notice = Some(schema::<NoticeOut> as SchemaFn);
    let action = |request: SchemaFn| c(Some(request), notice, true);
    Some(match (method, path) {
        ("get", "/services") => c(None, Some(schema::<ServiceList>), false),
        ("post", "/services") => c(Some(schema::<ServiceNew>), Some(schema::<ServiceOut>), true),
        ("get", "/services/{code}") => c(None, Some(schema::<ServiceOut>), false),
        ("patch", "/services/{code}") => c(
            Some(schema::<ServiceChanges>),
            Some(schema::<ServiceOut>),
            false,
        ),
        ("delete", "/services/{code}") => c(None, None, true),
        ("get", "/notices") => Contract {
            query: query::<NoticeQuery>,
            ..c(None, Some(schema::<NoticeList>), false)
        },
        ("post", "/notices") => c(Some(schema::<NoticeIn>), notice, true),
        ("get", "/notices/{id}") => c(None, notice, false),
        ("patch", "/notices/{id}") => c(Some(schema::<NoticeIn>), notice, true),
        ("post", "/notices/{id}/publish")
        | ("post", "/notices/{id}/start")
        | ("post", "/notices/{id}/complete")
        | ("post", "/notices/{id}/cancel") => action(schema::<ActionIn>),
        ("post", "/notices/{id}/extend") => action(schema::<ExtendIn>),
        ("post", "/notices/{id}/reschedule") => action(schema::<RescheduleIn>),
        ("post", "/notices/{id}/updates") => action(schema::<PostUpdateIn>),
        ("get", "/notices/{id}/deliveries") => c(None, Some(schema::<DeliveryReport>), false),
        ("post", "/notices/{id}/preview") => {
            c(Some(schema::<PreviewIn>), Some(schema::<PreviewOut>), false)
        }
        ("post", "/notices/preview") => {
            c(Some(schema::<NoticeIn>), Some(schema::<PreviewOut>), false)
        }
        ("get", "/billers") => c(None, Some(schema::<BillerList>), false),
        ("post", "/billers") => c(Some(schema::<BillerIn>), Some(schema::<BillerOut>), true),
        ("post", "/billers/{id}/tokens") => c(
            Some(schema::<TokenIn>),
            Some(schema::<BillerTokenOut>),
            true,
        ),
        ("get", "/endpoints") => Contract {
            query: query::<EndpointQuery>,
            ..c(None, Some(schema::<EndpointList>), false)
        },
        ("post", "/endpoints") => c(
            Some(schema::<EndpointIn>),
            Some(schema::<EndpointCreated>),
            true,
        ),
        ("get", "/endpoints/{id}") => c(None, Some(schema::<EndpointOut>), false),
        ("patch", "/endpoints/{id}") => c(
            Some(schema::<EndpointIn>),
            Some(schema::<EndpointOut>),
            true,
        ),
        ("delete", "/endpoints/{id}") => c(None, None, true),
        ("post", "/endpoints/{id}/rotate-secret") => c(None, Some(schema::<SecretRotated>), true),
        ("post", "/endpoints/{id}/test") => c(None, Some(schema::<TestResult>), false),
        ("post", "/endpoints/{id}/enable") => {
            c(Some(schema::<EnableIn>), Some(schema::<Enabled>), true)
        }
        ("post", "/endpoints/{id}/disable") => {
            c(Some(schema::<DisableIn>), Some(schema::<Enabled>), true)
        }
        ("get", "/endpoints/{id}/deliveries") => Contract {
            query: query::<DeliveriesQuery>,
            ..c(None, Some(schema::<DeliveryList>), false)
        },
        ("get", "/endpoints/{id}/deliveries/{delivery}/attempts") => {
            c(None, Some(schema::<AttemptList>), false)
        }
        ("post", "/endpoints/{id}/deliveries/{delivery}/replay") => {
            c(None, Some(schema::<Queued>), true)
        }
        ("post", "/endpoints/{id}/recover") => {
            c(Some(schema::<RecoverIn>), Some(schema::<Queued>), true)
        }
        ("get", "/schemas") => c(None, Some(schema::<SchemaIndex>), false),
        // A JSON Schema document (2020-12) of one webhook payload.
        ("get", "/schemas/{file}") => c(None, Some(schema::<AnyObject>), false),
        ("get", "/openapi.json") => c(None, Some(schema::<AnyObject>), false),
        ("post", "/subscribers") => c(
            Some(schema::<SubscriberIn>),
            Some(schema::<SubscriberOut>),
            true,
        ),
        ("get", "/subscribers") => Contract {
            query: query::<AddressQuery>,
            finds: true,
            ..c(None, Some(schema::<SubscriberOut>), false)
        },
        ("get", "/subscribers/export") => Contract {
            query: query::<AddressQuery>,
            finds: true,
            ..c(None, Some(schema::<SubscriberExport>), false)
        },
        ("delete", "/subscribers") => Contract {
            query: query::<AddressQuery>,
            finds: true,
            ..c(None, None, false)
        },
        _ => return None,
    })
}

/// A JSON document the API returns as it is (an OpenAPI or JSON Schema document).
#[derive(utoipa::ToSchema)]
#[schema(value_type = Object)]
pub struct AnyObject(#[allow(dead_code)] serde_json::Value);

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

fn idempotency_key() -> Parameter {
    use super::idempotency::{HEADER, KEY_MAX};
    ParameterBuilder::new()
        .name(HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(format!(
            "Makes a retry safe: the same key with the same request within 24 hours gets the first answer again (marked Idempotent-Replayed: true) and does nothing; with another request it is a 422; while the first has not answered, a 409. 1 to {KEY_MAX} visible ASCII characters, bare or as a quoted string; a UUID is a good key."
        )))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(KEY_MAX))
                .pattern(Some("^[!-~]+$")),
        ))
        .build()
}

fn path_parameter(name: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1)),
        ))
        .build()
}

fn method(m: &str) -> HttpMethod {
    match m {
        "get" => HttpMethod::Get,
        "post" => HttpMethod::Post,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        "put" => HttpMethod::Put,
        other => panic!("no HTTP method '{other}' in the route table"),
    }
}

/// OpenAPI 3.1 description of `/api/v1` at `server`, for a page in `languages`.
pub fn openapi_document(server: &str, languages: &[Lang]) -> Value {
    document(&endpoint_list(), server, languages)
}

fn document(endpoints: &[Endpoint], server: &str, languages: &[Lang]) -> Value {
    let mut schemas: Vec<(String, RefOr<Schema>)> = Vec::new();
    schema::<ErrorBody>(&mut schemas);
    let mut requests: Vec<String> = Vec::new();
    let mut paths = PathsBuilder::new();
    for e in endpoints {
        let c = contract(e.method, e.path)
            .unwrap_or_else(|| panic!("no contract for {} {}", e.method, e.path));
        let mut parameters: Vec<Parameter> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(path_parameter)
            .collect();
        parameters.extend((c.query)());
        if e.method == "post" && e.role.is_some() {
            parameters.push(idempotency_key());
        }
        let mut responses = Responses::new();
        let ok = match c.response {
            None => ResponseBuilder::new().description("Done").build(),
            Some(f) => {
                let name = f(&mut schemas);
                ResponseBuilder::new()
                    .description("Success")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name(name)))
                            .build(),
                    )
                    .build()
            }
        };
        responses.responses.insert(e.ok.to_string(), ok.into());
        let mut errors: Vec<(u16, &str)> = Vec::new();
        if e.role.is_some() {
            errors.push((401, "No token, or one that is not valid"));
            errors.push((403, "The token's role may not do this"));
            errors.push((
                429,
                "The token made more requests than server.api_requests_per_minute allows; Retry-After says when to try again",
            ));
        }
        if e.path.contains('{') || c.finds {
            errors.push((404, "Not found"));
        }
        if e.body != Body::None || !(c.query)().is_empty() {
            errors.push((
                400,
                "The body is not JSON, or the query string cannot be read",
            ));
        }
        if e.body != Body::None {
            errors.push((413, "The body is larger than the API accepts"));
            errors.push((415, "The body is not sent as application/json"));
        }
        let posts = e.method == "post" && e.role.is_some();
        if c.conflicts || posts {
            errors.push((
                409,
                "The current state refuses it, or a request with the same Idempotency-Key is under way",
            ));
        }
        if e.body != Body::None || posts || !parameters.is_empty() {
            errors.push((
                422,
                "A field, parameter or header is missing or wrong: each is named",
            ));
        }
        errors.push((500, "Something failed on the server"));
        errors.push((503, "The database cannot serve just now; try again"));
        for (status, description) in errors {
            responses
                .responses
                .insert(status.to_string(), error_response(description).into());
        }
        let mut op = OperationBuilder::new()
            .summary(Some(e.summary))
            .operation_id(Some(format!(
                "{}{}",
                e.method,
                e.path.replace(['/', '{', '}', '.', '-'], "_")
            )))
            .parameters(Some(parameters))
            .responses(responses)
            .securities(Some(match e.role {
                Some(_) => vec![SecurityRequirement::new("bearer", Vec::<String>::new())],
                None => vec![],
            }));
        if let Some(r) = e.role {
            let mut ext = utoipa::openapi::extensions::Extensions::default();
            ext.insert("x-tangazo-role".into(), json!(r.as_str()));
            op = op.extensions(Some(ext));
        }
        if let Some(f) = c.request {
            let name = f(&mut schemas);
            requests.push(name.clone());
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(if e.body == Body::Required {
                        Required::True
                    } else {
                        Required::False
                    }))
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name(name)))
                            .build(),
                    )
                    .build(),
            ));
        }
        paths = paths.path(e.path, PathItem::new(method(e.method), op.build()));
    }
    let mut components = ComponentsBuilder::new().security_scheme(
        "bearer",
        SecurityScheme::Http({
            let mut h = Http::new(HttpAuthScheme::Bearer);
            h.description = Some("A token from `tangazo token create`".into());
            h
        }),
    );
    for (name, s) in schemas {
        components = components.schema(name, s);
    }
    let doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Tangazo staff API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("Services and notices of the status page. Texts are objects keyed by language ({\"en\": …, \"sw\": …}); times are RFC 3339 or local times in the page's zone. Every error answers {\"errors\": {\"field\": \"message\"}}, the field naming what the message is about: a body field, a header (Authorization for 401 and 403, Idempotency-Key), what was not found (404), body (413) or server (500). A POST may carry an Idempotency-Key: a retry with the same key and body within 24 hours gets the first answer again and does nothing."))
                .build(),
        )
        .servers(Some([ServerBuilder::new()
            .url(format!("{server}/api/v1"))
            .build()]))
        .paths(paths.build())
        .components(Some(components.build()))
        .build();
    let mut v = serde_json::to_value(doc).expect("the document serialises");
    name_languages(&mut v, languages);
    for name in requests {
        if let Some(s) = v["components"]["schemas"].get_mut(&name) {
            null_means_absent(s);
        }
    }
    v
}

/// In a request body, an optional field may be sent as `null`, which means the same as
/// leaving it out; utoipa says so for plain `Option` fields but not for those whose schema is
/// written by hand (`schema_with`), so it is said here for every optional property.
fn null_means_absent(schema: &mut Value) {
    let required: Vec<Value> = schema["required"].as_array().cloned().unwrap_or_default();
    let Some(props) = schema["properties"].as_object_mut() else {
        return;
    };
    for (name, p) in props.iter_mut() {
        if required.contains(&json!(name)) {
            continue;
        }
        if let Some(t) = p.get("type").and_then(Value::as_str).map(str::to_string) {
            p["type"] = json!([t, "null"]);
        }
    }
}

/// Replaces the language placeholders of the static schemas with this page's languages: a
/// text object may hold only those keys (and must hold every one where the text is
/// required), a language field only those values.
fn name_languages(v: &mut Value, languages: &[Lang]) {
    let codes: Vec<Value> = languages.iter().map(|l| json!(l.code())).collect();
    match v {
        Value::Object(map) => {
            if let Some(t) = map.remove("x-tangazo-texts") {
                map.insert("propertyNames".into(), json!({ "enum": codes }));
                // A required text needs the first (default) language; the others fall back.
                if t["required"] == json!(true) && !codes.is_empty() {
                    map.insert("required".into(), json!([codes[0]]));
                }
            }
            if map.remove("x-tangazo-language").is_some() {
                map.insert("enum".into(), Value::Array(codes.clone()));
            }
            for child in map.values_mut() {
                name_languages(child, languages);
            }
        }
        Value::Array(items) => {
            for child in items {
                name_languages(child, languages);
            }
        }
        _ => {}
    }
}
