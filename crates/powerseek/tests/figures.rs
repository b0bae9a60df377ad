//! Every figure, rendered from real results: a PNG of twice the logical size
//! that is not blank, SVG text with the title and axis descriptions, tick
//! labels without `-0`, and colour scales with the limits chosen for the data
//! (a clipped terminal cell, fixed probability limits, a diverging map for
//! signed values).

use std::path::Path;

use powerseek::conflict::{self, Scenario};
use powerseek::game::alignment::{alignment_report, AlignmentOptions};
use powerseek::game::payoff_region::payoff_region;
use powerseek::mdp::gamma_sweep::{gamma_sweep, GammaSweepRequest};
use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::mdp::power_io::PowerRequest;
use powerseek::mdp::reward::RewardDistribution;
use powerseek::plot::{
    optimal_moves, render_pixels, render_svg, save, series_colour, Arrow, ArrowDiagram, Band, BandChart, ColourMap,
    ColourScale, Column, EstimateBars, FieldHeatmap, Figure, GridHeatmap, GridMarkers, OutcomeBars, OutcomeRow,
    PayoffPlot, Row,
};
use powerseek::stats::Estimate;
use powerseek::NoProgress;

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The checks every figure must pass; returns the SVG text for more.
fn check(figure: &impl Figure, wanted: &[&str]) -> String {
    let (w, h) = figure.size();
    assert!(w >= 300 && h >= 200, "too small for a paper column: {w}×{h}");
    let (pw, ph, pixels) = render_pixels(figure).unwrap();
    assert_eq!((pw, ph), (2 * w, 2 * h), "PNGs are drawn at twice the logical size");
    let non_white = pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count();
    let share = non_white as f64 / (pw as f64 * ph as f64);
    assert!(share > 0.02, "nearly blank: {share:.4} of the pixels drawn");
    let colours: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
    assert!(colours.len() > 8, "only {} colours", colours.len());
    let svg = unescape(&render_svg(figure).unwrap());
    for t in wanted {
        assert!(svg.contains(t), "the SVG lacks the text {t:?}");
    }
    // Tick labels: never a negative zero.
    for t in texts(&svg) {
        assert!(
            !["-0", "-0.0", "-0.00", "−0", "−0.0", "−0.00"].contains(&t.as_str()),
            "a tick reads {t}"
        );
    }
    svg
}

/// SVG text with XML's character entities replaced.
fn unescape(svg: &str) -> String {
    svg.replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `<text>` contents of an SVG, trimmed.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")))
        .map(|(body, _)| body.trim().to_string())
        .collect()
}

fn power_of(file: &str, gamma: f64, samples: usize) -> (powerseek::mdp::Mdp, powerseek::mdp::power::PowerReport) {
    let mdp = powerseek::mdp::load(&examples().join(file)).unwrap();
    let opts = PowerOptions {
        horizon: powerseek::mdp::solve::Horizon::Discounted(gamma),
        samples: SampleSize::Count(samples),
        ..Default::default()
    };
    let report = estimate_power(&mdp, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
    (mdp, report)
}

#[test]
fn rooms_heatmap_clips_the_terminal_cell_and_marks_start_terminal_and_walls() {
    let (mdp, r) = power_of("rooms.grid", 0.9, 400);
    let means: Vec<f64> = r.power.iter().map(|e| e.mean).collect();
    let layout = mdp.layout().unwrap();
    let mut map = GridHeatmap::new(layout, &means, "POWER in rooms.grid".into(), "POWER".into());
    map.markers = GridMarkers::of(&mdp);
    map.arrows = optimal_moves(&mdp, &r);
    assert_eq!(map.markers.start, mdp.start());
    assert_eq!(map.markers.terminals.len(), 1, "rooms.grid has one T");
    let t = map.markers.terminals[0];
    let scale = map.colour_scale();
    // The terminal's POWER is E[R] = 1/2, far below the rest (≈ 0.9): out of the limits.
    assert_eq!(scale.outliers, 1);
    assert!(scale.is_outlier(means[t]));
    let rest = means.iter().enumerate().filter(|&(s, _)| s != t).map(|(_, &v)| v);
    let (lo, hi) = rest.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    assert_eq!((scale.lo, scale.hi), (lo, hi), "limits span the other cells exactly");
    assert!(lo > 0.8, "{lo}");
    let svg = check(
        &map,
        &["POWER in rooms.grid", "column", "row", "S", "T", "hatched: 1 cell"],
    );
    // Coordinates: every column index 0..14 and row index 0..6 is written.
    let labels = texts(&svg);
    for i in 0..layout.width {
        assert!(labels.iter().any(|l| l == &i.to_string()), "column {i} unlabelled");
    }
}

#[test]
fn heatmaps_of_signed_values_use_a_diverging_map_centred_on_zero() {
    let (mdp, _) = power_of("powerplay3x3.grid", 0.6, 50);
    let values: Vec<f64> = (0..mdp.n_states()).map(|s| s as f64 - 3.0).collect();
    let map = GridHeatmap::new(mdp.layout().unwrap(), &values, "signed".into(), "x".into());
    let scale = map.colour_scale();
    assert_eq!(scale.map, ColourMap::Diverging);
    assert_eq!((scale.lo, scale.hi), (-5.0, 5.0));
    check(&map, &["signed", "column", "row"]);
}

#[test]
fn estimate_bars_show_intervals_and_name_their_width() {
    let (mdp, r) = power_of("fork.json", 0.9, 300);
    let bars = EstimateBars {
        names: mdp.state_names(),
        estimates: &r.power,
        title: "POWER in fork.json".into(),
        label: "POWER".into(),
        x_label: "state".into(),
        notes: vec![],
    };
    check(&bars, &["POWER in fork.json", "state", "many", "95% intervals"]);
}

#[test]
fn orbit_bars_show_wins_ties_and_losses_with_names_that_do_not_run_together() {
    let rows = vec![
        OutcomeRow {
            name: "satisficer:0.5".into(),
            shares: [0.7, 0.2, 0.1],
            ci95: Some([[0.68, 0.72], [0.09, 0.11]]),
            verdict: "holds".into(),
        },
        OutcomeRow {
            name: "quantilizer:0.5".into(),
            shares: [0.2, 0.7, 0.1],
            ci95: None,
            verdict: "holds".into(),
        },
    ];
    let fig = OutcomeBars {
        title: "orbit".into(),
        outcomes: ["p(B) > p(A)", "p(B) = p(A)", "p(B) < p(A)"].map(String::from),
        x_label: "share of the orbit".into(),
        rows,
        notes: vec!["exact".into()],
    };
    let svg = check(&fig, &["orbit", "share of the orbit", "p(B) = p(A)", "70.0%", "holds"]);
    // Each name is its own label, not glued to the next.
    let labels = texts(&svg);
    assert!(labels.iter().any(|l| l == "satisficer:0.5"));
    assert!(labels.iter().any(|l| l == "quantilizer:0.5"));
}

#[test]
fn gamma_sweep_chart_has_power_and_optimal_action_panels() {
    let mdp = powerseek::mdp::load(&examples().join("fork.json")).unwrap();
    let request = GammaSweepRequest {
        power: PowerRequest {
            samples: 400,
            ..Default::default()
        },
        gammas: vec![0.0, 0.5, 1.0],
        states: vec![],
    };
    let sweep = gamma_sweep(&mdp, &request, &NoProgress).unwrap();
    // Default states: the start and its successors.
    assert_eq!(sweep.states, ["start", "one", "many"]);
    let band = |label: &str, k: usize, f: &dyn Fn(usize) -> (f64, f64, f64)| Band {
        label: label.into(),
        color: series_colour(k),
        points: sweep
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (m, lo, hi) = f(i);
                (p.gamma, m, lo, hi)
            })
            .collect(),
        dashed: k == 1,
    };
    let power = BandChart {
        title: "POWER against γ".into(),
        x_label: "discount rate γ".into(),
        y_label: "POWER".into(),
        series: vec![band("start", 0, &|i| {
            let e = sweep.points[i].states[0].power;
            (e.mean, e.ci95[0], e.ci95[1])
        })],
        y_range: None,
        notes: vec![],
    };
    let optimal = BandChart {
        title: "P(optimal)".into(),
        x_label: "discount rate γ".into(),
        y_label: "P(optimal), ties split".into(),
        series: vec![band("right", 1, &|i| {
            let a = &sweep.points[i].states[0].actions[1];
            (a.optimal_share, a.ci95[0], a.ci95[1])
        })],
        y_range: Some((0.0, 1.0)),
        notes: vec![],
    };
    let svg = check(
        &Column {
            panels: vec![power, optimal],
        },
        &[
            "POWER against γ",
            "discount rate γ",
            "P(optimal), ties split",
            "start",
            "right",
        ],
    );
    assert!(texts(&svg).iter().any(|t| t == "1.0"), "the probability axis reaches 1");
}

#[test]
fn field_heatmap_colour_bar_ticks_take_out_a_power_of_ten() {
    // A posterior-like field peaking at 7.6e-4: ticks must not all read 0.000.
    let xs: Vec<f64> = (0..20).map(|i| -1.0 + 0.1 * i as f64 + 0.05).collect();
    let ys: Vec<f64> = (0..20).map(|i| 0.05 * i as f64 + 0.025).collect();
    let values: Vec<f64> = (0..400)
        .map(|k| {
            let (x, y) = (xs[k % 20], ys[k / 20]);
            7.6e-4 * (-((x + 0.4).powi(2) + (y - 0.2).powi(2)) * 20.0).exp()
        })
        .collect();
    let peak = values.iter().copied().fold(0.0, f64::max);
    let fig = FieldHeatmap {
        xs: &xs,
        ys: &ys,
        values: &values,
        title: "posterior".into(),
        x_label: "alignment".into(),
        y_label: "cost".into(),
        value_label: "posterior mass".into(),
        curve: vec![(-0.5, 0.1), (0.5, 0.9)],
        curve_label: "boundary".into(),
        marker: Some(((-0.4, 0.2), "truth".into())),
        scale: Some(ColourScale::fixed(0.0, peak)),
    };
    assert_eq!(fig.colour_scale(), ColourScale::fixed(0.0, peak));
    let svg = check(
        &fig,
        &["posterior", "alignment", "cost", "(×10⁻⁴)", "truth", "boundary"],
    );
    let labels = texts(&svg);
    assert!(!labels.iter().any(|t| t == "0.000"), "{labels:?}");
    assert!(labels.iter().any(|t| t == "6"), "a tick at 6 × 10⁻⁴: {labels:?}");
}

#[test]
fn conflict_vectors_are_drawn_in_preference_coordinates_with_labels_past_the_tips() {
    let s = Scenario::load(&examples().join("conflict-much-to-lose.toml")).unwrap();
    let plane = conflict::drawing_plane(&s.agents);
    // Two outcome dimensions: the preference space itself, power × preference.
    let blue = &s.agents[0];
    assert_eq!(plane.points[0], (3.0 * blue.preference[0], 3.0 * blue.preference[1]));
    assert!(
        (plane.points[0].1 / plane.points[0].0 - 0.34 / 0.94).abs() < 1e-12,
        "the file's direction"
    );
    assert_eq!(plane.points[1], (1.0, 0.0));
    assert!(plane.note.is_none());
    let fig = ArrowDiagram {
        title: "Preferences × power".into(),
        arrows: s
            .agents
            .iter()
            .zip(&plane.points)
            .enumerate()
            .map(|(i, (a, &v))| Arrow {
                label: a.name.clone(),
                vector: v,
                color: series_colour(i),
                note: format!("{} note", a.name),
            })
            .collect(),
        projection: Some((0, 1)),
        x_label: plane.x_axis.clone(),
        y_label: plane.y_axis.clone(),
        notes: vec![],
    };
    check(
        &fig,
        &[
            "Preferences × power",
            "outcome 1",
            "outcome 2",
            "red",
            "blue",
            "onto red",
        ],
    );
}

#[test]
fn payoff_plot_of_the_prisoners_dilemma() {
    let g = powerseek::game::load(&examples().join("games/prisoners-dilemma.nfg"))
        .unwrap()
        .into_normal_form("test")
        .unwrap();
    let report = alignment_report(&g, &AlignmentOptions::default()).unwrap();
    let region = payoff_region(&g, &report).unwrap();
    // CC = (2,2), CD = (0,3), DC = (3,0), DD = (1,1): the frontier runs DC → CC → CD.
    assert_eq!(region.frontier, vec![[3.0, 0.0], [2.0, 2.0], [0.0, 3.0]]);
    assert_eq!(region.equilibria, vec![[1.0, 1.0]]);
    assert_eq!(region.threat_point, [1.0, 1.0]);
    let pair = |p: &[f64; 2]| (p[0], p[1]);
    let fig = PayoffPlot {
        title: "Prisoner's Dilemma".into(),
        x_label: "Row's payoff".into(),
        y_label: "Column's payoff".into(),
        outcomes: region.outcomes.iter().map(pair).collect(),
        hull: region.hull.iter().map(pair).collect(),
        frontier: region.frontier.iter().map(pair).collect(),
        equilibria: region.equilibria.iter().map(pair).collect(),
        threat: Some(pair(&region.threat_point)),
        bargaining: Some(pair(&region.bargaining)),
        notes: vec![],
    };
    check(
        &fig,
        &[
            "Row's payoff",
            "Column's payoff",
            "Pareto frontier",
            "threat point",
            "Nash bargaining",
        ],
    );
}

#[test]
fn rows_of_panels_and_saved_pngs_have_the_doubled_size() {
    let (mdp, r) = power_of("powerplay3x3.grid", 0.6, 100);
    let means: Vec<f64> = r.power.iter().map(|e| e.mean).collect();
    let layout = mdp.layout().unwrap();
    let panels: Vec<GridHeatmap> = ["H", "A"]
        .iter()
        .map(|a| GridHeatmap::new(layout, &means, format!("{a}'s POWER"), "POWER".into()))
        .collect();
    let row = Row { panels };
    check(&row, &["H's POWER", "A's POWER"]);
    let path = std::env::temp_dir().join(format!("powerseek-figure-{}.png", std::process::id()));
    save(&row, &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(&bytes[1..4], b"PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let (w, h) = row.size();
    assert_eq!((be(16), be(20)), (2 * w, 2 * h), "IHDR size");
}

#[test]
fn estimates_without_width_have_no_whisker_note() {
    let names = vec!["a".to_string(), "b".to_string()];
    let estimates = vec![
        Estimate {
            mean: 0.5,
            se: 0.0,
            ci95: [0.5, 0.5],
        };
        2
    ];
    let bars = EstimateBars {
        names: &names,
        estimates: &estimates,
        title: "exact".into(),
        label: "share".into(),
        x_label: "item".into(),
        notes: vec![],
    };
    let svg = check(&bars, &["exact", "item", "share"]);
    assert!(!svg.contains("95% intervals"));
}
