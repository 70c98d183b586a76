//! `polis build`: the whole site into `public/` (or `--output`).

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::config::find_root;
use crate::diag::Diagnostics;
use crate::error::{Error, Result};
use crate::{BuildOptions, BuildSummary, build_to_dir};

/// What `build` and `check` both take: which site, and which of its pages.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Use this base URL instead of `base_url` in site.toml (for previews)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include pages marked `draft = true`
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated after the build clock (scheduled posts)
    #[arg(long)]
    pub future: bool,
    /// Set the build clock (RFC 3339, such as 2026-11-23T09:00:00+01:00); also read
    /// from SOURCE_DATE_EPOCH; the current time otherwise
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

impl SiteArgs {
    /// The build options these arguments ask for (`root` found on the way).
    pub fn options(&self) -> Result<BuildOptions> {
        let mut options = BuildOptions::new(&site_root(self.root.as_deref())?);
        options.base_url = self.base_url.clone();
        options.drafts = self.drafts;
        options.future = self.future;
        options.now = build_clock(self.now.as_deref())?;
        Ok(options)
    }
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site; replaced only when the build succeeds [default: ROOT/public]
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Keep resized images here instead of `[images] cache_dir` (CI caches it
    /// between runs); must be outside the site's source folders
    #[arg(long, value_name = "DIR", env = "POLIS_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Fail the build on warnings too (for CI)
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print only problems, no summary
    #[arg(long, short)]
    pub quiet: bool,
}

/// The outcome for `main` to print.
pub struct BuildOutcome {
    pub result: Result<BuildSummary>,
    pub diagnostics: Diagnostics,
    pub elapsed: std::time::Duration,
    pub output: PathBuf,
}

pub fn run(args: &BuildArgs) -> Result<BuildOutcome> {
    let start = Instant::now();
    let mut options = args.site.options()?;
    options.cache_dir = cache_dir(args.cache_dir.as_deref())?;
    if !args.quiet {
        options.progress = crate::progress::Show::OnStderr;
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
    let mut diagnostics = Diagnostics::default();
    let result = build_to_dir(&options, &output, args.deny_warnings, &mut diagnostics);
    Ok(BuildOutcome {
        result,
        diagnostics,
        elapsed: start.elapsed(),
        output,
    })
}

/// `root`, or else the nearest folder upwards from the current one with a
/// `site.toml`; absolute either way. `--root site` is relative to the current
/// folder as the shell user means it, and `serve` compares the root with the
/// watcher's paths, which are absolute: a relative root matched none of them,
/// so no edit was ever rebuilt.
pub fn site_root(root: Option<&std::path::Path>) -> Result<PathBuf> {
    let root = match root {
        Some(r) => r.to_path_buf(),
        None => {
            let cwd = std::env::current_dir().map_err(|source| Error::Io {
                op: "reading the current folder",
                path: PathBuf::from("."),
                source,
            })?;
            find_root(&cwd)?
        }
    };
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Error::NoSiteRoot(root));
    }
    std::path::absolute(&root).map_err(|source| Error::Io {
        op: "resolving the site folder",
        path: root,
        source,
    })
}

/// `--cache-dir` (or `POLIS_CACHE_DIR`) as an absolute path: relative to the
/// current folder, as a shell user means it.
pub fn cache_dir(dir: Option<&std::path::Path>) -> Result<Option<PathBuf>> {
    dir.map(|d| {
        std::path::absolute(d).map_err(|source| Error::Io {
            op: "resolving the cache folder",
            path: d.to_path_buf(),
            source,
        })
    })
    .transpose()
}

/// `--now`, else `SOURCE_DATE_EPOCH`, else the system clock.
pub fn build_clock(now: Option<&str>) -> Result<jiff::Timestamp> {
    if let Some(s) = now {
        return s
            .parse::<jiff::Timestamp>()
            .map_err(|e| Error::Option(format!("`--now {s}` is not an RFC 3339 time: {e}")));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch.trim().parse().map_err(|_| {
            Error::Option(format!(
                "SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"
            ))
        })?;
        return jiff::Timestamp::from_second(secs)
            .map_err(|e| Error::Option(format!("SOURCE_DATE_EPOCH `{epoch}`: {e}")));
    }
    Ok(jiff::Timestamp::now())
}
