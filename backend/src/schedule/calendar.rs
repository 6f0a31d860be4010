//! Which services run on which dates: `calendar.txt` rules plus `calendar_dates.txt`
//! exceptions. Either file may be absent; a service may exist only in `calendar_dates.txt`.

use jiff::civil::{Date, Weekday};

/// One `service_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: Box<str>,
    /// Bit `i` set = runs on weekday `i` (0 = Monday … 6 = Sunday), from `calendar.txt`.
    pub weekdays: u8,
    /// Inclusive date range of the weekly pattern; `None` when the service has no
    /// `calendar.txt` row (then only added dates run).
    pub range: Option<(Date, Date)>,
    /// `calendar_dates.txt` exception_type 1, sorted, deduplicated.
    pub added: Vec<Date>,
    /// `calendar_dates.txt` exception_type 2, sorted, deduplicated.
    pub removed: Vec<Date>,
}

pub fn weekday_bit(w: Weekday) -> u8 {
    1 << (w.to_monday_zero_offset() as u8)
}

impl Service {
    pub fn new(id: &str) -> Self {
        Service {
            id: id.into(),
            weekdays: 0,
            range: None,
            added: Vec::new(),
            removed: Vec::new(),
        }
    }

    pub fn is_active(&self, date: Date) -> bool {
        if self.added.binary_search(&date).is_ok() {
            return true;
        }
        if self.removed.binary_search(&date).is_ok() {
            return false;
        }
        match self.range {
            Some((start, end)) => {
                start <= date && date <= end && self.weekdays & weekday_bit(date.weekday()) != 0
            }
            None => false,
        }
    }

    /// First and last dates the service runs, or `None` if it never runs.
    pub fn active_span(&self) -> Option<(Date, Date)> {
        // Scans stop at the first active day, normally within a week of the range ends; only
        // a service that never runs scans its whole range.
        let (first_weekly, last_weekly) = match self.range {
            Some((start, end)) => (
                start
                    .series(jiff::Span::new().days(1))
                    .take_while(|d| *d <= end)
                    .find(|d| self.is_active(*d)),
                end.series(jiff::Span::new().days(-1))
                    .take_while(|d| *d >= start)
                    .find(|d| self.is_active(*d)),
            ),
            None => (None, None),
        };
        let first = [first_weekly, self.added.first().copied()]
            .into_iter()
            .flatten()
            .min()?;
        let last = [last_weekly, self.added.last().copied()]
            .into_iter()
            .flatten()
            .max()?;
        Some((first, last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn weekday_service() -> Service {
        let mut s = Service::new("WD");
        s.weekdays = 0b001_1111;
        s.range = Some((date(2026, 1, 1), date(2026, 12, 31)));
        s
    }

    #[test]
    fn weekly_pattern_within_range() {
        let s = weekday_service();
        assert!(s.is_active(date(2026, 11, 23))); // Monday
        assert!(!s.is_active(date(2026, 11, 22))); // Sunday
        assert!(!s.is_active(date(2027, 1, 4))); // Monday, after the range
    }

    #[test]
    fn exceptions_override_the_pattern() {
        let mut s = weekday_service();
        s.removed = vec![date(2026, 9, 2)];
        s.added = vec![date(2026, 11, 22)];
        assert!(!s.is_active(date(2026, 9, 2)));
        assert!(s.is_active(date(2026, 11, 22)));
    }

    #[test]
    fn calendar_dates_only_service() {
        let mut s = Service::new("X");
        s.added = vec![date(2026, 5, 1), date(2026, 5, 3)];
        assert!(s.is_active(date(2026, 5, 3)));
        assert!(!s.is_active(date(2026, 5, 2)));
        assert_eq!(s.active_span(), Some((date(2026, 5, 1), date(2026, 5, 3))));
    }

    #[test]
    fn active_span_skips_days_the_pattern_does_not_run() {
        let s = weekday_service();
        // 2026-01-01 is a Thursday; 2026-12-31 too.
        assert_eq!(
            s.active_span(),
            Some((date(2026, 1, 1), date(2026, 12, 31)))
        );
        let mut sundays = Service::new("SU");
        sundays.weekdays = weekday_bit(Weekday::Sunday);
        sundays.range = Some((date(2026, 1, 1), date(2026, 1, 31)));
        assert_eq!(
            sundays.active_span(),
            Some((date(2026, 1, 4), date(2026, 1, 25)))
        );
        sundays.removed = vec![
            date(2026, 1, 4),
            date(2026, 1, 11),
            date(2026, 1, 18),
            date(2026, 1, 25),
        ];
        assert_eq!(sundays.active_span(), None);
    }
}
