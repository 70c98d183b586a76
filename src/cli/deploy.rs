//! `polis deploy`: publish a finished build to an object store (see
//! [`crate::deploy`]); credentials from the environment only.

use std::fmt::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::cli::build::site_root;
use crate::deploy::{Credentials, DeployOptions, DeployReport};
use crate::diag::Diagnostics;
use crate::error::Result;
use crate::progress::Show;

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The `[deploy.targets.NAME]` of site.toml to publish to
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub target: String,
    /// The build to publish [default: ROOT/public]
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Publish under this folder of the bucket instead of the target's `prefix`
    /// (a pull request's preview: `pr-12/`)
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// Print what would be uploaded and deleted, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Stop before deleting when more than N objects would go
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_deletes: usize,
    /// Upload every file, changed or not
    #[arg(long)]
    pub force: bool,
    /// Give up on the store after retrying a request this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub retry_timeout: u64,
    /// Print only problems
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: &DeployArgs, diags: &mut Diagnostics) -> Result<DeployReport> {
    let root = site_root(args.root.as_deref())?;
    let mut options = DeployOptions::new(&root, &args.target);
    if let Some(o) = &args.output {
        options.output = o.clone();
    }
    options.prefix = args.prefix.clone();
    options.dry_run = args.dry_run;
    options.max_deletes = args.max_deletes;
    options.force = args.force;
    options.credentials = Credentials::from_env();
    options.retry_timeout = Duration::from_secs(args.retry_timeout);
    options.progress = if args.quiet {
        Show::Never
    } else {
        Show::OnStderr
    };
    crate::deploy::deploy(&options, diags)
}

/// The summary of a run: counts, bytes, time, website redirects set; with
/// `--dry-run` the lists.
pub fn summary(r: &DeployReport) -> String {
    let mut out = String::new();
    let place = format!("s3://{}/{}", r.bucket, r.prefix);
    if r.dry_run {
        let _ = writeln!(out, "dry run: nothing was changed in {place}");
        for key in &r.uploaded {
            match r.redirects.binary_search_by(|(k, _)| k.cmp(key)) {
                Ok(i) => {
                    let _ = writeln!(
                        out,
                        "  would upload  {key} (website redirect to {})",
                        r.redirects[i].1
                    );
                }
                Err(_) => {
                    let _ = writeln!(out, "  would upload  {key}");
                }
            }
        }
        for key in &r.deleted {
            let _ = writeln!(out, "  would delete  {key}");
        }
        for key in &r.deletes_refused {
            let _ = writeln!(out, "  would delete  {key} (over --max-deletes)");
        }
    }
    let verb = if r.dry_run { "would be " } else { "" };
    let _ = writeln!(
        out,
        "{place} ({}): {} {verb}uploaded ({} new, {} changed, {}), {} unchanged, {} {verb}deleted, in {:.1} s",
        r.target,
        r.uploaded.len(),
        r.uploaded.len() - r.replaced,
        r.replaced,
        bytes(r.bytes),
        r.unchanged,
        r.deleted.len(),
        r.elapsed.as_secs_f64()
    );
    if !r.redirects.is_empty() {
        let n = r.redirects.len();
        let _ = writeln!(
            out,
            "website redirects: {n} {}set (x-amz-website-redirect-location)",
            if r.dry_run { "would be " } else { "" }
        );
    }
    if let Some((file, paths)) = &r.invalidation {
        let _ = writeln!(
            out,
            "CDN invalidation: {} path{} written to {file}",
            paths.len(),
            if paths.len() == 1 { "" } else { "s" }
        );
    }
    out
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}
