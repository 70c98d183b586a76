//! `polis deploy`, a driver of its own (DESIGN.md): it reads a finished build
//! (the output folder) and makes an S3-compatible bucket match it, through
//! `object_store`. It never builds, and it changes nothing in the output.
//!
//! Each object carries the digest of its bytes and headers in its metadata
//! (`x-amz-meta-polis-digest`), not in the ETag, which multipart uploads and
//! some stores change (issue 19). Reading that metadata takes a HEAD per
//! object, so a small manifest in the bucket (`.polis-deploy.json` under the
//! prefix) remembers each object's digest with the ETag it had when polis
//! uploaded it: an object whose listed ETag still matches is known without a
//! request; any other is asked with HEAD. A lost or stale manifest costs
//! time, never a wrong answer.
//!
//! Order: assets and images, then pages, then feeds and the sitemap, then
//! deletions; a phase starts only when the one before it went up whole, so an
//! interrupted deploy leaves every page that was live working, and the next
//! run finishes the job.
//!
//! With a target's `website_redirects`, redirect pages go up with S3's
//! website redirect header besides their HTML (`redirect`), the one upload
//! `object_store` cannot make itself.

pub mod files;
pub mod plan;
pub mod redirect;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, ClientOptions, GetOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload, RetryConfig,
};
use serde::{Deserialize, Serialize};

use crate::config::deploy::{DeployTarget, normalize_prefix};
use crate::config::load_config;
use crate::diag::Diagnostics;
use crate::error::{Error, Result};
use crate::progress::{Progress, Show};
use files::{LocalFile, Phase};
use plan::Remote;
use redirect::RedirectUploader;

/// The metadata key of an object's digest (`x-amz-meta-polis-digest`).
const DIGEST_META: &str = "polis-digest";
/// The manifest's name under the prefix.
pub const MANIFEST: &str = ".polis-deploy.json";

/// Credentials for the store, from the environment only.
#[derive(Clone, Default)]
pub struct Credentials {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret, not even in a debug dump.
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Credentials {
            access_key_id: var("AWS_ACCESS_KEY_ID"),
            secret_access_key: var("AWS_SECRET_ACCESS_KEY"),
            session_token: var("AWS_SESSION_TOKEN"),
        }
    }
}

/// A change made to the store, as it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    Uploaded(&'a str),
    Deleted(&'a str),
}

/// Called with each change, for a caller's own display or log.
pub type OnEvent = Arc<dyn Fn(Event) + Send + Sync>;

#[derive(Clone)]
pub struct DeployOptions {
    pub root: PathBuf,
    /// The finished build; `ROOT/public` by default.
    pub output: PathBuf,
    pub target: String,
    /// Instead of the target's prefix (a preview's `pr-12/`).
    pub prefix: Option<String>,
    pub dry_run: bool,
    pub max_deletes: usize,
    /// Upload every file, changed or not.
    pub force: bool,
    pub credentials: Credentials,
    pub progress: Show,
    /// How long a request is retried before the deploy gives up.
    pub retry_timeout: Duration,
    pub on_event: Option<OnEvent>,
}

impl DeployOptions {
    pub fn new(root: &Path, target: &str) -> Self {
        DeployOptions {
            root: root.to_path_buf(),
            output: root.join("public"),
            target: target.to_string(),
            prefix: None,
            dry_run: false,
            max_deletes: 256,
            force: false,
            credentials: Credentials::default(),
            progress: Show::Never,
            retry_timeout: Duration::from_secs(60),
            on_event: None,
        }
    }
}

/// What a deploy did (or, with `--dry-run`, would do).
#[derive(Debug, Default, Serialize)]
pub struct DeployReport {
    pub target: String,
    pub bucket: String,
    pub prefix: String,
    pub dry_run: bool,
    /// Keys uploaded, in upload order.
    pub uploaded: Vec<String>,
    /// Of those, how many replaced an object.
    pub replaced: usize,
    pub unchanged: usize,
    pub deleted: Vec<String>,
    /// Deletions not done because there were more than `--max-deletes`.
    pub deletes_refused: Vec<String>,
    pub bytes: u64,
    /// Objects whose digest was asked with HEAD (the manifest did not know).
    pub heads: usize,
    pub elapsed: Duration,
    /// The paths written for the CDN, when an invalidation file is set.
    pub invalidation: Option<(String, Vec<String>)>,
    /// Of the uploads, the redirect pages that went up with a website
    /// redirect (`website_redirects`): key and location, sorted.
    pub redirects: Vec<(String, String)>,
}

/// The manifest: each object's digest, with the ETag it had when uploaded.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Manifest {
    objects: BTreeMap<String, ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ManifestEntry {
    digest: String,
    etag: String,
}

/// Makes the target's bucket match the build in `options.output`.
pub fn deploy(options: &DeployOptions, diags: &mut Diagnostics) -> Result<DeployReport> {
    let config = load_config(&options.root, diags)?;
    let Some(target) = config.deploy.target(&options.target) else {
        let names: Vec<String> = config
            .deploy
            .targets
            .iter()
            .map(|t| format!("`{}`", t.name))
            .collect();
        return Err(Error::Usage(if names.is_empty() {
            format!(
                "site.toml has no deploy targets; add `[deploy.targets.{}]` with a `bucket`",
                options.target
            )
        } else {
            format!(
                "site.toml has no deploy target `{}`; it has {}",
                options.target,
                names.join(", ")
            )
        }));
    };
    let mut target = target.clone();
    if let Some(p) = &options.prefix {
        target.prefix = normalize_prefix(p).map_err(Error::Usage)?;
    }
    if !options.output.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is not there; run `polis build` first, deploy publishes a finished build",
            options.output.display()
        )));
    }
    let start = Instant::now();
    let mut timer = crate::timing::Timer::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Deploy(format!("starting the network runtime: {e}")))?;
    // The bucket's listing and manifest come over the network while the
    // build's files are read and hashed here: a deploy with nothing to do
    // takes the longer of the two, not their sum.
    let store = Arc::new(store_of(&target, options)?);
    let redirects = if target.website_redirects {
        Some(RedirectUploader::new(
            &target,
            &store,
            &client_options(&target),
            options.retry_timeout,
        )?)
    } else {
        None
    };
    let remote = runtime.spawn(fetch_remote(store.clone(), target.clone()));
    let files = files::scan(
        &options.output,
        &config.deploy.cache_control,
        target.website_redirects.then_some(target.prefix.as_str()),
    )?;
    timer.lap("deploy: read and hash the build");
    let mut report = runtime.block_on(async {
        let remote = remote
            .await
            .map_err(|e| Error::Deploy(format!("listing the bucket: {e}")))??;
        timer.lap("deploy: list the bucket (waited for)");
        let upload = Uploader {
            store: &store,
            redirects: redirects.as_ref(),
        };
        run(options, &target, &files, upload, remote).await
    })?;
    timer.lap("deploy: compare and upload");
    if let Some(file) = &target.invalidation_file
        && !options.dry_run
    {
        let keys: Vec<&str> = report
            .uploaded
            .iter()
            .chain(&report.deleted)
            .map(String::as_str)
            .collect();
        let paths = plan::invalidation_paths(&keys, &target.prefix, target.invalidation_max_paths);
        let mut text = paths.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        crate::fs::write(&options.root.join(file), text.as_bytes())?;
        report.invalidation = Some((file.clone(), paths));
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

fn store_of(target: &DeployTarget, options: &DeployOptions) -> Result<AmazonS3> {
    install_crypto();
    let creds = &options.credentials;
    let (Some(id), Some(secret)) = (&creds.access_key_id, &creds.secret_access_key) else {
        return Err(Error::Usage(
            "no credentials for the store: set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` in the environment".into(),
        ));
    };
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(&target.bucket)
        .with_region(&target.region)
        .with_access_key_id(id)
        .with_secret_access_key(secret)
        .with_retry(RetryConfig {
            retry_timeout: options.retry_timeout,
            ..RetryConfig::default()
        })
        .with_client_options(client_options(target));
    if let Some(token) = &creds.session_token {
        b = b.with_token(token);
    }
    if let Some(endpoint) = &target.endpoint {
        b = b.with_endpoint(endpoint);
    }
    b.build()
        .map_err(|e| Error::Deploy(format!("deploy target `{}`: {e}", target.name)))
}

/// reqwest's rustls has no crypto of its own here (no aws-lc-rs to build):
/// ring, installed once for the process, before any client is made.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The HTTP client's settings, the same for `object_store` and the redirect
/// uploads.
fn client_options(target: &DeployTarget) -> ClientOptions {
    let http = target
        .endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("http://"));
    ClientOptions::new()
        .with_connect_timeout(Duration::from_secs(10))
        .with_allow_http(http)
}

/// How files go up: through `object_store`, and redirect pages through
/// [`RedirectUploader`] when the target wants website redirects.
#[derive(Clone, Copy)]
struct Uploader<'a> {
    store: &'a AmazonS3,
    redirects: Option<&'a RedirectUploader>,
}

impl Uploader<'_> {
    /// Puts one file at `key`; returns its ETag, without quotes (empty when
    /// the store gave none).
    async fn put(&self, key: &str, f: &LocalFile, bytes: Vec<u8>) -> Result<String> {
        if let (Some(r), Some(_)) = (self.redirects, &f.redirect) {
            return r.put(key, f, bytes).await;
        }
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, f.content_type.clone().into());
        attributes.insert(Attribute::CacheControl, f.cache_control.clone().into());
        attributes.insert(
            Attribute::Metadata(DIGEST_META.into()),
            f.digest.clone().into(),
        );
        let put = self
            .store
            .put_opts(
                &key_of(key)?,
                PutPayload::from(bytes),
                PutOptions::from(attributes),
            )
            .await
            .map_err(|e| failed(&format!("uploading `{key}`"), e))?;
        Ok(put
            .e_tag
            .as_deref()
            .map(etag)
            .unwrap_or_default()
            .to_string())
    }
}

fn key_of(s: &str) -> Result<Key> {
    Key::parse(s).map_err(|e| Error::Deploy(format!("`{s}` cannot be an object key: {e}")))
}

/// The object store's error, with what was being done.
fn failed(what: &str, e: object_store::Error) -> Error {
    Error::Deploy(format!("{what}: {e}"))
}

fn etag(s: &str) -> &str {
    s.trim_matches('"')
}

/// What the store holds under the target's prefix: every object listed, and
/// the deploy manifest (empty when there is none yet).
struct RemoteState {
    listed: Vec<object_store::ObjectMeta>,
    manifest: Manifest,
}

async fn fetch_remote(store: Arc<AmazonS3>, target: DeployTarget) -> Result<RemoteState> {
    let prefix = &target.prefix;
    let manifest_key = key_of(&format!("{prefix}{MANIFEST}"))?;
    let list_prefix = match prefix.trim_end_matches('/') {
        "" => None,
        p => Some(key_of(p)?),
    };
    let listing = list_all(&store, list_prefix.as_ref(), target.concurrency);
    let manifest = async {
        match store.get(&manifest_key).await {
            Ok(got) => {
                let bytes = got
                    .bytes()
                    .await
                    .map_err(|e| failed("reading the deploy manifest", e))?;
                Ok(serde_json::from_slice(&bytes).unwrap_or_default())
            }
            Err(object_store::Error::NotFound { .. }) => Ok(Manifest::default()),
            Err(e) => Err(failed("reading the deploy manifest", e)),
        }
    };
    let (listed, manifest) = futures_util::join!(listing, manifest);
    Ok(RemoteState {
        listed: listed.map_err(|e| failed(&format!("listing bucket `{}`", target.bucket), e))?,
        manifest: manifest?,
    })
}

/// Every object under `prefix`. A listing is pages of 1,000 keys fetched one
/// after another, so 13,557 objects were 14 round trips in a row (two thirds
/// of a deploy with nothing to do): the first two levels of folders (`en/`,
/// then `en/news/`) are listed with a delimiter, and the folders below them
/// each on their own, `concurrency` at a time.
async fn list_all(
    store: &AmazonS3,
    prefix: Option<&Key>,
    concurrency: usize,
) -> object_store::Result<Vec<object_store::ObjectMeta>> {
    let top = store.list_with_delimiter(prefix).await?;
    let mut objects = top.objects;
    let second: Vec<object_store::ListResult> = futures_util::stream::iter(
        top.common_prefixes
            .into_iter()
            .map(|p| async move { store.list_with_delimiter(Some(&p)).await }),
    )
    .buffer_unordered(concurrency)
    .try_collect()
    .await?;
    let mut folders = Vec::new();
    for level in second {
        objects.extend(level.objects);
        folders.extend(level.common_prefixes);
    }
    let deep: Vec<Vec<object_store::ObjectMeta>> = futures_util::stream::iter(
        folders
            .into_iter()
            .map(|p| async move { store.list(Some(&p)).try_collect::<Vec<_>>().await }),
    )
    .buffer_unordered(concurrency)
    .try_collect()
    .await?;
    objects.extend(deep.into_iter().flatten());
    Ok(objects)
}

async fn run(
    options: &DeployOptions,
    target: &DeployTarget,
    files: &[LocalFile],
    upload: Uploader<'_>,
    remote_state: RemoteState,
) -> Result<DeployReport> {
    let store = upload.store;
    let prefix = &target.prefix;
    let manifest_key = key_of(&format!("{prefix}{MANIFEST}"))?;
    let RemoteState {
        listed,
        mut manifest,
    } = remote_state;
    let local: std::collections::HashSet<String> =
        files.iter().map(|f| format!("{prefix}{}", f.rel)).collect();
    let mut remote = BTreeMap::new();
    let mut known = BTreeMap::new();
    let mut to_head = Vec::new();
    for meta in listed {
        let key = meta.location.to_string();
        if key == manifest_key.as_ref() {
            continue;
        }
        let tag = meta.e_tag.as_deref().map(etag).unwrap_or_default();
        match manifest.objects.get(&key) {
            Some(e) if !tag.is_empty() && e.etag == tag => {
                known.insert(key.clone(), e.clone());
                remote.insert(
                    key,
                    Remote {
                        digest: Some(e.digest.clone()),
                    },
                );
            }
            _ if local.contains(&key) && !options.force => to_head.push((key, tag.to_string())),
            _ => {
                remote.insert(key, Remote { digest: None });
            }
        }
    }
    let heads = to_head.len();
    let headed: Vec<(String, String, Option<String>)> =
        futures_util::stream::iter(to_head.into_iter().map(|(key, tag)| {
            let store = &store;
            async move {
                let k = key_of(&key)?;
                let got = store
                    .get_opts(&k, GetOptions::new().with_head(true))
                    .await
                    .map_err(|e| failed(&format!("HEAD `{key}`"), e))?;
                let digest = got
                    .attributes
                    .get(&Attribute::Metadata(DIGEST_META.into()))
                    .map(|v| v.to_string());
                Ok::<_, Error>((key, tag, digest))
            }
        }))
        .buffer_unordered(target.concurrency)
        .try_collect()
        .await?;
    for (key, tag, digest) in headed {
        if let Some(d) = &digest
            && !tag.is_empty()
        {
            known.insert(
                key.clone(),
                ManifestEntry {
                    digest: d.clone(),
                    etag: tag,
                },
            );
        }
        remote.insert(key, Remote { digest });
    }
    // The manifest keeps only what was verified just now.
    let manifest_before = std::mem::take(&mut manifest);
    manifest.objects = known;

    let plan = plan::plan(files, prefix, &remote, options.force);
    let mut report = DeployReport {
        target: target.name.clone(),
        bucket: target.bucket.clone(),
        prefix: prefix.clone(),
        dry_run: options.dry_run,
        replaced: plan.replaced,
        unchanged: plan.unchanged,
        heads,
        redirects: plan
            .uploads
            .iter()
            .filter_map(|&i| {
                let f = &files[i];
                Some((format!("{prefix}{}", f.rel), f.redirect.clone()?))
            })
            .collect(),
        ..DeployReport::default()
    };
    report.redirects.sort();
    let over_limit = plan.deletes.len() > options.max_deletes;
    if options.dry_run {
        report.uploaded = plan
            .uploads
            .iter()
            .map(|&i| format!("{prefix}{}", files[i].rel))
            .collect();
        report.bytes = plan.uploads.iter().map(|&i| files[i].size).sum();
        if over_limit {
            report.deletes_refused = plan.deletes;
        } else {
            report.deleted = plan.deletes;
        }
        return Ok(report);
    }

    let progress = Progress::new(options.progress, "uploads", plan.uploads.len() as u64);
    for phase in [Phase::Assets, Phase::Pages, Phase::Feeds] {
        let results: Vec<Result<(String, String, String, u64)>> =
            futures_util::stream::iter(plan.phase(files, phase).map(|i| {
                let f = &files[i];
                let progress = &progress;
                async move {
                    let key = format!("{prefix}{}", f.rel);
                    let bytes = crate::fs::read(&options.output.join(&f.rel))?;
                    let size = bytes.len() as u64;
                    let tag = upload.put(&key, f, bytes).await?;
                    progress.inc(1);
                    if let Some(hook) = &options.on_event {
                        hook(Event::Uploaded(&key));
                    }
                    Ok((key, f.digest.clone(), tag, size))
                }
            }))
            .buffer_unordered(target.concurrency)
            .collect()
            .await;
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok((key, digest, tag, size)) => {
                    if !tag.is_empty() {
                        manifest
                            .objects
                            .insert(key.clone(), ManifestEntry { digest, etag: tag });
                    }
                    report.bytes += size;
                    report.uploaded.push(key);
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !errors.is_empty() {
            progress.finish();
            // What went up is remembered, so the re-run asks less.
            let _ = save_manifest(store, &manifest_key, &manifest).await;
            let later = match phase {
                Phase::Assets => "no page, feed or deletion was touched",
                Phase::Pages => "no feed or deletion was touched",
                Phase::Feeds => "no deletion was done",
            };
            return Err(Error::Deploy(format!(
                "{} of {} uploads of the {} failed ({later}; the pages that were live still work); run `polis deploy` again to finish; first failure: {}",
                errors.len(),
                errors.len() + report.uploaded.len(),
                match phase {
                    Phase::Assets => "assets",
                    Phase::Pages => "pages",
                    Phase::Feeds => "feeds",
                },
                errors[0]
            )));
        }
    }
    progress.finish();

    if over_limit {
        report.deletes_refused = plan.deletes;
    } else {
        let results: Vec<Result<String>> =
            futures_util::stream::iter(plan.deletes.into_iter().map(|key| {
                let store = &store;
                async move {
                    store
                        .delete(&key_of(&key)?)
                        .await
                        .map_err(|e| failed(&format!("deleting `{key}`"), e))?;
                    if let Some(hook) = &options.on_event {
                        hook(Event::Deleted(&key));
                    }
                    Ok(key)
                }
            }))
            .buffer_unordered(target.concurrency)
            .collect()
            .await;
        let mut first_error = None;
        for r in results {
            match r {
                Ok(key) => {
                    manifest.objects.remove(&key);
                    report.deleted.push(key);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        report.deleted.sort();
        save_manifest(store, &manifest_key, &manifest).await?;
        if let Some(e) = first_error {
            return Err(e);
        }
        return Ok(report);
    }
    // Nothing changed: the manifest in the store says it already.
    if manifest != manifest_before {
        save_manifest(store, &manifest_key, &manifest).await?;
    }
    Ok(report)
}

async fn save_manifest(store: &AmazonS3, key: &Key, manifest: &Manifest) -> Result<()> {
    let bytes = serde_json::to_vec(manifest).unwrap_or_default();
    let mut attributes = Attributes::new();
    attributes.insert(
        Attribute::ContentType,
        "application/json; charset=utf-8".into(),
    );
    attributes.insert(Attribute::CacheControl, "no-store".into());
    store
        .put_opts(key, PutPayload::from(bytes), PutOptions::from(attributes))
        .await
        .map_err(|e| failed("writing the deploy manifest", e))?;
    Ok(())
}
