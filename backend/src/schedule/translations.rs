//! `translations.txt`: names in other languages (Vietnamese feed, English and Japanese riders).
//!
//! The GTFS file keys a translation either by record (`record_id`, plus `record_sub_id`
//! for stop_times) or by the original text (`field_value`: "translate every `Bến xe` as…").
//! A record translation wins over a value translation. Languages are matched exactly first,
//! then by primary subtag, so a rider asking for `en-GB` gets the `en` name.

use rustc_hash::FxHashMap;

/// The translatable fields we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    AgencyName,
    StopName,
    StopDesc,
    StopTtsName,
    PlatformCode,
    RouteShortName,
    RouteLongName,
    RouteDesc,
    TripHeadsign,
    TripShortName,
    StopHeadsign,
    FeedPublisherName,
}

impl Field {
    /// The field for a (`table_name`, `field_name`) pair of `translations.txt`.
    pub fn parse(table: &str, field: &str) -> Option<Field> {
        Some(match (table, field) {
            ("agency", "agency_name") => Field::AgencyName,
            ("stops", "stop_name") => Field::StopName,
            ("stops", "stop_desc") => Field::StopDesc,
            ("stops", "tts_stop_name") => Field::StopTtsName,
            ("stops", "platform_code") => Field::PlatformCode,
            ("routes", "route_short_name") => Field::RouteShortName,
            ("routes", "route_long_name") => Field::RouteLongName,
            ("routes", "route_desc") => Field::RouteDesc,
            ("trips", "trip_headsign") => Field::TripHeadsign,
            ("trips", "trip_short_name") => Field::TripShortName,
            ("stop_times", "stop_headsign") => Field::StopHeadsign,
            ("feed_info", "feed_publisher_name") => Field::FeedPublisherName,
            _ => return None,
        })
    }
}

type Texts = Vec<(Box<str>, Box<str>)>;

#[derive(Debug, Clone, Default)]
pub struct Translations {
    by_record: FxHashMap<(Field, Box<str>), Texts>,
    by_value: FxHashMap<(Field, Box<str>), Texts>,
    languages: Vec<Box<str>>,
}

/// `en-GB` → `en`, lower-cased.
fn primary(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or(lang)
        .to_ascii_lowercase()
}

fn pick<'a>(texts: &'a Texts, lang: &str) -> Option<&'a str> {
    texts
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(lang))
        .or_else(|| {
            let want = primary(lang);
            texts.iter().find(|(l, _)| primary(l) == want)
        })
        .map(|(_, t)| &**t)
}

impl Translations {
    /// Record key for stop_times translations: `trip_id` + `stop_sequence`.
    pub fn record_key(record_id: &str, record_sub_id: Option<&str>) -> Box<str> {
        match record_sub_id {
            Some(sub) if !sub.is_empty() => format!("{record_id}\u{1f}{sub}").into(),
            _ => record_id.into(),
        }
    }

    pub fn add_for_record(&mut self, field: Field, key: Box<str>, lang: &str, text: &str) {
        self.note_language(lang);
        self.by_record
            .entry((field, key))
            .or_default()
            .push((lang.into(), text.into()));
    }

    pub fn add_for_value(&mut self, field: Field, value: &str, lang: &str, text: &str) {
        self.note_language(lang);
        self.by_value
            .entry((field, value.into()))
            .or_default()
            .push((lang.into(), text.into()));
    }

    fn note_language(&mut self, lang: &str) {
        if !self.languages.iter().any(|l| **l == *lang) {
            self.languages.push(lang.into());
        }
    }

    /// Languages that have at least one translation.
    pub fn languages(&self) -> &[Box<str>] {
        &self.languages
    }

    /// The translation of `original` (the value of `field` in record `key`) into `lang`,
    /// or `None` when there is none.
    pub fn get(&self, field: Field, key: &str, original: &str, lang: &str) -> Option<&str> {
        // Building the tuple key allocates; lookups happen per response row, not per
        // stop_time, so that is fine. (A borrowed-key map would avoid it if it ever shows.)
        self.by_record
            .get(&(field, key.into()))
            .and_then(|t| pick(t, lang))
            .or_else(|| {
                self.by_value
                    .get(&(field, original.into()))
                    .and_then(|t| pick(t, lang))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_wins_over_value_and_languages_match_by_prefix() {
        let mut t = Translations::default();
        t.add_for_value(Field::StopName, "Bến xe", "en", "Bus station");
        t.add_for_record(Field::StopName, "S1".into(), "en", "Central bus station");
        t.add_for_record(Field::StopName, "S1".into(), "ja", "中央バスターミナル");
        assert_eq!(
            t.get(Field::StopName, "S1", "Bến xe", "en-GB"),
            Some("Central bus station")
        );
        assert_eq!(
            t.get(Field::StopName, "S2", "Bến xe", "EN"),
            Some("Bus station")
        );
        assert_eq!(
            t.get(Field::StopName, "S1", "Bến xe", "ja"),
            Some("中央バスターミナル")
        );
        assert_eq!(t.get(Field::StopName, "S2", "Bến xe", "ja"), None);
        assert_eq!(t.languages().len(), 2);
    }
}
