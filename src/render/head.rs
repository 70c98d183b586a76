//! What every HTML output shares: the variables every template gets (the
//! language, the site, canonical and alternate URLs, the language switcher,
//! the feeds), and rendering one template with them.

use minijinja::Value;

use super::RenderCtx;
use super::job::{JobError, JobResult};
use super::objects::{SiteObj, View};
use crate::model::{Lang, UrlPath};

/// The variables every HTML template gets.
pub(crate) struct Head {
    pub lang: Lang,
    pub url: UrlPath,
    /// (language, URL) of each language version, itself included.
    pub alternates: Vec<(Lang, UrlPath)>,
    /// (language, URL, exact) per language of the site.
    pub switcher: Vec<(Lang, UrlPath, bool)>,
    pub feeds: Vec<(String, UrlPath)>,
}

pub(crate) fn globals(ctx: &View, head: Head) -> Vec<(&'static str, Value)> {
    let site = &ctx.site;
    let config = &site.config;
    let x_default = head
        .alternates
        .iter()
        .find(|(l, _)| *l == config.default_language)
        .map_or(Value::from(()), |(_, u)| Value::from(site.permalink(u)));
    let alternates: Vec<Value> = head
        .alternates
        .iter()
        .map(|(l, u)| {
            Value::from_pairs([
                ("lang", Value::from(l.as_str())),
                ("url", Value::from(u.as_str())),
                ("permalink", Value::from(site.permalink(u))),
            ])
        })
        .collect();
    let switcher: Vec<Value> = head
        .switcher
        .iter()
        .map(|(l, u, exact)| {
            let name = config.language(l).map_or("", |x| x.name.as_str());
            Value::from_pairs([
                ("code", Value::from(l.as_str())),
                ("name", Value::from(name)),
                ("dir", Value::from(config.dir_of(l))),
                ("url", Value::from(u.as_str())),
                ("current", Value::from(*l == head.lang)),
                ("exact", Value::from(*exact)),
            ])
        })
        .collect();
    let feeds: Vec<Value> = head
        .feeds
        .iter()
        .map(|(t, u)| {
            Value::from_pairs([
                ("title", Value::from(t.as_str())),
                ("url", Value::from(u.as_str())),
            ])
        })
        .collect();
    vec![
        ("lang", Value::from(head.lang.as_str())),
        ("dir", Value::from(config.dir_of(&head.lang))),
        ("site", site_value(ctx, &head.lang)),
        ("current_url", Value::from(head.url.as_str())),
        ("canonical", Value::from(site.permalink(&head.url))),
        ("alternates", Value::from(alternates)),
        ("x_default", x_default),
        ("switcher", Value::from(switcher)),
        ("feeds", Value::from(feeds)),
    ]
}

/// The `site` object of templates, in `lang`.
pub(crate) fn site_value(ctx: &View, lang: &Lang) -> Value {
    Value::from_object(SiteObj {
        ctx: ctx.clone(),
        lang: lang.clone(),
    })
}

/// Renders the template `name` with `vars` for the output `view` is of;
/// `what` names the output for an error.
pub(crate) fn render_template(
    view: &View,
    env: &minijinja::Environment<'static>,
    name: &str,
    vars: Vec<(&'static str, Value)>,
    what: impl Fn() -> String,
) -> JobResult {
    view.rec.template(name);
    let tpl = env
        .get_template(name)
        .map_err(|e| JobError::Template(e, what()))?;
    let done = tpl
        .render_captured(Value::from_pairs(vars))
        .map_err(|e| JobError::Template(e, what()))?;
    // What the template functions read went to the render's state.
    view.rec.absorb_state(done.state());
    Ok(Some(done.into_output().into_bytes()))
}

/// The template a page or section names with `template = "…"` in `file`, or
/// an error at that line when there is no such template: the mistake is the
/// page's, so it is shown where the page makes it, once per page.
pub(crate) fn named_template<'a>(
    env: &minijinja::Environment<'static>,
    file: &crate::load::ContentFile,
    name: &'a str,
) -> Result<&'a str, JobError> {
    match env.get_template(name) {
        Err(e) if e.kind() == minijinja::ErrorKind::TemplateNotFound => {
            let front = &file.text[..file.body_start.min(file.text.len())];
            Err(JobError::Content(
                crate::diag::Diagnostic::error(
                    &file.source,
                    crate::diag::find_key(front, "template", 1),
                    format!("`template = \"{name}\"`: there is no such template"),
                )
                .with_help(format!(
                    "add `templates/{name}` (or the theme's), or remove the key to use the default template"
                )),
            ))
        }
        _ => Ok(name),
    }
}

/// The link to the language's home feed, when it has one.
pub(crate) fn home_feed_link(ctx: &RenderCtx, lang: &Lang) -> Vec<(String, UrlPath)> {
    let title = ctx
        .site
        .config
        .language(lang)
        .map_or(String::new(), |l| l.title.clone());
    ctx.home_feed(lang)
        .map(|u| (title, u))
        .into_iter()
        .collect()
}
