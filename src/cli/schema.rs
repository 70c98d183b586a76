//! `polis schema`: a JSON Schema for each collection's front matter, so that
//! editors check and complete the fields as the author types.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use serde_json::Value as Json;

use super::build::site_root;
use crate::config::load_config;
use crate::diag::Diagnostics;
use crate::error::Result;
use crate::load::load_site;
use crate::model::fields::{Collection, FieldType};

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Where to write the schemas [default: ROOT/schemas]
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// What was written: (collection folder under `content/`, schema file).
pub struct Written {
    pub root: PathBuf,
    pub schemas: Vec<(String, PathBuf)>,
}

pub fn run(args: &SchemaArgs, diags: &mut Diagnostics) -> Result<Written> {
    let root = site_root(args.root.as_deref())?;
    let config = load_config(&root, diags)?;
    // The names a reference may take are the pages there are now.
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Ok(loaded) = load_site(&config, &mut Diagnostics::default()) {
        for c in &config.collections {
            let mut k: Vec<String> = loaded
                .files
                .iter()
                .filter(|f| f.kind != crate::model::FileKind::Section)
                .filter(|f| c.contains(&f.rel) && f.lang == config.default_language)
                .filter_map(|f| c.key_of(&f.group).map(str::to_string))
                .collect();
            k.sort();
            k.dedup();
            keys.insert(c.name.clone(), k);
        }
    }
    let taxonomies: Vec<String> = config.taxonomies.iter().map(|t| t.name.clone()).collect();
    let out = args.output.clone().unwrap_or_else(|| root.join("schemas"));
    crate::fs::create_dir_all(&out)?;
    let mut schemas = Vec::new();
    for c in &config.collections {
        let schema = json_schema(c, &taxonomies, &keys);
        let path = out.join(format!("{}.schema.json", c.name));
        let text = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
        crate::fs::write(&path, text.as_bytes())?;
        schemas.push((c.folder.clone(), path));
    }
    Ok(Written { root, schemas })
}

/// A JSON Schema (draft 2020-12) of a collection's front matter, for editors
/// that check and complete fields as the author types (VS Code with Even
/// Better TOML or YAML). `keys` lists, per collection name, the page names a
/// `ref` field may take.
pub fn json_schema(
    collection: &Collection,
    taxonomies: &[String],
    keys: &BTreeMap<String, Vec<String>>,
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

fn type_schema(ty: &FieldType, keys: &BTreeMap<String, Vec<String>>) -> Json {
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
