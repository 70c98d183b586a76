//! The test harness, like mdBook's `BookTest`: [`SiteTest`] copies a fixture site
//! from `tests/fixtures/` into a temp folder, with the theme its `site.toml`
//! names when the fixture has no `themes/` (`test` is the small theme of
//! `tests/fixtures/_theme/`, any other name a theme of the repository's
//! `themes/`), builds it through the library with a fixed clock, and reads what
//! came out. [`polis`] runs the binary, for the tests whose subject is the CLI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polis::BuildOptions;
use polis::diag::{Diagnostic, Diagnostics};
use polis::error::Error;

/// The build clock of every test, unless a test sets its own.
pub const NOW: &str = "2026-11-23T12:00:00Z";

pub fn now() -> jiff::Timestamp {
    NOW.parse().expect("NOW is an RFC 3339 time")
}

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    repo_dir().join("tests/fixtures")
}

/// The theme fixtures render with: small and plain, so that a change to the
/// example site's theme breaks the example site's tests, not every snapshot.
pub const TEST_THEME: &str = "test";

/// Where a theme comes from: the test theme, or one of the repository's.
fn theme_source(name: &str) -> PathBuf {
    if name == TEST_THEME {
        fixtures_dir().join("_theme")
    } else {
        repo_dir().join("themes").join(name)
    }
}

/// The `polis` binary with `args`, ready for a test to add to (`.arg`, `.env`)
/// and run. For tests whose subject is what the CLI prints or its exit code;
/// everything else builds through the library ([`SiteTest::build`]).
///
/// The variables of the environment that change what polis does are removed,
/// so that a developer's shell or CI does not change the result.
pub fn polis_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_polis"));
    cmd.args(args);
    for var in [
        "SOURCE_DATE_EPOCH",
        "POLIS_CACHE_DIR",
        "GITHUB_STEP_SUMMARY",
        "CLICOLOR_FORCE",
        "POLIS_PROGRESS_AFTER_MS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `polis` with `args` (see [`polis_cmd`]) and waits for it.
pub fn polis(args: &[&str]) -> Output {
    polis_cmd(args).output().expect("run polis")
}

#[track_caller]
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

#[track_caller]
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// One fixture site, copied into its own temp folder.
pub struct SiteTest {
    /// Keeps the temp folder alive as long as the test.
    dir: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
}

/// What a build reported.
#[derive(Debug)]
pub struct Build {
    /// The build succeeded and the output folder was replaced.
    pub ok: bool,
    /// Every diagnostic, sorted, as polis prints it.
    pub diagnostics: Vec<String>,
    /// The same diagnostics as values, in the same order.
    pub items: Vec<Diagnostic>,
    pub errors: usize,
    pub warnings: usize,
    /// The image work of a build that succeeded.
    pub images: Option<polis::assets::images::ImageStats>,
}

impl Build {
    /// The diagnostics as the CLI prints them, one after another.
    pub fn text(&self) -> String {
        self.diagnostics.join("\n")
    }

    /// The build succeeded with no errors and no warnings.
    #[track_caller]
    pub fn assert_clean(&self) {
        assert!(
            self.ok && self.diagnostics.is_empty(),
            "expected a clean build, got ok={} and:\n{}",
            self.ok,
            self.text()
        );
    }

    /// The build failed on errors in the site (not a failure of polis itself).
    #[track_caller]
    pub fn assert_failed(&self) {
        assert!(
            !self.ok && self.errors > 0,
            "expected the build to fail with errors, got ok={} and:\n{}",
            self.ok,
            self.text()
        );
    }
}

impl SiteTest {
    /// Copies `tests/fixtures/<fixture>/` into a fresh temp folder, with the
    /// theme its `site.toml` names.
    #[track_caller]
    pub fn new(fixture: &str) -> Self {
        Self::copy(fixture, None)
    }

    /// Like [`SiteTest::new`], with one of the repository's themes instead of
    /// the one the fixture names: for tests of that theme's own markup.
    #[track_caller]
    pub fn with_theme(fixture: &str, theme: &str) -> Self {
        Self::copy(fixture, Some(theme))
    }

    #[track_caller]
    fn copy(fixture: &str, theme: Option<&str>) -> Self {
        let src = fixtures_dir().join(fixture);
        assert!(
            src.join("site.toml").is_file(),
            "no fixture site at {}",
            src.display()
        );
        let dir = tempfile::Builder::new()
            .prefix("polis-test-")
            .tempdir()
            .expect("create a temp folder");
        let root = dir.path().join("site");
        copy_dir(&src, &root);
        let site = SiteTest {
            root,
            out: dir.path().join("public"),
            dir,
        };
        if let Some(theme) = theme {
            let config =
                std::fs::read_to_string(site.root.join("site.toml")).expect("read site.toml");
            let line = format!("theme = \"{}\"", site.theme());
            assert!(config.contains(&line), "{fixture}: no `{line}` to replace");
            site.write(
                "site.toml",
                config.replacen(&line, &format!("theme = \"{theme}\""), 1),
            );
        }
        if !site.root.join("themes").exists() {
            let theme = site.theme();
            let from = theme_source(&theme);
            assert!(
                from.is_dir(),
                "{fixture}: no theme `{theme}` at {}",
                from.display()
            );
            copy_dir(&from, &site.theme_dir());
        }
        site
    }

    /// The name of the theme the site's `site.toml` asks for.
    #[track_caller]
    pub fn theme(&self) -> String {
        let text = std::fs::read_to_string(self.root.join("site.toml")).expect("read site.toml");
        let config: toml::Table = text.parse().expect("site.toml is TOML");
        config
            .get("theme")
            .and_then(|t| t.as_str())
            .expect("the site names a theme")
            .to_string()
    }

    /// The folder of the site's theme, to edit one of its files.
    #[track_caller]
    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("themes").join(self.theme())
    }

    /// The site root (the folder with `site.toml`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The output folder `build` writes to.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// A path inside the temp folder, beside the site and its output.
    pub fn temp_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes (or replaces) a file of the site before a build.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a folder"))
            .expect("create the file's folder");
        std::fs::write(&path, contents).expect("write the file");
        self
    }

    /// Removes a file of the site before a build.
    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.root.join(rel)).expect("remove the file");
        self
    }

    /// A file of the site (not of the output), as text.
    #[track_caller]
    pub fn read_source(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).expect("read a file of the site")
    }

    /// Builds with the fixed clock into [`SiteTest::out`].
    pub fn build(&self) -> Build {
        self.build_with(|_| {})
    }

    /// Builds with options changed by `f`.
    pub fn build_with(&self, f: impl FnOnce(&mut BuildOptions)) -> Build {
        self.build_into(&self.out, false, f)
    }

    /// Builds into any folder, optionally failing on warnings.
    pub fn build_into(
        &self,
        out: &Path,
        deny_warnings: bool,
        f: impl FnOnce(&mut BuildOptions),
    ) -> Build {
        let mut options = BuildOptions::new(&self.root);
        options.now = now();
        f(&mut options);
        let mut diags = Diagnostics::default();
        let result = polis::build_to_dir(&options, out, deny_warnings, &mut diags);
        let (ok, images) = match result {
            Ok(summary) => (true, Some(summary.images)),
            Err(Error::Diagnostics) => (false, None),
            Err(e) => panic!("polis failed (not a problem in the site): {e}"),
        };
        let items = diags.sorted();
        Build {
            ok,
            diagnostics: items.iter().map(ToString::to_string).collect(),
            items,
            errors: diags.error_count(),
            warnings: diags.warning_count(),
            images,
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out.join(rel).exists()
    }

    /// An output file as text; on a missing file, the panic lists what is there.
    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        String::from_utf8(self.read_bytes(rel)).expect("output is UTF-8")
    }

    #[track_caller]
    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        match std::fs::read(self.out.join(rel)) {
            Ok(b) => b,
            Err(e) => panic!(
                "cannot read output `{rel}`: {e}\nthe output has:\n{}",
                self.files().join("\n")
            ),
        }
    }

    /// The `<main ...>...</main>` element of an output page, for snapshots.
    #[track_caller]
    pub fn main_of(&self, rel: &str) -> String {
        main_of(&self.read(rel))
    }

    /// Every output file, relative to the output folder, sorted.
    pub fn files(&self) -> Vec<String> {
        list_files(&self.out).into_keys().collect()
    }

    /// Every output HTML file with its text.
    pub fn html_files(&self) -> Vec<(String, String)> {
        self.files()
            .into_iter()
            .filter(|f| f.ends_with(".html"))
            .map(|f| {
                let text = self.read(&f);
                (f, text)
            })
            .collect()
    }

    /// Every root-relative `href` and `src` of the output's HTML files, with
    /// the file it is in.
    pub fn internal_urls(&self) -> Vec<(String, String)> {
        let mut urls = Vec::new();
        for (file, html) in self.html_files() {
            for attr in ["href", "src"] {
                for url in attr_values(&html, attr) {
                    if url.starts_with('/') && !url.starts_with("//") {
                        urls.push((file.clone(), url));
                    }
                }
            }
        }
        urls
    }

    /// Snapshot settings: snapshots in `tests/snapshots/`, this test's temp folder
    /// redacted.
    pub fn settings(&self) -> insta::Settings {
        let mut s = settings();
        s.add_filter(
            &regex_escape(&self.dir.path().display().to_string()),
            "[TMP]",
        );
        s
    }
}

/// Snapshot settings for every test: snapshots in `tests/snapshots/`.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(repo_dir().join("tests/snapshots"));
    s.add_filter(&regex_escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    s
}

/// Escapes a literal for use in an insta filter (a regex).
pub fn regex_escape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for c in literal.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `<main ...>...</main>` element of a page.
#[track_caller]
pub fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("the page has a <main>");
    let end = html[start..].find("</main>").expect("the <main> is closed") + start;
    html[start..end + "</main>".len()].to_string()
}

/// The text between the first `start` and the next `end` after it, both included.
#[track_caller]
pub fn element<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in:\n{html}"));
    let e = html[s..]
        .find(end)
        .unwrap_or_else(|| panic!("no `{end}` after `{start}`"))
        + s;
    &html[s..e + end.len()]
}

/// Every value of `attr="..."` in `html`, in order.
pub fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').expect("attribute is closed")].to_string()
        })
        .collect()
}

/// Every tag of `html` that starts with `prefix` (`<link rel="alternate" hreflang`),
/// up to its `>`, in order.
pub fn tags(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &html[i..];
            rest[..=rest.find('>').expect("tag is closed")].to_string()
        })
        .collect()
}

/// The output file a root-relative URL is served from: `/en/live/` →
/// `en/live/index.html`, `/en/atom.xml` → `en/atom.xml`.
pub fn file_of_url(url: &str) -> String {
    let path = url.split('#').next().unwrap_or(url).trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// Every file under `dir`, relative path → bytes.
pub fn list_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk the output");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("inside the folder")
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read(entry.path()).expect("read the file"));
        }
    }
    files
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the fixture");
        let rel = entry.path().strip_prefix(from).expect("inside the fixture");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy a file");
        }
    }
}

/// Checks that `xml` is well-formed as far as generated files need: one root
/// element, every tag closed in order, no stray `<` or `&` in text.
#[track_caller]
pub fn assert_well_formed_xml(xml: &str) {
    assert!(
        xml.starts_with("<?xml version=\"1.0\""),
        "no XML declaration"
    );
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = &xml[xml.find("?>").expect("declaration is closed") + 2..];
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->").expect("comment is closed") + 3..];
            continue;
        }
        let gt = rest.find('>').expect("tag is closed");
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().expect("closing tag without an opening one");
            assert_eq!(open, name.trim(), "tags are closed in order");
        } else {
            let self_closing = tag.ends_with('/');
            let name = tag
                .trim_end_matches('/')
                .split_whitespace()
                .next()
                .expect("a tag has a name");
            check_attributes(tag);
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name);
            }
        }
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "one root element");
}

fn check_text(text: &str) {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..];
        let end = entity.find(';').expect("entity is closed with `;`");
        let name = &entity[1..end];
        assert!(
            matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") || name.starts_with('#'),
            "unknown entity `&{name};`"
        );
    }
}

fn check_attributes(tag: &str) {
    assert_eq!(tag.matches('"').count() % 2, 0, "attribute quotes: <{tag}>");
    assert!(!tag.contains('<'), "`<` inside a tag: <{tag}>");
}

/// The links of the cards (`class="card-title"`) of a listing, in order.
pub fn card_hrefs(html: &str) -> Vec<String> {
    html.split("class=\"card-title\"><a href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').expect("href is closed")].to_string())
        .collect()
}
