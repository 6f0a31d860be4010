//! Figures of the stop page (printed, never asserted: speed is measured, not tested): time
//! to first byte, DOM loaded and hydrated (the app's `hydrated` performance mark), with a cold
//! cache (a fresh browser profile) and warm (the second load), and the bytes transferred for
//! the HTML, the script and the wasm bundle.
//!
//! `cargo test -p backend --test e2e figures -- --nocapture`

use crate::Journey;

const PAGE: &str = "/stops/binh-duong:BD1020";

/// Navigation and resource timing of the page just loaded.
const TIMING_JS: &str = r#"
const n = performance.getEntriesByType('navigation')[0];
const h = performance.getEntriesByName('hydrated')[0];
const size = (e) => ({ transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize });
const files = {};
for (const r of performance.getEntriesByType('resource')) {
  const name = new URL(r.name).pathname;
  if (name.endsWith('.js') || name.endsWith('.wasm')) files[name.split('/').pop()] = size(r);
}
return {
  first_byte: n.responseStart, dom_loaded: n.domContentLoadedEventEnd,
  hydrated: h ? h.startTime : null, html: size(n), files,
};
"#;

fn kb(bytes: &serde_json::Value) -> String {
    bytes
        .as_f64()
        .map_or_else(|| "?".to_owned(), |b| format!("{:.1} KB", b / 1000.0))
}

fn print(label: &str, t: &serde_json::Value) {
    let ms = |v: &serde_json::Value| {
        v.as_f64()
            .map_or_else(|| "?".to_owned(), |v| format!("{v:.0} ms"))
    };
    eprintln!(
        "figures: stop page, {label}: first byte {}, DOM loaded {}, hydrated {}",
        ms(&t["first_byte"]),
        ms(&t["dom_loaded"]),
        ms(&t["hydrated"])
    );
    let mut rows = vec![("HTML".to_owned(), &t["html"])];
    if let Some(files) = t["files"].as_object() {
        rows.extend(files.iter().map(|(name, size)| (name.clone(), size)));
    }
    for (name, size) in rows {
        eprintln!(
            "figures:   {name}: transferred {}, body {} encoded, {} decoded",
            kb(&size["transfer"]),
            kb(&size["encoded"]),
            kb(&size["decoded"])
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_of_the_stop_page_cold_and_warm() {
    let j = Journey::start("figures").await;
    for label in ["cold cache (fresh profile)", "warm cache (second load)"] {
        j.open(PAGE).await;
        let timing = j.browser.execute(TIMING_JS, vec![]).await.expect("script");
        assert!(
            timing["hydrated"].is_number(),
            "the page marks when it hydrated: {timing}"
        );
        print(label, &timing);
    }
    j.finish().await;
}
