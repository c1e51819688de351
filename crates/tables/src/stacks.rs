//! Stack ids of one input: each distinct stack (its frames, leaf first,
//! with function, file, line and PC) gets one id, 1, 2, ... in order of
//! first use, whether it comes from the trace or from a bundle's profiles,
//! and its rows go to the `stacks` and `frames` tables when first seen.
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
        self.key.clear();
        for f in frames {
            let next = self.frame_list.len() as u32;
            let i = match self.frames.get(&f) {
                Some(&i) => i,
                None => {
                    self.frames.insert(f.clone(), next);
                    self.frame_list.push(f);
                    next
                }
            };
            self.key.push(i);
        }
        if self.key.is_empty() {
            return Ok(None);
        }
        if let Some(&id) = self.stacks.get(&self.key) {
            return Ok(Some(id));
        }
        let id = self.stacks.len() as i64 + 1;
        self.stacks.insert(self.key.clone(), id);
        self.emit(id)?;
        Ok(Some(id))
    }

    fn emit(&mut self, id: i64) -> Result<(), Error> {
        let s = &mut self.stack_rows.rows;
        s.input.append_value(&self.input);
        s.stack_id.append_value(id);
        s.depth.append_value(self.key.len() as i64);
        s.leaf
            .append_value(&self.frame_list[self.key[0] as usize].func);
        self.stack_rows.maybe_flush()?;
        for (pos, &i) in self.key.iter().enumerate() {
            let f = &self.frame_list[i as usize];
            let r = &mut self.frame_rows.rows;
            r.input.append_value(&self.input);
            r.stack_id.append_value(id);
            r.position.append_value(pos as i64);
            r.func.append_value(&f.func);
            r.file.append_value(&f.file);
            r.line.append_value(f.line);
            r.pc.append_value(f.pc as i64);
            self.frame_rows.maybe_flush()?;
        }
        Ok(())
    }
}
