//! Integration tests: one binary, one module per area. Each module builds small
//! fixture sites from `tests/fixtures/<area>/` through the library (`common`), or
//! runs the `polis` binary when its output is the subject (`cli`).

mod common;

mod bad_input;
mod check;
mod cli;
mod collections;
mod content;
mod deploy;
mod diff;
mod example;
mod images;
mod incremental;
mod languages;
mod listings;
mod migration;
mod output;
mod properties;
mod render;
mod scheduling;
mod search;
mod serve;
mod translations;
