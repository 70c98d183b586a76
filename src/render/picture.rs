//! Responsive images as render shows them: the lookup that notes the use for
//! incremental rebuilds, and the `<picture>` element with its placeholder.
//! The image service ([`crate::assets::images::Images`]) only answers; what
//! is shown, and how, is decided here.

use std::fmt::Write;
use std::sync::Arc;

use super::deps::Recorder;
use crate::assets::images::{ImageError, ImageOptions, ImageSet, ImageSource, ImageUse, Images};

/// The responsive image for `source` ([`Images::responsive`]), with the use
/// noted in `rec`, the recorder of the output being rendered (a later build reuses the output
/// only while the answer stays the same).
pub(crate) fn responsive(
    images: &Images,
    rec: &Recorder,
    source: &ImageSource,
    options: &ImageOptions,
) -> Result<Arc<ImageSet>, ImageError> {
    let result = images.responsive(source, options);
    rec.image(ImageUse {
        source: source.clone(),
        options: options.clone(),
        result: result.clone(),
    });
    result
}

/// The `<picture>` element: one `<source>` per modern format, and the
/// fallback `<img>` with `width`, `height` and the placeholder. `alt` and
/// `title` are escaped here. `eager` is for the image at the top of a page:
/// no lazy loading, and fetched first.
pub(crate) fn picture_html(
    set: &ImageSet,
    alt: &str,
    title: Option<&str>,
    sizes: &str,
    eager: bool,
) -> String {
    let esc = super::templates::escape_html;
    let mut html = String::from("<picture>");
    for (format, variants) in &set.sources {
        let _ = write!(
            html,
            "<source type=\"{}\" srcset=\"{}\" sizes=\"{}\">",
            format.mime(),
            esc(&ImageSet::srcset(variants)),
            esc(sizes)
        );
    }
    let _ = write!(
        html,
        "<img src=\"{}\" srcset=\"{}\" sizes=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"",
        esc(set.src().url.as_str()),
        esc(&ImageSet::srcset(&set.fallback)),
        esc(sizes),
        set.width,
        set.height,
        esc(alt)
    );
    if let Some(t) = title.filter(|t| !t.is_empty()) {
        let _ = write!(html, " title=\"{}\"", esc(t));
    }
    if eager {
        html.push_str(" fetchpriority=\"high\"");
    } else {
        html.push_str(" loading=\"lazy\" decoding=\"async\"");
    }
    if let Some(style) = placeholder_style(set) {
        let _ = write!(html, " style=\"{}\"", esc(&style));
    }
    html.push_str("></picture>");
    html
}

/// The inline style that shows the placeholder until the photo arrives.
pub(crate) fn placeholder_style(set: &ImageSet) -> Option<String> {
    match (&set.color, &set.placeholder) {
        (Some(c), Some(p)) => Some(format!("background:{c} url({p}) 50%/cover no-repeat")),
        (Some(c), None) => Some(format!("background:{c}")),
        _ => None,
    }
}
