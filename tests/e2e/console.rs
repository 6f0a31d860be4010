//! The operator console's journey: sign in with a token (a wrong one and another feed's are
//! refused with their messages), upload the sample feed with a progress bar, read its report,
//! activate it, then upload a broken feed and read what to fix while the active version stays.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::elements::Element;

use crate::support::{sample_files, zip_of};
use crate::{Journey, PATIENCE};

const FEED: &str = "binh-duong";

/// Writes `zip` to `dir/name` and gives its absolute path (what a file input is sent).
fn zip_file(dir: &tempfile::TempDir, name: &str, zip: Vec<u8>) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, zip).expect("zip written");
    path.to_str().expect("utf-8 path").to_owned()
}

impl Journey {
    /// Scrolls `css` into view (for the screenshot) and gives it.
    async fn show(&self, css: &str) -> Element {
        let element = self.wait_for(css).await;
        self.browser
            .execute(
                "arguments[0].scrollIntoView({block: 'start'}); return true;",
                vec![serde_json::to_value(&element).expect("element as JSON")],
            )
            .await
            .expect("scroll");
        element
    }

    /// The text of `css` once it is `expected` (or panics, with a screenshot, after a while).
    async fn text_becomes(&self, css: &str, expected: impl Fn(&str) -> bool, what: &str) -> String {
        self.eventually(what, PATIENCE, || async {
            let text = self
                .browser
                .find(Locator::Css(css))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            expected(&text).then_some(text)
        })
        .await
    }

    /// Chooses `path` in the upload's file input and sends it.
    async fn upload(&self, path: &str) {
        let input = self.wait_for("#op-file").await;
        input.clear().await.expect("clear the file input");
        input.send_keys(path).await.expect("choose the file");
        self.wait_for("#op-upload")
            .await
            .click()
            .await
            .expect("upload");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_signs_in_uploads_activates_and_reads_an_invalid_feeds_report() {
    let (j, tokens) =
        Journey::start_as_operators("console", &[("ana", FEED), ("bao", "other-feed")]).await;
    let (token, other_feeds_token) = (&tokens[0], &tokens[1]);
    let files = tempfile::tempdir().expect("temp dir");
    let valid = zip_file(&files, "binh-duong.zip", zip_of(&sample_files()));
    let without_stops: Vec<_> = sample_files()
        .into_iter()
        .filter(|(name, _)| name != "stops.txt")
        .collect();
    let invalid = zip_file(&files, "no-stops.zip", zip_of(&without_stops));

    // The server renders the sign-in form (and never sees a token); the footer links here.
    let html = crate::support::http_client()
        .get(format!("{}/operator", j.base))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(html.contains(r#"id="op-token""#), "{html}");
    assert!(html.contains(r#"type="password""#));
    j.open("/").await;
    j.click(r#"footer a[href="/operator"]"#).await;
    j.wait_for("#op-token").await;
    j.wait_for("main[data-hydrated]").await;
    j.screenshot("1-sign-in").await;

    // A wrong token, then another feed's: each refusal says what is wrong.
    let sign_in = async |token: &str| {
        let input = j.wait_for("#op-token").await;
        input.clear().await.expect("clear");
        input.send_keys(token).await.expect("type the token");
        j.click("#op-sign-in").await;
    };
    sign_in("rtpi_not-a-real-token").await;
    j.text_becomes(
        ".op-signin-error",
        |t| t.starts_with("Mã truy cập không đúng"),
        "the wrong token is refused",
    )
    .await;
    j.screenshot("2-wrong-token").await;
    sign_in(other_feeds_token).await;
    let refusal = j
        .text_becomes(
            ".op-signin-error",
            |t| t.starts_with("Mã này thuộc nhà vận hành của feed khác"),
            "another feed's token is refused",
        )
        .await;
    assert!(refusal.contains("does not manage feed"), "{refusal}");
    let kept = j
        .browser
        .execute("return sessionStorage.getItem('rtpi.operator');", vec![])
        .await
        .expect("script");
    assert_eq!(kept, serde_json::Value::Null, "a refused token is not kept");

    sign_in(token).await;
    assert_eq!(j.text(".op-feed").await, FEED);
    assert!(
        j.text(".op-versions")
            .await
            .contains("Chưa có phiên bản nào")
    );
    j.screenshot("3-signed-in").await;

    // The valid feed: a progress bar while it goes, then its report without errors.
    j.browser
        .execute(
            "window.__progress = []; new MutationObserver(() => { \
               const p = document.getElementById('op-progress'); \
               if (p) window.__progress.push(Number(p.value)); \
             }).observe(document.body, {subtree: true, childList: true, attributes: true}); \
             return true;",
            vec![],
        )
        .await
        .expect("script");
    j.upload(&valid).await;
    j.wait_for(".op-report").await;
    let progress = j
        .browser
        .execute("return window.__progress;", vec![])
        .await
        .expect("script");
    eprintln!("e2e: upload progress seen (percent): {progress}");
    assert!(
        progress.as_array().is_some_and(|p| !p.is_empty()),
        "the progress bar was shown"
    );
    assert_eq!(j.text(r#".op-report [data-count="errors"]"#).await, "0");
    assert!(
        j.browser
            .find_all(Locator::Css(r#".op-findings tr[data-severity="error"]"#))
            .await
            .expect("rows")
            .is_empty()
    );
    j.text_becomes(
        ".op-upload-notice",
        |t| t.contains("Hợp lệ, đã lưu thành phiên bản 1."),
        "the upload's verdict",
    )
    .await;
    j.wait_for(r#"tr[data-version="1"][data-state="validated"]"#)
        .await;
    j.show(".op-report").await;
    j.screenshot("4-valid-report").await;

    // Activate it, after confirming.
    j.click(r#"tr[data-version="1"] button.op-activate"#).await;
    let question = j.text(".op-confirm").await;
    assert!(
        question.contains("Kích hoạt phiên bản này ngay?"),
        "{question}"
    );
    j.show(".op-versions").await;
    j.screenshot("5-confirm").await;
    j.click("#op-confirm-yes").await;
    j.wait_for(r#"tr[data-version="1"][data-state="active"]"#)
        .await;
    j.text_becomes(
        ".op-versions-notice",
        |t| t.contains("Đã kích hoạt phiên bản 1."),
        "the activation is confirmed",
    )
    .await;
    let row = j.text(r#"tr[data-version="1"]"#).await;
    assert!(row.contains("Đang dùng"), "the state in words: {row}");
    j.show(".op-versions").await;
    j.screenshot("6-active").await;

    // A feed without stops.txt: refused, with the error, its file and the fix; nothing changes.
    j.upload(&invalid).await;
    j.wait_for(".op-findings").await;
    let rows = j
        .browser
        .find_all(Locator::Css(".op-findings tr[data-severity]"))
        .await
        .expect("rows");
    let first = rows[0].attr("data-severity").await.expect("attr");
    assert_eq!(first.as_deref(), Some("error"), "errors come first");
    assert!(rows[0].text().await.expect("text").contains("Lỗi"));
    let stops_error = j
        .browser
        .find_all(Locator::Css(r#".op-findings tr[data-severity="error"]"#))
        .await
        .expect("rows");
    let mut found = false;
    for row in stops_error {
        let cells = row.find_all(Locator::Css("td")).await.expect("cells");
        let mut texts = Vec::new();
        for cell in cells {
            texts.push(cell.text().await.expect("text"));
        }
        if texts[1] == "stops.txt" {
            assert!(!texts[3].is_empty() && !texts[4].is_empty(), "{texts:?}");
            found = true;
        }
    }
    assert!(found, "an error row about stops.txt");
    j.text_becomes(
        ".op-upload-notice",
        |t| t.starts_with("Bị từ chối"),
        "the refusal",
    )
    .await;
    j.show(".op-report").await;
    j.screenshot("7-invalid-report").await;
    j.wait_for(r#"tr[data-version="1"][data-state="active"]"#)
        .await;
    let versions = j
        .browser
        .find_all(Locator::Css("tr[data-version]"))
        .await
        .expect("rows");
    assert_eq!(versions.len(), 1, "the refused feed was not kept");

    // Validate only: a report, nothing kept.
    j.click("#op-validate-only").await;
    j.upload(&valid).await;
    j.text_becomes(
        ".op-upload-notice",
        |t| t.contains("Chỉ kiểm tra, không lưu gì: hợp lệ."),
        "the dry run's verdict",
    )
    .await;
    assert_eq!(j.text(r#".op-report [data-count="errors"]"#).await, "0");
    assert_eq!(
        j.browser
            .find_all(Locator::Css("tr[data-version]"))
            .await
            .expect("rows")
            .len(),
        1,
        "a dry run keeps nothing"
    );

    // A second version, scheduled for a date-time in the feed's zone, then deleted.
    j.click("#op-validate-only").await;
    j.upload(&valid).await;
    j.wait_for(r#"tr[data-version="2"][data-state="validated"]"#)
        .await;
    j.click(r#"tr[data-version="2"] button.op-schedule"#).await;
    let zone = j.text("#op-at-zone").await;
    assert!(zone.contains("Asia/Ho_Chi_Minh (UTC+07:00)"), "{zone}");
    // A datetime-local input's typing depends on the browser's locale: set its value.
    j.browser
        .execute(
            "document.getElementById('op-at').value = '2026-11-24T03:00'; return true;",
            vec![],
        )
        .await
        .expect("script");
    j.show(".op-versions").await;
    j.screenshot("8-schedule").await;
    j.click("#op-confirm-yes").await;
    j.wait_for(r#"tr[data-version="2"][data-state="scheduled"]"#)
        .await;
    let row = j.text(r#"tr[data-version="2"]"#).await;
    assert!(
        row.contains("Đã hẹn giờ") && row.contains("2026-11-24 03:00"),
        "scheduled for 03:00 in Binh Duong: {row}"
    );
    j.click(r#"tr[data-version="2"] button.op-delete"#).await;
    j.click("#op-confirm-yes").await;
    j.text_becomes(
        ".op-versions-notice",
        |t| t.contains("Đã xóa phiên bản 2."),
        "the deletion is confirmed",
    )
    .await;
    j.eventually("version 2 is gone", PATIENCE, || async {
        let rows = j
            .browser
            .find_all(Locator::Css("tr[data-version]"))
            .await
            .ok()?;
        (rows.len() == 1).then_some(())
    })
    .await;
    j.wait_for(r#"tr[data-version="1"][data-state="active"]"#)
        .await;

    // Another version, activated now, then rolled back in one step: version 1 again.
    j.upload(&valid).await;
    // (Its number is the store's to give: a deleted version's may be given again.)
    let newer = j
        .wait_for(r#"tr[data-version][data-state="validated"]"#)
        .await
        .attr("data-version")
        .await
        .expect("attr")
        .expect("a version number");
    assert_ne!(newer, "1");
    j.click(&format!(r#"tr[data-version="{newer}"] button.op-activate"#))
        .await;
    j.click("#op-confirm-yes").await;
    j.wait_for(&format!(
        r#"tr[data-version="{newer}"][data-state="active"]"#
    ))
    .await;
    j.wait_for(r#"tr[data-version="1"][data-state="retired"]"#)
        .await;
    j.click("#op-rollback").await;
    let question = j.text(".op-confirm").await;
    assert!(question.contains("Dùng lại phiên bản"), "{question}");
    j.click("#op-confirm-yes").await;
    j.text_becomes(
        ".op-versions-notice",
        |t| t.contains("Đã quay về phiên bản 1."),
        "the rollback is confirmed",
    )
    .await;
    j.wait_for(r#"tr[data-version="1"][data-state="active"]"#)
        .await;
    j.wait_for(&format!(
        r#"tr[data-version="{newer}"][data-state="retired"]"#
    ))
    .await;
    j.show(".op-versions").await;
    j.screenshot("8b-rolled-back").await;

    // The activity: the rollback done, and the invalid upload refused, with the refusal's code.
    j.wait_for(r#".op-activity tr[data-action="rollback"][data-outcome="ok"]"#)
        .await;
    let refused = j
        .text(r#".op-activity tr[data-action="upload"]:not([data-outcome="ok"])"#)
        .await;
    assert!(
        refused.contains("Bị từ chối") && refused.contains("invalid_feed"),
        "{refused}"
    );
    j.show(".op-activity").await;
    j.screenshot("8c-activity").await;

    // The health panel: the simulator's realtime source, with vehicles tracked and matched.
    let tracked = j
        .eventually("vehicles are tracked", Duration::from_secs(40), || async {
            let cell = j
                .browser
                .find(Locator::Css(r#".op-health td[data-count="tracked"]"#))
                .await
                .ok()?;
            let n: u32 = cell.text().await.ok()?.parse().ok()?;
            (n > 0).then_some(n)
        })
        .await;
    let matched: u32 = j
        .text(r#".op-health td[data-count="matched"]"#)
        .await
        .parse()
        .expect("a count");
    assert!(matched <= tracked);
    j.show(".op-health").await;
    j.screenshot("9-health").await;

    // On a narrow phone (320 CSS px, as at 200 % zoom) the page does not scroll sideways: the
    // tables scroll inside their own box.
    j.browser
        .set_window_size(320, 800)
        .await
        .expect("narrow window");
    let width = j
        .browser
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("script");
    eprintln!("e2e: console at a narrow width: [page width, window width] = {width}");
    let (page, window) = (width[0].as_u64(), width[1].as_u64());
    assert!(page <= window, "the page scrolls sideways: {width}");
    j.show(".op-versions").await;
    j.screenshot("10-narrow").await;

    // Signing out forgets the token.
    j.click("#op-sign-out").await;
    j.wait_for("#op-token").await;
    let kept = j
        .browser
        .execute("return sessionStorage.getItem('rtpi.operator');", vec![])
        .await
        .expect("script");
    assert_eq!(kept, serde_json::Value::Null);

    // The console has a bundle of its own (riders never download it): a rider page reached
    // from here (the router follows the link, finds the page left out of this bundle) is
    // loaded from the server with the riders' bundle, and its footer link back loads the
    // console's again.
    let bundle = || async {
        j.browser
            .execute(
                "return [...document.querySelectorAll('link[rel=modulepreload]')]\
                 .map(l => new URL(l.href).pathname).join(' ');",
                vec![],
            )
            .await
            .expect("script")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(bundle().await, "/pkg/console.js");
    j.click("a.brand").await;
    j.wait_for("#q").await;
    j.wait_for("main[data-hydrated]").await;
    assert_eq!(bundle().await, "/pkg/frontend.js");
    j.click(r#"footer a[href="/operator"]"#).await;
    j.wait_for("#op-token").await;
    j.wait_for("main[data-hydrated]").await;
    assert_eq!(bundle().await, "/pkg/console.js");
    j.finish().await;
}
