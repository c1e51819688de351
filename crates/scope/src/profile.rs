//! scope_tls's pprof output: one sample per CPU sample inside an instance,
//! labelled with the instance's start and length and the sample's offset,
//! written with pprof's [`ProfileBuilder`].

use crate::region::{Frame, Scope};
use pprof::{Label, ProfileBuilder};

/// The CPU profile of the traced run (`-profile`): the output keeps its
/// sample types, period, mappings, functions and locations, but none of
/// its samples, and a sample frame whose PC is the address of one of its
/// locations uses that location (for its mapping, file and inlining) when
/// the location's functions are those of the frame and its callers.
#[derive(Debug, Clone)]
pub struct Base(ProfileBuilder);

impl Base {
    /// Decodes a gzipped or raw profile.proto and checks its strings (see
    /// [`ProfileBuilder::from_base`]). An empty profile (no bytes, or a
    /// gzip stream of none) is refused, as Go's `profile.Parse` does.
    pub fn decode(raw: &[u8]) -> Result<Base, pprof::Error> {
        let empty = if pprof::is_gzip(raw) {
            // Decompressed twice: a base profile is small, and read once.
            let mut plain = Vec::new();
            pprof::decompress_into(raw, &mut plain)?;
            plain.is_empty()
        } else {
            raw.is_empty()
        };
        if empty {
            return Err(pprof::Error::Empty);
        }
        ProfileBuilder::decode_base(raw).map(Base)
    }
}

/// Builds the gzipped profile of all scopes. Without `base`: sample types
/// `samples/count` and `cpu/nanoseconds`, period 10 ms, duration the sum
/// of the traces' durations. Each sample has values `[1, period]`, its
/// stack leaf first, and numeric labels `region_start` and
/// `region_length` (nanoseconds) and `sample_offset` (nanoseconds and
/// percent); with more than one trace, also a string label `trace` with
/// the trace's name from `names`.
pub fn build(base: Option<Base>, scopes: &[Scope], names: &[&str]) -> Vec<u8> {
    let mut b = match base {
        Some(Base(b)) => b,
        None => {
            let mut b = ProfileBuilder::new();
            let cpu = b.value_type("cpu", "nanoseconds");
            let count = b.value_type("samples", "count");
            b.set_sample_types(vec![count, cpu]);
            b.set_period(cpu, 10_000_000);
            b.set_duration_nanos(scopes.iter().map(|s| s.duration).sum());
            b
        }
    };
    let period = b.period();
    let mut frames = Vec::new();
    for (scope, name) in scopes.iter().zip(names) {
        for inst in &scope.instances {
            for s in &inst.samples {
                frames.clear();
                frames.extend(s.frames.iter().map(frame));
                let locations = b.stack(&frames);
                let percent = (100.0 * inst.frac(s)) as i64;
                let mut labels = vec![
                    Label::num("region_length", inst.length, "nanoseconds"),
                    Label::num("region_start", inst.start, "nanoseconds"),
                    Label::num("sample_offset", s.offset, "nanoseconds"),
                    Label::num("sample_offset", percent, "percent"),
                ];
                if scopes.len() > 1 {
                    labels.push(Label::str("trace", name));
                }
                b.add_sample(&locations, &[1, period], &labels);
            }
        }
    }
    b.finish_gzip()
}

fn frame(f: &Frame) -> pprof::Frame<'_> {
    pprof::Frame {
        function: &f.func,
        file: &f.file,
        line: f.line as i64,
        address: f.pc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::{Instance, Sample};
    use pprof::proto::{self, Function, Line, Location};
    use prost::Message;

    fn frame(func: &str, pc: u64) -> Frame {
        Frame {
            func: func.into(),
            file: format!("{func}.go"),
            line: 7,
            pc,
        }
    }

    fn decode(gz: &[u8]) -> proto::Profile {
        assert!(pprof::is_gzip(gz));
        proto::Profile::decode_any(gz).unwrap()
    }

    fn scope(frames: Vec<Vec<Frame>>) -> Scope {
        Scope {
            instances: vec![Instance {
                goroutine: 1,
                start: 100,
                length: 1000,
                samples: frames
                    .into_iter()
                    .map(|frames| Sample {
                        offset: 999,
                        frames,
                    })
                    .collect(),
            }],
            duration: 5000,
        }
    }

    #[test]
    fn labels_values_and_leaf_first_stacks() {
        let s = scope(vec![vec![frame("leaf", 1), frame("root", 2)]]);
        let p = decode(&build(None, &[s], &["t"]));
        let str_of = |i: i64| std::str::from_utf8(&p.string_table[i as usize]).unwrap();
        assert_eq!((p.period, p.duration_nanos), (10_000_000, 5000));
        let sample = &p.sample[0];
        assert_eq!(sample.value, [1, 10_000_000]);
        let labels: Vec<_> = sample
            .label
            .iter()
            .map(|l| (str_of(l.key), l.num, str_of(l.num_unit)))
            .collect();
        assert_eq!(
            labels,
            [
                ("region_length", 1000, "nanoseconds"),
                ("region_start", 100, "nanoseconds"),
                ("sample_offset", 999, "nanoseconds"),
                ("sample_offset", 99, "percent"),
            ]
        );
        let leaf = &p.location[0];
        assert_eq!(sample.location_id[0], leaf.id);
        assert_eq!(leaf.address, 1);
        let f = p.function.iter().find(|f| f.id == leaf.line[0].function_id);
        assert_eq!(f.map(|f| str_of(f.name)), Some("leaf"));
    }

    #[test]
    fn empty_base_is_refused() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"").unwrap();
        let gz = gz.finish().unwrap();
        for raw in [&b""[..], &gz] {
            let e = Base::decode(raw).unwrap_err();
            assert!(matches!(e, pprof::Error::Empty), "{e}");
        }
    }

    #[test]
    fn base_strings_must_be_utf8() {
        let mut base = proto::Profile::default();
        base.intern("f");
        base.string_table[1] = b"\xff".to_vec();
        let err = Base::decode(&base.encode_to_vec()).unwrap_err();
        assert!(matches!(err, pprof::Error::NotUtf8 { index: 1 }));
        let err = err.to_string();
        assert!(err.ends_with("data is not UTF-8 encoded"), "{err}");
    }

    #[test]
    fn base_locations_are_reused_only_when_their_functions_match() {
        let mut base = proto::Profile {
            period: 5,
            ..Default::default()
        };
        base.function = vec![
            Function {
                id: 1,
                name: base.intern("f"),
                ..Default::default()
            },
            Function {
                id: 2,
                name: base.intern("g"),
                ..Default::default()
            },
        ];
        let line = |function_id| Line {
            function_id,
            line: 1,
            column: 0,
        };
        base.location = vec![Location {
            id: 9,
            address: 0x10,
            line: vec![line(1), line(2)],
            ..Default::default()
        }];
        base.sample = vec![proto::Sample {
            location_id: vec![9],
            value: vec![1],
            label: vec![],
        }];
        let raw = base.encode_to_vec();
        let s = scope(vec![
            // f inlined into g at one location, then h.
            vec![frame("f", 0x10), frame("g", 0x11), frame("h", 0x20)],
            // Same address, other functions: a location of its own.
            vec![frame("x", 0x10), frame("h", 0x20)],
        ]);
        let base = Base::decode(&raw).unwrap();
        let p = decode(&build(Some(base), &[s], &["t"]));
        assert_eq!(p.period, 5);
        assert_eq!(p.sample.len(), 2);
        assert_eq!(p.sample[0].value, [1, 5]);
        assert_eq!(p.sample[0].location_id[0], 9);
        assert_eq!(p.sample[0].location_id.len(), 2);
        let x = p.sample[1].location_id[0];
        assert!(x > 9, "{x}");
        assert_eq!(p.sample[1].location_id[1], p.sample[0].location_id[1]);
    }
}
