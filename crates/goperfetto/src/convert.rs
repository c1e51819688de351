//! The main pass: each event of the trace becomes what it means on the
//! timeline, as it is read: goroutine states, the goroutine each P runs,
//! GC and stop-the-world ranges, tasks, user regions, logs, metrics, CPU
//! samples, and flows from each wake-up to the woken goroutine's next run
//! (found with `analysis::links`). Only live goroutines, open slices and
//! pending wake-ups are held.

use crate::error::{Error, Result};
use crate::ids::{Counter, Track, flow};
use crate::requests::Marks;
use crate::timeline::{Desc, Shape, Timeline};
use crate::window::{Bound, Window};
use analysis::links::{LinkKind, LinkTracker};
use gotrace::{
    Event, EventKind, GoState, RangeName, Reader, Resource, Stack, TraceSource, Transition,
};
use perfetto::{Arg, CounterUnit, Details, StackFrame, Writer};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;
use std::rc::Rc;

/// A Go time as a Perfetto timestamp (never negative).
pub(crate) fn ts(t: i64) -> u64 {
    t.max(0) as u64
}

/// What is kept of a live goroutine.
struct G {
    /// Its track's name: `G<id> <start function>`.
    name: Rc<str>,
    /// The P it runs on, or NONE.
    on_p: i64,
    /// The flow begun by its latest wake-up, ended at its next run.
    wake: Option<u64>,
}

/// No stack: the type `Timeline::begin` and `instant` take for none.
pub(crate) type NoStack = Option<(u64, fn() -> Vec<StackFrame<'static>>)>;
pub(crate) const NO_STACK: NoStack = None;

/// The frames of a stack, leaf first, for the writer.
fn frames<'a>(s: Stack<'a>) -> impl FnOnce() -> Vec<StackFrame<'a>> {
    move || {
        s.frames()
            .map(|f| StackFrame {
                func: f.func(),
                file: f.file(),
                line: f.line(),
                pc: f.pc(),
            })
            .collect()
    }
}

/// One input's conversion state.
pub(crate) struct Converter<'w, W: Write> {
    input: u32,
    tl: Timeline<'w, W>,
    /// Goroutines to show (None: all).
    shown: Option<FxHashSet<i64>>,
    gs: FxHashMap<i64, G>,
    /// By P: the goroutine its track shows running.
    running: FxHashMap<i64, i64>,
    links: LinkTracker,
    /// Open tasks' lanes, and the free lanes.
    tasks: FxHashMap<u64, u32>,
    free_lanes: BinaryHeap<Reverse<u32>>,
    lanes: u32,
    /// Counter values, and the last written.
    counters: FxHashMap<Counter, (i64, Option<i64>)>,
    alive: i64,
    runnable: i64,
    names: FxHashSet<Rc<str>>,
}

impl<'w, W: Write> Converter<'w, W> {
    pub(crate) fn new(
        w: &'w mut Writer<W>,
        input: u32,
        name: &str,
        shown: Option<FxHashSet<i64>>,
        live: bool,
    ) -> Converter<'w, W> {
        let mut tl = Timeline::new(w, live);
        tl.declare(
            Track::Process.uuid(input),
            Desc {
                parent: 0,
                name: name.to_owned(),
                rank: 0,
                shape: Shape::Process(input as i32 + 1),
            },
        );
        Converter {
            input,
            tl,
            shown,
            gs: FxHashMap::default(),
            running: FxHashMap::default(),
            links: LinkTracker::new(),
            tasks: FxHashMap::default(),
            free_lanes: BinaryHeap::new(),
            lanes: 0,
            counters: FxHashMap::default(),
            alive: 0,
            runnable: 0,
            names: FxHashSet::default(),
        }
    }

    pub(crate) fn uuid(&self, t: Track) -> u64 {
        t.uuid(self.input)
    }

    /// A shared copy of a name (names repeat: states, reasons, kinds).
    pub(crate) fn name(&mut self, s: &str) -> Rc<str> {
        if let Some(n) = self.names.get(s) {
            return n.clone();
        }
        let n: Rc<str> = Rc::from(s);
        self.names.insert(n.clone());
        n
    }

    fn shows(&self, g: i64) -> bool {
        self.shown.as_ref().is_none_or(|s| s.contains(&g))
    }

    fn goroutine_name(&self, g: i64) -> String {
        match self.gs.get(&g) {
            Some(x) => x.name.to_string(),
            None => format!("G{g}"),
        }
    }

    /// Declares track `t` if it is not yet.
    pub(crate) fn ensure(&mut self, t: Track) {
        let uuid = self.uuid(t);
        if self.tl.known(uuid) {
            return;
        }
        let process = self.uuid(Track::Process);
        let slices = |parent: u64, name: String, rank: i64| Desc {
            parent,
            name,
            rank: rank.clamp(0, i32::MAX as i64) as i32,
            shape: Shape::Slices,
        };
        let counter = |name: &str, unit, rank| Desc {
            parent: process,
            name: name.to_owned(),
            rank,
            shape: Shape::Counter(unit),
        };
        let desc = match t {
            Track::Process => return,
            Track::Goroutine(g) => slices(process, self.goroutine_name(g), 1_000_000 + g),
            Track::UserRegions(g) => {
                self.ensure(Track::Goroutine(g));
                slices(self.uuid(Track::Goroutine(g)), format!("G{g} regions"), 1)
            }
            Track::Assists(g) => {
                self.ensure(Track::Goroutine(g));
                slices(
                    self.uuid(Track::Goroutine(g)),
                    format!("G{g} GC assists"),
                    2,
                )
            }
            Track::Requests(g, lane) => {
                self.ensure(Track::Goroutine(g));
                let name = format!("G{g} regiongraph");
                slices(self.uuid(Track::Goroutine(g)), name, 3 + i64::from(lane))
            }
            Track::Critical(g, lane) => {
                self.ensure(Track::Goroutine(g));
                let name = format!("G{g} critical path");
                slices(self.uuid(Track::Goroutine(g)), name, 300 + i64::from(lane))
            }
            Track::Proc(p) => slices(process, format!("P{p}"), 1_000 + p),
            Track::Sweeps(p) => {
                self.ensure(Track::Proc(p));
                slices(self.uuid(Track::Proc(p)), format!("P{p} GC sweeps"), 1)
            }
            Track::Gc => slices(process, "GC".into(), 10),
            Track::Stw => slices(process, "Stop the world".into(), 11),
            Track::Runtime => slices(process, "Runtime (no goroutine)".into(), 12),
            Track::Tasks => slices(process, "Tasks".into(), 20),
            Track::TaskLane(n) => {
                self.ensure(Track::Tasks);
                slices(self.uuid(Track::Tasks), format!("Tasks {n}"), i64::from(n))
            }
            Track::Counter(c) => match c {
                Counter::Heap => counter("Heap in use (bytes)", CounterUnit::SizeBytes, 1),
                Counter::HeapGoal => counter("Heap goal (bytes)", CounterUnit::SizeBytes, 2),
                Counter::Gomaxprocs => counter("GOMAXPROCS", CounterUnit::Count, 3),
                Counter::Goroutines => counter("Goroutines", CounterUnit::Count, 4),
                Counter::Runnable => counter("Runnable goroutines", CounterUnit::Count, 5),
            },
        };
        self.tl.declare(uuid, desc);
    }

    /// Sets a counter; written when it changes.
    fn set_counter(&mut self, at: i64, c: Counter, v: i64) -> Result<()> {
        let e = self.counters.entry(c).or_insert((v, None));
        e.0 = v;
        if !self.tl.live() || e.1 == Some(v) {
            return Ok(());
        }
        e.1 = Some(v);
        self.ensure(Track::Counter(c));
        let uuid = self.uuid(Track::Counter(c));
        self.tl.counter(ts(at), uuid, v).map_err(Error::Write)
    }

    /// Opens the window at `at`: open slices begin there, counters get
    /// their current values.
    pub(crate) fn go_live(&mut self, at: i64) -> Result<()> {
        self.tl.go_live(ts(at)).map_err(Error::Write)?;
        let mut cs: Vec<(Counter, i64)> =
            self.counters.iter().map(|(&c, &(v, _))| (c, v)).collect();
        cs.sort_by_key(|&(c, _)| c as u8);
        for (c, v) in cs {
            self.set_counter(at, c, v)?;
        }
        Ok(())
    }

    /// Ends every open slice at `at`.
    pub(crate) fn close(&mut self, at: i64) -> Result<()> {
        self.tl.close(ts(at)).map_err(Error::Write)
    }

    pub(crate) fn timeline(&mut self) -> &mut Timeline<'w, W> {
        &mut self.tl
    }

    pub(crate) fn is_live(&self) -> bool {
        self.tl.live()
    }

    /// Handles event number `index`.
    pub(crate) fn event(&mut self, index: u64, ev: &Event<'_>) -> Result<()> {
        match ev.kind() {
            EventKind::Sync => self.tl.writer().forget_stack_keys(),
            EventKind::StateTransition => self.transition(index, ev)?,
            EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
                self.range(ev).map_err(Error::Write)?
            }
            EventKind::TaskBegin | EventKind::TaskEnd => self.task(ev).map_err(Error::Write)?,
            EventKind::RegionBegin | EventKind::RegionEnd => {
                self.user_region(ev).map_err(Error::Write)?
            }
            EventKind::Log => self.log(ev).map_err(Error::Write)?,
            EventKind::Metric => self.metric(ev)?,
            EventKind::StackSample => self.sample(ev).map_err(Error::Write)?,
            _ => {}
        }
        Ok(())
    }

    fn state_name(&mut self, to: GoState, reason: &str) -> Rc<str> {
        match to {
            GoState::Running => self.name("running"),
            GoState::Runnable => self.name("runnable"),
            GoState::Syscall => self.name("syscall"),
            GoState::Waiting if reason.is_empty() => self.name("waiting"),
            GoState::Waiting => self.name(reason),
            other => self.name(other.name()),
        }
    }

    fn transition(&mut self, index: u64, ev: &Event<'_>) -> Result<()> {
        let Some(st) = ev.state_transition() else {
            return Ok(());
        };
        let Transition::Goroutine { id, from, to } = st.transition else {
            return Ok(());
        };
        let link = self.links.observe(index, ev);
        if from == to {
            return Ok(());
        }
        let at = ev.time();
        let t = ts(at);
        // Counters of goroutines.
        let exists = |s: GoState| !matches!(s, GoState::NotExist | GoState::Undetermined);
        self.alive += i64::from(exists(to)) - i64::from(exists(from));
        self.runnable += i64::from(to == GoState::Runnable) - i64::from(from == GoState::Runnable);
        let shown = self.shows(id);
        self.gs.entry(id).or_insert_with(|| {
            let name = match st.stack.frames().next() {
                Some(f) => format!("G{id} {}", f.func()),
                None => format!("G{id}"),
            };
            G {
                name: Rc::from(name),
                on_p: gotrace::NONE,
                wake: None,
            }
        });
        let gt = self.uuid(Track::Goroutine(id));
        if shown {
            self.ensure(Track::Goroutine(id));
            self.tl.end(t, gt).map_err(Error::Write)?;
        }
        if from == GoState::Running {
            let p = self.gs.get_mut(&id).map_or(gotrace::NONE, |g| {
                std::mem::replace(&mut g.on_p, gotrace::NONE)
            });
            if p != gotrace::NONE && self.running.get(&p) == Some(&id) {
                self.running.remove(&p);
                let pt = self.uuid(Track::Proc(p));
                self.tl.end(t, pt).map_err(Error::Write)?;
            }
        }
        // A wake-up: a flow from the waker to the woken goroutine's next run.
        let waker = crate::focus::wake(ev).map(|(a, _)| a);
        let woken = to == GoState::Runnable && matches!(from, GoState::Waiting | GoState::NotExist);
        if woken && shown {
            let origin = match waker {
                Some(a) if self.shows(a) => Some(Track::Goroutine(a)),
                Some(_) => None,
                None if ev.goroutine() == id => None,
                None if ev.proc() != gotrace::NONE => Some(Track::Proc(ev.proc())),
                None => Some(Track::Runtime),
            };
            if let Some(o) = origin {
                let fid = flow(self.input, index, 0);
                self.ensure(o);
                let what = if from == GoState::NotExist {
                    "create"
                } else {
                    "unblock"
                };
                let args = [Arg::int("goroutine", id)];
                let d = Details {
                    args: &args,
                    flows: &[fid],
                    ..Details::default()
                };
                let ou = self.uuid(o);
                if self.tl.live() {
                    self.tl
                        .instant(t, ou, what, &d, NO_STACK)
                        .map_err(Error::Write)?;
                    if let Some(g) = self.gs.get_mut(&id) {
                        g.wake = Some(fid);
                    }
                }
            }
        }
        if to != GoState::NotExist && shown {
            let name = self.state_name(to, st.reason);
            let mut ends = None;
            if to == GoState::Running
                && let Some(l) = link
                && l.kind == LinkKind::Wake
                && let Some(g) = self.gs.get_mut(&id)
                && let Some(fid) = g.wake.take()
                && fid == flow(self.input, l.from, 0)
            {
                ends = Some(fid);
            }
            let ended: Vec<u64> = ends.into_iter().collect();
            let d = Details {
                terminating_flows: &ended,
                ..Details::default()
            };
            let stack = (!st.stack.is_empty()).then(|| (st.stack.id(), frames(st.stack)));
            self.tl
                .begin(t, gt, &name, &d, stack)
                .map_err(Error::Write)?;
        }
        if to == GoState::Running && shown && ev.proc() != gotrace::NONE {
            let p = ev.proc();
            let pt = self.uuid(Track::Proc(p));
            if let Some(other) = self.running.insert(p, id) {
                if let Some(g) = self.gs.get_mut(&other) {
                    g.on_p = gotrace::NONE;
                }
                self.tl.end(t, pt).map_err(Error::Write)?;
            }
            self.ensure(Track::Proc(p));
            let name = self.gs.get(&id).map(|g| g.name.clone());
            if let Some(n) = name {
                self.tl
                    .begin(t, pt, &n, &Details::default(), NO_STACK)
                    .map_err(Error::Write)?;
            }
            if let Some(g) = self.gs.get_mut(&id) {
                g.on_p = p;
            }
        }
        if to == GoState::NotExist {
            for tr in [Track::UserRegions(id), Track::Assists(id)] {
                let u = self.uuid(tr);
                self.tl.end_all(t, u).map_err(Error::Write)?;
                self.tl.forget(u);
            }
            self.tl.forget(gt);
            self.gs.remove(&id);
        }
        self.set_counter(at, Counter::Goroutines, self.alive)?;
        self.set_counter(at, Counter::Runnable, self.runnable)
    }

    fn range(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        let Some(r) = ev.range() else {
            return Ok(());
        };
        let track = match (r.name, r.scope) {
            (RangeName::GcMark, _) => Track::Gc,
            (RangeName::StopTheWorld(_), _) => Track::Stw,
            (RangeName::GcSweep, Resource::Proc(p)) => Track::Sweeps(p),
            (RangeName::GcMarkAssist, Resource::Goroutine(g)) if self.shows(g) => Track::Assists(g),
            _ => return Ok(()),
        };
        self.ensure(track);
        let uuid = self.uuid(track);
        let t = ts(ev.time());
        match ev.kind() {
            EventKind::RangeEnd => self.tl.end(t, uuid),
            _ if self.tl.depth(uuid) > 0 => Ok(()),
            _ => {
                let name = self.name(&r.name.to_cow());
                self.tl.begin(t, uuid, &name, &Details::default(), NO_STACK)
            }
        }
    }

    fn task(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        let Some(task) = ev.task() else {
            return Ok(());
        };
        let t = ts(ev.time());
        if ev.kind() == EventKind::TaskEnd {
            let Some(lane) = self.tasks.remove(&task.id) else {
                return Ok(());
            };
            self.free_lanes.push(Reverse(lane));
            let uuid = self.uuid(Track::TaskLane(lane));
            return self.tl.end(t, uuid);
        }
        if !self.shows(ev.goroutine()) || self.tasks.contains_key(&task.id) {
            return Ok(());
        }
        let lane = match self.free_lanes.pop() {
            Some(Reverse(l)) => l,
            None => {
                self.lanes += 1;
                self.lanes
            }
        };
        self.tasks.insert(task.id, lane);
        self.ensure(Track::TaskLane(lane));
        let uuid = self.uuid(Track::TaskLane(lane));
        let name = self.name(task.name);
        let mut args = vec![
            Arg::uint("task", task.id),
            Arg::int("goroutine", ev.goroutine()),
        ];
        if task.parent != gotrace::NO_TASK {
            args.push(Arg::uint("parent task", task.parent));
        }
        let d = Details {
            args: &args,
            ..Details::default()
        };
        self.tl.begin(t, uuid, &name, &d, NO_STACK)
    }

    fn user_region(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        let (Some(r), g) = (ev.region(), ev.goroutine()) else {
            return Ok(());
        };
        if g == gotrace::NONE || !self.shows(g) {
            return Ok(());
        }
        let t = ts(ev.time());
        let uuid = self.uuid(Track::UserRegions(g));
        if ev.kind() == EventKind::RegionEnd {
            return self.tl.end(t, uuid);
        }
        self.ensure(Track::UserRegions(g));
        let name = self.name(r.name);
        let args = [Arg::uint("task", r.task)];
        let d = Details {
            args: if r.task == 0 { &[] } else { &args },
            ..Details::default()
        };
        self.tl.begin(t, uuid, &name, &d, NO_STACK)
    }

    /// The track for an instant of goroutine `g` on P `p`, if shown.
    fn instant_track(&self, g: i64, p: i64) -> Option<Track> {
        match (g, p) {
            (gotrace::NONE, _) if self.shown.is_some() => None,
            (gotrace::NONE, gotrace::NONE) => Some(Track::Runtime),
            (gotrace::NONE, p) => Some(Track::Proc(p)),
            (g, _) => self.shows(g).then_some(Track::Goroutine(g)),
        }
    }

    fn log(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        let (Some(l), Some(track)) = (ev.log(), self.instant_track(ev.goroutine(), ev.proc()))
        else {
            return Ok(());
        };
        self.ensure(track);
        let uuid = self.uuid(track);
        let name = if l.category.is_empty() {
            "log"
        } else {
            l.category
        };
        let mut args = vec![Arg::str("message", l.message)];
        if l.task != 0 {
            args.push(Arg::uint("task", l.task));
        }
        let d = Details {
            args: &args,
            ..Details::default()
        };
        let s = ev.stack();
        let stack = (!s.is_empty()).then(|| (s.id(), frames(s)));
        self.tl.instant(ts(ev.time()), uuid, name, &d, stack)
    }

    fn metric(&mut self, ev: &Event<'_>) -> Result<()> {
        let Some(m) = ev.metric() else {
            return Ok(());
        };
        let c = match m.name {
            gotrace::Metric::HEAP_ALLOC => Counter::Heap,
            gotrace::Metric::HEAP_GOAL => Counter::HeapGoal,
            gotrace::Metric::GOMAXPROCS => Counter::Gomaxprocs,
            _ => return Ok(()),
        };
        let v = i64::try_from(m.value).unwrap_or(i64::MAX);
        self.set_counter(ev.time(), c, v)
    }

    fn sample(&mut self, ev: &Event<'_>) -> std::io::Result<()> {
        let Some(track) = self.instant_track(ev.goroutine(), ev.proc()) else {
            return Ok(());
        };
        self.ensure(track);
        let uuid = self.uuid(track);
        let args = [Arg::int("thread", ev.thread()), Arg::int("P", ev.proc())];
        let d = Details {
            args: &args,
            ..Details::default()
        };
        let s = ev.stack();
        let stack = (!s.is_empty()).then(|| (s.id(), frames(s)));
        self.tl
            .instant(ts(ev.time()), uuid, "CPU sample", &d, stack)
    }
}

/// Options of one conversion.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Start of the time window.
    pub from: Option<Bound>,
    /// End of the time window.
    pub to: Option<Bound>,
    /// Goroutines to focus on (empty: all), with those one wake-up away.
    pub goroutines: Vec<i64>,
}

/// The main pass over one input: reads events, writes the timeline,
/// merging in the region marks of `-regions` by time.
pub(crate) fn run<W: Write>(
    conv: &mut Converter<'_, W>,
    input: TraceSource,
    opts: &Options,
    // Given the time region times count from, and the window.
    make_marks: impl FnOnce(i64, &Window) -> Marks,
) -> Result<()> {
    let mut reader = Reader::from_source(input)?;
    // Region times count from the first event, but in Go ≤1.21 traces,
    // whose times already do (the first Sync is put just before).
    let v1 = reader.version().is_v1();
    let mut window: Option<Window> = None;
    let mut make_marks = Some(make_marks);
    let mut marks = Marks::none();
    let mut last: Option<i64> = None;
    let mut index: u64 = 0;
    let result = loop {
        let ev = match reader.read_event() {
            Ok(Some(ev)) => ev,
            Ok(None) => break Ok(()),
            Err(e) => break Err(Error::from(e)),
        };
        let at = ev.time();
        let w = *window.get_or_insert_with(|| Window::new(opts.from, opts.to, at));
        if let Some(make) = make_marks.take() {
            marks = make(if v1 { 0 } else { at }, &w);
        }
        if at > w.to {
            last = Some(w.to);
            break Ok(());
        }
        if !conv.is_live() && at >= w.from {
            conv.go_live(w.from)?;
        }
        if conv.is_live() {
            marks.emit_until(conv, at)?;
        }
        conv.event(index, &ev)?;
        index += 1;
        last = Some(at);
    };
    if let Some(end) = last {
        if conv.is_live() {
            marks.emit_until(conv, end)?;
        }
        conv.close(end)?;
    }
    result
}
