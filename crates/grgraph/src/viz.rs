//! The drawing of a [`Graph`]: nodes and edges keyed by the short text of
//! their stack-states, with shapes, labels, examples, weights and the
//! node order, as upstream's grstates lays them out.
//!
//! A node's key is its state's name and its stack's `function:line`
//! frames, root first, so distinct stack-states (frames differing only in
//! PC or file) may share a node or an edge. Upstream then keeps whichever
//! it meets last in Go map order; here the stack-state with the largest
//! count wins, and among equal counts the first in stack order (frames
//! leaf first by function, PC, file, line; then state). Its example is
//! shown; its count is drawn for the graph of one trace (so the output is
//! one of upstream's), and the sum of the colliding counts for a graph
//! merged from several traces (builds of one program differ in PCs, and a
//! fleet's counts should add up); edge widths are then relative to the
//! largest drawn weight. Nodes whose priorities tie (a creation node's key
//! reused by a state node) are ordered by key.

use crate::graph::{Graph, StackState, StateInfo, ZERO_EVENT};
use rustc_hash::FxHashMap;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// How a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Goroutine creation and exit.
    Ellipse,
    /// A stack-state a goroutine passes through.
    Box,
}

impl Shape {
    /// The Graphviz name.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Ellipse => "ellipse",
            Shape::Box => "box",
        }
    }
}

/// A node of the drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The node's identity (the DOT id is a hash of it).
    pub key: Vec<u8>,
    /// Its shape.
    pub shape: Shape,
    /// Its label text, lines ending in `\n`.
    pub label: Vec<u8>,
    /// Its tooltip text (an event line, maybe after `example: `).
    pub tooltip: Vec<u8>,
    /// Its place in the output: smaller first.
    pub priority: usize,
}

/// An edge of the drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The source node's key.
    pub from: Vec<u8>,
    /// The target node's key.
    pub to: Vec<u8>,
    /// How often goroutines took it.
    pub weight: u64,
    /// Its line width.
    pub penwidth: f64,
    /// Its tooltip text.
    pub tooltip: Vec<u8>,
}

/// The drawing: nodes by priority (then key), edges by source key then
/// target key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Viz {
    /// Nodes, in output order.
    pub nodes: Vec<Node>,
    /// Edges, in output order.
    pub edges: Vec<Edge>,
}

/// One candidate for a node or edge key: its count and stack-states.
struct Pick<T> {
    count: u64,
    states: (StackState, StackState),
    item: T,
}

/// The candidate kept for a key, and the sum of all the key's counts.
struct Kept<T> {
    pick: Pick<T>,
    total: u64,
}

/// Keeps, per key, the candidate with the largest count, then the first
/// stack-states.
struct Picker<'g, T> {
    graph: &'g Graph,
    /// Whether colliding counts add up (a merged graph).
    add: bool,
    picks: BTreeMap<Vec<u8>, Kept<T>>,
}

impl<'g, T> Picker<'g, T> {
    fn new(graph: &'g Graph) -> Self {
        Picker {
            graph,
            add: graph.traces() > 1,
            picks: BTreeMap::new(),
        }
    }

    fn offer(&mut self, key: Vec<u8>, cand: Pick<T>) {
        let g = self.graph;
        match self.picks.get_mut(&key) {
            Some(old) => {
                old.total += cand.count;
                let order = cand.count.cmp(&old.pick.count).reverse().then_with(|| {
                    g.cmp_states(&cand.states.0, &old.pick.states.0)
                        .then_with(|| g.cmp_states(&cand.states.1, &old.pick.states.1))
                });
                if order == Ordering::Less {
                    old.pick = cand;
                }
            }
            None => {
                let total = cand.count;
                self.picks.insert(key, Kept { pick: cand, total });
            }
        }
    }

    /// The kept candidates, each with the count to draw.
    fn drawn(self) -> impl Iterator<Item = (Vec<u8>, u64, Pick<T>)> {
        let add = self.add;
        self.picks.into_iter().map(move |(key, k)| {
            let count = if add { k.total } else { k.pick.count };
            (key, count, k.pick)
        })
    }
}

/// Short texts of stack-states, made once each.
struct Shorts<'g> {
    graph: &'g Graph,
    texts: FxHashMap<StackState, Vec<u8>>,
}

impl Shorts<'_> {
    /// `"<State>\n"` then `function:line\n` per frame, root first.
    fn get(&mut self, ss: StackState) -> Vec<u8> {
        let g = self.graph;
        self.texts
            .entry(ss)
            .or_insert_with(|| {
                let mut t = Vec::with_capacity(256);
                t.extend_from_slice(ss.state.name().as_bytes());
                t.push(b'\n');
                g.stacks().write_short(ss.stack, &mut t);
                t
            })
            .clone()
    }
}

fn example(line: Option<&[u8]>) -> Vec<u8> {
    let mut t = b"example: ".to_vec();
    t.extend_from_slice(line.unwrap_or(ZERO_EVENT));
    t
}

/// Gives each key, in order, the next priority: the number of keys that
/// have one, plus one (a key that had one gets a new one that the next
/// new key shares, as upstream does).
fn rank(priority: &mut FxHashMap<Vec<u8>, usize>, keys: impl Iterator<Item = Vec<u8>>) {
    for key in keys {
        let p = priority.len() + 1;
        priority.insert(key, p);
    }
}

/// One candidate per stack-state that `of` selects (its count and
/// example), keyed by the state's short text, collisions resolved by the
/// picker.
fn pick_states<'g, T>(
    graph: &'g Graph,
    shorts: &mut Shorts<'g>,
    of: impl Fn(&'g StateInfo) -> Option<(u64, T)>,
) -> impl Iterator<Item = (Vec<u8>, u64, Pick<T>)> {
    let mut picker = Picker::new(graph);
    for (&ss, info) in graph.states() {
        if let Some((count, item)) = of(info) {
            let cand = Pick {
                count,
                states: (ss, ss),
                item,
            };
            picker.offer(shorts.get(ss), cand);
        }
    }
    picker.drawn()
}

/// Keys by count, largest first, then by key.
fn by_count(counts: &BTreeMap<Vec<u8>, u64>) -> impl Iterator<Item = Vec<u8>> {
    let mut keys: Vec<(&Vec<u8>, u64)> = counts.iter().map(|(k, &c)| (k, c)).collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    keys.into_iter().map(|(k, _)| k.clone())
}

/// Lays out `graph` as upstream's grstates does.
pub fn build(graph: &Graph) -> Viz {
    let mut shorts = Shorts {
        graph,
        texts: FxHashMap::default(),
    };
    let mut edges: BTreeMap<(Vec<u8>, Vec<u8>), Edge> = BTreeMap::new();
    let mut nodes: BTreeMap<Vec<u8>, Node> = BTreeMap::new();
    let mut priority: FxHashMap<Vec<u8>, usize> = FxHashMap::default();

    // Edges between stack-states.
    let mut picker = Picker::new(graph);
    for (&(from, to), info) in graph.edges() {
        let mut key = shorts.get(from);
        key.push(0);
        key.extend_from_slice(&shorts.get(to));
        let cand = Pick {
            count: info.count,
            states: (from, to),
            item: info.example.as_deref(),
        };
        picker.offer(key, cand);
    }
    let simple: Vec<_> = picker.drawn().collect();
    // Upstream's widths are relative to the largest count of one pair of
    // stack-states; a merged graph's, to the largest weight drawn.
    let max_weight = if graph.traces() > 1 {
        simple.iter().map(|(_, count, _)| *count).max()
    } else {
        graph.edges().map(|(_, e)| e.count).max()
    };
    let pen = crate::gomath::PenWidth::new(max_weight.unwrap_or(0));
    for (_, count, p) in simple {
        let (from, to) = (shorts.get(p.states.0), shorts.get(p.states.1));
        let edge = Edge {
            from: from.clone(),
            to: to.clone(),
            weight: count,
            penwidth: pen.of(count),
            tooltip: example(p.item),
        };
        edges.insert((from, to), edge);
    }

    // Goroutine creations.
    let mut counts = BTreeMap::new();
    let created = pick_states(graph, &mut shorts, |i| {
        i.init.as_ref().map(|init| (init.count, &init.example))
    });
    for (key, count, p) in created {
        let mut label = b"New goroutine\n".to_vec();
        label.extend_from_slice(&key);
        let node = Node {
            key: key.clone(),
            shape: Shape::Ellipse,
            label,
            tooltip: p.item.to_vec(),
            priority: 0,
        };
        nodes.insert(key.clone(), node);
        counts.insert(key, count);
    }
    rank(&mut priority, by_count(&counts));

    // States goroutines pass through.
    let mut counts = BTreeMap::new();
    let passed = pick_states(graph, &mut shorts, |i| {
        (i.all > 0 && i.init.is_none()).then_some((i.all, i.example.as_deref()))
    });
    for (key, count, p) in passed {
        let node = Node {
            key: key.clone(),
            shape: Shape::Box,
            label: key.clone(),
            tooltip: example(p.item),
            priority: 0,
        };
        nodes.insert(key.clone(), node);
        counts.insert(key, count);
    }
    rank(&mut priority, by_count(&counts));

    // Goroutine exits: upstream orders them by a count that is always 0
    // for them, so by key.
    let mut exit_keys = Vec::new();
    let exits = pick_states(graph, &mut shorts, |i| {
        i.exit.as_ref().map(|exit| (exit.count, &exit.example))
    });
    for (from, count, p) in exits {
        let mut key = b"EXIT_".to_vec();
        key.extend_from_slice(&from);
        let tooltip = example(Some(p.item));
        let node = Node {
            key: key.clone(),
            shape: Shape::Ellipse,
            label: b"EXIT".to_vec(),
            tooltip: tooltip.clone(),
            priority: 0,
        };
        nodes.insert(key.clone(), node);
        let edge = Edge {
            from: from.clone(),
            to: key.clone(),
            weight: count,
            penwidth: pen.of(count),
            tooltip,
        };
        edges.insert((from, key.clone()), edge);
        exit_keys.push(key);
    }
    rank(&mut priority, exit_keys.into_iter());

    let mut nodes: Vec<Node> = nodes
        .into_values()
        .map(|mut n| {
            n.priority = priority.get(&n.key).copied().unwrap_or(0);
            n
        })
        .collect();
    nodes.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| a.key.cmp(&b.key)));
    Viz {
        nodes,
        edges: edges.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeInfo, Ends};
    use crate::testkit::{ev, ss};
    use gotrace::GoState::*;

    fn ends(count: u64, n: u64) -> Option<Ends> {
        Some(Ends {
            count,
            example: ev(n),
        })
    }

    fn text(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap()
    }

    #[test]
    fn layout_as_upstream() {
        let mut g = Graph::default();
        let a = g.stacks.test_stack(&[("main.a", 1)], 1);
        let b = g.stacks.test_stack(&[("main.b", 2)], 2);
        let c = g.stacks.test_stack(&[("main.c", 3)], 3);
        let st = |all, init, exit, example| StateInfo {
            example: Some(ev(example)),
            all,
            init,
            exit,
        };
        g.states.insert(ss(a, Runnable), st(0, ends(3, 1), None, 1));
        g.states.insert(ss(b, Runnable), st(0, ends(3, 2), None, 2));
        g.states.insert(ss(c, Runnable), st(0, ends(5, 3), None, 3));
        g.states.insert(ss(a, Waiting), st(2, None, ends(4, 4), 5));
        g.states.insert(ss(b, Waiting), st(7, None, ends(1, 6), 7));
        let e = |count, example: Option<u64>| EdgeInfo {
            count,
            example: example.map(ev),
        };
        g.edges
            .insert((ss(a, Waiting), ss(b, Waiting)), e(10, Some(8)));
        g.edges.insert((ss(b, Waiting), ss(a, Waiting)), e(2, None));
        let viz = build(&g);
        let nodes: Vec<(&str, Shape, usize, &str)> = viz
            .nodes
            .iter()
            .map(|n| (text(&n.key), n.shape, n.priority, text(&n.tooltip)))
            .collect();
        assert_eq!(
            nodes,
            [
                // Creations by count, then key.
                ("Runnable\nmain.c:3\n", Shape::Ellipse, 1, "ev3"),
                ("Runnable\nmain.a:1\n", Shape::Ellipse, 2, "ev1"),
                ("Runnable\nmain.b:2\n", Shape::Ellipse, 3, "ev2"),
                // States by count.
                ("Waiting\nmain.b:2\n", Shape::Box, 4, "example: ev7"),
                ("Waiting\nmain.a:1\n", Shape::Box, 5, "example: ev5"),
                // Exits by key.
                (
                    "EXIT_Waiting\nmain.a:1\n",
                    Shape::Ellipse,
                    6,
                    "example: ev4"
                ),
                (
                    "EXIT_Waiting\nmain.b:2\n",
                    Shape::Ellipse,
                    7,
                    "example: ev6"
                ),
            ]
        );
        assert_eq!(
            text(&viz.nodes[0].label),
            "New goroutine\nRunnable\nmain.c:3\n"
        );
        assert_eq!(text(&viz.nodes[5].label), "EXIT");
        let edges: Vec<(&str, &str, u64, String, &str)> = viz
            .edges
            .iter()
            .map(|e| {
                let mut p = Vec::new();
                crate::gomath::write_f(e.penwidth, &mut p);
                let p = String::from_utf8(p).unwrap();
                (text(&e.from), text(&e.to), e.weight, p, text(&e.tooltip))
            })
            .collect();
        assert_eq!(
            edges,
            [
                (
                    "Waiting\nmain.a:1\n",
                    "EXIT_Waiting\nmain.a:1\n",
                    4,
                    "3.408240".into(),
                    "example: ev4"
                ),
                (
                    "Waiting\nmain.a:1\n",
                    "Waiting\nmain.b:2\n",
                    10,
                    "5.000000".into(),
                    "example: ev8"
                ),
                (
                    "Waiting\nmain.b:2\n",
                    "EXIT_Waiting\nmain.b:2\n",
                    1,
                    "1.000000".into(),
                    "example: ev6"
                ),
                (
                    "Waiting\nmain.b:2\n",
                    "Waiting\nmain.a:1\n",
                    2,
                    "2.204120".into(),
                    "example: M=0 P=0 G=0 Bad Time=0"
                ),
            ]
        );
    }

    #[test]
    fn colliding_stack_states_largest_count_wins() {
        let mut g = Graph::default();
        // Same function and line, different PCs: one node.
        let a1 = g.stacks.test_stack(&[("main.a", 1)], 0x10);
        let a2 = g.stacks.test_stack(&[("main.a", 1)], 0x20);
        let b = g.stacks.test_stack(&[("main.b", 2)], 0x30);
        let st = |all, init: Option<Ends>, n| StateInfo {
            example: Some(ev(n)),
            all,
            init,
            exit: None,
        };
        g.states.insert(ss(a1, Waiting), st(2, None, 1));
        g.states.insert(ss(a2, Waiting), st(5, None, 2));
        g.states.insert(ss(b, Waiting), st(3, None, 3));
        // A creation node whose key a state node takes over.
        g.states.insert(ss(b, Runnable), st(0, ends(9, 4), 4));
        let b2 = g.stacks.test_stack(&[("main.b", 2)], 0x40);
        g.states.insert(ss(b2, Runnable), st(6, None, 5));
        let e = |count, n| EdgeInfo {
            count,
            example: Some(ev(n)),
        };
        g.edges.insert((ss(a1, Waiting), ss(b, Waiting)), e(4, 6));
        g.edges.insert((ss(a2, Waiting), ss(b, Waiting)), e(3, 7));
        // Equal counts: the first stack (lower PC) wins.
        g.edges.insert((ss(b, Waiting), ss(a2, Waiting)), e(1, 8));
        g.edges.insert((ss(b, Waiting), ss(a1, Waiting)), e(1, 9));
        let viz = build(&g);
        let nodes: Vec<(&str, Shape, usize, &str)> = viz
            .nodes
            .iter()
            .map(|n| (text(&n.key), n.shape, n.priority, text(&n.tooltip)))
            .collect();
        assert_eq!(
            nodes,
            [
                // The creation node's key, drawn as the state node, with
                // priority 2, which the next new key also gets.
                ("Runnable\nmain.b:2\n", Shape::Box, 2, "example: ev5"),
                ("Waiting\nmain.a:1\n", Shape::Box, 2, "example: ev2"),
                ("Waiting\nmain.b:2\n", Shape::Box, 3, "example: ev3"),
            ]
        );
        let edges: Vec<(u64, &str)> = viz
            .edges
            .iter()
            .map(|e| (e.weight, text(&e.tooltip)))
            .collect();
        assert_eq!(edges, [(4, "example: ev6"), (1, "example: ev9")]);
        assert_eq!(viz.edges[0].penwidth, 5.0);

        // Merged from several traces: colliding counts add up, the
        // examples stay; widths are relative to the largest drawn weight.
        g.traces = 2;
        let viz = build(&g);
        let edges: Vec<(u64, &str)> = viz
            .edges
            .iter()
            .map(|e| (e.weight, text(&e.tooltip)))
            .collect();
        assert_eq!(edges, [(7, "example: ev6"), (2, "example: ev9")]);
        assert_eq!(viz.edges[0].penwidth, 5.0);
        let nodes: Vec<(&str, usize)> = viz
            .nodes
            .iter()
            .map(|n| (text(&n.key), n.priority))
            .collect();
        // Waiting main.a:1 now counts 2 + 5, more than Runnable main.b:2
        // (6), which shares its priority with the next new key.
        assert_eq!(
            nodes,
            [
                ("Waiting\nmain.a:1\n", 2),
                ("Runnable\nmain.b:2\n", 3),
                ("Waiting\nmain.b:2\n", 3),
            ]
        );
    }
}
