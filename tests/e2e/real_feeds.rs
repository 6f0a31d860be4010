//! Issue 12, real feeds, on a phone (390 × 844) in Vietnamese, English and Japanese: the
//! `real-feeds` fixture (trips without headsigns, routes without colours, one that never
//! runs) and `loop-route` (a trip leaving and coming back to L1). The header and the titles
//! carry the agency's name, not a name written for Binh Duong.

use crate::Journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_feeds_on_a_phone_in_three_languages() {
    let j = Journey::start_with_fixtures("real-feeds", &["real-feeds", "loop-route"]).await;
    j.browser
        .set_window_size(390, 844)
        .await
        .expect("window size");
    for (lang, board_headsign) in [
        ("vi", "Trường Ngô Thời Nhiệm"),
        ("en", "Ngo Thoi Nhiem School"),
        ("ja", "ゴ・トイ・ニエム学校"),
    ] {
        j.open(&format!("/routes?lang={lang}")).await;
        assert_eq!(j.text(".brand span").await, "Xe buýt Thử nghiệm");
        // (Page titles once hydrated are issue 14's; tests/it/real_feeds.rs checks the
        // server-rendered <title>.)
        let listed = j.text("ul.routes").await;
        assert!(listed.contains("10") && listed.contains("V1"), "{listed}");
        assert!(!listed.contains("88") && !listed.contains("99"), "{listed}");
        j.screenshot(&format!("1-routes-{lang}")).await;

        j.open(&format!("/routes/real-feeds:R1?lang={lang}")).await;
        j.wait_for("svg.map path.shape").await;
        let page = j.text("main").await;
        assert!(page.contains(board_headsign), "{page}");
        j.screenshot(&format!("2-route-{lang}")).await;

        j.open(&format!("/stops/real-feeds:A?lang={lang}")).await;
        j.wait_for("main[data-hydrated]").await;
        let board = j.text("main").await;
        assert!(board.contains(board_headsign), "{board}");
        j.screenshot(&format!("3-board-{lang}")).await;

        j.open(&format!("/routes/loop-route:LOOP?lang={lang}"))
            .await;
        j.wait_for("svg.map path.shape").await;
        j.screenshot(&format!("4-loop-{lang}")).await;
    }
    j.finish().await;
}
