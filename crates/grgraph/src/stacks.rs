//! Stacks by content: two stacks are the same when they have the same
//! frames (function, PC, file, line) in the same order, whatever trace
//! generation or trace they come from. Each distinct stack gets a small
//! number; 0 is the stack with no frames.

use gotrace::Stack;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;

/// A stack's number in its [`Stacks`] table; [`NO_STACK`] has no frames.
pub type StackId = u32;

/// The stack with no frames.
pub const NO_STACK: StackId = 0;

/// A generation's stack ID not seen yet.
const UNSEEN: StackId = StackId::MAX;

/// Stack IDs up to this are remembered per generation (Go numbers them
/// from 1); larger ones are looked up by content each time.
const MAX_CACHED: usize = 1 << 22;

/// One frame, its strings numbered in the table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Frame {
    func: u32,
    file: u32,
    pc: u64,
    line: u64,
}

/// What the graph rules need to know of a stack's frames.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Traits {
    /// A frame is `runtime.mallocgc` (the event likely describes GC
    /// assist work).
    pub(crate) malloc: bool,
    /// A frame has line 0 (its real stack is obscured, go.dev/issue/68090).
    pub(crate) buggy: bool,
    /// A frame is `runtime.Gosched` (a preemption asked for, not forced).
    pub(crate) gosched: bool,
}

/// Distinct stacks by content, numbered in order of first sight.
#[derive(Debug)]
pub struct Stacks {
    strings: Vec<Box<[u8]>>,
    string_ids: FxHashMap<Box<[u8]>, u32>,
    /// Frames of each stack, leaf first.
    stacks: Vec<Box<[Frame]>>,
    traits: Vec<Traits>,
    ids: FxHashMap<Box<[Frame]>, StackId>,
    /// The current generation's stack IDs and their numbers here
    /// ([`UNSEEN`] for IDs not seen yet); IDs are small and dense.
    generation: Vec<StackId>,
    scratch: Vec<Frame>,
}

impl Default for Stacks {
    fn default() -> Stacks {
        let mut s = Stacks {
            strings: Vec::new(),
            string_ids: FxHashMap::default(),
            stacks: Vec::new(),
            traits: Vec::new(),
            ids: FxHashMap::default(),
            generation: Vec::new(),
            scratch: Vec::new(),
        };
        s.add(Box::new([]));
        s
    }
}

impl Stacks {
    /// Forgets the trace's stack IDs: they are only unique within one
    /// generation of the trace.
    pub(crate) fn new_generation(&mut self) {
        self.generation.clear();
    }

    /// The number of the trace stack `stk`; any stack without frames is
    /// [`NO_STACK`]. (Upstream compares with Go's `trace.NoStack` after
    /// taking the first stack seen with the same frames, so a stack
    /// without frames is `NoStack` as long as the first one it meets is:
    /// in practice a trace's first transition, a proc or goroutine status
    /// without a stack, sees to that.)
    pub(crate) fn canonical(&mut self, stk: &Stack<'_>) -> StackId {
        let Ok(slot) = usize::try_from(stk.id()) else {
            return self.intern_frames(stk);
        };
        if slot == 0 {
            return NO_STACK;
        }
        if let Some(&id) = self.generation.get(slot)
            && id != UNSEEN
        {
            return id;
        }
        let id = self.intern_frames(stk);
        if slot < MAX_CACHED {
            if slot >= self.generation.len() {
                self.generation.resize(slot + 1, UNSEEN);
            }
            self.generation[slot] = id;
        }
        id
    }

    /// The number of `stk`'s frames, looked up by their content.
    fn intern_frames(&mut self, stk: &Stack<'_>) -> StackId {
        let mut frames = std::mem::take(&mut self.scratch);
        frames.clear();
        for f in stk.frames() {
            frames.push(Frame {
                func: self.string(f.func_bytes()),
                file: self.string(f.file_bytes()),
                pc: f.pc(),
                line: f.line(),
            });
        }
        let id = self.intern(&frames);
        self.scratch = frames;
        id
    }

    fn string(&mut self, s: &[u8]) -> u32 {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.into());
        self.string_ids.insert(s.into(), id);
        id
    }

    fn intern(&mut self, frames: &[Frame]) -> StackId {
        match self.ids.get(frames) {
            Some(&id) => id,
            None => self.add(frames.into()),
        }
    }

    fn add(&mut self, frames: Box<[Frame]>) -> StackId {
        let id = self.stacks.len() as StackId;
        let name = |f: &Frame| &*self.strings[f.func as usize];
        let traits = Traits {
            malloc: frames.iter().any(|f| name(f) == b"runtime.mallocgc"),
            buggy: frames.iter().any(|f| f.line == 0),
            gosched: frames.iter().any(|f| name(f) == b"runtime.Gosched"),
        };
        self.traits.push(traits);
        self.ids.insert(frames.clone(), id);
        self.stacks.push(frames);
        id
    }

    pub(crate) fn traits(&self, id: StackId) -> Traits {
        self.traits[id as usize]
    }

    /// Appends the stack's frames from root to leaf, one `function:line\n`
    /// each (upstream's short form).
    pub fn write_short(&self, id: StackId, out: &mut Vec<u8>) {
        for f in self.stacks[id as usize].iter().rev() {
            out.extend_from_slice(&self.strings[f.func as usize]);
            out.push(b':');
            out.extend_from_slice(itoa::Buffer::new().format(f.line).as_bytes());
            out.push(b'\n');
        }
    }

    /// Orders stacks by their frames, leaf first, each by function, PC,
    /// file and line: the order used to pick among stack-states whose
    /// short forms collide.
    pub fn cmp(&self, a: StackId, b: StackId) -> Ordering {
        let key = |f: &Frame| {
            (
                &*self.strings[f.func as usize],
                f.pc,
                &*self.strings[f.file as usize],
                f.line,
            )
        };
        let (a, b) = (&self.stacks[a as usize], &self.stacks[b as usize]);
        a.iter().map(key).cmp(b.iter().map(key))
    }

    /// Copies `other`'s stacks in, and gives each of its numbers its
    /// number here.
    pub(crate) fn absorb(&mut self, other: &Stacks) -> Vec<StackId> {
        other
            .stacks
            .iter()
            .map(|frames| {
                let local: Vec<Frame> = frames
                    .iter()
                    .map(|f| Frame {
                        func: self.string(&other.strings[f.func as usize]),
                        file: self.string(&other.strings[f.file as usize]),
                        ..*f
                    })
                    .collect();
                self.intern(&local)
            })
            .collect()
    }
}

#[cfg(test)]
impl Stacks {
    /// A stack of `(function, line)` frames, leaf first, in file `x.go`,
    /// the PCs counting up from `pc`.
    pub(crate) fn test_stack(&mut self, frames: &[(&str, u64)], pc: u64) -> StackId {
        let frames: Vec<Frame> = frames
            .iter()
            .zip(pc..)
            .map(|(&(func, line), pc)| Frame {
                func: self.string(func.as_bytes()),
                file: self.string(b"x.go"),
                pc,
                line,
            })
            .collect();
        self.intern(&frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_frames_same_number_and_traits() {
        let mut s = Stacks::default();
        let a = s.test_stack(&[("main.f", 3), ("main.main", 9)], 0x10);
        let b = s.test_stack(&[("main.f", 3), ("main.main", 9)], 0x10);
        let c = s.test_stack(&[("main.f", 3), ("main.main", 9)], 0x20);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, NO_STACK);
        assert_eq!(s.test_stack(&[], 0), NO_STACK);
        let mut short = Vec::new();
        s.write_short(c, &mut short);
        assert_eq!(short, b"main.main:9\nmain.f:3\n");
        assert_eq!(s.cmp(a, c), Ordering::Less);
        let m = s.test_stack(&[("runtime.mallocgc", 1), ("main.f", 3)], 0);
        let z = s.test_stack(&[("main.f", 0)], 0);
        let y = s.test_stack(&[("runtime.Gosched", 1), ("main.f", 3)], 0);
        let t = |id| {
            let t = s.traits(id);
            (t.malloc, t.buggy, t.gosched)
        };
        assert_eq!(t(a), (false, false, false));
        assert_eq!(t(m), (true, false, false));
        assert_eq!(t(z), (false, true, false));
        assert_eq!(t(y), (false, false, true));
    }

    #[test]
    fn absorbed_stacks_keep_their_frames() {
        let mut a = Stacks::default();
        let mut b = Stacks::default();
        let x = a.test_stack(&[("main.x", 1)], 1);
        let y = b.test_stack(&[("main.y", 2)], 2);
        let x2 = b.test_stack(&[("main.x", 1)], 1);
        let map = a.absorb(&b);
        assert_eq!(map[x2 as usize], x);
        assert_eq!(map[NO_STACK as usize], NO_STACK);
        let mut short = Vec::new();
        a.write_short(map[y as usize], &mut short);
        assert_eq!(short, b"main.y:2\n");
    }
}
