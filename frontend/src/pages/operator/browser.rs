//! The console's browser APIs (hydrate only): the session in `sessionStorage`, the chosen file,
//! and the upload by `XMLHttpRequest`, the one browser API that reports upload progress.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Where the tab keeps the operator's session (a JSON `model::Session`).
const SESSION_KEY: &str = "rtpi.operator";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The session kept in this tab, as stored.
pub fn stored_session() -> Option<String> {
    session_storage()?.get_item(SESSION_KEY).ok().flatten()
}

/// Keeps the session (JSON) for this tab, or with `None` forgets it.
pub fn store_session(value: Option<&str>) {
    let Some(storage) = session_storage() else {
        return;
    };
    // Storage full or disabled: the operator signs in again next time.
    let _ = match value {
        Some(v) => storage.set_item(SESSION_KEY, v),
        None => storage.remove_item(SESSION_KEY),
    };
}

/// The file chosen in `input` (`<input type=file>`), if any.
pub fn chosen_file(input: &web_sys::HtmlInputElement) -> Option<web_sys::File> {
    input.files()?.get(0)
}

/// POSTs `file` as the body (`application/zip`) to `path` with the operator's token.
/// `progress(loaded, total)` follows the upload; `done(status, body)` gets the answer (status 0
/// when there was none). Returns false when the request could not even start.
pub fn upload(
    path: &str,
    token: &str,
    file: &web_sys::File,
    progress: impl Fn(f64, f64) + 'static,
    done: impl FnOnce(u16, String) + 'static,
) -> bool {
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        return false;
    };
    let started = xhr.open_with_async("POST", path, true).is_ok()
        && xhr
            .set_request_header("Authorization", &format!("Bearer {token}"))
            .is_ok()
        && xhr
            .set_request_header("Content-Type", "application/zip")
            .is_ok();
    if !started {
        return false;
    }
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() {
                progress(e.loaded(), e.total());
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    // `loadend` fires once, after success, error or abort; the progress listener lives until then.
    let answered = xhr.clone();
    let on_end = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(upload) = answered.upload() {
            upload.set_onprogress(None);
        }
        drop(on_progress);
        let status = answered.status().unwrap_or(0);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        done(status, body);
    });
    xhr.set_onloadend(Some(on_end.unchecked_ref()));
    xhr.send_with_opt_blob(Some(file)).is_ok()
}

/// The `data-confirm` of the button a click landed on (or inside of).
pub fn clicked_confirm(ev: &web_sys::MouseEvent) -> Option<String> {
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    target
        .closest("button[data-confirm]")
        .ok()??
        .get_attribute("data-confirm")
}

/// The value of the input `id`, if there is one.
pub fn input_value(id: &str) -> Option<String> {
    let input: web_sys::HtmlInputElement = leptos::prelude::document()
        .get_element_by_id(id)?
        .dyn_into()
        .ok()?;
    Some(input.value())
}

/// Moves the focus to the first of `ids` that is on the page.
pub fn focus_first(ids: &[&str]) {
    let document = leptos::prelude::document();
    if let Some(element) = ids.iter().find_map(|id| {
        document
            .get_element_by_id(id)?
            .dyn_into::<web_sys::HtmlElement>()
            .ok()
    }) {
        let _ = element.focus();
    }
}

/// The `data-action` and `data-version` of the button a click landed on (or inside of).
pub fn clicked_action(ev: &web_sys::MouseEvent) -> Option<(String, i64)> {
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let button = target.closest("button[data-action]").ok()??;
    let action = button.get_attribute("data-action")?;
    let id = button.get_attribute("data-version")?.parse().ok()?;
    Some((action, id))
}
