//! Stack ids of one input: each distinct stack (its frames, leaf first)
//! gets one id, 1, 2, ... in order of first use, and each distinct frame
//! (function, file, line and PC) one id, whether they come from the trace
//! or from a bundle's profiles. A stack's rows go to the `stacks` table
//! when it is first used, each frame's row to `frames` with the first
//! stack that holds it.
//! The reader's own stack ids are reused within a generation, so they are
//! only a cache in front of the content-keyed table, emptied at each Sync.

use crate::columns::{Frames, Stacks as StackRows};
use crate::error::Error;
use crate::sink::Sink;
use std::collections::HashMap;

/// One frame, leaf-first position aside.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrameKey {
    pub func: String,
    pub file: String,
    pub line: i64,
    pub pc: u64,
}

/// The stacks of one input, and the sinks of their two tables.
pub struct StackTable {
    input: String,
    frames: HashMap<FrameKey, u32>,
    frame_list: Vec<FrameKey>,
    /// Whether each frame's row has been written.
    written: Vec<bool>,
    stacks: HashMap<Vec<u32>, i64>,
    /// The reader's stack id → ours, for the current generation.
    generation: HashMap<u64, Option<i64>>,
    pub stack_rows: Sink<StackRows>,
    pub frame_rows: Sink<Frames>,
    key: Vec<u32>,
}

impl StackTable {
    pub fn new(input: &str, stack_rows: Sink<StackRows>, frame_rows: Sink<Frames>) -> StackTable {
        StackTable {
            input: input.to_owned(),
            frames: HashMap::new(),
            frame_list: Vec::new(),
            written: Vec::new(),
            stacks: HashMap::new(),
            generation: HashMap::new(),
            stack_rows,
            frame_rows,
            key: Vec::new(),
        }
    }

    /// Forgets the reader's stack ids (a new generation begins).
    pub fn new_generation(&mut self) {
        self.generation.clear();
    }

    /// The id of a trace stack; `None` for an empty stack.
    pub fn trace_stack(&mut self, stack: gotrace::Stack<'_>) -> Result<Option<i64>, Error> {
        if stack.id() == 0 || stack.is_empty() {
            return Ok(None);
        }
        if let Some(&id) = self.generation.get(&stack.id()) {
            return Ok(id);
        }
        let id = self.intern(stack.frames().map(|f| FrameKey {
            func: f.func().to_owned(),
            file: f.file().to_owned(),
            line: f.line() as i64,
            pc: f.pc(),
        }))?;
        self.generation.insert(stack.id(), id);
        Ok(id)
    }

    /// The id of the stack of `frames` (leaf first); `None` when empty.
    pub fn intern(&mut self, frames: impl Iterator<Item = FrameKey>) -> Result<Option<i64>, Error> {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        key.extend(frames.map(|f| self.frame(f)));
        let id = self.stack_of(&key);
        self.key = key;
        id
    }

    /// The index of a frame, for [`StackTable::stack_of`].
    pub fn frame(&mut self, f: FrameKey) -> u32 {
        if let Some(&i) = self.frames.get(&f) {
            return i;
        }
        let i = self.frame_list.len() as u32;
        self.frames.insert(f.clone(), i);
        self.frame_list.push(f);
        self.written.push(false);
        i
    }

    /// The id of the stack of these frame indices (leaf first); `None`
    /// when empty.
    pub fn stack_of(&mut self, frames: &[u32]) -> Result<Option<i64>, Error> {
        if frames.is_empty() {
            return Ok(None);
        }
        if let Some(&id) = self.stacks.get(frames) {
            return Ok(Some(id));
        }
        let id = self.stacks.len() as i64 + 1;
        self.stacks.insert(frames.to_vec(), id);
        self.emit(id, frames)?;
        Ok(Some(id))
    }

    fn emit(&mut self, id: i64, frames: &[u32]) -> Result<(), Error> {
        for (pos, &i) in frames.iter().enumerate() {
            let s = &mut self.stack_rows.rows;
            s.input.append_value(&self.input);
            s.stack_id.append_value(id);
            s.position.append_value(pos as i64);
            s.frame_id.append_value(i64::from(i) + 1);
            self.stack_rows.maybe_flush()?;
            if self.written[i as usize] {
                continue;
            }
            self.written[i as usize] = true;
            let f = &self.frame_list[i as usize];
            let r = &mut self.frame_rows.rows;
            r.input.append_value(&self.input);
            r.frame_id.append_value(i64::from(i) + 1);
            r.func.append_value(&f.func);
            r.file.append_value(&f.file);
            r.line.append_value(f.line);
            r.pc.append_value(f.pc as i64);
            self.frame_rows.maybe_flush()?;
        }
        Ok(())
    }
}
