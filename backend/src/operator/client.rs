//! `backend feeds upload|activate|rollback|list`: the operator API from the command line, for
//! operators without the web console. Each call prints what the server answered: the
//! validation report as text, versions as a table; refusals as the server's message.

use std::path::Path;

use api_types::operator::{ActivateRequest, FeedVersion, VersionList};
use api_types::{ErrorBody, ValidationReport};

/// A running server and an operator token.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    pub fn new(server: &str, token: &str) -> Self {
        crate::ingest::poll::install_crypto_provider();
        Client {
            http: reqwest::Client::new(),
            base: format!("{}/api/v1/operator", server.trim_end_matches('/')),
            token: token.to_owned(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, String> {
        request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| format!("cannot reach the server ({e}); check --server"))
    }

    /// Uploads `file` to `feed` (a dry run with `validate_only`). Returns the report, and the
    /// new version unless it was a dry run. A feed with errors is `Err` with the report as text.
    pub async fn upload(
        &self,
        feed: &str,
        file: &Path,
        validate_only: bool,
    ) -> Result<(ValidationReport, Option<FeedVersion>), String> {
        // Read whole: a client-side copy of a file the operator chose (the server streams).
        let bytes = tokio::fs::read(file)
            .await
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let url = format!(
            "{}/feeds/{feed}/versions?validate_only={validate_only}",
            self.base
        );
        let response = self
            .send(
                self.http
                    .post(url)
                    .header("content-type", "application/zip")
                    .body(bytes),
            )
            .await?;
        match response.status().as_u16() {
            200 => Ok((json(response).await?, None)),
            201 => {
                let version: FeedVersion = json(response).await?;
                Ok((version.report.clone(), Some(version)))
            }
            422 => {
                let report: ValidationReport = json(response).await?;
                Err(crate::cli::format_report(&report))
            }
            _ => Err(refusal(response).await),
        }
    }

    pub async fn activate(
        &self,
        feed: &str,
        version: i64,
        at: Option<String>,
    ) -> Result<FeedVersion, String> {
        let url = format!("{}/feeds/{feed}/versions/{version}/activate", self.base);
        let response = self
            .send(self.http.post(url).json(&ActivateRequest { at }))
            .await?;
        ok_json(response).await
    }

    pub async fn rollback(&self, feed: &str) -> Result<FeedVersion, String> {
        let url = format!("{}/feeds/{feed}/rollback", self.base);
        ok_json(self.send(self.http.post(url)).await?).await
    }

    pub async fn list(&self, feed: &str) -> Result<VersionList, String> {
        let url = format!("{}/feeds/{feed}/versions", self.base);
        ok_json(self.send(self.http.get(url)).await?).await
    }
}

async fn json<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, String> {
    response
        .json()
        .await
        .map_err(|e| format!("the server's answer is not what this client expects ({e})"))
}

async fn ok_json<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, String> {
    if response.status().is_success() {
        json(response).await
    } else {
        Err(refusal(response).await)
    }
}

async fn refusal(response: reqwest::Response) -> String {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => format!("{status}: {} ({})", body.message, body.error),
        Err(_) => format!("{status}"),
    }
}

/// One line per version: id, state, when, size, dates, who.
pub fn format_versions(list: &VersionList) -> String {
    use std::fmt::Write as _;
    let mut out = format!("versions of {}:\n", list.feed_id);
    if list.versions.is_empty() {
        out.push_str("  (none)\n");
    }
    for v in &list.versions {
        let state = match (&v.state, &v.activate_at) {
            (api_types::operator::VersionState::Scheduled, Some(at)) => format!("scheduled {at}"),
            (s, _) => format!("{s:?}").to_lowercase(),
        };
        let _ = writeln!(
            out,
            "  {:>4}  {state:<32}  uploaded {} by {}  {} bytes  service {} to {}  {} warning(s)  sha256 {}",
            v.id,
            v.uploaded_at,
            v.uploaded_by,
            v.size,
            v.first_service_date.as_deref().unwrap_or("?"),
            v.last_service_date.as_deref().unwrap_or("?"),
            v.report.warning_count(),
            &v.sha256[..v.sha256.len().min(12)],
        );
    }
    out
}

/// One line for a version.
pub fn format_version(v: &FeedVersion) -> String {
    format_versions(&VersionList {
        feed_id: v.feed_id.clone(),
        versions: vec![v.clone()],
    })
}
