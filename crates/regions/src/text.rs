//! Text printers: `-show-regions`, `-show-chains` and `-show-pairs` lines,
//! worded as upstream prints them, each led by `NAME:` when a trace name is
//! given. Chains and pairs, which upstream prints in Go map order, come out
//! sorted.

use crate::Analysis;
use crate::event::NONE;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes one line, led by `name:` when given.
fn line(out: &mut dyn Write, name: Option<&str>, text: &str) -> io::Result<()> {
    if let Some(n) = name {
        write!(out, "{n}:")?;
    }
    writeln!(out, "{text}")
}

/// One line per region: `kind(g=G@first-last)`, goroutines ascending, then
/// pattern order, then time.
pub fn regions(a: &Analysis, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let t = &a.tracked;
    for r in &t.regions {
        let text = format!(
            "{}(g={}@{}-{})",
            a.patterns[r.pattern as usize].kind, t.goroutines[r.gi as usize], r.first.ts, r.last.ts
        );
        line(out, name, &text)?;
    }
    Ok(())
}

/// How a chain node prints: `kind(g=G@start-last)` for a region node,
/// `rootfunc(g=G@start)` for a wake node, `<nil>` for none.
pub fn node_string(a: &Analysis, node: u32) -> String {
    if node == NONE {
        return "<nil>".to_string();
    }
    let n = a.chains.node(node);
    if n.local == NONE {
        return format!("{}(g={}@{})", a.tracked.root_func(n.g), n.g, n.ts);
    }
    let r = &a.tracked.regions[n.local as usize];
    format!(
        "{}(g={}@{}-{})",
        a.patterns[r.pattern as usize].kind, n.g, n.ts, r.last.ts
    )
}

/// For each distinct recorded chain head, its chain root first; sorted.
pub fn chains(a: &Analysis, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    for text in chain_lines(a) {
        line(out, name, &text)?;
    }
    Ok(())
}

fn chain_lines(a: &Analysis) -> Vec<String> {
    let mut out: Vec<String> = a
        .chains
        .recorded
        .iter()
        .map(|&head| {
            let mut nodes: Vec<u32> = a.chains.ancestry(head).collect();
            nodes.reverse();
            let mut line = String::new();
            for (i, n) in nodes.into_iter().enumerate() {
                if i > 0 {
                    line.push(' ');
                }
                let _ = write!(line, "{}", node_string(a, n));
            }
            line
        })
        .collect();
    out.sort();
    out
}

/// Each distinct (parent, child) link of the recorded chains, plus
/// (`<nil>`, root) for their roots; sorted.
pub fn pairs(a: &Analysis, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    for text in pair_lines(a) {
        line(out, name, &text)?;
    }
    Ok(())
}

fn pair_lines(a: &Analysis) -> Vec<String> {
    let mut set: HashSet<(u32, u32)> = HashSet::new();
    for &head in &a.chains.recorded {
        let mut prev = NONE;
        for n in a.chains.ancestry(head) {
            if prev != NONE {
                set.insert((n, prev));
            }
            prev = n;
        }
        set.insert((NONE, prev));
    }
    let mut out: Vec<String> = set
        .into_iter()
        .map(|(p, c)| format!("{} {}", node_string(a, p), node_string(a, c)))
        .collect();
    out.sort();
    out
}
