//! The CPU samples counted in pauses as a pprof profile, holding what
//! upstream's holds: sample types `samples/count` (the default) and
//! `offset/nanoseconds`, period type `cpu/nanoseconds` with period 1, one
//! mapping (when there is a location), a function per (name, file), a
//! location per PC, and per sample the values `[1, offset]`, string labels
//! `stw-phase` and `trace-sha256`, numeric labels `g` and `offset` (in
//! `ns`). Identical samples are merged, their values added, as upstream's
//! `Compact` does. With several traces, each sample also has a `trace`
//! label naming its input. Written with pprof's [`ProfileBuilder`].

use crate::phase::Placed;
use pprof::proto::{self, Mapping};
use pprof::{Label, ProfileBuilder};
use std::collections::HashMap;

/// Builds the profile sample by sample.
#[derive(Debug)]
pub struct ProfileWriter {
    b: ProfileBuilder,
    mapping: Option<u64>,
    /// Upstream's rule: one location per PC (an inlined frame shares its
    /// caller's).
    locations: HashMap<u64, u64>,
}

impl Default for ProfileWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileWriter {
    /// A profile without samples.
    pub fn new() -> ProfileWriter {
        let mut b = ProfileBuilder::new();
        let samples = b.value_type("samples", "count");
        let offset = b.value_type("offset", "nanoseconds");
        b.set_sample_types(vec![samples, offset]);
        b.set_default_sample_type(samples);
        let cpu = b.value_type("cpu", "nanoseconds");
        b.set_period(cpu, 1);
        b.merge_identical_samples(true);
        ProfileWriter {
            b,
            mapping: None,
            locations: HashMap::new(),
        }
    }

    fn location(&mut self, f: &crate::Frame) -> u64 {
        if let Some(&id) = self.locations.get(&f.pc) {
            return id;
        }
        let b = &mut self.b;
        let mapping = *self.mapping.get_or_insert_with(|| {
            b.add_mapping(Mapping {
                has_functions: true,
                has_filenames: true,
                has_line_numbers: true,
                ..Default::default()
            })
        });
        let function = b.function_with_system_name(&f.func, &f.func, &f.file);
        let id = b.location(mapping, f.pc, &[(function, f.line as i64)]);
        self.locations.insert(f.pc, id);
        id
    }

    /// Adds a counted sample of the trace whose SHA-256 is `sha256` (hex),
    /// named `trace` when there are several.
    pub fn add(&mut self, s: &Placed<'_>, sha256: &str, trace: Option<&str>) {
        let locations: Vec<u64> = s.sample.frames.iter().map(|f| self.location(f)).collect();
        // String labels, then numeric ones, each by key, as pprof writes them.
        let mut labels = Vec::with_capacity(5);
        labels.push(Label::str("stw-phase", s.phase.name()));
        if let Some(t) = trace {
            labels.push(Label::str("trace", t));
        }
        labels.push(Label::str("trace-sha256", sha256));
        labels.push(Label::num("g", s.sample.goroutine, ""));
        labels.push(Label::num("offset", s.offset, "ns"));
        self.b.add_sample(&locations, &[1, s.offset], &labels);
    }

    /// The profile.
    pub fn finish(self) -> proto::Profile {
        self.b.finish()
    }

    /// The profile, encoded and gzipped at the fastest level.
    pub fn finish_gzip(self) -> Vec<u8> {
        self.b.finish_gzip_fastest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Frame, Phase, Sample};
    use pprof::proto::Label;

    fn sample(g: i64, pcs: &[u64]) -> Sample {
        Sample {
            time: 0,
            goroutine: g,
            frames: pcs
                .iter()
                .map(|&pc| Frame {
                    func: format!("f{pc}"),
                    file: "a.go".into(),
                    line: pc,
                    pc,
                })
                .collect(),
        }
    }

    fn strings(p: &proto::Profile, l: &Label) -> (String, String, i64, String) {
        let s = |i: i64| String::from_utf8_lossy(&p.string_table[i as usize]).into_owned();
        (s(l.key), s(l.str), l.num, s(l.num_unit))
    }

    #[test]
    fn identical_samples_merge_and_labels_are_upstreams() {
        let (a, b) = (sample(7, &[3, 2, 1]), sample(8, &[3, 2, 1]));
        let placed = |sample, offset| Placed {
            phase: Phase::Stopped,
            offset,
            sample,
        };
        let mut w = ProfileWriter::new();
        w.add(&placed(&a, 500), "ab", None);
        w.add(&placed(&b, 500), "ab", None);
        w.add(&placed(&a, 500), "ab", None);
        w.add(&placed(&a, 600), "ab", None);
        let p = w.finish();
        let values: Vec<Vec<i64>> = p.sample.iter().map(|s| s.value.clone()).collect();
        assert_eq!(values, [vec![2, 1000], vec![1, 500], vec![1, 600]]);
        assert_eq!(p.sample[0].location_id, [1, 2, 3]);
        assert_eq!(p.location.len(), 3, "one location per PC");
        assert_eq!(p.function.len(), 3);
        assert_eq!(p.mapping.len(), 1);
        let labels: Vec<_> = p.sample[0].label.iter().map(|l| strings(&p, l)).collect();
        let s = |a: &str, b: &str, n, u: &str| (a.to_owned(), b.to_owned(), n, u.to_owned());
        assert_eq!(
            labels,
            [
                s("stw-phase", "stopped", 0, ""),
                s("trace-sha256", "ab", 0, ""),
                s("g", "", 7, ""),
                s("offset", "", 500, "ns"),
            ]
        );
        let t = &p.sample_type;
        assert_eq!((t.len(), p.default_sample_type), (2, t[0].r#type));
        assert_eq!(p.period, 1);
    }

    #[test]
    fn no_samples_no_mapping() {
        let p = ProfileWriter::new().finish();
        assert!(p.sample.is_empty() && p.mapping.is_empty() && p.location.is_empty());
    }
}
