//! The v1 parser's final pass: checks that procs, goroutines, GC, STW,
//! sweep, assist, task and region events form a consistent history, and
//! makes the adjustments Go's parser makes on the way (fake Ps for GC and
//! network wake-ups, a goroutine's creation stack on its first start,
//! references to missing stacks dropped).

use super::parse::{GC_P, NETPOLL_P, SYSCALL_P, TIMER_P, V1Trace};
use super::spec::*;
use crate::error::{Error, Result};
use rustc_hash::FxHashMap as HashMap;

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
    /// Index of the GoCreate event, until the first start.
    create: Option<usize>,
    assist: bool,
}

#[derive(Clone, Copy, Default)]
struct PDesc {
    running: bool,
    g: u64,
    sweep: bool,
}

/// How the merged events' tick times become nanoseconds.
pub(crate) struct Clock<'a> {
    pub(crate) ns_per_tick: f64,
    /// Goroutines whose wake-ups Go's parser files under the timer P.
    pub(crate) timer_goroutines: &'a HashMap<u64, ()>,
}

/// Converts times to ns since the first event, assigns the fake Ps, checks
/// the history, and marks each GoSysCall whose goroutine's next event
/// blocks in it (`args[0] = 1`; the event has no arguments of its own).
pub(crate) fn post_process(trace: &mut V1Trace, clock: &Clock<'_>) -> Result<()> {
    let events = &mut trace.events;
    let min_ts = events.first().map_or(0, |e| e.ts);
    let mut pending_syscall: HashMap<u64, usize> = HashMap::default();
    let mut gs: HashMap<u64, GDesc> = HashMap::default();
    let mut ps: HashMap<i32, PDesc> = HashMap::default();
    let mut tasks: HashMap<u64, usize> = HashMap::default();
    let mut regions: HashMap<u64, Vec<(u64, u64)>> = HashMap::default();
    gs.insert(
        0,
        GDesc {
            state: GState::Running,
            ..GDesc::default()
        },
    );
    let mut in_gc = false;
    let mut in_stw = false;
    for i in 0..events.len() {
        {
            let ev = &mut events[i];
            ev.ts = (ev.ts.wrapping_sub(min_ts) as f64 * clock.ns_per_tick) as i64;
            if ev.typ == EV_GO_UNBLOCK && clock.timer_goroutines.contains_key(&ev.g) {
                ev.p = TIMER_P;
            }
            if ev.typ == EV_GO_SYS_EXIT {
                ev.p = SYSCALL_P;
            }
        }
        if !pending_syscall.is_empty()
            && let Some(j) = pending_syscall.remove(&events[i].g)
            && events[i].typ == EV_GO_SYS_BLOCK
        {
            events[j].args[0] = 1;
        }
        if events[i].typ == EV_GO_SYS_CALL {
            pending_syscall.insert(events[i].g, i);
        }
        let ev = events[i];
        let err = |msg: String| Err(Error::at(ev.offset(), msg));
        let name = desc(ev.typ).name;
        let (ts, g_id, p_id) = (ev.ts, ev.g, ev.p);
        let check_running = |p: PDesc, g: GDesc, allow_g0: bool| -> Result<()> {
            if g.state != GState::Running {
                return err(format!("g {g_id} is not running while {name} (time {ts})"));
            }
            if p.g != g_id {
                return err(format!(
                    "p {p_id} is not running g {g_id} while {name} (time {ts})"
                ));
            }
            if !allow_g0 && g_id == 0 {
                return err(format!("g 0 did {name} (time {ts})"));
            }
            Ok(())
        };
        let mut g = gs.get(&ev.g).copied().unwrap_or_default();
        let mut p = ps.get(&ev.p).copied().unwrap_or_default();
        match ev.typ {
            EV_PROC_START => {
                if p.running {
                    return err(format!("p {p_id} is running before start (time {ts})"));
                }
                p.running = true;
                ps.insert(ev.p, p);
            }
            EV_PROC_STOP => {
                if !p.running {
                    return err(format!("p {p_id} is not running before stop (time {ts})"));
                }
                if p.g != 0 {
                    return err(format!(
                        "p {p_id} is running a goroutine {} during stop (time {ts})",
                        p.g
                    ));
                }
                p.running = false;
                ps.insert(ev.p, p);
            }
            EV_GC_START => {
                if in_gc {
                    return err(format!(
                        "previous GC is not ended before a new one (time {ts})"
                    ));
                }
                in_gc = true;
                events[i].p = GC_P;
            }
            EV_GC_DONE => {
                if !in_gc {
                    return err(format!("bogus GC end (time {ts})"));
                }
                in_gc = false;
            }
            EV_STW_START => {
                if in_stw {
                    return err(format!(
                        "previous STW is not ended before a new one (time {ts})"
                    ));
                }
                in_stw = true;
            }
            EV_STW_DONE => {
                if !in_stw {
                    return err(format!("bogus STW end (time {ts})"));
                }
                in_stw = false;
            }
            EV_GC_SWEEP_START => {
                if p.sweep {
                    return err(format!(
                        "previous sweeping is not ended before a new one (time {ts})"
                    ));
                }
                p.sweep = true;
                ps.insert(ev.p, p);
            }
            EV_GC_MARK_ASSIST_START => {
                if g.assist {
                    return err(format!(
                        "previous mark assist is not ended before a new one (time {ts})"
                    ));
                }
                g.assist = true;
                gs.insert(ev.g, g);
            }
            EV_GC_MARK_ASSIST_DONE => {
                g.assist = false;
                gs.insert(ev.g, g);
            }
            EV_GC_SWEEP_DONE => {
                if !p.sweep {
                    return err(format!("bogus sweeping end (time {ts})"));
                }
                p.sweep = false;
                ps.insert(ev.p, p);
            }
            EV_GO_WAITING | EV_GO_IN_SYSCALL => {
                if g.state != GState::Runnable {
                    return err(format!(
                        "g {g_id} is not runnable before Ev{name} (time {ts})"
                    ));
                }
                g.state = GState::Waiting;
                g.last = Some(ev.typ);
                gs.insert(ev.g, g);
            }
            EV_GO_CREATE => {
                check_running(p, g, true)?;
                let new = ev.args[0];
                if gs.contains_key(&new) {
                    return err(format!("g {new} already exists (time {ts})"));
                }
                gs.insert(
                    new,
                    GDesc {
                        state: GState::Runnable,
                        last: Some(ev.typ),
                        create: Some(i),
                        assist: false,
                    },
                );
            }
            EV_GO_START | EV_GO_START_LABEL => {
                if g.state != GState::Runnable {
                    return err(format!("g {g_id} is not runnable before start (time {ts})"));
                }
                if p.g != 0 {
                    return err(format!(
                        "p {p_id} is already running g {} while start g {g_id} (time {ts})",
                        p.g
                    ));
                }
                g.state = GState::Running;
                p.g = ev.g;
                if let Some(c) = g.create.take() {
                    events[i].stk = events[c].args[1] as u32;
                }
                g.last = None;
                gs.insert(ev.g, g);
                ps.insert(ev.p, p);
            }
            EV_GO_END | EV_GO_STOP => {
                check_running(p, g, false)?;
                g.state = GState::Dead;
                p.g = 0;
                if ev.typ == EV_GO_END {
                    regions.remove(&ev.g);
                }
                gs.insert(ev.g, g);
                ps.insert(ev.p, p);
            }
            EV_GO_SCHED | EV_GO_PREEMPT => {
                check_running(p, g, false)?;
                g.state = GState::Runnable;
                p.g = 0;
                g.last = Some(ev.typ);
                gs.insert(ev.g, g);
                ps.insert(ev.p, p);
            }
            EV_GO_UNBLOCK => {
                if g.state != GState::Running {
                    return err(format!("g {g_id} is not running while unpark (time {ts})"));
                }
                if ev.p != TIMER_P && p.g != ev.g {
                    return err(format!(
                        "p {p_id} is not running g {g_id} while unpark (time {ts})"
                    ));
                }
                let target = ev.args[0];
                let mut g1 = gs.get(&target).copied().unwrap_or_default();
                if g1.state != GState::Waiting {
                    return err(format!(
                        "g {target} is not waiting before unpark (time {ts})"
                    ));
                }
                if g1.last == Some(EV_GO_BLOCK_NET) {
                    events[i].p = NETPOLL_P;
                }
                g1.state = GState::Runnable;
                g1.last = Some(ev.typ);
                gs.insert(target, g1);
            }
            EV_GO_SYS_CALL => {
                check_running(p, g, false)?;
                g.last = Some(ev.typ);
                gs.insert(ev.g, g);
            }
            EV_GO_SYS_BLOCK => {
                check_running(p, g, false)?;
                g.state = GState::Waiting;
                p.g = 0;
                gs.insert(ev.g, g);
                ps.insert(ev.p, p);
            }
            EV_GO_SYS_EXIT => {
                if g.state != GState::Waiting {
                    return err(format!(
                        "g {g_id} is not waiting during syscall exit (time {ts})"
                    ));
                }
                g.state = GState::Runnable;
                g.last = Some(ev.typ);
                gs.insert(ev.g, g);
            }
            t if is_block(t) => {
                check_running(p, g, false)?;
                g.state = GState::Waiting;
                g.last = Some(ev.typ);
                p.g = 0;
                gs.insert(ev.g, g);
                ps.insert(ev.p, p);
            }
            EV_USER_TASK_CREATE => {
                let id = ev.args[0];
                if tasks.contains_key(&id) {
                    return err(format!("task id conflicts (id:{id})"));
                }
                tasks.insert(id, i);
            }
            EV_USER_TASK_END => {
                tasks.remove(&ev.args[0]);
            }
            EV_USER_REGION => {
                let stack = regions.entry(ev.g).or_default();
                match ev.args[1] {
                    0 => stack.push((ev.args[0], ev.args[2])),
                    1 => {
                        if let Some(&(task, name_id)) = stack.last() {
                            if task != ev.args[0] || name_id != ev.args[2] {
                                return err(format!("misuse of region in goroutine {g_id}"));
                            }
                            stack.pop();
                        }
                    }
                    _ => return err("invalid user region mode".into()),
                }
            }
            _ => {}
        }
        let stk = events[i].stk;
        if stk != 0 && trace.stacks.get(&stk).is_none_or(|s| s.is_empty()) {
            events[i].stk = 0;
        }
    }
    Ok(())
}
