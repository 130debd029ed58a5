//! Monte Carlo experiments.
