//! Critical paths as a pprof profile, written with the project's one
//! profile writer ([`pprof::ProfileBuilder`]): sample type
//! `critical_path/nanoseconds`, one sample per segment whose value is its
//! length and whose stack is where its goroutine was (see
//! [`super::Segment::stack`]; `<unknown>` when the trace does not say),
//! with string labels `trace` (when given), `state`, `reason` (waits only),
//! `root_kind`, and the numeric label `root_g`. The profile's total is the
//! sum of the paths' root lengths.

use super::{CriticalPath, State, reason_name};
use pprof::{Frame, Label, ProfileBuilder};

/// Collects the paths of one or more traces.
#[derive(Debug)]
pub struct Profile {
    b: ProfileBuilder,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::new()
    }
}

impl Profile {
    /// A profile without samples.
    pub fn new() -> Profile {
        let mut b = ProfileBuilder::new();
        let t = b.value_type("critical_path", "nanoseconds");
        b.set_sample_types(vec![t]);
        b.set_default_sample_type(t);
        b.set_period(t, 1);
        Profile { b }
    }

    /// Adds a sample per segment of `path`, labelled with the trace's name
    /// when given.
    pub fn add(&mut self, path: &CriticalPath, trace: Option<&str>) {
        let frame = |function| Frame {
            function,
            file: "",
            line: 0,
            address: 0,
        };
        for s in &path.segments {
            let frames: Vec<Frame<'_>> = if s.stack.is_empty() {
                vec![frame("<unknown>")]
            } else {
                s.stack.iter().map(|f| frame(f)).collect()
            };
            let locations = self.b.stack(&frames);
            let mut labels = Vec::with_capacity(5);
            if let Some(t) = trace {
                labels.push(Label::str("trace", t));
            }
            labels.push(Label::str("state", s.state.name()));
            if s.state == State::Waiting {
                labels.push(Label::str("reason", reason_name(s.reason)));
            }
            labels.push(Label::str("root_kind", &path.root.kind));
            labels.push(Label::num("root_g", path.root.g, ""));
            self.b.add_sample(&locations, &[s.length_ns], &labels);
        }
    }

    /// The profile, encoded and gzipped.
    pub fn finish_gzip(self) -> Vec<u8> {
        self.b.finish_gzip()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Root, Segment};
    use super::*;
    use gotrace::vocab::Reason;

    /// The total is the paths' length; waits can be picked by label.
    #[test]
    fn totals_and_labels() {
        let seg = |state, reason, length_ns, stack: &[&str]| Segment {
            g: 3,
            state,
            reason,
            start_ns: 0,
            length_ns,
            stack: stack.iter().map(|&f| f.into()).collect(),
        };
        let path = CriticalPath {
            root: Root {
                g: 3,
                kind: "k".into(),
                start_ns: 0,
                length_ns: 60,
            },
            segments: vec![
                seg(State::Running, None, 10, &["main.a", "main.main"]),
                seg(State::Waiting, Some(Reason::Sleep), 50, &[]),
            ],
        };
        let mut p = Profile::new();
        p.add(&path, Some("t1"));
        p.add(&path, None);
        let gz = p.finish_gzip();
        let all = pprof::sum(&gz, "", &pprof::Filter::default()).unwrap();
        assert_eq!(all, 120);
        let decoded = pprof::proto::Profile::decode_any(&gz).unwrap();
        assert_eq!(decoded.sample.len(), 4);
        let s = |i: i64| String::from_utf8_lossy(&decoded.string_table[i as usize]).into_owned();
        let waits: i64 = decoded
            .sample
            .iter()
            .filter(|x| {
                x.label
                    .iter()
                    .any(|l| s(l.key) == "reason" && s(l.str) == "sleep")
            })
            .map(|x| x.value[0])
            .sum();
        assert_eq!(waits, 100);
    }
}
