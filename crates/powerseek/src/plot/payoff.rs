//! [`PayoffPlot`]: a two-player game in payoff space: the feasible region
//! (the convex hull of the pure outcomes), its Pareto frontier, the
//! equilibria's payoffs, the threat point and the Nash bargaining point.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{chart_frame, split_below, Frame, Style, PALETTE};
use super::{draw_legend, draw_notes, err, legend_height, notes_height, Figure, LegendEntry, Mark};

/// A labelled point of a [`PayoffPlot`].
#[derive(Clone, Debug)]
pub struct PayoffPoint {
    /// `(player 1's payoff, player 2's payoff)`.
    pub at: (f64, f64),
    /// What the point is (shown in the legend).
    pub label: String,
}

/// Payoff space of a two-player game.
pub struct PayoffPlot {
    /// Caption above the chart.
    pub title: String,
    /// The x axis's description (player 1's payoff).
    pub x_label: String,
    /// The y axis's description (player 2's payoff).
    pub y_label: String,
    /// The pure-strategy outcomes.
    pub outcomes: Vec<(f64, f64)>,
    /// The feasible region's vertices in order (convex hull; may be empty).
    pub hull: Vec<(f64, f64)>,
    /// The Pareto frontier, a polyline along the hull.
    pub frontier: Vec<(f64, f64)>,
    /// Equilibrium payoffs.
    pub equilibria: Vec<(f64, f64)>,
    /// The threat (disagreement) point.
    pub threat: Option<(f64, f64)>,
    /// The Nash bargaining point.
    pub bargaining: Option<(f64, f64)>,
    /// Lines under the legend.
    pub notes: Vec<String>,
}

impl PayoffPlot {
    fn legend(&self) -> Vec<LegendEntry> {
        let mut e = vec![
            LegendEntry {
                label: "feasible payoffs".into(),
                colour: PALETTE[5],
                mark: Mark::Square,
            },
            LegendEntry {
                label: "pure outcomes".into(),
                colour: RGBColor(90, 90, 90),
                mark: Mark::Dot,
            },
        ];
        if self.frontier.len() >= 2 {
            e.push(LegendEntry {
                label: "Pareto frontier".into(),
                colour: PALETTE[0],
                mark: Mark::Line,
            });
        }
        if !self.equilibria.is_empty() {
            e.push(LegendEntry {
                label: "Nash equilibria".into(),
                colour: PALETTE[1],
                mark: Mark::Diamond,
            });
        }
        if self.threat.is_some() {
            e.push(LegendEntry {
                label: "threat point".into(),
                colour: BLACK,
                mark: Mark::Cross,
            });
        }
        if self.bargaining.is_some() {
            e.push(LegendEntry {
                label: "Nash bargaining".into(),
                colour: PALETTE[2],
                mark: Mark::Square,
            });
        }
        e
    }

    fn window(&self) -> ((f64, f64), (f64, f64)) {
        let pts = self
            .outcomes
            .iter()
            .chain(&self.equilibria)
            .chain(self.threat.iter())
            .chain(self.bargaining.iter())
            .filter(|p| p.0.is_finite() && p.1.is_finite());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for p in pts {
            x0 = x0.min(p.0);
            x1 = x1.max(p.0);
            y0 = y0.min(p.1);
            y1 = y1.max(p.1);
        }
        if x0 > x1 {
            return ((0.0, 1.0), (0.0, 1.0));
        }
        let span = (x1 - x0).max(y1 - y0).max(1e-9);
        let pad = 0.08 * span;
        ((x0 - pad, x1 + pad), (y0 - pad, y1 + pad))
    }
}

impl Figure for PayoffPlot {
    fn size(&self) -> (u32, u32) {
        (
            560,
            500 + legend_height(&self.legend(), 560) + notes_height(&self.notes),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let legend = self.legend();
        let (body, legend_area, notes_area) =
            split_below(root, st, legend_height(&legend, 560), notes_height(&self.notes));
        let (x, y) = self.window();
        let frame = Frame {
            title: Some(&self.title),
            grid: Some(RGBColor(238, 238, 238)),
            ..Frame::new(&self.x_label, &self.y_label)
        };
        let mut chart = chart_frame(&body, st, &frame, x, y)?;
        if self.hull.len() >= 3 {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    self.hull.clone(),
                    PALETTE[5].mix(0.25).filled(),
                )))
                .map_err(err)?;
        }
        if self.frontier.len() >= 2 {
            chart
                .draw_series(LineSeries::new(
                    self.frontier.clone(),
                    ShapeStyle::from(&PALETTE[0]).stroke_width(st.upx(3.0)),
                ))
                .map_err(err)?;
        }
        chart
            .draw_series(
                self.outcomes
                    .iter()
                    .map(|&p| Circle::new(p, st.upx(4.0), RGBColor(90, 90, 90).filled())),
            )
            .map_err(err)?;
        let r = st.px(8.0);
        chart
            .draw_series(self.equilibria.iter().map(|&p| {
                EmptyElement::at(p)
                    + Polygon::new(vec![(0, -r), (r, 0), (0, r), (-r, 0)], PALETTE[1].filled())
                    + PathElement::new(
                        vec![(0, -r), (r, 0), (0, r), (-r, 0), (0, -r)],
                        WHITE.stroke_width(st.upx(1.0)),
                    )
            }))
            .map_err(err)?;
        if let Some(p) = self.bargaining {
            let q = st.px(7.0);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at(p) + Rectangle::new([(-q, -q), (q, q)], PALETTE[2].filled()),
                ))
                .map_err(err)?;
        }
        if let Some(p) = self.threat {
            chart
                .draw_series(std::iter::once(Cross::new(
                    p,
                    st.px(8.0),
                    ShapeStyle::from(&BLACK).stroke_width(st.upx(3.0)),
                )))
                .map_err(err)?;
        }
        draw_legend(&legend_area, &legend, st)?;
        draw_notes(&notes_area, &self.notes, st)
    }
}
