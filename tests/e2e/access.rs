//! Accessibility checks over every page of the web app, in light and dark themes:
//! reflow at 320 CSS px (200 % zoom of a 640 px window), text contrast (WCAG AA), one `h1` and
//! the landmarks; and keyboard use of the home page (skip link first, the search, visible
//! focus, Enter on a result). Add a page to [`PAGES`] and it gets every check.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::Journey;
use crate::cdp;

/// Every page checked: (name for screenshots and messages, path).
pub const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    ("home-search", "/?q=ben+xe"),
    ("stop", "/stops/binh-duong:ST_HIKARI"),
    ("not-found", "/stops/binh-duong:NO_SUCH_STOP"),
    (
        "display-setup",
        "/displays/new?stop=binh-duong%3ABD1020&route=binh-duong%3A51&q=hikari",
    ),
    ("routes", "/routes"),
    ("route", "/routes/binh-duong:51"),
    ("map", "/map"),
    ("alerts", "/alerts"),
    ("operator", "/operator"),
];

/// The narrowest layout to support: 320 CSS px (WCAG 1.4.10 reflow).
const NARROW: u32 = 320;

/// Text contrast (WCAG 1.4.3): every visible element with text of its own, its colour over
/// the effective background (the element's and its ancestors' backgrounds composed until an
/// opaque one); 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Returns the offenders.
const CONTRAST_JS: &str = r#"
const parse = (c) => {
  const m = /rgba?\(([^)]+)\)/.exec(c);
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a),
  g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a),
  a: 1,
});
const lum = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
};
const background = (el) => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  let base = { r: 255, g: 255, b: 255, a: 1 };
  for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
  return base;
};
const selector = (el) => {
  const parts = [];
  for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
    let s = e.tagName.toLowerCase();
    if (e.id) { parts.unshift(s + '#' + e.id); break; }
    if (e.classList.length) s += '.' + [...e.classList].join('.');
    parts.unshift(s);
  }
  return parts.join(' > ');
};
const offenders = [];
let checked = 0;
for (const el of document.body.querySelectorAll('*')) {
  const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
  if (!own) continue;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  if (style.visibility !== 'visible' || style.display === 'none' || rect.width < 2 || rect.height < 2) continue;
  if (style.clip === 'rect(0px, 0px, 0px, 0px)' || el.closest('.sr-only')) continue;
  if (rect.right < 0 || rect.bottom < 0) continue; // moved off screen until focused (skip link)
  const bg = background(el);
  const fg = over(parse(style.color), bg);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  const need = large ? 3 : 4.5;
  checked++;
  if (ratio < need) {
    offenders.push(`${selector(el)} "${own.slice(0, 30)}": ${ratio.toFixed(2)}:1 < ${need}:1 (${style.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
  }
}
return { checked, offenders };
"#;

/// Whether the focused element shows it: an outline or a box shadow.
const FOCUS_JS: &str = r#"
const el = document.activeElement;
if (!el || el === document.body) return null;
const s = getComputedStyle(el);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
const shadow = s.boxShadow && s.boxShadow !== 'none';
return { tag: el.tagName.toLowerCase(), id: el.id, class: el.className, href: el.getAttribute('href'), visible: outline || !!shadow };
"#;

/// Reflow, contrast in both themes, headings and landmarks, for every page of [`PAGES`].
/// Every offender is reported, then the test fails if there were any.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reflows_at_320_px_has_aa_contrast_in_both_themes_and_one_h1() {
    let j = Journey::start("access").await;
    cdp::viewport_width(&j.browser, NARROW, 800).await;
    // The contrast check itself: grey #949494 on white is 3.0:1, which it must report.
    j.open("/").await;
    let probe = j
        .browser
        .execute(
            "const p = document.createElement('p'); p.id = 'e2e-grey'; p.textContent = 'grey'; \
             p.style.color = '#949494'; document.querySelector('main').append(p); return true;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(probe, serde_json::Value::Bool(true));
    let found = j
        .browser
        .execute(CONTRAST_JS, vec![])
        .await
        .expect("script");
    let offenders = found["offenders"].to_string();
    assert!(
        offenders.contains("p#e2e-grey") && offenders.contains("3.03:1 < 4.5:1"),
        "the check reports low contrast: {found}"
    );
    let mut failures = Vec::new();
    for (name, path) in PAGES {
        j.open(path).await;
        // Server-side rendering streams the page; let late styles and fonts settle.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let structure = j
            .browser
            .execute(
                "return [document.querySelectorAll('h1').length, \
                 !!document.querySelector('header'), !!document.querySelector('main'), \
                 !!document.querySelector('nav')];",
                vec![],
            )
            .await
            .expect("script");
        if structure != serde_json::json!([1, true, true, true]) {
            failures.push(format!(
                "{name} ({path}): [h1 count, header, main, nav] = {structure}"
            ));
        }
        for scheme in ["light", "dark"] {
            cdp::colour_scheme(&j.browser, scheme).await;
            let background = j
                .browser
                .execute(
                    "return getComputedStyle(document.documentElement).backgroundColor;",
                    vec![],
                )
                .await
                .expect("script");
            let expected = if scheme == "dark" {
                "rgb(18, 20, 23)"
            } else {
                "rgb(255, 255, 255)"
            };
            assert_eq!(background, expected, "{name}: the {scheme} theme is on");
            let widths = j
                .browser
                .execute(
                    "return [document.documentElement.scrollWidth, \
                     document.documentElement.clientWidth, window.innerWidth];",
                    vec![],
                )
                .await
                .expect("script");
            let (scroll, client) = (widths[0].as_u64(), widths[1].as_u64());
            // The page's width is the viewport's less the scroll bar.
            assert_eq!(
                widths[2].as_u64(),
                Some(u64::from(NARROW)),
                "the viewport is 320 px"
            );
            if scroll > client {
                let wide = j
                    .browser
                    .execute(
                        "return [...document.querySelectorAll('body *')]
                           .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                           .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
                        vec![],
                    )
                    .await
                    .expect("script");
                failures.push(format!(
                    "{name} ({path}), {scheme}: scrolls sideways at {NARROW} px \
                     (scrollWidth {scroll:?} > {client:?}); too wide: {wide}"
                ));
            }
            let contrast = j
                .browser
                .execute(CONTRAST_JS, vec![])
                .await
                .expect("script");
            let checked = contrast["checked"].as_u64().unwrap_or(0);
            assert!(checked > 3, "{name}: only {checked} text elements found");
            for offender in contrast["offenders"].as_array().into_iter().flatten() {
                failures.push(format!(
                    "{name} ({path}), {scheme}: contrast {}",
                    offender.as_str().unwrap_or_default()
                ));
            }
            eprintln!("access: {name}, {scheme}: {checked} text elements checked");
            j.screenshot(&format!("{name}-320-{scheme}")).await;
        }
        cdp::colour_scheme(&j.browser, "light").await;
    }
    assert!(
        failures.is_empty(),
        "accessibility failures:\n{}",
        failures.join("\n")
    );
    j.finish().await;
}

/// The focused element, checked to show its focus.
async fn focused(j: &Journey) -> serde_json::Value {
    let f = j.browser.execute(FOCUS_JS, vec![]).await.expect("script");
    assert_eq!(
        f["visible"],
        serde_json::Value::Bool(true),
        "focus not visible on {f}"
    );
    f
}

async fn tab(j: &Journey) -> serde_json::Value {
    j.browser
        .active_element()
        .await
        .expect("focused element")
        .send_keys(&char::from(Key::Tab).to_string())
        .await
        .expect("Tab");
    focused(j).await
}

/// From the top of the home page, Tab reaches the skip link first, then (past the header's
/// links) the search; every stop shows its focus; Enter on a search result opens the stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyboard_reaches_the_skip_link_then_the_search_and_enter_opens_a_result() {
    let j = Journey::start("keyboard").await;
    j.open("/").await;
    let first = tab(&j).await;
    assert_eq!(first["class"], "skip", "the skip link comes first: {first}");
    j.screenshot("1-skip-link").await;
    // Header: home link, the main navigation's four, the three languages (8 links); then the search box.
    let mut reached = None;
    for _ in 0..9 {
        let f = tab(&j).await;
        if f["id"] == "q" {
            reached = Some(f);
            break;
        }
        assert!(
            f["tag"] == "a",
            "only the header's links before the search: {f}"
        );
    }
    assert!(reached.is_some(), "the search is reached within 9 Tabs");
    j.browser
        .active_element()
        .await
        .expect("search")
        .send_keys("ben xe")
        .await
        .expect("typing");
    j.wait_for(r#"#search-results a[href="/stops/binh-duong:BD1020"]"#)
        .await;
    // The search button, then the results.
    let button = tab(&j).await;
    assert_eq!(button["tag"], "button", "{button}");
    let result = tab(&j).await;
    let href = result["href"].as_str().expect("a result link").to_owned();
    assert!(href.starts_with("/stops/"), "{result}");
    j.screenshot("2-result-focused").await;
    j.browser
        .active_element()
        .await
        .expect("result")
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("Enter");
    j.eventually("Enter opens the stop", Duration::from_secs(20), || async {
        let url = j.browser.current_url().await.ok()?;
        j.browser.find(Locator::Css("section.board")).await.ok()?;
        url.as_str().ends_with(&href).then_some(())
    })
    .await;
    j.screenshot("3-stop-opened").await;
    j.finish().await;
}
