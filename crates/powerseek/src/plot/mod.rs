//! Pictures: SVG or PNG (chosen by the file extension), drawn with plotters
//! and an embedded font so they render on a machine without system fonts.
//!
//! Every figure follows one style ([`style`]): sizes readable in a paper
//! column, PNGs at twice the logical size, the Okabe–Ito palette for series,
//! viridis for sequential heatmaps and a blue–white–red map for signed ones,
//! labelled axes, legends and notes outside the data area, and a visible 95%
//! interval on every Monte Carlo estimate. The figures:
//!
//! * [`GridHeatmap`]: a value per gridworld cell, with row/column coordinates,
//!   start/terminal/other-agent markers, optimal-action arrows and a robust colour scale;
//! * [`FieldHeatmap`]: a value on a regular 2-D grid of parameters;
//! * [`EstimateBars`]: one estimate per item with its interval;
//! * [`OutcomeBars`]: per item, stacked shares of wins, ties and losses;
//! * [`BandChart`]: lines with shaded 95% bands against a common x axis;
//! * [`ArrowDiagram`]: vectors from the origin (the conflict model's preferences × power);
//! * [`PayoffPlot`]: a two-player game's payoff region, Pareto frontier,
//!   equilibria, threat point and Nash bargaining point;
//! * [`Row`] and [`Column`]: panels side by side or stacked.

mod charts;
mod grid;
mod payoff;
pub mod style;
mod vectors;

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};

pub use charts::{Band, BandChart, EstimateBars, FieldHeatmap, OutcomeBars, OutcomeRow};
pub use grid::{move_direction, optimal_moves, GridHeatmap, GridMarkers};
pub use payoff::{PayoffPlot, PayoffPoint};
/// Colours for figures that take them (re-exported so callers need not depend on plotters).
pub use plotters::style::RGBColor;
pub use style::{series_colour, ColourMap, ColourScale, Style, TickFormat, PALETTE};
pub use vectors::{Arrow, ArrowDiagram};

use style::FONT;

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded font is valid; a failure here would only lose text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, include_bytes!("../../assets/DejaVuSans.ttf"));
    });
}

/// Something that can draw itself on any plotters backend.
pub trait Figure {
    /// The picture's logical size, `(width, height)`: SVG user units; a PNG
    /// is [`style::PNG_SCALE`] times larger.
    fn size(&self) -> (u32, u32);
    /// Draw onto `root`, an area of [`Figure::size`] times `style.scale`;
    /// the error is the backend's message, which [`save`] wraps with the file name.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: &Style)
        -> std::result::Result<(), String>;
}

fn scaled((w, h): (u32, u32), s: &Style) -> (u32, u32) {
    (s.upx(w as f64), s.upx(h as f64))
}

/// Render `figure` to `path` (`.svg`, or `.png` at [`style::PNG_SCALE`]× resolution).
pub fn save(figure: &impl Figure, path: &Path) -> Result<()> {
    register_font();
    let fail = |e: String| Error::invalid(format!("{}: cannot draw the plot: {e}", path.display()));
    let ext = crate::input::extension(path);
    match ext.as_str() {
        "svg" => {
            let st = Style::default();
            let root = SVGBackend::new(path, scaled(figure.size(), &st)).into_drawing_area();
            figure.draw(&root, &st).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
        "png" => {
            let st = Style {
                scale: style::PNG_SCALE,
            };
            let root = BitMapBackend::new(path, scaled(figure.size(), &st)).into_drawing_area();
            figure.draw(&root, &st).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
        _ => Err(Error::invalid(format!(
            "{}: plot files must end in .svg or .png",
            path.display()
        ))),
    }
}

/// The SVG text of `figure` (what [`save`] writes to a `.svg` file).
pub fn render_svg(figure: &impl Figure) -> Result<String> {
    register_font();
    let mut text = String::new();
    {
        let st = Style::default();
        let root = SVGBackend::with_string(&mut text, scaled(figure.size(), &st)).into_drawing_area();
        figure
            .draw(&root, &st)
            .map_err(|e| Error::invalid(format!("cannot draw the plot: {e}")))?;
        root.present()
            .map_err(|e| Error::invalid(format!("cannot draw the plot: {e}")))?;
    }
    Ok(text)
}

/// The pixels of `figure` as a PNG would hold them: `(width, height, RGB bytes)`.
pub fn render_pixels(figure: &impl Figure) -> Result<(u32, u32, Vec<u8>)> {
    register_font();
    let st = Style {
        scale: style::PNG_SCALE,
    };
    let (w, h) = scaled(figure.size(), &st);
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        figure
            .draw(&root, &st)
            .map_err(|e| Error::invalid(format!("cannot draw the plot: {e}")))?;
        root.present()
            .map_err(|e| Error::invalid(format!("cannot draw the plot: {e}")))?;
    }
    Ok((w, h, buf))
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// What a legend entry's swatch looks like.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mark {
    /// A line with a shaded band behind it.
    Band,
    /// A plain line.
    Line,
    /// A dashed line.
    Dashed,
    /// A filled square.
    Square,
    /// A filled circle.
    Dot,
    /// A diagonal cross.
    Cross,
    /// A filled diamond.
    Diamond,
}

/// One entry of a legend drawn under a chart.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub colour: RGBColor,
    pub mark: Mark,
}

const SWATCH: f64 = 26.0;

fn text_width(text: &str, st: &Style) -> f64 {
    st.label()
        .box_size(text)
        .map_or(text.chars().count() as f64 * 9.0 * st.scale, |b| b.0 as f64)
}

/// Lines of entries (indices) fitting a width of `width` device pixels.
fn legend_lines(entries: &[LegendEntry], width: f64, st: &Style) -> Vec<Vec<usize>> {
    let mut lines: Vec<Vec<usize>> = vec![];
    let mut used = f64::INFINITY;
    for (i, e) in entries.iter().enumerate() {
        let w = st.scale * (SWATCH + 8.0 + 22.0) + text_width(&e.label, st);
        if used + w > width {
            lines.push(vec![]);
            used = st.scale * 12.0;
        }
        if let Some(line) = lines.last_mut() {
            line.push(i);
        }
        used += w;
    }
    lines
}

/// Logical height a legend of `entries` takes at logical width `width`.
pub(crate) fn legend_height(entries: &[LegendEntry], width: u32) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    let st = Style::default();
    legend_lines(entries, width as f64, &st).len() as u32 * 24 + 8
}

/// Draw a legend (entries left to right, wrapping) in `area`, outside the data.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    st: &Style,
) -> std::result::Result<(), String> {
    let width = area.dim_in_pixel().0 as f64;
    for (row, line) in legend_lines(entries, width, st).iter().enumerate() {
        let y = st.px(4.0 + 24.0 * row as f64 + 12.0);
        let mut x = st.px(12.0);
        for &i in line {
            let e = &entries[i];
            draw_swatch(area, e, (x, y), st)?;
            x += st.px(SWATCH + 8.0);
            area.draw(&Text::new(
                e.label.clone(),
                (x, y),
                st.label().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            x += text_width(&e.label, st) as i32 + st.px(22.0);
        }
    }
    Ok(())
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &LegendEntry,
    (x, y): (i32, i32),
    st: &Style,
) -> std::result::Result<(), String> {
    let c = e.colour;
    let (w, h) = (st.px(SWATCH), st.px(7.0));
    let line = ShapeStyle::from(&c).stroke_width(st.upx(2.5));
    match e.mark {
        Mark::Band => {
            area.draw(&Rectangle::new([(x, y - h), (x + w, y + h)], c.mix(0.25).filled()))
                .map_err(err)?;
            area.draw(&PathElement::new(vec![(x, y), (x + w, y)], line))
                .map_err(err)
        }
        Mark::Line => area
            .draw(&PathElement::new(vec![(x, y), (x + w, y)], line))
            .map_err(err),
        Mark::Dashed => {
            let d = w / 5;
            for k in [0, 2, 4] {
                area.draw(&PathElement::new(vec![(x + k * d, y), (x + (k + 1) * d, y)], line))
                    .map_err(err)?;
            }
            Ok(())
        }
        Mark::Square => area
            .draw(&Rectangle::new(
                [(x + w / 4, y - h), (x + w / 4 + 2 * h, y + h)],
                c.filled(),
            ))
            .map_err(err),
        Mark::Dot => area
            .draw(&Circle::new((x + w / 2, y), st.px(5.0), c.filled()))
            .map_err(err),
        Mark::Cross => area
            .draw(&Cross::new(
                (x + w / 2, y),
                st.px(6.0),
                ShapeStyle::from(&c).stroke_width(st.upx(2.5)),
            ))
            .map_err(err),
        Mark::Diamond => {
            let r = st.px(7.0);
            let cx = x + w / 2;
            area.draw(&Polygon::new(
                vec![(cx, y - r), (cx + r, y), (cx, y + r), (cx - r, y)],
                c.filled(),
            ))
            .map_err(err)
        }
    }
}

/// Logical height of `notes` drawn by [`draw_notes`].
pub(crate) fn notes_height(notes: &[String]) -> u32 {
    if notes.is_empty() {
        0
    } else {
        notes.len() as u32 * 18 + 8
    }
}

/// Lines of small text (what a figure's reader must know: clipped cells,
/// interval widths, the frame of a projection), left-aligned in `area`.
pub(crate) fn draw_notes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    notes: &[String],
    st: &Style,
) -> std::result::Result<(), String> {
    for (i, n) in notes.iter().enumerate() {
        area.draw(&Text::new(
            n.clone(),
            (st.px(12.0), st.px(4.0 + 18.0 * i as f64)),
            st.note().color(&RGBColor(60, 60, 60)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A vertical colour bar for `scale` with its description, in `area`.
pub(crate) fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: &ColourScale,
    label: &str,
    st: &Style,
) -> std::result::Result<(), String> {
    let (lo, hi) = (scale.lo, scale.hi);
    let ticks = TickFormat::for_range(lo, hi, 6);
    let desc = format!("{label}{}", ticks.suffix());
    let mut bar = ChartBuilder::on(area)
        .margin_top(st.px(36.0))
        .margin_bottom(st.px(48.0))
        .margin_right(st.px(4.0))
        .margin_left(st.px(6.0))
        .y_label_area_size(st.px(78.0))
        .build_cartesian_2d(0f64..1f64, lo..hi)
        .map_err(err)?;
    bar.configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_desc(desc)
        .y_label_formatter(&|v| ticks.label(*v))
        .label_style(st.tick())
        .axis_desc_style(st.label())
        .draw()
        .map_err(err)?;
    let steps = 128;
    bar.draw_series((0..steps).map(|i| {
        let a = lo + (hi - lo) * i as f64 / steps as f64;
        let b = lo + (hi - lo) * (i + 1) as f64 / steps as f64;
        Rectangle::new([(0.0, a), (1.0, b)], scale.colour(0.5 * (a + b)).filled())
    }))
    .map_err(err)?;
    Ok(())
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

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let mut rest = root.clone();
        for panel in &self.panels {
            let (left, right) = rest.split_horizontally(st.upx(panel.size().0 as f64));
            panel.draw(&left, st)?;
            rest = right;
        }
        Ok(())
    }
}

/// Several figures stacked top to bottom (e.g. POWER and optimal-action
/// probabilities against γ).
pub struct Column<F: Figure> {
    /// The figures, top to bottom, each at its own size.
    pub panels: Vec<F>,
}

impl<F: Figure> Figure for Column<F> {
    fn size(&self) -> (u32, u32) {
        let w = self.panels.iter().map(|p| p.size().0).max().unwrap_or(0);
        let h = self.panels.iter().map(|p| p.size().1).sum();
        (w, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let mut rest = root.clone();
        for panel in &self.panels {
            let (top, bottom) = rest.split_vertically(st.upx(panel.size().1 as f64));
            panel.draw(&top, st)?;
            rest = bottom;
        }
        Ok(())
    }
}
