//! The editor configuration (issue 18): a stage after render that turns the
//! collections of `site.toml` and the site's plain sections into the
//! configuration of Sveltia CMS (Decap CMS's format), and writes the web
//! editor to `/admin/`: `index.html`, `config.yml`, the vendored CMS script
//! (checked against its pin) and the preview's style hook.
//!
//! Input: the resolved site (which sections exist, which front matter format
//! and layout their files use) and the published stylesheets. Output: four
//! files through [`Output`]; never through the search indexer, so `/admin/`
//! is in no index, and never a page, so it is in no sitemap. It renders no
//! template and reads nothing but the CMS script and its pin. The mapping of
//! one field is [`field`]; the whole configuration is [`cms_config`].

mod schema;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::assets::styles::Assets;
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::error::Result;
use crate::model::{FileKind, OutputPath, SourcePath};
use crate::output::{Held, Output};
use crate::resolve::Site;
pub use schema::{CmsConfig, Field, FrontFormat, Section, cms_config, field};

/// The folder the editor is published in.
pub const ADMIN_DIR: &str = "admin";
/// The CMS script's name in `/admin/` (Sveltia starts itself only from a
/// script whose name ends so).
const SCRIPT_FILE: &str = "sveltia-cms.js";

/// Where the CMS's pin sits beside its script: `pin.toml` with the package's
/// version and the script's SHA-256.
pub const PIN_FILE: &str = "pin.toml";

/// What a build writes to `/admin/`, worked out before render.
#[derive(Debug)]
pub struct Plan {
    config: CmsConfig,
    script: Held,
    version: String,
    title: String,
    preview_styles: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "the tarball's hash and the licence are for people; the build checks the script's"
)]
struct Pin {
    package: String,
    version: String,
    /// Of the npm tarball the script came from.
    tarball_sha256: String,
    /// Of the script itself: what the build checks.
    sha256: String,
    licence: String,
}

/// Hand-written CMS configurations that would be served beside, or instead
/// of, the generated one, relative to the site root (`{theme}` is the theme's
/// folder).
const HAND_WRITTEN: &[&str] = &[
    "static/admin/config.yml",
    "static/admin/config.yaml",
    "static/admin/config.json",
    "assets/admin/config.yml",
    "assets/admin/config.yaml",
    "assets/admin/config.json",
    "admin/config.yml",
    "admin/config.yaml",
    "admin/config.json",
    "{theme}/static/admin/config.yml",
    "{theme}/static/admin/config.yaml",
    "{theme}/static/admin/config.json",
];

/// Warns about each hand-written CMS configuration in the site: it would drift
/// from the schema the generated one follows.
pub fn check_hand_written(config: &Config, diags: &mut Diagnostics) {
    let theme = config
        .theme
        .as_deref()
        .map(|t| format!("themes/{t}"))
        .unwrap_or_default();
    for pattern in HAND_WRITTEN {
        if pattern.starts_with("{theme}") && theme.is_empty() {
            continue;
        }
        let rel = pattern.replace("{theme}", &theme);
        if !config.root.join(&rel).is_file() {
            continue;
        }
        let help = if config.editor.enabled {
            "delete it: `polis build` writes `/admin/config.yml` from `[collections]` in site.toml, and a schema change then shows in the editor after the next build"
        } else {
            "delete it and add `[editor]` with `repo = \"owner/name\"` to site.toml: polis then writes `/admin/config.yml` from `[collections]`"
        };
        diags.push(
            Diagnostic::warning(
                &SourcePath::new(&rel),
                None,
                "a hand-written CMS configuration: it will drift from the collections' schema in site.toml",
            )
            .with_code("editor-config")
            .with_help(help),
        );
    }
}

/// The editor's configuration and files for this site, or `None` when
/// `[editor]` is off. A missing or altered CMS script is an error at its path.
pub fn plan(site: &Site, cache: &mut ScriptCache, diags: &mut Diagnostics) -> Option<Plan> {
    let config = &site.config;
    check_hand_written(config, diags);
    if !config.editor.enabled {
        return None;
    }
    let (script, version) = cache.read(&config.root, &config.editor.script, diags)?;
    let sections = sections_of(site);
    let title = config
        .language(&config.default_language)
        .map(|l| l.title.clone())
        .unwrap_or_default();
    Some(Plan {
        config: cms_config(config, &sections),
        script,
        version,
        title,
        preview_styles: config.editor.preview_styles.clone(),
    })
}

/// The CMS script as last read and checked, kept across `serve`'s rebuilds
/// so that a rebuild neither reads, hashes nor compresses its 2 MB again
/// while the script and its pin are unchanged.
#[derive(Debug, Default)]
pub struct ScriptCache {
    /// Hold the script as `serve` does (see [`Held`]); a one-shot build
    /// writes it as it is.
    packed: bool,
    last: Option<(Stamp, Held, String)>,
}

/// The script's and the pin's paths, lengths and modification times.
type Stamp = Vec<(PathBuf, u64, Option<std::time::SystemTime>)>;

impl ScriptCache {
    /// For `serve`: the script held compressed, as its other files are.
    pub fn packed() -> Self {
        ScriptCache {
            packed: true,
            last: None,
        }
    }

    fn read(
        &mut self,
        root: &Path,
        script: &str,
        diags: &mut Diagnostics,
    ) -> Option<(Held, String)> {
        let stamp: Stamp = [root.join(script), root.join(pin_rel(script))]
            .into_iter()
            .map(|p| {
                let meta = std::fs::metadata(&p).ok();
                let len = meta.as_ref().map_or(0, |m| m.len());
                let modified = meta.and_then(|m| m.modified().ok());
                (p, len, modified)
            })
            .collect();
        if let Some((last, held, version)) = &self.last
            && *last == stamp
        {
            return Some((held.clone(), version.clone()));
        }
        self.last = None;
        let (bytes, version) = read_script(root, script, diags)?;
        let held = if self.packed {
            Held::pack(
                &OutputPath::new(format!("{ADMIN_DIR}/{SCRIPT_FILE}")),
                bytes,
            )
        } else {
            Held::plain(bytes)
        };
        self.last = Some((stamp, held.clone(), version.clone()));
        Some((held, version))
    }
}

/// The pin beside the script, relative to the site.
fn pin_rel(script: &str) -> PathBuf {
    Path::new(script)
        .parent()
        .unwrap_or(Path::new(""))
        .join(PIN_FILE)
}

/// Reads the vendored CMS script and checks it against its pin.
fn read_script(root: &Path, script: &str, diags: &mut Diagnostics) -> Option<(Vec<u8>, String)> {
    let source = SourcePath::new(script);
    let update = "run `vendor/sveltia-cms/update.sh` to download the pinned version";
    let Ok(bytes) = std::fs::read(root.join(script)) else {
        diags.push(
            Diagnostic::error(
                &source,
                None,
                "the editor's CMS script is missing (`[editor] script` in site.toml)",
            )
            .with_help(update),
        );
        return None;
    };
    let pin_rel = pin_rel(script);
    let pin_source = SourcePath::new(pin_rel.to_string_lossy().replace('\\', "/"));
    let pin_text = std::fs::read_to_string(root.join(&pin_rel)).unwrap_or_default();
    let pin: Pin = match toml::from_str(&pin_text) {
        Ok(p) => p,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    &pin_source,
                    None,
                    format!(
                        "the CMS script has no readable pin: {}",
                        e.message().trim_end()
                    ),
                )
                .with_help(update),
            );
            return None;
        }
    };
    let actual = hex(&Sha256::digest(&bytes));
    if !actual.eq_ignore_ascii_case(pin.sha256.trim()) {
        diags.push(
            Diagnostic::error(
                &source,
                None,
                format!(
                    "the CMS script is not the pinned {}@{}: its SHA-256 is {actual}, the pin says {}",
                    pin.package, pin.version, pin.sha256
                ),
            )
            .with_help(update),
        );
        return None;
    }
    Some((bytes, pin.version))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The top-level sections of the default language that have pages and are
/// not excluded, as their files are written (a collection's section gives
/// the collection its label and format).
fn sections_of(site: &Site) -> Vec<Section> {
    let config = &site.config;
    let mut out = Vec::new();
    for section in &site.sections {
        if section.lang != config.default_language
            || section.dir.is_empty()
            || section.dir.contains('/')
            || config.editor.exclude.contains(&section.dir)
        {
            continue;
        }
        let (format, bundles, pages) = layout_of(site, &section.dir);
        if pages == 0 {
            continue;
        }
        let description = site
            .section_front(section.id)
            .and_then(|f| f.description.clone());
        out.push(Section {
            folder: section.dir.clone(),
            label: section.title.clone(),
            description,
            format,
            bundles,
        });
    }
    out.sort_by(|a, b| a.folder.cmp(&b.folder));
    out
}

/// How the pages directly in `folder` are written: the front matter format
/// most of them use (TOML on a tie), whether they are page bundles, and how
/// many there are.
pub(crate) fn layout_of(site: &Site, folder: &str) -> (FrontFormat, bool, usize) {
    let (mut toml, mut yaml, mut bundles, mut pages) = (0, 0, 0, 0);
    for file in &site.files {
        let Some(rest) = file
            .rel
            .strip_prefix(folder)
            .and_then(|r| r.strip_prefix('/'))
        else {
            continue;
        };
        let depth = rest.matches('/').count();
        match file.kind {
            FileKind::Page if depth == 0 => {}
            FileKind::Bundle if depth == 1 => bundles += 1,
            _ => continue,
        }
        pages += 1;
        if file.text.starts_with("---") {
            yaml += 1;
        } else {
            toml += 1;
        }
    }
    let format = if yaml > toml {
        FrontFormat::Yaml
    } else {
        FrontFormat::Toml
    };
    (format, bundles * 2 > pages, pages)
}

/// The HTML page of the editor: the CMS script and the preview's styles, no
/// inline script, nothing from another host.
fn index_html(plan: &Plan) -> String {
    let title = html_escape(&plan.title);
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Editor · {title}</title>
<link href="config.yml" type="application/yaml" rel="cms-config-url">
</head>
<body>
<!-- Sveltia CMS {version}, vendored; its configuration is generated by polis from site.toml.
     A classic script, not a module: Sveltia starts itself only so. -->
<script src="sveltia-cms.js"></script>
<script src="preview.js"></script>
</body>
</html>
"#,
        version = html_escape(&plan.version),
    )
}

/// Registers the theme's stylesheets for the preview pane.
fn preview_js(plan: &Plan, styles: &Assets) -> String {
    let mut js = String::from("// Written by polis: the editor's preview in the theme's styles.\n");
    for s in &plan.preview_styles {
        let url = serde_json::to_string(&styles.url(s)).expect("a string serializes");
        js.push_str(&format!("window.CMS?.registerPreviewStyle({url});\n"));
    }
    js
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes `/admin/`: the page, the configuration, the script and the preview hook.
pub fn write(plan: &Plan, styles: &Assets, output: &dyn Output) -> Result<()> {
    let at = |name: &str| OutputPath::new(format!("{ADMIN_DIR}/{name}"));
    output.write(&at("index.html"), index_html(plan).into_bytes())?;
    output.write(&at("config.yml"), plan.config.to_yaml().into_bytes())?;
    output.write(&at("preview.js"), preview_js(plan, styles).into_bytes())?;
    output.write_held(&at(SCRIPT_FILE), plan.script.clone())?;
    Ok(())
}

impl Plan {
    /// The generated configuration (for tests and `polis check`).
    pub fn config(&self) -> &CmsConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(script: &[u8]) -> String {
        format!(
            "package = \"@sveltia/cms\"\nversion = \"0.1.0\"\ntarball_sha256 = \"\"\nsha256 = \"{}\"\nlicence = \"MIT\"\n",
            hex(&Sha256::digest(script))
        )
    }

    /// `serve` reads the script once, and again when it or its pin changes:
    /// an altered script is still refused on the next rebuild.
    #[test]
    fn the_script_cache_reads_again_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("cms")).unwrap();
        let script = b"console.log('cms');".repeat(100);
        std::fs::write(root.join("cms/sveltia-cms.js"), &script).unwrap();
        std::fs::write(root.join("cms/pin.toml"), pin(&script)).unwrap();
        let mut cache = ScriptCache::packed();
        let mut diags = Diagnostics::default();
        let (held, version) = cache
            .read(root, "cms/sveltia-cms.js", &mut diags)
            .expect("the pinned script");
        assert_eq!(version, "0.1.0");
        assert_eq!(held.bytes().unwrap(), script);
        assert!(held.held_len() < script.len(), "held compressed");
        let (again, _) = cache.read(root, "cms/sveltia-cms.js", &mut diags).unwrap();
        assert_eq!(again, held);

        std::fs::write(
            root.join("cms/sveltia-cms.js"),
            b"alert('not the pinned one')",
        )
        .unwrap();
        assert!(cache.read(root, "cms/sveltia-cms.js", &mut diags).is_none());
        assert!(
            diags.sorted()[0].to_string().contains("is not the pinned"),
            "{:?}",
            diags.sorted()
        );
    }
}
