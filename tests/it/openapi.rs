//! The OpenAPI document at `/api/v1/openapi.json`, checked against the real server: it is
//! OpenAPI 3.1, every reference resolves, every parameter says what it is, every documented
//! operation is one the router serves (the router registers `/api/v1` routes from the same
//! annotations, so every served one is documented), and live answers of every JSON endpoint
//! validate against the schemas the document gives for them.
//!
//! The server is the one of `realtime_outputs` (sample network, clock stopped on Monday
//! 2026-11-23 07:40) with its realtime scene published, so boards, vehicles and trips carry
//! predictions. It runs without a store, so the operator endpoints (`/api/v1/operator/…`) are
//! checked on the server of `operator` (its store, an operator's token, the sample feed zipped
//! in the test).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::operator::{FEED, add_operator, sample_files, v1_zip, zip_of};
use crate::realtime_outputs::{TestApp, first_header, scene, spawn, stop_alert};

/// The operator endpoints' paths, checked on a server with a store.
const OPERATOR: &str = "/api/v1/operator/";

/// A value for each path parameter of the documented paths, from the sample feed.
fn example(param: &str) -> &'static str {
    match param {
        "stop_id" => "binh-duong:BD2081",
        "route_id" => "binh-duong:51",
        "trip_id" => "binh-duong:51_WD_0_0650",
        "file" => "binh-duong:BD2081.json",
        "source_id" => "no-such-source",
        "feed_id" => FEED,
        "id" => "1",
        other => panic!(
            "path parameter {{{other}}} has no example value: add one to openapi::example so \
             the new endpoint is exercised"
        ),
    }
}

/// `template` with each `{param}` replaced by its example.
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').expect("balanced braces") + open;
        out.push_str(&rest[..open]);
        out.push_str(example(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

async fn document(app: &TestApp) -> Value {
    let response = app
        .get("/api/v1/openapi.json", &[("origin", "https://example.org")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "*",
        "a public read: CORS like the rest of the API"
    );
    response.json().await.expect("the document is JSON")
}

/// `(path template, method, operation)` of every documented operation.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push((path.clone(), method.clone(), op.clone()));
        }
    }
    out
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_info_and_described_parameters() {
    let app = spawn(&["binh-duong"]).await;
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["info"]["license"]["identifier"], "Apache-2.0");
    assert!(
        doc["info"]["title"].as_str().is_some_and(|t| !t.is_empty())
            && doc["info"]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
    );
    assert_eq!(
        doc["servers"][0]["url"], "/",
        "relative to wherever it is served"
    );

    let ops = operations(&doc);
    let documented: BTreeSet<String> = ops.iter().map(|(p, m, _)| format!("{m} {p}")).collect();
    for expected in [
        "get /health",
        "get /api/v1/openapi.json",
        "get /api/v1/stops",
        "get /api/v1/stops/{stop_id}",
        "get /api/v1/stops/{stop_id}/departures",
        "get /api/v1/stops/{stop_id}/departures/stream",
        "get /api/v1/signage/{file}",
        "get /api/v1/routes",
        "get /api/v1/routes/{route_id}",
        "get /api/v1/routes/{route_id}/arrivals",
        "get /api/v1/network",
        "get /api/v1/trips/{trip_id}",
        "get /api/v1/vehicles",
        "get /api/v1/time",
        "post /api/v1/realtime/{source_id}",
        "post /api/v1/operator/feeds/{feed_id}/versions",
        "get /api/v1/operator/feeds/{feed_id}/versions",
        "get /api/v1/operator/feeds/{feed_id}/versions/{id}",
        "delete /api/v1/operator/feeds/{feed_id}/versions/{id}",
        "post /api/v1/operator/feeds/{feed_id}/versions/{id}/activate",
        "post /api/v1/operator/feeds/{feed_id}/rollback",
        "get /api/v1/operator/audit",
    ] {
        assert!(
            documented.contains(expected),
            "{expected} missing: {documented:?}"
        );
    }
    let ids: BTreeSet<&str> = ops
        .iter()
        .filter_map(|(_, _, op)| op["operationId"].as_str())
        .collect();
    assert_eq!(
        ids.len(),
        ops.len(),
        "operation ids are unique (client generators)"
    );
    for (path, method, op) in &ops {
        let what = format!("{method} {path}");
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{what}: no tag"
        );
        assert!(
            op["summary"].is_string() || op["description"].is_string(),
            "{what}: no description"
        );
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{what}: no success answer"
        );
        assert!(responses.contains_key("429"), "{what}: the rate limit");
        for param in op["parameters"].as_array().into_iter().flatten() {
            assert!(
                param["description"].as_str().is_some_and(|d| d.len() > 10),
                "{what}: parameter {} is not described",
                param["name"]
            );
            if param["in"] == "path" {
                assert!(
                    path.contains(&format!("{{{}}}", param["name"].as_str().unwrap_or(""))),
                    "{what}: path parameter {} is not in the path",
                    param["name"]
                );
            }
        }
        // 4xx answers are the JSON error body; an upload's invalid feed is its report.
        for (status, response) in responses {
            if status.starts_with('4') {
                let expected = if what == "post /api/v1/operator/feeds/{feed_id}/versions"
                    && status == "422"
                {
                    "#/components/schemas/ValidationReport"
                } else {
                    "#/components/schemas/ErrorBody"
                };
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"], expected,
                    "{what} {status}: errors are ErrorBody"
                );
            }
        }
        if path.starts_with(OPERATOR) {
            assert_eq!(op["tags"], serde_json::json!(["operator"]), "{what}");
            assert_eq!(
                op["security"],
                serde_json::json!([{"bearer": []}]),
                "{what}: operator endpoints take the operator's bearer token"
            );
            assert!(responses.contains_key("401"), "{what}: no 401");
        }
    }
    let upload = &doc["paths"]["/api/v1/operator/feeds/{feed_id}/versions"]["post"];
    let bodies = upload["requestBody"]["content"]
        .as_object()
        .expect("the upload documents its body");
    assert!(
        bodies.contains_key("application/zip") && bodies.contains_key("multipart/form-data"),
        "{bodies:?}"
    );
    assert!(
        bodies["multipart/form-data"]["schema"]["properties"]["file"].is_object(),
        "the form's file field: {bodies:?}"
    );
    let activate = &doc["paths"]["/api/v1/operator/feeds/{feed_id}/versions/{id}/activate"]["post"];
    let body = &activate["requestBody"];
    assert_ne!(body["required"], true, "the activate body is optional");
    assert!(
        body["content"]["application/json"]["schema"]["oneOf"]
            .as_array()
            .is_some_and(|s| s
                .iter()
                .any(|s| s["$ref"] == "#/components/schemas/ActivateRequest")),
        "{body:#}"
    );
    // The query parameters the handlers read are documented where they apply.
    let params_of_op = |method: &str, path: &str| -> BTreeSet<String> {
        ops.iter()
            .find(|(p, m, _)| p == path && m == method)
            .map(|(_, _, op)| {
                op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let params_of = |path: &str| params_of_op("get", path);
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|n| (*n).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        params_of("/api/v1/stops"),
        set(&["q", "lat", "lon", "radius", "limit", "lang"])
    );
    assert_eq!(
        params_of("/api/v1/stops/{stop_id}/departures"),
        set(&["from", "minutes", "limit", "lang"])
    );
    assert_eq!(
        params_of("/api/v1/signage/{file}"),
        set(&["route", "limit", "lang", "width", "ascii"])
    );
    assert_eq!(params_of("/api/v1/vehicles"), set(&["route", "lang"]));
    assert_eq!(
        params_of("/api/v1/trips/{trip_id}"),
        set(&["date", "start", "lang"])
    );
    assert_eq!(
        params_of_op("post", "/api/v1/operator/feeds/{feed_id}/versions"),
        set(&["validate_only"])
    );
}

/// Every `$ref` string in `v`, with where it was found.
fn refs(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "$ref"
                    && let Some(r) = child.as_str()
                {
                    out.push((at.to_owned(), r.to_owned()));
                }
                refs(child, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_reference_resolves() {
    let app = spawn(&["binh-duong"]).await;
    let doc = document(&app).await;
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 20, "the document uses components: {found:?}");
    for (at, r) in &found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: {r} is not a local reference"));
        assert!(doc.pointer(pointer).is_some(), "{at}: {r} does not resolve");
    }
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    let doc = document(&app).await;
    assert_served(&doc, &app.base, |template| !template.starts_with(OPERATOR)).await;
}

/// Each documented operation whose path `select` takes is routed by the server at `base`
/// (answered without a token: not the router's fallback, not a server error).
async fn assert_served(doc: &Value, base: &str, select: impl Fn(&str) -> bool) {
    let client = crate::support::http_client();
    let mut checked = 0;
    for (template, method, _) in operations(doc) {
        if !select(&template) {
            continue;
        }
        checked += 1;
        let url = format!("{base}{}", concrete(&template));
        let request = match method.as_str() {
            "get" => client.get(&url),
            "post" => client.post(&url).body(vec![0u8; 4]),
            "delete" => client.delete(&url),
            other => panic!("{other} {template}: no test request for this method"),
        };
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .to_owned();
        if template.ends_with("/stream") {
            assert_eq!(status, StatusCode::OK, "{method} {template}");
            assert_eq!(content_type, "text/event-stream", "{template}");
            continue;
        }
        let body = response.text().await.expect("body");
        // The router's fallbacks: `not_found` JSON under /api, the app's HTML page elsewhere.
        let fallback = status == StatusCode::NOT_FOUND
            && (!content_type.starts_with("application/json") || body.contains("\"not_found\""));
        assert!(
            !fallback,
            "{method} {template} ({url}) is documented but not routed: {status} {body}"
        );
        assert!(!status.is_server_error(), "{method} {url}: {status} {body}");
    }
    assert!(checked > 5, "{checked} operations checked");
}

/// The schema the document gives for `status` of `method template` as JSON, made a
/// standalone JSON Schema (2020-12, the dialect of OpenAPI 3.1) carrying the document's
/// components.
fn response_schema(doc: &Value, method: &str, template: &str, status: u16) -> Value {
    let schema = doc["paths"][template][method]["responses"][status.to_string()]["content"]
        ["application/json"]["schema"]
        .clone();
    assert!(
        schema.is_object(),
        "{method} {template} documents no JSON body for {status}"
    );
    let mut root = schema;
    root["components"] = doc["components"].clone();
    root
}

/// Fails unless `body` (the answer `status` of `method template`) matches its schema.
fn assert_matches(doc: &Value, method: &str, template: &str, status: u16, body: &Value) {
    let schema = response_schema(doc, method, template, status);
    let validator = jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("{method} {template} {status}: invalid schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} ({status}) does not match its schema:\n{}\nbody: {body:#}",
        errors.join("\n")
    );
}

#[tokio::test]
async fn live_answers_validate_against_their_documented_schemas() {
    let app = spawn(&["binh-duong"]).await;
    let mut snapshot = scene(app.schedule(), first_header());
    for fs in snapshot.feeds.values_mut() {
        fs.alerts.push(stop_alert(app.schedule(), "BD2081"));
    }
    app.publish(snapshot);
    let doc = document(&app).await;
    // (template, request, status): every JSON answer of every GET endpoint, errors included.
    let cases: &[(&str, &str, u16)] = &[
        ("/health", "/health", 200),
        ("/api/v1/stops", "/api/v1/stops?q=hikari", 200),
        (
            "/api/v1/stops",
            "/api/v1/stops?lat=10.98&lon=106.67&radius=2000",
            200,
        ),
        ("/api/v1/stops", "/api/v1/stops", 400),
        (
            "/api/v1/stops/{stop_id}",
            "/api/v1/stops/binh-duong:ST_HIKARI",
            200,
        ),
        (
            "/api/v1/stops/{stop_id}",
            "/api/v1/stops/binh-duong:BD2081",
            200,
        ),
        (
            "/api/v1/stops/{stop_id}",
            "/api/v1/stops/binh-duong:NOPE",
            404,
        ),
        (
            "/api/v1/stops/{stop_id}/departures",
            "/api/v1/stops/binh-duong:BD2081/departures",
            200,
        ),
        (
            "/api/v1/stops/{stop_id}/departures",
            "/api/v1/stops/binh-duong:ST_BRT01/departures?minutes=30",
            200,
        ),
        (
            "/api/v1/stops/{stop_id}/departures",
            "/api/v1/stops/binh-duong:BD2081/departures?minutes=0",
            400,
        ),
        (
            "/api/v1/signage/{file}",
            "/api/v1/signage/binh-duong:BD2081.json",
            200,
        ),
        (
            "/api/v1/signage/{file}",
            "/api/v1/signage/binh-duong:BD2081.json?limit=99",
            400,
        ),
        ("/api/v1/routes", "/api/v1/routes", 200),
        (
            "/api/v1/routes/{route_id}",
            "/api/v1/routes/binh-duong:51",
            200,
        ),
        (
            "/api/v1/routes/{route_id}",
            "/api/v1/routes/binh-duong:NOPE",
            404,
        ),
        (
            "/api/v1/routes/{route_id}/arrivals",
            "/api/v1/routes/binh-duong:51/arrivals?limit=2",
            200,
        ),
        (
            "/api/v1/routes/{route_id}/arrivals",
            "/api/v1/routes/binh-duong:51/arrivals?limit=0",
            400,
        ),
        (
            "/api/v1/routes/{route_id}/arrivals",
            "/api/v1/routes/binh-duong:NOPE/arrivals",
            404,
        ),
        ("/api/v1/network", "/api/v1/network", 200),
        (
            "/api/v1/trips/{trip_id}",
            "/api/v1/trips/binh-duong:51_WD_0_0650",
            200,
        ),
        (
            "/api/v1/trips/{trip_id}",
            "/api/v1/trips/binh-duong:BRT_WD_0?start=07:41:10",
            200,
        ),
        (
            "/api/v1/trips/{trip_id}",
            "/api/v1/trips/binh-duong:51_WD_0_0650?date=soon",
            400,
        ),
        (
            "/api/v1/trips/{trip_id}",
            "/api/v1/trips/binh-duong:NOPE",
            404,
        ),
        ("/api/v1/vehicles", "/api/v1/vehicles", 200),
        ("/api/v1/vehicles", "/api/v1/vehicles?route=NOPE", 404),
        ("/api/v1/time", "/api/v1/time", 200),
        ("/api/v1/alerts", "/api/v1/alerts?lang=en", 200),
        ("/api/v1/alerts", "/api/v1/alerts?stop=binh-duong:NOPE", 404),
    ];
    // Every GET endpoint documented with a JSON answer is exercised above (the operator's in
    // `operator_answers_validate_against_their_documented_schemas`).
    let json_gets: BTreeSet<String> = operations(&doc)
        .into_iter()
        .filter(|(p, m, op)| {
            m == "get"
                && !p.starts_with(OPERATOR)
                && op["responses"]["200"]["content"]["application/json"].is_object()
        })
        .map(|(p, _, _)| p)
        .collect();
    let covered: BTreeSet<String> = cases
        .iter()
        .filter(|c| c.2 == 200)
        .map(|c| c.0.to_owned())
        .collect();
    assert_eq!(
        json_gets, covered,
        "each JSON GET endpoint needs a live answer checked here"
    );
    for &(template, path, status) in cases {
        let response = app.get(path, &[]).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        let body: Value = response.json().await.expect("JSON");
        assert_matches(&doc, "get", template, status, &body);
    }
    // The schemas are not vacuous: a body missing a required field fails.
    let schema = response_schema(&doc, "get", "/api/v1/time", 200);
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    assert!(!validator.is_valid(&serde_json::json!({"now": "2026-11-23T00:40:00Z"})));
}

/// Every `/api/v1` route is registered from its handler's `#[utoipa::path]`
/// (`.routes(routes!(…))`), which is what puts it in the document; a plain `.route(…)` would
/// serve an undocumented endpoint. The document itself is the one exception.
#[test]
fn api_routes_are_registered_from_their_annotations() {
    let source =
        std::fs::read_to_string(crate::support::repo_root().join("backend/src/api/mod.rs"))
            .expect("api/mod.rs");
    let start = source.find("pub fn v1()").expect("the v1 router");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("end of v1")];
    assert!(body.matches(".routes(routes!(").count() >= 10, "{body}");
    for (at, _) in body.match_indices(".route(") {
        let call: String = body[at..].chars().take(60).collect();
        assert!(
            call.split_whitespace()
                .collect::<String>()
                .starts_with(".route(\"/openapi.json\""),
            "an /api/v1 route registered without its OpenAPI annotation: {call}… — annotate the \
             handler with #[utoipa::path] and register it with .routes(routes!(handler))"
        );
    }
}

/// The operator routes too (`api/operator.rs`, nested into the documented router of `v1`):
/// registered from their annotations, every handler of the module.
#[test]
fn operator_routes_are_registered_from_their_annotations() {
    let root = crate::support::repo_root().join("backend/src/api");
    let api = std::fs::read_to_string(root.join("mod.rs")).expect("api/mod.rs");
    let v1 = &api[api.find("pub fn v1()").expect("the v1 router")..];
    let nested = v1
        .find(".nest(\"/operator\", operator::router())")
        .expect("the operator router is nested into the documented one");
    assert!(
        nested < v1.find("split_for_parts").expect("split_for_parts"),
        "nested before the document is taken from the router"
    );
    let source = std::fs::read_to_string(root.join("operator.rs")).expect("api/operator.rs");
    let start = source.find("pub fn router()").expect("the operator router");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("end of router")];
    assert!(
        !body.contains(".route("),
        "an operator route registered without its OpenAPI annotation: {body}"
    );
    for handler in [
        "upload", "list", "show", "delete", "activate", "rollback", "audit",
    ] {
        assert!(
            body.split("routes!(")
                .skip(1)
                .any(|args| args[..args.find(')').unwrap_or(0)]
                    .split(',')
                    .any(|h| h.trim() == handler)),
            "{handler} is not registered with routes!: {body}"
        );
    }
}

/// Live operator answers, successes and refusals, against the schemas the document gives for
/// them: a real upload of the sample feed zipped in the test, its dry run, an invalid zip
/// (422, its report), no token (401), another feed's operator (403), activation, the audit log.
#[tokio::test]
async fn operator_answers_validate_against_their_documented_schemas() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let other = add_operator(&dirs, "bao", &["other-feed"], false);
    let server = crate::operator::start(&dirs, &crate::operator::TestClock::new(), &token).await;
    let response = server
        .http
        .get(format!("{}/api/v1/openapi.json", server.base))
        .send()
        .await
        .expect("document");
    let doc: Value = response.json().await.expect("the document is JSON");
    assert_served(&doc, &server.base, |template| {
        template.starts_with(OPERATOR)
    })
    .await;
    // Nested into the documented router, they still answer web pages no CORS.
    let cross = server
        .http
        .get(server.operator(&format!("/feeds/{FEED}/versions")))
        .header("origin", "https://example.org")
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(cross.status(), StatusCode::OK);
    assert!(
        cross.headers().get("access-control-allow-origin").is_none(),
        "{:?}",
        cross.headers()
    );

    let versions = "/api/v1/operator/feeds/{feed_id}/versions";
    let version = "/api/v1/operator/feeds/{feed_id}/versions/{id}";
    let activate = "/api/v1/operator/feeds/{feed_id}/versions/{id}/activate";
    let rollback = "/api/v1/operator/feeds/{feed_id}/rollback";
    let audit = "/api/v1/operator/audit";
    let reports = "/api/v1/operator/feeds/{feed_id}/reports";
    let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
    // Checks the answer's status and body; the body.
    let mut check = async |method: &str, template: &str, response: reqwest::Response, status| {
        assert_eq!(response.status().as_u16(), status, "{method} {template}");
        if status < 300 {
            covered.insert((method.to_owned(), template.to_owned()));
        }
        if status == 204 {
            assert!(
                doc["paths"][template][method]["responses"]["204"].is_object()
                    && doc["paths"][template][method]["responses"]["204"]["content"].is_null(),
                "{method} {template}: 204 documented without a body"
            );
            assert!(response.bytes().await.expect("body").is_empty());
            return Value::Null;
        }
        let body: Value = response.json().await.expect("JSON");
        assert_matches(&doc, method, template, status, &body);
        body
    };
    let path = |p: &str| format!("/feeds/{FEED}{p}");

    let dry = server
        .upload_as(Some(&token), v1_zip(), "?validate_only=true")
        .await;
    check("post", versions, dry, 200).await;
    let anonymous = server.upload_as(None, v1_zip(), "").await;
    check("post", versions, anonymous, 401).await;
    let broken = server
        .upload_as(Some(&token), b"PK\x03\x04 not really a zip".to_vec(), "")
        .await;
    check("post", versions, broken, 422).await;
    let forbidden = server.upload_as(Some(&other), v1_zip(), "").await;
    check("post", versions, forbidden, 403).await;
    let stored = server.upload_as(Some(&token), v1_zip(), "").await;
    let id = check("post", versions, stored, 201).await["id"]
        .as_i64()
        .expect("version id");
    // The same files zipped in another order: another version, to delete and to roll back from.
    let reordered = || {
        let mut files = sample_files();
        files.reverse();
        zip_of(&files)
    };
    let spare_id = server.upload(reordered()).await.id;

    let get = |p: String, bearer: &str| {
        server
            .http
            .get(server.operator(&p))
            .bearer_auth(bearer)
            .send()
    };
    check(
        "get",
        versions,
        get(path("/versions"), &token).await.expect("sent"),
        200,
    )
    .await;
    check(
        "get",
        versions,
        get(path("/versions"), &other).await.expect("sent"),
        403,
    )
    .await;
    check(
        "get",
        version,
        get(path(&format!("/versions/{id}")), &token)
            .await
            .expect("sent"),
        200,
    )
    .await;
    check(
        "get",
        version,
        get(path("/versions/999999"), &token).await.expect("sent"),
        404,
    )
    .await;

    let bad_at = server
        .post(
            &path(&format!("/versions/{id}/activate")),
            Some(serde_json::json!({"at": "tomorrow"})),
        )
        .await;
    check("post", activate, bad_at, 400).await;
    let now = server
        .post(&path(&format!("/versions/{id}/activate")), None)
        .await;
    check("post", activate, now, 200).await;
    let no_previous = server.post(&path("/rollback"), None).await;
    check("post", rollback, no_previous, 409).await;

    let delete = |v: i64| {
        server
            .http
            .delete(server.operator(&path(&format!("/versions/{v}"))))
            .bearer_auth(&token)
            .send()
    };
    check("delete", version, delete(id).await.expect("sent"), 409).await;
    check(
        "delete",
        version,
        delete(spare_id).await.expect("sent"),
        204,
    )
    .await;
    check(
        "get",
        audit,
        get("/audit".to_owned(), &token).await.expect("sent"),
        200,
    )
    .await;

    // Riders' problem reports (issue 12): one sent through OneBusAway, then listed.
    let sent = server
        .http
        .get(format!(
            "{}/api/where/report-problem-with-stop/becamex-tokyu_BD2081.json?key=TEST&code=other",
            server.base
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(sent.status(), StatusCode::OK);
    let listed = check(
        "get",
        reports,
        get(path("/reports"), &token).await.expect("sent"),
        200,
    )
    .await;
    assert_eq!(listed["reports"][0]["code"], "other");
    check(
        "get",
        reports,
        get(path("/reports"), &other).await.expect("sent"),
        403,
    )
    .await;

    // A rollback that succeeds: from a second version made active back to the first.
    let again = server.upload(reordered()).await;
    let activated = server
        .post(&path(&format!("/versions/{}/activate", again.id)), None)
        .await;
    assert_eq!(activated.status(), StatusCode::OK);
    let back = server.post(&path("/rollback"), None).await;
    check("post", rollback, back, 200).await;

    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .filter(|(p, _, _)| p.starts_with(OPERATOR))
        .map(|(p, m, _)| (m, p))
        .collect();
    assert_eq!(
        documented, covered,
        "each operator operation needs a successful live answer checked here"
    );
}
