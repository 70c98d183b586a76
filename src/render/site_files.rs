//! The site's own files: the sitemap, `robots.txt`, the redirect pages of
//! aliases and of the root `/` (to the default language), and the 404 page.

use minijinja::Value;

use super::RenderCtx;
use super::deps::Read;
use super::head::{Head, globals, render_template};
use super::job::JobResult;
use super::objects::{self, View};
use crate::model::{Lang, UrlPath};

/// The redirect page of an alias.
pub(crate) fn alias(ctx: &View, env: &minijinja::Environment<'static>, i: usize) -> JobResult {
    let site = &ctx.site;
    let a = &site.aliases[i];
    ctx.read(Read::Alias(i as u32));
    let vars = vec![
        ("lang", Value::from(site.config.default_language.as_str())),
        (
            "dir",
            Value::from(site.config.dir_of(&site.config.default_language)),
        ),
        ("target", Value::from(site.permalink(&a.target))),
        ("target_url", Value::from(a.target.as_str())),
        ("languages", Value::from(())),
    ];
    render_template(ctx, env, "redirect.html", vars, || a.source.to_string())
}

/// A section with Zola's `redirect_to`: its URL sends readers to the target,
/// a full URL or a path below the site's base (issue 20).
pub(crate) fn section_redirect(
    ctx: &View,
    env: &minijinja::Environment<'static>,
    id: crate::model::SectionId,
    to: &str,
) -> JobResult {
    let site = &ctx.site;
    let s = site.section(id);
    let (target, target_url) = if to.contains("://") {
        (to.to_string(), to.to_string())
    } else {
        let url = UrlPath::new(format!(
            "{}{}",
            site.config.base_path,
            to.trim_start_matches('/')
        ));
        (site.permalink(&url), url.as_str().to_string())
    };
    let vars = vec![
        ("lang", Value::from(s.lang.as_str())),
        ("dir", Value::from(site.config.dir_of(&s.lang))),
        ("target", Value::from(target)),
        ("target_url", Value::from(target_url)),
        ("languages", Value::from(())),
    ];
    render_template(ctx, env, "redirect.html", vars, || {
        site.section_front(id)
            .map(|_| site.files[s.file.unwrap_or_default()].source.to_string())
            .unwrap_or_else(|| s.url.to_string())
    })
}

/// `/`: a redirect to the default language's home, listing every language.
pub(crate) fn root(ctx: &View, env: &minijinja::Environment<'static>) -> JobResult {
    let site = &ctx.site;
    let config = &site.config;
    ctx.read(Read::Structure);
    let home = site.section(site.home(&config.default_language));
    let vars = vec![
        ("lang", Value::from(config.default_language.as_str())),
        ("dir", Value::from(config.dir_of(&config.default_language))),
        ("target", Value::from(site.permalink(&home.url))),
        ("target_url", Value::from(home.url.as_str())),
        ("languages", objects::languages_value(ctx)),
    ];
    render_template(ctx, env, "redirect.html", vars, || {
        "the root page `/`".into()
    })
}

/// The 404 page, when the templates have one.
pub(crate) fn not_found(ctx: &View, env: &minijinja::Environment<'static>) -> JobResult {
    if env.get_template("404.html").is_err() {
        return Ok(None);
    }
    let site = &ctx.site;
    let config = &site.config;
    ctx.read(Read::Structure);
    let head = Head {
        lang: config.default_language.clone(),
        url: UrlPath::new(format!("{}404.html", config.base_path)),
        alternates: Vec::new(),
        // No switcher: the page is in every language at once, so none is
        // the current one, and it links each language's home page itself
        // (issue 21: the Norwegian reader's 404 marked English as current).
        switcher: Vec::new(),
        feeds: Vec::new(),
    };
    let vars = globals(ctx, head);
    render_template(ctx, env, "404.html", vars, || "the 404 page".into())
}

pub(crate) fn robots(ctx: &View, env: &minijinja::Environment<'static>) -> JobResult {
    let config = &ctx.site.config;
    // The web editor is for the site's authors, not for search engines (issue 18).
    let disallow: Vec<String> = if config.editor.enabled {
        vec![format!("{}{}/", config.base_path, crate::editor::ADMIN_DIR)]
    } else {
        Vec::new()
    };
    let vars = vec![
        (
            "sitemap",
            Value::from(config.permalink(&format!("{}sitemap.xml", config.base_path))),
        ),
        ("disallow", Value::from(disallow)),
    ];
    render_template(ctx, env, "robots.txt", vars, || "robots.txt".into())
}

pub(crate) fn sitemap(ctx: &View, env: &minijinja::Environment<'static>) -> JobResult {
    ctx.read(Read::Sitemap);
    let vars = vec![("entries", sitemap_entries(ctx))];
    render_template(ctx, env, "sitemap.xml", vars, || "the sitemap".into())
}

/// Every section, page, taxonomy and term, by URL, with its date and its
/// language versions.
fn sitemap_entries(ctx: &RenderCtx) -> Value {
    let site = &ctx.site;
    let entry =
        |url: &UrlPath, updated: Option<String>, alternates: Vec<&UrlPath>, langs: Vec<&Lang>| {
            let alts: Vec<Value> = if alternates.len() > 1 {
                alternates
                    .iter()
                    .zip(langs)
                    .map(|(u, l)| {
                        Value::from_pairs([
                            ("lang", Value::from(l.as_str())),
                            ("permalink", Value::from(site.permalink(u))),
                        ])
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (
                url.as_str().to_string(),
                Value::from_pairs([
                    ("permalink", Value::from(site.permalink(url))),
                    ("updated", updated.map_or(Value::from(()), Value::from)),
                    ("alternates", Value::from(alts)),
                ]),
            )
        };
    let mut entries: Vec<(String, Value)> = Vec::new();
    for s in site.sections.iter().filter(|s| site.section_listed(s.id)) {
        let ts = &s.translations;
        entries.push(entry(
            &s.url,
            None,
            ts.iter().map(|t| &site.section(*t).url).collect(),
            ts.iter().map(|t| &site.section(*t).lang).collect(),
        ));
    }
    for p in &site.pages {
        let f = site.page_front(p.id);
        let updated = f.updated.as_ref().or(f.date.as_ref()).map(|d| d.rfc3339());
        entries.push(entry(
            &p.url,
            updated,
            p.translations.iter().map(|t| &site.page(*t).url).collect(),
            p.translations.iter().map(|t| &site.page(*t).lang).collect(),
        ));
    }
    for t in &site.taxonomies {
        entries.push(entry(&t.url, None, Vec::new(), Vec::new()));
        for term in &t.terms {
            entries.push(entry(&term.url, None, Vec::new(), Vec::new()));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::from(entries.into_iter().map(|(_, v)| v).collect::<Vec<_>>())
}
