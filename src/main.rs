use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = gen_core::cli::Cli::parse();
    ExitCode::from(gen_core::cli::run(cli))
}
