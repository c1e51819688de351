//! The SVG picture of a DOT graph: Graphviz's `dot` draws it, then it is
//! made pan- and zoomable as `go tool pprof` makes its graphs (the size
//! set to the whole window, the drawing wrapped in a `viewport` group),
//! with the toolbox's own small script (`panzoom.js`) doing the panning
//! and zooming.

use regex::bytes::Regex;
use std::io::{self, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::LazyLock;

/// The Graphviz program that lays out and draws the graph.
pub const DOT_PROGRAM: &str = "dot";

/// The pan and zoom script put into every picture.
pub const PAN_ZOOM_SCRIPT: &str = include_str!("panzoom.js");

/// Why the picture could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SvgError {
    /// Graphviz is not installed.
    #[error(
        "SVG output needs Graphviz's \"{program}\" program, which is not in PATH \
         (install Graphviz, e.g. apt-get install graphviz, or write -dot instead)"
    )]
    Missing {
        /// The program looked for.
        program: &'static str,
    },
    /// The program could not be run or fed.
    #[error("running \"{program}\": {source}")]
    Run {
        /// The program.
        program: &'static str,
        /// What the system said.
        source: io::Error,
    },
    /// The program failed.
    #[error("\"{program} -T svg\" failed ({status}): {stderr}")]
    Failed {
        /// The program.
        program: &'static str,
        /// How it ended.
        status: ExitStatus,
        /// What it said on standard error.
        stderr: String,
    },
}

/// Draws the DOT text `dot` as a pan- and zoomable SVG picture.
pub fn render(dot: &[u8]) -> Result<Vec<u8>, SvgError> {
    let program = DOT_PROGRAM;
    let run = |source| SvgError::Run { program, source };
    let mut child = Command::new(program)
        .args(["-T", "svg"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => SvgError::Missing { program },
            _ => run(source),
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| run(io::Error::other("no stdin")))?;
    // Fed from another thread, so a large picture cannot block both sides.
    let output = std::thread::scope(|s| {
        let feeder = s.spawn(move || stdin.write_all(dot));
        let output = child.wait_with_output();
        let fed = feeder
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("feeding dot panicked")));
        (output, fed)
    });
    let (output, fed) = output;
    let output = output.map_err(run)?;
    if !output.status.success() {
        return Err(SvgError::Failed {
            program,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr)
                .trim_end()
                .to_owned(),
        });
    }
    fed.map_err(run)?;
    Ok(pan_and_zoom(&output.stdout))
}

static SVG_SIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<svg\s*width="[^"]+"\s*height="[^"]+"\s*viewBox="[^"]+""#).expect("valid regex")
});
static GRAPH_GROUP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<g id="graph\d""#).expect("valid regex"));

/// Makes Graphviz's SVG pan- and zoomable: fixes Graphviz's `&;` quoting
/// bug, lets the picture fill the window (its `viewBox` dropped), and
/// wraps the drawing in a `viewport` group that the script moves. Steps
/// whose landmark is missing are skipped.
pub fn pan_and_zoom(svg: &[u8]) -> Vec<u8> {
    let mut s = replace_all(svg, b"&;", b"&amp;;");
    if let Some(m) = SVG_SIZE.find(&s) {
        s.splice(
            m.range(),
            b"<svg width=\"100%\" height=\"100%\"".iter().copied(),
        );
    }
    if let Some(m) = GRAPH_GROUP.find(&s) {
        let mut head = b"<script type=\"text/ecmascript\"><![CDATA[".to_vec();
        head.extend_from_slice(PAN_ZOOM_SCRIPT.as_bytes());
        head.extend_from_slice(b"]]></script>");
        head.extend_from_slice(b"<g id=\"viewport\" transform=\"scale(0.5,0.5) translate(0,0)\">");
        let at = m.start();
        s.splice(at..at, head);
    }
    if let Some(at) = find(&s, b"</svg>") {
        s.splice(at..at, b"</g>".iter().copied());
    }
    s
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find(rest, from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn massaged_as_pprof_massages_its_graphs() {
        let svg = b"<?xml?>\n<svg width=\"62pt\" height=\"116pt\"\n viewBox=\"0.00 0.00 62.00 116.00\" xmlns=\"x\">\n\
<g id=\"graph0\" class=\"graph\"><title>A&;</title></g>\n</svg>\n";
        let out = String::from_utf8(pan_and_zoom(svg)).unwrap();
        assert!(
            out.starts_with("<?xml?>\n<svg width=\"100%\" height=\"100%\" xmlns=\"x\">\n<script")
        );
        assert!(!out.contains("viewBox"));
        assert!(out.contains("A&amp;;"));
        assert!(out.contains(
            "]]></script><g id=\"viewport\" transform=\"scale(0.5,0.5) translate(0,0)\"><g id=\"graph0\""
        ));
        assert!(out.ends_with("</g>\n</g></svg>\n"));
        assert!(!PAN_ZOOM_SCRIPT.contains("]]>"));
        // Without landmarks nothing changes.
        assert_eq!(pan_and_zoom(b"<x/>"), b"<x/>");
    }
}
