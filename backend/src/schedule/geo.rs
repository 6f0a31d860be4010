//! Plane geometry on the scale of a city: distances, polylines, and placing stops on shapes.
//!
//! Distances use a local equirectangular projection around the points involved. Over the
//! few hundred metres of one shape segment its error is far below GPS noise, and it is much
//! cheaper than haversine, which matters when projecting every stop of a big feed.

use serde::{Deserialize, Serialize};

const EARTH_RADIUS_M: f64 = 6_371_008.8;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Self {
        LatLon { lat, lon }
    }

    /// Valid WGS 84 coordinates, and not the (0, 0) that broken exports write for "unknown".
    pub fn is_plausible(self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
            && !(self.lat == 0.0 && self.lon == 0.0)
    }
}

/// Great-circle distance in metres.
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Where a point falls on a segment `a`–`b`: the fraction along it (0..=1) and the distance
/// from the point to that spot, in metres.
fn project_on_segment(p: LatLon, a: LatLon, b: LatLon) -> (f64, f64) {
    let kx = (p.lat.to_radians()).cos() * EARTH_RADIUS_M.to_radians();
    let ky = EARTH_RADIUS_M.to_radians();
    let (ax, ay) = ((a.lon - p.lon) * kx, (a.lat - p.lat) * ky);
    let (bx, by) = ((b.lon - p.lon) * kx, (b.lat - p.lat) * ky);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (ax + t * dx, ay + t * dy);
    (t, (cx * cx + cy * cy).sqrt())
}

/// A line with the distance travelled at each vertex.
#[derive(Debug, Clone, PartialEq)]
pub struct Polyline {
    pub points: Vec<LatLon>,
    /// `dist[i]` = metres from `points[0]` to `points[i]` along the line; non-decreasing.
    pub dist: Vec<f64>,
}

/// One way a point can lie on a line: how far along, and how far off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub along_m: f64,
    pub off_m: f64,
}

impl Polyline {
    pub fn new(points: Vec<LatLon>) -> Self {
        let mut dist = Vec::with_capacity(points.len());
        let mut total = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                total += distance_m(points[i - 1], *p);
            }
            dist.push(total);
        }
        Polyline { points, dist }
    }

    pub fn length_m(&self) -> f64 {
        self.dist.last().copied().unwrap_or(0.0)
    }

    /// Every separate pass of the line near `p`: one projection per local minimum of the
    /// point-to-segment distance, best first. A loop route passes a stop twice, and both
    /// passes are candidates; [`place_stops`] picks the one consistent with stop order.
    pub fn candidates(&self, p: LatLon, max: usize) -> Vec<Projection> {
        if self.points.len() < 2 {
            return match self.points.first() {
                Some(&only) => vec![Projection {
                    along_m: 0.0,
                    off_m: distance_m(only, p),
                }],
                None => Vec::new(),
            };
        }
        let segs: Vec<Projection> = self
            .points
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let (t, off) = project_on_segment(p, w[0], w[1]);
                Projection {
                    along_m: self.dist[i] + t * (self.dist[i + 1] - self.dist[i]),
                    off_m: off,
                }
            })
            .collect();
        // Minima up to rounding noise: a line that comes back along the same street is
        // equally near on both passes, and both must be candidates.
        const TIE_M: f64 = 0.5;
        let mut minima: Vec<Projection> = (0..segs.len())
            .filter(|&i| {
                let d = segs[i].off_m;
                (i == 0 || d <= segs[i - 1].off_m + TIE_M)
                    && (i + 1 == segs.len() || d <= segs[i + 1].off_m + TIE_M)
            })
            .map(|i| segs[i])
            .collect();
        minima.sort_by(|a, b| a.off_m.total_cmp(&b.off_m));
        // Two segments meeting at the nearest vertex give the same spot twice.
        let mut out: Vec<Projection> = Vec::new();
        for p in minima {
            if !out.iter().any(|q| (q.along_m - p.along_m).abs() < 1.0) {
                out.push(p);
            }
            if out.len() == max.max(1) {
                break;
            }
        }
        out
    }

    /// Like [`Polyline::candidates`], but only over the part of the line between `from_m` and
    /// `to_m` metres along it: a tracked vehicle is looked for near where it was, which is
    /// cheaper on long shapes and cannot jump to a far pass of a loop.
    pub fn candidates_within(
        &self,
        p: LatLon,
        from_m: f64,
        to_m: f64,
        max: usize,
    ) -> Vec<Projection> {
        if self.points.len() < 2 {
            return self.candidates(p, max);
        }
        let first = self.dist.partition_point(|&d| d < from_m).saturating_sub(1);
        let last = self
            .dist
            .partition_point(|&d| d <= to_m)
            .min(self.points.len() - 1);
        if last <= first {
            return Vec::new();
        }
        let sub = Polyline {
            points: self.points[first..=last].to_vec(),
            dist: self.dist[first..=last].to_vec(),
        };
        sub.candidates(p, max)
    }

    /// The line's direction of travel at `along_m`, in degrees clockwise from north, from the
    /// points `half_m` metres before and after; `None` where those points coincide.
    pub fn bearing_at(&self, along_m: f64, half_m: f64) -> Option<f64> {
        let a = self.point_at(along_m - half_m)?;
        let b = self.point_at(along_m + half_m)?;
        let east = (b.lon - a.lon) * a.lat.to_radians().cos();
        let north = b.lat - a.lat;
        (east != 0.0 || north != 0.0).then(|| east.atan2(north).to_degrees().rem_euclid(360.0))
    }

    /// The point at `along_m` metres along the line (clamped to its ends).
    pub fn point_at(&self, along_m: f64) -> Option<LatLon> {
        let last = self.points.len().checked_sub(1)?;
        let i = self.dist.partition_point(|&d| d <= along_m);
        if i == 0 {
            return self.points.first().copied();
        }
        if i > last {
            return self.points.last().copied();
        }
        let (d0, d1) = (self.dist[i - 1], self.dist[i]);
        let t = if d1 > d0 {
            (along_m - d0) / (d1 - d0)
        } else {
            0.0
        };
        let (a, b) = (self.points[i - 1], self.points[i]);
        Some(LatLon::new(
            a.lat + t * (b.lat - a.lat),
            a.lon + t * (b.lon - a.lon),
        ))
    }
}

/// How many passes of the line to consider per stop.
pub const MAX_CANDIDATES: usize = 6;

/// Places a trip's stops on its shape: the distance along the line of each stop, never
/// decreasing, choosing among the passes near each stop the combination with the least total
/// distance off the line (dynamic programming over the candidates). Greedy nearest-point
/// matching fails on loops and out-and-back routes, where a stop is near the line twice.
///
/// `candidates[k]` are the projections of stop `k` (see [`Polyline::candidates`]).
pub fn place_stops(candidates: &[Vec<Projection>]) -> Vec<Projection> {
    // Order violations cost this much, so they are only chosen when nothing else fits.
    const BACKWARDS_PENALTY: f64 = 1.0e6;
    // Backward steps this small are equal positions written with rounding noise.
    const TOLERANCE_M: f64 = 1.0;
    let n = candidates.len();
    if n == 0 {
        return Vec::new();
    }
    let mut cost: Vec<Vec<f64>> = Vec::with_capacity(n);
    let mut from: Vec<Vec<usize>> = Vec::with_capacity(n);
    for (k, cands) in candidates.iter().enumerate() {
        let mut ck = Vec::with_capacity(cands.len());
        let mut fk = Vec::with_capacity(cands.len());
        for c in cands {
            if k == 0 {
                ck.push(c.off_m);
                fk.push(0);
                continue;
            }
            let mut best = (f64::INFINITY, 0);
            for (i, prev) in candidates[k - 1].iter().enumerate() {
                let step = if prev.along_m <= c.along_m + TOLERANCE_M {
                    0.0
                } else {
                    BACKWARDS_PENALTY
                };
                let total = cost[k - 1][i] + step;
                if total < best.0 {
                    best = (total, i);
                }
            }
            ck.push(best.0 + c.off_m);
            fk.push(best.1);
        }
        cost.push(ck);
        from.push(fk);
    }
    let mut out = vec![
        Projection {
            along_m: 0.0,
            off_m: f64::INFINITY
        };
        n
    ];
    // Stops without candidates (empty line) keep the default; the walk skips them.
    let Some(mut j) =
        (0..cost[n - 1].len()).min_by(|&a, &b| cost[n - 1][a].total_cmp(&cost[n - 1][b]))
    else {
        return out;
    };
    for k in (0..n).rev() {
        if let Some(c) = candidates[k].get(j) {
            out[k] = *c;
            j = from[k][j];
        }
    }
    // Make the result monotone: tolerated small backward steps become equal positions.
    let mut max = 0.0f64;
    for p in &mut out {
        max = max.max(p.along_m);
        p.along_m = max;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(points: &[(f64, f64)]) -> Polyline {
        Polyline::new(points.iter().map(|&(a, b)| LatLon::new(a, b)).collect())
    }

    #[test]
    fn distance_of_one_degree_of_latitude() {
        let d = distance_m(LatLon::new(10.0, 106.0), LatLon::new(11.0, 106.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
    }

    #[test]
    fn projection_onto_a_straight_line() {
        let l = line(&[(11.0, 106.0), (11.0, 106.01)]);
        let c = l.candidates(LatLon::new(11.0001, 106.005), 3);
        assert_eq!(c.len(), 1);
        assert!((c[0].along_m - l.length_m() / 2.0).abs() < 1.0);
        assert!((c[0].off_m - 11.1).abs() < 0.5, "{:?}", c[0]);
    }

    #[test]
    fn out_and_back_line_places_stops_in_order() {
        // East 1 km, then back west along the same street: the middle stop is passed twice.
        let l = line(&[(11.0, 106.0), (11.0, 106.00915), (11.0, 106.0)]);
        let mid = LatLon::new(11.0, 106.0045);
        let stops = [
            LatLon::new(11.0, 106.0),
            mid,
            LatLon::new(11.0, 106.00915),
            mid,
            LatLon::new(11.0, 106.0),
        ];
        let cands: Vec<_> = stops.iter().map(|&s| l.candidates(s, 6)).collect();
        let placed = place_stops(&cands);
        let along: Vec<f64> = placed.iter().map(|p| p.along_m.round()).collect();
        let out = distance_m(stops[0], mid);
        assert!((along[1] - out).abs() <= 2.0, "{along:?}");
        assert!((along[3] - (l.length_m() - out)).abs() <= 2.0, "{along:?}");
        assert!(along.windows(2).all(|w| w[0] <= w[1]), "{along:?}");
        assert!((along[4] - l.length_m().round()).abs() <= 1.0, "{along:?}");
    }

    #[test]
    fn point_at_interpolates_and_clamps() {
        let l = line(&[(11.0, 106.0), (11.0, 106.01)]);
        let p = l.point_at(l.length_m() / 2.0).expect("non-empty");
        assert!((p.lon - 106.005).abs() < 1e-9);
        assert_eq!(l.point_at(-5.0), Some(LatLon::new(11.0, 106.0)));
        assert_eq!(l.point_at(1e9), Some(LatLon::new(11.0, 106.01)));
    }
}
