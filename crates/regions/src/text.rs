//! Text printers: `-show-regions`, `-show-chains` and `-show-pairs` lines,
//! worded as upstream prints them, each led by `NAME:` when a trace name is
//! given. Chains and pairs, which upstream prints in Go map order, come out
//! sorted.
//!
//! Chains are as long as the trace's cause trees are deep, and there is a
//! line per chain head: their text can be the square of the trees' size.
//! So the lines are written as they are made, already in order, from the
//! tree that the recorded chains form (a walk with an explicit stack,
//! siblings in the order of their text), holding only a text per node.
//! That order is the sorted order as long as no node's text is a proper
//! prefix of another's, which only region kinds written to look like a
//! node's text (`kind(g=1@2-3)...`) can break; then the lines are made
//! all at once and sorted.

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

/// The tree of the recorded chains: the nodes on them, each node's
/// children, and each node's text with its rank among them.
struct ChainTree {
    /// Nodes on recorded chains without a parent.
    roots: Vec<u32>,
    /// By node: its children on recorded chains (`kids[first[n]..first[n + 1]]`).
    first: Vec<u32>,
    kids: Vec<u32>,
    /// By node on recorded chains: its text.
    text: Vec<Option<String>>,
    /// By node: the rank of its text among the texts (equal texts, equal
    /// ranks); the last rank is `<nil>`'s.
    rank: Vec<u32>,
    nil_rank: u32,
    /// Whether ordering by rank is ordering by text (no text is a proper
    /// prefix of another).
    prefix_free: bool,
}

impl ChainTree {
    fn new(a: &Analysis) -> ChainTree {
        let ch = &a.chains;
        let n = ch.nodes.len();
        let mut on = vec![false; n];
        for &head in &ch.recorded {
            let mut at = head;
            while at != NONE && !std::mem::replace(&mut on[at as usize], true) {
                at = ch.node(at).parent;
            }
        }
        let mut count = vec![0u32; n + 1];
        let mut roots = Vec::new();
        for (i, node) in ch.nodes.iter().enumerate().filter(|(i, _)| on[*i]) {
            match node.parent {
                NONE => roots.push(i as u32),
                p => count[p as usize + 1] += 1,
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let first = count.clone();
        let mut kids = vec![0u32; first[n] as usize];
        for (i, node) in ch.nodes.iter().enumerate().filter(|(i, _)| on[*i]) {
            if node.parent != NONE {
                let slot = &mut count[node.parent as usize];
                kids[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        let text: Vec<Option<String>> = (0..n)
            .map(|i| on[i].then(|| node_string(a, i as u32)))
            .collect();
        let nil = node_string(a, NONE);
        let mut order: Vec<&str> = text.iter().flatten().map(String::as_str).collect();
        order.push(&nil);
        order.sort_unstable();
        order.dedup();
        let prefix_free = order.windows(2).all(|w| !w[1].starts_with(w[0]));
        let rank_of = |t: &str| order.binary_search(&t).unwrap_or_default() as u32;
        let rank = text
            .iter()
            .map(|t| t.as_deref().map_or(NONE, rank_of))
            .collect();
        let nil_rank = rank_of(&nil);
        ChainTree {
            roots,
            first,
            kids,
            text,
            rank,
            nil_rank,
            prefix_free,
        }
    }

    fn children(&self, n: u32) -> &[u32] {
        &self.kids[self.first[n as usize] as usize..self.first[n as usize + 1] as usize]
    }

    /// Nodes grouped by equal text, groups in the order of their texts.
    fn groups(&self, mut nodes: Vec<u32>) -> std::vec::IntoIter<Vec<u32>> {
        nodes.sort_by_key(|&n| (self.rank[n as usize], n));
        let groups: Vec<Vec<u32>> = nodes
            .chunk_by(|a, b| self.rank[*a as usize] == self.rank[*b as usize])
            .map(<[u32]>::to_vec)
            .collect();
        groups.into_iter()
    }
}

/// For each distinct recorded chain head, its chain root first; sorted.
pub fn chains(a: &Analysis, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let t = ChainTree::new(a);
    if !t.prefix_free {
        for text in chain_lines(a) {
            line(out, name, &text)?;
        }
        return Ok(());
    }
    let mut recorded = vec![false; a.chains.nodes.len()];
    a.chains
        .recorded
        .iter()
        .for_each(|&n| recorded[n as usize] = true);
    // The chain being written, and per level of the tree the groups of
    // equal-text siblings left, with the length of their parent's text.
    let mut text = String::new();
    let mut stack = vec![(t.groups(t.roots.clone()), 0usize)];
    while let Some((groups, base)) = stack.last_mut() {
        let base = *base;
        let Some(group) = groups.next() else {
            stack.pop();
            continue;
        };
        text.truncate(base);
        if base > 0 {
            text.push(' ');
        }
        text.push_str(t.text[group[0] as usize].as_deref().unwrap_or_default());
        for _ in group.iter().filter(|&&n| recorded[n as usize]) {
            line(out, name, &text)?;
        }
        let kids: Vec<u32> = group.iter().flat_map(|&n| t.children(n)).copied().collect();
        if !kids.is_empty() {
            stack.push((t.groups(kids), text.len()));
        }
    }
    Ok(())
}

/// All chain lines, made at once and sorted (for texts that are prefixes
/// of others).
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
    let t = ChainTree::new(a);
    if !t.prefix_free {
        for text in pair_lines(a) {
            line(out, name, &text)?;
        }
        return Ok(());
    }
    let rank = |n: u32| match n {
        NONE => t.nil_rank,
        n => t.rank[n as usize],
    };
    let text = |n: u32| match n {
        NONE => "<nil>",
        n => t.text[n as usize].as_deref().unwrap_or_default(),
    };
    // Every node on the recorded chains, with its parent: the links.
    let mut links: Vec<(u32, u32, u32, u32)> = (0..t.text.len() as u32)
        .filter(|&c| t.text[c as usize].is_some())
        .map(|c| {
            let p = a.chains.node(c).parent;
            (rank(p), rank(c), p, c)
        })
        .collect();
    links.sort_unstable();
    for (_, _, p, c) in links {
        line(out, name, &format!("{} {}", text(p), text(c)))?;
    }
    Ok(())
}

/// All pair lines, made at once and sorted (for texts that are prefixes
/// of others).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::PatternDefs;
    use crate::source::Source;

    fn analysis(trace: &str, kinds: impl Fn(&str) -> String) -> Analysis {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces")
            .join(trace);
        let mut patterns = PatternDefs::builtin();
        if trace.starts_with("chain-") {
            let toml = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/gen/chaingen/chain.toml");
            patterns
                .add(&std::fs::read_to_string(toml).unwrap())
                .unwrap();
        }
        let mut patterns = patterns.compile().unwrap();
        patterns.iter_mut().for_each(|p| p.kind = kinds(&p.kind));
        Analysis::run(&Source::open(path).unwrap(), patterns).unwrap()
    }

    fn written(
        f: fn(&Analysis, Option<&str>, &mut dyn Write) -> io::Result<()>,
        a: &Analysis,
    ) -> String {
        let mut out = Vec::new();
        f(a, Some("n"), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn made(lines: Vec<String>) -> String {
        lines.iter().map(|l| format!("n:{l}\n")).collect()
    }

    /// The lines written from the chain tree are the lines made all at
    /// once and sorted, byte for byte, also with region kinds that hold
    /// spaces and characters sorting below a space; with a kind that makes
    /// one node's text a prefix of another's, they are made all at once.
    #[test]
    fn streamed_lines_are_the_sorted_lines() {
        let odd = |k: &str| k.replace('/', " \t");
        for (trace, kinds) in [
            (
                "http-go1.21.trace",
                &(|k: &str| k.to_string()) as &dyn Fn(&str) -> String,
            ),
            ("http-go1.25.trace", &odd),
            ("chain-100-go1.25.trace", &|k: &str| k.to_string()),
        ] {
            let a = analysis(trace, kinds);
            assert!(ChainTree::new(&a).prefix_free, "{trace}");
            let chains = written(chains, &a);
            assert!(chains.lines().count() > 100, "{trace}");
            assert!(chains == made(chain_lines(&a)), "{trace}: chains");
            assert!(written(pairs, &a) == made(pair_lines(&a)), "{trace}: pairs");
        }
        // `<nil>`'s text is a prefix of every region's.
        let a = analysis("http-go1.21.trace", |_| "<nil>".into());
        assert!(!ChainTree::new(&a).prefix_free);
        assert!(written(chains, &a) == made(chain_lines(&a)));
        assert!(written(pairs, &a) == made(pair_lines(&a)));
    }
}
