//! MDPs from sparse coordinate entries (`mdp::from_sparse`) are the MDPs of
//! the same dense tables (`mdp::from_dense`), whatever the order of the
//! entries and however a probability is split into repeated entries; and maps
//! and start states attached to MDPs built in code are checked.

use powerseek::mdp::{from_dense, from_sparse, Cell, GridLayout, Mdp, SparseTransitions};
use proptest::prelude::*;

/// One action as `(state, name, [(next, p)])`.
type Row = (usize, String, Vec<(u32, f64)>);

/// Every action of `m`, in order.
fn rows(m: &Mdp) -> Vec<Row> {
    (0..m.n_states())
        .flat_map(|s| m.actions(s).map(move |a| (s, a)))
        .map(|(s, a)| {
            let (next, prob) = m.successors(a);
            (
                s,
                m.action_name(a).to_string(),
                next.iter().copied().zip(prob.iter().copied()).collect(),
            )
        })
        .collect()
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// A dense table `n × k × n` whose rows are all zero (no action) or
/// distributions `½, ¼, ¼` over up to three successors (dyadic, so halving
/// them changes no bit), with action 0 present at every state.
fn arb_table() -> impl Strategy<Value = (usize, usize, Vec<f64>)> {
    (1usize..6, 1usize..4).prop_flat_map(|(n, k)| {
        let row = (any::<bool>(), 0..n, 0..n, 0..n);
        proptest::collection::vec(row, n * k).prop_map(move |rows| {
            let mut t = vec![0.0; n * k * n];
            for (i, &(present, x, y, z)) in rows.iter().enumerate() {
                if present || i % k == 0 {
                    for (next, p) in [(x, 0.5), (y, 0.25), (z, 0.25)] {
                        t[i * n + next] += p;
                    }
                }
            }
            (n, k, t)
        })
    })
}

proptest! {
    #[test]
    fn sparse_entries_build_the_dense_tables_mdp(
        (n, k, t) in arb_table(),
        shuffle in any::<u64>(),
        split_every in 1usize..4,
    ) {
        let dense = from_dense(&t, (n, k, n), names("s", n), &names("a", k)).unwrap();
        // Coordinates of the non-zero entries, some halved into two equal entries, in a scrambled order.
        let mut entries = Vec::new();
        for (i, &p) in t.iter().enumerate() {
            if p != 0.0 {
                let (s, a, next) = (i / (k * n), (i / n) % k, i % n);
                if entries.len() % split_every == 0 {
                    entries.push((s, a, next, p / 2.0));
                    entries.push((s, a, next, p / 2.0));
                } else {
                    entries.push((s, a, next, p));
                }
            }
        }
        let mut key = shuffle;
        for i in (1..entries.len()).rev() {
            key = key.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            entries.swap(i, (key >> 33) as usize % (i + 1));
        }
        let column = |f: fn(&(usize, usize, usize, f64)) -> usize| entries.iter().map(f).collect::<Vec<_>>();
        let (state, action, next) = (column(|e| e.0), column(|e| e.1), column(|e| e.2));
        let prob: Vec<f64> = entries.iter().map(|e| e.3).collect();
        let sparse = from_sparse(
            &SparseTransitions { state: &state, action: &action, next: &next, prob: &prob },
            names("s", n),
            &names("a", k),
        )
        .unwrap();
        prop_assert_eq!(rows(&sparse), rows(&dense));
        prop_assert_eq!(sparse.is_deterministic(), dense.is_deterministic());
    }
}

#[test]
fn sparse_errors_name_the_entry() {
    let sparse = |state: &[usize], action: &[usize], next: &[usize], prob: &[f64]| {
        from_sparse(
            &SparseTransitions {
                state,
                action,
                next,
                prob,
            },
            names("s", 2),
            &names("a", 2),
        )
        .map(|_| ())
        .unwrap_err()
        .to_string()
    };
    let e = sparse(&[0, 1], &[0], &[1, 0], &[1.0, 1.0]);
    assert!(e.contains("one of each per entry"), "{e}");
    let e = sparse(&[0, 1], &[0, 2], &[1, 0], &[1.0, 1.0]);
    assert!(e.contains("entry 1 has action index 2"), "{e}");
    let e = sparse(&[0, 5], &[0, 0], &[1, 0], &[1.0, 1.0]);
    assert!(e.contains("entry 1 has state index 5"), "{e}");
    let e = sparse(&[0, 1], &[0, 0], &[1, 7], &[1.0, 1.0]);
    assert!(e.contains("successor index 7 out of range"), "{e}");
    let e = sparse(&[0, 1, 1], &[0, 0, 0], &[1, 0, 1], &[1.0, 0.5, 0.25]);
    assert!(
        e.contains("state 's1', action 'a0'") && e.contains("sum to 0.75"),
        "{e}"
    );
    let e = sparse(&[0, 1], &[0, 0], &[1, 0], &[1.0, -1.0]);
    assert!(e.contains("not a finite non-negative number"), "{e}");
    let e = sparse(&[0, 0], &[0, 1], &[1, 0], &[1.0, 1.0]);
    assert!(e.contains("state 's1' has no actions"), "{e}");
}

#[test]
fn maps_and_start_states_are_checked() {
    let t = [0.0, 1.0, 1.0, 0.0]; // 2 states, one action each: swap
    let m = || from_dense(&t, (2, 1, 2), names("s", 2), &names("a", 1)).unwrap();
    let layout = |cells: Vec<Cell>, position: Vec<(usize, usize)>| GridLayout {
        width: 3,
        height: 1,
        cells,
        position,
    };
    let (o, w) = (Cell::Open, Cell::Wall);
    let ok = m()
        .with_grid_layout(layout(vec![o, w, o], vec![(0, 2), (0, 0)]))
        .unwrap();
    assert_eq!(ok.layout().unwrap().position, vec![(0, 2), (0, 0)]);
    for (cells, position, msg) in [
        (vec![o, w], vec![(0, 0), (0, 1)], "2 cells for a 1×3 grid"),
        (vec![o, w, o], vec![(0, 0)], "1 positions for 2 states"),
        (vec![o, w, o], vec![(0, 0), (1, 0)], "state 's1' at (1,0) is outside"),
        (
            vec![o, w, o],
            vec![(0, 0), (0, 1)],
            "state 's1' sits on the wall at (0,1)",
        ),
        (vec![o, w, o], vec![(0, 2), (0, 2)], "shares cell (0,2)"),
        (
            vec![o, o, o],
            vec![(0, 0), (0, 2)],
            "the open cell (0,1) holds no state",
        ),
    ] {
        let e = m().with_grid_layout(layout(cells, position)).unwrap_err().to_string();
        assert!(e.contains(msg), "{e}");
    }
    assert_eq!(m().with_start_state(1).unwrap().start(), Some(1));
    assert_eq!(m().with_discount_rate(0.95).unwrap().discount(), Some(0.95));
    for bad in [-0.1, 1.5, f64::NAN] {
        let e = m().with_discount_rate(bad).unwrap_err().to_string();
        assert!(e.contains("is not in [0, 1]"), "{e}");
    }
    let e = m().with_start_state(2).unwrap_err().to_string();
    assert!(e.contains("start state index 2 out of range (2 states)"), "{e}");
}
