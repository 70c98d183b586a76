//! The digest of a content file: a short hash of what a translator
//! translates in it, which a translation records as `translated_from` so
//! that a later change to its default-language version shows it is stale,
//! without git.
//!
//! What counts is the text and the front matter values a translation has its
//! own of (title, description, tags, `[extra]`, a collection's unshared
//! fields), read as values, so that a change of quoting, key order, line
//! endings, trailing spaces or of TOML to YAML changes nothing. Values that
//! are not translated (dates, `draft`, `weight`, `slug`, aliases, shared
//! fields) do not count: publishing the English page or moving its date must
//! not mark every translation stale.

use std::hash::Hasher;

use serde_json::Value as Json;
use xxhash_rust::xxh3::Xxh3;

use super::ContentFile;
use super::front_matter::{split, to_json};
use crate::config::Config;
use crate::model::FileKind;

/// Hex digits of a digest.
pub const DIGEST_LEN: usize = 8;

/// Front matter keys whose values a translation does not translate.
const UNTRANSLATED: &[&str] = &[
    "date",
    "updated",
    "draft",
    "slug",
    "aliases",
    "weight",
    "template",
    "sort_by",
    "paginate_by",
    "translated_from",
    "path",
    "render",
    "redirect_to",
    "in_search_index",
];

/// The digest of `file`: [`DIGEST_LEN`] lowercase hex digits.
pub fn digest(config: &Config, file: &ContentFile) -> String {
    let mut h = Xxh3::new();
    let front_text = &file.text[..file.body_start];
    let front = split(front_text).ok().and_then(|s| to_json(&s));
    match front {
        Some(mut map) => {
            for k in UNTRANSLATED {
                map.remove(*k);
            }
            if file.kind != FileKind::Section
                && let Some(c) = config.collection_of(&file.rel)
            {
                for f in c.fields.iter().filter(|f| f.shared) {
                    map.remove(&f.name);
                }
            }
            write_canonical(&Json::Object(map), &mut h);
        }
        // Front matter that does not parse is an error of its own; its lines
        // count as they are.
        None => normalized(front_text, &mut h),
    }
    h.write_u8(0);
    // A body that cannot be read again hashes as empty; rendering the file
    // reports why.
    match file.with_body() {
        Ok(f) => normalized(f.body(), &mut h),
        Err(_) => normalized("", &mut h),
    }
    format!("{:08x}", (h.finish() >> 32) as u32)
}

/// Lines without their ending and trailing spaces, blank lines at either end
/// left out.
fn normalized(text: &str, h: &mut Xxh3) {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    for l in lines.get(first..last).unwrap_or(&[]) {
        h.write(l.as_bytes());
        h.write_u8(b'\n');
    }
}

/// JSON with object keys sorted, whatever order the file wrote them in.
fn write_canonical(v: &Json, h: &mut Xxh3) {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            h.write_u8(b'{');
            for k in keys {
                write_canonical(&Json::String(k.clone()), h);
                h.write_u8(b':');
                write_canonical(&m[k], h);
                h.write_u8(b',');
            }
            h.write_u8(b'}');
        }
        Json::Array(a) => {
            h.write_u8(b'[');
            for x in a {
                write_canonical(x, h);
                h.write_u8(b',');
            }
            h.write_u8(b']');
        }
        other => h.write(other.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FrontMatter, Lang, SourcePath};

    fn file(text: &str) -> ContentFile {
        let body_start = split(text).map(|s| s.body_start).unwrap_or(0);
        ContentFile {
            source: SourcePath::new("content/a.md"),
            rel: "a.md".into(),
            kind: FileKind::Page,
            lang: Lang::new("en"),
            group: "a".into(),
            front: FrontMatter::default(),
            text: text.into(),
            body_start,
            on_disk: None,
            digest: Default::default(),
        }
    }

    fn config() -> Config {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "base_url = \"https://x.example/\"\ntitle = \"X\"\n",
        )
        .unwrap();
        crate::config::load_config(dir.path(), &mut Default::default()).unwrap()
    }

    #[test]
    fn digest_ignores_form_and_untranslated_values() {
        let config = config();
        let d = |t: &str| digest(&config, &file(t));
        let base = d("+++\ntitle = \"Housing\"\ndate = 2026-01-01\n+++\nRent a flat.\n");
        assert_eq!(base.len(), DIGEST_LEN);
        for same in [
            "+++\r\ntitle = \"Housing\"\r\ndate = 2026-01-01\r\n+++\r\nRent a flat.  \r\n\r\n",
            "---\ntitle: Housing\n---\n\nRent a flat.\n",
            "+++\ntitle = 'Housing'\ndraft = true\nweight = 3\ndate = 2027-05-05\ntranslated_from = \"x\"\n+++\nRent a flat.",
        ] {
            assert_eq!(d(same), base, "{same:?}");
        }
        for different in [
            "+++\ntitle = \"Housing in Oslo\"\n+++\nRent a flat.\n",
            "+++\ntitle = \"Housing\"\n+++\nRent a house.\n",
            "+++\ntitle = \"Housing\"\n[extra]\nn = 1\n+++\nRent a flat.\n",
            "+++\ntitle = \"Housing\"\n+++\nRent\na flat.\n",
        ] {
            assert_ne!(d(different), base, "{different:?}");
        }
    }
}
