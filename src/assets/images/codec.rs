//! The image codec: decode within limits (with the EXIF orientation applied),
//! resize, make the inline placeholder, encode WebP, AVIF, JPEG and PNG without
//! metadata. Bytes and pixels in, bytes and pixels out: no file, no path, no
//! cache; [`super::Images`] decides what to make and where it goes.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage, RgbaImage};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::ImageError;
use crate::config::Placeholder;
use crate::model::ImageFormat;

/// No image with more pixels than this is decoded at all: a file declaring
/// more is treated as a decompression bomb. 100 megapixels is 400 MB as RGBA.
pub(super) const MAX_DECODE_PIXELS: u64 = 100_000_000;
const MAX_SIDE: u32 = 30_000;
/// What the decoder may allocate besides the image itself.
const MAX_ALLOC: u64 = 1 << 30;

/// Width of the inline placeholder, in pixels; the browser scales it up.
const PLACEHOLDER_WIDTH: u32 = 16;
/// rav1e's speed (0 slowest, 10 fastest): 7 keeps a 1920 px photo near a second.
#[cfg(feature = "avif")]
pub(super) const AVIF_SPEED: u8 = 7;
/// The AVIF encoder's own revision, part of every AVIF variant's name: 2 is
/// ravif with its loop-filter choice fixed (vendor/ravif/POLIS.md), which
/// writes other bytes for the same speed and quality.
#[cfg(feature = "avif")]
pub(super) const AVIF_ENCODER: u8 = 2;
/// The deflate implementation behind PNG variants (flate2's backend, chosen
/// in Cargo.toml): another one writes other bytes for the same pixels.
pub(super) const PNG_DEFLATE: &str = "zlib-rs";

/// Decodes an image within limits, with its EXIF orientation applied.
pub(super) fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    let corrupt = |e: image::ImageError| ImageError::Corrupt(e.to_string());
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Unreadable(e.to_string()))?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP) => {}
        Some(other) => {
            return Err(ImageError::Unsupported(
                other
                    .extensions_str()
                    .first()
                    .unwrap_or(&"?")
                    .to_ascii_uppercase(),
            ));
        }
        None => return Err(ImageError::Corrupt("not a JPEG, PNG or WebP image".into())),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            // Only the header is read again, to say what the file declares.
            let (width, height) = ImageReader::new(Cursor::new(bytes))
                .with_guessed_format()
                .ok()
                .and_then(|r| r.into_dimensions().ok())
                .unwrap_or((0, 0));
            ImageError::TooLarge { width, height }
        }
        e => corrupt(e),
    })?;
    let (w, h) = decoder.dimensions();
    if w as u64 * h as u64 > MAX_DECODE_PIXELS || w > MAX_SIDE || h > MAX_SIDE {
        return Err(ImageError::TooLarge {
            width: w,
            height: h,
        });
    }
    if w == 0 || h == 0 {
        return Err(ImageError::Corrupt("the image has no pixels".into()));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooLarge {
            width: w,
            height: h,
        },
        e => corrupt(e),
    })?;
    img.apply_orientation(orientation);
    // 8 bits per channel, RGB or RGBA: what the resizer and encoders take. An
    // alpha channel that is opaque everywhere is dropped.
    let opaque = !img.color().has_alpha() || {
        let rgba = img.to_rgba8();
        rgba.pixels().all(|p| p.0[3] == 255)
    };
    Ok(if opaque {
        DynamicImage::ImageRgb8(img.into_rgb8())
    } else {
        DynamicImage::ImageRgba8(img.into_rgba8())
    })
}

/// Resizes `image` to `width`×`height` with a SIMD Lanczos filter.
fn resize(image: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    if image.width() == width && image.height() == height {
        return image.clone();
    }
    let mut dst = match image {
        DynamicImage::ImageRgba8(_) => DynamicImage::ImageRgba8(RgbaImage::new(width, height)),
        _ => DynamicImage::ImageRgb8(RgbImage::new(width, height)),
    };
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    if Resizer::new().resize(image, &mut dst, &options).is_err() {
        // Only for pixel layouts the resizer lacks; never with RGB(A)8.
        return image.resize_exact(width, height, image::imageops::FilterType::Lanczos3);
    }
    dst
}

/// The tiny placeholder (a `data:` URL) and the average colour.
pub(super) fn placeholder_of(
    image: &DynamicImage,
    mode: Placeholder,
) -> (Option<String>, Option<String>) {
    if image.color().has_alpha() || mode == Placeholder::None {
        return (None, None);
    }
    let w = PLACEHOLDER_WIDTH.min(image.width());
    let h = ((image.height() as u64 * w as u64) / image.width() as u64).max(1) as u32;
    let tiny = resize_box(image, w, h);
    let rgb = tiny.to_rgb8();
    let n = (rgb.width() * rgb.height()).max(1) as u64;
    let sum = rgb.pixels().fold([0u64; 3], |[r, g, b], p| {
        [r + p.0[0] as u64, g + p.0[1] as u64, b + p.0[2] as u64]
    });
    let color = format!("#{:02x}{:02x}{:02x}", sum[0] / n, sum[1] / n, sum[2] / n);
    let placeholder = (mode == Placeholder::Blur).then(|| {
        use base64::Engine;
        let webp = webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height()).encode(40.0);
        format!(
            "data:image/webp;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&*webp)
        )
    });
    (placeholder, Some(color))
}

/// A heavy downscale: box filtering averages every source pixel.
fn resize_box(image: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let mut dst = DynamicImage::ImageRgb8(RgbImage::new(width, height));
    let src = DynamicImage::ImageRgb8(image.to_rgb8());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Box));
    match Resizer::new().resize(&src, &mut dst, &options) {
        Ok(()) => dst,
        Err(_) => image.thumbnail_exact(width, height),
    }
}

/// One file to make of an image: its size, format and quality, and the size
/// it is resized from (its image set's largest, itself resized from the
/// original). Naming the base makes the bytes the same whichever variants are
/// made together: a whole set in a build, or one variant a browser asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Encoding {
    pub width: u32,
    pub height: u32,
    pub base: (u32, u32),
    pub format: ImageFormat,
    pub quality: u8,
}

/// The height of an image `width` pixels wide with the aspect ratio of
/// `original` (width, height), rounded to the nearest pixel, at least one.
pub(super) fn scaled_height(original: (u32, u32), width: u32) -> u32 {
    let (ow, oh) = original;
    ((oh as u64 * width as u64 + ow as u64 / 2) / ow.max(1) as u64).max(1) as u32
}

/// Encodes one decoded source in each of `wanted`: each base size resized
/// once from the original, each size once from its base (faster than from
/// the original, and it looks the same), then every encoding in parallel. The
/// bytes come in the order of `wanted`; `None` where the encoder failed.
pub(super) fn encode_all(image: &DynamicImage, wanted: &[Encoding]) -> Vec<Option<Vec<u8>>> {
    let mut bases: Vec<(u32, u32)> = wanted.iter().map(|e| e.base).collect();
    bases.sort_unstable();
    bases.dedup();
    let bases: FxHashMap<(u32, u32), DynamicImage> = bases
        .par_iter()
        .map(|&(w, h)| ((w, h), resize(image, w, h)))
        .collect();
    // (base, size) pairs: sizes from a base of their own.
    type Pair = ((u32, u32), (u32, u32));
    let mut sizes: Vec<Pair> = wanted
        .iter()
        .map(|e| (e.base, (e.width, e.height)))
        .filter(|(base, size)| base != size)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let resized: FxHashMap<Pair, DynamicImage> = sizes
        .par_iter()
        .filter_map(|&(base, (w, h))| Some(((base, (w, h)), resize(bases.get(&base)?, w, h))))
        .collect();
    wanted
        .par_iter()
        .map(|e| {
            let size = (e.width, e.height);
            let img = if e.base == size {
                bases.get(&size)?
            } else {
                resized.get(&(e.base, size))?
            };
            encode(img, e.format, e.quality)
        })
        .collect()
}

/// Encodes pixels with no metadata at all: no EXIF, XMP, ICC or comments.
fn encode(image: &DynamicImage, format: ImageFormat, quality: u8) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        ImageFormat::Jpeg => {
            let rgb = image.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&rgb)
                .ok()?;
        }
        ImageFormat::Png => {
            use image::ImageEncoder;
            let rgba = image.to_rgba8();
            image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Best,
                image::codecs::png::FilterType::Adaptive,
            )
            .write_image(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
                image::ExtendedColorType::Rgba8,
            )
            .ok()?;
        }
        ImageFormat::Webp => {
            let memory = match image {
                DynamicImage::ImageRgba8(i) => {
                    webp::Encoder::from_rgba(i.as_raw(), i.width(), i.height())
                        .encode_simple(false, quality as f32)
                        .ok()?
                }
                _ => {
                    let i = image.to_rgb8();
                    webp::Encoder::from_rgb(i.as_raw(), i.width(), i.height())
                        .encode_simple(false, quality as f32)
                        .ok()?
                }
            };
            out.extend_from_slice(&memory);
        }
        ImageFormat::Avif => return encode_avif(image, quality),
    }
    Some(out)
}

#[cfg(feature = "avif")]
fn encode_avif(image: &DynamicImage, quality: u8) -> Option<Vec<u8>> {
    use rgb::FromSlice;
    let encoder = ravif::Encoder::new()
        .with_quality(quality as f32)
        .with_speed(AVIF_SPEED)
        // One thread per image: images are encoded in parallel already, and
        // the output does not depend on scheduling.
        .with_num_threads(Some(1));
    let (w, h) = (image.width() as usize, image.height() as usize);
    let encoded = match image {
        DynamicImage::ImageRgba8(i) => encoder
            .encode_rgba(ravif::Img::new(i.as_raw().as_rgba(), w, h))
            .ok()?,
        _ => {
            let i = image.to_rgb8();
            encoder
                .encode_rgb(ravif::Img::new(i.as_raw().as_rgb(), w, h))
                .ok()?
        }
    };
    Some(encoded.avif_file)
}

#[cfg(not(feature = "avif"))]
fn encode_avif(_: &DynamicImage, _: u8) -> Option<Vec<u8>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;

    /// A `width`×`height` RGB image with a gradient, so that no two
    /// orientations of it look the same.
    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
        })
    }

    fn png(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    fn jpeg(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(image)
            .unwrap();
        out
    }

    /// A PNG chunk: length, type, data and CRC.
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut crc = 0xffff_ffffu32;
        for &b in kind.iter().chain(data) {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&(!crc).to_be_bytes());
        out
    }

    #[test]
    fn decode_reads_png_and_jpeg_from_bytes() {
        let img = gradient(8, 6);
        let from_png = decode(&png(&img)).unwrap();
        assert_eq!((from_png.width(), from_png.height()), (8, 6));
        assert_eq!(from_png.to_rgb8(), img, "PNG is lossless");
        let from_jpeg = decode(&jpeg(&img)).unwrap();
        assert_eq!((from_jpeg.width(), from_jpeg.height()), (8, 6));
        assert!(matches!(from_jpeg, DynamicImage::ImageRgb8(_)));
    }

    #[test]
    fn decode_keeps_alpha_only_where_it_shows() {
        let encode_rgba = |alpha: u8| {
            let img = RgbaImage::from_pixel(4, 4, image::Rgba([10, 20, 30, alpha]));
            let mut out = Vec::new();
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(img.as_raw(), 4, 4, image::ExtendedColorType::Rgba8)
                .unwrap();
            out
        };
        assert!(matches!(
            decode(&encode_rgba(255)).unwrap(),
            DynamicImage::ImageRgb8(_)
        ));
        assert!(matches!(
            decode(&encode_rgba(128)).unwrap(),
            DynamicImage::ImageRgba8(_)
        ));
    }

    /// A JPEG 8 wide and 4 high whose EXIF says "rotate 90° clockwise"
    /// (orientation 6), as phones write portrait photos.
    fn rotated_jpeg() -> Vec<u8> {
        let plain = jpeg(&gradient(8, 4));
        let tiff: &[u8] = &[
            b'I', b'I', 42, 0, 8, 0, 0, 0, // little-endian TIFF, first IFD at 8
            1, 0, // one entry
            0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, // Orientation, SHORT, 1, 6
            0, 0, 0, 0, // no next IFD
        ];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(tiff);
        let mut rotated = plain[..2].to_vec(); // SOI
        rotated.extend_from_slice(&[0xff, 0xe1]);
        rotated.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        rotated.extend_from_slice(&app1);
        rotated.extend_from_slice(&plain[2..]);
        rotated
    }

    #[test]
    fn decode_applies_exif_orientation() {
        let img = decode(&rotated_jpeg()).unwrap();
        assert_eq!((img.width(), img.height()), (4, 8));
        // The left column (dark red) is now the top row.
        let top_left = img.to_rgb8().get_pixel(3, 0).0;
        assert!(top_left[0] < 64, "{top_left:?}");
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        assert!(matches!(
            decode(b"not an image"),
            Err(ImageError::Corrupt(_))
        ));
        // A PNG signature followed by nothing.
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n"),
            Err(ImageError::Corrupt(_))
        ));
        // A JPEG cut off half-way.
        let whole = jpeg(&gradient(32, 32));
        assert!(matches!(
            decode(&whole[..whole.len() / 2]),
            Err(ImageError::Corrupt(_))
        ));
        // A format polis does not read, named.
        assert_eq!(
            decode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            Err(ImageError::Unsupported("GIF".into()))
        );
    }

    #[test]
    fn decompression_bombs_are_too_large() {
        // A PNG header declaring 10001×10001 pixels, just over 100
        // megapixels (grey, so its buffer would still fit the decoder's
        // limits), and no real data.
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&10_001u32.to_be_bytes());
        ihdr.extend_from_slice(&10_001u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
        let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
        bomb.extend(chunk(b"IHDR", &ihdr));
        bomb.extend(chunk(b"IDAT", &[0x78, 0x9c]));
        bomb.extend(chunk(b"IEND", &[]));
        assert_eq!(
            decode(&bomb),
            Err(ImageError::TooLarge {
                width: 10_001,
                height: 10_001
            })
        );
    }

    #[test]
    fn scaled_height_keeps_the_aspect_ratio() {
        for (original, width, height) in [
            ((4000, 3000), 480, 360),
            ((3000, 4000), 480, 640),
            ((1920, 1080), 1000, 563), // 562.5 rounds up
            ((100, 1), 10, 1),         // never zero
            ((1, 1), 16, 16),
        ] {
            assert_eq!(
                scaled_height(original, width),
                height,
                "{original:?} {width}"
            );
        }
    }

    #[test]
    fn encodings_decode_again_at_their_size() {
        let img = DynamicImage::ImageRgb8(gradient(40, 30));
        let wanted: Vec<Encoding> = [ImageFormat::Jpeg, ImageFormat::Webp, ImageFormat::Png]
            .into_iter()
            .flat_map(|format| {
                [(40, 30), (20, 15)].map(|(width, height)| Encoding {
                    width,
                    height,
                    base: (40, 30),
                    format,
                    quality: 75,
                })
            })
            .collect();
        let made = encode_all(&img, &wanted);
        assert_eq!(made.len(), wanted.len());
        for (e, bytes) in wanted.iter().zip(made) {
            let bytes = bytes.unwrap_or_else(|| panic!("{e:?} was not encoded"));
            let back = image::load_from_memory(&bytes).unwrap();
            assert_eq!((back.width(), back.height()), (e.width, e.height), "{e:?}");
            let guessed = image::guess_format(&bytes).unwrap();
            assert_eq!(guessed.extensions_str()[0], e.format.extension(), "{e:?}");
        }
    }

    #[test]
    fn a_variant_made_alone_has_the_bytes_it_has_made_with_its_set() {
        // What `serve` makes when a browser asks for one variant is what a
        // build makes with the whole set: the cache holds either.
        let img = DynamicImage::ImageRgb8(gradient(64, 48));
        let e = |width, height, format| Encoding {
            width,
            height,
            base: (48, 36),
            format,
            quality: 75,
        };
        let set = [
            e(48, 36, ImageFormat::Jpeg),
            e(32, 24, ImageFormat::Jpeg),
            e(16, 12, ImageFormat::Webp),
        ];
        let together = encode_all(&img, &set);
        for (one, bytes) in set.iter().zip(&together) {
            assert!(bytes.is_some(), "{one:?}");
            assert_eq!(&encode_all(&img, &[*one])[0], bytes, "{one:?}");
        }
    }

    fn encoded(format: ImageFormat, bytes: &[u8]) -> Vec<u8> {
        encode(&decode(bytes).unwrap(), format, 75).unwrap()
    }

    #[test]
    fn encodings_carry_no_metadata() {
        // The EXIF of the source is gone (no APP1 segment), its orientation
        // applied to the pixels.
        let bytes = encoded(ImageFormat::Jpeg, &rotated_jpeg());
        assert!(!bytes.windows(2).any(|w| w == [0xff, 0xe1]));
        let back = image::load_from_memory(&bytes).unwrap();
        assert_eq!((back.width(), back.height()), (4, 8));
    }

    #[cfg(feature = "avif")]
    #[test]
    fn avif_of_a_tiny_image() {
        let bytes = encoded(ImageFormat::Avif, &png(&gradient(8, 8)));
        assert_eq!(&bytes[4..12], b"ftypavif");
    }

    #[test]
    fn placeholder_is_a_tiny_webp_and_the_average_colour() {
        let grey =
            DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 20, image::Rgb([100, 150, 200])));
        let (placeholder, color) = placeholder_of(&grey, Placeholder::Blur);
        assert_eq!(color.as_deref(), Some("#6496c8"));
        let placeholder = placeholder.unwrap();
        let data = placeholder.strip_prefix("data:image/webp;base64,").unwrap();
        use base64::Engine;
        let webp = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        let tiny = image::load_from_memory(&webp).unwrap();
        assert_eq!((tiny.width(), tiny.height()), (PLACEHOLDER_WIDTH, 8));
        // Only the colour, or nothing at all.
        assert_eq!(placeholder_of(&grey, Placeholder::Color), (None, color));
        assert_eq!(placeholder_of(&grey, Placeholder::None), (None, None));
        let clear = DynamicImage::ImageRgba8(RgbaImage::new(4, 4));
        assert_eq!(placeholder_of(&clear, Placeholder::Blur), (None, None));
    }
}
