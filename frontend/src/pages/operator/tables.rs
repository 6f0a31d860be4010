//! The console's three tables (validation report, versions, realtime health) as HTML text,
//! every value escaped. They are read-only markup that is replaced whole when its data changes,
//! so they are built as text (inserted with `inner_html`) rather than as Leptos views: as views,
//! they and the console's other dynamic parts added some 70 KB (gzipped) of rendering code to
//! the browser bundle that every rider downloads. The versions table's buttons carry `data-action` and `data-version`; the console
//! listens for clicks on the table (one listener) and asks for confirmation.

use std::fmt::Write as _;

use api_types::operator::{FeedVersion, VersionState};
use api_types::{Health, Severity, ValidationReport};

use super::model;
use crate::api::VehicleTrip;
use crate::format;
pub use crate::format::escape_html as escape;
use crate::i18n::{Key, Lang, t};

use crate::ui::icon;

const STROKE: &str = r#"fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round""#;

pub fn check_icon() -> String {
    icon::svg(&format!(
        r#"<circle cx="12" cy="12" r="9" {STROKE}/><path {STROKE} d="M8 12.5l2.7 2.7L16.5 9"/>"#
    ))
}

fn cross_icon() -> String {
    icon::svg(icon::CANCEL)
}

pub fn warning_icon() -> String {
    icon::svg(icon::WARNING)
}

fn clock_icon() -> String {
    icon::svg(icon::CLOCK)
}

fn live_icon() -> String {
    icon::svg(icon::LIVE)
}

fn archive_icon() -> String {
    icon::svg(&format!(
        r#"<path {STROKE} d="M3 4h18v4H3zM5 8v12h14V8M10 12h4"/>"#
    ))
}

fn severity_icon(severity: Severity) -> String {
    match severity {
        Severity::Error => cross_icon(),
        Severity::Warning => warning_icon(),
    }
}

fn head(out: &mut String, lang: Lang, columns: &[Key]) {
    out.push_str("<thead><tr>");
    for key in columns {
        let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(t(lang, *key)));
    }
    out.push_str("</tr></thead>");
}

/// A notice: success or problem, in icon and words.
pub fn notice(ok: bool, text: &str) -> String {
    let (class, icon) = if ok {
        ("op-ok", check_icon())
    } else {
        ("op-err", warning_icon())
    };
    format!(r#"<p class="{class}">{icon} {}</p>"#, escape(text))
}

/// The upload's progress bar, with its percentage in words too.
pub fn progress(lang: Lang, percent: u8) -> String {
    let label = t(
        lang,
        if percent >= 100 {
            Key::OpServerChecking
        } else {
            Key::OpUploading
        },
    );
    format!(
        r#"<div class="op-progress"><label for="op-progress">{}</label><progress id="op-progress" max="100" value="{percent}" aria-valuetext="{percent} %">{percent} %</progress><span class="op-percent" aria-hidden="true">{percent} %</span></div>"#,
        escape(label)
    )
}

/// The question before an action (a date-time input, with the feed's zone, to schedule one);
/// its buttons carry `data-confirm` (`yes`, `no`).
pub fn confirm(lang: Lang, pending: model::Pending, zone: &str, offset: i64) -> String {
    use model::Pending;
    let (question, version) = match pending {
        Pending::Activate(id) => (Key::OpConfirmActivate, Some(id)),
        Pending::Schedule(id) => (Key::OpConfirmSchedule, Some(id)),
        Pending::Rollback => (Key::OpConfirmRollback, None),
        Pending::Delete(id) => (Key::OpConfirmDelete, Some(id)),
    };
    let version = version.map_or_else(String::new, |id| {
        format!(
            "<strong>{} #{id}:</strong> ",
            escape(t(lang, Key::OpVersion))
        )
    });
    let when = if matches!(pending, Pending::Schedule(_)) {
        format!(
            r#"<label for="op-at">{}</label><input id="op-at" type="datetime-local" aria-describedby="op-at-zone"><p class="muted" id="op-at-zone">{}: {} (UTC{})</p>"#,
            escape(t(lang, Key::OpWhen)),
            escape(t(lang, Key::OpTimeZone)),
            escape(zone),
            model::offset_text(offset)
        )
    } else {
        String::new()
    };
    format!(
        r#"<div class="op-confirm" role="group" aria-labelledby="op-confirm-q"><p id="op-confirm-q">{version}{}</p>{when}<p class="op-confirm-buttons"><button type="button" id="op-confirm-yes" data-confirm="yes">{}</button> <button type="button" class="secondary" id="op-confirm-no" data-confirm="no">{}</button></p></div>"#,
        escape(t(lang, question)),
        escape(t(lang, Key::OpConfirm)),
        escape(t(lang, Key::OpCancel))
    )
}

/// The report's findings: a group per severity (errors first), each row with its severity in
/// icon and word, file, line, what is wrong and what to fix.
pub fn report(lang: Lang, report: &ValidationReport) -> String {
    let mut out = String::from(r#"<table class="op-table op-findings">"#);
    head(
        &mut out,
        lang,
        &[
            Key::OpSeverity,
            Key::OpFileColumn,
            Key::OpLine,
            Key::OpProblem,
            Key::OpFix,
        ],
    );
    for group in model::groups(report) {
        let class = match group.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (icon, word) = (
            severity_icon(group.severity),
            escape(t(lang, model::severity_key(group.severity))),
        );
        let _ = write!(
            out,
            r#"<tbody class="op-group sev-{class}"><tr><th scope="rowgroup" colspan="5">{icon} {word}: {}</th></tr>"#,
            group.total
        );
        for f in group.findings {
            let file = if f.file.is_empty() {
                format!(
                    r#"<span class="muted">{}</span>"#,
                    escape(t(lang, Key::OpWholeFeed))
                )
            } else {
                format!("<code>{}</code>", escape(&f.file))
            };
            let line = f.line.map_or_else(|| "–".to_owned(), |l| l.to_string());
            let _ = write!(
                out,
                r#"<tr class="sev-{class}" data-severity="{class}"><td class="op-sev">{icon} {word}</td><td>{file}</td><td class="num">{line}</td><td>{}</td><td>{}</td></tr>"#,
                escape(&f.message),
                escape(&f.fix)
            );
        }
        out.push_str("</tbody>");
    }
    out.push_str("</table>");
    if !report.suppressed.is_empty() {
        out.push_str(r#"<ul class="op-suppressed">"#);
        for s in &report.suppressed {
            let _ = write!(
                out,
                "<li><code>{}</code> ({}): {} {}</li>",
                escape(&s.code),
                escape(t(lang, model::severity_key(s.severity))),
                s.count,
                escape(t(lang, Key::OpNotListed))
            );
        }
        out.push_str("</ul>");
    }
    out
}

/// The versions, newest first: id, upload (when in the feed's offset, by whom), size, service
/// dates, state (icon and word; a scheduled one's time), and the actions its state allows.
pub fn versions(lang: Lang, versions: &[FeedVersion], offset: i64) -> String {
    let mut out = String::from(r#"<table class="op-table">"#);
    head(
        &mut out,
        lang,
        &[
            Key::OpVersion,
            Key::OpUploaded,
            Key::OpSize,
            Key::OpValidity,
            Key::Status,
            Key::OpActions,
        ],
    );
    out.push_str("<tbody>");
    for v in versions {
        let (key, class) = model::state_key(v.state);
        let icon = match v.state {
            VersionState::Validated => check_icon(),
            VersionState::Scheduled => clock_icon(),
            VersionState::Active => live_icon(),
            VersionState::Retired => archive_icon(),
        };
        let dates = match (&v.first_service_date, &v.last_service_date) {
            (Some(a), Some(b)) => format!("{} – {}", escape(a), escape(b)),
            _ => "–".to_owned(),
        };
        let when = match (&v.activate_at, v.state) {
            (Some(at), VersionState::Scheduled) => format!(
                r#"<br><span class="muted">{}</span>"#,
                escape(&model::local_time(at, offset))
            ),
            _ => String::new(),
        };
        let id = v.id;
        let _ = write!(
            out,
            r#"<tr data-version="{id}" data-state="{class}"><th scope="row">#{id}</th><td>{}<br><span class="muted">{}</span></td><td class="num">{}</td><td>{dates}</td><td class="op-state {class}">{icon} {}{when}</td><td>"#,
            escape(&model::local_time(&v.uploaded_at, offset)),
            escape(&v.uploaded_by),
            model::size(v.size),
            escape(t(lang, key)),
        );
        if v.state != VersionState::Active {
            out.push_str(r#"<div class="op-actions">"#);
            for (action, key, class) in [
                ("activate", Key::OpActivateNow, "op-activate"),
                ("schedule", Key::OpActivateAt, "secondary op-schedule"),
                ("delete", Key::OpDelete, "secondary op-delete"),
            ] {
                let _ = write!(
                    out,
                    r#"<button type="button" class="{class}" data-action="{action}" data-version="{id}">{}</button>"#,
                    escape(t(lang, key))
                );
            }
            out.push_str("</div>");
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The latest actions on `feed` (see [`model::activity`]): when (in the feed's offset), who,
/// what, which version, and done or refused (icon and word, with the refusal's detail).
pub fn activity(
    lang: Lang,
    entries: &[api_types::operator::AuditEntry],
    feed: &str,
    offset: i64,
) -> String {
    let mut rows = model::activity(entries, feed, 20).peekable();
    if rows.peek().is_none() {
        return format!("<p>{}</p>", escape(t(lang, Key::OpNoActivity)));
    }
    let mut out = String::from(r#"<table class="op-table op-activity">"#);
    head(
        &mut out,
        lang,
        &[
            Key::OpAt,
            Key::OpWho,
            Key::OpAction,
            Key::OpVersion,
            Key::OpOutcome,
        ],
    );
    out.push_str("<tbody>");
    for e in rows {
        let action = model::action_key(&e.action).map_or(e.action.as_str(), |k| t(lang, k));
        let version = e.version.map_or("–".to_owned(), |v| format!("#{v}"));
        let outcome = if e.outcome == "ok" {
            format!(
                r#"<span class="op-ok">{} {}</span>"#,
                check_icon(),
                escape(t(lang, Key::OpDone))
            )
        } else {
            format!(
                r#"<span class="op-err">{} {} <code>{}</code></span><br><span class="muted">{}</span>"#,
                cross_icon(),
                escape(t(lang, Key::OpRefusedAs)),
                escape(&e.outcome),
                escape(&e.detail)
            )
        };
        let _ = write!(
            out,
            r#"<tr data-action="{}" data-outcome="{}"><td>{}</td><td>{}</td><td>{}</td><td>{version}</td><td>{outcome}</td></tr>"#,
            escape(&e.action),
            escape(&e.outcome),
            escape(&model::local_time(&e.at, offset)),
            escape(&e.operator),
            escape(action),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// Each realtime source: last fetch (in its feed's offset), age, vehicles tracked and matched
/// (sources of positions), its latest findings (at most three) and their count.
pub fn health(
    lang: Lang,
    health: &Health,
    vehicles: Option<&[VehicleTrip]>,
    offset_of: impl Fn(&str) -> i64,
) -> String {
    if health.realtime.is_empty() {
        return format!("<p>{}</p>", escape(t(lang, Key::OpNoRealtime)));
    }
    let mut out = String::from(r#"<table class="op-table">"#);
    head(
        &mut out,
        lang,
        &[
            Key::OpSource,
            Key::OpLastFetch,
            Key::OpAge,
            Key::OpTracked,
            Key::OpMatched,
            Key::OpFindings,
        ],
    );
    out.push_str("<tbody>");
    for s in &health.realtime {
        let offset = offset_of(&s.feed_id);
        let counts = matches!(s.kind.as_str(), "vehicle_positions" | "mixed")
            .then(|| vehicles.map(|v| model::vehicle_counts(v, &s.feed_id)))
            .flatten();
        let (tracked, matched) = counts.map_or_else(
            || ("–".to_owned(), "–".to_owned()),
            |(a, b)| (a.to_string(), b.to_string()),
        );
        let last = s.last_success.as_deref().map_or_else(
            || t(lang, Key::OpNever).to_owned(),
            |at| model::local_time(at, offset),
        );
        let failing = s
            .failing_since
            .as_deref()
            .map_or_else(String::new, |since| {
                format!(
                    r#"<br><span class="op-err">{} {} {}: {}</span>"#,
                    warning_icon(),
                    escape(t(lang, Key::OpFailing)),
                    escape(&model::local_time(since, offset)),
                    escape(s.last_error.as_deref().unwrap_or_default())
                )
            });
        let age = s
            .age_seconds
            .map_or_else(String::new, |a| format::age(lang, a));
        let findings = if s.findings.is_empty() {
            format!(
                r#"<span class="muted">{}</span>"#,
                escape(t(lang, Key::OpNone))
            )
        } else {
            let total: u64 = s.finding_counts.values().sum();
            let mut list = format!(r#"{total}<ul class="op-findings-list">"#);
            for f in s.findings.iter().take(3) {
                let _ = write!(
                    list,
                    "<li><code>{}</code> {}</li>",
                    escape(&f.code),
                    escape(&f.message)
                );
            }
            list.push_str("</ul>");
            list
        };
        let _ = write!(
            out,
            r#"<tr data-source="{id}"><th scope="row">{id}<br><span class="muted">{feed} · {kind}</span></th><td>{last}{failing}</td><td class="num">{age}</td><td class="num" data-count="tracked">{tracked}</td><td class="num" data-count="matched">{matched}</td><td>{findings}</td></tr>"#,
            id = escape(&s.source_id),
            feed = escape(&s.feed_id),
            kind = escape(&s.kind),
            last = escape(&last),
            age = escape(&age),
        );
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::{Finding, RealtimeSourceHealth};

    fn entry(at: &str, feed: &str, action: &str, outcome: &str) -> api_types::operator::AuditEntry {
        api_types::operator::AuditEntry {
            at: at.to_owned(),
            operator: "ana <admin>".to_owned(),
            action: action.to_owned(),
            feed_id: Some(feed.to_owned()),
            version: Some(3),
            outcome: outcome.to_owned(),
            detail: "stops.txt is missing".to_owned(),
        }
    }

    #[test]
    fn the_activity_lists_the_feeds_latest_actions_with_refusals_in_words() {
        let entries = vec![
            entry("2026-11-23T01:00:00Z", "bd", "upload", "invalid_feed"),
            entry("2026-11-23T00:59:00Z", "other", "delete", "ok"),
            entry("2026-11-23T00:58:00Z", "bd", "rollback", "ok"),
            entry("2026-11-23T00:57:00Z", "bd", "something_new", "ok"),
        ];
        let html = activity(Lang::En, &entries, "bd", 25_200);
        // Another feed's entries are left out; the newest comes first, in the feed's offset.
        assert_eq!(html.matches("<tr data-action").count(), 3, "{html}");
        assert!(!html.contains("Deletion"), "{html}");
        let upload = html.find("Upload").expect("upload");
        let rollback = html.find("Rollback").expect("rollback");
        assert!(upload < rollback, "{html}");
        assert!(html.contains("2026-11-23 08:00"), "{html}");
        // A refusal says so in words, with its code and detail; names are escaped.
        assert!(html.contains("Refused <code>invalid_feed</code>"), "{html}");
        assert!(html.contains("stops.txt is missing"), "{html}");
        assert!(html.contains("ana &lt;admin&gt;"), "{html}");
        // An action the console has no word for is shown as the server wrote it.
        assert!(html.contains("something_new"), "{html}");
        assert_eq!(
            activity(Lang::Vi, &entries, "none", 0),
            "<p>Chưa có thao tác nào.</p>"
        );
        let many: Vec<_> = (0..30)
            .map(|_| entry("2026-11-23T00:00:00Z", "bd", "upload", "ok"))
            .collect();
        assert_eq!(
            activity(Lang::En, &many, "bd", 0)
                .matches("<tr data-action")
                .count(),
            20
        );
    }

    #[test]
    fn questions_progress_and_notices() {
        let schedule = confirm(
            Lang::En,
            model::Pending::Schedule(2),
            "Asia/Ho_Chi_Minh",
            25_200,
        );
        assert!(schedule.contains("Version #2:") && schedule.contains(r#"type="datetime-local""#));
        assert!(
            schedule.contains("Asia/Ho_Chi_Minh (UTC+07:00)"),
            "{schedule}"
        );
        let rollback = confirm(Lang::En, model::Pending::Rollback, "UTC", 0);
        assert!(!rollback.contains("datetime-local") && !rollback.contains("Version #"));
        assert!(rollback.contains(r#"data-confirm="yes""#));
        let bar = progress(Lang::En, 42);
        assert!(bar.contains(r#"value="42""#) && bar.contains("42 %") && bar.contains("Uploading"));
        assert!(progress(Lang::En, 100).contains("the server is checking"));
        assert!(
            notice(false, "<b>").contains("op-err") && notice(false, "<b>").contains("&lt;b&gt;")
        );
    }

    #[test]
    fn values_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_report_lists_errors_first_with_file_line_problem_and_fix() {
        let finding = |severity, file: &str, line, message: &str| Finding {
            severity,
            code: "c".to_owned(),
            file: file.to_owned(),
            line,
            message: message.to_owned(),
            fix: "do <this>".to_owned(),
        };
        let report = ValidationReport {
            feed_id: "f".to_owned(),
            valid: false,
            findings: vec![
                finding(Severity::Warning, "routes.txt", Some(2), "no trips"),
                finding(Severity::Error, "stops.txt", None, "stops.txt is missing"),
            ],
            ..Default::default()
        };
        let html = report_html(&report);
        let error = html.find("stops.txt is missing").expect("the error");
        let warning = html.find("no trips").expect("the warning");
        assert!(error < warning, "errors first: {html}");
        assert!(html.contains(r#"data-severity="error""#));
        assert!(
            html.contains("Error: 1") && html.contains("Warning: 1"),
            "{html}"
        );
        assert!(html.contains("<code>stops.txt</code>"));
        assert!(html.contains(r#"<td class="num">2</td>"#));
        assert!(html.contains("do &lt;this&gt;"), "escaped: {html}");
        assert!(!html.contains("<this>"));
    }

    fn report_html(r: &ValidationReport) -> String {
        report(Lang::En, r)
    }

    #[test]
    fn versions_show_their_state_in_words_and_only_the_actions_it_allows() {
        let version = |id, state| FeedVersion {
            id,
            feed_id: "binh-duong".to_owned(),
            sha256: "ab".to_owned(),
            size: 140_800,
            uploaded_by: "ana".to_owned(),
            uploaded_at: "2026-11-23T00:40:00Z".to_owned(),
            state,
            activate_at: Some("2026-11-23T20:00:00Z".to_owned()),
            activated_at: None,
            first_service_date: Some("2026-01-01".to_owned()),
            last_service_date: Some("2030-12-31".to_owned()),
            report: ValidationReport::default(),
        };
        let html = versions(
            Lang::En,
            &[
                version(2, VersionState::Scheduled),
                version(1, VersionState::Active),
            ],
            25_200,
        );
        let (scheduled, active) = html.split_once(r#"data-version="1""#).expect("two rows");
        assert!(scheduled.contains("Scheduled") && scheduled.contains("2026-11-24 03:00"));
        assert!(scheduled.contains(r#"data-action="activate" data-version="2""#));
        assert!(scheduled.contains("2026-11-23 07:40") && scheduled.contains("140.8 KB"));
        assert!(
            active.contains("Active") && !active.contains("data-action"),
            "{active}"
        );
    }

    #[test]
    fn health_rows_count_vehicles_for_position_sources_only() {
        let source = |id: &str, kind: &str| RealtimeSourceHealth {
            source_id: id.to_owned(),
            feed_id: "binh-duong".to_owned(),
            kind: kind.to_owned(),
            polled: false,
            push: true,
            last_success: Some("2026-11-23T00:40:00Z".to_owned()),
            age_seconds: Some(4),
            last_checked: None,
            last_header_timestamp: None,
            failing_since: None,
            last_error: None,
            messages: 3,
            entities: 2,
            entities_rejected: 0,
            findings: Vec::new(),
            finding_counts: Default::default(),
        };
        let health = Health {
            status: "ok".to_owned(),
            version: "0".to_owned(),
            started_at: "2026-11-23T00:00:00Z".to_owned(),
            now: "2026-11-23T00:40:04Z".to_owned(),
            feeds: Vec::new(),
            realtime: vec![
                source("vp", "vehicle_positions"),
                source("tu", "trip_updates"),
            ],
        };
        let vehicles = [
            VehicleTrip {
                id: "binh-duong:V1".to_owned(),
                trip_id: Some("binh-duong:T1".to_owned()),
            },
            VehicleTrip {
                id: "binh-duong:V2".to_owned(),
                trip_id: None,
            },
        ];
        let html = health_html(&health, &vehicles);
        let (vp, tu) = html.split_once(r#"data-source="tu""#).expect("two rows");
        assert!(vp.contains(r#"data-count="tracked">2<"#), "{vp}");
        assert!(vp.contains(r#"data-count="matched">1<"#), "{vp}");
        assert!(
            vp.contains("2026-11-23 07:40") && vp.contains("4 s"),
            "{vp}"
        );
        assert!(tu.contains(r#"data-count="tracked">–<"#), "{tu}");
        let none = Health {
            realtime: Vec::new(),
            ..health
        };
        assert!(health_html(&none, &vehicles).contains("No realtime sources"));
    }

    fn health_html(h: &Health, vehicles: &[VehicleTrip]) -> String {
        health(Lang::En, h, Some(vehicles), |_| 25_200)
    }
}
