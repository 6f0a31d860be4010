//! Polling one GTFS-Realtime URL: conditional requests, unchanged payloads skipped, backoff
//! with full jitter while it fails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use reqwest::StatusCode;
use reqwest::header::{
    ETAG, HeaderMap, HeaderName, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::{Event, MAX_PAYLOAD_BYTES};
use crate::config::{RealtimeConfig, redact_url};

/// Longest wait between attempts while a source fails (or its interval, if longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(120);

/// Installs rustls' ring provider as the process default (reqwest is built without one).
/// Idempotent: an already installed provider stays.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Delay before retry number `attempt` (1 for the first retry): "full jitter", a uniform
/// draw between 0 and `min(max, base·2^attempt)`, so that many clients failing at once do not
/// retry in step. `rand` is the draw, in `[0, 1]`.
pub fn backoff(attempt: u32, base: Duration, max: Duration, rand: f64) -> Duration {
    let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
    let ceiling = base.saturating_mul(factor).min(max);
    let rand = if rand.is_finite() {
        rand.clamp(0.0, 1.0)
    } else {
        1.0
    };
    Duration::try_from_secs_f64(ceiling.as_secs_f64() * rand)
        .unwrap_or(ceiling)
        .min(ceiling)
}

/// A duration as people write it: `10 s`, `500 ms`.
fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// What a poll got.
#[derive(Debug)]
enum Fetched {
    /// HTTP 304.
    NotModified,
    Body {
        bytes: Bytes,
        etag: Option<HeaderValue>,
        last_modified: Option<HeaderValue>,
    },
}

/// What the last good poll saw, for the next one.
#[derive(Debug, Default)]
struct Seen {
    etag: Option<HeaderValue>,
    last_modified: Option<HeaderValue>,
    hash: Option<[u8; 32]>,
}

pub(super) struct Poller {
    index: usize,
    source: Arc<RealtimeConfig>,
    tx: mpsc::Sender<Event>,
}

impl Poller {
    pub(super) fn new(index: usize, source: Arc<RealtimeConfig>, tx: mpsc::Sender<Event>) -> Self {
        Poller { index, source, tx }
    }

    /// Polls until the worker is gone (or the task is aborted).
    pub(super) async fn run(self) {
        let Some(url) = self.source.url.clone() else {
            return;
        };
        let shown = redact_url(&url);
        let client = match client(&self.source) {
            Ok(c) => c,
            Err(error) => {
                let _ = self
                    .tx
                    .send(Event::Failed {
                        source: self.index,
                        error,
                    })
                    .await;
                return;
            }
        };
        let interval = self.source.interval;
        let max_backoff = MAX_BACKOFF.max(interval);
        let mut seen = Seen::default();
        let mut failures: u32 = 0;
        loop {
            let started = Instant::now();
            let event = match fetch(&client, &url, &shown, self.source.timeout, &seen).await {
                Ok(Fetched::NotModified) => {
                    failures = 0;
                    Event::Unchanged { source: self.index }
                }
                Ok(Fetched::Body {
                    bytes,
                    etag,
                    last_modified,
                }) => {
                    failures = 0;
                    let hash: [u8; 32] = Sha256::digest(&bytes).into();
                    seen.etag = etag;
                    seen.last_modified = last_modified;
                    if seen.hash == Some(hash) {
                        Event::Unchanged { source: self.index }
                    } else {
                        seen.hash = Some(hash);
                        Event::Payload {
                            source: self.index,
                            bytes,
                            reply: None,
                        }
                    }
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    // Start afresh after a failure: the next good answer is ingested in full.
                    seen = Seen::default();
                    Event::Failed {
                        source: self.index,
                        error,
                    }
                }
            };
            if self.tx.send(event).await.is_err() {
                return;
            }
            let delay = if failures == 0 {
                interval.saturating_sub(started.elapsed())
            } else {
                backoff(failures, interval, max_backoff, fastrand::f64())
            };
            tokio::time::sleep(delay).await;
        }
    }
}

fn client(source: &RealtimeConfig) -> Result<reqwest::Client, String> {
    let mut headers = HeaderMap::new();
    for (name, value) in &source.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("header name {name:?}: {e}"))?;
        let mut value =
            HeaderValue::from_str(value).map_err(|e| format!("the value of header {name}: {e}"))?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(concat!("rtpi-backend/", env!("CARGO_PKG_VERSION")))
        .default_headers(headers)
        .connect_timeout(source.timeout)
        .timeout(source.timeout)
        .build()
        .map_err(|e| format!("cannot set up an HTTP client: {}", chain(&e.without_url())))
}

/// An error and its causes, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

async fn fetch(
    client: &reqwest::Client,
    url: &str,
    shown: &str,
    timeout: Duration,
    seen: &Seen,
) -> Result<Fetched, String> {
    let failed = |e: reqwest::Error| {
        if e.is_timeout() {
            format!("GET {shown}: timed out after {}", human(timeout))
        } else if e.is_connect() {
            format!("GET {shown}: cannot connect: {}", chain(&e.without_url()))
        } else {
            format!("GET {shown}: {}", chain(&e.without_url()))
        }
    };
    let mut request = client.get(url);
    if let Some(etag) = &seen.etag {
        request = request.header(IF_NONE_MATCH, etag.clone());
    }
    if let Some(lm) = &seen.last_modified {
        request = request.header(IF_MODIFIED_SINCE, lm.clone());
    }
    let mut response = request.send().await.map_err(failed)?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        return Err(format!("GET {shown}: HTTP {status}"));
    }
    let too_large = || {
        format!(
            "GET {shown}: the response is larger than {} MB; is this the right URL?",
            MAX_PAYLOAD_BYTES / (1024 * 1024)
        )
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_PAYLOAD_BYTES as u64)
    {
        return Err(too_large());
    }
    let etag = response.headers().get(ETAG).cloned();
    let last_modified = response.headers().get(LAST_MODIFIED).cloned();
    let mut body: Vec<u8> = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > MAX_PAYLOAD_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched::Body {
        bytes: Bytes::from(body),
        etag,
        last_modified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_under_a_cap_with_full_jitter() {
        let base = Duration::from_secs(15);
        let max = Duration::from_secs(120);
        // The ceiling doubles per attempt: 30 s, 60 s, 120 s, then stays at the cap.
        assert_eq!(backoff(1, base, max, 1.0), Duration::from_secs(30));
        assert_eq!(backoff(2, base, max, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(3, base, max, 1.0), Duration::from_secs(120));
        assert_eq!(backoff(30, base, max, 1.0), Duration::from_secs(120));
        assert_eq!(backoff(u32::MAX, base, max, 1.0), Duration::from_secs(120));
        // Full jitter: anywhere between 0 and the ceiling.
        assert_eq!(backoff(2, base, max, 0.0), Duration::ZERO);
        assert_eq!(backoff(2, base, max, 0.5), Duration::from_secs(30));
        // Out-of-range draws are clamped, never a panic.
        assert_eq!(backoff(1, base, max, 7.0), Duration::from_secs(30));
        assert_eq!(backoff(1, base, max, -1.0), Duration::ZERO);
        assert_eq!(backoff(1, base, max, f64::NAN), Duration::from_secs(30));
        // Huge bases saturate instead of overflowing.
        assert_eq!(
            backoff(40, Duration::MAX, Duration::MAX, 1.0),
            Duration::MAX
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::from_secs(10)), "10 s");
        assert_eq!(human(Duration::from_millis(500)), "500 ms");
        assert_eq!(human(Duration::from_millis(2500)), "2.5 s");
    }
}
