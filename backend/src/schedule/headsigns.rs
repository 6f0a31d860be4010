//! Where a trip is going, as riders read it on boards, signs and in every API.
//!
//! Many real feeds leave `trip_headsign` blank (the 2018 KAZE SHUTTLE timetable, NYCT's bus
//! feeds for some trips); a board whose lines all say nothing after the route number is
//! useless. The headsign of a call is, in order: its own `stop_headsign`; the trip's
//! `trip_headsign`; the trip's first `stop_headsign` (feeds that only use stop headsigns); the
//! name of the trip's last stop. Each is translated like the field it comes from. One place,
//! so the board, the stop display, the LED sign, OneBusAway and the trips and route APIs all
//! say the same thing.

use super::{Field, Schedule, StopTime, Translations, TripIdx};

impl Schedule {
    /// `stop_headsign` of a call, else the trip's headsign (see [`Schedule::trip_headsign`]).
    pub fn headsign(&self, st: &StopTime) -> Option<&str> {
        match st.stop_headsign {
            Some(i) => self.headsigns.get(i.get() as usize).map(|s| &**s),
            None => self.trip_headsign(st.trip),
        }
    }

    /// The headsign of a call, translated into `lang`.
    pub fn headsign_in(&self, st: &StopTime, lang: &str) -> Option<&str> {
        match st.stop_headsign {
            Some(_) => self.stop_headsign_in(st, lang),
            None => self.trip_headsign_in(st.trip, lang),
        }
    }

    /// A trip's headsign as the feed writes it: `trip_headsign`, else its first
    /// `stop_headsign`, else the name of its last stop. `None` only for a trip without stop
    /// times (which is never served).
    pub fn trip_headsign(&self, t: TripIdx) -> Option<&str> {
        let trip = self.trip(t);
        if let Some(h) = trip.headsign.as_deref() {
            return Some(h);
        }
        let calls = self.trip_stop_times(t);
        if let Some(i) = calls.iter().find_map(|st| st.stop_headsign) {
            return self.headsigns.get(i.get() as usize).map(|s| &**s);
        }
        calls
            .last()
            .map(|st| &*self.stop(st.stop).name)
            .filter(|n| !n.is_empty())
    }

    /// [`Schedule::trip_headsign`] translated into `lang`, each source by its own field.
    pub fn trip_headsign_in(&self, t: TripIdx, lang: &str) -> Option<&str> {
        let trip = self.trip(t);
        if let Some(h) = trip.headsign.as_deref() {
            return Some(self.translate(Field::TripHeadsign, &trip.id, h, lang));
        }
        let calls = self.trip_stop_times(t);
        if let Some(st) = calls.iter().find(|st| st.stop_headsign.is_some()) {
            return self.stop_headsign_in(st, lang);
        }
        let last = calls.last()?;
        Some(self.stop_name(last.stop, lang)).filter(|n| !n.is_empty())
    }

    /// Whether the feed gives the trip a headsign of its own (`trip_headsign` or any
    /// `stop_headsign`), rather than us falling back to its last stop's name.
    pub fn has_own_headsign(&self, t: TripIdx) -> bool {
        self.trip(t).headsign.is_some()
            || self
                .trip_stop_times(t)
                .iter()
                .any(|st| st.stop_headsign.is_some())
    }

    fn stop_headsign_in(&self, st: &StopTime, lang: &str) -> Option<&str> {
        let text = self.headsigns.get(st.stop_headsign?.get() as usize)?;
        let trip = self.trip(st.trip);
        let key = Translations::record_key(&trip.id, Some(&st.stop_sequence.to_string()));
        Some(self.translate(Field::StopHeadsign, &key, text, lang))
    }
}
