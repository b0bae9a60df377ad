//! Charts on numeric axes: estimates with intervals ([`EstimateBars`]),
//! stacked win/tie/loss shares ([`OutcomeBars`]), lines with 95% bands
//! ([`BandChart`]) and a heatmap over two parameters ([`FieldHeatmap`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{chart_frame, number, split_below, ColourScale, Frame, Style, TickFormat, OUTCOME_COLOURS, PALETTE};
use super::{draw_colour_bar, draw_legend, draw_notes, err, legend_height, notes_height, Figure, LegendEntry, Mark};
use crate::stats::Estimate;

/// Padding of an axis range: `[lo, hi]` widened by `frac` of its span on
/// both sides (a unit window around a degenerate range).
fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let w = 0.5 * lo.abs().max(1e-3);
        return (lo - w, hi + w);
    }
    let pad = frac * (hi - lo);
    (lo - pad, hi + pad)
}

/// A 95% interval from `a` to `b` as a line with end caps `cap` device
/// pixels long, and no dot (a dot at the estimate would hide a short interval).
fn whisker<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    a: (X::ValueType, Y::ValueType),
    b: (X::ValueType, Y::ValueType),
    vertical: bool,
    style: ShapeStyle,
    cap: i32,
) -> std::result::Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    chart
        .draw_series(std::iter::once(PathElement::new(vec![a.clone(), b.clone()], style)))
        .map_err(err)?;
    let h = cap / 2;
    let tick = if vertical {
        vec![(-h, 0), (h, 0)]
    } else {
        vec![(0, -h), (0, h)]
    };
    for end in [a, b] {
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(end) + PathElement::new(tick.clone(), style),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// A bar per item (e.g. per state) with its 95% interval drawn over it.
pub struct EstimateBars<'a> {
    /// The items' names, written under their bars.
    pub names: &'a [String],
    /// One estimate per name: bar height is the mean, the whisker its `ci95`.
    pub estimates: &'a [Estimate],
    /// Caption above the chart.
    pub title: String,
    /// The y axis's description (with its unit).
    pub label: String,
    /// The x axis's description (what the items are, e.g. `state`).
    pub x_label: String,
    /// Lines under the chart (e.g. what the intervals are).
    pub notes: Vec<String>,
}

impl EstimateBars<'_> {
    fn all_notes(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        let half = self
            .estimates
            .iter()
            .map(|e| 0.5 * (e.ci95[1] - e.ci95[0]))
            .filter(|h| h.is_finite())
            .fold(0.0, f64::max);
        let (lo, hi) = self.range();
        if half > 0.0 && half < 0.01 * (hi - lo) {
            notes.push(format!(
                "black whiskers: 95% intervals, at most ±{} (narrower than the line where not visible)",
                super::style::number(half, decimals_for(half))
            ));
        } else if half > 0.0 && self.notes.is_empty() {
            notes.push("black whiskers: 95% intervals".into());
        }
        notes
    }

    fn range(&self) -> (f64, f64) {
        let vals = self
            .estimates
            .iter()
            .flat_map(|e| [e.mean, e.ci95[0], e.ci95[1]])
            .filter(|v| v.is_finite());
        let (lo, hi) = vals.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
        let (plo, phi) = padded(lo, hi, 0.06);
        (if lo < 0.0 { plo } else { 0.0 }, phi)
    }

    fn label_height(&self, st: &Style) -> (bool, u32) {
        let n = self.names.len().max(1);
        let slot = (self.width() as f64 - 110.0) / n as f64;
        let widest = self
            .names
            .iter()
            .map(|s| st.tick().box_size(s).map_or(0, |b| b.0))
            .max()
            .unwrap_or(0) as f64
            / st.scale;
        let rotate = widest > 0.9 * slot;
        (rotate, if rotate { (widest + 40.0) as u32 } else { 52 })
    }
}

/// Decimals showing two significant digits of `x`.
fn decimals_for(x: f64) -> usize {
    if x <= 0.0 || !x.is_finite() {
        return 3;
    }
    (1 - x.log10().floor() as i32).clamp(0, 8) as usize
}

impl EstimateBars<'_> {
    fn width(&self) -> u32 {
        (self.names.len() as u32 * 46).clamp(420, 2400) + 110
    }
}

impl Figure for EstimateBars<'_> {
    fn size(&self) -> (u32, u32) {
        let (_, labels) = self.label_height(&Style::default());
        (self.width(), 300 + labels + notes_height(&self.all_notes()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let notes = self.all_notes();
        let (_, h) = root.dim_in_pixel();
        let (body, notes_area) = root.split_vertically(h.saturating_sub(st.upx(notes_height(&notes) as f64)));
        let n = self.names.len();
        let (lo, hi) = self.range();
        let ticks = TickFormat::for_range(lo, hi, 6);
        let (rotate, label_h) = self.label_height(st);
        let mut chart = ChartBuilder::on(&body)
            .caption(&self.title, st.title())
            .margin(st.px(12.0))
            .x_label_area_size(st.px(label_h as f64))
            .y_label_area_size(st.px(78.0))
            .build_cartesian_2d((0..n.max(2) - 1).into_segmented(), lo..hi)
            .map_err(err)?;
        let names = self.names;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(n)
            .y_labels(6)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| ticks.label(*v))
            .x_label_style(if rotate {
                st.tick().transform(FontTransform::Rotate90)
            } else {
                st.tick()
            })
            .y_desc(format!("{}{}", self.label, ticks.suffix()))
            .x_desc(&self.x_label)
            .axis_desc_style(st.label())
            .label_style(st.tick())
            .draw()
            .map_err(err)?;
        let fill = PALETTE[5];
        chart
            .draw_series(self.estimates.iter().enumerate().map(|(i, e)| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), e.mean)],
                    fill.mix(0.75).filled(),
                );
                bar.set_margin(0, 0, st.upx(8.0), st.upx(8.0));
                bar
            }))
            .map_err(err)?;
        let style = ShapeStyle::from(&BLACK).stroke_width(st.upx(2.0));
        for (i, e) in self.estimates.iter().enumerate() {
            if e.ci95[0].is_finite() && e.ci95[1] > e.ci95[0] {
                let x = SegmentValue::CenterOf(i);
                whisker(
                    &mut chart,
                    (x.clone(), e.ci95[0]),
                    (x, e.ci95[1]),
                    true,
                    style,
                    st.px(12.0),
                )?;
            }
        }
        draw_notes(&notes_area, &notes, st)
    }
}

/// One item of [`OutcomeBars`]: shares of wins, ties and losses summing to 1.
pub struct OutcomeRow {
    /// The item's name (e.g. a decision-maker), written left of its bar.
    pub name: String,
    /// Shares `[wins, ties, losses]`.
    pub shares: [f64; 3],
    /// 95% intervals of the win and the loss share (sampled orbits; `None`: exact).
    pub ci95: Option<[[f64; 2]; 2]>,
    /// Text right of the bar (e.g. `holds`).
    pub verdict: String,
}

/// Horizontal stacked bars: per item, the share of wins, ties and losses.
pub struct OutcomeBars {
    /// Caption above the chart.
    pub title: String,
    /// Names of the three outcomes, e.g. `["p(B) > p(A)", "equal", "p(B) < p(A)"]`.
    pub outcomes: [String; 3],
    /// The x axis's description.
    pub x_label: String,
    /// One bar per row, top to bottom.
    pub rows: Vec<OutcomeRow>,
    /// Lines under the chart.
    pub notes: Vec<String>,
}

impl OutcomeBars {
    fn name_width(&self, st: &Style) -> f64 {
        self.rows
            .iter()
            .map(|r| st.tick().box_size(&r.name).map_or(0, |b| b.0))
            .max()
            .unwrap_or(0) as f64
            / st.scale
    }

    fn legend(&self) -> Vec<LegendEntry> {
        self.outcomes
            .iter()
            .zip(OUTCOME_COLOURS)
            .map(|(label, colour)| LegendEntry {
                label: label.clone(),
                colour,
                mark: Mark::Square,
            })
            .collect()
    }
}

impl Figure for OutcomeBars {
    fn size(&self) -> (u32, u32) {
        let w = 620 + self.name_width(&Style::default()) as u32;
        let h = 110 + 40 * self.rows.len() as u32 + legend_height(&self.legend(), w) + notes_height(&self.notes);
        (w, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let (w, h) = root.dim_in_pixel();
        let below = st.upx((legend_height(&self.legend(), w) + notes_height(&self.notes)) as f64);
        let (body, rest) = root.split_vertically(h.saturating_sub(below));
        let (legend_area, notes_area) = rest.split_vertically(st.upx(legend_height(&self.legend(), w) as f64));
        let (bars, verdicts) = body.split_horizontally(w.saturating_sub(st.upx(70.0)));
        let n = self.rows.len().max(1);
        let mut chart = ChartBuilder::on(&bars)
            .caption(&self.title, st.title())
            .margin(st.px(10.0))
            .margin_right(st.px(14.0))
            .x_label_area_size(st.px(50.0))
            .y_label_area_size(st.px(self.name_width(st) + 18.0))
            .build_cartesian_2d(0f64..1f64, (0..n - 1).into_segmented())
            .map_err(err)?;
        let rows = &self.rows;
        let ticks = TickFormat::for_range(0.0, 1.0, 5);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(6)
            .y_labels(n)
            .x_label_formatter(&|v| ticks.label(*v))
            .y_label_formatter(&|v| match v {
                // Row 0 at the top.
                SegmentValue::CenterOf(i) => rows.get(n - 1 - *i).map(|r| r.name.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc(&self.x_label)
            .axis_desc_style(st.label())
            .label_style(st.tick())
            .draw()
            .map_err(err)?;
        let at = |k: usize| n - 1 - k;
        for (k, row) in self.rows.iter().enumerate() {
            let mut x = 0.0;
            for (j, &share) in row.shares.iter().enumerate() {
                let mut bar = Rectangle::new(
                    [
                        (x, SegmentValue::Exact(at(k))),
                        (x + share, SegmentValue::Exact(at(k) + 1)),
                    ],
                    OUTCOME_COLOURS[j].filled(),
                );
                bar.set_margin(st.upx(6.0), st.upx(6.0), 0, 0);
                chart.draw_series(std::iter::once(bar)).map_err(err)?;
                if share >= 0.09 {
                    let colour = if j == 1 { BLACK } else { WHITE };
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{}%", number(100.0 * share, if share < 0.995 { 1 } else { 0 })),
                            (x + share / 2.0, SegmentValue::CenterOf(at(k))),
                            st.note().color(&colour).pos(Pos::new(HPos::Center, VPos::Center)),
                        )))
                        .map_err(err)?;
                }
                x += share;
            }
            if let Some([wins, losses]) = row.ci95 {
                let style = ShapeStyle::from(&BLACK).stroke_width(st.upx(2.0));
                for [a, b] in [wins, [1.0 - losses[1], 1.0 - losses[0]]] {
                    let y = SegmentValue::CenterOf(at(k));
                    whisker(&mut chart, (a, y.clone()), (b, y), false, style, st.px(12.0))?;
                }
            }
        }
        // Verdicts right of the bars, one per row, at the rows' heights.
        let (_, rows_px) = chart.plotting_area().get_pixel_range();
        let top = rows_px.start - verdicts.get_base_pixel().1;
        let row_h = (rows_px.end - rows_px.start) as f64 / n as f64;
        for (k, row) in self.rows.iter().enumerate() {
            verdicts
                .draw(&Text::new(
                    row.verdict.clone(),
                    (st.px(2.0), top + (row_h * (k as f64 + 0.5)) as i32),
                    st.tick().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(err)?;
        }
        draw_legend(&legend_area, &self.legend(), st)?;
        draw_notes(&notes_area, &self.notes, st)
    }
}

/// One series of a [`BandChart`]: points `(x, mean, low, high)`.
pub struct Band {
    /// The series' legend entry.
    pub label: String,
    /// Colour of the line and (translucent) of its band.
    pub color: RGBColor,
    /// `(x, mean, low, high)` per point, in increasing x; points with a
    /// non-finite `low` are left out of the shaded band.
    pub points: Vec<(f64, f64, f64, f64)>,
    /// Draw the line dashed (to tell apart series of another kind).
    pub dashed: bool,
}

/// Lines with shaded confidence bands against a common x axis, the legend under the chart.
pub struct BandChart {
    /// Caption above the chart.
    pub title: String,
    /// The x axis's description.
    pub x_label: String,
    /// The y axis's description.
    pub y_label: String,
    /// The series, drawn in order with a legend.
    pub series: Vec<Band>,
    /// Fixed y limits (e.g. `(0, 1)` for probabilities); `None`: from the data.
    pub y_range: Option<(f64, f64)>,
    /// Lines under the legend.
    pub notes: Vec<String>,
}

impl BandChart {
    /// The notes, plus the widest interval when every interval is too narrow to see.
    fn all_notes(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        let half = self
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| p.2.is_finite() && p.3.is_finite())
            .map(|p| 0.5 * (p.3 - p.2))
            .fold(0.0, f64::max);
        let (_, (y0, y1)) = self.ranges();
        if half > 0.0 && half < 0.01 * (y1 - y0) {
            notes.push(format!(
                "every 95% interval is at most ±{}: narrower than the markers",
                number(half, decimals_for(half))
            ));
        }
        notes
    }

    fn legend(&self) -> Vec<LegendEntry> {
        self.series
            .iter()
            .map(|s| LegendEntry {
                label: s.label.clone(),
                colour: s.color,
                mark: if s.dashed {
                    Mark::Dashed
                } else if s.points.iter().any(|p| p.2.is_finite() && p.3 > p.2) {
                    Mark::Band
                } else {
                    Mark::Line
                },
            })
            .collect()
    }

    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let all = self.series.iter().flat_map(|s| s.points.iter());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for &(x, m, lo, hi) in all {
            if x.is_finite() {
                x0 = x0.min(x);
                x1 = x1.max(x);
            }
            for v in [m, lo, hi].into_iter().filter(|v| v.is_finite()) {
                y0 = y0.min(v);
                y1 = y1.max(v);
            }
        }
        let x = if x0 < x1 { (x0, x1) } else { padded(x0, x0, 0.0) };
        let y = match self.y_range {
            Some(r) => r,
            None => padded(y0, y1, 0.06),
        };
        (x, y)
    }
}

impl Figure for BandChart {
    fn size(&self) -> (u32, u32) {
        let w = 640;
        (
            w,
            420 + legend_height(&self.legend(), w) + notes_height(&self.all_notes()),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let (w, _) = root.dim_in_pixel();
        let legend = self.legend();
        let notes = self.all_notes();
        let lh = legend_height(&legend, (w as f64 / st.scale) as u32);
        let (body, legend_area, notes_area) = split_below(root, st, lh, notes_height(&notes));
        let (x, y) = self.ranges();
        let frame = Frame {
            title: Some(&self.title),
            x_ticks: 8,
            y_label_area: 74.0,
            grid: Some(RGBColor(235, 235, 235)),
            ..Frame::new(&self.x_label, &self.y_label)
        };
        let mut chart = chart_frame(&body, st, &frame, x, y)?;
        for s in &self.series {
            let band: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| p.2.is_finite())
                .map(|p| (p.0, p.3))
                .chain(s.points.iter().rev().filter(|p| p.2.is_finite()).map(|p| (p.0, p.2)))
                .collect();
            if band.len() >= 3 {
                chart
                    .draw_series(std::iter::once(Polygon::new(band, s.color.mix(0.22).filled())))
                    .map_err(err)?;
            }
            let line = ShapeStyle::from(&s.color).stroke_width(st.upx(2.5));
            let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.1)).collect();
            if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts.clone(), st.upx(8.0), st.upx(5.0), line))
                    .map_err(err)?;
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), line)).map_err(err)?;
            }
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, st.upx(3.5), s.color.filled())))
                .map_err(err)?;
            // Whiskers too, so an interval is visible even where the band is thin.
            for p in s.points.iter().filter(|p| p.2.is_finite() && p.3 > p.2) {
                whisker(
                    &mut chart,
                    (p.0, p.2),
                    (p.0, p.3),
                    true,
                    line.stroke_width(st.upx(1.5)),
                    st.px(7.0),
                )?;
            }
        }
        draw_legend(&legend_area, &legend, st)?;
        draw_notes(&notes_area, &notes, st)
    }
}

/// A heatmap of values on a regular `xs × ys` grid (`values[iy * xs.len() + ix]`),
/// with an optional curve drawn over it and an optional marked point.
pub struct FieldHeatmap<'a> {
    /// Cell centres along x, evenly spaced and increasing (at least one).
    pub xs: &'a [f64],
    /// Cell centres along y, evenly spaced and increasing (at least one).
    pub ys: &'a [f64],
    /// `values[iy * xs.len() + ix]`; non-finite values are drawn grey.
    pub values: &'a [f64],
    /// Caption above the map.
    pub title: String,
    /// The x axis's description.
    pub x_label: String,
    /// The y axis's description.
    pub y_label: String,
    /// Caption of the colour bar.
    pub value_label: String,
    /// Points `(x, y)` of a curve drawn over the map; empty for none.
    pub curve: Vec<(f64, f64)>,
    /// The curve's legend entry.
    pub curve_label: String,
    /// A point `(x, y)` marked with a cross, and its legend entry.
    pub marker: Option<((f64, f64), String)>,
    /// The colour scale; `None`: [`ColourScale::full`] of the values.
    pub scale: Option<ColourScale>,
}

/// Cell edges around evenly spaced centres.
fn cell_edges(centres: &[f64]) -> (f64, f64, f64) {
    let step = if centres.len() > 1 {
        centres[1] - centres[0]
    } else {
        1.0
    };
    (centres[0] - step / 2.0, centres[centres.len() - 1] + step / 2.0, step)
}

impl FieldHeatmap<'_> {
    /// The colour scale the map is drawn with.
    pub fn colour_scale(&self) -> ColourScale {
        self.scale.clone().unwrap_or_else(|| ColourScale::full(self.values))
    }

    fn legend(&self) -> Vec<LegendEntry> {
        let mut entries = vec![];
        if !self.curve.is_empty() {
            entries.push(LegendEntry {
                label: self.curve_label.clone(),
                colour: WHITE,
                mark: Mark::Line,
            });
        }
        if let Some((_, label)) = &self.marker {
            entries.push(LegendEntry {
                label: label.clone(),
                colour: BLACK,
                mark: Mark::Cross,
            });
        }
        entries
    }
}

const CURVE: RGBColor = RGBColor(255, 255, 255);

impl Figure for FieldHeatmap<'_> {
    fn size(&self) -> (u32, u32) {
        (680, 540 + legend_height(&self.legend(), 680))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let scale = self.colour_scale();
        let legend = self.legend();
        let (w, _) = root.dim_in_pixel();
        let (body, legend_area, _) = split_below(root, st, legend_height(&legend, 680), 0);
        let body = body
            .margin(st.px(8.0), 0, 0, 0)
            .titled(&self.title, st.title())
            .map_err(err)?;
        let (map_area, bar_area) = body.split_horizontally(w.saturating_sub(st.upx(140.0)));
        let (x0, x1, dx) = cell_edges(self.xs);
        let (y0, y1, dy) = cell_edges(self.ys);
        let frame = Frame {
            margins: [14.0, 10.0, 10.0, 10.0],
            ..Frame::new(&self.x_label, &self.y_label)
        };
        let mut chart = chart_frame(&map_area, st, &frame, (x0, x1), (y0, y1))?;
        let nx = self.xs.len();
        chart
            .draw_series(self.values.iter().enumerate().map(|(k, &v)| {
                let (x, y) = (self.xs[k % nx], self.ys[k / nx]);
                Rectangle::new(
                    [(x - dx / 2.0, y - dy / 2.0), (x + dx / 2.0, y + dy / 2.0)],
                    scale.colour(v).filled(),
                )
            }))
            .map_err(err)?;
        if !self.curve.is_empty() {
            // A white line with a dark edge reads on every colour of the map.
            for (colour, width) in [(BLACK, 5.0), (CURVE, 2.5)] {
                chart
                    .draw_series(LineSeries::new(
                        self.curve.iter().copied(),
                        ShapeStyle::from(&colour).stroke_width(st.upx(width)),
                    ))
                    .map_err(err)?;
            }
        }
        if let Some(((x, y), _)) = &self.marker {
            for (colour, width) in [(WHITE, 5.0), (BLACK, 2.5)] {
                chart
                    .draw_series(std::iter::once(Cross::new(
                        (*x, *y),
                        st.px(9.0),
                        ShapeStyle::from(&colour).stroke_width(st.upx(width)),
                    )))
                    .map_err(err)?;
            }
        }
        draw_colour_bar(&bar_area, &scale, &self.value_label, st)?;
        if !legend.is_empty() {
            // The curve's swatch: white on the map's dark end, as drawn.
            let mut entries = legend.clone();
            if !self.curve.is_empty() {
                entries[0].colour = RGBColor(90, 90, 90);
            }
            draw_legend(&legend_area, &entries, st)?;
        }
        Ok(())
    }
}
