//! Chrome DevTools Protocol commands through chromedriver's
//! `POST /session/{id}/goog/cdp/execute`: what WebDriver itself cannot do (grant or refuse
//! geolocation and set the position, emulate the colour scheme or a narrow viewport).

use fantoccini::Client;
use fantoccini::wd::WebDriverCompatibleCommand;

/// One CDP command (`method` with its `params`).
#[derive(Debug)]
struct Execute {
    method: &'static str,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Execute {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.method, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// Runs `method` in the browser's DevTools and returns its result; panics with the
/// browser's answer when refused.
pub async fn cdp(
    browser: &Client,
    method: &'static str,
    params: serde_json::Value,
) -> serde_json::Value {
    browser
        .issue_cmd(Execute { method, params })
        .await
        .unwrap_or_else(|e| panic!("CDP {method}: {e}"))
}

/// The position the browser reports (`navigator.geolocation`), and geolocation allowed for
/// `origin`.
pub async fn grant_location(browser: &Client, origin: &str, lat: f64, lon: f64) {
    cdp(
        browser,
        "Browser.grantPermissions",
        serde_json::json!({ "origin": origin, "permissions": ["geolocation"] }),
    )
    .await;
    cdp(
        browser,
        "Emulation.setGeolocationOverride",
        serde_json::json!({ "latitude": lat, "longitude": lon, "accuracy": 10 }),
    )
    .await;
}

/// Writing to the clipboard allowed for `origin` (a copy button's `navigator.clipboard`).
pub async fn grant_clipboard(browser: &Client, origin: &str) {
    cdp(
        browser,
        "Browser.grantPermissions",
        serde_json::json!({
            "origin": origin,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        }),
    )
    .await;
}

/// Geolocation refused for `origin`, as when the reader says no.
pub async fn refuse_location(browser: &Client, origin: &str) {
    cdp(
        browser,
        "Browser.setPermission",
        serde_json::json!({
            "origin": origin,
            "permission": { "name": "geolocation" },
            "setting": "denied",
        }),
    )
    .await;
}

/// `prefers-color-scheme` as the pages see it (`light` or `dark`).
pub async fn colour_scheme(browser: &Client, scheme: &str) {
    cdp(
        browser,
        "Emulation.setEmulatedMedia",
        serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
    )
    .await;
}

/// The viewport `width` CSS pixels wide (320 = a 640 px window at 200 % zoom).
pub async fn viewport_width(browser: &Client, width: u32, height: u32) {
    cdp(
        browser,
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
        }),
    )
    .await;
}
