//! Route pages and maps: open a route from the routes list, see its buses on the map move
//! without a reload and its stops' next arrivals; the network map with every route and bus;
//! the alerts page with the simulator's alerts; an unknown route.

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::Locator;

use crate::Journey;

/// The markers on the page's map: vehicle id → CSS transform (its position).
async fn markers(j: &Journey) -> BTreeMap<String, String> {
    let found = j
        .browser
        .execute(
            "return Array.from(document.querySelectorAll('svg.map g.vehicle')) \
               .map(g => [g.dataset.vehicle, g.style.transform]);",
            vec![],
        )
        .await
        .expect("script");
    serde_json::from_value::<Vec<(String, String)>>(found)
        .expect("pairs")
        .into_iter()
        .collect()
}

async fn count(j: &Journey, css: &str) -> usize {
    j.browser
        .find_all(Locator::Css(css))
        .await
        .map(|all| all.len())
        .unwrap_or(0)
}

/// From the routes list to route 51: its map shows its buses, which move as positions arrive
/// (same page, same markers, new places), and its stops list their next buses, live ones
/// said in words. A stop's board links its buses' badges back to their route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_a_route_see_its_buses_move_on_the_map_and_its_stops_arrivals() {
    let j = Journey::start("route").await;
    j.open("/routes").await;
    assert_eq!(j.text("h1").await, "Các tuyến xe buýt");
    let link = j
        .wait_for(r#"a.route-item[href="/routes/binh-duong:51"]"#)
        .await;
    assert!(link.text().await.expect("text").contains("51"));
    let listed = count(&j, "ul.routes a.route-item").await;
    assert_eq!(listed, 6, "the sample network's six routes");
    // The header's navigation marks where we are.
    let current = j.text(r#".main-nav a[aria-current="page"]"#).await;
    assert_eq!(current, "Tuyến");
    j.screenshot("1-routes").await;

    link.click().await.expect("click");
    j.wait_for("svg.map path.shape").await;
    j.wait_for("main[data-hydrated]").await;
    assert!(j.text("h1").await.contains("Hikari"));
    j.browser
        .execute("window.__e2e_same_page = true; return true;", vec![])
        .await
        .expect("script");
    let first = j
        .eventually("buses on the map", Duration::from_secs(60), || async {
            let m = markers(&j).await;
            (!m.is_empty() && m.values().all(|t| t.starts_with("translate("))).then_some(m)
        })
        .await;
    assert!(
        count(&j, "svg.map .stop-dot").await > 10,
        "the stops are drawn"
    );
    // Next arrivals along the route, live and timetable told apart in words.
    j.wait_for("li.route-stop li.arrival").await;
    let live = j
        .eventually("a live arrival", Duration::from_secs(60), || async {
            let el = j
                .browser
                .find(Locator::Css(r#"li.arrival[data-status="live"]"#))
                .await
                .ok()?;
            el.text().await.ok()
        })
        .await;
    assert!(live.contains("Trực tiếp"), "{live}");
    j.screenshot("2-route-map").await;

    // A bus moves: the same marker (same vehicle id), a new transform, no reload.
    let moved = j
        .eventually(
            "a bus moves on the map",
            Duration::from_secs(90),
            || async {
                let now = markers(&j).await;
                now.iter()
                    .find(|(id, t)| first.get(*id).is_some_and(|before| before != *t))
                    .map(|(id, t)| (id.clone(), first[id].clone(), t.clone()))
            },
        )
        .await;
    eprintln!("e2e: {} moved from {} to {}", moved.0, moved.1, moved.2);
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
    // Let the transition finish before the picture.
    tokio::time::sleep(Duration::from_secs(5)).await;
    j.screenshot("3-route-map-moved").await;
    j.browser
        .execute(
            "document.querySelector('.route-stops').scrollIntoView(); return true;",
            vec![],
        )
        .await
        .expect("script");
    j.screenshot("4-route-stops").await;

    // A stop's board: route badges lead to the route page.
    let stop = j.wait_for("li.route-stop > a").await;
    let stop_href = stop.attr("href").await.expect("attr").expect("href");
    j.open(&stop_href).await;
    j.wait_for(r#"li.departure a.badge-link[href="/routes/binh-duong:51"]"#)
        .await;
    j.finish().await;
}

/// The network map draws every route's shape and every tracked bus; its key links to the
/// routes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_map_shows_every_route_and_bus() {
    let j = Journey::start("network").await;
    j.open("/map").await;
    assert_eq!(j.text("h1").await, "Bản đồ mạng lưới");
    j.wait_for("svg.map.network path.shape").await;
    let routes: Vec<String> = serde_json::from_value(
        j.browser
            .execute(
                "return [...new Set(Array.from(document.querySelectorAll('svg.map path.shape')) \
                   .map(p => p.dataset.route))];",
                vec![],
            )
            .await
            .expect("script"),
    )
    .expect("ids");
    assert_eq!(routes.len(), 6, "{routes:?}");
    let buses = j
        .eventually(
            "buses on the network map",
            Duration::from_secs(60),
            || async {
                let n = markers(&j).await.len();
                (n >= 3).then_some(n)
            },
        )
        .await;
    eprintln!("e2e: {buses} buses on the network map");
    assert_eq!(count(&j, "ul.legend a.badge-link").await, 6);
    // The markers are refreshed too.
    j.eventually(
        "the network map refreshes",
        Duration::from_secs(30),
        || async {
            let svg = j.browser.find(Locator::Css("svg.map")).await.ok()?;
            let n: u32 = svg.attr("data-updates").await.ok()??.parse().ok()?;
            (n >= 1).then_some(())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    j.screenshot("1-network-map").await;
    j.finish().await;
}

/// The alerts page lists the simulator's two alerts (rush-hour delays on a route, a moved
/// stop), the route and stop they name as links; an unknown route is a 404 page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alerts_page_lists_the_simulators_alerts_and_unknown_routes_are_not_found() {
    let j = Journey::start("alerts").await;
    // The simulator's alerts arrive with its first poll.
    j.eventually("the alerts arrive", Duration::from_secs(60), || async {
        let body: serde_json::Value = crate::support::http_client()
            .get(format!("{}/api/v1/alerts", j.base))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (body["alerts"].as_array()?.len() >= 2).then_some(())
    })
    .await;
    j.open("/alerts").await;
    assert_eq!(j.text("h1").await, "Thông báo vận hành");
    j.wait_for("li.alert-card").await;
    assert_eq!(count(&j, "li.alert-card").await, 2);
    // The warning (delays) before the information (moved stop).
    let first = j.text("li.alert-card").await;
    assert!(first.contains("Cảnh báo"), "{first}");
    j.wait_for(r#"li.alert-card .routes-affected a[href^="/routes/binh-duong:"]"#)
        .await;
    j.wait_for(r#"li.alert-card .stops-affected a[href^="/stops/binh-duong:"]"#)
        .await;
    j.screenshot("1-alerts").await;
    // The language switch: the server draws the page again, in English.
    j.wait_for(r#"a[hreflang="en"]"#)
        .await
        .click()
        .await
        .expect("click");
    j.eventually("the alerts in English", Duration::from_secs(20), || async {
        let h1 = j.text_now("h1").await?;
        (h1 == "Service alerts").then_some(())
    })
    .await;
    j.wait_for("main[data-hydrated]").await;
    assert!(j.text("li.alert-card").await.contains("Warning"));

    let status = crate::support::http_client()
        .get(format!("{}/routes/binh-duong:NO_SUCH_ROUTE", j.base))
        .send()
        .await
        .expect("request")
        .status();
    assert_eq!(status.as_u16(), 404);
    j.open("/routes/binh-duong:NO_SUCH_ROUTE?lang=vi").await;
    assert_eq!(j.text("h1").await, "Không tìm thấy");
    j.screenshot("2-unknown-route").await;
    j.finish().await;
}

/// At 320 CSS px (a small phone, or 200 % zoom) in the dark theme and in English: the route
/// page and the network map fit the width (no sideways scrolling), names translated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_pages_fit_320_px_in_the_dark_theme_in_english() {
    let j = Journey::start_with("route-320-dark", crate::Scheme::Dark).await;
    j.browser
        .set_window_size(320, 900)
        .await
        .expect("window size");
    for (path, step) in [
        ("/routes/binh-duong:61-77?lang=en", "1-route"),
        ("/map?lang=en", "2-network"),
        ("/alerts?lang=en", "3-alerts"),
    ] {
        j.open(path).await;
        let overflow = j
            .browser
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .expect("script");
        assert_eq!(overflow, serde_json::json!(0), "{path} scrolls sideways");
        j.screenshot(step).await;
    }
    j.open("/routes/binh-duong:61-77?lang=en").await;
    assert_eq!(
        j.text("#stops-h").await,
        "Stops and next arrivals",
        "the interface in English"
    );
    assert!(
        j.text("h1").await.contains("New Mien Dong Coach Station"),
        "the route's name from translations.txt"
    );
    j.finish().await;
}
