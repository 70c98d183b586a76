//! Translation status: `translated_from`, `polis translations` and `mark`,
//! the stale notice (in full and incremental builds), and the warnings for
//! `polis check`, on a fixture site whose source pages are edited.

use std::process::Output;

use polis::BuildOptions;
use polis::diag::Diagnostics;
use polis::resolve::translations::{Report, Status, report};

use crate::common::{SiteTest, now, polis, stderr, stdout};

/// The site resolved as a build resolves it.
fn resolve(site: &SiteTest) -> polis::resolve::Site {
    let mut diags = Diagnostics::default();
    let config = polis::config::load_config(site.root(), &mut diags).expect("config");
    let loaded = polis::load::load_site(&config, &mut diags).expect("load");
    let mut options = BuildOptions::new(site.root());
    options.now = now();
    let site = polis::resolve::resolve_site(config, loaded, &options.publish(), &mut diags);
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    site
}

/// (status, file) of every entry of the report, per language.
fn statuses(r: &Report) -> Vec<(Status, String)> {
    r.languages
        .iter()
        .flat_map(|l| &l.sections)
        .flat_map(|s| &s.entries)
        .map(|e| (e.status, e.file.to_string()))
        .collect()
}

fn status_of(site: &SiteTest, file: &str) -> Status {
    let r = report(&resolve(site), None);
    statuses(&r)
        .into_iter()
        .find(|(_, f)| f == file)
        .unwrap_or_else(|| panic!("`{file}` is not in the report"))
        .0
}

fn mark(site: &SiteTest, files: &[&str]) -> Output {
    let root = site.root().to_str().unwrap();
    let paths: Vec<String> = files
        .iter()
        .map(|f| site.root().join(f).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["translations", "mark", "--root", root];
    args.extend(paths.iter().map(String::as_str));
    polis(&args)
}

fn read(site: &SiteTest, rel: &str) -> String {
    std::fs::read_to_string(site.root().join(rel)).expect("read a source file")
}

const NOTICE: &str = "<aside class=\"notice\" role=\"note\">";

#[test]
fn translations_report_missing_untracked_and_up_to_date() {
    let site = SiteTest::new("translations/site");
    let r = report(&resolve(&site), None);
    assert_eq!(r.languages.len(), 1);
    assert_eq!(
        statuses(&r),
        [
            (Status::Untracked, "content/_index.nb.md".into()),
            (Status::Untracked, "content/about.nb.md".into()),
            (Status::Untracked, "content/guides/asker/index.nb.md".into()),
            (Status::Missing, "content/live/_index.nb.md".into()),
            (Status::Missing, "content/live/schools.nb.md".into()),
            (Status::Untracked, "content/live/healthcare.nb.md".into()),
            (Status::Untracked, "content/live/housing.nb.md".into()),
        ]
    );
    let sections: Vec<&str> = r.languages[0]
        .sections
        .iter()
        .map(|s| s.section.as_str())
        .collect();
    assert_eq!(sections, ["content/", "content/guides/", "content/live/"]);
    // Untracked is not stale: no notice, no warning.
    let b = site.build();
    b.assert_clean();
    assert!(!site.read("nb/live/bolig/index.html").contains(NOTICE));
    assert!(polis::resolve::stale_translation_warnings(&resolve(&site)).is_empty());
}

#[test]
fn translations_mark_writes_one_line_and_editing_the_source_makes_it_stale() {
    let site = SiteTest::new("translations/site");
    let before = read(&site, "content/live/housing.nb.md");
    let o = mark(&site, &["content/live/housing.nb.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(
            "marked content/live/housing.nb.md as translated from content/live/housing.md ("
        ),
        "{}",
        stdout(&o)
    );
    // The line goes after the title; every other byte stays.
    let after = read(&site, "content/live/housing.nb.md");
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
    assert_eq!(added.len(), 1, "{after}");
    assert!(added[0].starts_with("translated_from = \""), "{after}");
    assert_eq!(after.replace(&format!("{}\n", added[0]), ""), before);
    assert!(
        after.contains("title = \"Bolig\"\ntranslated_from = "),
        "{after}"
    );
    assert_eq!(
        status_of(&site, "content/live/housing.nb.md"),
        Status::Current
    );

    site.build().assert_clean();
    assert!(!site.read("nb/live/bolig/index.html").contains(NOTICE));

    // Publishing the source or moving its date is no reason to translate again.
    site.write(
        "content/live/housing.md",
        "+++\ntitle = \"Housing\"\ndate = 2026-02-01\nweight = 2\n+++\n\nMost people rent a flat for their first year.   \n",
    );
    assert_eq!(
        status_of(&site, "content/live/housing.nb.md"),
        Status::Current
    );

    // New text is.
    site.write(
        "content/live/housing.md",
        "+++\ntitle = \"Housing\"\ndate = 2026-01-10\n+++\nMost people rent a flat for their first year.\n\nDeposits are three months' rent at most.\n",
    );
    assert_eq!(
        status_of(&site, "content/live/housing.nb.md"),
        Status::Stale
    );
    let warnings = polis::resolve::stale_translation_warnings(&resolve(&site));
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "content/live/housing.nb.md:4:1: warning: `content/live/housing.md` has changed since this translation was made from it\n  = help: update the translation from `content/live/housing.md`, then run `polis translations mark content/live/housing.nb.md`"
        ]
    );
    // A warning for `check`, not for `build`.
    let checked = polis(&[
        "check",
        "--root",
        site.root().to_str().expect("a UTF-8 path"),
        "--now",
        "2026-11-23T12:00:00Z",
        "--format",
        "github",
    ]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    let annotations = stdout(&checked) + &stderr(&checked);
    assert!(
        annotations.contains("::warning file=content/live/housing.nb.md,line=4,col=1"),
        "{annotations}"
    );
    site.build().assert_clean();
    let main = site.main_of("nb/live/bolig/index.html");
    let notice = crate::common::element(&main, NOTICE, "</aside>");
    insta::assert_snapshot!(notice, @r#"
    <aside class="notice" role="note">
      <p>Denne siden er oversatt fra en eldre versjon av originalsiden (English), så noe kan være utdatert. <a href="/en/live/housing/" hreflang="en">Les originalsiden slik den er nå</a></p>
    </aside>
    "#);
    // Only on the stale translation.
    assert!(!site.read("en/live/housing/index.html").contains(NOTICE));
    assert!(!site.read("nb/live/helse/index.html").contains(NOTICE));

    // Marked again: up to date, the notice goes.
    let o = mark(&site, &["content/live/housing.nb.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        read(&site, "content/live/housing.nb.md")
            .matches("translated_from")
            .count(),
        1
    );
    assert_eq!(
        status_of(&site, "content/live/housing.nb.md"),
        Status::Current
    );
    site.build().assert_clean();
    assert!(!site.read("nb/live/bolig/index.html").contains(NOTICE));
    // Marking what is up to date changes nothing.
    let o = mark(&site, &["content/live/housing.nb.md"]);
    assert_eq!(
        stdout(&o),
        "content/live/housing.nb.md was up to date already\n"
    );
}

#[test]
fn translations_mark_keeps_yaml_and_crlf_and_marks_sections_and_bundles() {
    let site = SiteTest::new("translations/site");
    let o = mark(
        &site,
        &[
            "content/live/healthcare.nb.md",
            "content/_index.nb.md",
            "content/guides/asker/index.nb.md",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = read(&site, "content/live/healthcare.nb.md");
    let digest = &yaml[yaml.find("translated_from: \"").expect("marked") + 18..][..8];
    assert_eq!(
        yaml,
        format!(
            "---\r\ntitle: Helse\r\ntranslated_from: \"{digest}\"\r\nslug: helse\r\n---\r\nAlle har en fastlege.\r\n"
        )
    );
    for f in [
        "content/live/healthcare.nb.md",
        "content/_index.nb.md",
        "content/guides/asker/index.nb.md",
    ] {
        assert_eq!(status_of(&site, f), Status::Current, "{f}");
    }
    // A path from the site's root works with --root, even where the current
    // folder (this repository) has a file of the same name.
    let o = polis(&[
        "translations",
        "mark",
        "--root",
        site.root().to_str().unwrap(),
        "content/live/housing.nb.md",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        status_of(&site, "content/live/housing.nb.md"),
        Status::Current
    );
    // Converting the source to LF changes nothing.
    let source = read(&site, "content/live/healthcare.md").replace("\r\n", "\n");
    site.write("content/live/healthcare.md", source);
    assert_eq!(
        status_of(&site, "content/live/healthcare.nb.md"),
        Status::Current
    );
    // A stale section shows the notice on its listing.
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome to the region.\n",
    );
    site.build().assert_clean();
    assert!(site.read("nb/index.html").contains(NOTICE));
    assert!(!site.read("en/index.html").contains(NOTICE));
}

#[test]
fn translations_mark_refuses_what_is_no_translation() {
    let site = SiteTest::new("translations/site");
    let o = mark(&site, &["content/live/housing.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: `content/live/housing.md` is in the default language, so it is not a translation; mark its translations (`content/live/housing.nb.md`) instead\n"
    );
    site.write(
        "content/live/orphan.nb.md",
        "+++\ntitle = \"Foreldreløs\"\n+++\nx\n",
    );
    let o = mark(&site, &["content/live/orphan.nb.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no default-language version to be translated from"),
        "{}",
        stderr(&o)
    );
    let o = mark(&site, &["content/live/nowhere.nb.md"]);
    assert_eq!(
        stderr(&o),
        format!(
            "error: there is no file `{}`\n",
            site.root().join("content/live/nowhere.nb.md").display()
        )
    );
    let o = mark(&site, &["site.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not in the site's `content/` folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn translations_command_prints_per_language_and_section() {
    let site = SiteTest::new("translations/site");
    let root = site.root().to_str().unwrap();
    mark(&site, &["content/live/housing.nb.md"]);
    site.write(
        "content/live/housing.md",
        "+++\ntitle = \"Housing\"\n+++\nSomething new.\n",
    );
    let o = polis(&["translations", "--root", root]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o), @r"
    nb (Norsk bokmål): 0 up to date, 1 stale, 4 untracked, 2 missing
      content/  (0 of 2 up to date)
        untracked  content/_index.nb.md
        untracked  content/about.nb.md
      content/guides/  (0 of 1 up to date)
        untracked  content/guides/asker/index.nb.md
      content/live/  (0 of 4 up to date)
        stale      content/live/housing.nb.md
        missing    content/live/_index.nb.md
        missing    content/live/schools.nb.md
        untracked  content/live/healthcare.nb.md

    a stale translation was made from an older version of its page: update it, then run `polis translations mark FILE`
    an untracked translation does not say which version it was made from: if it is up to date, run `polis translations mark FILE`
    ");
    let o = polis(&[
        "translations",
        "--root",
        root,
        "--format",
        "json",
        "--lang",
        "nb",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(json["languages"][0]["counts"]["stale"], 1);
    assert_eq!(
        json["languages"][0]["sections"][2]["entries"][0]["status"],
        "stale"
    );
    let o = polis(&["translations", "--root", root, "--lang", "de"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `serve` rebuilds after an edit of the English text: the Norwegian page
/// gets its notice, though only a Markdown body changed.
#[test]
fn translations_notice_follows_incremental_rebuilds() {
    use polis::serve::session::Session;
    let site = SiteTest::new("translations/site");
    mark(&site, &["content/live/housing.nb.md"]);
    let mut options = BuildOptions::new(site.root());
    options.now = now();
    let mut session = Session::new(options);
    let mut diags = Diagnostics::default();
    let page = |r: &polis::serve::session::Rebuilt| {
        let bytes = r
            .files
            .get(&polis::model::OutputPath::new("nb/live/bolig/index.html"))
            .expect("the page")
            .bytes()
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    let r = session.rebuild(&mut diags).expect("first build");
    assert!(!page(&r).contains(NOTICE));
    let source = site.root().join("content/live/housing.md");
    let edit = |text: &str| {
        std::fs::write(&source, text).unwrap();
    };
    edit("+++\ntitle = \"Housing\"\ndate = 2026-01-10\n+++\nNew text.\n");
    let r = session
        .rebuild_changed(std::slice::from_ref(&source), &mut diags)
        .expect("rebuild");
    assert!(page(&r).contains(NOTICE), "{}", page(&r));
    edit("+++\ntitle = \"Housing\"\ndate = 2026-01-10\n+++\nNewer text.\n");
    let r = session
        .rebuild_changed(std::slice::from_ref(&source), &mut diags)
        .expect("rebuild");
    assert!(r.bodies_only);
    assert!(page(&r).contains(NOTICE));
    // Back as it was when translated: up to date again.
    edit(
        &std::fs::read_to_string(
            crate::common::fixtures_dir().join("translations/site/content/live/housing.md"),
        )
        .unwrap(),
    );
    let r = session
        .rebuild_changed(std::slice::from_ref(&source), &mut diags)
        .expect("rebuild");
    assert!(!page(&r).contains(NOTICE));
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
}

/// A renamed English page leaves its translation behind: the report says so.
#[test]
fn translations_report_names_orphans() {
    let site = SiteTest::new("translations/site");
    std::fs::rename(
        site.root().join("content/live/housing.md"),
        site.root().join("content/live/homes.md"),
    )
    .unwrap();
    let r = report(&resolve(&site), None);
    let live: Vec<(Status, String)> = statuses(&r)
        .into_iter()
        .filter(|(_, f)| f.starts_with("content/live/"))
        .collect();
    assert_eq!(
        live,
        [
            (Status::Orphan, "content/live/housing.nb.md".into()),
            (Status::Missing, "content/live/_index.nb.md".into()),
            (Status::Missing, "content/live/homes.nb.md".into()),
            (Status::Missing, "content/live/schools.nb.md".into()),
            (Status::Untracked, "content/live/healthcare.nb.md".into()),
        ]
    );
    assert_eq!(r.languages[0].counts.orphan, 1);
}

/// `translated_from` where it means nothing is a warning too.
#[test]
fn translations_warn_about_translated_from_without_a_source() {
    let site = SiteTest::new("translations/site");
    site.write(
        "content/live/schools.md",
        "+++\ntitle = \"Schools\"\ntranslated_from = \"0000aaaa\"\n+++\nSchools are free.\n",
    );
    site.write(
        "content/live/orphan.nb.md",
        "---\ntitle: Foreldreløs\ntranslated_from: \"0000aaaa\"\n---\nx\n",
    );
    let warnings: Vec<String> = polis::resolve::stale_translation_warnings(&resolve(&site))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        warnings,
        [
            "content/live/orphan.nb.md:3:1: warning: `translated_from` has nothing to refer to: there is no `content/live/orphan.md`\n  = help: remove the line, or add the default-language version",
            "content/live/schools.md:3:1: warning: `translated_from` is for translations, and this file is in the default language\n  = help: remove the line",
        ]
    );
}
