//! A file as `serve` holds it in memory: text compressed with LZ4, everything
//! else as it is. At 100,000 pages the served HTML is about 0.9 GB, and LZ4
//! holds it in less than half of that. Deflate's fast level holds it in a
//! third, but took 6.5 s more of a template edit's rebuild there (every page
//! compressed again) where LZ4 takes under one; a request decompresses its
//! file again, well under a millisecond for a page.

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::model::OutputPath;

/// Below this, compression saves too little to be worth a step per request.
const PACK_FROM: usize = 512;

/// The bytes of one output file, compressed when it is text.
#[derive(Clone, Debug, Default, Eq)]
pub struct Held {
    bytes: Bytes,
    /// The file's own length when `bytes` is compressed; `None` when
    /// `bytes` is the file.
    packed: Option<u32>,
}

impl Held {
    /// The file as it is.
    pub fn plain(bytes: impl Into<Bytes>) -> Held {
        Held {
            bytes: bytes.into(),
            packed: None,
        }
    }

    /// The file compressed when `path` names text (HTML, CSS, scripts, feeds,
    /// JSON) of some length, else as it is. The same bytes at the same path
    /// always give the same `Held`, so two of them compare as their files do.
    pub fn pack(path: &OutputPath, bytes: impl Into<Bytes>) -> Held {
        let bytes = bytes.into();
        let len = u32::try_from(bytes.len()).ok();
        match len {
            Some(len) if bytes.len() >= PACK_FROM && is_text(path.as_str()) => Held {
                bytes: lz4_flex::block::compress(&bytes).into(),
                packed: Some(len),
            },
            _ => Held::plain(bytes),
        }
    }

    /// This file held as [`Held::pack`] holds it at `path`.
    pub fn packed(self, path: &OutputPath) -> Held {
        match self.packed {
            Some(_) => self,
            None => Held::pack(path, self.bytes),
        }
    }

    /// The file's bytes: shared when held as they are, decompressed when
    /// packed.
    pub fn bytes(&self) -> Result<Bytes> {
        let Some(len) = self.packed else {
            return Ok(self.bytes.clone());
        };
        lz4_flex::block::decompress(&self.bytes, len as usize)
            .map(Bytes::from)
            .map_err(|e| Error::Io {
                op: "decompressing a file held in memory",
                path: ".".into(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })
    }

    /// How many bytes the file takes in memory.
    pub fn held_len(&self) -> usize {
        self.bytes.len()
    }
}

/// Equal when the files are: the same bytes held the same way (shared bytes
/// are not compared byte by byte).
impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        let (a, b) = (&self.bytes, &other.bytes);
        self.packed == other.packed && ((a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b)
    }
}

/// Whether a file is text, by its path's content type.
fn is_text(path: &str) -> bool {
    super::content_type_of(path).ends_with("charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_packed_and_comes_back_whole() {
        let page = "<p>Oslo region</p>\n".repeat(200);
        let path = OutputPath::new("en/live/index.html");
        let held = Held::pack(&path, page.clone().into_bytes());
        assert!(held.held_len() < page.len() / 4, "{}", held.held_len());
        assert_eq!(held.bytes().unwrap(), page.as_bytes());
        assert_eq!(held, Held::pack(&path, page.into_bytes()));
    }

    #[test]
    fn images_and_short_files_are_held_as_they_are() {
        let photo = vec![7u8; 4096];
        let held = Held::pack(&OutputPath::new("photos/a.avif"), photo.clone());
        assert_eq!(held, Held::plain(photo));
        let short = b"User-agent: *\n".to_vec();
        let held = Held::pack(&OutputPath::new("robots.txt"), short.clone());
        assert_eq!(held, Held::plain(short));
    }
}
