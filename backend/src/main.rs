//! `backend`: see `backend --help`.

fn main() -> std::process::ExitCode {
    backend::cli::main()
}
