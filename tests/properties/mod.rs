//! Properties: whatever bytes a content file holds, a build reports problems
//! instead of panicking, each at a place in the site and worded as the CLI
//! prints problems, and builds the same twice; the front matter splitter and
//! parser never panic and keep their offsets consistent.

use std::path::Path;

use polis::diag::{Diagnostic, Pos};
use polis::load::front_matter::{Expect, Format, parse, split};
use polis::model::SourcePath;
use proptest::prelude::*;

use crate::common::{SiteTest, list_files};

/// A diagnostic points into the site: at a file that is there and, when it
/// has a position, at a line of that file and a column of that line (one past
/// its last character at most: the end of the line). Lines count from the top
/// of the file, columns in characters (STYLE.md, section 3).
fn check_position(root: &Path, d: &Diagnostic) -> Result<(), String> {
    let bytes = std::fs::read(root.join(d.path.as_str()))
        .map_err(|e| format!("`{d}` names a file that is not in the site: {e}"))?;
    let Some(pos) = d.pos else { return Ok(()) };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(line) = pos.line.checked_sub(1).and_then(|i| lines.get(i)) else {
        return Err(format!("`{d}`: the file has lines 1 to {}", lines.len()));
    };
    let chars = line.chars().count();
    if pos.col == 0 || pos.col > chars + 1 {
        return Err(format!(
            "`{d}`: line {} has columns 1 to {}",
            pos.line,
            chars + 1
        ));
    }
    Ok(())
}

/// A message is one lowercase line without a trailing period, so that the
/// printed `path:line:col: error: message` is one line editors and CI parse.
fn check_message(d: &Diagnostic) -> Result<(), String> {
    let m = &d.message;
    let first = m
        .chars()
        .next()
        .ok_or_else(|| format!("`{d}`: empty message"))?;
    if first.is_uppercase() || m.ends_with('.') || m.contains('\n') {
        return Err(format!("`{d}`: not one lowercase line without a period"));
    }
    Ok(())
}

#[test]
fn property_checks_reject_what_breaks_the_property() {
    let site = SiteTest::new("bad_input/base");
    let root = site.root();
    let text = std::fs::read_to_string(root.join("content/about.md")).unwrap();
    let lines = text.split('\n').count();
    let first = text.lines().next().unwrap().chars().count();
    let path = SourcePath::new("content/about.md");
    let at = |pos: Option<Pos>| Diagnostic::error(&path, pos, "the problem");
    assert_eq!(check_position(root, &at(None)), Ok(()));
    assert_eq!(check_position(root, &at(Some(Pos::new(1, 1)))), Ok(()));
    assert_eq!(
        check_position(root, &at(Some(Pos::new(1, first + 1)))),
        Ok(())
    );
    assert_eq!(check_position(root, &at(Some(Pos::new(lines, 1)))), Ok(()));
    for pos in [
        Pos::new(0, 1),
        Pos::new(lines + 1, 1),
        Pos::new(1, 0),
        Pos::new(1, first + 2),
    ] {
        assert!(check_position(root, &at(Some(pos))).is_err(), "{pos:?}");
    }
    let elsewhere = Diagnostic::error(&SourcePath::new("content/nowhere.md"), None, "x");
    assert!(check_position(root, &elsewhere).is_err());
    let folder = Diagnostic::error(&SourcePath::new("content/live"), None, "x");
    assert!(check_position(root, &folder).is_err());

    assert_eq!(check_message(&at(None)), Ok(()));
    for message in ["", "The problem", "the problem.", "the\nproblem"] {
        let d = Diagnostic::error(&path, None, message);
        assert!(check_message(&d).is_err(), "{message:?}");
    }
}

#[test]
fn the_fuzzed_site_builds_clean_without_the_fuzzed_file() {
    // So that every problem the property below sees comes from that file.
    SiteTest::new("bad_input/base").build().assert_clean();
}

/// Text that looks like content files: front matter delimiters, keys of the
/// front matter with good and bad values, Markdown syntax, and any characters.
fn content_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("+++\n".to_string()),
        Just("---\n".to_string()),
        Just("\r\n".to_string()),
        Just("\n".to_string()),
        Just("\u{feff}".to_string()),
        Just("title = \"T\"\n".to_string()),
        Just("title: T\n".to_string()),
        Just("date = 2026-11-23\n".to_string()),
        Just("date = \"2026-99-99\"\n".to_string()),
        Just("slug = \"\"\n".to_string()),
        Just("slug = \"???\"\n".to_string()),
        Just("aliases = [\"../x\"]\n".to_string()),
        Just("aliases = [\"/\"]\n".to_string()),
        Just("tags = [\"\", \"?\", \"a\"]\n".to_string()),
        Just("paginate_by = 0\n".to_string()),
        Just("[extra]\n".to_string()),
        Just("## Heading\n".to_string()),
        Just("[link](@/nowhere.md#x)".to_string()),
        Just("[link](../../../x.md)".to_string()),
        Just("[link](#)".to_string()),
        Just("![img](%20)".to_string()),
        Just("[^1]\n\n[^1]: note\n".to_string()),
        Just("<!-- more -->\n".to_string()),
        Just("<script>x</script>".to_string()),
        Just("| a |\n| - |\n".to_string()),
        Just("```\n".to_string()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_content_file_builds_or_fails_without_panicking(
        bytes in prop_oneof![
            content_like().prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..200),
        ],
        name in prop_oneof![
            Just("content/live/fuzz.md"),
            Just("content/live/fuzz.nb.md"),
            Just("content/live/_index.md"),
            Just("content/live/bundle/index.md"),
        ],
    ) {
        let site = SiteTest::new("bad_input/base");
        site.write(name, &bytes);
        // `build` panics itself when polis fails as a tool rather than
        // reporting diagnostics.
        let build = site.build();
        prop_assert_eq!(build.ok, build.errors == 0, "{}", build.text());
        prop_assert_eq!(build.items.len(), build.errors + build.warnings);
        for d in &build.items {
            if let Err(e) = check_position(site.root(), d).and(check_message(d)) {
                prop_assert!(false, "{}\nin {:?}", e, String::from_utf8_lossy(&bytes));
            }
        }
        // The site is clean without the file: a failed build says so about it.
        if !build.ok {
            prop_assert!(
                build.items.iter().any(|d| d.is_error() && d.path.as_str() == name),
                "no error names `{}`:\n{}", name, build.text()
            );
        }
        // Deterministic, in success and failure alike.
        let again = site.build_into(&site.temp_path("again"), false, |_| {});
        prop_assert_eq!(&again.diagnostics, &build.diagnostics);
        prop_assert!(
            list_files(site.out()) == list_files(&site.temp_path("again")),
            "the output differs between two builds"
        );
    }

    #[test]
    fn split_never_panics_and_its_parts_are_the_text(text in content_like()) {
        let Ok(s) = split(&text) else {
            prop_assert!(text.starts_with("+++") || text.starts_with("---"));
            return Ok(());
        };
        prop_assert_eq!(&text[s.body_start..], s.body);
        prop_assert_eq!(
            &text[s.front_start..s.front_start + s.front.len()],
            s.front
        );
        prop_assert!(s.front_start <= s.body_start);
        match s.format {
            None => prop_assert_eq!(s.body, text.as_str()),
            Some(Format::Toml) => prop_assert!(text.starts_with("+++")),
            Some(Format::Yaml) => prop_assert!(text.starts_with("---")),
        }
        let mut diags: Vec<Diagnostic> = Vec::new();
        let path = SourcePath::new("content/fuzz.md");
        let tz = jiff::tz::TimeZone::UTC;
        let front = parse(&path, &text, &s, Expect::plain(&tz), &mut diags);
        if front.is_none() {
            prop_assert!(!diags.is_empty(), "no front matter and no diagnostic");
        }
        // Positions point into the file.
        let lines = text.split('\n').count();
        for d in &diags {
            if let Some(pos) = d.pos {
                prop_assert!(pos.line >= 1 && pos.line <= lines, "{} in {:?}", d, text);
                prop_assert!(pos.col >= 1, "{}", d);
            }
        }
    }
}
