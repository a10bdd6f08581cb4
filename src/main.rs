use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = gen_core::cli::Cli::parse();
    ExitCode::from(gen_core::cli::run(cli))
}
