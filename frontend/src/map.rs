//! Maps drawn from our own data, no tiles: `[lat, lon]` points projected into an SVG viewBox.
//! Plain functions of plain values, tested below.
//!
//! The projection is equirectangular, x scaled by the cosine of the middle latitude (so a
//! kilometre east is as long as a kilometre north at that latitude: good for a city, whose
//! few tens of kilometres show no visible distortion). It is fitted to the points: the whole
//! drawing fills [`Projection::width`] (less a margin), at most [`Projection::height`] tall,
//! centred, aspect kept; north is up.

use crate::format::escape_html as escape;

/// A fitted projection: `[lat, lon]` → viewBox `(x, y)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// The viewBox's width and height (`0 0 width height`).
    pub width: f64,
    pub height: f64,
    /// Projected units (degrees of longitude at the equator) → viewBox units.
    scale: f64,
    cos_lat: f64,
    /// The point drawn at the origin, after scaling (centring included).
    x0: f64,
    y0: f64,
}

impl Projection {
    /// Fits `points` into a viewBox `width` wide and at most `max_height` tall (shorter when
    /// the drawing is wide), with `margin` viewBox units left free on every side. `None`
    /// without a finite point.
    pub fn fit(
        points: impl IntoIterator<Item = [f64; 2]>,
        width: f64,
        max_height: f64,
        margin: f64,
    ) -> Option<Projection> {
        let (mut lat_min, mut lat_max) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut lon_min, mut lon_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for [lat, lon] in points {
            if !(lat.is_finite() && lon.is_finite()) {
                continue;
            }
            lat_min = lat_min.min(lat);
            lat_max = lat_max.max(lat);
            lon_min = lon_min.min(lon);
            lon_max = lon_max.max(lon);
        }
        if !lat_min.is_finite() {
            return None;
        }
        let cos_lat = ((lat_min + lat_max) / 2.0).to_radians().cos().max(0.01);
        // The drawing's extent in projected units.
        let dx = (lon_max - lon_min) * cos_lat;
        let dy = lat_max - lat_min;
        let room_x = (width - 2.0 * margin).max(1.0);
        let room_y = (max_height - 2.0 * margin).max(1.0);
        let scale = match (dx > 0.0, dy > 0.0) {
            (true, true) => (room_x / dx).min(room_y / dy),
            (true, false) => room_x / dx,
            (false, true) => room_y / dy,
            // One point: any scale; it is drawn in the middle.
            (false, false) => 1.0,
        };
        // Wide drawings need less than the full height.
        let height = (dy * scale + 2.0 * margin).min(max_height);
        let height = if dy > 0.0 {
            height
        } else {
            max_height.min(width)
        };
        // Centred both ways.
        let x0 = (width - dx * scale) / 2.0 - lon_min * cos_lat * scale;
        let y0 = (height - dy * scale) / 2.0 + lat_max * scale;
        Some(Projection {
            width,
            height,
            scale,
            cos_lat,
            x0,
            y0,
        })
    }

    /// The viewBox `(x, y)` of a point; north is up.
    pub fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            self.x0 + lon * self.cos_lat * self.scale,
            self.y0 - lat * self.scale,
        )
    }

    /// The `viewBox` attribute.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", round1(self.width), round1(self.height))
    }

    /// An SVG path (`M x y L x y …`) through `points`; empty for fewer than two.
    pub fn path(&self, points: &[[f64; 2]]) -> String {
        if points.len() < 2 {
            return String::new();
        }
        let mut d = String::with_capacity(points.len() * 14);
        for (i, [lat, lon]) in points.iter().enumerate() {
            let (x, y) = self.project(*lat, *lon);
            d.push(if i == 0 { 'M' } else { 'L' });
            d.push_str(&format!("{} {}", round1(x), round1(y)));
        }
        d
    }

    /// A CSS `transform` placing a marker at a point (in viewBox units, which are the SVG's
    /// user units, hence `px`): changing it moves the marker, and a CSS transition animates
    /// the move.
    pub fn translate(&self, lat: f64, lon: f64) -> String {
        let (x, y) = self.project(lat, lon);
        format!("translate({}px, {}px)", round1(x), round1(y))
    }
}

impl Projection {
    /// The projection as an attribute value (`data-projection` on the map), so the browser
    /// places new vehicle positions exactly as the server drew the map.
    pub fn to_attr(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.width, self.height, self.scale, self.cos_lat, self.x0, self.y0
        )
    }

    /// Reads [`Projection::to_attr`]; `None` when malformed.
    pub fn from_attr(text: &str) -> Option<Projection> {
        let mut parts = text.split(' ').map(|p| p.parse::<f64>().ok());
        let mut next = || parts.next().flatten().filter(|x| x.is_finite());
        let p = Projection {
            width: next()?,
            height: next()?,
            scale: next()?,
            cos_lat: next()?,
            x0: next()?,
            y0: next()?,
        };
        next().is_none().then_some(p)
    }

    /// A live vehicle's marker, as SVG markup (drawn by the server, added by the browser when a
    /// new vehicle appears): a circle in its route's colour, an arrow turned by its bearing, a
    /// `<title>` saying what it is. Moved by its `transform` (see [`Projection::translate`]).
    pub fn marker(&self, v: &api_types::Vehicle, title: &str) -> String {
        let color = v
            .route
            .as_ref()
            .map(|r| r.color.as_str())
            .filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            .unwrap_or("2b6cb0");
        let heading = v
            .bearing
            .map(|b| {
                format!(
                    r#"<path class="heading" d="M0 -15L6 -6H-6Z" transform="{}"/>"#,
                    rotate(b)
                )
            })
            .unwrap_or_default();
        format!(
            r##"<g class="vehicle" data-vehicle="{}" style="transform:{}"><title>{}</title>{heading}<circle r="7" fill="#{color}"/></g>"##,
            escape(&v.id),
            self.translate(v.lat, v.lon),
            escape(title),
        )
    }
}

/// One decimal: a tenth of a viewBox unit is far below a pixel, and the HTML stays small.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A bearing (degrees clockwise from north) as an SVG `rotate()`, normalised to 0–360.
pub fn rotate(bearing: f32) -> String {
    format!("rotate({})", round1(f64::from(bearing).rem_euclid(360.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-6;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < EPS && (a.1 - b.1).abs() < EPS
    }

    #[test]
    fn a_wide_drawing_fills_the_width_keeps_its_aspect_and_is_centred_vertically() {
        // 0.2° of longitude by 0.05° of latitude at 60° N: 0.1 by 0.05 projected.
        let p = Projection::fit([[60.0, 10.0], [60.05, 10.2]], 400.0, 400.0, 10.0).expect("points");
        let cos = 60.025_f64.to_radians().cos();
        let scale = 380.0 / (0.2 * cos);
        assert!((p.scale - scale).abs() < EPS);
        assert!(
            (p.height - (0.05 * scale + 20.0)).abs() < EPS,
            "{}",
            p.height
        );
        // West end on the left margin, east end on the right one; north up.
        let (west_x, south_y) = p.project(60.0, 10.0);
        let (east_x, north_y) = p.project(60.05, 10.2);
        assert!((west_x - 10.0).abs() < EPS && (east_x - 390.0).abs() < EPS);
        assert!(north_y < south_y);
        assert!((north_y - 10.0).abs() < EPS && (p.height - 10.0 - south_y).abs() < EPS);
        // A kilometre east is as long as a kilometre north (aspect kept).
        let east = p.project(60.0, 10.0 + 0.01 / cos);
        let north = p.project(60.01, 10.0);
        assert!(((east.0 - west_x) - (south_y - north.1)).abs() < EPS);
        assert_eq!(p.view_box(), format!("0 0 400 {}", round1(p.height)));
    }

    #[test]
    fn a_tall_drawing_is_limited_by_the_height_and_centred_horizontally() {
        let p =
            Projection::fit([[11.0, 106.6], [11.2, 106.61]], 400.0, 300.0, 0.0).expect("points");
        assert!((p.height - 300.0).abs() < EPS);
        let (x_a, y_top) = p.project(11.2, 106.61);
        let (x_b, y_bottom) = p.project(11.0, 106.6);
        assert!(y_top.abs() < EPS && (y_bottom - 300.0).abs() < EPS);
        // Centred: as much room on the left as on the right.
        assert!((x_b - (400.0 - x_a)).abs() < EPS, "{x_b} {x_a}");
    }

    #[test]
    fn one_point_is_drawn_in_the_middle_and_nothing_has_no_projection() {
        let p = Projection::fit([[11.0, 106.6]], 400.0, 300.0, 10.0).expect("a point");
        assert!(close(p.project(11.0, 106.6), (200.0, 150.0)));
        assert_eq!(Projection::fit([], 400.0, 300.0, 10.0), None);
        assert_eq!(Projection::fit([[f64::NAN, 1.0]], 400.0, 300.0, 10.0), None);
    }

    #[test]
    fn the_projection_survives_its_attribute_and_markers_are_escaped() {
        let p =
            Projection::fit([[11.0, 106.6], [11.1, 106.7]], 400.0, 440.0, 14.0).expect("points");
        assert_eq!(Projection::from_attr(&p.to_attr()), Some(p));
        assert_eq!(Projection::from_attr("1 2 3"), None);
        assert_eq!(Projection::from_attr("1 2 3 4 5 6 7"), None);
        assert_eq!(Projection::from_attr("1 2 3 4 5 NaN"), None);
        let v = api_types::Vehicle {
            id: "bd:bus\"1".to_owned(),
            label: None,
            lat: 11.05,
            lon: 106.65,
            bearing: Some(-90.0),
            speed: None,
            trip_id: None,
            route: Some(api_types::RouteBadge {
                id: "bd:51".to_owned(),
                short_name: "51".to_owned(),
                color: "009B4E".to_owned(),
                text_color: "FFFFFF".to_owned(),
            }),
            next_stop: None,
            at_stop: false,
            timestamp: "2026-11-23T07:39:40+07:00".to_owned(),
            data_age_s: 20,
            off_route: false,
            stuck: false,
            layover: false,
        };
        let m = p.marker(&v, "Bus <51> & co");
        assert!(m.contains(r#"data-vehicle="bd:bus&quot;1""#), "{m}");
        assert!(m.contains(&format!(
            "style=\"transform:{}\"",
            p.translate(11.05, 106.65)
        )));
        assert!(m.contains(r#"transform="rotate(270)""#), "{m}");
        assert!(m.contains(r##"fill="#009B4E""##), "{m}");
        assert!(m.contains("<title>Bus &lt;51&gt; &amp; co</title>"), "{m}");
        let no_bearing = api_types::Vehicle {
            bearing: None,
            route: None,
            ..v
        };
        let m = p.marker(&no_bearing, "x");
        assert!(
            !m.contains("heading") && m.contains(r##"fill="#2b6cb0""##),
            "{m}"
        );
    }

    #[test]
    fn paths_markers_and_bearings_are_written_for_svg_and_css() {
        let p = Projection::fit([[0.0, 0.0], [1.0, 1.0]], 100.0, 100.0, 0.0).expect("points");
        assert_eq!(
            p.path(&[[0.0, 0.0], [1.0, 1.0], [0.5, 0.25]]),
            "M0 100L100 0L25 50"
        );
        assert_eq!(p.path(&[[0.0, 0.0]]), "");
        assert_eq!(p.translate(0.5, 0.5), "translate(50px, 50px)");
        assert_eq!(rotate(-90.0), "rotate(270)");
        assert_eq!(rotate(45.5), "rotate(45.5)");
    }
}
