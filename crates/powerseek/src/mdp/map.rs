//! A gridworld's layout as plain data ([`MapView`]): what reports carry so
//! that front ends draw per-state results as maps (walls, terminal cells,
//! each state's row and column) without parsing state names.

use serde::Serialize;

use super::{Cell, Mdp};

/// The character [`MapView::rows`] uses for a wall (or a cell outside the drawn rows).
pub const WALL: char = '#';
/// The character [`MapView::rows`] uses for an absorbing state (see [`Mdp::is_absorbing`]).
pub const TERMINAL: char = 'T';
/// The character [`MapView::rows`] uses for any other state.
pub const OPEN: char = '.';

/// Where the states of a gridworld sit, serialised with reports (the CLI's
/// JSON field `layout`, Python's `result["layout"]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MapView {
    /// Number of columns.
    pub width: usize,
    /// Number of rows.
    pub height: usize,
    /// One string of `width` characters per row: `#` wall, `T` an absorbing
    /// state (a terminal cell), `.` any other state.
    pub rows: Vec<String>,
    /// `[row, col]` of each state, in state order (0-based, row 0 at the top).
    pub positions: Vec<[usize; 2]>,
}

impl MapView {
    /// The layout of `mdp`, or `None` when it was not loaded from a gridworld.
    pub fn of(mdp: &Mdp) -> Option<MapView> {
        let layout = mdp.layout()?;
        let mut grid: Vec<Vec<char>> = (0..layout.height)
            .map(|r| {
                (0..layout.width)
                    .map(|c| match layout.cells[r * layout.width + c] {
                        Cell::Wall => WALL,
                        Cell::Open => OPEN,
                    })
                    .collect()
            })
            .collect();
        for (s, &(r, c)) in layout.position.iter().enumerate() {
            if mdp.is_absorbing(s) {
                grid[r][c] = TERMINAL;
            }
        }
        Some(MapView {
            width: layout.width,
            height: layout.height,
            rows: grid.into_iter().map(|row| row.into_iter().collect()).collect(),
            positions: layout.position.iter().map(|&(r, c)| [r, c]).collect(),
        })
    }
}

impl Mdp {
    /// Every action at `s` stays at `s` with probability 1 (a terminal state).
    pub fn is_absorbing(&self, s: usize) -> bool {
        self.actions(s).all(|a| {
            let (next, prob) = self.successors(a);
            next.iter().zip(prob).all(|(&t, &p)| t as usize == s || p == 0.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdp::gridworld;

    #[test]
    fn rows_mark_walls_terminals_and_open_cells_and_positions_follow_states() {
        let mdp = gridworld::parse("#####\n#S.T#\n#.#\n", "test").unwrap();
        let map = MapView::of(&mdp).unwrap();
        assert_eq!((map.width, map.height), (5, 3));
        // The short last row is padded with walls (cells outside the drawn rows).
        assert_eq!(map.rows, ["#####", "#..T#", "#.###"]);
        assert_eq!(map.positions.len(), mdp.n_states());
        for (s, [r, c]) in map.positions.iter().enumerate() {
            assert_eq!(mdp.state_name(s), format!("({r},{c})"));
        }
    }

    #[test]
    fn an_enclosed_cell_with_stay_is_absorbing_and_an_mdp_without_a_grid_has_no_map() {
        let mdp = gridworld::parse("#.#\n###\n#.#\n", "test").unwrap();
        let map = MapView::of(&mdp).unwrap();
        assert_eq!(map.rows, ["#T#", "###", "#T#"]);
        let fork = crate::mdp::MdpBuilder::new(vec!["a".into(), "b".into()]);
        let mut fork = fork;
        fork.add_action(0, "go", &[(1, 1.0)]).unwrap();
        fork.add_action(1, "stay", &[(1, 1.0)]).unwrap();
        let fork = fork.build().unwrap();
        assert!(MapView::of(&fork).is_none());
        assert!(!fork.is_absorbing(0) && fork.is_absorbing(1));
    }
}
