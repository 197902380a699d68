//! The seeded randomness of the generator: a [splitmix64] PRNG and a Zipf
//! sampler.
//!
//! Everything random in a generated mesh comes from here, so a seed always
//! gives the same mesh and the same events, byte for byte. splitmix64 is
//! tiny, fast and good enough for synthetic data; it also turns any `u64`
//! into a fresh stream, which lets a job or a run carry its own seed and be
//! rendered lazily, in any order, with the same result.
//!
//! [splitmix64]: https://prng.di.unimi.it/splitmix64.c

/// The splitmix64 PRNG.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    /// A stream from `seed`.
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A stream for one thing (a job, a run) derived from a seed and a
    /// number, independent of the order things are drawn in.
    pub(super) fn derived(seed: u64, n: u64) -> Self {
        let mut rng = Self(seed ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift; the bias is negligible here.
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `per_mille` times in a thousand.
    pub(super) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1_000) < per_mille as usize
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        // The top 53 bits: exactly the precision of an f64 mantissa.
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random (version 4) UUID.
    pub(super) fn uuid(&mut self) -> uuid::Uuid {
        let bits = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }
}

/// Draws ranks `0..n` with probability proportional to `1 / (rank + 1)^s`:
/// the first few are picked very often, the tail rarely, as with the shared
/// dimensions of a real warehouse.
#[derive(Debug, Clone)]
pub(super) struct Zipf {
    /// Cumulative weights, normalized so the last is 1.
    cumulative: Vec<f64>,
}

impl Zipf {
    /// A sampler over `n` ranks (`n > 0`) with exponent `s`.
    pub(super) fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let mut cumulative: Vec<f64> = (1..=n)
            .map(|k| {
                total += 1.0 / (k as f64).powf(s);
                total
            })
            .collect();
        for c in &mut cumulative {
            *c /= total;
        }
        Self { cumulative }
    }

    /// A rank in `0..n`.
    pub(super) fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_favours_the_first_ranks() {
        let zipf = Zipf::new(10, 1.0);
        let mut rng = Rng::new(1);
        let mut counts = [0_usize; 10];
        for _ in 0..100_000 {
            counts[zipf.sample(&mut rng)] += 1;
        }
        // Rank 1 has weight 1/H(10) ~ 34%, rank 10 a tenth of that.
        assert!((32_000..36_000).contains(&counts[0]), "{counts:?}");
        assert!(
            counts[0] > 8 * counts[9] && counts[0] < 12 * counts[9],
            "{counts:?}"
        );
        assert!(counts.windows(2).all(|w| w[0] > w[1]), "{counts:?}");
    }

    #[test]
    fn derived_streams_differ() {
        let a = Rng::derived(7, 1).next_u64();
        let b = Rng::derived(7, 2).next_u64();
        let c = Rng::derived(8, 1).next_u64();
        assert!(a != b && a != c && b != c);
        assert_eq!(a, Rng::derived(7, 1).next_u64());
    }
}
