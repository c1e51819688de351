//! Phase detection: finds each stop-the-world range of a trace and the
//! moments that split it into phases, as upstream's `unstoppable` does.
//!
//! A range starts with the *request* (the RangeBegin of a
//! `stop-the-world (…)` range) and ends with its RangeEnd. Inside it, *idle*
//! is the last moment before the world restarts when only one known P is
//! executing (the RangeBegin itself if only one is executing then), and
//! *resume* the first P that starts executing after idle (the RangeEnd if
//! none does). Procs are known only once the trace mentions them, so early
//! in a trace the set of executing Ps can be incomplete. CPU samples taken
//! between the request and the end belong to the range.

use crate::procs::Procs;
use gotrace::{Event, EventKind, ProcState, RangeName, Time, Transition, format};

/// One frame of a sampled stack.
pub use gotrace::OwnedFrame as Frame;

/// A CPU sample taken during a stop-the-world range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// When it was taken (ns, the trace's clock).
    pub time: Time,
    /// The goroutine it caught, or -1.
    pub goroutine: i64,
    /// Its stack, leaf first.
    pub frames: Vec<Frame>,
}

/// One stop-the-world range and the moments that split it. A moment that
/// was never seen counts as time 0, as upstream's zero event does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    /// Why the world stopped (the range name's kind, such as
    /// `GC mark termination`).
    pub kind: String,
    /// Time of the trace's first event.
    pub first: Time,
    /// The request: the range's RangeBegin (0 if never seen).
    pub request: Time,
    /// When only one P was left executing, if ever.
    pub idle: Option<Time>,
    /// When the first P started executing again after idle (the range end
    /// if none did).
    pub resume: Time,
    /// The range's RangeEnd.
    pub end: Time,
    /// The CPU samples taken from the request to the end, in time order.
    pub samples: Vec<Sample>,
}

impl Pause {
    /// The idle moment's time, 0 when none was seen.
    pub fn idle_time(&self) -> Time {
        self.idle.unwrap_or(0)
    }
}

/// A stop-the-world range began while another was active (upstream stops
/// there): both events, in Go's one-line form with their stacks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("STW begins while STW is active:\nhad {had}\ngot {got}")]
pub struct Overlap {
    /// The request of the active range.
    pub had: String,
    /// The RangeBegin that came during it.
    pub got: String,
}

/// The request of the active range.
#[derive(Debug)]
struct Request {
    time: Time,
    kind: String,
    /// The event, for [`Overlap`].
    text: String,
}

/// Finds stop-the-world ranges in a trace's events, fed one at a time in
/// trace order.
#[derive(Debug, Default)]
pub struct Detector {
    /// Procs whose latest state is executing.
    active: Procs,
    first: Option<Time>,
    request: Option<Request>,
    idle: Option<Time>,
    resume: Option<Time>,
    samples: Vec<Sample>,
}

/// The event in Go's one-line form, then its stack (etgrep's frame lines).
fn event_text(ev: &Event<'_>) -> String {
    let mut out = format::event_line(ev);
    out.push(b'\n');
    format::write_stack_lines(ev, &mut out);
    String::from_utf8_lossy(&out).trim_end().to_owned()
}

impl Detector {
    /// A detector that has seen nothing.
    pub fn new() -> Detector {
        Detector::default()
    }

    /// Takes the next event; returns the pause its RangeEnd closes, if it
    /// closes one.
    #[inline]
    pub fn event(&mut self, ev: &Event<'_>) -> Result<Option<Pause>, Overlap> {
        if self.first.is_none() {
            self.first = Some(ev.time());
        }
        match ev.kind() {
            // Most events: kept short so that it inlines into the read loop.
            EventKind::StateTransition => {
                // The transition alone: its reason and stack are not needed.
                if let Some(Transition::Proc { id, to, .. }) = ev.transition() {
                    self.proc(ev.time(), id, to == ProcState::Running);
                }
                Ok(None)
            }
            EventKind::RangeBegin | EventKind::RangeEnd | EventKind::StackSample => self.rare(ev),
            _ => Ok(None),
        }
    }

    /// The events that may begin or end a range, or belong to one.
    #[inline(never)]
    fn rare(&mut self, ev: &Event<'_>) -> Result<Option<Pause>, Overlap> {
        match ev.kind() {
            EventKind::RangeBegin => {
                if let Some(kind) = stw_kind(ev) {
                    self.begin(ev.time(), kind, || event_text(ev))?;
                }
            }
            EventKind::StackSample if self.request.is_some() => {
                self.samples.push(sample(ev));
            }
            EventKind::RangeEnd if stw_kind(ev).is_some() => {
                return Ok(Some(self.end(ev.time())));
            }
            _ => {}
        }
        Ok(None)
    }

    /// A stop-the-world range of this kind begins; `text` renders its
    /// event for the error if another one is active.
    fn begin(&mut self, time: Time, kind: &str, text: impl Fn() -> String) -> Result<(), Overlap> {
        if let Some(had) = &self.request {
            return Err(Overlap {
                had: had.text.clone(),
                got: text(),
            });
        }
        self.request = Some(Request {
            time,
            kind: kind.to_owned(),
            text: text(),
        });
        if self.active.len() == 1 {
            self.idle = Some(time);
        }
        Ok(())
    }

    /// Proc `id` changes state, to executing or not.
    #[inline]
    fn proc(&mut self, time: Time, id: i64, executing: bool) {
        self.active.set(id, executing);
        if self.request.is_none() || self.resume.is_some() {
            return;
        }
        if !executing && self.active.len() == 1 {
            // The best guess so far: the last such moment wins.
            self.idle = Some(time);
        }
        if self.idle.is_some() && executing {
            // The world restarts: the critical section is over.
            self.resume = Some(time);
        }
    }

    /// Closes the active range at `end`.
    fn end(&mut self, end: Time) -> Pause {
        let request = self.request.take();
        Pause {
            kind: request.as_ref().map(|r| r.kind.clone()).unwrap_or_default(),
            first: self.first.unwrap_or(0),
            request: request.map_or(0, |r| r.time),
            idle: self.idle.take(),
            resume: self.resume.take().unwrap_or(end),
            end,
            samples: std::mem::take(&mut self.samples),
        }
    }
}

/// The kind of a stop-the-world range event (a range whose name's first
/// word is `stop-the-world`).
fn stw_kind<'a>(ev: &Event<'a>) -> Option<&'a str> {
    match ev.range()?.name {
        RangeName::StopTheWorld(kind) => Some(kind),
        _ => None,
    }
}

fn sample(ev: &Event<'_>) -> Sample {
    Sample {
        time: ev.time(),
        goroutine: ev.goroutine(),
        frames: ev.stack().frames().map(|f| f.to_owned_frame()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `steps` to a fresh detector (the trace starting at time 1) and
    /// returns the pauses it closes.
    enum Step {
        Proc(Time, i64, bool),
        Begin(Time),
        Sample(Time),
        End(Time),
    }
    use Step::*;

    fn run(steps: &[Step]) -> Result<Vec<Pause>, Overlap> {
        let mut d = Detector::new();
        d.first = Some(1);
        let mut out = Vec::new();
        for s in steps {
            match *s {
                Proc(t, id, on) => d.proc(t, id, on),
                Begin(t) => d.begin(t, "GC mark termination", || format!("begin@{t}"))?,
                Sample(t) => d.samples.extend(d.request.is_some().then(|| super::Sample {
                    time: t,
                    goroutine: 1,
                    frames: Vec::new(),
                })),
                End(t) => out.push(d.end(t)),
            }
        }
        Ok(out)
    }

    fn moments(p: &Pause) -> (Time, Option<Time>, Time, Time) {
        (p.request, p.idle, p.resume, p.end)
    }

    #[test]
    fn idle_is_the_last_moment_one_p_is_left_and_resume_the_next_start() {
        let pauses = run(&[
            Proc(2, 0, true),
            Proc(3, 1, true),
            Proc(4, 2, true),
            Begin(10),
            Proc(11, 1, false),
            Proc(12, 2, false), // one left: idle
            Proc(13, 2, true),  // a P starts: resume
            Proc(14, 2, false), // after resume: no change
            Proc(15, 1, true),
            End(20),
        ])
        .unwrap();
        assert_eq!(pauses.len(), 1);
        assert_eq!(moments(&pauses[0]), (10, Some(12), 13, 20));
        assert_eq!(pauses[0].first, 1);
        assert_eq!(pauses[0].kind, "GC mark termination");
    }

    #[test]
    fn the_last_idle_guess_wins_and_resume_defaults_to_the_end() {
        let pauses = run(&[
            Proc(2, 0, true),
            Proc(3, 1, true),
            Begin(10),
            Proc(11, 1, false), // idle, first guess
            Proc(12, 3, false), // a proc never seen executing: idle again
            End(20),
        ])
        .unwrap();
        assert_eq!(moments(&pauses[0]), (10, Some(12), 20, 20));
    }

    #[test]
    fn with_one_p_executing_the_request_is_idle() {
        let pauses = run(&[Proc(2, 0, true), Begin(10), Proc(15, 1, true), End(20)]).unwrap();
        assert_eq!(moments(&pauses[0]), (10, Some(10), 15, 20));
    }

    #[test]
    fn without_one_p_left_idle_stays_unset() {
        let pauses = run(&[
            Proc(2, 0, true),
            Proc(3, 1, true),
            Begin(10),
            Proc(12, 2, true), // no idle yet: not a resume
            End(20),
        ])
        .unwrap();
        assert_eq!(moments(&pauses[0]), (10, None, 20, 20));
        assert_eq!(pauses[0].idle_time(), 0);
    }

    #[test]
    fn samples_belong_to_the_range_they_arrive_in() {
        let pauses = run(&[
            Sample(5),
            Proc(2, 0, true),
            Begin(10),
            Sample(11),
            Sample(25),
            End(30),
            Sample(31),
            Begin(40),
            End(50),
        ])
        .unwrap();
        let times: Vec<Vec<Time>> = pauses
            .iter()
            .map(|p| p.samples.iter().map(|s| s.time).collect())
            .collect();
        assert_eq!(times, [vec![11, 25], vec![]]);
        // State is reset between ranges.
        assert_eq!(moments(&pauses[1]), (40, Some(40), 50, 50));
    }

    #[test]
    fn a_range_inside_a_range_is_an_error() {
        let e = run(&[Begin(10), Begin(11)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "STW begins while STW is active:\nhad begin@10\ngot begin@11"
        );
    }
}
