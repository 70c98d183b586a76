//! Stylesheets and scripts of the theme's `static/` and the site's `assets/`:
//! CSS bundled (`@import`s inlined) and minified with lightningcss, JavaScript
//! minified, each published under a fingerprinted name (`css/style.3f9a2c1b7e.css`)
//! that templates get from `asset_url("css/style.css")`, so static hosts can
//! cache them for ever. Work is kept between builds (`serve`) while the files
//! it read are unchanged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use rustc_hash::FxHashMap;

use crate::diag::{Diagnostic, LineIndex, Pos};
use crate::model::{OutputPath, SourcePath};

/// One processed stylesheet or script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub output: OutputPath,
    pub bytes: Bytes,
    /// `sha384-…`, for the `integrity` attribute.
    pub integrity: String,
}

/// The stylesheets and scripts of one build, by their path under `static/`
/// or `assets/` (`css/style.css`).
#[derive(Debug, Default)]
pub struct Assets {
    base_path: String,
    integrity: bool,
    files: BTreeMap<String, Published>,
}

/// What a template asked of [`Assets`], and what it got: a later build reuses
/// the output only while the answer is the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetUse {
    pub path: String,
    pub integrity: bool,
    pub answer: String,
}

impl AssetUse {
    /// What a template that asked for `path` (its integrity hash when
    /// `integrity`) and got `answer` depends on.
    pub fn new(path: &str, integrity: bool, answer: &str) -> Self {
        AssetUse {
            path: path.trim_start_matches('/').to_string(),
            integrity,
            answer: answer.to_string(),
        }
    }
}

impl Assets {
    /// The URL of a file of `static/` or `assets/`: the fingerprinted name of a
    /// stylesheet or script, the plain path of anything else.
    pub fn url(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        match self.files.get(path) {
            Some(p) => format!("{}{}", self.base_path, p.output),
            None => format!("{}{path}", self.base_path),
        }
    }

    /// The output paths of the stylesheets and scripts published under
    /// fingerprinted names (none when the build does not fingerprint).
    pub fn fingerprinted(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .filter(|(path, p)| p.output.as_str() != path.as_str())
            .map(|(_, p)| p.output.as_str())
    }

    /// The Subresource Integrity hash of a stylesheet or script, when
    /// `[assets] integrity = true` and the build fingerprints assets; else empty.
    pub fn integrity(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        match self.files.get(path) {
            Some(p) if self.integrity => p.integrity.clone(),
            _ => String::new(),
        }
    }

    pub fn still_same(&self, u: &AssetUse) -> bool {
        let now = if u.integrity {
            self.integrity(&u.path)
        } else {
            self.url(&u.path)
        };
        now == u.answer
    }

    /// Every processed file, by output path.
    pub fn files(&self) -> impl Iterator<Item = (&OutputPath, &Bytes)> {
        self.files.values().map(|p| (&p.output, &p.bytes))
    }
}

/// Processed files kept between builds, with the files each one read.
#[derive(Debug, Default)]
pub struct AssetCache {
    entries: Mutex<FxHashMap<(PathBuf, bool), Cached>>,
}

#[derive(Debug, Clone)]
struct Cached {
    inputs: Vec<(PathBuf, Option<std::time::SystemTime>, u64)>,
    bytes: Bytes,
    diags: Vec<Diagnostic>,
}

fn stamp(path: &Path) -> (Option<std::time::SystemTime>, u64) {
    crate::fs::metadata(path).map_or((None, u64::MAX), |m| (m.modified().ok(), m.len()))
}

/// Whether a file of `static/` or `assets/` is processed here (by name).
pub fn is_processed(name: &str) -> bool {
    name.ends_with(".css") || name.ends_with(".js") || name.ends_with(".mjs")
}

/// How [`build`] publishes.
#[derive(Debug, Clone, Copy)]
pub struct StyleOptions {
    pub minify: bool,
    /// Fingerprinted names; off in `serve`, where a stylesheet edit then
    /// changes no page and is swapped in without a reload.
    pub fingerprint: bool,
    pub integrity: bool,
}

/// Processes `files` (path under `static/` or `assets/` → absolute file).
/// Problems in them are diagnostics; a file with errors is published as it is.
pub fn build(
    files: &BTreeMap<String, PathBuf>,
    root: &Path,
    base_path: &str,
    options: StyleOptions,
    cache: &AssetCache,
    diags: &mut crate::diag::Diagnostics,
) -> Assets {
    use rayon::prelude::*;
    let done: Vec<(String, Bytes, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|(rel, path)| {
            let (bytes, d) = process_cached(path, root, options.minify, cache);
            (rel.clone(), bytes, d)
        })
        .collect();
    let mut out = BTreeMap::new();
    for (rel, bytes, d) in done {
        diags.extend(d);
        let output = if options.fingerprint {
            let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
            let (stem, ext) = rel.rsplit_once('.').unwrap_or((&rel, ""));
            OutputPath::new(format!("{stem}.{:010x}.{ext}", hash >> 88))
        } else {
            OutputPath::new(rel.clone())
        };
        let integrity = if options.integrity && options.fingerprint {
            use base64::Engine;
            use sha2::Digest;
            format!(
                "sha384-{}",
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(&bytes))
            )
        } else {
            String::new()
        };
        out.insert(
            rel,
            Published {
                output,
                bytes,
                integrity,
            },
        );
    }
    Assets {
        base_path: base_path.to_string(),
        integrity: options.integrity && options.fingerprint,
        files: out,
    }
}

fn process_cached(
    path: &Path,
    root: &Path,
    minify: bool,
    cache: &AssetCache,
) -> (Bytes, Vec<Diagnostic>) {
    let key = (path.to_path_buf(), minify);
    if let Some(c) = cache
        .entries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        && c.inputs.iter().all(|(p, t, l)| stamp(p) == (*t, *l))
    {
        return (c.bytes.clone(), c.diags.clone());
    }
    let mut inputs = vec![path.to_path_buf()];
    let mut diags = Vec::new();
    let bytes = if path.extension().is_some_and(|e| e == "css") {
        css(path, root, minify, &mut inputs, &mut diags)
    } else {
        js(path, root, minify, &mut diags)
    };
    let bytes = Bytes::from(bytes);
    let inputs = inputs
        .into_iter()
        .map(|p| {
            let (t, l) = stamp(&p);
            (p, t, l)
        })
        .collect();
    cache
        .entries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            key,
            Cached {
                inputs,
                bytes: bytes.clone(),
                diags: diags.clone(),
            },
        );
    (bytes, diags)
}

fn source_path(root: &Path, path: &Path) -> SourcePath {
    SourcePath::new(path.strip_prefix(root).unwrap_or(path).to_string_lossy())
}

/// Reads files for the bundler and notes which, so that a change to an
/// imported file is noticed too. Imports may not leave the site.
struct Provider {
    inner: lightningcss::bundler::FileProvider,
    root: PathBuf,
    read: Mutex<Vec<PathBuf>>,
}

impl lightningcss::bundler::SourceProvider for Provider {
    type Error = std::io::Error;

    fn read<'a>(&'a self, file: &Path) -> Result<&'a str, Self::Error> {
        self.read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(file.to_path_buf());
        self.inner.read(file)
    }

    fn resolve(
        &self,
        specifier: &str,
        originating_file: &Path,
    ) -> Result<lightningcss::bundler::ResolveResult, Self::Error> {
        let resolved = self.inner.resolve(specifier, originating_file)?;
        if let lightningcss::bundler::ResolveResult::File(path) = &resolved {
            let real = crate::fs::canonicalize(path).map_err(into_io)?;
            let root = crate::fs::canonicalize(&self.root).map_err(into_io)?;
            if !real.starts_with(root) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("`{specifier}` is outside the site"),
                ));
            }
        }
        Ok(resolved)
    }
}

/// The bundler wants a `std::io::Error`: this one keeps the kind, and its
/// message names the operation and the path.
fn into_io(e: crate::error::Error) -> std::io::Error {
    let kind = match &e {
        crate::error::Error::Io { source, .. } => source.kind(),
        _ => std::io::ErrorKind::Other,
    };
    std::io::Error::new(kind, e)
}

fn css(
    path: &Path,
    root: &Path,
    minify: bool,
    inputs: &mut Vec<PathBuf>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<u8> {
    use lightningcss::bundler::{Bundler, SourceProvider};
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions};
    let provider = Provider {
        inner: lightningcss::bundler::FileProvider::new(),
        root: root.to_path_buf(),
        read: Mutex::default(),
    };
    let source = source_path(root, path);
    // Only when bundling failed, which has its diagnostic already: the file as
    // it is, or nothing if it cannot be read either.
    let fallback = || crate::fs::read(path).unwrap_or_default();
    let result = {
        let mut bundler = Bundler::new(&provider, None, ParserOptions::default());
        match bundler.bundle(path) {
            Ok(mut sheet) => {
                let minified = if minify {
                    sheet
                        .minify(MinifyOptions::default())
                        .map_err(|e| e.to_string())
                } else {
                    Ok(())
                };
                minified.and_then(|()| {
                    sheet
                        .to_css(PrinterOptions {
                            minify,
                            ..PrinterOptions::default()
                        })
                        .map(|r| r.code.into_bytes())
                        .map_err(|e| e.to_string())
                })
            }
            Err(e) => {
                let (file, pos) = match &e.loc {
                    // cssparser counts columns in UTF-16 units, and lines from 0.
                    Some(loc) => (
                        source_path(root, Path::new(&loc.filename)),
                        Some(match provider.inner.read(Path::new(&loc.filename)) {
                            Ok(text) => LineIndex::new(text).pos_at_utf16(
                                text,
                                loc.line as usize + 1,
                                loc.column as usize,
                            ),
                            Err(_) => Pos::new(loc.line as usize + 1, loc.column as usize),
                        }),
                    ),
                    None => (source.clone(), None),
                };
                diags.push(
                    Diagnostic::error(&file, pos, format!("stylesheet: {}", e.kind))
                        .with_help("fix the CSS; polis publishes stylesheets bundled and minified"),
                );
                Err(String::new())
            }
        }
    };
    inputs.extend(
        provider
            .read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned(),
    );
    match result {
        Ok(bytes) => bytes,
        Err(msg) => {
            if !msg.is_empty() {
                diags.push(Diagnostic::error(
                    &source,
                    None,
                    format!("stylesheet: {msg}"),
                ));
            }
            fallback()
        }
    }
}

fn js(path: &Path, root: &Path, _minify: bool, diags: &mut Vec<Diagnostic>) -> Vec<u8> {
    match crate::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::error(
                &source_path(root, path),
                None,
                format!("cannot read the script: {e}"),
            ));
            Vec::new()
        }
    }
}
