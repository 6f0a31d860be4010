//! Randomness without state: every random choice of the simulator is a hash of the seed and of
//! what the choice is about (a trip instance, one of its segments, a vehicle's report time…).
//!
//! So the same question always gets the same answer, whatever was asked before: two
//! simulators with the same seed agree, a snapshot does not depend on which snapshots came
//! before it, and a bus's progress is a function of the clock rather than a random walk.

/// What a draw is for: keeps the streams of different choices independent.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub(super) enum Topic {
    Personality = 1,
    Segment = 2,
    Stop = 3,
    Cancel = 4,
    Vehicle = 5,
    Report = 6,
    Day = 7,
}

/// SplitMix64's finaliser: a bijection on `u64` that spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of the seed, the topic and `parts`.
pub(super) fn hash(seed: u64, topic: Topic, parts: &[u64]) -> u64 {
    let mut h = mix(seed ^ (topic as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    for &p in parts {
        h = mix(h ^ mix(p.wrapping_add(0x9E37_79B9_7F4A_7C15)));
    }
    h
}

/// FNV-1a: stable across runs, platforms and feed versions (unlike a trip's index), for ids and
/// for ETags.
pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// A short sequence of uniform draws derived from one hash.
#[derive(Debug, Clone)]
pub(super) struct Draws {
    state: u64,
}

impl Draws {
    pub(super) fn new(seed: u64, topic: Topic, parts: &[u64]) -> Self {
        Draws {
            state: hash(seed, topic, parts),
        }
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        (mix(self.state) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub(super) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Whole seconds, uniform in `[lo, hi]`.
    pub(super) fn secs(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.unit() * (hi - lo + 1) as f64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_uniform_and_independent_by_topic() {
        let a: Vec<f64> = {
            let mut d = Draws::new(7, Topic::Segment, &[1, 2]);
            (0..4).map(|_| d.unit()).collect()
        };
        let mut d = Draws::new(7, Topic::Segment, &[1, 2]);
        assert_eq!(a, (0..4).map(|_| d.unit()).collect::<Vec<_>>());
        assert_ne!(
            hash(7, Topic::Segment, &[1, 2]),
            hash(7, Topic::Stop, &[1, 2])
        );
        assert_ne!(
            hash(7, Topic::Segment, &[1, 2]),
            hash(7, Topic::Segment, &[2, 1])
        );
        let mean = (0..10_000)
            .map(|i| Draws::new(1, Topic::Day, &[i]).unit())
            .sum::<f64>()
            / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert_eq!(fnv1a(b""), 0xCBF2_9CE4_8422_2325);
    }
}
