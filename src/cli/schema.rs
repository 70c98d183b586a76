//! `polis schema`: a JSON Schema for each collection's front matter, so that
//! editors check and complete the fields as the author types.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::build::site_root;
use crate::config::load_config;
use crate::diag::Diagnostics;
use crate::error::{Error, Result};
use crate::load::load_site;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The site's folder; by default the nearest folder upwards with a `site.toml`
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Where to write the schemas [default: ROOT/schemas]
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// What was written: (collection folder under `content/`, schema file).
pub struct Written {
    pub root: PathBuf,
    pub schemas: Vec<(String, PathBuf)>,
}

pub fn run(args: &SchemaArgs, diags: &mut Diagnostics) -> Result<Written> {
    let root = site_root(args.root.as_deref())?;
    let config = load_config(&root, diags)?;
    // The names a reference may take are the pages there are now.
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Ok(loaded) = load_site(&config, &mut Diagnostics::default()) {
        for c in &config.collections {
            let mut k: Vec<String> = loaded
                .files
                .iter()
                .filter(|f| f.kind != crate::model::FileKind::Section)
                .filter(|f| c.contains(&f.rel) && f.lang == config.default_language)
                .filter_map(|f| c.key_of(&f.group).map(str::to_string))
                .collect();
            k.sort();
            k.dedup();
            keys.insert(c.name.clone(), k);
        }
    }
    let taxonomies: Vec<String> = config.taxonomies.iter().map(|t| t.name.clone()).collect();
    let out = args.output.clone().unwrap_or_else(|| root.join("schemas"));
    std::fs::create_dir_all(&out).map_err(|source| Error::Io {
        op: "creating",
        path: out.clone(),
        source,
    })?;
    let mut schemas = Vec::new();
    for c in &config.collections {
        let schema = crate::schema::json_schema(c, &taxonomies, &keys);
        let path = out.join(format!("{}.schema.json", c.name));
        let text = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
        std::fs::write(&path, text).map_err(|source| Error::Io {
            op: "writing",
            path: path.clone(),
            source,
        })?;
        schemas.push((c.folder.clone(), path));
    }
    Ok(Written { root, schemas })
}
