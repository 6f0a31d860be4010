//! The site's name: what the web app's header, every page title (and the web app manifest)
//! call this deployment. One place, so nothing says "Binh Duong" on another agency's site.
//!
//! It is the configured `site_name` (one name, or one per language), else derived from the
//! served feeds' agencies: the agency's name when one runs everything, else the name of the one
//! running the most routes (riders know the network by its main operator), translated with the
//! feed's `translations.txt`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::catalog::Catalog;
use crate::schedule::Field;

/// `site_name` as configured: empty = derive it from the feeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteName {
    /// Language code (`vi`, `en`, `ja`…) → name; the key `""` is the name for any language.
    names: BTreeMap<String, String>,
}

/// How the config file writes it: `site_name = "…"` or `site_name = { vi = "…", en = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FileSiteName {
    One(String),
    PerLanguage(BTreeMap<String, String>),
}

impl SiteName {
    /// One name for every language.
    pub fn one(name: &str) -> Result<Self, String> {
        Self::per_language(BTreeMap::from([(String::new(), name.to_owned())]))
    }

    pub fn per_language(names: BTreeMap<String, String>) -> Result<Self, String> {
        let names: BTreeMap<String, String> = names
            .into_iter()
            .map(|(lang, name)| (lang.trim().to_ascii_lowercase(), name.trim().to_owned()))
            .collect();
        if names.values().any(String::is_empty) {
            return Err(
                "site_name: a name is empty; give the site's name (e.g. \"Xe buýt Bình Dương\"), \
                 or leave site_name out to use the agencies' names"
                    .to_owned(),
            );
        }
        Ok(SiteName { names })
    }

    pub fn from_file(file: FileSiteName) -> Result<Self, String> {
        match file {
            FileSiteName::One(name) => Self::one(&name),
            FileSiteName::PerLanguage(names) => Self::per_language(names),
        }
    }

    /// The configured name in `lang`: exact, then by primary subtag, then the any-language
    /// one, then the first configured (a name in another language beats the agencies' when
    /// an operator chose one).
    fn configured(&self, lang: &str) -> Option<&str> {
        let primary = lang.split(['-', '_']).next().unwrap_or(lang);
        let lang = lang.to_ascii_lowercase();
        let primary = primary.to_ascii_lowercase();
        self.names
            .get(&lang)
            .or_else(|| self.names.get(&primary))
            .or_else(|| self.names.get(""))
            .or_else(|| self.names.values().next())
            .map(String::as_str)
    }

    /// The site's name in `lang` for the feeds `catalog` serves.
    pub fn name(&self, catalog: &Catalog, lang: &str) -> String {
        if let Some(name) = self.configured(lang) {
            return name.to_owned();
        }
        derived(catalog, lang).unwrap_or_else(|| "RTPI".to_owned())
    }
}

/// The name of the agency running the most listed routes over every feed (the first such in
/// feed order on a tie), translated.
fn derived(catalog: &Catalog, lang: &str) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for f in catalog.feeds() {
        let s = &f.schedule;
        let mut routes = vec![0usize; s.agencies.len()];
        for r in s.listed_routes() {
            if let Some(n) = routes.get_mut(s.route(r).agency.index()) {
                *n += 1;
            }
        }
        for (a, agency) in s.agencies.iter().enumerate() {
            let n = routes[a];
            if best.as_ref().is_none_or(|(m, _)| n > *m) {
                let name = s.translate(Field::AgencyName, &agency.id, &agency.name, lang);
                best = Some((n, name.to_owned()));
            }
        }
    }
    best.map(|(_, name)| name).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_name_is_matched_by_language_then_falls_back() {
        let name = SiteName::per_language(BTreeMap::from([
            ("vi".to_owned(), "Xe buýt Bình Dương".to_owned()),
            ("en".to_owned(), "Binh Duong buses".to_owned()),
        ]))
        .expect("valid");
        assert_eq!(name.configured("en-GB"), Some("Binh Duong buses"));
        assert_eq!(name.configured("vi"), Some("Xe buýt Bình Dương"));
        assert_eq!(
            name.configured("ja"),
            Some("Binh Duong buses"),
            "first by key"
        );
        let one = SiteName::one(" Hà Nội Bus ").expect("valid");
        assert_eq!(one.configured("ja"), Some("Hà Nội Bus"));
        assert_eq!(SiteName::default().configured("vi"), None);
        assert!(SiteName::one("  ").is_err());
    }
}
