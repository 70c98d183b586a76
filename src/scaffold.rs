//! `polis new KIND NAME`: a ready-to-fill page bundle from an archetype.
//!
//! An archetype is a folder `archetypes/KIND/` of the site, or else of the
//! theme: its Markdown files (`index.md`, `index.nb.md`, one per language)
//! are minijinja templates, its other files (a placeholder photo) are copied
//! as they are. Templates see `name` (as typed), `title`, `slug`, `date`
//! (today, `2026-11-23`), `week` (the collection's next free ISO week,
//! `2026-W49`) and `lang`.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diag::Diagnostics;
use crate::error::{Error, Result};
use crate::load::{CONTENT_DIR, load_site};
use crate::model::fields::{FieldType, FieldValue};

pub const ARCHETYPES_DIR: &str = "archetypes";

/// What `new` wrote.
#[derive(Debug)]
pub struct Created {
    /// The bundle's folder, relative to the site root.
    pub folder: String,
    /// Every file written, relative to the site root.
    pub files: Vec<String>,
}

fn option(msg: impl Into<String>) -> Error {
    Error::Option(msg.into())
}

/// The archetype folder of `kind`: the site's, else the theme's.
fn archetype(config: &Config, kind: &str) -> Result<PathBuf> {
    let mut dirs = vec![config.root.join(ARCHETYPES_DIR)];
    if let Some(t) = crate::pipeline::theme_dir(config, &mut Diagnostics::default()) {
        dirs.push(t.join(ARCHETYPES_DIR));
    }
    if let Some(d) = dirs.iter().map(|d| d.join(kind)).find(|d| d.is_dir()) {
        return Ok(d);
    }
    let mut kinds: Vec<String> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    kinds.sort();
    kinds.dedup();
    Err(option(if kinds.is_empty() {
        format!(
            "there is no archetype `{kind}`: neither the site nor the theme has an `archetypes/` folder"
        )
    } else {
        format!(
            "there is no archetype `{kind}`; there are: {}",
            kinds.join(", ")
        )
    }))
}

/// The collection an archetype kind fills: named like it (`takeover`) or its
/// plural (`events`, `municipalities`).
fn collection_for<'a>(
    config: &'a Config,
    kind: &str,
) -> Option<&'a crate::model::fields::Collection> {
    let plurals = [
        kind.to_string(),
        format!("{kind}s"),
        kind.strip_suffix('y')
            .map(|s| format!("{s}ies"))
            .unwrap_or_default(),
    ];
    config
        .collections
        .iter()
        .find(|c| plurals.contains(&c.name))
}

/// The week after the latest one any page of the collection has, and never
/// one before next week.
fn next_free_week(
    config: &Config,
    collection: Option<&crate::model::fields::Collection>,
    today: jiff::civil::Date,
    diags: &mut Diagnostics,
) -> Result<jiff::civil::ISOWeekDate> {
    let next = |w: jiff::civil::ISOWeekDate| {
        w.date()
            .checked_add(jiff::Span::new().days(7))
            .map(|d| d.iso_week_date())
            .unwrap_or(w)
    };
    let mut week = next(today.iso_week_date());
    let Some(c) = collection else {
        return Ok(week);
    };
    let Some(field) = c.fields.iter().find(|f| f.ty == FieldType::Week) else {
        return Ok(week);
    };
    let loaded = match load_site(config, diags) {
        Ok(l) => l,
        Err(Error::Diagnostics) => return Ok(week),
        Err(e) => return Err(e),
    };
    let taken: Vec<jiff::civil::ISOWeekDate> = loaded
        .files
        .iter()
        .filter(|f| c.contains(&f.rel))
        .filter_map(
            |f| match f.front.fields.get(&field.name).map(|x| &x.value) {
                Some(FieldValue::Week(w)) => Some(*w),
                _ => None,
            },
        )
        .collect();
    while taken.contains(&week) {
        week = next(week);
    }
    if let Some(last) = taken.iter().max().filter(|l| **l >= week) {
        week = next(*last);
    }
    Ok(week)
}

/// Writes the bundle for `name` from the archetype `kind`. `name` may be a
/// path under `content/` (`live/renting-tips`) for kinds without a collection.
pub fn new_content(
    config: &Config,
    kind: &str,
    name: &str,
    now: jiff::Timestamp,
) -> Result<Created> {
    let dir = archetype(config, kind)?;
    let collection = collection_for(config, kind);
    let today = now.to_zoned(config.time_zone.clone()).date();
    let mut diags = Diagnostics::default();
    let week = next_free_week(config, collection, today, &mut diags)?;
    let week_label = crate::model::fields::format_week(week);

    let (parent, title) = match name.trim().trim_matches('/').rsplit_once('/') {
        Some((p, t)) => (p.to_string(), t.to_string()),
        None => match collection {
            Some(c) => (c.folder.clone(), name.trim().to_string()),
            None => {
                return Err(option(format!(
                    "say where the new {kind} goes, as a path under content/: `polis new {kind} live/{}`",
                    slug::slugify(name)
                )));
            }
        },
    };
    let slug = slug::slugify(&title);
    if slug.is_empty() {
        return Err(option(format!(
            "`{name}` has no letters or digits to name a folder after"
        )));
    }
    // A weekly post's folder starts with its week, so the folder sorts by date.
    let is_weekly = collection.is_some_and(|c| c.fields.iter().any(|f| f.ty == FieldType::Week));
    let folder_name = if is_weekly {
        format!("{}-{slug}", week_label.to_lowercase())
    } else {
        slug.clone()
    };
    let folder = format!("{CONTENT_DIR}/{parent}/{folder_name}");
    let target = config.root.join(&folder);
    if target.exists() {
        return Err(option(format!(
            "`{folder}` exists already; choose another name"
        )));
    }

    let mut env = minijinja::Environment::new();
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    entries.sort();
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for path in entries {
        let rel = path.strip_prefix(&dir).unwrap_or(&path).to_path_buf();
        let bytes = crate::fs::read(&path)?;
        let is_md = rel.extension().is_some_and(|e| e == "md");
        let out = if is_md {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let lang = lang_of(&rel, config);
            env.render_str(
                &text,
                minijinja::context! {
                    name => name.trim(),
                    title => &title,
                    slug => &slug,
                    date => today.to_string(),
                    week => &week_label,
                    lang => lang,
                },
            )
            .map_err(|e| option(format!("archetype `{}`: {e}", path.display())))?
            .into_bytes()
        } else {
            bytes
        };
        outputs.push((rel, out));
    }
    if outputs.is_empty() {
        return Err(option(format!(
            "the archetype `{}` is empty",
            dir.display()
        )));
    }
    // Everything rendered: only now is anything written.
    for (rel, bytes) in outputs {
        let to = target.join(&rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|source| Error::Io {
                op: "creating",
                path: p.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&to, bytes).map_err(|source| Error::Io {
            op: "writing",
            path: to.clone(),
            source,
        })?;
        files.push(format!(
            "{folder}/{}",
            rel.to_string_lossy().replace('\\', "/")
        ));
    }
    Ok(Created { folder, files })
}

/// `index.nb.md` → `nb`; `index.md` → the default language.
fn lang_of(rel: &Path, config: &Config) -> String {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".md");
    match stem.rsplit_once('.') {
        Some((_, code)) if config.lang(code).is_some() => code.to_string(),
        _ => config.default_language.to_string(),
    }
}
