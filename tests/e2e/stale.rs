//! One truth about staleness, through a real realtime feed going silent: the server polls a
//! simulator through a proxy the journey cuts, and its clock is moved on. The stop page's
//! banner, its age line and every row, and the stop display, then say the same thing: old
//! data (estimates, never "Live"), and later the timetable.

use std::time::Duration;

use backend::config::{FeedConfig, RealtimeConfig, RealtimeKind};
use backend::schedule::FeedId;
use backend::server::Application;
use fantoccini::Locator;

use crate::outage::{JumpClock, Link, Proxy};
use crate::{Journey, PHONE, support};

/// The text after `prefix` and before `suffix` in `text`.
fn between<'a>(text: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    let start = text.find(prefix)? + prefix.len();
    let rest = &text[start..];
    Some(&rest[..rest.find(suffix)?])
}

/// Every row's class and the status line's text.
async fn rows(j: &Journey) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for li in j
        .browser
        .find_all(Locator::Css("li.departure"))
        .await
        .expect("rows")
    {
        let class = li.attr("class").await.expect("class").unwrap_or_default();
        let status = li
            .find(Locator::Css(".status"))
            .await
            .expect("status")
            .text()
            .await
            .expect("text");
        out.push((class, status));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn board_banner_age_line_rows_and_display_agree_when_the_feed_goes_silent() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let (jump, clock) = JumpClock::new();
    let feed = FeedConfig {
        id: FeedId::new("binh-duong").expect("valid id"),
        gtfs: support::repo_root().join("feeds/binh-duong"),
    };
    let catalog = backend::catalog::load_catalog(std::slice::from_ref(&feed))
        .await
        .expect("the sample network");
    let schedule = catalog.feeds()[0].schedule.clone();
    let (simulator, _sim) =
        backend::simulate::spawn(schedule, 7, ([127, 0, 0, 1], 0).into(), clock.clone())
            .await
            .expect("the simulator");
    let proxy = Proxy::start(simulator.port()).await;
    let mut config = support::test_config(&dirs, vec![feed]);
    config.site_dir = crate::target_dir().join("site");
    config.realtime = [
        (
            "vehicles",
            "vehicle-positions.pb",
            RealtimeKind::VehiclePositions,
        ),
        ("trip-updates", "trip-updates.pb", RealtimeKind::TripUpdates),
    ]
    .into_iter()
    .map(|(id, path, kind)| RealtimeConfig {
        id: id.to_owned(),
        feed: FeedId::new("binh-duong").expect("valid id"),
        kind,
        url: Some(format!("http://127.0.0.1:{}/{path}", proxy.port)),
        token: None,
        headers: Vec::new(),
        interval: Duration::from_secs(3),
        timeout: Duration::from_secs(2),
    })
    .collect();
    let app = Application::with_catalog(&config, catalog, clock)
        .await
        .expect("the server starts");
    let server = support::run(app);
    let j = Journey::against("stale", server.base.clone(), PHONE).await;

    j.open("/stops/binh-duong:BD1020").await;
    j.wait_for("li.departure.live").await;
    j.screenshot("1-live").await;

    // The feed falls silent, and two minutes pass: the positions are two minutes old.
    proxy.set(Link::Cut);
    jump.jump(120);
    let (banner, age_line) = j
        .eventually(
            "the board says its data is old",
            Duration::from_secs(60),
            || async {
                let banner = j.text_now(".banner").await?;
                let meta = j.text_now(".meta").await?;
                banner
                    .contains("Dữ liệu trực tiếp đã cũ")
                    .then_some((banner, meta))
            },
        )
        .await;
    // The same age, said the same way, in the banner and beside "updated".
    let said = between(&banner, "Dữ liệu trực tiếp đã cũ: ", "\n")
        .or_else(|| banner.split("Dữ liệu trực tiếp đã cũ: ").nth(1))
        .unwrap_or_else(|| panic!("an age in the banner: {banner:?}"))
        .trim()
        .to_owned();
    let line = between(&age_line, "Vị trí xe: ", " trước")
        .unwrap_or_else(|| panic!("an age beside 'updated': {age_line:?}"));
    assert_eq!(said, line, "banner {banner:?} and age line {age_line:?}");
    let board = rows(&j).await;
    assert!(
        board
            .iter()
            .all(|(class, status)| !class.contains(" live") && !status.contains("Trực tiếp")),
        "no row says live: {board:?}"
    );
    assert!(
        board
            .iter()
            .any(|(class, status)| class.contains(" stale")
                && status.contains("Ước tính, dữ liệu cũ")),
        "predicted rows are old estimates: {board:?}"
    );
    j.screenshot("2-old").await;

    // Silent for more than five minutes: the feed is degraded, the timetable shown, labelled.
    jump.jump(6 * 60);
    j.eventually(
        "the board shows the timetable",
        Duration::from_secs(60),
        || async {
            let banner = j.text_now(".banner").await?;
            banner.contains("đang hiển thị giờ theo lịch").then_some(())
        },
    )
    .await;
    let board = rows(&j).await;
    assert!(
        board
            .iter()
            .all(|(class, _)| !class.contains(" live") && !class.contains(" stale")),
        "timetable rows only: {board:?}"
    );
    assert!(
        !j.text(".meta").await.contains("Vị trí xe"),
        "no bus positions age beside the timetable"
    );
    j.screenshot("3-timetable").await;

    // The display of the same stop says it too, with the age of the last live data.
    j.browser
        .goto(&format!("{}/display/binh-duong:BD1020", j.base))
        .await
        .expect("the display");
    let status = j.text("#status").await;
    assert!(
        status.contains("Dữ liệu trễ — đang hiển thị lịch trình")
            && status.contains("dữ liệu trực tiếp cuối cùng: "),
        "{status}"
    );
    let live = j
        .browser
        .find_all(Locator::Css("#board tr.live"))
        .await
        .expect("rows");
    assert!(live.is_empty(), "no live line on the display");
    j.screenshot("4-display").await;
    j.finish().await;
    drop(server);
}
