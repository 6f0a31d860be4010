//! Receiving an upload: the body is streamed into a temporary file in `uploads/`, hashed and
//! counted as it arrives (over the size limit it stops at once: nothing is buffered whole),
//! validated on a blocking thread under the zip limits, and, when valid and not a dry run,
//! synced, renamed to `feeds/{sha256}.zip` (the directory synced too) and only then recorded.
//! The temporary file is removed whatever happens, including when the client goes away and
//! the request is dropped mid-upload.

use std::path::{Path, PathBuf};

use api_types::ValidationReport;
use api_types::operator::FeedVersion;
use axum::body::Bytes;
use futures_util::{Stream, StreamExt as _};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt as _;

use super::accounts::hex;
use super::{Caller, FEEDS_DIR, OperatorError, Operators, UPLOADS_DIR, wire_version};
use crate::feed;
use crate::schedule::FeedId;
use crate::store::{NewVersion, Store};

/// What an upload gave.
#[derive(Debug)]
pub enum Upload {
    /// `validate_only`: the report; nothing was kept.
    DryRun(Box<ValidationReport>),
    /// The new version (state `validated`).
    Stored(Box<FeedVersion>),
}

/// A file in `uploads/`, removed when dropped unless it was renamed away.
struct TempFile {
    path: PathBuf,
    renamed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Operators {
    /// Receives `body` (a GTFS zip) for `feed`, validates it, and keeps it unless
    /// `validate_only`. `declared` is the Content-Length, when sent: over the limit, the body
    /// is not read at all.
    pub async fn upload<S, E>(
        &self,
        caller: &Caller,
        feed: &str,
        body: S,
        declared: Option<u64>,
        validate_only: bool,
    ) -> Result<Upload, OperatorError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut detail = String::new();
        let result = self
            .receive_and_check(caller, feed, body, declared, validate_only, &mut detail)
            .await;
        let version = match &result {
            Ok(Upload::Stored(v)) => Some(v.id),
            _ => None,
        };
        let action = if validate_only { "validate" } else { "upload" };
        self.audit(&caller.name, action, Some(feed), version, &result, detail)
            .await;
        result
    }

    async fn receive_and_check<S, E>(
        &self,
        caller: &Caller,
        feed: &str,
        body: S,
        declared: Option<u64>,
        validate_only: bool,
        detail: &mut String,
    ) -> Result<Upload, OperatorError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        caller.check(feed)?;
        let feed_id =
            FeedId::new(feed).map_err(|e| OperatorError::BadRequest("invalid_feed_id", e))?;
        let max = self.0.limits.max_upload_bytes;
        if let Some(len) = declared
            && len > max
        {
            return Err(too_large(max));
        }
        let (temp, sha256, size) = receive(&self.0.data_dir, body, max).await?;
        *detail = format!("{size} bytes, sha256 {sha256}");
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let limits = self.0.limits.zip;
        let path = temp.path.clone();
        let version = sha256.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            feed::load_upload(&path, version, feed_id, today, limits)
        })
        .await
        .map_err(|e| OperatorError::Internal(format!("validating the upload failed: {e}")))?;
        let report = match loaded {
            Ok(loaded) => loaded.report,
            Err(report) => return Err(OperatorError::Invalid(report)),
        };
        if validate_only {
            return Ok(Upload::DryRun(Box::new(report)));
        }
        let report_json = serde_json::to_string(&report)
            .map_err(|e| OperatorError::Internal(format!("cannot store the report: {e}")))?;
        let data_dir = self.0.data_dir.clone();
        let sha = sha256.clone();
        tokio::task::spawn_blocking(move || keep(temp, &data_dir, &sha))
            .await
            .map_err(|e| OperatorError::Internal(format!("keeping the upload failed: {e}")))?
            .map_err(|e| OperatorError::Internal(format!("cannot keep the upload: {e}")))?;
        let (who, feed) = (caller.name.clone(), feed.to_owned());
        let now = self.now().as_second();
        let row = self
            .db(move |store| {
                let id = store.insert_version(&NewVersion {
                    feed: &feed,
                    sha256: &sha256,
                    size,
                    uploaded_by: &who,
                    uploaded_at: now,
                    first_service_date: report.summary.first_service_date.as_deref(),
                    last_service_date: report.summary.last_service_date.as_deref(),
                    report: &report_json,
                })?;
                store.version(id)
            })
            .await?;
        let row = row.ok_or_else(|| OperatorError::Internal("the new version vanished".into()))?;
        Ok(Upload::Stored(Box::new(wire_version(&row))))
    }
}

fn too_large(max: u64) -> OperatorError {
    OperatorError::TooLarge(format!(
        "the upload is larger than {max} bytes, the most this server accepts; remove files \
         that are not GTFS from the zip, or raise `[operator] max_upload_mb`"
    ))
}

/// Streams `body` into a new file in `uploads/`, hashing and counting; stops over `max`.
async fn receive<S, E>(
    data_dir: &Path,
    mut body: S,
    max: u64,
) -> Result<(TempFile, String, u64), OperatorError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let io = |e: std::io::Error| OperatorError::Internal(format!("cannot write the upload: {e}"));
    let dir = data_dir.join(UPLOADS_DIR);
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let name = super::accounts::new_token().map_err(OperatorError::Internal)?;
    let temp = TempFile {
        path: dir.join(format!("{name}.part")),
        renamed: false,
    };
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp.path)
        .await
        .map_err(io)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            OperatorError::BadRequest(
                "upload_interrupted",
                format!(
                    "the upload did not arrive whole ({e}); nothing was changed, send it again"
                ),
            )
        })?;
        size += chunk.len() as u64;
        if size > max {
            return Err(too_large(max));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(io)?;
    }
    if size == 0 {
        return Err(OperatorError::BadRequest(
            "empty_upload",
            "the request has no body; send the GTFS zip as the body (Content-Type: \
             application/zip) or as a multipart file field"
                .to_owned(),
        ));
    }
    file.sync_all().await.map_err(io)?;
    Ok((temp, hex(&hasher.finalize()), size))
}

/// Moves a synced upload to `feeds/{sha256}.zip` and syncs the directory, so the name is on
/// disk before any row refers to it. An identical file already kept is reused.
fn keep(mut temp: TempFile, data_dir: &Path, sha256: &str) -> std::io::Result<()> {
    let dir = data_dir.join(FEEDS_DIR);
    std::fs::create_dir_all(&dir)?;
    let target = super::feed_file(data_dir, sha256);
    if target.is_file() {
        return Ok(()); // `temp` is removed on drop
    }
    std::fs::rename(&temp.path, &target)?;
    temp.renamed = true;
    std::fs::File::open(&dir)?.sync_all()
}

/// At start: removes uploads that never finished, and kept files no version refers to (a
/// crash between keeping the file and recording it).
pub(super) fn clean_up(data_dir: &Path, store: &Store) {
    if let Ok(entries) = std::fs::read_dir(data_dir.join(UPLOADS_DIR)) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let Ok(known) = store.version_hashes() else {
        return;
    };
    if let Ok(entries) = std::fs::read_dir(data_dir.join(FEEDS_DIR)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let referenced = name
                .strip_suffix(".zip")
                .is_some_and(|sha| known.iter().any(|k| k == sha));
            if !referenced {
                tracing::info!(file = %name, "removing a kept upload no version refers to");
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
