//! Scaffolding: `polis init` starts a site, `polis new KIND NAME` adds a
//! ready-to-fill page bundle to one.
//!
//! A new site is `site.toml`, the example theme (`themes/oslopolitan`, carried
//! in the binary) and a home page in each of its languages: it builds without a
//! warning and serves as it is.
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

/// The example theme, as it was in this repository when polis was compiled.
/// No build script makes a theme edit recompile polis: the site's editors
/// change the theme and run `cargo run --release -- build` far more often than
/// anyone runs `polis init`, and a release compile costs them minutes.
static THEME: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/oslopolitan");

/// The name a new site gives the example theme.
pub const THEME_NAME: &str = "oslopolitan";

/// What `init` wrote.
#[derive(Debug)]
pub struct Initialized {
    /// The site's folder, as given.
    pub root: PathBuf,
    /// The files written, relative to the site root, without the theme's.
    pub files: Vec<String>,
    /// How many files of the theme were written under `themes/`.
    pub theme_files: usize,
}

/// Starts a site in `root` (created when missing) in `languages`, the first the
/// default: `site.toml`, the example theme, and a home page per language. A
/// folder with anything in it but `.git` is refused, so nothing is overwritten.
pub fn init_site(root: &Path, languages: &[String]) -> Result<Initialized> {
    let languages = check_languages(languages)?;
    check_empty(root)?;
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        crate::config::CONFIG_FILE.to_string(),
        site_toml(&languages).into_bytes(),
    )];
    for (i, lang) in languages.iter().enumerate() {
        let suffix = if i == 0 {
            String::new()
        } else {
            format!(".{lang}")
        };
        let [home, about] = first_pages(lang);
        files.push((
            format!("{CONTENT_DIR}/_index{suffix}.md"),
            home.into_bytes(),
        ));
        // The theme's footer links to the about page.
        files.push((
            format!("{CONTENT_DIR}/about{suffix}.md"),
            about.into_bytes(),
        ));
        // UI strings the theme has no translation for start as its English
        // ones, so that every page has all its words.
        if THEME.get_file(format!("i18n/{lang}.toml")).is_none()
            && let Some(en) = THEME.get_file("i18n/en.toml")
        {
            let mut text = format!(
                "# The theme's UI strings for `{lang}`: copied from English, to translate.\n\n"
            );
            text.push_str(en.contents_utf8().unwrap_or_default());
            files.push((format!("i18n/{lang}.toml"), text.into_bytes()));
        }
    }
    files.push((
        ".gitignore".to_string(),
        b"/public/\n/.polis-cache/\n".to_vec(),
    ));
    for (rel, bytes) in &files {
        write_new(&root.join(rel), bytes)?;
    }
    let theme_root = root.join("themes").join(THEME_NAME);
    let mut theme_files = 0;
    let mut todo = vec![&THEME];
    while let Some(dir) = todo.pop() {
        todo.extend(dir.dirs());
        for file in dir.files() {
            write_new(&theme_root.join(file.path()), file.contents())?;
            theme_files += 1;
        }
    }
    Ok(Initialized {
        root: root.to_path_buf(),
        files: files.into_iter().map(|(rel, _)| rel).collect(),
        theme_files,
    })
}

/// The codes of `--languages`, checked: BCP 47, each once, at least one.
fn check_languages(languages: &[String]) -> Result<Vec<String>> {
    let codes: Vec<String> = languages
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() {
        return Err(option(
            "`--languages` names no language; give codes such as `en,nb`",
        ));
    }
    for (i, code) in codes.iter().enumerate() {
        if !crate::config::is_language_code(code) {
            return Err(option(format!(
                "`{code}` is not a language code; use BCP 47 codes such as `en`, `nb` or `pt-BR`"
            )));
        }
        if codes[..i].contains(code) {
            return Err(option(format!("`{code}` is named twice in `--languages`")));
        }
    }
    Ok(codes)
}

/// A new site's folder must be missing or empty (a `.git` of its own aside).
fn check_empty(root: &Path) -> Result<()> {
    let entries = match crate::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut found: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != ".git")
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    let shown = found
        .iter()
        .take(3)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>();
    Err(option(format!(
        "`{}` is not empty (it has {}{}): `polis init` starts a site only in a new or empty folder, so that it overwrites nothing; name a new folder, such as `polis init my-site`",
        root.display(),
        shown.join(", "),
        if found.len() > 3 { ", ..." } else { "" }
    )))
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        crate::fs::create_dir_all(parent)?;
    }
    crate::fs::write(path, bytes)
}

/// `site.toml` of a new site: the keys people change first, with a word on each.
fn site_toml(languages: &[String]) -> String {
    let mut s = format!(
        "# The site's settings: every key is described in polis's README (\"The site\").\n\
         # The address the site is published at; `polis serve` uses its own.\n\
         base_url = \"https://example.org/\"\n\
         title = \"My region\"\n\
         default_language = \"{}\"\n\
         # Templates, styles and UI strings: a folder under themes/.\n\
         theme = \"{THEME_NAME}\"\n\
         time_zone = \"Europe/Oslo\"\n",
        languages[0]
    );
    for lang in languages {
        s.push_str(&format!(
            "\n[languages.{lang}]\nname = \"{}\"\n",
            language_name(lang)
        ));
    }
    s
}

/// A language's name in itself, for the language switcher; the code when it is
/// not one of these (`site.toml` says it, and may be edited).
fn language_name(code: &str) -> &str {
    match code {
        "en" => "English",
        "nb" => "Norsk bokmål",
        "nn" => "Norsk nynorsk",
        "se" => "Davvisámegiella",
        "sv" => "Svenska",
        "da" => "Dansk",
        "fi" => "Suomi",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "pl" => "Polski",
        "uk" => "Українська",
        other => other,
    }
}

/// The home page and the about page of one language: a title, a description
/// and a first paragraph each.
fn first_pages(lang: &str) -> [String; 2] {
    let pages = match lang {
        "nb" | "nn" => [
            (
                "Velkommen",
                "Alt du trenger for å bo, jobbe og studere i regionen.",
                "Dette er forsiden. Skriv nye sider i `content/`, og se dem med `polis serve`.",
            ),
            (
                "Om oss",
                "Hvem som står bak nettstedet.",
                "Fortell leserne hvem som driver nettstedet.",
            ),
        ],
        _ => [
            (
                "Welcome",
                "All you need to live, work and study in the region.",
                "This is the home page. Write new pages in `content/`, and see them with `polis serve`.",
            ),
            (
                "About us",
                "Who runs this site.",
                "Tell readers who runs the site.",
            ),
        ],
    };
    pages.map(|(title, description, body)| {
        format!("+++\ntitle = \"{title}\"\ndescription = \"{description}\"\n+++\n\n{body}\n")
    })
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
        .filter_map(|d| crate::fs::read_dir(d).ok())
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
            crate::fs::create_dir_all(p)?;
        }
        crate::fs::write(&to, &bytes)?;
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
