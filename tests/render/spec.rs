//! The CommonMark 0.31.2 spec's examples, and the GFM spec's extension
//! examples, as tests of polis (issue 20): each is a page of one site built
//! through the whole pipeline, and its body must equal the spec's HTML, but for
//! the deliberate differences of `tests/spec/README.md` and each spec's
//! `differences.toml`.

use std::cell::RefCell;
use std::collections::BTreeMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use serde::Deserialize;

use crate::common::{SiteTest, repo_dir};

struct Example {
    number: usize,
    section: String,
    /// The GFM extension the example is about (`table`, `autolink`...), from
    /// its fence line; `None` for the CommonMark examples.
    extension: Option<String>,
    markdown: String,
    html: String,
}

/// The examples of a spec file in the format of `spec.txt`: a fence of 32
/// backticks and `example` (and, in GFM's, the extension's name), the
/// Markdown, a `.` line, the HTML, the fence; `→` stands for a tab. Examples
/// are numbered in file order, as the spec numbers them.
fn examples(spec: &str) -> Vec<Example> {
    let fence = "`".repeat(32);
    let open = format!("{fence} example");
    let mut out = Vec::new();
    let mut section = String::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if let Some(h) = line.strip_prefix('#') {
            section = h.trim_start_matches('#').trim().to_string();
        }
        let Some(extension) = line.strip_prefix(&open) else {
            continue;
        };
        let extension = extension.trim();
        let mut markdown = String::new();
        for l in lines.by_ref().take_while(|l| *l != ".") {
            markdown.push_str(l);
            markdown.push('\n');
        }
        let mut html = String::new();
        for l in lines.by_ref().take_while(|l| *l != fence) {
            html.push_str(l);
            html.push('\n');
        }
        out.push(Example {
            number: out.len() + 1,
            section: section.clone(),
            extension: (!extension.is_empty()).then(|| extension.to_string()),
            markdown: markdown.replace('→', "\t"),
            html: html.replace('→', "\t"),
        });
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Differences {
    #[serde(default)]
    difference: Vec<Difference>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Difference {
    #[expect(dead_code, reason = "for the reader of the file")]
    reason: String,
    examples: Vec<usize>,
}

/// Block-level elements: white space next to them does not count.
const BLOCKS: &[&str] = &[
    "address",
    "blockquote",
    "body",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

enum Item {
    Tag { text: String, block: bool },
    Text(String),
}

/// HTML in a canonical form: attributes sorted, entities decoded and escaped
/// again, white space collapsed outside `<pre>` and dropped beside block tags;
/// heading ids dropped and table alignment read as `align` (the deliberate
/// differences that apply to every example).
fn normalize(html: &str) -> String {
    struct Sink(RefCell<Vec<Token>>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            self.0.borrow_mut().push(token);
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Sink(RefCell::new(Vec::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut items: Vec<Item> = Vec::new();
    let mut pre = 0usize;
    for token in tokenizer.sink.0.into_inner() {
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                let block = BLOCKS.contains(&name.as_str());
                let text = match tag.kind {
                    TagKind::StartTag => {
                        if name == "pre" {
                            pre += 1;
                        }
                        let heading = name.len() == 2
                            && name.starts_with('h')
                            && name.as_bytes()[1].is_ascii_digit();
                        let mut attrs: Vec<(String, String)> = tag
                            .attrs
                            .iter()
                            .map(|a| (a.name.local.to_string(), a.value.to_string()))
                            .filter(|(n, _)| !(heading && n == "id"))
                            .map(|(n, v)| match (n.as_str(), v.strip_prefix("align-")) {
                                ("class", Some(a)) if name == "td" || name == "th" => {
                                    ("align".to_string(), a.to_string())
                                }
                                _ => (n, v),
                            })
                            .collect();
                        attrs.sort();
                        let mut t = format!("<{name}");
                        for (n, v) in attrs {
                            t.push_str(&format!(" {n}=\"{}\"", escape(&v)));
                        }
                        t.push('>');
                        t
                    }
                    TagKind::EndTag => {
                        if name == "pre" {
                            pre = pre.saturating_sub(1);
                        }
                        format!("</{name}>")
                    }
                };
                items.push(Item::Tag { text, block });
            }
            Token::CharacterTokens(t) => {
                let mut text = escape(&t);
                if pre == 0 {
                    text = text.split_whitespace().collect::<Vec<_>>().join(" ")
                        + if t.ends_with(char::is_whitespace) && !t.trim().is_empty() {
                            " "
                        } else {
                            ""
                        };
                    if t.starts_with(char::is_whitespace) && !t.trim().is_empty() {
                        text.insert(0, ' ');
                    }
                    if t.trim().is_empty() {
                        text = " ".into();
                    }
                }
                match items.last_mut() {
                    Some(Item::Text(prev)) => prev.push_str(&text),
                    _ => items.push(Item::Text(text)),
                }
            }
            Token::CommentToken(c) => items.push(Item::Tag {
                text: format!("<!--{c}-->"),
                block: false,
            }),
            _ => {}
        }
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Tag { text, .. } => out.push_str(text),
            Item::Text(t) => {
                let block_before =
                    i == 0 || matches!(items.get(i - 1), Some(Item::Tag { block: true, .. }));
                let block_after =
                    matches!(items.get(i + 1), None | Some(Item::Tag { block: true, .. }));
                let mut t = t.as_str();
                if block_before && pre == 0 {
                    t = t.trim_start_matches(' ');
                }
                if block_after {
                    t = t.trim_end_matches([' ', '\n']);
                }
                out.push_str(t);
            }
        }
    }
    out
}

/// The `<main>` of a page, without the tags.
fn body(page: &str) -> &str {
    let start = page.find("<main>").map(|i| i + "<main>".len()).unwrap_or(0);
    let end = page.rfind("</main>").unwrap_or(page.len());
    &page[start..end]
}

#[test]
fn issue_20_commonmark_spec_examples() {
    check_examples("commonmark", 652, |_| true);
}

/// GFM's extensions (tables, task lists, strikethrough, autolinks, the tag
/// filter): only the examples its spec marks as an extension's, since the
/// others are CommonMark's (of an older version) and tested above. The task
/// list examples are marked `disabled` in cmark-gfm's spec file.
#[test]
fn issue_20_gfm_extension_examples() {
    check_examples("gfm", 24, |ex| ex.extension.is_some());
}

/// Builds the examples of `tests/spec/<spec>/spec.txt` that `pick` keeps
/// (there must be `count`) as pages of one site and compares each page's body
/// with the example's HTML. An example that differs must be listed in the
/// spec's `differences.toml`, and every listed one must differ.
fn check_examples(spec: &str, count: usize, pick: impl Fn(&Example) -> bool) {
    let dir = repo_dir().join("tests/spec").join(spec);
    let text = std::fs::read_to_string(dir.join("spec.txt")).expect("spec.txt");
    let examples: Vec<Example> = examples(&text).into_iter().filter(pick).collect();
    assert_eq!(examples.len(), count, "examples of {spec}/spec.txt");
    let listed: Differences =
        toml::from_str(&std::fs::read_to_string(dir.join("differences.toml")).unwrap())
            .expect("differences.toml");
    let mut expected_to_differ: BTreeMap<usize, usize> = BTreeMap::new();
    for d in &listed.difference {
        for n in &d.examples {
            *expected_to_differ.entry(*n).or_default() += 1;
        }
    }
    let twice: Vec<_> = expected_to_differ.iter().filter(|(_, c)| **c > 1).collect();
    assert!(twice.is_empty(), "listed more than once: {twice:?}");

    let site = SiteTest::new("render/base");
    let file = |n: usize| format!("content/ex-{n:03}.md");
    for ex in &examples {
        site.write(
            &file(ex.number),
            format!(
                "+++\ntitle = \"Example {}\"\n+++\n{}",
                ex.number, ex.markdown
            ),
        );
    }
    // An example that is an error in polis (a photo that is not there) is a
    // difference; the others are built again without it.
    let first = site.build();
    let mut differ: Vec<(usize, String)> = Vec::new();
    for ex in &examples {
        let errors: Vec<&polis::diag::Diagnostic> = first
            .items
            .iter()
            .filter(|d| d.is_error() && d.path.as_str() == file(ex.number))
            .collect();
        if !errors.is_empty() {
            differ.push((ex.number, format!("error: {}", errors[0].message)));
            site.remove(&file(ex.number));
        }
    }
    let build = site.build();
    assert!(build.ok, "{}", build.text());
    for ex in &examples {
        if differ.iter().any(|(n, _)| *n == ex.number) {
            continue;
        }
        let page = site.read(&format!("en/ex-{:03}/index.html", ex.number));
        let got = normalize(&polis::render::markdown::sanitize(body(&page)));
        let want = normalize(&polis::render::markdown::sanitize(&ex.html));
        if got != want {
            differ.push((
                ex.number,
                format!(
                    "({})\n  markdown: {:?}\n  want:     {want}\n  got:      {got}",
                    ex.section, ex.markdown
                ),
            ));
        }
    }
    differ.sort();
    let unlisted: Vec<String> = differ
        .iter()
        .filter(|(n, _)| !expected_to_differ.contains_key(n))
        .map(|(n, d)| format!("example {n} {d}"))
        .collect();
    let same: Vec<usize> = expected_to_differ
        .keys()
        .filter(|n| !differ.iter().any(|(d, _)| d == *n))
        .copied()
        .collect();
    assert!(
        unlisted.is_empty() && same.is_empty(),
        "{} examples differ and are not in differences.toml:\n{}\n\nlisted but rendered as the spec says: {same:?}",
        unlisted.len(),
        unlisted.join("\n")
    );
}
