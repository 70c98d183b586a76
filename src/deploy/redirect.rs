//! The upload of a redirect page with S3's `x-amz-website-redirect-location`
//! (issue 19), which `object_store` 0.14 cannot send: its `Attribute`s have
//! no such header, and a default header of its client would go unsigned on
//! every request. So this one PUT is built here and signed and sent with
//! `object_store`'s own public pieces (its SigV4 `AwsAuthorizer`, its reqwest
//! `HttpClient`), to the URL `object_store` puts every other object at, and
//! retried as its `RetryConfig` retries. Only for redirect pages; every
//! other upload stays `object_store`'s.

use std::time::{Duration, Instant};

use object_store::ClientOptions;
use object_store::aws::{AmazonS3, AwsAuthorizer, AwsCredentialProvider};
use object_store::client::{
    HttpClient, HttpConnector, HttpErrorKind, HttpRequestBody, ReqwestConnector,
};

use super::DIGEST_META;
use super::files::LocalFile;
use crate::config::deploy::DeployTarget;
use crate::error::{Error, Result};

/// The header S3 website endpoints answer with a 301 to its value.
pub const REDIRECT_HEADER: &str = "x-amz-website-redirect-location";

/// A key's path segments as S3's canonical URI has them (and as
/// `object_store` writes them): everything but `A-Za-z0-9-._~/` encoded.
const KEY_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Puts redirect pages into the target's bucket.
pub struct RedirectUploader {
    client: HttpClient,
    /// `{endpoint}/{bucket}`, or `https://s3.{region}.amazonaws.com/{bucket}`
    /// without an endpoint: path style, as `object_store` is set up.
    bucket_url: String,
    region: String,
    credentials: AwsCredentialProvider,
    target: String,
    retry_timeout: Duration,
}

impl RedirectUploader {
    pub fn new(
        target: &DeployTarget,
        store: &AmazonS3,
        client_options: &ClientOptions,
        retry_timeout: Duration,
    ) -> Result<Self> {
        super::install_crypto();
        let client = ReqwestConnector::default()
            .connect(client_options)
            .map_err(|e| Error::Deploy(format!("deploy target `{}`: {e}", target.name)))?;
        Ok(RedirectUploader {
            client,
            bucket_url: bucket_url(target),
            region: target.region.clone(),
            credentials: store.credentials().clone(),
            target: target.name.clone(),
            retry_timeout,
        })
    }

    /// Puts `body` at `key` with `file`'s headers and its redirect location;
    /// returns the object's ETag, without quotes.
    pub async fn put(&self, key: &str, file: &LocalFile, body: Vec<u8>) -> Result<String> {
        let location = file.redirect.as_deref().unwrap_or_default();
        let what = format!("uploading `{key}` with its website redirect to `{location}`");
        let url = format!(
            "{}/{}",
            self.bucket_url,
            percent_encoding::utf8_percent_encode(key, KEY_ENCODE)
        );
        let body = HttpRequestBody::from(body);
        let start = Instant::now();
        let mut backoff = Backoff::default();
        let mut retries = 0;
        loop {
            let credential = self
                .credentials
                .get_credential()
                .await
                .map_err(|e| Error::Deploy(format!("{what}: no credentials: {e}")))?;
            let mut request = http::Request::builder()
                .method(http::Method::PUT)
                .uri(&url)
                .header(http::header::CONTENT_TYPE, &file.content_type)
                .header(http::header::CACHE_CONTROL, &file.cache_control)
                .header(format!("x-amz-meta-{DIGEST_META}"), &file.digest)
                .header(REDIRECT_HEADER, location)
                .header(http::header::CONTENT_LENGTH, body.content_length())
                .body(body.clone())
                .map_err(|e| Error::Deploy(format!("{what}: {e}")))?;
            // Every header above is signed, the redirect location with them.
            AwsAuthorizer::new(&credential, "s3", &self.region)
                .try_authorize(&mut request, None)
                .map_err(|e| Error::Deploy(format!("{what}: signing the request: {e}")))?;
            let failure = match self.client.execute(request).await {
                Ok(response) if response.status().is_success() => {
                    let tag = response
                        .headers()
                        .get(http::header::ETAG)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    return Ok(tag.trim_matches('"').to_string());
                }
                Ok(response) => {
                    let status = response.status();
                    let transient = status.is_server_error()
                        || status == http::StatusCode::TOO_MANY_REQUESTS
                        || status == http::StatusCode::REQUEST_TIMEOUT;
                    let body = response.into_body().bytes().await.unwrap_or_default();
                    let said = s3_error(&String::from_utf8_lossy(&body));
                    let answer = format!("the store answered {status}{said}");
                    if !transient {
                        return Err(Error::Deploy(format!(
                            "{what}: {answer}; {}",
                            self.help(status)
                        )));
                    }
                    answer
                }
                // A whole PUT can be sent again, whatever became of it.
                Err(e) => match e.kind() {
                    HttpErrorKind::Connect
                    | HttpErrorKind::Request
                    | HttpErrorKind::Timeout
                    | HttpErrorKind::Interrupted => e.to_string(),
                    _ => return Err(Error::Deploy(format!("{what}: {e}"))),
                },
            };
            if retries >= MAX_RETRIES || start.elapsed() >= self.retry_timeout {
                return Err(Error::Deploy(format!(
                    "{what}: {failure}, still after {retries} retries in {:.0} s; \
                     run `polis deploy` again when the store answers, or give it \
                     longer with `--retry-timeout`",
                    start.elapsed().as_secs_f64()
                )));
            }
            retries += 1;
            tokio::time::sleep(backoff.next()).await;
        }
    }

    /// What to do about a refusal.
    fn help(&self, status: http::StatusCode) -> String {
        let setting = format!(
            "`website_redirects = true` under `[deploy.targets.{}]`",
            self.target
        );
        match status.as_u16() {
            401 | 403 => format!(
                "check `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, and that they may put objects; \
                 if only the redirect pages fail, the store may refuse the header: remove {setting}"
            ),
            _ => format!(
                "only AWS S3 takes website redirects, and this store may not: remove {setting} \
                 (the redirect pages still work as HTML)"
            ),
        }
    }
}

/// `object_store`'s `RetryConfig::default().max_retries`.
const MAX_RETRIES: u32 = 10;

/// The wait before each retry: from 100 ms, doubling, up to 15 s
/// (`object_store`'s `BackoffConfig` defaults), with jitter so concurrent
/// uploads do not come back at once.
struct Backoff {
    next: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: 0.1 }
    }
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let current = self.next;
        self.next = (current * 2.0).min(15.0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let jitter = f64::from(nanos % 1000) / 1000.0;
        Duration::from_secs_f64(0.1 + (current - 0.1) * (0.5 + jitter / 2.0))
    }
}

/// The bucket's URL as `object_store` builds it for path-style requests
/// (`AmazonS3Builder::build`): `{endpoint}/{bucket}`, or AWS's regional
/// endpoint.
pub fn bucket_url(target: &DeployTarget) -> String {
    match &target.endpoint {
        Some(endpoint) => format!("{}/{}", endpoint.trim_end_matches('/'), target.bucket),
        None => format!(
            "https://s3.{}.amazonaws.com/{}",
            target.region, target.bucket
        ),
    }
}

/// ` (Code: Message)` from an S3 error body, or nothing.
fn s3_error(body: &str) -> String {
    let field = |name: &str| {
        body.split(&format!("<{name}>"))
            .nth(1)
            .and_then(|rest| rest.split(&format!("</{name}>")).next())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    match (field("Code"), field("Message")) {
        (Some(code), Some(message)) => format!(" ({code}: {message})"),
        (Some(code), None) => format!(" ({code})"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(endpoint: Option<&str>) -> DeployTarget {
        DeployTarget {
            name: "live".into(),
            bucket: "site".into(),
            endpoint: endpoint.map(str::to_string),
            region: "eu-north-1".into(),
            prefix: String::new(),
            concurrency: 1,
            invalidation_file: None,
            invalidation_max_paths: 100,
            website_redirects: true,
        }
    }

    #[test]
    fn the_bucket_url_is_object_stores_path_style_one() {
        assert_eq!(
            bucket_url(&target(Some("http://127.0.0.1:8333"))),
            "http://127.0.0.1:8333/site"
        );
        assert_eq!(
            bucket_url(&target(None)),
            "https://s3.eu-north-1.amazonaws.com/site"
        );
    }

    #[test]
    fn keys_are_encoded_as_s3s_canonical_uri_wants() {
        let encode = |k: &str| percent_encoding::utf8_percent_encode(k, KEY_ENCODE).to_string();
        assert_eq!(encode("old-about/index.html"), "old-about/index.html");
        assert_eq!(encode("nb/bø/a b+c~_.html"), "nb/b%C3%B8/a%20b%2Bc~_.html");
    }

    #[test]
    fn s3_errors_are_read_for_code_and_message() {
        let body = "<?xml version=\"1.0\"?><Error><Code>NotImplemented</Code>\
                    <Message>A header you provided implies functionality that is not implemented</Message></Error>";
        assert_eq!(
            s3_error(body),
            " (NotImplemented: A header you provided implies functionality that is not implemented)"
        );
        assert_eq!(s3_error("Bad Gateway"), "");
    }

    #[test]
    fn backoff_grows_to_fifteen_seconds() {
        let mut b = Backoff::default();
        let waits: Vec<Duration> = (0..12).map(|_| b.next()).collect();
        assert!(waits[0] <= Duration::from_millis(100));
        assert!(waits[5] > Duration::from_secs(1));
        assert!(waits[11] <= Duration::from_secs(15));
        assert!(waits[11] >= Duration::from_secs_f64(7.5));
    }
}
