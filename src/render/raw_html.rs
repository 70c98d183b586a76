//! Raw HTML in contributors' Markdown, before the page is formatted and
//! sanitized (part of `render::markdown`): GFM's tag filter for the elements
//! whose content the HTML parser would read as text to the end of the page,
//! inline tags left open closed where their paragraph ends, and a warning for
//! every construct the sanitizer removes or changes, at its line, saying what,
//! why and what to write instead. It changes the comrak tree only; the
//! sanitizer itself (`markdown::SANITIZER`) still runs over the whole output.
//!
//! Issue 20: before this, a `<title>` in a paragraph turned the rest of the page
//! into its source text, an unclosed `<a>` was copied around the following
//! paragraphs and the footnotes, and whatever the sanitizer removed vanished
//! without a word.

use std::cell::RefCell;

use comrak::Arena;
use comrak::nodes::{AstNode, NodeHtmlBlock, NodeValue, Sourcepos};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};

use crate::diag::{Diagnostic, Pos};
use crate::model::SourcePath;

/// GFM's "disallowed raw HTML" (its tag filter): the elements whose content the
/// HTML parser reads as raw text, so that one left open swallows the rest of
/// the page.
const FILTERED: &[&str] = &[
    "title",
    "textarea",
    "style",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "script",
    "plaintext",
];

/// Filtered elements whose content means nothing to a reader: an HTML block
/// that starts with one is removed whole instead of shown as text.
const REMOVED_WHOLE: &[&str] = &["script", "style", "iframe", "noembed", "noframes"];

/// Elements of running text that the HTML parser would copy into the following
/// paragraphs when left open (the "active formatting elements"), and the other
/// phrasing elements, which are closed where their paragraph ends as well.
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "sup", "time", "tt", "u", "var",
];

/// Where the raw HTML of a page is reported and how positions are found.
pub(super) struct Ctx<'p, F: Fn(Sourcepos) -> Pos> {
    pub source: &'p SourcePath,
    pub pos_at: F,
    pub sanitizer: &'p ammonia::Builder<'static>,
}

/// Filters, closes and reports the raw HTML nodes of a page (`html`: every
/// `HtmlBlock` and `HtmlInline` node, in document order).
pub(super) fn prepare<'a, F: Fn(Sourcepos) -> Pos>(
    arena: &'a Arena<'a>,
    html: &[&'a AstNode<'a>],
    ctx: &Ctx<'_, F>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut containers: Vec<&'a AstNode<'a>> = Vec::new();
    for node in html {
        let sp = node.data().sourcepos;
        let block = matches!(node.data().value, NodeValue::HtmlBlock(_));
        let literal = match &node.data().value {
            NodeValue::HtmlBlock(NodeHtmlBlock { literal, .. })
            | NodeValue::HtmlInline(literal) => literal.clone(),
            _ => continue,
        };
        let at = |line: u64, first_col: usize| {
            let mut sp = sp;
            let extra = usize::try_from(line.saturating_sub(1)).unwrap_or(0);
            sp.start.line += extra;
            if extra > 0 {
                sp.start.column = first_col;
            }
            (ctx.pos_at)(sp)
        };
        // A block that is a script, a stylesheet or a frame goes as a whole,
        // as the sanitizer removed it before: its source helps no reader.
        if block
            && let Some(name) =
                opening_name(&literal).filter(|n| REMOVED_WHOLE.contains(&n.as_str()))
        {
            diags.push(removed_element(ctx.source, at(1, 1), &name, true));
            node.detach();
            continue;
        }
        let (filtered, names) = tag_filter(&literal);
        for (name, line) in &names {
            diags.push(
                Diagnostic::warning(
                    ctx.source,
                    Some(at(*line, 1)),
                    format!("`<{name}>` is shown as text, not as HTML"),
                )
                .with_help(format!(
                    "`<{name}>` makes the browser read the rest of the page as text, so polis \
                     shows the tag as GitHub does: {}",
                    instead(name)
                )),
            );
        }
        report_sanitized(&filtered, ctx, &at, diags);
        if filtered != literal {
            match &mut node.data_mut().value {
                NodeValue::HtmlBlock(b) => b.literal = filtered,
                NodeValue::HtmlInline(l) => *l = filtered,
                _ => {}
            }
        }
        if !block
            && let Some(c) = inline_container(node)
            && !containers.iter().any(|x| std::ptr::eq(*x, c))
        {
            containers.push(c);
        }
    }
    for container in containers {
        close_open_tags(arena, container, ctx, diags);
    }
}

/// The paragraph, heading or table cell an inline node is part of.
fn inline_container<'a>(node: &'a AstNode<'a>) -> Option<&'a AstNode<'a>> {
    node.ancestors().skip(1).find(|n| {
        matches!(
            n.data().value,
            NodeValue::Paragraph | NodeValue::Heading(_) | NodeValue::TableCell
        )
    })
}

/// Closes, at the end of an inline container, the phrasing elements its raw
/// HTML opened and left open: the HTML parser would otherwise copy a link or an
/// emphasis into every following paragraph.
fn close_open_tags<'a, F: Fn(Sourcepos) -> Pos>(
    arena: &'a Arena<'a>,
    container: &'a AstNode<'a>,
    ctx: &Ctx<'_, F>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut open: Vec<(String, Pos)> = Vec::new();
    for node in container.descendants() {
        let NodeValue::HtmlInline(literal) = &node.data().value else {
            continue;
        };
        let Some((closing, name)) = tag_name(literal) else {
            continue;
        };
        if !PHRASING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            if let Some(i) = open.iter().rposition(|(n, _)| *n == name) {
                open.remove(i);
            }
        } else if !literal.trim_end().ends_with("/>") {
            open.push((name, (ctx.pos_at)(node.data().sourcepos)));
        }
    }
    for (name, pos) in open.into_iter().rev() {
        diags.push(
            Diagnostic::warning(
                ctx.source,
                Some(pos),
                format!("`<{name}>` is not closed before the end of its paragraph"),
            )
            .with_help(format!(
                "polis closes it where the paragraph ends; write `</{name}>` where it should end"
            )),
        );
        let closer = arena.alloc(AstNode::from(NodeValue::HtmlInline(format!("</{name}>"))));
        container.append(closer);
    }
}

/// `<a href=..>` → (false, "a"), `</em>` → (true, "em"); `None` for comments,
/// declarations and the like.
fn tag_name(literal: &str) -> Option<(bool, String)> {
    let rest = literal.strip_prefix('<')?;
    let (closing, rest) = match rest.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphabetic()))
        .then(|| (closing, name.to_ascii_lowercase()))
}

/// The name of the element a literal opens with.
fn opening_name(literal: &str) -> Option<String> {
    match tag_name(literal.trim_start()) {
        Some((false, name)) => Some(name),
        _ => None,
    }
}

/// GFM's tag filter: the `<` of every tag of a filtered element becomes
/// `&lt;`. Returns the filtered text and each filtered opening tag with its
/// 1-based line in the text.
fn tag_filter(html: &str) -> (String, Vec<(String, u64)>) {
    let mut out = String::with_capacity(html.len());
    let mut found = Vec::new();
    let mut line = 1u64;
    let mut last = 0;
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let (closing, name_at) = match rest.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let Some(name) = FILTERED.iter().find(|n| {
            name_at.len() >= n.len()
                && name_at.is_char_boundary(n.len())
                && name_at[..n.len()].eq_ignore_ascii_case(n)
                && name_at[n.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_ascii_whitespace() || c == '>' || c == '/')
        }) else {
            continue;
        };
        line += html[last..i].matches('\n').count() as u64;
        out.push_str(&html[last..i]);
        out.push_str("&lt;");
        last = i + 1;
        if !closing {
            found.push((name.to_string(), line));
        }
    }
    out.push_str(&html[last..]);
    (out, found)
}

/// Reports what the sanitizer will do to the tags of `html`: each opening tag
/// is sanitized alone, and what is missing afterwards is what goes.
fn report_sanitized<F: Fn(Sourcepos) -> Pos>(
    html: &str,
    ctx: &Ctx<'_, F>,
    at: &impl Fn(u64, usize) -> Pos,
    diags: &mut Vec<Diagnostic>,
) {
    for (tag, line) in start_tags(html) {
        let name = tag.name.to_string();
        let alone = element_html(&tag);
        let cleaned = ctx.sanitizer.clean(&alone).to_string();
        let after = start_tags(&cleaned)
            .into_iter()
            .map(|(t, _)| t)
            .find(|t| t.name == tag.name);
        let pos = at(line, 1);
        let Some(after) = after else {
            diags.push(removed_element(ctx.source, pos, &name, false));
            continue;
        };
        for attr in &tag.attrs {
            let attr_name = attr.name.local.to_string();
            let kept = after
                .attrs
                .iter()
                .find(|a| a.name.local == attr.name.local)
                .map(|a| a.value.to_string());
            if kept.as_deref() == Some(&*attr.value) {
                continue;
            }
            diags.push(removed_attribute(
                ctx.source,
                pos,
                &name,
                &attr_name,
                &attr.value,
                kept.is_some(),
            ));
        }
    }
}

/// The element of a start tag, alone, as HTML.
fn element_html(tag: &Tag) -> String {
    // Parts of a table are dropped outside one.
    let (before, after) = match &*tag.name {
        "td" | "th" => ("<table><tr>", "</tr></table>"),
        "tr" | "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => ("<table>", "</table>"),
        "col" => ("<table><colgroup>", "</colgroup></table>"),
        _ => ("", ""),
    };
    let mut s = format!("{before}<{}", tag.name);
    for a in &tag.attrs {
        s.push(' ');
        s.push_str(&a.name.local);
        s.push_str("=\"");
        s.push_str(&a.value.replace('&', "&amp;").replace('"', "&quot;"));
        s.push('"');
    }
    s.push_str(">x");
    s.push_str(&format!("</{}>{after}", tag.name));
    s
}

fn removed_element(source: &SourcePath, pos: Pos, name: &str, whole: bool) -> Diagnostic {
    let what = if whole || name == "script" || name == "style" {
        format!("`<{name}>` is removed with its content")
    } else {
        format!("`<{name}>` is removed; its content stays")
    };
    Diagnostic::warning(source, Some(pos), what).with_help(format!(
        "{}: {}",
        why_removed(name),
        instead(name)
    ))
}

fn why_removed(name: &str) -> String {
    match name {
        "script" | "noscript" => "scripts do not run in contributed content".into(),
        "style" | "link" => "the theme's stylesheet styles every page".into(),
        "iframe" | "embed" | "object" | "frame" | "frameset" => {
            "an embedded frame loads another site before the reader asks for it".into()
        }
        "video" | "audio" | "source" | "track" => {
            "media elements are made by polis's shortcodes, with captions and a local poster".into()
        }
        "form" | "input" | "button" | "select" | "textarea" | "option" => {
            "forms in content could send readers' data anywhere".into()
        }
        "meta" | "base" | "title" | "head" | "body" | "html" => {
            "the page's head belongs to the theme".into()
        }
        n if n.contains('-') => {
            "a custom element needs a script to work, and scripts do not run in content".into()
        }
        n => format!("`<{n}>` is not among the HTML elements allowed in content"),
    }
}

fn instead(name: &str) -> String {
    match name {
        "iframe" | "embed" | "object" | "video" | "audio" | "source" | "track" | "frame" => {
            "for a video write a `{video}` shortcode block instead, a fenced block whose \
             info string is `{video}`, holding `youtube = \"ID\"` (or `vimeo = \"NUMBER\"`, \
             or `file = \"clip.mp4\"`) and `title = \"...\"`; link to anything else"
                .into()
        }
        "script" | "noscript" => {
            "ask for a shortcode in the theme (`shortcodes.toml`) for what the script did".into()
        }
        "style" | "link" => "use a class the theme styles, or add CSS to `assets/`".into(),
        "title" | "meta" | "base" | "head" | "body" | "html" => {
            "set `title` and `description` in the front matter".into()
        }
        "form" | "input" | "button" | "select" | "textarea" | "option" => {
            "link to the form on the site that handles it".into()
        }
        "xmp" | "plaintext" | "listing" => "show code in a fenced code block (```)".into(),
        _ => "write it in Markdown, or ask for a shortcode in the theme (`shortcodes.toml`)".into(),
    }
}

fn removed_attribute(
    source: &SourcePath,
    pos: Pos,
    element: &str,
    attr: &str,
    value: &str,
    changed: bool,
) -> Diagnostic {
    let scheme = value
        .trim()
        .split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .filter(|s| !s.contains('/'));
    let (why, instead) = if attr.starts_with("on") {
        (
            "event handlers are scripts, and scripts do not run in contributed content",
            "remove it; ask for a shortcode in the theme for what it did".to_string(),
        )
    } else if attr == "style" {
        (
            "inline styles would override the theme's",
            "use a class the theme styles".to_string(),
        )
    } else if let Some(s) = scheme.filter(|_| matches!(attr, "href" | "src" | "action")) {
        let _ = s;
        (
            "only web, mail and phone addresses are allowed in links and images",
            "link to an `https://` address or to a page (`@/live/housing.md`)".to_string(),
        )
    } else {
        (
            "it is not among the attributes allowed in content",
            format!("remove it, or write the `<{element}>` in Markdown"),
        )
    };
    let what = if changed {
        format!("`{attr}` of `<{element}>` is changed")
    } else {
        format!("`{attr}=\"{value}\"` is removed from `<{element}>`")
    };
    Diagnostic::warning(source, Some(pos), what).with_help(format!("{why}: {instead}"))
}

/// The opening tags of some HTML, each with its 1-based line.
fn start_tags(html: &str) -> Vec<(Tag, u64)> {
    struct Sink(RefCell<Vec<(Tag, u64)>>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
            let Token::TagToken(tag) = token else {
                return TokenSinkResult::Continue;
            };
            if tag.kind != TagKind::StartTag {
                return TokenSinkResult::Continue;
            }
            // As the tree builder would: the content of these is text.
            let raw = match &*tag.name {
                "script" => Some(RawKind::ScriptData),
                "style" | "xmp" | "iframe" | "noembed" | "noframes" => Some(RawKind::Rawtext),
                "title" | "textarea" => Some(RawKind::Rcdata),
                _ => None,
            };
            self.0.borrow_mut().push((tag, line));
            match raw {
                Some(kind) => TokenSinkResult::RawData(kind),
                None => TokenSinkResult::Continue,
            }
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Sink(RefCell::new(Vec::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_filter_escapes_gfm_s_elements_only() {
        let (out, found) = tag_filter("<strong> <title> <style> <em>\n<XMP> </title> <titles>");
        assert_eq!(
            out,
            "<strong> &lt;title> &lt;style> <em>\n&lt;XMP> &lt;/title> <titles>"
        );
        assert_eq!(
            found,
            [
                ("title".to_string(), 1),
                ("style".to_string(), 1),
                ("xmp".to_string(), 2)
            ]
        );
    }

    #[test]
    fn tag_names_are_read_from_single_tags() {
        assert_eq!(tag_name("<a href=\"x\">"), Some((false, "a".into())));
        assert_eq!(tag_name("</EM>"), Some((true, "em".into())));
        assert_eq!(tag_name("<my-widget>"), Some((false, "my-widget".into())));
        assert_eq!(tag_name("<!-- c -->"), None);
    }
}
