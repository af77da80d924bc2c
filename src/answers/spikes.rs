//! Spike flags for timelines. A bucket's score is its z-score against the trailing baseline:
//! (count − mean) / max(sd, 1) over the `window` buckets before it (population standard
//! deviation; the floor of one article keeps a quiet series from scoring infinity on its
//! first article). A bucket is a spike when its score is at least `threshold`. The first
//! `window` buckets have no baseline, so no score and no flag.

/// How spikes are found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Buckets in the trailing baseline.
    pub window: usize,
    /// The score from which a bucket is a spike.
    pub threshold: f64,
}

impl Default for Rule {
    fn default() -> Self {
        Self {
            window: 7,
            threshold: 3.0,
        }
    }
}

/// Each bucket's score (`None` without a full baseline) and whether it is a spike.
pub fn score(counts: &[i64], rule: Rule) -> Vec<(Option<f64>, bool)> {
    counts
        .iter()
        .enumerate()
        .map(|(i, count)| {
            if rule.window == 0 || i < rule.window {
                return (None, false);
            }
            let baseline = &counts[i - rule.window..i];
            let n = baseline.len() as f64;
            let mean = baseline.iter().sum::<i64>() as f64 / n;
            let variance = baseline
                .iter()
                .map(|value| (*value as f64 - mean).powi(2))
                .sum::<f64>()
                / n;
            let score = (*count as f64 - mean) / variance.sqrt().max(1.0);
            let score = (score * 1000.0).round() / 1000.0;
            (Some(score), score >= rule.threshold)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jump_over_a_steady_baseline_is_a_spike_and_the_baseline_is_not() {
        let counts = [2, 2, 2, 2, 2, 2, 2, 9, 2];

        let scored = score(&counts, Rule::default());

        assert!(
            scored[..7]
                .iter()
                .all(|(score, spike)| score.is_none() && !spike)
        );
        assert_eq!(scored[7], (Some(7.0), true));
        // The baseline now holds the spike: mean 3, sd 2.449…
        assert_eq!(scored[8], (Some(-0.408), false));
    }

    #[test]
    fn a_noisy_baseline_raises_the_bar() {
        let counts = [0, 10, 0, 10, 0, 10, 0, 12];

        let scored = score(&counts, Rule::default());

        // mean 30/7, sd 4.95: (12 − 4.29) / 4.95 = 1.56, no spike.
        let (score, spike) = scored[7];
        assert!(!spike);
        assert!((score.expect("a score") - 1.558).abs() < 0.01);
    }
}
