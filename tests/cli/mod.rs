//! The `polis` binary: its flags, what it prints, and its exit codes (0 success,
//! 1 problems in the site, 2 a failure of polis or its options).

use std::process::Output;

use crate::common::{NOW, SiteTest, list_files, polis, stderr, stdout};

/// `polis build` of a test site into its output folder, at the fixed clock.
fn build(site: &SiteTest, extra: &[&str]) -> Output {
    let root = site.root().to_str().unwrap();
    let out = site.out().to_str().unwrap();
    let mut args = vec!["build", "--root", root, "--output", out, "--now", NOW];
    args.extend_from_slice(extra);
    polis(&args)
}

#[test]
fn help_lists_every_flag() {
    let o = polis(&["build", "--help"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let help = stdout(&o);
    for flag in [
        "--root <DIR>",
        "--output <DIR>",
        "--base-url <URL>",
        "--drafts",
        "--future",
        "--now <TIME>",
        "--deny-warnings",
        "--quiet",
        "--help",
    ] {
        assert!(help.contains(flag), "`{flag}` is not in:\n{help}");
    }
    let o = polis(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("build"), "{}", stdout(&o));
}

#[test]
fn version_prints_name_and_version() {
    let o = polis(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o).trim(),
        format!("polis {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn good_site_exits_0_with_a_summary() {
    let site = SiteTest::new("cli/site");
    let o = build(&site, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let summary = err.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("built 3 pages (2 en, 1 nb), ") && summary.contains(" 0 warnings in "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(site.exists("en/live/housing/index.html"));
    assert!(!site.exists("en/live/scheduled"));
    assert!(!site.exists("en/live/draft"));
}

#[test]
fn quiet_build_prints_nothing() {
    let site = SiteTest::new("cli/site");
    let o = build(&site, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "");
}

#[test]
fn flags_reach_the_build() {
    let site = SiteTest::new("cli/site");
    let o = build(
        &site,
        &[
            "--drafts",
            "--future",
            "--base-url",
            "https://preview.example.net/",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(site.exists("en/live/draft/index.html"));
    assert!(site.exists("en/live/scheduled/index.html"));
    assert!(site.read("en/live/housing/index.html").contains(
        "<link rel=\"canonical\" href=\"https://preview.example.net/en/live/housing/\">"
    ));
    // A later clock publishes the scheduled page without --future.
    let o = polis(&[
        "build",
        "--root",
        site.root().to_str().unwrap(),
        "--output",
        site.out().to_str().unwrap(),
        "--now",
        "2026-12-02T00:00:00+01:00",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(site.exists("en/live/scheduled/index.html"));
    assert!(!site.exists("en/live/draft"));
}

#[test]
fn broken_site_exits_1_with_the_error_on_stderr() {
    let site = SiteTest::new("cli/site");
    site.write(
        "content/live/broken.md",
        "+++\ntitle = 5\n+++\n\n[x](@/nowhere.md)\n",
    );
    let o = build(&site, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("content/live/broken.md:2:9: error: ")),
        "{err}"
    );
    assert!(!site.out().exists());
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(err);
}

#[test]
fn deny_warnings_fails_on_a_missing_ui_string() {
    let site = SiteTest::new("cli/missing_ui_string");
    let o = build(&site, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: missing UI string `footer_motto` for language `en`"),
        "{err}"
    );
    let o = build(&site, &["--deny-warnings", "--quiet"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(err);
}

#[test]
fn tool_failures_exit_2() {
    let site = SiteTest::new("cli/site");
    let root = site.root().to_str().unwrap();
    let o = polis(&["build", "--root", root, "--now", "next tuesday"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("next tuesday"), "{}", stderr(&o));

    let missing = site.temp_path("no-site-here");
    let o = polis(&["build", "--root", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no `site.toml`"), "{}", stderr(&o));

    let o = build(&site, &["--base-url", "example.org"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(list_files(site.out()).is_empty());
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let o = polis(&["build", "--draft"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--drafts"), "{}", stderr(&o));
}

#[test]
fn new_writes_a_bundle_from_the_archetype_in_every_language() {
    let site = SiteTest::new("collections");
    let root = site.root().to_str().unwrap();
    let o = polis(&["new", "takeover", "Kim Park", "--root", root, "--now", NOW]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Weeks 47 to 49 are taken: the next free one is 50.
    let folder = site.root().join("content/takeover/2026-w50-kim-park");
    assert!(
        stdout(&o).contains("content/takeover/2026-w50-kim-park/index.nb.md"),
        "{}",
        stdout(&o)
    );
    let en = std::fs::read_to_string(folder.join("index.md")).unwrap();
    assert!(en.contains("title = \"Week 50: Kim Park\""), "{en}");
    assert!(en.contains("week = \"2026-W50\""), "{en}");
    let nb = std::fs::read_to_string(folder.join("index.nb.md")).unwrap();
    assert!(nb.contains("Skriv om uka di her (nb)."), "{nb}");
    assert!(folder.join("portrait.jpg").is_file());
    // Ready to build: valid against the schema, and scheduled for its Monday.
    let b = build(&site, &["--deny-warnings"]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert!(!site.exists("en/takeover/2026-w50-kim-park/index.html"));

    // A second post of the same person goes to the next free week; a folder
    // that is there already is never overwritten.
    std::fs::create_dir_all(site.root().join("content/takeover/2026-w51-kim-park")).unwrap();
    let again = polis(&["new", "takeover", "Kim Park", "--root", root, "--now", NOW]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );
    // An unknown kind names the ones there are.
    let unknown = polis(&["new", "takover", "X", "--root", root]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("there is no archetype `takover`; there are: ")
            && stderr(&unknown).contains("takeover"),
        "{}",
        stderr(&unknown)
    );
}

/// `polis init` starts a site that builds with no error and no warning, with a
/// home page in each language, and prints how to see it.
#[test]
fn init_starts_a_site_that_builds_cleanly_in_every_language() {
    let temp = tempfile::tempdir().expect("a temp folder");
    let root = temp.path().join("region");
    let o = polis(&["init", root.to_str().unwrap(), "--languages", "en,nb,de"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("polis serve"), "{}", stdout(&o));
    let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
    assert!(config.contains("default_language = \"en\""), "{config}");
    assert!(config.contains("[languages.de]"), "{config}");

    let out = temp.path().join("public");
    let o = polis(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--deny-warnings",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err.lines().count(), 1, "only the summary: {err}");
    assert!(err.contains(" 0 warnings "), "{err}");
    for lang in ["en", "nb", "de"] {
        assert!(out.join(lang).join("index.html").is_file(), "no /{lang}/");
    }
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let temp = tempfile::tempdir().expect("a temp folder");
    let root = temp.path();
    std::fs::write(root.join("notes.txt"), "mine").unwrap();
    let o = polis(&["init", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not empty (it has `notes.txt`)"),
        "{}",
        stderr(&o)
    );
    assert!(!root.join("site.toml").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("notes.txt")).unwrap(),
        "mine"
    );

    // A language code is checked before anything is written.
    let new = root.join("new");
    let o = polis(&["init", new.to_str().unwrap(), "--languages", "en,norsk"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`norsk` is not a language code"),
        "{}",
        stderr(&o)
    );
    assert!(!new.exists());
}

#[test]
fn progress_is_plain_lines_in_a_log_and_nothing_when_quiet() {
    // Progress shows only for work longer than a couple of seconds; the
    // variable makes every piece of work long enough.
    let run = |site: &SiteTest, extra: &[&str]| {
        let root = site.root().to_str().unwrap().to_string();
        let out = site.out().to_str().unwrap().to_string();
        let mut args = vec!["build", "--root", &root, "--output", &out, "--now", NOW];
        args.extend_from_slice(extra);
        crate::common::polis_cmd(&args)
            .env("POLIS_PROGRESS_AFTER_MS", "0")
            .output()
            .expect("run polis")
    };
    let site = crate::images::site();
    let o = run(&site, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("image variants: "))
        .collect();
    let last = lines
        .last()
        .unwrap_or_else(|| panic!("no progress in:\n{err}"));
    let (done, total) = last["image variants: ".len()..]
        .split_once(' ')
        .and_then(|(n, _)| n.split_once('/'))
        .expect("done/total");
    assert_eq!(done, total, "the last line says all is done: {err}");
    assert!(total.parse::<u32>().unwrap() >= 9, "{err}");
    assert!(
        !err.contains('\r') && !err.contains('\x1b'),
        "no bar or colour in a log: {err:?}"
    );

    // Quiet: nothing, though there is as much to do (a new cache).
    let site = crate::images::site();
    let o = run(&site, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}
