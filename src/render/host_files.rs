//! Files for static hosts that read them (Netlify, Cloudflare Pages), written
//! when `[deploy] host_files = true`: `_redirects`, the aliases as real 301
//! redirects and the bare root to the default language's home, and
//! `_headers`, the cache rules of `[deploy.cache_control]` and security
//! headers (issue 19). Plain text from the resolved site and the assets; no
//! templates.

use std::fmt::Write;

use super::deps::Read;
use super::objects::View;
use super::{RenderCtx, csp};
use crate::assets::images::IMAGE_DIR;

/// `_redirects`: `FROM TO STATUS`, one a line, sorted by FROM.
pub(crate) fn redirects(ctx: &View) -> Vec<u8> {
    let site = &ctx.site;
    let config = &site.config;
    ctx.read(Read::Structure);
    let mut lines = Vec::new();
    for (i, a) in site.aliases.iter().enumerate() {
        ctx.read(Read::Alias(i as u32));
        let from = a
            .output_path
            .strip_suffix("index.html")
            .unwrap_or(&a.output_path);
        lines.push(format!(
            "{}{from} {} 301",
            config.base_path,
            a.target.as_str()
        ));
    }
    lines.sort();
    let home = site.section(site.home(&config.default_language));
    // 302, not 301: which language the root shows is the site's choice, and
    // browsers keep a 301 for good.
    let mut out = String::new();
    if home.url.as_str() != config.base_path {
        out = format!("{} {} 302\n", config.base_path, home.url.as_str());
    }
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out.into_bytes()
}

/// `_headers`: security headers for every path (with `[deploy] csp = true`,
/// the Content-Security-Policy, naming what every page has inline), and
/// `Cache-Control` for the
/// files whose names change with their content (image variants,
/// fingerprinted stylesheets and scripts). Pages keep the host's default,
/// which revalidates.
pub(crate) fn headers(ctx: &RenderCtx, inline: &csp::Inline) -> Vec<u8> {
    let config = &ctx.site.config;
    let base = &config.base_path;
    let immutable = &config.deploy.cache_control.immutable;
    let mut out = String::new();
    let _ = writeln!(out, "{base}*");
    for h in [
        "X-Content-Type-Options: nosniff",
        "Referrer-Policy: strict-origin-when-cross-origin",
        "X-Frame-Options: SAMEORIGIN",
        "Permissions-Policy: camera=(), microphone=(), geolocation=()",
    ] {
        let _ = writeln!(out, "  {h}");
    }
    let policy = config
        .deploy
        .csp
        .then(|| csp::policy(inline, config.search.enabled, csp::Delivery::Header));
    match &policy {
        Some(policy) if !config.editor.enabled => {
            let _ = writeln!(out, "  Content-Security-Policy: {policy}");
        }
        // The editor at /admin/ runs Sveltia CMS, which the pages' policy
        // would stop (its inline styles, GitHub's API), and hosts add up
        // the headers of every rule a path matches: the policy goes to
        // each top-level path of the pages instead of to every path.
        Some(policy) => {
            for path in page_roots(ctx) {
                let _ = writeln!(out, "{base}{path}\n  Content-Security-Policy: {policy}");
            }
        }
        None => {}
    }
    let _ = writeln!(out, "{base}{IMAGE_DIR}/*\n  Cache-Control: {immutable}");
    for output in ctx.assets.fingerprinted() {
        let _ = writeln!(out, "{base}{output}\n  Cache-Control: {immutable}");
    }
    if config.editor.enabled {
        // The CMS script and its fonts, each named by its content.
        let (admin, cms) = (crate::editor::ADMIN_DIR, crate::editor::VENDORED_DIR);
        let _ = writeln!(out, "{base}{admin}/{cms}/*\n  Cache-Control: {immutable}");
    }
    out.into_bytes()
}

/// The rules that match every page and nothing under `/admin/`: `` (the
/// root), and each top-level file or folder of the pages (`404.html`,
/// `en/*`), sorted.
fn page_roots(ctx: &RenderCtx) -> std::collections::BTreeSet<String> {
    let mut roots = std::collections::BTreeSet::new();
    for job in super::job::Job::all(ctx) {
        let path = job.path(ctx);
        let path = path.as_str();
        if !path.ends_with(".html") {
            continue;
        }
        match path.split_once('/') {
            Some((dir, _)) if dir == crate::editor::ADMIN_DIR => {}
            Some((dir, _)) => {
                roots.insert(format!("{dir}/*"));
            }
            None if path == "index.html" => {
                roots.insert(String::new());
                roots.insert(path.to_string());
            }
            None => {
                roots.insert(path.to_string());
            }
        }
    }
    roots
}
