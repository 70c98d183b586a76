//! Collections as plain data: the schema of a section whose pages carry typed
//! fields (`[collections.municipalities.fields]` in `site.toml`) and the
//! checked values of those fields. Config reads the schema from `site.toml`
//! (`config::collections`), load checks one file's values against it
//! (`load::fields`), resolve checks across files; this module only describes
//! them: no I/O, no other stage.

use super::Date;

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
    /// A shared field whose value is words: a translation may give its own.
    pub translatable: bool,
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

pub(crate) fn quote_list(values: &[String]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_dates_a_page_on_its_monday() {
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        let w = parse_week("2026-W48").unwrap();
        let d = FieldValue::Week(w).as_page_date(&oslo).unwrap();
        assert_eq!(d.rfc3339(), "2026-11-23T00:00:00+01:00");
    }
}
