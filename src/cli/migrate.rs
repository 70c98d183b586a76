//! `polis migrate [DIR]`: the mechanical part of moving a Zola or Hugo site
//! to polis (see [`crate::migrate`]).

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::migrate::{Report, migrate};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The Zola or Hugo site's folder (with its `config.toml` or `hugo.toml`)
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Say what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &MigrateArgs) -> Result<Report> {
    migrate(&args.dir, args.dry_run)
}
