//! Pages: one HTML file per page, through its template (`page.html` unless
//! its front matter names another).

use super::deps::Read;
use super::head::{Head, globals, home_feed_link, named_template, render_template};
use super::job::JobResult;
use super::objects::{View, page_value};
use crate::model::PageId;

pub(crate) fn page(ctx: &View, env: &minijinja::Environment<'static>, id: PageId) -> JobResult {
    let site = &ctx.site;
    let page = site.page(id);
    ctx.read_all([
        Read::PageMeta(id),
        Read::Structure,
        Read::SectionMeta(site.home(&page.lang)),
        Read::SectionMeta(page.section),
    ]);
    let file = &site.files[page.file];
    let mut feeds = home_feed_link(ctx, &page.lang);
    if let Some(u) = ctx
        .section_feed(page.section)
        .filter(|_| !site.section(page.section).is_home())
    {
        feeds.push((site.section(page.section).title.clone(), u));
    }
    let head = Head {
        lang: page.lang.clone(),
        url: page.url.clone(),
        alternates: page
            .translations
            .iter()
            .map(|t| (site.page(*t).lang.clone(), site.page(*t).url.clone()))
            .collect(),
        switcher: site
            .config
            .languages
            .iter()
            .map(|l| {
                let (u, exact) = site.page_in(id, &l.code);
                (l.code.clone(), u, exact)
            })
            .collect(),
        feeds,
    };
    let mut vars = globals(ctx, head);
    vars.push(("page", page_value(ctx, id)));
    let name = match file.front.template.as_deref() {
        Some(name) => named_template(env, file, name)?,
        None => "page.html",
    };
    render_template(ctx, env, name, vars, || file.source.to_string())
}
