//! `[deploy]` of `site.toml`: the object stores `polis deploy` publishes to
//! (`[deploy.targets.NAME]`) and the `Cache-Control` rules it gives objects
//! (`[deploy.cache_control]`), checked here once. Credentials never come from
//! here: a key that looks like one is an error that says where it belongs
//! (the environment), so a secret is not committed with the site.

use indexmap::IndexMap;
use serde::Deserialize;

/// `[deploy]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeploy {
    #[serde(default)]
    pub targets: IndexMap<String, RawTarget>,
    #[serde(default)]
    pub cache_control: RawCacheControl,
    /// `polis build` writes `_redirects` and `_headers` (Netlify, Cloudflare
    /// Pages).
    #[serde(default)]
    pub host_files: bool,
    /// Pages carry a Content-Security-Policy with the hashes of what they
    /// have inline, in a `<meta>` and (with `host_files`) in `_headers`.
    #[serde(default)]
    pub csp: bool,
}

/// `[deploy.targets.NAME]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub bucket: Option<String>,
    /// The store's address, for S3-compatible stores other than AWS
    /// (`https://s3.example.no`, `http://127.0.0.1:8333`).
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// A folder in the bucket the site goes under (`preview/`).
    pub prefix: Option<String>,
    /// Uploads at a time.
    pub concurrency: Option<usize>,
    /// Where the changed paths are written for a CDN invalidation.
    pub invalidation_file: Option<String>,
    /// More changed paths than this invalidate everything (`/*`).
    pub invalidation_max_paths: Option<usize>,
    /// Redirect pages also carry S3's `x-amz-website-redirect-location`.
    pub website_redirects: Option<bool>,
    // Credentials are caught by name only to say where they belong.
    pub access_key_id: Option<toml::Value>,
    pub secret_access_key: Option<toml::Value>,
    pub session_token: Option<toml::Value>,
    pub aws_access_key_id: Option<toml::Value>,
    pub aws_secret_access_key: Option<toml::Value>,
    pub aws_session_token: Option<toml::Value>,
    pub password: Option<toml::Value>,
    pub secret: Option<toml::Value>,
    pub token: Option<toml::Value>,
}

impl RawTarget {
    /// The credential keys this target has, by name.
    pub fn credential_keys(&self) -> Vec<&'static str> {
        [
            ("access_key_id", &self.access_key_id),
            ("secret_access_key", &self.secret_access_key),
            ("session_token", &self.session_token),
            ("aws_access_key_id", &self.aws_access_key_id),
            ("aws_secret_access_key", &self.aws_secret_access_key),
            ("aws_session_token", &self.aws_session_token),
            ("password", &self.password),
            ("secret", &self.secret),
            ("token", &self.token),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k)
        .collect()
    }
}

/// `[deploy.cache_control]` as written: one `Cache-Control` value per kind
/// of file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCacheControl {
    pub immutable: Option<String>,
    pub pages: Option<String>,
    pub feeds: Option<String>,
    pub other: Option<String>,
}

/// The validated `[deploy]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeployConfig {
    pub targets: Vec<DeployTarget>,
    pub cache_control: CacheControl,
    pub host_files: bool,
    pub csp: bool,
}

impl DeployConfig {
    pub fn target(&self, name: &str) -> Option<&DeployTarget> {
        self.targets.iter().find(|t| t.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployTarget {
    pub name: String,
    pub bucket: String,
    pub endpoint: Option<String>,
    /// `us-east-1` when not given (what most S3-compatible stores accept).
    pub region: String,
    /// Empty, or a folder path with a trailing slash and none in front
    /// (`preview/pr-12/`).
    pub prefix: String,
    pub concurrency: usize,
    /// Relative to the site root.
    pub invalidation_file: Option<String>,
    pub invalidation_max_paths: usize,
    /// Each redirect page (an alias, `/`) goes up with S3's
    /// `x-amz-website-redirect-location` too, so an S3 website endpoint
    /// answers it with a real 301 (issue 19). Off by default: only AWS S3
    /// website endpoints honour it, and other stores may refuse the header.
    pub website_redirects: bool,
}

/// `Cache-Control` by kind of file; the defaults follow what the issue asks
/// for: what never changes under its name is cached for a year, what does is
/// revalidated on every visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheControl {
    /// Fingerprinted stylesheets and scripts, image variants.
    pub immutable: String,
    /// HTML.
    pub pages: String,
    /// Feeds, the sitemap, calendars.
    pub feeds: String,
    /// Everything else (robots.txt, files from `static/`).
    pub other: String,
}

impl Default for CacheControl {
    fn default() -> Self {
        CacheControl {
            immutable: "public, max-age=31536000, immutable".into(),
            pages: "public, max-age=0, must-revalidate".into(),
            feeds: "public, max-age=0, must-revalidate".into(),
            other: "public, max-age=3600".into(),
        }
    }
}

/// A problem in `[deploy]`: the key it is at (for a position) and what to
/// say.
#[derive(Debug)]
pub struct DeployError {
    /// The target's name, when the problem is in a target.
    pub target: Option<String>,
    pub key: &'static str,
    pub message: String,
    pub help: Option<String>,
}

/// Checks `[deploy]` and fills in defaults; every problem is returned, none
/// stops the others.
pub fn deploy_from_raw(raw: RawDeploy) -> (DeployConfig, Vec<DeployError>) {
    let mut errors = Vec::new();
    let mut targets = Vec::new();
    for (name, t) in raw.targets {
        for key in t.credential_keys() {
            errors.push(DeployError {
                target: Some(name.clone()),
                key,
                message: format!(
                    "deploy target `{name}`: `{key}` is a credential, and credentials are never read from `site.toml`"
                ),
                help: Some(
                    "remove it (and rotate the secret if it was committed); set `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, if needed, `AWS_SESSION_TOKEN` in the environment of `polis deploy` instead".into(),
                ),
            });
        }
        let bucket = t.bucket.unwrap_or_default();
        if bucket.trim().is_empty() {
            errors.push(DeployError {
                target: Some(name.clone()),
                key: "bucket",
                message: format!("deploy target `{name}` has no `bucket`"),
                help: Some(format!(
                    "add `bucket = \"my-site\"` under `[deploy.targets.{name}]`"
                )),
            });
        }
        if let Some(e) = &t.endpoint
            && !(e.starts_with("https://") || e.starts_with("http://"))
        {
            errors.push(DeployError {
                target: Some(name.clone()),
                key: "endpoint",
                message: format!(
                    "deploy target `{name}`: `endpoint` is `{e}`, not an http:// or https:// address"
                ),
                help: Some("write the store's address, such as `https://s3.example.no`".into()),
            });
        }
        let prefix = match t.prefix.as_deref().map(normalize_prefix) {
            None => String::new(),
            Some(Ok(p)) => p,
            Some(Err(msg)) => {
                errors.push(DeployError {
                    target: Some(name.clone()),
                    key: "prefix",
                    message: format!("deploy target `{name}`: {msg}"),
                    help: Some("write a folder path such as `preview/`".into()),
                });
                String::new()
            }
        };
        if t.concurrency == Some(0) {
            errors.push(DeployError {
                target: Some(name.clone()),
                key: "concurrency",
                message: format!("deploy target `{name}`: `concurrency` must be at least 1"),
                help: Some("remove the key to use the default of 16".into()),
            });
        }
        targets.push(DeployTarget {
            name,
            bucket,
            endpoint: t.endpoint.map(|e| e.trim_end_matches('/').to_string()),
            region: t.region.unwrap_or_else(|| "us-east-1".into()),
            prefix,
            concurrency: t.concurrency.unwrap_or(16).max(1),
            invalidation_file: t.invalidation_file,
            invalidation_max_paths: t.invalidation_max_paths.unwrap_or(100),
            website_redirects: t.website_redirects.unwrap_or(false),
        });
    }
    let d = CacheControl::default();
    let c = raw.cache_control;
    let cache_control = CacheControl {
        immutable: c.immutable.unwrap_or(d.immutable),
        pages: c.pages.unwrap_or(d.pages),
        feeds: c.feeds.unwrap_or(d.feeds),
        other: c.other.unwrap_or(d.other),
    };
    (
        DeployConfig {
            targets,
            cache_control,
            host_files: raw.host_files,
            csp: raw.csp,
        },
        errors,
    )
}

/// A bucket folder as keys start with it: `preview/pr-3/`, or empty for the
/// bucket's top.
pub fn normalize_prefix(prefix: &str) -> Result<String, String> {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    if trimmed
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(format!(
            "the prefix `{prefix}` has an empty, `.` or `..` folder"
        ));
    }
    Ok(format!("{trimmed}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (DeployConfig, Vec<DeployError>) {
        deploy_from_raw(toml::from_str(text).expect("valid toml"))
    }

    #[test]
    fn credentials_in_site_toml_are_errors() {
        let (_, errors) = parse(
            "[targets.live]\nbucket = \"b\"\naccess_key_id = \"AKIA\"\nsecret_access_key = \"x\"\n",
        );
        let keys: Vec<_> = errors.iter().map(|e| e.key).collect();
        assert_eq!(keys, ["access_key_id", "secret_access_key"]);
        assert!(
            errors[0]
                .help
                .as_deref()
                .unwrap()
                .contains("AWS_ACCESS_KEY_ID")
        );
    }

    #[test]
    fn target_defaults_and_prefix_are_normalized() {
        let (config, errors) = parse("[targets.live]\nbucket = \"b\"\nprefix = \"/site/en\"\n");
        assert!(errors.is_empty());
        let t = config.target("live").unwrap();
        assert_eq!(t.prefix, "site/en/");
        assert_eq!(t.region, "us-east-1");
        assert_eq!(t.concurrency, 16);
        assert!(!t.website_redirects);
        assert_eq!(config.cache_control, CacheControl::default());
    }

    #[test]
    fn website_redirects_is_a_target_setting() {
        let (config, errors) = parse("[targets.live]\nbucket = \"b\"\nwebsite_redirects = true\n");
        assert!(errors.is_empty());
        assert!(config.target("live").unwrap().website_redirects);
        let wrong: Result<RawDeploy, _> =
            toml::from_str("[targets.live]\nbucket = \"b\"\nwebsite_redirects = \"yes\"\n");
        assert!(wrong.is_err(), "a string is not a bool");
    }

    #[test]
    fn bad_values_are_each_reported() {
        let (_, errors) = parse("[targets.x]\nendpoint = \"s3.example.no\"\nprefix = \"a/../b\"\n");
        let keys: Vec<_> = errors.iter().map(|e| e.key).collect();
        assert_eq!(keys, ["bucket", "endpoint", "prefix"]);
    }

    #[test]
    fn cache_control_rules_can_be_overridden_one_by_one() {
        let (config, _) = parse("[cache_control]\npages = \"public, max-age=60\"\n");
        assert_eq!(config.cache_control.pages, "public, max-age=60");
        assert_eq!(
            config.cache_control.immutable,
            CacheControl::default().immutable
        );
    }
}
