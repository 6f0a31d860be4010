//! Favourite stops, kept in the browser (`localStorage`, key [`KEY`]) as a JSON list of
//! `{id, name}`: nothing about a rider is stored on the server. The list logic is plain
//! functions; [`load`] and [`save`] touch storage (in the browser only).

use serde::{Deserialize, Serialize};

pub const KEY: &str = "rtpi.favourites";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Favourite {
    /// Global stop id.
    pub id: String,
    /// The name when it was added (shown until the page loads the stop in the current language).
    pub name: String,
}

/// Reads a stored list; anything unreadable is an empty list (a rider's storage is theirs to
/// mess up, and must never break the page).
pub fn parse(stored: Option<&str>) -> Vec<Favourite> {
    stored
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

pub fn contains(list: &[Favourite], id: &str) -> bool {
    list.iter().any(|f| f.id == id)
}

/// Adds the stop (at the end) or removes it when already there.
pub fn toggle(mut list: Vec<Favourite>, id: &str, name: &str) -> Vec<Favourite> {
    if contains(&list, id) {
        list.retain(|f| f.id != id);
    } else {
        list.push(Favourite {
            id: id.to_owned(),
            name: name.to_owned(),
        });
    }
    list
}

/// The stored favourites (always empty on the server).
pub fn load() -> Vec<Favourite> {
    #[cfg(feature = "hydrate")]
    {
        let stored = crate::browser::local_storage().and_then(|s| s.get_item(KEY).ok().flatten());
        parse(stored.as_deref())
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

pub fn save(list: &[Favourite]) {
    #[cfg(feature = "hydrate")]
    if let (Some(storage), Ok(json)) =
        (crate::browser::local_storage(), serde_json::to_string(list))
    {
        // Storage full or disabled: the star simply does not stick.
        let _ = storage.set_item(KEY, &json);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = list;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_adds_then_removes_and_bad_storage_is_an_empty_list() {
        let list = toggle(Vec::new(), "bd:A", "Bến xe");
        let list = toggle(list, "bd:B", "Hikari");
        assert_eq!(list.len(), 2);
        assert!(contains(&list, "bd:A"));
        let json = serde_json::to_string(&list).expect("json");
        assert_eq!(parse(Some(&json)), list);
        let list = toggle(list, "bd:A", "Bến xe");
        assert_eq!(
            list.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            ["bd:B"]
        );
        assert!(parse(Some("not json")).is_empty());
        assert!(parse(None).is_empty());
    }
}
