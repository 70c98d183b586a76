//! What a deploy does, decided from the two sides and nothing else: which
//! files go up (in which phase), which are unchanged, which objects go. Pure;
//! the network is in `deploy::store`.

use std::collections::BTreeMap;

use super::files::{LocalFile, Phase};

/// What is known about one object in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// Its `polis-digest`, when it has one (objects polis did not upload have
    /// none, and are replaced).
    pub digest: Option<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Indexes into the local files, in upload order: by phase, then path.
    pub uploads: Vec<usize>,
    /// Of the uploads, how many replace an object (the rest are new).
    pub replaced: usize,
    pub unchanged: usize,
    /// Keys of objects no file of the build has, sorted.
    pub deletes: Vec<String>,
}

impl Plan {
    /// The uploads of one phase.
    pub fn phase<'a>(
        &'a self,
        files: &'a [LocalFile],
        phase: Phase,
    ) -> impl Iterator<Item = usize> + 'a {
        self.uploads
            .iter()
            .copied()
            .filter(move |&i| files[i].phase == phase)
    }
}

/// Compares the build (`files`, keys `prefix` + `rel`) with the store
/// (`remote`, by key); `force` uploads every file.
pub fn plan(
    files: &[LocalFile],
    prefix: &str,
    remote: &BTreeMap<String, Remote>,
    force: bool,
) -> Plan {
    let mut plan = Plan::default();
    let mut local_keys = std::collections::BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        let key = format!("{prefix}{}", f.rel);
        match remote.get(&key) {
            Some(r) if !force && r.digest.as_deref() == Some(f.digest.as_str()) => {
                plan.unchanged += 1;
            }
            Some(_) => {
                plan.replaced += 1;
                plan.uploads.push(i);
            }
            None => plan.uploads.push(i),
        }
        local_keys.insert(key);
    }
    plan.uploads
        .sort_by(|&a, &b| (files[a].phase, &files[a].rel).cmp(&(files[b].phase, &files[b].rel)));
    plan.deletes = remote
        .keys()
        .filter(|k| !local_keys.contains(*k))
        .cloned()
        .collect();
    plan
}

/// The URL paths a CDN must forget after a deploy of `keys` (uploaded or
/// deleted): each object's path, and a page's folder URL besides its
/// `index.html`; `/*` when there are more than `max`.
pub fn invalidation_paths(keys: &[&str], prefix: &str, max: usize) -> Vec<String> {
    let mut paths = std::collections::BTreeSet::new();
    for key in keys {
        let path = format!("/{key}");
        if let Some(folder) = path.strip_suffix("index.html") {
            paths.insert(folder.to_string());
        }
        paths.insert(path);
    }
    if paths.len() > max {
        return vec![format!("/{prefix}*")];
    }
    paths.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, phase: Phase, digest: &str) -> LocalFile {
        LocalFile {
            rel: rel.into(),
            size: 1,
            phase,
            content_type: String::new(),
            cache_control: String::new(),
            redirect: None,
            digest: digest.into(),
        }
    }

    fn remote(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Remote> {
        pairs
            .iter()
            .map(|(k, d)| {
                (
                    k.to_string(),
                    Remote {
                        digest: d.map(str::to_string),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn uploads_go_assets_then_pages_then_feeds_and_only_changed_ones() {
        let files = [
            file("sitemap.xml", Phase::Feeds, "s"),
            file("en/index.html", Phase::Pages, "p2"),
            file("css/a.12345678.css", Phase::Assets, "c"),
            file("about/index.html", Phase::Pages, "p1"),
        ];
        let r = remote(&[
            ("site/about/index.html", Some("p1")),
            ("site/en/index.html", Some("old")),
            ("site/gone/index.html", Some("g")),
            ("site/foreign.txt", None),
        ]);
        let p = plan(&files, "site/", &r, false);
        let order: Vec<&str> = p.uploads.iter().map(|&i| files[i].rel.as_str()).collect();
        assert_eq!(
            order,
            ["css/a.12345678.css", "en/index.html", "sitemap.xml"]
        );
        assert_eq!(p.unchanged, 1);
        assert_eq!(p.replaced, 1);
        assert_eq!(p.deletes, ["site/foreign.txt", "site/gone/index.html"]);

        let forced = plan(&files, "site/", &r, true);
        assert_eq!(forced.uploads.len(), 4);
        assert_eq!(forced.unchanged, 0);
    }

    #[test]
    fn invalidation_lists_pages_by_folder_or_everything() {
        let keys = ["en/live/index.html", "css/a.css"];
        assert_eq!(
            invalidation_paths(&keys, "", 10),
            ["/css/a.css", "/en/live/", "/en/live/index.html"]
        );
        assert_eq!(invalidation_paths(&keys, "pr-3/", 2), ["/pr-3/*"]);
    }
}
