//! `/map`: the whole network, every route's shape (from `/api/v1/network`, simplified by the
//! server) and every vehicle, drawn like a route's map (server-rendered, see
//! `pages::routes::ServerPage`) and moved the same way by `live`. The routes are listed below
//! it as links to their pages (the map's key, and the way in without a pointer).

use leptos::prelude::*;

use super::routes::{Page, ServerPage};

#[component]
pub fn NetworkMapPage() -> impl IntoView {
    view! { <ServerPage page=Signal::derive(|| Page::Network)/> }
}

/// `(title, HTML)` of the network map.
#[cfg(feature = "ssr")]
pub(super) async fn render(
    client: &crate::api::Api,
    lang: crate::i18n::Lang,
) -> Result<(String, String), crate::api::Failure> {
    use super::routes::ssr::{MAP_MAX_HEIGHT, MAP_WIDTH, markers};
    use crate::api;
    use crate::i18n::{Key, t};
    use crate::map::Projection;
    use crate::ui::{RouteLink, css_color};

    let network = api::network(client, lang).await?;
    let vehicles = api::vehicles(client, None, lang).await?.vehicles;
    let title = t(lang, Key::NetworkTitle);
    let points = network
        .routes
        .iter()
        .flat_map(|r| r.shapes.iter().flatten().copied())
        .collect::<Vec<_>>();
    let map = Projection::fit(points, MAP_WIDTH, MAP_MAX_HEIGHT, 10.0).map(|p| {
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
                    aria-label=t(lang, Key::NetworkMapLabel)
                    data-projection=p.to_attr()
                >
                    <g class="shapes">{shapes}</g>
                    {markers(&p, lang, &vehicles)}
                </svg>
            </figure>
        }
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
    let html = view! {
        <h1>{title}</h1>
        {map}
        <h2 id="network-routes-h">{t(lang, Key::NavRoutes)}</h2>
        <ul class="legend" aria-labelledby="network-routes-h">{legend}</ul>
    }
    .to_html();
    Ok((title.to_owned(), html))
}
