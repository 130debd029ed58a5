//! The confidence intervals that the statistical tests share.
//!
//! A published number and fresh trials agree when the difference of the two
//! means lies within the 99% confidence interval of a difference,
//! 2.576 × s × √(1/n + 1/n_published) (s: the fresh trials' standard
//! deviation), widened by half a unit of the last digit that was printed.

pub const Z99: f64 = 2.576;

/// Mean and standard deviation.
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Whether `published`, a mean of `n_published` trials printed to within
/// `unit`, agrees with the fresh trials `xs`, with an interval narrow
/// enough to refute a 2x error. Returns the interval's half-width relative
/// to the value, for a test to ask for narrower still.
pub fn agrees(what: &str, xs: &[f64], published: f64, n_published: usize, unit: f64) -> f64 {
    let (mean, sd) = mean_sd(xs);
    let half = Z99 * sd * (1.0 / xs.len() as f64 + 1.0 / n_published as f64).sqrt() + unit / 2.0;
    assert!(
        (mean - published).abs() <= half,
        "{what}: measured {mean:.4} over {} trials, published {published} (99% interval ±{half:.4})",
        xs.len()
    );
    println!(
        "{what}: {mean:.4} (n = {}) against {published}: 99% interval ±{half:.4}, {:.1}%",
        xs.len(),
        100.0 * half / published
    );
    // Narrower than half the value, so that a result twice or half the
    // published one fails: an interval that wide cannot tell them apart.
    assert!(
        half < 0.5 * published.abs(),
        "{what}: the 99% interval ±{half:.4} is {:.0}% of {published}: too wide to catch a 2x error",
        100.0 * half / published.abs()
    );
    half / published
}
