//! Shortcodes: a fenced code block whose info string is `{name}`, holding its
//! arguments as TOML, becomes the output of the template
//! `shortcodes/NAME.html`:
//!
//! ````markdown
//! ```{video}
//! youtube = "dQw4w9WgXcQ"
//! title = "A winter morning in Hamar"
//! poster = "poster-hamar.jpg"
//! ```
//! ````
//!
//! On GitHub the block shows as what it is, a labelled list of settings. The
//! arguments are declared in `shortcodes.toml` (the theme's, then the site's),
//! with the field types of collections, and checked the same way: every
//! problem is an error at its line.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use indexmap::IndexMap;
use minijinja::Value;
use serde::Deserialize;

use super::deps::Recorder;
use super::i18n::I18n;
use super::picture::responsive;
use super::templates::TemplateDirs;
use crate::assets::images::{ImageOptions, ImageSource};
use crate::config::collections::RawField;
use crate::diag::{
    Diagnostic, Diagnostics, Pos, did_you_mean, find_key, find_key_from, pos_in, pos_of,
};
use crate::load::fields::{CheckCtx, check_value};
use crate::model::SourcePath;
use crate::model::fields::{FieldDef, FieldValue};

pub const DECLARATIONS: &str = "shortcodes.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShortcode {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    args: IndexMap<String, RawField>,
}

/// The declared shortcodes and the templates that render them.
pub struct Shortcodes {
    decls: BTreeMap<String, Vec<FieldDef>>,
    env: minijinja::Environment<'static>,
    /// Changes when a declaration or a shortcode template changes: Markdown
    /// that used a shortcode is rendered again then.
    pub fingerprint: u64,
}

impl std::fmt::Debug for Shortcodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shortcodes")
            .field("names", &self.decls.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Where a shortcode is used.
pub struct Use<'a> {
    pub source: &'a SourcePath,
    /// Where the code block's opening fence is in the file.
    pub fence: Pos,
    pub lang: &'a str,
    pub page_url: &'a str,
    pub page_title: &'a str,
    /// The page bundle's folder, for file arguments.
    pub bundle_dir: Option<&'a Path>,
    /// The page bundle's folder under `content/` (`takeover/2026-w48-ana`),
    /// where image arguments are found.
    pub bundle: &'a str,
    pub images: &'a crate::assets::images::Images,
    /// The recorder of the Markdown being rendered.
    pub rec: &'a Recorder,
    /// The `sizes` attribute of images, from `[images]`.
    pub sizes: &'a str,
}

impl Shortcodes {
    /// Reads the theme's and the site's declarations; problems in them are
    /// diagnostics at their lines.
    pub fn load(
        dirs: &TemplateDirs,
        theme_dir: Option<&Path>,
        site: &crate::resolve::Site,
        i18n: &Arc<I18n>,
        diags: &mut Diagnostics,
    ) -> Self {
        let mut files: Vec<PathBuf> = Vec::new();
        if let Some(t) = theme_dir {
            files.push(t.join(DECLARATIONS));
        }
        files.push(dirs.root.join(DECLARATIONS));
        let mut decls = BTreeMap::new();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for file in files {
            let source = SourcePath::new(
                file.strip_prefix(&dirs.root)
                    .unwrap_or(&file)
                    .to_string_lossy(),
            );
            let text = match crate::fs::read_to_string(&file) {
                Ok(text) => text,
                // Declaring shortcodes is optional, for the theme and the site.
                Err(e) if e.is_not_found() => continue,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        &source,
                        None,
                        format!("cannot read the shortcode declarations: {e}"),
                    ));
                    continue;
                }
            };
            text.hash(&mut h);
            let raw: IndexMap<String, RawShortcode> = match toml::from_str(&text) {
                Ok(r) => r,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        &source,
                        e.span().map(|s| pos_of(&text, s.start)),
                        format!("invalid shortcode declarations: {}", e.message()),
                    ));
                    continue;
                }
            };
            for (name, rs) in raw {
                let _ = rs.description;
                let mut args = Vec::new();
                for (arg, rf) in rs.args {
                    match crate::config::collections::field_type(
                        &arg,
                        &rf,
                        &rf.ty,
                        &[],
                        &jiff::tz::TimeZone::UTC,
                    ) {
                        Ok(ty) => args.push(FieldDef {
                            name: arg,
                            ty,
                            required: rf.required,
                            unique: false,
                            shared: false,
                            translatable: false,
                            description: rf.description,
                            stale_after_days: None,
                        }),
                        Err(e) => {
                            let start = text.find(&format!("[{name}")).unwrap_or(0);
                            let mut d = Diagnostic::error(
                                &source,
                                find_key_from(&text, start, &arg),
                                format!("shortcode `{name}`: {}", e.message),
                            );
                            if let Some(help) = e.help {
                                d = d.with_help(help);
                            }
                            diags.push(d);
                        }
                    }
                }
                decls.insert(name, args);
            }
        }
        for name in decls.keys() {
            dirs.text(&template_name(name)).hash(&mut h);
        }
        // Shortcode templates may show UI strings.
        i18n.fingerprints().hash(&mut h);
        let mut env = super::templates::base_environment(dirs);
        // The same `t()` and `asset_url()` as the page templates have.
        let strings = i18n.clone();
        let config = site.config.clone();
        env.add_function(
            "t",
            move |state: &mut minijinja::State, key: &str, kwargs: minijinja::value::Kwargs| {
                let count: Option<i64> = kwargs.get("count")?;
                let lang: Option<String> = kwargs.get("lang")?;
                kwargs.assert_all_used()?;
                let code = lang.or_else(|| {
                    state
                        .lookup("lang")
                        .and_then(|v| v.as_str().map(str::to_string))
                });
                let lang = code
                    .and_then(|c| config.lang(&c))
                    .unwrap_or_else(|| config.default_language.clone());
                let rec = Recorder::of_state(state);
                Ok::<_, minijinja::Error>(strings.translate(&lang, key, count, &rec))
            },
        );
        let base_path = site.config.base_path.clone();
        env.add_function("asset_url", move |path: &str| -> String {
            format!("{base_path}{}", path.trim_start_matches('/'))
        });
        Shortcodes {
            decls,
            env,
            fingerprint: h.finish(),
        }
    }

    /// The HTML of one use of shortcode `name` with the TOML `args`, or `None`
    /// after reporting why not.
    pub fn expand(
        &self,
        name: &str,
        args: &str,
        at: &Use<'_>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let fence = at.fence;
        let Some(decl) = self.decls.get(name) else {
            let mut d = Diagnostic::error(
                at.source,
                Some(fence),
                format!("unknown shortcode `{name}`"),
            );
            d = match did_you_mean(name, self.decls.keys().map(String::as_str)) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None if self.decls.is_empty() => d.with_help("this site declares no shortcodes"),
                None => d.with_help(format!(
                    "the shortcodes are {}",
                    self.decls
                        .keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            diags.push(d);
            return None;
        };
        // Lines inside the block start after the fence.
        let at_key = |key: &str| find_key(args, key, fence.line + 1).or(Some(fence));
        let table: toml::Table = match toml::from_str(args) {
            Ok(t) => t,
            Err(e) => {
                let pos = e.span().map(|s| pos_in(args, s.start, fence.line + 1));
                diags.push(
                    Diagnostic::error(
                        at.source,
                        pos.or(Some(fence)),
                        format!(
                            "the arguments of `{name}` are not valid TOML: {}",
                            e.message().trim()
                        ),
                    )
                    .with_help("write one `key = value` per line, text in quotes"),
                );
                return None;
            }
        };
        let mut ok = true;
        for key in table.keys() {
            if !decl.iter().any(|d| &d.name == key) {
                ok = false;
                let mut d = Diagnostic::error(
                    at.source,
                    at_key(key),
                    format!("shortcode `{name}` has no argument `{key}`"),
                );
                d = match did_you_mean(key, decl.iter().map(|d| d.name.as_str())) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")),
                    None => d.with_help(format!(
                        "its arguments are {}",
                        decl.iter()
                            .map(|d| format!("`{}`", d.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                diags.push(d);
            }
        }
        let ctx = CheckCtx {
            bundle_dir: at.bundle_dir,
        };
        let mut values = Vec::new();
        for def in decl {
            match table.get(&def.name) {
                Some(v) => {
                    let json = crate::load::front_matter::toml_to_json(v.clone());
                    let mut warnings = Vec::new();
                    match check_value(def, &def.ty, &json, ctx, &mut warnings) {
                        Ok(value) => values.push((def.name.clone(), value)),
                        Err(e) => {
                            ok = false;
                            let mut d = Diagnostic::error(
                                at.source,
                                at_key(&def.name),
                                format!("shortcode `{name}`: {}", e.message),
                            );
                            if let Some(h) = e.help {
                                d = d.with_help(h);
                            }
                            diags.push(d);
                        }
                    }
                    for w in warnings {
                        let mut d = Diagnostic::warning(
                            at.source,
                            at_key(&def.name),
                            format!("shortcode `{name}`: {}", w.message),
                        );
                        if let Some(h) = w.help {
                            d = d.with_help(h);
                        }
                        diags.push(d);
                    }
                }
                None if def.required => {
                    ok = false;
                    diags.push(
                        Diagnostic::error(
                            at.source,
                            Some(fence),
                            format!("shortcode `{name}` needs the argument `{}`", def.name),
                        )
                        .with_help(format!("add the line `{}`", def.ty.example(&def.name))),
                    );
                }
                None => {}
            }
        }
        // Photos are published as responsive images: one that cannot be read
        // is an error at its argument.
        for (key, v) in &values {
            for src in image_sources(v) {
                if let Err(e) = responsive(
                    at.images,
                    at.rec,
                    &bundle_image(at.bundle, src),
                    &Default::default(),
                ) {
                    ok = false;
                    let (message, help) = e.describe(src);
                    diags.push(
                        Diagnostic::error(
                            at.source,
                            at_key(key),
                            format!("shortcode `{name}`: {message}"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
        if !ok {
            return None;
        }
        let args = Value::from_pairs(values.iter().map(|(k, v)| (k.clone(), value(v, at))));
        let page = Value::from_pairs([
            ("url", Value::from(at.page_url)),
            ("title", Value::from(at.page_title)),
        ]);
        let template = template_name(name);
        let rendered = self.env.get_template(&template).and_then(|t| {
            let done = t.render_captured(
                minijinja::context! { args => args, page => page, lang => at.lang },
            )?;
            at.rec.absorb_state(done.state());
            Ok(done.into_output())
        });
        match rendered {
            Ok(html) => Some(html),
            Err(e) => {
                let mut message = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    message.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                diags.push(
                    Diagnostic::error(
                        at.source,
                        Some(fence),
                        format!("shortcode `{name}` could not be rendered: {message}"),
                    )
                    .with_help(format!("check the template `templates/{template}`")),
                );
                None
            }
        }
    }
}

fn template_name(name: &str) -> String {
    format!("shortcodes/{name}.html")
}

/// The bundle files of a value that are shown as photos.
pub(super) fn image_sources(v: &FieldValue) -> Vec<&str> {
    match v {
        FieldValue::Image(i) => vec![i.src.as_str()],
        FieldValue::Video(v) => v.poster.as_deref().into_iter().collect(),
        FieldValue::List(items) => items.iter().flat_map(image_sources).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn bundle_image(bundle: &str, src: &str) -> ImageSource {
    ImageSource::new(format!("{}/{bundle}/{src}", crate::load::CONTENT_DIR))
}

/// A checked argument as the shortcode's template sees it: in the same
/// shapes as `page.fields` (images as responsive images, other files as URLs
/// beside the page).
fn value(v: &FieldValue, at: &Use) -> Value {
    let file_url = |src: &str| Value::from(format!("{}{src}", at.page_url));
    let photo = |src: &str| {
        responsive(
            at.images,
            at.rec,
            &bundle_image(at.bundle, src),
            &ImageOptions::default(),
        )
        .ok()
    };
    match v {
        FieldValue::String(s)
        | FieldValue::Url(s)
        | FieldValue::Email(s)
        | FieldValue::Enum(s)
        | FieldValue::Ref(s) => Value::from(s.as_str()),
        FieldValue::Integer(n) => Value::from(*n),
        FieldValue::Number(n) => Value::from(*n),
        FieldValue::Bool(b) => Value::from(*b),
        FieldValue::Date(d) => Value::from(d.to_string()),
        FieldValue::DateTime(z) => Value::from(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()),
        FieldValue::Week(w) => Value::from(crate::model::fields::format_week(*w)),
        FieldValue::Image(i) => {
            let Some(set) = photo(&i.src) else {
                return Value::from(());
            };
            let mut pairs = super::templates::image_set_pairs(&set, at.sizes);
            pairs.extend([
                ("file", Value::from(i.src.as_str())),
                ("alt", i.alt.as_deref().map_or(Value::from(""), Value::from)),
                (
                    "credit",
                    i.credit.as_deref().map_or(Value::from(()), Value::from),
                ),
            ]);
            Value::from_pairs(pairs)
        }
        FieldValue::File(f) => Value::from_pairs([
            ("src", Value::from(f.src.as_str())),
            ("url", file_url(&f.src)),
            ("size", Value::from(f.size)),
        ]),
        FieldValue::Video(v) => super::objects::video_value(v, &file_url, &photo),
        FieldValue::Geo { lat, lon } => {
            Value::from_pairs([("lat", Value::from(*lat)), ("lon", Value::from(*lon))])
        }
        FieldValue::List(items) => {
            Value::from(items.iter().map(|x| value(x, at)).collect::<Vec<_>>())
        }
    }
}
