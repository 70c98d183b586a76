//! polis: a static site generator for multilingual regional sites.
//!
//! The pipeline, one stage per module, each taking the previous stage's value:
//! `config` → `load` → `resolve` → `render` → `assets` → `output`.

pub mod assets;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod error;
pub mod fs;
pub mod load;
pub mod model;
pub mod output;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod session;

use std::path::{Path, PathBuf};

use diag::{Diagnostic, Diagnostics};
use error::{Error, Result};
use model::{Lang, SourcePath};
use output::Output;

/// What a build is asked to do, beyond what `site.toml` says.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root (the folder with `site.toml`).
    pub root: PathBuf,
    /// Overrides `base_url` (serve, previews).
    pub base_url: Option<String>,
    pub drafts: bool,
    pub future: bool,
    /// The build clock: pages dated later are scheduled, not published.
    pub now: jiff::Timestamp,
    /// Overrides `[images] cache_dir` (`--cache-dir`, `POLIS_CACHE_DIR`).
    pub cache_dir: Option<PathBuf>,
    /// Stylesheets and scripts under fingerprinted names, with integrity
    /// hashes when the site asks for them. `serve` turns this off: there, a
    /// stylesheet edit then changes no page and is swapped in without a reload.
    pub fingerprint_assets: bool,
    /// Make the images' variants. `check` turns this off: every image is still
    /// read and checked, but nothing is encoded for an output nobody keeps.
    pub encode_images: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            base_url: None,
            drafts: false,
            future: false,
            now: jiff::Timestamp::now(),
            cache_dir: None,
            fingerprint_assets: true,
            encode_images: true,
        }
    }

    /// `config` with what these options override.
    pub(crate) fn apply(&self, mut config: config::Config) -> Result<config::Config> {
        if let Some(url) = &self.base_url {
            config = config.with_base_url(url).map_err(Error::Option)?;
        }
        if let Some(dir) = &self.cache_dir {
            config.images.cache_dir =
                config::cache_dir_of(&config.root, dir).map_err(Error::Option)?;
        }
        Ok(config)
    }

    pub(crate) fn style_options(&self, config: &config::Config) -> assets::styles::StyleOptions {
        assets::styles::StyleOptions {
            minify: config.assets.minify,
            fingerprint: self.fingerprint_assets,
            integrity: config.assets.integrity,
        }
    }
}

/// What a finished build reports.
#[derive(Debug, Default)]
pub struct BuildSummary {
    /// Pages per language, in language order.
    pub pages: Vec<(Lang, usize)>,
    pub files: usize,
    pub images: assets::images::ImageStats,
}

/// Builds the site into `output`. Problems in the content go to `diags`; the
/// build carries on past them so that one run shows them all. The caller decides
/// from `diags` whether the output is good.
pub fn build(
    options: &BuildOptions,
    output: &dyn Output,
    diags: &mut Diagnostics,
) -> Result<BuildSummary> {
    build_kept(options, output, diags, |_, _| {}).map(|(summary, _)| summary)
}

/// [`build`], showing the resolved site to `inspect` before it is rendered:
/// how `check` adds its lints to the very build that `build` does.
pub fn build_inspecting(
    options: &BuildOptions,
    output: &dyn Output,
    diags: &mut Diagnostics,
    inspect: impl FnOnce(&resolve::Site, &mut Diagnostics),
) -> Result<BuildSummary> {
    build_kept(options, output, diags, inspect).map(|(summary, _)| summary)
}

/// What a build keeps for pruning the image cache once it is known to be good.
struct Kept {
    images: std::sync::Arc<assets::images::Images>,
    shown: Vec<std::sync::Arc<assets::images::ImageSet>>,
}

fn build_kept(
    options: &BuildOptions,
    output: &dyn Output,
    diags: &mut Diagnostics,
    inspect: impl FnOnce(&resolve::Site, &mut Diagnostics),
) -> Result<(BuildSummary, Kept)> {
    let config = options.apply(config::load_config(&options.root, diags)?)?;
    let mut timer = Timer::new();
    let theme_dir = theme_dir(&config, diags);
    render::templates::require_templates(&config, theme_dir.as_deref(), diags)?;
    let loaded = load::load_site(&config, diags)?;
    timer.lap("load");
    let site = resolve::resolve_site(config, loaded, options, diags);
    timer.lap("resolve");
    inspect(&site, diags);
    let i18n = render::i18n::I18n::load(&site.config, theme_dir.as_deref(), diags);
    let dirs = render::templates::TemplateDirs::new(&options.root, theme_dir.as_deref());
    let plan = assets::plan(&site, theme_dir.as_deref())?;
    let images = std::sync::Arc::new(assets::images::Images::new(
        &site.config.images,
        &options.root,
        &site.config.base_path,
    ));
    let styles = std::sync::Arc::new(assets::styles::build(
        &plan.styles,
        &options.root,
        &site.config.base_path,
        options.style_options(&site.config),
        &assets::styles::AssetCache::default(),
        diags,
    ));
    timer.lap("plan, styles");
    let inputs = render::Inputs {
        site,
        i18n,
        images: images.clone(),
        assets: styles.clone(),
    };
    let stats = render::render_site(inputs, &dirs, output, diags)?;
    timer.lap("render");
    let originals = assets::originals(&images, &plan.originals, diags);
    let image_stats = if options.encode_images {
        images.publish(&stats.images, &originals, output)?
    } else {
        assets::images::ImageStats::default()
    };
    timer.lap("images");
    assets::write_styles(&styles, output)?;
    assets::copy_all(&plan.copies, output)?;
    timer.lap("assets");
    Ok((
        BuildSummary {
            pages: stats.pages,
            files: output.count(),
            images: image_stats,
        },
        Kept {
            images,
            shown: stats.images,
        },
    ))
}

pub(crate) fn theme_dir(config: &config::Config, diags: &mut Diagnostics) -> Option<PathBuf> {
    let name = config.theme.as_deref()?;
    let dir = config.root.join("themes").join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        diags.push(
            Diagnostic::error(
                &SourcePath::new(config::CONFIG_FILE),
                None,
                format!("the theme `{name}` is not in `themes/{name}/`"),
            )
            .with_help("check `theme` in site.toml, or add the theme's folder"),
        );
        None
    }
}

/// Builds into `out_dir` through a staging folder: the folder is replaced only
/// when the build has no errors (and no warnings, with `deny_warnings`).
pub fn build_to_dir(
    options: &BuildOptions,
    out_dir: &Path,
    deny_warnings: bool,
    diags: &mut Diagnostics,
) -> Result<BuildSummary> {
    let output = output::DiskOutput::begin(out_dir)?;
    let result = build_kept(options, &output, diags, |_, _| {});
    let failed =
        result.is_err() || diags.has_errors() || (deny_warnings && diags.warning_count() > 0);
    if failed {
        output.abort()?;
        return match result {
            Err(e) => Err(e),
            Ok(_) => Err(Error::Diagnostics),
        };
    }
    output.commit()?;
    let (mut summary, kept) = result?;
    // Only a good build that made its images has seen every one the site shows.
    if options.encode_images {
        summary.images.pruned = kept.images.prune(&kept.shown)?;
    }
    Ok(summary)
}

/// Stage timings on stderr when `POLIS_TIMINGS` is set: for profiling, not output.
pub(crate) struct Timer(Option<std::time::Instant>);

impl Timer {
    pub(crate) fn new() -> Self {
        Timer(std::env::var_os("POLIS_TIMINGS").map(|_| std::time::Instant::now()))
    }

    pub(crate) fn lap(&mut self, stage: &str) {
        if let Some(start) = self.0 {
            eprintln!("timing: {stage} {:.1?}", start.elapsed());
            self.0 = Some(std::time::Instant::now());
        }
    }
}
