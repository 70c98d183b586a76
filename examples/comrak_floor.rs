//! The floor for `polis build`: comrak alone turning a corpus's Markdown into
//! HTML on every core, with the extensions polis enables, and nothing else
//! (no front matter, templates or files written).
//!
//!     cargo run --release --example comrak_floor -- CORPUS [RUNS]
//!
//! Prints the bytes of Markdown, and the wall time of each run (the files are
//! read once, before the first run).

use std::time::Instant;

use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = args.next().ok_or("usage: comrak_floor CORPUS [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    let mut texts = Vec::new();
    for entry in walkdir::WalkDir::new(std::path::Path::new(&root).join("content")) {
        let entry = entry?;
        if entry.path().extension().is_some_and(|e| e == "md") {
            texts.push(std::fs::read_to_string(entry.path())?);
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    println!(
        "{} files, {:.1} MB of Markdown",
        texts.len(),
        bytes as f64 / 1e6
    );
    let mut options = polis::render::markdown::page_options();
    // polis splits the front matter off before comrak sees a page; here comrak
    // skips it itself.
    options.extension.front_matter_delimiter = Some("+++".into());
    for _ in 0..runs {
        let start = Instant::now();
        let html: usize = texts
            .par_iter()
            .map(|t| comrak::markdown_to_html(t, &options).len())
            .sum();
        println!(
            "{:.3} s ({html} bytes of HTML)",
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
