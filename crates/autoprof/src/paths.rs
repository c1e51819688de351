//! Lexical path handling as upstream does it with Go's `path` package:
//! joining and cleaning `/`-separated paths that must stay inside the `-C`
//! root, and the relative target of a `_link` symlink.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The components of a clean relative path (`.` has none).
fn components(p: &Path) -> Vec<&[u8]> {
    p.as_os_str()
        .as_bytes()
        .split(|&c| c == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect()
}

/// Joins `dir` (clean, relative to the root) with `tail` (any
/// `/`-separated text), resolving `.` and `..` lexically like Go's
/// `path.Join`. `None` when the result would leave the root or is the
/// root itself.
pub fn join_inside(dir: &Path, tail: &str) -> Option<PathBuf> {
    let mut out: Vec<&[u8]> = components(dir);
    for c in tail.as_bytes().split(|&c| c == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                out.pop()?;
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return None;
    }
    Some(PathBuf::from(OsString::from_vec(out.join(&b'/'))))
}

/// The path printed for a bundle: its relative path, or `.` for the root.
pub fn display(rel: &Path) -> &OsStr {
    if rel.as_os_str().is_empty() {
        OsStr::new(".")
    } else {
        rel.as_os_str()
    }
}

/// The symlink target that reaches bundle `to` from inside `from/_link`:
/// `..` joined with the lexical relative path from `from` to `to`.
pub fn link_target(from: &Path, to: &Path) -> PathBuf {
    let (f, t) = (components(from), components(to));
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&[u8]> = vec![b".."; 1 + f.len() - common];
    parts.extend(&t[common..]);
    PathBuf::from(OsString::from_vec(parts.join(&b'/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(dir: &str, tail: &str) -> Option<String> {
        join_inside(Path::new(dir), tail).map(|p| p.to_string_lossy().into_owned())
    }

    #[test]
    fn joins_like_go_path_join() {
        assert_eq!(j("a/b", "pprof/heap").as_deref(), Some("a/b/pprof/heap"));
        assert_eq!(
            j("", "pprof/./goroutine/").as_deref(),
            Some("pprof/goroutine")
        );
        assert_eq!(j("a", "pprof/../custom/x").as_deref(), Some("a/custom/x"));
        assert_eq!(
            j("a", "pprof//etc/passwd").as_deref(),
            Some("a/pprof/etc/passwd")
        );
        assert_eq!(j("", "pprof/../../x"), None);
        assert_eq!(j("a", "pprof/../.."), None);
    }

    #[test]
    fn link_targets_match_upstream_examples() {
        let t = |f: &str, to: &str| {
            link_target(Path::new(f), Path::new(to))
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(t("b-002", "b-001"), "../../b-001");
        assert_eq!(t("z/nested/x", "a"), "../../../../a");
        assert_eq!(t("z/nested/x", ""), "../../../..");
        assert_eq!(t("", "z/nested/x"), "../z/nested/x");
        assert_eq!(display(Path::new("")), ".");
    }
}
