//! Splitting a content file into front matter and body, and parsing the front
//! matter (TOML between `+++` lines, YAML between `---` lines) into
//! [`FrontMatter`]. Every problem becomes a diagnostic at the file's own line.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value as Json;

use super::fields::{CheckCtx, ValueError, check_value};
use super::foreign::{self, RawZola};
use crate::diag::{Diagnostic, Pos, did_you_mean, find_key, pos_of, serde_help};
use crate::model::fields::Collection;
use crate::model::{CORE_KEYS, Date, Field, FileKind, FrontMatter, SortBy, SourcePath, ZOLA_KEYS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A file cut into its parts. Offsets are byte offsets into the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Option<Format>,
    pub front: &'a str,
    /// Byte offset of the front matter's first line.
    pub front_start: usize,
    pub body: &'a str,
    pub body_start: usize,
}

/// The front matter was opened but never closed: the position of the opening line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unterminated {
    pub delimiter: &'static str,
}

/// Cuts `text` into front matter and body. Text without an opening `+++` or `---`
/// line has no front matter.
pub fn split(text: &str) -> Result<Split<'_>, Unterminated> {
    let (first, rest_start) = match text.find('\n') {
        Some(i) => (&text[..i], i + 1),
        None => (text, text.len()),
    };
    let (format, delimiter) = match first.trim_end() {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Ok(Split {
                format: None,
                front: "",
                front_start: 0,
                body: text,
                body_start: 0,
            });
        }
    };
    let mut offset = rest_start;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line = &text[offset..end];
        if line.trim_end() == delimiter {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                format: Some(format),
                front: &text[rest_start..offset],
                front_start: rest_start,
                body: &text[body_start..],
                body_start,
            });
        }
        offset = end + 1;
    }
    Err(Unterminated { delimiter })
}

/// A date as TOML gives it (a datetime value) or as YAML and quoted TOML give it
/// (a string); checked later, where the error can name the field's line.
#[derive(Debug, Clone)]
struct RawDate(String);

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawDate;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date such as 2026-11-23 or 2026-11-23T09:00:00+01:00")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawDate, E> {
                Ok(RawDate(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawDate, A::Error> {
                let dt = toml::value::Datetime::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(RawDate(dt.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<String>,
    description: Option<String>,
    date: Option<RawDate>,
    updated: Option<RawDate>,
    #[serde(default)]
    draft: bool,
    slug: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    weight: Option<i64>,
    template: Option<String>,
    tags: Option<Vec<String>>,
    #[serde(default)]
    taxonomies: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    extra: serde_json::Value,
    sort_by: Option<SortBy>,
    paginate_by: Option<usize>,
    translated_from: Option<String>,
    // Zola's keys (model::ZOLA_KEYS), read in foreign.rs.
    path: Option<String>,
    render: Option<bool>,
    redirect_to: Option<String>,
    authors: Option<Vec<String>>,
    transparent: Option<bool>,
    in_search_index: Option<bool>,
    insert_anchor_links: Option<String>,
    page_template: Option<String>,
    paginate_path: Option<String>,
    paginate_reversed: Option<bool>,
    generate_feeds: Option<serde::de::IgnoredAny>,
    generate_feed: Option<serde::de::IgnoredAny>,
}

/// What the parser needs to know about the file beyond its text.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The site's time zone, for dates without an offset.
    pub tz: &'a jiff::tz::TimeZone,
    /// The collection whose schema the file's fields follow.
    pub collection: Option<&'a Collection>,
    /// Whether the file is in the default language (shared fields are given there).
    pub default_lang: bool,
    /// The file name where shared fields go (`index.md`), for hints.
    pub default_file: &'a str,
    /// The page bundle's folder, where image fields' files are.
    pub bundle_dir: Option<&'a Path>,
    /// Section, page or bundle: some Zola keys mean something only for one.
    pub kind: FileKind,
}

impl<'a> Expect<'a> {
    /// A file outside every collection.
    pub fn plain(tz: &'a jiff::tz::TimeZone) -> Self {
        Expect {
            tz,
            collection: None,
            default_lang: true,
            default_file: "",
            bundle_dir: None,
            kind: FileKind::Page,
        }
    }
}

/// Parses the front matter of a split file. `text` is the whole file, for
/// positions.
pub fn parse(
    path: &SourcePath,
    text: &str,
    split: &Split<'_>,
    expect: Expect<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<FrontMatter> {
    if let Some(c) = expect.collection {
        return parse_collection(path, text, split, c, expect, diags);
    }
    let raw: RawFrontMatter = match split.format {
        None => return Some(FrontMatter::default()),
        Some(Format::Toml) => match toml::from_str(split.front) {
            Ok(raw) => raw,
            Err(e) if is_unknown_field(e.message()) => every_unknown_key(path, text, split, diags)
                .or_else(|| {
                    diags.push(toml_error(path, text, split, &e));
                    None
                })?,
            Err(e) => {
                diags.push(toml_error(path, text, split, &e));
                return None;
            }
        },
        Some(Format::Yaml) if split.front.trim().is_empty() => return Some(FrontMatter::default()),
        Some(Format::Yaml) => match serde_yaml_ng::from_str(split.front) {
            Ok(raw) => raw,
            Err(e) if is_unknown_field(&e.to_string()) => {
                every_unknown_key(path, text, split, diags).or_else(|| {
                    diags.push(yaml_error(path, text, split, &e));
                    None
                })?
            }
            Err(e) => {
                diags.push(yaml_error(path, text, split, &e));
                return None;
            }
        },
    };
    Some(finish(
        path,
        split,
        line_of(text, split.front_start),
        raw,
        expect,
        diags,
    ))
}

/// Hugo's front-matter keys and what to write in polis instead.
const HUGO_KEYS: &[(&str, &str)] = &[
    ("lastmod", "write `updated`"),
    (
        "publishDate",
        "write `date`; polis publishes a page once its `date` has come",
    ),
    (
        "categories",
        "write `categories = [...]` under `[taxonomies]`, with a `categories` taxonomy in site.toml",
    ),
    ("url", "write `path`, the URL below the language's home"),
    ("layout", "write `template = \"NAME.html\"`"),
    ("summary", "write `description`"),
    (
        "linkTitle",
        "move it under `[extra]`; templates read it as `page.extra.linkTitle`",
    ),
];

fn is_unknown_field(message: &str) -> bool {
    message.contains("unknown field `")
}

/// serde stops at the first unknown key; a migrated site has many, and the
/// author should see them all in one run (issue 20). Reads the front matter
/// again as a plain table, reports every key polis does not know, and reads
/// the rest. `None` when the table does not parse either (the caller reports
/// serde's error).
fn every_unknown_key(
    path: &SourcePath,
    text: &str,
    split: &Split<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<RawFrontMatter> {
    let mut map = to_json(split)?;
    let first_line = line_of(text, split.front_start);
    let known = || CORE_KEYS.iter().chain(ZOLA_KEYS).copied();
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !known().any(|c| c == k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        map.remove(&key);
        let d = Diagnostic::error(
            path,
            find_key(split.front, &key, first_line),
            format!("invalid front matter: unknown field `{key}`"),
        );
        let hugo = HUGO_KEYS.iter().find(|(k, _)| *k == key).map(|(_, h)| *h);
        diags.push(match (hugo, did_you_mean(&key, known())) {
            (Some(h), _) => d.with_help(format!("Hugo's `{key}`: {h}")),
            (None, Some(best)) => d.with_help(format!("did you mean `{best}`?")),
            (None, None) => d.with_help(format!(
                "remove `{key}`, or move it under `[extra]`, where templates read it as `page.extra.{key}`"
            )),
        });
    }
    deserialize(
        map,
        path,
        |key| find_key(split.front, key, first_line),
        diags,
    )
}

/// The front matter read from its table, or an error at the key serde
/// stopped at (`at` finds the key's line).
fn deserialize<T: serde::de::DeserializeOwned>(
    map: serde_json::Map<String, Json>,
    path: &SourcePath,
    at: impl Fn(&str) -> Option<Pos>,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    serde_path_to_error::deserialize(Json::Object(map))
        .map_err(|e| {
            let key = e
                .path()
                .iter()
                .next()
                .map(|s| s.to_string())
                .unwrap_or_default();
            diags.push(syntax_error(
                path,
                at(&key),
                &format!("`{key}`: {}", e.inner()),
            ));
        })
        .ok()
}

fn toml_error(path: &SourcePath, text: &str, split: &Split<'_>, e: &toml::de::Error) -> Diagnostic {
    let pos = e.span().map(|s| pos_of(text, split.front_start + s.start));
    syntax_error(path, pos, e.message())
}

fn yaml_error(
    path: &SourcePath,
    text: &str,
    split: &Split<'_>,
    e: &serde_yaml_ng::Error,
) -> Diagnostic {
    let first_line = line_of(text, split.front_start);
    // libyaml's index is a byte offset (its column counts characters too).
    let location = e.location();
    let pos = location
        .as_ref()
        .map(|l| pos_of(text, split.front_start + l.index()));
    let mut message = shift_yaml_lines(&e.to_string(), first_line);
    // The position is printed in front of the message already.
    if let Some(l) = location {
        let suffix = format!(
            " at line {} column {}",
            first_line + l.line() - 1,
            l.column()
        );
        if message.ends_with(&suffix) {
            message.truncate(message.len() - suffix.len());
        }
    }
    syntax_error(path, pos, &message)
}

/// A collection page: its keys are the core fields and the collection's own,
/// each checked against the schema.
fn parse_collection(
    path: &SourcePath,
    text: &str,
    split: &Split<'_>,
    collection: &Collection,
    expect: Expect<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<FrontMatter> {
    let first_line = line_of(text, split.front_start);
    let at = |key: &str| find_key(split.front, key, first_line);
    let map: serde_json::Map<String, Json> = match split.format {
        None => serde_json::Map::new(),
        Some(Format::Toml) => match toml::from_str::<toml::Table>(split.front) {
            Ok(t) => t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect(),
            Err(e) => {
                diags.push(toml_error(path, text, split, &e));
                return None;
            }
        },
        Some(Format::Yaml) if split.front.trim().is_empty() => serde_json::Map::new(),
        Some(Format::Yaml) => match serde_yaml_ng::from_str::<Json>(split.front) {
            Ok(Json::Object(m)) => m,
            Ok(Json::Null) => serde_json::Map::new(),
            Ok(_) => {
                diags.push(syntax_error(
                    path,
                    Some(Pos::new(first_line, 1)),
                    "expected `key: value` lines",
                ));
                return None;
            }
            Err(e) => {
                diags.push(yaml_error(path, text, split, &e));
                return None;
            }
        },
    };

    let mut core = serde_json::Map::new();
    let mut given = Vec::new();
    // Fields a misspelt key was taken for: their "is missing" would only repeat
    // the typo's error.
    let mut suggested: Vec<&str> = Vec::new();
    for (key, value) in map {
        if CORE_KEYS.contains(&key.as_str())
            || (ZOLA_KEYS.contains(&key.as_str()) && collection.field(&key).is_none())
        {
            core.insert(key, value);
        } else if collection.field(&key).is_some() {
            given.push((key, value));
        } else {
            let names = CORE_KEYS
                .iter()
                .copied()
                .chain(collection.fields.iter().map(|f| f.name.as_str()));
            let mut d = Diagnostic::error(
                path,
                at(&key),
                format!(
                    "unknown field `{key}`: the `{}` collection has no such field",
                    collection.name
                ),
            );
            d = match did_you_mean(&key, names) {
                Some(best) => {
                    suggested.push(best);
                    d.with_help(format!("did you mean `{best}`?"))
                }
                None => d.with_help(format!(
                    "its fields are {}",
                    collection
                        .fields
                        .iter()
                        .map(|f| format!("`{}`", f.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            diags.push(d);
        }
    }
    let raw: RawFrontMatter = deserialize(core, path, at, diags)?;

    let ctx = CheckCtx {
        bundle_dir: expect.bundle_dir,
    };
    let mut fields = BTreeMap::new();
    for def in &collection.fields {
        let value = given.iter().find(|(k, _)| *k == def.name).map(|(_, v)| v);
        let pos = at(&def.name);
        match value {
            Some(_) if def.shared && !def.translatable && !expect.default_lang => {
                diags.push(
                    Diagnostic::error(
                        path,
                        pos,
                        format!(
                            "`{}` is shared by all translations and is given only in `{}`",
                            def.name, expect.default_file
                        ),
                    )
                    .with_help(format!(
                        "remove it here; this page takes the value from `{}`",
                        expect.default_file
                    )),
                );
            }
            Some(v) => {
                let mut warnings = Vec::new();
                match check_value(def, &def.ty, v, ctx, &mut warnings) {
                    Ok(value) => {
                        fields.insert(def.name.clone(), Field { value, pos });
                    }
                    Err(e) => diags.push(value_diag(path, pos, e, Diagnostic::error)),
                }
                for w in warnings {
                    diags.push(value_diag(path, pos, w, Diagnostic::warning));
                }
            }
            None if suggested.contains(&def.name.as_str()) => {}
            None if def.required && (expect.default_lang || !def.shared) => {
                let mut d = Diagnostic::error(
                    path,
                    Some(Pos::new(first_line.saturating_sub(1).max(1), 1)),
                    format!(
                        "`{}` is missing: every page of `{}` needs it",
                        def.name, collection.name
                    ),
                )
                .with_help(format!(
                    "add `{}` to the front matter",
                    def.ty.example(&def.name)
                ));
                if let Some(desc) = &def.description {
                    d = d.with_help(format!("`{}`: {desc}", def.name));
                }
                diags.push(d);
            }
            None => {}
        }
    }
    let mut front = finish(path, split, first_line, raw, expect, diags);
    if front.date.is_none()
        && let Some(f) = &collection.date_field
        && let Some(field) = fields.get(f)
    {
        front.date = field.value.as_page_date(expect.tz);
    }
    front.fields = fields;
    Some(front)
}

fn value_diag(
    path: &SourcePath,
    pos: Option<Pos>,
    e: ValueError,
    make: fn(&SourcePath, Option<Pos>, String) -> Diagnostic,
) -> Diagnostic {
    let mut d = make(path, pos, e.message);
    if let Some(h) = e.help {
        d = d.with_help(h);
    }
    d
}

/// TOML values as JSON, with dates and times as their TOML text.
pub(crate) fn toml_to_json(v: toml::Value) -> Json {
    match v {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Json::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// The checks and conversions every file's core fields get.
fn finish(
    path: &SourcePath,
    split: &Split<'_>,
    first_line: usize,
    raw: RawFrontMatter,
    expect: Expect<'_>,
    diags: &mut Vec<Diagnostic>,
) -> FrontMatter {
    let tz = expect.tz;
    let at = |key: &str| find_key(split.front, key, first_line);
    let date = |key: &str, raw: Option<RawDate>, diags: &mut Vec<Diagnostic>| {
        let raw = raw?;
        match parse_date(&raw.0, tz) {
            Some(d) => Some(d),
            None => {
                diags.push(
                    Diagnostic::error(path, at(key), format!("`{key}` is not a date: `{}`", raw.0))
                        .with_help(
                            "write a date as 2026-11-23, or a time as 2026-11-23T09:00:00+01:00",
                        ),
                );
                None
            }
        }
    };
    let date_value = date("date", raw.date, diags);
    let updated = date("updated", raw.updated, diags);

    let mut taxonomies = raw.taxonomies;
    if let Some(tags) = raw.tags {
        taxonomies.entry("tags".into()).or_default().extend(tags);
    }
    if let Some(slug) = &raw.slug
        && slug::slugify(slug).is_empty()
    {
        diags.push(
            Diagnostic::error(path, at("slug"), "`slug` is empty once made URL-safe")
                .with_help("use letters, digits and hyphens, such as `slug = \"housing\"`"),
        );
    }
    if raw.paginate_by == Some(0) {
        diags.push(Diagnostic::error(
            path,
            at("paginate_by"),
            "`paginate_by` must be at least 1",
        ));
    }
    let zola = RawZola {
        path: raw.path,
        render: raw.render,
        redirect_to: raw.redirect_to,
        authors: raw.authors,
        transparent: raw.transparent,
        in_search_index: raw.in_search_index,
        insert_anchor_links: raw.insert_anchor_links,
        page_template: raw.page_template,
        paginate_path: raw.paginate_path,
        paginate_reversed: raw.paginate_reversed,
        generate_feeds: raw.generate_feeds,
        generate_feed: raw.generate_feed,
    };
    let mut front = FrontMatter {
        title: raw.title,
        description: raw.description,
        date: date_value,
        updated,
        draft: raw.draft,
        slug: raw.slug,
        aliases: raw.aliases,
        weight: raw.weight,
        template: raw.template,
        taxonomies,
        extra: raw.extra,
        sort_by: raw.sort_by,
        paginate_by: raw.paginate_by,
        translated_from: raw.translated_from,
        fields: BTreeMap::new(),
        ..FrontMatter::default()
    };
    foreign::apply(path, expect.kind, zola, &at, &mut front, diags);
    front
}

fn syntax_error(path: &SourcePath, pos: Option<Pos>, message: &str) -> Diagnostic {
    let message = message.trim().trim_end_matches('.');
    let mut d = Diagnostic::error(path, pos, format!("invalid front matter: {message}"));
    if let Some(help) = serde_help(message) {
        d = d.with_help(help);
    }
    d
}

/// serde_yaml's messages give positions in the front matter (`at line 2 column
/// 14`); authors need the file's own lines, so every line number is shifted.
fn shift_yaml_lines(message: &str, first_line: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("at line ") {
        let after = &rest[i + "at line ".len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..i + "at line ".len()]);
        match after[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + first_line - 1).to_string()),
            Err(_) => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    pos_of(text, offset).line
}

/// Parses a front-matter date: a calendar date (midnight in the site's time
/// zone), a local date and time (in the site's zone), or a time with an offset.
pub fn parse_date(s: &str, tz: &jiff::tz::TimeZone) -> Option<Date> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(Date(ts.to_zoned(tz.clone())));
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(tz.clone()).ok().map(Date);
    }
    None
}

/// The front matter of `text` as a JSON object, whatever its format: `None`
/// when it does not parse (an error the build reports).
pub fn to_json(split: &Split<'_>) -> Option<serde_json::Map<String, Json>> {
    match split.format {
        None => Some(serde_json::Map::new()),
        Some(Format::Toml) => toml::from_str::<toml::Table>(split.front)
            .ok()
            .map(|t| t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
        Some(Format::Yaml) if split.front.trim().is_empty() => Some(serde_json::Map::new()),
        Some(Format::Yaml) => match serde_yaml_ng::from_str::<Json>(split.front).ok()? {
            Json::Object(m) => Some(m),
            Json::Null => Some(serde_json::Map::new()),
            _ => None,
        },
    }
}

/// `text` with the top-level string `key` set to `value`, every other byte as
/// it was: the key's line is rewritten where there is one; otherwise a line
/// is added after `title`, or else at the end of the front matter (before
/// its first table, in TOML). A file without front matter gets a TOML one.
/// The result is parsed again and must hold the same values as before, plus
/// the new one; the error says why not, for a message to the author.
pub fn set_string_key(text: &str, key: &str, value: &str) -> Result<String, String> {
    let split = split(text).map_err(|u| {
        format!(
            "the front matter opened with `{}` is never closed",
            u.delimiter
        )
    })?;
    let eol = if text.split('\n').next().is_some_and(|l| l.ends_with('\r')) {
        "\r\n"
    } else {
        "\n"
    };
    let quoted = serde_json::to_string(value).unwrap_or_default();
    let Some(format) = split.format else {
        return Ok(format!("+++{eol}{key} = {quoted}{eol}+++{eol}{text}"));
    };
    let line = match format {
        Format::Toml => format!("{key} = {quoted}"),
        Format::Yaml => format!("{key}: {quoted}"),
    };
    let mut before = to_json(&split).ok_or("its front matter does not parse; fix it first")?;
    before.remove(key);

    // Lines of the front matter: (start, end without the line ending).
    let mut lines = Vec::new();
    let mut offset = split.front_start;
    let front_end = split.front_start + split.front.len();
    while offset < front_end {
        let next = text[offset..front_end]
            .find('\n')
            .map_or(front_end, |i| offset + i + 1);
        let content_end = text[offset..next].trim_end_matches(['\n', '\r']).len() + offset;
        lines.push((offset, content_end, next));
        offset = next;
    }
    // In TOML, the keys after the first `[table]` line are the table's.
    let table = match format {
        Format::Toml => lines
            .iter()
            .position(|(s, e, _)| text[*s..*e].trim_start().starts_with('[')),
        Format::Yaml => None,
    };
    let top = &lines[..table.unwrap_or(lines.len())];
    let is_key = |l: &str, k: &str| {
        l.strip_prefix(k)
            .is_some_and(|rest| matches!(rest.trim_start().chars().next(), Some('=' | ':')))
    };
    let find = |k: &str| top.iter().find(|(s, e, _)| is_key(&text[*s..*e], k));
    let mut candidates: Vec<String> = Vec::new();
    if let Some(&(start, end, _)) = find(key) {
        candidates.push(format!("{}{line}{}", &text[..start], &text[end..]));
    } else {
        let mut at = Vec::new();
        if let Some(&(_, _, next)) = find("title") {
            at.push(next);
        }
        at.push(table.map_or(front_end, |i| lines[i].0));
        for i in at {
            candidates.push(format!("{}{line}{eol}{}", &text[..i], &text[i..]));
        }
    }
    for new in candidates {
        let Ok(s) = self::split(&new) else { continue };
        let Some(mut after) = to_json(&s) else {
            continue;
        };
        if after.remove(key) == Some(Json::String(value.to_string())) && after == before {
            return Ok(new);
        }
    }
    Err(format!(
        "`{key}` could not be added without changing another value; add `{line}` to the front matter by hand"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_table() {
        struct Case {
            text: &'static str,
            format: Option<Format>,
            front: &'static str,
            body: &'static str,
        }
        let cases = [
            Case {
                text: "+++\ntitle = \"a\"\n+++\nbody\n",
                format: Some(Format::Toml),
                front: "title = \"a\"\n",
                body: "body\n",
            },
            Case {
                text: "---\ntitle: a\n---\nbody",
                format: Some(Format::Yaml),
                front: "title: a\n",
                body: "body",
            },
            Case {
                text: "+++\r\ntitle = \"a\"\r\n+++\r\nbody\r\n",
                format: Some(Format::Toml),
                front: "title = \"a\"\r\n",
                body: "body\r\n",
            },
            Case {
                text: "+++\n+++",
                format: Some(Format::Toml),
                front: "",
                body: "",
            },
            Case {
                text: "just text\n+++\n",
                format: None,
                front: "",
                body: "just text\n+++\n",
            },
            Case {
                text: "",
                format: None,
                front: "",
                body: "",
            },
            Case {
                text: "+++ \nx = 1\n+++  \nb",
                format: Some(Format::Toml),
                front: "x = 1\n",
                body: "b",
            },
        ];
        for c in cases {
            let s = split(c.text).unwrap();
            assert_eq!(
                (s.format, s.front, s.body),
                (c.format, c.front, c.body),
                "{:?}",
                c.text
            );
            assert_eq!(&c.text[s.body_start..], s.body);
        }
    }

    #[test]
    fn split_reports_unterminated_front_matter() {
        assert_eq!(
            split("+++\ntitle = 1\n"),
            Err(Unterminated { delimiter: "+++" })
        );
        assert_eq!(split("---\n"), Err(Unterminated { delimiter: "---" }));
    }

    fn parse_str(text: &str) -> (Option<FrontMatter>, Vec<String>) {
        let path = SourcePath::new("content/a.md");
        let s = split(text).unwrap();
        let mut diags = Vec::new();
        let fm = parse(
            &path,
            text,
            &s,
            Expect::plain(&jiff::tz::TimeZone::UTC),
            &mut diags,
        );
        (fm, diags.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn toml_and_yaml_read_the_same_fields() {
        let (toml, d1) = parse_str(
            "+++\ntitle = \"Hi\"\ndate = 2026-11-23\ntags = [\"a\"]\n[extra]\nn = 1\n+++\n",
        );
        let (yaml, d2) =
            parse_str("---\ntitle: Hi\ndate: 2026-11-23\ntags: [a]\nextra:\n  n: 1\n---\n");
        assert!(d1.is_empty() && d2.is_empty(), "{d1:?} {d2:?}");
        let (toml, yaml) = (toml.unwrap(), yaml.unwrap());
        assert_eq!(toml.title, yaml.title);
        assert_eq!(toml.date, yaml.date);
        assert_eq!(toml.taxonomies, yaml.taxonomies);
        assert_eq!(toml.extra.get("n").unwrap(), yaml.extra.get("n").unwrap());
    }

    #[test]
    fn errors_point_at_file_lines() {
        let (_, d) = parse_str("+++\ntitle = \"a\"\ntitel = \"b\"\n+++\n");
        assert!(
            d[0].starts_with(
                "content/a.md:3:1: error: invalid front matter: unknown field `titel`"
            ),
            "{d:?}"
        );
        assert!(d[0].contains("did you mean `title`?"), "{d:?}");
        let (_, d) = parse_str("+++\ntitle = 5\n+++\n");
        assert!(
            d[0].starts_with(
                "content/a.md:2:9: error: invalid front matter: invalid type: integer `5`"
            ),
            "{d:?}"
        );
        let (_, d) = parse_str("---\ntitle: a\ndraft: maybe\n---\n");
        assert!(d[0].starts_with("content/a.md:3:"), "{d:?}");
        let (_, d) = parse_str("+++\ntitle = \"a\"\ndate = \"next tuesday\"\n+++\n");
        assert!(
            d[0].starts_with("content/a.md:3:1: error: `date` is not a date: `next tuesday`"),
            "{d:?}"
        );
    }

    #[test]
    fn yaml_positions_in_messages_become_file_lines() {
        assert_eq!(
            shift_yaml_lines(
                "end of stream at line 3 column 1, while scanning at line 2 column 14",
                2
            ),
            "end of stream at line 4 column 1, while scanning at line 3 column 14"
        );
        assert_eq!(shift_yaml_lines("no position", 2), "no position");
    }

    #[test]
    fn dates_take_the_site_zone_when_they_have_none() {
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        let d = parse_date("2026-11-23", &oslo).unwrap();
        assert_eq!(d.rfc3339(), "2026-11-23T00:00:00+01:00");
        let d = parse_date("2026-07-01T09:30:00", &oslo).unwrap();
        assert_eq!(d.rfc3339(), "2026-07-01T09:30:00+02:00");
        let d = parse_date("2026-11-23T08:00:00Z", &oslo).unwrap();
        assert_eq!(d.rfc3339(), "2026-11-23T09:00:00+01:00");
        assert!(parse_date("23.11.2026", &oslo).is_none());
    }

    #[test]
    fn set_string_key_adds_or_replaces_one_line() {
        struct Case {
            text: &'static str,
            want: &'static str,
        }
        let cases = [
            // After the title, TOML and YAML.
            Case {
                text: "+++\ntitle = \"A\"\ndate = 2026-01-01\n+++\nbody\n",
                want: "+++\ntitle = \"A\"\nk = \"v\"\ndate = 2026-01-01\n+++\nbody\n",
            },
            Case {
                text: "---\ntitle: A\ndate: 2026-01-01\n---\nbody\n",
                want: "---\ntitle: A\nk: \"v\"\ndate: 2026-01-01\n---\nbody\n",
            },
            // Replaced where it is, comments and spacing kept.
            Case {
                text: "+++\n# note\ntitle = \"A\"  # x\nk = \"old\"\n[extra]\nk = 1\n+++\nb",
                want: "+++\n# note\ntitle = \"A\"  # x\nk = \"v\"\n[extra]\nk = 1\n+++\nb",
            },
            Case {
                text: "---\ntitle: A\nk:   old\n---\n",
                want: "---\ntitle: A\nk: \"v\"\n---\n",
            },
            // No title: before the first table, or at the end.
            Case {
                text: "+++\ndate = 2026-01-01\n[extra]\nn = 1\n+++\n",
                want: "+++\ndate = 2026-01-01\nk = \"v\"\n[extra]\nn = 1\n+++\n",
            },
            Case {
                text: "---\ndate: 2026-01-01\n---\n",
                want: "---\ndate: 2026-01-01\nk: \"v\"\n---\n",
            },
            // A multi-line title: not after its first line.
            Case {
                text: "---\ntitle: >\n  A long\n  title\n---\n",
                want: "---\ntitle: >\n  A long\n  title\nk: \"v\"\n---\n",
            },
            // Line endings as the file has them.
            Case {
                text: "+++\r\ntitle = \"A\"\r\n+++\r\nbody\r\n",
                want: "+++\r\ntitle = \"A\"\r\nk = \"v\"\r\n+++\r\nbody\r\n",
            },
            // No front matter at all, or an empty one.
            Case {
                text: "just text\n",
                want: "+++\nk = \"v\"\n+++\njust text\n",
            },
            Case {
                text: "+++\n+++\nb",
                want: "+++\nk = \"v\"\n+++\nb",
            },
        ];
        for c in cases {
            assert_eq!(
                set_string_key(c.text, "k", "v").as_deref(),
                Ok(c.want),
                "{:?}",
                c.text
            );
        }
        assert!(set_string_key("+++\ntitle = \n+++\n", "k", "v").is_err());
        assert!(set_string_key("+++\ntitle = 1\n", "k", "v").is_err());
    }
}
