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
use crate::model::{FileKind, OutputPath, SortBy, SourcePath};
use crate::output::{Held, Output};
use crate::resolve::Site;
pub use schema::{
    AnyCollection, CmsConfig, Field, FileCollection, FrontFormat, IndexPage, Section, cms_config,
    field,
};

/// The folder the editor is published in.
pub const ADMIN_DIR: &str = "admin";
/// The folder in `/admin/` of the CMS script and its fonts, each under a
/// name that changes with its content (`sveltia-cms.3f9a2c1b7e.js`), so that
/// hosts may keep them for good and an upgrade is never served stale.
pub const VENDORED_DIR: &str = "cms";

/// Where the script's CSS fetches its fonts in the vendored package; polis
/// serves them itself (issue 18: no third party from `/admin/`).
const FONT_CDN: &str = "https://cdn.jsdelivr.net/";

/// Where the CMS's pin sits beside its script: `pin.toml` with the package's
/// version and the script's SHA-256.
pub const PIN_FILE: &str = "pin.toml";

/// What a build writes to `/admin/`, worked out before render.
#[derive(Debug)]
pub struct Plan {
    config: CmsConfig,
    vendored: Vendored,
    api_root: Option<String>,
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
    /// The fonts the script's CSS names, vendored beside it.
    #[serde(default)]
    font: Vec<PinnedFont>,
}

/// A font of the CMS: where the script fetches it from, and its copy.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the package and the licence are for people")]
struct PinnedFont {
    url: String,
    /// Relative to the pin.
    file: String,
    package: String,
    licence: String,
    sha256: String,
}

/// The CMS script and its fonts as `/admin/` serves them: checked against
/// the pin, the fonts' addresses in the script pointed at their copies.
#[derive(Debug, Clone)]
struct Vendored {
    /// `cms/sveltia-cms.<hash>.js`, relative to `/admin/`.
    script_name: String,
    script: Held,
    /// Relative to `/admin/`, and the bytes.
    fonts: Vec<(String, Held)>,
    version: String,
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
    let vendored = cache.read(&config.root, &config.editor.script, diags)?;
    let sections = sections_of(site);
    let index_pages = index_pages_of(site);
    let title = config
        .language(&config.default_language)
        .map(|l| l.title.clone())
        .unwrap_or_default();
    Some(Plan {
        config: cms_config(config, &sections, &index_pages),
        vendored,
        api_root: config.editor.api_root.clone(),
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
    last: Option<(Stamp, Vendored)>,
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

    fn read(&mut self, root: &Path, script: &str, diags: &mut Diagnostics) -> Option<Vendored> {
        let fonts = std::fs::read_dir(root.join(pin_rel(script)).with_file_name("fonts"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path());
        let mut paths: Vec<PathBuf> = [root.join(script), root.join(pin_rel(script))]
            .into_iter()
            .chain(fonts)
            .collect();
        paths.sort();
        let stamp: Stamp = paths
            .into_iter()
            .map(|p| {
                let meta = std::fs::metadata(&p).ok();
                let len = meta.as_ref().map_or(0, |m| m.len());
                let modified = meta.and_then(|m| m.modified().ok());
                (p, len, modified)
            })
            .collect();
        if let Some((last, vendored)) = &self.last
            && *last == stamp
        {
            return Some(vendored.clone());
        }
        self.last = None;
        let (bytes, fonts, version) = read_script(root, script, diags)?;
        let hold = |name: &str, bytes: Vec<u8>| {
            if self.packed {
                Held::pack(&OutputPath::new(format!("{ADMIN_DIR}/{name}")), bytes)
            } else {
                Held::plain(bytes)
            }
        };
        let script_name = fingerprinted(&format!("{VENDORED_DIR}/sveltia-cms.js"), &bytes);
        let vendored = Vendored {
            script: hold(&script_name, bytes),
            script_name,
            fonts: fonts
                .into_iter()
                .map(|(name, bytes)| {
                    let held = hold(&name, bytes);
                    (name, held)
                })
                .collect(),
            version,
        };
        self.last = Some((stamp, vendored.clone()));
        Some(vendored)
    }
}

/// The pin beside the script, relative to the site.
fn pin_rel(script: &str) -> PathBuf {
    Path::new(script)
        .parent()
        .unwrap_or(Path::new(""))
        .join(PIN_FILE)
}

/// `dir/name.<hash>.ext`: the first ten hex digits of the bytes' SHA-256
/// before the extension, as the theme's assets are named.
fn fingerprinted(path: &str, bytes: &[u8]) -> String {
    let hash = hex(&Sha256::digest(bytes));
    match path.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{}.{ext}", &hash[..10]),
        None => format!("{path}.{}", &hash[..10]),
    }
}

/// A script and its fonts, as `/admin/` serves them, and the CMS's version.
type Checked = (Vec<u8>, Vec<(String, Vec<u8>)>, String);

/// Reads the vendored CMS script and its fonts, checks them against their
/// pin, and points the script's CSS at the fonts' copies in `/admin/`.
fn read_script(root: &Path, script: &str, diags: &mut Diagnostics) -> Option<Checked> {
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
    let Ok(mut text) = String::from_utf8(bytes) else {
        diags.push(
            Diagnostic::error(&source, None, "the CMS script is not UTF-8").with_help(update),
        );
        return None;
    };
    let mut fonts = Vec::new();
    let dir = pin_rel.parent().unwrap_or(Path::new(""));
    for font in &pin.font {
        let path = dir.join(&font.file);
        let font_source = SourcePath::new(path.to_string_lossy().replace('\\', "/"));
        let Ok(bytes) = std::fs::read(root.join(&path)) else {
            diags.push(
                Diagnostic::error(&font_source, None, "a font of the CMS is missing")
                    .with_help(update),
            );
            return None;
        };
        let actual = hex(&Sha256::digest(&bytes));
        if !actual.eq_ignore_ascii_case(font.sha256.trim()) {
            diags.push(
                Diagnostic::error(
                    &font_source,
                    None,
                    format!(
                        "a font of the CMS is not the pinned {}: its SHA-256 is {actual}, the pin says {}",
                        font.package, font.sha256
                    ),
                )
                .with_help(update),
            );
            return None;
        }
        let file_name = Path::new(&font.file)
            .file_name()
            .map_or_else(|| font.file.clone(), |n| n.to_string_lossy().into_owned());
        let name = fingerprinted(&format!("{VENDORED_DIR}/{file_name}"), &bytes);
        // The script's CSS is put into the document at `/admin/`, so a
        // relative address is the folder's file.
        text = text.replace(&font.url, &name);
        fonts.push((name, bytes));
    }
    if let Some(at) = text.find(FONT_CDN) {
        let url: String = text[at..]
            .chars()
            .take_while(|c| !matches!(c, ')' | '`' | '"' | '\'' | ' '))
            .collect();
        diags.push(
            Diagnostic::error(
                &pin_source,
                None,
                format!("the CMS script loads `{url}`, which the pin does not vendor"),
            )
            .with_help(update),
        );
        return None;
    }
    Some((text.into_bytes(), fonts, pin.version))
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
        let front = site.section_front(section.id);
        out.push(Section {
            folder: section.dir.clone(),
            label: section.title.clone(),
            description: front.and_then(|f| f.description.clone()),
            format,
            bundles,
            by_weight: front.and_then(|f| f.sort_by) == Some(SortBy::Weight),
        });
    }
    out.sort_by(|a, b| a.folder.cmp(&b.folder));
    out
}

/// The sections of the default language that have an `_index.md`, the home
/// page first, then by folder; none in or under an excluded folder.
fn index_pages_of(site: &Site) -> Vec<IndexPage> {
    let config = &site.config;
    let excluded = |dir: &str| {
        config.editor.exclude.iter().any(|x| {
            let x = x.trim_matches('/');
            dir == x || dir.strip_prefix(x).is_some_and(|r| r.starts_with('/'))
        })
    };
    let mut out: Vec<IndexPage> = site
        .sections
        .iter()
        .filter(|s| s.lang == config.default_language && !excluded(&s.dir))
        .filter_map(|s| {
            let file = &site.files[s.file?];
            Some(IndexPage {
                folder: s.dir.clone(),
                label: if s.is_home() {
                    "Home page".into()
                } else {
                    s.title.clone()
                },
                format: if file.text.starts_with("---") {
                    FrontFormat::Yaml
                } else {
                    FrontFormat::Toml
                },
            })
        })
        .collect();
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

/// GitHub's REST and GraphQL API, where the CMS signs in and saves.
const GITHUB_API: &str = "https://api.github.com";

/// The editor page's Content-Security-Policy: the CMS may fetch from the
/// site and from the Git host's API (what the person signing in asked for),
/// and nothing else. Sveltia CMS also asks unpkg.com whether it has a newer
/// version (hourly), githubstatus.com how GitHub is (every five minutes),
/// and unpkg.com for libraries it loads on demand (photo metadata, SVG
/// optimizing, maps, code highlighting), none of which a setting turns off
/// in 0.221: the policy stops them, and Sveltia goes on without (issue 18).
/// Its fonts are served from `/admin/` (see [`read_script`]). In a `<meta>`,
/// so that every host serves it, GitHub Pages too.
pub fn policy(api_root: Option<&str>) -> String {
    let api = api_root.unwrap_or(GITHUB_API);
    let api = url::Url::parse(api)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| GITHUB_API.to_string());
    // The signed-in person's picture, from GitHub itself.
    let avatars = if api == GITHUB_API {
        " https://avatars.githubusercontent.com"
    } else {
        ""
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: {api}{avatars}; font-src 'self'; \
         connect-src 'self' data: blob: {api}; media-src 'self' data: blob:; frame-src 'self' blob:; \
         worker-src 'self' blob:; manifest-src 'self' blob:; object-src 'none'; \
         base-uri 'self'; form-action 'none'"
    )
}

/// The HTML page of the editor: the CMS script and the preview's styles, no
/// inline script, nothing from another host.
fn index_html(plan: &Plan) -> String {
    let title = html_escape(&plan.title);
    let policy = html_escape(&policy(plan.api_root.as_deref()));
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>Editor · {title}</title>
<link href="config.yml" type="application/yaml" rel="cms-config-url">
</head>
<body>
<!-- Sveltia CMS {version}, vendored; its configuration is generated by polis from site.toml.
     A classic script, not a module: Sveltia starts itself only so. -->
<script src="{script}"></script>
<script src="preview.js"></script>
</body>
</html>
"#,
        version = html_escape(&plan.vendored.version),
        script = html_escape(&plan.vendored.script_name),
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
    let vendored = &plan.vendored;
    output.write_held(&at(&vendored.script_name), vendored.script.clone())?;
    for (name, font) in &vendored.fonts {
        output.write_held(&at(name), font.clone())?;
    }
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
        let vendored = cache
            .read(root, "cms/sveltia-cms.js", &mut diags)
            .expect("the pinned script");
        assert_eq!(vendored.version, "0.1.0");
        assert_eq!(vendored.script.bytes().unwrap(), script);
        assert!(vendored.script.held_len() < script.len(), "held compressed");
        let again = cache.read(root, "cms/sveltia-cms.js", &mut diags).unwrap();
        assert_eq!(again.script, vendored.script);

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

    /// Issue 18: the fonts the CMS's CSS fetches from a CDN are served from
    /// `/admin/` under names that change with their content, the script is
    /// pointed at them, and a font the pin does not vendor is an error.
    #[test]
    fn the_cms_fonts_are_served_from_admin_not_from_the_cdn() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("cms/fonts")).unwrap();
        let url = "https://cdn.jsdelivr.net/fontsource/fonts/icons@1.0.0/latin-400-normal.woff2";
        let script = format!("css(`@font-face {{src:url({url}) format('woff2')}}`)");
        let font = b"wOF2 icons".to_vec();
        std::fs::write(root.join("cms/sveltia-cms.js"), &script).unwrap();
        std::fs::write(root.join("cms/fonts/icons-latin-400-normal.woff2"), &font).unwrap();
        let pinned = format!(
            "{}\n[[font]]\nurl = \"{url}\"\nfile = \"fonts/icons-latin-400-normal.woff2\"\npackage = \"@fontsource/icons@1.0.0\"\nlicence = \"OFL-1.1\"\nsha256 = \"{}\"\n",
            pin(script.as_bytes()),
            hex(&Sha256::digest(&font))
        );
        std::fs::write(root.join("cms/pin.toml"), &pinned).unwrap();
        let mut diags = Diagnostics::default();
        let vendored = ScriptCache::default()
            .read(root, "cms/sveltia-cms.js", &mut diags)
            .unwrap_or_else(|| panic!("{:?}", diags.sorted()));
        let name = format!(
            "cms/icons-latin-400-normal.{}.woff2",
            &hex(&Sha256::digest(&font))[..10]
        );
        assert_eq!(vendored.fonts.len(), 1);
        assert_eq!(vendored.fonts[0].0, name);
        assert_eq!(vendored.fonts[0].1.bytes().unwrap(), font);
        let served = String::from_utf8(vendored.script.bytes().unwrap().to_vec()).unwrap();
        assert_eq!(
            served,
            format!("css(`@font-face {{src:url({name}) format('woff2')}}`)")
        );
        assert_eq!(
            vendored.script_name,
            format!(
                "cms/sveltia-cms.{}.js",
                &hex(&Sha256::digest(served.as_bytes()))[..10]
            )
        );

        // A script that names a font the pin does not have.
        std::fs::write(root.join("cms/pin.toml"), pin(script.as_bytes())).unwrap();
        let mut diags = Diagnostics::default();
        assert!(
            ScriptCache::default()
                .read(root, "cms/sveltia-cms.js", &mut diags)
                .is_none()
        );
        let said = diags.sorted()[0].to_string();
        assert!(
            said.contains(&format!(
                "the CMS script loads `{url}`, which the pin does not vendor"
            )),
            "{said}"
        );
    }

    /// Issue 18: the editor page lets the CMS reach the site and the Git
    /// host's API only: not unpkg.com, githubstatus.com or a font CDN.
    #[test]
    fn the_editor_policy_allows_the_site_and_the_api_only() {
        let github = policy(None);
        assert!(
            github.contains("connect-src 'self' data: blob: https://api.github.com;"),
            "{github}"
        );
        assert!(github.contains("script-src 'self';"), "{github}");
        assert!(github.contains("font-src 'self';"), "{github}");
        for host in ["unpkg.com", "githubstatus.com", "jsdelivr"] {
            assert!(!github.contains(host), "{github}");
        }
        let enterprise = policy(Some("https://git.example.org/api/v3"));
        assert!(
            enterprise.contains("connect-src 'self' data: blob: https://git.example.org;"),
            "{enterprise}"
        );
        assert!(!enterprise.contains("api.github.com"), "{enterprise}");
    }
}
