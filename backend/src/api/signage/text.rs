//! `GET /api/v1/signage/{stop_id}.txt`: the board as fixed-width lines for LED signs.
//!
//! A header line (stop name, its bay for a platform's board, clock), a stale line when
//! realtime is not live, then one line per departure: `ROUTE HEADSIGN…  MIN`, at a station
//! `ROUTE HEADSIGN…  BAY MIN` (`B3`, `3番`), the headsign cut to fit, then one line per alert
//! headline (`! text`, cut to fit). Every line is exactly
//! `width` characters (Unicode scalar values, not bytes) and ends with `\n`.
//!
//! `ascii=1` transliterates for controllers without Vietnamese glyphs: diacritics removed,
//! `đ`→`d`, `Đ`→`D`, dashes to `-`, anything else outside ASCII to `?`. It maps one character
//! to one character, so the layout (counted before) stays exactly `width` wide. The mapping is
//! a table generated from Unicode's canonical decompositions (NFD, then the base letter) for
//! Latin-1, Latin Extended-A/B and Latin Extended Additional (where Vietnamese lives): no
//! dependency, and NFD alone would not handle `đ`, which has no decomposition.

use api_types::SignageBoard;

use super::{labels, minutes_text};

pub fn render(board: &SignageBoard, width: usize, ascii: bool) -> String {
    let l = labels(&board.lang);
    let ui = frontend::i18n::Lang::parse(&board.lang).unwrap_or(frontend::i18n::Lang::En);
    let bay = |b: &str| frontend::format::bay_short(ui, b);
    let mut lines = Vec::new();
    let name = match &board.bay {
        Some(b) => format!("{} {}", board.stop_name, bay(b)),
        None => board.stop_name.clone(),
    };
    lines.push(two_columns(&name, &board.clock, width));
    if board.stale {
        lines.push(fit(l.stale, width));
    }
    if board.departures.is_empty() {
        lines.push(fit(l.no_departures, width));
    }
    for d in &board.departures {
        // At a station, where the bus leaves from, short: `B3 6 phút`.
        let minutes = match d.bay.as_deref().filter(|_| board.bay.is_none()) {
            Some(b) => format!("{} {}", bay(b), minutes_text(l, d)),
            None => minutes_text(l, d),
        };
        let route = cut(&d.route, width.saturating_sub(len(&minutes) + 2).max(1));
        let left = match d.headsign.as_deref() {
            Some(h) if !h.is_empty() => format!("{route} {h}"),
            _ => route,
        };
        lines.push(two_columns(&left, &minutes, width));
    }
    // Alerts last: a sign that shows only its first lines keeps the departures.
    for a in &board.alerts {
        lines.push(fit(&format!("! {a}"), width));
    }
    let mut out = String::new();
    for line in lines {
        if ascii {
            out.extend(line.chars().map(to_ascii));
        } else {
            out.push_str(&line);
        }
        out.push('\n');
    }
    out
}

fn len(s: &str) -> usize {
    s.chars().count()
}

fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `text` cut or padded to exactly `width` characters.
fn fit(text: &str, width: usize) -> String {
    let mut s = cut(text, width);
    let pad = width - len(&s);
    s.extend(std::iter::repeat_n(' ', pad));
    s
}

/// `left` cut to leave room for one space and `right`, right aligned, `width` in all.
fn two_columns(left: &str, right: &str, width: usize) -> String {
    let right = cut(right, width);
    let room = width - len(&right);
    let left = cut(left, room.saturating_sub(1));
    let mut s = fit(&left, room);
    s.push_str(&right);
    s
}

/// One character to one ASCII character (see the module doc).
pub fn to_ascii(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    match c {
        'đ' => 'd',
        'Đ' | 'Ð' => 'D',
        '–' | '—' | '‐' | '‑' | '−' => '-',
        '‘' | '’' => '\'',
        '“' | '”' => '"',
        '\u{a0}' => ' ',
        _ => FOLD
            .iter()
            .find(|(_, accented)| accented.contains(c))
            .map_or('?', |&(base, _)| base),
    }
}

/// Base letter and the accented letters that decompose to it (generated with Python's
/// `unicodedata.normalize("NFD", …)` over U+00C0–U+024F and U+1E00–U+1EFF).
const FOLD: &[(char, &str)] = &[
    ('A', "ÀÁÂÃÄÅĀĂĄǍǞǠǺȀȂȦḀẠẢẤẦẨẪẬẮẰẲẴẶ"),
    ('B', "ḂḄḆ"),
    ('C', "ÇĆĈĊČḈ"),
    ('D', "ĎḊḌḎḐḒ"),
    ('E', "ÈÉÊËĒĔĖĘĚȄȆȨḔḖḘḚḜẸẺẼẾỀỂỄỆ"),
    ('F', "Ḟ"),
    ('G', "ĜĞĠĢǦǴḠ"),
    ('H', "ĤȞḢḤḦḨḪ"),
    ('I', "ÌÍÎÏĨĪĬĮİǏȈȊḬḮỈỊ"),
    ('J', "Ĵ"),
    ('K', "ĶǨḰḲḴ"),
    ('L', "ĹĻĽḶḸḺḼ"),
    ('M', "ḾṀṂ"),
    ('N', "ÑŃŅŇǸṄṆṈṊ"),
    ('O', "ÒÓÔÕÖŌŎŐƠǑǪǬȌȎȪȬȮȰṌṎṐṒỌỎỐỒỔỖỘỚỜỞỠỢ"),
    ('P', "ṔṖ"),
    ('R', "ŔŖŘȐȒṘṚṜṞ"),
    ('S', "ŚŜŞŠȘṠṢṤṦṨ"),
    ('T', "ŢŤȚṪṬṮṰ"),
    ('U', "ÙÚÛÜŨŪŬŮŰŲƯǓǕǗǙǛȔȖṲṴṶṸṺỤỦỨỪỬỮỰ"),
    ('V', "ṼṾ"),
    ('W', "ŴẀẂẄẆẈ"),
    ('X', "ẊẌ"),
    ('Y', "ÝŶŸȲẎỲỴỶỸ"),
    ('Z', "ŹŻŽẐẒẔ"),
    ('a', "àáâãäåāăąǎǟǡǻȁȃȧḁạảấầẩẫậắằẳẵặ"),
    ('b', "ḃḅḇ"),
    ('c', "çćĉċčḉ"),
    ('d', "ďḋḍḏḑḓ"),
    ('e', "èéêëēĕėęěȅȇȩḕḗḙḛḝẹẻẽếềểễệ"),
    ('f', "ḟ"),
    ('g', "ĝğġģǧǵḡ"),
    ('h', "ĥȟḣḥḧḩḫẖ"),
    ('i', "ìíîïĩīĭįǐȉȋḭḯỉị"),
    ('j', "ĵǰ"),
    ('k', "ķǩḱḳḵ"),
    ('l', "ĺļľḷḹḻḽ"),
    ('m', "ḿṁṃ"),
    ('n', "ñńņňǹṅṇṉṋ"),
    ('o', "òóôõöōŏőơǒǫǭȍȏȫȭȯȱṍṏṑṓọỏốồổỗộớờởỡợ"),
    ('p', "ṕṗ"),
    ('r', "ŕŗřȑȓṙṛṝṟ"),
    ('s', "śŝşšșṡṣṥṧṩ"),
    ('t', "ţťțṫṭṯṱẗ"),
    ('u', "ùúûüũūŭůűųưǔǖǘǚǜȕȗṳṵṷṹṻụủứừửữự"),
    ('v', "ṽṿ"),
    ('w', "ŵẁẃẅẇẉẘ"),
    ('x', "ẋẍ"),
    ('y', "ýÿŷȳẏẙỳỵỷỹ"),
    ('z', "źżžẑẓẕ"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_becomes_ascii_one_char_for_one() {
        let s = "Bến xe Miền Đông mới – Đại học Quốc tế; Thủ Dầu Một, Ngã tư Sở Sao";
        let a: String = s.chars().map(to_ascii).collect();
        assert_eq!(
            a,
            "Ben xe Mien Dong moi - Dai hoc Quoc te; Thu Dau Mot, Nga tu So Sao"
        );
        assert_eq!(a.chars().count(), s.chars().count());
        assert_eq!(to_ascii('ヒ'), '?');
    }

    #[test]
    fn columns_are_exactly_the_width() {
        assert_eq!(
            two_columns("Trạm trung chuyển Hikari", "07:40", 16),
            "Trạm trung 07:40"
        );
        assert_eq!(two_columns("51", "5 phút", 16), "51        5 phút");
        assert_eq!(fit("ab", 4), "ab  ");
    }
}
