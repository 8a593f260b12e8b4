/// mimalloc rather than the system allocator (see [`ftsim::Allocator`]): the 2PC sweep takes
/// 5% fewer instructions with it (`protocols/benches/sweeps.rs` runs with it too).
#[global_allocator]
static ALLOCATOR: ftsim::Allocator = ftsim::Allocator;

fn main() -> std::process::ExitCode {
    ftsim::cli::main_with(&[])
}
