//! Aliases as S3 website redirects (`website_redirects`, issue 19): the
//! redirect pages go up with `x-amz-website-redirect-location` besides their
//! HTML, in a PUT polis builds and signs itself (src/deploy/redirect.rs).
//!
//! SeaweedFS (4.48) takes the header and drops it: a HEAD or GET of the
//! object does not return it, and the filer's record of the object has no
//! trace of it, where it keeps `x-amz-meta-*`. So these tests cannot read the
//! redirect back; they check what can be seen: the server, which checks
//! signatures (see `Weed::run`), accepts the signed PUT and refuses one
//! signed with the wrong secret; the body and the digest metadata are the
//! page's; the digest counts the location, so turning the setting on uploads
//! the redirect pages and nothing else, once.

use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use polis::config::deploy::{CacheControl, DeployTarget};
use polis::deploy::files::{LocalFile, scan};
use polis::deploy::redirect::{REDIRECT_HEADER, RedirectUploader};

use super::{ACCESS_KEY, BUCKET, SECRET_KEY, Weed, local_files, options, run, site};
use crate::common::SiteTest;

/// The fixture's redirect pages and where they send a reader: the alias of
/// `about.md` and the root `/` (to the default language).
const REDIRECTS: [(&str, &str); 2] = [
    ("index.html", "/en/"),
    ("old-about/index.html", "/en/about/"),
];

fn turn_on(site: &SiteTest) {
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    // The target's table is the last one of the fixture's site.toml.
    site.write("site.toml", format!("{config}website_redirects = true\n"));
}

fn expected() -> Vec<(String, String)> {
    REDIRECTS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn website_redirects_turned_on_upload_only_the_redirect_pages_then_nothing() {
    let Some(weed) = Weed::start() else { return };
    let site = site(&weed);
    let first = run(&options(&site));
    assert!(first.redirects.is_empty(), "off by default");
    let plain_digest = weed.head("old-about/index.html")["x-amz-meta-polis-digest"].clone();

    turn_on(&site);
    let mut dry = options(&site);
    dry.dry_run = true;
    let planned = run(&dry);
    assert_eq!(planned.uploaded, ["index.html", "old-about/index.html"]);
    assert_eq!(planned.redirects, expected());
    let text = polis::cli::deploy::summary(&planned);
    assert!(
        text.contains("  would upload  old-about/index.html (website redirect to /en/about/)\n")
            && text.contains("website redirects: 2 would be set"),
        "{text}"
    );

    let on = run(&options(&site));
    let mut uploaded = on.uploaded.clone();
    uploaded.sort();
    assert_eq!(uploaded, ["index.html", "old-about/index.html"]);
    assert_eq!(on.replaced, 2);
    assert_eq!(on.unchanged, local_files(site.out()).len() - 2);
    assert_eq!(on.redirects, expected());
    assert!(
        polis::cli::deploy::summary(&on).contains("website redirects: 2 set"),
        "{}",
        polis::cli::deploy::summary(&on)
    );

    // The objects are the pages, with headers, and a digest that counts
    // the location (what a deploy reads to know they are up to date).
    let built = local_files(site.out());
    let with_location = scan(site.out(), &CacheControl::default(), Some("")).unwrap();
    for (key, location) in REDIRECTS {
        assert_eq!(
            weed.get(key),
            built[key],
            "{key}: the HTML page is the body"
        );
        let h = weed.head(key);
        assert_eq!(h["content-type"], "text/html; charset=utf-8", "{key}");
        assert_eq!(h["cache-control"], "public, max-age=0, must-revalidate");
        let file = with_location.iter().find(|f| f.rel == key).unwrap();
        assert_eq!(file.redirect.as_deref(), Some(location));
        assert_eq!(h["x-amz-meta-polis-digest"], file.digest, "{key}");
        // SeaweedFS drops the header; a store that keeps it must say this.
        if let Some(kept) = h.get(REDIRECT_HEADER) {
            assert_eq!(kept, location, "{key}");
        }
    }
    assert_ne!(
        weed.head("old-about/index.html")["x-amz-meta-polis-digest"],
        plain_digest
    );

    let again = run(&options(&site));
    assert_eq!(again.uploaded, Vec::<String>::new());
    assert!(again.redirects.is_empty());
    assert_eq!(
        again.heads, 0,
        "the manifest knew the redirect pages' ETags"
    );
}

/// The redirect uploader on its own, against a server that checks
/// signatures: the right secret is a 200 with the ETag the object then has,
/// a wrong one an error that names the key and says what to check.
#[test]
fn website_redirect_uploads_are_signed_and_a_wrong_signature_is_refused() {
    let Some(weed) = Weed::start() else { return };
    let site = SiteTest::new("deploy/site");
    site.build().assert_clean();
    let files = scan(site.out(), &CacheControl::default(), Some("")).unwrap();
    let page: &LocalFile = files
        .iter()
        .find(|f| f.rel == "old-about/index.html")
        .unwrap();
    let body = std::fs::read(site.out().join(&page.rel)).unwrap();
    let target = DeployTarget {
        name: "test".into(),
        bucket: BUCKET.into(),
        endpoint: Some(weed.endpoint()),
        region: "us-east-1".into(),
        prefix: String::new(),
        concurrency: 1,
        invalidation_file: None,
        invalidation_max_paths: 100,
        website_redirects: true,
    };
    // The store's own client needs rustls' crypto before it is built, as
    // `deploy` installs it.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let uploader = |secret: &str| {
        let store = AmazonS3Builder::new()
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_endpoint(weed.endpoint())
            .with_allow_http(true)
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(secret)
            .build()
            .unwrap();
        let options = object_store::ClientOptions::new().with_allow_http(true);
        RedirectUploader::new(&target, &store, &options, Duration::from_secs(2)).unwrap()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // A key with what S3's canonical URI encodes, so a signature over a
    // differently encoded path would not match.
    let key = "old about/ø+1/index.html";

    let wrong = runtime
        .block_on(uploader("not-the-secret").put(key, page, body.clone()))
        .expect_err("a wrong secret is refused");
    let message = wrong.to_string();
    assert!(
        message.contains(&format!(
            "uploading `{key}` with its website redirect to `/en/about/`"
        )) && message.contains("403")
            && message.contains("SignatureDoesNotMatch")
            && message.contains("AWS_SECRET_ACCESS_KEY")
            && message.contains("`website_redirects = true` under `[deploy.targets.test]`"),
        "{message}"
    );
    assert!(!weed.keys().contains(&key.to_string()));

    let tag = runtime
        .block_on(uploader(SECRET_KEY).put(key, page, body.clone()))
        .expect("the signed PUT is accepted");
    let encoded = percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2F", "/");
    let h = weed.head(&encoded);
    assert_eq!(h["etag"].trim_matches('"'), tag);
    assert_eq!(h["x-amz-meta-polis-digest"], page.digest);
    assert_eq!(weed.get(&encoded), body);
    assert_eq!(weed.keys(), [key]);
}
