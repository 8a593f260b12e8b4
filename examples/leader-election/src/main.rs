/// The allocator the `ftsim` binary runs with.
#[global_allocator]
static ALLOCATOR: ftsim::Allocator = ftsim::Allocator;

fn main() -> std::process::ExitCode {
    ftsim::cli::main_with(&[&leader_election::Bully])
}
