//! `polis migrate`: the mechanical part of moving a Zola or Hugo site to polis
//! (issue 20, docs/migrating.md). In the site's folder it
//!
//! - writes `site.toml` from Zola's `config.toml` or Hugo's `hugo.toml`
//!   (`config.toml`): base URL, title, description, languages, taxonomies,
//!   with `default_language_at_root = true` so that no URL changes;
//! - rewrites every shortcode call that stands on its own lines (Zola's
//!   `{{ name(arg=1) }}` and `{% name() %}…{% end %}`, Hugo's
//!   `{{< name arg >}}` and `{{% name %}}…{{% /name %}}`) as the fenced block
//!   polis reads, a body becoming a `body` argument; calls inside a line of
//!   text are left for the build's warnings, which say what to write;
//! - renames `static/` to `assets/`.
//!
//! What it cannot carry over (templates, a theme, settings polis has no
//! equivalent of) is listed in the report and as comments in `site.toml`.
//! Nothing is written with `dry_run`, and an existing `site.toml` is never
//! overwritten.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::load::shortcode_syntax::{Call, find_tags};

/// Where the site comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Zola,
    Hugo,
}

/// What a migration did, or would do with `dry_run`.
#[derive(Debug)]
pub struct Report {
    pub from: Generator,
    /// The config file read, relative to the site.
    pub config: String,
    /// `site.toml`'s text.
    pub site_toml: String,
    /// Content files with shortcode calls rewritten, and how many.
    pub rewritten: Vec<(String, usize)>,
    /// Calls left as they are (inside a line of text), as `file:line`.
    pub left: Vec<String>,
    /// The shortcodes the content uses: each needs `shortcodes/NAME.html` and
    /// its arguments in `shortcodes.toml`.
    pub shortcodes: BTreeSet<String>,
    /// `static/` became `assets/`.
    pub moved_static: bool,
    /// Settings not carried over, and other things to do by hand.
    pub notes: Vec<String>,
}

/// Migrates the Zola or Hugo site in `root`.
pub fn migrate(root: &Path, dry_run: bool) -> Result<Report> {
    let site_toml = root.join(crate::config::CONFIG_FILE);
    if site_toml.exists() {
        return Err(Error::Usage(format!(
            "`{}` exists already: polis migrate writes it from the Zola or Hugo config, and never over one",
            site_toml.display()
        )));
    }
    let (from, config_name, table) = read_config(root)?;
    let mut notes = Vec::new();
    let site_toml_text = match from {
        Generator::Zola => zola_site_toml(&table, &mut notes),
        Generator::Hugo => hugo_site_toml(&table, &mut notes),
    };

    let mut report = Report {
        from,
        config: config_name,
        site_toml: site_toml_text,
        rewritten: Vec::new(),
        left: Vec::new(),
        shortcodes: BTreeSet::new(),
        moved_static: false,
        notes,
    };
    let content = root.join(crate::load::CONTENT_DIR);
    for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let entry = entry.map_err(|source| Error::Walk {
            path: content.clone(),
            source,
        })?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = crate::fs::read_to_string(path)?;
        let (new, count) = rewrite_shortcodes(&text, &rel, &mut report);
        if count > 0 {
            if !dry_run {
                crate::fs::write_atomic(path, new.as_bytes())?;
            }
            report.rewritten.push((rel, count));
        }
    }
    let (static_dir, assets) = (root.join("static"), root.join("assets"));
    if static_dir.is_dir() {
        if assets.exists() {
            report.notes.push(
                "`static/` and `assets/` both exist: move the files of `static/` into `assets/` by hand"
                    .into(),
            );
        } else {
            if !dry_run {
                crate::fs::rename(&static_dir, &assets)?;
            }
            report.moved_static = true;
        }
    }
    if !report.shortcodes.is_empty() {
        report.notes.push(format!(
            "write a template `shortcodes/NAME.html` and declare its arguments in `shortcodes.toml` for: {}",
            report.shortcodes.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !dry_run {
        crate::fs::write_atomic(&site_toml, report.site_toml.as_bytes())?;
    }
    Ok(report)
}

/// The Zola or Hugo config in `root`: which one, its file name, its table.
fn read_config(root: &Path) -> Result<(Generator, String, toml::Table)> {
    for name in ["hugo.toml", "config.toml"] {
        let path = root.join(name);
        if !path.is_file() {
            continue;
        }
        let text = crate::fs::read_to_string(&path)?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            Error::Usage(format!("`{name}` is not TOML that polis reads: {e}"))
        })?;
        let from = if table.contains_key("baseURL") || name == "hugo.toml" {
            Generator::Hugo
        } else {
            Generator::Zola
        };
        return Ok((from, name.to_string(), table));
    }
    let yaml = ["hugo.yaml", "hugo.json", "config.yaml", "config.json"]
        .iter()
        .find(|n| root.join(n).is_file());
    Err(Error::Usage(match yaml {
        Some(n) => format!(
            "`{n}`: polis migrate reads Hugo's TOML config; convert it with `hugo config --format toml > hugo.toml` first"
        ),
        None => format!(
            "no Zola or Hugo config (`config.toml`, `hugo.toml`) in `{}`",
            root.display()
        ),
    }))
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn str_of<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(toml::Value::as_str)
}

/// The lines every `site.toml` starts with.
fn head(
    out: &mut String,
    from: &str,
    base_url: &str,
    title: Option<&str>,
    lang: &str,
    at_root: bool,
) {
    let _ = writeln!(out, "# Written by `polis migrate` from {from}.");
    let _ = writeln!(out, "base_url = {}", quoted(base_url));
    if let Some(t) = title {
        let _ = writeln!(out, "title = {}", quoted(t));
    }
    let _ = writeln!(out, "default_language = {}", quoted(lang));
    if at_root {
        let _ = writeln!(
            out,
            "# The default language's pages stay at the root (/about/), as before."
        );
    }
    let _ = writeln!(out, "default_language_at_root = {at_root}");
}

fn language(out: &mut String, code: &str, name: Option<&str>, title: Option<&str>) {
    let _ = writeln!(out, "\n[languages.{}]", quoted_key(code));
    if let Some(n) = name {
        let _ = writeln!(out, "name = {}", quoted(n));
    }
    if let Some(t) = title {
        let _ = writeln!(out, "title = {}", quoted(t));
    }
}

fn quoted_key(k: &str) -> String {
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        k.to_string()
    } else {
        quoted(k)
    }
}

fn taxonomy(out: &mut String, name: &str, feed: bool) {
    let _ = writeln!(out, "\n[[taxonomies]]\nname = {}", quoted(name));
    if !feed {
        let _ = writeln!(out, "feed = false");
    }
}

/// The config's keys other than `known`, which polis has no place for: a
/// comment, and a note.
fn not_carried(out: &mut String, t: &toml::Table, known: &[&str], notes: &mut Vec<String>) {
    let keys: Vec<&str> = t
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    if keys.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n# Not carried over (polis has no such setting, or another way): {}",
        keys.join(", ")
    );
    notes.push(format!(
        "not carried over from the config: {}",
        keys.join(", ")
    ));
}

fn zola_site_toml(t: &toml::Table, notes: &mut Vec<String>) -> String {
    let mut out = String::new();
    let lang = str_of(t, "default_language").unwrap_or("en");
    head(
        &mut out,
        "Zola's config.toml",
        str_of(t, "base_url").unwrap_or("https://example.org/"),
        str_of(t, "title"),
        lang,
        true,
    );
    if let Some(d) = str_of(t, "description") {
        let _ = writeln!(out, "description = {}", quoted(d));
    }
    language(&mut out, lang, None, None);
    if let Some(langs) = t.get("languages").and_then(toml::Value::as_table) {
        for (code, l) in langs {
            let l = l.as_table();
            language(&mut out, code, None, l.and_then(|l| str_of(l, "title")));
        }
    }
    for tax in t
        .get("taxonomies")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
    {
        if let Some(name) = str_of(tax, "name") {
            let feed = tax
                .get("feed")
                .or_else(|| tax.get("rss"))
                .and_then(toml::Value::as_bool)
                .unwrap_or(false);
            taxonomy(&mut out, name, feed);
        }
    }
    let known = [
        "base_url",
        "title",
        "description",
        "default_language",
        "languages",
        "taxonomies",
        "extra",
    ];
    not_carried(&mut out, t, &known, notes);
    extra(&mut out, t);
    out
}

fn hugo_site_toml(t: &toml::Table, notes: &mut Vec<String>) -> String {
    let mut out = String::new();
    let lang = str_of(t, "defaultContentLanguage")
        .or_else(|| str_of(t, "languageCode").and_then(|c| c.split('-').next()))
        .unwrap_or("en")
        .to_lowercase();
    let params = t.get("params").and_then(toml::Value::as_table);
    head(
        &mut out,
        "Hugo's config",
        str_of(t, "baseURL").unwrap_or("https://example.org/"),
        str_of(t, "title"),
        &lang,
        t.get("defaultContentLanguageInSubdir")
            .and_then(toml::Value::as_bool)
            != Some(true),
    );
    if let Some(d) = params.and_then(|p| str_of(p, "description")) {
        let _ = writeln!(out, "description = {}", quoted(d));
    }
    // Languages by their weight, the default first.
    let mut langs: Vec<(i64, String, Option<&str>, Option<&str>)> = t
        .get("languages")
        .and_then(toml::Value::as_table)
        .map(|ls| {
            ls.iter()
                .map(|(code, l)| {
                    let l = l.as_table();
                    let get = |k| l.and_then(|l| str_of(l, k));
                    let weight = l
                        .and_then(|l| l.get("weight"))
                        .and_then(toml::Value::as_integer)
                        .unwrap_or(0);
                    (
                        weight,
                        code.to_lowercase(),
                        get("languageName"),
                        get("title"),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    langs.sort_by_key(|(w, code, ..)| (*code != lang, *w));
    if !langs.iter().any(|(_, code, ..)| *code == lang) {
        langs.insert(0, (0, lang.clone(), None, None));
    }
    for (_, code, name, title) in &langs {
        language(&mut out, code, *name, *title);
    }
    // Hugo's default taxonomies, unless the config names its own.
    let taxonomies: Vec<String> = match t.get("taxonomies").and_then(toml::Value::as_table) {
        Some(tx) => tx
            .values()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        None => vec!["tags".into(), "categories".into()],
    };
    for name in &taxonomies {
        taxonomy(&mut out, name, true);
    }
    let known = [
        "baseURL",
        "title",
        "languageCode",
        "defaultContentLanguage",
        "defaultContentLanguageInSubdir",
        "languages",
        "taxonomies",
        "params",
    ];
    not_carried(&mut out, t, &known, notes);
    if let Some(p) = params {
        let mut p = p.clone();
        p.remove("description");
        if !p.is_empty() {
            let _ = write!(
                out,
                "\n# Hugo's params, for the templates (`config.extra`).\n{}",
                toml::to_string(&toml::Table::from_iter([(
                    "extra".to_string(),
                    toml::Value::Table(p)
                )]))
                .unwrap_or_default()
            );
        }
    }
    out
}

/// Zola's `[extra]`, as it is: templates read it as `config.extra` in both.
fn extra(out: &mut String, t: &toml::Table) {
    if let Some(e) = t.get("extra").and_then(toml::Value::as_table)
        && !e.is_empty()
    {
        let _ = write!(
            out,
            "\n{}",
            toml::to_string(&toml::Table::from_iter([(
                "extra".to_string(),
                toml::Value::Table(e.clone())
            )]))
            .unwrap_or_default()
        );
    }
}

/// `text` with each shortcode call that stands on its own lines rewritten as
/// a fenced block; the number rewritten.
fn rewrite_shortcodes(text: &str, rel: &str, report: &mut Report) -> (String, usize) {
    if !text.contains("{{") && !text.contains("{%") {
        return (text.to_string(), 0);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let starts: Vec<usize> = lines
        .iter()
        .scan(0, |at, l| {
            let s = *at;
            *at += l.len();
            Some(s)
        })
        .collect();
    let alone = |c: &Call| lines[c.line].trim() == &lines[c.line][c.col..c.col + c.len];
    let tags = find_tags(text);
    // (start, end) byte ranges and their replacement, in order.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        let call = &tags[i];
        i += 1;
        if call.is_closing() {
            continue;
        }
        report.shortcodes.insert(call.name.clone());
        let start = starts[call.line] + call.col;
        // Its closing tag, when it has one: Zola's `{% name() %}` ends at the
        // next `{% end %}` (its `{{ name() }}` has none), Hugo's at the next
        // `/name`. The lines between are the body.
        let opens_block = call.from == "hugo" || lines[call.line][call.col..].starts_with("{%");
        let close = tags[i..].iter().position(|c| {
            opens_block
                && match call.from {
                    "zola" => c.name == "end",
                    _ => c.name.strip_prefix('/') == Some(call.name.as_str()),
                }
        });
        match close {
            Some(k) if alone(call) && alone(&tags[i + k]) => {
                let end_tag = &tags[i + k];
                let body_start = starts[call.line] + lines[call.line].len();
                let body_end = starts[end_tag.line];
                let body = text[body_start..body_end].trim_end_matches('\n');
                let body_arg = format!(
                    "body = \"\"\"\n{}\n\"\"\"",
                    body.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
                );
                let end = starts[end_tag.line] + end_tag.col + end_tag.len;
                edits.push((start, end, call.fenced(&[body_arg])));
                i += k + 1;
            }
            None if alone(call) => {
                edits.push((start, start + call.len, call.fenced(&[])));
            }
            _ => report.left.push(format!("{rel}:{}", call.line + 1)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e, r) in &edits {
        out.push_str(&text[at..*s]);
        out.push_str(r);
        at = *e;
    }
    out.push_str(&text[at..]);
    (out, edits.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            from: Generator::Zola,
            config: String::new(),
            site_toml: String::new(),
            rewritten: Vec::new(),
            left: Vec::new(),
            shortcodes: BTreeSet::new(),
            moved_static: false,
            notes: Vec::new(),
        }
    }

    #[test]
    fn calls_on_their_own_lines_become_fenced_blocks_and_inline_ones_stay() {
        let mut r = report();
        let text = "+++\ntitle = \"A\"\n+++\nIntro.\n\n{{ youtube(id=\"x\", autoplay=true) }}\n\n{% note(kind='info') %}\nSome *text*.\n{% end %}\n\nSee {{< ref \"b.md\" >}} here.\n\n{{< figure src=\"a.jpg\" >}}\n```\n{{ not_this() }}\n```\n";
        let (out, n) = rewrite_shortcodes(text, "content/a.md", &mut r);
        assert_eq!(n, 3);
        assert_eq!(
            out,
            "+++\ntitle = \"A\"\n+++\nIntro.\n\n```{youtube}\nid = \"x\"\nautoplay = true\n```\n\n```{note}\nkind = \"info\"\nbody = \"\"\"\nSome *text*.\n\"\"\"\n```\n\nSee {{< ref \"b.md\" >}} here.\n\n```{figure}\nsrc = \"a.jpg\"\n```\n```\n{{ not_this() }}\n```\n"
        );
        assert_eq!(r.left, ["content/a.md:12"]);
        assert_eq!(
            r.shortcodes.iter().collect::<Vec<_>>(),
            ["figure", "note", "ref", "youtube"]
        );
    }

    #[test]
    fn a_hugo_block_with_its_own_closing_tag_takes_its_body() {
        let mut r = report();
        let (out, n) = rewrite_shortcodes(
            "{{% notice tip %}}\nTwo\nlines\n{{% /notice %}}\n",
            "content/b.md",
            &mut r,
        );
        assert_eq!(n, 1);
        assert_eq!(
            out,
            "```{notice}\n# argument 1: \"tip\" (give it its name)\nbody = \"\"\"\nTwo\nlines\n\"\"\"\n```\n"
        );
    }

    /// Regression, issue 20: tabi's `force_text_direction` wraps a fenced
    /// code block, which closed the rewritten block early; and a backslash in
    /// a body is a TOML escape.
    #[test]
    fn issue_20_a_body_with_a_code_block_or_a_backslash_stays_in_its_block() {
        let mut r = report();
        let (out, n) = rewrite_shortcodes(
            "{% force_text_direction(direction=\"rtl\") %}\n\n```python\nprint(\"\\d\")\n```\n\n{% end %}\n",
            "content/c.md",
            &mut r,
        );
        assert_eq!(n, 1);
        assert_eq!(
            out,
            "````{force_text_direction}\ndirection = \"rtl\"\nbody = \"\"\"\n\n```python\nprint(\"\\\\d\")\n```\n\"\"\"\n````\n"
        );
        let toml_part = out.trim_start_matches("````{force_text_direction}\n");
        let toml_part = toml_part.trim_end_matches("````\n");
        let args: toml::Table = toml_part.parse().unwrap();
        assert_eq!(
            args["body"].as_str(),
            Some("\n```python\nprint(\"\\d\")\n```\n")
        );
    }

    #[test]
    fn a_zola_config_keeps_its_urls_languages_and_taxonomies() {
        let t: toml::Table = r#"
base_url = "https://docs.example/"
title = "Docs"
default_language = "en"
compile_sass = true
taxonomies = [{ name = "tags", feed = true }]
[languages.ar]
title = "الوثائق"
[extra]
logo = "logo.svg"
"#
        .parse()
        .unwrap();
        let mut notes = Vec::new();
        let s = zola_site_toml(&t, &mut notes);
        let parsed: toml::Table = s.parse().expect(&s);
        assert_eq!(parsed["base_url"].as_str(), Some("https://docs.example/"));
        assert_eq!(parsed["default_language_at_root"].as_bool(), Some(true));
        assert_eq!(parsed["languages"]["ar"]["title"].as_str(), Some("الوثائق"));
        assert!(parsed["languages"].get("en").is_some());
        assert_eq!(parsed["taxonomies"][0]["name"].as_str(), Some("tags"));
        assert_eq!(parsed["extra"]["logo"].as_str(), Some("logo.svg"));
        assert_eq!(notes, ["not carried over from the config: compile_sass"]);
    }

    #[test]
    fn a_hugo_config_orders_languages_by_weight_with_the_default_first() {
        let t: toml::Table = r#"
baseURL = "https://site.example/"
title = "Site"
defaultContentLanguage = "nb"
[languages.en]
languageName = "English"
weight = 1
[languages.nb]
languageName = "Norsk"
weight = 2
[params]
description = "A site"
mainColor = "blue"
"#
        .parse()
        .unwrap();
        let s = hugo_site_toml(&t, &mut Vec::new());
        let parsed: toml::Table = s.parse().expect(&s);
        assert_eq!(parsed["default_language"].as_str(), Some("nb"));
        assert_eq!(parsed["description"].as_str(), Some("A site"));
        let langs: Vec<&String> = parsed["languages"].as_table().unwrap().keys().collect();
        assert!(s.find("[languages.nb]").unwrap() < s.find("[languages.en]").unwrap());
        assert_eq!(langs.len(), 2);
        assert_eq!(parsed["languages"]["en"]["name"].as_str(), Some("English"));
        let names: Vec<&str> = parsed["taxonomies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["tags", "categories"]);
        assert_eq!(parsed["extra"]["mainColor"].as_str(), Some("blue"));
    }
}
