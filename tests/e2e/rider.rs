//! A rider's journeys: find a stop, watch its board update live, read it in three languages,
//! and an unknown stop.

use std::time::Duration;

use fantoccini::Locator;

use crate::{Journey, Scheme};

/// Searching "ben xe" (no diacritics) finds the coach stations as you type; opening one shows
/// its board, which then changes by itself (Server-Sent Events), without a reload; its star
/// makes it a favourite listed on the home page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_open_a_stop_see_its_board_update_without_a_reload_and_star_it() {
    let j = Journey::start("search-and-board").await;
    j.open("/").await;
    let input = j.wait_for("#q").await;
    input.send_keys("ben xe").await.expect("typing");
    let link = j
        .wait_for(r#"#search-results a[href="/stops/binh-duong:BD1020"]"#)
        .await;
    assert_eq!(
        link.text().await.expect("text"),
        "Bến xe khách tỉnh Bình Dương"
    );
    j.screenshot("1-search").await;

    link.click().await.expect("click");
    j.wait_for("section.board").await;
    assert_eq!(j.text("h1").await, "Bến xe khách tỉnh Bình Dương");
    // Marks this document: a reload would lose the mark.
    j.browser
        .execute("window.__e2e_same_page = true; return true;", vec![])
        .await
        .expect("script");
    let first = j.text("ol.departures").await;
    assert!(!first.is_empty(), "the board lists departures");
    // Live buses are told apart in words, not by colour alone.
    j.wait_for(r#"li.departure[data-status="live"]"#).await;
    assert!(first.contains("Trực tiếp"), "{first}");

    // A second board event means the server saw a change and sent it; the list must differ.
    let changed = j
        .eventually(
            "the board changes by itself",
            Duration::from_secs(90),
            || async {
                let board = j.browser.find(Locator::Css("section.board")).await.ok()?;
                let updates: u32 = board.attr("data-updates").await.ok()??.parse().ok()?;
                let now = j.text_now("ol.departures").await?;
                (updates >= 2 && now != first).then_some(now)
            },
        )
        .await;
    assert_ne!(changed, first);
    let same_page = j
        .browser
        .execute("return window.__e2e_same_page === true;", vec![])
        .await
        .expect("script");
    assert_eq!(
        same_page,
        serde_json::Value::Bool(true),
        "the page was reloaded"
    );
    j.screenshot("2-board-updated").await;

    // Figures (printed, not asserted: speed is not a test): the stop page loaded afresh.
    j.open("/stops/binh-duong:BD1020").await;
    let timing = j
        .browser
        .execute(
            "const n = performance.getEntriesByType('navigation')[0]; \
             const h = performance.getEntriesByName('hydrated')[0]; \
             return [n.responseStart, n.domContentLoadedEventEnd, h ? h.startTime : -1];",
            vec![],
        )
        .await
        .expect("script");
    eprintln!(
        "e2e figures: stop page (ms since navigation) [first byte, DOM loaded, hydrated] = {timing}"
    );

    // The star keeps the stop in this browser; the home page lists it.
    let star = j.wait_for("button.star").await;
    assert_eq!(
        star.attr("aria-pressed").await.expect("attr").as_deref(),
        Some("false")
    );
    star.click().await.expect("click");
    j.eventually("the star is on", Duration::from_secs(10), || async {
        let star = j.browser.find(Locator::Css("button.star")).await.ok()?;
        (star.attr("aria-pressed").await.ok()?.as_deref() == Some("true")).then_some(())
    })
    .await;
    j.open("/").await;
    let favourite = j
        .wait_for(r#".favourites a[href="/stops/binh-duong:BD1020"]"#)
        .await;
    assert!(
        favourite
            .text()
            .await
            .expect("text")
            .contains("Bến xe khách tỉnh Bình Dương")
    );
    j.screenshot("3-favourite-on-home").await;
    j.finish().await;
}

/// The language switch changes the page in place (stop names from translations.txt
/// included), and the choice is remembered: the next page the server renders is in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_translates_the_page_and_is_remembered() {
    let j = Journey::start("languages").await;
    j.open("/stops/binh-duong:ST_BXMD").await;
    assert_eq!(j.text("h1").await, "Bến xe Miền Đông mới");
    assert_eq!(j.text("#board-h").await, "Chuyến sắp đến");

    j.wait_for(r#"a[hreflang="en"]"#)
        .await
        .click()
        .await
        .expect("click");
    j.eventually(
        "the page turns English",
        Duration::from_secs(20),
        || async {
            let h1 = j.text_now("h1").await?;
            (h1 == "New Mien Dong Coach Station").then_some(())
        },
    )
    .await;
    assert_eq!(j.text("#board-h").await, "Next departures");
    j.screenshot("1-english").await;

    j.wait_for(r#"a[hreflang="ja"]"#)
        .await
        .click()
        .await
        .expect("click");
    j.eventually(
        "the page turns Japanese",
        Duration::from_secs(20),
        || async {
            let h1 = j.text_now("h1").await?;
            (h1 == "ミエンドン新バスターミナル").then_some(())
        },
    )
    .await;
    assert_eq!(j.text("#board-h").await, "次の発車");
    let lang = j
        .browser
        .execute("return document.documentElement.lang;", vec![])
        .await
        .expect("script");
    assert_eq!(lang, serde_json::Value::from("ja"));
    j.screenshot("2-japanese").await;

    // A fresh load without ?lang=: the cookie brings Japanese back, server-rendered.
    j.open("/").await;
    assert_eq!(j.text(r#"label[for="q"]"#).await, "停留所を検索");
    j.screenshot("3-home-remembered").await;
    j.finish().await;
}

/// An unknown stop is a real not-found page (the server sends it with status 404). This
/// browser prefers the dark theme: the board's screenshot shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_stop_shows_the_not_found_page() {
    let j = Journey::start_with("not-found-dark", Scheme::Dark).await;
    let status = crate::support::http_client()
        .get(format!("{}/stops/binh-duong:NO_SUCH_STOP", j.base))
        .send()
        .await
        .expect("request")
        .status();
    assert_eq!(status.as_u16(), 404);
    j.open("/stops/binh-duong:NO_SUCH_STOP").await;
    assert_eq!(j.text("h1").await, "Không tìm thấy");
    let home = j.wait_for(r#".not-found a[href="/"]"#).await;
    assert_eq!(home.text().await.expect("text"), "Trang chủ");
    j.screenshot("1-unknown-stop").await;
    j.open("/stops/binh-duong:ST_HIKARI").await;
    let background = j
        .browser
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(
        background,
        serde_json::Value::from("rgb(18, 20, 23)"),
        "the dark theme"
    );
    j.screenshot("2-dark-board").await;
    j.finish().await;
}
