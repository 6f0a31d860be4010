//! `/`: stop search (instant once hydrated; a plain GET form before: `/?q=ben+xe` is rendered
//! with its results on the server), stops near the reader, favourite stops.

use std::time::Duration;

use api_types::StopSummary;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, Api};
use crate::favourites::{self, Favourite};
use crate::format::{self, url_encode};
use crate::i18n::{Key, t};
use crate::ui::StopItem;
use crate::{use_hydrated, use_lang};

/// Typing pauses this long before the results follow.
const DEBOUNCE: Duration = Duration::from_millis(250);

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let client = Api::new();
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let results = Resource::new_blocking(
        move || (q.get(), lang.get()),
        move |(q, lang)| {
            let search = (!q.trim().is_empty()).then(|| api::search(&client, &q, lang));
            async move {
                match search {
                    Some(search) => search.await.map(Some),
                    None => Ok(None),
                }
            }
        },
    );

    // The URL carries the search (`/?q=`): typing replaces it after a pause, so results are
    // shareable, the back button works, and one resource serves server and browser alike.
    let navigate = use_navigate();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let search_now = move |text: String| {
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let href = if text.trim().is_empty() {
            "/".to_owned()
        } else {
            format!("/?q={}", url_encode(&text))
        };
        navigate(
            &href,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let on_input = {
        let search_now = search_now.clone();
        move |ev| {
            let text = event_target_value(&ev);
            if let Some(h) = pending.get_value() {
                h.clear();
            }
            let search_now = search_now.clone();
            pending.set_value(set_timeout_with_handle(move || search_now(text), DEBOUNCE).ok());
        }
    };
    let input = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = input.get() {
            search_now(input.value());
        }
    };

    let site = crate::use_site_name();
    view! {
        <h1 class="sr-only">{move || site(lang.get())}</h1>
        <form class="search" action="/" method="get" role="search" on:submit=on_submit>
            <label for="q">{move || t(lang.get(), Key::SearchLabel)}</label>
            <div class="search-row">
                <input
                    id="q"
                    name="q"
                    type="search"
                    autocomplete="off"
                    node_ref=input
                    value=q.get_untracked()
                    placeholder=move || t(lang.get(), Key::SearchPlaceholder)
                    on:input=on_input
                />
                <button type="submit">{move || t(lang.get(), Key::SearchButton)}</button>
            </div>
        </form>
        <div class="results" aria-live="polite">
            <Transition fallback=move || view! { <p class="muted">{t(lang.get_untracked(), Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(found)) if found.stops.is_empty() => {
                            view! { <p>{t(lang.get_untracked(), Key::NoStopsFound)}</p> }.into_any()
                        }
                        Ok(Some(found)) => view! {
                            <h2>{t(lang.get_untracked(), Key::SearchResults)}</h2>
                            <ul class="stops" id="search-results">
                                {found.stops.into_iter().map(|stop| view! { <StopItem stop/> }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <p role="alert">{t(lang.get_untracked(), Key::LoadError)}" "{e.message}</p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
        <NearMe/>
        <Favourites/>
        // Stop display setup
        <p class="display-link">
            <a href="/displays/new">{move || t(lang.get(), Key::DisplaySetupTitle)}</a>
        </p>
    }
}

/// What "near me" shows (found and failed come from the browser, once hydrated).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Near {
    Idle,
    Locating,
    Found(Vec<StopSummary>),
    Failed(Key),
}

/// "Stops near me": the browser's location, then the nearby-stops API. Needs the bundle (and
/// the reader's consent), so it appears once hydrated.
#[component]
fn NearMe() -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    let near = RwSignal::new(Near::Idle);
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let client = Api::new();
    let locate = move |_| {
        near.set(Near::Locating);
        #[cfg(feature = "hydrate")]
        {
            crate::browser::locate(move |position| match position {
                Ok((lat, lon)) => leptos::task::spawn_local(async move {
                    let found = api::nearby(&client, lat, lon, lang.get_untracked()).await;
                    near.set(match found {
                        Ok(r) if r.stops.is_empty() => Near::Failed(Key::NoStopsNearby),
                        Ok(r) => Near::Found(r.stops),
                        Err(_) => Near::Failed(Key::LoadError),
                    });
                }),
                Err(crate::browser::LocationError::Denied) => {
                    near.set(Near::Failed(Key::LocationDenied))
                }
                Err(crate::browser::LocationError::Unavailable) => {
                    near.set(Near::Failed(Key::LocationUnavailable))
                }
            });
        }
    };
    view! {
        <Show when=move || hydrated.get()>
            <section class="near" aria-live="polite">
                <button type="button" class="secondary" on:click=locate>
                    {move || t(lang.get(), Key::NearMe)}
                </button>
                {move || match near.get() {
                    Near::Idle => ().into_any(),
                    Near::Locating => view! { <p class="muted">{t(lang.get(), Key::Locating)}</p> }.into_any(),
                    Near::Failed(key) => view! { <p class="notice" role="alert">{t(lang.get(), key)}</p> }.into_any(),
                    Near::Found(stops) => view! {
                        <ul class="stops">
                            {stops
                                .into_iter()
                                .map(|stop| {
                                    let d = stop.distance_m.map(|m| format::distance(lang.get_untracked(), m));
                                    view! { <StopItem stop distance=d.unwrap_or_default()/> }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any(),
                }}
            </section>
        </Show>
    }
}

/// The stops starred on their pages, from this browser's storage.
#[component]
fn Favourites() -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    let list = RwSignal::new(Vec::<Favourite>::new());
    Effect::new(move |_| list.set(favourites::load()));
    view! {
        <Show when=move || hydrated.get()>
            <section class="favourites" aria-labelledby="fav-h">
                <h2 id="fav-h">{move || t(lang.get(), Key::Favourites)}</h2>
                {move || {
                    let items = list.get();
                    if items.is_empty() {
                        view! { <p class="muted">{t(lang.get(), Key::NoFavourites)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="stops">
                                {items
                                    .into_iter()
                                    .map(|f| view! { <li><a href=format!("/stops/{}", f.id)>"★ "{f.name}</a></li> })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                }}
            </section>
        </Show>
    }
}
