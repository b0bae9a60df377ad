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

const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded font is valid; a failure here would only lose text.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../assets/DejaVuSans.ttf"),
        );
    });
}

/// Something that can draw itself on any plotters backend.
pub trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>;
}

/// Render `figure` to `path` (`.svg` or `.png`).
pub fn save(figure: &impl Figure, path: &Path) -> Result<()> {
    register_font();
    let fail = |e: String| Error::invalid(format!("{}: cannot draw the plot: {e}", path.display()));
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
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
    pub layout: &'a GridLayout,
    /// One value per state, in state order.
    pub values: &'a [f64],
    pub title: String,
    pub label: String,
}

impl Figure for GridHeatmap<'_> {
    fn size(&self) -> (u32, u32) {
        let (w, h) = (self.layout.width as f64, self.layout.height as f64);
        let cell = (640.0 / w.max(h)).clamp(2.0, 60.0);
        ((w * cell) as u32 + 200, (h * cell) as u32 + 90)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
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
                        let color = match (
                            layout.cells[r * layout.width + c],
                            value_at[r * layout.width + c],
                        ) {
                            (Cell::Open, Some(v)) => ViridisRGB::get_color_normalized(v, lo, hi),
                            _ => wall,
                        };
                        Rectangle::new(
                            [(c as f64, r as f64), (c as f64 + 1.0, r as f64 + 1.0)],
                            color.filled(),
                        )
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
    pub names: &'a [String],
    pub estimates: &'a [Estimate],
    pub title: String,
    pub label: String,
}

impl Figure for EstimateBars<'_> {
    fn size(&self) -> (u32, u32) {
        ((self.names.len() as u32 * 40).clamp(480, 2400) + 100, 480)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
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
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), e.mean),
                    ],
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
