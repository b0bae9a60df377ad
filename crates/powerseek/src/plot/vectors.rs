//! [`ArrowDiagram`]: vectors from the origin on equally scaled axes (the
//! conflict model's preferences scaled by power), labels past the arrow
//! heads, an optional dashed projection, notes under the diagram.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{Style, TickFormat};
use super::{err, Figure};

/// One arrow of [`ArrowDiagram`].
pub struct Arrow {
    /// Text written past the arrow's tip.
    pub label: String,
    /// The tip `(x, y)`; the arrow starts at the origin.
    pub vector: (f64, f64),
    /// Colour of the arrow, its label and its note.
    pub color: RGBColor,
    /// A line of text under the diagram, one per arrow in order.
    pub note: String,
}

/// Arrows from the origin, with an optional dashed projection of one arrow's
/// tip onto another arrow's direction.
pub struct ArrowDiagram {
    /// Caption above the diagram.
    pub title: String,
    /// The arrows, drawn in order.
    pub arrows: Vec<Arrow>,
    /// `(from, onto)`: indices into `arrows`.
    pub projection: Option<(usize, usize)>,
    /// The x axis's description (what the coordinates are).
    pub x_label: String,
    /// The y axis's description.
    pub y_label: String,
    /// Lines under the arrows' notes (e.g. how the plane was chosen).
    pub notes: Vec<String>,
}

const PLOT_WIDTH: f64 = 500.0;

impl ArrowDiagram {
    fn foot(&self) -> Option<((f64, f64), f64)> {
        let (from, onto) = self.projection?;
        let (v, d) = (self.arrows.get(from)?.vector, self.arrows.get(onto)?.vector);
        let norm = d.0.hypot(d.1).max(1e-12);
        let unit = (d.0 / norm, d.1 / norm);
        let len = v.0 * unit.0 + v.1 * unit.1;
        Some(((len * unit.0, len * unit.1), len))
    }

    /// The data window: origin, tips and projection foot, padded, with
    /// x and y equally scaled on a plot [`PLOT_WIDTH`] wide.
    fn window(&self) -> ((f64, f64), (f64, f64), f64) {
        let mut pts: Vec<(f64, f64)> = vec![(0.0, 0.0)];
        pts.extend(self.arrows.iter().map(|a| a.vector));
        if let Some((f, _)) = self.foot() {
            pts.push(f);
        }
        let fin = pts.iter().filter(|p| p.0.is_finite() && p.1.is_finite());
        let (mut x0, mut x1, mut y0, mut y1) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for p in fin {
            x0 = x0.min(p.0);
            x1 = x1.max(p.0);
            y0 = y0.min(p.1);
            y1 = y1.max(p.1);
        }
        let span = (x1 - x0).max(y1 - y0).max(1e-9);
        // Room for the labels past the tips.
        let pad = 0.14 * span;
        let (x0, x1, mut y0, mut y1) = (x0 - 2.0 * pad, x1 + 2.0 * pad, y0 - pad, y1 + pad);
        // Keep the plot at least 0.45 as tall as wide.
        let min_h = 0.45 * (x1 - x0);
        if y1 - y0 < min_h {
            let extra = 0.5 * (min_h - (y1 - y0));
            y0 -= extra;
            y1 += extra;
        }
        let height = PLOT_WIDTH * (y1 - y0) / (x1 - x0);
        ((x0, x1), (y0, y1), height.min(700.0))
    }

    fn note_lines(&self) -> usize {
        self.arrows.len() + self.notes.len()
    }
}

impl Figure for ArrowDiagram {
    fn size(&self) -> (u32, u32) {
        let (_, _, h) = self.window();
        (PLOT_WIDTH as u32 + 100, h as u32 + 110 + 22 * self.note_lines() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let ((x0, x1), (y0, y1), _) = self.window();
        let (_, h) = root.dim_in_pixel();
        let (body, notes) = root.split_vertically(h.saturating_sub(st.upx(22.0 * self.note_lines() as f64 + 8.0)));
        let (xt, yt) = (TickFormat::for_range(x0, x1, 6), TickFormat::for_range(y0, y1, 6));
        let mut chart = ChartBuilder::on(&body)
            .caption(&self.title, st.title())
            .margin(st.px(10.0))
            .margin_right(st.px(30.0))
            .x_label_area_size(st.px(50.0))
            .y_label_area_size(st.px(60.0))
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(225, 225, 225))
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| xt.label(*v))
            .y_label_formatter(&|v| yt.label(*v))
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style(st.tick())
            .axis_desc_style(st.label())
            .draw()
            .map_err(err)?;
        let span = (x1 - x0).max(y1 - y0);
        if let (Some((from, onto)), Some((foot, len))) = (self.projection, self.foot()) {
            let v = self.arrows[from].vector;
            let dashed = ShapeStyle::from(&self.arrows[from].color).stroke_width(st.upx(1.5));
            for segment in [[(0.0, 0.0), foot], [v, foot]] {
                chart
                    .draw_series(DashedLineSeries::new(segment, st.upx(6.0), st.upx(5.0), dashed))
                    .map_err(err)?;
            }
            let label = format!(
                "{} onto {}'s direction: {}",
                self.arrows[from].label,
                self.arrows[onto].label,
                super::style::number(len, 2)
            );
            // Under the middle of the projected segment, clear of both arrows' tips.
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (0.5 * foot.0, 0.5 * foot.1 - 0.03 * span),
                    st.note()
                        .color(&self.arrows[from].color)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                )))
                .map_err(err)?;
        }
        for a in &self.arrows {
            let (x, y) = a.vector;
            let len = x.hypot(y).max(1e-12);
            let (ux, uy) = (x / len, y / len);
            let hd = (0.05 * span).min(0.5 * len);
            let base = (x - hd * ux, y - hd * uy);
            let style = ShapeStyle::from(&a.color).stroke_width(st.upx(3.0));
            chart
                .draw_series(LineSeries::new([(0.0, 0.0), base], style))
                .map_err(err)?;
            let head = vec![
                (x, y),
                (base.0 + 0.45 * hd * uy, base.1 - 0.45 * hd * ux),
                (base.0 - 0.45 * hd * uy, base.1 + 0.45 * hd * ux),
            ];
            chart
                .draw_series(std::iter::once(Polygon::new(head, a.color.filled())))
                .map_err(err)?;
            // The label past the tip, anchored on the side facing the tip.
            let at = (x + 0.035 * span * ux, y + 0.035 * span * uy);
            let h = if ux >= 0.0 { HPos::Left } else { HPos::Right };
            let v = if uy > 0.5 {
                VPos::Bottom
            } else if uy < -0.5 {
                VPos::Top
            } else {
                VPos::Center
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    a.label.clone(),
                    at,
                    st.label().color(&a.color).pos(Pos::new(h, v)),
                )))
                .map_err(err)?;
        }
        let lines = self
            .arrows
            .iter()
            .map(|a| (a.note.clone(), a.color))
            .chain(self.notes.iter().map(|n| (n.clone(), RGBColor(60, 60, 60))));
        for (i, (text, colour)) in lines.enumerate() {
            notes
                .draw(&Text::new(
                    text,
                    (st.px(14.0), st.px(4.0 + 22.0 * i as f64)),
                    st.font(14.0).color(&colour),
                ))
                .map_err(err)?;
        }
        Ok(())
    }
}
