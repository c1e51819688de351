//! Region pattern files (`-patterns`, regiongraph's TOML format), loaded
//! on top of the built-in patterns: one loader for regiongraph and
//! scope_tls.

use regions::error::PatternError;
use regions::patterns::{Pattern, PatternDefs};
use std::ffi::OsString;

use crate::Error;

/// The built-in patterns with `files` added in order, compiled. Errors
/// name the file at fault: the one that defined the entry a compile error
/// names (the last file when that entry is a built-in one that a file
/// broke, for example by redefining a kind it refers to).
pub fn load(files: &[OsString]) -> Result<Vec<Pattern>, Error> {
    let mut defs = PatternDefs::builtin();
    let mut names = Vec::with_capacity(files.len());
    for f in files {
        let name = crate::shown(f);
        let src = std::fs::read_to_string(f).map_err(|source| Error::Read {
            path: name.clone(),
            source,
        })?;
        defs.add_file(&src, &name).map_err(|e| Error::Regions {
            path: name.clone(),
            source: e.into(),
        })?;
        names.push(name);
    }
    defs.compile().map_err(|e| {
        let file = match &e {
            PatternError::Region { kind, .. } => defs.origin(kind),
            _ => None,
        };
        Error::Regions {
            path: file
                .or(names.last().map(String::as_str))
                .unwrap_or("built-in patterns")
                .to_owned(),
            source: e.into(),
        }
    })
}
