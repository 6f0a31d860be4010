//! Route colours from the feed, made safe and readable: only six hex digits ever reach a style
//! attribute, and a badge's text colour is the feed's only when it reads at WCAG AA (4.5:1) on
//! the route's colour. Used by the web app's badges and maps and by the stop display
//! (`/display/...`, rendered by the backend).

/// A route badge's `style`: the route's colour, and its text colour when readable on it.
pub fn badge_style(color: &str, text_color: &str) -> String {
    let background = safe_hex(color, "2b6cb0");
    format!(
        "background:#{background};color:#{}",
        readable_text(background, safe_hex(text_color, "ffffff"))
    )
}

/// A colour from the feed, used in a style attribute only when it is six hex digits.
pub fn safe_hex<'a>(hex: &'a str, fallback: &'a str) -> &'a str {
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex
    } else {
        fallback
    }
}

/// WCAG relative luminance of `RRGGBB` (already checked to be six hex digits).
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

/// WCAG contrast ratio of two `RRGGBB` colours (1 to 21).
pub fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// A badge's text colour: the feed's when it reads at AA (4.5:1) on the route's colour, else
/// black or white, whichever contrasts more (feeds often pair white with mid greens and reds).
pub fn readable_text<'a>(background: &str, text: &'a str) -> &'a str {
    if contrast(background, text) >= 4.5 {
        text
    } else if contrast(background, "000000") >= contrast(background, "ffffff") {
        "000000"
    } else {
        "ffffff"
    }
}

/// Colours for routes whose feed gives no `route_color` (GTFS would make them white: invisible
/// on a light map). Twelve hues, each of relative luminance about 0.15: white text on them
/// reads at 5.3:1 (AA), and a line of them stands out at least 3.4:1 on both themes' page
/// backgrounds (#ffffff and #121417). Ordered so that neighbours differ most in hue, since
/// routes take them in turn.
pub const DEFAULT_ROUTE_COLOURS: [&str; 12] = [
    "D51818", "117496", "3B7A0E", "7E47EB", "A65712", "1867D7", "0E7D33", "AD19DF", "806A0E",
    "4D5AEB", "0D7967", "C9168E",
];

/// The colour and text colour of the `slot`-th route without a `route_color` in its feed.
pub fn default_route_colour(slot: u32) -> (&'static str, &'static str) {
    let n = DEFAULT_ROUTE_COLOURS.len();
    (DEFAULT_ROUTE_COLOURS[slot as usize % n], "FFFFFF")
}

/// `#RRGGBB` for a style attribute, `fallback` (six hex digits) when the feed's is not.
pub fn css_color(hex: &str, fallback: &str) -> String {
    format!("#{}", safe_hex(hex, fallback))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_text_keeps_the_feeds_colour_when_readable_else_black_or_white() {
        assert!((contrast("000000", "ffffff") - 21.0).abs() < 1e-9);
        // Route 52's blue with white: 5.1:1, kept.
        assert_eq!(readable_text("0072BC", "FFFFFF"), "FFFFFF");
        // Route 51's green with white is 3.6:1: black (5.8:1) instead.
        assert_eq!(readable_text("009B4E", "FFFFFF"), "000000");
        // Red 61-77 with white is 4.4:1: black (4.8:1).
        assert_eq!(readable_text("ED1C24", "FFFFFF"), "000000");
        // Dark purple with dark text: white.
        assert_eq!(readable_text("662D91", "333333"), "ffffff");
    }

    #[test]
    fn default_route_colours_read_at_aa_and_show_on_both_themes() {
        let light = "ffffff";
        let dark = "121417";
        for (slot, colour) in DEFAULT_ROUTE_COLOURS.iter().enumerate() {
            let (c, text) = default_route_colour(slot as u32);
            assert_eq!(c, *colour);
            assert!(contrast(c, text) >= 4.5, "{c} with its text");
            assert_eq!(readable_text(c, text), text, "badges keep it");
            assert!(contrast(c, light) >= 3.0, "{c} on the light theme");
            assert!(contrast(c, dark) >= 3.0, "{c} on the dark theme");
        }
        let distinct: std::collections::HashSet<_> = DEFAULT_ROUTE_COLOURS.iter().collect();
        assert_eq!(distinct.len(), DEFAULT_ROUTE_COLOURS.len());
        assert_eq!(
            default_route_colour(12),
            default_route_colour(0),
            "then again"
        );
    }
}
