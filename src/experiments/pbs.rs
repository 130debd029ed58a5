//! Probabilistically Bounded Staleness: Bailis, Venkataraman, Franklin,
//! Hellerstein and Stoica, "Probabilistically Bounded Staleness for
//! Practical Partial Quorums", VLDB 2012. The paper's own models, as the
//! reference that the store's measured staleness is compared with:
//!
//! - *k-staleness*: each write reaches exactly the W replicas that
//!   acknowledge it and nothing propagates afterwards; a read asks R
//!   replicas chosen uniformly. A read misses one write with probability
//!   C(N−W, R) / C(N, R), and misses all of the k newest (chosen
//!   independently) with that to the k-th power, so it returns one of the
//!   k newest versions with probability 1 − (C(N−W, R) / C(N, R))^k.
//! - *t-visibility*, the WARS model: a write is sent to all N replicas
//!   (delay W each), each acknowledges (A); it commits at the W-th
//!   acknowledgement. A read issued t after the commit asks all N (R) and
//!   takes the first R responses (S); it sees the write if one of those
//!   replicas had received the write when the read request reached it.
//!   Computed here by Monte Carlo, as the paper does.

use crate::sim::rng::Rng;

/// C(n, k), exactly enough for the small n of replica sets.
fn choose(n: u32, k: u32) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
}

/// The closed form: the probability that a read returns one of the k
/// newest versions, with N replicas, read quorum R and write quorum W.
pub fn k_staleness(n: u32, r: u32, w: u32, k: u32) -> f64 {
    let miss = choose(n - w.min(n), r) / choose(n, r);
    1.0 - miss.powi(k as i32)
}

/// Exponentially distributed delays (ms) for the four legs of WARS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wars {
    /// Mean of each leg, in ms: write to a replica, its ack back, a read
    /// request to a replica, its response back.
    pub w: f64,
    pub a: f64,
    pub r: f64,
    pub s: f64,
}

fn exp(rng: &mut Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.unit()).ln()
}

/// The probability that a read issued `t_ms` after a write commits sees
/// it, under WARS, estimated over `trials`.
pub fn wars_consistent(n: u32, r: u32, w: u32, lat: Wars, t_ms: f64, trials: u32, seed: u64) -> f64 {
    let mut rng = Rng::new(seed, 0x7761_7273);
    let mut seen = 0u32;
    let (n, r, w) = (n as usize, r as usize, w as usize);
    let mut arrive = vec![0.0; n];
    let mut acks = vec![0.0; n];
    let mut responses: Vec<(f64, usize)> = Vec::with_capacity(n);
    for _ in 0..trials {
        for i in 0..n {
            arrive[i] = exp(&mut rng, lat.w);
            acks[i] = arrive[i] + exp(&mut rng, lat.a);
        }
        let mut sorted = acks.clone();
        sorted.sort_by(f64::total_cmp);
        let commit = sorted[w - 1];
        let start = commit + t_ms;
        responses.clear();
        for &at in &arrive {
            let reached = start + exp(&mut rng, lat.r);
            let back = reached + exp(&mut rng, lat.s);
            // Whether replica i had the write when the read reached it.
            responses.push((back, usize::from(at <= reached)));
        }
        responses.sort_by(|a, b| a.0.total_cmp(&b.0));
        seen += u32::from(responses[..r].iter().any(|&(_, had)| had == 1));
    }
    f64::from(seen) / f64::from(trials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closed_form_matches_simple_cases() {
        // Strict quorums (R + W > N) always overlap.
        assert_eq!(k_staleness(3, 2, 2, 1), 1.0);
        assert_eq!(k_staleness(5, 3, 3, 1), 1.0);
        // N=3, R=W=1: a read misses the write with probability 2/3.
        assert!((k_staleness(3, 1, 1, 1) - 1.0 / 3.0).abs() < 1e-12);
        assert!((k_staleness(3, 1, 1, 2) - (1.0 - 4.0 / 9.0)).abs() < 1e-12);
        // (2/3)^k falls below 0.1 only at k = 6.
        assert!(k_staleness(3, 1, 1, 5) < 0.9 && k_staleness(3, 1, 1, 6) > 0.9);
    }

    /// The model itself, sampled: writes to W random replicas, a read of R
    /// random ones; it agrees with the closed form.
    #[test]
    fn sampling_the_k_staleness_model_agrees_with_the_closed_form() {
        let mut rng = Rng::new(9, 1);
        for (n, r, w) in [(3u32, 1u32, 1u32), (5, 2, 2), (10, 2, 3), (7, 1, 3)] {
            for k in 1..=3u32 {
                let trials = 40_000;
                let mut fresh = 0;
                for _ in 0..trials {
                    let mut replicas: Vec<u32> = (0..n).collect();
                    rng.shuffle(&mut replicas);
                    let read = &replicas[..r as usize];
                    let hit = (0..k).any(|_| {
                        let mut ws: Vec<u32> = (0..n).collect();
                        rng.shuffle(&mut ws);
                        ws[..w as usize].iter().any(|x| read.contains(x))
                    });
                    fresh += u32::from(hit);
                }
                let p = f64::from(fresh) / f64::from(trials);
                let exact = k_staleness(n, r, w, k);
                assert!((p - exact).abs() < 0.01, "N={n} R={r} W={w} k={k}: sampled {p}, closed form {exact}");
            }
        }
    }

    #[test]
    fn wars_with_strict_quorums_is_always_consistent_and_partial_ones_improve_with_time() {
        let lat = Wars { w: 10.0, a: 10.0, r: 10.0, s: 10.0 };
        assert_eq!(wars_consistent(3, 2, 2, lat, 0.0, 2000, 1), 1.0);
        let now = wars_consistent(3, 1, 1, lat, 0.0, 20_000, 1);
        let later = wars_consistent(3, 1, 1, lat, 50.0, 20_000, 1);
        assert!(now < 0.9 && later > 0.99 && now < later, "{now} {later}");
    }
}
