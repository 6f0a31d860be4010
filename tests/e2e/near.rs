//! "Stops near me" with the browser's location: allowed (a position set through DevTools,
//! 50 m from the provincial coach station) and refused.

use std::time::Duration;

use fantoccini::Locator;

use crate::Journey;
use crate::cdp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_me_lists_the_nearest_stops_with_distances_and_a_refusal_says_what_to_do() {
    let j = Journey::start("near-me").await;
    // By the coach station (stop BD1020 at 10.967146, 106.668910).
    cdp::grant_location(&j.browser, &j.base, 10.9675, 106.6692).await;
    j.open("/").await;
    j.wait_for(".near button")
        .await
        .click()
        .await
        .expect("click");
    let nearest = j.wait_for(".near ul.stops li").await;
    let link = nearest
        .find(Locator::Css("a"))
        .await
        .expect("the stop's link");
    assert_eq!(
        link.attr("href").await.expect("href").as_deref(),
        Some("/stops/binh-duong:BD1020"),
        "the nearest stop comes first"
    );
    let text = nearest.text().await.expect("text");
    assert!(
        text.contains("Bến xe khách tỉnh Bình Dương") && text.contains("· 50 m"),
        "name and distance: {text}"
    );
    let all = j
        .browser
        .find_all(Locator::Css(".near ul.stops li"))
        .await
        .expect("stops");
    let mut distances = Vec::new();
    for li in &all {
        let text = li.text().await.expect("text");
        let metres = text
            .split(" · ")
            .nth(1)
            .and_then(|d| d.split(' ').next())
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("a distance in metres: {text}"));
        distances.push(metres);
    }
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first: {distances:?}"
    );
    assert!(distances.iter().all(|d| *d <= 1000.0), "{distances:?}");
    j.screenshot("1-found").await;

    // Refused: the reader is told why and what else to do.
    cdp::refuse_location(&j.browser, &j.base).await;
    j.open("/").await;
    j.wait_for(".near button")
        .await
        .click()
        .await
        .expect("click");
    let notice = j
        .eventually(
            "the refusal is explained",
            Duration::from_secs(20),
            || async {
                let notice = j
                    .browser
                    .find(Locator::Css(".near [role=alert]"))
                    .await
                    .ok()?;
                notice.text().await.ok()
            },
        )
        .await;
    assert_eq!(
        notice,
        "Bạn đã từ chối chia sẻ vị trí. Hãy cho phép trong cài đặt trình duyệt, hoặc tìm theo tên trạm."
    );
    j.screenshot("2-refused").await;
    j.finish().await;
}
