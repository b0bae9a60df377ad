//! The one figure style every picture uses: sizes, fonts, the colour-blind-safe
//! palettes and colour maps, tick labels, and the colour scale of a heatmap
//! (which limits, which map, which cells fall outside and the note saying so).
//!
//! Sizes are in logical pixels (SVG user units). A PNG is drawn at
//! [`PNG_SCALE`] times that size, every length and font scaled alike, so the
//! two formats look the same and a PNG stays sharp when a paper shrinks it.

use plotters::backend::DrawingBackend;
use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::style::{FontDesc, IntoFont, RGBColor};

/// The family the embedded font is registered under.
pub const FONT: &str = "sans-serif";

/// How much larger a PNG is drawn than its logical size.
pub const PNG_SCALE: f64 = 2.0;

/// Font size of tick labels (logical pixels).
pub const TICK_SIZE: f64 = 15.0;
/// Font size of axis descriptions and legends.
pub const LABEL_SIZE: f64 = 16.0;
/// Font size of titles.
pub const TITLE_SIZE: f64 = 17.0;
/// Font size of notes under a figure and of numbers written in cells.
pub const NOTE_SIZE: f64 = 13.0;

/// Width in logical pixels of `text` in the embedded font at logical `size`
/// (an estimate of 0.6 em per character if the font cannot measure it).
pub fn text_width(text: &str, size: f64) -> f64 {
    (FONT, size)
        .into_font()
        .box_size(text)
        .map_or(0.6 * size * text.chars().count() as f64, |b| b.0 as f64)
}

/// Lengths and fonts for one rendering: `scale` 1 for SVG, [`PNG_SCALE`] for PNG.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Device pixels per logical pixel.
    pub scale: f64,
}

impl Default for Style {
    fn default() -> Self {
        Style { scale: 1.0 }
    }
}

impl Style {
    /// A logical length in device pixels.
    pub fn px(&self, logical: f64) -> i32 {
        (logical * self.scale).round() as i32
    }
    /// A logical length in device pixels, unsigned.
    pub fn upx(&self, logical: f64) -> u32 {
        (logical * self.scale).round().max(0.0) as u32
    }
    /// The embedded font at a logical size.
    pub fn font(&self, size: f64) -> FontDesc<'static> {
        (FONT, size * self.scale).into_font()
    }
    /// Tick labels.
    pub fn tick(&self) -> FontDesc<'static> {
        self.font(TICK_SIZE)
    }
    /// Axis descriptions and legends.
    pub fn label(&self) -> FontDesc<'static> {
        self.font(LABEL_SIZE)
    }
    /// Titles.
    pub fn title(&self) -> FontDesc<'static> {
        self.font(TITLE_SIZE)
    }
    /// Notes and numbers in cells.
    pub fn note(&self) -> FontDesc<'static> {
        self.font(NOTE_SIZE)
    }
}

/// The Okabe–Ito palette (safe for the common colour-vision deficiencies),
/// in the order series take it: blue, vermillion, bluish green, orange,
/// reddish purple, sky blue, black (yellow left out: too light on white).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(230, 159, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// The `i`-th series colour (cycling through [`PALETTE`]).
pub fn series_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Wins, ties and losses: blue, grey, vermillion.
pub const OUTCOME_COLOURS: [RGBColor; 3] = [RGBColor(0, 114, 178), RGBColor(190, 190, 190), RGBColor(213, 94, 0)];

/// Walls and cells that are not states.
pub const WALL: RGBColor = RGBColor(64, 64, 64);

/// Cells without a finite value.
pub const MISSING: RGBColor = RGBColor(215, 215, 215);

/// Colour maps for heatmaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColourMap {
    /// Viridis: sequential, perceptually uniform, colour-blind safe, readable in grey.
    Viridis,
    /// Blue–white–red (ColorBrewer RdBu, colour-blind safe): signed values, white at 0.
    Diverging,
}

const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

const RDBU: [(u8, u8, u8); 9] = [
    (33, 102, 172),
    (67, 147, 195),
    (146, 197, 222),
    (209, 229, 240),
    (247, 247, 247),
    (253, 219, 199),
    (244, 165, 130),
    (214, 96, 77),
    (178, 24, 43),
];

impl ColourMap {
    /// The colour at `t ∈ [0, 1]` (clamped; NaN gives the low end).
    pub fn at(self, t: f64) -> RGBColor {
        let stops = match self {
            ColourMap::Viridis => &VIRIDIS,
            ColourMap::Diverging => &RDBU,
        };
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let x = t * (stops.len() - 1) as f64;
        let i = (x.floor() as usize).min(stops.len() - 2);
        let f = x - i as f64;
        let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
        let (a, b) = (stops[i], stops[i + 1]);
        RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
    /// Whether black text reads better than white on this colour.
    pub fn dark_text_on(colour: RGBColor) -> bool {
        let l = 0.299 * colour.0 as f64 + 0.587 * colour.1 as f64 + 0.114 * colour.2 as f64;
        l > 140.0
    }
}

/// How a heatmap's values map to colours: limits, map, and which values fall outside.
#[derive(Clone, Debug, PartialEq)]
pub struct ColourScale {
    /// The value drawn with the map's low end.
    pub lo: f64,
    /// The value drawn with the map's high end.
    pub hi: f64,
    /// Sequential or diverging.
    pub map: ColourMap,
    /// Finite values outside `[lo, hi]` (drawn hatched, not with a map colour).
    pub outliers: usize,
}

/// Tukey's "far out" fence: values beyond 3 interquartile ranges from the quartiles.
const FENCE: f64 = 3.0;

impl ColourScale {
    /// Limits from the data, robust to a few outlying cells (a terminal cell
    /// in a gridworld, say): values beyond 3 interquartile ranges from the
    /// quartiles are left out of the limits (with at least 5 values, when the
    /// rest still spans a range), counted in `outliers`. Signed data (values
    /// on both sides of 0) get the diverging map, symmetric about 0.
    pub fn robust(values: &[f64]) -> ColourScale {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        if v.len() >= 5 {
            let (q1, q3) = (quantile(&v, 0.25), quantile(&v, 0.75));
            let iqr = q3 - q1;
            let (lo, hi) = (q1 - FENCE * iqr, q3 + FENCE * iqr);
            let inside: Vec<f64> = v.iter().copied().filter(|&x| x >= lo && x <= hi).collect();
            if inside.len() < v.len() && iqr > 0.0 {
                let scale = Self::full(&inside);
                let outliers = v.iter().filter(|&&x| x < scale.lo || x > scale.hi).count();
                return ColourScale { outliers, ..scale };
            }
        }
        Self::full(&v)
    }

    /// Limits spanning every finite value (the diverging map, symmetric about
    /// 0, when they have both signs); a constant gets a small window around it.
    pub fn full(values: &[f64]) -> ColourScale {
        let finite = values.iter().copied().filter(|x| x.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        if lo > hi {
            return Self::fixed(0.0, 1.0);
        }
        if lo < 0.0 && hi > 0.0 {
            let m = lo.abs().max(hi);
            return ColourScale {
                lo: -m,
                hi: m,
                map: ColourMap::Diverging,
                outliers: 0,
            };
        }
        if hi - lo <= 1e-12 * hi.abs().max(1.0) {
            let pad = 0.5e-3 * hi.abs().max(1.0);
            return Self::fixed(lo - pad, hi + pad);
        }
        Self::fixed(lo, hi)
    }

    /// Given limits, sequential map (e.g. `[0, 1]` for a probability).
    pub fn fixed(lo: f64, hi: f64) -> ColourScale {
        ColourScale {
            lo,
            hi,
            map: ColourMap::Viridis,
            outliers: 0,
        }
    }

    /// Whether `v` is finite and outside the limits.
    pub fn is_outlier(&self, v: f64) -> bool {
        v.is_finite() && (v < self.lo || v > self.hi)
    }

    /// The colour of `v` (values outside the limits get the nearer end;
    /// non-finite values [`MISSING`]).
    pub fn colour(&self, v: f64) -> RGBColor {
        if !v.is_finite() {
            return MISSING;
        }
        let span = self.hi - self.lo;
        self.map.at(if span > 0.0 { (v - self.lo) / span } else { 0.5 })
    }
}

/// The `p`-quantile of sorted values, linearly interpolated.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let x = p * (sorted.len() - 1) as f64;
    let i = x.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (x - i as f64) * (sorted[j] - sorted[i])
}

/// Tick labels for an axis spanning `[lo, hi]`: as many decimals as the tick
/// step needs, never `-0`, a Unicode minus, and a common power of ten taken
/// out (shown in the axis description) when the numbers are very small or large.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TickFormat {
    /// Decimals after the point (of the value divided by `10^exponent`).
    pub decimals: usize,
    /// The power of ten taken out of every label (0: none).
    pub exponent: i32,
}

/// The "nice" step (1, 2, 2.5 or 5 times a power of ten) giving at most about `target` ticks.
pub fn nice_step(span: f64, target: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    // A little slack, so that 0.93 − 0.90 = 0.030000000000000027 still takes step 0.005.
    let norm = raw / mag * (1.0 - 1e-9);
    let m = [1.0, 2.0, 2.5, 5.0].into_iter().find(|&m| norm <= m).unwrap_or(10.0);
    m * mag
}

impl TickFormat {
    /// The format for about `target` ticks over `[lo, hi]`.
    pub fn for_range(lo: f64, hi: f64, target: usize) -> TickFormat {
        let big = lo.abs().max(hi.abs());
        let exponent = if big > 0.0 && big.is_finite() && !(1e-2..1e5).contains(&big) {
            big.log10().floor() as i32
        } else {
            0
        };
        let step = nice_step(hi - lo, target) / 10f64.powi(exponent);
        let decimals = (0..=8)
            .find(|&d| {
                let x = step * 10f64.powi(d as i32);
                (x - x.round()).abs() < 1e-6 * x.max(1.0)
            })
            .unwrap_or(8);
        TickFormat { decimals, exponent }
    }

    /// The label of the tick at `v`.
    pub fn label(&self, v: f64) -> String {
        let x = v / 10f64.powi(self.exponent);
        let s = format!("{x:.*}", self.decimals);
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            Some(rest) => format!("\u{2212}{rest}"),
            None => s,
        }
    }

    /// `" (×10⁻⁴)"` to append to the axis description, or nothing.
    pub fn suffix(&self) -> String {
        if self.exponent == 0 {
            return String::new();
        }
        format!(" (×10{})", superscript(self.exponent))
    }
}

/// `-4` as `⁻⁴`.
pub fn superscript(n: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits = n.unsigned_abs().to_string();
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    s.extend(digits.bytes().map(|b| DIGITS[(b - b'0') as usize]));
    s
}

/// A number for text in a figure: `decimals` places, Unicode minus, never `-0`.
pub fn number(v: f64, decimals: usize) -> String {
    TickFormat { decimals, exponent: 0 }.label(v)
}

/// The areas of a figure: the body, then below it the legend (`legend`
/// logical pixels high) and the notes (`notes` high), as
/// `(body, legend, notes)`.
pub(crate) fn split_below<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    legend: u32,
    notes: u32,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (_, h) = root.dim_in_pixel();
    let (body, rest) = root.split_vertically(h.saturating_sub(st.upx((legend + notes) as f64)));
    let (legend_area, notes_area) = rest.split_vertically(st.upx(legend as f64));
    (body, legend_area, notes_area)
}

/// What differs between the frames [`chart_frame`] draws: a figure's own
/// title, axis descriptions, tick counts, margins, y-label area and grid.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame<'a> {
    /// The caption above the chart; `None` when the caller titles the area itself.
    pub(crate) title: Option<&'a str>,
    /// The x axis description (the ticks' power of ten is appended).
    pub(crate) x_label: &'a str,
    /// The y axis description (likewise).
    pub(crate) y_label: &'a str,
    /// About how many ticks on the x axis.
    pub(crate) x_ticks: usize,
    /// About how many ticks on the y axis.
    pub(crate) y_ticks: usize,
    /// Margins around the chart, logical pixels: top, right, bottom, left.
    pub(crate) margins: [f64; 4],
    /// Width of the area left of the chart for the y tick labels and description.
    pub(crate) y_label_area: f64,
    /// The colour of the light grid lines; `None`: no grid.
    pub(crate) grid: Option<RGBColor>,
}

impl<'a> Frame<'a> {
    /// The usual frame: no caption, about 6 ticks per axis, margins of 12
    /// (20 on the right, for the last tick label), a y-label area 70 wide,
    /// no grid; figures change what differs with struct update syntax.
    pub(crate) fn new(x_label: &'a str, y_label: &'a str) -> Frame<'a> {
        Frame {
            title: None,
            x_label,
            y_label,
            x_ticks: 6,
            y_ticks: 6,
            margins: [12.0, 20.0, 12.0, 12.0],
            y_label_area: 70.0,
            grid: None,
        }
    }
}

/// A chart with continuous axes over `x` × `y` on `area`, its frame drawn:
/// the caption, margins and label areas, and the mesh with tick labels
/// ([`TickFormat`]) and axis descriptions in the figure style.
pub(crate) fn chart_frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    frame: &Frame<'_>,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let (xt, yt) = (
        TickFormat::for_range(x0, x1, frame.x_ticks),
        TickFormat::for_range(y0, y1, frame.y_ticks),
    );
    let mut builder = ChartBuilder::on(area);
    if let Some(title) = frame.title {
        builder.caption(title, st.title());
    }
    let [top, right, bottom, left] = frame.margins;
    let mut chart = builder
        .margin_top(st.px(top))
        .margin_right(st.px(right))
        .margin_bottom(st.px(bottom))
        .margin_left(st.px(left))
        .x_label_area_size(st.px(52.0))
        .y_label_area_size(st.px(frame.y_label_area))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(super::err)?;
    let mut mesh = chart.configure_mesh();
    match frame.grid {
        Some(colour) => mesh.light_line_style(colour),
        None => mesh.disable_mesh(),
    };
    mesh.x_labels(frame.x_ticks)
        .y_labels(frame.y_ticks)
        .x_label_formatter(&|v| xt.label(*v))
        .y_label_formatter(&|v| yt.label(*v))
        .x_desc(format!("{}{}", frame.x_label, xt.suffix()))
        .y_desc(format!("{}{}", frame.y_label, yt.suffix()))
        .label_style(st.tick())
        .axis_desc_style(st.label())
        .draw()
        .map_err(super::err)?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_never_show_minus_zero_and_take_out_small_powers() {
        let f = TickFormat::for_range(-1.0, 1.0, 5);
        assert_eq!(f.label(-1e-17), "0.0");
        assert_eq!(f.label(-0.5), "\u{2212}0.5");
        let f = TickFormat::for_range(0.0, 7.6e-4, 6);
        assert_eq!(f.exponent, -4);
        assert_eq!(f.label(6e-4), "6");
        assert_eq!(f.suffix(), " (×10⁻⁴)");
        let f = TickFormat::for_range(0.90, 0.93, 6);
        assert_eq!((f.decimals, f.exponent), (3, 0));
        assert_eq!(f.label(0.915), "0.915");
    }

    #[test]
    fn robust_scale_leaves_out_a_terminal_cell() {
        let mut v: Vec<f64> = (0..40).map(|i| 0.90 + 0.03 * i as f64 / 39.0).collect();
        v.push(0.5);
        let s = ColourScale::robust(&v);
        assert_eq!(s.outliers, 1);
        assert!((s.lo - 0.90).abs() < 1e-12 && (s.hi - 0.93).abs() < 1e-12);
        assert!(s.is_outlier(0.5) && !s.is_outlier(0.91));
        // No outlier: the full range.
        let s = ColourScale::robust(&v[..40]);
        assert_eq!((s.outliers, s.lo, s.hi), (0, 0.90, v[39]));
    }

    #[test]
    fn signed_values_get_a_symmetric_diverging_scale() {
        let s = ColourScale::full(&[-0.2, 0.1, 0.5]);
        assert_eq!((s.lo, s.hi, s.map), (-0.5, 0.5, ColourMap::Diverging));
        assert_eq!(s.colour(0.0), RGBColor(247, 247, 247));
    }
}
