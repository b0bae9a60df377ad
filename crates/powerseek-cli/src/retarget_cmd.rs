//! `powerseek retarget ...`: orbit tendencies and retargetability checks (docs/theory.md §6).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde_json::json;

use powerseek::plot::{save, EstimateBars};
use powerseek::retarget::{self, Builtin, DecisionMaker, Outcomes, Retargetability, Tendency};
use powerseek::stats::Estimate;

use crate::Format;

#[derive(Subcommand)]
pub enum RetargetCommand {
    /// Counts over the orbit of u of parameters where p(B) > p(A), =, <, per decision-maker.
    Orbit {
        #[command(flatten)]
        sets: SetArgs,
        /// Decision-makers (comma-separated): argmax, argmin, boltzmann:β, best-of:k,
        /// satisficer:t, quantilizer:q, uniform. Default: one of each.
        #[arg(long)]
        decision: Option<String>,
        /// Sample this many random permutations instead of the whole orbit.
        #[arg(long)]
        samples: Option<u64>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Also take the orbits of this many uniform random parameters (seeded) and
        /// report the worst orbit: the "for every θ" quantifier, estimated.
        #[arg(long, default_value_t = 0)]
        parameters: usize,
        /// Check B ≥_most^n A for this n (default: the number of disjoint copies of A in B).
        #[arg(long)]
        n: Option<u64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Bar chart of the fraction of the orbit where B is more likely, per decision-maker.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// First actions in an MDP: outcomes are the discounted visit distributions
    /// available from a state; A and B those starting with two given actions.
    Mdp(MdpArgs),
    /// Q-learning agents trained on reward functions drawn from the orbit of a
    /// random reward: how often does the learned policy's first move go each way?
    Learned {
        #[command(flatten)]
        moves: MoveArgs,
        #[arg(long, default_value_t = 400)]
        agents: usize,
        #[arg(long, default_value_t = 300)]
        episodes: usize,
        #[arg(long, default_value_t = 30)]
        horizon: usize,
        #[arg(long, default_value_t = 0.3)]
        epsilon: f64,
        #[arg(long, default_value_t = 0.5)]
        alpha: f64,
        #[arg(long, default_value_t = 0.9)]
        gamma: f64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Bar chart of the fraction of agents taking each first move (.svg or .png).
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Search for permutations witnessing (A→B) n-retargetability, or a counterexample.
    Check {
        #[command(flatten)]
        sets: SetArgs,
        #[arg(long, default_value = "argmax")]
        decision: String,
        #[arg(long, default_value_t = 1)]
        n: usize,
        /// Random parameters to test besides u (seeded).
        #[arg(long, default_value_t = 200)]
        parameters: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// Outcomes are the unit vectors e_1..e_d; sets are 1-based indices.
#[derive(clap::Args)]
pub struct SetArgs {
    /// The utility parameter u (comma-separated; its length is d).
    #[arg(long, allow_hyphen_values = true)]
    u: String,
    /// Outcome set A, 1-based indices of e_i (e.g. 3).
    #[arg(long)]
    a: String,
    /// Outcome set B (e.g. 1,2).
    #[arg(long)]
    b: String,
}

/// An MDP, a state and the two first moves to compare there.
#[derive(clap::Args)]
pub struct MoveArgs {
    /// A deterministic MDP file (.grid, .json, .mdp).
    env: PathBuf,
    /// The state (by name, e.g. "start" or "(0,2)"); default: the file's start state.
    #[arg(long)]
    state: Option<String>,
    /// First action of set A (the one with fewer options, typically).
    #[arg(long)]
    a: String,
    /// First action of set B.
    #[arg(long)]
    b: String,
}

/// Arguments of `retarget mdp`.
#[derive(clap::Args)]
pub struct MdpArgs {
    #[command(flatten)]
    moves: MoveArgs,
    #[arg(long, default_value_t = 0.9)]
    gamma: f64,
    #[arg(long)]
    decision: Option<String>,
    /// Reward parameters u to take orbits of: this many uniform random ones (seeded).
    #[arg(long, default_value_t = 5)]
    parameters: usize,
    /// Sample permutations instead of enumerating each orbit.
    #[arg(long)]
    samples: Option<u64>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Bar chart of the worst orbit's fraction per decision-maker (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
}

struct Sets {
    u: Vec<f64>,
    a: Vec<usize>,
    b: Vec<usize>,
}

fn parse_sets(s: &SetArgs) -> Result<Sets> {
    let u: Vec<f64> =
        s.u.split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .with_context(|| format!("--u: '{x}' is not a finite number"))
            })
            .collect::<Result<_>>()?;
    let d = u.len();
    let set = |name: &str, text: &str| -> Result<Vec<usize>> {
        let v: Vec<usize> = text
            .split(',')
            .map(|x| {
                x.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| i >= 1 && i <= d)
                    .map(|i| i - 1)
                    .with_context(|| format!("--{name}: '{x}' is not an outcome index in 1..{d}"))
            })
            .collect::<Result<_>>()?;
        Ok(v)
    };
    let (a, b) = (set("a", &s.a)?, set("b", &s.b)?);
    if d > 20 {
        bail!("--u has {d} entries; orbits are enumerated only up to d = 20 (use --samples beyond that)");
    }
    Ok(Sets { u, a, b })
}

fn decision_makers(spec: Option<&str>, u: &[f64]) -> Result<Vec<Builtin>> {
    match spec {
        Some(s) => s.split(',').map(|x| Ok(x.trim().parse::<Builtin>()?)).collect(),
        None => {
            let mut sorted = u.to_vec();
            sorted.sort_by(f64::total_cmp);
            let median = (sorted[sorted.len() / 2] * 1000.0).round() / 1000.0;
            Ok(vec![
                Builtin::Argmax,
                Builtin::Argmin,
                Builtin::Boltzmann(1.0),
                Builtin::BestOfK(2),
                Builtin::Satisficer(median),
                Builtin::Quantilizer(0.5),
                Builtin::Uniform,
            ])
        }
    }
}

pub fn run(cmd: RetargetCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        RetargetCommand::Orbit {
            sets,
            decision,
            samples,
            seed,
            parameters,
            n,
            format,
            plot,
        } => {
            let s = parse_sets(&sets)?;
            let outcomes = Outcomes::unit(s.u.len());
            let copies = (s.b.iter().filter(|x| !s.a.contains(x)).count() / s.a.len().max(1)) as u64;
            let n = n.unwrap_or(copies.max(1));
            let dms = decision_makers(decision.as_deref(), &s.u)?;
            let rows: Vec<(String, Tendency, Option<[f64; 2]>)> = if parameters > 0 {
                let mut params = vec![s.u.clone()];
                params.extend(retarget::random_parameters(s.u.len(), parameters, seed));
                dms.iter()
                    .map(|dm| {
                        (
                            dm.name(),
                            retarget::worst_orbit(dm, &outcomes, &params, &s.a, &s.b, samples, seed),
                            None,
                        )
                    })
                    .collect()
            } else {
                dms.iter()
                    .map(|dm| match samples {
                        Some(k) => {
                            let (t, ci) = retarget::sampled_tendency(dm, &outcomes, &s.u, &s.a, &s.b, k, seed);
                            (dm.name(), t, Some(ci))
                        }
                        None => (
                            dm.name(),
                            retarget::orbit_tendency(dm, &outcomes, &s.u, &s.a, &s.b),
                            None,
                        ),
                    })
                    .collect()
            };
            match format {
                Format::Json => {
                    let list: Vec<_> = rows
                        .iter()
                        .map(|(name, t, ci)| json!({"decision": name, "b_more": t.b_more, "equal": t.equal, "a_more": t.a_more, "holds": t.holds(n), "ci95_b_more_fraction": ci}))
                        .collect();
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(
                            &json!({"u": s.u, "a": sets.a, "b": sets.b, "n": n, "sampled": samples, "results": list})
                        )?
                    )?;
                }
                _ => {
                    let what = if parameters > 0 {
                        format!("the worst of the orbits of u and {parameters} random parameters")
                    } else {
                        match samples {
                            Some(k) => format!("{k} sampled permutations"),
                            None => format!(
                                "the whole orbit ({} distinct parameters)",
                                retarget::orbit_size(&s.u).unwrap_or(0)
                            ),
                        }
                    };
                    writeln!(
                        out,
                        "orbit of u = ({}) under S_{}: {what}; A = {{{}}}, B = {{{}}}",
                        sets.u,
                        s.u.len(),
                        sets.a,
                        sets.b
                    )?;
                    writeln!(
                        out,
                        "{:<16} {:>10} {:>10} {:>10} {:>9}  B ≥_most^{n} A",
                        "decision-maker", "p(B)>p(A)", "equal", "p(B)<p(A)", "fraction"
                    )?;
                    for (name, t, ci) in &rows {
                        let frac = t.b_more as f64 / t.total().max(1) as f64;
                        let ci = ci.map_or(String::new(), |c| format!(" [{:.3}, {:.3}]", c[0], c[1]));
                        writeln!(
                            out,
                            "{:<16} {:>10} {:>10} {:>10} {:>9.4}  {}{ci}",
                            name,
                            t.b_more,
                            t.equal,
                            t.a_more,
                            frac,
                            if t.holds(n) { "holds" } else { "fails" }
                        )?;
                    }
                }
            }
            if let Some(path) = plot {
                tendency_chart(
                    &rows,
                    format!(
                        "Fraction of the orbit where p(B) > p(A): A = {{{}}}, B = {{{}}}",
                        sets.a, sets.b
                    ),
                    &path,
                )?;
            }
        }
        RetargetCommand::Mdp(args) => mdp_tendencies(&mut out, &args)?,
        RetargetCommand::Learned {
            moves,
            agents,
            episodes,
            horizon,
            epsilon,
            alpha,
            gamma,
            seed,
            format,
            plot,
        } => {
            let FirstMoves {
                mdp,
                state: s,
                a: la,
                b: lb,
            } = first_moves(&moves)?;
            let MoveArgs { env, a, b, .. } = moves;
            let base = retarget::random_parameters(mdp.n_states(), 1, seed).remove(0);
            let opts = powerseek::retarget::learn::QLearning {
                episodes,
                horizon,
                epsilon,
                alpha,
                gamma,
            };
            let bar = crate::progress::Bar::new("agents");
            let r = powerseek::retarget::learn::learned_tendency(&mdp, s, la, lb, &base, &opts, agents, seed, &bar)?;
            bar.finish();
            match format {
                Format::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({"environment": env.display().to_string(), "state": mdp.state_name(s), "training": opts, "result": r})
                    )?
                )?,
                _ => {
                    writeln!(out, "{} at state {}: {agents} Q-learners ({episodes} episodes × {horizon} steps, ε = {epsilon}, α = {alpha}, γ = {gamma}), each on a random permutation of one random reward", env.display(), mdp.state_name(s))?;
                    writeln!(
                        out,
                        "first move '{b}': {:.1} agents, '{a}': {:.1}, other: {:.1}",
                        r.chose_b, r.chose_a, r.chose_other
                    )?;
                    writeln!(
                        out,
                        "fraction choosing '{b}' over '{a}': {:.3}, 95% CI [{:.3}, {:.3}]",
                        r.fraction_b, r.ci95[0], r.ci95[1]
                    )?;
                }
            }
            if let Some(path) = plot {
                let decided = (r.chose_a + r.chose_b).max(1.0);
                let share = |x: f64| x / agents as f64;
                let names = vec![format!("'{b}'"), format!("'{a}'"), "other".to_string()];
                let frac_b = r.chose_b / decided;
                let estimates = vec![
                    Estimate {
                        mean: share(r.chose_b),
                        se: 0.0,
                        ci95: [r.ci95[0] * decided / agents as f64, r.ci95[1] * decided / agents as f64],
                    },
                    Estimate {
                        mean: share(r.chose_a),
                        se: 0.0,
                        ci95: [share(r.chose_a), share(r.chose_a)],
                    },
                    Estimate {
                        mean: share(r.chose_other),
                        se: 0.0,
                        ci95: [share(r.chose_other), share(r.chose_other)],
                    },
                ];
                let title = format!("{agents} Q-learners' first moves ('{b}' over '{a}': {frac_b:.3})");
                save(
                    &EstimateBars {
                        names: &names,
                        estimates: &estimates,
                        title,
                        label: "fraction of agents".into(),
                    },
                    &path,
                )?;
                eprintln!("plot written to {}", path.display());
            }
        }
        RetargetCommand::Check {
            sets,
            decision,
            n,
            parameters,
            seed,
            format,
        } => {
            let s = parse_sets(&sets)?;
            let dm: Builtin = decision.parse()?;
            let outcomes = Outcomes::unit(s.u.len());
            let mut params = vec![s.u.clone()];
            params.extend(retarget::random_parameters(s.u.len(), parameters, seed));
            let r = retarget::check_retargetable(&dm, &outcomes, &s.a, &s.b, n, &params);
            let one_based = |p: &[usize]| p.iter().map(|x| x + 1).collect::<Vec<_>>();
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?,
                _ => match &r {
                    Retargetability::Witness(phis) => {
                        writeln!(
                            out,
                            "{dm} is (A→B) {n}-retargetable on {} tested parameters; witnesses (images of 1..d):",
                            params.len()
                        )?;
                        for p in phis {
                            writeln!(out, "  {:?}", one_based(p))?;
                        }
                    }
                    Retargetability::Counterexample { parameter, permutation } => {
                        writeln!(out, "{dm} is not (A→B) {n}-retargetable: at u = {parameter:?}, p(A) > p(B) but the permutation {:?} does not make B more likely", one_based(permutation))?;
                    }
                    Retargetability::NoCandidates => {
                        writeln!(out, "B does not contain {n} disjoint copies of A: nothing to check")?
                    }
                },
            }
        }
    }
    Ok(())
}

fn mdp_tendencies(out: &mut impl Write, args: &MdpArgs) -> Result<()> {
    let MdpArgs {
        moves,
        gamma,
        decision,
        parameters,
        samples,
        seed,
        format,
        plot,
    } = args;
    let (env, a, b, gamma, decision, parameters, samples, seed, format) = (
        moves.env.as_path(),
        moves.a.as_str(),
        moves.b.as_str(),
        *gamma,
        decision.as_deref(),
        *parameters,
        *samples,
        *seed,
        *format,
    );
    let FirstMoves {
        mdp,
        state: s,
        a: la,
        b: lb,
    } = first_moves(moves)?;
    let (outcomes, first) = retarget::mdp_outcomes(&mdp, s, gamma, 100_000)?;
    let set_a: Vec<usize> = (0..first.len()).filter(|&k| first[k] == la).collect();
    let set_b: Vec<usize> = (0..first.len()).filter(|&k| first[k] == lb).collect();
    let us = retarget::random_parameters(mdp.n_states(), parameters.max(1), seed);
    // Defaults (e.g. the satisficer's threshold) are set from the outcomes' utilities.
    let dms = decision_makers(decision, &outcomes.utilities(&us[0]))?;
    let frac = |t: &Tendency| t.b_more as f64 / t.total().max(1) as f64;
    let results: Vec<(String, Tendency)> = dms
        .iter()
        .map(|dm| {
            (
                dm.name(),
                retarget::worst_orbit(dm, &outcomes, &us, &set_a, &set_b, samples, seed),
            )
        })
        .collect();
    if let Some(path) = plot {
        let rows: Vec<(String, Tendency, Option<[f64; 2]>)> =
            results.iter().map(|(n, t)| (n.clone(), *t, None)).collect();
        tendency_chart(
            &rows,
            format!(
                "Worst orbit: fraction where '{b}' is likelier than '{a}' ({})",
                mdp.state_name(s)
            ),
            path,
        )?;
    }
    if let Format::Json = format {
        let list: Vec<_> = results
            .iter()
            .map(|(n, t)| json!({"decision": n, "b_more": t.b_more, "equal": t.equal, "a_more": t.a_more, "b_most_a": t.holds(1)}))
            .collect();
        let doc = json!({"environment": env.display().to_string(), "state": mdp.state_name(s), "gamma": gamma, "a": a, "b": b,
            "outcomes_a": set_a.len(), "outcomes_b": set_b.len(), "worst_orbit": list});
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} at state {}: {} visit distributions start with '{a}', {} with '{b}' (γ = {gamma}); worst orbit of {} random reward functions{}",
        env.display(),
        mdp.state_name(s),
        set_a.len(),
        set_b.len(),
        us.len(),
        samples.map_or(String::new(), |k| format!(", {k} sampled permutations each"))
    )?;
    writeln!(
        out,
        "{:<16} {:>12} {:>10} {:>12} {:>9}  '{b}' ≥_most '{a}'",
        "decision-maker",
        format!("'{b}' likelier"),
        "equal",
        format!("'{a}' likelier"),
        "fraction"
    )?;
    for (name, t) in &results {
        writeln!(
            out,
            "{:<16} {:>12} {:>10} {:>12} {:>9.4}  {}",
            name,
            t.b_more,
            t.equal,
            t.a_more,
            frac(t),
            if t.holds(1) { "holds" } else { "fails" }
        )?;
    }
    Ok(())
}

/// Bar chart: per decision-maker, the fraction of the orbit where B is likelier (with its interval when sampled).
fn tendency_chart(rows: &[(String, Tendency, Option<[f64; 2]>)], title: String, path: &std::path::Path) -> Result<()> {
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let estimates: Vec<Estimate> = rows
        .iter()
        .map(|(_, t, ci)| {
            let f = t.b_more as f64 / t.total().max(1) as f64;
            let [lo, hi] = ci.unwrap_or([f, f]);
            Estimate {
                mean: f,
                se: (hi - lo) / 3.92,
                ci95: [lo, hi],
            }
        })
        .collect();
    save(
        &EstimateBars {
            names: &names,
            estimates: &estimates,
            title,
            label: "fraction of orbit".into(),
        },
        path,
    )?;
    eprintln!("plot written to {}", path.display());
    Ok(())
}

/// An MDP, a state in it, and two first actions to compare there.
struct FirstMoves {
    mdp: powerseek::mdp::Mdp,
    state: usize,
    a: usize,
    b: usize,
}

/// Load `env`, resolve the state (default: its start state) and the labels of
/// actions `a` and `b`, which must be available there.
fn first_moves(args: &MoveArgs) -> Result<FirstMoves> {
    let (env, state, a, b) = (
        args.env.as_path(),
        args.state.as_deref(),
        args.a.as_str(),
        args.b.as_str(),
    );
    let mdp = powerseek::mdp::load(env)?;
    let s = match state {
        Some(name) => mdp
            .state_index(name)
            .with_context(|| format!("{}: no state named '{name}'", env.display()))?,
        None => mdp
            .start()
            .with_context(|| format!("{}: no start state; give --state", env.display()))?,
    };
    let label = |name: &str| -> Result<usize> {
        let l = mdp
            .action_names()
            .iter()
            .position(|n| n == name)
            .with_context(|| format!("unknown action '{name}'"))?;
        if !mdp.actions(s).any(|x| mdp.action_label(x) == l) {
            bail!("action '{name}' is not available in state '{}'", mdp.state_name(s));
        }
        Ok(l)
    };
    let (a, b) = (label(a)?, label(b)?);
    Ok(FirstMoves { mdp, state: s, a, b })
}
