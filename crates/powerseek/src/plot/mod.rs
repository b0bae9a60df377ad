//! Pictures: SVG or PNG (chosen by the file extension), drawn with plotters
//! and an embedded font so they render on a machine without system fonts.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::mdp::{Cell, GridLayout};
use crate::stats::Estimate;

/// Colours for figures that take them (re-exported so callers need not depend on plotters).
pub use plotters::style::RGBColor;

const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded font is valid; a failure here would only lose text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, include_bytes!("../../assets/DejaVuSans.ttf"));
    });
}

/// Something that can draw itself on any plotters backend.
pub trait Figure {
    /// The picture's size in pixels, `(width, height)` (for SVG, user units).
    fn size(&self) -> (u32, u32);
    /// Draw onto `root`, an area of [`Figure::size`]; the error is the
    /// backend's message, which [`save`] wraps with the file name.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String>;
}

/// Render `figure` to `path` (`.svg` or `.png`).
pub fn save(figure: &impl Figure, path: &Path) -> Result<()> {
    register_font();
    let fail = |e: String| Error::invalid(format!("{}: cannot draw the plot: {e}", path.display()));
    let ext = crate::input::extension(path);
    match ext.as_str() {
        "svg" => {
            let root = SVGBackend::new(path, figure.size()).into_drawing_area();
            figure.draw(&root).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
        "png" => {
            let root = BitMapBackend::new(path, figure.size()).into_drawing_area();
            figure.draw(&root).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
        _ => Err(Error::invalid(format!(
            "{}: plot files must end in .svg or .png",
            path.display()
        ))),
    }
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// A per-cell heatmap of a value over a gridworld, walls drawn dark, with a colour bar.
pub struct GridHeatmap<'a> {
    /// The grid the states sit on (from [`crate::mdp::Mdp::layout`]).
    pub layout: &'a GridLayout,
    /// One value per state, in state order.
    pub values: &'a [f64],
    /// Caption above the map.
    pub title: String,
    /// Caption of the colour bar (what the values are, e.g. `POWER`).
    pub label: String,
}

impl Figure for GridHeatmap<'_> {
    fn size(&self) -> (u32, u32) {
        let (w, h) = (self.layout.width as f64, self.layout.height as f64);
        let cell = (640.0 / w.max(h)).clamp(2.0, 60.0);
        ((w * cell) as u32 + 200, (h * cell) as u32 + 90)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String> {
        let layout = self.layout;
        root.fill(&WHITE).map_err(err)?;
        let (lo, hi) = finite_range(self.values);
        let (width, _) = self.size();
        let (map_area, bar_area) = root.split_horizontally(width - 130);
        let mut chart = ChartBuilder::on(&map_area)
            .caption(&self.title, (FONT, 18))
            .margin(10)
            .build_cartesian_2d(0f64..layout.width as f64, layout.height as f64..0f64)
            .map_err(err)?;
        let mut value_at = vec![None; layout.width * layout.height];
        for (s, &(r, c)) in layout.position.iter().enumerate() {
            value_at[r * layout.width + c] = Some(self.values[s]);
        }
        let wall = RGBColor(60, 60, 60);
        let annotate = layout.width <= 12 && layout.height <= 12;
        chart
            .draw_series(
                (0..layout.height)
                    .flat_map(|r| (0..layout.width).map(move |c| (r, c)))
                    .map(|(r, c)| {
                        let color = match (layout.cells[r * layout.width + c], value_at[r * layout.width + c]) {
                            (Cell::Open, Some(v)) => ViridisRGB::get_color_normalized(v, lo, hi),
                            _ => wall,
                        };
                        Rectangle::new([(c as f64, r as f64), (c as f64 + 1.0, r as f64 + 1.0)], color.filled())
                    }),
            )
            .map_err(err)?;
        if annotate {
            chart
                .draw_series(layout.position.iter().enumerate().map(|(s, &(r, c))| {
                    let v = self.values[s];
                    let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                    let color = if t > 0.6 { BLACK } else { WHITE };
                    Text::new(
                        format!("{v:.3}"),
                        (c as f64 + 0.5, r as f64 + 0.5),
                        (FONT, 13)
                            .into_font()
                            .color(&color)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )
                }))
                .map_err(err)?;
        }
        draw_colour_bar(&bar_area, lo, hi, &self.label)
    }
}

fn finite_range(values: &[f64]) -> (f64, f64) {
    let lo = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        return (lo - 0.5e-3, hi + 0.5e-3);
    }
    (lo, hi)
}

fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lo: f64,
    hi: f64,
    label: &str,
) -> std::result::Result<(), String> {
    let mut bar = ChartBuilder::on(area)
        .margin_top(40)
        .margin_bottom(40)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..1f64, lo..hi)
        .map_err(err)?;
    bar.configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .disable_x_axis()
        .y_desc(label)
        .y_label_formatter(&|v| format!("{v:.3}"))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(err)?;
    let steps = 100;
    bar.draw_series((0..steps).map(|i| {
        let a = lo + (hi - lo) * i as f64 / steps as f64;
        let b = lo + (hi - lo) * (i + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            ViridisRGB::get_color_normalized(0.5 * (a + b), lo, hi).filled(),
        )
    }))
    .map_err(err)?;
    Ok(())
}

/// A bar per item (e.g. per state) with 95% confidence intervals as error bars.
pub struct EstimateBars<'a> {
    /// The items' names, written under their bars.
    pub names: &'a [String],
    /// One estimate per name: bar height is the mean, the error bar its `ci95`.
    pub estimates: &'a [Estimate],
    /// Caption above the chart.
    pub title: String,
    /// The y axis's description.
    pub label: String,
}

impl Figure for EstimateBars<'_> {
    fn size(&self) -> (u32, u32) {
        ((self.names.len() as u32 * 40).clamp(480, 2400) + 100, 480)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let n = self.names.len();
        let top = self
            .estimates
            .iter()
            .map(|e| e.ci95[1].max(e.mean))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let bottom = self
            .estimates
            .iter()
            .map(|e| e.ci95[0].min(e.mean))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::min);
        let pad = 0.08 * (top - bottom).max(1e-9);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 18))
            .margin(15)
            .x_label_area_size(if n > 12 { 90 } else { 40 })
            .y_label_area_size(70)
            .build_cartesian_2d(
                (0..n.max(2) - 1).into_segmented(),
                (bottom - if bottom < 0.0 { pad } else { 0.0 })..(top + pad),
            )
            .map_err(err)?;
        let names = self.names;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_style(if n > 12 {
                (FONT, 12).into_font().transform(FontTransform::Rotate90)
            } else {
                (FONT, 13).into_font()
            })
            .y_desc(&self.label)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        let fill = RGBColor(70, 110, 180);
        chart
            .draw_series(self.estimates.iter().enumerate().map(|(i, e)| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), e.mean)],
                    fill.mix(0.8).filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bar
            }))
            .map_err(err)?;
        chart
            .draw_series(
                self.estimates
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.ci95[0].is_finite())
                    .map(|(i, e)| {
                        ErrorBar::new_vertical(
                            SegmentValue::CenterOf(i),
                            e.ci95[0],
                            e.mean,
                            e.ci95[1],
                            BLACK.filled(),
                            8,
                        )
                    }),
            )
            .map_err(err)?;
        Ok(())
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
    /// Points `(x, y)` of a red curve drawn over the map; empty for none.
    pub curve: Vec<(f64, f64)>,
    /// The curve's legend entry.
    pub curve_label: String,
    /// A point `(x, y)` marked with a cross, and its legend entry.
    pub marker: Option<((f64, f64), String)>,
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

impl Figure for FieldHeatmap<'_> {
    fn size(&self) -> (u32, u32) {
        (820, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let (lo, hi) = finite_range(self.values);
        let (map_area, bar_area) = root.split_horizontally(690);
        let (x0, x1, dx) = cell_edges(self.xs);
        let (y0, y1, dy) = cell_edges(self.ys);
        let mut chart = ChartBuilder::on(&map_area)
            .caption(&self.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(err)?;
        let nx = self.xs.len();
        chart
            .draw_series(self.values.iter().enumerate().map(|(k, &v)| {
                let (x, y) = (self.xs[k % nx], self.ys[k / nx]);
                let color = if v.is_finite() {
                    ViridisRGB::get_color_normalized(v, lo, hi)
                } else {
                    RGBColor(200, 200, 200)
                };
                Rectangle::new(
                    [(x - dx / 2.0, y - dy / 2.0), (x + dx / 2.0, y + dy / 2.0)],
                    color.filled(),
                )
            }))
            .map_err(err)?;
        if !self.curve.is_empty() {
            chart
                .draw_series(LineSeries::new(
                    self.curve.iter().copied(),
                    ShapeStyle::from(&RED).stroke_width(3),
                ))
                .map_err(err)?
                .label(&self.curve_label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], ShapeStyle::from(&RED).stroke_width(3)));
        }
        if let Some(((x, y), label)) = &self.marker {
            chart
                .draw_series(std::iter::once(Cross::new(
                    (*x, *y),
                    9,
                    ShapeStyle::from(&WHITE).stroke_width(3),
                )))
                .map_err(err)?
                .label(label)
                .legend(|(x, y)| Cross::new((x + 9, y), 6, ShapeStyle::from(&BLACK).stroke_width(2)));
        }
        if !self.curve.is_empty() || self.marker.is_some() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font((FONT, 13))
                .draw()
                .map_err(err)?;
        }
        draw_colour_bar(&bar_area, lo, hi, &self.value_label)
    }
}

/// One arrow of [`ArrowDiagram`].
pub struct Arrow {
    /// Text written at the arrow's tip.
    pub label: String,
    /// The tip `(x, y)`; the arrow starts at the origin.
    pub vector: (f64, f64),
    /// Colour of the arrow, its label and its note.
    pub color: RGBColor,
    /// A line of text under the diagram, one per arrow in order.
    pub note: String,
}

/// Arrows from the origin (preferences scaled by power), with an optional
/// dashed projection of one arrow's tip onto another arrow's direction.
pub struct ArrowDiagram {
    /// Caption above the diagram.
    pub title: String,
    /// The arrows, drawn in order (at most about 3 notes fit under the diagram).
    pub arrows: Vec<Arrow>,
    /// `(from, onto)`: indices into `arrows`.
    pub projection: Option<(usize, usize)>,
}

impl Figure for ArrowDiagram {
    fn size(&self) -> (u32, u32) {
        (640, 640)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let reach = self
            .arrows
            .iter()
            .map(|a| a.vector.0.hypot(a.vector.1))
            .fold(1e-9, f64::max)
            * 1.25;
        let (body, notes) = root.split_vertically(560);
        let mut chart = ChartBuilder::on(&body)
            .caption(&self.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(-reach..reach, -reach..reach)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .label_style((FONT, 11))
            .draw()
            .map_err(err)?;
        if let Some((from, onto)) = self.projection {
            let (v, d) = (self.arrows[from].vector, self.arrows[onto].vector);
            let norm = d.0.hypot(d.1).max(1e-12);
            let unit = (d.0 / norm, d.1 / norm);
            let len = v.0 * unit.0 + v.1 * unit.1;
            let foot = (len * unit.0, len * unit.1);
            let dashed = ShapeStyle::from(&self.arrows[from].color).stroke_width(2);
            for segment in [[(0.0, 0.0), foot], [v, foot]] {
                chart
                    .draw_series(DashedLineSeries::new(segment, 6, 5, dashed))
                    .map_err(err)?;
            }
            let label = format!(
                "{} onto {}: {len:+.2}",
                self.arrows[from].label, self.arrows[onto].label
            );
            let at = (0.5 * foot.0, 0.5 * foot.1 - 0.06 * reach);
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    at,
                    (FONT, 13).into_font().color(&self.arrows[from].color),
                )))
                .map_err(err)?;
        }
        for a in &self.arrows {
            let (x, y) = a.vector;
            let style = ShapeStyle::from(&a.color).stroke_width(3);
            chart
                .draw_series(LineSeries::new([(0.0, 0.0), (x, y)], style))
                .map_err(err)?;
            // Arrow head: a small triangle at the tip.
            let len = x.hypot(y).max(1e-12);
            let (ux, uy) = (x / len, y / len);
            let h = 0.06 * reach;
            let head = vec![
                (x, y),
                (x - h * ux + 0.5 * h * uy, y - h * uy - 0.5 * h * ux),
                (x - h * ux - 0.5 * h * uy, y - h * uy + 0.5 * h * ux),
            ];
            chart
                .draw_series(std::iter::once(Polygon::new(head, a.color.filled())))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    a.label.clone(),
                    (x + 0.04 * reach * ux, y + 0.04 * reach * uy),
                    (FONT, 15).into_font().color(&a.color),
                )))
                .map_err(err)?;
        }
        for (i, a) in self.arrows.iter().enumerate() {
            notes
                .draw(&Text::new(
                    a.note.clone(),
                    (20, 8 + 22 * i as i32),
                    (FONT, 15).into_font().color(&a.color),
                ))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// Several figures side by side (e.g. one heatmap per agent).
pub struct Row<F: Figure> {
    /// The figures, left to right, each at its own size.
    pub panels: Vec<F>,
}

impl<F: Figure> Figure for Row<F> {
    fn size(&self) -> (u32, u32) {
        let w = self.panels.iter().map(|p| p.size().0).sum();
        let h = self.panels.iter().map(|p| p.size().1).max().unwrap_or(0);
        (w, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let mut rest = root.clone();
        for panel in &self.panels {
            let (left, right) = rest.split_horizontally(panel.size().0);
            panel.draw(&left)?;
            rest = right;
        }
        Ok(())
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
}

/// Lines with shaded confidence bands against a common x axis.
pub struct BandChart {
    /// Caption above the chart.
    pub title: String,
    /// The x axis's description.
    pub x_label: String,
    /// The y axis's description.
    pub y_label: String,
    /// The series, drawn in order with a legend.
    pub series: Vec<Band>,
}

impl Figure for BandChart {
    fn size(&self) -> (u32, u32) {
        (820, 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let all = self.series.iter().flat_map(|s| s.points.iter());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for &(x, m, lo, hi) in all {
            x0 = x0.min(x);
            x1 = x1.max(x);
            for v in [m, lo, hi].into_iter().filter(|v| v.is_finite()) {
                y0 = y0.min(v);
                y1 = y1.max(v);
            }
        }
        // Degenerate or empty ranges (including NaN) get a unit window.
        if x0.partial_cmp(&x1) != Some(std::cmp::Ordering::Less) {
            (x0, x1) = (x0 - 1.0, x0 + 1.0);
        }
        if y0.partial_cmp(&y1) != Some(std::cmp::Ordering::Less) {
            (y0, y1) = (y0 - 1.0, y0 + 1.0);
        }
        let pad = 0.06 * (y1 - y0);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 18))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
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
                    .draw_series(std::iter::once(Polygon::new(band, s.color.mix(0.2).filled())))
                    .map_err(err)?;
            }
            let color = s.color;
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|p| (p.0, p.1)),
                    ShapeStyle::from(&color).stroke_width(2),
                ))
                .map_err(err)?
                .label(&s.label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], ShapeStyle::from(&color).stroke_width(3))
                });
            chart
                .draw_series(s.points.iter().map(|p| Circle::new((p.0, p.1), 3, color.filled())))
                .map_err(err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}
