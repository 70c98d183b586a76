//! `polis diff OLD NEW`: what a change does to the published site, from two
//! builds (before and after it).

use std::fmt::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::error::Result;
use crate::output::diff::{Diff, diff};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The build before the change (an output folder)
    pub old: PathBuf,
    /// The build after it
    pub new: PathBuf,
    /// List the pages that changed only outside their main content too
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when there are warnings (for CI)
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// Warnings as GitHub Actions annotations, after the human summary
    Github,
}

pub fn run(args: &DiffArgs) -> Result<Diff> {
    diff(&args.old, &args.new)
}

/// The comparison in `format`; `all` lists every page changed around its
/// main content rather than counting them.
pub fn render(d: &Diff, format: Format, all: bool) -> String {
    if format == Format::Json {
        return serde_json::to_string_pretty(d).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} pages before, {} after: {} added, {} removed, {} changed",
        d.old_pages,
        d.new_pages,
        d.added.len(),
        d.removed.iter().filter(|r| !r.redirect).count(),
        d.changed.len()
    );
    let list = |out: &mut String, title: &str, urls: &[String]| {
        if !urls.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", urls.len());
            for u in urls {
                let _ = writeln!(out, "  {u}");
            }
        }
    };
    list(&mut out, "added", &d.added);
    if !d.removed.is_empty() {
        let _ = writeln!(out, "\nremoved ({}):", d.removed.len());
        for r in &d.removed {
            let what = if r.redirect { " (a redirect)" } else { "" };
            match (&r.redirected_to, &r.moved_to) {
                (Some(t), _) => {
                    let _ = writeln!(out, "  {}{what}, now redirects to {t}", r.url);
                }
                (None, Some(m)) => {
                    let _ = writeln!(out, "  {}{what}, now at {}?", r.url, m.url);
                }
                (None, None) => {
                    let _ = writeln!(out, "  {}{what}", r.url);
                }
            }
        }
    }
    list(&mut out, "changed", &d.changed);
    list(&mut out, "new redirects", &d.redirects_added);
    if all {
        list(
            &mut out,
            "changed outside the main content",
            &d.changed_around,
        );
    } else if !d.changed_around.is_empty() {
        let _ = writeln!(
            out,
            "\n{} more page{} changed outside the main content only (menus, footers, links); --all lists them",
            d.changed_around.len(),
            if d.changed_around.len() == 1 { "" } else { "s" }
        );
    }
    if !d.warnings.is_empty() {
        out.push('\n');
    }
    for w in &d.warnings {
        match format {
            Format::Github => {
                let _ = writeln!(
                    out,
                    "::warning title=polis diff::{}%0A{}",
                    escape_annotation(&w.message),
                    escape_annotation(&w.help)
                );
            }
            _ => {
                let _ = writeln!(out, "warning: {}\n  = help: {}", w.message, w.help);
            }
        }
    }
    out
}

/// GitHub's workflow commands take `%`, CR and LF escaped.
fn escape_annotation(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}
