//! Feed in: reads a static GTFS feed from a zip file, a directory, or zip bytes in memory
//! (uploads), and drives the pure [`ScheduleBuilder`] row by row.
//!
//! All schedule file IO lives here; the builder never sees a file. Rows are parsed with
//! `gtfs-structures`' types and serde rules (so time, date, colour and enum parsing match that
//! crate) but streamed one at a time instead of collected: `stop_times.txt` is most of a
//! feed, and holding it as strings would multiply peak memory several times over.
//!
//! What is wrong with the input never panics and never stops at the first problem: each
//! problem becomes a finding (file, line, what to fix) and reading goes on, so an operator
//! sees every problem at once.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use api_types::{Finding, Severity, ValidationReport, ValidationSummary};
use gtfs_structures as gtfs;
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::schedule::{FeedId, GtfsFile, Schedule, ScheduleBuilder};

/// Where a feed comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A `.zip` file or a directory of `.txt` files.
    Path(&'a Path),
    /// The bytes of a zip archive.
    Zip(&'a [u8]),
}

/// A schedule that loaded, with its validation report (warnings only).
#[derive(Debug)]
pub struct Loaded {
    pub schedule: Schedule,
    pub report: ValidationReport,
}

/// Reads and validates a feed. `Err` carries a report with at least one error.
pub fn load(
    source: Source<'_>,
    feed_id: FeedId,
    today: Date,
) -> Result<Loaded, Box<ValidationReport>> {
    match source {
        Source::Path(path) if path.is_dir() => {
            let mut files = DirFiles {
                dir: path.to_owned(),
                hasher: Sha256::new(),
            };
            read_all(&mut files, feed_id, today)
        }
        Source::Path(path) => {
            let mut file = match File::open(path) {
                Ok(f) => f,
                Err(e) => {
                    return Err(fatal(
                        &feed_id,
                        "feed_not_found",
                        format!("cannot open {}: {e}", path.display()),
                        "Give the path of a GTFS .zip file or of a directory holding the .txt files.",
                    ));
                }
            };
            let mut hasher = Sha256::new();
            let hashed = std::io::copy(
                &mut file,
                &mut Hashing {
                    inner: std::io::sink(),
                    hasher: &mut hasher,
                },
            )
            .and_then(|_| file.rewind());
            if let Err(e) = hashed {
                return Err(fatal(
                    &feed_id,
                    "unreadable_file",
                    format!("cannot read {}: {e}", path.display()),
                    "Check the file is readable.",
                ));
            }
            read_zip(BufReader::new(file), hex(hasher), feed_id, today)
        }
        Source::Zip(bytes) => {
            let version = hex(Sha256::new_with_prefix(bytes));
            read_zip(std::io::Cursor::new(bytes), version, feed_id, today)
        }
    }
}

/// Guards for archives from untrusted hands (uploads). An archive over a limit is refused
/// before anything is decompressed, from its directory; and since a zip bomb may lie in that
/// directory, an entry that inflates beyond the size it declared stops being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries in the archive, GTFS or not.
    pub max_entries: usize,
    /// Declared uncompressed size of the GTFS files, together.
    pub max_uncompressed: u64,
    /// Uncompressed / compressed size of one GTFS file (CSV deflates 5–20 times; a bomb
    /// hundreds of times). Files under 1 MB are not held to it.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: 1_000,
            max_uncompressed: 4 << 30,
            max_ratio: 200,
        }
    }
}

/// Reads and validates an uploaded zip file, held to `limits`. `version` is its SHA-256
/// (computed while it was received).
pub fn load_upload(
    path: &Path,
    version: String,
    feed_id: FeedId,
    today: Date,
    limits: ZipLimits,
) -> Result<Loaded, Box<ValidationReport>> {
    let file = File::open(path).map_err(|e| {
        fatal(
            &feed_id,
            "unreadable_file",
            format!("cannot read the uploaded file: {e}"),
            "Upload the file again.",
        )
    })?;
    let mut zip = open_zip(BufReader::new(file), &feed_id)?;
    check_limits(&mut zip, &feed_id, limits)?;
    let mut files = ZipFiles::new(zip);
    files.bounded = true;
    let mut result = read_all(&mut files, feed_id, today);
    if let Ok(loaded) = &mut result {
        loaded.schedule.version = version;
    }
    result
}

/// Refuses an archive whose directory says it is too big, too many files, or too compressed.
fn check_limits<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    feed_id: &FeedId,
    limits: ZipLimits,
) -> Result<(), Box<ValidationReport>> {
    const FIX: &str = "Upload the GTFS .txt files alone, zipped with ordinary compression \
                       (deflate); leave out other files.";
    if zip.len() > limits.max_entries {
        return Err(fatal(
            feed_id,
            "too_many_entries",
            format!(
                "the archive holds {} entries; at most {} are accepted",
                zip.len(),
                limits.max_entries
            ),
            FIX,
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue; // reported when read, if it is a GTFS file
        };
        let name = entry.name();
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if !GtfsFile::ALL.iter().any(|f| f.name() == base) {
            continue;
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > 1 << 20 && size / packed > limits.max_ratio {
            return Err(fatal(
                feed_id,
                "zip_bomb",
                format!(
                    "{base} would inflate {} times ({packed} bytes to {size}); at most {} times \
                     is accepted",
                    size / packed,
                    limits.max_ratio
                ),
                FIX,
            ));
        }
    }
    if total > limits.max_uncompressed {
        return Err(fatal(
            feed_id,
            "zip_bomb",
            format!(
                "the GTFS files would take {total} bytes uncompressed; at most {} are accepted",
                limits.max_uncompressed
            ),
            FIX,
        ));
    }
    Ok(())
}

/// An entry's reader that fails once more bytes come out than the entry declared.
struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the entry inflates beyond the size it declares (a zip bomb?)",
            )
        })?;
        Ok(n)
    }
}

fn hex(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A report for a feed that could not be opened at all.
fn fatal(feed_id: &FeedId, code: &str, message: String, fix: &str) -> Box<ValidationReport> {
    Box::new(ValidationReport {
        feed_id: feed_id.to_string(),
        valid: false,
        findings: vec![Finding {
            severity: Severity::Error,
            code: code.to_owned(),
            file: String::new(),
            line: None,
            message,
            fix: fix.to_owned(),
        }],
        suppressed: Vec::new(),
        summary: ValidationSummary::default(),
    })
}

fn read_zip<R: Read + Seek>(
    reader: R,
    version: String,
    feed_id: FeedId,
    today: Date,
) -> Result<Loaded, Box<ValidationReport>> {
    let zip = open_zip(reader, &feed_id)?;
    let mut files = ZipFiles::new(zip);
    let mut result = read_all(&mut files, feed_id, today);
    // The zip's own hash identifies it, not the hash of the files read.
    if let Ok(loaded) = &mut result {
        loaded.schedule.version = version;
    }
    result
}

fn open_zip<R: Read + Seek>(
    reader: R,
    feed_id: &FeedId,
) -> Result<zip::ZipArchive<R>, Box<ValidationReport>> {
    zip::ZipArchive::new(reader).map_err(|e| {
        fatal(
            feed_id,
            "not_a_zip",
            format!("the feed is not a readable ZIP archive ({e})"),
            "Upload the GTFS feed as a .zip file of the .txt files (not a .rar, .7z or a \
             single CSV).",
        )
    })
}

/// The files of a feed, by GTFS name.
trait FeedFiles {
    /// Opens `name`, `Ok(None)` when the feed has no such file.
    fn open(&mut self, name: &str) -> Result<Option<Box<dyn Read + '_>>, String>;
    /// Problems with the container itself (ambiguous names…), reported once.
    fn notes(&mut self) -> Vec<(String, String, String)> {
        Vec::new()
    }
    /// SHA-256 of what was read, for directories.
    fn version(&mut self) -> String;
    /// Whether the feed has `name`.
    fn has(&self, name: &str) -> bool;
    /// Every name in the container, for saying what it holds when it holds no GTFS file.
    fn names(&self) -> Vec<String>;
}

struct DirFiles {
    dir: PathBuf,
    hasher: Sha256,
}

/// Hashes what passes through (read or written), so a directory's version costs no second
/// read.
struct Hashing<'a, R> {
    inner: R,
    hasher: &'a mut Sha256,
}

impl<W: std::io::Write> std::io::Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

impl FeedFiles for DirFiles {
    fn open(&mut self, name: &str) -> Result<Option<Box<dyn Read + '_>>, String> {
        match File::open(self.dir.join(name)) {
            Ok(f) => {
                self.hasher.update(name.as_bytes());
                Ok(Some(Box::new(Hashing {
                    inner: BufReader::with_capacity(1 << 16, f),
                    hasher: &mut self.hasher,
                })))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn version(&mut self) -> String {
        hex(std::mem::take(&mut self.hasher))
    }

    fn has(&self, name: &str) -> bool {
        self.dir.join(name).is_file()
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

struct ZipFiles<R> {
    zip: zip::ZipArchive<R>,
    /// GTFS file name → entry index. Entries may sit in a folder inside the archive
    /// (`gtfs/stops.txt`), which many exporters do.
    entries: FxHashMap<String, usize>,
    notes: Vec<(String, String, String)>,
    /// Stop reading an entry past its declared size ([`load_upload`]).
    bounded: bool,
}

impl<R: Read + Seek> ZipFiles<R> {
    fn new(zip: zip::ZipArchive<R>) -> Self {
        let mut entries: FxHashMap<String, (usize, usize)> = FxHashMap::default();
        let mut notes = Vec::new();
        for i in 0..zip.len() {
            let Some(name) = zip.name_for_index(i) else {
                continue;
            };
            // Entry names are only compared, never used as paths.
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            if name.ends_with('/') || name.starts_with("__MACOSX") || base.starts_with("._") {
                continue;
            }
            if !GtfsFile::ALL.iter().any(|f| f.name() == base) {
                continue;
            }
            let depth = name.matches(['/', '\\']).count();
            match entries.get(base) {
                Some(&(_, d)) if d <= depth => notes.push((
                    base.to_owned(),
                    format!("the archive holds {base} more than once; {name:?} is ignored"),
                    "Keep one copy of each file in the archive.".to_owned(),
                )),
                _ => {
                    entries.insert(base.to_owned(), (i, depth));
                }
            }
        }
        let entries = entries.into_iter().map(|(k, (i, _))| (k, i)).collect();
        ZipFiles {
            zip,
            entries,
            notes,
            bounded: false,
        }
    }
}

impl<R: Read + Seek> FeedFiles for ZipFiles<R> {
    fn open(&mut self, name: &str) -> Result<Option<Box<dyn Read + '_>>, String> {
        let Some(&i) = self.entries.get(name) else {
            return Ok(None);
        };
        match self.zip.by_index(i) {
            Ok(entry) if self.bounded => {
                let left = entry.size();
                Ok(Some(Box::new(BufReader::with_capacity(
                    1 << 16,
                    Bounded { inner: entry, left },
                ))))
            }
            Ok(entry) => Ok(Some(Box::new(BufReader::with_capacity(1 << 16, entry)))),
            Err(e) => Err(e.to_string()),
        }
    }

    fn notes(&mut self) -> Vec<(String, String, String)> {
        std::mem::take(&mut self.notes)
    }

    fn version(&mut self) -> String {
        String::new()
    }

    fn has(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    fn names(&self) -> Vec<String> {
        self.zip.file_names().map(str::to_owned).collect()
    }
}

fn read_all(
    files: &mut dyn FeedFiles,
    feed_id: FeedId,
    today: Date,
) -> Result<Loaded, Box<ValidationReport>> {
    if !GtfsFile::ALL.iter().any(|f| files.has(f.name())) {
        let mut names = files.names();
        let more = names.len().saturating_sub(10);
        names.truncate(10);
        let listing = if names.is_empty() {
            "nothing".to_owned()
        } else if more > 0 {
            format!("{} and {more} more", names.join(", "))
        } else {
            names.join(", ")
        };
        return Err(fatal(
            &feed_id,
            "no_gtfs_files",
            format!(
                "the feed holds none of the GTFS files (agency.txt, stops.txt, …); it holds {listing}"
            ),
            "Put the GTFS .txt files themselves in the archive or directory, named exactly as in \
             the GTFS reference (lower case).",
        ));
    }
    let mut b = ScheduleBuilder::new(feed_id);
    for (file, message, fix) in files.notes() {
        b.warning("duplicate_file", &file, None, message, &fix);
    }
    for file in GtfsFile::ALL {
        match files.open(file.name()) {
            Ok(Some(reader)) => {
                b.file_present(file, true);
                read_file(file, reader, &mut b);
            }
            Ok(None) => b.file_present(file, false),
            Err(e) => {
                b.file_present(file, true);
                b.file_incomplete(file);
                b.error(
                    "unreadable_file",
                    file.name(),
                    None,
                    format!("{} cannot be read: {e}", file.name()),
                    "Re-export the feed; the file is damaged.",
                );
            }
        }
    }
    let version = files.version();
    b.finish(version, today)
        .map(|(schedule, report)| Loaded { schedule, report })
}

fn read_file(file: GtfsFile, reader: Box<dyn Read + '_>, b: &mut ScheduleBuilder) {
    match file {
        GtfsFile::Agency => read_rows::<gtfs::Agency>(file, reader, b, ScheduleBuilder::agency),
        GtfsFile::Stops => read_rows::<gtfs::Stop>(file, reader, b, ScheduleBuilder::stop),
        GtfsFile::Routes => read_rows::<gtfs::Route>(file, reader, b, ScheduleBuilder::route),
        GtfsFile::Calendar => {
            read_rows::<gtfs::Calendar>(file, reader, b, ScheduleBuilder::calendar)
        }
        GtfsFile::CalendarDates => {
            read_rows::<gtfs::CalendarDate>(file, reader, b, ScheduleBuilder::calendar_date)
        }
        GtfsFile::Shapes => read_rows::<gtfs::Shape>(file, reader, b, ScheduleBuilder::shape_point),
        GtfsFile::Trips => read_rows::<gtfs::RawTrip>(file, reader, b, ScheduleBuilder::trip),
        GtfsFile::StopTimes => {
            read_rows::<gtfs::RawStopTime>(file, reader, b, ScheduleBuilder::stop_time)
        }
        GtfsFile::Frequencies => {
            read_rows::<gtfs::RawFrequency>(file, reader, b, ScheduleBuilder::frequency)
        }
        GtfsFile::Translations => {
            read_rows::<gtfs::RawTranslation>(file, reader, b, ScheduleBuilder::translation)
        }
        GtfsFile::FeedInfo => {
            read_rows::<gtfs::FeedInfo>(file, reader, b, ScheduleBuilder::feed_info)
        }
    }
}

/// Skips a UTF-8 byte-order mark, which spreadsheet exports often write.
fn skip_bom<R: BufRead>(mut r: R) -> std::io::Result<R> {
    if r.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.consume(3);
    }
    Ok(r)
}

fn read_rows<T: DeserializeOwned>(
    file: GtfsFile,
    reader: Box<dyn Read + '_>,
    b: &mut ScheduleBuilder,
    mut row: impl FnMut(&mut ScheduleBuilder, u64, T),
) {
    let name = file.name();
    let reader = match skip_bom(BufReader::new(reader)) {
        Ok(r) => r,
        Err(e) => {
            b.file_incomplete(file);
            b.error(
                "unreadable_file",
                name,
                None,
                format!("{name} cannot be read: {e}"),
                "Re-export the feed; the file is damaged.",
            );
            return;
        }
    };
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            b.file_incomplete(file);
            report_csv_error(b, name, &e);
            return;
        }
    };
    if headers.iter().all(str::is_empty) {
        b.file_incomplete(file);
        b.error(
            "empty_file",
            name,
            Some(1),
            format!("{name} is empty"),
            "Give the file its header row (the column names) and its rows, or leave the file \
             out if it is optional.",
        );
        return;
    }
    let missing: Vec<&str> = file
        .required_columns()
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    if !missing.is_empty() {
        b.file_incomplete(file);
        b.error(
            "missing_required_column",
            name,
            Some(1),
            format!("{name} has no column {}", missing.join(", ")),
            "Add the column(s) to the header row; GTFS column names are lower case, e.g. \
             stop_id.",
        );
        return;
    }
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Bad encoding or a damaged archive: what follows cannot be trusted.
                b.file_incomplete(file);
                report_csv_error(b, name, &e);
                break;
            }
        }
        // Rows shorter than the header are common in hand-edited feeds; the missing
        // trailing fields are read as empty, as most consumers do.
        while record.len() < headers.len() {
            record.push_field("");
        }
        let line = record.position().map_or(0, csv::Position::line);
        if let Some(column) = to_nfc(&mut record) {
            report_not_nfc(
                b,
                name,
                line,
                headers.get(column).unwrap_or_default(),
                &record[column],
            );
        }
        match record.deserialize::<T>(Some(&headers)) {
            Ok(value) => row(b, line, value),
            Err(e) => b.error(
                "invalid_row",
                name,
                Some(line),
                describe_row_error(&e, &headers, &record),
                "Correct the value; the GTFS reference gives each column's format.",
            ),
        }
    }
}

/// Rewrites the fields of `record` that are not in Unicode NFC (composed) form, and returns
/// the first such column. Exporters on some systems write Vietnamese decomposed (NFD: `ơ` as
/// `o` + U+031B, `ờ` as three code points): it looks the same on screen, but compares
/// differently, counts longer (an LED line cut by characters loses letters) and comes apart in
/// ASCII transliteration ("Truo?ng"). Everything downstream may assume NFC. ASCII, nearly
/// every field of a big feed, is NFC by definition and costs one scan.
fn to_nfc(record: &mut csv::StringRecord) -> Option<usize> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    let normal = |f: &str| f.is_ascii() || is_nfc_quick(f.chars()) == IsNormalized::Yes;
    let first = record.iter().position(|f| !normal(f))?;
    // `Maybe` from the quick check: only a full comparison tells.
    let composed: Vec<String> = record.iter().map(|f| f.nfc().collect()).collect();
    if composed.iter().zip(record.iter()).all(|(c, f)| c == f) {
        return None;
    }
    let first = composed
        .iter()
        .zip(record.iter())
        .position(|(c, f)| c != f)
        .unwrap_or(first);
    let mut normalised = csv::StringRecord::with_capacity(record.as_slice().len(), record.len());
    for field in &composed {
        normalised.push_field(field);
    }
    normalised.set_position(record.position().cloned());
    *record = normalised;
    Some(first)
}

fn report_not_nfc(b: &mut ScheduleBuilder, name: &str, line: u64, column: &str, value: &str) {
    b.warning(
        "text_not_nfc",
        name,
        Some(line),
        format!(
            "column {column}: {value:?} is written in decomposed Unicode (NFD: letters and their \
             accents as separate code points); it was read as the composed form (NFC)"
        ),
        "Save the file with composed characters (Unicode NFC), as most editors and exporters \
         do by default: decomposed text can break search, sorting and stop signs in other \
         software that reads the feed.",
    );
}

fn report_csv_error(b: &mut ScheduleBuilder, name: &str, e: &csv::Error) {
    let line = e.position().map(csv::Position::line);
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => b.error(
            "invalid_encoding",
            name,
            line,
            format!("{name} is not valid UTF-8 text"),
            "Save the file as UTF-8 (Vietnamese and Japanese names need it); the rest of the \
             file was not read.",
        ),
        csv::ErrorKind::Io(io) => b.error(
            "unreadable_file",
            name,
            line,
            format!("{name} cannot be read: {io}"),
            "Re-export the feed; the file is damaged.",
        ),
        _ => b.error(
            "invalid_csv",
            name,
            line,
            format!("{name} is not valid CSV: {e}"),
            "Check quoting: a field containing a comma or quote must be in double quotes, with \
             inner quotes doubled.",
        ),
    }
}

/// `column arrival_time: '25:3' is not a valid time…` from a serde error.
fn describe_row_error(
    e: &csv::Error,
    headers: &csv::StringRecord,
    record: &csv::StringRecord,
) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let what = match err.kind() {
                csv::DeserializeErrorKind::Message(m) => m.clone(),
                csv::DeserializeErrorKind::ParseInt(p) => format!("not a whole number ({p})"),
                csv::DeserializeErrorKind::ParseFloat(p) => format!("not a number ({p})"),
                other => other.to_string(),
            };
            // csv knows the column for its own parse errors; for errors raised by
            // gtfs-structures' field parsers (times, dates, enums, colours) it does not, but
            // those messages quote the bad value: the column is the one holding it.
            let column = err.field().map(|i| i as usize).or_else(|| {
                record
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty() && what.contains(*v))
                    .max_by_key(|(_, v)| v.len())
                    .map(|(i, _)| i)
            });
            match column.and_then(|i| headers.get(i)) {
                Some(c) => format!("column {c}: {what}"),
                None => what,
            }
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in files {
            w.start_file(*name, options).expect("entry");
            w.write_all(data).expect("write");
        }
        w.finish().expect("zip").into_inner()
    }

    /// Writes `size` as the uncompressed size of every entry, in the local headers and the
    /// central directory: an archive that lies about what it inflates to.
    fn lie_about_sizes(zip: &mut [u8], size: u32) {
        let mut i = 0;
        while i + 30 <= zip.len() {
            let at = match &zip[i..i + 4] {
                b"PK\x03\x04" => Some(i + 22),
                b"PK\x01\x02" => Some(i + 24),
                _ => None,
            };
            if let Some(at) = at {
                zip[at..at + 4].copy_from_slice(&size.to_le_bytes());
            }
            i += 1;
        }
    }

    #[test]
    fn an_entry_inflating_past_its_declared_size_is_not_read_on() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/gtfs/loop-route");
        let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
        for f in GtfsFile::ALL {
            if let Ok(data) = std::fs::read(dir.join(f.name())) {
                files.push((f.name(), data));
            }
        }
        let stops = files
            .iter_mut()
            .find(|(n, _)| *n == "stops.txt")
            .expect("fixture has stops");
        // Padding rows the reader would happily read: several MB of one repeated byte.
        stops.1.extend(std::iter::repeat_n(b'\n', 4 << 20));
        let mut bytes = zip_of(&files);
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("honest.zip");
        std::fs::write(&path, &bytes).expect("write");
        let id = FeedId::from_name("loop-route");
        let today = jiff::civil::date(2026, 11, 23);
        let limits = ZipLimits {
            max_ratio: 1_000_000,
            ..ZipLimits::default()
        };
        assert!(
            load_upload(&path, "v".into(), id.clone(), today, limits).is_ok(),
            "the honest archive loads"
        );
        lie_about_sizes(&mut bytes, 1_000);
        std::fs::write(&path, &bytes).expect("write");
        let report = load_upload(&path, "v".into(), id, today, limits).expect_err("refused");
        assert!(
            report.errors().any(|f| f.file == "stops.txt"),
            "{:#?}",
            report.findings
        );
    }

    #[test]
    fn archives_over_the_limits_are_refused_from_their_directory() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("bomb.zip");
        let id = FeedId::from_name("bomb");
        let today = jiff::civil::date(2026, 11, 23);
        std::fs::write(&path, zip_of(&[("stop_times.txt", vec![b'0'; 8 << 20])])).expect("write");
        let report = load_upload(&path, "v".into(), id.clone(), today, ZipLimits::default())
            .expect_err("refused");
        assert_eq!(report.findings[0].code, "zip_bomb");
        let small = ZipLimits {
            max_uncompressed: 1 << 20,
            max_ratio: u64::MAX,
            ..ZipLimits::default()
        };
        let report = load_upload(&path, "v".into(), id, today, small).expect_err("refused");
        assert_eq!(report.findings[0].code, "zip_bomb");
        assert!(report.findings[0].message.contains("uncompressed"));
    }
}
