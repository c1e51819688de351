//! Conversion of a parsed Go 1.11–1.21 trace into the event model of the
//! newer format, as `internal/trace/tracev1.go` does it: old event types
//! become new wire types with reason strings, pre-existing goroutines
//! become status events, and short syscalls become a begin/end pair. The
//! events are converted a chunk at a time into a buffer the reader lends
//! them from, between a Sync before the first and one after the last, as
//! Go's reader yields them.

use super::index::index;
use super::parse::{CHUNK, V1Event, V1Parser};
use super::pmap::PMap;
use super::source::Bytes;
use super::spec::*;
use crate::error::{Error, Result};
use crate::raw::{Before, RawEvent};
use crate::table::Table;
use crate::v2::reader::Next;
use crate::values::{GoState, NO_TASK, NONE, ProcState, Time};
use crate::version::Version;
use crate::vocab::{OldEvent, Reason, StwKind};
use crate::wire as w;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

/// Yields the converted events of a v1 trace.
pub(crate) struct Converter {
    pub(crate) table: Table,
    events: V1Parser,
    /// The parser's last chunk of events, converted in place.
    chunk: Vec<V1Event>,
    /// Converted events (times made strictly increasing), and how many of
    /// them are taken: converting a chunk at a time keeps the parser's
    /// loop and the caller's apart, and the caller reads each in place.
    buf: Vec<RawEvent>,
    taken: usize,
    /// Whether the parser has no more events (the final Sync is queued).
    done: bool,
    /// The error after the events in `buf`, once they are taken; then
    /// given to the caller.
    pub(crate) error: Option<Error>,
    failed: bool,
    /// Sync events made.
    syncs: u64,
    version: Version,
    pre_init: bool,
    created_pre_init: BTreeSet<u64>,
    tasks: HashMap<u64, (Vec<u8>, u64)>,
    seen_procs: PMap<()>,
    proc_ms: PMap<i64>,
    last_stw_reason: u64,
    last_ts: Time,
    /// The last string ID given out.
    next_string: u64,
    /// String IDs of the UserLog messages met so far.
    inline_ids: Vec<u64>,
    /// String IDs of [`Reason::ALL`], then of [`StwKind::ALL`].
    builtin_ids: Vec<u64>,
    /// How each old event type converts, for the types that become one new
    /// event with no state of their own.
    plans: [Plan; EV_COUNT as usize],
}

/// How an old event type that becomes one new event by a fixed rule
/// converts: the new type, and its arguments computed without a branch per
/// type, as `emit` computes them.
#[derive(Clone, Copy, Default)]
struct Plan {
    /// Whether the type converts by this plan.
    simple: bool,
    typ: w::EventType,
    /// Mask of the old arguments kept (all or none).
    keep: u64,
    /// Added to the first argument: the reason's string ID of a stop or block.
    first: u64,
    /// Where the old stack goes among the new arguments (4: nowhere).
    stack: u8,
}

impl Plan {
    /// The plan of old type `old` becoming `typ`, with the old arguments
    /// (`keep_args`) or with the reason's string ID `first` alone.
    fn new(old: u8, typ: w::EventType, keep_args: bool, first: u64) -> Plan {
        let stack = match w::spec(typ).stack_ids.first() {
            Some(&i) if desc(old).stack => i - 1,
            _ => 4,
        };
        Plan {
            simple: true,
            typ,
            keep: if keep_args { u64::MAX } else { 0 },
            first,
            stack,
        }
    }
}

impl Converter {
    /// A converter of the trace `data` (everything after the header).
    pub(crate) fn new(data: Bytes, version: Version) -> Result<Converter> {
        let mut index = index(&data, version.minor())?;
        let mut table = std::mem::take(&mut index.table);
        let mut next = index.max_string;
        let mut parser = V1Parser::new(data, version, index);
        let builtins = Reason::ALL
            .iter()
            .map(|r| r.name())
            .chain(StwKind::ALL.iter().map(|k| k.name()));
        let mut builtin_ids = Vec::with_capacity(Reason::ALL.len() + StwKind::ALL.len());
        for s in builtins {
            next = next.checked_add(1).ok_or_else(too_many_strings)?;
            table.add_string(next, s.as_bytes());
            builtin_ids.push(next);
        }
        // Frames' names are found once if every one exists now: strings
        // added later (UserLog messages) get new IDs no frame refers to.
        if table.validate_frames().is_ok() {
            table.resolve_frames();
        }
        let first = parser.peek_time(&table)?;
        let mut buf = Vec::with_capacity(CHUNK + 2);
        let mut syncs = 0;
        // Go's sequence: a Sync just before the first event, the events,
        // and a final Sync.
        if let Some(ts) = first {
            syncs = 1;
            buf.push(RawEvent::sync(ts - 1, 1, false));
        }
        let mut conv = Converter {
            table,
            events: parser,
            chunk: Vec::new(),
            buf,
            taken: 0,
            done: false,
            error: None,
            failed: false,
            syncs,
            version,
            pre_init: true,
            created_pre_init: BTreeSet::new(),
            tasks: HashMap::default(),
            seen_procs: PMap::default(),
            proc_ms: PMap::default(),
            last_stw_reason: 0,
            last_ts: -1,
            next_string: next,
            inline_ids: Vec::new(),
            builtin_ids,
            plans: [Plan::default(); EV_COUNT as usize],
        };
        conv.make_plans();
        Ok(conv)
    }

    /// Plans the types that convert by a fixed rule (a goroutine's
    /// creation and start only once the events from before tracing began
    /// are over).
    fn make_plans(&mut self) {
        for old in 0..EV_COUNT {
            let plan = match old {
                EV_GO_CREATE | EV_GO_START if self.pre_init => None,
                EV_GO_SCHED | EV_GO_PREEMPT => Some((w::EV_GO_STOP, false)),
                EV_GO_STOP | EV_GO_SLEEP | EV_GO_BLOCK | EV_GO_BLOCK_SEND | EV_GO_BLOCK_RECV
                | EV_GO_BLOCK_SELECT | EV_GO_BLOCK_SYNC | EV_GO_BLOCK_COND | EV_GO_BLOCK_NET
                | EV_GO_BLOCK_GC => Some((w::EV_GO_BLOCK, false)),
                t => same_event(t).map(|typ| (typ, true)),
            };
            if let Some((typ, keep_args)) = plan {
                let first = if keep_args { 0 } else { self.reason(old) };
                self.plans[usize::from(old)] = Plan::new(old, typ, keep_args, first);
            }
        }
    }

    /// Moves to the next event ([`Converter::event`]); after
    /// `Next::Failed` the error is in `self.error`.
    #[inline]
    pub(crate) fn next(&mut self) -> Next {
        while self.taken == self.buf.len() {
            if self.done {
                return Next::End;
            }
            if self.failed {
                return Next::Failed;
            }
            self.refill();
        }
        self.taken += 1;
        Next::Event
    }

    /// The event [`Converter::next`] moved to.
    #[inline]
    pub(crate) fn event(&self) -> &RawEvent {
        &self.buf[self.taken - 1]
    }

    /// Converts the parser's next chunk of events (up to the error, which
    /// is kept for after them) into `buf`; at the end, adds the final Sync.
    fn refill(&mut self) {
        self.buf.clear();
        self.taken = 0;
        let mut chunk = std::mem::take(&mut self.chunk);
        let end = self.convert_chunk(&mut chunk);
        self.chunk = chunk;
        // Times made strictly increasing.
        for ev in &mut self.buf {
            if ev.time <= self.last_ts {
                ev.time = self.last_ts + 1;
            }
            self.last_ts = ev.time;
        }
        match end {
            Ok(false) => {}
            Ok(true) => {
                self.done = true;
                self.syncs += 1;
                let time: Time = self.last_ts + 1;
                self.buf.push(RawEvent::sync(time, self.syncs, false));
            }
            Err(e) => self.fail(e),
        }
    }

    /// Converts the parser's next chunk of events (read into `chunk`) into
    /// `buf`; `true` when the parser has no more.
    #[inline(always)]
    fn convert_chunk(&mut self, chunk: &mut Vec<V1Event>) -> Result<bool> {
        self.events.next_chunk(&self.table, chunk)?;
        for ev in chunk.iter() {
            self.convert(ev)?;
        }
        Ok(chunk.is_empty())
    }

    fn fail(&mut self, e: Error) {
        self.failed = true;
        self.error = Some(e);
    }

    /// The string ID of UserLog message number `i`, the messages up to it
    /// added to the table first.
    fn inline_id(&mut self, i: usize) -> Result<u64> {
        let list = self.events.inline();
        while self.inline_ids.len() <= i && self.inline_ids.len() < list.len() {
            self.next_string = self
                .next_string
                .checked_add(1)
                .ok_or_else(too_many_strings)?;
            self.table
                .add_string(self.next_string, &list[self.inline_ids.len()]);
            self.inline_ids.push(self.next_string);
        }
        Ok(self.inline_ids.get(i).copied().unwrap_or(0))
    }

    fn m_of(&self, p: i32) -> i64 {
        self.proc_ms.get(p).unwrap_or(NONE)
    }

    /// Converts one event into `buf`: none, one, or (with the events it
    /// implies) several; nothing if it fails.
    #[inline(always)]
    fn convert(&mut self, ev: &V1Event) -> Result<()> {
        if let Some(plan) = self.plans.get(usize::from(ev.typ))
            && plan.simple
        {
            // (Selected slot by slot: a store at a computed index into an
            // array read back at once stalls the read.)
            let (keep, stk) = (plan.keep, u64::from(ev.stk));
            let arg = |i: u8, v: u64| if plan.stack == i { stk } else { v };
            let args = [
                arg(0, (ev.args[0] & keep) | plan.first),
                arg(1, ev.args[1] & keep),
                arg(2, ev.args[2] & keep),
                arg(3, 0),
            ];
            let m = if ev.p != -1 { self.m_of(ev.p) } else { NONE };
            let out = self.emit_on(ev, m, plan.typ, args);
            self.buf.push(out);
            return Ok(());
        }
        let out = match ev.typ {
            EV_GOMAXPROCS => {
                self.gomaxprocs(ev);
                return Ok(());
            }
            EV_PROC_START | EV_PROC_STOP => self.proc_start_stop(ev),
            EV_STW_START => {
                let kind = self.stw_kind(ev.args[0]);
                self.last_stw_reason = kind;
                self.emit(ev, w::EV_STW_BEGIN, [kind, 0, 0, 0])
            }
            EV_STW_DONE => {
                let mut out = self.emit(ev, w::EV_STW_END, [0; 4]);
                out.set_stw_end_kind(self.last_stw_reason);
                out
            }
            EV_GO_CREATE if self.pre_init => {
                self.created_pre_init.insert(ev.args[0]);
                return Ok(());
            }
            EV_GO_START if self.pre_init => {
                self.created_pre_init.remove(&ev.args[0]);
                self.status_before_trace(ev, w::GO_RUNNING)
            }
            EV_GO_START_LABEL => {
                self.go_start_label(ev);
                return Ok(());
            }
            EV_GO_SYS_CALL => {
                self.go_syscall(ev);
                return Ok(());
            }
            EV_GO_SYS_BLOCK => return Ok(()),
            EV_GO_WAITING => {
                self.created_pre_init.remove(&ev.args[0]);
                self.status_before_trace(ev, w::GO_WAITING)
            }
            EV_GO_IN_SYSCALL => {
                self.created_pre_init.remove(&ev.args[0]);
                self.status_before_trace(ev, w::GO_SYSCALL)
            }
            EV_USER_TASK_CREATE => self.task_create(ev),
            EV_USER_TASK_END => self.task_end(ev),
            EV_USER_REGION => {
                let typ = match ev.args[1] {
                    0 => w::EV_USER_REGION_BEGIN,
                    1 => w::EV_USER_REGION_END,
                    _ => 0,
                };
                // (A type the converter does not know keeps the stack here.)
                self.emit(ev, typ, [ev.args[0], ev.args[2], u64::from(ev.stk), 0])
            }
            EV_USER_LOG => {
                let msg = self.inline_id(ev.args[2] as usize)?;
                self.emit(ev, w::EV_USER_LOG, [ev.args[0], ev.args[1], msg, 0])
            }
            EV_CPU_SAMPLE => {
                // The sampled context, without a thread.
                let mut sample = RawEvent::cpu_sample(ev.ts, u64::from(ev.stk));
                (sample.p, sample.g) = (i64::from(ev.p), goroutine(ev.g));
                sample.offset = ev.offset();
                sample
            }
            // (Every other known type is planned.)
            t => return Err(Error::at(ev.offset(), format!("unexpected event type {t}"))),
        };
        self.buf.push(out);
        Ok(())
    }

    /// The converted event: type `typ` with `args` (the stack, if the old
    /// event has one, put where the new type has it) in the old event's
    /// context, its thread the one holding its proc.
    #[inline(always)]
    fn emit(&self, ev: &V1Event, typ: w::EventType, mut args: [u64; 4]) -> RawEvent {
        if desc(ev.typ).stack
            && let Some(&i) = w::spec(typ).stack_ids.first()
        {
            args[usize::from(i) - 1] = u64::from(ev.stk);
        }
        let m = if ev.p != -1 { self.m_of(ev.p) } else { NONE };
        self.emit_on(ev, m, typ, args)
    }

    /// The converted event on thread `m`, its arguments as they are.
    #[inline(always)]
    fn emit_on(&self, ev: &V1Event, m: i64, typ: w::EventType, args: [u64; 4]) -> RawEvent {
        let mut out = RawEvent::new(typ, ev.ts, args);
        (out.m, out.p, out.g) = (m, i64::from(ev.p), goroutine(ev.g));
        out.offset = ev.offset();
        out
    }

    /// The string ID of the reason a block or stop of old type `old`
    /// stands for.
    fn reason(&self, old: u8) -> u64 {
        let r = OldEvent::from_code(old)
            .and_then(OldEvent::reason)
            .unwrap_or(Reason::Empty);
        self.builtin_ids[r as usize]
    }

    /// The string ID of the STW kind the old code stands for.
    fn stw_kind(&self, code: u64) -> u64 {
        let kind = StwKind::from_v1(self.version, code);
        self.builtin_ids[Reason::ALL.len() + kind as usize]
    }

    /// The first Gomaxprocs ends the events from before tracing began:
    /// goroutines created then and not seen since become Runnable ones.
    fn gomaxprocs(&mut self, ev: &V1Event) {
        if !self.pre_init {
            let args = [ev.args[0], ev.args[1], ev.args[2], 0];
            let out = self.emit(ev, w::EV_PROCS_CHANGE, args);
            return self.buf.push(out);
        }
        self.pre_init = false;
        self.make_plans();
        for &gid in &self.created_pre_init {
            let args = [gid, u64::MAX, w::GO_RUNNABLE, 0];
            let mut status = RawEvent::new(w::EV_GO_STATUS, ev.ts, args);
            status.before = Before::Go(GoState::Undetermined);
            status.offset = ev.offset();
            self.buf.push(status);
        }
        self.created_pre_init.clear();
    }

    /// A goroutine found in this status when tracing began.
    fn status_before_trace(&self, ev: &V1Event, status: u64) -> RawEvent {
        let mut out = self.emit(ev, w::EV_GO_STATUS, [ev.args[0], u64::MAX, status, 0]);
        out.before = Before::Go(GoState::Undetermined);
        out
    }

    /// A proc's first event gives its status; later ones start or stop it.
    fn proc_start_stop(&mut self, ev: &V1Event) -> RawEvent {
        let p = ev.p;
        let start = ev.typ == EV_PROC_START;
        if start {
            self.proc_ms.insert(p, ev.args[0] as i64);
        }
        let out = if self.seen_procs.insert(p, ()).is_none() {
            let status = if start { w::PROC_RUNNING } else { w::PROC_IDLE };
            let mut out = self.emit(ev, w::EV_PROC_STATUS, [p as u64, status, 0, 0]);
            out.before = Before::Proc(ProcState::Undetermined);
            out
        } else if start {
            self.emit(ev, w::EV_PROC_START, [p as u64, 0, 0, 0])
        } else {
            self.emit(ev, w::EV_PROC_STOP, [p as u64, 0, 0, 0])
        };
        if !start {
            self.proc_ms.remove(p);
        }
        out
    }

    /// A start with a label: the label comes right after the start.
    fn go_start_label(&mut self, ev: &V1Event) {
        let m = self.m_of(ev.p);
        let label = self.emit_on(ev, m, w::EV_GO_LABEL, [ev.args[2], 0, 0, 0]);
        let args = [ev.args[0], ev.args[1], ev.args[2], 0];
        let start = self.emit_on(ev, m, w::EV_GO_START, args);
        self.buf.extend([start, label]);
    }

    /// A syscall the parser found blocking (`args[0] = 1`) begins here and
    /// ends at a GoSysExit; any other takes 1 ns.
    fn go_syscall(&mut self, ev: &V1Event) {
        let args = [0, u64::from(ev.stk), 0, 0];
        if ev.args[0] == 1 {
            let begin = self.emit(ev, w::EV_GO_SYSCALL_BEGIN, args);
            return self.buf.push(begin);
        }
        let m = self.m_of(ev.p);
        let begin = self.emit_on(ev, m, w::EV_GO_SYSCALL_BEGIN, args);
        let mut end = self.emit_on(ev, m, w::EV_GO_SYSCALL_END, [0; 4]);
        end.time = ev.ts + 1;
        self.buf.extend([begin, end]);
    }

    fn task_create(&mut self, ev: &V1Event) -> RawEvent {
        let parent = if ev.args[1] == 0 { NO_TASK } else { ev.args[1] };
        let name = self.table.bytes(ev.args[2]).to_vec();
        self.tasks.insert(ev.args[0], (name, ev.args[1]));
        self.emit(
            ev,
            w::EV_USER_TASK_BEGIN,
            [ev.args[0], parent, ev.args[2], 0],
        )
    }

    /// A task's end, with its parent and name from its creation.
    fn task_end(&mut self, ev: &V1Event) -> RawEvent {
        let (parent, name) = match self.tasks.remove(&ev.args[0]) {
            Some((name, parent)) => (parent, self.table.add_extra(&name)),
            None => (NO_TASK, 0),
        };
        let mut out = self.emit(ev, w::EV_USER_TASK_END, [ev.args[0], 0, 0, 0]);
        out.set_task_end(parent, name);
        out
    }
}

fn too_many_strings() -> Error {
    Error::new(None, "trace contains too many strings")
}

/// The goroutine of an old event's context (0: none).
fn goroutine(g: u64) -> i64 {
    if g == 0 { NONE } else { g as i64 }
}

/// The new type of an old event type that converts one to one, its
/// arguments unchanged.
fn same_event(old: u8) -> Option<w::EventType> {
    Some(match old {
        EV_GC_START => w::EV_GC_BEGIN,
        EV_GC_DONE => w::EV_GC_END,
        EV_GC_SWEEP_START => w::EV_GC_SWEEP_BEGIN,
        EV_GC_SWEEP_DONE => w::EV_GC_SWEEP_END,
        EV_GO_CREATE => w::EV_GO_CREATE,
        EV_GO_START => w::EV_GO_START,
        EV_GO_END => w::EV_GO_DESTROY,
        EV_GO_UNBLOCK => w::EV_GO_UNBLOCK,
        EV_GO_SYS_EXIT => w::EV_GO_SYSCALL_END_BLOCKED,
        EV_HEAP_ALLOC => w::EV_HEAP_ALLOC,
        EV_HEAP_GOAL => w::EV_HEAP_GOAL,
        EV_GC_MARK_ASSIST_START => w::EV_GC_MARK_ASSIST_BEGIN,
        EV_GC_MARK_ASSIST_DONE => w::EV_GC_MARK_ASSIST_END,
        _ => return None,
    })
}
