//! Stations and bays: the Hikari terminal's board says on every line which bay the bus leaves
//! from (vi, en, ja); search lists the terminal once with its six bays under it, each with
//! its routes; "near me" keeps the stop code apart from the distance.

use fantoccini::Locator;

use crate::{Journey, cdp};

/// The bay of each line of the board, as shown.
async fn bays_on_board(j: &Journey) -> Vec<String> {
    let rows = j
        .browser
        .find_all(Locator::Css("ol.departures li.departure"))
        .await
        .expect("rows");
    assert!(!rows.is_empty(), "the board lists departures");
    let mut bays = Vec::new();
    for row in rows {
        let text = row.text().await.expect("text");
        let bay = row
            .find(Locator::Css(".bay"))
            .await
            .unwrap_or_else(|_| panic!("a line without its bay: {text:?}"));
        bays.push(bay.text().await.expect("text"));
    }
    bays
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hikari_board_and_search_name_the_bays() {
    let j = Journey::start("bays").await;
    // A common phone's screen.
    cdp::viewport_width(&j.browser, 390, 844).await;
    for (lang, ok) in [
        ("vi", (|b: &str| b.starts_with("Bến ")) as fn(&str) -> bool),
        ("en", |b: &str| b.starts_with("Bay ")),
        ("ja", |b: &str| b.ends_with("番のりば")),
    ] {
        j.open(&format!("/stops/binh-duong:ST_HIKARI?lang={lang}"))
            .await;
        let bays = bays_on_board(&j).await;
        assert!(bays.iter().all(|b| ok(b)), "{lang}: {bays:?}");
        assert!(
            bays.iter().collect::<std::collections::BTreeSet<_>>().len() > 1,
            "buses leave from several bays: {bays:?}"
        );
        j.screenshot(&format!("1-board-{lang}")).await;
    }
    // A bay's own board names its bay once, above the board.
    j.open("/stops/binh-duong:BD2083?lang=vi").await;
    assert_eq!(j.text(".stop-bay").await, "Bến 3");
    let per_line = j
        .browser
        .find_all(Locator::Css("li.departure .bay"))
        .await
        .expect("find");
    assert!(per_line.is_empty(), "not repeated on every line");

    // Search: one terminal, its bays under it.
    j.open("/?q=hikari&lang=vi").await;
    let results = j.wait_for("#search-results").await;
    let top: Vec<String> = {
        let mut out = Vec::new();
        for a in results
            .find_all(Locator::Css(":scope > li > a"))
            .await
            .expect("links")
        {
            out.push(a.attr("href").await.expect("href").unwrap_or_default());
        }
        out
    };
    assert_eq!(
        top.iter()
            .filter(|h| *h == "/stops/binh-duong:ST_HIKARI")
            .count(),
        1,
        "the terminal once: {top:?}"
    );
    assert!(
        !top.iter().any(|h| h.starts_with("/stops/binh-duong:BD208")),
        "its bays are not listed again on their own: {top:?}"
    );
    let station = results
        .find(Locator::Css(
            r#":scope > li:has(> a[href="/stops/binh-duong:ST_HIKARI"])"#,
        ))
        .await
        .expect("the terminal's entry");
    assert!(
        station.text().await.expect("text").contains("6 bến"),
        "the number of bays"
    );
    let bays = station
        .find_all(Locator::Css("ul.bays > li"))
        .await
        .expect("bays");
    assert_eq!(bays.len(), 6, "six bays as rows");
    for (n, bay) in bays.iter().enumerate() {
        let link = bay.find(Locator::Css("a")).await.expect("a link");
        assert_eq!(link.text().await.expect("text"), format!("Bến {}", n + 1));
        assert_eq!(
            link.attr("href").await.expect("href").as_deref(),
            Some(format!("/stops/binh-duong:BD208{}", n + 1).as_str())
        );
        let routes = bay.find_all(Locator::Css(".badge")).await.expect("badges");
        assert!(!routes.is_empty(), "bay {} lists its routes", n + 1);
    }
    j.screenshot("2-search").await;

    // Near me at the terminal: the distance, then the labelled code, never "10 m 2085".
    cdp::grant_location(&j.browser, &j.base, 11.058377, 106.683195).await;
    j.open("/").await;
    j.click(".near button").await;
    let first = j.wait_for(".near ul.stops > li").await;
    let text = first.text().await.expect("text");
    let head = text.lines().next().unwrap_or_default().to_owned();
    assert!(
        head.starts_with("Trạm trung chuyển Hikari · ") && head.contains(" m · 6 bến · mã 208"),
        "{head}"
    );
    j.screenshot("3-near-me").await;
    j.finish().await;
}
