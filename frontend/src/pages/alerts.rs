//! `/alerts`: the service alerts active now, most severe first: severity in words (and an
//! icon, not colour alone), header, when it applies, description, the routes and stops it
//! names as links, and the agency's link. An empty state says all is well.

#[cfg(feature = "ssr")]
use std::collections::BTreeMap;

#[cfg(any(feature = "ssr", test))]
use api_types::{ActivePeriod, Alert};
use leptos::prelude::*;

use super::routes::{Page, ServerPage};
#[cfg(feature = "ssr")]
use crate::api::{self, Api, Failure};
#[cfg(any(feature = "ssr", test))]
use crate::format;
#[cfg(any(feature = "ssr", test))]
use crate::i18n::{Key, Lang, t};
#[cfg(feature = "ssr")]
use crate::ui::{RouteLink, WarningIcon};

/// Most stops whose names are looked up for one page (alerts rarely name more).
#[cfg(feature = "ssr")]
const MAX_STOP_NAMES: usize = 40;

/// What the page shows: the alerts, and the names of the routes and stops they name.
#[cfg(feature = "ssr")]
struct AlertsData {
    alerts: Vec<Alert>,
    routes: Vec<api_types::RouteSummary>,
    /// Stop id → name.
    stops: BTreeMap<String, String>,
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    view! { <ServerPage page=Signal::derive(|| Page::Alerts)/> }
}

/// `(title, HTML)` of the alerts page.
#[cfg(feature = "ssr")]
pub(super) async fn render(client: &Api, lang: Lang) -> Result<(String, String), Failure> {
    let mut alerts = api::alerts(client, lang).await?.alerts;
    sort_by_severity(&mut alerts);
    let routes = api::routes(client, lang).await?.routes;
    let mut stops = BTreeMap::new();
    let mut ids: Vec<&String> = alerts.iter().flat_map(|a| &a.stops).collect();
    ids.sort();
    ids.dedup();
    for id in ids.into_iter().take(MAX_STOP_NAMES) {
        // A stop that vanished meanwhile is shown by its id.
        if let Ok(s) = api::stop_detail(client, id, lang).await {
            stops.insert(id.clone(), s.stop.name);
        }
    }
    let d = AlertsData {
        alerts,
        routes,
        stops,
    };
    Ok((t(lang, Key::AlertsTitle).to_owned(), page(lang, &d)))
}

/// The page's HTML.
#[cfg(feature = "ssr")]
fn page(lang: Lang, d: &AlertsData) -> String {
    let body = if d.alerts.is_empty() {
        view! { <p class="empty">{t(lang, Key::NoAlerts)}</p> }.into_any()
    } else {
        let items = d
            .alerts
            .iter()
            .map(|a| alert_item(lang, a, d))
            .collect_view();
        view! { <ul class="alert-list">{items}</ul> }.into_any()
    };
    view! { <h1>{t(lang, Key::AlertsTitle)}</h1>{body} }.to_html()
}

#[cfg(feature = "ssr")]
fn alert_item(lang: Lang, a: &Alert, d: &AlertsData) -> AnyView {
    let severity = severity_key(&a.severity).map(|k| t(lang, k));
    let header = if a.header.is_empty() {
        a.description.clone().unwrap_or_default()
    } else {
        a.header.clone()
    };
    let periods = if a.active_periods.is_empty() {
        vec![t(lang, Key::UntilFurtherNotice).to_owned()]
    } else {
        a.active_periods.iter().map(|p| period(lang, p)).collect()
    };
    let routes = a
        .routes
        .iter()
        .filter_map(|id| d.routes.iter().find(|r| &r.id == id))
        .map(|r| {
            view! {
                <li>
                    <RouteLink id=r.id.clone() short_name=r.short_name.clone() color=r.color.clone() text_color=r.text_color.clone()/>
                    " "{r.long_name.clone()}
                </li>
            }
        })
        .collect_view();
    let stops = a
        .stops
        .iter()
        .map(|id| {
            let name = d.stops.get(id).cloned().unwrap_or_else(|| id.clone());
            view! { <li><a href=format!("/stops/{id}")>{name}</a></li> }
        })
        .collect_view();
    let description = (!a.header.is_empty())
        .then(|| a.description.clone())
        .flatten()
        .map(|text| view! { <p class="description">{text}</p> });
    let url = a.url.clone().map(|href| {
        view! { <p><a href=href rel="noopener">{t(lang, Key::MoreInfo)}</a></p> }
    });
    view! {
        <li class=format!("alert-card sev-{}", a.severity) data-alert=a.id.clone()>
            <div class="alert-top">
                <WarningIcon/>
                {severity.map(|s| view! { <span class="severity">{s}</span> })}
            </div>
            <h2>{header}</h2>
            <ul class="periods">{periods.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            {description}
            {(!a.routes.is_empty()).then(|| view! {
                <h3>{t(lang, Key::AffectedRoutes)}</h3>
                <ul class="affected routes-affected">{routes}</ul>
            })}
            {(!a.stops.is_empty()).then(|| view! {
                <h3>{t(lang, Key::AffectedStops)}</h3>
                <ul class="affected stops-affected">{stops}</ul>
            })}
            {url}
        </li>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
fn severity_key(severity: &str) -> Option<Key> {
    match severity {
        "severe" => Some(Key::SeveritySevere),
        "warning" => Some(Key::SeverityWarning),
        "info" => Some(Key::SeverityInfo),
        _ => None,
    }
}

/// Severe, warning, unknown, info: the order riders should read them in.
#[cfg(any(feature = "ssr", test))]
fn severity_rank(severity: &str) -> u8 {
    match severity {
        "severe" => 0,
        "warning" => 1,
        "info" => 3,
        _ => 2,
    }
}

#[cfg(any(feature = "ssr", test))]
/// Most severe first; the API's order (then by id) otherwise kept.
fn sort_by_severity(alerts: &mut [Alert]) {
    alerts.sort_by_key(|a| severity_rank(&a.severity));
}

#[cfg(any(feature = "ssr", test))]
/// When an alert applies, in words: "Từ 23/11/2026 06:30 đến 23/11/2026 08:30".
fn period(lang: Lang, p: &ActivePeriod) -> String {
    let from = p.start.as_deref().map(|s| date_time(lang, s));
    let until = p.end.as_deref().map(|s| date_time(lang, s));
    let (since, to) = (t(lang, Key::ActiveFrom), t(lang, Key::ActiveUntil));
    let open = t(lang, Key::UntilFurtherNotice);
    // Japanese puts から (from) and まで (until) after the time.
    let ja = lang == Lang::Ja;
    match (from, until) {
        (Some(f), Some(u)) if ja => format!("{f}{since} {u}{to}"),
        (Some(f), Some(u)) => format!("{since} {f} {to} {u}"),
        (Some(f), None) if ja => format!("{f}{since} · {open}"),
        (Some(f), None) => format!("{since} {f} · {open}"),
        (None, Some(u)) if ja => format!("{u}{to}"),
        (None, Some(u)) => format!("{} {u}", capitalised(to)),
        (None, None) => open.to_owned(),
    }
}

#[cfg(any(feature = "ssr", test))]
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(any(feature = "ssr", test))]
/// A local date and time as each language writes it (the agency's offset is in the text):
/// `23/11/2026 06:30`, `23 Nov 2026, 06:30`, `2026年11月23日 06:30`.
fn date_time(lang: Lang, text: &str) -> String {
    let (Some(y), Some(m), Some(d)) = (text.get(0..4), text.get(5..7), text.get(8..10)) else {
        return text.to_owned();
    };
    let clock = format::clock(text);
    let month: usize = m.parse().unwrap_or(0);
    let day = d.trim_start_matches('0');
    match lang {
        Lang::Vi => format!("{d}/{m}/{y} {clock}"),
        Lang::En => {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let name = MONTHS.get(month.wrapping_sub(1)).copied().unwrap_or(m);
            format!("{day} {name} {y}, {clock}")
        }
        Lang::Ja => format!("{y}年{month}月{day}日 {clock}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, severity: &str) -> Alert {
        Alert {
            id: id.to_owned(),
            cause: "construction".to_owned(),
            effect: "stop_moved".to_owned(),
            severity: severity.to_owned(),
            header: format!("Alert {id}"),
            description: None,
            url: None,
            active_periods: Vec::new(),
            active: true,
            routes: Vec::new(),
            stops: Vec::new(),
            trips: Vec::new(),
        }
    }

    #[test]
    fn the_most_severe_alerts_come_first_and_equals_keep_their_order() {
        let mut alerts = vec![
            alert("a", "info"),
            alert("b", "warning"),
            alert("c", "unknown_severity"),
            alert("d", "severe"),
            alert("e", "warning"),
        ];
        sort_by_severity(&mut alerts);
        let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["d", "b", "e", "c", "a"]);
    }

    /// The page as the server writes it: the empty state, or each alert with its severity
    /// in words, periods, description and the routes and stops it names as links.
    #[cfg(feature = "ssr")]
    #[test]
    fn alerts_are_drawn_with_their_routes_and_stops_linked_and_an_empty_state() {
        let owner = Owner::new();
        owner.set();
        let none = AlertsData {
            alerts: Vec::new(),
            routes: Vec::new(),
            stops: BTreeMap::new(),
        };
        assert!(page(Lang::En, &none).contains("No alerts right now"));
        let mut moved = alert("bd:sim/2", "info");
        moved.stops = vec!["bd:S1".to_owned(), "bd:GONE".to_owned()];
        moved.description = Some("Use the temporary stop.".to_owned());
        moved.active_periods = vec![ActivePeriod {
            start: Some("2026-11-23T00:00:00+07:00".to_owned()),
            end: None,
        }];
        let mut delays = alert("bd:sim/1", "warning");
        delays.routes = vec!["bd:51".to_owned()];
        let d = AlertsData {
            alerts: vec![delays, moved],
            routes: vec![api_types::RouteSummary {
                id: "bd:51".to_owned(),
                short_name: "51".to_owned(),
                long_name: "Becamex Tower – Hikari".to_owned(),
                color: "009B4E".to_owned(),
                text_color: "FFFFFF".to_owned(),
                agency_id: "bd:A".to_owned(),
                agency_name: "KAZE".to_owned(),
            }],
            stops: BTreeMap::from([("bd:S1".to_owned(), "Hikari".to_owned())]),
        };
        let html = page(Lang::En, &d);
        assert!(
            html.contains("Warning") && html.contains("Information"),
            "{html}"
        );
        assert!(html.find("Alert bd:sim/1") < html.find("Alert bd:sim/2"));
        assert!(html.contains(r#"href="/routes/bd:51""#), "{html}");
        assert!(
            html.contains(r#"<a href="/stops/bd:S1">Hikari</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="/stops/bd:GONE">bd:GONE</a>"#),
            "a stop without a name is shown by its id: {html}"
        );
        assert!(html.contains("Until further notice"), "{html}");
        assert!(html.contains("From 23 Nov 2026, 00:00 · Until further notice"));
        assert!(html.contains("Use the temporary stop."));
    }

    #[test]
    fn periods_are_written_per_language() {
        let p = ActivePeriod {
            start: Some("2026-11-23T06:30:00+07:00".to_owned()),
            end: Some("2026-11-23T08:30:00+07:00".to_owned()),
        };
        assert_eq!(
            period(Lang::Vi, &p),
            "Từ 23/11/2026 06:30 đến 23/11/2026 08:30"
        );
        assert_eq!(
            period(Lang::En, &p),
            "From 23 Nov 2026, 06:30 until 23 Nov 2026, 08:30"
        );
        assert_eq!(
            period(Lang::Ja, &p),
            "2026年11月23日 06:30から 2026年11月23日 08:30まで"
        );
        let open = ActivePeriod {
            start: Some("2026-01-05T00:00:00+07:00".to_owned()),
            end: None,
        };
        assert_eq!(
            period(Lang::En, &open),
            "From 5 Jan 2026, 00:00 · Until further notice"
        );
        let until = ActivePeriod {
            start: None,
            end: Some("2026-12-01T18:00:00+07:00".to_owned()),
        };
        assert_eq!(period(Lang::En, &until), "Until 1 Dec 2026, 18:00");
        assert_eq!(date_time(Lang::En, "soon"), "soon");
    }
}
