//! The drawing of a [`Graph`]: nodes and edges keyed by the short text of
//! their stack-states, with shapes, labels, examples, weights and the
//! node order, as upstream's grstates lays them out.
//!
//! A node's key is its state's name and its stack's `function:line`
//! frames, root first, so distinct stack-states (frames differing only in
//! PC or file) may share a node or an edge. Upstream then keeps whichever
//! it meets last in Go map order; here the stack-state with the largest
//! count wins, and among equal counts the first in stack order (frames
//! leaf first by function, PC, file, line; then state). Nodes whose
//! priorities tie (a creation node's key reused by a state node) are
//! ordered by key.

use crate::graph::{Graph, StackState, ZERO_EVENT};
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

/// Keeps, per key, the candidate with the largest count, then the first
/// stack-states.
struct Picker<'g, T> {
    graph: &'g Graph,
    picks: BTreeMap<Vec<u8>, Pick<T>>,
}

impl<'g, T> Picker<'g, T> {
    fn new(graph: &'g Graph) -> Self {
        Picker {
            graph,
            picks: BTreeMap::new(),
        }
    }

    fn offer(&mut self, key: Vec<u8>, cand: Pick<T>) {
        let g = self.graph;
        match self.picks.get_mut(&key) {
            Some(old) => {
                let order = cand.count.cmp(&old.count).reverse().then_with(|| {
                    g.cmp_states(&cand.states.0, &old.states.0)
                        .then_with(|| g.cmp_states(&cand.states.1, &old.states.1))
                });
                if order == Ordering::Less {
                    *old = cand;
                }
            }
            None => {
                self.picks.insert(key, cand);
            }
        }
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
    let max_weight = graph.edges().map(|(_, e)| e.count).max().unwrap_or(0);
    let pen = crate::gomath::PenWidth::new(max_weight);
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
    for p in picker.picks.into_values() {
        let (from, to) = (shorts.get(p.states.0), shorts.get(p.states.1));
        let edge = Edge {
            from: from.clone(),
            to: to.clone(),
            weight: p.count,
            penwidth: pen.of(p.count),
            tooltip: example(p.item),
        };
        edges.insert((from, to), edge);
    }

    // Goroutine creations.
    let mut picker = Picker::new(graph);
    for (&ss, info) in graph.states() {
        if let Some(init) = &info.init {
            let cand = Pick {
                count: init.count,
                states: (ss, ss),
                item: &init.example,
            };
            picker.offer(shorts.get(ss), cand);
        }
    }
    let mut counts = BTreeMap::new();
    for (key, p) in picker.picks {
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
        counts.insert(key, p.count);
    }
    rank(&mut priority, by_count(&counts));

    // States goroutines pass through.
    let mut picker = Picker::new(graph);
    for (&ss, info) in graph.states() {
        if info.all > 0 && info.init.is_none() {
            let cand = Pick {
                count: info.all,
                states: (ss, ss),
                item: info.example.as_deref(),
            };
            picker.offer(shorts.get(ss), cand);
        }
    }
    let mut counts = BTreeMap::new();
    for (key, p) in picker.picks {
        let node = Node {
            key: key.clone(),
            shape: Shape::Box,
            label: key.clone(),
            tooltip: example(p.item),
            priority: 0,
        };
        nodes.insert(key.clone(), node);
        counts.insert(key, p.count);
    }
    rank(&mut priority, by_count(&counts));

    // Goroutine exits: upstream orders them by a count that is always 0
    // for them, so by key.
    let mut picker = Picker::new(graph);
    for (&ss, info) in graph.states() {
        if let Some(exit) = &info.exit {
            let cand = Pick {
                count: exit.count,
                states: (ss, ss),
                item: &exit.example,
            };
            picker.offer(shorts.get(ss), cand);
        }
    }
    let mut exit_keys = Vec::new();
    for (from, p) in picker.picks {
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
            weight: p.count,
            penwidth: pen.of(p.count),
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
