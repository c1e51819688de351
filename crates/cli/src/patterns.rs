//! Region pattern files (`-patterns`, regiongraph's TOML format), loaded
//! on top of the built-in patterns: one loader for regiongraph and
//! scope_tls.

use regions::patterns::{Pattern, PatternDefs};

use crate::Error;

/// The built-in patterns with `files` added in order, compiled.
pub fn load(files: &[String]) -> Result<Vec<Pattern>, Error> {
    let mut defs = PatternDefs::builtin();
    for f in files {
        let src = std::fs::read_to_string(f).map_err(|source| Error::Read {
            path: f.clone(),
            source,
        })?;
        defs.add(&src).map_err(|e| Error::Regions {
            path: f.clone(),
            source: e.into(),
        })?;
    }
    defs.compile().map_err(|e| Error::Regions {
        path: "patterns".into(),
        source: e.into(),
    })
}
