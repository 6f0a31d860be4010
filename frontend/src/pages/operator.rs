//! `/operator`: the operator console. The server renders the sign-in form and the realtime
//! health panel (public figures); everything behind the token runs in the browser once
//! hydrated, with `Authorization: Bearer` (the token stays in the tab's `sessionStorage`, the
//! server never renders with it): upload a GTFS zip with a progress bar, read its validation
//! report, list the versions, activate (now or at a date-time), roll back, delete.
//!
//! `model` holds the plain logic and `tables` the three tables as escaped HTML text (both
//! tested), `browser` the browser APIs (upload by `XMLHttpRequest`, session storage, clicks in
//! the versions table). Each part is rendered again as a whole when the language changes, with
//! plain strings inside: the page's share of the browser bundle stays small.

#[cfg(feature = "hydrate")]
mod browser;
mod model;
mod reports;
mod tables;

use std::time::Duration;

use api_types::operator::{FeedVersion, VersionState};
use api_types::{Health, TimeResponse};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api::{self, Api, Failure, VehicleTrips};
use crate::i18n::{Key, Lang, t};
use crate::{use_hydrated, use_lang};
use model::{Pending, Session, UploadOutcome};

/// How often the health panel refreshes itself.
const HEALTH_EVERY: Duration = Duration::from_secs(15);

/// What the server renders the page with: public figures only.
type Overview = (
    api::ApiResult<Health>,
    Option<VehicleTrips>,
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
            let vehicles = api::vehicle_trips(&client);
            let times = api::feed_times(&client);
            async move { (health.await, vehicles.await.ok(), times.await.ok()) as Overview }
        },
    );
    let site = crate::use_site_name();
    view! {
        <Title text=move || format!("{} · {}", t(lang.get(), Key::OpTitle), site(lang.get()))/>
        <h1>{move || t(lang.get(), Key::OpTitle)}</h1>
        <Suspense fallback=|| ()>
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

/// The console's state, shared by its parts.
#[derive(Clone, Copy)]
struct State {
    lang: RwSignal<Lang>,
    session: RwSignal<Option<Session>>,
    versions: RwSignal<Vec<FeedVersion>>,
    /// The audit log as the operator may read it, newest first.
    audit: RwSignal<Vec<api_types::operator::AuditEntry>>,
    /// Riders' problem reports about the feed, newest first.
    reports: RwSignal<Vec<api_types::operator::ProblemReport>>,
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
        self.notice.try_set(Some(Notice { ok, text }));
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

    /// A feed's time zone and offset.
    fn zone_of(&self, feed: &str) -> (String, i64) {
        self.zones.with_value(|zones| {
            zones
                .iter()
                .find(|(id, ..)| id == feed)
                .map(|(_, zone, offset)| (zone.clone(), *offset))
                .unwrap_or_else(|| ("UTC".to_owned(), 0))
        })
    }

    /// The signed-in feed's time zone and offset.
    fn zone(&self) -> (String, i64) {
        let feed = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.feed.clone()))
            .unwrap_or_default();
        self.zone_of(&feed)
    }

    /// Reloads the versions table and the activity.
    fn reload(self) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        self.reload_activity();
        spawn_local(async move {
            match api::operator_versions(s.token, s.feed).await {
                Ok(list) => {
                    self.versions.try_set(list.versions);
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    /// Reloads the activity (the audit log). A failure leaves the last one shown: the
    /// versions' reload says what went wrong.
    fn reload_activity(self) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        spawn_local(async move {
            if let Ok(log) = api::operator_audit(s.token.clone()).await {
                self.audit.try_set(log.entries);
            }
            if let Ok(list) = api::operator_reports(s.token, s.feed).await {
                self.reports.try_set(list.reports);
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
    vehicles: Option<VehicleTrips>,
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
        audit: RwSignal::new(Vec::new()),
        reports: RwSignal::new(Vec::new()),
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
                    state.reload_activity();
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

    let health = RwSignal::new(health);
    let vehicles = RwSignal::new(vehicles);
    follow_health(health, vehicles);

    view! {
        <div class="op-console">
            {move || {
                let lang = lang.get();
                match state.session.get() {
                    None => sign_in_form(lang, feeds.clone(), sign_in_error, sign_in),
                    Some(s) => signed_in(state, lang, s.feed),
                }
            }}
            {health_section(state, health, vehicles)}
        </div>
    }
}

/// A live region saying how the last action went (said by screen readers as it changes).
fn notice_view(notice: RwSignal<Option<Notice>>, class: &'static str) -> AnyView {
    let html = move || {
        notice.with(|n| {
            n.as_ref()
                .map_or_else(String::new, |n| tables::notice(n.ok, &n.text))
        })
    };
    view! { <div class=format!("op-notice {class}") role="status" aria-live="polite" inner_html=html></div> }
        .into_any()
}

fn sign_in_form(
    lang: Lang,
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
            <h2 id="op-signin-h">{t(lang, Key::OpSignIn)}</h2>
            // No action: nothing is sent before the bundle runs (the button waits for it), and
            // then only as a header of API calls.
            <form on:submit=on_submit>
                <label for="op-token">{t(lang, Key::OpToken)}</label>
                <input
                    id="op-token"
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    required
                    aria-describedby="op-token-hint"
                    node_ref=token
                />
                <p class="muted" id="op-token-hint">{t(lang, Key::OpTokenHint)}</p>
                <label for="op-feed">{t(lang, Key::OpFeed)}</label>
                <select id="op-feed" node_ref=feed>
                    {feeds.into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                </select>
                <p>
                    <button type="submit" id="op-sign-in" disabled=move || !hydrated.get()>
                        {t(lang, Key::OpSignIn)}
                    </button>
                </p>
                <p class="muted" hidden=move || hydrated.get()>{t(lang, Key::OpNeedsScript)}</p>
                <p class="op-signin-error" role="alert">{move || error.get()}</p>
            </form>
        </section>
    }
    .into_any()
}

/// Everything behind the token: who, upload, report, versions.
fn signed_in(state: State, lang: Lang, feed: String) -> AnyView {
    let sign_out = move |_| {
        keep_session(None);
        state.versions.set(Vec::new());
        state.outcome.set(None);
        state.notice.set(None);
        state.upload_notice.set(None);
        state.pending.set(None);
        state.session.set(None);
    };
    view! {
        <p class="op-who">
            {t(lang, Key::OpManaging)}": "<strong class="op-feed">{feed}</strong>" "
            <button type="button" class="secondary" id="op-sign-out" on:click=sign_out>
                {t(lang, Key::OpSignOut)}
            </button>
        </p>
        {upload_section(state, lang)}
        <section class="op-report" aria-labelledby="op-report-h" hidden=move || state.outcome.with(Option::is_none)>
            <h2 id="op-report-h">{t(lang, Key::OpReport)}</h2>
            {move || state.outcome.with(|o| o.as_ref().map(|o| {
                let r = o.report();
                let counts = format!(
                    "{}: <strong data-count=\"errors\">{}</strong> · {}: <strong data-count=\"warnings\">{}</strong>",
                    tables::escape(t(lang, Key::OpErrors)),
                    r.error_count(),
                    tables::escape(t(lang, Key::OpWarnings)),
                    r.warning_count()
                );
                let table = if r.findings.is_empty() {
                    format!("<p>{}</p>", tables::escape(t(lang, Key::OpNoFindings)))
                } else {
                    tables::report(lang, r)
                };
                view! {
                    <p class="op-counts" inner_html=counts></p>
                    <div class="table-wrap" tabindex="0" inner_html=table></div>
                }
            }))}
        </section>
        {versions_section(state, lang)}
        {activity_section(state, lang)}
        {reports_section(state, lang)}
    }
    .into_any()
}

/// What riders reported about the feed's stops and trips.
fn reports_section(state: State, lang: Lang) -> AnyView {
    view! {
        <section class="op-reports-section" aria-labelledby="op-reports-h">
            <h2 id="op-reports-h">{t(lang, Key::OpReports)}</h2>
            <p class="muted">{t(lang, Key::OpReportsNote)}</p>
            <div class="table-wrap" tabindex="0" inner_html=move || {
                state.reports.with(|r| reports::table(lang, r, state.zone().1))
            }></div>
        </section>
    }
    .into_any()
}

/// What was done on the feed, by whom, and what was refused (the audit log).
fn activity_section(state: State, lang: Lang) -> AnyView {
    view! {
        <section class="op-activity-section" aria-labelledby="op-activity-h">
            <h2 id="op-activity-h">{t(lang, Key::OpActivity)}</h2>
            <p class="muted">{t(lang, Key::OpActivityNote)}</p>
            <div class="table-wrap" tabindex="0" inner_html=move || {
                let feed = state
                    .session
                    .with(|s| s.as_ref().map(|s| s.feed.clone()))
                    .unwrap_or_default();
                state
                    .audit
                    .with(|entries| tables::activity(lang, entries, &feed, state.zone().1))
            }></div>
        </section>
    }
    .into_any()
}

fn upload_section(state: State, lang: Lang) -> AnyView {
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
            <h2 id="op-upload-h">{t(lang, Key::OpUpload)}</h2>
            <form on:submit=on_submit>
                <label for="op-file">{t(lang, Key::OpFile)}</label>
                <input id="op-file" type="file" accept=".zip,application/zip" node_ref=file/>
                <label class="op-check">
                    <input
                        type="checkbox"
                        id="op-validate-only"
                        on:change=move |ev| validate_only.set(event_target_checked(&ev))
                    />
                    " "{t(lang, Key::OpValidateOnly)}
                </label>
                <button type="submit" id="op-upload" disabled=move || state.busy.get()>
                    {t(lang, Key::OpUploadButton)}
                </button>
            </form>
            <div inner_html=move || progress.get().map_or_else(String::new, |p| tables::progress(lang, p))></div>
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

fn versions_section(state: State, lang: Lang) -> AnyView {
    let can_roll_back = move || {
        state
            .versions
            .read()
            .iter()
            .any(|v| v.state == VersionState::Retired)
    };
    // One listener for every button of the table (it is HTML text): which action, which version.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        let clicked = browser::clicked_action(&ev);
        #[cfg(not(feature = "hydrate"))]
        let clicked = Some(&ev).and(None::<(String, i64)>);
        if let Some(pending) = clicked.and_then(|(action, id)| Pending::parse(&action, id)) {
            state.notice.set(None);
            state.pending.set(Some(pending));
        }
    };
    view! {
        <section class="op-versions" aria-labelledby="op-versions-h">
            <div class="op-head">
                <h2 id="op-versions-h">{t(lang, Key::OpVersions)}</h2>
                <button type="button" class="secondary" id="op-rollback" hidden=move || !can_roll_back() on:click=move |_| {
                    state.notice.set(None);
                    state.pending.set(Some(Pending::Rollback));
                }>
                    {t(lang, Key::OpRollback)}
                </button>
            </div>
            {confirm_panel(state, lang)}
            {notice_view(state.notice, "op-versions-notice")}
            <div class="table-wrap" tabindex="0" on:click=on_click inner_html=move || {
                state.versions.with(|versions| {
                    if versions.is_empty() {
                        format!("<p>{}</p>", tables::escape(t(lang, Key::OpNoVersions)))
                    } else {
                        tables::versions(lang, versions, state.zone().1)
                    }
                })
            }></div>
        </section>
    }
    .into_any()
}

/// Asks before an action (see `tables::confirm`), and runs it.
fn confirm_panel(state: State, lang: Lang) -> AnyView {
    // Focus goes to the question's first control, so keyboard users land on it.
    Effect::new(move |_| {
        if state.pending.get().is_some() {
            #[cfg(feature = "hydrate")]
            browser::focus_first(&["op-at", "op-confirm-yes"]);
        }
    });
    let run = move || {
        let (Some(s), Some(pending)) =
            (state.session.get_untracked(), state.pending.get_untracked())
        else {
            return;
        };
        if state.busy.get_untracked() {
            return;
        }
        let when = match pending {
            Pending::Schedule(_) => {
                #[cfg(feature = "hydrate")]
                let value = browser::input_value("op-at").unwrap_or_default();
                #[cfg(not(feature = "hydrate"))]
                let value = String::new();
                match model::local_to_rfc3339(&value, state.zone().1) {
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
    // The question is HTML text: one listener for its two buttons.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        let answer = browser::clicked_confirm(&ev);
        #[cfg(not(feature = "hydrate"))]
        let answer = Some(&ev).and(None::<String>);
        match answer.as_deref() {
            Some("yes") => run(),
            Some("no") => state.pending.set(None),
            _ => {}
        }
    };
    let html = move || {
        state.pending.get().map_or_else(String::new, |p| {
            let (zone, offset) = state.zone();
            tables::confirm(lang, p, &zone, offset)
        })
    };
    view! { <div on:click=on_click inner_html=html></div> }.into_any()
}

/// Refreshes the health figures every [`HEALTH_EVERY`] once hydrated.
fn follow_health(health: RwSignal<Health>, vehicles: RwSignal<Option<VehicleTrips>>) {
    // Effects run in the browser only, where the API needs no server context.
    Effect::new(move |_| {
        let client = Api::new();
        let refresh = move || {
            let (h, v) = (api::health(&client), api::vehicle_trips(&client));
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
    state: State,
    health: RwSignal<Health>,
    vehicles: RwSignal<Option<VehicleTrips>>,
) -> AnyView {
    let lang = state.lang;
    let html = move || {
        let lang = lang.get();
        let h = health.read();
        let first = h.feeds.first().map_or(0, |f| state.zone_of(&f.feed_id).1);
        let note = format!(
            "<p class=\"muted\">{} {} {}</p>",
            tables::escape(t(lang, Key::OpHealthNote)),
            tables::escape(t(lang, Key::UpdatedAt)),
            tables::escape(&model::local_time(&h.now, first))
        );
        let vehicles = vehicles.read();
        let table = tables::health(
            lang,
            &h,
            vehicles.as_ref().map(|v| v.vehicles.as_slice()),
            |feed| state.zone_of(feed).1,
        );
        format!("{note}<div class=\"table-wrap\" tabindex=\"0\">{table}</div>")
    };
    view! {
        <section class="op-health" aria-labelledby="op-health-h">
            <h2 id="op-health-h">{move || t(lang.get(), Key::OpHealth)}</h2>
            <div inner_html=html></div>
        </section>
    }
    .into_any()
}
