//! The CPU samples counted in pauses as a pprof profile, holding what
//! upstream's holds: sample types `samples/count` (the default) and
//! `offset/nanoseconds`, period type `cpu/nanoseconds` with period 1, one
//! mapping (when there is a location), a function per (name, file), a
//! location per PC, and per sample the values `[1, offset]`, string labels
//! `stw-phase` and `trace-sha256`, numeric labels `g` and `offset` (in
//! `ns`). Identical samples are merged, their values added, as upstream's
//! `Compact` does. With several traces, each sample also has a `trace`
//! label naming its input.

use crate::phase::Placed;
use pprof::proto::{self, Function, Label, Line, Location, Mapping, ValueType};
use std::collections::HashMap;

/// What makes two samples one: locations and labels.
type SampleKey = (Vec<u64>, Vec<[i64; 4]>);

/// Builds the profile sample by sample.
#[derive(Debug)]
pub struct ProfileWriter {
    p: proto::Profile,
    strings: HashMap<String, i64>,
    functions: HashMap<(String, String), u64>,
    locations: HashMap<u64, u64>,
    samples: HashMap<SampleKey, usize>,
}

impl Default for ProfileWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileWriter {
    /// A profile without samples.
    pub fn new() -> ProfileWriter {
        let mut w = ProfileWriter {
            p: proto::Profile::default(),
            strings: HashMap::new(),
            functions: HashMap::new(),
            locations: HashMap::new(),
            samples: HashMap::new(),
        };
        w.string("");
        let samples = w.value_type("samples", "count");
        let offset = w.value_type("offset", "nanoseconds");
        w.p.sample_type = vec![samples, offset];
        w.p.default_sample_type = samples.r#type;
        w.p.period_type = Some(w.value_type("cpu", "nanoseconds"));
        w.p.period = 1;
        w
    }

    fn string(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = self.p.string_table.len() as i64;
        self.p.string_table.push(s.as_bytes().to_vec());
        self.strings.insert(s.to_owned(), i);
        i
    }

    fn value_type(&mut self, r#type: &str, unit: &str) -> ValueType {
        ValueType {
            r#type: self.string(r#type),
            unit: self.string(unit),
        }
    }

    fn function(&mut self, name: &str, file: &str) -> u64 {
        let key = (name.to_owned(), file.to_owned());
        if let Some(&id) = self.functions.get(&key) {
            return id;
        }
        let id = self.p.function.len() as u64 + 1;
        let (n, f) = (self.string(name), self.string(file));
        self.p.function.push(Function {
            id,
            name: n,
            system_name: n,
            filename: f,
            start_line: 0,
        });
        self.functions.insert(key, id);
        id
    }

    fn location(&mut self, f: &crate::Frame) -> u64 {
        if let Some(&id) = self.locations.get(&f.pc) {
            return id;
        }
        if self.p.mapping.is_empty() {
            self.p.mapping.push(Mapping {
                id: 1,
                has_functions: true,
                has_filenames: true,
                has_line_numbers: true,
                ..Default::default()
            });
        }
        let id = self.p.location.len() as u64 + 1;
        let function_id = self.function(&f.func, &f.file);
        self.p.location.push(Location {
            id,
            mapping_id: 1,
            address: f.pc,
            line: vec![Line {
                function_id,
                line: f.line as i64,
                column: 0,
            }],
            is_folded: false,
        });
        self.locations.insert(f.pc, id);
        id
    }

    /// Adds a counted sample of the trace whose SHA-256 is `sha256` (hex),
    /// named `trace` when there are several.
    pub fn add(&mut self, s: &Placed<'_>, sha256: &str, trace: Option<&str>) {
        let locations: Vec<u64> = s.sample.frames.iter().map(|f| self.location(f)).collect();
        let mut labels = Vec::with_capacity(5);
        let str_label = |w: &mut Self, k: &str, v: &str| Label {
            key: w.string(k),
            str: w.string(v),
            ..Default::default()
        };
        // String labels, then numeric ones, each by key, as pprof writes them.
        labels.push(str_label(self, "stw-phase", s.phase.name()));
        if let Some(t) = trace {
            labels.push(str_label(self, "trace", t));
        }
        labels.push(str_label(self, "trace-sha256", sha256));
        labels.push(Label {
            key: self.string("g"),
            num: s.sample.goroutine,
            ..Default::default()
        });
        labels.push(Label {
            key: self.string("offset"),
            num: s.offset,
            num_unit: self.string("ns"),
            str: 0,
        });
        let key = (
            locations.clone(),
            labels
                .iter()
                .map(|l| [l.key, l.str, l.num, l.num_unit])
                .collect(),
        );
        if let Some(&i) = self.samples.get(&key) {
            let v = &mut self.p.sample[i].value;
            v[0] += 1;
            v[1] += s.offset;
            return;
        }
        self.samples.insert(key, self.p.sample.len());
        self.p.sample.push(proto::Sample {
            location_id: locations,
            value: vec![1, s.offset],
            label: labels,
        });
    }

    /// The profile.
    pub fn finish(self) -> proto::Profile {
        self.p
    }

    /// The profile, encoded and gzipped.
    pub fn finish_gzip(self) -> Vec<u8> {
        self.p.encode_gzip()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Frame, Phase, Sample};

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
