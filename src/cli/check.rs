//! `polis check`: the build, writing nothing, plus content lints and (with
//! `--external`) external links; printed for people, GitHub Actions or machines.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::build::SiteArgs;
use crate::BuildSummary;
use crate::check::{CheckOptions, check_site, external};
use crate::diag::Diagnostics;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Fail on warnings too (for CI)
    #[arg(long)]
    pub deny_warnings: bool,
    /// How to print the problems: for people, as GitHub Actions annotations, or as JSON
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also ask the servers of external links whether their pages are there
    /// (slow; answers are kept for a day in .polis-cache/links.json)
    #[arg(long)]
    pub external: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:col: warning: …` with the source line and a caret (colour on a terminal)
    Human,
    /// GitHub Actions annotations (`::warning file=…,line=…::…`)
    Github,
    /// One JSON document, as described in docs/check.schema.json
    Json,
}

/// The outcome for `main` to print.
pub struct CheckOutcome {
    pub result: Result<BuildSummary>,
    pub diagnostics: Diagnostics,
    pub elapsed: std::time::Duration,
    pub root: PathBuf,
}

pub fn run(args: &CheckArgs) -> Result<CheckOutcome> {
    let start = Instant::now();
    let options = args.site.options()?;
    let check = CheckOptions {
        external: args.external.then(external::Settings::default),
    };
    let mut diagnostics = Diagnostics::default();
    let result = check_site(&options, &check, &mut diagnostics);
    Ok(CheckOutcome {
        result,
        diagnostics,
        elapsed: start.elapsed(),
        root: options.root,
    })
}
