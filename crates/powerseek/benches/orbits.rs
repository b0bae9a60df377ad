//! Exhaustive orbit tendencies for d = 10 (3 628 800 permutations): permutations
//! per second for the argmax and Boltzmann decision-makers, all cores.
//! `cargo bench -p powerseek --bench orbits`

use std::time::Instant;

use powerseek::retarget::{orbit_tendency, Builtin, Comparison, Outcomes};

fn main() {
    let d = 10;
    let u: Vec<f64> = (0..d).map(|i| ((i * 7919) % 101) as f64 / 101.0).collect();
    let outcomes = Outcomes::unit(d);
    println!(
        "exhaustive orbit of a tie-free u ∈ R^{d}, A = {{e1}}, B = {{e2, e3, e4}}, {} threads",
        rayon::current_num_threads()
    );
    for dm in [Builtin::Argmax, Builtin::Boltzmann(2.0)] {
        let start = Instant::now();
        let t = orbit_tendency(
            &dm,
            Comparison {
                outcomes: &outcomes,
                a: &[0],
                b: &[1, 2, 3],
            },
            &u,
        );
        let secs = start.elapsed().as_secs_f64();
        println!(
            "  {:<14} {} permutations in {secs:.2} s ({:.3e}/s): B more {}, equal {}, A more {}; B ≥_most^3 A: {}",
            dm.to_string(),
            t.total(),
            t.total() as f64 / secs,
            t.b_more,
            t.equal,
            t.a_more,
            t.holds(3)
        );
    }
}
