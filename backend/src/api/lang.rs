//! The language of a response: `?lang=` when given, else the first supported language of the
//! `Accept-Language` header by q-value, else the default.

use axum::http::{HeaderMap, header};

/// Languages the sample network (and the web app) has names in.
pub const SUPPORTED: [&str; 3] = ["vi", "en", "ja"];
pub const DEFAULT: &str = "vi";

/// The first supported language of an `Accept-Language` value, by q-value (ties: in header
/// order); `None` when it names none (`*` does not count) or is malformed.
pub fn from_accept_language(value: &str) -> Option<&'static str> {
    let mut ranges: Vec<(f32, &'static str)> = value
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            let lang = SUPPORTED.iter().find(|l| **l == primary)?;
            let mut q = 1.0f32;
            for p in parts {
                if let Some((k, v)) = p.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    q = v.trim().parse().ok().filter(|q: &f32| q.is_finite())?;
                }
            }
            (q > 0.0).then_some((q, *lang))
        })
        .collect();
    // Stable: equal q-values keep the header's order.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges.first().map(|(_, l)| *l)
}

/// `?lang=` (as given) when present, else `Accept-Language`; `None` when neither says.
pub fn requested(param: Option<&str>, headers: &HeaderMap) -> Option<String> {
    if let Some(p) = param.map(str::trim).filter(|p| !p.is_empty()) {
        return Some(p.to_owned());
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(from_accept_language)
        .map(str::to_owned)
}

/// [`requested`], else [`DEFAULT`].
pub fn negotiate(param: Option<&str>, headers: &HeaderMap) -> String {
    requested(param, headers).unwrap_or_else(|| DEFAULT.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_by_q_value() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some("en"));
        assert_eq!(
            from_accept_language("fr-FR, ja;q=0.8, en;q=0.5"),
            Some("ja")
        );
        assert_eq!(from_accept_language("en;q=0.2, ja;q=0.9"), Some("ja"));
        assert_eq!(from_accept_language("vi, en"), Some("vi"));
        assert_eq!(from_accept_language("JA-jp"), Some("ja"));
        assert_eq!(from_accept_language("de, *;q=0.5"), None);
        assert_eq!(from_accept_language("en;q=0, ja;q=0.1"), Some("ja"));
        assert_eq!(from_accept_language("en;q=abc, vi;q=0.3"), Some("vi"));
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn the_parameter_wins_over_the_header() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "ja".parse().expect("header"));
        assert_eq!(negotiate(Some("en"), &headers), "en");
        assert_eq!(negotiate(None, &headers), "ja");
        assert_eq!(negotiate(None, &HeaderMap::new()), "vi");
    }
}
