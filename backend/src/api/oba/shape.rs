//! `shape/{id}.json`, and the encoded polylines of shapes (Google's polyline algorithm, as
//! OneBusAway sends them: `points`, `length` = number of points, `levels` empty).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Serialize;

use super::{Answer, Ctx, EntryData, LangParam, ObaError, Query, References, entry, json_id};
use crate::schedule::LatLon;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncodedPolyline {
    pub points: String,
    pub length: usize,
    pub levels: String,
}

impl EncodedPolyline {
    pub fn new(points: &[LatLon]) -> Self {
        EncodedPolyline {
            points: encode(points),
            length: points.len(),
            levels: String::new(),
        }
    }
}

/// Google's encoded polyline: each coordinate rounded to 1e-5 degrees, as the difference to
/// the previous point, zig-zag signed, in 5-bit chunks from the low end, each + 63, all but the
/// last chunk of a number with bit 0x20 set.
pub fn encode(points: &[LatLon]) -> String {
    fn number(out: &mut String, delta: i64) {
        let mut v = if delta < 0 { !(delta << 1) } else { delta << 1 };
        while v >= 0x20 {
            out.push(char::from((0x20 | (v & 0x1f)) as u8 + 63));
            v >>= 5;
        }
        out.push(char::from(v as u8 + 63));
    }
    let mut out = String::with_capacity(points.len() * 8);
    let (mut lat0, mut lon0) = (0i64, 0i64);
    for p in points {
        let lat = (p.lat * 1e5).round() as i64;
        let lon = (p.lon * 1e5).round() as i64;
        number(&mut out, lat - lat0);
        number(&mut out, lon - lon0);
        (lat0, lon0) = (lat, lon);
    }
    out
}

pub async fn shape(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<EncodedPolyline>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, local) = ctx
        .resolve(id)
        .ok_or_else(|| ObaError::not_found("shape", id))?;
    let shape = s
        .shapes
        .iter()
        .find(|sh| sh.id.as_deref() == Some(local))
        .ok_or_else(|| ObaError::not_found("shape", id))?;
    entry(
        ctx.now,
        EncodedPolyline::new(&shape.line.points),
        References::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_googles_reference_example() {
        // The example of Google's "Encoded Polyline Algorithm Format" page.
        let points = [
            LatLon::new(38.5, -120.2),
            LatLon::new(40.7, -120.95),
            LatLon::new(43.252, -126.453),
        ];
        assert_eq!(encode(&points), "_p~iF~ps|U_ulLnnqC_mqNvxq`@");
        assert_eq!(encode(&[]), "");
        let p = EncodedPolyline::new(&points);
        assert_eq!(p.length, 3);
    }

    #[test]
    fn small_and_negative_steps_round_trip_to_the_fifth_decimal() {
        // Several 5-bit chunks with the sign bit; one unit each way.
        assert_eq!(encode(&[LatLon::new(-179.98321, 0.0)]), "`~oia@?");
        assert_eq!(encode(&[LatLon::new(0.00001, -0.00001)]), "A@");
    }
}
