//! The invariants ARCHITECTURE.md states as absences, checked on the source text.

use crate::support::repo_root;

/// The schedule model is pure: no files, sockets, async runtime, HTTP or clock.
#[test]
fn the_schedule_model_does_no_io_and_reads_no_clock() {
    let forbidden = [
        "std::fs",
        "std::net",
        "tokio",
        "axum",
        "reqwest",
        "Timestamp::now",
        "Zoned::now",
        "SystemTime",
        "Instant::now",
    ];
    let dir = repo_root().join("backend/src/schedule");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("schedule module") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("source");
        for word in forbidden {
            assert!(
                !text.contains(word),
                "{} uses {word}: the schedule model must stay free of IO and clocks",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 8,
        "found only {checked} files in {}",
        dir.display()
    );
}

/// The wire types compile for the browser: they depend on serde alone. The one optional
/// dependency, `utoipa` (feature `openapi`, for the server's OpenAPI document), is never
/// enabled by the web app.
#[test]
fn api_types_depend_on_serde_only() {
    let manifest = std::fs::read_to_string(repo_root().join("backend/api-types/Cargo.toml"))
        .expect("manifest");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("a [dependencies] table");
    let lines: Vec<&str> = deps
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter(|l| l.contains('='))
        .collect();
    let name = |l: &&str| l.split('=').next().map(str::trim).unwrap_or("").to_owned();
    let required: Vec<String> = lines
        .iter()
        .filter(|l| !l.contains("optional = true"))
        .map(name)
        .collect();
    assert_eq!(required, ["serde"]);
    let optional: Vec<String> = lines
        .iter()
        .filter(|l| l.contains("optional = true"))
        .map(name)
        .collect();
    assert_eq!(optional, ["utoipa"]);
    let frontend =
        std::fs::read_to_string(repo_root().join("frontend/Cargo.toml")).expect("manifest");
    let api_types = frontend
        .lines()
        .find(|l| l.starts_with("api-types"))
        .expect("the web app uses api-types");
    assert!(
        !api_types.contains("openapi"),
        "the web app must not enable api-types' openapi feature: {api_types}"
    );
}

/// The realtime engine is pure too: `ingest` is the only realtime code that does IO.
#[test]
fn the_realtime_engine_does_no_io_and_reads_no_clock() {
    let forbidden = [
        "std::fs",
        "std::net",
        "tokio",
        "axum",
        "reqwest",
        "Timestamp::now",
        "Zoned::now",
        "SystemTime",
        "Instant::now",
    ];
    let mut files = vec![repo_root().join("backend/src/pipeline.rs")];
    for entry in
        std::fs::read_dir(repo_root().join("backend/src/realtime")).expect("realtime module")
    {
        files.push(entry.expect("entry").path());
    }
    assert!(files.len() >= 4, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("source");
        for word in forbidden {
            assert!(
                !text.contains(word),
                "{} uses {word}: the realtime engine must stay free of IO and clocks",
                path.display()
            );
        }
    }
}
