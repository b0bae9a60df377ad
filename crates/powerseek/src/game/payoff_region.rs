//! A two-player game in payoff space, for drawing: the pure outcomes, the
//! feasible region (their convex hull: every payoff pair some correlated
//! profile attains), its Pareto frontier, and the equilibria, threat point
//! and Nash bargaining point of an [`AlignmentReport`]. Floating point (the
//! exact values are in the report).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::exact::Scalar;
use crate::game::alignment::AlignmentReport;
use crate::game::NormalFormGame;

/// The points of a two-player game's payoff picture, as `[u_1, u_2]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PayoffRegion {
    /// Each pure profile's payoffs, in profile order.
    pub outcomes: Vec<[f64; 2]>,
    /// The convex hull of `outcomes`, counter-clockwise (fewer than 3 points when degenerate).
    pub hull: Vec<[f64; 2]>,
    /// The hull's strong Pareto frontier, from its best point for player 1
    /// to its best point for player 2.
    pub frontier: Vec<[f64; 2]>,
    /// Expected payoffs at each Nash equilibrium of the report.
    pub equilibria: Vec<[f64; 2]>,
    /// The threat point (mixed security levels).
    pub threat_point: [f64; 2],
    /// The Nash bargaining payoffs.
    pub bargaining: [f64; 2],
}

/// Convex hull, counter-clockwise (Andrew's monotone chain; collinear points dropped).
pub fn convex_hull(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut p: Vec<[f64; 2]> = points.to_vec();
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    let mut hull: Vec<[f64; 2]> = Vec::with_capacity(2 * p.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &[f64; 2]>> = if pass == 0 {
            Box::new(p.iter())
        } else {
            Box::new(p.iter().rev())
        };
        for &q in iter {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    hull
}

/// The strong Pareto frontier of a counter-clockwise convex polygon: the
/// vertices from the best for player 1 (ties: the better for player 2)
/// counter-clockwise to the best for player 2 (ties: the better for player 1).
pub fn pareto_frontier(hull: &[[f64; 2]]) -> Vec<[f64; 2]> {
    if hull.is_empty() {
        return vec![];
    }
    let best = |i: usize, j: usize| {
        (0..hull.len())
            .max_by(|&a, &b| {
                hull[a][i]
                    .total_cmp(&hull[b][i])
                    .then(hull[a][j].total_cmp(&hull[b][j]))
            })
            .unwrap_or(0)
    };
    let (from, to) = (best(0, 1), best(1, 0));
    let mut out = vec![hull[from]];
    let mut k = from;
    while k != to {
        k = (k + 1) % hull.len();
        out.push(hull[k]);
    }
    out
}

/// The payoff picture of a two-player `game` and its alignment `report`.
pub fn payoff_region(game: &NormalFormGame, report: &AlignmentReport) -> Result<PayoffRegion> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "the payoff picture is for two-player games; this game has {} players",
            game.n_players()
        )));
    }
    let f = |x: &crate::game::Rational| f64::from_rational(x);
    let outcomes: Vec<[f64; 2]> = (0..game.n_profiles())
        .map(|k| [f(game.payoff(k, 0)), f(game.payoff(k, 1))])
        .collect();
    let hull = convex_hull(&outcomes);
    let frontier = pareto_frontier(&hull);
    let equilibria = report
        .localized
        .iter()
        .filter(|l| l.label.starts_with("Nash equilibrium"))
        .map(|l| {
            let u = game.expected_payoffs(&l.strategies);
            [f(&u[0]), f(&u[1])]
        })
        .collect();
    let b = &report.nash_bargaining.payoffs;
    Ok(PayoffRegion {
        outcomes,
        hull,
        frontier,
        equilibria,
        threat_point: [f(&report.threat_point[0]), f(&report.threat_point[1])],
        bargaining: [b[0], b[1]],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prisoners_dilemma_frontier_runs_from_temptation_to_sucker_through_cooperation() {
        // (C,C) = (3,3), (C,D) = (0,5), (D,C) = (5,0), (D,D) = (1,1).
        let pts = [[3.0, 3.0], [0.0, 5.0], [5.0, 0.0], [1.0, 1.0]];
        let hull = convex_hull(&pts);
        assert_eq!(hull.len(), 4);
        assert_eq!(pareto_frontier(&hull), vec![[5.0, 0.0], [3.0, 3.0], [0.0, 5.0]]);
    }

    #[test]
    fn collinear_and_repeated_points_are_dropped() {
        let pts = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0], [0.0, 2.0]];
        assert_eq!(convex_hull(&pts).len(), 3);
        // Matching pennies: outcomes (1,−1) and (−1,1) only; frontier is the segment.
        let mp = convex_hull(&[[1.0, -1.0], [-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]);
        assert_eq!(pareto_frontier(&mp), vec![[1.0, -1.0], [-1.0, 1.0]]);
    }
}
