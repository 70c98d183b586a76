//! Images and assets (issue 7): photos published as responsive variants without
//! metadata, orientation applied, the cache reused and pruned, bad images as
//! diagnostics, and fingerprinted stylesheets.
//!
//! The photos are made here, not kept as files: JPEGs from the image crate with
//! an EXIF block written in by hand (orientation, camera make, GPS position), so
//! each test says exactly what its input holds.

use std::path::Path;

use crate::common::{SiteTest, attr_values, element, list_files};

/// A `w`×`h` JPEG, red on the left half and blue on the right.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            image::Rgb([220, 30, 30])
        } else {
            image::Rgb([30, 30, 220])
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .expect("encode a JPEG");
    out
}

/// An EXIF block (the APP1 payload) with an orientation, a camera make and a
/// GPS position in Oslo: what a phone writes.
fn exif_block(orientation: u16) -> Vec<u8> {
    // Big-endian TIFF. IFD0 at 8: 3 entries; GPS IFD after it: 4 entries.
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let ifd0_len = 2 + 3 * 12 + 4;
    let gps_at = 8 + ifd0_len;
    let gps_len = 2 + 4 * 12 + 4;
    let make_at = gps_at + gps_len;
    let lat_at = make_at + 8;
    let lon_at = lat_at + 24;
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_be_bytes());
        t.extend(kind.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    };
    let at = |n: usize| (n as u32).to_be_bytes();
    t.extend(3u16.to_be_bytes());
    entry(&mut t, 0x010f, 2, 8, at(make_at)); // Make
    let o = orientation.to_be_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]); // Orientation
    entry(&mut t, 0x8825, 4, 1, at(gps_at)); // GPSInfo
    t.extend(0u32.to_be_bytes());
    t.extend(4u16.to_be_bytes());
    entry(&mut t, 1, 2, 2, *b"N\0\0\0");
    entry(&mut t, 2, 5, 3, at(lat_at));
    entry(&mut t, 3, 2, 2, *b"E\0\0\0");
    entry(&mut t, 4, 5, 3, at(lon_at));
    t.extend(0u32.to_be_bytes());
    t.extend(b"PhoneCo\0");
    for (n, d) in [(59, 1), (54, 1), (3012, 100), (10, 1), (45, 1), (2101, 100)] {
        t.extend((n as u32).to_be_bytes());
        t.extend((d as u32).to_be_bytes());
    }
    let mut block = b"Exif\0\0".to_vec();
    block.extend(t);
    block
}

/// A phone photo: a JPEG with the EXIF block right after its start marker.
fn phone_photo(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(w, h);
    let block = exif_block(orientation);
    let mut out = plain[..2].to_vec();
    out.extend([0xff, 0xe1]);
    out.extend(((block.len() + 2) as u16).to_be_bytes());
    out.extend(block);
    out.extend(&plain[2..]);
    out
}

/// A PNG with a transparent hole in the middle.
fn png_with_alpha(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        let hole = (w / 4..3 * w / 4).contains(&x) && (h / 4..3 * h / 4).contains(&y);
        image::Rgba([10, 120, 60, if hole { 0 } else { 255 }])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode a PNG");
    out
}

/// The images fixture with its photos written in.
pub(crate) fn site() -> SiteTest {
    let site = SiteTest::new("images/site");
    site.write(
        "content/places/market/photos/market.jpg",
        phone_photo(600, 400, 1),
    );
    site.write(
        "content/places/market/photos/pattern.png",
        png_with_alpha(64, 48),
    );
    site.write("assets/images/tower.jpg", phone_photo(160, 240, 1));
    site
}

fn exif_of(bytes: &[u8]) -> Option<exif::Exif> {
    exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()
}

/// Every published image file (the variants, and anything else), by path.
fn published_images(out: &Path) -> Vec<(String, Vec<u8>)> {
    list_files(out)
        .into_iter()
        .filter(|(p, _)| {
            [".jpg", ".jpeg", ".png", ".webp", ".avif"]
                .iter()
                .any(|e| p.ends_with(e))
        })
        .collect()
}

#[test]
fn the_test_photo_does_carry_gps_and_orientation() {
    // The check below is only worth something if the input has what it removes.
    let exif = exif_of(&phone_photo(40, 20, 6)).expect("the photo has EXIF");
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    let o = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .expect("an orientation");
    assert_eq!(o.value.get_uint(0), Some(6));
}

#[test]
fn photos_are_published_as_variants_without_any_metadata() {
    let site = site();
    let build = site.build();
    build.assert_clean();
    let images = published_images(site.out());
    assert!(!images.is_empty());
    for (path, bytes) in &images {
        assert!(
            path.starts_with("img/"),
            "`{path}` was published, but only variants under img/ may be"
        );
        assert!(exif_of(bytes).is_none(), "`{path}` has EXIF");
        for secret in [&b"PhoneCo"[..], b"Exif", b"GPS", b"XMP", b"ICC_PROFILE"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret),
                "`{path}` contains `{}`",
                String::from_utf8_lossy(secret)
            );
        }
    }
    // The originals are not published beside the pages; other bundle files are.
    assert!(!site.exists("en/places/market/photos/market.jpg"));
    assert!(!site.exists("nb/places/market/photos/market.jpg"));
    assert!(!site.exists("images/tower.jpg"));
    assert!(site.exists("en/places/market/notes.txt"));
    // Every format at every width not wider than the original (600 px: 100,
    // 200 and 500), plus the PNG's own fallback (64 px: once).
    let names: Vec<&str> = images.iter().map(|(p, _)| p.as_str()).collect();
    for ext in ["avif", "webp", "jpg"] {
        for w in [100, 200, 500] {
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with(&format!("img/market-{w}.")) && n.ends_with(ext)),
                "no {w} px {ext} in {names:?}"
            );
        }
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("img/pattern-64.") && n.ends_with(".png"))
    );
    assert!(!names.iter().any(|n| n.starts_with("img/market-600.")));
}

#[test]
fn the_markup_is_a_picture_with_sizes_and_a_placeholder() {
    let site = site();
    site.build().assert_clean();
    let main = site.main_of("en/places/market/index.html");
    let picture = element(&main, "<picture>", "</picture>");
    assert!(picture.contains("<source type=\"image/avif\""), "{picture}");
    assert!(picture.contains("<source type=\"image/webp\""), "{picture}");
    // The size of the largest variant, so nothing shifts while it loads.
    assert!(
        picture.contains(" width=\"500\" height=\"333\""),
        "{picture}"
    );
    assert!(picture.contains("alt=\"Stalls on the market square\""));
    assert!(picture.contains("title=\"Saturday morning\""));
    assert!(picture.contains("style=\"background:#"), "{picture}");
    assert!(picture.contains("data:image/webp;base64,"), "{picture}");
    // The first image at the top of the page is fetched at once; the others
    // lazily.
    assert!(picture.contains("fetchpriority=\"high\""), "{picture}");
    assert!(!picture.contains("loading=\"lazy\""), "{picture}");
    let pictures: Vec<&str> = main.split("<picture>").skip(1).collect();
    assert_eq!(pictures.len(), 3, "{main}");
    for p in &pictures[1..] {
        assert!(p.contains("loading=\"lazy\" decoding=\"async\""), "{p}");
    }
    // The decorative PNG: empty alt, no JPEG, no placeholder behind its holes.
    assert!(pictures[1].contains("alt=\"\""), "{}", pictures[1]);
    assert!(pictures[1].contains(".png"), "{}", pictures[1]);
    assert!(!pictures[1].contains("style="), "{}", pictures[1]);
    // A link to the photo opens its largest variant, not the original.
    let links = attr_values(&main, "href");
    assert!(
        links
            .iter()
            .any(|l| l.starts_with("/img/market-500.") && l.ends_with(".jpg")),
        "{links:?}"
    );
    // Every URL in the markup is published.
    for url in attr_values(&main, "srcset").iter().flat_map(|s| {
        s.split(", ")
            .map(|c| c.split(' ').next().unwrap_or_default().to_string())
    }) {
        assert!(
            site.exists(url.trim_start_matches('/')),
            "{url} is not published"
        );
    }
    let _guard = site.settings().bind_to_scope();
    let redacted = regex_redact_data_urls(&main);
    insta::assert_snapshot!(redacted);
}

/// The placeholder's base64 changes with libwebp versions; the snapshot keeps
/// the markup around it.
fn regex_redact_data_urls(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("base64,") {
        out.push_str(&rest[..i + 7]);
        let after = &rest[i + 7..];
        let end = after.find(')').unwrap_or(after.len());
        out.push_str("[DATA]");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn exif_orientation_is_applied() {
    let site = SiteTest::new("images/site");
    // Stored landscape (red left, blue right), to be shown turned 90° clockwise.
    site.write(
        "content/places/market/photos/market.jpg",
        phone_photo(200, 100, 6),
    );
    site.write(
        "content/places/market/photos/pattern.png",
        png_with_alpha(64, 48),
    );
    site.write("assets/images/tower.jpg", phone_photo(160, 240, 1));
    site.build().assert_clean();
    let main = site.main_of("en/places/market/index.html");
    let picture = element(&main, "<picture>", "</picture>");
    assert!(
        picture.contains(" width=\"100\" height=\"200\""),
        "{picture}"
    );
    let largest = published_images(site.out())
        .into_iter()
        .find(|(p, _)| p.starts_with("img/market-100.") && p.ends_with(".jpg"))
        .expect("the 100 px JPEG");
    let img = image::load_from_memory(&largest.1)
        .expect("decode")
        .to_rgb8();
    assert_eq!((img.width(), img.height()), (100, 200));
    // Turned clockwise, the left (red) side is now at the top.
    let top = img.get_pixel(50, 10).0;
    let bottom = img.get_pixel(50, 190).0;
    assert!(top[0] > 150 && top[2] < 100, "top is {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is {bottom:?}");
}

#[test]
fn a_second_build_does_no_image_work_and_unused_entries_are_pruned() {
    let site = site();
    let first = site.build();
    first.assert_clean();
    let stats = first.images.expect("stats");
    assert_eq!(stats.sources, 3);
    assert!(stats.encoded > 0 && stats.decoded == 3, "{stats:?}");
    let out1 = list_files(site.out());

    let second = site.build();
    second.assert_clean();
    let stats = second.images.expect("stats");
    assert_eq!(
        (stats.probed, stats.decoded, stats.encoded),
        (0, 0, 0),
        "{stats:?}"
    );
    assert_eq!(list_files(site.out()), out1, "the same output");

    // The tower is no longer shown: its variants leave the cache.
    let page = site.root().join("content/places/market/index.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replace("![A tower seen from the harbour](/images/tower.jpg)", ""),
    )
    .unwrap();
    let cache = site.root().join(".polis-cache/images");
    let before = list_files(&cache).len();
    let third = site.build();
    third.assert_clean();
    let stats = third.images.expect("stats");
    // 160 px wide: 100 and 160 (not 200, 500), in three formats.
    assert_eq!(stats.pruned, 6, "{stats:?}");
    assert_eq!(list_files(&cache).len(), before - 6);
    assert!(
        !list_files(site.out())
            .keys()
            .any(|p| p.starts_with("img/tower-")),
        "no tower in the output"
    );
}

#[test]
fn the_cache_folder_can_be_moved_but_not_into_the_sources() {
    let site = site();
    let elsewhere = site.temp_path("ci-cache");
    let b = site.build_with(|o| o.cache_dir = Some(elsewhere.clone()));
    b.assert_clean();
    assert!(elsewhere.join("images/probes.json").is_file());
    assert!(!site.root().join(".polis-cache").exists());

    site.write(
        "site.toml",
        std::fs::read_to_string(site.root().join("site.toml")).unwrap()
            + "cache_dir = \"content/cache\"\n",
    );
    let b = site.build();
    b.assert_failed();
    assert!(
        b.text()
            .contains("error: the cache folder `content/cache` is inside the site's sources"),
        "{}",
        b.text()
    );
}

#[test]
fn bad_images_are_diagnostics_with_file_and_line() {
    let site = site();
    // A JPEG whose header declares 65000×65000 pixels: a decompression bomb.
    let mut bomb = jpeg(16, 16);
    let sof = bomb
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("a baseline JPEG");
    bomb[sof + 5..sof + 9].copy_from_slice(&[0xfd, 0xe8, 0xfd, 0xe8]);
    site.write("content/places/market/photos/bomb.jpg", bomb);
    site.write(
        "content/places/market/photos/broken.jpg",
        b"this is no JPEG at all",
    );
    site.write("content/places/market/photos/iphone.heic", b"....ftypheic");
    let outside = site.temp_path("secret.jpg");
    std::fs::write(&outside, jpeg(8, 8)).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        &outside,
        site.root().join("content/places/market/photos/link.jpg"),
    )
    .unwrap();
    site.write(
        "content/places/market/index.md",
        "+++\ntitle = \"Bad\"\n+++\n\n![Bomb](photos/bomb.jpg)\n\n![Broken](photos/broken.jpg)\n\n![Phone](photos/iphone.heic)\n\n![Up](../../../../secret.jpg)\n\n![Link](photos/link.jpg)\n\n![](photos/market.jpg)\n",
    );
    let b = site.build();
    b.assert_failed();
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(b.text());
}

#[test]
fn an_oversized_original_is_a_warning_naming_it() {
    let site = site();
    site.write(
        "site.toml",
        std::fs::read_to_string(site.root().join("site.toml")).unwrap() + "max_megapixels = 0.1\n",
    );
    let b = site.build();
    assert!(b.ok);
    assert_eq!(b.warnings, 2, "en and nb show it:\n{}", b.text());
    assert!(
        b.text().contains("content/places/market/index.md:5:1: warning: `content/places/market/photos/market.jpg` has 0.2 megapixels (600×400), more than the 0.1 `images.max_megapixels` allows"),
        "{}",
        b.text()
    );
}

#[test]
fn publish_originals_publishes_them_without_metadata() {
    let site = site();
    site.write(
        "site.toml",
        std::fs::read_to_string(site.root().join("site.toml")).unwrap()
            + "publish_originals = true\n",
    );
    site.build().assert_clean();
    for path in [
        "en/places/market/photos/market.jpg",
        "nb/places/market/photos/market.jpg",
        "images/tower.jpg",
    ] {
        let bytes = site.read_bytes(path);
        assert!(exif_of(&bytes).is_none(), "{path} has EXIF");
        assert!(!bytes.windows(7).any(|w| w == b"PhoneCo"), "{path}");
        let img = image::load_from_memory(&bytes).expect("decode");
        assert!(img.width() >= 160, "{path} is full size");
    }
}

#[test]
fn the_image_function_gives_templates_urls_and_sizes() {
    let site = site();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}{% if page.title == \"The market\" %}{% set i = image(\"photos/market.jpg\", widths=[100, 200], formats=[\"webp\"]) %}<p id=\"t\">{{ i.src }}|{{ i.width }}x{{ i.height }}|{{ i.sources[0].type }}|{{ i.srcset }}</p>{% set a = image(\"images/tower.jpg\") %}<p id=\"a\">{{ a.width }}x{{ a.height }}</p>{% endif %}{% endblock %}",
    );
    site.build().assert_clean();
    let html = site.read("en/places/market/index.html");
    let p = element(&html, "<p id=\"t\">", "</p>");
    assert!(p.contains("|200x133|image/webp|/img/market-100."), "{p}");
    assert!(p.contains(" 100w, /img/market-200."), "{p}");
    assert!(element(&html, "<p id=\"a\">", "</p>").contains("160x240"));
}

#[test]
fn a_template_quality_applies_to_every_format() {
    let site = site();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}{% if page.title == \"The market\" %}{% for q in [50, 90] %}{% set i = image(\"photos/market.jpg\", widths=[100], quality=q) %}<p id=\"q{{ q }}\">{% for s in i.sources %}{{ s.srcset }}|{% endfor %}{{ i.srcset }}</p>{% endfor %}{% endif %}{% endblock %}",
    );
    site.build().assert_clean();
    let html = site.read("en/places/market/index.html");
    let urls = |id: &str| -> Vec<String> {
        let start = format!("<p id=\"{id}\">");
        element(&html, &start, "</p>")
            .trim_start_matches(start.as_str())
            .trim_end_matches("</p>")
            .split('|')
            .map(str::to_owned)
            .collect()
    };
    let (low, high) = (urls("q50"), urls("q90"));
    // AVIF, WebP and the JPEG fallback: each made twice, once per quality.
    assert_eq!(low.len(), 3, "{low:?}");
    for (a, b) in low.iter().zip(&high) {
        assert_ne!(a, b);
    }
    let size = |srcset: &str| {
        let url = srcset.split(' ').next().unwrap();
        site.read_bytes(url.trim_start_matches('/')).len()
    };
    for (a, b) in low.iter().zip(&high) {
        assert!(size(a) < size(b), "{a} is not smaller than {b}");
    }
}

#[test]
fn stylesheets_are_minified_and_fingerprinted_and_change_only_with_their_content() {
    let site = site();
    site.build().assert_clean();
    let href = |site: &SiteTest| {
        let html = site.read("en/about/index.html");
        let link = element(&html, "<link rel=\"stylesheet\"", ">").to_string();
        attr_values(&link, "href")[0].clone()
    };
    let first = href(&site);
    assert!(
        first.starts_with("/css/style.")
            && first.ends_with(".css")
            && first.len() == "/css/style.0123456789.css".len(),
        "{first}"
    );
    let css = site.read(first.trim_start_matches('/'));
    assert!(!css.contains("\n  "), "minified");
    assert!(!site.exists("css/style.css"));
    // Nothing changed: the same name.
    site.build().assert_clean();
    assert_eq!(href(&site), first);
    // A change: a new name, and the new rules in the file.
    let path = site.theme_dir().join("static/css/style.css");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text + "\n.new-rule { color: rgb(1, 2, 3) }\n").unwrap();
    site.build().assert_clean();
    let second = href(&site);
    assert_ne!(second, first);
    assert!(
        site.read(second.trim_start_matches('/'))
            .contains(".new-rule{color:#010203}")
    );
}

#[test]
fn integrity_attributes_when_the_site_asks() {
    let site = site();
    site.write(
        "site.toml",
        std::fs::read_to_string(site.root().join("site.toml")).unwrap()
            + "\n[assets]\nintegrity = true\n",
    );
    site.build().assert_clean();
    let html = site.read("en/about/index.html");
    let link = element(&html, "<link rel=\"stylesheet\"", ">");
    let sri = attr_values(link, "integrity");
    assert_eq!(sri.len(), 1, "{link}");
    assert!(sri[0].starts_with("sha384-"), "{link}");
}

#[test]
fn two_photos_with_the_same_bytes_are_each_published_under_their_own_name() {
    let site = site();
    // Contributors copy photos: the copy shares its encoding with the
    // original, but its page links to its own name.
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\n\n![The tower again](/images/tower-copy.jpg)\n",
    );
    site.write("assets/images/tower-copy.jpg", phone_photo(160, 240, 1));
    site.build().assert_clean();
    for page in ["en/places/market/index.html", "en/about/index.html"] {
        let html = site.read(page);
        for url in html
            .split("srcset=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .flat_map(|s| s.split(", "))
            .filter_map(|s| s.split(' ').next())
        {
            assert!(
                site.exists(&url[1..]),
                "{page} shows {url}, which is not there"
            );
        }
    }
}

#[test]
fn avif_stops_at_its_own_width_limit() {
    let site = site();
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        toml.replace("quality = 70", "quality = 70\navif_max_width = 300"),
    );
    site.build().assert_clean();
    let html = site.read("en/places/market/index.html");
    let srcset = |mime: &str| {
        html.split(&format!("<source type=\"{mime}\" srcset=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no {mime} source in {html}"))
            .to_string()
    };
    // The 600 px market photo: WebP in every width, AVIF up to 300 px.
    let avif = srcset("image/avif");
    let webp = srcset("image/webp");
    assert!(avif.contains(" 100w") && avif.contains(" 200w"), "{avif}");
    assert!(!avif.contains(" 500w"), "{avif}");
    assert!(webp.contains(" 500w"), "{webp}");
}
