//! Per-client rate limiting: a token bucket (GCRA, from `governor`) per client IP address.
//! Over the limit, a request gets 429 with `Retry-After` and the API's JSON error body.
//!
//! The client is the socket's peer (`ConnectInfo<SocketAddr>`), or, when
//! `trust_forwarded_for` is configured, the last address of `X-Forwarded-For` (the one the
//! reverse proxy in front of the server appended). A request with neither (a router called
//! in-process, without a socket) is not limited.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::api::ApiError;
use crate::config::Limits;

/// Every this many requests, buckets that are full again are dropped (memory stays bounded
/// by the clients seen in the last `burst / rate` seconds).
const PRUNE_EVERY: u64 = 4096;

type Keyed = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// The limiter shared by every request (cheap to clone).
#[derive(Clone)]
pub struct RateLimit(Arc<Inner>);

struct Inner {
    limiter: Keyed,
    trust_forwarded_for: bool,
    seen: AtomicU64,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("trust_forwarded_for", &self.0.trust_forwarded_for)
            .finish_non_exhaustive()
    }
}

impl RateLimit {
    /// `None` when the limit is off (`requests_per_second = 0`).
    pub fn new(limits: &Limits) -> Option<Self> {
        let rate = NonZeroU32::new(limits.requests_per_second)?;
        let burst = NonZeroU32::new(limits.burst).unwrap_or(rate);
        let quota = Quota::per_second(rate).allow_burst(burst);
        Some(RateLimit(Arc::new(Inner {
            limiter: RateLimiter::keyed(quota),
            trust_forwarded_for: limits.trust_forwarded_for,
            seen: AtomicU64::new(0),
        })))
    }

    /// Takes a token for `client`: `Err(wait)` when its bucket is empty.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let inner = &self.0;
        if inner.seen.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            inner.limiter.retain_recent();
            inner.limiter.shrink_to_fit();
        }
        inner
            .limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(inner.limiter.clock().now()))
    }

    /// Who is asking: the socket's peer, or the proxy's word for it when trusted.
    pub fn client(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        if self.0.trust_forwarded_for
            && let Some(ip) = forwarded_for(headers)
        {
            return Some(ip);
        }
        peer.map(|p| p.ip())
    }
}

/// The last address of the last `X-Forwarded-For` header: the one our proxy appended.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Middleware: 429 once the client's bucket is empty.
pub async fn limit(State(limit): State<RateLimit>, req: Request<Body>, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Some(client) = limit.client(req.headers(), peer)
        && let Err(wait) = limit.check(client)
    {
        // Whole seconds, rounded up: a client that waits that long gets a token.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return ApiError::RateLimited(secs.max(1)).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rps: u32, burst: u32) -> Limits {
        Limits {
            requests_per_second: rps,
            burst,
            trust_forwarded_for: false,
        }
    }

    #[test]
    fn each_client_has_its_own_bucket() {
        let limit = RateLimit::new(&limits(1, 3)).expect("on");
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "2001:db8::2".parse().expect("ip");
        for _ in 0..3 {
            assert!(limit.check(a).is_ok());
        }
        let wait = limit.check(a).expect_err("the burst is spent");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Another client is not affected.
        for _ in 0..3 {
            assert!(limit.check(b).is_ok());
        }
        assert!(limit.check(b).is_err());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        assert!(RateLimit::new(&Limits::off()).is_none());
    }

    #[test]
    fn forwarded_for_is_used_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().expect("header"),
        );
        let peer: SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        let untrusted = RateLimit::new(&limits(1, 1)).expect("on");
        assert_eq!(
            untrusted.client(&headers, Some(peer)),
            Some(peer.ip()),
            "the header is ignored unless trusted"
        );
        let trusted = RateLimit::new(&Limits {
            trust_forwarded_for: true,
            ..limits(1, 1)
        })
        .expect("on");
        assert_eq!(
            trusted.client(&headers, Some(peer)),
            Some("198.51.100.7".parse().expect("ip"))
        );
        assert_eq!(
            trusted.client(&HeaderMap::new(), Some(peer)),
            Some(peer.ip())
        );
        assert_eq!(trusted.client(&HeaderMap::new(), None), None);
    }
}
