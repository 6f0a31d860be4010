//! `/displays/new`: the setup screen of a stop display. An installer chooses stops (search,
//! removable chips), routes (those calling at the chosen stops), the display's language and
//! how many departures it lists; the page shows the resulting `/display/{stop_ids}` URL (to
//! copy or open), a live preview of it, and the signage URLs of LED signs (JSON, and text with
//! a line width and without diacritics).
//!
//! The whole setup lives in the page's own query (`?stop=…&stop=…&route=…&dlang=en&limit=8`),
//! so it is one plain GET form: without the bundle, "Update" re-renders the page with the URL
//! computed on the server; once hydrated, every change updates the query (and the URL) at once.
//! The URLs are built by the pure functions of [`Setup`].

use std::time::Duration;

use api_types::{RouteBadge, StopDetail, StopsResponse};
use leptos::prelude::*;
use leptos::web_sys;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::api::{self, Api, ApiResult};
use crate::format::url_encode;
use crate::format::{self, escape_html as esc};
use crate::i18n::{Key, Lang, t};
use crate::ui::badge_style;
use crate::{use_hydrated, use_lang};

/// Typing pauses this long before the results follow.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// What a display shows: the signage API's parameters (`backend::api::signage::Params`).
/// The HTML display honours `route`, `limit` and `lang`; `width` and `ascii` are for the
/// text (`.txt`) signage of LED signs only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// Global stop ids, at most [`Setup::MAX_STOPS`], no repeats.
    pub stops: Vec<String>,
    /// Global route ids; none = every route.
    pub routes: Vec<String>,
    pub lang: Lang,
    pub limit: u8,
    pub width: u8,
    pub ascii: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            stops: Vec::new(),
            routes: Vec::new(),
            lang: Lang::Vi,
            limit: Setup::DEFAULT_LIMIT,
            width: Setup::DEFAULT_WIDTH,
            ascii: false,
        }
    }
}

impl Setup {
    /// The signage API's bounds and defaults.
    pub const MAX_STOPS: usize = 20;
    pub const DEFAULT_LIMIT: u8 = 8;
    pub const LIMITS: (u8, u8) = (1, 50);
    pub const DEFAULT_WIDTH: u8 = 32;
    pub const WIDTHS: (u8, u8) = (16, 80);

    /// Reads the setup page's query: `stop` and `route` repeated, `dlang`, `limit`, `width`,
    /// `ascii`. Numbers out of range are brought into it, unreadable ones give the default.
    pub fn from_query(query: &ParamsMap) -> Setup {
        Setup::from_values(|key| query.get_all(key).unwrap_or_default())
    }

    /// [`Setup::from_query`] from the (decoded) values of each query key.
    pub fn from_values(values: impl Fn(&str) -> Vec<String>) -> Setup {
        let all = |key: &str| {
            let mut out = Vec::<String>::new();
            for v in values(key) {
                // `a,b` is read as two (a display URL's list pasted in).
                for id in v.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                    if !out.iter().any(|o| o == id) {
                        out.push(id.to_owned());
                    }
                }
            }
            out
        };
        let first = |key: &str| values(key).into_iter().next();
        let mut stops = all("stop");
        stops.truncate(Setup::MAX_STOPS);
        Setup {
            stops,
            routes: all("route"),
            lang: first("dlang")
                .as_deref()
                .and_then(Lang::parse)
                .unwrap_or_default(),
            limit: number(
                first("limit").as_deref(),
                Setup::LIMITS,
                Setup::DEFAULT_LIMIT,
            ),
            width: number(
                first("width").as_deref(),
                Setup::WIDTHS,
                Setup::DEFAULT_WIDTH,
            ),
            ascii: matches!(first("ascii").as_deref(), Some("1" | "on" | "true")),
        }
    }

    /// The stops as the display's path segment: ids joined by commas (`:` kept readable).
    fn stop_segment(&self) -> Option<String> {
        (!self.stops.is_empty()).then(|| {
            self.stops
                .iter()
                .map(|id| url_encode(id).replace("%3A", ":"))
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// The query the HTML display and the JSON signage share: `route`, `limit`, `lang`.
    fn board_query(&self) -> String {
        let mut q = Vec::new();
        if !self.routes.is_empty() {
            let routes: Vec<String> = self.routes.iter().map(|r| url_encode(r)).collect();
            q.push(format!("route={}", routes.join(",")));
        }
        if self.limit != Setup::DEFAULT_LIMIT {
            q.push(format!("limit={}", self.limit));
        }
        q.push(format!("lang={}", self.lang.code()));
        q.join("&")
    }

    /// `/display/{stops}?…`: the full-screen display page; `None` until a stop is chosen.
    pub fn display_path(&self) -> Option<String> {
        Some(format!(
            "/display/{}?{}",
            self.stop_segment()?,
            self.board_query()
        ))
    }

    /// `/api/v1/signage/{stops}.json?…`: the board as JSON, for LED signs with their own
    /// layout.
    pub fn json_path(&self) -> Option<String> {
        Some(format!(
            "/api/v1/signage/{}.json?{}",
            self.stop_segment()?,
            self.board_query()
        ))
    }

    /// `/api/v1/signage/{stops}.txt?…`: fixed-width lines, `width` characters, without
    /// diacritics when `ascii`.
    pub fn text_path(&self) -> Option<String> {
        let mut query = self.board_query();
        if self.width != Setup::DEFAULT_WIDTH {
            query.push_str(&format!("&width={}", self.width));
        }
        if self.ascii {
            query.push_str("&ascii=1");
        }
        Some(format!(
            "/api/v1/signage/{}.txt?{query}",
            self.stop_segment()?
        ))
    }

    /// This setup page showing `self` (and the stop search `q`): what its form submits.
    pub fn href(&self, q: &str) -> String {
        let mut query: Vec<String> = Vec::new();
        query.extend(self.stops.iter().map(|s| format!("stop={}", url_encode(s))));
        query.extend(
            self.routes
                .iter()
                .map(|r| format!("route={}", url_encode(r))),
        );
        query.push(format!("dlang={}", self.lang.code()));
        if self.limit != Setup::DEFAULT_LIMIT {
            query.push(format!("limit={}", self.limit));
        }
        if self.width != Setup::DEFAULT_WIDTH {
            query.push(format!("width={}", self.width));
        }
        if self.ascii {
            query.push("ascii=1".to_owned());
        }
        if !q.trim().is_empty() {
            query.push(format!("q={}", url_encode(q)));
        }
        format!("/displays/new?{}", query.join("&"))
    }

    /// With `stop` added (last), unless it is there already or the display is full.
    pub fn with_stop(&self, stop: &str) -> Setup {
        let mut next = self.clone();
        if !next.stops.iter().any(|s| s == stop) && next.stops.len() < Setup::MAX_STOPS {
            next.stops.push(stop.to_owned());
        }
        next
    }

    /// Without `stop`; the routes chosen stay (those of the other stops still apply).
    pub fn without_stop(&self, stop: &str) -> Setup {
        let mut next = self.clone();
        next.stops.retain(|s| s != stop);
        next
    }

    /// With `route` ticked or unticked.
    pub fn with_route(&self, route: &str, on: bool) -> Setup {
        let mut next = self.clone();
        next.routes.retain(|r| r != route);
        if on {
            next.routes.push(route.to_owned());
        }
        next
    }
}

/// A number typed or sent: brought into `min..=max`; `default` when it is not a number.
fn number(value: Option<&str>, (min, max): (u8, u8), default: u8) -> u8 {
    value
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map_or(default, |n| n.clamp(min.into(), max.into()) as u8)
}

/// The routes calling at the stops, in the stops' order, each once.
pub fn routes_at(stops: &[ApiResult<StopDetail>]) -> Vec<RouteBadge> {
    let mut out: Vec<RouteBadge> = Vec::new();
    for detail in stops.iter().flatten() {
        for r in &detail.stop.routes {
            if !out.iter().any(|o| o.id == r.id) {
                out.push(r.clone());
            }
        }
    }
    out
}

/// The server's own address as the reader reached it (`http://host:port`), so the URL to
/// copy works when pasted into a display's browser.
fn origin() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                let host = p.headers.get(http::header::HOST)?.to_str().ok()?.to_owned();
                let https = p
                    .headers
                    .get("x-forwarded-proto")
                    .is_some_and(|v| v.as_bytes() == b"https");
                Some(format!("{}://{host}", if https { "https" } else { "http" }))
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        window().location().origin().unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    String::new()
}

fn badges(routes: &[RouteBadge]) -> String {
    routes
        .iter()
        .map(|r| {
            format!(
                r#"<span class="badge" style="{}">{}</span>"#,
                badge_style(&r.color, &r.text_color),
                esc(&r.short_name)
            )
        })
        .collect()
}

/// The chosen stops as chips: a hidden `stop` field each, and a link removing it (keeping the
/// rest of `setup` and the search `q`).
pub fn chips_html(
    lang: Lang,
    chosen: &[(String, ApiResult<StopDetail>)],
    setup: &Setup,
    q: &str,
) -> String {
    let mut html = String::new();
    if chosen.is_empty() {
        html.push_str(&format!(
            r#"<p class="muted" id="no-stops">{}</p>"#,
            esc(t(lang, Key::NoStopsChosen))
        ));
    } else {
        html.push_str(r#"<ul class="chips" id="chosen-stops">"#);
        for (id, detail) in chosen {
            let name = match detail {
                Ok(d) => d.stop.name.clone(),
                Err(_) => format!("{id} ({})", t(lang, Key::UnknownStop)),
            };
            let remove = t(lang, Key::RemoveStop);
            html.push_str(&format!(
                r#"<li class="chip" data-stop="{id}"><input type="hidden" name="stop" value="{id}"><span>{name}</span><a href="{href}" aria-label="{remove} {name}" title="{remove}">×</a></li>"#,
                id = esc(id),
                name = esc(&name),
                href = esc(&setup.without_stop(id).href(q)),
                remove = esc(remove),
            ));
        }
        html.push_str("</ul>");
    }
    html
}

/// The routes calling at the chosen stops as checkboxes (`route`, ticked as in `setup`).
pub fn routes_html(
    lang: Lang,
    chosen: &[(String, ApiResult<StopDetail>)],
    setup: &Setup,
) -> String {
    let results: Vec<ApiResult<StopDetail>> = chosen.iter().map(|(_, d)| d.clone()).collect();
    let mut html = String::new();
    html.push_str(&format!(
        r#"<fieldset><legend>{}</legend><p class="muted">{}</p><ul class="route-choices" id="route-choices">"#,
        esc(t(lang, Key::DisplayRoutes)),
        esc(t(lang, Key::AllRoutesHint))
    ));
    for r in routes_at(&results) {
        html.push_str(&format!(
            r#"<li><input type="checkbox" name="route" id="route-{id}" value="{id}"{checked}><label for="route-{id}">{badge}</label></li>"#,
            id = esc(&r.id),
            checked = if setup.routes.contains(&r.id) { " checked" } else { "" },
            badge = badges(std::slice::from_ref(&r)),
        ));
    }
    html.push_str("</ul></fieldset>");
    html
}

/// The stop search's results, each a link adding that stop to `setup`.
pub fn results_html(lang: Lang, found: &ApiResult<Option<StopsResponse>>, setup: &Setup) -> String {
    match found {
        Ok(None) => String::new(),
        Ok(Some(r)) if r.stops.is_empty() => format!("<p>{}</p>", esc(t(lang, Key::NoStopsFound))),
        Ok(Some(r)) => {
            let mut html = String::from(r#"<ul class="stops" id="display-search-results">"#);
            let add = |stop: &api_types::StopSummary, name: &str| {
                format!(
                    r#"<a href="{href}" data-stop="{id}"><span aria-hidden="true">+ </span><span class="sr-only">{add} </span>{name}</a>"#,
                    href = esc(&setup.with_stop(&stop.id).href("")),
                    id = esc(&stop.id),
                    add = esc(t(lang, Key::AddStop)),
                    name = esc(name),
                )
            };
            for stop in &r.stops {
                let name = match &stop.bay {
                    Some(bay) => format!("{} · {}", stop.name, format::bay(lang, bay)),
                    None => stop.name.clone(),
                };
                // A station's bays, each a display of its own (a sign at one bay).
                let bays: String = stop
                    .platforms
                    .iter()
                    .map(|p| {
                        let bay = p
                            .bay
                            .as_deref()
                            .map_or_else(|| p.name.clone(), |b| format::bay(lang, b));
                        format!(
                            r#"<li>{} <span class="badges">{}</span></li>"#,
                            add(p, &bay),
                            badges(&p.routes)
                        )
                    })
                    .collect();
                html.push_str(&format!(
                    r#"<li>{link}{code} <span class="badges">{badges}</span>{bays}</li>"#,
                    link = add(stop, &name),
                    code = stop
                        .code
                        .as_deref()
                        .map(|c| format!(
                            r#" <span class="muted">· {}</span>"#,
                            esc(&format::stop_code(lang, c))
                        ))
                        .unwrap_or_default(),
                    badges = badges(&stop.routes),
                    bays = if bays.is_empty() {
                        String::new()
                    } else {
                        format!(
                            r#"<ul class="bays" aria-label="{}">{bays}</ul>"#,
                            esc(t(lang, Key::StationBays))
                        )
                    },
                ));
            }
            html.push_str("</ul>");
            html
        }
        Err(e) => format!(
            r#"<p role="alert">{} {}</p>"#,
            esc(t(lang, Key::LoadError)),
            esc(&e.message)
        ),
    }
}

/// The display's options: language, most departures, and the LED signs' width and ascii.
pub fn options_html(lang: Lang, setup: &Setup) -> String {
    let languages: String = Lang::ALL
        .into_iter()
        .map(|l| {
            format!(
                r#"<option value="{code}" lang="{code}"{selected}>{name}</option>"#,
                code = l.code(),
                selected = if setup.lang == l { " selected" } else { "" },
                name = l.endonym()
            )
        })
        .collect();
    format!(
        r#"<legend>{options}</legend><label for="dlang">{language}</label><select id="dlang" name="dlang">{languages}</select><label for="limit">{limit}</label><input id="limit" name="limit" type="number" inputmode="numeric" min="{lmin}" max="{lmax}" value="{lvalue}"><label for="width">{width}</label><input id="width" name="width" type="number" inputmode="numeric" min="{wmin}" max="{wmax}" value="{wvalue}"><div class="check"><input id="ascii" name="ascii" type="checkbox" value="1"{ascii}><label for="ascii">{ascii_label}</label></div>"#,
        options = esc(t(lang, Key::DisplayOptions)),
        language = esc(t(lang, Key::DisplayLanguage)),
        limit = esc(t(lang, Key::DisplayLimit)),
        lmin = Setup::LIMITS.0,
        lmax = Setup::LIMITS.1,
        lvalue = setup.limit,
        width = esc(t(lang, Key::LedWidth)),
        wmin = Setup::WIDTHS.0,
        wmax = Setup::WIDTHS.1,
        wvalue = setup.width,
        ascii = if setup.ascii { " checked" } else { "" },
        ascii_label = esc(t(lang, Key::LedAscii)),
    )
}

/// The display's URL, absolute, in a read-only field to copy; nothing without stops.
pub fn url_html(setup: &Setup, origin: &str) -> String {
    setup.display_path().map_or_else(String::new, |path| {
        format!(
            r#"<input id="display-url" type="text" readonly aria-labelledby="display-url-h" value="{}">"#,
            esc(&format!("{origin}{path}"))
        )
    })
}

/// What else the setup gives: a link opening the display, the LED signs' URLs and a preview.
pub fn result_html(lang: Lang, setup: &Setup) -> String {
    let (Some(path), Some(json), Some(text)) =
        (setup.display_path(), setup.json_path(), setup.text_path())
    else {
        return format!(
            r#"<p class="muted">{}</p>"#,
            esc(t(lang, Key::NoStopsChosen))
        );
    };
    format!(
        r#"<p><a id="open-display" href="{path}" target="_blank" rel="noopener">{open}</a></p><h2>{led}</h2><ul class="signage-links"><li><a id="signage-json" href="{json}">{json}</a></li><li><a id="signage-txt" href="{text}">{text}</a></li></ul><h2>{preview}</h2><iframe class="display-preview" src="{path}" title="{preview}"></iframe>"#,
        path = esc(&path),
        open = esc(t(lang, Key::OpenDisplay)),
        led = esc(t(lang, Key::LedSigns)),
        json = esc(&json),
        text = esc(&text),
        preview = esc(t(lang, Key::Preview)),
    )
}

/// The page. Its sections are HTML strings from the pure functions above (a form this size
/// as Leptos views would add some 60 KB to the gzipped bundle); the form's controls hold their
/// own state and one `change` handler on the form turns any change into the new query, which
/// re-renders the URLs.
#[component]
pub fn DisplaySetupPage() -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    let client = Api::new();
    let search_client = Api::new();
    let query = use_query_map();
    let setup = Memo::new(move |_| query.with(Setup::from_query));
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let stops = Memo::new(move |_| setup.with(|s| s.stops.clone()));
    let origin = StoredValue::new(origin());

    let details = Resource::new_blocking(
        move || (stops.get(), lang.get()),
        move |(ids, lang)| {
            let calls: Vec<_> = ids
                .iter()
                .map(|id| (id.clone(), api::stop_detail(&client, id, lang)))
                .collect();
            async move {
                let mut out = Vec::with_capacity(calls.len());
                for (id, call) in calls {
                    out.push((id, call.await));
                }
                out
            }
        },
    );
    let found = Resource::new_blocking(
        move || (q.get(), lang.get()),
        move |(q, lang)| {
            let search = (!q.trim().is_empty()).then(|| api::search(&search_client, &q, lang));
            async move {
                match search {
                    Some(search) => search.await.map(Some),
                    None => Ok(None),
                }
            }
        },
    );

    // Once hydrated, each change replaces the page's query: the URL shown follows at once.
    let navigate = use_navigate();
    let go = move |next: Setup, q: String| {
        navigate(
            &next.href(&q),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let on_change = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let target: web_sys::Element = event_target(&ev);
            let value = event_target_value(&ev);
            let mut next = setup.get_untracked();
            match target.get_attribute("name").as_deref() {
                Some("route") => next = next.with_route(&value, event_target_checked(&ev)),
                Some("dlang") => next.lang = Lang::parse(&value).unwrap_or_default(),
                Some("limit") => next.limit = number(Some(&value), Setup::LIMITS, next.limit),
                Some("width") => next.width = number(Some(&value), Setup::WIDTHS, next.width),
                Some("ascii") => next.ascii = event_target_checked(&ev),
                _ => return,
            }
            go(next, q.get_untracked());
        }
    };
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let search_input = NodeRef::<leptos::html::Input>::new();
    let on_search_input = {
        let go = go.clone();
        move |ev| {
            let text = event_target_value(&ev);
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let go = go.clone();
            pending.set_value(
                set_timeout_with_handle(move || go(setup.get_untracked(), text), DEBOUNCE).ok(),
            );
        }
    };
    // A stop added from the results (the query's `q` emptied) empties the search box too.
    Effect::new(move |_| {
        if q.read().is_empty()
            && let Some(input) = search_input.get_untracked()
        {
            input.set_value("");
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = search_input.get().map(|i| i.value()).unwrap_or_default();
        go(setup.get_untracked(), text);
    };

    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(path) = setup.read_untracked().display_path() {
            let url = format!("{}{path}", origin.get_value());
            let promise = window().navigator().clipboard().write_text(&url);
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(true);
                }
            });
        }
    };
    Effect::new(move |_| {
        setup.track();
        copied.set(false);
    });

    let chosen = view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let chosen = details.await;
                // The checkboxes keep their own state (re-rendering would lose focus); the
                // chips' links follow every choice.
                let routes = routes_html(lang.get_untracked(), &chosen, &setup.read_untracked());
                view! {
                    <div inner_html=move || chips_html(lang.get_untracked(), &chosen, &setup.read(), &q.read())></div>
                    <div inner_html=routes></div>
                }
            })}
        </Transition>
    };
    let results = view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let found = found.await;
                view! {
                    <div aria-live="polite" inner_html=move || results_html(lang.get_untracked(), &found, &setup.read())></div>
                }
            })}
        </Transition>
    };
    let search = view! {
        <label for="display-q">{move || t(lang.get(), Key::AddStopLabel)}</label>
        <div class="search-row">
            <input
                id="display-q"
                name="q"
                type="search"
                autocomplete="off"
                node_ref=search_input
                value=q.get_untracked()
                placeholder=move || t(lang.get(), Key::SearchPlaceholder)
                on:input=on_search_input
            />
            <button type="submit" class="secondary">{move || t(lang.get(), Key::SearchButton)}</button>
        </div>
    };
    let form = view! {
        <form class="display-setup" action="/displays/new" method="get" on:submit=on_submit on:change=on_change>
            <fieldset>
                <legend>{move || t(lang.get(), Key::DisplayStops)}</legend>
                {chosen}
                {search}
                {results}
            </fieldset>
            <fieldset inner_html=move || options_html(lang.get(), &setup.read_untracked())></fieldset>
            {move || (!hydrated.get()).then(|| view! {
                <button type="submit" name="update" value="1">{t(lang.get_untracked(), Key::UpdateUrl)}</button>
            })}
        </form>
    };
    let result = view! {
        <section class="display-result" aria-labelledby="display-url-h">
            <h2 id="display-url-h">{move || t(lang.get(), Key::DisplayUrl)}</h2>
            <div class="url-row">
                <div inner_html=move || url_html(&setup.read(), &origin.get_value())></div>
                {move || (hydrated.get() && !setup.read().stops.is_empty()).then(|| view! {
                    <button type="button" id="copy-url" on:click=copy>{t(lang.get_untracked(), Key::Copy)}</button>
                })}
            </div>
            <p class="muted" aria-live="polite">{move || copied.get().then(|| t(lang.get_untracked(), Key::Copied))}</p>
            <div inner_html=move || result_html(lang.get(), &setup.read())></div>
        </section>
    };
    let site = crate::use_site_name();
    view! {
        <Title text=move || format!("{} · {}", t(lang.get(), Key::DisplaySetupTitle), site(lang.get()))/>
        <h1>{move || t(lang.get(), Key::DisplaySetupTitle)}</h1>
        {form}
        {result}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query's values by key, as the router decodes them (without the router's decoding,
    /// which calls into JavaScript outside the server build).
    fn setup_of(pairs: &[(&str, &str)]) -> Setup {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Setup::from_values(|key| {
            pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .collect()
        })
    }

    #[test]
    fn the_display_url_carries_the_stops_routes_language_and_limit() {
        let setup = setup_of(&[
            ("stop", "binh-duong:BD1020"),
            ("stop", "binh-duong:ST HIKARI"),
            ("route", "binh-duong:51"),
            ("route", "binh-duong:61&77"),
            ("dlang", "en"),
            ("limit", "5"),
        ]);
        assert_eq!(
            setup.display_path().as_deref(),
            Some(
                "/display/binh-duong:BD1020,binh-duong:ST%20HIKARI\
                 ?route=binh-duong%3A51,binh-duong%3A61%2677&limit=5&lang=en"
            )
        );
        assert_eq!(
            setup.json_path().as_deref(),
            Some(
                "/api/v1/signage/binh-duong:BD1020,binh-duong:ST%20HIKARI.json\
                 ?route=binh-duong%3A51,binh-duong%3A61%2677&limit=5&lang=en"
            )
        );
    }

    #[test]
    fn defaults_are_left_out_and_text_signs_get_width_and_ascii() {
        let plain = Setup::default().with_stop("bd:S1");
        assert_eq!(
            plain.display_path().as_deref(),
            Some("/display/bd:S1?lang=vi")
        );
        assert_eq!(
            plain.text_path().as_deref(),
            Some("/api/v1/signage/bd:S1.txt?lang=vi")
        );
        let led = Setup {
            width: 24,
            ascii: true,
            ..plain.clone()
        };
        assert_eq!(
            led.text_path().as_deref(),
            Some("/api/v1/signage/bd:S1.txt?lang=vi&width=24&ascii=1")
        );
        // Width and ascii are not the HTML display's parameters.
        assert_eq!(led.display_path(), plain.display_path());
        assert_eq!(Setup::default().display_path(), None);
        assert_eq!(Setup::default().text_path(), None);
    }

    #[test]
    fn numbers_are_brought_into_the_apis_range_and_lists_are_deduplicated() {
        let setup = setup_of(&[
            ("stop", "bd:A,bd:B"),
            ("stop", "bd:A"),
            ("route", ""),
            ("dlang", "fr"),
            ("limit", "500"),
            ("width", "3"),
            ("ascii", "1"),
        ]);
        assert_eq!(setup.stops, ["bd:A", "bd:B"]);
        assert!(setup.routes.is_empty());
        assert_eq!(setup.lang, Lang::Vi);
        assert_eq!((setup.limit, setup.width, setup.ascii), (50, 16, true));
        let garbled = setup_of(&[("limit", "eight"), ("width", "-1")]);
        assert_eq!(
            (garbled.limit, garbled.width),
            (Setup::DEFAULT_LIMIT, Setup::WIDTHS.0)
        );
        let many: Vec<(&str, &str)> = (0..30).map(|_| ("stop", "x")).collect();
        assert_eq!(setup_of(&many).stops.len(), 1);
        let mut full = Setup::default();
        for i in 0..25 {
            full = full.with_stop(&format!("bd:{i}"));
        }
        assert_eq!(full.stops.len(), Setup::MAX_STOPS);
    }

    #[test]
    fn the_setup_page_href_round_trips_through_its_query() {
        let setup = Setup {
            stops: vec!["bd:S1".to_owned(), "bd:S 2".to_owned()],
            routes: vec!["bd:51".to_owned()],
            lang: Lang::Ja,
            limit: 12,
            width: 40,
            ascii: true,
        };
        let href = setup.href("ben xe");
        assert_eq!(
            href,
            "/displays/new?stop=bd%3AS1&stop=bd%3AS%202&route=bd%3A51&dlang=ja\
             &limit=12&width=40&ascii=1&q=ben%20xe"
        );
        let query = href.split_once('?').expect("a query").1;
        let parsed: Vec<(String, String)> = query
            .split('&')
            .filter_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((k.to_owned(), v.replace("%3A", ":").replace("%20", " ")))
            })
            .collect();
        let pairs: Vec<(&str, &str)> = parsed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(setup_of(&pairs), setup);
        assert_eq!(setup.without_stop("bd:S1").stops, ["bd:S 2"]);
        assert_eq!(setup.with_stop("bd:S1").stops.len(), 2, "no repeats");
        assert!(setup.with_route("bd:51", false).routes.is_empty());
        assert_eq!(setup.with_route("bd:52", true).routes, ["bd:51", "bd:52"]);
    }

    fn stop(id: &str, name: &str, routes: &[&str]) -> api_types::StopSummary {
        api_types::StopSummary {
            id: id.to_owned(),
            code: Some("1020".to_owned()),
            name: name.to_owned(),
            lat: None,
            lon: None,
            location_type: "stop".to_owned(),
            parent_station: None,
            routes: routes
                .iter()
                .map(|r| RouteBadge {
                    id: format!("bd:{r}"),
                    short_name: (*r).to_owned(),
                    color: "009B4E".to_owned(),
                    text_color: "FFFFFF".to_owned(),
                })
                .collect(),
            match_rank: None,
            distance_m: None,
            bay: None,
            platforms: Vec::new(),
        }
    }

    #[test]
    fn the_sections_escape_names_and_their_links_keep_the_other_choices() {
        let setup = Setup {
            routes: vec!["bd:51".to_owned()],
            lang: Lang::En,
            ..Setup::default()
        }
        .with_stop("bd:A")
        .with_stop("bd:B");
        let chosen = vec![
            (
                "bd:A".to_owned(),
                Ok(StopDetail {
                    lang: "en".to_owned(),
                    stop: stop("bd:A", "Coach <Station> & \"Co\"", &["51", "52"]),
                    desc: None,
                    wheelchair_boarding: None,
                    parent: None,
                    children: Vec::new(),
                }),
            ),
            (
                "bd:B".to_owned(),
                Err(api::Failure {
                    status: 404,
                    error: "stop_not_found".to_owned(),
                    message: "no".to_owned(),
                }),
            ),
        ];
        let chips = chips_html(Lang::En, &chosen, &setup, "");
        assert!(
            chips.contains("<span>Coach &lt;Station&gt; &amp; &quot;Co&quot;</span>"),
            "{chips}"
        );
        assert!(
            chips.contains("<span>bd:B (no such stop)</span>"),
            "{chips}"
        );
        assert!(
            chips.contains(r#"href="/displays/new?stop=bd%3AB&amp;route=bd%3A51&amp;dlang=en""#),
            "removing A keeps B, the route and the language: {chips}"
        );
        let routes = routes_html(Lang::En, &chosen, &setup);
        assert!(routes.contains(r#"value="bd:51" checked>"#), "{routes}");
        assert!(routes.contains(r#"value="bd:52">"#), "{routes}");
        assert!(
            routes.contains("background:#009B4E;color:#000000"),
            "{routes}"
        );
        let found = Ok(Some(StopsResponse {
            lang: "en".to_owned(),
            stops: vec![stop("bd:C", "C", &["66"])],
        }));
        let results = results_html(Lang::En, &found, &setup);
        assert!(
            results.contains(
                r#"href="/displays/new?stop=bd%3AA&amp;stop=bd%3AB&amp;stop=bd%3AC&amp;route=bd%3A51&amp;dlang=en""#
            ),
            "{results}"
        );
        let url = url_html(&setup, "http://host:8080");
        assert!(
            url.contains(r#"value="http://host:8080/display/bd:A,bd:B?route=bd%3A51&amp;lang=en""#),
            "{url}"
        );
        let result = result_html(Lang::En, &setup);
        assert!(
            result.contains(r#"src="/display/bd:A,bd:B?route=bd%3A51&amp;lang=en""#),
            "{result}"
        );
        assert_eq!(url_html(&Setup::default(), "http://host:8080"), "");
        assert!(
            result_html(Lang::En, &Setup::default()).contains("No stop chosen yet"),
            "nothing to show without stops"
        );
        let options = options_html(Lang::Ja, &setup);
        assert!(
            options.contains(r#"<option value="en" lang="en" selected>"#),
            "{options}"
        );
        assert!(options.contains(r#"value="8">"#), "{options}");
    }

    #[test]
    fn routes_at_the_stops_are_listed_once_in_order() {
        let badge = |id: &str| RouteBadge {
            id: id.to_owned(),
            short_name: id.to_owned(),
            color: "000000".to_owned(),
            text_color: "FFFFFF".to_owned(),
        };
        let detail = |routes: Vec<RouteBadge>| StopDetail {
            lang: "vi".to_owned(),
            stop: api_types::StopSummary {
                id: "bd:S".to_owned(),
                code: None,
                name: "S".to_owned(),
                lat: None,
                lon: None,
                location_type: "stop".to_owned(),
                parent_station: None,
                routes,
                match_rank: None,
                distance_m: None,
                bay: None,
                platforms: Vec::new(),
            },
            desc: None,
            wheelchair_boarding: None,
            parent: None,
            children: Vec::new(),
        };
        let missing = Err(api::Failure {
            status: 404,
            error: "stop_not_found".to_owned(),
            message: "no".to_owned(),
        });
        let routes = routes_at(&[
            Ok(detail(vec![badge("51"), badge("52")])),
            missing,
            Ok(detail(vec![badge("52"), badge("61")])),
        ]);
        let ids: Vec<&str> = routes.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["51", "52", "61"]);
    }
}
