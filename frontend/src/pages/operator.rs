//! `/operator`: the operator console. The server renders the sign-in form and the realtime
//! health panel (public figures); everything behind the token runs in the browser once
//! hydrated, with `Authorization: Bearer` (the token stays in the tab's `sessionStorage`, the
//! server never renders with it): upload a GTFS zip with a progress bar, read its validation
//! report, list the versions, activate (now or at a date-time), roll back, delete.
//!
//! `model` holds the plain logic (tested), `browser` the browser APIs (upload by
//! `XMLHttpRequest`, session storage).

#[cfg(feature = "hydrate")]
mod browser;
mod model;

use std::time::Duration;

use api_types::operator::{FeedVersion, VersionState};
use api_types::{Health, RealtimeSourceHealth, TimeResponse, VehiclesResponse};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api::{self, Api, Failure};
use crate::format;
use crate::i18n::{Key, Lang, t};
use crate::ui::{CancelIcon, ClockIcon, LiveIcon, WarningIcon};
use crate::{use_hydrated, use_lang};
use model::{Session, UploadOutcome};

/// How often the health panel refreshes itself.
const HEALTH_EVERY: Duration = Duration::from_secs(15);

/// What the server renders the page with: public figures only.
type Overview = (
    api::ApiResult<Health>,
    Option<VehiclesResponse>,
    Option<TimeResponse>,
);

#[component]
pub fn OperatorPage() -> impl IntoView {
    let lang = use_lang();
    let client = Api::new();
    let overview = Resource::new_blocking(
        || (),
        move |_| {
            let health = api::health(&client);
            let vehicles = api::vehicles(&client);
            let times = api::feed_times(&client);
            async move { (health.await, vehicles.await.ok(), times.await.ok()) as Overview }
        },
    );
    view! {
        <Title text=move || format!("{} · {}", t(lang.get(), Key::OpTitle), t(lang.get(), Key::AppName))/>
        <h1>{move || t(lang.get(), Key::OpTitle)}</h1>
        <Suspense fallback=move || view! { <p class="muted">{t(lang.get_untracked(), Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    (Ok(health), vehicles, times) => view! { <Console health vehicles times/> }.into_any(),
                    (Err(e), ..) => view! {
                        <p class="notice" role="alert">{t(lang.get_untracked(), Key::LoadError)}" "{e.message}</p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// A message after an action: success or what went wrong.
#[derive(Debug, Clone, PartialEq)]
struct Notice {
    ok: bool,
    text: String,
}

/// An action waiting for the operator's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Activate(i64),
    Schedule(i64),
    Rollback,
    Delete(i64),
}

/// The console's state, shared by its parts.
#[derive(Clone, Copy)]
struct State {
    lang: RwSignal<Lang>,
    session: RwSignal<Option<Session>>,
    versions: RwSignal<Vec<FeedVersion>>,
    /// After an action on the versions.
    notice: RwSignal<Option<Notice>>,
    /// After an upload: its verdict, or why it failed.
    upload_notice: RwSignal<Option<Notice>>,
    outcome: RwSignal<Option<UploadOutcome>>,
    pending: RwSignal<Option<Pending>>,
    busy: RwSignal<bool>,
    /// Per feed: (id, IANA time zone, seconds east of UTC now).
    zones: StoredValue<Vec<(String, String, i64)>>,
}

impl State {
    fn say(&self, ok: bool, text: String) {
        self.notice.set(Some(Notice { ok, text }));
    }

    fn say_upload(&self, ok: bool, text: String) {
        self.upload_notice.try_set(Some(Notice { ok, text }));
    }

    fn fail(&self, failure: &Failure) {
        self.say(
            false,
            model::failure_text(self.lang.get_untracked(), failure),
        );
    }

    /// The signed-in feed's time zone and offset.
    fn zone(&self) -> (String, i64) {
        let feed = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.feed.clone()))
            .unwrap_or_default();
        self.zones.with_value(|zones| {
            zones
                .iter()
                .find(|(id, ..)| *id == feed)
                .map(|(_, zone, offset)| (zone.clone(), *offset))
                .unwrap_or_else(|| ("UTC".to_owned(), 0))
        })
    }

    /// Reloads the versions table.
    fn reload(self) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::operator_versions(s.token, s.feed).await {
                Ok(list) => {
                    self.versions.try_set(list.versions);
                }
                Err(e) => self.fail(&e),
            }
        });
    }
}

/// The session kept in this tab, if any (none on the server).
fn stored_session() -> Option<Session> {
    #[cfg(feature = "hydrate")]
    let stored = browser::stored_session();
    #[cfg(not(feature = "hydrate"))]
    let stored = None::<String>;
    model::parse_session(stored.as_deref())
}

/// Keeps the session for this tab, or forgets it.
fn keep_session(session: Option<&Session>) {
    let json = session.and_then(|s| serde_json::to_string(s).ok());
    #[cfg(feature = "hydrate")]
    browser::store_session(json.as_deref());
    #[cfg(not(feature = "hydrate"))]
    let _ = json;
}

#[component]
fn Console(
    health: Health,
    vehicles: Option<VehiclesResponse>,
    times: Option<TimeResponse>,
) -> impl IntoView {
    let lang = use_lang();
    let zones = health
        .feeds
        .iter()
        .map(|f| {
            let offset = times
                .as_ref()
                .and_then(|t| t.feeds.iter().find(|ft| ft.feed == f.feed_id))
                .and_then(|ft| model::offset_seconds(&ft.local))
                .unwrap_or(0);
            (f.feed_id.clone(), f.time_zone.clone(), offset)
        })
        .collect::<Vec<_>>();
    let state = State {
        lang,
        session: RwSignal::new(None),
        versions: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
        upload_notice: RwSignal::new(None),
        outcome: RwSignal::new(None),
        pending: RwSignal::new(None),
        busy: RwSignal::new(false),
        zones: StoredValue::new(zones),
    };
    let sign_in_error = RwSignal::new(None::<String>);
    let feeds: Vec<String> = health.feeds.iter().map(|f| f.feed_id.clone()).collect();

    // Checks a token against the feed by listing its versions: signed in when it may.
    let sign_in = move |s: Session| {
        sign_in_error.set(Some(t(lang.get_untracked(), Key::OpChecking).to_owned()));
        spawn_local(async move {
            match api::operator_versions(s.token.clone(), s.feed.clone()).await {
                Ok(list) => {
                    keep_session(Some(&s));
                    sign_in_error.set(None);
                    state.versions.set(list.versions);
                    state.session.set(Some(s));
                }
                Err(e) => {
                    keep_session(None);
                    sign_in_error.set(Some(model::failure_text(lang.get_untracked(), &e)));
                }
            }
        });
    };
    // Back in the same tab: the kept session signs in again.
    Effect::new(move |_| {
        if let Some(s) = stored_session() {
            sign_in(s);
        }
    });
    let sign_out = move |_| {
        keep_session(None);
        state.session.set(None);
        state.versions.set(Vec::new());
        state.outcome.set(None);
        state.notice.set(None);
        state.upload_notice.set(None);
        state.pending.set(None);
    };

    let health = RwSignal::new(health);
    let vehicles = RwSignal::new(vehicles);
    follow_health(health, vehicles);

    view! {
        <div class="op-console">
        {move || match state.session.get() {
            None => sign_in_form(lang, feeds.clone(), sign_in_error, sign_in).into_any(),
            Some(s) => view! {
                <p class="op-who">
                    {move || t(lang.get(), Key::OpManaging)}": "<strong class="op-feed">{s.feed.clone()}</strong>
                    " "
                    <button type="button" class="secondary" id="op-sign-out" on:click=sign_out>
                        {move || t(lang.get(), Key::OpSignOut)}
                    </button>
                </p>
                {upload_section(state)}
                {move || state.outcome.get().map(|o| report_section(lang.get(), &o))}
                {versions_section(state)}
            }
            .into_any(),
        }}
        {health_section(lang, health, vehicles, state.zones)}
        </div>
    }
}

/// A live region saying how the last action went (said by screen readers as it changes).
fn notice_view(notice: RwSignal<Option<Notice>>, class: &'static str) -> AnyView {
    view! {
        <div class=format!("op-notice {class}") role="status" aria-live="polite">
            {move || notice.get().map(|n| view! {
                <p class=if n.ok { "op-ok" } else { "op-err" }>
                    {if n.ok { view! { <CheckIcon/> }.into_any() } else { view! { <WarningIcon/> }.into_any() }}
                    " "{n.text}
                </p>
            })}
        </div>
    }
    .into_any()
}

fn sign_in_form(
    lang: RwSignal<Lang>,
    feeds: Vec<String>,
    error: RwSignal<Option<String>>,
    sign_in: impl Fn(Session) + Copy + 'static,
) -> AnyView {
    let hydrated = use_hydrated();
    let token = NodeRef::<leptos::html::Input>::new();
    let feed = NodeRef::<leptos::html::Select>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(token), Some(feed)) = (token.get(), feed.get()) else {
            return;
        };
        sign_in(Session {
            token: token.value().trim().to_owned(),
            feed: feed.value(),
        });
    };
    view! {
        <section class="op-signin" aria-labelledby="op-signin-h">
            <h2 id="op-signin-h">{move || t(lang.get(), Key::OpSignIn)}</h2>
            // No action: nothing is sent before the bundle runs (the button waits for it), and
            // then only as a header of API calls.
            <form on:submit=on_submit>
                <label for="op-token">{move || t(lang.get(), Key::OpToken)}</label>
                <input
                    id="op-token"
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    required
                    aria-describedby="op-token-hint"
                    node_ref=token
                />
                <p class="muted" id="op-token-hint">{move || t(lang.get(), Key::OpTokenHint)}</p>
                <label for="op-feed">{move || t(lang.get(), Key::OpFeed)}</label>
                <select id="op-feed" node_ref=feed>
                    {feeds.into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                </select>
                <p>
                    <button type="submit" id="op-sign-in" disabled=move || !hydrated.get()>
                        {move || t(lang.get(), Key::OpSignIn)}
                    </button>
                </p>
                <Show when=move || !hydrated.get()>
                    <p class="muted">{move || t(lang.get(), Key::OpNeedsScript)}</p>
                </Show>
                <p class="op-signin-error" role="alert">{move || error.get()}</p>
            </form>
        </section>
    }
    .into_any()
}

fn upload_section(state: State) -> AnyView {
    let lang = state.lang;
    let file = NodeRef::<leptos::html::Input>::new();
    let validate_only = RwSignal::new(false);
    // Percent sent, while an upload runs.
    let progress = RwSignal::new(None::<u8>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start_upload(state, file, validate_only.get_untracked(), progress);
    };
    view! {
        <section class="op-upload" aria-labelledby="op-upload-h">
            <h2 id="op-upload-h">{move || t(lang.get(), Key::OpUpload)}</h2>
            <form on:submit=on_submit>
                <label for="op-file">{move || t(lang.get(), Key::OpFile)}</label>
                <input id="op-file" type="file" accept=".zip,application/zip" node_ref=file/>
                <label class="op-check">
                    <input
                        type="checkbox"
                        id="op-validate-only"
                        prop:checked=move || validate_only.get()
                        on:change=move |ev| validate_only.set(event_target_checked(&ev))
                    />
                    " "{move || t(lang.get(), Key::OpValidateOnly)}
                </label>
                <button type="submit" id="op-upload" disabled=move || state.busy.get()>
                    {move || t(lang.get(), Key::OpUploadButton)}
                </button>
            </form>
            {move || progress.get().map(|p| {
                let label = if p >= 100 { Key::OpServerChecking } else { Key::OpUploading };
                view! {
                    <div class="op-progress">
                        <label for="op-progress">{t(lang.get(), label)}</label>
                        <progress id="op-progress" max="100" value=p.to_string() aria-valuetext=format!("{p} %")>
                            {format!("{p} %")}
                        </progress>
                        <span class="op-percent" aria-hidden="true">{format!("{p} %")}</span>
                    </div>
                }
            })}
            {notice_view(state.upload_notice, "op-upload-notice")}
        </section>
    }
    .into_any()
}

/// Sends the chosen file; the report and a notice follow the answer.
fn start_upload(
    state: State,
    file: NodeRef<leptos::html::Input>,
    validate_only: bool,
    progress: RwSignal<Option<u8>>,
) {
    let lang = state.lang.get_untracked();
    let Some(session) = state.session.get_untracked() else {
        return;
    };
    let path = api::operator_upload_path(&session.feed, validate_only);
    let on_progress = move |loaded: f64, total: f64| {
        progress.try_set(Some(model::percent(loaded, total)));
    };
    let on_done = move |status: u16, body: String| {
        progress.try_set(None);
        state.busy.try_set(false);
        match model::upload_outcome(status, &body) {
            Ok(outcome) => {
                let text = match &outcome {
                    UploadOutcome::Stored(v) => format!("{} {}.", t(lang, Key::OpStored), v.id),
                    UploadOutcome::Checked(r) => format!(
                        "{} {}",
                        t(lang, Key::OpChecked),
                        t(
                            lang,
                            if r.valid {
                                Key::OpValid
                            } else {
                                Key::OpInvalid
                            }
                        )
                    ),
                    UploadOutcome::Refused(_) => t(lang, Key::OpRefused).to_owned(),
                };
                let ok = !matches!(outcome, UploadOutcome::Refused(_)) && outcome.report().valid;
                state.say_upload(ok, text);
                state.outcome.try_set(Some(outcome));
                state.reload();
            }
            Err(e) => state.say_upload(false, model::failure_text(lang, &e)),
        }
    };
    #[cfg(feature = "hydrate")]
    {
        let Some(chosen) = file.get().and_then(|input| browser::chosen_file(&input)) else {
            state.say_upload(false, t(lang, Key::OpNoFile).to_owned());
            return;
        };
        state.upload_notice.set(None);
        state.outcome.set(None);
        state.busy.set(true);
        progress.set(Some(0));
        if !browser::upload(&path, &session.token, &chosen, on_progress, on_done) {
            progress.set(None);
            state.busy.set(false);
            state.say_upload(false, t(lang, Key::LoadError).to_owned());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (file, path, on_progress, on_done);
}

/// The validation report: a verdict, counts, and the findings table (errors first).
fn report_section(lang: Lang, outcome: &UploadOutcome) -> AnyView {
    let report = outcome.report();
    let rows = model::ordered(report)
        .into_iter()
        .map(|f| {
            let severity = match f.severity {
                api_types::Severity::Error => "error",
                api_types::Severity::Warning => "warning",
            };
            let icon = match f.severity {
                api_types::Severity::Error => view! { <CancelIcon/> }.into_any(),
                api_types::Severity::Warning => view! { <WarningIcon/> }.into_any(),
            };
            let file = if f.file.is_empty() {
                view! { <span class="muted">{t(lang, Key::OpWholeFeed)}</span> }.into_any()
            } else {
                view! { <code>{f.file.clone()}</code> }.into_any()
            };
            view! {
                <tr class=format!("sev-{severity}") data-severity=severity>
                    <td class="op-sev">{icon}" "{t(lang, model::severity_key(f.severity))}</td>
                    <td>{file}</td>
                    <td class="num">{f.line.map_or_else(|| "–".to_owned(), |l| l.to_string())}</td>
                    <td>{f.message.clone()}</td>
                    <td>{f.fix.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let suppressed = report
        .suppressed
        .iter()
        .map(|s| {
            view! {
                <li>
                    <code>{s.code.clone()}</code>" ("{t(lang, model::severity_key(s.severity))}"): "
                    {s.count}" "{t(lang, Key::OpNotListed)}
                </li>
            }
        })
        .collect_view();
    let empty = report.findings.is_empty();
    view! {
        <section class="op-report" aria-labelledby="op-report-h">
            <h2 id="op-report-h">{t(lang, Key::OpReport)}</h2>
            <p class="op-counts">
                {t(lang, Key::OpErrors)}": "<strong data-count="errors">{report.error_count()}</strong>
                " · "{t(lang, Key::OpWarnings)}": "<strong data-count="warnings">{report.warning_count()}</strong>
            </p>
            {if empty {
                view! { <p>{t(lang, Key::OpNoFindings)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="op-table op-findings">
                            <thead>
                                <tr>
                                    <th scope="col">{t(lang, Key::OpSeverity)}</th>
                                    <th scope="col">{t(lang, Key::OpFileColumn)}</th>
                                    <th scope="col">{t(lang, Key::OpLine)}</th>
                                    <th scope="col">{t(lang, Key::OpProblem)}</th>
                                    <th scope="col">{t(lang, Key::OpFix)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <ul class="op-suppressed">{suppressed}</ul>
        </section>
    }
    .into_any()
}

fn versions_section(state: State) -> AnyView {
    let lang = state.lang;
    let can_roll_back = move || {
        state
            .versions
            .read()
            .iter()
            .any(|v| v.state == VersionState::Retired)
    };
    view! {
        <section class="op-versions" aria-labelledby="op-versions-h">
            <div class="op-head">
                <h2 id="op-versions-h">{move || t(lang.get(), Key::OpVersions)}</h2>
                <Show when=can_roll_back>
                    <button type="button" class="secondary" id="op-rollback" on:click=move |_| state.pending.set(Some(Pending::Rollback))>
                        {move || t(lang.get(), Key::OpRollback)}
                    </button>
                </Show>
            </div>
            {move || state.pending.get().map(|p| confirm_panel(state, p))}
            {notice_view(state.notice, "op-versions-notice")}
            {move || {
                let lang = lang.get();
                let versions = state.versions.get();
                if versions.is_empty() {
                    return view! { <p>{t(lang, Key::OpNoVersions)}</p> }.into_any();
                }
                let (_, offset) = state.zone();
                view! {
                    <div class="table-wrap">
                        <table class="op-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t(lang, Key::OpVersion)}</th>
                                    <th scope="col">{t(lang, Key::OpUploaded)}</th>
                                    <th scope="col">{t(lang, Key::OpSize)}</th>
                                    <th scope="col">{t(lang, Key::OpValidity)}</th>
                                    <th scope="col">{t(lang, Key::Status)}</th>
                                    <th scope="col">{t(lang, Key::OpActions)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {versions.into_iter().map(|v| version_row(state, lang, v, offset)).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}

fn version_row(state: State, lang: Lang, v: FeedVersion, offset: i64) -> AnyView {
    let (key, class) = model::state_key(v.state);
    let icon = match v.state {
        VersionState::Validated => view! { <CheckIcon/> }.into_any(),
        VersionState::Scheduled => view! { <ClockIcon/> }.into_any(),
        VersionState::Active => view! { <LiveIcon/> }.into_any(),
        VersionState::Retired => view! { <ArchiveIcon/> }.into_any(),
    };
    let dates = match (&v.first_service_date, &v.last_service_date) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "–".to_owned(),
    };
    let when = v
        .activate_at
        .as_deref()
        .filter(|_| v.state == VersionState::Scheduled)
        .map(|at| model::local_time(at, offset));
    let id = v.id;
    let active = v.state == VersionState::Active;
    let ask = move |p: Pending| move |_| state.pending.set(Some(p));
    view! {
        <tr data-version=id data-state=class>
            <th scope="row">"#"{id}</th>
            <td>{model::local_time(&v.uploaded_at, offset)}<br/><span class="muted">{v.uploaded_by}</span></td>
            <td class="num">{model::size(v.size)}</td>
            <td>{dates}</td>
            <td class=format!("op-state {class}")>
                {icon}" "{t(lang, key)}
                {when.map(|w| view! { <br/><span class="muted">{w}</span> })}
            </td>
            <td>
                {(!active).then(|| view! { <div class="op-actions">
                    <button type="button" class="op-activate" on:click=ask(Pending::Activate(id))>{t(lang, Key::OpActivateNow)}</button>
                    <button type="button" class="secondary op-schedule" on:click=ask(Pending::Schedule(id))>{t(lang, Key::OpActivateAt)}</button>
                    <button type="button" class="secondary op-delete" on:click=ask(Pending::Delete(id))>{t(lang, Key::OpDelete)}</button>
                </div> })}
            </td>
        </tr>
    }
    .into_any()
}

/// Asks before an action, and runs it.
fn confirm_panel(state: State, pending: Pending) -> AnyView {
    let lang = state.lang;
    let at = NodeRef::<leptos::html::Input>::new();
    let yes = NodeRef::<leptos::html::Button>::new();
    // Focus goes to the question's first control, so keyboard users land on it.
    Effect::new(move |_| {
        if let Some(input) = at.get() {
            let _ = input.focus();
        } else if let Some(button) = yes.get() {
            let _ = button.focus();
        }
    });
    let (zone, offset) = state.zone();
    let (question, version) = match pending {
        Pending::Activate(id) => (Key::OpConfirmActivate, Some(id)),
        Pending::Schedule(id) => (Key::OpConfirmSchedule, Some(id)),
        Pending::Rollback => (Key::OpConfirmRollback, None),
        Pending::Delete(id) => (Key::OpConfirmDelete, Some(id)),
    };
    let run = move |_| {
        let lang = lang.get_untracked();
        let Some(s) = state.session.get_untracked() else {
            return;
        };
        let when = match pending {
            Pending::Schedule(_) => {
                let value = at.get().map(|i| i.value()).unwrap_or_default();
                match model::local_to_rfc3339(&value, offset) {
                    Some(when) => Some(when),
                    None => {
                        state.say(false, t(lang, Key::OpPickTime).to_owned());
                        return;
                    }
                }
            }
            _ => None,
        };
        state.busy.set(true);
        spawn_local(async move {
            let (token, feed) = (s.token, s.feed);
            let done = match pending {
                Pending::Activate(id) | Pending::Schedule(id) => {
                    api::operator_activate(token, feed, id, when)
                        .await
                        .map(|v| {
                            let key = if v.state == VersionState::Scheduled {
                                Key::OpScheduledFor
                            } else {
                                Key::OpActivated
                            };
                            format!("{} {}.", t(lang, key), v.id)
                        })
                }
                Pending::Rollback => api::operator_rollback(token, feed)
                    .await
                    .map(|v| format!("{} {}.", t(lang, Key::OpRolledBack), v.id)),
                Pending::Delete(id) => api::operator_delete(token, feed, id)
                    .await
                    .map(|()| format!("{} {id}.", t(lang, Key::OpDeleted))),
            };
            state.busy.try_set(false);
            match done {
                Ok(text) => {
                    state.pending.try_set(None);
                    state.say(true, text);
                    state.reload();
                }
                Err(e) => state.fail(&e),
            }
        });
    };
    view! {
        <div class="op-confirm" role="group" aria-labelledby="op-confirm-q">
            <p id="op-confirm-q">
                {version.map(|id| view! { <strong>{move || t(lang.get(), Key::OpVersion)}" #"{id}": "</strong> })}
                {move || t(lang.get(), question)}
            </p>
            {matches!(pending, Pending::Schedule(_)).then(|| view! {
                <label for="op-at">{move || t(lang.get(), Key::OpWhen)}</label>
                <input id="op-at" type="datetime-local" aria-describedby="op-at-zone" node_ref=at/>
                <p class="muted" id="op-at-zone">
                    {move || t(lang.get(), Key::OpTimeZone)}": "{zone.clone()}" (UTC"{model::offset_text(offset)}")"
                </p>
            })}
            <p class="op-confirm-buttons">
                <button type="button" id="op-confirm-yes" node_ref=yes disabled=move || state.busy.get() on:click=run>
                    {move || t(lang.get(), Key::OpConfirm)}
                </button>
                " "
                <button type="button" class="secondary" id="op-confirm-no" on:click=move |_| state.pending.set(None)>
                    {move || t(lang.get(), Key::OpCancel)}
                </button>
            </p>
        </div>
    }
    .into_any()
}

/// Refreshes the health figures every [`HEALTH_EVERY`] once hydrated.
fn follow_health(health: RwSignal<Health>, vehicles: RwSignal<Option<VehiclesResponse>>) {
    // Effects run in the browser only, where the API needs no server context.
    Effect::new(move |_| {
        let client = Api::new();
        let refresh = move || {
            let (h, v) = (api::health(&client), api::vehicles(&client));
            spawn_local(async move {
                if let Ok(h) = h.await {
                    health.try_set(h);
                }
                if let Ok(v) = v.await {
                    vehicles.try_set(Some(v));
                }
            });
        };
        let tick = set_interval_with_handle(refresh, HEALTH_EVERY).ok();
        on_cleanup(move || {
            if let Some(tick) = tick {
                tick.clear();
            }
        });
    });
}

fn health_section(
    lang: RwSignal<Lang>,
    health: RwSignal<Health>,
    vehicles: RwSignal<Option<VehiclesResponse>>,
    zones: StoredValue<Vec<(String, String, i64)>>,
) -> AnyView {
    let offset_of = move |feed: &str| {
        zones.with_value(|z| {
            z.iter()
                .find(|(id, ..)| id == feed)
                .map_or(0, |(_, _, offset)| *offset)
        })
    };
    view! {
        <section class="op-health" aria-labelledby="op-health-h">
            <h2 id="op-health-h">{move || t(lang.get(), Key::OpHealth)}</h2>
            <p class="muted">{move || t(lang.get(), Key::OpHealthNote)}" "
                {move || {
                    let offset = zones.with_value(|z| z.first().map_or(0, |(.., offset)| *offset));
                    format!("{} {}", t(lang.get(), Key::UpdatedAt), model::local_time(&health.read().now, offset))
                }}
            </p>
            {move || {
                let lang = lang.get();
                let h = health.get();
                if h.realtime.is_empty() {
                    return view! { <p>{t(lang, Key::OpNoRealtime)}</p> }.into_any();
                }
                let vehicles = vehicles.get();
                let rows = h
                    .realtime
                    .iter()
                    .map(|s| source_row(lang, s, vehicles.as_ref(), offset_of(&s.feed_id)))
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="op-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t(lang, Key::OpSource)}</th>
                                    <th scope="col">{t(lang, Key::OpLastFetch)}</th>
                                    <th scope="col">{t(lang, Key::OpAge)}</th>
                                    <th scope="col">{t(lang, Key::OpTracked)}</th>
                                    <th scope="col">{t(lang, Key::OpMatched)}</th>
                                    <th scope="col">{t(lang, Key::OpFindings)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}

fn source_row(
    lang: Lang,
    s: &RealtimeSourceHealth,
    vehicles: Option<&VehiclesResponse>,
    offset: i64,
) -> AnyView {
    // Vehicles are counted for the sources that carry positions.
    let counts = matches!(s.kind.as_str(), "vehicle_positions" | "mixed")
        .then(|| vehicles.map(|v| model::vehicle_counts(&v.vehicles, &s.feed_id)))
        .flatten();
    let (tracked, matched) = counts.map_or_else(
        || ("–".to_owned(), "–".to_owned()),
        |(a, b)| (a.to_string(), b.to_string()),
    );
    let last = s.last_success.as_deref().map_or_else(
        || t(lang, Key::OpNever).to_owned(),
        |at| model::local_time(at, offset),
    );
    let failing = s.failing_since.as_deref().map(|since| {
        format!(
            "{} {}: {}",
            t(lang, Key::OpFailing),
            model::local_time(since, offset),
            s.last_error.clone().unwrap_or_default()
        )
    });
    let total: u64 = s.finding_counts.values().sum();
    let findings = if s.findings.is_empty() {
        view! { <span class="muted">{t(lang, Key::OpNone)}</span> }.into_any()
    } else {
        let items = s
            .findings
            .iter()
            .take(3)
            .map(|f| view! { <li><code>{f.code.clone()}</code>" "{f.message.clone()}</li> })
            .collect_view();
        view! { <span>{total}</span><ul class="op-findings-list">{items}</ul> }.into_any()
    };
    view! {
        <tr data-source=s.source_id.clone()>
            <th scope="row">{s.source_id.clone()}<br/><span class="muted">{s.feed_id.clone()}" · "{s.kind.clone()}</span></th>
            <td>{last}{failing.map(|f| view! { <br/><span class="op-err"><WarningIcon/>" "{f}</span> })}</td>
            <td class="num">{s.age_seconds.map(|a| format::age(lang, a))}</td>
            <td class="num" data-count="tracked">{tracked}</td>
            <td class="num" data-count="matched">{matched}</td>
            <td>{findings}</td>
        </tr>
    }
    .into_any()
}

/// Validated, success: a check mark.
#[component]
fn CheckIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/>
            <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="M8 12.5l2.7 2.7L16.5 9"/>
        </svg>
    }
}

/// Retired: a box of past versions.
#[component]
fn ArchiveIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M3 4h18v4H3zM5 8v12h14V8M10 12h4"/>
        </svg>
    }
}
