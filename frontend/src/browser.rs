//! Browser APIs the pages use once hydrated (never compiled into the server): storage, the
//! language cookie, geolocation and Server-Sent Events.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::i18n::{self, Lang};

pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Remembers the language for the next server-rendered page, and tells assistive technology
/// the page's language.
pub fn remember_language(lang: Lang) {
    let document = leptos::prelude::document();
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("lang", lang.code());
    }
    if let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>() {
        let _ = html.set_cookie(&i18n::cookie(lang));
    }
}

/// The language the server rendered the page in (`<html lang>`).
pub fn document_language() -> Option<Lang> {
    let root = leptos::prelude::document().document_element()?;
    Lang::parse(&root.get_attribute("lang")?)
}

/// The site's name in vi, en and ja, as the server wrote them on `<body>`.
pub fn site_names() -> Option<[String; 3]> {
    let root = leptos::prelude::document().body()?;
    let name = |code: &str| root.get_attribute(&format!("data-site-{code}"));
    Some([name("vi")?, name("en")?, name("ja")?])
}

/// Why no position came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationError {
    Denied,
    Unavailable,
}

/// Asks for the reader's position once; `done` gets `(lat, lon)` or why not.
pub fn locate(done: impl FnOnce(Result<(f64, f64), LocationError>) + 'static) {
    let Some(geolocation) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
        done(Err(LocationError::Unavailable));
        return;
    };
    // Either callback fires, once; both share the one `done`.
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let on_error_done = done.clone();
    let ok = Closure::once_into_js(move |position: web_sys::Position| {
        let coords = position.coords();
        if let Some(done) = done.borrow_mut().take() {
            done(Ok((coords.latitude(), coords.longitude())));
        }
    });
    let err = Closure::once_into_js(move |error: web_sys::PositionError| {
        // 1 = PERMISSION_DENIED; 2 = POSITION_UNAVAILABLE, 3 = TIMEOUT.
        let why = if error.code() == 1 {
            LocationError::Denied
        } else {
            LocationError::Unavailable
        };
        if let Some(done) = on_error_done.borrow_mut().take() {
            done(Err(why));
        }
    });
    let started = geolocation
        .get_current_position_with_error_callback(ok.unchecked_ref(), Some(err.unchecked_ref()));
    if started.is_err() {
        // The callbacks will never run: nothing else holds `done` then.
        leptos::logging::warn!("geolocation refused to start");
    }
}

/// An open `EventSource`, closed when dropped.
pub struct EventStream {
    source: web_sys::EventSource,
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl EventStream {
    /// Opens `url`; `on_event` gets the data of each `event_name` event, `on_state` whether the
    /// connection is open (it reconnects by itself after errors).
    pub fn open(
        url: &str,
        event_name: &str,
        mut on_event: impl FnMut(String) + 'static,
        on_state: impl Fn(bool) + 'static,
    ) -> Option<Self> {
        let source = web_sys::EventSource::new(url).ok()?;
        let on_state = std::rc::Rc::new(on_state);
        let message: Closure<dyn FnMut(web_sys::Event)> = Closure::new(move |e: web_sys::Event| {
            if let Some(data) = e
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string())
            {
                on_event(data);
            }
        });
        let opened = {
            let on_state = on_state.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_state(true))
        };
        let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_state(false));
        let _ =
            source.add_event_listener_with_callback(event_name, message.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("open", opened.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
        Some(EventStream {
            source,
            _listeners: vec![message, opened, failed],
        })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Seconds since the epoch by the browser's clock.
pub fn now_seconds() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// A `performance.mark` (for measurements in the browser's timeline).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
