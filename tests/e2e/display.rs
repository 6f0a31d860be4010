//! A display installer's journey: from a stop's page to the setup of its stop display, a
//! second stop added by search, one route and English chosen, the URL following every
//! choice (copied to the clipboard), the display itself showing just that, and a stop removed.

use std::time::Duration;

use fantoccini::Locator;

use crate::Journey;
use crate::cdp;

/// The value of the URL to copy, once it contains every one of `parts`.
async fn url_with(j: &Journey, parts: &[&str]) -> String {
    j.eventually(
        &format!("the display URL shows {parts:?}"),
        Duration::from_secs(20),
        || async {
            let input = j.browser.find(Locator::Css("#display-url")).await.ok()?;
            let value = input.prop("value").await.ok()??;
            parts.iter().all(|p| value.contains(p)).then_some(value)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_up_a_display_from_a_stop_page_and_open_it() {
    let j = Journey::start("display-setup").await;
    j.open("/stops/binh-duong:BD1020").await;
    j.wait_for(r#".display-link a[href^="/displays/new"]"#)
        .await
        .click()
        .await
        .expect("click");
    j.wait_for(r#"#chosen-stops li[data-stop="binh-duong:BD1020"]"#)
        .await;
    j.wait_for("main[data-hydrated]").await;
    assert_eq!(j.text("h1").await, "Thiết lập màn hình trạm");
    url_with(&j, &["/display/binh-duong:BD1020?lang=vi"]).await;
    j.screenshot("1-prefilled").await;

    // A second stop, by search (as on the home page: no diacritics needed).
    j.wait_for("#display-q")
        .await
        .send_keys("hikari")
        .await
        .expect("typing");
    j.wait_for(r#"#display-search-results a[data-stop="binh-duong:ST_HIKARI"]"#)
        .await
        .click()
        .await
        .expect("click");
    j.wait_for(r#"#chosen-stops li[data-stop="binh-duong:ST_HIKARI"]"#)
        .await;
    url_with(
        &j,
        &["/display/binh-duong:BD1020,binh-duong:ST_HIKARI?lang=vi"],
    )
    .await;

    // Route 51 only (a route of both stops), in English.
    j.wait_for(r#"#route-choices input[value="binh-duong:51"]"#)
        .await
        .click()
        .await
        .expect("tick 51");
    url_with(&j, &["route=binh-duong%3A51"]).await;
    j.wait_for("#dlang")
        .await
        .select_by_value("en")
        .await
        .expect("English");
    let url = url_with(&j, &["route=binh-duong%3A51", "lang=en"]).await;
    assert_eq!(
        url,
        format!(
            "{}/display/binh-duong:BD1020,binh-duong:ST_HIKARI?route=binh-duong%3A51&lang=en",
            j.base
        )
    );
    // The page's own address keeps the setup (shareable, survives a reload).
    let here = j.browser.current_url().await.expect("url");
    assert!(
        here.as_str().contains("route=binh-duong%3A51") && here.as_str().contains("dlang=en"),
        "{here}"
    );
    // The preview and the LED signs' URLs follow.
    let preview = j.wait_for("iframe.display-preview").await;
    assert_eq!(
        preview.attr("src").await.expect("src").as_deref(),
        url.strip_prefix(&j.base)
    );
    assert!(
        j.text("#signage-txt")
            .await
            .ends_with(".txt?route=binh-duong%3A51&lang=en")
    );
    // Copy: the browser's clipboard then holds the URL.
    cdp::grant_clipboard(&j.browser, &j.base).await;
    j.wait_for("#copy-url").await.click().await.expect("copy");
    let copied = j
        .eventually("the URL is copied", Duration::from_secs(10), || async {
            let said = j.text_now(".display-result [aria-live]").await?;
            (said == "Đã sao chép.").then_some(())?;
            let clip = j
                .browser
                .execute_async(
                    "const done = arguments[0]; \
                     navigator.clipboard.readText().then(done, (e) => done('error: ' + e));",
                    vec![],
                )
                .await
                .ok()?;
            clip.as_str().map(str::to_owned)
        })
        .await;
    assert_eq!(copied, url);
    j.screenshot("2-url-built").await;

    // Open the display (the link opens it in a new tab; a display's browser would just load it).
    let open = j.wait_for("#open-display").await;
    let href = open.attr("href").await.expect("href").expect("a link");
    assert_eq!(Some(href.as_str()), url.strip_prefix(&j.base));
    j.browser
        .goto(&format!("{}{href}", j.base))
        .await
        .expect("the display opens");
    let title = j.text("h1").await;
    assert!(
        title.contains("Binh Duong Provincial Coach Station")
            && title.contains("Hikari Transfer Terminal"),
        "{title}"
    );
    assert_eq!(j.text("thead").await, "Route Destination Departs");
    let badges = j
        .browser
        .find_all(Locator::Css("tbody .badge"))
        .await
        .expect("badges");
    assert!(!badges.is_empty(), "the display lists departures");
    for badge in badges {
        // Rows that do not fit the window are hidden: their text is read, not what is shown.
        let text = badge.prop("textContent").await.expect("text");
        assert_eq!(text.as_deref(), Some("51"), "route 51 only");
    }
    let rows = j.text("tbody").await;
    assert!(rows.contains("min"), "minutes in English: {rows}");
    // A display in portrait (this phone-sized window) does not scroll sideways.
    let width = j
        .browser
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .expect("script");
    assert!(
        width[0].as_u64() <= width[1].as_u64(),
        "the display scrolls sideways: [page, window] = {width}"
    );
    j.screenshot("3-display").await;

    // Back to the setup: removing a stop's chip keeps the other choices.
    j.browser.back().await.expect("back");
    j.wait_for("main[data-hydrated]").await;
    j.wait_for(r#"#chosen-stops li[data-stop="binh-duong:BD1020"] a"#)
        .await
        .click()
        .await
        .expect("remove");
    let url = url_with(&j, &["/display/binh-duong:ST_HIKARI?"]).await;
    assert_eq!(
        url,
        format!(
            "{}/display/binh-duong:ST_HIKARI?route=binh-duong%3A51&lang=en",
            j.base
        )
    );
    j.screenshot("4-stop-removed").await;
    j.finish().await;
}

/// The setup by keyboard: Tab reaches a route's checkbox past the header and the stop's chip,
/// Space ticks it, the URL follows, and the focus stays on the checkbox (the form is not
/// re-rendered under it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_works_by_keyboard_and_keeps_the_focus() {
    let j = Journey::start("display-keyboard").await;
    j.open("/displays/new?stop=binh-duong%3ABD1020").await;
    j.wait_for("#route-choices").await;
    let tab = char::from(fantoccini::key::Key::Tab).to_string();
    let focused = || async {
        j.browser
            .execute(
                "const e = document.activeElement; return [e.tagName, e.id, e.getAttribute('name')];",
                vec![],
            )
            .await
            .expect("script")
    };
    let mut reached = false;
    // Past the header (skip link, home, main navigation, languages) and the setup's fields.
    for _ in 0..20 {
        j.browser
            .active_element()
            .await
            .expect("focus")
            .send_keys(&tab)
            .await
            .expect("Tab");
        if focused().await == serde_json::json!(["INPUT", "route-binh-duong:51", "route"]) {
            reached = true;
            break;
        }
    }
    assert!(reached, "route 51's checkbox is reached by Tab");
    j.browser
        .active_element()
        .await
        .expect("checkbox")
        .send_keys(" ")
        .await
        .expect("Space");
    url_with(
        &j,
        &["/display/binh-duong:BD1020?route=binh-duong%3A51&lang=vi"],
    )
    .await;
    assert_eq!(
        focused().await,
        serde_json::json!(["INPUT", "route-binh-duong:51", "route"]),
        "the focus stays where it was"
    );
    j.screenshot("1-ticked-by-keyboard").await;
    j.finish().await;
}
