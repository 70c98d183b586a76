//! The command line: one file per subcommand. Parses flags into the library's
//! options and leaves printing and exit codes to `main`.

pub mod build;
pub mod check;
pub mod deploy;
pub mod diff;
pub mod init;
pub mod migrate;
pub mod new;
pub mod schema;
pub mod serve;
pub mod translations;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "polis",
    version,
    about = "Build multilingual regional sites from Markdown"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into a folder (`public/` by default)
    Build(build::BuildArgs),
    /// Check the site as `build` does, writing nothing, plus content lints (alt text,
    /// headings, link text, descriptions, titles) and, with --external, external links
    Check(check::CheckArgs),
    /// Serve the site locally, rebuild it when a file changes, and reload the browser
    Serve(serve::ServeArgs),
    /// Start a new site in a folder: site.toml, the example theme and a home page
    /// in each language
    Init(init::InitArgs),
    /// Write a new page bundle from an archetype, in every language, ready to fill in
    New(new::NewArgs),
    /// Write a JSON Schema of each collection's front matter, for editors
    Schema(schema::SchemaArgs),
    /// Show which translations are missing, stale or up to date; `mark` records
    /// that a translation is up to date again
    Translations(translations::TranslationsArgs),
    /// Compare two builds: the pages added, removed and changed, and removed
    /// addresses that nothing redirects from
    Diff(diff::DiffArgs),
    /// Publish a finished build to S3-compatible object storage
    /// (`[deploy.targets.NAME]` in site.toml): only what changed, assets
    /// before pages, deletions last
    Deploy(deploy::DeployArgs),
    /// Move a Zola or Hugo site to polis: write site.toml from its config, its
    /// shortcode calls as fenced blocks, and `static/` as `assets/`
    Migrate(migrate::MigrateArgs),
}
