//! What moves on the server-drawn route page and network map, once hydrated (never compiled
//! into the server). The server drew everything (`pages::routes::ssr`); this only changes it:
//! every [`POLL`] the vehicles are asked for (`/api/v1/vehicles`, of the map's `data-route`
//! when it has one) and each marker's CSS `transform` is set to its new place (a CSS transition
//! makes it glide; new vehicles get a marker, gone ones lose theirs), the minutes of the
//! arrivals are counted down against the server's clock, and every [`REFRESH_EVERY`] polls the
//! route's lists (buses, arrivals) are replaced by the server's fresh ones. A poll's count is
//! `data-updates` on the map (read by the end-to-end tests).

use std::collections::HashMap;
use std::time::Duration;

use api_types::Vehicle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, Api};
use crate::format::{self, unix_seconds};
use crate::i18n::Lang;
use crate::map::{self, Projection};
use crate::pages::vehicle_label;

/// How often the vehicles are asked for again.
const POLL: Duration = Duration::from_secs(5);
/// The lists are replaced every this many polls (30 s).
const REFRESH_EVERY: u32 = 6;

/// Starts following the map of the page, for as long as the calling owner lives.
pub fn follow(lang: Lang) {
    let Some(svg) = document()
        .query_selector("svg.map[data-projection]")
        .ok()
        .flatten()
    else {
        return;
    };
    let Some(projection) = svg
        .get_attribute("data-projection")
        .and_then(|a| Projection::from_attr(&a))
    else {
        return;
    };
    let route = svg.get_attribute("data-route");
    let client = Api::new();
    let polls = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let tick = set_interval_with_handle(
        move || {
            polls.set(polls.get() + 1);
            let (svg, route_id) = (svg.clone(), route.clone());
            spawn_local(async move {
                let Ok(r) = api::vehicles(&client, route_id.as_deref(), lang).await else {
                    return;
                };
                place(&svg, &projection, lang, &r.vehicles);
                if let Some(now) = unix_seconds(&r.now) {
                    count_down(lang, now);
                }
                let n: u32 = svg
                    .get_attribute("data-updates")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let _ = svg.set_attribute("data-updates", &(n + 1).to_string());
            });
            if let Some(id) = &route
                && polls.get().is_multiple_of(REFRESH_EVERY)
            {
                spawn_local(refresh(format!(
                    "{}?lang={}",
                    crate::ui::route_href(id),
                    lang.code()
                )));
            }
        },
        POLL,
    )
    .ok();
    on_cleanup(move || {
        if let Some(tick) = tick {
            tick.clear();
        }
    });
}

/// Moves, adds and removes the markers of `svg` for `vehicles`.
fn place(svg: &web_sys::Element, p: &Projection, lang: Lang, vehicles: &[Vehicle]) {
    let Some(layer) = svg.query_selector("g.vehicles").ok().flatten() else {
        return;
    };
    let mut shown: HashMap<String, web_sys::Element> = HashMap::new();
    if let Ok(all) = layer.query_selector_all("g.vehicle") {
        for i in 0..all.length() {
            if let Some(el) = all
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                && let Some(id) = el.get_attribute("data-vehicle")
            {
                shown.insert(id, el);
            }
        }
    }
    for v in vehicles {
        let label = vehicle_label(lang, v);
        match shown.remove(&v.id) {
            Some(el) => {
                let _ =
                    el.set_attribute("style", &format!("transform:{}", p.translate(v.lat, v.lon)));
                if let (Some(heading), Some(b)) =
                    (el.query_selector(".heading").ok().flatten(), v.bearing)
                {
                    let _ = heading.set_attribute("transform", &map::rotate(b));
                }
                if let Some(title) = el.query_selector("title").ok().flatten() {
                    title.set_text_content(Some(&label));
                }
            }
            None => {
                let _ = layer.insert_adjacent_html("beforeend", &p.marker(v, &label));
            }
        }
    }
    // Vehicles no longer seen.
    for el in shown.into_values() {
        el.remove();
    }
}

/// The arrivals' minutes as of the server's `now`.
fn count_down(lang: Lang, now: i64) {
    let Ok(all) = document().query_selector_all(".route-stops strong[data-at]") else {
        return;
    };
    for i in 0..all.length() {
        if let Some(el) = all
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            && let Some(at) = el.get_attribute("data-at")
        {
            el.set_text_content(Some(&format::countdown_text(lang, now, &at)));
        }
    }
}

/// Replaces the page's lists of buses and arrivals by those of the page `path` as the
/// server renders it now.
async fn refresh(path: String) {
    let Ok((200, html)) = api::browser_fetch(path).await else {
        return;
    };
    let document = document();
    let Ok(fresh) = document.create_element("div") else {
        return;
    };
    fresh.set_inner_html(&html);
    for part in [".vehicle-list", ".route-stops"] {
        if let (Some(new), Some(old)) = (
            fresh.query_selector(part).ok().flatten(),
            document.query_selector(part).ok().flatten(),
        ) {
            old.set_inner_html(&new.inner_html());
        }
    }
}
