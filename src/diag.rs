//! Diagnostics: problems in the author's site (bad front matter, broken links,
//! template mistakes), collected across the whole build instead of returned at the
//! first one, and printed as `path:line:col: error: message` with `= help:` lines.
//!
//! This is the only module that turns byte offsets into lines and columns.

use std::fmt;

use crate::model::SourcePath;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line and column in a source file, counted from the top of the file
/// (front matter included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    pub path: SourcePath,
    pub pos: Option<Pos>,
    pub severity: Severity,
    pub message: String,
    pub help: Vec<String>,
    /// A stable name for the kind of problem (`alt-missing`, `link-text`), for
    /// machines reading `polis check --format json`; the content lints have one.
    pub code: Option<&'static str>,
}

impl Diagnostic {
    pub fn error(path: &SourcePath, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.clone(),
            pos,
            severity: Severity::Error,
            message: message.into(),
            help: Vec::new(),
            code: None,
        }
    }

    pub fn warning(path: &SourcePath, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, pos, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.col)?;
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {kind}: {}", self.message)?;
        for help in &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The collector passed through the stages. Parallel stages return their own
/// vectors, which are appended here; output order is fixed by [`Diagnostics::sorted`].
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, then position, deduplicated: deterministic whatever order the
    /// parallel stages finished in.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut v = self.items.clone();
        v.sort();
        v.dedup();
        group_repeats(v)
    }
}

/// More of one message than this, differing only in the output being
/// rendered, is printed once with the count.
const REPEATS_SHOWN: usize = 3;

/// The help line that names the output a template was rendering.
const RENDERING: &str = "while rendering ";

/// A mistake in a template that every page uses (a footer's link) is one
/// diagnostic per page; 188 copies of one line hide everything else. Runs of
/// diagnostics that differ only in what was being rendered become one, which
/// says how many outputs had it and names the first few (issue 20). `v` is
/// sorted, so the copies are next to each other.
fn group_repeats(v: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| {
        (
            d.path.clone(),
            d.pos,
            d.severity,
            d.message.clone(),
            d.help
                .iter()
                .filter(|h| !h.starts_with(RENDERING))
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    let mut out: Vec<Diagnostic> = Vec::with_capacity(v.len());
    let mut run: Vec<Diagnostic> = Vec::new();
    let flush = |run: &mut Vec<Diagnostic>, out: &mut Vec<Diagnostic>| {
        if run.len() <= REPEATS_SHOWN {
            out.append(run);
            return;
        }
        let whats: Vec<&str> = run
            .iter()
            .filter_map(|d| d.help.iter().find_map(|h| h.strip_prefix(RENDERING)))
            .collect();
        let mut d = run[0].clone();
        d.help.retain(|h| !h.starts_with(RENDERING));
        d.help.push(format!(
            "{RENDERING}{} and {} more: the same on {} outputs",
            whats[..REPEATS_SHOWN].join(", "),
            whats.len() - REPEATS_SHOWN,
            whats.len()
        ));
        out.push(d);
        run.clear();
    };
    for d in v {
        let repeats = run.last().is_some_and(|last| {
            key(last) == key(&d) && d.help.iter().any(|h| h.starts_with(RENDERING))
        });
        if !repeats {
            flush(&mut run, &mut out);
        }
        run.push(d);
    }
    flush(&mut run, &mut out);
    out
}

/// Line starts of one text, to turn byte offsets into 1-based lines and columns.
///
/// Columns count characters (Unicode scalar values), as editors, GitHub's
/// annotations and people do: `Før æøå [` puts the `[` at column 9, not at its
/// byte 13. A tab is one character. Parsers hand over what they have (a byte
/// offset, comrak's line and byte column, cssparser's UTF-16 column) and only
/// the functions here turn that into a [`Pos`].
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// Position of a byte offset (one inside a character counts as that
    /// character).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let offset = text.floor_char_boundary(offset);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        Pos::new(line + 1, text[start..offset].chars().count() + 1)
    }

    /// Position of a 1-based line and 1-based *byte* column (what comrak's
    /// sourcepos gives).
    pub fn pos_at(&self, text: &str, line: usize, byte_col: usize) -> Pos {
        self.pos_at_from(text, 0, line, byte_col)
    }

    /// Position of a 1-based line and 1-based byte column counted in the part of
    /// `text` from byte `from` on: a Markdown body that comrak parsed on its own,
    /// whose line 1 is the file line the body starts on.
    pub fn pos_at_from(&self, text: &str, from: usize, line: usize, byte_col: usize) -> Pos {
        let first = self.starts.partition_point(|&s| s <= from) - 1;
        let line_start = match line {
            0 | 1 => Some(from),
            n => self.starts.get(first + n - 1).copied(),
        };
        match line_start {
            Some(start) => self.pos(text, start + byte_col.saturating_sub(1)),
            None => Pos::new(first + line, byte_col),
        }
    }

    /// Position of a 1-based line and 1-based column counted in UTF-16 code
    /// units (what cssparser and so lightningcss give).
    pub fn pos_at_utf16(&self, text: &str, line: usize, utf16_col: usize) -> Pos {
        let Some(line_text) = self.line(text, line) else {
            return Pos::new(line, utf16_col);
        };
        let mut units = 0;
        let chars = line_text
            .chars()
            .take_while(|c| {
                units += c.len_utf16();
                units < utf16_col
            })
            .count();
        Pos::new(line, chars + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(text.len(), |&e| e - 1);
        text.get(start..end)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
    }
}

impl Pos {
    /// Where `text` ends when it starts at this position: a piece of a file
    /// (a shortcode's arguments, the inside of an HTML block) read on its own.
    pub fn after(self, text: &str) -> Pos {
        match text.rsplit_once('\n') {
            None => Pos::new(self.line, self.col + text.chars().count()),
            Some((before, last)) => Pos::new(
                self.line + 1 + memchr::memchr_iter(b'\n', before.as_bytes()).count(),
                last.chars().count() + 1,
            ),
        }
    }
}

/// Position of a byte offset in `text`, for one-off lookups.
pub fn pos_of(text: &str, offset: usize) -> Pos {
    pos_in(text, offset, 1)
}

/// Position of a byte offset in `part`, a piece of a file that starts at the
/// beginning of file line `first_line` (front matter, a shortcode's arguments).
pub fn pos_in(part: &str, offset: usize, first_line: usize) -> Pos {
    Pos::new(first_line, 1).after(&part[..part.floor_char_boundary(offset)])
}

/// The byte range of the character at a 1-based column of `line` (empty at the
/// end of the line): what a caret under that column marks.
pub fn col_range(line: &str, col: usize) -> std::ops::Range<usize> {
    let mut chars = line.char_indices().skip(col.saturating_sub(1));
    match chars.next() {
        Some((start, c)) => start..start + c.len_utf8(),
        None => line.len()..line.len(),
    }
}

/// Position of a top-level `key` in front matter text (TOML `key =` or YAML
/// `key:`), shifted by `first_line` (the file line the front matter starts on).
/// Used for errors found after parsing (a date that is no date), where the parser
/// gave no span.
pub fn find_key(front_matter: &str, key: &str, first_line: usize) -> Option<Pos> {
    let mut offset = 0;
    for line in front_matter.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let rest = line[indent..].strip_prefix(key).map(str::trim_start);
        if rest.is_some_and(|r| r.starts_with('=') || r.starts_with(':')) {
            return Some(pos_in(front_matter, offset + indent, first_line));
        }
        offset += line.len();
    }
    None
}

/// [`find_key`] in the part of `text` from byte `from` on (a `[table]`), with the
/// position in the whole of `text`.
pub fn find_key_from(text: &str, from: usize, key: &str) -> Option<Pos> {
    find_key(&text[from..], key, pos_of(text, from).line)
}

/// The closest of `candidates` to a misspelled `word`, if one is close enough to be
/// what the author meant.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A hint for serde's own messages about a value: a misspelled field, or a
/// value of the wrong type (serde says which type it wanted, but not how to
/// write one).
pub fn serde_help(message: &str) -> Option<String> {
    unknown_field_help(message).or_else(|| invalid_type_help(message))
}

/// serde reports a value of the wrong type as ``invalid type: string "yes",
/// expected a boolean``; this says how to write what was expected. The
/// examples are valid in TOML and in YAML alike.
pub fn invalid_type_help(message: &str) -> Option<String> {
    let rest = message
        .split("invalid type: ")
        .nth(1)
        .or_else(|| message.split("invalid value: ").nth(1))?;
    let (found, expected) = rest.split_once(", expected ")?;
    // Numbers in quotes are strings to TOML and YAML alike.
    let unquote = if found.starts_with("string") {
        " without quotes"
    } else {
        ""
    };
    let help = match expected.trim() {
        "a boolean" => "write `true` or `false`, without quotes".to_string(),
        "a string" | "a character" => {
            "put the value in double quotes, as in `\"like this\"`".to_string()
        }
        "a sequence" => {
            "write a list in square brackets, as in `[\"one\", \"two\"]`; a single value too: `[\"one\"]`"
                .to_string()
        }
        e if e == "a map" || e.starts_with("struct ") => {
            "write a table: its keys and values below its name".to_string()
        }
        // A whole number out of the type's range ("invalid value"): the range
        // a field takes is often narrower than its type's, so only the sign
        // is worth a word.
        "u8" | "u16" | "u32" | "u64" | "usize" if found.starts_with("integer `-") => {
            "write a whole number of zero or more".to_string()
        }
        _ if found.starts_with("integer `") => return None,
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize"
        | "an integer" => format!("write a whole number{unquote}, as in `3`"),
        "f32" | "f64" | "a number" => format!("write a number{unquote}, as in `1.5`"),
        _ => return None,
    };
    Some(help)
}

/// serde reports an unknown field as ``unknown field `titel`, expected one of
/// `title`, `date` ``; this turns that message into a "did you mean" hint.
pub fn unknown_field_help(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (field, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match did_you_mean(field, candidates.iter().copied()) {
        Some(best) => Some(format!("did you mean `{best}`?")),
        None if !candidates.is_empty() => Some(format!(
            "remove `{field}`; the known fields are {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression, issue 20: a template mistake on every page was printed
    /// once per page.
    #[test]
    fn issue_20_a_message_repeated_for_many_outputs_is_printed_once() {
        let tpl = SourcePath::new("themes/t/templates/footer.html");
        let mut diags = Diagnostics::default();
        for page in ["e", "a", "d", "c", "b"] {
            diags.push(
                Diagnostic::error(&tpl, Some(Pos::new(3, 5)), "template error: no page")
                    .with_help(format!("{RENDERING}`content/{page}.md`")),
            );
        }
        diags.push(Diagnostic::error(&tpl, Some(Pos::new(9, 1)), "other"));
        let shown: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "themes/t/templates/footer.html:3:5: error: template error: no page\n  = help: while rendering `content/a.md`, `content/b.md`, `content/c.md` and 2 more: the same on 5 outputs",
                "themes/t/templates/footer.html:9:1: error: other",
            ]
        );
        assert_eq!(diags.error_count(), 6);
        // Three or fewer stay as they are.
        let mut few = Diagnostics::default();
        for page in ["a", "b"] {
            few.push(Diagnostic::error(&tpl, None, "x").with_help(format!("{RENDERING}{page}")));
        }
        assert_eq!(few.sorted().len(), 2);
    }

    #[test]
    fn a_value_of_the_wrong_type_gets_a_hint_on_how_to_write_the_right_one() {
        let help = |m: &str| serde_help(m).unwrap_or_default();
        assert_eq!(
            help("invalid type: string \"yes\", expected a boolean"),
            "write `true` or `false`, without quotes"
        );
        assert!(help("invalid type: integer `5`, expected a string").contains("double quotes"));
        assert!(help("invalid type: string \"a\", expected a sequence").contains("[\"one\"]"));
        assert_eq!(
            help("invalid type: string \"3\", expected u32"),
            "write a whole number without quotes, as in `3`"
        );
        assert_eq!(
            help("invalid value: integer `-1`, expected u32"),
            "write a whole number of zero or more"
        );
        assert_eq!(
            serde_help("invalid value: integer `300`, expected u8"),
            None
        );
        assert_eq!(
            help("invalid type: floating point `1.5`, expected u8"),
            "write a whole number, as in `3`"
        );
        assert!(help("invalid type: string \"x\", expected struct RawSearch").contains("table"));
        // serde's unknown-field hint still comes first; other messages get none.
        assert_eq!(
            help("unknown field `titel`, expected one of `title`, `date`"),
            "did you mean `title`?"
        );
        assert_eq!(
            serde_help("invalid type: unit value, expected something odd"),
            None
        );
        assert_eq!(serde_help("expected `=`"), None);
    }

    #[test]
    fn line_index_counts_lines_and_characters() {
        let text = "ab\næøå x\n\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(text, 0), Pos::new(1, 1));
        assert_eq!(idx.pos(text, 3), Pos::new(2, 1));
        // `x` comes after three two-byte letters and a space.
        assert_eq!(idx.pos(text, 10), Pos::new(2, 5));
        assert_eq!(idx.pos(text, 13), Pos::new(4, 1));
        assert_eq!(idx.pos(text, 999), Pos::new(4, 5));
        assert_eq!(idx.pos_at(text, 2, 8), Pos::new(2, 5));
        assert_eq!(idx.line(text, 2), Some("æøå x"));
        assert_eq!(idx.line(text, 3), Some(""));
        assert_eq!(idx.line(text, 4), Some("last"));
        assert_eq!(idx.line(text, 5), None);
    }

    /// Columns count characters: what editors, GitHub's annotations and people
    /// count, whatever the bytes.
    #[test]
    fn columns_count_characters_not_bytes() {
        // (line, the text before the marked character, its column)
        let cases = [
            ("plain [link](x)", "plain ", 7),
            ("Før æøå [lenke](@/nowhere.md)", "Før æøå ", 9),
            ("🎉 [party](x)", "🎉 ", 3),
            ("\t[tab](x)", "\t", 2),
            ("[start](x)", "", 1),
        ];
        for (line, before, col) in cases {
            let text = format!("+++\ntitle = \"x\"\n+++\n{line}\n");
            let offset = text.find(line).unwrap() + before.len();
            let idx = LineIndex::new(&text);
            assert_eq!(idx.pos(&text, offset), Pos::new(4, col), "{line:?}");
            assert_eq!(pos_of(&text, offset), Pos::new(4, col), "{line:?}");
            // comrak's sourcepos: line and byte column of the body alone.
            let body = text.find(line).unwrap();
            let byte_col = before.len() + 1;
            assert_eq!(idx.pos_at(&text, 4, byte_col), Pos::new(4, col), "{line:?}");
            assert_eq!(
                idx.pos_at_from(&text, body, 1, byte_col),
                Pos::new(4, col),
                "{line:?}"
            );
            // cssparser's UTF-16 column.
            let utf16_col = before.encode_utf16().count() + 1;
            assert_eq!(
                idx.pos_at_utf16(&text, 4, utf16_col),
                Pos::new(4, col),
                "{line:?}"
            );
            // And back: the caret goes under that character.
            assert_eq!(
                &line[col_range(line, col)],
                &line[before.len()..][..1],
                "{line:?}"
            );
            assert_eq!(
                Pos::new(3, 1).after(&format!("\n{before}")),
                Pos::new(4, col)
            );
        }
    }

    #[test]
    fn a_position_inside_a_character_is_that_character() {
        let text = "æx";
        assert_eq!(pos_of(text, 1), Pos::new(1, 1));
        assert_eq!(pos_of(text, 2), Pos::new(1, 2));
        assert_eq!(col_range(text, 1), 0..2);
        assert_eq!(col_range(text, 3), 3..3);
    }

    #[test]
    fn find_key_finds_toml_and_yaml_keys() {
        let fm = "title = \"x\"\n  date = 2020\n";
        assert_eq!(find_key(fm, "date", 2), Some(Pos::new(3, 3)));
        assert_eq!(find_key("date: x\n", "date", 2), Some(Pos::new(2, 1)));
        assert_eq!(find_key("dated = 1\n", "date", 2), None);
        // After a key with Norwegian letters, in a `[table]` further down.
        let text = "a = \"å\"\n[tabell]\n\u{a0}date = 1\n";
        assert_eq!(
            find_key_from(text, text.find('[').unwrap(), "date"),
            Some(Pos::new(3, 2))
        );
    }

    #[test]
    fn unknown_field_help_suggests_the_closest_field() {
        let msg = "unknown field `titel`, expected one of `title`, `date`, `draft`";
        assert_eq!(
            unknown_field_help(msg).as_deref(),
            Some("did you mean `title`?")
        );
        let msg = "unknown field `zzz`, expected `title` or `date`";
        assert_eq!(
            unknown_field_help(msg).as_deref(),
            Some("remove `zzz`; the known fields are `title`, `date`")
        );
        assert_eq!(unknown_field_help("invalid type"), None);
    }

    #[test]
    fn diagnostic_prints_path_line_col_and_help() {
        let d = Diagnostic::error(
            &SourcePath::new("content/a.md"),
            Some(Pos::new(3, 4)),
            "bad",
        )
        .with_help("fix it");
        assert_eq!(
            d.to_string(),
            "content/a.md:3:4: error: bad\n  = help: fix it"
        );
    }
}
