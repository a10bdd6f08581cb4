//! `gen blueprints`: the catalog.

use std::path::PathBuf;

use super::{EXIT_CLEAN, EXIT_FAILURE, session};
use crate::blueprint::{self, Kind};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// A folder of extra blueprints (repeatable).
    #[arg(long = "blueprints", value_name = "DIR", global = true)]
    blueprints: Vec<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// One line per blueprint.
    List,
    /// A blueprint's description, params and files.
    Show {
        /// The blueprint's name.
        name: String,
    },
}

pub fn run(args: Args) -> u8 {
    let session = match session(&args.blueprints) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let catalog = &session.catalog;
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            for bp in catalog.all() {
                let kind = match bp.kind {
                    Kind::Service => "service",
                    Kind::Base => "base",
                };
                outln!("{:<16} {:<8} {:<8} {:<10} {}", bp.name, bp.version, kind, bp.origin, bp.description);
            }
            EXIT_CLEAN
        }
        Action::Show { name } => match catalog.get(&name) {
            Some(bp) => {
                out!("{}", blueprint::describe(bp));
                EXIT_CLEAN
            }
            None => {
                let names: Vec<&str> = catalog.all().map(|b| b.name.as_str()).collect();
                eprintln!("gen: error: no blueprint is called `{name}` (available: {})", names.join(", "));
                EXIT_FAILURE
            }
        },
    }
}
