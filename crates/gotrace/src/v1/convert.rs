//! Conversion of a parsed Go 1.11–1.21 trace into the event model of the
//! newer format, event by event, as `internal/trace/tracev1.go` does it:
//! old event types become new wire types with reason strings, pre-existing
//! goroutines become status events, and short syscalls become a begin/end
//! pair.

use super::parse::{V1Event, V1Trace};
use super::spec::*;
use crate::error::{Error, Result};
use crate::raw::{Before, RawEvent};
use crate::table::Table;
use crate::values::{GoState, NO_TASK, NONE, ProcState, Time};
use crate::version::Version;
use crate::vocab::{OldEvent, Reason, StwKind};
use crate::wire as w;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeSet, VecDeque};

/// Yields the converted events of a v1 trace.
pub(crate) struct Converter {
    pub(crate) table: Table,
    events: std::vec::IntoIter<V1Event>,
    version: Version,
    pre_init: bool,
    created_pre_init: BTreeSet<u64>,
    extra: VecDeque<RawEvent>,
    tasks: HashMap<u64, (Vec<u8>, u64)>,
    seen_procs: HashSet<i32>,
    proc_ms: HashMap<i32, i64>,
    last_stw_reason: u64,
    last_ts: Time,
    inline_ids: Vec<u64>,
    /// String IDs of [`Reason::ALL`], then of [`StwKind::ALL`].
    builtin_ids: Vec<u64>,
    first_ts: Option<Time>,
}

impl Converter {
    pub(crate) fn new(trace: V1Trace) -> Result<Converter> {
        let (mut table, max) = trace.table();
        let too_many = || Error::new(None, "trace contains too many strings");
        let mut next = max;
        let mut inline_ids = Vec::with_capacity(trace.inline.len());
        for s in &trace.inline {
            next = next.checked_add(1).ok_or_else(too_many)?;
            table.add_string(next, s);
            inline_ids.push(next);
        }
        let builtins = Reason::ALL
            .iter()
            .map(|r| r.name())
            .chain(StwKind::ALL.iter().map(|k| k.name()));
        let mut builtin_ids = Vec::with_capacity(Reason::ALL.len() + StwKind::ALL.len());
        for s in builtins {
            next = next.checked_add(1).ok_or_else(too_many)?;
            table.add_string(next, s.as_bytes());
            builtin_ids.push(next);
        }
        let first_ts = trace.events.first().map(|e| e.ts);
        Ok(Converter {
            table,
            events: trace.events.into_iter(),
            version: trace.version,
            pre_init: true,
            created_pre_init: BTreeSet::new(),
            extra: VecDeque::new(),
            tasks: HashMap::default(),
            seen_procs: HashSet::default(),
            proc_ms: HashMap::default(),
            last_stw_reason: 0,
            last_ts: -1,
            inline_ids,
            builtin_ids,
            first_ts,
        })
    }

    /// Time of the first parsed event, if there is one.
    pub(crate) fn first_time(&self) -> Option<Time> {
        self.first_ts
    }

    /// Time of the last converted event.
    pub(crate) fn last_time(&self) -> Time {
        self.last_ts
    }

    /// The next converted event, its time made strictly increasing.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Option<RawEvent>> {
        let mut ev = loop {
            if let Some(ev) = self.extra.pop_front() {
                break ev;
            }
            let Some(old) = self.events.next() else {
                return Ok(None);
            };
            if let Some(ev) = self.convert(&old)? {
                break ev;
            }
        };
        if ev.time <= self.last_ts {
            ev.time = self.last_ts + 1;
        }
        self.last_ts = ev.time;
        Ok(Some(ev))
    }

    fn m_of(&self, p: i32) -> i64 {
        self.proc_ms.get(&p).copied().unwrap_or(NONE)
    }

    /// Arguments of a block or stop: the reason the old event type stands
    /// for, and the stack.
    fn reason(&self, ev: &V1Event) -> [u64; 4] {
        let r = OldEvent::from_code(ev.typ)
            .and_then(OldEvent::reason)
            .unwrap_or(Reason::Empty);
        [self.builtin_ids[r as usize], u64::from(ev.stk), 0, 0]
    }

    fn stw_reason(&self, code: u64) -> u64 {
        let kind = StwKind::from_v1(self.version, code);
        self.builtin_ids[Reason::ALL.len() + kind as usize]
    }

    /// Converts one event; `None` when it has no counterpart. (Inlined into
    /// its one caller: called per event, it returns a large value.)
    #[inline(always)]
    fn convert(&mut self, ev: &V1Event) -> Result<Option<RawEvent>> {
        let (g, p) = (ev.g, ev.p);
        let ctx = |m: i64| (m, i64::from(p), if g == 0 { NONE } else { g as i64 });
        let mut args = [ev.args[0], ev.args[1], ev.args[2], 0];
        // The state a status event's resource had: none, before the trace.
        let mut before = Before::Nothing;
        // What a TaskEnd or STWEnd carries from its begin event.
        let (mut task_end, mut stw_end_kind) = (None, None);
        let typ = match ev.typ {
            EV_GOMAXPROCS => {
                if self.pre_init {
                    self.pre_init = false;
                    for &gid in &self.created_pre_init {
                        let args = [gid, u64::MAX, w::GO_RUNNABLE, 0];
                        let mut status = RawEvent::new(w::EV_GO_STATUS, ev.ts, args);
                        status.before = Before::Go(GoState::Undetermined);
                        status.offset = ev.offset();
                        self.extra.push_back(status);
                    }
                    self.created_pre_init.clear();
                    return Ok(None);
                }
                w::EV_PROCS_CHANGE
            }
            EV_PROC_START => {
                self.proc_ms.insert(p, ev.args[0] as i64);
                if self.seen_procs.insert(p) {
                    args = [p as u64, w::PROC_RUNNING, 0, 0];
                    before = Before::Proc(ProcState::Undetermined);
                    w::EV_PROC_STATUS
                } else {
                    args = [p as u64, 0, 0, 0];
                    w::EV_PROC_START
                }
            }
            EV_PROC_STOP => {
                if self.seen_procs.insert(p) {
                    args = [p as u64, w::PROC_IDLE, 0, 0];
                    before = Before::Proc(ProcState::Undetermined);
                    w::EV_PROC_STATUS
                } else {
                    args = [p as u64, 0, 0, 0];
                    w::EV_PROC_STOP
                }
            }
            EV_GC_START => w::EV_GC_BEGIN,
            EV_GC_DONE => w::EV_GC_END,
            EV_STW_START => {
                let sid = self.stw_reason(ev.args[0]);
                self.last_stw_reason = sid;
                args = [sid, 0, 0, 0];
                w::EV_STW_BEGIN
            }
            EV_STW_DONE => {
                args = [0; 4];
                stw_end_kind = Some(self.last_stw_reason);
                w::EV_STW_END
            }
            EV_GC_SWEEP_START => w::EV_GC_SWEEP_BEGIN,
            EV_GC_SWEEP_DONE => w::EV_GC_SWEEP_END,
            EV_GO_CREATE => {
                if self.pre_init {
                    self.created_pre_init.insert(ev.args[0]);
                    return Ok(None);
                }
                w::EV_GO_CREATE
            }
            EV_GO_START => {
                if self.pre_init {
                    args = [ev.args[0], u64::MAX, w::GO_RUNNING, 0];
                    before = Before::Go(GoState::Undetermined);
                    self.created_pre_init.remove(&ev.args[0]);
                    w::EV_GO_STATUS
                } else {
                    w::EV_GO_START
                }
            }
            EV_GO_START_LABEL => {
                let (m, p, g) = ctx(self.m_of(p));
                let mut label = RawEvent::new(w::EV_GO_LABEL, ev.ts, [ev.args[2], 0, 0, 0]);
                (label.m, label.p, label.g, label.offset) = (m, p, g, ev.offset());
                self.extra = VecDeque::from([label]);
                let mut start = RawEvent::new(w::EV_GO_START, ev.ts, args);
                (start.m, start.p, start.g, start.offset) = (m, p, g, ev.offset());
                return Ok(Some(start));
            }
            EV_GO_END => w::EV_GO_DESTROY,
            EV_GO_SCHED | EV_GO_PREEMPT => {
                args = self.reason(ev);
                w::EV_GO_STOP
            }
            EV_GO_STOP | EV_GO_SLEEP | EV_GO_BLOCK | EV_GO_BLOCK_SEND | EV_GO_BLOCK_RECV
            | EV_GO_BLOCK_SELECT | EV_GO_BLOCK_SYNC | EV_GO_BLOCK_COND | EV_GO_BLOCK_NET
            | EV_GO_BLOCK_GC => {
                args = self.reason(ev);
                w::EV_GO_BLOCK
            }
            EV_GO_UNBLOCK => w::EV_GO_UNBLOCK,
            EV_GO_SYS_CALL => {
                // The parser marked the syscalls that block (args[0] = 1).
                let blocked = ev.args[0] == 1;
                args = [0, u64::from(ev.stk), 0, 0];
                if !blocked {
                    let (m, p, g) = ctx(self.m_of(p));
                    let mut begin = RawEvent::new(w::EV_GO_SYSCALL_BEGIN, ev.ts, args);
                    (begin.m, begin.p, begin.g, begin.offset) = (m, p, g, ev.offset());
                    let mut end = RawEvent::new(w::EV_GO_SYSCALL_END, ev.ts + 1, [0; 4]);
                    (end.m, end.p, end.g, end.offset) = (m, p, g, ev.offset());
                    self.extra.push_back(end);
                    return Ok(Some(begin));
                }
                w::EV_GO_SYSCALL_BEGIN
            }
            EV_GO_SYS_EXIT => w::EV_GO_SYSCALL_END_BLOCKED,
            EV_GO_SYS_BLOCK => return Ok(None),
            EV_GO_WAITING | EV_GO_IN_SYSCALL => {
                let status = if ev.typ == EV_GO_WAITING {
                    w::GO_WAITING
                } else {
                    w::GO_SYSCALL
                };
                before = Before::Go(GoState::Undetermined);
                args = [ev.args[0], u64::MAX, status, 0];
                self.created_pre_init.remove(&ev.args[0]);
                w::EV_GO_STATUS
            }
            EV_HEAP_ALLOC => w::EV_HEAP_ALLOC,
            EV_HEAP_GOAL => w::EV_HEAP_GOAL,
            EV_GC_MARK_ASSIST_START => w::EV_GC_MARK_ASSIST_BEGIN,
            EV_GC_MARK_ASSIST_DONE => w::EV_GC_MARK_ASSIST_END,
            EV_USER_TASK_CREATE => {
                let parent = if ev.args[1] == 0 { NO_TASK } else { ev.args[1] };
                args = [ev.args[0], parent, ev.args[2], u64::from(ev.stk)];
                let name = self.table.bytes(ev.args[2]).to_vec();
                self.tasks.insert(ev.args[0], (name, ev.args[1]));
                w::EV_USER_TASK_BEGIN
            }
            EV_USER_TASK_END => {
                args = [ev.args[0], ev.args[1], 0, 0];
                task_end = Some(match self.tasks.remove(&ev.args[0]) {
                    Some((name, parent)) => (parent, self.table.add_extra(&name)),
                    None => (NO_TASK, 0),
                });
                w::EV_USER_TASK_END
            }
            EV_USER_REGION => {
                args = [ev.args[0], ev.args[2], u64::from(ev.stk), 0];
                match ev.args[1] {
                    0 => w::EV_USER_REGION_BEGIN,
                    1 => w::EV_USER_REGION_END,
                    _ => 0,
                }
            }
            EV_USER_LOG => {
                let msg = self
                    .inline_ids
                    .get(ev.args[2] as usize)
                    .copied()
                    .unwrap_or(0);
                args = [ev.args[0], ev.args[1], msg, u64::from(ev.stk)];
                w::EV_USER_LOG
            }
            EV_CPU_SAMPLE => {
                args = [u64::from(ev.stk), u64::MAX, p as u64, g];
                w::EV_CPU_SAMPLE
            }
            t => return Err(Error::at(ev.offset(), format!("unexpected event type {t}"))),
        };
        if desc(ev.typ).stack
            && let Some(&i) = w::spec(typ).stack_ids.first()
        {
            args[usize::from(i) - 1] = u64::from(ev.stk);
        }
        let m = if p != -1 && ev.typ != EV_CPU_SAMPLE {
            self.m_of(p)
        } else {
            NONE
        };
        if ev.typ == EV_PROC_STOP {
            self.proc_ms.remove(&p);
        }
        let (_, p, g) = ctx(m);
        let mut out = RawEvent::new(typ, ev.ts, args);
        (out.m, out.p, out.g, out.offset) = (m, p, g, ev.offset());
        out.before = before;
        if let Some((parent, name)) = task_end {
            out.set_task_end(parent, name);
        }
        if let Some(kind) = stw_end_kind {
            out.set_stw_end_kind(kind);
        }
        Ok(Some(out))
    }
}
