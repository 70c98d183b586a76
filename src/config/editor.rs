//! `[editor]` in `site.toml`: the web editor at `/admin/` (issue 18). Which
//! repository the CMS commits to, how contributors sign in, and where the
//! vendored CMS script is. The CMS's configuration itself is generated from the
//! collections by [`crate::editor`]; nothing here describes a field.

use serde::Deserialize;

/// The serde shape of `[editor]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEditor {
    /// Build the editor (on when `[editor]` is there).
    pub enabled: Option<bool>,
    /// `github` (the default), or `test-repo`: Sveltia CMS's in-browser
    /// repository, to try the editor out (and test it) without an account;
    /// nothing it saves leaves the browser.
    pub backend: Option<String>,
    /// The GitHub repository the CMS commits to: `owner/name`.
    pub repo: Option<String>,
    /// The branch pull requests go to (`main`).
    pub branch: Option<String>,
    /// Contributors without write access edit through a fork of their own.
    pub open_authoring: Option<bool>,
    /// The OAuth authenticator's address (Sveltia CMS Authenticator); without
    /// one, people sign in with a personal access token.
    pub auth_url: Option<String>,
    /// The GitHub API the CMS talks to: GitHub Enterprise Server's
    /// `https://HOST/api/v3`; `https://api.github.com` when not given.
    pub api_root: Option<String>,
    /// The CMS script, relative to the site root, with its pin beside it.
    pub script: Option<String>,
    /// Stylesheets of `static/` or `assets/` the preview is shown in.
    pub preview_styles: Option<Vec<String>>,
    /// Sections (folders under `content/`) the editor leaves out.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// `[editor]`, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditorConfig {
    pub enabled: bool,
    pub backend: EditorBackend,
    pub repo: String,
    pub branch: String,
    pub open_authoring: bool,
    pub auth_url: Option<String>,
    pub api_root: Option<String>,
    /// Relative to the site root: `vendor/sveltia-cms/sveltia-cms.js`.
    pub script: String,
    pub preview_styles: Vec<String>,
    pub exclude: Vec<String>,
}

/// Where the CMS saves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EditorBackend {
    /// Pull requests to a GitHub repository.
    #[default]
    GitHub,
    /// The browser's own storage: a try-out, and the browser tests.
    TestRepo,
}

/// Where `vendor/sveltia-cms/update.sh` puts the CMS.
pub const DEFAULT_SCRIPT: &str = "vendor/sveltia-cms/sveltia-cms.js";

/// A mistake in `[editor]`: the key it is about, a message and a hint.
#[derive(Debug)]
pub struct EditorError {
    pub key: &'static str,
    pub message: String,
    pub help: Option<String>,
}

/// Checks `[editor]`; off when the section is missing.
pub fn editor_from_raw(raw: Option<RawEditor>) -> (EditorConfig, Vec<EditorError>) {
    let Some(raw) = raw else {
        return (EditorConfig::default(), Vec::new());
    };
    let mut errors = Vec::new();
    let enabled = raw.enabled.unwrap_or(true);
    let backend = match raw.backend.as_deref() {
        None | Some("github") => EditorBackend::GitHub,
        Some("test-repo") => EditorBackend::TestRepo,
        Some(other) => {
            errors.push(EditorError {
                key: "backend",
                message: format!("`{other}` is not an editor backend"),
                help: Some(
                    "use `github`, or `test-repo` to try the editor in the browser alone".into(),
                ),
            });
            EditorBackend::GitHub
        }
    };
    let repo = raw.repo.unwrap_or_default();
    let valid_repo = {
        let mut parts = repo.split('/');
        matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(o), Some(n), None) if !o.is_empty() && !n.is_empty()
                && !repo.contains(char::is_whitespace)
        )
    };
    if enabled && backend == EditorBackend::GitHub && !valid_repo {
        errors.push(EditorError {
            key: "repo",
            message: if repo.is_empty() {
                "`[editor]` needs the GitHub repository the editor commits to".into()
            } else {
                format!("`{repo}` is not a GitHub repository name")
            },
            help: Some("write it as `repo = \"owner/name\"`".into()),
        });
    }
    if let Some(url) = &raw.auth_url
        && !matches!(url::Url::parse(url), Ok(u) if u.scheme() == "https")
    {
        errors.push(EditorError {
            key: "auth_url",
            message: format!("`auth_url` must be an https:// address, not `{url}`"),
            help: Some(
                "the address of your Sveltia CMS Authenticator, or remove the key to sign in with a token"
                    .into(),
            ),
        });
    }
    // http:// only to this machine: a GitHub API stand-in (the browser tests).
    if let Some(url) = &raw.api_root
        && !matches!(url::Url::parse(url), Ok(u) if u.scheme() == "https"
            || (u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost"))))
    {
        errors.push(EditorError {
            key: "api_root",
            message: format!("`api_root` must be an https:// address, not `{url}`"),
            help: Some(
                "GitHub Enterprise Server's API, `https://HOST/api/v3`, or remove the key for github.com"
                    .into(),
            ),
        });
    }
    let config = EditorConfig {
        enabled,
        backend,
        repo,
        branch: raw.branch.unwrap_or_else(|| "main".into()),
        open_authoring: raw.open_authoring.unwrap_or(false),
        auth_url: raw.auth_url,
        api_root: raw.api_root,
        script: raw.script.unwrap_or_else(|| DEFAULT_SCRIPT.into()),
        preview_styles: raw
            .preview_styles
            .unwrap_or_else(|| vec!["css/style.css".into()]),
        exclude: raw.exclude,
    };
    (config, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(toml_text: &str) -> RawEditor {
        toml::from_str(toml_text).expect("test input parses")
    }

    #[test]
    fn editor_is_off_without_its_section() {
        let (c, errors) = editor_from_raw(None);
        assert!(!c.enabled);
        assert!(errors.is_empty());
    }

    #[test]
    fn editor_defaults_fill_what_is_left_out() {
        let (c, errors) = editor_from_raw(Some(raw("repo = \"region/site\"")));
        assert!(errors.is_empty(), "{errors:?}");
        assert!(c.enabled);
        assert_eq!(c.branch, "main");
        assert_eq!(c.script, DEFAULT_SCRIPT);
        assert_eq!(c.preview_styles, ["css/style.css"]);
        assert!(!c.open_authoring);
    }

    #[test]
    fn editor_repo_and_auth_url_are_checked() {
        for bad in ["", "site", "a/b/c", "/site", "a b/c"] {
            let (_, errors) = editor_from_raw(Some(raw(&format!("repo = \"{bad}\""))));
            assert_eq!(errors.len(), 1, "{bad}");
            assert_eq!(errors[0].key, "repo");
        }
        let (_, errors) = editor_from_raw(Some(raw(
            "repo = \"a/b\"\nauth_url = \"http://auth.example\"",
        )));
        assert_eq!(errors[0].key, "auth_url");
        // Turned off, it needs no repository.
        let (_, errors) = editor_from_raw(Some(raw("enabled = false")));
        assert!(errors.is_empty());
        // Nor does the in-browser test repository.
        let (c, errors) = editor_from_raw(Some(raw("backend = \"test-repo\"")));
        assert!(errors.is_empty());
        assert_eq!(c.backend, EditorBackend::TestRepo);
        let (_, errors) = editor_from_raw(Some(raw("backend = \"gitlab\"\nrepo = \"a/b\"")));
        assert_eq!(errors[0].key, "backend");
    }
}
