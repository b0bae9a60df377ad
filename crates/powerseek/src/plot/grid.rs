//! [`GridHeatmap`]: a value per gridworld cell, with row and column
//! coordinates, walls, start/terminal/other-agent markers, optional
//! optimal-action arrows and a robust colour scale whose clipped cells are
//! hatched and named in a note.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{number, text_width, ColourMap, ColourScale, Style, MISSING, NOTE_SIZE, TITLE_SIZE, WALL};
use super::{draw_colour_bar, draw_notes, err, notes_height, Figure};
use crate::mdp::power::PowerReport;
use crate::mdp::{Cell, GridLayout, Mdp};

/// Cells to mark on a [`GridHeatmap`] (state indices).
#[derive(Clone, Debug, Default)]
pub struct GridMarkers {
    /// The start state, marked `S`.
    pub start: Option<usize>,
    /// Absorbing states (every action stays put), marked `T`.
    pub terminals: Vec<usize>,
    /// Another agent's fixed cell, marked with its letter (e.g. `A`).
    pub other: Option<(usize, String)>,
}

impl GridMarkers {
    /// The start state and the absorbing states of `mdp`.
    pub fn of(mdp: &Mdp) -> GridMarkers {
        let terminals = (0..mdp.n_states())
            .filter(|&s| {
                mdp.actions(s).all(|a| {
                    let (to, _) = mdp.successors(a);
                    to.iter().all(|&t| t as usize == s)
                })
            })
            .collect();
        GridMarkers {
            start: mdp.start(),
            terminals,
            other: None,
        }
    }
}

/// The direction `(d_col, d_row)` of a gridworld move by its action name
/// (`up`, `down`, `left`, `right`, `stay`); `None` for other names.
pub fn move_direction(action: &str) -> Option<(i32, i32)> {
    match action {
        "up" => Some((0, -1)),
        "down" => Some((0, 1)),
        "left" => Some((-1, 0)),
        "right" => Some((1, 0)),
        "stay" => Some((0, 0)),
        _ => None,
    }
}

/// Per state of a gridworld, its moves' directions and the probability that
/// each is optimal (ties split), for [`GridHeatmap::arrows`].
pub fn optimal_moves(mdp: &Mdp, report: &PowerReport) -> Vec<Vec<((i32, i32), f64)>> {
    (0..mdp.n_states())
        .map(|s| {
            mdp.actions(s)
                .filter_map(|a| move_direction(mdp.action_name(a)).map(|d| (d, report.actions[a].optimal_share)))
                .collect()
        })
        .collect()
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
    /// Cells to mark.
    pub markers: GridMarkers,
    /// Per state, `(direction, probability)` of its moves: the direction as
    /// `(d_col, d_row)` (e.g. `(0, -1)` up, `(0, 0)` stay), drawn as an arrow
    /// whose length is the probability (empty: no arrows).
    pub arrows: Vec<Vec<((i32, i32), f64)>>,
    /// The colour scale; `None`: [`ColourScale::robust`] of the values.
    pub scale: Option<ColourScale>,
}

impl<'a> GridHeatmap<'a> {
    /// A heatmap without markers or arrows, on the robust colour scale.
    pub fn new(layout: &'a GridLayout, values: &'a [f64], title: String, label: String) -> Self {
        GridHeatmap {
            layout,
            values,
            title,
            label,
            markers: GridMarkers::default(),
            arrows: vec![],
            scale: None,
        }
    }

    /// The colour scale the map is drawn with.
    pub fn colour_scale(&self) -> ColourScale {
        self.scale.clone().unwrap_or_else(|| ColourScale::robust(self.values))
    }

    fn cell(&self) -> f64 {
        let (w, h) = (self.layout.width as f64, self.layout.height as f64);
        (560.0 / w.max(h * 1.4)).clamp(3.0, 64.0)
    }

    fn annotate(&self) -> bool {
        self.cell() >= 40.0
    }

    /// The lines under the map: the markers' key and the clipped cells.
    pub fn notes(&self) -> Vec<String> {
        let scale = self.colour_scale();
        let mut notes = vec![];
        let mut key = vec![];
        if self.markers.start.is_some() {
            key.push("S start".to_string());
        }
        if !self.markers.terminals.is_empty() {
            key.push("T terminal (absorbing)".to_string());
        }
        if let Some((_, letter)) = &self.markers.other {
            key.push(format!("{letter} the other agent's cell"));
        }
        if self.layout.cells.contains(&Cell::Wall) {
            key.push("dark grey: wall".to_string());
        }
        if !self.arrows.is_empty() {
            key.push("arrows: P(optimal action), length relative to the cell's likeliest; circle: stay".to_string());
        }
        if !key.is_empty() {
            notes.push(key.join(" · "));
        }
        if scale.outliers > 0 {
            let out: Vec<String> = self
                .layout
                .position
                .iter()
                .zip(self.values)
                .filter(|(_, &v)| scale.is_outlier(v))
                .take(3)
                .map(|(&(r, c), &v)| format!("{} at row {r}, col {c}", number(v, 3)))
                .collect();
            notes.push(format!(
                "hatched: {} cell{} outside the colour range ({}{}), left out of its limits",
                scale.outliers,
                if scale.outliers == 1 { "" } else { "s" },
                out.join("; "),
                if scale.outliers > 3 { "; …" } else { "" }
            ));
        }
        notes
    }
}

/// Every `k`-th index gets a coordinate label, about 12 per axis at most.
fn label_every(n: usize) -> usize {
    [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]
        .into_iter()
        .find(|&k| n.div_ceil(k) <= 16)
        .unwrap_or(n.max(1))
}

impl Figure for GridHeatmap<'_> {
    fn size(&self) -> (u32, u32) {
        let (w, h) = (self.layout.width as f64, self.layout.height as f64);
        let cell = self.cell();
        let notes = self.notes();
        let widest = notes
            .iter()
            .map(|n| text_width(n, NOTE_SIZE) + 30.0)
            .chain(std::iter::once(text_width(&self.title, TITLE_SIZE) + 30.0))
            .fold(w * cell + 200.0, f64::max);
        (widest as u32, (h * cell) as u32 + 100 + notes_height(&notes).max(8))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, st: &Style) -> std::result::Result<(), String> {
        let layout = self.layout;
        root.fill(&WHITE).map_err(err)?;
        let scale = self.colour_scale();
        let notes = self.notes();
        let (w_px, h_px) = root.dim_in_pixel();
        let (body, notes_area) = root.split_vertically(h_px.saturating_sub(st.upx(notes_height(&notes) as f64)));
        // The title over the whole width (the map may be narrower than it).
        let body = body
            .margin(st.px(8.0), 0, 0, 0)
            .titled(&self.title, st.title())
            .map_err(err)?;
        let (w, h) = (layout.width as f64, layout.height as f64);
        // The map and its colour bar at their own width, centred when the
        // title or a note makes the figure wider.
        let used = st.upx(w * self.cell() + 200.0).min(w_px);
        let (_, body) = body.split_horizontally((w_px - used) / 2);
        let (body, _) = body.split_horizontally(used);
        let (map_area, bar_area) = body.split_horizontally(used.saturating_sub(st.upx(130.0)));
        let mut chart = ChartBuilder::on(&map_area)
            .margin(st.px(8.0))
            .margin_right(st.px(4.0))
            .x_label_area_size(st.px(50.0))
            .y_label_area_size(st.px(52.0))
            .build_cartesian_2d(-0.5f64..w - 0.5, h - 0.5..-0.5f64)
            .map_err(err)?;
        let (kx, ky) = (label_every(layout.width), label_every(layout.height));
        let integer = |v: f64, k: usize| {
            let r = v.round();
            if (v - r).abs() < 1e-6 && r >= 0.0 && (r as usize).is_multiple_of(k) {
                format!("{r:.0}")
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(layout.width.min(40) + 1)
            .y_labels(layout.height.min(40) + 1)
            .x_label_formatter(&|v| integer(*v, kx))
            .y_label_formatter(&|v| integer(*v, ky))
            .x_desc("column")
            .y_desc("row")
            .label_style(st.tick())
            .axis_desc_style(st.label())
            .draw()
            .map_err(err)?;
        let mut value_at = vec![None; layout.width * layout.height];
        for (s, &(r, c)) in layout.position.iter().enumerate() {
            value_at[r * layout.width + c] = Some(self.values[s]);
        }
        let rect = |r: usize, c: usize| [(c as f64 - 0.5, r as f64 - 0.5), (c as f64 + 0.5, r as f64 + 0.5)];
        chart
            .draw_series(
                (0..layout.height)
                    .flat_map(|r| (0..layout.width).map(move |c| (r, c)))
                    .map(|(r, c)| {
                        let color = match (layout.cells[r * layout.width + c], value_at[r * layout.width + c]) {
                            (Cell::Open, Some(v)) if scale.is_outlier(v) => MISSING,
                            (Cell::Open, Some(v)) => scale.colour(v),
                            _ => WALL,
                        };
                        Rectangle::new(rect(r, c), color.filled())
                    }),
            )
            .map_err(err)?;
        // Hatching of the clipped cells.
        for (s, &(r, c)) in layout.position.iter().enumerate() {
            if scale.is_outlier(self.values[s]) {
                let (x0, y0) = (c as f64 - 0.5, r as f64 - 0.5);
                for k in 1..6 {
                    let t = k as f64 / 6.0;
                    let line = [(x0, y0 + t), (x0 + t, y0)];
                    let line2 = [(x0 + t, y0 + 1.0), (x0 + 1.0, y0 + t)];
                    for l in [line, line2] {
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                l.to_vec(),
                                ShapeStyle::from(&RGBColor(120, 120, 120)).stroke_width(st.upx(1.0)),
                            )))
                            .map_err(err)?;
                    }
                }
            }
        }
        let cell_px = self.cell() * st.scale;
        let text_on = |s: usize| {
            let v = self.values[s];
            if scale.is_outlier(v) || !v.is_finite() || ColourMap::dark_text_on(scale.colour(v)) {
                BLACK
            } else {
                WHITE
            }
        };
        if self.annotate() {
            // Three decimals, four when the colour range is narrower than 0.01.
            let span = (scale.hi - scale.lo).max(1e-12);
            let decimals = ((-span.log10()).ceil() as i64 + 1).clamp(3, 4) as usize;
            let size = (self.cell() / if self.arrows.is_empty() { 3.6 } else { 4.4 }).min(13.0);
            let dy = if self.arrows.is_empty() { 0.0 } else { 0.33 };
            chart
                .draw_series(layout.position.iter().enumerate().map(|(s, &(r, c))| {
                    Text::new(
                        number(self.values[s], decimals),
                        (c as f64, r as f64 + dy),
                        st.font(size)
                            .color(&text_on(s))
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )
                }))
                .map_err(err)?;
        }
        for (s, moves) in self.arrows.iter().enumerate() {
            let Some(&(r, c)) = layout.position.get(s) else {
                continue;
            };
            let colour = text_on(s);
            let (centre, reach) = if self.annotate() {
                ((c as f64, r as f64 - 0.12), 0.3)
            } else {
                ((c as f64, r as f64), 0.44)
            };
            // Lengths relative to the cell's likeliest move, so the preferred
            // directions show even when five moves share the probability.
            let top = moves.iter().map(|m| m.1).fold(0.0, f64::max);
            if top <= 0.0 {
                continue;
            }
            for &((dx, dy), p) in moves.iter().filter(|m| m.1 >= 0.05) {
                let rel = p / top;
                if (dx, dy) == (0, 0) {
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            centre,
                            (0.45 * reach * cell_px * rel).max(st.scale * 1.5) as i32,
                            ShapeStyle::from(&colour).stroke_width(st.upx(1.2)),
                        )))
                        .map_err(err)?;
                    continue;
                }
                let len = reach * rel;
                let (ux, uy) = (dx.signum() as f64, dy.signum() as f64);
                let tip = (centre.0 + len * ux, centre.1 + len * uy);
                let hd = (0.4 * len).min(0.13);
                let base = (tip.0 - hd * ux, tip.1 - hd * uy);
                let stroke =
                    ShapeStyle::from(&colour).stroke_width(st.upx((cell_px / st.scale / 22.0).clamp(0.8, 2.0)));
                chart
                    .draw_series(std::iter::once(PathElement::new(vec![centre, base], stroke)))
                    .map_err(err)?;
                let head = vec![
                    tip,
                    (base.0 + 0.55 * hd * uy, base.1 - 0.55 * hd * ux),
                    (base.0 - 0.55 * hd * uy, base.1 + 0.55 * hd * ux),
                ];
                chart
                    .draw_series(std::iter::once(Polygon::new(head, colour.filled())))
                    .map_err(err)?;
            }
        }
        // Markers: a letter in the cell's upper-left corner (the centre when
        // there are neither numbers nor arrows), on a white tile.
        let mut marks: Vec<(usize, String)> = vec![];
        if let Some(s) = self.markers.start {
            marks.push((s, "S".into()));
        }
        marks.extend(self.markers.terminals.iter().map(|&s| (s, "T".to_string())));
        if let Some((s, letter)) = &self.markers.other {
            marks.push((*s, letter.clone()));
        }
        let size = (self.cell() * 0.42).clamp(7.0, 15.0);
        let corner = self.annotate() || !self.arrows.is_empty();
        for (s, letter) in marks {
            let Some(&(r, c)) = layout.position.get(s) else {
                continue;
            };
            let (x, y) = if corner {
                (c as f64 - 0.5 + 0.2, r as f64 - 0.5 + 0.22)
            } else {
                (c as f64, r as f64)
            };
            let half = if corner { 0.17 } else { 0.3 };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - half, y - half), (x + half, y + half)],
                    WHITE.mix(0.85).filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    letter,
                    (x, y),
                    st.font(size).color(&BLACK).pos(Pos::new(HPos::Center, VPos::Center)),
                )))
                .map_err(err)?;
        }
        draw_colour_bar(&bar_area, &scale, &self.label, st)?;
        draw_notes(&notes_area, &notes, st)
    }
}
