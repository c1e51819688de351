//! The Graphviz DOT text of a drawing, byte for byte as upstream's
//! grstates writes it: node ids are `h` and the SHA-256 of the node's key,
//! labels are left-justified lines (`\l`), tooltips and comments Go-quoted.

use crate::gomath::write_f;
use crate::viz::Viz;
use gocompat::quote::{quote, quote_body};
use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// Writes `viz` as a DOT digraph to `w`.
pub fn write(viz: &Viz, w: &mut impl Write) -> io::Result<()> {
    let mut out = Vec::with_capacity(64 << 10);
    out.extend_from_slice(b"digraph A {\n\tsize=\"100,100\";\n");
    for n in &viz.nodes {
        out.push(b'\t');
        id(&n.key, &mut out);
        out.extend_from_slice(b" [shape=");
        out.extend_from_slice(n.shape.name().as_bytes());
        out.extend_from_slice(b",label=");
        left_justified(&n.label, &mut out);
        tips(&n.tooltip, &mut out);
        out.extend_from_slice(b"];\n");
        flush_some(&mut out, w)?;
    }
    for e in &viz.edges {
        out.push(b'\t');
        id(&e.from, &mut out);
        out.extend_from_slice(b" -> ");
        id(&e.to, &mut out);
        out.extend_from_slice(b" [weight=");
        out.extend_from_slice(itoa::Buffer::new().format(e.weight).as_bytes());
        out.extend_from_slice(b",penwidth=");
        write_f(e.penwidth, &mut out);
        tips(&e.tooltip, &mut out);
        out.extend_from_slice(b"];\n");
        flush_some(&mut out, w)?;
    }
    out.extend_from_slice(b"}\n");
    w.write_all(&out)
}

fn flush_some(out: &mut Vec<u8>, w: &mut impl Write) -> io::Result<()> {
    if out.len() >= 64 << 10 {
        w.write_all(out)?;
        out.clear();
    }
    Ok(())
}

/// The DOT id of a node key: `h` and its SHA-256 in lowercase hex.
pub fn id(key: &[u8], out: &mut Vec<u8>) {
    out.push(b'h');
    for b in Sha256::digest(key) {
        out.push(b"0123456789abcdef"[usize::from(b >> 4)]);
        out.push(b"0123456789abcdef"[usize::from(b & 15)]);
    }
}

/// `,tooltip=<q>,comment=<q>` with `<q>` the Go-quoted text.
fn tips(text: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(b",tooltip=");
    quote(out, text);
    let copy = out[start + b",tooltip=".len()..].to_vec();
    out.extend_from_slice(b",comment=");
    out.extend_from_slice(&copy);
}

/// The label as a DOT string of left-justified lines: each line Go-quoted
/// without its quotes, the lines joined with `\l`.
fn left_justified(text: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for (i, part) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\\l");
        }
        quote_body(out, part);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::{Edge, Node, Shape};

    #[test]
    fn ids_are_hashes_of_keys() {
        // The key and id of upstream's output on a Go 1.27 trace.
        let mut out = Vec::new();
        id(
            b"Runnable\nnet/http.(*connReader).backgroundRead:741\n",
            &mut out,
        );
        assert_eq!(
            out,
            b"hd6517420dafc04264daa1da9ced06d49671ad8799deec57e3a377d42df04fa1c"
        );
    }

    #[test]
    fn lines_as_upstream_writes_them() {
        let key = b"Runnable\nnet/http.(*connReader).backgroundRead:741\n".to_vec();
        let viz = Viz {
            nodes: vec![
                Node {
                    key: key.clone(),
                    shape: Shape::Ellipse,
                    label: [&b"New goroutine\n"[..], &key].concat(),
                    tooltip: b"M=1 P=0 G=95 StateTransition Time=3 GoID=96 NotExist->Runnable Reason=\"\""
                        .to_vec(),
                    priority: 1,
                },
                Node {
                    key: b"EXIT_x".to_vec(),
                    shape: Shape::Ellipse,
                    label: b"EXIT".to_vec(),
                    tooltip: b"example: \t\xff".to_vec(),
                    priority: 2,
                },
            ],
            edges: vec![Edge {
                from: key.clone(),
                to: b"EXIT_x".to_vec(),
                weight: 1290,
                penwidth: 4.342206,
                tooltip: b"example: M=0 P=0 G=0 Bad Time=0".to_vec(),
            }],
        };
        let mut out = Vec::new();
        write(&viz, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "digraph A {");
        assert_eq!(lines[1], "\tsize=\"100,100\";");
        assert_eq!(
            lines[2],
            "\thd6517420dafc04264daa1da9ced06d49671ad8799deec57e3a377d42df04fa1c [shape=ellipse,\
             label=\"New goroutine\\lRunnable\\lnet/http.(*connReader).backgroundRead:741\\l\",\
             tooltip=\"M=1 P=0 G=95 StateTransition Time=3 GoID=96 NotExist->Runnable Reason=\\\"\\\"\",\
             comment=\"M=1 P=0 G=95 StateTransition Time=3 GoID=96 NotExist->Runnable Reason=\\\"\\\"\"];"
        );
        assert!(lines[3].ends_with(
            " [shape=ellipse,label=\"EXIT\",tooltip=\"example: \\t\\xff\",comment=\"example: \\t\\xff\"];"
        ));
        assert!(lines[4].starts_with("\thd6517420dafc"));
        assert!(lines[4].ends_with(
            " [weight=1290,penwidth=4.342206,tooltip=\"example: M=0 P=0 G=0 Bad Time=0\",\
             comment=\"example: M=0 P=0 G=0 Bad Time=0\"];"
        ));
        assert_eq!(lines[5], "}");
        assert_eq!(lines.len(), 6);
    }
}
