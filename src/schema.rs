//! Collections: sections whose pages carry typed fields, declared in `site.toml`
//! (`[collections.municipalities.fields]`). This module holds the schema types,
//! reads them from the config's raw shape, and checks one file's field values
//! against them. Checks across files (references, uniqueness, fields shared by
//! translations) are `resolve`'s.

use std::path::{Component, Path};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value as Json;

use crate::model::Date;

/// A section whose pages follow a schema.
#[derive(Debug, Clone)]
pub struct Collection {
    pub name: String,
    /// The section's folder under `content/` (`municipalities`).
    pub folder: String,
    /// The field whose value is the page's date when `date` is not given (a
    /// `week` field dates a page on the Monday of its week).
    pub date_field: Option<String>,
    /// Each page is an event with `start` and `end` datetime fields: it gets
    /// an iCalendar file, and the section a calendar feed per language.
    pub calendar: bool,
    pub fields: Vec<FieldDef>,
}

impl Collection {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A page's name in the collection, from its translation group
    /// (`municipalities/drammen` → `drammen`).
    pub fn key_of<'g>(&self, group: &'g str) -> Option<&'g str> {
        group
            .strip_prefix(&self.folder)?
            .strip_prefix('/')
            .filter(|k| !k.is_empty())
    }

    /// Whether a file (path relative to `content/`) is one of this collection's
    /// pages: anything below its folder but the section files.
    pub fn contains(&self, rel: &str) -> bool {
        rel.strip_prefix(&self.folder)
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub ty: FieldType,
    pub required: bool,
    /// No two pages of the collection (in one language) may have the same value.
    pub unique: bool,
    /// One value for every translation, given in the default language's file.
    pub shared: bool,
    /// What the field is, for authors: shown in errors and editors.
    pub description: Option<String>,
    /// A date older than this (by the build clock) is a warning.
    pub stale_after_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    String,
    /// Longer text; may hold several paragraphs.
    Text,
    Integer {
        min: Option<f64>,
        max: Option<f64>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    Date,
    /// A time with its time zone; a local time is taken in `zone`.
    DateTime {
        zone: jiff::tz::TimeZone,
    },
    /// An ISO week: `2026-W48`.
    Week,
    Url,
    Email,
    /// A file of the page bundle; `alt` says whether alt text is required,
    /// `decorative` that none is expected.
    Image {
        alt: bool,
        decorative: bool,
    },
    /// A YouTube or Vimeo video (shown behind a local poster until the reader
    /// asks for it) or a video file of the bundle with captions.
    Video,
    /// Latitude and longitude in degrees.
    Geo,
    Enum(Vec<String>),
    /// A file of the page bundle with one of these extensions (`pdf`).
    File {
        extensions: Vec<String>,
    },
    /// A page of another collection, by its file name (`drammen`).
    Ref {
        collection: String,
    },
    List(Box<FieldType>),
}

/// The type names of `site.toml`.
pub const TYPE_NAMES: &[&str] = &[
    "string", "text", "integer", "number", "boolean", "date", "datetime", "week", "url", "email",
    "image", "video", "geo", "enum", "file", "ref", "list",
];

impl FieldType {
    /// What a value must look like, for messages: "a whole number".
    pub fn expected(&self) -> String {
        match self {
            FieldType::String => "a line of text".into(),
            FieldType::Text => "text".into(),
            FieldType::Integer { .. } => "a whole number".into(),
            FieldType::Number { .. } => "a number".into(),
            FieldType::Boolean => "`true` or `false`".into(),
            FieldType::Date => "a date".into(),
            FieldType::DateTime { .. } => "a date and time".into(),
            FieldType::Week => "an ISO week".into(),
            FieldType::Url => "a web address starting with https:// or http://".into(),
            FieldType::Email => "an email address".into(),
            FieldType::Image { .. } => "an image file of the page's folder".into(),
            FieldType::Video => "a video".into(),
            FieldType::Geo => "coordinates (latitude and longitude)".into(),
            FieldType::Enum(values) => format!("one of {}", quote_list(values)),
            FieldType::File { extensions } => format!(
                "a file of the page's folder ending in {}",
                extensions.join(", ")
            ),
            FieldType::Ref { collection } => format!("the name of a page in `{collection}`"),
            FieldType::List(item) => format!("a list of {}", plural(&item.expected())),
        }
    }

    /// How a value is written, for hints: `population = 102000`.
    pub fn example(&self, name: &str) -> String {
        let value = match self {
            FieldType::String => "\"…\"".to_string(),
            FieldType::Text => "\"\"\"…\"\"\"".into(),
            FieldType::Integer { .. } => "102000".into(),
            FieldType::Number { .. } => "137.5".into(),
            FieldType::Boolean => "true".into(),
            FieldType::Date => "2026-11-23".into(),
            FieldType::DateTime { .. } => "2026-11-23T18:00:00+01:00".into(),
            FieldType::Week => "\"2026-W48\"".into(),
            FieldType::Url => "\"https://www.example.no/\"".into(),
            FieldType::Email => "\"post@example.no\"".into(),
            FieldType::Image { .. } => {
                "{ src = \"portrait.jpg\", alt = \"What the photo shows\" }".into()
            }
            FieldType::Video => {
                "{ youtube = \"VIDEO-ID\", title = \"…\", poster = \"poster.jpg\" }".into()
            }
            FieldType::Geo => "{ lat = 59.74, lon = 10.20 }".into(),
            FieldType::Enum(values) => format!("\"{}\"", values.first().map_or("", |v| v)),
            FieldType::File { extensions } => format!(
                "\"document.{}\"",
                extensions.first().map_or("pdf", String::as_str)
            ),
            FieldType::Ref { .. } => "\"drammen\"".into(),
            FieldType::List(item) => {
                let one = item.example("x");
                format!("[{}]", one.trim_start_matches("x = "))
            }
        };
        format!("{name} = {value}")
    }
}

fn plural(s: &str) -> String {
    let s = s
        .strip_prefix("a ")
        .or_else(|| s.strip_prefix("an "))
        .unwrap_or(s);
    match s.split_once(' ') {
        Some((first, rest)) => format!("{}s {rest}", first),
        None => format!("{s}s"),
    }
}

fn quote_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A checked field value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    String(String),
    Integer(i64),
    Number(f64),
    Bool(bool),
    Date(jiff::civil::Date),
    DateTime(jiff::Zoned),
    Week(jiff::civil::ISOWeekDate),
    Url(String),
    Email(String),
    Image(Image),
    Video(Video),
    Geo { lat: f64, lon: f64 },
    Enum(String),
    File(FileInfo),
    Ref(String),
    List(Vec<FieldValue>),
}

/// A file of the page bundle, with what polis read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub src: String,
    /// Size in bytes.
    pub size: u64,
    /// The page count of a PDF.
    pub pages: Option<usize>,
}

impl FieldValue {
    /// A key for uniqueness checks: equal values, equal keys.
    pub fn key(&self) -> String {
        match self {
            FieldValue::String(s)
            | FieldValue::Url(s)
            | FieldValue::Enum(s)
            | FieldValue::Ref(s) => s.clone(),
            FieldValue::Email(s) => s.to_lowercase(),
            FieldValue::Integer(n) => n.to_string(),
            FieldValue::Number(n) => n.to_string(),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::Date(d) => d.to_string(),
            FieldValue::DateTime(z) => z.timestamp().to_string(),
            FieldValue::Week(w) => format_week(*w),
            FieldValue::Image(i) => i.src.clone(),
            FieldValue::File(f) => f.src.clone(),
            FieldValue::Video(v) => format!("{:?}", v.source),
            FieldValue::Geo { lat, lon } => format!("{lat},{lon}"),
            FieldValue::List(items) => items
                .iter()
                .map(FieldValue::key)
                .collect::<Vec<_>>()
                .join("\u{1f}"),
        }
    }

    /// The page date a `date`, `datetime` or `week` value gives: midnight (in
    /// `tz`) of the day, or of the Monday of the week.
    pub fn as_page_date(&self, tz: &jiff::tz::TimeZone) -> Option<Date> {
        let day = match self {
            FieldValue::Date(d) => *d,
            FieldValue::Week(w) => w.date(),
            FieldValue::DateTime(z) => return Some(Date(z.with_time_zone(tz.clone()))),
            _ => return None,
        };
        day.to_zoned(tz.clone()).ok().map(Date)
    }
}

pub fn format_week(w: jiff::civil::ISOWeekDate) -> String {
    format!("{:04}-W{:02}", w.year(), w.week())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Path inside the page bundle: `photos/market.jpg`.
    pub src: String,
    pub alt: Option<String>,
    pub credit: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    pub source: VideoSource,
    pub title: String,
    /// A still image of the bundle shown until the reader starts the video.
    pub poster: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VideoSource {
    YouTube(String),
    Vimeo(String),
    /// A video file of the bundle, with its WebVTT captions.
    File {
        src: String,
        captions: String,
    },
}

// ---------------------------------------------------------------------------
// site.toml

/// `[collections.NAME]` as written in `site.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCollection {
    /// The folder under `content/`; the collection's name by default.
    pub folder: Option<String>,
    /// The field that dates a page that has no `date`.
    pub date: Option<String>,
    /// Pages are events: `.ics` files and a calendar feed.
    #[serde(default)]
    pub calendar: bool,
    #[serde(default)]
    pub fields: IndexMap<String, RawField>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub shared: bool,
    /// The type of a list's items.
    pub of: Option<String>,
    /// The values of an `enum`.
    #[serde(default)]
    pub values: Vec<String>,
    /// The collection a `ref` points into.
    pub collection: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// For images: alt text required.
    #[serde(default)]
    pub alt: bool,
    /// For images: shown without alt text (a video's still image), so none
    /// is asked for.
    #[serde(default)]
    pub decorative: bool,
    /// For datetimes: the zone of a time written without one.
    pub time_zone: Option<String>,
    /// For files: the extensions allowed (`["pdf"]`).
    #[serde(default)]
    pub extensions: Vec<String>,
    /// For dates: a warning when the date is older than this many days by
    /// the build clock (`last_reviewed`).
    pub stale_after_days: Option<u32>,
    pub description: Option<String>,
}

/// A problem in a collection's declaration: the key it is about and a message.
#[derive(Debug)]
pub struct SchemaError {
    /// `fields.population.type` or similar, below `[collections.NAME]`.
    pub key: String,
    pub message: String,
    pub help: Option<String>,
}

/// Turns the raw declarations into collections. `site_tz` is the default zone
/// of datetime fields.
pub fn collections_from_raw(
    raw: IndexMap<String, RawCollection>,
    site_tz: &jiff::tz::TimeZone,
) -> (Vec<Collection>, Vec<(String, SchemaError)>) {
    let names: Vec<String> = raw.keys().cloned().collect();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (name, rc) in raw {
        let mut fields = Vec::new();
        for (field, rf) in rc.fields {
            match field_type(&field, &rf, &rf.ty, &names, site_tz) {
                Ok(ty) => {
                    if crate::load::front_matter::CORE_KEYS.contains(&field.as_str()) {
                        errors.push((
                            name.clone(),
                            SchemaError {
                                key: field.clone(),
                                message: format!(
                                    "`{field}` is a front matter field of every page and cannot be declared again"
                                ),
                                help: Some("give the field another name".into()),
                            },
                        ));
                        continue;
                    }
                    fields.push(FieldDef {
                        name: field,
                        ty,
                        required: rf.required,
                        unique: rf.unique,
                        shared: rf.shared,
                        description: rf.description,
                        stale_after_days: rf.stale_after_days,
                    })
                }
                Err(e) => errors.push((name.clone(), e)),
            }
        }
        if let Some(d) = &rc.date {
            let ok = fields.iter().any(|f| {
                &f.name == d
                    && matches!(
                        f.ty,
                        FieldType::Date | FieldType::DateTime { .. } | FieldType::Week
                    )
            });
            if !ok {
                errors.push((
                    name.clone(),
                    SchemaError {
                        key: "date".into(),
                        message: format!(
                            "`date = \"{d}\"` must name a field of type date, datetime or week"
                        ),
                        help: None,
                    },
                ));
            }
        }
        if rc.calendar {
            for needed in ["start", "end"] {
                let ok = fields.iter().any(|f| {
                    f.name == needed && f.required && matches!(f.ty, FieldType::DateTime { .. })
                });
                if !ok {
                    errors.push((
                        name.clone(),
                        SchemaError {
                            key: "calendar".into(),
                            message: format!(
                                "`calendar = true` needs a required datetime field `{needed}`"
                            ),
                            help: Some(format!(
                                "add `{needed} = {{ type = \"datetime\", required = true }}` to the fields"
                            )),
                        },
                    ));
                }
            }
        }
        out.push(Collection {
            calendar: rc.calendar,
            folder: rc
                .folder
                .unwrap_or_else(|| name.clone())
                .trim_matches('/')
                .to_string(),
            name,
            date_field: rc.date,
            fields,
        });
    }
    (out, errors)
}

pub(crate) fn field_type(
    field: &str,
    rf: &RawField,
    ty: &str,
    collections: &[String],
    site_tz: &jiff::tz::TimeZone,
) -> Result<FieldType, SchemaError> {
    let err = |message: String, help: Option<String>| SchemaError {
        key: field.to_string(),
        message,
        help,
    };
    Ok(match ty {
        "string" => FieldType::String,
        "text" => FieldType::Text,
        "integer" => FieldType::Integer {
            min: rf.min,
            max: rf.max,
        },
        "number" => FieldType::Number {
            min: rf.min,
            max: rf.max,
        },
        "boolean" => FieldType::Boolean,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime {
            zone: match &rf.time_zone {
                None => site_tz.clone(),
                Some(z) => jiff::tz::TimeZone::get(z).map_err(|_| {
                    err(
                        format!("`{z}` is not a time zone"),
                        Some("use an IANA name such as `Europe/Oslo`".into()),
                    )
                })?,
            },
        },
        "week" => FieldType::Week,
        "url" => FieldType::Url,
        "email" => FieldType::Email,
        "image" => FieldType::Image {
            alt: rf.alt,
            decorative: rf.decorative,
        },
        "video" => FieldType::Video,
        "geo" => FieldType::Geo,
        "file" => {
            if rf.extensions.is_empty() {
                return Err(err(
                    format!("the file field `{field}` has no `extensions`"),
                    Some("add `extensions = [\"pdf\"]`".into()),
                ));
            }
            FieldType::File {
                extensions: rf
                    .extensions
                    .iter()
                    .map(|e| e.trim_start_matches('.').to_lowercase())
                    .collect(),
            }
        }
        "enum" => {
            if rf.values.is_empty() {
                return Err(err(
                    format!("the enum `{field}` has no `values`"),
                    Some("add `values = [\"a\", \"b\"]`".into()),
                ));
            }
            FieldType::Enum(rf.values.clone())
        }
        "ref" => match &rf.collection {
            Some(c) if collections.contains(c) => FieldType::Ref {
                collection: c.clone(),
            },
            Some(c) => {
                let help = crate::diag::did_you_mean(c, collections.iter().map(String::as_str))
                    .map(|b| format!("did you mean `{b}`?"));
                return Err(err(
                    format!("`{field}` refers to the collection `{c}`, which is not declared"),
                    help,
                ));
            }
            None => {
                return Err(err(
                    format!("the ref `{field}` does not say which collection it points into"),
                    Some("add `collection = \"municipalities\"`".into()),
                ));
            }
        },
        "list" => match rf.of.as_deref() {
            Some("list") => {
                return Err(err(
                    "a list of lists is not supported".into(),
                    Some("use a list of another type".into()),
                ));
            }
            Some(of) => FieldType::List(Box::new(field_type(field, rf, of, collections, site_tz)?)),
            None => {
                return Err(err(
                    format!("the list `{field}` does not say what it holds"),
                    Some("add `of = \"string\"` (or another type)".into()),
                ));
            }
        },
        other => {
            let help = crate::diag::did_you_mean(other, TYPE_NAMES.iter().copied())
                .map(|b| format!("did you mean `{b}`?"))
                .unwrap_or_else(|| format!("the types are {}", TYPE_NAMES.join(", ")));
            return Err(err(format!("`{other}` is not a field type"), Some(help)));
        }
    })
}

// ---------------------------------------------------------------------------
// Checking values

/// Where a value is checked: the page's bundle folder, if it is a bundle.
#[derive(Debug, Clone, Copy)]
pub struct CheckCtx<'a> {
    pub bundle_dir: Option<&'a Path>,
}

/// Why a value does not fit its field.
#[derive(Debug, PartialEq)]
pub struct ValueError {
    pub message: String,
    pub help: Option<String>,
}

impl ValueError {
    fn new(message: impl Into<String>) -> Self {
        ValueError {
            message: message.into(),
            help: None,
        }
    }
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Checks one value (TOML and YAML both arrive as JSON values; TOML dates as
/// strings) against its field. Missing alt text, which is only a warning where
/// the schema does not require it, is returned beside the value.
pub fn check_value(
    def: &FieldDef,
    ty: &FieldType,
    v: &Json,
    ctx: CheckCtx<'_>,
    warnings: &mut Vec<ValueError>,
) -> Result<FieldValue, ValueError> {
    let name = &def.name;
    let wrong = || {
        ValueError::new(format!(
            "`{name}` must be {}, not {}",
            ty.expected(),
            found(v)
        ))
        .help(format!("write it as `{}`", ty.example(name)))
    };
    let text = || v.as_str().ok_or_else(wrong);
    Ok(match ty {
        FieldType::String | FieldType::Text => {
            let s = text()?;
            if def.required && s.trim().is_empty() {
                return Err(ValueError::new(format!("`{name}` is empty")).help("fill it in"));
            }
            if *ty == FieldType::String && s.contains('\n') {
                return Err(ValueError::new(format!("`{name}` must be a single line")));
            }
            FieldValue::String(s.to_string())
        }
        FieldType::Integer { min, max } => {
            let n = v.as_i64().ok_or_else(wrong)?;
            in_range(name, n as f64, *min, *max)?;
            FieldValue::Integer(n)
        }
        FieldType::Number { min, max } => {
            let n = v.as_f64().ok_or_else(wrong)?;
            in_range(name, n, *min, *max)?;
            FieldValue::Number(n)
        }
        FieldType::Boolean => FieldValue::Bool(v.as_bool().ok_or_else(wrong)?),
        FieldType::Date => {
            let s = text()?;
            FieldValue::Date(s.parse().map_err(|_| wrong())?)
        }
        FieldType::DateTime { zone } => {
            FieldValue::DateTime(parse_datetime(text()?, zone).ok_or_else(wrong)?)
        }
        FieldType::Week => {
            let s = text()?;
            FieldValue::Week(parse_week(s).ok_or_else(|| {
                ValueError::new(format!("`{name}` is not an ISO week: `{s}`"))
                    .help(format!("write it as `{}`", ty.example(name)))
            })?)
        }
        FieldType::Url => {
            let s = text()?;
            match url::Url::parse(s) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    FieldValue::Url(s.to_string())
                }
                _ => return Err(wrong()),
            }
        }
        FieldType::Email => {
            let s = text()?;
            if !email_address::EmailAddress::is_valid(s) {
                return Err(wrong());
            }
            FieldValue::Email(s.to_string())
        }
        FieldType::Image { alt, decorative } => {
            let (src, alt_text, credit) = match v {
                Json::String(s) => (s.as_str(), None, None),
                Json::Object(m) => {
                    only_keys(name, m, &["src", "alt", "credit"])?;
                    let src = m.get("src").and_then(Json::as_str).ok_or_else(|| {
                        ValueError::new(format!("`{name}` has no `src`"))
                            .help(format!("write it as `{}`", ty.example(name)))
                    })?;
                    (src, opt_str(name, m, "alt")?, opt_str(name, m, "credit")?)
                }
                _ => return Err(wrong()),
            };
            bundle_file(
                name,
                src,
                ctx,
                &["jpg", "jpeg", "png", "webp", "gif", "avif", "svg"],
            )?;
            // No alt text is a warning (an error where the schema asks for
            // it); an explicit empty one marks a decorative image.
            let missing = match alt_text.as_deref() {
                None => !*decorative,
                Some(a) => *alt && a.trim().is_empty(),
            };
            if missing {
                let example = format!("`{name} = {{ src = \"{src}\", alt = \"…\" }}`");
                let e = ValueError::new(format!("the image `{src}` in `{name}` has no alt text"))
                    .help(if *alt {
                        format!("describe what the photo shows: {example}")
                    } else {
                        format!(
                            "describe what the photo shows: {example}, or write `alt = \"\"` for a purely decorative image"
                        )
                    });
                if *alt {
                    return Err(e);
                }
                warnings.push(e);
            }
            FieldValue::Image(Image {
                src: src.to_string(),
                alt: alt_text,
                credit,
            })
        }
        FieldType::Video => FieldValue::Video(check_video(name, v, ctx)?),
        FieldType::Geo => {
            let (lat, lon) = match v {
                Json::Object(m) => {
                    only_keys(name, m, &["lat", "lon"])?;
                    (
                        m.get("lat").and_then(Json::as_f64),
                        m.get("lon").and_then(Json::as_f64),
                    )
                }
                Json::Array(a) if a.len() == 2 => (a[0].as_f64(), a[1].as_f64()),
                _ => (None, None),
            };
            let (Some(lat), Some(lon)) = (lat, lon) else {
                return Err(wrong());
            };
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(ValueError::new(format!(
                    "`{name}` is not on Earth: latitude must be within ±90 and longitude within ±180"
                )));
            }
            FieldValue::Geo { lat, lon }
        }
        FieldType::File { extensions } => {
            let src = text()?;
            let exts: Vec<&str> = extensions.iter().map(String::as_str).collect();
            bundle_file(name, src, ctx, &exts)?;
            FieldValue::File(file_info(name, src, ctx)?)
        }
        FieldType::Enum(values) => {
            let s = text()?;
            if !values.iter().any(|x| x == s) {
                let mut e = ValueError::new(format!(
                    "`{name}` is `{s}`, which is not one of {}",
                    quote_list(values)
                ));
                if let Some(best) = crate::diag::did_you_mean(s, values.iter().map(String::as_str))
                {
                    e = e.help(format!("did you mean `{best}`?"));
                }
                return Err(e);
            }
            FieldValue::Enum(s.to_string())
        }
        FieldType::Ref { .. } => {
            let s = text()?;
            let s = s.trim().trim_matches('/');
            if s.is_empty() || s.contains("..") {
                return Err(wrong());
            }
            FieldValue::Ref(s.to_string())
        }
        FieldType::List(item) => {
            let items = v.as_array().ok_or_else(wrong)?;
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(check_value(def, item, x, ctx, warnings)?);
            }
            if def.required && out.is_empty() {
                return Err(ValueError::new(format!("`{name}` is empty"))
                    .help(format!("write it as `{}`", ty.example(name))));
            }
            FieldValue::List(out)
        }
    })
}

/// A value as the author wrote it, shortened, for messages.
fn found(v: &Json) -> String {
    let text = match v {
        Json::String(s) => format!("`\"{s}\"`"),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "a table".into(),
        other => format!("`{other}`"),
    };
    if text.chars().count() > 60 {
        format!("{}…`", text.chars().take(58).collect::<String>())
    } else {
        text
    }
}

fn in_range(name: &str, n: f64, min: Option<f64>, max: Option<f64>) -> Result<(), ValueError> {
    if let Some(min) = min
        && n < min
    {
        return Err(ValueError::new(format!(
            "`{name}` is {n}, less than the least allowed, {min}"
        )));
    }
    if let Some(max) = max
        && n > max
    {
        return Err(ValueError::new(format!(
            "`{name}` is {n}, more than the most allowed, {max}"
        )));
    }
    Ok(())
}

fn only_keys(
    name: &str,
    m: &serde_json::Map<String, Json>,
    keys: &[&str],
) -> Result<(), ValueError> {
    for k in m.keys() {
        if !keys.contains(&k.as_str()) {
            let mut e = ValueError::new(format!("`{name}` has an unknown key `{k}`"));
            e = match crate::diag::did_you_mean(k, keys.iter().copied()) {
                Some(best) => e.help(format!("did you mean `{best}`?")),
                None => e.help(format!("its keys are {}", keys.join(", "))),
            };
            return Err(e);
        }
    }
    Ok(())
}

fn opt_str(
    name: &str,
    m: &serde_json::Map<String, Json>,
    key: &str,
) -> Result<Option<String>, ValueError> {
    match m.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ValueError::new(format!("`{key}` of `{name}` must be text"))),
    }
}

/// Checks that `src` names an existing file of the page's bundle, inside it,
/// with one of `extensions`.
fn bundle_file(
    name: &str,
    src: &str,
    ctx: CheckCtx<'_>,
    extensions: &[&str],
) -> Result<(), ValueError> {
    let Some(dir) = ctx.bundle_dir else {
        return Err(ValueError::new(format!(
            "`{name}` names the file `{src}`, but this page is not a page bundle"
        ))
        .help("make the page a folder with an `index.md` and put the file beside it"));
    };
    let rel = Path::new(src);
    if src.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(ValueError::new(format!(
            "`{name}`: `{src}` is not a path inside the page's folder"
        ))
        .help("name a file beside index.md, such as `portrait.jpg` or `photos/market.jpg`"));
    }
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !extensions.contains(&ext.as_str()) {
        return Err(ValueError::new(format!(
            "`{name}`: `{src}` is not a file of a kind this field takes"
        ))
        .help(format!("use a file ending in {}", extensions.join(", "))));
    }
    let path = dir.join(rel);
    // A symlink could lead out of the site: only real files count.
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(ValueError::new(format!(
            "`{name}`: `{src}` is not a regular file"
        ))),
        Err(_) => {
            let mut e = ValueError::new(format!(
                "`{name}`: there is no file `{src}` in the page's folder"
            ));
            let names = sibling_names(dir);
            if let Some(best) = crate::diag::did_you_mean(src, names.iter().map(String::as_str)) {
                e = e.help(format!("did you mean `{best}`?"));
            } else {
                e = e.help("put the file beside index.md, or correct the name");
            }
            Err(e)
        }
    }
}

/// Size and, for a PDF, page count of a checked bundle file.
fn file_info(name: &str, src: &str, ctx: CheckCtx<'_>) -> Result<FileInfo, ValueError> {
    let path = ctx.bundle_dir.map(|d| d.join(src)).unwrap_or_default();
    let bytes = std::fs::read(&path)
        .map_err(|e| ValueError::new(format!("`{name}`: cannot read `{src}`: {e}")))?;
    let pages = if src.to_lowercase().ends_with(".pdf") {
        match lopdf::Document::load_mem(&bytes) {
            Ok(doc) => Some(doc.get_pages().len()),
            Err(e) => {
                return Err(ValueError::new(format!(
                    "`{name}`: `{src}` is not a readable PDF ({e})"
                ))
                .help("export the document again as PDF"));
            }
        }
    } else {
        None
    };
    Ok(FileInfo {
        src: src.to_string(),
        size: bytes.len() as u64,
        pages,
    })
}

fn sibling_names(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .max_depth(2)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

fn check_video(name: &str, v: &Json, ctx: CheckCtx<'_>) -> Result<Video, ValueError> {
    let example = FieldType::Video.example(name);
    let Json::Object(m) = v else {
        return Err(
            ValueError::new(format!("`{name}` must be a video")).help(format!(
                "write it as `{example}`, or with `file = \"clip.mp4\", captions = \"clip.vtt\"`"
            )),
        );
    };
    only_keys(
        name,
        m,
        &["youtube", "vimeo", "file", "captions", "title", "poster"],
    )?;
    let title = opt_str(name, m, "title")?
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            ValueError::new(format!("the video `{name}` has no `title`"))
                .help("a title tells screen-reader users what the video is: add `title = \"…\"`")
        })?;
    let poster = opt_str(name, m, "poster")?;
    if let Some(p) = &poster {
        bundle_file(name, p, ctx, &["jpg", "jpeg", "png", "webp", "avif"])?;
    }
    let youtube = opt_str(name, m, "youtube")?;
    let vimeo = opt_str(name, m, "vimeo")?;
    let file = opt_str(name, m, "file")?;
    let source = match (youtube, vimeo, file) {
        (Some(id), None, None) => VideoSource::YouTube(video_id(name, &id, true)?),
        (None, Some(id), None) => VideoSource::Vimeo(video_id(name, &id, false)?),
        (None, None, Some(src)) => {
            bundle_file(name, &src, ctx, &["mp4", "webm", "ogv", "mov"])?;
            let captions = opt_str(name, m, "captions")?.ok_or_else(|| {
                ValueError::new(format!("the video file `{src}` has no captions"))
                    .help("add a WebVTT file beside it: `captions = \"clip.vtt\"`")
            })?;
            bundle_file(name, &captions, ctx, &["vtt"])?;
            VideoSource::File { src, captions }
        }
        _ => {
            return Err(ValueError::new(format!(
                "`{name}` must have exactly one of `youtube`, `vimeo` or `file`"
            ))
            .help(format!("write it as `{example}`")));
        }
    };
    if !matches!(source, VideoSource::File { .. }) && poster.is_none() {
        return Err(ValueError::new(format!("the video `{name}` has no `poster`"))
            .help("add a still image from the video to the page's folder: `poster = \"poster.jpg\"`; nothing loads from the video site until the reader clicks"));
    }
    Ok(Video {
        source,
        title,
        poster,
    })
}

/// A YouTube id (11 characters) or a Vimeo id (digits); a full link to the
/// video is accepted and cut down to its id.
fn video_id(name: &str, s: &str, youtube: bool) -> Result<String, ValueError> {
    let s = s.trim();
    let id = if let Ok(u) = url::Url::parse(s) {
        if youtube {
            u.query_pairs()
                .find(|(k, _)| k == "v")
                .map(|(_, v)| v.into_owned())
                .or_else(|| u.path_segments()?.next_back().map(str::to_string))
        } else {
            u.path_segments()
                .and_then(|mut p| {
                    p.find(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(str::to_string)
        }
        .unwrap_or_default()
    } else {
        s.to_string()
    };
    let ok = if youtube {
        id.len() == 11
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    } else {
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
    };
    if ok {
        Ok(id)
    } else {
        Err(ValueError::new(format!(
            "`{name}`: `{s}` is not a {} video id",
            if youtube { "YouTube" } else { "Vimeo" }
        ))
        .help(if youtube {
            "use the 11 characters after `v=` in the video's address"
        } else {
            "use the number at the end of the video's address"
        }))
    }
}

/// `2026-W48` (or `2026W48`).
pub fn parse_week(s: &str) -> Option<jiff::civil::ISOWeekDate> {
    let (year, week) = s.trim().split_once('W')?;
    let year: i16 = year.trim_end_matches('-').parse().ok()?;
    let week: i8 = week.parse().ok()?;
    jiff::civil::ISOWeekDate::new(year, week, jiff::civil::Weekday::Monday).ok()
}

/// A time with an offset (`2026-11-23T18:00:00+01:00`), with a zone
/// (`2026-11-23T18:00[Europe/Oslo]`), or local and taken in `zone`.
pub fn parse_datetime(s: &str, zone: &jiff::tz::TimeZone) -> Option<jiff::Zoned> {
    let s = s.trim();
    if let Ok(z) = s.parse::<jiff::Zoned>() {
        return Some(z);
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.to_zoned(zone.clone()));
    }
    s.parse::<jiff::civil::DateTime>()
        .ok()?
        .to_zoned(zone.clone())
        .ok()
}

// ---------------------------------------------------------------------------
// JSON Schema, for editors

/// A JSON Schema (draft 2020-12) of a collection's front matter, for editors
/// that check and complete fields as the author types (VS Code with Even
/// Better TOML or YAML). `keys` lists, per collection name, the page names a
/// `ref` field may take.
pub fn json_schema(
    collection: &Collection,
    taxonomies: &[String],
    keys: &std::collections::BTreeMap<String, Vec<String>>,
) -> Json {
    use serde_json::json;
    let mut properties = serde_json::Map::new();
    let text = |d: &str| json!({ "type": "string", "description": d });
    properties.insert("title".into(), text("The page's title"));
    properties.insert(
        "description".into(),
        text("One or two sentences for listings and search engines"),
    );
    properties.insert("date".into(), json!({ "type": ["string"], "format": "date", "description": "Publication date; a later date schedules the page" }));
    properties.insert(
        "updated".into(),
        json!({ "type": "string", "format": "date" }),
    );
    properties.insert("draft".into(), json!({ "type": "boolean" }));
    properties.insert("slug".into(), text("The last part of the page's address"));
    properties.insert("aliases".into(), json!({ "type": "array", "items": { "type": "string" }, "description": "Old addresses that should lead here" }));
    properties.insert("weight".into(), json!({ "type": "integer" }));
    properties.insert("template".into(), json!({ "type": "string" }));
    properties.insert(
        "tags".into(),
        json!({ "type": "array", "items": { "type": "string" } }),
    );
    let tax: serde_json::Map<String, Json> = taxonomies
        .iter()
        .map(|t| {
            (
                t.clone(),
                json!({ "type": "array", "items": { "type": "string" } }),
            )
        })
        .collect();
    properties.insert(
        "taxonomies".into(),
        json!({ "type": "object", "properties": tax, "additionalProperties": false }),
    );
    properties.insert("extra".into(), json!({ "type": "object" }));
    properties.insert("translated_from".into(), json!({ "type": "string", "pattern": "^[0-9a-f]{8}$", "description": "In a translation: which version of the default-language page it was translated from (`polis translations mark` writes it)" }));
    let mut required = Vec::new();
    for f in &collection.fields {
        let mut s = type_schema(&f.ty, keys);
        let mut about = f.description.clone().unwrap_or_default();
        if f.shared {
            if !about.is_empty() {
                about.push(' ');
            }
            about.push_str(
                "(Shared by all translations: give it in the default language's file only.)",
            );
        }
        if let (Json::Object(m), false) = (&mut s, about.is_empty()) {
            m.insert("description".into(), Json::String(about));
        }
        properties.insert(f.name.clone(), s);
        // A shared field is required in one file of the group only, which a
        // schema for one file cannot say.
        if f.required && !f.shared {
            required.push(Json::String(f.name.clone()));
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("Front matter of a page in `{}`", collection.name),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn type_schema(ty: &FieldType, keys: &std::collections::BTreeMap<String, Vec<String>>) -> Json {
    use serde_json::json;
    let bounds = |mut s: Json, min: &Option<f64>, max: &Option<f64>| {
        if let Some(m) = min {
            s["minimum"] = json!(m);
        }
        if let Some(m) = max {
            s["maximum"] = json!(m);
        }
        s
    };
    let image = json!({
        "anyOf": [
            { "type": "string" },
            {
                "type": "object",
                "properties": { "src": { "type": "string" }, "alt": { "type": "string" }, "credit": { "type": "string" } },
                "required": ["src"],
                "additionalProperties": false
            }
        ]
    });
    match ty {
        FieldType::String | FieldType::Text => json!({ "type": "string" }),
        FieldType::Integer { min, max } => bounds(json!({ "type": "integer" }), min, max),
        FieldType::Number { min, max } => bounds(json!({ "type": "number" }), min, max),
        FieldType::Boolean => json!({ "type": "boolean" }),
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::DateTime { .. } => json!({ "type": "string" }),
        FieldType::Week => json!({ "type": "string", "pattern": "^[0-9]{4}-?W[0-9]{2}$" }),
        FieldType::Url => json!({ "type": "string", "format": "uri", "pattern": "^https?://" }),
        FieldType::Email => json!({ "type": "string", "format": "email" }),
        FieldType::Image { alt: true, .. } => json!({
            "type": "object",
            "properties": { "src": { "type": "string" }, "alt": { "type": "string", "minLength": 1 }, "credit": { "type": "string" } },
            "required": ["src", "alt"],
            "additionalProperties": false
        }),
        FieldType::Image { alt: false, .. } => image,
        FieldType::Video => json!({
            "type": "object",
            "properties": {
                "youtube": { "type": "string" }, "vimeo": { "type": "string" }, "file": { "type": "string" },
                "captions": { "type": "string" }, "title": { "type": "string" }, "poster": { "type": "string" }
            },
            "required": ["title"],
            "additionalProperties": false
        }),
        FieldType::Geo => json!({
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "lat": { "type": "number", "minimum": -90, "maximum": 90 },
                        "lon": { "type": "number", "minimum": -180, "maximum": 180 }
                    },
                    "required": ["lat", "lon"],
                    "additionalProperties": false
                },
                { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 }
            ]
        }),
        FieldType::Enum(values) => json!({ "enum": values }),
        FieldType::File { extensions } => json!({
            "type": "string",
            "pattern": format!("\\.({})$", extensions.join("|"))
        }),
        FieldType::Ref { collection } => match keys.get(collection) {
            Some(k) if !k.is_empty() => json!({ "enum": k }),
            _ => json!({ "type": "string" }),
        },
        FieldType::List(item) => json!({ "type": "array", "items": type_schema(item, keys) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(ty: FieldType) -> FieldDef {
        FieldDef {
            name: "f".into(),
            ty,
            required: true,
            unique: false,
            shared: false,
            description: None,
            stale_after_days: None,
        }
    }

    fn check(ty: FieldType, v: Json) -> Result<FieldValue, String> {
        let d = def(ty.clone());
        check_value(&d, &ty, &v, CheckCtx { bundle_dir: None }, &mut Vec::new())
            .map_err(|e| e.message)
    }

    #[test]
    fn values_of_each_simple_type() {
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        assert_eq!(
            check(
                FieldType::Integer {
                    min: Some(0.0),
                    max: None
                },
                json!(5)
            ),
            Ok(FieldValue::Integer(5))
        );
        assert!(
            check(
                FieldType::Integer {
                    min: Some(0.0),
                    max: None
                },
                json!(-1)
            )
            .is_err()
        );
        assert!(
            check(
                FieldType::Integer {
                    min: None,
                    max: None
                },
                json!(1.5)
            )
            .is_err()
        );
        assert!(
            check(
                FieldType::Integer {
                    min: None,
                    max: None
                },
                json!("5")
            )
            .is_err()
        );
        assert_eq!(
            check(FieldType::Boolean, json!(true)),
            Ok(FieldValue::Bool(true))
        );
        assert!(check(FieldType::Url, json!("www.example.no")).is_err());
        assert!(check(FieldType::Url, json!("javascript:alert(1)")).is_err());
        assert!(check(FieldType::Url, json!("https://www.example.no/")).is_ok());
        assert!(check(FieldType::Email, json!("post@example.no")).is_ok());
        assert!(check(FieldType::Email, json!("post at example")).is_err());
        assert_eq!(
            check(FieldType::Week, json!("2026-W48")).map(|v| v.key()),
            Ok("2026-W48".into())
        );
        assert!(check(FieldType::Week, json!("2026-W54")).is_err());
        let dt = check(
            FieldType::DateTime { zone: oslo.clone() },
            json!("2026-12-03T18:00:00"),
        )
        .unwrap();
        let FieldValue::DateTime(z) = dt else {
            panic!()
        };
        assert_eq!(z.offset().seconds(), 3600);
        let dt = check(
            FieldType::DateTime { zone: oslo },
            json!("2026-07-03T18:00[America/New_York]"),
        )
        .unwrap();
        let FieldValue::DateTime(z) = dt else {
            panic!()
        };
        assert_eq!(z.time_zone().iana_name(), Some("America/New_York"));
        assert_eq!(
            check(FieldType::Geo, json!({"lat": 59.7, "lon": 10.2})),
            Ok(FieldValue::Geo {
                lat: 59.7,
                lon: 10.2
            })
        );
        assert!(check(FieldType::Geo, json!({"lat": 95.0, "lon": 10.2})).is_err());
        let e = check(
            FieldType::Enum(vec!["Akershus".into(), "Buskerud".into()]),
            json!("Akershsu"),
        )
        .unwrap_err();
        assert!(e.contains("not one of"), "{e}");
        assert_eq!(
            check(
                FieldType::List(Box::new(FieldType::String)),
                json!(["a", "b"])
            ),
            Ok(FieldValue::List(vec![
                FieldValue::String("a".into()),
                FieldValue::String("b".into())
            ]))
        );
    }

    #[test]
    fn week_dates_a_page_on_its_monday() {
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        let w = parse_week("2026-W48").unwrap();
        let d = FieldValue::Week(w).as_page_date(&oslo).unwrap();
        assert_eq!(d.rfc3339(), "2026-11-23T00:00:00+01:00");
    }

    #[test]
    fn video_ids_from_links() {
        assert_eq!(
            video_id("v", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", true),
            Ok("dQw4w9WgXcQ".into())
        );
        assert_eq!(
            video_id("v", "https://youtu.be/dQw4w9WgXcQ", true),
            Ok("dQw4w9WgXcQ".into())
        );
        assert_eq!(
            video_id("v", "https://vimeo.com/76979871", false),
            Ok("76979871".into())
        );
        assert!(video_id("v", "<script>", true).is_err());
    }
}
