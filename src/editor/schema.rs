//! The mapping from polis's schema to the CMS's configuration: one folder
//! collection per `[collections.*]` and per plain section, one widget per
//! field, and the sections' own pages (`_index.md`): a folder collection's
//! index file, or a file of "Section pages" for the home page and sections
//! without pages. Pure: config and sections in, a serializable
//! configuration out.
//!
//! Sveltia CMS reads Decap CMS's format; what it adds and what is used here:
//! `i18n.omit_default_locale_from_file_path` (`name.md` + `name.nb.md`),
//! `output.omit_empty_optional_fields` (an empty optional field is left out,
//! as polis wants, not written as `""`), `type: url`/`email` on string fields,
//! entry-relative media (`media_folder: ""`, photos in the page bundle).

use serde::Serialize;
use serde_yaml_ng::Value;

use crate::config::Config;
use crate::model::fields::{Collection, FieldDef, FieldType};

/// How a section's files write their front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontFormat {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
}

/// A plain section the editor offers (news, the topics), as the site's files
/// have it.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub folder: String,
    pub label: String,
    pub description: Option<String>,
    pub format: FrontFormat,
    /// Pages are bundles (`name/index.md`).
    pub bundles: bool,
    /// The section's listing orders its pages by `weight` (`sort_by =
    /// "weight"` in its `_index.md`).
    pub by_weight: bool,
}

/// A section's own page (`_index.md`), as the site's file has it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexPage {
    /// Relative to `content/`; empty for the home page.
    pub folder: String,
    pub label: String,
    pub format: FrontFormat,
}

/// The CMS's configuration (`/admin/config.yml`), in the order it is written.
#[derive(Debug, Serialize)]
pub struct CmsConfig {
    backend: Backend,
    publish_mode: &'static str,
    site_url: String,
    media_folder: &'static str,
    public_folder: &'static str,
    slug: SlugOptions,
    i18n: I18nOptions,
    output: OutputOptions,
    pub collections: Vec<AnyCollection>,
}

/// A collection of the CMS: a folder of pages, or a list of single files.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AnyCollection {
    /// Boxed: much the larger.
    Folder(Box<CmsCollection>),
    Files(FileCollection),
}

/// A file collection: each file one entry of its own, translations beside it.
#[derive(Debug, Serialize)]
pub struct FileCollection {
    pub name: String,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    i18n: bool,
    pub files: Vec<CmsFile>,
}

/// One file of a file collection.
#[derive(Debug, Serialize)]
pub struct CmsFile {
    pub name: String,
    label: String,
    /// `content/live/_index.{{locale}}.md`: the CMS leaves the default
    /// language's suffix out.
    pub file: String,
    pub format: &'static str,
    i18n: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Serialize)]
struct Backend {
    name: &'static str,
    repo: String,
    branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_root: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    open_authoring: bool,
    /// What contributors grant the CMS: their public repositories only.
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_scope: Option<&'static str>,
    commit_messages: CommitMessages,
}

/// Commit and pull request titles that say what changed, as a person would.
#[derive(Debug, Serialize)]
struct CommitMessages {
    create: &'static str,
    update: &'static str,
    delete: &'static str,
    #[serde(rename = "uploadMedia")]
    upload_media: &'static str,
    #[serde(rename = "deleteMedia")]
    delete_media: &'static str,
    #[serde(rename = "openAuthoring")]
    open_authoring: &'static str,
}

#[derive(Debug, Serialize)]
struct SlugOptions {
    encoding: &'static str,
    clean_accents: bool,
}

#[derive(Debug, Serialize)]
struct I18nOptions {
    structure: &'static str,
    locales: Vec<String>,
    default_locale: String,
    omit_default_locale_from_file_path: bool,
}

#[derive(Debug, Serialize)]
struct OutputOptions {
    omit_empty_optional_fields: bool,
}

/// One folder collection.
#[derive(Debug, Serialize)]
pub struct CmsCollection {
    pub name: String,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    pub folder: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_folder: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_folder: Option<&'static str>,
    create: bool,
    extension: &'static str,
    pub format: &'static str,
    i18n: bool,
    pub fields: Vec<Field>,
    /// The section's own page, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_file: Option<IndexFile>,
}

/// A folder collection's `_index.md` (Sveltia's Hugo index file), with a
/// form of its own.
#[derive(Debug, Serialize)]
pub struct IndexFile {
    name: &'static str,
    label: String,
    icon: &'static str,
    format: &'static str,
    pub fields: Vec<Field>,
}

/// Whether a field is written in each language's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum I18n {
    /// Only in the default language's file: a shared field.
    Shared,
    /// Each language its own value.
    Translated,
    /// Edited once, written into every language's file (`date`, `draft`,
    /// `[taxonomies]`, which polis reads per file).
    Duplicated,
}

impl Serialize for I18n {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            I18n::Shared => s.serialize_bool(false),
            I18n::Translated => s.serialize_bool(true),
            I18n::Duplicated => s.serialize_str("duplicate"),
        }
    }
}

/// One field of a form: a widget and its options.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub widget: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub i18n: Option<I18n>,
    /// Strings: `url` or `email`, checked by the form.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub input_type: Option<&'static str>,
    /// A regular expression the value must match, and the message when not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<[String; 2]>,
    /// Numbers: `int` or `float`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<Value>,
    /// Dates: `false` for a day without a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_format: Option<bool>,
    /// Selects: the values allowed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple: Option<bool>,
    /// Relations: the collection pointed into, and what is stored and shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_field: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub search_fields: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub display_fields: Vec<&'static str>,
    /// Files and images: the file types the picker offers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept: Option<String>,
    /// Files and images come from the page's folder, not from a web address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choose_url: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Lists of one kind of item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<Box<Field>>,
    /// Objects, and lists of objects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'static str>,
}

impl CmsConfig {
    /// The folder collections, in order.
    pub fn folders(&self) -> impl Iterator<Item = &CmsCollection> {
        self.collections.iter().filter_map(|c| match c {
            AnyCollection::Folder(f) => Some(&**f),
            AnyCollection::Files(_) => None,
        })
    }

    /// The collection of the sections' own pages, when there are any.
    pub fn index_pages(&self) -> Option<&FileCollection> {
        self.collections.iter().find_map(|c| match c {
            AnyCollection::Files(f) => Some(f),
            AnyCollection::Folder(_) => None,
        })
    }

    pub fn to_yaml(&self) -> String {
        let body = serde_yaml_ng::to_string(self).expect("the CMS configuration serializes");
        format!(
            "# Generated by `polis build` from site.toml ([editor], [collections]) and the\n# sections under content/. Do not edit: change site.toml and build again.\n{body}"
        )
    }
}

/// The whole configuration: backend and workflow from `[editor]`, a
/// collection per `[collections.*]` and per plain section, and one of the
/// sections' own pages.
pub fn cms_config(config: &Config, sections: &[Section], index_pages: &[IndexPage]) -> CmsConfig {
    let editor = &config.editor;
    let github = editor.backend == crate::config::editor::EditorBackend::GitHub;
    let languages: Vec<String> = config
        .languages
        .iter()
        .map(|l| l.code.as_str().to_string())
        .collect();
    let mut collections: Vec<CmsCollection> = config
        .collections
        .iter()
        .map(|c| collection_of(config, c, sections))
        .collect();
    // A collection's own section is its collection already.
    collections.extend(
        sections
            .iter()
            .filter(|s| config.collections.iter().all(|c| c.folder != s.folder))
            .map(|s| plain_collection(config, s, Vec::new())),
    );
    // A section's own page goes with its pages where it has a collection.
    let mut others: Vec<&IndexPage> = Vec::new();
    for page in index_pages {
        let folder = format!("content/{}", page.folder);
        match collections.iter_mut().find(|c| c.folder == folder) {
            Some(c) if !page.folder.is_empty() => c.index_file = Some(index_file_of(config, page)),
            _ => others.push(page),
        }
    }
    let mut collections: Vec<AnyCollection> = collections
        .into_iter()
        .map(|c| AnyCollection::Folder(Box::new(c)))
        .collect();
    if !others.is_empty() {
        collections.push(AnyCollection::Files(index_collection(config, &others)));
    }
    CmsConfig {
        backend: Backend {
            name: if github { "github" } else { "test-repo" },
            repo: editor.repo.clone(),
            branch: editor.branch.clone(),
            base_url: editor.auth_url.clone(),
            api_root: editor.api_root.clone().filter(|_| github),
            open_authoring: github && editor.open_authoring,
            auth_scope: (github && editor.open_authoring).then_some("public_repo"),
            commit_messages: CommitMessages {
                create: "{{collection}}: add “{{slug}}”",
                update: "{{collection}}: update “{{slug}}”",
                delete: "{{collection}}: delete “{{slug}}”",
                upload_media: "upload “{{path}}”",
                delete_media: "delete “{{path}}”",
                open_authoring: "{{message}} (by {{author-login}})",
            },
        },
        publish_mode: "editorial_workflow",
        site_url: config.base_url.clone(),
        // Pages that are not bundles keep their photos in static/images/.
        media_folder: "static/images",
        public_folder: "/images",
        slug: SlugOptions {
            encoding: "ascii",
            clean_accents: true,
        },
        i18n: I18nOptions {
            structure: "multiple_files",
            locales: languages,
            default_locale: config.default_language.as_str().to_string(),
            omit_default_locale_from_file_path: true,
        },
        output: OutputOptions {
            omit_empty_optional_fields: true,
        },
        collections,
    }
}

/// A collection's folder collection: the core fields, then its own. Its
/// files' format and layout come from the site (`sections` has the section's
/// layout when the caller looked at its files).
fn collection_of(config: &Config, c: &Collection, sections: &[Section]) -> CmsCollection {
    let needs_bundle = c
        .fields
        .iter()
        .any(|f| needs_bundle_file(&f.ty) && !matches!(f.ty, FieldType::Ref { .. }));
    let known = sections.iter().find(|s| s.folder == c.folder);
    let section = Section {
        folder: c.folder.clone(),
        label: known.map_or_else(|| humanize(&c.name), |s| s.label.clone()),
        description: known.and_then(|s| s.description.clone()),
        format: known.map_or(FrontFormat::Toml, |s| s.format),
        bundles: needs_bundle || known.is_some_and(|s| s.bundles),
        by_weight: known.is_some_and(|s| s.by_weight),
    };
    let own = c.fields.iter().map(field).collect();
    let mut out = plain_collection(config, &section, own);
    out.name = c.name.clone();
    if c.date_field.is_some() {
        // The collection's own date field dates its pages.
        out.fields.retain(|f| f.name != "date");
    }
    out
}

fn needs_bundle_file(ty: &FieldType) -> bool {
    match ty {
        FieldType::Image { .. } | FieldType::File { .. } | FieldType::Video => true,
        FieldType::List(item) => needs_bundle_file(item),
        _ => false,
    }
}

/// A section's folder collection with the core fields, `own` fields after
/// them, and the body last.
fn plain_collection(config: &Config, s: &Section, own: Vec<Field>) -> CmsCollection {
    let mut fields = core_fields(config);
    // Where the listing goes by weight, the editor sets it, unless the
    // schema has a field of that name.
    if s.by_weight && own.iter().all(|f| f.name != "weight") {
        fields.push(weight_field(
            "Orders the section's list of pages: lower comes first",
        ));
    }
    fields.extend(own);
    fields.push(body_field());
    CmsCollection {
        name: s.folder.replace('/', "_"),
        label: s.label.clone(),
        description: s.description.clone(),
        folder: format!("content/{}", s.folder),
        path: if s.bundles {
            "{{slug}}/index".into()
        } else {
            "{{slug}}".into()
        },
        // The page's photos and files in its own folder, named as polis reads them.
        media_folder: s.bundles.then_some(""),
        public_folder: s.bundles.then_some(""),
        create: true,
        extension: "md",
        format: format_name(s.format),
        i18n: config.languages.len() > 1,
        fields,
        index_file: None,
    }
}

/// The Markdown below the front matter.
fn body_field() -> Field {
    Field {
        name: "body".into(),
        label: "Text".into(),
        widget: "markdown",
        required: false,
        i18n: Some(I18n::Translated),
        ..Field::default()
    }
}

/// `weight`, an integer polis reads per file: written into every language's
/// file, as the site's files have it.
fn weight_field(hint: &str) -> Field {
    Field {
        name: "weight".into(),
        label: "Weight".into(),
        widget: "number",
        hint: Some(hint.into()),
        value_type: Some("int"),
        step: Some(Value::from(1)),
        required: false,
        i18n: Some(I18n::Duplicated),
        ..Field::default()
    }
}

/// The form of a section's own page: the title and description its
/// listing shows, its weight among its sibling sections (the home page has
/// none), and its text. The keys the form does not show (`sort_by`, `slug`,
/// `template`, `[extra]`) the CMS keeps.
fn index_fields(config: &Config, page: &IndexPage) -> Vec<Field> {
    let mut fields: Vec<Field> = core_fields(config)
        .into_iter()
        .filter(|f| matches!(f.name.as_str(), "title" | "description"))
        .collect();
    if !page.folder.is_empty() {
        fields.push(weight_field(
            "Orders the section among the sections beside it: lower comes first",
        ));
    }
    fields.push(body_field());
    fields
}

/// The `_index.md` of a section that has a folder collection: the CMS's
/// index file of that collection, pinned at the top of its list. (In a
/// file collection instead, Sveltia 0.221 would list the file among the
/// folder collection's pages too, with the pages' form: a folder
/// collection's members are the entries whose path its `{{slug}}` matches.)
fn index_file_of(config: &Config, page: &IndexPage) -> IndexFile {
    IndexFile {
        name: "_index",
        label: "Section page".into(),
        icon: "home",
        format: format_name(page.format),
        fields: index_fields(config, page),
    }
}

/// The other sections' own pages (`_index.md`, `_index.nb.md`, ...): the
/// home page's, and those of sections without pages, each a file of one
/// collection, with its translations beside it.
fn index_collection(config: &Config, pages: &[&IndexPage]) -> FileCollection {
    let i18n = config.languages.len() > 1;
    let files = pages
        .iter()
        .map(|p| {
            let dir = if p.folder.is_empty() {
                "content".to_string()
            } else {
                format!("content/{}", p.folder)
            };
            CmsFile {
                name: if p.folder.is_empty() {
                    "home".into()
                } else {
                    p.folder.replace('/', "__")
                },
                label: p.label.clone(),
                file: if i18n {
                    format!("{dir}/_index.{{{{locale}}}}.md")
                } else {
                    format!("{dir}/_index.md")
                },
                format: format_name(p.format),
                i18n,
                fields: index_fields(config, p),
            }
        })
        .collect();
    FileCollection {
        name: "section_pages".into(),
        label: "Section pages".into(),
        description: Some(
            "The home page, and the sections without pages of their own; a section with pages has its page at the top of its collection".into(),
        ),
        i18n,
        files,
    }
}

fn format_name(format: FrontFormat) -> &'static str {
    match format {
        FrontFormat::Toml => "toml-frontmatter",
        FrontFormat::Yaml => "yaml-frontmatter",
    }
}

/// The fields every page has (`CORE_KEYS`) that an author fills in.
fn core_fields(config: &Config) -> Vec<Field> {
    let mut fields = vec![
        Field {
            name: "title".into(),
            label: "Title".into(),
            widget: "string",
            required: true,
            i18n: Some(I18n::Translated),
            ..Field::default()
        },
        Field {
            name: "description".into(),
            label: "Description".into(),
            widget: "text",
            hint: Some("One or two sentences for search results and link previews".into()),
            required: false,
            i18n: Some(I18n::Translated),
            ..Field::default()
        },
        Field {
            name: "date".into(),
            label: "Date".into(),
            widget: "datetime",
            hint: Some("The day the page is published; a later day schedules it".into()),
            time_format: Some(false),
            required: false,
            i18n: Some(I18n::Duplicated),
            ..Field::default()
        },
        Field {
            name: "updated".into(),
            label: "Updated".into(),
            widget: "datetime",
            hint: Some("The day the page last changed in a way readers should know about".into()),
            time_format: Some(false),
            required: false,
            i18n: Some(I18n::Duplicated),
            ..Field::default()
        },
        Field {
            name: "draft".into(),
            label: "Draft".into(),
            widget: "boolean",
            hint: Some("A draft is not published".into()),
            required: false,
            default: Some(Value::Bool(false)),
            i18n: Some(I18n::Duplicated),
            ..Field::default()
        },
    ];
    let taxonomies: Vec<Field> = config
        .taxonomies
        .iter()
        .map(|t| {
            // An open taxonomy takes terms nobody declared: a free list, not
            // a choice among the declared ones.
            if t.terms.is_empty() || t.open {
                Field {
                    name: t.name.clone(),
                    label: humanize(&t.name),
                    widget: "list",
                    required: false,
                    i18n: Some(I18n::Duplicated),
                    field: Some(Box::new(Field {
                        name: "term".into(),
                        label: humanize(&t.name),
                        widget: "string",
                        required: true,
                        i18n: Some(I18n::Duplicated),
                        ..Field::default()
                    })),
                    ..Field::default()
                }
            } else {
                Field {
                    name: t.name.clone(),
                    label: humanize(&t.name),
                    widget: "select",
                    multiple: Some(true),
                    options: t.terms.iter().map(|term| term.key.clone()).collect(),
                    required: false,
                    i18n: Some(I18n::Duplicated),
                    ..Field::default()
                }
            }
        })
        .collect();
    if !taxonomies.is_empty() {
        fields.push(Field {
            name: "taxonomies".into(),
            label: "Taxonomies".into(),
            widget: "object",
            required: false,
            i18n: Some(I18n::Duplicated),
            fields: taxonomies,
            ..Field::default()
        });
    }
    fields
}

/// One collection field's widget: the type's widget, its name as the label,
/// its description as the hint, required as declared, written in the default
/// language's file only when shared (a shared field that is `translatable`
/// may be given again in a translation, so each language edits its own).
pub fn field(def: &FieldDef) -> Field {
    let i18n = if def.shared && !def.translatable {
        I18n::Shared
    } else {
        I18n::Translated
    };
    let mut f = widget(&def.name, &def.ty, def.required, i18n);
    // A time's widget says which clock it is read on; the description
    // comes first.
    f.hint = match (&def.description, f.hint.take()) {
        (Some(d), Some(zone)) => Some(format!("{}. {zone}", d.trim_end_matches('.'))),
        (d, zone) => d.clone().or(zone),
    };
    f
}

/// The clock a time field is edited on, for its hint: `Oslo time
/// (Europe/Oslo)`.
fn zone_hint(zone: &jiff::tz::TimeZone) -> String {
    match zone.iana_name() {
        Some(name) => {
            let city = name.rsplit('/').next().unwrap_or(name).replace('_', " ");
            format!("In {city} time ({name})")
        }
        None => "The site's time zone".into(),
    }
}

/// The widget of a value of type `ty`.
fn widget(name: &str, ty: &FieldType, required: bool, i18n: I18n) -> Field {
    let base = Field {
        name: name.to_string(),
        label: humanize(name),
        required,
        i18n: Some(i18n),
        ..Field::default()
    };
    // A part of an object: required within it, in the same files as it.
    let part = |name: &str, label: &str, widget: &'static str, required: bool| Field {
        name: name.into(),
        label: label.into(),
        widget,
        required,
        i18n: Some(i18n),
        ..Field::default()
    };
    match ty {
        FieldType::String => Field {
            widget: "string",
            ..base
        },
        FieldType::Text => Field {
            widget: "text",
            ..base
        },
        FieldType::Integer { min, max } => Field {
            widget: "number",
            value_type: Some("int"),
            min: min.map(number),
            max: max.map(number),
            step: Some(Value::from(1)),
            ..base
        },
        FieldType::Number { min, max } => Field {
            widget: "number",
            value_type: Some("float"),
            min: min.map(number),
            max: max.map(number),
            step: Some(Value::from(0.1)),
            ..base
        },
        FieldType::Boolean => Field {
            widget: "boolean",
            default: Some(Value::Bool(false)),
            ..base
        },
        FieldType::Date => Field {
            widget: "datetime",
            time_format: Some(false),
            ..base
        },
        // The time as the editor types it on the field's clock (the site's
        // unless the schema names one), stored as typed without an offset
        // (`2026-12-03T18:00:00`), which polis reads on that clock: the
        // site's files' own convention, right whatever the browser's zone.
        // Not `input_timezone`: Sveltia 0.221 would store an offset, but
        // would show the files' times without one in the browser's zone,
        // shifted wherever that is not the site's. Not `picker_utc`: UTC.
        // No `format`, so that the CMS writes a TOML datetime.
        FieldType::DateTime { zone } => Field {
            widget: "datetime",
            hint: Some(zone_hint(zone)),
            ..base
        },
        FieldType::Week => Field {
            widget: "string",
            pattern: Some([
                r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$".into(),
                "An ISO week: the year, -W and the week's number, as in 2026-W48".into(),
            ]),
            ..base
        },
        FieldType::Url => Field {
            widget: "string",
            input_type: Some("url"),
            pattern: Some([
                r"^https?://[^\s/]+\.[^\s]*$".into(),
                "A web address starting with https://".into(),
            ]),
            ..base
        },
        FieldType::Email => Field {
            widget: "string",
            input_type: Some("email"),
            pattern: Some([
                r"^[^\s@]+@[^\s@]+\.[^\s@]+$".into(),
                "An email address, as in post@example.no".into(),
            ]),
            ..base
        },
        FieldType::Image { alt, decorative } => {
            let image = Field {
                choose_url: Some(false),
                accept: Some(
                    "image/jpeg,image/png,image/webp,image/gif,image/avif,image/svg+xml".into(),
                ),
                ..part("src", "Image", "image", true)
            };
            if *decorative && !*alt {
                // Shown without alt text (a video's still image): the bare file name.
                return Field {
                    name: name.into(),
                    label: humanize(name),
                    required,
                    ..image
                };
            }
            let mut alt_field = part("alt", "Description (alt text)", "string", *alt);
            alt_field.hint = Some("What the photo shows, for readers who cannot see it".into());
            let mut credit = part("credit", "Credit", "string", false);
            credit.hint = Some("Who took the photo, and its licence".into());
            Field {
                widget: "object",
                summary: Some("{{fields.src}}"),
                fields: vec![image, alt_field, credit],
                ..base
            }
        }
        FieldType::Video => {
            let mut title = part("title", "Title", "string", true);
            title.hint = Some("What the video is, for screen-reader users".into());
            let mut youtube = part("youtube", "YouTube video", "string", false);
            youtube.hint =
                Some("The video's address or id; fill in one of YouTube, Vimeo or file".into());
            let vimeo = part("vimeo", "Vimeo video", "string", false);
            let file = Field {
                accept: Some("video/mp4,video/webm,video/ogg,video/quicktime".into()),
                choose_url: Some(false),
                ..part("file", "Video file", "file", false)
            };
            let mut captions = Field {
                accept: Some(".vtt,text/vtt".into()),
                choose_url: Some(false),
                ..part("captions", "Captions (WebVTT)", "file", false)
            };
            captions.hint = Some("Needed with a video file".into());
            let mut poster = Field {
                choose_url: Some(false),
                ..part("poster", "Still image", "image", false)
            };
            poster.hint =
                Some("Needed with a YouTube or Vimeo video: shown until the reader clicks".into());
            Field {
                widget: "object",
                summary: Some("{{fields.title}}"),
                fields: vec![title, youtube, vimeo, file, captions, poster],
                ..base
            }
        }
        FieldType::Geo => {
            let coordinate = |n: &str, label: &str, limit: f64| Field {
                value_type: Some("float"),
                min: Some(number(-limit)),
                max: Some(number(limit)),
                step: Some(Value::from(0.0001)),
                ..part(n, label, "number", true)
            };
            Field {
                widget: "object",
                fields: vec![
                    coordinate("lat", "Latitude", 90.0),
                    coordinate("lon", "Longitude", 180.0),
                ],
                ..base
            }
        }
        FieldType::Enum(values) => Field {
            widget: "select",
            options: values.clone(),
            ..base
        },
        FieldType::File { extensions } => Field {
            widget: "file",
            choose_url: Some(false),
            accept: Some(
                extensions
                    .iter()
                    .map(|e| format!(".{e}"))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ..base
        },
        FieldType::Ref { collection } => Field {
            widget: "relation",
            collection: Some(collection.clone()),
            value_field: Some("{{slug}}"),
            search_fields: vec!["title"],
            display_fields: vec!["title"],
            ..base
        },
        FieldType::List(item) => match item.as_ref() {
            FieldType::Enum(values) => Field {
                widget: "select",
                multiple: Some(true),
                options: values.clone(),
                min: required.then(|| Value::from(1)),
                ..base
            },
            FieldType::Ref { .. } => Field {
                multiple: Some(true),
                min: required.then(|| Value::from(1)),
                ..widget(name, item, required, i18n)
            },
            item => {
                let one = widget("item", item, true, i18n);
                let min = required.then(|| Value::from(1));
                if one.widget == "object" {
                    Field {
                        widget: "list",
                        summary: one.summary,
                        fields: one.fields,
                        min,
                        ..base
                    }
                } else {
                    Field {
                        widget: "list",
                        field: Some(Box::new(Field {
                            label: humanize(name),
                            ..one
                        })),
                        min,
                        ..base
                    }
                }
            }
        },
    }
}

/// A whole number as an integer, anything else as a float.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// `commute_minutes` → `Commute minutes`.
pub fn humanize(name: &str) -> String {
    let words = name.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;

    /// A site with one collection that has a field of every type, with every
    /// option the mapping reads.
    const SITE: &str = r#"
base_url = "https://region.example/"
default_language = "en"
time_zone = "Europe/Oslo"
[languages.en]
[languages.nb]
[[taxonomies]]
name = "tags"
[[taxonomies]]
name = "topics"
[taxonomies.terms.live]
[taxonomies.terms.work]
[editor]
repo = "region/site"
open_authoring = true
auth_url = "https://auth.region.example"
[collections.towns]
[collections.towns.fields]
string = { type = "string", required = true, shared = true, description = "A line" }
text = { type = "text" }
integer = { type = "integer", min = 0, max = 300, required = true }
number = { type = "number", min = 0.5 }
boolean = { type = "boolean", shared = true }
day = { type = "date", shared = true }
datetime = { type = "datetime", time_zone = "Europe/London", description = "When" }
week = { type = "week", required = true }
url = { type = "url" }
email = { type = "email" }
image_alt = { type = "image", alt = true, required = true }
image = { type = "image" }
image_decorative = { type = "image", decorative = true }
video = { type = "video" }
geo = { type = "geo", required = true, shared = true }
enum = { type = "enum", values = ["a", "b"], required = true }
file = { type = "file", extensions = ["pdf", ".CSV"] }
ref = { type = "ref", collection = "towns" }
strings = { type = "list", of = "string", required = true }
images = { type = "list", of = "image", alt = true }
enums = { type = "list", of = "enum", values = ["x", "y"] }
refs = { type = "list", of = "ref", collection = "towns", required = true }
weeks = { type = "list", of = "week" }
[collections.diary]
date = "week"
[collections.diary.fields]
week = { type = "week", required = true }
"#;

    fn config() -> Config {
        let mut diags = Diagnostics::default();
        let c = crate::config::parse_config(std::path::Path::new("/site"), SITE, &mut diags);
        assert!(diags.is_empty(), "{:?}", diags.sorted());
        c.expect("the test site's config is valid")
    }

    fn field_of<'c>(c: &'c CmsConfig, collection: &str, name: &str) -> &'c Field {
        let coll = c
            .folders()
            .find(|x| x.name == collection)
            .expect("collection");
        coll.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    fn yaml(f: &Field) -> String {
        serde_yaml_ng::to_string(f).unwrap()
    }

    #[test]
    fn every_field_type_maps_to_its_widget() {
        let c = cms_config(&config(), &[], &[]);
        let coll = c.folders().next().unwrap();
        let own: Vec<&Field> = coll
            .fields
            .iter()
            .filter(|f| config().collections[0].field(&f.name).is_some())
            .collect();
        // Every declared field, in order, each once.
        assert_eq!(own.len(), config().collections[0].fields.len());
        let all: String = own
            .iter()
            .map(|f| format!("# {}\n{}", f.name, yaml(f)))
            .collect();
        insta::assert_snapshot!("every_field_type", all);
    }

    #[test]
    fn options_reach_the_widgets() {
        let c = cms_config(&config(), &[], &[]);
        let f = |n: &str| -> &Field { field_of(&c, "towns", n) };
        // required, description, shared
        assert!(f("string").required);
        assert!(!f("text").required);
        assert_eq!(f("string").hint.as_deref(), Some("A line"));
        assert_eq!(f("string").i18n, Some(I18n::Shared));
        assert_eq!(f("text").i18n, Some(I18n::Translated));
        // numbers
        assert_eq!(f("integer").value_type, Some("int"));
        assert_eq!(f("integer").min, Some(Value::from(0)));
        assert_eq!(f("integer").max, Some(Value::from(300)));
        assert_eq!(f("number").value_type, Some("float"));
        assert_eq!(f("number").min, Some(Value::from(0.5)));
        assert_eq!(f("number").max, None);
        // dates: a day, or a time with the zone named in the hint
        assert_eq!(f("day").time_format, Some(false));
        assert_eq!(f("datetime").time_format, None);
        assert_eq!(
            f("datetime").hint.as_deref(),
            Some("When. In London time (Europe/London)")
        );
        // validated strings
        assert!(f("week").pattern.is_some());
        assert_eq!(f("url").input_type, Some("url"));
        assert_eq!(f("email").input_type, Some("email"));
        // images: alt text required only where the schema says so
        let alt = |n: &str| {
            f(n).fields
                .iter()
                .find(|x| x.name == "alt")
                .map(|x| x.required)
        };
        assert_eq!(alt("image_alt"), Some(true));
        assert_eq!(alt("image"), Some(false));
        assert_eq!(f("image_decorative").widget, "image");
        assert_eq!(alt("images"), Some(true));
        // geo as two numbers, as polis reads it
        let geo: Vec<&str> = f("geo").fields.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(geo, ["lat", "lon"]);
        // enum, file, ref
        assert_eq!(f("enum").options, ["a", "b"]);
        assert_eq!(f("file").accept.as_deref(), Some(".pdf,.csv"));
        assert_eq!(f("ref").widget, "relation");
        assert_eq!(f("ref").collection.as_deref(), Some("towns"));
        // lists
        assert_eq!(f("strings").widget, "list");
        assert_eq!(f("strings").min, Some(Value::from(1)));
        assert_eq!(f("enums").multiple, Some(true));
        assert_eq!(f("refs").widget, "relation");
        assert_eq!(f("refs").multiple, Some(true));
        assert_eq!(
            f("weeks").field.as_ref().unwrap().pattern,
            f("week").pattern
        );
    }

    #[test]
    fn collections_are_bundles_with_translations_and_workflow() {
        let c = cms_config(&config(), &[], &[]);
        let towns = c.folders().next().unwrap();
        // A collection with images keeps them in the page's own folder.
        assert_eq!(towns.path, "{{slug}}/index");
        assert_eq!(towns.folder, "content/towns");
        assert_eq!(towns.format, "toml-frontmatter");
        // One with no file fields is plain files, and its week field dates it.
        let diary = c.folders().nth(1).unwrap();
        assert_eq!(diary.path, "{{slug}}");
        assert!(diary.fields.iter().all(|f| f.name != "date"));
        let text = c.to_yaml();
        for line in [
            "publish_mode: editorial_workflow",
            "  open_authoring: true",
            "  auth_scope: public_repo",
            "  base_url: https://auth.region.example",
            "  structure: multiple_files",
            "  omit_default_locale_from_file_path: true",
            "  omit_empty_optional_fields: true",
            "  media_folder: ''",
        ] {
            assert!(text.contains(line), "no `{line}` in\n{text}");
        }
        // Core fields: title translated, taxonomies once for every language.
        assert_eq!(field_of(&c, "towns", "title").i18n, Some(I18n::Translated));
        let tax = field_of(&c, "towns", "taxonomies");
        assert_eq!(tax.i18n, Some(I18n::Duplicated));
        assert_eq!(tax.fields[1].options, ["live", "work"]);
        assert_eq!(tax.fields[0].widget, "list");
    }

    #[test]
    fn plain_sections_keep_their_files_format() {
        let sections = [
            Section {
                folder: "news".into(),
                label: "News".into(),
                description: None,
                format: FrontFormat::Yaml,
                bundles: false,
                by_weight: false,
            },
            Section {
                folder: "towns".into(),
                label: "Our towns".into(),
                description: Some("Guides".into()),
                format: FrontFormat::Yaml,
                bundles: false,
                by_weight: false,
            },
        ];
        let c = cms_config(&config(), &sections, &[]);
        let news = c.folders().find(|x| x.name == "news").unwrap();
        assert_eq!(news.format, "yaml-frontmatter");
        assert_eq!(news.path, "{{slug}}");
        // A collection takes its label and format from its section's files.
        let towns = c.folders().next().unwrap();
        assert_eq!(towns.format, "yaml-frontmatter");
        assert!(c.to_yaml().contains("label: Our towns"));
        assert_eq!(c.collections.len(), 3);
    }

    fn section(folder: &str, by_weight: bool) -> Section {
        Section {
            folder: folder.into(),
            label: humanize(folder),
            description: None,
            format: FrontFormat::Toml,
            bundles: false,
            by_weight,
        }
    }

    /// Issue 18: where a section lists its pages by `weight`, its
    /// collection has a whole-number field for it, optional, written into
    /// every language's file as polis reads it per file; elsewhere none.
    #[test]
    fn weight_is_edited_where_the_listing_goes_by_it() {
        let sections = [
            section("live", true),
            section("news", false),
            section("towns", true),
        ];
        let c = cms_config(&config(), &sections, &[]);
        let names = |n: &str| -> Vec<String> {
            let coll = c.folders().find(|x| x.name == n).unwrap();
            coll.fields.iter().map(|f| f.name.clone()).collect()
        };
        assert_eq!(
            names("live"),
            [
                "title",
                "description",
                "date",
                "updated",
                "draft",
                "taxonomies",
                "weight",
                "body"
            ]
        );
        assert!(!names("news").contains(&"weight".to_string()));
        // A collection whose section goes by weight, its own fields after.
        assert!(names("towns").contains(&"weight".to_string()));
        let weight = field_of(&c, "live", "weight");
        assert_eq!(weight.widget, "number");
        assert_eq!(weight.value_type, Some("int"));
        assert!(!weight.required);
        assert_eq!(weight.i18n, Some(I18n::Duplicated));
        assert!(
            weight
                .hint
                .as_deref()
                .unwrap()
                .ends_with("lower comes first"),
            "{weight:?}"
        );
        // A schema field of that name is not given twice.
        let own = Field {
            name: "weight".into(),
            widget: "number",
            ..Field::default()
        };
        let coll = plain_collection(&config(), &section("live", true), vec![own]);
        assert_eq!(coll.fields.iter().filter(|f| f.name == "weight").count(), 1);
    }

    /// Issue 18: the sections' own pages: the home page's and those of
    /// sections without a folder collection are one file collection, a file
    /// each, with the translations beside the default language's file
    /// (`_index.md`, `_index.nb.md`) and each file's front matter format; a
    /// section with a folder collection has its page as that collection's
    /// index file. The home page has no weight, a section its weight among
    /// its siblings.
    #[test]
    fn section_pages_are_files_with_their_translations() {
        let pages = [
            IndexPage {
                folder: String::new(),
                label: "Home page".into(),
                format: FrontFormat::Toml,
            },
            IndexPage {
                folder: "live/housing".into(),
                label: "Housing".into(),
                format: FrontFormat::Yaml,
            },
        ];
        let c = cms_config(&config(), &[], &pages);
        let index = c.index_pages().expect("a collection of section pages");
        let files: Vec<(&str, &str, &str)> = index
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.file.as_str(), f.format))
            .collect();
        assert_eq!(
            files,
            [
                ("home", "content/_index.{{locale}}.md", "toml-frontmatter"),
                (
                    "live__housing",
                    "content/live/housing/_index.{{locale}}.md",
                    "yaml-frontmatter"
                )
            ]
        );
        let names = |i: usize| -> Vec<&str> {
            index.files[i]
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect()
        };
        assert_eq!(names(0), ["title", "description", "body"]);
        assert_eq!(names(1), ["title", "description", "weight", "body"]);
        let title = &index.files[1].fields[0];
        assert!(title.required);
        assert_eq!(title.i18n, Some(I18n::Translated));
        let text = c.to_yaml();
        for line in [
            "- name: section_pages",
            "  i18n: true",
            "  files:",
            "  - name: home",
            "    i18n: true",
        ] {
            assert!(text.contains(line), "no `{line}` in\n{text}");
        }
        // Without sections, no empty collection.
        assert!(cms_config(&config(), &[], &[]).index_pages().is_none());

        // A section with a folder collection has its page at the top of it,
        // as the CMS's index file, with the same form.
        let live = IndexPage {
            folder: "live".into(),
            label: "Live".into(),
            format: FrontFormat::Toml,
        };
        let c = cms_config(
            &config(),
            &[section("live", true)],
            &[pages[0].clone(), live],
        );
        let coll = c.folders().find(|x| x.name == "live").unwrap();
        let index = coll.index_file.as_ref().expect("the section's page");
        let names: Vec<&str> = index.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["title", "description", "weight", "body"]);
        let text = c.to_yaml();
        assert!(text.contains("  index_file:\n    name: _index\n"), "{text}");
        let files: Vec<&str> = c
            .index_pages()
            .unwrap()
            .files
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(files, ["home"]);
    }

    /// Issue 18: a time field's hint names the clock its picker works on.
    #[test]
    fn a_time_field_names_its_clock() {
        let zone = |n: &str| jiff::tz::TimeZone::get(n).unwrap();
        assert_eq!(
            zone_hint(&zone("Europe/Oslo")),
            "In Oslo time (Europe/Oslo)"
        );
        assert_eq!(
            zone_hint(&zone("America/Port_of_Spain")),
            "In Port of Spain time (America/Port_of_Spain)"
        );
        let undescribed = FieldDef {
            description: None,
            ..config().collections[0].field("datetime").unwrap().clone()
        };
        let f = field(&undescribed);
        assert_eq!(f.hint.as_deref(), Some("In London time (Europe/London)"));
        assert_eq!(f.time_format, None);
    }

    #[test]
    fn humanize_makes_labels() {
        assert_eq!(humanize("commute_minutes"), "Commute minutes");
        assert_eq!(humanize("area_km2"), "Area km2");
        assert_eq!(humanize(""), "");
    }
}
