//! The console's riders' reports table: what riders reported about the feed's stops and trips
//! through OneBusAway apps (`report-problem-with-stop`, `-trip`), newest first. Escaped HTML
//! text, like the console's other tables, set with `inner_html`.

use std::fmt::Write as _;

use api_types::operator::ProblemReport;

use super::model;
use super::tables::escape;
use crate::i18n::{Key, Lang, t};

/// The words for a OneBusAway problem code (the code itself for one we do not know).
fn problem(lang: Lang, code: &str) -> String {
    let key = match code {
        "stop_name_wrong" => Key::OpProblemStopName,
        "stop_number_wrong" => Key::OpProblemStopNumber,
        "stop_location_wrong" => Key::OpProblemStopLocation,
        "route_or_trip_missing" => Key::OpProblemRouteMissing,
        "vehicle_never_came" => Key::OpProblemNeverCame,
        "vehicle_came_early" => Key::OpProblemEarly,
        "vehicle_came_late" => Key::OpProblemLate,
        "wrong_headsign" => Key::OpProblemHeadsign,
        "vehicle_does_not_stop_here" => Key::OpProblemNoStop,
        "other" => Key::OpProblemOther,
        _ => return code.to_owned(),
    };
    t(lang, key).to_owned()
}

/// What a report is about: the stop's name, the trip's route and headsign, with their ids.
fn subject(r: &ProblemReport) -> String {
    let mut out = String::new();
    if let Some(trip) = &r.trip_id {
        let label = match (&r.route, &r.headsign) {
            (Some(route), Some(h)) => format!("{route} → {h}"),
            (Some(route), None) => route.clone(),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<strong>{}</strong> <code>{}</code>",
            escape(&label),
            escape(trip)
        );
        if let Some(date) = &r.service_date {
            let _ = write!(out, " {}", escape(date));
        }
    }
    if let Some(stop) = &r.stop_id {
        if !out.is_empty() {
            out.push_str("<br>");
        }
        let _ = write!(
            out,
            "{} <code>{}</code>",
            escape(r.stop_name.as_deref().unwrap_or_default()),
            escape(stop)
        );
    }
    if let Some(v) = r.vehicle_id.as_deref().or(r.user_vehicle_number.as_deref()) {
        let _ = write!(out, "<br><code>{}</code>", escape(v));
    }
    out
}

/// The table, or a line saying there is nothing; `offset` is the feed's UTC offset (seconds).
pub fn table(lang: Lang, reports: &[ProblemReport], offset: i64) -> String {
    if reports.is_empty() {
        return format!("<p>{}</p>", escape(t(lang, Key::OpNoReports)));
    }
    let mut out = String::from(r#"<table class="op-table op-reports"><thead><tr>"#);
    for key in [Key::OpAt, Key::OpProblem, Key::OpAbout, Key::OpComment] {
        let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(t(lang, key)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in reports {
        let where_ = r.user_position.map_or(String::new(), |[lat, lon]| {
            format!(
                r#"<br><span class="muted">{} {lat:.5}, {lon:.5}</span>"#,
                escape(t(lang, Key::OpRiderAt))
            )
        });
        let _ = write!(
            out,
            r#"<tr data-kind="{}" data-code="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}{where_}</td></tr>"#,
            escape(&r.kind),
            escape(&r.code),
            escape(&model::local_time(&r.at, offset)),
            escape(&problem(lang, &r.code)),
            subject(r),
            escape(&r.comment),
        );
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ProblemReport {
        ProblemReport {
            at: "2026-11-23T00:40:00Z".into(),
            kind: "trip".into(),
            code: "vehicle_never_came".into(),
            comment: "Chờ <30> phút".into(),
            stop_id: Some("binh-duong:BD2081".into()),
            stop_name: Some("Trạm trung chuyển Hikari".into()),
            trip_id: Some("binh-duong:51_WD_0_0650".into()),
            route: Some("51".into()),
            headsign: Some("Đại học Quốc tế Miền Đông".into()),
            service_date: Some("2026-11-23".into()),
            vehicle_id: None,
            user_position: Some([11.05, 106.67]),
            user_location_accuracy_m: None,
            user_on_vehicle: Some(false),
            user_vehicle_number: None,
        }
    }

    #[test]
    fn reports_are_listed_in_words_escaped_in_the_feeds_time() {
        let html = table(Lang::En, &[report()], 7 * 3600);
        assert!(html.contains(r#"data-code="vehicle_never_came""#), "{html}");
        assert!(html.contains("The bus never came"), "{html}");
        assert!(html.contains("51 → Đại học Quốc tế Miền Đông"), "{html}");
        assert!(html.contains("Trạm trung chuyển Hikari"), "{html}");
        assert!(html.contains("Chờ &lt;30&gt; phút"), "escaped: {html}");
        assert!(html.contains("07:40"), "in the feed's offset: {html}");
        assert!(table(Lang::Vi, &[], 0).contains(t(Lang::Vi, Key::OpNoReports)));
        let mut odd = report();
        odd.code = "<x>".into();
        assert!(table(Lang::Ja, &[odd], 0).contains("&lt;x&gt;"));
    }
}
