//! Listings: a section's pages (paginated), a taxonomy's terms, and a term's
//! pages (paginated). Only a listing's first page has language alternates:
//! the other pages of a pager differ by language in length.

use minijinja::Value;

use super::deps::Read;
use super::head::{Head, globals, home_feed_link, named_template, render_template};
use super::job::JobResult;
use super::objects::{View, paginator_value, section_value, term_value};
use crate::model::{Lang, SectionId};
use crate::resolve::Site;

/// Page `n` of a section's listing (`index.html` for the home section).
pub(crate) fn section(
    ctx: &View,
    env: &minijinja::Environment<'static>,
    id: SectionId,
    n: usize,
) -> JobResult {
    let site = &ctx.site;
    let s = site.section(id);
    ctx.read_all([
        Read::SectionMeta(id),
        Read::Structure,
        Read::SectionMeta(site.home(&s.lang)),
    ]);
    if let Some(to) = site.section_redirect(id) {
        return super::site_files::section_redirect(ctx, env, id, to);
    }
    let (url, _) = s.pager(n);
    let mut feeds = home_feed_link(ctx, &s.lang);
    if !s.is_home()
        && let Some(u) = ctx.section_feed(id)
    {
        feeds.push((s.title.clone(), u));
    }
    let head = Head {
        lang: s.lang.clone(),
        url: url.clone(),
        alternates: if n == 1 {
            s.translations
                .iter()
                .map(|t| (site.section(*t).lang.clone(), site.section(*t).url.clone()))
                .collect()
        } else {
            Vec::new()
        },
        switcher: langs(site)
            .map(|l| {
                let (u, exact) = site.section_in(id, &l);
                (l, u, exact)
            })
            .collect(),
        feeds,
    };
    let mut vars = globals(ctx, head);
    vars.push(("section", section_value(ctx, id)));
    vars.push((
        "paginator",
        paginator_value(ctx, &s.url, &s.pages, s.paginate_by, n),
    ));
    let front = site.section_front(id);
    let default = if s.is_home() {
        "index.html"
    } else {
        "section.html"
    };
    let name = match (s.file, front.and_then(|f| f.template.as_deref())) {
        (Some(f), Some(name)) => named_template(env, &site.files[f], name)?,
        (None, Some(name)) => name,
        (_, None) => default,
    };
    let what = || {
        s.file.map_or_else(
            || format!("the section `{}`", s.url),
            |f| site.files[f].source.to_string(),
        )
    };
    render_template(ctx, env, name, vars, what)
}

/// A taxonomy's list of terms.
pub(crate) fn taxonomy(ctx: &View, env: &minijinja::Environment<'static>, ti: usize) -> JobResult {
    let site = &ctx.site;
    let t = &site.taxonomies[ti];
    read_taxonomies(ctx, t.config);
    ctx.read(Read::SectionMeta(site.home(&t.lang)));
    let versions = || site.taxonomies.iter().filter(|o| o.config == t.config);
    let head = Head {
        lang: t.lang.clone(),
        url: t.url.clone(),
        alternates: versions()
            .map(|o| (o.lang.clone(), o.url.clone()))
            .collect(),
        switcher: versions()
            .map(|o| (o.lang.clone(), o.url.clone(), true))
            .collect(),
        feeds: home_feed_link(ctx, &t.lang),
    };
    let mut vars = globals(ctx, head);
    vars.push(("taxonomy", taxonomy_value(ctx, ti)));
    vars.push((
        "terms",
        Value::from(
            (0..t.terms.len())
                .map(|i| term_value(ctx, ti, i))
                .collect::<Vec<_>>(),
        ),
    ));
    render_template(ctx, env, "taxonomy_list.html", vars, || {
        format!("the taxonomy `{}`", t.url)
    })
}

/// Page `n` of the listing of term `i` of taxonomy `ti`.
pub(crate) fn term(
    ctx: &View,
    env: &minijinja::Environment<'static>,
    ti: usize,
    i: usize,
    n: usize,
) -> JobResult {
    let site = &ctx.site;
    let t = &site.taxonomies[ti];
    let term = &t.terms[i];
    read_taxonomies(ctx, t.config);
    ctx.read(Read::Term(ti as u32, i as u32));
    ctx.read(Read::SectionMeta(site.home(&t.lang)));
    let (url, _) = crate::resolve::pager(&term.url, &term.output_dir, n);
    let others = || {
        site.taxonomies
            .iter()
            .filter(move |o| o.config == t.config)
            .map(move |o| (o, o.terms.iter().find(|x| x.key == term.key)))
    };
    let mut feeds = home_feed_link(ctx, &t.lang);
    if t.feed {
        feeds.push((term.name.clone(), super::feed::feed_url(&term.url)));
    }
    let head = Head {
        lang: t.lang.clone(),
        url: url.clone(),
        alternates: if n == 1 {
            others()
                .filter_map(|(o, x)| x.map(|x| (o.lang.clone(), x.url.clone())))
                .collect()
        } else {
            Vec::new()
        },
        switcher: others()
            .map(|(o, x)| match x {
                Some(x) => (o.lang.clone(), x.url.clone(), true),
                None => (o.lang.clone(), o.url.clone(), false),
            })
            .collect(),
        feeds,
    };
    let mut vars = globals(ctx, head);
    vars.push(("taxonomy", taxonomy_value(ctx, ti)));
    vars.push(("term", term_value(ctx, ti, i)));
    vars.push((
        "paginator",
        paginator_value(ctx, &term.url, &term.pages, t.paginate_by, n),
    ));
    render_template(ctx, env, "taxonomy_term.html", vars, || {
        format!("the term `{}`", term.url)
    })
}

fn langs(site: &Site) -> impl Iterator<Item = Lang> + '_ {
    site.config.languages.iter().map(|l| l.code.clone())
}

/// Every language's version of a taxonomy (the switcher and `hreflang` links
/// go to them).
fn read_taxonomies(ctx: &View, config: usize) {
    for (i, t) in ctx.site.taxonomies.iter().enumerate() {
        if t.config == config {
            ctx.read(Read::Taxonomy(i as u32));
        }
    }
}

fn taxonomy_value(ctx: &View, ti: usize) -> Value {
    let t = &ctx.site.taxonomies[ti];
    Value::from_pairs([
        ("name", Value::from(t.name.as_str())),
        ("url", Value::from(t.url.as_str())),
        ("permalink", Value::from(ctx.site.permalink(&t.url))),
    ])
}
