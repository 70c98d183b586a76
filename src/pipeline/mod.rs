//! The pipeline: the stage list, written once.
//!
//! `config` → `load` → `resolve` → (check's lints) → `render` → `assets` →
//! `output`. Every driver runs the site through [`run`]: `build` into a
//! staging folder, `check` into nothing with its lints, `serve` into memory
//! with the [`Caches`] it keeps between builds, and `translations` up to
//! `resolve` only. No stage knows which driver called it; what an edit lets a
//! rebuild skip is decided in [`edit`], not inside a stage.

pub mod edit;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::assets::images::ImageWork;
use crate::assets::images::{ImageSet, ImageStats, Images};
use crate::assets::styles::AssetCache;
use crate::diag::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::load::LoadCache;
use crate::model::{Lang, SourcePath};
use crate::output::Output;
pub use crate::progress::Show;
use crate::render::{Change, RenderState};
use crate::resolve::Site;
pub use crate::search::SearchWork;
use crate::{assets, config, load, render, resolve};
pub use edit::Edit;

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
    /// When the images' variants are made: before the build ends, on
    /// request (`serve`), or not at all (`check`).
    pub images: ImageWork,
    /// When the search index is made: before the build ends, after it
    /// (`serve`), or not at all (`check`).
    pub search: SearchWork,
    /// Progress of long work (image variants) on stderr; nothing by default.
    pub progress: Show,
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
            images: ImageWork::Make,
            search: SearchWork::Inline,
            progress: Show::Never,
        }
    }

    /// `config` with what these options override.
    fn apply(&self, mut config: config::Config) -> Result<config::Config> {
        if let Some(url) = &self.base_url {
            config = config.with_base_url(url).map_err(Error::Option)?;
        }
        if let Some(dir) = &self.cache_dir {
            config.images.cache_dir =
                config::cache_dir_of(&config.root, dir).map_err(Error::Option)?;
        }
        Ok(config)
    }

    /// Which pages this build publishes.
    pub fn publish(&self) -> resolve::Publish {
        resolve::Publish {
            drafts: self.drafts,
            future: self.future,
            now: self.now,
        }
    }

    fn style_options(&self, config: &config::Config) -> assets::styles::StyleOptions {
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
    /// Outputs rendered through the templates by this build; outputs a
    /// rebuild reused from the last one are not counted.
    pub rendered: usize,
    pub images: ImageStats,
}

/// What one build keeps for the next: loaded files, the resolved site and
/// render records, image probes and variants, compiled stylesheets. `serve`
/// owns one for its whole session; a one-shot build starts from
/// [`Caches::one_shot`] and drops it.
#[derive(Debug)]
pub struct Caches {
    load: LoadCache,
    render: RenderState,
    /// What `resolve` reported last time it ran (a bodies-only rebuild skips it).
    resolve_diags: Vec<Diagnostic>,
    /// Probes and variants of images, kept while `[images]` stays the same.
    images: Option<Arc<Images>>,
    styles: AssetCache,
    /// The web editor's CMS script, read and checked once.
    editor: crate::editor::ScriptCache,
    /// The search index's documents of the last build (`serve`).
    search: crate::search::DocCache,
}

impl Caches {
    /// For a single build: nothing to reuse, and nothing worth keeping for
    /// a next build (bodies stay on disk until they are rendered, rendered
    /// bytes go out at once).
    pub fn one_shot() -> Self {
        Caches {
            load: LoadCache::bodies_on_disk(),
            render: RenderState::default(),
            resolve_diags: Vec::new(),
            images: None,
            styles: AssetCache::default(),
            editor: crate::editor::ScriptCache::default(),
            search: crate::search::DocCache::default(),
        }
    }

    /// For a series of builds, each reusing what the last one left. The
    /// bodies stay on disk here too: a body is read again only when its
    /// Markdown must be rendered again, which its cached HTML spares the
    /// other rebuilds (at 100,000 pages the texts were 0.8 GB of `serve`).
    pub fn incremental() -> Self {
        Caches {
            render: RenderState::incremental(),
            editor: crate::editor::ScriptCache::packed(),
            ..Caches::one_shot()
        }
    }

    /// Forgets what depends on the content and the config (the image and
    /// style caches check themselves against the new config).
    pub fn clear(&mut self) {
        self.load = self.load.emptied();
        self.render.clear();
        self.resolve_diags.clear();
    }
}

/// Check's lints: shown the resolved site, they add their findings.
pub type Lint<'a> = &'a mut dyn FnMut(&Site, &mut Diagnostics);

/// What [`run`] is asked for after `resolve`.
pub enum Goal<'a> {
    /// Stop after `resolve` and hand back the site (`translations`).
    Resolve,
    /// Every stage into `output`, with `lint` shown the resolved site before
    /// it is rendered (`check`).
    Output {
        output: &'a dyn Output,
        lint: Option<Lint<'a>>,
    },
}

/// What [`run`] came to.
#[derive(Debug)]
pub enum Outcome {
    Resolved(Box<Site>),
    Built(Built),
}

/// A build that ran every stage.
#[derive(Debug)]
pub struct Built {
    pub summary: BuildSummary,
    /// Whether only Markdown bodies changed, so `resolve` was skipped.
    pub bodies_only: bool,
    /// The image service and every image the site shows: pruning the image
    /// cache needs both, once the build is known to be good.
    images: Arc<Images>,
    shown: Vec<Arc<ImageSet>>,
    /// The pages to index, when the build left its search index to the
    /// caller ([`SearchWork::Deferred`]).
    pub search: Option<crate::search::Pending>,
}

impl Built {
    /// The image service the build used: it answers for the variants left to
    /// make on request ([`ImageWork::OnRequest`]).
    pub fn images(&self) -> &Arc<Images> {
        &self.images
    }

    /// Removes the image cache's entries that this build did not show; only a
    /// good build that made its images has seen every one the site shows.
    pub fn prune_images(&self) -> Result<usize> {
        self.images.prune(&self.shown)
    }
}

impl Outcome {
    pub fn into_built(self) -> Built {
        match self {
            Outcome::Built(b) => b,
            Outcome::Resolved(_) => unreachable!("an output goal always renders"),
        }
    }
}

/// Runs the site through the stages, reusing from `caches` what `edit` left
/// valid. Problems in the content go to `diags`; the stages carry on past them
/// so that one run shows them all, and the caller decides from `diags` whether
/// the output is good.
pub fn run(
    options: &BuildOptions,
    caches: &mut Caches,
    edit: &Edit,
    goal: Goal<'_>,
    diags: &mut Diagnostics,
) -> Result<Outcome> {
    let mut timer = crate::timing::Timer::new();
    let scope = edit.scope(&options.root);
    if scope.everything {
        caches.clear();
    }
    let config = options.apply(config::load_config(&options.root, diags)?)?;
    let theme_dir = theme_dir(&config, diags);
    if matches!(goal, Goal::Output { .. }) {
        // Without templates every page would fail on its own: say it once.
        render::templates::require_templates(&config, theme_dir.as_deref(), diags)?;
    }
    let loaded = load::load_site_cached(&config, diags, &mut caches.load, scope.reread())?;
    timer.lap("load");
    let (site, change) = match edit::patch_bodies(&scope, &mut caches.render, &loaded) {
        Some(site) => {
            diags.extend(caches.resolve_diags.iter().cloned());
            (site, Change::BodiesOnly)
        }
        None => {
            let mut found = Diagnostics::default();
            let site = resolve::resolve_site(config, loaded, &options.publish(), &mut found);
            caches.resolve_diags = found.sorted();
            diags.extend(caches.resolve_diags.iter().cloned());
            (site, Change::Any)
        }
    };
    timer.lap("resolve");
    let (output, lint) = match goal {
        Goal::Resolve => return Ok(Outcome::Resolved(Box::new(site))),
        Goal::Output { output, lint } => (output, lint),
    };
    if let Some(lint) = lint {
        lint(&site, diags);
    }
    let i18n = render::i18n::I18n::load(&site.config, theme_dir.as_deref(), diags);
    let base_map = render::map::BaseMap::load(&site.config, diags);
    let dirs = render::templates::TemplateDirs::new(&options.root, theme_dir.as_deref());
    let plan = assets::plan(&site, theme_dir.as_deref())?;
    let images = images_service(&mut caches.images, &site.config);
    let styles = Arc::new(assets::styles::build(
        &plan.styles,
        &options.root,
        &site.config.base_path,
        options.style_options(&site.config),
        &caches.styles,
        diags,
    ));
    // The search index is fed by what render writes (issue 17).
    let indexer = match options.search {
        SearchWork::Skip => None,
        // Only a build whose index is left to the caller (`serve`) has a
        // next build to keep documents for.
        work => crate::search::plan(&site, &i18n).map(|p| {
            let cache = (work == SearchWork::Deferred).then_some(&caches.search);
            crate::search::Indexer::new(output, p, cache)
        }),
    };
    // The web editor's configuration, from the schema (issue 18).
    let editor = crate::editor::plan(&site, &mut caches.editor, diags);
    timer.lap("i18n, plan, styles");
    let inputs = render::Inputs {
        site,
        i18n,
        images: images.clone(),
        assets: styles.clone(),
        base_map,
    };
    let to: &dyn Output = match &indexer {
        Some(indexer) => indexer,
        None => output,
    };
    let stats = render::render_site(inputs, &dirs, to, diags, &mut caches.render, change)?;
    timer.lap("render");
    let search = match indexer {
        Some(indexer) if options.search == SearchWork::Deferred => Some(indexer.into_pending()),
        Some(indexer) => {
            indexer.finish()?;
            timer.lap("search index");
            None
        }
        None => None,
    };
    let originals = assets::originals(&images, &plan.originals, diags);
    let image_stats = match options.images {
        ImageWork::Skip => ImageStats::default(),
        work => images.publish(&stats.images, &originals, output, work, options.progress)?,
    };
    if options.images == ImageWork::OnRequest {
        images.make_in_background(options.progress)?;
    }
    assets::write_styles(&styles, output)?;
    assets::copy_all(&plan.copies, output)?;
    timer.lap("assets");
    if let Some(editor) = &editor {
        crate::editor::write(editor, &styles, output)?;
        timer.lap("editor");
    }
    Ok(Outcome::Built(Built {
        summary: BuildSummary {
            pages: stats.pages,
            files: output.count(),
            rendered: stats.rendered,
            images: image_stats,
        },
        bodies_only: matches!(change, Change::BodiesOnly),
        images,
        shown: stats.images,
        search,
    }))
}

/// The image service of the caches when it serves this config, else a new one;
/// either way it starts a build.
fn images_service(kept: &mut Option<Arc<Images>>, config: &config::Config) -> Arc<Images> {
    let images = match kept {
        Some(i) if i.fits(&config.images, &config.base_path) => i.clone(),
        _ => {
            // The old service's background maker has an obsolete list.
            if let Some(old) = kept {
                old.cancel_background();
            }
            Arc::new(Images::new(&config.images, &config.root, &config.base_path))
        }
    };
    images.begin_build();
    *kept = Some(images.clone());
    images
}

/// The folder of the site's theme, when `site.toml` names one that exists.
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

/// Runs every stage once into `output`, nothing kept for a next build;
/// `lint` sees the resolved site first (`check`).
pub fn run_once<'a>(
    options: &BuildOptions,
    output: &'a dyn Output,
    lint: Option<Lint<'a>>,
    diags: &mut Diagnostics,
) -> Result<Built> {
    let goal = Goal::Output { output, lint };
    let outcome = run(
        options,
        &mut Caches::one_shot(),
        &Edit::Everything,
        goal,
        diags,
    )?;
    Ok(outcome.into_built())
}

/// Builds the site into `output`: every stage, nothing kept.
pub fn build(
    options: &BuildOptions,
    output: &dyn Output,
    diags: &mut Diagnostics,
) -> Result<BuildSummary> {
    Ok(run_once(options, output, None, diags)?.summary)
}

/// Builds into `out_dir` through a staging folder: the folder is replaced only
/// when the build has no errors (and no warnings, with `deny_warnings`).
pub fn build_to_dir(
    options: &BuildOptions,
    out_dir: &Path,
    deny_warnings: bool,
    diags: &mut Diagnostics,
) -> Result<BuildSummary> {
    let output = crate::output::DiskOutput::begin(out_dir)?;
    let result = run_once(options, &output, None, diags);
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
    let mut built = result?;
    if options.images == ImageWork::Make {
        built.summary.images.pruned = built.prune_images()?;
    }
    Ok(built.summary)
}
