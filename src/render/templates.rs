//! The minijinja environment: templates from the site's `templates/`, then the
//! theme's, then polis's built-in defaults; the functions and filters templates
//! call (`t`, `get_section`, `url`, `date`); and template errors turned into
//! diagnostics that name the template line and the page being rendered.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::value::{ArgType, Kwargs};
use minijinja::{Environment, Error as TplError, ErrorKind, State, Value};

use super::RenderCtx;
use super::deps::{Read, Recorder};
use super::i18n::DateStyle;
use super::objects::{View, section_value};
use crate::assets::styles::AssetUse;
use crate::diag::{Diagnostic, Diagnostics, Pos, pos_of};
use crate::model::{Lang, SourcePath};

/// Templates polis ships, used when neither the site nor the theme has the file.
const BUILTIN: &[(&str, &str)] = &[
    ("atom.xml", include_str!("builtin/atom.xml")),
    ("sitemap.xml", include_str!("builtin/sitemap.xml")),
    ("robots.txt", include_str!("builtin/robots.txt")),
    ("redirect.html", include_str!("builtin/redirect.html")),
];

/// A site with neither a theme nor templates of its own has nothing to render
/// its pages with. One diagnostic at `site.toml` says so, instead of a missing
/// template for every page, and the build stops there. (A theme that is named
/// but missing has had its diagnostic already.)
pub fn require_templates(
    config: &crate::config::Config,
    theme_dir: Option<&Path>,
    diags: &mut Diagnostics,
) -> crate::error::Result<()> {
    let has_own = walkdir::WalkDir::new(config.root.join("templates"))
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| e.file_type().is_file());
    if theme_dir.is_some() || has_own {
        return Ok(());
    }
    if config.theme.is_none() {
        let mut themes: Vec<String> = crate::fs::read_dir(&config.root.join("themes"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        themes.sort();
        let set = match themes.first() {
            Some(first) => format!(
                "set `theme = \"{first}\"` in site.toml (the themes in `themes/`: {})",
                themes
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "set `theme = \"...\"` in site.toml to a theme's folder under `themes/`, or add your own templates to `templates/`".to_string(),
        };
        diags.push(
            Diagnostic::error(
                &SourcePath::new(crate::config::CONFIG_FILE),
                None,
                "the site has no theme and no templates of its own, so no page can be rendered",
            )
            .with_help(set)
            .with_help("or run `polis init my-site` to start a new site with the example theme, and compare"),
        );
    }
    Err(crate::error::Error::Diagnostics)
}

/// Where templates are looked up, in order.
#[derive(Debug, Clone)]
pub struct TemplateDirs {
    pub root: PathBuf,
    pub dirs: Vec<PathBuf>,
}

impl TemplateDirs {
    pub fn new(root: &Path, theme_dir: Option<&Path>) -> Self {
        let mut dirs = vec![root.join("templates")];
        if let Some(t) = theme_dir {
            dirs.push(t.join("templates"));
        }
        TemplateDirs {
            root: root.to_path_buf(),
            dirs,
        }
    }

    /// The file a template name comes from, relative to the site root.
    pub fn source_of(&self, name: &str) -> SourcePath {
        for dir in &self.dirs {
            let p = dir.join(name);
            if p.is_file() {
                return SourcePath::new(p.strip_prefix(&self.root).unwrap_or(&p).to_string_lossy());
            }
        }
        SourcePath::new(format!("<built-in>/{name}"))
    }

    /// The text of a template, as the loader finds it. (A file that is there
    /// but cannot be read is passed over here; the loader reports it.)
    pub fn text(&self, name: &str) -> Option<String> {
        for dir in &self.dirs {
            if let Ok(s) = crate::fs::read_to_string(&dir.join(name)) {
                return Some(s);
            }
        }
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.to_string())
    }

    /// A hash of a template and of every template it extends, includes or
    /// imports, transitively: an output rendered with `name` renders the same
    /// while this is unchanged. A template that names another through an
    /// expression (`{% include page.extra.box %}`) could use any, so then every
    /// template file counts.
    pub fn closure_fingerprint(&self, name: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![name.to_string()];
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            let text = self.text(&n);
            (&n, &text).hash(&mut h);
            match text.as_deref().map(template_refs) {
                Some(Some(refs)) => todo.extend(refs),
                Some(None) => {
                    self.hash_all(&mut h);
                    break;
                }
                None => {}
            }
        }
        h.finish()
    }

    fn hash_all(&self, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        for dir in &self.dirs {
            for entry in walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if entry.file_type().is_file() {
                    entry.path().hash(h);
                    crate::fs::read(entry.path()).ok().hash(h);
                }
            }
        }
    }

    pub fn exists(&self, name: &str) -> bool {
        self.dirs.iter().any(|d| d.join(name).is_file()) || BUILTIN.iter().any(|(n, _)| *n == name)
    }
}

/// An environment over the site's and theme's templates, with the escaping
/// and syntax every template of polis has, but nothing of a site.
pub fn base_environment(dirs: &TemplateDirs) -> Environment<'static> {
    let mut env = Environment::new();
    let lookup = dirs.dirs.clone();
    env.set_loader(move |name| {
        if name.split(['/', '\\']).any(|s| s == ".." || s.is_empty()) {
            return Ok(None);
        }
        for dir in &lookup {
            let path = dir.join(name);
            match crate::fs::read_to_string(&path) {
                Ok(s) => return Ok(Some(s)),
                Err(e) if e.is_not_found() => continue,
                // The message names the operation and the path.
                Err(e) => return Err(TplError::new(ErrorKind::InvalidOperation, e.to_string())),
            }
        }
        Ok(BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.to_string()))
    });
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    // minijinja escapes `/` as `&#x2f;`: valid, but it makes every URL in an
    // attribute unreadable to tools that do not decode entities. Escape only what
    // HTML and XML need.
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), minijinja::AutoEscape::Html)
            && !value.is_safe()
            && let Some(s) = value.as_str()
        {
            return write_escaped(out, s).map_err(|e| {
                TplError::new(ErrorKind::WriteFailure, "cannot write output").with_source(e)
            });
        }
        minijinja::escape_formatter(out, state, value)
    });
    // `| escape` leaves trusted HTML alone; a feed's `type="html"` content needs
    // it escaped all the same.
    env.add_filter("escape_xml", |value: &Value| -> Value {
        let s = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        Value::from_safe_string(escape_html(&s))
    });
    // minijinja's own `safe` copies its argument into a new string every time,
    // even a page body that is safe already.
    env.add_filter("safe", |value: Value| -> Result<Value, TplError> {
        if value.is_safe() {
            return Ok(value);
        }
        String::from_value(Some(&value)).map(Value::from_safe_string)
    });
    env
}

pub fn environment(ctx: &Arc<RenderCtx>, dirs: &TemplateDirs) -> Environment<'static> {
    let mut env = base_environment(dirs);

    let c = ctx.clone();
    env.add_function(
        "t",
        move |state: &mut State, key: &str, kwargs: Kwargs| -> Result<String, TplError> {
            let count: Option<i64> = kwargs.get("count")?;
            let lang: Option<String> = kwargs.get("lang")?;
            kwargs.assert_all_used()?;
            let lang = match lang {
                Some(code) => c.site.config.lang(&code).ok_or_else(|| {
                    TplError::new(
                        ErrorKind::InvalidOperation,
                        format!("`{code}` is not a language of the site"),
                    )
                })?,
                None => current_lang(state, &c)?,
            };
            let rec = Recorder::of_state(state);
            if let Some(i) = c.site.config.languages.iter().position(|l| l.code == lang) {
                rec.read(Read::I18n(i as u16));
            }
            Ok(c.i18n.translate(&lang, key, count, &rec))
        },
    );

    let c = ctx.clone();
    env.add_function(
        "get_section",
        move |state: &mut State, path: &str| -> Result<Value, TplError> {
            let lang = current_lang(state, &c)?;
            let view = View::of_state(&c, state);
            view.read(Read::Structure);
            let dir = path
                .trim_matches('/')
                .trim_end_matches("_index.md")
                .trim_end_matches('/');
            Ok(c.site
                .section_by_dir(dir, &lang)
                .map_or(Value::from(()), |id| section_value(&view, id)))
        },
    );

    // `missing="..."`: what to give for a page the site does not have,
    // instead of an error (a theme's link to an optional page, issue 21).
    let c = ctx.clone();
    env.add_function(
        "url",
        move |state: &mut State, path: &str, kwargs: Kwargs| -> Result<String, TplError> {
            let missing: Option<String> = kwargs.get("missing")?;
            kwargs.assert_all_used()?;
            let lang = current_lang(state, &c)?;
            Recorder::of_state(state).read(Read::Structure);
            let rel = path.trim_start_matches("@/").trim_start_matches('/');
            let (rel, fragment) = rel
                .split_once('#')
                .map_or((rel, None), |(r, f)| (r, Some(f)));
            match c.site.resolve_link(rel, &lang) {
                Ok(t) => Ok(match fragment {
                    Some(f) => format!("{}#{f}", t.url(&c.site)),
                    None => t.url(&c.site).to_string(),
                }),
                Err(_) => missing.ok_or_else(|| {
                    TplError::new(
                        ErrorKind::InvalidOperation,
                        format!("url(): there is no published `content/{rel}`"),
                    )
                }),
            }
        },
    );

    // The URL of a file from `assets/` or the theme's `static/`, under the base
    // path: stylesheets and scripts under their fingerprinted names.
    let c = ctx.clone();
    env.add_function(
        "asset_url",
        move |state: &mut State, path: &str| -> String {
            let answer = c.assets.url(path);
            Recorder::of_state(state).asset(AssetUse::new(path, false, &answer));
            answer
        },
    );
    // `sha384-…` for a stylesheet's or script's `integrity` attribute, when
    // `[assets] integrity = true`; empty otherwise.
    let c = ctx.clone();
    env.add_function(
        "asset_integrity",
        move |state: &mut State, path: &str| -> String {
            let answer = c.assets.integrity(path);
            Recorder::of_state(state).asset(AssetUse::new(path, true, &answer));
            answer
        },
    );

    let c = ctx.clone();
    env.add_function(
        "image",
        move |state: &mut State, path: &str, kwargs: Kwargs| -> Result<Value, TplError> {
            image_function(&c, state, path, kwargs)
        },
    );

    // An SVG map of the pages' geo field over the base map: an overview whose
    // points are links, or with `current` a locator that marks that page.
    let c = ctx.clone();
    env.add_function(
        "municipality_map",
        move |state: &mut State, pages: Value, kwargs: Kwargs| -> Result<Value, TplError> {
            let field: Option<String> = kwargs.get("field")?;
            let title: Option<String> = kwargs.get("title")?;
            let id: Option<String> = kwargs.get("id")?;
            let current: Option<Value> = kwargs.get("current")?;
            kwargs.assert_all_used()?;
            let rec = Recorder::of_state(state);
            rec.read(Read::Collections);
            let not_a_page = || {
                TplError::new(
                    ErrorKind::InvalidOperation,
                    "municipality_map: the list holds something that is not a page",
                )
            };
            let mut ids = Vec::new();
            for v in pages.try_iter()? {
                let p = v
                    .downcast_object_ref::<super::objects::PageObj>()
                    .ok_or_else(not_a_page)?;
                rec.read(Read::PageMeta(p.id));
                ids.push(p.id);
            }
            let current = match current {
                Some(v) => Some(
                    v.downcast_object_ref::<super::objects::PageObj>()
                        .ok_or_else(|| {
                            TplError::new(
                                ErrorKind::InvalidOperation,
                                "municipality_map: `current` is not a page",
                            )
                        })?
                        .id,
                ),
                None => None,
            };
            let lang = current_lang(state, &c)?;
            let text = |key: &str| c.i18n.translate(&lang, key, None, &rec);
            let title = title.unwrap_or_else(|| text("map_title"));
            let points =
                super::map::points(&c.site, &ids, field.as_deref().unwrap_or("coordinates"));
            let labels = super::map::Labels {
                title: &title,
                id: id.as_deref().unwrap_or("map"),
                lang: lang.as_str(),
                text: &text,
            };
            Ok(Value::from_safe_string(super::map::svg(
                &c.site,
                c.base_map.as_deref(),
                &points,
                current,
                &labels,
            )))
        },
    );

    // Events by the build clock: those not over yet, soonest first; and those
    // over, latest first.
    let c = ctx.clone();
    env.add_filter(
        "upcoming",
        move |state: &mut State, pages: Value| -> Result<Value, TplError> {
            events_by_clock(&View::of_state(&c, state), pages, true)
        },
    );
    let c = ctx.clone();
    env.add_filter(
        "past",
        move |state: &mut State, pages: Value| -> Result<Value, TplError> {
            events_by_clock(&View::of_state(&c, state), pages, false)
        },
    );
    env.add_global(
        "now",
        Value::from(
            ctx.site
                .now
                .to_zoned(ctx.site.config.time_zone.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
        ),
    );

    // A number in the page's language: "59.74" in English, "59,74" in
    // Norwegian, with the language's grouping ("104 000"), issue 21.
    let c = ctx.clone();
    env.add_filter(
        "number",
        move |state: &State, value: &Value, fraction: Option<i16>| -> Result<String, TplError> {
            let lang = current_lang(state, &c)?;
            let n = f64::try_from(value.clone()).map_err(|_| {
                TplError::new(
                    ErrorKind::InvalidOperation,
                    format!("number: `{value}` is not a number"),
                )
            })?;
            Ok(c.i18n
                .format_number(n, fraction.unwrap_or(0).clamp(0, 12), &lang))
        },
    );

    let c = ctx.clone();
    env.add_filter(
        "date",
        move |state: &State, value: &Value, style: Option<&str>| -> Result<String, TplError> {
            let lang = current_lang(state, &c)?;
            let Some(s) = value.as_str() else {
                return Err(TplError::new(
                    ErrorKind::InvalidOperation,
                    "date: the value is not a date",
                ));
            };
            let date = crate::load::front_matter::parse_date(s, &c.site.config.time_zone)
                .ok_or_else(|| {
                    TplError::new(
                        ErrorKind::InvalidOperation,
                        format!("date: `{s}` is not a date"),
                    )
                })?;
            let style = match style {
                None => DateStyle::Long,
                Some(s) => DateStyle::parse(s).ok_or_else(|| {
                    TplError::new(
                        ErrorKind::InvalidOperation,
                        format!(
                            "date: unknown style `{s}`; use long, short, month_year, weekday, iso or rfc3339"
                        ),
                    )
                })?,
            };
            Ok(c.i18n.format_date(&date, &lang, style))
        },
    );
    env
}

fn events_by_clock(ctx: &View, pages: Value, upcoming: bool) -> Result<Value, TplError> {
    use super::calendar::{end, start};
    ctx.read(Read::Collections);
    let site = &ctx.site;
    let mut ids = Vec::new();
    for v in pages.try_iter()? {
        let Some(p) = v.downcast_object_ref::<super::objects::PageObj>() else {
            return Err(TplError::new(
                ErrorKind::InvalidOperation,
                "upcoming/past: the list holds something that is not a page",
            ));
        };
        let Some(until) = end(site, p.id) else {
            continue;
        };
        if (until >= site.now) == upcoming {
            ids.push(p.id);
        }
    }
    ids.sort_by_key(|id| (start(site, *id), *id));
    if !upcoming {
        ids.reverse();
    }
    Ok(super::objects::pages_value(ctx, &ids))
}

/// `image(path, widths=[...], formats=[...], quality=n)`: a responsive image.
/// `path` is a file of the current page's bundle, `@/…` under `content/`, or
/// else a file of `assets/` (then the theme's `static/`).
fn image_function(
    ctx: &Arc<RenderCtx>,
    state: &mut State,
    path: &str,
    kwargs: Kwargs,
) -> Result<Value, TplError> {
    use crate::assets::images::{ImageOptions, ImageSource};
    use crate::model::ImageFormat;
    let widths: Option<Vec<u32>> = kwargs.get("widths")?;
    let formats: Option<Vec<String>> = kwargs.get("formats")?;
    let quality: Option<u8> = kwargs.get("quality")?;
    kwargs.assert_all_used()?;
    let invalid = |msg: String| TplError::new(ErrorKind::InvalidOperation, msg);
    let formats = match formats {
        None => None,
        Some(names) => Some(
            names
                .iter()
                .map(|n| match n.as_str() {
                    "webp" => Ok(ImageFormat::Webp),
                    "avif" if cfg!(feature = "avif") => Ok(ImageFormat::Avif),
                    other => Err(invalid(format!(
                        "image(): `{other}` is not a format polis writes; use `avif` or `webp`"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    if let Some(w) = &widths
        && w.iter().any(|w| !(16..=8192).contains(w))
    {
        return Err(invalid(
            "image(): widths must be from 16 to 8192 pixels".into(),
        ));
    }
    let site = &ctx.site;
    let trimmed = path.trim_start_matches('/');
    let rel = if let Some(rest) = path.strip_prefix("@/") {
        format!("{}/{rest}", crate::load::CONTENT_DIR)
    } else {
        // A file of the page's own bundle comes first.
        let page = state.lookup("page");
        let bundle = page
            .as_ref()
            .and_then(|p| p.downcast_object_ref::<super::objects::PageObj>())
            .and_then(|p| {
                let page = site.page(p.id);
                page.bundle_files
                    .iter()
                    .map(|b| &site.bundle_files[*b])
                    .find(|f| f.name == trimmed)
                    .map(|f| format!("{}/{}/{}", crate::load::CONTENT_DIR, f.bundle, f.name))
            });
        match bundle {
            Some(b) => b,
            None => {
                let in_assets = format!("{}/{trimmed}", crate::assets::ASSETS_DIR);
                match &site.config.theme {
                    Some(t)
                        if !site.config.root.join(&in_assets).exists()
                            && site
                                .config
                                .root
                                .join(format!("themes/{t}/static/{trimmed}"))
                                .exists() =>
                    {
                        format!("themes/{t}/static/{trimmed}")
                    }
                    _ => in_assets,
                }
            }
        }
    };
    let options = ImageOptions {
        widths,
        formats,
        quality,
    };
    let rec = Recorder::of_state(state);
    let set = super::picture::responsive(&ctx.images, &rec, &ImageSource::new(&rel), &options)
        .map_err(|e| {
            let (message, help) = e.describe(path);
            invalid(format!("image(): {message} ({help})"))
        })?;
    Ok(Value::from_pairs(image_set_pairs(
        &set,
        &site.config.images.sizes,
    )))
}

/// What templates see of a responsive image, from `image()`, an image field
/// or a shortcode's image argument: `src`, `url` (the same: the fallback
/// variant nearest 1000 px), `width`, `height`, `srcset`, `sizes`, `type`,
/// `sources` (modern formats, each `type` and `srcset`), `variants` and the
/// placeholder (`placeholder`, `color`, `style`).
pub(crate) fn image_set_pairs(
    set: &crate::assets::images::ImageSet,
    sizes: &str,
) -> Vec<(&'static str, Value)> {
    use crate::assets::images::ImageSet;
    let variant = |v: &crate::assets::images::Variant| {
        Value::from_pairs([
            ("url", Value::from(v.url.as_str())),
            ("width", Value::from(v.width)),
            ("height", Value::from(v.height)),
        ])
    };
    let src = Value::from(set.src().url.as_str());
    vec![
        ("src", src.clone()),
        ("url", src),
        ("width", Value::from(set.width)),
        ("height", Value::from(set.height)),
        ("srcset", Value::from(ImageSet::srcset(&set.fallback))),
        ("type", Value::from(set.src().format.mime())),
        (
            "sources",
            Value::from(
                set.sources
                    .iter()
                    .map(|(f, vs)| {
                        Value::from_pairs([
                            ("type", Value::from(f.mime())),
                            ("srcset", Value::from(ImageSet::srcset(vs))),
                        ])
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "variants",
            Value::from(set.fallback.iter().map(variant).collect::<Vec<_>>()),
        ),
        ("sizes", Value::from(sizes)),
        (
            "placeholder",
            set.placeholder.clone().map_or(Value::from(()), Value::from),
        ),
        (
            "color",
            set.color.clone().map_or(Value::from(()), Value::from),
        ),
        (
            "style",
            super::picture::placeholder_style(set).map_or(Value::from(()), Value::from),
        ),
    ]
}

fn current_lang(state: &State, ctx: &RenderCtx) -> Result<Lang, TplError> {
    let code = state.lookup("lang");
    let code = code
        .as_ref()
        .and_then(|v| v.as_str())
        .unwrap_or(ctx.site.config.default_language.as_str());
    ctx.site.config.lang(code).ok_or_else(|| {
        TplError::new(
            ErrorKind::InvalidOperation,
            format!("`lang` is `{code}`, not a language of the site"),
        )
    })
}

/// A template error as a diagnostic: the template file and line, what went
/// wrong with every cause, and which output was being rendered.
pub fn template_diagnostic(err: &TplError, dirs: &TemplateDirs, rendering: &str) -> Diagnostic {
    // Without a name, no template was being rendered: one was not found.
    let path = err
        .name()
        .map_or_else(|| SourcePath::new("templates"), |n| dirs.source_of(n));
    // minijinja gives the line, and the byte range in the template's text.
    let pos = err.line().map(|line| {
        err.name()
            .zip(err.range())
            .and_then(|(name, range)| Some(pos_of(&dirs.text(name)?, range.start)))
            .filter(|p| p.line == line)
            .unwrap_or(Pos::new(line, 1))
    });
    let mut message = match err.detail() {
        Some(d) => format!("{}: {d}", err.kind()),
        None => err.kind().to_string(),
    };
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    let d = Diagnostic::error(&path, pos, format!("template error: {message}"))
        .with_help(format!("while rendering {rendering}"));
    if err.kind() == ErrorKind::TemplateNotFound && err.name().is_none() {
        return d.with_help(
            "add the template to `templates/`, or set `theme` in site.toml to a theme that has it",
        );
    }
    d
}

/// Escapes text for HTML and XML, attributes included.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    // Writing into a String cannot fail.
    let _ = write_escaped(&mut out, s);
    out
}

/// Writes `s` with `& < > " '` escaped, copying the runs between them whole
/// (templates write every title and URL through this).
fn write_escaped(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..i])?;
        out.write_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        })?;
        rest = &rest[i + 1..];
    }
    out.write_str(rest)
}

/// The template names a template's `extends`, `include`, `import` and `from`
/// tags name, or `None` when one of them names it through an expression.
fn template_refs(text: &str) -> Option<Vec<String>> {
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let tag = after[..end].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        rest = &after[end..];
        let mut words = tag.splitn(2, char::is_whitespace);
        let keyword = words.next().unwrap_or("");
        if !matches!(keyword, "extends" | "include" | "import" | "from") {
            continue;
        }
        let arg = words.next().unwrap_or("").trim_start();
        if !arg.starts_with(['"', '\'', '[']) {
            return None;
        }
        // Every string literal up to the end of the name (or the list).
        let names_end = if arg.starts_with('[') {
            arg.find(']').map_or(arg.len(), |i| i + 1)
        } else {
            let q = arg.chars().next().unwrap_or('"');
            arg[1..].find(q).map_or(arg.len(), |i| i + 2)
        };
        let mut lit = &arg[..names_end];
        while let Some(open) = lit.find(['"', '\'']) {
            let q = &lit[open..open + 1];
            let tail = &lit[open + 1..];
            let Some(close) = tail.find(q) else { break };
            refs.push(tail[..close].to_string());
            lit = &tail[close + 1..];
        }
    }
    Some(refs)
}

#[cfg(test)]
mod tests {
    use super::{escape_html, template_refs};

    #[test]
    fn html_is_escaped_but_slashes_and_text_are_kept() {
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("/en/news/"), "/en/news/");
        assert_eq!(
            escape_html(r#"<a href="x">Tom & Jerry's</a> – blåbær"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; – blåbær"
        );
        assert_eq!(escape_html("&&"), "&amp;&amp;");
    }

    #[test]
    fn template_references_are_found_or_marked_dynamic() {
        let t = r#"{% extends "base.html" %}{%- include 'partials/nav.html' -%}
{% import "macros.html" as m %}{% from "x.html" import y %}
{% include ["a.html", "b.html"] ignore missing %}{% if x %}{{ y }}{% endif %}"#;
        assert_eq!(
            template_refs(t).unwrap(),
            [
                "base.html",
                "partials/nav.html",
                "macros.html",
                "x.html",
                "a.html",
                "b.html"
            ]
        );
        assert_eq!(template_refs("{% include page.extra.box %}"), None);
        assert_eq!(template_refs("plain").unwrap(), Vec::<String>::new());
    }
}
