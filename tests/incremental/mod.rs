//! Incremental rebuilds (`polis::serve::session`, what `serve` runs) always give the
//! site a fresh build gives: random sequences of edits, creations, renames and
//! deletions, with the served files and the diagnostics compared to a fresh
//! in-memory build after each step.

use std::path::{Path, PathBuf};

use polis::BuildOptions;
use polis::diag::Diagnostics;
use polis::error::Error;
use polis::output::{Files, MemoryOutput};
use polis::serve::session::Session;
use proptest::prelude::*;

use crate::common::{SiteTest, TEST_THEME, now};

#[derive(Debug, Clone)]
enum Op {
    /// Change a word of a page's body.
    Body(usize, u8),
    /// Change a page's title.
    Title(usize, u8),
    /// Change a page's date (its place in listings and feeds).
    Date(usize, u8),
    /// Toggle `draft`.
    Draft(usize),
    /// A new page in a section, maybe a translation of an existing one.
    Create(u8, u8, bool),
    Delete(usize),
    /// Rename a file (an editor's "save as" and a git move look the same).
    Rename(usize, u8),
    /// A link to another page's anchor, which may not exist.
    Link(usize, usize, bool),
    /// Edit a template every page uses.
    Template(u8),
    /// Override a UI string of a language.
    I18n(u8),
    /// Change the site title in `site.toml`.
    Config(u8),
    /// Replace the bundle photo with other pixels (issue 7).
    Photo(u8),
    /// Edit the theme's stylesheet: its fingerprinted name changes on every page.
    Style(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(f, w)| Op::Body(f, w)),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(f, w)| Op::Title(f, w)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(f, d)| Op::Date(f, d)),
        1 => any::<usize>().prop_map(Op::Draft),
        2 => (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(s, n, t)| Op::Create(s, n, t)),
        2 => any::<usize>().prop_map(Op::Delete),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(f, n)| Op::Rename(f, n)),
        2 => (any::<usize>(), any::<usize>(), any::<bool>()).prop_map(|(a, b, ok)| Op::Link(a, b, ok)),
        1 => any::<u8>().prop_map(Op::Template),
        1 => any::<u8>().prop_map(Op::I18n),
        1 => any::<u8>().prop_map(Op::Config),
        1 => any::<u8>().prop_map(Op::Photo),
        1 => any::<u8>().prop_map(Op::Style),
    ]
}

/// The Markdown pages (not section indexes) of the site, sorted.
fn pages(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("_index"))
        })
        .collect();
    v.sort();
    v
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).expect("read a page");
    std::fs::write(path, f(text)).expect("write a page");
}

/// Replaces the value of the front-matter line starting with `key =`, or adds it.
fn set_front(text: String, key: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let end = lines
        .iter()
        .skip(1)
        .position(|l| l == "+++")
        .map_or(1, |i| i + 1);
    match lines[..end]
        .iter()
        .position(|l| l.starts_with(&format!("{key} =")))
    {
        Some(i) => lines[i] = format!("{key} = {value}"),
        None => lines.insert(1, format!("{key} = {value}")),
    }
    lines.join("\n") + "\n"
}

/// Applies `op` to the site; returns the paths a file watcher would report.
fn apply(root: &Path, op: &Op) -> Vec<PathBuf> {
    let pages = pages(root);
    let pick = |i: usize| pages.get(i % pages.len().max(1)).cloned();
    match op {
        Op::Body(f, w) => {
            let Some(p) = pick(*f) else { return vec![] };
            edit(&p, |t| format!("{t}\nWord {w}.\n"));
            vec![p]
        }
        Op::Title(f, w) => {
            let Some(p) = pick(*f) else { return vec![] };
            edit(&p, |t| set_front(t, "title", &format!("\"Title {w}\"")));
            vec![p]
        }
        Op::Date(f, d) => {
            let Some(p) = pick(*f) else { return vec![] };
            let day = d % 28 + 1;
            edit(&p, |t| set_front(t, "date", &format!("2026-10-{day:02}")));
            vec![p]
        }
        Op::Draft(f) => {
            let Some(p) = pick(*f) else { return vec![] };
            edit(&p, |t| {
                let on = t.contains("draft = true");
                set_front(t, "draft", if on { "false" } else { "true" })
            });
            vec![p]
        }
        Op::Create(s, n, translate) => {
            let section = ["live", "news", "work"][*s as usize % 3];
            let name = format!("new-{}", n % 5);
            let file = if *translate {
                format!("{name}.nb.md")
            } else {
                format!("{name}.md")
            };
            let p = root.join("content").join(section).join(file);
            std::fs::write(
                &p,
                format!(
                    "+++\ntitle = \"New {n}\"\ndate = 2026-09-{:02}\ntags = [\"new\"]\n+++\n\nNew page {n}.\n\n## Part {n}\n",
                    n % 28 + 1
                ),
            )
            .expect("create a page");
            vec![p]
        }
        Op::Delete(f) => {
            let Some(p) = pick(*f) else { return vec![] };
            std::fs::remove_file(&p).expect("delete a page");
            vec![p]
        }
        Op::Rename(f, n) => {
            let Some(p) = pick(*f) else { return vec![] };
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("index") {
                return vec![];
            }
            let to = p.with_file_name(format!("moved-{}-{name}", n % 3));
            std::fs::rename(&p, &to).expect("rename a page");
            vec![p, to]
        }
        Op::Link(a, b, ok) => {
            let (Some(from), Some(to)) = (pick(*a), pick(*b)) else {
                return vec![];
            };
            let rel = to
                .strip_prefix(root.join("content"))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let anchor = if *ok { "" } else { "#no-such-heading" };
            edit(&from, |t| {
                format!("{t}\nSee [another page](@/{rel}{anchor}).\n")
            });
            vec![from]
        }
        Op::Template(n) => {
            let p = root
                .join("themes")
                .join(TEST_THEME)
                .join("templates/page.html");
            edit(&p, |t| {
                t.replacen(
                    "{% block main %}",
                    &format!("{{% block main %}}<span hidden>edit {n}</span>"),
                    1,
                )
            });
            vec![p]
        }
        Op::I18n(n) => {
            let p = root.join("i18n/nb.toml");
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("home = \"Hjem {n}\"\n")).unwrap();
            vec![p]
        }
        Op::Photo(n) => {
            let p = root.join("content/work/guide/office.jpg");
            let (w, h) = (60 + u32::from(*n % 4) * 20, 40);
            let img = image::RgbImage::from_pixel(w, h, image::Rgb([*n, 255 - *n, 90]));
            let mut bytes = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
                .encode_image(&img)
                .expect("encode a photo");
            std::fs::write(&p, bytes).expect("write the photo");
            vec![p]
        }
        Op::Style(n) => {
            let p = root
                .join("themes")
                .join(TEST_THEME)
                .join("static/css/style.css");
            edit(&p, |t| {
                format!("{t}\n.edit-{n} {{ color: rgb({n}, 0, 0) }}\n")
            });
            vec![p]
        }
        Op::Config(n) => {
            let p = root.join("site.toml");
            edit(&p, |t| {
                t.replacen(
                    "title = \"Test Region",
                    &format!("title = \"Test Region {n}"),
                    1,
                )
            });
            vec![p]
        }
    }
}

fn options(root: &Path) -> BuildOptions {
    let mut o = BuildOptions::new(root);
    o.now = now();
    o.base_url = Some("http://127.0.0.1:1111".into());
    o
}

/// A fresh build in memory: (files, or `None` on errors; diagnostics).
fn fresh(root: &Path) -> (Option<Files>, Vec<String>) {
    let out = MemoryOutput::new();
    let mut diags = Diagnostics::default();
    let r = polis::build(&options(root), &out, &mut diags);
    let text = diags.sorted().iter().map(ToString::to_string).collect();
    match r {
        Ok(_) if !diags.has_errors() => (Some(out.into_files()), text),
        Ok(_) | Err(Error::Diagnostics) => (None, text),
        Err(e) => panic!("polis failed: {e}"),
    }
}

fn check(session: &mut Session, root: &Path, changed: &[PathBuf], step: &str) {
    let mut diags = Diagnostics::default();
    let r = session.rebuild_changed(changed, &mut diags);
    let got: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
    let (want_files, want_diags) = fresh(root);
    assert_eq!(got, want_diags, "diagnostics after {step}");
    match (r, want_files) {
        (Ok(rebuilt), Some(want)) => {
            let mut got_paths: Vec<_> = rebuilt.files.keys().collect();
            let mut want_paths: Vec<_> = want.keys().collect();
            got_paths.sort();
            want_paths.sort();
            assert_eq!(got_paths, want_paths, "output files after {step}");
            for (path, bytes) in &want {
                assert!(
                    rebuilt.files.get(path) == Some(bytes),
                    "`{}` differs from a fresh build after {step}:\n--- incremental\n{}\n--- fresh\n{}",
                    path.as_str(),
                    String::from_utf8_lossy(&rebuilt.files[path].bytes().unwrap()),
                    String::from_utf8_lossy(&bytes.bytes().unwrap())
                );
            }
        }
        (Err(Error::Diagnostics), None) => {}
        (r, w) => panic!(
            "after {step}: incremental {:?}, fresh {}",
            r.map(|r| r.changed.len()),
            if w.is_some() { "succeeded" } else { "failed" }
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        max_shrink_iters: 200,
        .. ProptestConfig::default()
    })]

    #[test]
    fn every_rebuild_equals_a_fresh_build(ops in prop::collection::vec(op(), 1..12)) {
        let site = SiteTest::new("incremental/site");
        let root = site.root().to_path_buf();
        let mut session = Session::new(options(&root));
        check(&mut session, &root, &[], "the first build");
        for (i, op) in ops.iter().enumerate() {
            let changed = apply(&root, op);
            check(&mut session, &root, &changed, &format!("step {i}: {op:?}"));
        }
    }
}

/// The outputs that show `live/transport.md`'s body: the page, its section's
/// listing (the summary), its tag's listing, and three feeds (home, section, tag).
const RENDERED_AFTER_BODY_EDIT: usize = 6;

#[test]
fn a_body_edit_renders_only_what_shows_that_body() {
    let site = SiteTest::new("incremental/site");
    let root = site.root().to_path_buf();
    let mut session = Session::new(options(&root));
    let mut diags = Diagnostics::default();
    let first = session.rebuild(&mut diags).expect("first build");
    let page = root.join("content/live/transport.md");
    edit(&page, |t| {
        t.replace("Trains and buses.", "Trains, trams and buses.")
    });
    let rebuilt = session
        .rebuild_changed(std::slice::from_ref(&page), &mut diags)
        .expect("rebuild");
    assert!(rebuilt.bodies_only, "a body edit skips resolve");
    // What was rendered, not what came out different: a full re-render
    // changes the same bytes.
    assert!(first.summary.rendered > 20, "{}", first.summary.rendered);
    assert_eq!(
        rebuilt.summary.rendered, RENDERED_AFTER_BODY_EDIT,
        "{:?}",
        rebuilt.changed
    );
    let changed: Vec<&str> = rebuilt.changed.iter().map(|p| p.as_str()).collect();
    // The page and the feeds that carry its content; listings show only the
    // summary, which is the first paragraph here, so they change too.
    assert!(
        changed.contains(&"en/live/transport/index.html"),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&"en/live/housing/index.html"),
        "{changed:?}"
    );
    assert!(!changed.contains(&"nb/index.html"), "{changed:?}");
    assert!(!changed.contains(&"sitemap.xml"), "{changed:?}");
}

/// Issue 7: a replaced photo and an edited stylesheet reach the rebuilt site,
/// as a fresh build has them.
#[test]
fn a_photo_edit_and_a_stylesheet_edit_are_picked_up() {
    let site = SiteTest::new("incremental/site");
    let root = site.root().to_path_buf();
    let mut session = Session::new(options(&root));
    check(&mut session, &root, &[], "the first build");
    for op in [Op::Photo(7), Op::Style(3), Op::Photo(200), Op::Body(0, 1)] {
        let changed = apply(&root, &op);
        check(&mut session, &root, &changed, &format!("{op:?}"));
    }
    let mut diags = Diagnostics::default();
    let rebuilt = session.rebuild_changed(&[], &mut diags).expect("rebuild");
    let page = String::from_utf8_lossy(
        &rebuilt.files[&polis::model::OutputPath::new("en/work/guide/index.html")]
            .bytes()
            .unwrap(),
    )
    .to_string();
    // The photo is still shown as a responsive picture.
    assert!(page.contains("<picture>"), "{page}");
}
