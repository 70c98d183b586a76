//! `polis serve`: the site in memory on a local address, rebuilt and reloaded in
//! the browser whenever a source file changes.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;

use super::build::{build_clock, site_root};
use crate::BuildOptions;
use crate::error::Result;
use crate::serve::{FirstBuild, ServeOptions, Server};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The address to listen on; only this machine can connect by default
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The port to listen on; when it is taken, the next free one
    #[arg(long, short, value_name = "N", default_value_t = 1111)]
    pub port: u16,
    /// Include pages marked `draft = true`
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated after the build clock (scheduled posts)
    #[arg(long)]
    pub future: bool,
    /// Keep resized images here instead of `[images] cache_dir` (CI caches it
    /// between runs); must be outside the site's source folders
    #[arg(long, value_name = "DIR", env = "POLIS_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Open the site in the default browser once it is served
    #[arg(long)]
    pub open: bool,
    /// Print only problems, not each rebuild
    #[arg(long, short)]
    pub quiet: bool,
}

/// Starts the server; the caller waits for Ctrl-C and stops it.
pub fn start(args: &ServeArgs) -> Result<(Server, FirstBuild)> {
    let root = site_root(args.root.as_deref())?;
    let mut build = BuildOptions::new(&root);
    build.drafts = args.drafts;
    build.future = args.future;
    build.now = build_clock(None)?;
    build.cache_dir = super::build::cache_dir(args.cache_dir.as_deref())?;
    Server::start(ServeOptions {
        build,
        bind: args.bind,
        port: args.port,
        quiet: args.quiet,
    })
}
