//! Interning for one packet sequence: event names, argument names, function
//! names, source paths, frames and call stacks each get an iid the first
//! time they are seen, and the definitions not yet written wait in an
//! [`InternedData`] for the next packet. Tables that grow past a bound are
//! dropped whole (the sequence's incremental state is then cleared), so
//! memory stays bounded however long the trace.

use crate::proto::{Callstack, EventName, Frame, InternedData, InternedString, Mapping};
use rustc_hash::FxHashMap;

/// The one mapping every frame refers to.
const MAPPING_IID: u64 = 1;

/// One frame of a call stack, as given by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackFrame<'a> {
    /// Function name.
    pub func: &'a str,
    /// Source file.
    pub file: &'a str,
    /// Line number.
    pub line: u64,
    /// Program counter.
    pub pc: u64,
}

/// The interning tables of a sequence, and what the next packet must
/// define.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    names: FxHashMap<Box<str>, u64>,
    arg_names: FxHashMap<Box<str>, u64>,
    funcs: FxHashMap<Box<str>, u64>,
    files: FxHashMap<Box<str>, u64>,
    frames: FxHashMap<(u64, u64, u64, u64), u64>,
    stacks: FxHashMap<Vec<u64>, u64>,
    /// Stacks by the caller's key.
    keyed: FxHashMap<u64, u64>,
    next: u64,
    mapping_defined: bool,
    /// Definitions not yet written.
    pub(crate) pending: InternedData,
    /// Whether anything is pending.
    pub(crate) dirty: bool,
}

fn intern(table: &mut FxHashMap<Box<str>, u64>, next: &mut u64, s: &str) -> (u64, bool) {
    if let Some(&iid) = table.get(s) {
        return (iid, false);
    }
    *next += 1;
    table.insert(s.into(), *next);
    (*next, true)
}

impl Interner {
    /// Number of entries held.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
            + self.arg_names.len()
            + self.funcs.len()
            + self.files.len()
            + self.frames.len()
            + self.stacks.len()
            + self.keyed.len()
    }

    /// Forgets everything (the sequence's state is being cleared).
    pub(crate) fn clear(&mut self) {
        *self = Interner::default();
    }

    /// Forgets the caller's stack keys only.
    pub(crate) fn forget_keys(&mut self) {
        self.keyed.clear();
    }

    /// The iid of an event name.
    pub(crate) fn name(&mut self, s: &str) -> u64 {
        let (iid, new) = intern(&mut self.names, &mut self.next, s);
        if new {
            self.pending.event_names.push(EventName {
                iid: Some(iid),
                name: Some(s.to_owned()),
            });
            self.dirty = true;
        }
        iid
    }

    /// The iid of an argument name.
    pub(crate) fn arg_name(&mut self, s: &str) -> u64 {
        let (iid, new) = intern(&mut self.arg_names, &mut self.next, s);
        if new {
            self.pending.debug_annotation_names.push(EventName {
                iid: Some(iid),
                name: Some(s.to_owned()),
            });
            self.dirty = true;
        }
        iid
    }

    fn string(&mut self, s: &str, func: bool) -> u64 {
        let table = if func {
            &mut self.funcs
        } else {
            &mut self.files
        };
        let (iid, new) = intern(table, &mut self.next, s);
        if new {
            let def = InternedString {
                iid: Some(iid),
                str: Some(s.as_bytes().to_vec()),
            };
            if func {
                self.pending.function_names.push(def);
            } else {
                self.pending.source_paths.push(def);
            }
            self.dirty = true;
        }
        iid
    }

    fn frame(&mut self, f: &StackFrame<'_>) -> u64 {
        if !self.mapping_defined {
            self.mapping_defined = true;
            self.next += 1;
            let path = self.next;
            self.pending.mapping_paths.push(InternedString {
                iid: Some(path),
                str: Some(b"go".to_vec()),
            });
            self.pending.mappings.push(Mapping {
                iid: Some(MAPPING_IID),
                path_string_ids: vec![path],
            });
        }
        let func = self.string(f.func, true);
        let file = self.string(f.file, false);
        let key = (func, file, f.line, f.pc);
        if let Some(&iid) = self.frames.get(&key) {
            return iid;
        }
        self.next += 1;
        let iid = self.next;
        self.frames.insert(key, iid);
        self.pending.frames.push(Frame {
            iid: Some(iid),
            function_name_id: Some(func),
            mapping_id: Some(MAPPING_IID),
            rel_pc: Some(f.pc),
            source_path_iid: Some(file),
            line_number: Some(u32::try_from(f.line).unwrap_or(u32::MAX)),
        });
        self.dirty = true;
        iid
    }

    /// The iid of the call stack the caller calls `key`, its frames (leaf
    /// first) asked for only the first time the key is seen.
    pub(crate) fn stack<'f, I>(&mut self, key: u64, frames: impl FnOnce() -> I) -> u64
    where
        I: IntoIterator<Item = StackFrame<'f>>,
    {
        if let Some(&iid) = self.keyed.get(&key) {
            return iid;
        }
        let mut ids: Vec<u64> = frames().into_iter().map(|f| self.frame(&f)).collect();
        ids.reverse();
        let iid = match self.stacks.get(&ids) {
            Some(&iid) => iid,
            None => {
                self.next += 1;
                let iid = self.next;
                self.pending.callstacks.push(Callstack {
                    iid: Some(iid),
                    frame_ids: ids.clone(),
                });
                self.stacks.insert(ids, iid);
                self.dirty = true;
                iid
            }
        };
        self.keyed.insert(key, iid);
        iid
    }

    /// The definitions to write with the next packet.
    pub(crate) fn take_pending(&mut self) -> Option<InternedData> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        Some(std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thing_defined_once_until_cleared() {
        let mut i = Interner::default();
        let a = i.name("running");
        assert_eq!(i.name("running"), a);
        let f = StackFrame {
            func: "main.main",
            file: "main.go",
            line: 3,
            pc: 0x10,
        };
        let g = StackFrame {
            func: "main.f",
            ..f
        };
        let s = i.stack(7, || [g, f]);
        // The same key: frames not asked for again.
        assert_eq!(i.stack(7, || -> Vec<StackFrame<'_>> { unreachable!() }), s);
        // Another key, same frames: the same stack.
        assert_eq!(i.stack(8, || [g, f]), s);
        let p = i.take_pending().unwrap();
        assert_eq!(p.event_names.len(), 1);
        assert_eq!(p.function_names.len(), 2);
        assert_eq!(p.source_paths.len(), 1);
        assert_eq!(p.frames.len(), 2);
        assert_eq!(p.mappings.len(), 1);
        // Outermost first.
        let main = p
            .function_names
            .iter()
            .find(|s| s.str.as_deref() == Some(b"main.main"));
        let root = p
            .frames
            .iter()
            .find(|fr| fr.function_name_id == main.unwrap().iid);
        assert_eq!(p.callstacks[0].frame_ids[0], root.unwrap().iid.unwrap());
        assert!(i.take_pending().is_none());
        assert!(i.len() > 0);
        i.clear();
        assert_eq!(i.len(), 0);
        i.name("running");
        assert_eq!(i.take_pending().unwrap().event_names.len(), 1);
    }
}
