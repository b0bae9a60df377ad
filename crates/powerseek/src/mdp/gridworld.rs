//! The ASCII gridworld format.
//!
//! ```text
//! ; comments start with ';'. Option lines are `key = value`:
//! stay = true      ; offer a "stay" action in every open cell (default true)
//! slip = 0.2       ; slip probability of '~' cells (default 0.1)
//! #######
//! #S..~T#
//! #.#>..#
//! #######
//! ```
//!
//! | char | cell |
//! |------|------|
//! | `#`  | wall (so is everything outside the drawn rows) |
//! | `.`  | open floor |
//! | `S`  | open floor, the start cell |
//! | `T`  | terminal: absorbing, its only action is `stay` |
//! | `^ v < >` | one-way: the only action moves in the arrow's direction |
//! | `~`  | slippery: each action reaches its target with probability `1 − slip`; with probability `slip` the agent lands on a uniformly random destination among the cell's actions |
//!
//! Every open cell is a state, numbered row by row. Actions are `up`, `down`,
//! `left`, `right` (only those leading into an open cell: bumping into a wall
//! is not an action) and `stay` when enabled.

use std::path::Path;

use super::{Cell, GridLayout, Mdp, MdpBuilder};
use crate::error::{read_text, Error, Result};

const MOVES: [(&str, isize, isize); 4] = [("up", -1, 0), ("down", 1, 0), ("left", 0, -1), ("right", 0, 1)];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Wall,
    Floor,
    Terminal,
    OneWay(usize),
    Slip,
}

/// Load a gridworld file.
pub fn load(path: &Path) -> Result<Mdp> {
    parse(&read_text(path)?, &path.display().to_string())
}

/// Parse gridworld text; `origin` names the source in error messages.
pub fn parse(text: &str, origin: &str) -> Result<Mdp> {
    let mut stay = true;
    let mut slip = 0.1;
    let mut rows: Vec<(usize, Vec<Kind>)> = Vec::new();
    let mut start = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.split(';').next().unwrap_or("").trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if !rows.is_empty() {
                return Err(Error::parse(origin, line_no, "option lines must come before the grid"));
            }
            let (key, value) = (key.trim(), value.trim());
            match key {
                "stay" => {
                    stay = value.parse().map_err(|_| {
                        Error::parse(origin, line_no, format!("stay: expected true or false, got '{value}'"))
                    })?
                }
                "slip" => {
                    slip = value
                        .parse::<f64>()
                        .ok()
                        .filter(|p| (0.0..=1.0).contains(p))
                        .ok_or_else(|| {
                            Error::parse(
                                origin,
                                line_no,
                                format!("slip: expected a probability in [0, 1], got '{value}'"),
                            )
                        })?
                }
                _ => {
                    return Err(Error::parse(
                        origin,
                        line_no,
                        format!("unknown option '{key}' (expected stay or slip)"),
                    ))
                }
            }
            continue;
        }
        let mut row = Vec::with_capacity(line.len());
        for (col, ch) in line.trim_start_matches('\u{feff}').chars().enumerate() {
            let kind = match ch {
                '#' => Kind::Wall,
                '.' => Kind::Floor,
                'S' => {
                    if start.is_some() {
                        return Err(Error::parse(origin, line_no, "a second start cell 'S'"));
                    }
                    start = Some((rows.len(), col));
                    Kind::Floor
                }
                'T' => Kind::Terminal,
                '^' => Kind::OneWay(0),
                'v' => Kind::OneWay(1),
                '<' => Kind::OneWay(2),
                '>' => Kind::OneWay(3),
                '~' => Kind::Slip,
                other => {
                    return Err(Error::parse(
                        origin,
                        line_no,
                        format!(
                            "column {}: unknown cell character '{}' (expected one of # . S T ^ v < > ~)",
                            col + 1,
                            other.escape_debug()
                        ),
                    ))
                }
            };
            row.push(kind);
        }
        rows.push((line_no, row));
    }
    if rows.is_empty() {
        return Err(Error::parse(origin, 0, "no grid rows found"));
    }
    let height = rows.len();
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let kind = |r: isize, c: isize| -> Kind {
        if r < 0 || c < 0 {
            return Kind::Wall;
        }
        rows.get(r as usize)
            .and_then(|row| row.1.get(c as usize).copied())
            .unwrap_or(Kind::Wall)
    };
    let open = rows.iter().flat_map(|r| &r.1).filter(|&&k| k != Kind::Wall).count() as f64;
    // `state_of` and `cells` per cell; per open cell up to five actions.
    let cells = width as f64 * height as f64;
    crate::resources::check_mdp(origin, open, 5.0 * open, 5.0 * open, 9.0 * cells + 16.0 * open).map_err(
        |e| match e {
            Error::MemoryLimit { needed, limit, what } => Error::MemoryLimit {
                needed,
                limit,
                what: format!(
                    "{what}, a {} × {} grid",
                    crate::resources::format_count(height as f64),
                    crate::resources::format_count(width as f64)
                ),
            },
            e => e,
        },
    )?;
    let mut state_of = vec![usize::MAX; width * height];
    let mut position = Vec::new();
    let mut cells = vec![Cell::Wall; width * height];
    for r in 0..height {
        for c in 0..width {
            if kind(r as isize, c as isize) != Kind::Wall {
                state_of[r * width + c] = position.len();
                cells[r * width + c] = Cell::Open;
                position.push((r, c));
            }
        }
    }
    if position.is_empty() {
        return Err(Error::parse(origin, 0, "the grid has no open cells"));
    }
    let names = position.iter().map(|(r, c)| format!("({r},{c})")).collect();
    let mut builder = MdpBuilder::new(names);
    let mut row_buf: Vec<(usize, f64)> = Vec::new();
    for (s, &(r, c)) in position.iter().enumerate() {
        let here = kind(r as isize, c as isize);
        let line_no = rows[r].0;
        // Destinations of each action, before slipping.
        let mut targets: Vec<(&str, usize)> = Vec::new();
        for (m, &(name, dr, dc)) in MOVES.iter().enumerate() {
            let allowed = match here {
                Kind::Terminal => false,
                Kind::OneWay(d) => d == m,
                _ => true,
            };
            let (nr, nc) = (r as isize + dr, c as isize + dc);
            if allowed && kind(nr, nc) != Kind::Wall {
                targets.push((name, state_of[nr as usize * width + nc as usize]));
            } else if allowed && matches!(here, Kind::OneWay(_)) {
                return Err(Error::parse(
                    origin,
                    line_no,
                    format!("column {}: one-way cell points into a wall", c + 1),
                ));
            }
        }
        if here == Kind::Terminal || (stay && !matches!(here, Kind::OneWay(_))) {
            targets.push(("stay", s));
        }
        if targets.is_empty() {
            return Err(Error::parse(
                origin,
                line_no,
                format!(
                    "column {}: open cell with no possible move (enclosed, and stay = false)",
                    c + 1
                ),
            ));
        }
        for &(name, target) in &targets {
            row_buf.clear();
            if here == Kind::Slip && slip > 0.0 {
                let spread = slip / targets.len() as f64;
                row_buf.push((target, 1.0 - slip));
                row_buf.extend(targets.iter().map(|&(_, t)| (t, spread)));
            } else {
                row_buf.push((target, 1.0));
            }
            builder.add_action(s, name, &row_buf)?;
        }
    }
    let start = start.map(|(r, c)| state_of[r * width + c]);
    Ok(builder
        .build()?
        .with_layout(GridLayout {
            width,
            height,
            cells,
            position,
        })
        .with_start(start))
}

/// An open `width × height` grid with the five standard actions (for
/// benchmarks and scale tests): the same MDP as a file of `.` cells.
pub fn open_grid(width: usize, height: usize) -> Result<Mdp> {
    let row = ".".repeat(width);
    let text = vec![row; height].join("\n");
    parse(&text, &format!("open grid {width}x{height}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cells_and_actions() {
        let m = parse("stay = false\n#####\n#S.T#\n#####\n", "t").unwrap();
        assert_eq!(m.n_states(), 3);
        assert_eq!(m.start(), Some(0));
        // (1,1): right only; (1,2): left, right; (1,3): terminal stay.
        let names: Vec<_> = (0..3)
            .map(|s| m.actions(s).map(|a| m.action_name(a).to_string()).collect::<Vec<_>>())
            .collect();
        assert_eq!(names, vec![vec!["right"], vec!["left", "right"], vec!["stay"]]);
        assert!(m.is_deterministic());
    }

    #[test]
    fn slip_cells_are_stochastic_and_rows_sum_to_one() {
        let m = parse("slip = 0.3\n~.\n", "t").unwrap();
        assert!(!m.is_deterministic());
        let right = m.actions(0).find(|&a| m.action_name(a) == "right").unwrap();
        let (next, p) = m.successors(right);
        assert_eq!(next, &[0, 1]);
        assert!((p[1] - (0.7 + 0.15)).abs() < 1e-12 && (p[0] - 0.15).abs() < 1e-12);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("..\n.x\n", "g.grid").unwrap_err().to_string();
        assert!(
            e.starts_with("g.grid:2:") && e.contains("column 2") && e.contains("'x'"),
            "{e}"
        );
        let e = parse("slip = 2\n..\n", "g.grid").unwrap_err().to_string();
        assert!(e.starts_with("g.grid:1:"), "{e}");
        let e = parse("stay = false\n#.#\n###\n.>#\n", "g.grid")
            .unwrap_err()
            .to_string();
        assert!(e.contains("g.grid:"), "{e}");
    }
}
