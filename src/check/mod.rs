//! `check`: the whole build, writing nothing, so every problem `build` finds
//! shows here too; plus the content lints a reviewer would otherwise do by hand
//! ([`lint`]), stale translations, and, when asked, a check of external links ([`external`]).
//! [`report`] prints what was found for people (`human`), for GitHub Actions
//! (`github`) and for machines (`json`).
//!
//! Nothing here writes into the site; only `external` keeps a cache, in the
//! cache folder (`.polis-cache/` by default).

pub mod external;
pub mod lint;
pub mod report;

use crate::diag::Diagnostics;
use crate::error::Result;
use crate::output::NullOutput;
use crate::pipeline::{self, BuildOptions, BuildSummary};

/// What a check does beyond the build.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Ask every external link's server whether it is there (`--external`).
    pub external: Option<external::Settings>,
}

/// Builds the site into nothing and lints it. Problems go to `diags`, the
/// lints' included; the caller decides from them whether the check passed.
pub fn check_site(
    options: &BuildOptions,
    check: &CheckOptions,
    diags: &mut Diagnostics,
) -> Result<BuildSummary> {
    let output = NullOutput::default();
    let mut options = options.clone();
    options.images = crate::pipeline::ImageWork::Skip;
    // An index nobody keeps: the pages are still rendered and checked.
    options.search = crate::pipeline::SearchWork::Skip;
    let options = &options;
    let mut external = Vec::new();
    let mut cache_dir = options.root.join(".polis-cache");
    let mut lint = |site: &crate::resolve::Site, diags: &mut Diagnostics| {
        let found = lint::lint_site(site);
        diags.extend(found.diagnostics);
        // Translations whose source page changed since they were made.
        diags.extend(crate::resolve::stale_translation_warnings(site));
        external = found.external;
        cache_dir = site.config.images.cache_dir.clone();
    };
    let summary = pipeline::run_once(options, &output, Some(&mut lint), diags)?.summary;
    if let Some(settings) = &check.external {
        diags.extend(external::check_links(&cache_dir, &external, settings));
    }
    Ok(summary)
}
