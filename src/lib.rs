//! polis: a static site generator for multilingual regional sites.
//!
//! The stages, one module each, in pipeline order: `config` → `load` →
//! `resolve` → `render` → `assets` → `output`. [`pipeline`] runs them, once,
//! for every driver: `build` and `check` here and in [`cli`], `serve`
//! (with the caches it keeps between builds), `translations`.

pub mod assets;
pub mod config;
pub mod editor;
pub mod load;
pub mod migrate;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod resolve;
pub mod search;

pub mod check;
pub mod cli;
pub mod deploy;
pub mod diag;
pub mod error;
pub mod fs;
pub mod scaffold;
pub mod serve;
pub mod timing;

pub use pipeline::{BuildOptions, BuildSummary, build, build_to_dir};
