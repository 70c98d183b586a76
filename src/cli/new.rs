//! `polis new KIND NAME`: a ready-to-fill page bundle from the archetype KIND.

use std::path::PathBuf;

use clap::Args;

use super::build::{build_clock, site_root};
use crate::config::load_config;
use crate::diag::Diagnostics;
use crate::error::Result;
use crate::scaffold::{Created, new_content};

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to write: an archetype of the site or theme (takeover, municipality,
    /// event, article)
    pub kind: String,
    /// The name: a person for a takeover, a municipality, an event's title; for
    /// an article, its path under content/ (`live/renting-tips`)
    pub name: String,
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Today, for dates and the next free week (RFC 3339); the clock otherwise
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

/// Writes the bundle; config problems come back in `diags`.
pub fn run(args: &NewArgs, diags: &mut Diagnostics) -> Result<Created> {
    let root = site_root(args.root.as_deref())?;
    let config = load_config(&root, diags)?;
    new_content(
        &config,
        &args.kind,
        &args.name,
        build_clock(args.now.as_deref())?,
    )
}
