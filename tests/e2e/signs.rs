//! Stop displays in the field: the Hikari terminal's display fits a landscape (1920×1080) and a
//! portrait (1080×1920) screen with 8 departures and the alerts band all on screen, in vi, en
//! and ja; and it keeps its board through a network cut, a server kill and a restart (the
//! last board with "Mất kết nối từ 07:41 — đang thử lại", then live again by itself), never
//! showing the browser's error page.

use std::time::Duration;

use crate::outage::{Link, Proxy, Served};
use crate::{Journey, Scheme, cdp};

const HIKARI: &str = "/display/binh-duong:ST_HIKARI";

/// What the display shows, measured in the page: rows listed and on screen, whether each is
/// wholly inside the window, the alerts band, the most lines a headsign takes, the characters
/// starting each headsign's lines, horizontal overflow.
const MEASURE: &str = r#"
const inView = (e) => { const b = e.getBoundingClientRect();
  return b.top >= 0 && b.left >= 0 && b.bottom <= innerHeight + 0.5 && b.right <= innerWidth + 0.5; };
const shown = (e) => getComputedStyle(e).display !== 'none';
const rows = [...document.querySelectorAll('#board tbody tr')];
const visible = rows.filter(shown);
const alerts = document.getElementById('alerts');
const heads = [...document.querySelectorAll('#board .hs')].filter((e) => shown(e.closest('tr')));
const lines = (e) => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight));
const starts = (e) => { const t = e.firstChild; const out = []; if (!t) return out;
  const r = document.createRange(); let top = null;
  for (let i = 0; i < t.length; i++) { r.setStart(t, i); r.setEnd(t, i + 1);
    const b = r.getClientRects()[0]; if (!b) continue;
    if (top === null || b.top > top + 1) { out.push(t.data[i]); top = b.top; } }
  return out; };
return {
  rows: rows.length, visible: visible.length, all_in_view: visible.every(inView),
  alerts: alerts.hidden ? 0 : alerts.querySelectorAll('li').length,
  alerts_in_view: !alerts.hidden && inView(alerts),
  most_lines: Math.max(0, ...heads.map(lines)),
  line_starts: heads.flatMap((e) => starts(e).slice(1)),
  line_break: heads.length ? getComputedStyle(heads[0]).lineBreak : '',
  sideways: document.documentElement.scrollWidth > innerWidth,
};"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_display_fits_landscape_and_portrait_with_eight_departures_and_the_alerts() {
    let j = Journey::launch("display-fit", Scheme::Light, (1920, 1080), |_| {}).await;
    for (width, height) in [(1920, 1080), (1080, 1920)] {
        cdp::viewport_width(&j.browser, width, height).await;
        for lang in ["vi", "en", "ja"] {
            j.browser
                .goto(&format!("{}{HIKARI}?lang={lang}", j.base))
                .await
                .expect("the display opens");
            j.wait_for("#board tbody tr").await;
            let m = j.browser.execute(MEASURE, vec![]).await.expect("measure");
            let at = format!("{lang} {width}×{height}: {m}");
            eprintln!("e2e: display {at}");
            j.screenshot(&format!("{lang}-{width}x{height}")).await;
            assert_eq!(m["rows"], 8, "8 departures listed, {at}");
            assert_eq!(m["visible"], 8, "all 8 shown, {at}");
            assert_eq!(m["all_in_view"], true, "every row whole on screen, {at}");
            assert!(m["alerts"].as_u64() >= Some(1), "an alert, {at}");
            assert_eq!(m["alerts_in_view"], true, "the alerts band on screen, {at}");
            assert!(
                m["most_lines"].as_u64() <= Some(2),
                "headsigns ≤ 2 lines, {at}"
            );
            assert_eq!(m["line_break"], "strict", "{at}");
            assert_eq!(m["sideways"], false, "no sideways scrolling, {at}");
            // Japanese line breaking: no line starts with a prolonged sound mark or small kana.
            let starts = m["line_starts"].as_array().cloned().unwrap_or_default();
            for s in &starts {
                let c = s.as_str().unwrap_or_default();
                assert!(
                    !"ーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ、。」）".contains(c),
                    "a line starts with {c:?}, {at}"
                );
            }
        }
    }

    // Several alerts take turns in the band: the terminal with the stop the simulator says
    // has moved (an alert of its own) on one display.
    let alerts: api_types::AlertsResponse = crate::support::http_client()
        .get(format!("{}/api/v1/alerts", j.base))
        .send()
        .await
        .expect("alerts")
        .json()
        .await
        .expect("JSON");
    let moved = alerts
        .alerts
        .iter()
        .find_map(|a| a.stops.first())
        .expect("an alert naming a stop");
    cdp::viewport_width(&j.browser, 1920, 1080).await;
    j.browser
        .goto(&format!("{}{HIKARI},{moved}", j.base))
        .await
        .expect("the display opens");
    j.wait_for("#alerts li.on").await;
    assert_eq!(
        j.text_now("#alerts .count").await.as_deref(),
        Some("1/2"),
        "two alerts, the first shown"
    );
    let first = j.text("#alerts li.on").await;
    j.eventually(
        "the second alert takes its turn",
        Duration::from_secs(20),
        || async {
            let now = j.text_now("#alerts li.on").await?;
            let count = j.text_now("#alerts .count").await;
            (count.as_deref() == Some("2/2") && now != first).then_some(())
        },
    )
    .await;
    j.screenshot("alerts-rotate").await;
    j.finish().await;
}

/// The display's state, read in the page; panics at once on the browser's error page (or any
/// page that is not the display loaded first: the mark set on it is gone).
async fn display_state(j: &Journey) -> serde_json::Value {
    let state = j
        .browser
        .execute(
            "const lost = document.getElementById('lost'); return { \
               same_page: window.__e2e_page === 1, \
               error_page: !!document.getElementById('main-frame-error') \
                 || document.body.classList.contains('neterror'), \
               rows: document.querySelectorAll('#board tbody tr:not(.past)').length, \
               lost: lost && !lost.hidden ? lost.textContent : null, \
               old: document.body.classList.contains('old'), \
               aged_shown: [...document.querySelectorAll('.source.aged')] \
                 .some((e) => getComputedStyle(e).display !== 'none'), \
               clock: (document.getElementById('clock') || {}).textContent };",
            vec![],
        )
        .await
        .expect("the page answers");
    assert_eq!(
        state["error_page"], false,
        "the browser's error page: {state}"
    );
    assert_eq!(
        state["same_page"], true,
        "the display was replaced: {state}"
    );
    assert!(
        state["rows"].as_u64() > Some(0),
        "the board is kept: {state}"
    );
    state
}

/// The banner, once it says the connection is lost.
async fn lost(j: &Journey, what: &str) -> String {
    j.eventually(what, Duration::from_secs(60), || async {
        let state = display_state(j).await;
        state["lost"].as_str().map(str::to_owned)
    })
    .await
}

async fn back(j: &Journey, what: &str, within: Duration) {
    j.eventually(what, within, || async {
        let state = display_state(j).await;
        (state["lost"].is_null() && state["old"] == false).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_display_keeps_its_board_through_a_network_cut_a_server_kill_and_a_restart() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut server = Served::start(data.path()).await;
    let proxy = Proxy::start(server.port).await;
    let base = format!("http://127.0.0.1:{}", proxy.port);
    let j = Journey::against("display-outage", base, (1920, 1080)).await;
    j.browser
        .goto(&format!("{}{HIKARI}", j.base))
        .await
        .expect("the display opens");
    j.wait_for("#board tbody tr").await;
    j.browser
        .execute("window.__e2e_page = 1; return true;", vec![])
        .await
        .expect("mark the page");
    // The clock is the server's (the journey's Monday morning), not this machine's.
    let state = display_state(&j).await;
    let clock = state["clock"].as_str().unwrap_or_default().to_owned();
    assert!(
        clock.as_str() >= "07:40" && clock.as_str() < "08:30",
        "{state}"
    );
    j.screenshot("0-live").await;

    // A network cut: requests hang. The board stays, with the banner; back when mended.
    proxy.set(Link::Cut);
    let banner = lost(&j, "the cut is noticed").await;
    let time = banner
        .strip_prefix("Mất kết nối từ ")
        .and_then(|rest| rest.strip_suffix(" — đang thử lại"))
        .unwrap_or_else(|| panic!("the banner: {banner:?}"));
    assert!(
        time.len() == 5 && ("07:40".."08:30").contains(&time),
        "when, on the server's clock: {banner:?}"
    );
    j.screenshot("1-network-cut").await;
    proxy.set(Link::Up);
    back(&j, "live again after the cut", Duration::from_secs(60)).await;

    // The server killed: the board stays; after 90 s without news, its times say they are old.
    server.kill().await;
    lost(&j, "the kill is noticed").await;
    j.eventually(
        "predicted lines are marked old",
        Duration::from_secs(150),
        || async {
            let state = display_state(&j).await;
            (state["old"] == true && state["aged_shown"] == true).then_some(())
        },
    )
    .await;
    j.screenshot("2-server-killed").await;

    // Restarted on the same port: live again by itself, the same page all along.
    server.restart().await;
    back(&j, "live again after the restart", Duration::from_secs(60)).await;
    j.screenshot("3-restarted").await;
    j.finish().await;
}
