//! `/map`: the whole network, every route's shape (from `/api/v1/network`, simplified by the
//! server) and every vehicle, drawn like a route's map and refreshed the same way. The routes
//! are listed beside it as links to their pages (the map's key, and the way in without a
//! pointer).

use api_types::{NetworkResponse, VehiclesResponse};
use leptos::prelude::*;
use leptos_meta::Title;

use super::routes::{MAP_MAX_HEIGHT, MAP_WIDTH, VehicleMarkers, failure, loading};
use super::stop::HttpStatus;
use crate::api::{self, Api, Failure};
use crate::format::unix_seconds;
use crate::i18n::{Key, t};
use crate::map::Projection;
use crate::ui::{RouteLink, css_color};
use crate::use_lang;

#[component]
pub fn NetworkMapPage() -> impl IntoView {
    let lang = use_lang();
    let client = Api::new();
    let status = HttpStatus::new();
    let data = Resource::new_blocking(
        move || lang.get(),
        move |lang| {
            let network = api::network(&client, lang);
            let vehicles = api::vehicles(&client, None, lang);
            async move { Ok::<_, Failure>((network.await?, vehicles.await?)) }
        },
    );
    view! {
        <Title text=move || format!("{} · {}", t(lang.get(), Key::NetworkTitle), t(lang.get(), Key::AppName))/>
        <h1>{move || t(lang.get(), Key::NetworkTitle)}</h1>
        <Suspense fallback=move || loading(lang)>
            {move || {
                let status = status.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok((network, vehicles)) => view! { <NetworkView network vehicles/> }.into_any(),
                        Err(e) => failure(&status, lang, e).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn NetworkView(network: NetworkResponse, vehicles: VehiclesResponse) -> impl IntoView {
    let lang = use_lang();
    let now = RwSignal::new(unix_seconds(&vehicles.now).unwrap_or_default());
    let vehicles = RwSignal::new(vehicles.vehicles);
    let updates = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    super::routes::follow(None, lang, vehicles, None, now, updates);
    #[cfg(not(feature = "hydrate"))]
    let _ = now;

    let points = network
        .routes
        .iter()
        .flat_map(|r| r.shapes.iter().flatten().copied())
        .collect::<Vec<_>>();
    let projection = Projection::fit(points, MAP_WIDTH, MAP_MAX_HEIGHT, 10.0);
    let map = projection.map(|p| {
        let shapes = network
            .routes
            .iter()
            .flat_map(|r| {
                let color = css_color(&r.route.color, "2b6cb0");
                let id = r.route.id.clone();
                r.shapes
                    .iter()
                    .map(move |s| (id.clone(), color.clone(), p.path(s)))
            })
            .filter(|(_, _, d)| !d.is_empty())
            .map(|(id, color, d)| view! { <path class="shape" data-route=id d=d stroke=color/> })
            .collect_view();
        view! {
            <figure class="map-figure">
                <svg
                    class="map network"
                    viewBox=p.view_box()
                    role="group"
                    aria-label=move || t(lang.get(), Key::NetworkMapLabel)
                    data-updates=move || updates.get()
                >
                    <g class="shapes">{shapes}</g>
                    <VehicleMarkers projection=p vehicles/>
                </svg>
            </figure>
        }
        .into_any()
    });
    let legend = network
        .routes
        .into_iter()
        .map(|r| {
            let route = r.route;
            view! {
                <li>
                    <RouteLink id=route.id color=route.color text_color=route.text_color short_name=route.short_name/>
                    " "
                    <span>{route.long_name}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        {map}
        <h2 id="network-routes-h">{move || t(lang.get(), Key::NavRoutes)}</h2>
        <ul class="legend" aria-labelledby="network-routes-h">{legend}</ul>
    }
    .into_any()
}
