//! Zola's and Hugo's shortcode syntax in a Markdown body (`{{ name(arg=1) }}`,
//! `{% name() %}…{% end %}`, `{{< name arg >}}`, `{{% name %}}`): polis's
//! shortcodes are fenced blocks, so each use is a warning at its line that
//! shows the block to write instead, rather than text printed as it is
//! (issue 20). Part of load: reads one file's body, writes nothing;
//! `polis migrate` ([`crate::migrate`]) writes the blocks in their place.

use crate::diag::{Diagnostic, Pos};
use crate::model::SourcePath;

/// One shortcode call found in the text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Call {
    /// 0-based line in the body, and the byte column of `{`.
    pub line: usize,
    pub col: usize,
    /// The tag's length in bytes, from `{` to its closing `}`.
    pub len: usize,
    pub name: String,
    /// `key = value` lines for the fenced block, in the order written.
    args: Vec<String>,
    /// `zola` or `hugo`.
    pub from: &'static str,
    /// A closing tag follows (`{% end %}`, `{{< /name >}}`): the text between
    /// is the shortcode's body.
    pub block: bool,
}

impl Call {
    /// The fenced block polis reads, with `extra` argument lines (a body)
    /// after the call's own.
    /// The fence is longer than any run of backticks in the arguments, so a
    /// body that holds a code block does not close it early.
    pub(crate) fn fenced(&self, extra: &[String]) -> String {
        let longest = self
            .args
            .iter()
            .chain(extra)
            .flat_map(|a| a.split(|c| c != '`'))
            .map(str::len)
            .max()
            .unwrap_or(0);
        let fence = "`".repeat((longest + 1).max(3));
        let mut block = format!("{fence}{{{}}}\n", self.name);
        for a in self.args.iter().chain(extra) {
            block.push_str(a);
            block.push('\n');
        }
        block.push_str(&fence);
        block
    }
}

/// Warnings for every Zola or Hugo shortcode in `body`, which starts at
/// line `first_line` of the file. Fenced code blocks are skipped: a page
/// that documents the syntax shows it in one.
pub fn check(path: &SourcePath, body: &str, first_line: usize, diags: &mut Vec<Diagnostic>) {
    if !body.contains("{{") && !body.contains("{%") {
        return;
    }
    for call in find(body) {
        let block = call.fenced(&[]);
        let mut d = Diagnostic::warning(
            path,
            Some(Pos::new(first_line + call.line, call.col + 1)),
            format!(
                "{} shortcode syntax: polis prints `{}` as text",
                if call.from == "zola" { "Zola" } else { "Hugo" },
                call.name
            ),
        )
        .with_help(format!(
            "write it as a fenced block, with its arguments as TOML:\n{block}"
        ));
        if call.block {
            d = d.with_help(
                "the text up to the closing tag becomes a `body = \"\"\"...\"\"\"` argument, or stays outside the block",
            );
        }
        d = d.with_help(format!(
            "the shortcode itself is the template `shortcodes/{}.html`, with its arguments declared in `shortcodes.toml`",
            call.name
        ));
        diags.push(d);
    }
}

/// Every Zola or Hugo shortcode tag in `body` outside fenced code blocks,
/// closing tags (`{% end %}`, `{{< /name >}}`) included, in order.
pub(crate) fn find_tags(body: &str) -> Vec<Call> {
    let mut calls = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (line_no, line) in body.lines().enumerate() {
        let t = line.trim_start();
        let marker = t.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = marker {
            let n = t.chars().take_while(|x| *x == c).count();
            if n >= 3 {
                match fence {
                    None => fence = Some((c, n)),
                    Some((fc, fnum)) if fc == c && n >= fnum && t[n..].trim().is_empty() => {
                        fence = None
                    }
                    _ => {}
                }
                continue;
            }
        }
        if fence.is_some() {
            continue;
        }
        let mut from = 0;
        while let Some(i) = line[from..].find(['{']).map(|i| i + from) {
            match parse_at(&line[i..]) {
                Some((len, mut call)) => {
                    call.line = line_no;
                    call.col = i;
                    call.len = len;
                    from = i + len;
                    calls.push(call);
                }
                None => from = i + 1,
            }
            if from >= line.len() {
                break;
            }
        }
    }
    calls
}

/// Every opening shortcode call in `body`: the tags that are not closing ones.
fn find(body: &str) -> Vec<Call> {
    find_tags(body)
        .into_iter()
        .filter(|c| !c.is_closing())
        .map(|mut c| {
            c.block = closes(body, &c);
            c
        })
        .collect()
}

impl Call {
    pub(crate) fn is_closing(&self) -> bool {
        self.name.starts_with('/') || self.name == "end"
    }
}

/// Whether a closing tag for `call` follows in `body`.
fn closes(body: &str, call: &Call) -> bool {
    match call.from {
        "zola" => body.contains("{% end %}") || body.contains("{%end%}"),
        _ => {
            body.contains(&format!("{{{{< /{} >}}}}", call.name))
                || body.contains(&format!("{{{{% /{} %}}}}", call.name))
        }
    }
}

/// A shortcode call at the start of `s`: its length and what it says.
fn parse_at(s: &str) -> Option<(usize, Call)> {
    let (open, close, from) = if s.starts_with("{{<") {
        ("{{<", ">}}", "hugo")
    } else if s.starts_with("{{%") {
        ("{{%", "%}}", "hugo")
    } else if s.starts_with("{{") {
        ("{{", "}}", "zola")
    } else if s.starts_with("{%") {
        ("{%", "%}", "zola")
    } else {
        return None;
    };
    let end = s.find(close)?;
    let inner = s[open.len()..end].trim();
    let len = end + close.len();
    let call = |name: &str, args| Call {
        line: 0,
        col: 0,
        len: 0,
        name: name.to_string(),
        args,
        from,
        block: false,
    };
    if from == "zola" {
        // `name(args)`: a Zola call; `end` closes a block.
        if inner == "end" {
            return Some((len, call("end", Vec::new())));
        }
        let open_paren = inner.find('(')?;
        let name = inner[..open_paren].trim();
        let args = inner[open_paren + 1..].strip_suffix(')')?;
        if !is_name(name) {
            return None;
        }
        Some((len, call(name, zola_args(args))))
    } else {
        let mut words = inner.splitn(2, char::is_whitespace);
        let name = words.next()?;
        let rest = words.next().unwrap_or("").trim();
        if !(is_name(name) || name.strip_prefix('/').is_some_and(is_name)) {
            return None;
        }
        Some((len, call(name, hugo_args(rest))))
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Splits on `sep` outside quotes.
fn split_outside_quotes(s: &str, sep: impl Fn(char) -> bool) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                cur.push(c);
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' || c == '`' => {
                quote = Some(c);
                cur.push(c);
            }
            None if sep(c) => {
                if !cur.trim().is_empty() {
                    parts.push(cur.trim().to_string());
                }
                cur.clear();
            }
            None => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        parts.push(cur.trim().to_string());
    }
    parts
}

/// `id="x", width=3` → `id = "x"`, `width = 3`. Zola separates its
/// arguments with commas, but a call with a space instead (`a="x" b="y"`)
/// is still two arguments, and an array (`src=["a", "b"]`) is one.
fn zola_args(s: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            args.push(format!("# {rest}"));
            break;
        };
        let after = after.trim_start();
        let len = value_len(after);
        let value = after[..len].trim();
        args.push(format!("{} = {}", key.trim(), toml_value(value)));
        rest = after[len..].trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    args
}

/// The length in bytes of the Zola argument value that `s` starts with: a
/// quoted string, an array up to its `]`, or a word up to a comma or space.
fn value_len(s: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                if depth == 0 {
                    return i + c.len_utf8();
                }
            }
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if c == '[' => depth += 1,
            None if c == ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            None if depth == 0 && (c == ',' || c.is_whitespace()) => return i,
            None => {}
        }
    }
    s.len()
}

/// `id="x" 3` → `id = "x"`, and positional ones as comments to name.
fn hugo_args(s: &str) -> Vec<String> {
    split_outside_quotes(s, char::is_whitespace)
        .into_iter()
        .enumerate()
        .map(|(i, a)| match a.split_once('=') {
            Some((k, v)) if is_name(k.trim()) => {
                format!("{} = {}", k.trim(), toml_value(v.trim()))
            }
            _ => format!(
                "# argument {}: {} (give it its name)",
                i + 1,
                toml_value(&a)
            ),
        })
        .collect()
}

/// A value as TOML writes it: quoted strings keep double quotes, numbers and
/// booleans stay; anything else is quoted.
fn toml_value(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let items: Vec<String> = split_outside_quotes(inner, |c| c == ',')
            .iter()
            .map(|item| toml_value(item))
            .collect();
        return format!("[{}]", items.join(", "));
    }
    if let Some(inner) = v
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| v.strip_prefix('`').and_then(|x| x.strip_suffix('`')))
    {
        return serde_json::to_string(inner).unwrap_or_default();
    }
    if v.starts_with('"') && v.ends_with('"') && v.len() >= 2 {
        return v.to_string();
    }
    if v == "true" || v == "false" || v.parse::<f64>().is_ok() {
        return v.to_string();
    }
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(body: &str) -> Vec<String> {
        let mut d = Vec::new();
        check(&SourcePath::new("content/a.md"), body, 4, &mut d);
        d.iter().map(ToString::to_string).collect()
    }

    /// Regression, issue 20: Zola's and Hugo's shortcodes were printed as text
    /// without a word.
    #[test]
    fn issue_20_zola_and_hugo_shortcodes_are_warnings_with_the_block_to_write() {
        let w = warnings(
            "Intro.\n\n{{ youtube(id=\"dQw4w9WgXcQ\", autoplay=true) }}\n\n{% note(kind='info') %}\nText\n{% end %}\n\n{{< figure src=\"a.jpg\" >}} and {{% notice tip %}}\n```\n{{ not_this() }}\n```\n",
        );
        assert_eq!(w.len(), 4, "{w:#?}");
        assert!(
            w[0].starts_with("content/a.md:6:1: warning: Zola shortcode syntax: polis prints `youtube` as text\n  = help: write it as a fenced block, with its arguments as TOML:\n```{youtube}\nid = \"dQw4w9WgXcQ\"\nautoplay = true\n```"),
            "{}",
            w[0]
        );
        assert!(w[1].contains("content/a.md:8:1:"), "{}", w[1]);
        assert!(w[1].contains("```{note}\nkind = \"info\"\n```"), "{}", w[1]);
        assert!(w[1].contains("closing tag"), "{}", w[1]);
        assert!(
            w[2].starts_with(
                "content/a.md:12:1: warning: Hugo shortcode syntax: polis prints `figure`"
            ),
            "{}",
            w[2]
        );
        assert!(w[2].contains("src = \"a.jpg\""), "{}", w[2]);
        assert!(w[3].contains("content/a.md:12:32:"), "{}", w[3]);
        assert!(
            w[3].contains("# argument 1: \"tip\" (give it its name)"),
            "{}",
            w[3]
        );
    }

    /// Regression, issue 20: tabi's docs call `dual_theme_image(light_src="a",
    /// dark_src="b" alt="c")`, and abridge's pass arrays; both were cut at
    /// every comma into lines that are not TOML.
    #[test]
    fn issue_20_zola_arguments_without_a_comma_and_arrays_stay_whole() {
        for (args, expected) in [
            (
                r#"light_src="a.webp", dark_src="b.webp" alt="The tower""#,
                vec![
                    r#"light_src = "a.webp""#,
                    r#"dark_src = "b.webp""#,
                    r#"alt = "The tower""#,
                ],
            ),
            (
                r#"sources=["a.webm", 'b.mp4'], n = 3,"#,
                vec![r#"sources = ["a.webm", "b.mp4"]"#, "n = 3"],
            ),
            (
                r#"text="a, b = c", fixed_blur=true"#,
                vec![r#"text = "a, b = c""#, "fixed_blur = true"],
            ),
            ("", vec![]),
        ] {
            assert_eq!(zola_args(args), expected, "{args}");
        }
    }

    #[test]
    fn template_like_text_that_is_no_call_is_left_alone() {
        assert!(warnings("A set {1, 2} and {{ not a call }} and {% raw %}.\n").is_empty());
    }
}
