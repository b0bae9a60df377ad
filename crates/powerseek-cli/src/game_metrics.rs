//! `powerseek game power` and `powerseek game align`: multi-agent POWER and
//! alignment metrics, presented as tables or JSON.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use powerseek::game::alignment;
use powerseek::game::bayesian::{BayesianGame, Behaviour};
use powerseek::game::equilibrium::{self, Equilibrium};
use powerseek::game::power::{self, GamePowerReport};
use powerseek::game::{format_rational, parse_rational, NormalFormGame, Rational};

use crate::game_cmd::{load_any, GameFile};
use crate::Format;

/// Exact equilibria where the game allows (2 players), else pure ones plus a certified logit one.
pub fn equilibria_of(g: &NormalFormGame) -> Result<Vec<Equilibrium>> {
    Ok(equilibrium::equilibria(g)?)
}

/// A behavioural profile from JSON: `{"player": [p, ...]}` for one-type games,
/// `{"player": {"type": [p, ...]}}` for Bayesian ones; or the word `uniform`.
fn read_profile(spec: &str, b: &BayesianGame) -> Result<Behaviour<Rational>> {
    if spec == "uniform" {
        return Ok((0..b.n_players())
            .map(|i| {
                let k = b.actions(i).len();
                vec![vec![Rational::new(1.into(), (k as i64).into()); k]; b.types(i).len()]
            })
            .collect());
    }
    let text = std::fs::read_to_string(spec).with_context(|| spec.to_string())?;
    let doc: Value = serde_json::from_str(&text).with_context(|| spec.to_string())?;
    let probs = |v: &Value, what: &str| -> Result<Vec<Rational>> {
        v.as_array()
            .with_context(|| format!("{spec}: {what}: expected a list of probabilities"))?
            .iter()
            .map(|x| {
                let s = match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                parse_rational(&s).with_context(|| format!("{spec}: {what}: '{s}' is not a number"))
            })
            .collect()
    };
    let sigma: Behaviour<Rational> = (0..b.n_players())
        .map(|i| {
            let p = &b.players()[i];
            let entry = doc
                .get(p)
                .with_context(|| format!("{spec}: no strategy for player '{p}'"))?;
            if entry.is_array() {
                if b.types(i).len() != 1 {
                    bail!("{spec}: player '{p}' has types; give {{\"type\": [probabilities]}}");
                }
                Ok(vec![probs(entry, p)?])
            } else {
                b.types(i)
                    .iter()
                    .map(|t| {
                        probs(
                            entry
                                .get(t)
                                .with_context(|| format!("{spec}: no strategy for '{p}' of type '{t}'"))?,
                            &format!("{p}:{t}"),
                        )
                    })
                    .collect()
            }
        })
        .collect::<Result<_>>()?;
    b.check_behaviour(&sigma).with_context(|| spec.to_string())?;
    Ok(sigma)
}

fn as_bayesian(file: &Path) -> Result<(BayesianGame, Option<NormalFormGame>)> {
    Ok(match load_any(file)? {
        GameFile::Normal(g) => (BayesianGame::from_normal_form(&g), Some(g)),
        GameFile::Bayesian(b) => (b, None),
    })
}

/// Equilibria of a (possibly Bayesian) game as behavioural profiles.
fn behavioural_equilibria(b: &BayesianGame) -> Result<Vec<Behaviour<Rational>>> {
    Ok(equilibrium::bayesian_equilibria(b)?)
}

fn q(r: &Rational) -> String {
    format_rational(r)
}

fn report_json(b: &BayesianGame, label: &str, sigma: &Behaviour<Rational>, r: &GamePowerReport<Rational>) -> Value {
    let players: serde_json::Map<String, Value> = b
        .players()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let by_type: serde_json::Map<String, Value> =
                b.types(i).iter().zip(&r.players[i].by_type).map(|(t, v)| (t.clone(), v.as_ref().map_or(Value::Null, |v| json!(q(v))))).collect();
            (p.clone(), json!({"power": q(&r.players[i].power), "expected_payoff": q(&r.players[i].expected_payoff), "by_type": by_type}))
        })
        .collect();
    json!({
        "profile": label,
        "strategies": sigma.iter().map(|p| p.iter().map(|s| s.iter().map(q).collect::<Vec<_>>()).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "players": players,
        "total_power": q(&r.total_power),
        "total_regret": q(&r.total_regret),
        "is_equilibrium": r.is_equilibrium,
    })
}

/// `powerseek game power`.
pub fn power(out: &mut impl Write, file: &Path, profile: Option<&str>, format: Format) -> Result<()> {
    let (b, _) = as_bayesian(file)?;
    let mut profiles: Vec<(String, Behaviour<Rational>)> = Vec::new();
    match profile {
        Some(spec) => profiles.push((spec.to_string(), read_profile(spec, &b)?)),
        None => {
            for (k, e) in behavioural_equilibria(&b)?.into_iter().enumerate() {
                profiles.push((format!("equilibrium {}", k + 1), e));
            }
            profiles.push(("uniform".into(), read_profile("uniform", &b)?));
        }
    }
    let constant = power::constant_sum(&b);
    let reports: Vec<GamePowerReport<Rational>> = profiles.iter().map(|(_, s)| power::bayesian_power(&b, s)).collect();
    if let Format::Json = format {
        let list: Vec<Value> = profiles
            .iter()
            .zip(&reports)
            .map(|((l, s), r)| report_json(&b, l, s, r))
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(
                &json!({"title": b.title, "constant_sum": constant.as_ref().map(q), "profiles": list})
            )?
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{}: multi-agent POWER, exact",
        if b.title.is_empty() { "game" } else { &b.title }
    )?;
    if let Some(c) = &constant {
        writeln!(
            out,
            "constant-sum game: Σ r_i = {} everywhere, so Σ POWER ≥ {} with equality exactly at equilibria",
            q(c),
            q(c)
        )?;
    }
    for ((label, _), r) in profiles.iter().zip(&reports) {
        writeln!(
            out,
            "\n{label}: Σ POWER = {}, total regret = {}{}",
            q(&r.total_power),
            q(&r.total_regret),
            if r.is_equilibrium {
                " (a Bayesian Nash equilibrium)"
            } else {
                " (not an equilibrium)"
            }
        )?;
        for (i, p) in b.players().iter().enumerate() {
            let types: Vec<String> = b
                .types(i)
                .iter()
                .zip(&r.players[i].by_type)
                .filter(|_| b.types(i).len() > 1)
                .map(|(t, v)| format!("{t}: {}", v.as_ref().map_or("-".into(), q)))
                .collect();
            writeln!(
                out,
                "  {p:<12} POWER {:>10}   E[payoff] {:>10}{}",
                q(&r.players[i].power),
                q(&r.players[i].expected_payoff),
                if types.is_empty() {
                    String::new()
                } else {
                    format!("   by type: {}", types.join(", "))
                }
            )?;
        }
    }
    Ok(())
}

fn weights_of(spec: Option<&str>, g: &NormalFormGame) -> Result<Vec<Rational>> {
    let w = match spec {
        None => vec![Rational::from_integer(1.into()); g.n_players()],
        Some(s) => s
            .split(',')
            .map(|x| parse_rational(x).with_context(|| format!("--weights: '{x}' is not a number")))
            .collect::<Result<_>>()?,
    };
    alignment::check_weights(g, &w)?;
    Ok(w)
}

fn profile_name(g: &NormalFormGame, idx: usize) -> String {
    let names: Vec<&str> = g
        .profile(idx)
        .iter()
        .enumerate()
        .map(|(i, &a)| g.actions(i)[a].as_str())
        .collect();
    format!("({})", names.join(", "))
}

fn pure_profile(g: &NormalFormGame, actions: &[usize]) -> Vec<Vec<Rational>> {
    actions
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            (0..g.n_actions(i))
                .map(|b| Rational::from_integer(((a == b) as i64).into()))
                .collect()
        })
        .collect()
}

/// Metrics at one localizing profile.
struct Localized {
    name: String,
    sum: Rational,
    gap: Rational,
    surplus: Vec<Rational>,
    covariance: Vec<Vec<Rational>>,
}

/// `powerseek game align`.
pub fn align(out: &mut impl Write, file: &Path, weights: Option<&str>, format: Format) -> Result<()> {
    let g = match load_any(file)? {
        GameFile::Normal(g) => g,
        GameFile::Bayesian(_) => bail!(
            "{}: alignment metrics are defined for normal-form games (convert a Bayesian game first)",
            file.display()
        ),
    };
    let w = weights_of(weights, &g)?;
    let al = alignment::alignment(&g, &w);
    let security = alignment::security_levels(&g)?;
    let threat = alignment::threat_point(&security);
    let nbs = alignment::nash_bargaining(&g, &threat)?;
    // Localizers: the max-sum profile, the pure maxmin profile, the mixed maxmin profile, each equilibrium.
    let mut localizers: Vec<(String, Vec<Vec<Rational>>)> = vec![
        (
            format!("max-sum {}", profile_name(&g, al.max_welfare_profiles[0])),
            pure_profile(&g, &g.profile(al.max_welfare_profiles[0])),
        ),
        (
            "pure maxmin".into(),
            pure_profile(&g, &security.iter().map(|s| s.pure_action).collect::<Vec<_>>()),
        ),
        (
            "mixed maxmin".into(),
            security.iter().map(|s| s.mixed_strategy.clone()).collect(),
        ),
    ];
    for (k, e) in equilibria_of(&g)?.into_iter().enumerate() {
        localizers.push((format!("Nash equilibrium {}", k + 1), e.strategies));
    }
    let rows: Vec<Localized> = localizers
        .iter()
        .map(|(name, s)| {
            let sum = alignment::expected_welfare(&g, &w, s);
            Localized {
                name: name.clone(),
                gap: &al.max_welfare - &sum,
                sum,
                surplus: alignment::surplus(&g, s, &threat),
                covariance: alignment::covariance(&g, s),
            }
        })
        .collect();
    if let Format::Json = format {
        let doc = json!({
            "title": g.title,
            "weights": w.iter().map(q).collect::<Vec<_>>(),
            "max_welfare": q(&al.max_welfare),
            "max_welfare_profiles": al.max_welfare_profiles.iter().map(|&k| profile_name(&g, k)).collect::<Vec<_>>(),
            "ideal_welfare": q(&al.ideal_welfare),
            "alpha": q(&al.alpha),
            "alignment_gap": q(&(-al.alpha.clone())),
            "constant_welfare": al.constant_welfare,
            "unanimous_profiles": al.unanimous_profiles.iter().map(|&k| profile_name(&g, k)).collect::<Vec<_>>(),
            "security": security.iter().map(|s| json!({"pure_level": q(&s.pure_level), "pure_action": s.pure_action, "mixed_level": q(&s.mixed_level), "mixed_strategy": s.mixed_strategy.iter().map(q).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "threat_point": threat.iter().map(q).collect::<Vec<_>>(),
            "nash_bargaining": {"payoffs": nbs.payoffs, "product": nbs.product, "interior": nbs.interior,
                "distribution": nbs.distribution.iter().map(|(k, p)| json!({"profile": profile_name(&g, *k), "probability": p})).collect::<Vec<_>>()},
            "localized": rows.iter().map(|Localized { name, sum, gap, surplus, covariance: cov }| json!({"profile": name, "sum_of_utility": q(sum), "coordination_gap": q(gap),
                "surplus": surplus.iter().map(q).collect::<Vec<_>>(), "covariance": cov.iter().map(|r| r.iter().map(q).collect::<Vec<_>>()).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{}: alignment metrics (exact unless noted); welfare weights {}",
        if g.title.is_empty() { "game" } else { &g.title },
        w.iter().map(q).collect::<Vec<_>>().join(", ")
    )?;
    let maxima: Vec<String> = al.max_welfare_profiles.iter().map(|&k| profile_name(&g, k)).collect();
    writeln!(
        out,
        "max welfare        {} at {}",
        q(&al.max_welfare),
        maxima.join(", ")
    )?;
    writeln!(
        out,
        "ideal welfare      {} (Σ_i max_a u_i: everyone gets their way)",
        q(&al.ideal_welfare)
    )?;
    writeln!(
        out,
        "α                  {}   (alignment gap {})",
        q(&al.alpha),
        q(&(-al.alpha.clone()))
    )?;
    if al.constant_welfare {
        writeln!(
            out,
            "equality case      constant-welfare game: the coordination gap is 0 at every profile"
        )?;
    }
    if !al.unanimous_profiles.is_empty() {
        let u: Vec<String> = al.unanimous_profiles.iter().map(|&k| profile_name(&g, k)).collect();
        writeln!(
            out,
            "equality case      α = 0: {} is optimal for every player (the unique Pareto-efficient payoff profile)",
            u.join(", ")
        )?;
    }
    writeln!(out, "\nsecurity levels (maxmin):")?;
    for (i, s) in security.iter().enumerate() {
        let mixed: Vec<String> = s.mixed_strategy.iter().map(q).collect();
        writeln!(
            out,
            "  {:<12} pure {:>8} ({})   mixed {:>8} ({})",
            g.players()[i],
            q(&s.pure_level),
            g.actions(i)[s.pure_action],
            q(&s.mixed_level),
            mixed.join(", ")
        )?;
    }
    writeln!(
        out,
        "threat point d     ({})   (mixed security levels)",
        threat.iter().map(q).collect::<Vec<_>>().join(", ")
    )?;
    let dist: Vec<String> = nbs
        .distribution
        .iter()
        .map(|(k, p)| format!("{} {:.4}", profile_name(&g, *k), p))
        .collect();
    writeln!(
        out,
        "Nash bargaining    payoffs ({}), product of surpluses {:.6}{} — via {} [floating point]",
        nbs.payoffs
            .iter()
            .map(|x| format!("{x:.6}"))
            .collect::<Vec<_>>()
            .join(", "),
        nbs.product,
        if nbs.interior {
            ""
        } else {
            " (no point gives everyone positive surplus)"
        },
        dist.join(", ")
    )?;
    writeln!(
        out,
        "\n{:<28} {:>12} {:>12}  {:<24} covariance Cov(u_1, u_2)",
        "localizer", "Σ utility", "coord. gap", "surplus"
    )?;
    for Localized {
        name,
        sum,
        gap,
        surplus,
        covariance: cov,
    } in &rows
    {
        let off = if cov.len() > 1 { q(&cov[0][1]) } else { "-".into() };
        writeln!(
            out,
            "{:<28} {:>12} {:>12}  {:<24} {}",
            name,
            q(sum),
            q(gap),
            surplus.iter().map(q).collect::<Vec<_>>().join(", "),
            off
        )?;
    }
    Ok(())
}
