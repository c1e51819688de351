//! The v1 parser's final pass: checks that procs, goroutines, GC, STW,
//! sweep, assist, task and region events form a consistent history, and
//! makes the adjustments Go's parser makes on the way (fake Ps for GC and
//! network wake-ups, a goroutine's creation stack on its first start,
//! references to stacks with no frames dropped), one event at a time.
//! A reference to a stack that is not defined at all is an error: the
//! trace was cut inside the stack table the runtime writes at its end
//! (Go's parser drops such references too, and its converter then fails).

use super::parse::{GC_P, NETPOLL_P, SYSCALL_P, TIMER_P, V1Event};
use super::pmap::PMap;
use super::spec::*;
use crate::error::{Error, Result};
use crate::table::{IdMap, Table};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::VecDeque;

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum GState {
    #[default]
    Dead,
    Runnable,
    Running,
    Waiting,
}

#[derive(Clone, Copy, Default)]
struct GDesc {
    state: GState,
    /// Type of the last event that changed the goroutine's state.
    last: Option<u8>,
    /// The stack of the GoCreate event, until the first start.
    create_stack: Option<u32>,
    assist: bool,
}

#[derive(Clone, Copy, Default)]
struct PDesc {
    running: bool,
    g: u64,
    sweep: bool,
}

/// Where the checks look stacks up.
pub(crate) struct Stacks<'a> {
    pub(crate) table: &'a Table,
    /// Stacks defined with no frames.
    pub(crate) empty: &'a HashSet<u64>,
    /// Offset just past the trace's data.
    pub(crate) end: u64,
}

impl Stacks<'_> {
    /// Whether stack `id` has frames. A stack that is not defined at all
    /// is missing from the stack table the runtime writes at the end of
    /// the trace: the trace was cut short.
    #[inline(always)]
    fn has_frames(&self, id: u64, ev: &V1Event) -> Result<bool> {
        if id == 0 {
            return Ok(false);
        }
        if self.table.has_stack(id) {
            return Ok(true);
        }
        self.no_frames(id, ev)
    }

    /// [`Stacks::has_frames`] of a stack the table does not hold.
    #[cold]
    #[inline(never)]
    fn no_frames(&self, id: u64, ev: &V1Event) -> Result<bool> {
        if self.empty.contains(&id) {
            return Ok(false);
        }
        let msg = format!(
            "trace cut short: stack {id} of the event at byte offset {} is not in the stack table",
            ev.offset()
        );
        Err(Error::at(self.end, msg))
    }
}

/// The checks and adjustments Go's parser makes after the merge, one event
/// at a time in the final order: times become ns since the first event,
/// the fake Ps are assigned, the history is checked, and each GoSysCall
/// whose goroutine's next event blocks in it is marked (`args[0] = 1`; the
/// event has no arguments of its own). A GoSysCall waits here, with the
/// events after it, until that next event is known.
pub(crate) struct Checker {
    ns_per_tick: f64,
    /// Goroutines whose wake-ups Go's parser files under the timer P.
    timer_goroutines: HashSet<u64>,
    min_ts: Option<i64>,
    history: History,
    queue: VecDeque<V1Event>,
    /// Number of events popped from `queue`.
    popped: u64,
    /// Goroutines whose last event is a GoSysCall, and its number (else
    /// [`NO_CALL`]), by goroutine ID (every event looks its goroutine up
    /// while any is pending).
    pending_syscall: IdMap<u64>,
    /// How many goroutines have a pending GoSysCall.
    pending: usize,
}

/// In [`Checker::pending_syscall`]: no pending GoSysCall.
const NO_CALL: u64 = u64::MAX;

impl Checker {
    pub(crate) fn new(ns_per_tick: f64, timer_goroutines: HashSet<u64>) -> Checker {
        let mut history = History::default();
        history.gs.set(
            0,
            GDesc {
                state: GState::Running,
                ..GDesc::default()
            },
        );
        Checker {
            ns_per_tick,
            timer_goroutines,
            min_ts: None,
            history,
            queue: VecDeque::new(),
            popped: 0,
            pending_syscall: IdMap::default(),
            pending: 0,
        }
    }

    /// Checks and adjusts the next event of the final order (time in
    /// ticks); adds it to `out` at once if nothing waits, else queues it.
    #[inline(always)]
    pub(crate) fn push(
        &mut self,
        mut ev: V1Event,
        stacks: &Stacks<'_>,
        out: &mut Vec<V1Event>,
    ) -> Result<()> {
        let min_ts = *self.min_ts.get_or_insert(ev.ts);
        ev.ts = (ev.ts.wrapping_sub(min_ts) as f64 * self.ns_per_tick) as i64;
        if ev.typ == EV_GO_UNBLOCK && self.timer_goroutines.contains(&ev.g) {
            ev.p = TIMER_P;
        }
        if ev.typ == EV_GO_SYS_EXIT {
            ev.p = SYSCALL_P;
        }
        if self.pending != 0
            && let Some(j) = self.take_pending(ev.g)
            && ev.typ == EV_GO_SYS_BLOCK
            && let Some(call) = usize::try_from(j - self.popped)
                .ok()
                .and_then(|i| self.queue.get_mut(i))
        {
            call.args[0] = 1;
        }
        if ev.typ == EV_GO_SYS_CALL {
            // (None is pending for `ev.g`: it was taken above.)
            let n = self.popped + self.queue.len() as u64;
            self.pending_syscall.set(ev.g, n);
            self.pending += 1;
        }
        self.history.apply(&mut ev)?;
        if ev.typ == EV_GO_CREATE {
            stacks.has_frames(ev.args[1], &ev)?;
        }
        if ev.stk != 0 && !stacks.has_frames(u64::from(ev.stk), &ev)? {
            ev.stk = 0;
        }
        if self.queue.is_empty() && ev.typ != EV_GO_SYS_CALL {
            self.popped += 1;
            out.push(ev);
        } else {
            self.queue.push_back(ev);
        }
        Ok(())
    }

    /// The number of goroutine `g`'s pending GoSysCall, which is no
    /// longer pending.
    #[inline]
    fn take_pending(&mut self, g: u64) -> Option<u64> {
        match self.pending_syscall.get(g) {
            Some(j) if j != NO_CALL => {
                self.pending_syscall.set(g, NO_CALL);
                self.pending -= 1;
                Some(j)
            }
            _ => None,
        }
    }

    /// The next checked event, unless it is a GoSysCall whose goroutine's
    /// next event is not known yet and `end` is false.
    #[inline(always)]
    pub(crate) fn pop(&mut self, end: bool) -> Option<V1Event> {
        if self.queue.is_empty() {
            return None;
        }
        self.pop_queued(end)
    }

    fn pop_queued(&mut self, end: bool) -> Option<V1Event> {
        let front = self.queue.front()?;
        if !end
            && front.typ == EV_GO_SYS_CALL
            && self.pending_syscall.get(front.g) == Some(self.popped)
        {
            return None;
        }
        self.popped += 1;
        self.queue.pop_front()
    }
}

/// The state the checks follow: goroutines, procs, GC and STW, tasks and
/// each goroutine's open regions. Goroutines are numbered densely by the
/// runtime, so they are kept in a vector indexed by ID (a map for outliers).
#[derive(Default)]
struct History {
    gs: IdMap<GDesc>,
    ps: PMap<PDesc>,
    tasks: HashMap<u64, ()>,
    regions: HashMap<u64, Vec<(u64, u64)>>,
    in_gc: bool,
    in_stw: bool,
}

/// The error for event `ev`.
fn fail(ev: &V1Event, msg: String) -> Error {
    Error::at(ev.offset(), msg)
}

/// The error of [`History::check_running`].
#[cold]
#[inline(never)]
fn not_running(ev: &V1Event, p: PDesc, g: GDesc) -> Error {
    let name = desc(ev.typ).name;
    let (ts, g_id, p_id) = (ev.ts, ev.g, ev.p);
    let msg = if g.state != GState::Running {
        format!("g {g_id} is not running while {name} (time {ts})")
    } else if p.g != g_id {
        format!("p {p_id} is not running g {g_id} while {name} (time {ts})")
    } else {
        format!("g 0 did {name} (time {ts})")
    };
    fail(ev, msg)
}

impl History {
    /// Checks one event against the history and applies it, adjusting the
    /// event as Go's parser does (fake Ps, creation stacks).
    #[inline]
    fn apply(&mut self, ev: &mut V1Event) -> Result<()> {
        // The event's goroutine and proc, looked up only by the events
        // that use them.
        let (g_id, p_id) = (ev.g, ev.p);
        let g = |h: &History| h.gs.get(g_id).unwrap_or_default();
        let p = |h: &History| h.ps.get(p_id).unwrap_or_default();
        match ev.typ {
            EV_GO_START | EV_GO_START_LABEL => self.go_start(ev, p(self), g(self)),
            t if matches!(t, EV_GO_END | EV_GO_STOP | EV_GO_SCHED | EV_GO_PREEMPT)
                || is_block(t) =>
            {
                self.go_leave(ev, p(self), g(self))
            }
            EV_PROC_START | EV_PROC_STOP => self.proc(ev, p(self)),
            EV_GC_START | EV_GC_DONE => self.gc(ev),
            EV_STW_START | EV_STW_DONE => self.stw(ev),
            EV_GC_SWEEP_START | EV_GC_SWEEP_DONE => self.sweep(ev, p(self)),
            EV_GC_MARK_ASSIST_START | EV_GC_MARK_ASSIST_DONE => self.assist(ev, g(self)),
            EV_GO_WAITING | EV_GO_IN_SYSCALL => {
                let g = g(self);
                if g.state != GState::Runnable {
                    let name = desc(ev.typ).name;
                    let (g_id, ts) = (ev.g, ev.ts);
                    let msg = format!("g {g_id} is not runnable before Ev{name} (time {ts})");
                    return Err(fail(ev, msg));
                }
                self.set_g(ev, g, GState::Waiting, Some(ev.typ));
                Ok(())
            }
            EV_GO_CREATE => self.go_create(ev, p(self), g(self)),
            EV_GO_UNBLOCK => self.go_unblock(ev, p(self), g(self)),
            EV_GO_SYS_EXIT => {
                let g = g(self);
                if g.state != GState::Waiting {
                    let (g_id, ts) = (ev.g, ev.ts);
                    let msg = format!("g {g_id} is not waiting during syscall exit (time {ts})");
                    return Err(fail(ev, msg));
                }
                self.set_g(ev, g, GState::Runnable, Some(ev.typ));
                Ok(())
            }
            EV_GO_SYS_CALL => {
                let g = g(self);
                self.check_running(ev, p(self), g, false)?;
                self.set_g(ev, g, g.state, Some(ev.typ));
                Ok(())
            }
            EV_USER_TASK_CREATE => {
                let id = ev.args[0];
                if self.tasks.insert(id, ()).is_some() {
                    return Err(fail(ev, format!("task id conflicts (id:{id})")));
                }
                Ok(())
            }
            EV_USER_TASK_END => {
                self.tasks.remove(&ev.args[0]);
                Ok(())
            }
            EV_USER_REGION => self.region(ev),
            _ => Ok(()),
        }
    }

    /// Records goroutine `ev.g`'s new state and last state change.
    #[inline(always)]
    fn set_g(&mut self, ev: &V1Event, mut g: GDesc, state: GState, last: Option<u8>) {
        g.state = state;
        g.last = last;
        self.gs.set(ev.g, g);
    }

    /// That goroutine `ev.g` is running on proc `ev.p` (and is not g 0,
    /// unless `allow_g0`).
    #[inline(always)]
    fn check_running(&self, ev: &V1Event, p: PDesc, g: GDesc, allow_g0: bool) -> Result<()> {
        if g.state == GState::Running && p.g == ev.g && (allow_g0 || ev.g != 0) {
            return Ok(());
        }
        Err(not_running(ev, p, g))
    }

    fn proc(&mut self, ev: &V1Event, mut p: PDesc) -> Result<()> {
        let (p_id, ts) = (ev.p, ev.ts);
        if ev.typ == EV_PROC_START {
            if p.running {
                let msg = format!("p {p_id} is running before start (time {ts})");
                return Err(fail(ev, msg));
            }
            p.running = true;
        } else {
            if !p.running {
                let msg = format!("p {p_id} is not running before stop (time {ts})");
                return Err(fail(ev, msg));
            }
            if p.g != 0 {
                let msg = format!(
                    "p {p_id} is running a goroutine {} during stop (time {ts})",
                    p.g
                );
                return Err(fail(ev, msg));
            }
            p.running = false;
        }
        self.ps.insert(ev.p, p);
        Ok(())
    }

    /// A GC start or end; the start moves to the fake GC proc.
    fn gc(&mut self, ev: &mut V1Event) -> Result<()> {
        let ts = ev.ts;
        if ev.typ == EV_GC_START {
            if self.in_gc {
                let msg = format!("previous GC is not ended before a new one (time {ts})");
                return Err(fail(ev, msg));
            }
            self.in_gc = true;
            ev.p = GC_P;
        } else {
            if !self.in_gc {
                return Err(fail(ev, format!("bogus GC end (time {ts})")));
            }
            self.in_gc = false;
        }
        Ok(())
    }

    fn stw(&mut self, ev: &V1Event) -> Result<()> {
        let ts = ev.ts;
        let start = ev.typ == EV_STW_START;
        if start && self.in_stw {
            let msg = format!("previous STW is not ended before a new one (time {ts})");
            return Err(fail(ev, msg));
        }
        if !start && !self.in_stw {
            return Err(fail(ev, format!("bogus STW end (time {ts})")));
        }
        self.in_stw = start;
        Ok(())
    }

    fn sweep(&mut self, ev: &V1Event, mut p: PDesc) -> Result<()> {
        let ts = ev.ts;
        let start = ev.typ == EV_GC_SWEEP_START;
        if start && p.sweep {
            let msg = format!("previous sweeping is not ended before a new one (time {ts})");
            return Err(fail(ev, msg));
        }
        if !start && !p.sweep {
            return Err(fail(ev, format!("bogus sweeping end (time {ts})")));
        }
        p.sweep = start;
        self.ps.insert(ev.p, p);
        Ok(())
    }

    fn assist(&mut self, ev: &V1Event, mut g: GDesc) -> Result<()> {
        let start = ev.typ == EV_GC_MARK_ASSIST_START;
        if start && g.assist {
            let ts = ev.ts;
            let msg = format!("previous mark assist is not ended before a new one (time {ts})");
            return Err(fail(ev, msg));
        }
        g.assist = start;
        self.gs.set(ev.g, g);
        Ok(())
    }

    fn go_create(&mut self, ev: &V1Event, p: PDesc, g: GDesc) -> Result<()> {
        self.check_running(ev, p, g, true)?;
        let new = ev.args[0];
        if self.gs.contains(new) {
            let ts = ev.ts;
            return Err(fail(ev, format!("g {new} already exists (time {ts})")));
        }
        let created = GDesc {
            state: GState::Runnable,
            last: Some(ev.typ),
            create_stack: Some(ev.args[1] as u32),
            assist: false,
        };
        self.gs.set(new, created);
        Ok(())
    }

    /// A start; a goroutine's first start takes the stack of its creation.
    #[inline(always)]
    fn go_start(&mut self, ev: &mut V1Event, mut p: PDesc, mut g: GDesc) -> Result<()> {
        let (g_id, p_id, ts) = (ev.g, ev.p, ev.ts);
        if g.state != GState::Runnable {
            let msg = format!("g {g_id} is not runnable before start (time {ts})");
            return Err(fail(ev, msg));
        }
        if p.g != 0 {
            let msg = format!(
                "p {p_id} is already running g {} while start g {g_id} (time {ts})",
                p.g
            );
            return Err(fail(ev, msg));
        }
        p.g = ev.g;
        if let Some(stk) = g.create_stack.take() {
            ev.stk = stk;
        }
        self.set_g(ev, g, GState::Running, None);
        self.ps.insert(ev.p, p);
        Ok(())
    }

    /// The running goroutine stops running: it ends, yields or blocks.
    #[inline(always)]
    fn go_leave(&mut self, ev: &V1Event, mut p: PDesc, g: GDesc) -> Result<()> {
        self.check_running(ev, p, g, false)?;
        p.g = 0;
        let (state, last) = match ev.typ {
            EV_GO_END | EV_GO_STOP => (GState::Dead, g.last),
            EV_GO_SCHED | EV_GO_PREEMPT => (GState::Runnable, Some(ev.typ)),
            EV_GO_SYS_BLOCK => (GState::Waiting, g.last),
            _ => (GState::Waiting, Some(ev.typ)),
        };
        if ev.typ == EV_GO_END {
            self.regions.remove(&ev.g);
        }
        self.set_g(ev, g, state, last);
        self.ps.insert(ev.p, p);
        Ok(())
    }

    /// A wake-up; one of a goroutine blocked on the network moves to the
    /// fake netpoll proc.
    fn go_unblock(&mut self, ev: &mut V1Event, p: PDesc, g: GDesc) -> Result<()> {
        let (g_id, p_id, ts) = (ev.g, ev.p, ev.ts);
        if g.state != GState::Running {
            let msg = format!("g {g_id} is not running while unpark (time {ts})");
            return Err(fail(ev, msg));
        }
        if ev.p != TIMER_P && p.g != ev.g {
            let msg = format!("p {p_id} is not running g {g_id} while unpark (time {ts})");
            return Err(fail(ev, msg));
        }
        let target = ev.args[0];
        let woken = self.gs.get(target).unwrap_or_default();
        if woken.state != GState::Waiting {
            let msg = format!("g {target} is not waiting before unpark (time {ts})");
            return Err(fail(ev, msg));
        }
        if woken.last == Some(EV_GO_BLOCK_NET) {
            ev.p = NETPOLL_P;
        }
        let mut woken = woken;
        woken.state = GState::Runnable;
        woken.last = Some(ev.typ);
        self.gs.set(target, woken);
        Ok(())
    }

    /// A region's begin or end, which must match the innermost open one.
    fn region(&mut self, ev: &V1Event) -> Result<()> {
        let stack = self.regions.entry(ev.g).or_default();
        match ev.args[1] {
            0 => stack.push((ev.args[0], ev.args[2])),
            1 => {
                if let Some(&(task, name_id)) = stack.last() {
                    if task != ev.args[0] || name_id != ev.args[2] {
                        let g_id = ev.g;
                        return Err(fail(ev, format!("misuse of region in goroutine {g_id}")));
                    }
                    stack.pop();
                }
            }
            _ => return Err(fail(ev, "invalid user region mode".into())),
        }
        Ok(())
    }
}
