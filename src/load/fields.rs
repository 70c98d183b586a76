//! Checking one file's collection fields against their schema: the values of
//! its front matter (or of a shortcode's arguments), and the files of its page
//! bundle they name (that they exist, stay inside the bundle, and for a PDF its
//! page count). Checks across files (references, uniqueness, shared fields)
//! are resolve's.

use std::path::{Component, Path};

use serde_json::Value as Json;

use crate::model::fields::{
    FieldDef, FieldType, FieldValue, FileInfo, Image, Video, VideoSource, parse_datetime,
    parse_week, quote_list,
};

/// Where a value is checked: the page's bundle folder, if it is a bundle.
#[derive(Debug, Clone, Copy)]
pub struct CheckCtx<'a> {
    pub bundle_dir: Option<&'a Path>,
}

/// Why a value does not fit its field.
#[derive(Debug, PartialEq)]
pub struct ValueError {
    pub message: String,
    pub help: Option<String>,
}

impl ValueError {
    fn new(message: impl Into<String>) -> Self {
        ValueError {
            message: message.into(),
            help: None,
        }
    }
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Checks one value (TOML and YAML both arrive as JSON values; TOML dates as
/// strings) against its field. Missing alt text, which is only a warning where
/// the schema does not require it, is returned beside the value.
pub fn check_value(
    def: &FieldDef,
    ty: &FieldType,
    v: &Json,
    ctx: CheckCtx<'_>,
    warnings: &mut Vec<ValueError>,
) -> Result<FieldValue, ValueError> {
    let name = &def.name;
    let wrong = || {
        ValueError::new(format!(
            "`{name}` must be {}, not {}",
            ty.expected(),
            found(v)
        ))
        .help(format!("write it as `{}`", ty.example(name)))
    };
    let text = || v.as_str().ok_or_else(wrong);
    Ok(match ty {
        FieldType::String | FieldType::Text => {
            let s = text()?;
            if def.required && s.trim().is_empty() {
                return Err(ValueError::new(format!("`{name}` is empty")).help("fill it in"));
            }
            if *ty == FieldType::String && s.contains('\n') {
                return Err(ValueError::new(format!("`{name}` must be a single line")));
            }
            FieldValue::String(s.to_string())
        }
        FieldType::Integer { min, max } => {
            let n = v.as_i64().ok_or_else(wrong)?;
            in_range(name, n as f64, *min, *max)?;
            FieldValue::Integer(n)
        }
        FieldType::Number { min, max } => {
            let n = v.as_f64().ok_or_else(wrong)?;
            in_range(name, n, *min, *max)?;
            FieldValue::Number(n)
        }
        FieldType::Boolean => FieldValue::Bool(v.as_bool().ok_or_else(wrong)?),
        FieldType::Date => {
            let s = text()?;
            FieldValue::Date(s.parse().map_err(|_| wrong())?)
        }
        FieldType::DateTime { zone } => {
            FieldValue::DateTime(parse_datetime(text()?, zone).ok_or_else(wrong)?)
        }
        FieldType::Week => {
            let s = text()?;
            FieldValue::Week(parse_week(s).ok_or_else(|| {
                ValueError::new(format!("`{name}` is not an ISO week: `{s}`"))
                    .help(format!("write it as `{}`", ty.example(name)))
            })?)
        }
        FieldType::Url => {
            let s = text()?;
            match url::Url::parse(s) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    FieldValue::Url(s.to_string())
                }
                _ => return Err(wrong()),
            }
        }
        FieldType::Email => {
            let s = text()?;
            if !email_address::EmailAddress::is_valid(s) {
                return Err(wrong());
            }
            FieldValue::Email(s.to_string())
        }
        FieldType::Image { alt, decorative } => {
            let (src, alt_text, credit) = match v {
                Json::String(s) => (s.as_str(), None, None),
                Json::Object(m) => {
                    only_keys(name, m, &["src", "alt", "credit"])?;
                    let src = m.get("src").and_then(Json::as_str).ok_or_else(|| {
                        ValueError::new(format!("`{name}` has no `src`"))
                            .help(format!("write it as `{}`", ty.example(name)))
                    })?;
                    (src, opt_str(name, m, "alt")?, opt_str(name, m, "credit")?)
                }
                _ => return Err(wrong()),
            };
            bundle_file(
                name,
                src,
                ctx,
                &["jpg", "jpeg", "png", "webp", "gif", "avif", "svg"],
            )?;
            // No alt text is a warning (an error where the schema asks for
            // it); an explicit empty one marks a decorative image.
            let missing = match alt_text.as_deref() {
                None => !*decorative,
                Some(a) => *alt && a.trim().is_empty(),
            };
            if missing {
                let example = format!("`{name} = {{ src = \"{src}\", alt = \"…\" }}`");
                let e = ValueError::new(format!("the image `{src}` in `{name}` has no alt text"))
                    .help(if *alt {
                        format!("describe what the photo shows: {example}")
                    } else {
                        format!(
                            "describe what the photo shows: {example}, or write `alt = \"\"` for a purely decorative image"
                        )
                    });
                if *alt {
                    return Err(e);
                }
                warnings.push(e);
            }
            FieldValue::Image(Image {
                src: src.to_string(),
                alt: alt_text,
                credit,
            })
        }
        FieldType::Video => FieldValue::Video(check_video(name, v, ctx)?),
        FieldType::Geo => {
            let (lat, lon) = match v {
                Json::Object(m) => {
                    only_keys(name, m, &["lat", "lon"])?;
                    (
                        m.get("lat").and_then(Json::as_f64),
                        m.get("lon").and_then(Json::as_f64),
                    )
                }
                Json::Array(a) if a.len() == 2 => (a[0].as_f64(), a[1].as_f64()),
                _ => (None, None),
            };
            let (Some(lat), Some(lon)) = (lat, lon) else {
                return Err(wrong());
            };
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(ValueError::new(format!(
                    "`{name}` is not on Earth: latitude must be within ±90 and longitude within ±180"
                )));
            }
            FieldValue::Geo { lat, lon }
        }
        FieldType::File { extensions } => {
            let src = text()?;
            let exts: Vec<&str> = extensions.iter().map(String::as_str).collect();
            bundle_file(name, src, ctx, &exts)?;
            FieldValue::File(file_info(name, src, ctx)?)
        }
        FieldType::Enum(values) => {
            let s = text()?;
            if !values.iter().any(|x| x == s) {
                let mut e = ValueError::new(format!(
                    "`{name}` is `{s}`, which is not one of {}",
                    quote_list(values)
                ));
                if let Some(best) = crate::diag::did_you_mean(s, values.iter().map(String::as_str))
                {
                    e = e.help(format!("did you mean `{best}`?"));
                }
                return Err(e);
            }
            FieldValue::Enum(s.to_string())
        }
        FieldType::Ref { .. } => {
            let s = text()?;
            let s = s.trim().trim_matches('/');
            if s.is_empty() || s.contains("..") {
                return Err(wrong());
            }
            FieldValue::Ref(s.to_string())
        }
        FieldType::List(item) => {
            let items = v.as_array().ok_or_else(wrong)?;
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(check_value(def, item, x, ctx, warnings)?);
            }
            if def.required && out.is_empty() {
                return Err(ValueError::new(format!("`{name}` is empty"))
                    .help(format!("write it as `{}`", ty.example(name))));
            }
            FieldValue::List(out)
        }
    })
}

/// A value as the author wrote it, shortened, for messages.
fn found(v: &Json) -> String {
    let text = match v {
        Json::String(s) => format!("`\"{s}\"`"),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "a table".into(),
        other => format!("`{other}`"),
    };
    if text.chars().count() > 60 {
        format!("{}…`", text.chars().take(58).collect::<String>())
    } else {
        text
    }
}

fn in_range(name: &str, n: f64, min: Option<f64>, max: Option<f64>) -> Result<(), ValueError> {
    if let Some(min) = min
        && n < min
    {
        return Err(ValueError::new(format!(
            "`{name}` is {n}, less than the least allowed, {min}"
        )));
    }
    if let Some(max) = max
        && n > max
    {
        return Err(ValueError::new(format!(
            "`{name}` is {n}, more than the most allowed, {max}"
        )));
    }
    Ok(())
}

fn only_keys(
    name: &str,
    m: &serde_json::Map<String, Json>,
    keys: &[&str],
) -> Result<(), ValueError> {
    for k in m.keys() {
        if !keys.contains(&k.as_str()) {
            let mut e = ValueError::new(format!("`{name}` has an unknown key `{k}`"));
            e = match crate::diag::did_you_mean(k, keys.iter().copied()) {
                Some(best) => e.help(format!("did you mean `{best}`?")),
                None => e.help(format!("its keys are {}", keys.join(", "))),
            };
            return Err(e);
        }
    }
    Ok(())
}

fn opt_str(
    name: &str,
    m: &serde_json::Map<String, Json>,
    key: &str,
) -> Result<Option<String>, ValueError> {
    match m.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ValueError::new(format!("`{key}` of `{name}` must be text"))),
    }
}

/// Checks that `src` names an existing file of the page's bundle, inside it,
/// with one of `extensions`.
fn bundle_file(
    name: &str,
    src: &str,
    ctx: CheckCtx<'_>,
    extensions: &[&str],
) -> Result<(), ValueError> {
    let Some(dir) = ctx.bundle_dir else {
        return Err(ValueError::new(format!(
            "`{name}` names the file `{src}`, but this page is not a page bundle"
        ))
        .help("make the page a folder with an `index.md` and put the file beside it"));
    };
    let rel = Path::new(src);
    if src.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(ValueError::new(format!(
            "`{name}`: `{src}` is not a path inside the page's folder"
        ))
        .help("name a file beside index.md, such as `portrait.jpg` or `photos/market.jpg`"));
    }
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !extensions.contains(&ext.as_str()) {
        return Err(ValueError::new(format!(
            "`{name}`: `{src}` is not a file of a kind this field takes"
        ))
        .help(format!("use a file ending in {}", extensions.join(", "))));
    }
    let path = dir.join(rel);
    // A symlink could lead out of the site: only real files count.
    match crate::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(ValueError::new(format!(
            "`{name}`: `{src}` is not a regular file"
        ))),
        Err(_) => {
            let mut e = ValueError::new(format!(
                "`{name}`: there is no file `{src}` in the page's folder"
            ));
            let names = sibling_names(dir);
            if let Some(best) = crate::diag::did_you_mean(src, names.iter().map(String::as_str)) {
                e = e.help(format!("did you mean `{best}`?"));
            } else {
                e = e.help("put the file beside index.md, or correct the name");
            }
            Err(e)
        }
    }
}

/// Size and, for a PDF, page count of a checked bundle file.
fn file_info(name: &str, src: &str, ctx: CheckCtx<'_>) -> Result<FileInfo, ValueError> {
    let path = ctx.bundle_dir.map(|d| d.join(src)).unwrap_or_default();
    let bytes = crate::fs::read(&path).map_err(|e| {
        // The message names the file as the author wrote it: only the reason.
        let reason = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
        ValueError::new(format!("`{name}`: cannot read `{src}`: {reason}"))
    })?;
    let pages = if src.to_lowercase().ends_with(".pdf") {
        match lopdf::Document::load_mem(&bytes) {
            Ok(doc) => Some(doc.get_pages().len()),
            Err(e) => {
                return Err(ValueError::new(format!(
                    "`{name}`: `{src}` is not a readable PDF ({e})"
                ))
                .help("export the document again as PDF"));
            }
        }
    } else {
        None
    };
    Ok(FileInfo {
        src: src.to_string(),
        size: bytes.len() as u64,
        pages,
    })
}

fn sibling_names(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .max_depth(2)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

fn check_video(name: &str, v: &Json, ctx: CheckCtx<'_>) -> Result<Video, ValueError> {
    let example = FieldType::Video.example(name);
    let Json::Object(m) = v else {
        return Err(
            ValueError::new(format!("`{name}` must be a video")).help(format!(
                "write it as `{example}`, or with `file = \"clip.mp4\", captions = \"clip.vtt\"`"
            )),
        );
    };
    only_keys(
        name,
        m,
        &["youtube", "vimeo", "file", "captions", "title", "poster"],
    )?;
    let title = opt_str(name, m, "title")?
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            ValueError::new(format!("the video `{name}` has no `title`"))
                .help("a title tells screen-reader users what the video is: add `title = \"…\"`")
        })?;
    let poster = opt_str(name, m, "poster")?;
    if let Some(p) = &poster {
        bundle_file(name, p, ctx, &["jpg", "jpeg", "png", "webp", "avif"])?;
    }
    let youtube = opt_str(name, m, "youtube")?;
    let vimeo = opt_str(name, m, "vimeo")?;
    let file = opt_str(name, m, "file")?;
    let source = match (youtube, vimeo, file) {
        (Some(id), None, None) => VideoSource::YouTube(video_id(name, &id, true)?),
        (None, Some(id), None) => VideoSource::Vimeo(video_id(name, &id, false)?),
        (None, None, Some(src)) => {
            bundle_file(name, &src, ctx, &["mp4", "webm", "ogv", "mov"])?;
            let captions = opt_str(name, m, "captions")?.ok_or_else(|| {
                ValueError::new(format!("the video file `{src}` has no captions"))
                    .help("add a WebVTT file beside it: `captions = \"clip.vtt\"`")
            })?;
            bundle_file(name, &captions, ctx, &["vtt"])?;
            VideoSource::File { src, captions }
        }
        _ => {
            return Err(ValueError::new(format!(
                "`{name}` must have exactly one of `youtube`, `vimeo` or `file`"
            ))
            .help(format!("write it as `{example}`")));
        }
    };
    if !matches!(source, VideoSource::File { .. }) && poster.is_none() {
        return Err(ValueError::new(format!("the video `{name}` has no `poster`"))
            .help("add a still image from the video to the page's folder: `poster = \"poster.jpg\"`; nothing loads from the video site until the reader clicks"));
    }
    Ok(Video {
        source,
        title,
        poster,
    })
}

/// A YouTube id (11 characters) or a Vimeo id (digits); a full link to the
/// video is accepted and cut down to its id.
fn video_id(name: &str, s: &str, youtube: bool) -> Result<String, ValueError> {
    let s = s.trim();
    let id = if let Ok(u) = url::Url::parse(s) {
        if youtube {
            u.query_pairs()
                .find(|(k, _)| k == "v")
                .map(|(_, v)| v.into_owned())
                .or_else(|| u.path_segments()?.next_back().map(str::to_string))
        } else {
            u.path_segments()
                .and_then(|mut p| {
                    p.find(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(str::to_string)
        }
        .unwrap_or_default()
    } else {
        s.to_string()
    };
    let ok = if youtube {
        id.len() == 11
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    } else {
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
    };
    if ok {
        Ok(id)
    } else {
        Err(ValueError::new(format!(
            "`{name}`: `{s}` is not a {} video id",
            if youtube { "YouTube" } else { "Vimeo" }
        ))
        .help(if youtube {
            "use the 11 characters after `v=` in the video's address"
        } else {
            "use the number at the end of the video's address"
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(ty: FieldType) -> FieldDef {
        FieldDef {
            name: "f".into(),
            ty,
            required: true,
            unique: false,
            shared: false,
            translatable: false,
            description: None,
            stale_after_days: None,
        }
    }

    fn check(ty: FieldType, v: Json) -> Result<FieldValue, String> {
        let d = def(ty.clone());
        check_value(&d, &ty, &v, CheckCtx { bundle_dir: None }, &mut Vec::new())
            .map_err(|e| e.message)
    }

    /// Issue 18: the web editor's datetime widget stores the time the
    /// editor types on the site's clock as typed, without an offset, and
    /// Sveltia CMS writes it into TOML front matter as a local datetime,
    /// unquoted (with milliseconds when the file's value came from TOML);
    /// its date-only widget writes a bare date. Read as polis reads a page,
    /// each is what the editor meant: 18:00 on the Oslo clock in winter and
    /// in summer, and the day. A time written elsewhere with an offset keeps
    /// its instant.
    #[test]
    fn issue_18_times_as_the_editor_writes_them_are_the_instants_meant() {
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        let text = "+++\nstart = 2026-12-03T18:00:00\nend = 2026-07-03T18:00:00.000\n\
                    offset = 2026-07-03T18:00:00+02:00\nday = 2026-11-23\n+++\n";
        let front =
            crate::load::front_matter::to_json(&crate::load::front_matter::split(text).unwrap())
                .unwrap();
        for (key, utc) in [
            ("start", "2026-12-03T17:00:00Z"),
            ("end", "2026-07-03T16:00:00Z"),
            ("offset", "2026-07-03T16:00:00Z"),
        ] {
            let read = check(
                FieldType::DateTime { zone: oslo.clone() },
                front[key].clone(),
            );
            let Ok(FieldValue::DateTime(z)) = read else {
                panic!("{key}: {read:?}")
            };
            assert_eq!(z.timestamp().to_string(), utc, "{key}");
            assert_eq!(z.time_zone().iana_name(), Some("Europe/Oslo"), "{key}");
            assert_eq!(z.time(), jiff::civil::time(18, 0, 0, 0), "{key}");
        }
        assert_eq!(
            check(FieldType::Date, front["day"].clone()),
            Ok(FieldValue::Date(jiff::civil::date(2026, 11, 23)))
        );
    }

    #[test]
    fn values_of_each_simple_type() {
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        assert_eq!(
            check(
                FieldType::Integer {
                    min: Some(0.0),
                    max: None
                },
                json!(5)
            ),
            Ok(FieldValue::Integer(5))
        );
        assert!(
            check(
                FieldType::Integer {
                    min: Some(0.0),
                    max: None
                },
                json!(-1)
            )
            .is_err()
        );
        assert!(
            check(
                FieldType::Integer {
                    min: None,
                    max: None
                },
                json!(1.5)
            )
            .is_err()
        );
        assert!(
            check(
                FieldType::Integer {
                    min: None,
                    max: None
                },
                json!("5")
            )
            .is_err()
        );
        assert_eq!(
            check(FieldType::Boolean, json!(true)),
            Ok(FieldValue::Bool(true))
        );
        assert!(check(FieldType::Url, json!("www.example.no")).is_err());
        assert!(check(FieldType::Url, json!("javascript:alert(1)")).is_err());
        assert!(check(FieldType::Url, json!("https://www.example.no/")).is_ok());
        assert!(check(FieldType::Email, json!("post@example.no")).is_ok());
        assert!(check(FieldType::Email, json!("post at example")).is_err());
        assert_eq!(
            check(FieldType::Week, json!("2026-W48")).map(|v| v.key()),
            Ok("2026-W48".into())
        );
        assert!(check(FieldType::Week, json!("2026-W54")).is_err());
        let dt = check(
            FieldType::DateTime { zone: oslo.clone() },
            json!("2026-12-03T18:00:00"),
        )
        .unwrap();
        let FieldValue::DateTime(z) = dt else {
            panic!()
        };
        assert_eq!(z.offset().seconds(), 3600);
        let dt = check(
            FieldType::DateTime { zone: oslo },
            json!("2026-07-03T18:00[America/New_York]"),
        )
        .unwrap();
        let FieldValue::DateTime(z) = dt else {
            panic!()
        };
        assert_eq!(z.time_zone().iana_name(), Some("America/New_York"));
        assert_eq!(
            check(FieldType::Geo, json!({"lat": 59.7, "lon": 10.2})),
            Ok(FieldValue::Geo {
                lat: 59.7,
                lon: 10.2
            })
        );
        assert!(check(FieldType::Geo, json!({"lat": 95.0, "lon": 10.2})).is_err());
        let e = check(
            FieldType::Enum(vec!["Akershus".into(), "Buskerud".into()]),
            json!("Akershsu"),
        )
        .unwrap_err();
        assert!(e.contains("not one of"), "{e}");
        assert_eq!(
            check(
                FieldType::List(Box::new(FieldType::String)),
                json!(["a", "b"])
            ),
            Ok(FieldValue::List(vec![
                FieldValue::String("a".into()),
                FieldValue::String("b".into())
            ]))
        );
    }

    #[test]
    fn video_ids_from_links() {
        assert_eq!(
            video_id("v", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", true),
            Ok("dQw4w9WgXcQ".into())
        );
        assert_eq!(
            video_id("v", "https://youtu.be/dQw4w9WgXcQ", true),
            Ok("dQw4w9WgXcQ".into())
        );
        assert_eq!(
            video_id("v", "https://vimeo.com/76979871", false),
            Ok("76979871".into())
        );
        assert!(video_id("v", "<script>", true).is_err());
    }
}
