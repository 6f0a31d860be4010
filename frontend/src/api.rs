//! Every call the web app makes to the server, in one place. Answers are the JSON API's own
//! types (`api_types`); a refusal is a [`Failure`] (the API's `{error, message}` and status).
//!
//! Where the answers come from depends on where the page is being rendered:
//! - in the browser, `fetch` of the same-origin path (`/api/v1/...`);
//! - on the server, [`server::InProcess`], which the backend implements and provides as Leptos
//!   context ([`server::ServerApi`]): the backend answers the same path with its own API router
//!   in process. Server rendering never opens a connection to its own port, yet sees exactly
//!   what the browser would (same handlers, same validation, same JSON).

use std::future::Future;

use api_types::{DeparturesResponse, StopsResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::format::url_encode;
use crate::i18n::Lang;

/// A request the server refused or that could not be made: `status` 0 when there was no
/// answer at all (network down).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl Failure {
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    fn transport(message: impl Into<String>) -> Self {
        Failure {
            status: 0,
            error: "unreachable".to_owned(),
            message: message.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, Failure>;

/// Stops whose name (any language, diacritics ignored) or code matches `q`.
pub fn search(
    api: &Api,
    q: &str,
    lang: Lang,
) -> impl Future<Output = ApiResult<StopsResponse>> + Send + use<> {
    api.get(format!(
        "/api/v1/stops?q={}&limit=20&lang={}",
        url_encode(q),
        lang.code()
    ))
}

/// Stops within 1 km of a point, nearest first.
pub fn nearby(
    api: &Api,
    lat: f64,
    lon: f64,
    lang: Lang,
) -> impl Future<Output = ApiResult<StopsResponse>> + Send + use<> {
    api.get(format!(
        "/api/v1/stops?lat={lat:.6}&lon={lon:.6}&radius=1000&limit=10&lang={}",
        lang.code()
    ))
}

/// The departure board of a stop (the next 60 minutes).
pub fn board(
    api: &Api,
    stop_id: &str,
    lang: Lang,
) -> impl Future<Output = ApiResult<DeparturesResponse>> + Send + use<> {
    api.get(board_path(stop_id, lang, ""))
}

/// The board's Server-Sent Events (`board` events carry a `DeparturesResponse`).
pub fn board_stream_url(stop_id: &str, lang: Lang) -> String {
    board_path(stop_id, lang, "/stream")
}

fn board_path(stop_id: &str, lang: Lang, suffix: &str) -> String {
    format!(
        "/api/v1/stops/{}/departures{suffix}?lang={}",
        url_encode(stop_id),
        lang.code()
    )
}

// Route pages, maps and alerts.

/// Every route, in the API's order (agency, `route_sort_order`, short name).
pub fn routes(
    api: &Api,
    lang: Lang,
) -> impl Future<Output = ApiResult<api_types::RoutesResponse>> + Send + use<> {
    api.get(format!("/api/v1/routes?lang={}", lang.code()))
}

/// A route: directions with stops and shape, and its vehicles now.
pub fn route(
    api: &Api,
    route_id: &str,
    lang: Lang,
) -> impl Future<Output = ApiResult<api_types::RouteDetail>> + Send + use<> {
    api.get(route_path(route_id, "", lang))
}

/// A route's stops with their next arrivals, per direction.
pub fn route_arrivals(
    api: &Api,
    route_id: &str,
    lang: Lang,
) -> impl Future<Output = ApiResult<api_types::RouteArrivalsResponse>> + Send + use<> {
    api.get(route_path(route_id, "/arrivals", lang))
}

fn route_path(route_id: &str, suffix: &str, lang: Lang) -> String {
    format!(
        "/api/v1/routes/{}{suffix}?lang={}",
        url_encode(route_id),
        lang.code()
    )
}

/// The vehicles now: of one route, or all of them.
pub fn vehicles(
    api: &Api,
    route_id: Option<&str>,
    lang: Lang,
) -> impl Future<Output = ApiResult<api_types::VehiclesResponse>> + Send + use<> {
    api.get(vehicles_path(route_id, lang))
}

fn vehicles_path(route_id: Option<&str>, lang: Lang) -> String {
    match route_id {
        Some(id) => format!(
            "/api/v1/vehicles?route={}&lang={}",
            url_encode(id),
            lang.code()
        ),
        None => format!("/api/v1/vehicles?lang={}", lang.code()),
    }
}

/// Every route with its simplified shapes (the network map).
pub fn network(
    api: &Api,
    lang: Lang,
) -> impl Future<Output = ApiResult<api_types::NetworkResponse>> + Send + use<> {
    api.get(format!("/api/v1/network?lang={}", lang.code()))
}

/// A stop with its routes (`/api/v1/stops/{id}`).
pub fn stop_detail(
    api: &Api,
    stop_id: &str,
    lang: Lang,
) -> impl Future<Output = ApiResult<api_types::StopDetail>> + Send + use<> {
    api.get(format!(
        "/api/v1/stops/{}?lang={}",
        url_encode(stop_id),
        lang.code()
    ))
}

/// The service alerts active now, most severe first.
pub fn alerts(
    api: &Api,
    lang: Lang,
) -> impl Future<Output = ApiResult<api_types::AlertsResponse>> + Send + use<> {
    api.get(format!("/api/v1/alerts?lang={}", lang.code()))
}

// Operator console: the public health figures, and the operator API (`Authorization: Bearer`,
// called from the browser only: the server never sees a token).

/// `GET /health`: the schedules served and each realtime source's state.
pub fn health(api: &Api) -> impl Future<Output = ApiResult<api_types::Health>> + Send + use<> {
    api.get("/health".to_owned())
}

/// Every vehicle realtime sees now, as the health panel counts them per feed.
pub fn vehicle_trips(api: &Api) -> impl Future<Output = ApiResult<VehicleTrips>> + Send + use<> {
    api.get("/api/v1/vehicles".to_owned())
}

/// What the console reads of `GET /api/v1/vehicles` (an `api_types::VehiclesResponse`): each
/// vehicle's id and trip. The rest is skipped: the server-rendered page carries its data to the
/// browser, and the health panel needs no more than this of each vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleTrips {
    pub vehicles: Vec<VehicleTrip>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleTrip {
    /// Global vehicle id (`feed:vehicle`).
    pub id: String,
    /// Global trip id, when it is matched to one.
    #[serde(default)]
    pub trip_id: Option<String>,
}

/// The server's now in each feed's time zone (the console takes the feed's UTC offset from it).
pub fn feed_times(
    api: &Api,
) -> impl Future<Output = ApiResult<api_types::TimeResponse>> + Send + use<> {
    api.get("/api/v1/time".to_owned())
}

/// `/api/v1/operator/feeds/{feed}/versions…`.
pub fn operator_versions_path(feed: &str, rest: &str) -> String {
    format!("/api/v1/operator/feeds/{}/versions{rest}", url_encode(feed))
}

/// Where an upload goes (`?validate_only=true` for a dry run).
pub fn operator_upload_path(feed: &str, validate_only: bool) -> String {
    operator_versions_path(
        feed,
        if validate_only {
            "?validate_only=true"
        } else {
            ""
        },
    )
}

/// The versions of `feed`, newest first.
pub async fn operator_versions(
    token: String,
    feed: String,
) -> ApiResult<api_types::operator::VersionList> {
    let (status, body) =
        operator_request("GET", operator_versions_path(&feed, ""), token, None).await?;
    decode(status, &body)
}

/// Activates version `id` now, or schedules it for `at` (RFC 3339).
pub async fn operator_activate(
    token: String,
    feed: String,
    id: i64,
    at: Option<String>,
) -> ApiResult<api_types::operator::FeedVersion> {
    let path = operator_versions_path(&feed, &format!("/{id}/activate"));
    let body = at.map(|at| {
        serde_json::to_string(&api_types::operator::ActivateRequest { at: Some(at) })
            .unwrap_or_default()
    });
    let (status, body) = operator_request("POST", path, token, body).await?;
    decode(status, &body)
}

/// Serves the previously active version again.
pub async fn operator_rollback(
    token: String,
    feed: String,
) -> ApiResult<api_types::operator::FeedVersion> {
    let path = format!("/api/v1/operator/feeds/{}/rollback", url_encode(&feed));
    let (status, body) = operator_request("POST", path, token, None).await?;
    decode(status, &body)
}

/// Deletes version `id` (not the active one).
pub async fn operator_delete(token: String, feed: String, id: i64) -> ApiResult<()> {
    let path = operator_versions_path(&feed, &format!("/{id}"));
    let (status, body) = operator_request("DELETE", path, token, None).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        decode::<serde_json::Value>(status, &body).map(|_| ())
    }
}

/// What was done on the operator's feeds (uploads, activations, refusals…), newest first.
pub async fn operator_audit(token: String) -> ApiResult<api_types::operator::AuditLog> {
    let path = "/api/v1/operator/audit".to_owned();
    let (status, body) = operator_request("GET", path, token, None).await?;
    decode(status, &body)
}

/// Riders' problem reports about `feed`, newest first.
pub async fn operator_reports(
    token: String,
    feed: String,
) -> ApiResult<api_types::operator::ProblemReports> {
    let path = format!("/api/v1/operator/feeds/{}/reports", url_encode(&feed));
    let (status, body) = operator_request("GET", path, token, None).await?;
    decode(status, &body)
}

/// An operator call: `method path` with the token, JSON `body` if any. Browser only.
async fn operator_request(
    method: &str,
    path: String,
    token: String,
    body: Option<String>,
) -> Result<(u16, String), Failure> {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        browser_send(method, &path, &token, body).await
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    {
        let _ = (method, path, token, body);
        Err(Failure::transport(
            "operator requests are made by the browser only",
        ))
    }
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
async fn browser_send(
    method: &str,
    path: &str,
    token: &str,
    body: Option<String>,
) -> Result<(u16, String), Failure> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let unreachable = |_| Failure::transport("no answer from the server; check your connection");
    let window = web_sys::window().ok_or_else(|| Failure::transport("no window"))?;
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    headers
        .set("Authorization", &format!("Bearer {token}"))
        .map_err(|_| {
            Failure::transport("the token cannot be sent (use only letters and digits)")
        })?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(unreachable)?;
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(unreachable)?
        .dyn_into()
        .map_err(unreachable)?;
    let text = JsFuture::from(response.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// Reads an answer: the type on 2xx, else the API's error body as a [`Failure`].
pub fn decode<T: DeserializeOwned>(status: u16, body: &str) -> ApiResult<T> {
    if (200..300).contains(&status) {
        serde_json::from_str(body).map_err(|e| Failure {
            status,
            error: "bad_response".to_owned(),
            message: format!("the server's answer could not be read: {e}"),
        })
    } else {
        let body: api_types::ErrorBody =
            serde_json::from_str(body).unwrap_or_else(|_| api_types::ErrorBody {
                error: "http_error".to_owned(),
                message: format!("the server answered {status}"),
            });
        Err(Failure {
            status,
            error: body.error,
            message: body.message,
        })
    }
}

/// The way to the API from where the code runs. Take it with [`Api::new`] while a component
/// is being built (it reads context), then call it from resources and event handlers.
#[derive(Clone)]
#[cfg_attr(not(feature = "ssr"), derive(Copy))]
pub struct Api {
    #[cfg(feature = "ssr")]
    server: Option<server::ServerApi>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Api")
    }
}

impl Api {
    pub fn new() -> Self {
        Api {
            #[cfg(feature = "ssr")]
            server: leptos::prelude::use_context::<server::ServerApi>(),
        }
    }

    fn get<T: DeserializeOwned + 'static>(
        &self,
        path: String,
    ) -> impl Future<Output = ApiResult<T>> + Send + use<T> {
        #[cfg(feature = "ssr")]
        let answer = {
            let server = self.server.clone();
            async move {
                match server {
                    Some(server) => Ok(server.0.get(path).await),
                    None => Err(Failure::transport(
                        "the server provided no in-process API (server::ServerApi)",
                    )),
                }
            }
        };
        #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
        let answer = send_wrapper::SendWrapper::new(browser_fetch(path));
        #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
        let answer = {
            let _ = path;
            std::future::ready(Err::<(u16, String), _>(Failure::transport(
                "built without ssr or hydrate",
            )))
        };
        async move {
            let (status, body) = answer.await?;
            decode(status, &body)
        }
    }
}

impl Default for Api {
    fn default() -> Self {
        Api::new()
    }
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub(crate) async fn browser_fetch(path: String) -> Result<(u16, String), Failure> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let unreachable = |_| Failure::transport("no answer from the server; check your connection");
    let window = web_sys::window().ok_or_else(|| Failure::transport("no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&path))
        .await
        .map_err(unreachable)?
        .dyn_into()
        .map_err(unreachable)?;
    let text = JsFuture::from(response.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// What the backend implements so pages are rendered with data, in process.
#[cfg(feature = "ssr")]
pub mod server {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use crate::i18n::Lang;

    /// The server side of [`super::Api`].
    pub trait InProcess: Send + Sync + 'static {
        /// Answers `GET {path_and_query}` of the JSON API (`/api/v1/...`) as the HTTP API
        /// would: status and body.
        fn get(
            &self,
            path_and_query: String,
        ) -> Pin<Box<dyn Future<Output = (u16, String)> + Send>>;

        /// The language the reader's browser prefers (its `Accept-Language`), negotiated as
        /// the API does.
        fn preferred_language(&self, accept_language: &str) -> Option<Lang>;

        /// The site's name in `lang` (configured, else the main agency's): the header and
        /// every page title show it.
        fn site_name(&self, lang: Lang) -> String;
    }

    /// Provided as Leptos context by the backend for every page it renders.
    #[derive(Clone)]
    pub struct ServerApi(pub Arc<dyn InProcess>);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_decoded_and_refusals_keep_the_apis_message() {
        let ok: ApiResult<StopsResponse> = decode(200, r#"{"lang":"en","stops":[]}"#);
        assert_eq!(ok.map(|r| r.lang).as_deref(), Ok("en"));
        let missing: ApiResult<StopsResponse> = decode(
            404,
            r#"{"error":"stop_not_found","message":"no stop x:y; search stops first"}"#,
        );
        let missing = missing.expect_err("404");
        assert!(missing.is_not_found());
        assert_eq!(missing.error, "stop_not_found");
        let garbled: ApiResult<StopsResponse> = decode(502, "<html>bad gateway</html>");
        assert_eq!(garbled.expect_err("502").message, "the server answered 502");
        let broken: ApiResult<StopsResponse> = decode(200, "{");
        assert_eq!(broken.expect_err("bad json").error, "bad_response");
    }

    #[test]
    fn route_and_vehicle_paths_encode_the_route_id() {
        assert_eq!(
            route_path("binh-duong:61 77", "/arrivals", Lang::En),
            "/api/v1/routes/binh-duong%3A61%2077/arrivals?lang=en"
        );
        assert_eq!(
            vehicles_path(Some("binh-duong:51"), Lang::Vi),
            "/api/v1/vehicles?route=binh-duong%3A51&lang=vi"
        );
        assert_eq!(vehicles_path(None, Lang::Ja), "/api/v1/vehicles?lang=ja");
    }

    #[test]
    fn paths_encode_their_parts() {
        assert_eq!(
            board_stream_url("binh-duong:ST 1", Lang::Ja),
            "/api/v1/stops/binh-duong%3AST%201/departures/stream?lang=ja"
        );
        // Operator console
        assert_eq!(
            operator_upload_path("binh duong", true),
            "/api/v1/operator/feeds/binh%20duong/versions?validate_only=true"
        );
        assert_eq!(
            operator_versions_path("binh-duong", "/3/activate"),
            "/api/v1/operator/feeds/binh-duong/versions/3/activate"
        );
    }
}
