//! The ordering state machine of Go 1.22+ traces: it simulates goroutine,
//! proc, thread, GC and task state to decide when each thread's next event
//! may be emitted, validates it, sets its context and synthesizes the extra
//! events Go's parser emits (see `internal/trace/order.go`).

use super::cursor::BaseEvent;
use crate::raw::{Before, RawEvent, go_status_state, proc_status_state};
use crate::table::Table;
use crate::values::{GoState, NO_TASK, NONE, ProcState};
use crate::wire::*;
use rustc_hash::FxHashMap as HashMap;

/// A per-generation sequence counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seq {
    generation: u64,
    n: u64,
}

impl Seq {
    fn succeeds(self, prev: Seq) -> bool {
        self.generation == prev.generation && self.n == prev.n.wrapping_add(1)
    }
}

/// A range in flight on a goroutine or proc: its begin type and, for
/// stop-the-world ranges, the string ID of its kind.
type RangeType = (EventType, u64);

#[derive(Debug, Default)]
struct Ranges(Vec<RangeType>);

impl Ranges {
    fn begin(&mut self, r: RangeType) -> Result<(), String> {
        if self.0.contains(&r) {
            let name = spec(r.0).name;
            return Err(format!(
                "discovered event already in-flight for when starting event {name}"
            ));
        }
        self.0.push(r);
        Ok(())
    }

    fn active(&mut self, r: RangeType, initial_gen: bool) -> Result<(), String> {
        if initial_gen {
            if self.0.contains(&r) {
                return Err(format!(
                    "found named active range already in first gen: {{{} {}}}",
                    r.0, r.1
                ));
            }
            self.0.push(r);
        } else if !self.0.contains(&r) {
            return Err(format!(
                "resource is missing active range: {} {:?}",
                spec(r.0).name,
                self.0
            ));
        }
        Ok(())
    }

    fn end(&mut self, typ: EventType) -> Result<u64, String> {
        let start = spec(typ).start;
        let Some(i) = self.0.iter().position(|r| r.0 == start) else {
            return Err(format!(
                "tried to end event {}, but not in-flight",
                spec(start).name
            ));
        };
        Ok(self.0.swap_remove(i).1)
    }
}

#[derive(Debug)]
struct GState {
    status: u64,
    seq: Seq,
    regions: Vec<(u64, Box<[u8]>)>,
    ranges: Ranges,
}

impl GState {
    fn new(status: u64, seq: Seq) -> GState {
        GState {
            status,
            seq,
            regions: Vec::new(),
            ranges: Ranges::default(),
        }
    }
}

#[derive(Debug)]
struct PState {
    status: u64,
    seq: Seq,
    ranges: Ranges,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GcState {
    Undetermined,
    NotRunning,
    Running,
}

/// The scheduling context of an event: thread, proc, goroutine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ctx {
    m: i64,
    p: i64,
    g: i64,
}

/// Whether an event needs a thread, proc or goroutine in its context.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    MustNot,
    May,
    Must,
}
use Need::*;

/// What an event requires of its scheduling context (Go's `schedReqs`).
#[derive(Clone, Copy)]
struct Reqs {
    thread: Need,
    proc: Need,
    goroutine: Need,
}

/// User events (and most others) happen on a running goroutine.
const USER: Reqs = Reqs {
    thread: Must,
    proc: Must,
    goroutine: Must,
};

/// A thread holding a proc, with or without a goroutine.
const THREAD_PROC: Reqs = Reqs {
    thread: Must,
    proc: Must,
    goroutine: May,
};

/// A thread, with or without a proc or goroutine.
const THREAD: Reqs = Reqs {
    thread: Must,
    proc: May,
    goroutine: May,
};

/// A thread running a goroutine, with or without a proc.
const THREAD_GOROUTINE: Reqs = Reqs {
    thread: Must,
    proc: May,
    goroutine: Must,
};

/// A thread without a proc.
const THREAD_NO_PROC: Reqs = Reqs {
    thread: Must,
    proc: MustNot,
    goroutine: May,
};

/// A thread running no goroutine.
const THREAD_NO_GOROUTINE: Reqs = Reqs {
    thread: Must,
    proc: May,
    goroutine: MustNot,
};

/// A thread holding a proc, running no goroutine.
const THREAD_PROC_NO_GOROUTINE: Reqs = Reqs {
    thread: Must,
    proc: Must,
    goroutine: MustNot,
};

#[inline]
fn validate(ctx: Ctx, reqs: Reqs) -> Result<(), String> {
    let ok = |have: bool, need: Need| match need {
        Must => have,
        MustNot => !have,
        May => true,
    };
    if ok(ctx.m != NONE, reqs.thread)
        && ok(ctx.p != NONE, reqs.proc)
        && ok(ctx.g != NONE, reqs.goroutine)
    {
        return Ok(());
    }
    invalid_context(ctx, reqs)
}

/// [`validate`]'s message for a context that does not meet `reqs`.
#[cold]
fn invalid_context(ctx: Ctx, reqs: Reqs) -> Result<(), String> {
    let check = |have: bool, need: Need, what: &str| match (need, have) {
        (Must, false) => Err(format!("expected a {what} but didn't have one")),
        (MustNot, true) => Err(format!("expected no {what} but had one")),
        _ => Ok(()),
    };
    check(ctx.m != NONE, reqs.thread, "thread")?;
    check(ctx.p != NONE, reqs.proc, "proc")?;
    check(ctx.g != NONE, reqs.goroutine, "goroutine")
}

/// Events accepted and not yet returned, oldest first: a vector read from
/// `head` (it rarely holds more than two events), cheaper than a ring
/// buffer for this one-in, one-out use. The event returned last stays in
/// place, where the reader's caller reads it, until the next push.
#[derive(Debug, Default)]
struct Queue {
    events: Vec<RawEvent>,
    head: usize,
}

impl Queue {
    #[inline]
    fn push_back(&mut self, ev: RawEvent) {
        if self.head == self.events.len() {
            self.events.clear();
            self.head = 0;
        }
        self.events.push(ev);
    }

    /// Moves on to the oldest event not yet returned; false if there is
    /// none.
    #[inline]
    fn pop_front(&mut self) -> bool {
        if self.head == self.events.len() {
            return false;
        }
        self.head += 1;
        true
    }

    /// The event [`Queue::pop_front`] moved to last.
    #[inline]
    fn current(&self) -> &RawEvent {
        &self.events[self.head - 1]
    }

    #[inline]
    fn current_mut(&mut self) -> &mut RawEvent {
        &mut self.events[self.head - 1]
    }
}

/// The ordering state, kept across generations.
#[derive(Debug)]
pub(crate) struct Ordering {
    g_states: HashMap<i64, GState>,
    p_states: HashMap<i64, PState>,
    /// Each thread's context (its proc and goroutine), in order of first
    /// appearance, and where each thread's is.
    m_states: Vec<Ctx>,
    m_index: HashMap<i64, usize>,
    /// Index in `m_states` of the thread whose event is being advanced
    /// (`NO_SLOT` for events on no thread).
    slot: usize,
    active_tasks: HashMap<u64, (Box<[u8]>, u64)>,
    gc_seq: u64,
    gc_state: GcState,
    initial_gen: u64,
    queue: Queue,
    /// Input offset of the event being advanced.
    offset: u64,
}

/// A handler's verdict: `Ok(true)` when the event was accepted (and the
/// thread's new context set with [`Ordering::accept`]), `Ok(false)` when
/// it must wait.
type Step = Result<bool, String>;

/// `Ordering::slot` for an event on no thread.
pub(crate) const NO_SLOT: usize = usize::MAX;

impl Ordering {
    pub(crate) fn new() -> Ordering {
        Ordering {
            g_states: HashMap::default(),
            p_states: HashMap::default(),
            m_states: Vec::new(),
            m_index: HashMap::default(),
            slot: NO_SLOT,
            active_tasks: HashMap::default(),
            gc_seq: 0,
            gc_state: GcState::Undetermined,
            initial_gen: 0,
            queue: Queue::default(),
            offset: 0,
        }
    }

    /// Moves on to the next event ready to be returned, then found with
    /// [`Ordering::current`]; false if there is none.
    #[inline]
    pub(crate) fn next(&mut self) -> bool {
        self.queue.pop_front()
    }

    /// The event [`Ordering::next`] moved to last; it stays valid until
    /// the next call of [`Ordering::advance`].
    #[inline]
    pub(crate) fn current(&self) -> &RawEvent {
        self.queue.current()
    }

    #[inline]
    pub(crate) fn current_mut(&mut self) -> &mut RawEvent {
        self.queue.current_mut()
    }

    /// The record of `ev` in context `ctx`.
    fn record(&self, ev: &BaseEvent, ctx: Ctx) -> RawEvent {
        self.made(ev.typ, ev.time, ctx, ev.args)
    }

    /// The record of an event the ordering makes.
    fn made(&self, typ: EventType, time: i64, ctx: Ctx, args: [u64; 4]) -> RawEvent {
        RawEvent {
            typ,
            before: Before::Nothing,
            time,
            m: ctx.m,
            p: ctx.p,
            g: ctx.g,
            args,
            offset: self.offset,
        }
    }

    fn push(&mut self, ev: &BaseEvent, ctx: Ctx) {
        self.queue.push_back(self.record(ev, ctx));
    }

    /// Queues a status or steal event with the state its resource had.
    fn push_before(&mut self, ev: &BaseEvent, ctx: Ctx, before: Before) {
        let raw = RawEvent {
            before,
            ..self.record(ev, ctx)
        };
        self.queue.push_back(raw);
    }

    fn push_made(&mut self, typ: EventType, time: i64, ctx: Ctx, args: [u64; 4]) {
        self.queue.push_back(self.made(typ, time, ctx, args));
    }

    /// Tries to accept `ev` from thread `m`, whose context is at `slot`
    /// (see [`Ordering::m_slot`]; [`NO_SLOT`] if `m` is `NONE`).
    /// `Ok(false)`: not yet, another thread's event must come first. On
    /// success the event (and any synthesized ones) is queued.
    pub(crate) fn advance(
        &mut self,
        ev: &mut BaseEvent,
        table: &mut Table,
        (m, slot): (i64, usize),
        generation: u64,
        offset: u64,
    ) -> Result<bool, Box<str>> {
        self.offset = offset;
        if self.initial_gen == 0 {
            self.initial_gen = generation;
        }
        self.slot = slot;
        let cur = match self.m_states.get(self.slot) {
            Some(ctx) => *ctx,
            None => Ctx {
                m,
                p: NONE,
                g: NONE,
            },
        };
        // The message boxed: a two-word result, returned in registers.
        Ok(match ev.typ {
            EV_PROCS_CHANGE | EV_GO_LABEL | EV_USER_LOG => self.annotation(ev, cur),
            EV_PROC_START => self.proc_start(ev, cur, generation),
            EV_PROC_STOP => self.proc_stop(ev, cur),
            EV_PROC_STEAL => self.proc_steal(ev, cur, generation),
            EV_PROC_STATUS => self.proc_status(ev, cur, generation),
            EV_GO_CREATE | EV_GO_CREATE_BLOCKED => self.go_create(ev, cur, generation),
            EV_GO_CREATE_SYSCALL => self.go_create_syscall(ev, cur, generation),
            EV_GO_START => self.go_start(ev, cur, generation),
            EV_GO_DESTROY | EV_GO_STOP | EV_GO_BLOCK => self.go_stop_exec(ev, cur),
            EV_GO_DESTROY_SYSCALL => self.go_destroy_syscall(ev, cur),
            EV_GO_UNBLOCK => self.go_unblock(ev, cur, generation),
            EV_GO_SYSCALL_BEGIN => self.go_syscall_begin(ev, cur, generation),
            EV_GO_SYSCALL_END => self.go_syscall_end(ev, cur),
            EV_GO_SYSCALL_END_BLOCKED => self.go_syscall_end_blocked(ev, cur),
            EV_GO_STATUS | EV_GO_STATUS_STACK => self.go_status(ev, cur, generation),
            EV_STW_BEGIN | EV_GC_MARK_ASSIST_BEGIN => self.go_range_begin(ev, cur),
            EV_STW_END | EV_GC_MARK_ASSIST_END => self.go_range_end(ev, cur),
            EV_GC_MARK_ASSIST_ACTIVE => self.go_range_active(ev, cur, generation),
            EV_GC_ACTIVE => self.gc_active(ev, cur, generation),
            EV_GC_BEGIN => self.gc_begin(ev, cur),
            EV_GC_END => self.gc_end(ev, cur),
            EV_GC_SWEEP_ACTIVE => self.sweep_active(ev, cur, generation),
            EV_GC_SWEEP_BEGIN => self.sweep_begin(ev, cur),
            EV_GC_SWEEP_END => self.sweep_end(ev, cur),
            EV_HEAP_ALLOC | EV_HEAP_GOAL => self.heap_metric(ev, cur),
            EV_USER_TASK_BEGIN => self.task_begin(ev, cur, table),
            EV_USER_TASK_END => self.task_end(ev, cur, table),
            EV_USER_REGION_BEGIN | EV_USER_REGION_END => self.region(ev, cur, table),
            EV_GO_SWITCH | EV_GO_SWITCH_DESTROY => self.go_switch(ev, cur, generation),
            EV_SPAN..=EV_GOROUTINE_STACK_FREE => self.alloc_free(ev, cur),
            t => Err(format!("bad event type found while ordering: {t}")),
        }?)
    }

    /// The index of thread `m`'s context, made (no proc, no goroutine) if
    /// the thread is new, as Go makes it when it first tries to advance an
    /// event of the thread. The index never changes: the reader keeps it
    /// per thread and passes it to [`Ordering::advance`].
    pub(crate) fn m_slot(&mut self, m: i64) -> usize {
        *self.m_index.entry(m).or_insert_with(|| {
            self.m_states.push(Ctx {
                m,
                p: NONE,
                g: NONE,
            });
            self.m_states.len() - 1
        })
    }

    /// Thread `m`'s context, if the thread is known.
    fn m_state(&mut self, m: i64) -> Option<&mut Ctx> {
        let i = *self.m_index.get(&m)?;
        self.m_states.get_mut(i)
    }

    /// Accepts the event being advanced: its thread now holds proc `p`
    /// and runs goroutine `g`.
    #[inline]
    fn accept(&mut self, p: i64, g: i64) -> Step {
        if let Some(ctx) = self.m_states.get_mut(self.slot) {
            ctx.p = p;
            ctx.g = g;
        }
        Ok(true)
    }

    fn same(&mut self, cur: Ctx) -> Step {
        self.accept(cur.p, cur.g)
    }

    fn proc_status(&mut self, ev: &mut BaseEvent, mut cur: Ctx, generation: u64) -> Step {
        let pid = ev.args[0] as i64;
        let status = ev.args[1];
        if status >= 5 {
            return Err(format!("invalid status for proc {pid}: {status}"));
        }
        let mut old = proc_status_state(status);
        if let Some(s) = self.p_states.get_mut(&pid) {
            if status == PROC_SYSCALL_ABANDONED && s.status == PROC_SYSCALL {
                old = ProcState::Running;
                ev.args[1] = PROC_SYSCALL;
            } else if status == PROC_SYSCALL_ABANDONED && s.status == PROC_SYSCALL_ABANDONED {
                old = ProcState::Idle;
                ev.args[1] = PROC_SYSCALL_ABANDONED;
            } else if s.status != status {
                return Err(format!(
                    "inconsistent status for proc {pid}: old {} vs. new {}",
                    proc_status_name(s.status),
                    proc_status_name(status)
                ));
            }
            s.seq = Seq { generation, n: 0 };
        } else {
            let seq = Seq { generation, n: 0 };
            self.p_states.insert(
                pid,
                PState {
                    status,
                    seq,
                    ranges: Ranges::default(),
                },
            );
            old = if generation == self.initial_gen {
                ProcState::Undetermined
            } else {
                ProcState::NotExist
            };
        }
        let mut new = cur;
        if status == PROC_RUNNING || status == PROC_SYSCALL {
            new.p = pid;
        }
        if status == PROC_SYSCALL_ABANDONED && old == ProcState::Running {
            // Emit the event in the context of the thread that holds the P.
            let holder = (self.m_states.iter())
                .filter(|ms| ms.p == pid)
                .max_by_key(|ms| ms.m);
            let Some(&Ctx { m, g, .. }) = holder else {
                return Err(format!(
                    "failed to find sched context for proc {pid} that's about to be stolen"
                ));
            };
            cur = Ctx { m, p: pid, g };
        }
        self.push_before(ev, cur, Before::Proc(old));
        self.accept(new.p, new.g)
    }

    /// The state of proc `ev.args[0]` if its status is one of `statuses`
    /// and the event's sequence number (`ev.args[1]`) is its next one; else
    /// the event must wait.
    fn p_next_in_sequence(
        &mut self,
        ev: &BaseEvent,
        statuses: &[u64],
        generation: u64,
    ) -> Option<(&mut PState, Seq)> {
        let seq = Seq {
            generation,
            n: ev.args[1],
        };
        let s = self.p_states.get_mut(&(ev.args[0] as i64))?;
        (statuses.contains(&s.status) && seq.succeeds(s.seq)).then_some((s, seq))
    }

    fn proc_start(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        let pid = ev.args[0] as i64;
        let Some((state, seq)) = self.p_next_in_sequence(ev, &[PROC_IDLE], generation) else {
            return Ok(false);
        };
        if cur.p != NONE {
            return Ok(false);
        }
        validate(cur, THREAD_NO_PROC)?;
        state.status = PROC_RUNNING;
        state.seq = seq;
        self.push(ev, cur);
        self.accept(pid, cur.g)
    }

    fn proc_stop(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        let Some(state) = self.p_states.get_mut(&cur.p) else {
            return Err(format!(
                "event ProcStop for proc ({}) that doesn't exist",
                cur.p
            ));
        };
        if state.status != PROC_RUNNING && state.status != PROC_SYSCALL {
            return Err("ProcStop event for proc that's not Running or Syscall".into());
        }
        validate(cur, THREAD_PROC)?;
        state.status = PROC_IDLE;
        self.push(ev, cur);
        self.accept(NONE, cur.g)
    }

    fn proc_steal(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        let pid = ev.args[0] as i64;
        let in_syscall = [PROC_SYSCALL, PROC_SYSCALL_ABANDONED];
        let Some((state, seq)) = self.p_next_in_sequence(ev, &in_syscall, generation) else {
            return Ok(false);
        };
        validate(cur, THREAD)?;
        let abandoned = state.status == PROC_SYSCALL_ABANDONED;
        state.status = PROC_IDLE;
        state.seq = seq;
        if abandoned {
            // Its goroutine already left the syscall; the proc was idle.
            self.push_before(ev, cur, Before::Proc(ProcState::Idle));
            return self.same(cur);
        }
        let before = Before::Proc(ProcState::Running);
        let mid = ev.args[2] as i64;
        if mid == cur.m {
            if cur.p != pid {
                return Err(format!(
                    "tried to self-steal proc {pid} (thread {mid}), but got proc {} instead",
                    cur.p
                ));
            }
            self.push_before(ev, cur, before);
            return self.accept(NONE, cur.g);
        }
        let Some(ms) = self.m_state(mid) else {
            return Err(format!("stole proc from non-existent thread {mid}"));
        };
        if ms.p != pid {
            return Err(format!(
                "tried to steal proc {pid} from thread {mid}, but got proc {} instead",
                ms.p
            ));
        }
        ms.p = NONE;
        self.push_before(ev, cur, before);
        self.same(cur)
    }

    fn go_status(&mut self, ev: &BaseEvent, mut cur: Ctx, generation: u64) -> Step {
        let gid = ev.args[0] as i64;
        let mid = ev.args[1] as i64;
        let status = ev.args[2];
        if status >= 5 {
            return Err(format!("invalid status for goroutine {gid}: {status}"));
        }
        let mut old = go_status_state(status);
        if let Some(s) = self.g_states.get_mut(&gid) {
            if s.status != status {
                return Err(format!(
                    "inconsistent status for goroutine {gid}: old {} vs. new {}",
                    go_status_name(s.status),
                    go_status_name(status)
                ));
            }
            s.seq = Seq { generation, n: 0 };
        } else if generation == self.initial_gen {
            self.g_states
                .insert(gid, GState::new(status, Seq { generation, n: 0 }));
            old = GoState::Undetermined;
        } else {
            return Err(format!(
                "found goroutine status for new goroutine after the first generation: id={gid} status={}",
                go_status_name(status)
            ));
        }
        let mut new = cur;
        if status == GO_RUNNING {
            new.g = gid;
        } else if status == GO_SYSCALL {
            if mid == NONE {
                return Err(format!("found goroutine {gid} in syscall without a thread"));
            }
            if mid == cur.m {
                if generation != self.initial_gen && cur.g != gid {
                    return Err(format!(
                        "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                        cur.g
                    ));
                }
                new.g = gid;
            } else {
                match self.m_state(mid) {
                    Some(ms) if ms.g != gid => {
                        return Err(format!(
                            "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                            ms.g
                        ));
                    }
                    Some(ms) => cur.g = ms.g,
                    None => {
                        let i = self.m_slot(mid);
                        self.m_states[i].g = gid;
                    }
                }
                cur.m = mid;
            }
        }
        self.push_before(ev, cur, Before::Go(old));
        self.accept(new.p, new.g)
    }

    fn go_create(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        validate(cur, THREAD_PROC)?;
        if let Some(s) = self.g_states.get(&cur.g)
            && s.status != GO_RUNNING
        {
            return Err(format!(
                "{} event for goroutine that's not Running",
                spec(ev.typ).name
            ));
        }
        let new_g = ev.args[0] as i64;
        if self.g_states.contains_key(&new_g) {
            return Err(format!(
                "tried to create goroutine ({new_g}) that already exists"
            ));
        }
        let status = if ev.typ == EV_GO_CREATE_BLOCKED {
            GO_WAITING
        } else {
            GO_RUNNABLE
        };
        self.g_states
            .insert(new_g, GState::new(status, Seq { generation, n: 0 }));
        self.push(ev, cur);
        self.same(cur)
    }

    fn go_create_syscall(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        validate(cur, THREAD_NO_GOROUTINE)?;
        let new_g = ev.args[0] as i64;
        if self.g_states.contains_key(&new_g) {
            return Err(format!(
                "tried to create goroutine ({new_g}) in syscall that already exists"
            ));
        }
        self.g_states
            .insert(new_g, GState::new(GO_SYSCALL, Seq { generation, n: 0 }));
        self.push(ev, cur);
        self.accept(cur.p, new_g)
    }

    /// The running goroutine's state, which must exist and be Running.
    fn running_g(&mut self, ev: &BaseEvent, cur: Ctx, want: u64) -> Result<&mut GState, String> {
        let name = spec(ev.typ).name;
        let Some(s) = self.g_states.get_mut(&cur.g) else {
            return Err(format!(
                "event {name} for goroutine ({}) that doesn't exist",
                cur.g
            ));
        };
        if s.status != want {
            let want = if want == GO_SYSCALL && ev.typ == EV_GO_DESTROY_SYSCALL {
                "Syscall"
            } else {
                "Running"
            };
            return Err(format!("{name} event for goroutine that's not {want}"));
        }
        Ok(s)
    }

    fn go_stop_exec(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, USER)?;
        let s = self.running_g(ev, cur, GO_RUNNING)?;
        match ev.typ {
            EV_GO_STOP => s.status = GO_RUNNABLE,
            EV_GO_BLOCK => s.status = GO_WAITING,
            _ => {
                self.g_states.remove(&cur.g);
            }
        }
        self.push(ev, cur);
        self.accept(cur.p, NONE)
    }

    /// The state of goroutine `ev.args[0]` if it is in `status` and the
    /// event's sequence number (`ev.args[1]`) is its next one; else the
    /// event must wait.
    fn g_next_in_sequence(
        &mut self,
        ev: &BaseEvent,
        status: u64,
        generation: u64,
    ) -> Option<(&mut GState, Seq)> {
        let seq = Seq {
            generation,
            n: ev.args[1],
        };
        let s = self.g_states.get_mut(&(ev.args[0] as i64))?;
        (s.status == status && seq.succeeds(s.seq)).then_some((s, seq))
    }

    fn go_start(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        let gid = ev.args[0] as i64;
        let Some((s, seq)) = self.g_next_in_sequence(ev, GO_RUNNABLE, generation) else {
            return Ok(false);
        };
        validate(cur, THREAD_PROC_NO_GOROUTINE)?;
        s.status = GO_RUNNING;
        s.seq = seq;
        self.push(ev, cur);
        self.accept(cur.p, gid)
    }

    fn go_unblock(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        let Some((s, seq)) = self.g_next_in_sequence(ev, GO_WAITING, generation) else {
            return Ok(false);
        };
        s.status = GO_RUNNABLE;
        s.seq = seq;
        self.push(ev, cur);
        self.same(cur)
    }

    fn go_switch(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        validate(cur, USER)?;
        self.running_g(ev, cur, GO_RUNNING)?;
        let next = ev.args[0] as i64;
        let Some((_, seq)) = self.g_next_in_sequence(ev, GO_WAITING, generation) else {
            return Ok(false);
        };
        self.push(ev, cur);
        if ev.typ == EV_GO_SWITCH {
            if let Some(s) = self.g_states.get_mut(&cur.g) {
                s.status = GO_WAITING;
            }
            self.push_made(EV_GO_BLOCK, ev.time, cur, [0; 4]);
        } else {
            self.g_states.remove(&cur.g);
            self.push_made(EV_GO_DESTROY, ev.time, cur, [0; 4]);
        }
        let s = self.g_states.get_mut(&next).expect("checked above");
        s.status = GO_RUNNING;
        s.seq = seq;
        let start = Ctx { g: NONE, ..cur };
        self.push_made(EV_GO_START, ev.time, start, [next as u64, ev.args[1], 0, 0]);
        self.accept(cur.p, next)
    }

    /// The state of proc `p`, which must exist; `during` names the event
    /// in the error.
    fn p_state(&mut self, p: i64, during: &str) -> Result<&mut PState, String> {
        self.p_states
            .get_mut(&p)
            .ok_or_else(|| format!("uninitialized proc {p} found during {during}"))
    }

    fn go_syscall_begin(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        validate(cur, USER)?;
        self.running_g(ev, cur, GO_RUNNING)?.status = GO_SYSCALL;
        let p = self.p_state(cur.p, "GoSyscallBegin")?;
        p.status = PROC_SYSCALL;
        let seq = Seq {
            generation,
            n: ev.args[0],
        };
        if !seq.succeeds(p.seq) {
            return Err(format!(
                "failed to advance GoSyscallBegin: can't make sequence: {} (gen={}) -> {} (gen={})",
                p.seq.n, p.seq.generation, seq.n, seq.generation
            ));
        }
        p.seq = seq;
        self.push(ev, cur);
        self.same(cur)
    }

    fn go_syscall_end(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, USER)?;
        self.running_g(ev, cur, GO_SYSCALL)?.status = GO_RUNNING;
        let p = self.p_state(cur.p, "GoSyscallEnd")?;
        if p.status != PROC_SYSCALL {
            return Err(format!(
                "expected proc {} in state Syscall, but got {} instead",
                cur.p,
                proc_status_name(p.status)
            ));
        }
        p.status = PROC_RUNNING;
        self.push(ev, cur);
        self.same(cur)
    }

    fn go_syscall_end_blocked(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        if cur.p != NONE && self.p_state(cur.p, "GoSyscallEndBlocked")?.status == PROC_SYSCALL {
            return Ok(false);
        }
        validate(cur, THREAD_GOROUTINE)?;
        self.running_g(ev, cur, GO_SYSCALL)?.status = GO_RUNNABLE;
        self.push(ev, cur);
        self.accept(cur.p, NONE)
    }

    fn go_destroy_syscall(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, THREAD_GOROUTINE)?;
        self.running_g(ev, cur, GO_SYSCALL)?;
        self.g_states.remove(&cur.g);
        let mut new_p = cur.p;
        if cur.p != NONE {
            let Some(p) = self.p_states.get_mut(&cur.p) else {
                return Err(format!(
                    "found invalid proc {} during GoDestroySyscall",
                    cur.p
                ));
            };
            if p.status != PROC_SYSCALL {
                return Err(format!(
                    "proc {} in unexpected state {} during GoDestroySyscall",
                    cur.p,
                    proc_status_name(p.status)
                ));
            }
            p.status = PROC_SYSCALL_ABANDONED;
            new_p = NONE;
            let steal = RawEvent {
                before: Before::Proc(ProcState::Running),
                ..self.made(EV_PROC_STEAL, ev.time, cur, [cur.p as u64, 0, 0, 0])
            };
            self.queue.push_back(steal);
        }
        self.push(ev, cur);
        self.accept(new_p, NONE)
    }

    fn task_begin(&mut self, ev: &mut BaseEvent, cur: Ctx, table: &Table) -> Step {
        let id = ev.args[0];
        if self.active_tasks.contains_key(&id) {
            return Err(format!("task ID conflict: {id}"));
        }
        let mut parent = ev.args[1];
        if parent == 0 {
            parent = NO_TASK;
            ev.args[1] = NO_TASK;
        }
        let name_id = ev.args[2];
        if !table.has_string(name_id) {
            return Err(format!("invalid string ID {name_id} for {} event", ev.typ));
        }
        self.active_tasks
            .insert(id, (table.bytes(name_id).into(), parent));
        validate(cur, USER)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn task_end(&mut self, ev: &BaseEvent, cur: Ctx, table: &mut Table) -> Step {
        let (parent, name) = match self.active_tasks.remove(&ev.args[0]) {
            Some((name, parent)) => (parent, table.add_extra(&name)),
            None => (NO_TASK, 0),
        };
        validate(cur, USER)?;
        let mut raw = self.record(ev, cur);
        raw.set_task_end(parent, name);
        self.queue.push_back(raw);
        self.same(cur)
    }

    fn region(&mut self, ev: &BaseEvent, cur: Ctx, table: &Table) -> Step {
        validate(cur, USER)?;
        let task = ev.args[0];
        let name_id = ev.args[1];
        if !table.has_string(name_id) {
            return Err(format!("invalid string ID {name_id} for {} event", ev.typ));
        }
        let begin = ev.typ == EV_USER_REGION_BEGIN;
        let Some(s) = self.g_states.get_mut(&cur.g) else {
            let which = if begin {
                "EvUserRegionBegin"
            } else {
                "EvUserRegionEnd"
            };
            return Err(format!(
                "encountered {which} without known state for current goroutine {}",
                cur.g
            ));
        };
        let name = table.bytes(name_id);
        if begin {
            s.regions.push((task, name.into()));
        } else if let Some((top_task, top_name)) = s.regions.last() {
            if *top_task != task || &top_name[..] != name {
                return Err(format!(
                    "misuse of region in goroutine {}: region end {{{task} {}}} when the inner-most active region start event is {{{top_task} {}}}",
                    cur.g,
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(top_name)
                ));
            }
            s.regions.pop();
        }
        self.push(ev, cur);
        self.same(cur)
    }

    /// The first GC event seen: its sequence number, and GC running, are
    /// taken as they come.
    fn gc_first(&mut self, ev: &BaseEvent, cur: Ctx, seq: u64) -> Step {
        self.gc_seq = seq;
        self.gc_state = GcState::Running;
        self.push(ev, cur);
        self.same(cur)
    }

    fn gc_active(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        let seq = ev.args[0];
        if generation == self.initial_gen {
            if self.gc_state != GcState::Undetermined {
                return Err("GCActive in the first generation isn't first GC event".into());
            }
            return self.gc_first(ev, cur, seq);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc_state != GcState::Running {
            return Err("encountered GCActive while GC was not in progress".into());
        }
        self.gc_seq = seq;
        validate(cur, USER)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn gc_begin(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        let seq = ev.args[0];
        if self.gc_state == GcState::Undetermined {
            return self.gc_first(ev, cur, seq);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc_state == GcState::Running {
            return Err("encountered GCBegin while GC was already in progress".into());
        }
        self.gc_seq = seq;
        self.gc_state = GcState::Running;
        validate(cur, USER)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn gc_end(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        let seq = ev.args[0];
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        match self.gc_state {
            GcState::NotRunning => {
                return Err("encountered GCEnd when GC was not in progress".into());
            }
            GcState::Undetermined => {
                return Err("encountered GCEnd when GC was in an undetermined state".into());
            }
            GcState::Running => {}
        }
        self.gc_seq = seq;
        self.gc_state = GcState::NotRunning;
        validate(cur, USER)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn annotation(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, USER)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn heap_metric(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, THREAD_PROC)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn alloc_free(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, THREAD)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn sweep_begin(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, THREAD_PROC)?;
        self.p_state(cur.p, "sweep")?
            .ranges
            .begin((range_start(ev.typ), 0))?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn sweep_active(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        let pid = ev.args[0] as i64;
        let initial = generation == self.initial_gen;
        let Some(s) = self.p_states.get_mut(&pid) else {
            return Err(format!("encountered GCSweepActive for unknown proc {pid}"));
        };
        s.ranges.active((range_start(ev.typ), 0), initial)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn sweep_end(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, THREAD_PROC)?;
        self.p_state(cur.p, "sweep")?.ranges.end(ev.typ)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn g_for_range(&mut self, ev: &BaseEvent, g: i64) -> Result<&mut GState, String> {
        self.g_states.get_mut(&g).ok_or_else(|| {
            format!(
                "encountered event of type {} without known state for current goroutine {g}",
                ev.typ
            )
        })
    }

    fn go_range_begin(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, USER)?;
        let desc = if ev.typ == EV_STW_BEGIN {
            ev.args[0]
        } else {
            0
        };
        self.g_for_range(ev, cur.g)?
            .ranges
            .begin((range_start(ev.typ), desc))?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn go_range_active(&mut self, ev: &BaseEvent, cur: Ctx, generation: u64) -> Step {
        let gid = ev.args[0] as i64;
        let initial = generation == self.initial_gen;
        let Some(s) = self.g_states.get_mut(&gid) else {
            return Err(format!(
                "uninitialized goroutine {gid} found during GCMarkAssistActive"
            ));
        };
        s.ranges.active((range_start(ev.typ), 0), initial)?;
        self.push(ev, cur);
        self.same(cur)
    }

    fn go_range_end(&mut self, ev: &BaseEvent, cur: Ctx) -> Step {
        validate(cur, USER)?;
        let kind = self.g_for_range(ev, cur.g)?.ranges.end(ev.typ)?;
        let mut raw = self.record(ev, cur);
        if ev.typ == EV_STW_END {
            raw.set_stw_end_kind(kind);
        }
        self.queue.push_back(raw);
        self.same(cur)
    }
}

/// The begin event a range's events are keyed by.
fn range_start(typ: EventType) -> EventType {
    match spec(typ).start {
        0 => typ,
        s => s,
    }
}

fn go_status_name(s: u64) -> &'static str {
    ["Bad", "Runnable", "Running", "Syscall", "Waiting"]
        .get(s as usize)
        .copied()
        .unwrap_or("Bad")
}

fn proc_status_name(s: u64) -> &'static str {
    ["Bad", "Running", "Idle", "Syscall", "SyscallAbandoned"]
        .get(s as usize)
        .copied()
        .unwrap_or("Bad")
}
