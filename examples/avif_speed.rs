//! What rav1e's speed setting costs and saves: each photo scaled to WIDTH with
//! polis's Lanczos 3 resizer, then encoded with ravif as polis calls it (one
//! thread, one tile) at every speed, quality and bit depth asked for. The
//! AVIF files go to OUT; each encoding prints one tab-separated line:
//! photo, speed, quality, depth, bytes, CPU seconds of its thread, file.
//!
//!     cargo run --release --example avif_speed -- OUT WIDTH SPEEDS QUALITIES DEPTHS PHOTO...
//!     (SPEEDS = 6,7,8; QUALITIES = 70,75,80; DEPTHS = 8,10)
//!
//! bench/avif_speed.py runs it and scores the files with butteraugli. The CPU
//! seconds are the thread's own (from /proc), so other work on the machine
//! slows the sweep but moves the figures less than wall time.

use std::path::{Path, PathBuf};

use image::DynamicImage;
use rayon::prelude::*;

/// The CPU time of the calling thread, in seconds (Linux).
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn list<T: std::str::FromStr>(s: &str) -> Vec<T> {
    s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

fn scaled(path: &Path, width: u32) -> Result<DynamicImage, Box<dyn std::error::Error>> {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let src = DynamicImage::ImageRgb8(image::open(path)?.into_rgb8());
    let height =
        ((src.height() as u64 * width as u64 + src.width() as u64 / 2) / src.width() as u64) as u32;
    let mut dst = DynamicImage::ImageRgb8(image::RgbImage::new(width, height));
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&src, &mut dst, &options)?;
    Ok(dst)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 6 {
        return Err("usage: avif_speed OUT WIDTH SPEEDS QUALITIES DEPTHS PHOTO...".into());
    }
    let out = PathBuf::from(&args[0]);
    std::fs::create_dir_all(&out)?;
    let width: u32 = args[1].parse()?;
    let (speeds, qualities, depths) = (
        list::<u8>(&args[2]),
        list::<u8>(&args[3]),
        list::<u8>(&args[4]),
    );
    let photos: Vec<(String, image::RgbImage)> = args[5..]
        .par_iter()
        .map(|p| {
            let stem = Path::new(p)
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let img = scaled(Path::new(p), width).map_err(|e| format!("{p}: {e}"))?;
            Ok((stem, img.into_rgb8()))
        })
        .collect::<Result<_, String>>()?;
    let mut jobs = Vec::new();
    for (i, _) in photos.iter().enumerate() {
        for &s in &speeds {
            for &q in &qualities {
                for &d in &depths {
                    jobs.push((i, s, q, d));
                }
            }
        }
    }
    jobs.par_iter()
        .try_for_each(|&(i, speed, quality, depth)| {
            use rgb::FromSlice;
            let (stem, img) = &photos[i];
            let encoder = ravif::Encoder::new()
                .with_quality(quality as f32)
                .with_speed(speed)
                .with_bit_depth(if depth == 8 {
                    ravif::BitDepth::Eight
                } else {
                    ravif::BitDepth::Ten
                })
                .with_num_threads(Some(1));
            let start = thread_cpu_seconds();
            let encoded = encoder
                .encode_rgb(ravif::Img::new(
                    img.as_raw().as_rgb(),
                    img.width() as usize,
                    img.height() as usize,
                ))
                .map_err(|e| format!("{stem}: {e}"))?;
            let cpu = thread_cpu_seconds() - start;
            let file = out.join(format!("{stem}-s{speed}-q{quality}-d{depth}.avif"));
            std::fs::write(&file, &encoded.avif_file)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            println!(
                "{stem}\t{speed}\t{quality}\t{depth}\t{}\t{cpu:.3}\t{}",
                encoded.avif_file.len(),
                file.display()
            );
            Ok::<(), String>(())
        })?;
    Ok(())
}
