//! `polis init [DIR]`: a new site, with the example theme and a home page in
//! each language, ready for `polis serve`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::scaffold::{Initialized, init_site};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The new site's folder: created when missing; must be empty
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The site's languages, the default first (BCP 47 codes, comma-separated)
    #[arg(
        long,
        value_name = "CODES",
        value_delimiter = ',',
        default_value = "en"
    )]
    pub languages: Vec<String>,
}

pub fn run(args: &InitArgs) -> Result<Initialized> {
    init_site(&args.dir, &args.languages)
}
