//! Properties: whatever bytes a content file holds, a build reports problems
//! instead of panicking; the front matter splitter and parser never panic and
//! keep their offsets consistent.

use polis::diag::Diagnostic;
use polis::load::front_matter::{Expect, Format, parse, split};
use polis::model::SourcePath;
use proptest::prelude::*;

use crate::common::SiteTest;

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
        for d in &build.diagnostics {
            prop_assert!(!d.is_empty());
        }
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
