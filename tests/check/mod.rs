//! `polis check`: the content lints on `tests/fixtures/check/`, each output
//! format as the binary prints it, the GitHub step summary, exit codes, and
//! `--external` against a server this test starts on 127.0.0.1 (never the
//! internet).

mod server;

use std::process::Output;
use std::time::Duration;

use polis::BuildOptions;
use polis::check::{CheckOptions, check_site, external};
use polis::diag::Diagnostics;

use crate::common::{NOW, SiteTest, now, polis, polis_cmd, repo_dir, stderr, stdout};

fn check(site: &SiteTest, extra: &[&str]) -> Output {
    check_env(site, extra, &[])
}

fn check_env(site: &SiteTest, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = polis_cmd(&["check", "--root"]);
    cmd.arg(site.root()).args(["--now", NOW]).args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run polis")
}

/// The last line (the summary) without its timing, which varies.
fn without_timing(text: &str) -> String {
    text.lines()
        .map(|l| match l.rfind(" in ") {
            Some(i) if l.starts_with("checked ") => format!("{} in [time]", &l[..i]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn lints_find_each_problem_at_its_line() {
    let site = SiteTest::new("check/lints");
    let o = check(&site, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = json_of(&o);
    let found: Vec<String> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{} {}",
                p["file"].as_str().unwrap(),
                p["line"],
                p["column"],
                p["code"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "content/guide.md:2:1 description-missing",
            "content/guide.md:2:1 title-long",
            "content/guide.md:7:1 alt-missing",
            "content/guide.md:11:16 alt-missing",
            "content/guide.md:13:1 heading-skip",
            "content/guide.md:15:21 link-text",
            "content/guide.md:16:1 link-empty",
            "content/guide.md:16:35 link-empty",
            "content/guide.nb.md:8:22 link-text",
            "content/guide.nb.md:8:60 link-text",
        ],
        "{json:#}"
    );
    // The good page, the decorative images and the image link say nothing.
    assert!(!found.iter().any(|f| f.starts_with("content/good.md")));
}

#[test]
fn json_matches_its_documented_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_dir().join("docs/check.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    for fixture in ["check/lints", "check/municipality"] {
        let site = SiteTest::new(fixture);
        let json = json_of(&check(&site, &["--format", "json"]));
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:?}\n{json:#}");
    }
    let site = SiteTest::new("check/municipality");
    insta::assert_snapshot!(stdout(&check(&site, &["--format", "json"])));
}

#[test]
fn human_format_shows_the_line_and_a_caret() {
    let site = SiteTest::new("check/lints");
    let o = check(&site, &[]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    // No colours when stderr is no terminal.
    assert!(!err.contains('\u{1b}'), "{err}");
    insta::assert_snapshot!(without_timing(&err));
}

#[test]
fn github_format_is_workflow_commands() {
    let site = SiteTest::new("check/lints");
    let o = check(&site, &["--format", "github"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l
            == "::warning file=content/guide.md,line=15,col=21,title=link-text::the link text `click here` does not say where the link goes%0Ahelp: name the target in the link, as in `read [the housing guide](…)`: many readers jump from link to link and hear only the link's text"),
        "{out}"
    );
    insta::assert_snapshot!(without_timing(&out));
    // Build's problems have no title (GitHub then names file and line).
    let site = SiteTest::new("check/municipality");
    let out = stdout(&check(&site, &["--format", "github"]));
    assert!(
        out.lines().any(|l| l
            == "::error file=content/municipalities/nordre-follo/index.md,line=6,col=1::unknown field `populaton`: the `municipalities` collection has no such field%0Ahelp: did you mean `population`?"),
        "{out}"
    );
}

#[test]
fn github_step_summary_is_appended() {
    let site = SiteTest::new("check/municipality");
    let summary = site.temp_path("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let o = check_env(
        &site,
        &["--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n## polis check\n"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn municipality_guide_gets_one_line_per_mistake() {
    // A guide with a typo in a field name, a photo without alt text and a
    // link to a page that is not there: what the municipality sees.
    let site = SiteTest::new("check/municipality");
    let o = check(&site, &[]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(without_timing(&stderr(&o)));
}

#[test]
fn exit_codes_follow_errors_warnings_and_usage() {
    let site = SiteTest::new("check/lints");
    assert_eq!(check(&site, &[]).status.code(), Some(0));
    let o = check(&site, &["--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(check(&site, &["--format", "xml"]).status.code(), Some(2));
    // Nothing is written: no output folder, no staging folder.
    assert!(!site.root().join("public").exists());
    assert!(!site.out().exists());
}

#[test]
fn check_reports_what_build_reports() {
    let site = SiteTest::new("check/municipality");
    let build = site.build();
    // Something to compare: the fixture's three mistakes, as build reports them.
    build.assert_failed();
    let firsts: Vec<&str> = build
        .diagnostics
        .iter()
        .map(|d| d.lines().next().unwrap())
        .collect();
    for expected in [
        "content/municipalities/nordre-follo/index.md:6:1: error: unknown field `populaton`: the `municipalities` collection has no such field",
        "content/municipalities/nordre-follo/index.md:14:1: error: the image `guide.png` in `photo` has no alt text",
        "content/municipalities/nordre-follo/index.md:21:5: error: link to `@/municipalities/nordre-follo/schools.md` has no target: there is no `content/municipalities/nordre-follo/schools.md`",
    ] {
        assert!(
            firsts.contains(&expected),
            "`{expected}` is not in {firsts:#?}"
        );
    }
    let json = json_of(&check(&site, &["--format", "json"]));
    for d in &build.diagnostics {
        let first = d.lines().next().unwrap();
        let found = json["problems"].as_array().unwrap().iter().any(|p| {
            let at = match p["line"].as_u64() {
                Some(line) => format!(":{line}:{}", p["column"]),
                None => String::new(),
            };
            first
                == format!(
                    "{}{at}: {}: {}",
                    p["file"].as_str().unwrap(),
                    p["severity"].as_str().unwrap(),
                    p["message"].as_str().unwrap()
                )
        });
        assert!(found, "`{first}` is not in {json:#}");
    }
}

/// A page linking to every kind of answer the test server gives.
fn external_site(port: u16) -> SiteTest {
    let site = SiteTest::new("check/external");
    let base = format!("http://127.0.0.1:{port}");
    site.write(
        "content/links.md",
        format!(
            "+++\ntitle = \"Links\"\ndescription = \"Links to everything.\"\n+++\n\n\
             - [fine]({base}/ok)\n\
             - [gone]({base}/missing)\n\
             - [slow]({base}/slow)\n\
             - [moved]({base}/redirect)\n\
             - [busy]({base}/limited)\n\
             - [no head]({base}/no-head)\n\
             - [broken server]({base}/error)\n\
             - [fine again]({base}/ok#part)\n"
        ),
    );
    for i in 0..6 {
        site.write(
            &format!("content/many-{i}.md"),
            format!(
                "+++\ntitle = \"Many {i}\"\ndescription = \"One of many.\"\n+++\n\n[a page]({base}/pause/{i})\n"
            ),
        );
    }
    site
}

fn settings() -> external::Settings {
    external::Settings {
        timeout: Duration::from_millis(800),
        backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(2),
        ..external::Settings::default()
    }
}

fn check_external(site: &SiteTest) -> Vec<String> {
    let mut options = BuildOptions::new(site.root());
    options.now = now();
    let mut diags = Diagnostics::default();
    let check = CheckOptions {
        external: Some(settings()),
    };
    check_site(&options, &check, &mut diags).expect("the check runs");
    diags.sorted().iter().map(ToString::to_string).collect()
}

#[test]
fn external_links_are_checked_politely_and_cached() {
    let server = server::TestServer::start();
    let site = external_site(server.port());
    let found = check_external(&site);
    let text = found.join("\n").replace(&server.port().to_string(), "PORT");
    insta::assert_snapshot!(text);

    let stats = server.stats();
    // Retry-After was honoured: the limited page was asked again, and passed.
    assert_eq!(stats.hits("/limited"), 2, "{stats:?}");
    // The server that refuses HEAD was asked with GET.
    assert_eq!(stats.methods("/no-head"), ["HEAD", "GET"], "{stats:?}");
    // A 500 is tried again (twice); a 404 is not, but asked with GET too, as
    // some servers answer HEAD wrongly.
    assert_eq!(stats.hits("/error"), 3, "{stats:?}");
    assert_eq!(stats.methods("/missing"), ["HEAD", "GET"], "{stats:?}");
    // One address, asked once, whatever number of links have it.
    assert_eq!(
        stats.hits("/ok"),
        2,
        "HEAD /ok and the redirect's HEAD /ok: {stats:?}"
    );
    // Never more than two requests at once to the one host.
    assert!(stats.max_concurrent <= 2, "{stats:?}");
    assert!(stats.max_concurrent >= 1);

    // The second run asks the server about the bad answers only once they are
    // stale: here, nothing at all, and reports the same.
    let before = server.stats().total;
    let again = check_external(&site);
    assert_eq!(again, found);
    assert_eq!(server.stats().total, before, "the cache was not used");
    assert!(
        site.root()
            .join(".polis-cache")
            .join(external::CACHE_FILE)
            .is_file()
    );
}

#[test]
fn external_links_are_not_checked_by_default() {
    let server = server::TestServer::start();
    let site = external_site(server.port());
    let o = check(&site, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.stats().total, 0);
    assert!(
        !site
            .root()
            .join(".polis-cache")
            .join(external::CACHE_FILE)
            .exists()
    );
}

#[test]
fn help_lists_every_flag() {
    let o = polis(&["check", "--help"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let help = stdout(&o);
    for flag in [
        "--root <DIR>",
        "--base-url <URL>",
        "--drafts",
        "--future",
        "--now <TIME>",
        "--deny-warnings",
        "--format <FORMAT>",
        "human",
        "github",
        "json",
        "--external",
    ] {
        assert!(help.contains(flag), "`{flag}` is not in:\n{help}");
    }
}

/// Columns count characters, as people, editors and GitHub do: after `Før æøå `
/// the `[` is at column 9 (its byte offset would make it 13), in `build` and
/// `check` alike, and the caret stands under it.
#[test]
fn columns_count_characters_after_norwegian_letters() {
    let site = SiteTest::new("check/lints");
    site.write(
        "content/lenke.md",
        "+++\ntitle = \"Lenke\"\ndescription = \"En side med en lenke.\"\n+++\n\nFør æøå [lenke](@/nowhere.md)\n",
    );
    let at = "content/lenke.md:6:9: error: ";
    let build = site.build();
    assert!(
        build.diagnostics.iter().any(|d| d.starts_with(at)),
        "{}",
        build.text()
    );

    let o = check(&site, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(at))
        .unwrap_or_else(|| panic!("no `{at}` in:\n{err}"));
    let (source, caret) = (lines[i + 2], lines[i + 3]);
    let col = |line: &str, c: char| line.chars().position(|x| x == c);
    assert!(source.ends_with("Før æøå [lenke](@/nowhere.md)"), "{err}");
    assert_eq!(col(caret, '^'), col(source, '['), "{err}");

    let out = stdout(&check(&site, &["--format", "github"]));
    assert!(
        out.contains("::error file=content/lenke.md,line=6,col=9::"),
        "{out}"
    );
}

/// Issue 18: a hand-written CMS configuration would drift from the schema
/// that the generated `/admin/config.yml` follows: `polis check` warns (the
/// fixture has errors of its own; this looks only at the new warning).
#[test]
fn issue_18_a_hand_written_cms_config_is_a_warning() {
    let site = SiteTest::new("check/municipality");
    let before = check(&site, &[]);
    let before = stdout(&before) + &stderr(&before);
    assert!(!before.contains("hand-written"), "{before}");
    site.write("static/admin/config.yml", "backend:\n  name: github\n");
    let drift = check(&site, &[]);
    let text = stdout(&drift) + &stderr(&drift);
    assert!(
        text.contains("static/admin/config.yml: warning: a hand-written CMS configuration"),
        "{text}"
    );
    assert!(text.contains("add `[editor]`"), "{text}");
}
