//! `polis diff` on two builds of a fixture site of its own
//! (`tests/fixtures/diff/moves`): pages added, removed and changed, and removed
//! URLs that no alias redirects from. Each test asserts what its own change
//! did, never how many pages the fixture has.

use std::path::Path;
use std::process::Output;

use crate::common::{SiteTest, polis, stderr, stdout};

/// The summary line's counts (pages before, after, added, removed, changed),
/// checked to add up: the pages after are those before, plus the added, less
/// the removed.
#[track_caller]
fn counts(out: &str) -> [usize; 5] {
    let line = out.lines().next().unwrap_or_default();
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().unwrap())
        .collect();
    let [before, after, added, removed, changed] = numbers[..] else {
        panic!("not a summary line: {line}");
    };
    assert!(
        line == format!(
            "{before} pages before, {after} after: {added} added, {removed} removed, {changed} changed"
        ),
        "{line}"
    );
    assert_eq!(before + added, after + removed, "{line}");
    [before, after, added, removed, changed]
}

fn diff(old: &Path, new: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["diff", old.to_str().unwrap(), new.to_str().unwrap()];
    args.extend_from_slice(extra);
    polis(&args)
}

#[test]
fn diff_lists_pages_added_removed_and_changed() {
    let site = SiteTest::new("diff/moves");
    let old = site.temp_path("old");
    site.build_into(&old, false, |_| {}).assert_clean();
    // A page renamed (its URL moves), one changed, one added.
    std::fs::rename(
        site.root().join("content/live/schools.md"),
        site.root().join("content/live/education.md"),
    )
    .unwrap();
    site.write(
        "content/live/healthcare.md",
        "---\ntitle: Healthcare\n---\nEveryone has a GP, and emergencies are free.\n",
    );
    site.write(
        "content/live/jobs.md",
        "+++\ntitle = \"Jobs\"\n+++\nWork.\n",
    );
    let new = site.temp_path("new");
    site.build_into(&new, false, |_| {}).assert_clean();

    let o = diff(&old, &new, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(counts(&out)[2..], [2, 1, 3], "{out}");
    assert!(
        out.contains("\nadded (2):\n  /en/live/education/\n  /en/live/jobs/\n"),
        "{out}"
    );
    assert!(
        out.contains("\nremoved (1):\n  /en/live/schools/, now at /en/live/education/?\n"),
        "{out}"
    );
    // The section lists the new pages, and housing links to its new neighbour.
    assert!(
        out.contains("\nchanged (3):\n  /en/live/\n  /en/live/healthcare/\n  /en/live/housing/\n"),
        "{out}"
    );
    assert!(out.contains(
        "warning: `/en/live/schools/` is gone and nothing redirects from it; it seems to be at `/en/live/education/` now (same heading)\n  = help: add `aliases = [\"/en/live/schools/\"]` to the front matter of the page at `/en/live/education/`, so that links to the old address still work\n"
    ), "{out}");
    // CI can fail on it.
    let o = diff(&old, &new, &["--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1));
    let o = diff(&old, &new, &["--format", "github"]);
    assert!(
        stdout(&o).contains("::warning title=polis diff::`/en/live/schools/` is gone"),
        "{}",
        stdout(&o)
    );
    let o = diff(&old, &new, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(json["removed"][0]["moved_to"]["url"], "/en/live/education/");
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(1));

    // With the alias the suggestion asks for, nothing breaks.
    site.write(
        "content/live/education.md",
        "+++\ntitle = \"Schools\"\naliases = [\"/en/live/schools/\"]\n+++\nSchools are free.\n",
    );
    let fixed = site.temp_path("fixed");
    site.build_into(&fixed, false, |_| {}).assert_clean();
    let o = diff(&old, &fixed, &["--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("  /en/live/schools/, now redirects to /en/live/education/\n"),
        "{out}"
    );
    assert!(!out.contains("warning"), "{out}");
    // The same build twice: nothing to say.
    let o = diff(&new, &new, &[]);
    let out = stdout(&o);
    let [before, after, ..] = counts(&out);
    assert!(before > 0, "{out}");
    assert_eq!(before, after, "{out}");
    assert!(out.ends_with(": 0 added, 0 removed, 0 changed\n"), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn diff_finds_a_renamed_translation_through_its_language_versions() {
    let site = SiteTest::new("diff/moves");
    let old = site.temp_path("old");
    site.build_into(&old, false, |_| {}).assert_clean();
    // The Norwegian slug changes, and its title with it.
    site.write(
        "content/live/housing.nb.md",
        "+++\ntitle = \"Bolig og leie\"\nslug = \"bolig-og-leie\"\n+++\nNy tekst.\n",
    );
    let new = site.temp_path("new");
    site.build_into(&new, false, |_| {}).assert_clean();
    let o = diff(&old, &new, &[]);
    let out = stdout(&o);
    assert_eq!(counts(&out)[2..4], [1, 1], "{out}");
    assert!(
        out.contains("\nadded (1):\n  /nb/live/bolig-og-leie/\n"),
        "{out}"
    );
    assert!(
        out.contains("\nremoved (1):\n  /nb/live/bolig/, now at /nb/live/bolig-og-leie/?\n"),
        "{out}"
    );
    assert!(out.contains("(same translation)"), "{out}");
}

#[test]
fn diff_of_a_missing_folder_is_an_error() {
    let site = SiteTest::new("diff/moves");
    let o = diff(&site.temp_path("nothing"), &site.temp_path("nothing"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a folder with a built site"),
        "{}",
        stderr(&o)
    );
}
