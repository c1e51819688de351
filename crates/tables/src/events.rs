//! The trace's own tables, in one pass over its events: `events` (every
//! event, with its kind-specific fields), `goroutines` (each goroutine's
//! creation, start function and end, written when it ends, the rest at the
//! end of the trace in id order) and the stacks they use.

use crate::columns::{Events, Goroutines};
use crate::error::Error;
use crate::sink::{Files, Sink};
use crate::stacks::StackTable;
use gotrace::{Event, EventKind, GoState, Reader, Resource, Transition};
use std::collections::BTreeMap;
use std::io::Read;

/// What is known of a goroutine that has not ended yet.
#[derive(Debug, Default)]
struct Goroutine {
    start_func: Option<String>,
    create_time_ns: Option<i64>,
    creator_g: Option<i64>,
    create_stack_id: Option<i64>,
    start_stack_id: Option<i64>,
}

/// Reads every event of `trace` into the `events` and `goroutines` tables
/// (and `stacks`), finishing both sinks into `files`.
pub fn write<R: Read>(
    input: &str,
    trace: R,
    mut events: Sink<Events>,
    mut goroutines: Sink<Goroutines>,
    stacks: &mut StackTable,
    files: &mut Files,
) -> Result<(), Error> {
    let broken = |source| Error::Trace {
        input: input.to_owned(),
        source,
    };
    let mut reader = Reader::new(trace).map_err(broken)?;
    let mut live: BTreeMap<i64, Goroutine> = BTreeMap::new();
    let mut seq = 0i64;
    while let Some(ev) = reader.read_event().map_err(broken)? {
        if ev.kind() == EventKind::Sync {
            stacks.new_generation();
        }
        row(
            input,
            seq,
            &ev,
            &mut events,
            &mut goroutines,
            &mut live,
            stacks,
        )?;
        events.maybe_flush()?;
        goroutines.maybe_flush()?;
        seq += 1;
    }
    for (g, gr) in live {
        goroutine_row(input, g, gr, None, &mut goroutines);
        goroutines.maybe_flush()?;
    }
    events.finish(files)?;
    goroutines.finish(files)
}

fn row(
    input: &str,
    seq: i64,
    ev: &Event<'_>,
    events: &mut Sink<Events>,
    goroutines: &mut Sink<Goroutines>,
    live: &mut BTreeMap<i64, Goroutine>,
    stacks: &mut StackTable,
) -> Result<(), Error> {
    let r = &mut events.rows;
    let kind = ev.kind();
    let stack_id = stacks.trace_stack(ev.stack())?;
    r.input.append_value(input);
    r.seq.append_value(seq);
    r.time_ns.append_value(ev.time());
    r.kind.append_value(kind.name());
    r.g.append_value(ev.goroutine());
    r.p.append_value(ev.proc());
    r.m.append_value(ev.thread());
    r.stack_id.append_option(stack_id);

    let mut resource: Option<Resource> = None;
    let (mut from, mut to, mut reason, mut state_stack) = (None, None, None, None);
    let (mut task, mut parent, mut name) = (None, None, None::<String>);
    let (mut category, mut message, mut value) = (None, None, None);
    match kind {
        EventKind::StateTransition => {
            if let Some(st) = ev.state_transition() {
                let ss = stacks.trace_stack(st.stack)?;
                state_stack = ss;
                reason = Some(st.reason);
                match st.transition {
                    Transition::Goroutine { id, from: f, to: t } => {
                        resource = Some(Resource::Goroutine(id));
                        from = Some(f.name());
                        to = Some(t.name());
                        follow(input, ev, id, f, t, ss, st.stack, goroutines, live, stacks)?;
                    }
                    Transition::Proc { id, from: f, to: t } => {
                        resource = Some(Resource::Proc(id));
                        from = Some(f.name());
                        to = Some(t.name());
                    }
                }
            }
        }
        EventKind::Metric => {
            if let Some(m) = ev.metric() {
                name = Some(m.name.to_owned());
                value = Some(m.value as i64);
            }
        }
        EventKind::Label => {
            if let Some((label, res)) = ev.label() {
                name = Some(label.to_owned());
                resource = Some(res);
            }
        }
        EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
            if let Some(rg) = ev.range() {
                name = Some(rg.name.to_cow().into_owned());
                resource = Some(rg.scope);
            }
        }
        EventKind::TaskBegin | EventKind::TaskEnd => {
            if let Some(t) = ev.task() {
                task = Some(t.id as i64);
                parent = Some(t.parent as i64);
                name = Some(t.name.to_owned());
            }
        }
        EventKind::RegionBegin | EventKind::RegionEnd => {
            if let Some(rg) = ev.region() {
                task = Some(rg.task as i64);
                name = Some(rg.name.to_owned());
            }
        }
        EventKind::Log => {
            if let Some(l) = ev.log() {
                task = Some(l.task as i64);
                category = Some(l.category);
                message = Some(l.message);
            }
        }
        EventKind::Experimental => {
            if let Some(x) = ev.experimental() {
                name = Some(x.name.to_owned());
            }
        }
        EventKind::Sync => {
            if let Some(s) = ev.sync() {
                value = Some(s.n as i64);
            }
        }
        EventKind::StackSample | EventKind::Bad => {}
    }
    let r = &mut events.rows;
    let (res_kind, res_id) = match resource {
        Some(Resource::Goroutine(id)) => (Some("goroutine"), Some(id)),
        Some(Resource::Proc(id)) => (Some("proc"), Some(id)),
        Some(Resource::Thread(id)) => (Some("thread"), Some(id)),
        Some(Resource::None) | None => (None, None),
    };
    r.resource.append_option(res_kind);
    r.resource_id.append_option(res_id);
    r.from_state.append_option(from);
    r.to_state.append_option(to);
    r.reason.append_option(reason);
    r.state_stack_id.append_option(state_stack);
    r.task_id.append_option(task);
    r.parent_task_id.append_option(parent);
    r.name.append_option(name);
    r.category.append_option(category);
    r.message.append_option(message);
    r.value.append_option(value);
    Ok(())
}

/// Follows a goroutine's life through one of its transitions.
#[allow(clippy::too_many_arguments)]
fn follow(
    input: &str,
    ev: &Event<'_>,
    id: i64,
    from: GoState,
    to: GoState,
    state_stack: Option<i64>,
    stack: gotrace::Stack<'_>,
    goroutines: &mut Sink<Goroutines>,
    live: &mut BTreeMap<i64, Goroutine>,
    stacks: &mut StackTable,
) -> Result<(), Error> {
    let root_func = || stack.frames().next_back().map(|f| f.func().to_owned());
    if from == GoState::NotExist {
        let creator = ev.goroutine();
        live.insert(
            id,
            Goroutine {
                start_func: root_func(),
                create_time_ns: Some(ev.time()),
                creator_g: Some(creator),
                create_stack_id: stacks.trace_stack(ev.stack())?,
                start_stack_id: state_stack,
            },
        );
    } else if let Some(gr) = live.get_mut(&id) {
        if gr.start_func.is_none() {
            gr.start_func = root_func();
        }
    } else {
        live.insert(
            id,
            Goroutine {
                start_func: root_func(),
                start_stack_id: state_stack,
                ..Goroutine::default()
            },
        );
    }
    if to == GoState::NotExist
        && let Some(gr) = live.remove(&id)
    {
        goroutine_row(input, id, gr, Some(ev.time()), goroutines);
    }
    Ok(())
}

fn goroutine_row(
    input: &str,
    g: i64,
    gr: Goroutine,
    end: Option<i64>,
    goroutines: &mut Sink<Goroutines>,
) {
    let r = &mut goroutines.rows;
    r.input.append_value(input);
    r.g.append_value(g);
    r.start_func.append_option(gr.start_func);
    r.create_time_ns.append_option(gr.create_time_ns);
    r.creator_g.append_option(gr.creator_g);
    r.create_stack_id.append_option(gr.create_stack_id);
    r.start_stack_id.append_option(gr.start_stack_id);
    r.end_time_ns.append_option(end);
}
