//! `[collections]` of `site.toml`: the raw declarations of typed fields and
//! their conversion into the schema of the model ([`Collection`]), the one
//! place that checks them. Values are checked against the schema by load
//! (`load::fields`).

use indexmap::IndexMap;
use serde::Deserialize;

use crate::model::CORE_KEYS;
use crate::model::fields::{Collection, FieldDef, FieldType};

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
    /// For shared fields whose value is words in a language (an organiser):
    /// a translation may give its own, and `polis check` warns where it does
    /// not (issue 21).
    #[serde(default)]
    pub translatable: bool,
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
                    if CORE_KEYS.contains(&field.as_str()) {
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
                        translatable: rf.translatable,
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

/// The type names of `site.toml`.
pub const TYPE_NAMES: &[&str] = &[
    "string", "text", "integer", "number", "boolean", "date", "datetime", "week", "url", "email",
    "image", "video", "geo", "enum", "file", "ref", "list",
];

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
