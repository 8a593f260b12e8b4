//! Temporary migration aid (removed once the CLI library lands): prints each scenario's sweep
//! hash and verdict, to compare with the pre-migration baseline in /work/baseline/run.json.
//! `cargo run --release -p protocols --example scenario_hashes -- scenarios/*.toml`

fn main() {
    let catalog = ftsim_api::Catalog::new(protocols::all().iter().copied()).expect("catalogue");
    for file in std::env::args().skip(1) {
        match ftsim_api::scenario::load(std::path::Path::new(&file), &catalog) {
            Err(e) => println!("{file} ERROR {e}"),
            Ok(s) => {
                let t = ftsim_api::sweep::tally(s.simulation.as_ref(), s.seeds, &|| {});
                let sum = ftsim_api::sweep::summarize(&s, s.seeds, t, 0, "ftsim");
                println!("{} {} {} {}", sum.name, sum.sweep_hash, sum.ok, sum.verdict);
            }
        }
    }
}
