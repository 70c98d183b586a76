//! `polis translations`: which translations are missing, stale, untracked or
//! up to date, per language and section; `polis translations mark FILE...`
//! records that translations are up to date with their default-language
//! versions again.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use super::build::site_root;
use crate::diag::Diagnostics;
use crate::error::{Error, Result};
use crate::load::CONTENT_DIR;
use crate::model::SourcePath;
use crate::pipeline::{self, BuildOptions, Caches, Edit, Goal, Outcome};
use crate::resolve;
use crate::resolve::translations::{Report, Status, report, translation_path};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TranslationsArgs {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Only this language
    #[arg(long, value_name = "CODE")]
    pub lang: Option<String>,
    /// List the translations that are up to date too
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Record that translations are up to date with their default-language
    /// versions as they are now (writes `translated_from` in each)
    Mark(MarkArgs),
}

#[derive(Debug, Args)]
pub struct MarkArgs {
    /// The translations (`content/live/housing.nb.md`)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// The resolved site as `translations` sees it: every file, drafts and
/// scheduled pages included.
fn site(root: Option<&Path>, diags: &mut Diagnostics) -> Result<resolve::Site> {
    let mut options = BuildOptions::new(site_root(root)?);
    options.drafts = true;
    options.future = true;
    let goal = Goal::Resolve;
    match pipeline::run(
        &options,
        &mut Caches::one_shot(),
        &Edit::Everything,
        goal,
        diags,
    )? {
        Outcome::Resolved(site) => Ok(*site),
        Outcome::Built(_) => unreachable!("the resolve goal stops before render"),
    }
}

/// The report; problems in the site go to `diags` (the report is made anyway).
pub fn run(args: &TranslationsArgs, diags: &mut Diagnostics) -> Result<Report> {
    let site = site(args.root.as_deref(), diags)?;
    let lang = match &args.lang {
        Some(code) => Some(site.config.lang(code).ok_or_else(|| {
            Error::Option(format!("`--lang {code}` is not a language of the site"))
        })?),
        None => None,
    };
    Ok(report(&site, lang.as_ref()))
}

/// The report as people read it: per language, a line of counts, then per
/// section what needs doing.
pub fn human(report: &Report, all: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for l in &report.languages {
        let c = &l.counts;
        let _ = writeln!(
            out,
            "{} ({}): {} up to date, {} stale, {} untracked, {} missing{}",
            l.lang,
            l.name,
            c.current,
            c.stale,
            c.untracked,
            c.missing,
            if c.orphan > 0 {
                format!(", {} without a default-language page", c.orphan)
            } else {
                String::new()
            }
        );
        for s in &l.sections {
            let entries: Vec<_> = s
                .entries
                .iter()
                .filter(|e| all || e.status != Status::Current)
                .collect();
            if entries.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "  {}  ({} of {} up to date)",
                s.section,
                s.counts.current,
                s.entries.len()
            );
            for e in entries {
                let _ = writeln!(out, "    {:<10} {}", e.status.as_str(), e.file);
            }
        }
    }
    let stale: usize = report.languages.iter().map(|l| l.counts.stale).sum();
    let untracked: usize = report.languages.iter().map(|l| l.counts.untracked).sum();
    let orphans: usize = report.languages.iter().map(|l| l.counts.orphan).sum();
    if stale > 0 {
        let _ = writeln!(
            out,
            "\na stale translation was made from an older version of its page: update it, then run `polis translations mark FILE`"
        );
    }
    if orphans > 0 {
        let _ = writeln!(
            out,
            "{}an orphan translation has no default-language page (it was renamed or removed): rename or remove the translation with it",
            if stale > 0 { "" } else { "\n" }
        );
    }
    if untracked > 0 {
        let _ = writeln!(
            out,
            "{}an untracked translation does not say which version it was made from: if it is up to date, run `polis translations mark FILE`",
            if stale + orphans > 0 { "" } else { "\n" }
        );
    }
    out
}

/// What `mark` did to one file.
#[derive(Debug)]
pub struct Marked {
    pub file: SourcePath,
    pub source: SourcePath,
    pub digest: String,
    /// It already recorded this digest: nothing was written.
    pub unchanged: bool,
}

/// Writes `translated_from` into each file. Stops at the first file it cannot
/// mark, with a message that says why; files before it stay marked.
pub fn mark(args: &MarkArgs, diags: &mut Diagnostics) -> Result<Vec<Marked>> {
    let site = site(args.root.as_deref(), diags)?;
    let content = site.config.root.join(CONTENT_DIR);
    let content = crate::fs::canonicalize(&content).unwrap_or(content);
    let mut done = Vec::new();
    for path in &args.files {
        // From the current folder, or else from the site's root: the first
        // that is a file of the site's `content/`.
        let found: Vec<PathBuf> = [path.clone(), site.config.root.join(path)]
            .iter()
            .filter_map(|p| crate::fs::canonicalize(p).ok())
            .collect();
        let Some((full, rel)) = found.iter().find_map(|full| {
            let rel = full.strip_prefix(&content).ok()?;
            Some((full.clone(), rel.to_string_lossy().replace('\\', "/")))
        }) else {
            return Err(Error::Usage(if found.is_empty() {
                format!("there is no file `{}`", path.display())
            } else {
                format!(
                    "`{}` is not in the site's `content/` folder",
                    path.display()
                )
            }));
        };
        let Some(i) = site.files.iter().position(|f| f.rel == rel) else {
            return Err(Error::Usage(format!(
                "`content/{rel}` is not a content file of the site (a Markdown file with a name polis reads)"
            )));
        };
        let file = &site.files[i];
        let Some(s) = site.translation_source(i) else {
            return Err(Error::Usage(if file.lang == site.config.default_language {
                // Name a translation it has, or could have.
                let examples: Vec<String> = site
                    .config
                    .languages
                    .iter()
                    .filter(|l| l.code != file.lang)
                    .map(|l| format!("`{}`", translation_path(&file.source, &l.code)))
                    .collect();
                format!(
                    "`{}` is in the default language, so it is not a translation; mark its translations ({}) instead",
                    file.source,
                    examples.join(", ")
                )
            } else {
                format!(
                    "`{}` has no default-language version to be translated from; add that first",
                    file.source
                )
            }));
        };
        let source = &site.files[s];
        let digest = source.digest(&site.config).to_string();
        let unchanged = file.front.translated_from.as_deref() == Some(digest.as_str());
        if !unchanged {
            let text = crate::fs::read(&full)?;
            let text = String::from_utf8(text)
                .map_err(|_| Error::Usage(format!("`{}` is not valid UTF-8", file.source)))?;
            // A byte order mark stays where it was.
            let (bom, body) = match text.strip_prefix('\u{feff}') {
                Some(rest) => ("\u{feff}", rest),
                None => ("", text.as_str()),
            };
            let new =
                crate::load::front_matter::set_string_key(body, "translated_from", &digest)
                    .map_err(|why| Error::Usage(format!("cannot mark `{}`: {why}", file.source)))?;
            crate::fs::write(&full, format!("{bom}{new}").as_bytes())?;
        }
        done.push(Marked {
            file: file.source.clone(),
            source: source.source.clone(),
            digest,
            unchanged,
        });
    }
    Ok(done)
}
