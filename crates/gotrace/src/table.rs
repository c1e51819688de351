//! The string, stack and frame tables of one generation (or of a whole
//! Go ≤1.21 trace), shared by every event that refers to them by ID.

use rustc_hash::FxHashMap as HashMap;

/// A map from the wire's 64-bit IDs to values: a vector while the IDs are
/// dense (as the runtime writes them), a hash map for outliers, so that a
/// hostile ID cannot make the reader allocate without bound.
#[derive(Debug)]
pub(crate) struct IdMap<V> {
    dense: Vec<Option<V>>,
    sparse: HashMap<u64, V>,
    len: usize,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            dense: Vec::new(),
            sparse: HashMap::default(),
            len: 0,
        }
    }
}

impl<V: Copy> IdMap<V> {
    /// The value of `id`. An ID lives in the vector or in the map, never
    /// both: one put in the map stays there when the vector later grows
    /// past it.
    #[inline]
    pub(crate) fn get(&self, id: u64) -> Option<V> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(Some(v)) => Some(*v),
            _ if self.sparse.is_empty() => None,
            _ => self.sparse.get(&id).copied(),
        }
    }

    /// Inserts a value; returns false (and changes nothing) if the ID exists.
    pub(crate) fn insert(&mut self, id: u64, v: V) -> bool {
        if self.get(id).is_some() {
            return false;
        }
        self.add(id, v);
        true
    }

    /// Sets the value of `id`, whether or not it exists.
    #[inline]
    pub(crate) fn set(&mut self, id: u64, v: V) {
        if let Some(Some(slot)) = usize::try_from(id).ok().and_then(|i| self.dense.get_mut(i)) {
            *slot = v;
        } else if let Some(slot) = self.sparse.get_mut(&id) {
            *slot = v;
        } else {
            self.add(id, v);
        }
    }

    /// Adds `id`, which does not exist.
    #[inline(never)]
    fn add(&mut self, id: u64, v: V) {
        self.len += 1;
        let limit = 2 * self.len as u64 + 4096;
        if id < limit {
            let i = id as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, None);
            }
            self.dense[i] = Some(v);
        } else {
            self.sparse.insert(id, v);
        }
    }

    /// Whether `id` exists.
    #[inline]
    pub(crate) fn contains(&self, id: u64) -> bool {
        self.get(id).is_some()
    }

    /// All entries in ascending ID order.
    pub(crate) fn sorted(&self) -> Vec<(u64, V)> {
        let mut out: Vec<(u64, V)> = (self.dense.iter().enumerate())
            .filter_map(|(i, v)| v.map(|v| (i as u64, v)))
            .collect();
        out.extend(self.sparse.iter().map(|(k, v)| (*k, *v)));
        out.sort_unstable_by_key(|e| e.0);
        out
    }
}

/// Where a string lives: a range of `Table::text`, and, for a string that is
/// not valid UTF-8, the index of its raw bytes.
#[derive(Debug, Clone, Copy)]
struct StrEntry {
    start: u32,
    len: u32,
    raw: Option<u32>,
}

impl StrEntry {
    /// The empty string, ID 0.
    const EMPTY: StrEntry = StrEntry {
        start: 0,
        len: 0,
        raw: None,
    };

    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// A frame's function and file names, found once (see
/// [`Table::resolve_frames`]) rather than by ID at every access.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameNames {
    func: StrEntry,
    file: StrEntry,
}

/// One frame as the wire defines it: string IDs resolved on access.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameData {
    pub(crate) pc: u64,
    pub(crate) func: u64,
    pub(crate) file: u64,
    pub(crate) line: u64,
}

/// A frame as the table keeps it: its data, and its names once
/// [`Table::resolve_frames`] found them (else they are looked up by ID).
/// One record, so that walking a stack touches one place per frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameEntry {
    pub(crate) data: FrameData,
    names: Option<FrameNames>,
}

/// A stack: a range of `Table::stack_frames`, which holds frame indices.
#[derive(Debug, Clone, Copy)]
struct StackEntry {
    start: u32,
    len: u32,
}

/// Strings, stacks and frames of one generation.
///
/// Strings are kept as text (lossily decoded when a string is not UTF-8,
/// which the runtime never writes for names) plus the raw bytes of any
/// string that is not UTF-8, so printing can reproduce Go's quoting exactly.
#[derive(Debug, Default)]
pub struct Table {
    text: String,
    raw: Vec<Box<[u8]>>,
    strings: IdMap<StrEntry>,
    frames: Vec<FrameEntry>,
    frame_by_pc: HashMap<u64, u32>,
    stack_frames: Vec<u32>,
    stacks: IdMap<StackEntry>,
    /// Strings made by the reader (task names carried to a TaskEnd in a
    /// later generation); referenced with IDs counted down from u64::MAX.
    extra: Vec<Box<[u8]>>,
    /// The generation's clock snapshot (Go 1.25+).
    pub(crate) clock: Option<crate::values::ClockSnapshot>,
    /// The generation's experimental batches, in file order.
    pub(crate) experimental: Vec<ExperimentalBatch>,
}

/// An experimental batch: opaque data an experiment wrote on a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperimentalBatch {
    /// The experiment's name (e.g. `AllocFree`).
    pub experiment: &'static str,
    pub thread: i64,
    pub data: Vec<u8>,
}

/// Strings in one generation (the whole trace before Go 1.22).
pub(crate) static MAX_STRINGS: limits::Limit = limits::Limit::new(
    "TOOLBOX_MAX_STRINGS",
    1 << 22,
    "strings in one trace generation",
);

/// Stacks in one generation (the whole trace before Go 1.22).
pub(crate) static MAX_STACKS: limits::Limit = limits::Limit::new(
    "TOOLBOX_MAX_STACKS",
    1 << 22,
    "stacks in one trace generation",
);

/// The ID space used for `Table::extra` strings.
const EXTRA_BASE: u64 = 1 << 63;

impl Table {
    /// `Ok` when one more string stays within [`MAX_STRINGS`].
    pub(crate) fn room_for_string(&self) -> Result<(), limits::Exceeded> {
        MAX_STRINGS.check(self.strings.len as u64 + 1)
    }

    /// `Ok` when one more stack stays within [`MAX_STACKS`].
    pub(crate) fn room_for_stack(&self) -> Result<(), limits::Exceeded> {
        MAX_STACKS.check(self.stacks.len as u64 + 1)
    }

    /// Defines string `id`; false if it was already defined (ID 0 always is).
    pub(crate) fn add_string(&mut self, id: u64, bytes: &[u8]) -> bool {
        if id == 0 || self.strings.get(id).is_some() {
            return false;
        }
        let entry = self.push_text(bytes);
        self.strings.insert(id, entry)
    }

    fn push_text(&mut self, bytes: &[u8]) -> StrEntry {
        let start = self.text.len() as u32;
        let raw = match std::str::from_utf8(bytes) {
            Ok(s) => {
                self.text.push_str(s);
                None
            }
            Err(_) => {
                self.text.push_str(&String::from_utf8_lossy(bytes));
                self.raw.push(bytes.into());
                Some(self.raw.len() as u32 - 1)
            }
        };
        StrEntry {
            start,
            len: self.text.len() as u32 - start,
            raw,
        }
    }

    /// Remembers a string made by the reader and returns its ID.
    pub(crate) fn add_extra(&mut self, bytes: &[u8]) -> u64 {
        if bytes.is_empty() {
            return 0;
        }
        if let Some(i) = self.extra.iter().position(|s| &s[..] == bytes) {
            return EXTRA_BASE + i as u64;
        }
        self.extra.push(bytes.into());
        EXTRA_BASE + self.extra.len() as u64 - 1
    }

    /// Whether string `id` exists (ID 0, the empty string, always does).
    #[inline]
    pub(crate) fn has_string(&self, id: u64) -> bool {
        id == 0 || self.strings.get(id).is_some()
    }

    /// The text of string `id` (empty if unknown).
    #[inline]
    pub(crate) fn str(&self, id: u64) -> &str {
        match self.strings.get(id) {
            Some(e) => self.entry_str(e),
            None if id >= EXTRA_BASE => std::str::from_utf8(self.extra_bytes(id)).unwrap_or(""),
            None => "",
        }
    }

    /// The exact bytes of string `id` (empty if unknown).
    #[inline]
    pub(crate) fn bytes(&self, id: u64) -> &[u8] {
        match self.strings.get(id) {
            Some(e) => self.entry_bytes(e),
            None if id >= EXTRA_BASE => self.extra_bytes(id),
            None => b"",
        }
    }

    #[inline]
    fn entry_bytes(&self, e: StrEntry) -> &[u8] {
        match e.raw {
            Some(r) => &self.raw[r as usize],
            None => self.text.as_bytes().get(e.range()).unwrap_or(b""),
        }
    }

    #[inline]
    fn entry_str(&self, e: StrEntry) -> &str {
        self.text.get(e.range()).unwrap_or("")
    }

    fn extra_bytes(&self, id: u64) -> &[u8] {
        self.extra
            .get((id - EXTRA_BASE) as usize)
            .map_or(&[][..], |s| &s[..])
    }

    /// Defines stack `id` from frames given leaf first. A PC keeps the frame
    /// data of its first definition. False if the ID was already defined.
    pub(crate) fn add_stack(&mut self, id: u64, frames: impl Iterator<Item = FrameData>) -> bool {
        if id == 0 || self.stacks.get(id).is_some() {
            return false;
        }
        let start = self.stack_frames.len() as u32;
        for f in frames {
            let idx = *self.frame_by_pc.entry(f.pc).or_insert_with(|| {
                self.frames.push(FrameEntry {
                    data: f,
                    names: None,
                });
                self.frames.len() as u32 - 1
            });
            self.stack_frames.push(idx);
        }
        let len = self.stack_frames.len() as u32 - start;
        self.stacks.insert(id, StackEntry { start, len })
    }

    /// Whether stack `id` exists (ID 0, the empty stack, always does).
    #[inline]
    pub(crate) fn has_stack(&self, id: u64) -> bool {
        id == 0 || self.stacks.get(id).is_some()
    }

    /// The frames of stack `id`, leaf first (none if unknown).
    #[inline]
    pub(crate) fn stack_frames(&self, id: u64) -> &[u32] {
        if id == 0 {
            return &[];
        }
        match self.stacks.get(id) {
            Some(e) => &self.stack_frames[e.start as usize..(e.start + e.len) as usize],
            None => &[],
        }
    }

    #[inline]
    pub(crate) fn frame(&self, idx: u32) -> &FrameEntry {
        &self.frames[idx as usize]
    }

    /// Frame function name, as text: by its names if found, else by ID.
    #[inline]
    pub(crate) fn func_str(&self, f: &FrameEntry) -> &str {
        match &f.names {
            Some(n) => self.entry_str(n.func),
            None => self.str(f.data.func),
        }
    }

    /// Frame file name, as text.
    #[inline]
    pub(crate) fn file_str(&self, f: &FrameEntry) -> &str {
        match &f.names {
            Some(n) => self.entry_str(n.file),
            None => self.str(f.data.file),
        }
    }

    /// Frame function name, as its exact bytes.
    #[inline]
    pub(crate) fn func_bytes(&self, f: &FrameEntry) -> &[u8] {
        match &f.names {
            Some(n) => self.entry_bytes(n.func),
            None => self.bytes(f.data.func),
        }
    }

    /// Frame file name, as its exact bytes.
    #[inline]
    pub(crate) fn file_bytes(&self, f: &FrameEntry) -> &[u8] {
        match &f.names {
            Some(n) => self.entry_bytes(n.file),
            None => self.bytes(f.data.file),
        }
    }

    /// Finds every frame's names once, for a table complete before its
    /// events are read (a Go 1.22+ generation; a Go ≤1.21 trace whose
    /// frames' names all exist once it is indexed: the strings its reader
    /// adds later get new IDs).
    pub(crate) fn resolve_frames(&mut self) {
        let strings = &self.strings;
        let entry = |id| strings.get(id).unwrap_or(StrEntry::EMPTY);
        for f in &mut self.frames {
            f.names = Some(FrameNames {
                func: entry(f.data.func),
                file: entry(f.data.file),
            });
        }
    }

    /// Checks that every frame's function and file names exist, in stack-ID
    /// order; the message names the first bad one as Go does.
    pub(crate) fn validate_frames(&self) -> Result<(), String> {
        for (id, e) in self.stacks.sorted() {
            for &fi in &self.stack_frames[e.start as usize..(e.start + e.len) as usize] {
                let f = &self.frame(fi).data;
                if !self.has_string(f.func) {
                    return Err(format!(
                        "found invalid func string ID {} for stack {id}",
                        f.func
                    ));
                }
                if !self.has_string(f.file) {
                    return Err(format!(
                        "found invalid file string ID {} for stack {id}",
                        f.file
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_raw_bytes_and_reject_duplicates() {
        let mut t = Table::default();
        assert!(t.add_string(1, b"main.main"));
        assert!(!t.add_string(1, b"again"));
        assert!(!t.add_string(0, b"zero"));
        assert!(t.add_string(1 << 40, b"\xffbad"));
        assert_eq!(t.str(1), "main.main");
        assert_eq!(t.bytes(1 << 40), b"\xffbad");
        assert_eq!(t.str(1 << 40), "\u{fffd}bad");
        assert!(t.has_string(0) && !t.has_string(7));
        let x = t.add_extra(b"task");
        assert_eq!(t.add_extra(b"task"), x);
        assert_eq!(t.str(x), "task");
    }

    /// An ID kept in the map because it was far beyond the vector when it
    /// came stays found once the vector grows past it.
    #[test]
    fn ids_far_ahead_stay_found_when_the_vector_grows() {
        let mut m: IdMap<u32> = IdMap::default();
        assert!(m.insert(10_000, 1));
        for i in 1..10_005u64 {
            if i != 10_000 {
                assert!(m.insert(i, 2));
            }
        }
        assert_eq!(m.get(10_000), Some(1));
        assert!(!m.insert(10_000, 3));
        m.set(10_000, 4);
        m.set(5, 5);
        m.set(1 << 40, 6);
        assert_eq!(
            (m.get(10_000), m.get(5), m.get(1 << 40)),
            (Some(4), Some(5), Some(6))
        );
        assert!(m.contains(1 << 40) && !m.contains(0) && !m.contains(1 << 41));
        let sorted = m.sorted();
        assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(sorted.len(), 10_005);
    }

    #[test]
    fn first_definition_of_a_pc_wins() {
        let mut t = Table::default();
        let f = |pc, func, line| FrameData {
            pc,
            func,
            file: 0,
            line,
        };
        assert!(t.add_stack(1, [f(10, 1, 5), f(20, 2, 6)].into_iter()));
        assert!(t.add_stack(2, [f(10, 3, 9)].into_iter()));
        assert!(!t.add_stack(2, [].into_iter()));
        let s2 = t.stack_frames(2);
        assert_eq!(t.frame(s2[0]).data.func, 1);
        assert_eq!(t.frame(s2[0]).data.line, 5);
        assert_eq!(
            t.validate_frames(),
            Err("found invalid func string ID 1 for stack 1".into())
        );
    }

    #[test]
    fn resolved_frame_names_are_the_looked_up_ones() {
        let mut t = Table::default();
        assert!(t.add_string(1, b"main.main"));
        assert!(t.add_string(2, b"\xffbad.go"));
        let f = |pc, func, file| FrameData {
            pc,
            func,
            file,
            line: 7,
        };
        assert!(t.add_stack(1, [f(10, 1, 2), f(20, 0, 1), f(30, 2, 0)].into_iter()));
        let names = |t: &Table| {
            (t.stack_frames(1).iter())
                .map(|&i| {
                    let f = t.frame(i);
                    let text = [t.func_str(f), t.file_str(f)].map(str::to_owned);
                    let bytes = [t.func_bytes(f), t.file_bytes(f)].map(<[u8]>::to_vec);
                    (text, bytes)
                })
                .collect::<Vec<_>>()
        };
        let by_id = names(&t);
        assert!(t.frame(0).names.is_none());
        t.resolve_frames();
        assert!(t.frame(0).names.is_some());
        assert_eq!(by_id, names(&t));
        assert_eq!(by_id[0].1[1], b"\xffbad.go");
        assert_eq!(by_id[0].0[1], "\u{fffd}bad.go");
    }
}
