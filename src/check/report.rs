//! How `check` prints what it found: for people (`human`: each problem as
//! `build` prints it, with its source line and a caret under the column), for
//! GitHub Actions (`github`: workflow commands that become annotations on the
//! pull request's lines, and a Markdown summary of the run), and for machines
//! (`json`: the schema in `docs/check.schema.json`).
//!
//! Pure functions from diagnostics to text; the CLI decides where it goes.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::diag::{Diagnostic, LineIndex, Severity, col_range};

/// The version of the JSON output's schema (`docs/check.schema.json`); raised
/// only when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

/// Human output: each problem's `path:line:col: severity: message` line (the
/// shape editors and `build` use), the line of the file it is on with a caret
/// under the column, and its `= help:` lines. `source` gives a file's text by
/// its path relative to the site root; `styled` adds terminal colours.
pub fn human(
    diags: &[Diagnostic],
    source: &dyn Fn(&str) -> Option<String>,
    styled: bool,
) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let mut cached: Option<(String, Option<(String, LineIndex)>)> = None;
    for d in diags {
        let mut head = d.clone();
        head.help.clear();
        out.push_str(&head.to_string());
        out.push('\n');
        if let Some(pos) = d.pos {
            let path = d.path.as_str();
            if cached.as_ref().is_none_or(|(p, _)| p != path) {
                let text = source(path).map(|t| {
                    let index = LineIndex::new(&t);
                    (t, index)
                });
                cached = Some((path.to_string(), text));
            }
            if let Some((_, Some((text, index)))) = &cached
                && let Some(line) = index.line(text, pos.line)
            {
                out.push_str(&snippet(&renderer, d.severity, line, pos.line, pos.col));
                out.push('\n');
            }
        }
        for help in &d.help {
            out.push_str("  = help: ");
            out.push_str(help);
            out.push('\n');
        }
    }
    out
}

/// One source line with a caret under the (1-based, in characters) column.
fn snippet(
    renderer: &Renderer,
    severity: Severity,
    line: &str,
    number: usize,
    col: usize,
) -> String {
    let level = match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let group = Group::with_level(level).element(
        Snippet::source(line)
            .line_start(number)
            .annotation(AnnotationKind::Primary.span(col_range(line, col))),
    );
    renderer.render(&[group])
}

/// GitHub Actions workflow commands, one a line:
/// `::warning file=…,line=…,col=…,title=…::message` (`title` for the lints),
/// escaped as the Actions toolkit does, so each problem shows on its line of the pull request. The
/// help lines follow the message on lines of their own.
pub fn github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = vec![format!("file={}", escape_property(d.path.as_str()))];
        if let Some(pos) = d.pos {
            props.push(format!("line={}", pos.line));
            props.push(format!("col={}", pos.col));
        }
        // A lint's code is the title; without a title GitHub heads the box
        // "Check failure on line 9 in …", which CONTRIBUTING.md shows
        // contributors, and that is the better title for build's problems.
        if let Some(code) = d.code {
            props.push(format!("title={}", escape_property(code)));
        }
        let mut message = d.message.clone();
        for help in &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// A workflow command's message: `%`, `\r` and `\n` escaped.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as [`escape_data`], and `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    errors: usize,
    warnings: usize,
    problems: Vec<JsonProblem<'a>>,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    severity: &'static str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    help: &'a [String],
    code: Option<&'static str>,
}

/// The JSON report (`docs/check.schema.json`), pretty-printed, ending in a
/// line break.
pub fn json(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let report = JsonReport {
        version: JSON_VERSION,
        errors,
        warnings: diags.len() - errors,
        problems: diags
            .iter()
            .map(|d| JsonProblem {
                severity: severity_name(d.severity),
                file: d.path.as_str(),
                line: d.pos.map(|p| p.line),
                column: d.pos.map(|p| p.col),
                message: &d.message,
                help: &d.help,
                code: d.code,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("the report serializes");
    s.push('\n');
    s
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The Markdown summary for `$GITHUB_STEP_SUMMARY`: the counts, then a table
/// of the problems by file.
pub fn step_summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let mut files: Vec<&str> = diags.iter().map(|d| d.path.as_str()).collect();
    files.dedup();
    let mut out = String::from("## polis check\n\n");
    if diags.is_empty() {
        out.push_str("No problems found.\n");
        return out;
    }
    out.push_str(&format!(
        "**{errors} {}, {warnings} {}** in {} {}.\n\n",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
        files.len(),
        plural(files.len(), "file", "files"),
    ));
    out.push_str("| file | line | | problem | what to do |\n| --- | ---: | --- | --- | --- |\n");
    for d in diags {
        let line = d.pos.map(|p| p.line.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | {line} | {} | {} | {} |\n",
            cell(d.path.as_str()),
            severity_name(d.severity),
            cell(&d.message),
            cell(&d.help.join(" ")),
        ));
    }
    out
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Text for a Markdown table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
