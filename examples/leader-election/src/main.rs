fn main() -> std::process::ExitCode {
    ftsim::cli::main_with(&[&leader_election::Bully])
}
