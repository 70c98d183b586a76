//! What templates see: lazy objects over the resolved site and the rendered
//! Markdown. Nothing is copied per page; a field is computed when a template
//! reads it.

use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};

use super::RenderCtx;
use super::bodies::Need;
use super::deps::{Read, Recorder};
use crate::assets::images::{ImageOptions, ImageSet, ImageSource};
use crate::model::fields::{FieldType, FieldValue, VideoSource};
use crate::model::{Lang, PageId, SectionId, UrlPath};
use crate::resolve::pager_url;

/// The site as one output sees it while it renders: the render context, and
/// the recorder of what the output read. Every object a template gets holds
/// one, and hands it on to the objects it leads to.
#[derive(Debug, Clone)]
pub struct View {
    pub ctx: Arc<RenderCtx>,
    pub rec: Arc<Recorder>,
}

impl View {
    /// A view for one output, with a recorder of its own.
    pub fn new(ctx: &Arc<RenderCtx>) -> Self {
        View {
            ctx: ctx.clone(),
            rec: Arc::default(),
        }
    }

    /// A view for a template function: what it reads goes to the recorder of
    /// the render it is called from.
    pub fn of_state(ctx: &Arc<RenderCtx>, state: &mut minijinja::State) -> Self {
        View {
            ctx: ctx.clone(),
            rec: Recorder::of_state(state),
        }
    }

    /// Notes that the output read `r`.
    pub fn read(&self, r: Read) {
        self.rec.read(r);
    }

    /// Notes that the output read each of `reads`.
    pub fn read_all(&self, reads: impl IntoIterator<Item = Read>) {
        reads.into_iter().for_each(|r| self.rec.read(r));
    }
}

impl std::ops::Deref for View {
    type Target = RenderCtx;

    fn deref(&self) -> &RenderCtx {
        &self.ctx
    }
}

fn url_value(u: &UrlPath) -> Value {
    Value::from(u.as_str())
}

#[derive(Debug)]
pub struct PageObj {
    pub ctx: View,
    pub id: PageId,
}

pub fn page_value(ctx: &View, id: PageId) -> Value {
    Value::from_object(PageObj {
        ctx: ctx.clone(),
        id,
    })
}

pub fn section_value(ctx: &View, id: SectionId) -> Value {
    Value::from_object(SectionObj {
        ctx: ctx.clone(),
        id,
    })
}

pub fn term_value(ctx: &View, tax: usize, term: usize) -> Value {
    Value::from_object(TermObj {
        ctx: ctx.clone(),
        tax,
        term,
    })
}

pub fn pages_value(ctx: &View, ids: &[PageId]) -> Value {
    Value::from(
        ids.iter()
            .map(|id| page_value(ctx, *id))
            .collect::<Vec<_>>(),
    )
}

impl Object for PageObj {
    /// A page prints as its title: its fields lead to other pages and back,
    /// so printing every field would never end.
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.ctx.site.page(self.id).title)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "title",
            "description",
            "date",
            "updated",
            "url",
            "permalink",
            "lang",
            "slug",
            "content",
            "summary",
            "has_more",
            "word_count",
            "reading_time",
            "toc",
            "weight",
            "draft",
            "extra",
            "tags",
            "taxonomies",
            "section",
            "ancestors",
            "prev",
            "next",
            "translations",
            "source",
            "collection",
            "fields",
            "referrers",
            "ics_url",
            "ended",
            "translation",
            "authors",
        ])
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let ctx = &self.ctx;
        let site = &ctx.site;
        let page = site.page(self.id);
        let file = &site.files[page.file];
        let front = &file.front;
        let key = key.as_str()?;
        // The Markdown only for the keys that show it: a listing that reads
        // titles does not render the pages' bodies.
        let md = |need| ctx.page_md(self.id, need);
        ctx.read(match key {
            "content" => Read::PageBody(self.id),
            "summary" | "has_more" | "word_count" | "reading_time" | "toc" => {
                Read::PageSummary(self.id)
            }
            _ => Read::PageMeta(self.id),
        });
        Some(match key {
            "title" => Value::from(page.title.as_str()),
            "description" => front
                .description
                .as_deref()
                .map_or(Value::from(()), Value::from),
            "date" => front
                .date
                .as_ref()
                .map_or(Value::from(()), |d| Value::from(d.rfc3339())),
            "updated" => front
                .updated
                .as_ref()
                .map_or(Value::from(()), |d| Value::from(d.rfc3339())),
            "url" => url_value(&page.url),
            "permalink" => Value::from(site.permalink(&page.url)),
            "lang" => Value::from(page.lang.as_str()),
            "slug" => Value::from(page.slug.as_str()),
            "content" => md(Need::Content).content.value(),
            "summary" => md(Need::Summary).summary.value(),
            "has_more" => Value::from(md(Need::Summary).has_more),
            "word_count" => Value::from(md(Need::Summary).word_count),
            "reading_time" => Value::from(md(Need::Summary).word_count.div_ceil(200).max(1)),
            "toc" => toc_value(&md(Need::Summary).toc),
            "weight" => front.weight.map_or(Value::from(()), Value::from),
            "draft" => Value::from(front.draft),
            "authors" => Value::from(front.authors.clone()),
            "extra" => Value::from(minijinja::value::Serde(&front.extra)),
            "tags" => {
                let terms: Vec<Value> = page
                    .terms
                    .iter()
                    .filter(|(t, _)| site.taxonomies[*t].name == "tags")
                    .map(|(t, i)| term_value(ctx, *t, *i))
                    .collect();
                Value::from(terms)
            }
            "taxonomies" => {
                let mut map = std::collections::BTreeMap::<String, Vec<Value>>::new();
                for (t, i) in &page.terms {
                    map.entry(site.taxonomies[*t].name.clone())
                        .or_default()
                        .push(term_value(ctx, *t, *i));
                }
                Value::from_pairs(map.into_iter().map(|(k, v)| (k, Value::from(v))))
            }
            "section" => section_value(ctx, page.section),
            "ancestors" => {
                let mut ids = site.ancestors(page.section);
                ids.push(page.section);
                Value::from(
                    ids.into_iter()
                        .map(|s| section_value(ctx, s))
                        .collect::<Vec<_>>(),
                )
            }
            "prev" => page.prev.map_or(Value::from(()), |p| page_value(ctx, p)),
            "next" => page.next.map_or(Value::from(()), |p| page_value(ctx, p)),
            "translations" => Value::from(
                page.translations
                    .iter()
                    .map(|t| {
                        let tp = site.page(*t);
                        let name = site
                            .config
                            .language(&tp.lang)
                            .map_or("", |l| l.name.as_str());
                        Value::from_pairs([
                            ("lang", Value::from(tp.lang.as_str())),
                            ("dir", Value::from(site.config.dir_of(&tp.lang))),
                            ("name", Value::from(name)),
                            ("url", url_value(&tp.url)),
                            ("permalink", Value::from(site.permalink(&tp.url))),
                            ("title", Value::from(tp.title.as_str())),
                            ("current", Value::from(*t == self.id)),
                        ])
                    })
                    .collect::<Vec<_>>(),
            ),
            "source" => Value::from(file.source.as_str()),
            "collection" => site
                .collections
                .collection_of(self.id)
                .map_or(Value::from(()), |c| {
                    Value::from(site.config.collections[c].name.as_str())
                }),
            "fields" => self.fields(),
            "translation" => {
                let source = page
                    .translations
                    .iter()
                    .map(|t| site.page(*t))
                    .find(|t| t.lang == site.config.default_language)
                    .map(|t| (&t.url, t.title.as_str()));
                translation_value(ctx, page.file, source)
            }
            // An event whose end is before the build clock (issue 21): the
            // daily build turns its page into a record of what was.
            "ended" => Value::from(
                super::calendar::is_event(site, self.id)
                    && super::calendar::end(site, self.id).is_some_and(|end| end < site.now),
            ),
            "ics_url" => {
                if super::calendar::is_event(site, self.id) {
                    Value::from(format!("{}{}", page.url, super::calendar::EVENT_FILE))
                } else {
                    Value::from(())
                }
            }
            "referrers" => {
                ctx.read(Read::Collections);
                let mut by: std::collections::BTreeMap<&str, Vec<PageId>> = Default::default();
                for r in site.collections.referrers(self.id) {
                    if let Some(c) = site.collections.collection_of(*r) {
                        by.entry(site.config.collections[c].name.as_str())
                            .or_default()
                            .push(*r);
                    }
                }
                Value::from_pairs(by.into_iter().map(|(name, mut ids)| {
                    // Newest first, as listings are.
                    ids.sort_by(|a, b| {
                        let date =
                            |id: &PageId| site.page_front(*id).date.as_ref().map(|d| d.timestamp());
                        date(b).cmp(&date(a)).then(a.cmp(b))
                    });
                    (name, pages_value(ctx, &ids))
                }))
            }
            _ => return None,
        })
    }
}

impl PageObj {
    /// The collection fields as templates see them: references as pages in
    /// this page's language, files as URLs beside the page.
    fn fields(self: &Arc<Self>) -> Value {
        let site = &self.ctx.site;
        let Some(c) = site.collections.collection_of(self.id) else {
            return Value::from(());
        };
        let page = site.page(self.id);
        let mut pairs = Vec::new();
        for def in &site.config.collections[c].fields {
            if !site.page_front(self.id).fields.contains_key(&def.name) && def.shared {
                // Taken from the default language's version.
                if let Some(t) = page
                    .translations
                    .iter()
                    .find(|t| site.page(**t).lang == site.config.default_language)
                {
                    self.ctx.read(Read::PageMeta(*t));
                }
            }
            let Some(field) = site.field(self.id, &def.name) else {
                continue;
            };
            // Files are next to the version of the page that names them.
            let owner = if site.page_front(self.id).fields.contains_key(&def.name) {
                self.id
            } else {
                page.translations
                    .iter()
                    .copied()
                    .find(|t| site.page(*t).lang == site.config.default_language)
                    .unwrap_or(self.id)
            };
            let owner = site.page(owner);
            let base = Bundle {
                url: owner.url.as_str(),
                group: &site.files[owner.file].group,
            };
            pairs.push((
                def.name.clone(),
                self.field_value(&field.value, &def.ty, &base),
            ));
        }
        Value::from_pairs(pairs)
    }

    fn field_value(self: &Arc<Self>, v: &FieldValue, ty: &FieldType, base: &Bundle) -> Value {
        let ctx = &self.ctx;
        let site = &ctx.site;
        let file_url = |src: &str| Value::from(format!("{}{src}", base.url));
        let poster = |src: &str| bundle_image(ctx, base.group, src);
        match v {
            FieldValue::String(s)
            | FieldValue::Url(s)
            | FieldValue::Email(s)
            | FieldValue::Enum(s) => Value::from(s.as_str()),
            FieldValue::Integer(n) => Value::from(*n),
            FieldValue::Number(n) => Value::from(*n),
            FieldValue::Bool(b) => Value::from(*b),
            FieldValue::Date(d) => Value::from(d.to_string()),
            FieldValue::DateTime(z) => Value::from_pairs([
                (
                    "datetime",
                    Value::from(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()),
                ),
                ("date", Value::from(z.date().to_string())),
                ("time", Value::from(z.strftime("%H:%M").to_string())),
                (
                    "time_zone",
                    Value::from(z.time_zone().iana_name().unwrap_or("")),
                ),
                (
                    "utc",
                    Value::from(z.timestamp().strftime("%Y%m%dT%H%M%SZ").to_string()),
                ),
            ]),
            FieldValue::Week(w) => Value::from_pairs([
                ("label", Value::from(crate::model::fields::format_week(*w))),
                ("year", Value::from(w.year())),
                ("week", Value::from(w.week())),
                ("monday", Value::from(w.date().to_string())),
            ]),
            FieldValue::Image(i) => image_value(ctx, base.group, i),
            FieldValue::Video(v) => video_value(v, &file_url, &poster),
            FieldValue::File(f) => Value::from_pairs([
                ("src", Value::from(f.src.as_str())),
                ("url", file_url(&f.src)),
                ("size", Value::from(f.size)),
                (
                    "size_label",
                    Value::from(ctx.i18n.format_size(f.size, &site.page(self.id).lang)),
                ),
                ("pages", f.pages.map_or(Value::from(()), Value::from)),
            ]),
            FieldValue::Geo { lat, lon } => {
                Value::from_pairs([("lat", Value::from(*lat)), ("lon", Value::from(*lon))])
            }
            FieldValue::Ref(key) => {
                ctx.read(Read::Collections);
                let lang = &site.page(self.id).lang;
                let FieldType::Ref { collection } = ty else {
                    return Value::from(());
                };
                site.config
                    .collections
                    .iter()
                    .position(|c| &c.name == collection)
                    .and_then(|ci| site.collections.target(ci, key, lang, &site.pages))
                    .map_or(Value::from(()), |id| page_value(ctx, id))
            }
            FieldValue::List(items) => {
                let item = match ty {
                    FieldType::List(item) => item,
                    other => other,
                };
                Value::from(
                    items
                        .iter()
                        .map(|x| self.field_value(x, item, base))
                        .collect::<Vec<_>>(),
                )
            }
        }
    }
}

/// The page bundle a field's files are in: its page's URL and its folder
/// under `content/`.
struct Bundle<'a> {
    url: &'a str,
    group: &'a str,
}

/// An image of a page bundle as templates see it: the responsive image
/// (`url`, `srcset`, `width`, …, see [`super::templates::image_set_pairs`]),
/// `alt`, `credit`, `file` (its name in the bundle) and `path` (`@/…`, for
/// `image()` with other widths). `none` when the image cannot be read: that
/// is reported where the field is written.
pub(crate) fn image_value(ctx: &View, group: &str, image: &crate::model::fields::Image) -> Value {
    let Some(set) = bundle_image(ctx, group, &image.src) else {
        return Value::from(());
    };
    let mut pairs = super::templates::image_set_pairs(&set, &ctx.site.config.images.sizes);
    pairs.extend([
        ("file", Value::from(image.src.as_str())),
        ("path", Value::from(format!("@/{group}/{}", image.src))),
        (
            "alt",
            image.alt.as_deref().map_or(Value::from(""), Value::from),
        ),
        (
            "credit",
            image.credit.as_deref().map_or(Value::from(()), Value::from),
        ),
    ]);
    Value::from_pairs(pairs)
}

/// The responsive image for the file `src` of the bundle `group`; `None` when
/// it cannot be read.
pub(crate) fn bundle_image(ctx: &View, group: &str, src: &str) -> Option<Arc<ImageSet>> {
    let source = ImageSource::new(format!("{}/{group}/{src}", crate::load::CONTENT_DIR));
    super::picture::responsive(&ctx.images, &ctx.rec, &source, &ImageOptions::default()).ok()
}

/// A video as templates see it: where it comes from, the player's address
/// (without cookies, started by the reader's click) and its poster.
pub(crate) fn video_value(
    v: &crate::model::fields::Video,
    file_url: &dyn Fn(&str) -> Value,
    poster: &dyn Fn(&str) -> Option<Arc<ImageSet>>,
) -> Value {
    let poster = v.poster.as_deref().and_then(poster);
    let (kind, id, src, captions) = match &v.source {
        VideoSource::YouTube(id) => ("youtube", id.as_str(), None, None),
        VideoSource::Vimeo(id) => ("vimeo", id.as_str(), None, None),
        VideoSource::File { src, captions } => {
            ("file", "", Some(file_url(src)), Some(file_url(captions)))
        }
    };
    let (embed, watch) = match kind {
        "youtube" => (
            format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1"),
            format!("https://www.youtube.com/watch?v={id}"),
        ),
        "vimeo" => (
            format!("https://player.vimeo.com/video/{id}?autoplay=1&dnt=1"),
            format!("https://vimeo.com/{id}"),
        ),
        _ => (String::new(), String::new()),
    };
    Value::from_pairs([
        ("kind", Value::from(kind)),
        ("id", Value::from(id)),
        ("title", Value::from(v.title.as_str())),
        (
            "poster",
            poster
                .as_ref()
                .map_or(Value::from(()), |set| Value::from(set.src().url.as_str())),
        ),
        // The poster as a responsive image (srcset, AVIF and WebP), for a
        // <picture> (issue 21); `poster` is its fallback's URL.
        (
            "poster_image",
            poster.as_ref().map_or(Value::from(()), |set| {
                Value::from_pairs(super::templates::image_set_pairs(set, "100vw"))
            }),
        ),
        ("src", src.unwrap_or_default()),
        ("captions", captions.unwrap_or_default()),
        ("embed", Value::from(embed)),
        ("watch", Value::from(watch)),
    ])
}

/// A translation's status (see [`crate::resolve::translations`]): `status`
/// (`current`, `stale` or `untracked`), and `source`, the default-language
/// version it is translated from (`url`, `lang`, `name` of the language,
/// `title`), when that is published. `None` for a file in the default
/// language. The status is part of the `PageMeta` and `SectionMeta`
/// fingerprints.
fn translation_value(ctx: &View, file: usize, source: Option<(&UrlPath, &str)>) -> Value {
    let site = &ctx.site;
    let Some(status) = site.translation_status(file) else {
        return Value::from(());
    };
    let lang = &site.config.default_language;
    let name = site.config.language(lang).map_or("", |l| l.name.as_str());
    let source = source.map(|(url, title)| {
        Value::from_pairs([
            ("url", url_value(url)),
            ("lang", Value::from(lang.as_str())),
            ("name", Value::from(name)),
            ("title", Value::from(title)),
        ])
    });
    let status = match status {
        crate::resolve::translations::Status::Current => "current",
        crate::resolve::translations::Status::Stale => "stale",
        _ => "untracked",
    };
    Value::from_pairs([
        ("status", Value::from(status)),
        ("source", source.unwrap_or_default()),
    ])
}

fn toc_value(toc: &[super::markdown::Heading]) -> Value {
    // Nest headings under the nearest shallower one.
    fn build(items: &[super::markdown::Heading]) -> Vec<Value> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < items.len() {
            let h = &items[i];
            let mut j = i + 1;
            while j < items.len() && items[j].level > h.level {
                j += 1;
            }
            out.push(Value::from_pairs([
                ("level", Value::from(h.level)),
                ("id", Value::from(h.id.as_str())),
                ("title", Value::from(h.title.as_str())),
                ("children", Value::from(build(&items[i + 1..j]))),
            ]));
            i = j;
        }
        out
    }
    Value::from(build(toc))
}

#[derive(Debug)]
pub struct SectionObj {
    pub ctx: View,
    pub id: SectionId,
}

impl Object for SectionObj {
    /// A page prints as its title: its fields lead to other pages and back,
    /// so printing every field would never end.
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.ctx.site.section(self.id).title)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "title",
            "description",
            "content",
            "url",
            "permalink",
            "lang",
            "extra",
            "pages",
            "subsections",
            "page_count",
            "ancestors",
            "is_home",
            "feed_url",
            "calendar_url",
            "translation",
        ])
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let ctx = &self.ctx;
        let site = &ctx.site;
        let s = site.section(self.id);
        let front = site.section_front(self.id);
        let md = &ctx.sections_md[self.id.index()];
        let key = key.as_str()?;
        ctx.read(match key {
            "content" | "summary" => Read::SectionBody(self.id),
            _ => Read::SectionMeta(self.id),
        });
        Some(match key {
            "title" => Value::from(s.title.as_str()),
            "description" => front
                .and_then(|f| f.description.as_deref())
                .map_or(Value::from(()), Value::from),
            "content" => md.content.value(),
            "summary" => md.summary.value(),
            "url" => url_value(&s.url),
            "permalink" => Value::from(site.permalink(&s.url)),
            "lang" => Value::from(s.lang.as_str()),
            "extra" => front.map_or(Value::from(()), |f| {
                Value::from(minijinja::value::Serde(&f.extra))
            }),
            "pages" => pages_value(ctx, &s.pages),
            "subsections" => Value::from(
                s.subsections
                    .iter()
                    .map(|c| section_value(ctx, *c))
                    .collect::<Vec<_>>(),
            ),
            "page_count" => Value::from(s.pages.len()),
            "ancestors" => Value::from(
                site.ancestors(self.id)
                    .into_iter()
                    .map(|a| section_value(ctx, a))
                    .collect::<Vec<_>>(),
            ),
            "is_home" => Value::from(s.is_home()),
            "feed_url" => ctx
                .section_feed(self.id)
                .map_or(Value::from(()), |u| Value::from(u.as_str())),
            "dir" => Value::from(s.dir.as_str()),
            "translation" => {
                let source = s
                    .translations
                    .iter()
                    .map(|t| site.section(*t))
                    .find(|t| t.lang == site.config.default_language)
                    .map(|t| (&t.url, t.title.as_str()));
                s.file
                    .map_or(Value::from(()), |f| translation_value(ctx, f, source))
            }
            "calendar_url" => {
                if super::calendar::is_calendar(&ctx.site, self.id) {
                    Value::from(format!("{}{}", s.url, super::calendar::CALENDAR_FILE))
                } else {
                    Value::from(())
                }
            }
            _ => return None,
        })
    }
}

#[derive(Debug)]
pub struct TermObj {
    pub ctx: View,
    pub tax: usize,
    pub term: usize,
}

impl Object for TermObj {
    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "name",
            "slug",
            "url",
            "permalink",
            "page_count",
            "feed_url",
            "pages",
        ])
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let ctx = &self.ctx;
        let tax = &ctx.site.taxonomies[self.tax];
        let term = &tax.terms[self.term];
        ctx.read(Read::Term(self.tax as u32, self.term as u32));
        Some(match key.as_str()? {
            "name" => Value::from(term.name.as_str()),
            "slug" => Value::from(term.slug.as_str()),
            "url" => url_value(&term.url),
            "permalink" => Value::from(ctx.site.permalink(&term.url)),
            "page_count" => Value::from(term.pages.len()),
            "feed_url" => {
                if tax.feed {
                    Value::from(format!("{}atom.xml", term.url))
                } else {
                    Value::from(())
                }
            }
            "pages" => pages_value(ctx, &term.pages),
            _ => return None,
        })
    }
}

/// The pager of a paginated listing.
pub fn paginator_value(
    ctx: &View,
    url: &UrlPath,
    pages: &[PageId],
    per_page: usize,
    n: usize,
) -> Value {
    let count = pages.len().div_ceil(per_page).max(1);
    let start = (n - 1) * per_page;
    let end = (start + per_page).min(pages.len());
    let url_of = |i: usize| Value::from(pager_url(url, i).as_str());
    Value::from_pairs([
        (
            "pages",
            pages_value(ctx, pages.get(start..end).unwrap_or(&[])),
        ),
        ("current_index", Value::from(n)),
        ("number_pagers", Value::from(count)),
        (
            "previous",
            if n > 1 {
                url_of(n - 1)
            } else {
                Value::from(())
            },
        ),
        (
            "next",
            if n < count {
                url_of(n + 1)
            } else {
                Value::from(())
            },
        ),
        ("first", url_of(1)),
        ("last", url_of(count)),
        (
            "pagers",
            Value::from_object(Pagers {
                url: url.clone(),
                count,
            }),
        ),
    ])
}

/// `paginator.pagers`: `{index, url}` of every pager page, made when a template
/// reads them. A section of n pages has n/10 pager pages that each list them
/// all, so building the list for every pager page cost O(n²): 7% of a
/// 10,000-page build whose templates never look at it.
#[derive(Debug)]
struct Pagers {
    url: UrlPath,
    count: usize,
}

impl Object for Pagers {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let i = key.as_usize()?;
        (i < self.count).then(|| {
            let index = i + 1;
            Value::from_pairs([
                ("index", Value::from(index)),
                ("url", Value::from(pager_url(&self.url, index).as_str())),
            ])
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.count)
    }
}

/// `site` in templates, seen from one language.
#[derive(Debug)]
pub struct SiteObj {
    pub ctx: View,
    pub lang: Lang,
}

impl Object for SiteObj {
    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "title",
            "description",
            "base_url",
            "default_language",
            "languages",
            "menu",
            "extra",
            "search_bundle",
        ])
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let ctx = &self.ctx;
        let config = &ctx.site.config;
        let language = config.language(&self.lang)?;
        Some(match key.as_str()? {
            "title" => Value::from(language.title.as_str()),
            "description" => Value::from(language.description.as_str()),
            "base_url" => Value::from(config.base_url.as_str()),
            "default_language" => Value::from(config.default_language.as_str()),
            "languages" => languages_value(ctx),
            "menu" => {
                ctx.read(Read::Structure);
                Value::from(
                    config
                        .menu
                        .iter()
                        .filter_map(|dir| {
                            ctx.site.section_by_dir(dir.trim_matches('/'), &self.lang)
                        })
                        .map(|id| section_value(ctx, id))
                        .collect::<Vec<_>>(),
                )
            }
            "extra" => Value::from(minijinja::value::Serde(&config.extra)),
            // Where the search index's scripts are (issue 17); none when
            // `[search]` is off.
            "search_bundle" => match config.search.enabled {
                true => Value::from(format!(
                    "{}{}/",
                    config.base_path,
                    crate::search::BUNDLE_DIR
                )),
                false => Value::from(()),
            },
            _ => return None,
        })
    }
}

/// Every language of the site: `{code, name, dir, title, url}`, `url` its home page.
pub fn languages_value(ctx: &View) -> Value {
    let site = &ctx.site;
    for l in &site.config.languages {
        ctx.read(Read::SectionMeta(site.home(&l.code)));
    }
    Value::from(
        site.config
            .languages
            .iter()
            .map(|l| {
                Value::from_pairs([
                    ("code", Value::from(l.code.as_str())),
                    ("name", Value::from(l.name.as_str())),
                    ("dir", Value::from(l.dir)),
                    ("title", Value::from(l.title.as_str())),
                    ("url", url_value(&site.section(site.home(&l.code)).url)),
                ])
            })
            .collect::<Vec<_>>(),
    )
}
