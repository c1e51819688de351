//! The three phases of a pause and the samples each counts, walked exactly
//! as upstream walks them.

use crate::detect::{Pause, Sample};
use gotrace::Time;

/// A phase of a stop-the-world range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// From the request until only one P is left executing.
    PreStop,
    /// The world stopped: until a P executes again.
    Stopped,
    /// From the restart to the range end.
    PostStop,
}

impl Phase {
    /// The phases in the order they are reported.
    pub const ALL: [Phase; 3] = [Phase::PreStop, Phase::Stopped, Phase::PostStop];

    /// The phase's name in text, JSON and the profile's `stw-phase` label.
    pub fn name(self) -> &'static str {
        match self {
            Phase::PreStop => "pre-stop",
            Phase::Stopped => "stopped",
            Phase::PostStop => "post-stop",
        }
    }
}

/// A sample counted in a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed<'a> {
    /// The phase.
    pub phase: Phase,
    /// Nanoseconds from the phase's start to the sample.
    pub offset: i64,
    /// The sample.
    pub sample: &'a Sample,
}

impl Pause {
    /// Where phase `p` starts and ends (a moment never seen is time 0).
    pub fn bounds(&self, p: Phase) -> (Time, Time) {
        match p {
            Phase::PreStop => (self.request, self.idle_time()),
            Phase::Stopped => (self.idle_time(), self.resume),
            Phase::PostStop => (self.resume, self.end),
        }
    }

    /// Length of phase `p` in nanoseconds (negative when a moment was never
    /// seen).
    pub fn length(&self, p: Phase) -> i64 {
        let (start, end) = self.bounds(p);
        end - start
    }

    /// The samples each phase counts, phase by phase: for each, the samples
    /// from its start are taken in order until the first at or after its
    /// end, and those less than `grace` ns after its start are left out.
    pub fn placed(&self, grace: i64) -> Vec<Placed<'_>> {
        let mut out = Vec::new();
        for phase in Phase::ALL {
            let (start, end) = self.bounds(phase);
            for sample in &self.samples {
                if sample.time < start {
                    continue;
                }
                if sample.time >= end {
                    break;
                }
                let offset = sample.time - start;
                if offset >= grace {
                    out.push(Placed {
                        phase,
                        offset,
                        sample,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time: Time) -> Sample {
        Sample {
            time,
            goroutine: 1,
            frames: Vec::new(),
        }
    }

    fn pause(idle: Option<Time>, samples: &[Time]) -> Pause {
        Pause {
            kind: "GC mark termination".into(),
            first: 0,
            request: 1000,
            idle,
            resume: 3000,
            end: 4000,
            samples: samples.iter().map(|&t| at(t)).collect(),
        }
    }

    fn phases(p: &Pause, grace: i64) -> Vec<(&'static str, i64)> {
        p.placed(grace)
            .iter()
            .map(|s| (s.phase.name(), s.offset))
            .collect()
    }

    #[test]
    fn each_sample_in_the_phase_that_holds_it() {
        let p = pause(Some(2000), &[1000, 1500, 2000, 2999, 3000, 3999, 4000]);
        assert_eq!(
            phases(&p, 0),
            [
                ("pre-stop", 0),
                ("pre-stop", 500),
                ("stopped", 0),
                ("stopped", 999),
                ("post-stop", 0),
                ("post-stop", 999),
            ]
        );
        assert_eq!(p.length(Phase::PreStop), 1000);
        assert_eq!(p.length(Phase::Stopped), 1000);
        assert_eq!(p.length(Phase::PostStop), 1000);
    }

    #[test]
    fn grace_applies_per_phase() {
        let p = pause(Some(2000), &[1100, 1900, 2100, 2900, 3100]);
        assert_eq!(
            phases(&p, 200),
            [("pre-stop", 900), ("stopped", 900)],
            "the post-stop sample is 100ns in"
        );
    }

    #[test]
    fn without_idle_the_stopped_phase_counts_from_time_zero() {
        let p = pause(None, &[1500, 2500, 3500]);
        assert_eq!(p.length(Phase::PreStop), -1000);
        assert_eq!(p.length(Phase::Stopped), 3000);
        assert_eq!(
            phases(&p, 0),
            [("stopped", 1500), ("stopped", 2500), ("post-stop", 500)]
        );
    }

    #[test]
    fn a_phase_stops_at_its_first_later_sample() {
        // Out of order (never in a real trace): the walk stops at 3500 and
        // never sees 1500 for the pre-stop phase.
        let p = pause(Some(2000), &[3500, 1500]);
        assert_eq!(phases(&p, 0), [("post-stop", 500)]);
    }
}
