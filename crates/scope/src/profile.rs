//! scope_tls's pprof output: one sample per CPU sample inside an instance,
//! labelled with the instance's start and length and the sample's offset.

use crate::region::{Frame, Scope};
use flate2::Compression;
use flate2::write::GzEncoder;
use pprof::proto::{self, Function, Label, Line, Location, ValueType};
use prost::Message;
use std::collections::HashMap;
use std::io::{Read, Write};

/// The CPU profile of the traced run (`-profile`): the output keeps its
/// sample types, period, mappings, functions and locations, but none of
/// its samples, and a sample frame whose PC is the address of one of its
/// locations uses that location (for its mapping, file and inlining) when
/// the location's functions are those of the frame and its callers.
#[derive(Debug, Clone)]
pub struct Base(proto::Profile);

impl Base {
    /// Decodes a gzipped or raw profile.proto.
    pub fn decode(raw: &[u8]) -> Result<Base, String> {
        let mut plain = Vec::new();
        let data = if raw.starts_with(&[0x1f, 0x8b]) {
            flate2::read::MultiGzDecoder::new(raw)
                .read_to_end(&mut plain)
                .map_err(|e| format!("decompressing profile: {e}"))?;
            &plain[..]
        } else {
            raw
        };
        let mut p = proto::Profile::decode(data).map_err(|e| format!("parsing profile: {e}"))?;
        if p.string_table.is_empty() {
            p.string_table.push(Vec::new());
        }
        // Strings must be UTF-8, as scope_tls has always required (the
        // message is prost's for a string field that is not).
        if p.string_table
            .iter()
            .any(|s| std::str::from_utf8(s).is_err())
        {
            return Err("parsing profile: failed to decode Protobuf message: Profile.string_table: invalid string value: data is not UTF-8 encoded".into());
        }
        let strings = p.string_table.len() as i64;
        let bad_string = |i: i64| i < 0 || i >= strings;
        if p.string_table.first().is_some_and(|s| !s.is_empty())
            || p.sample_type
                .iter()
                .any(|v| bad_string(v.r#type) || bad_string(v.unit))
            || p.function
                .iter()
                .any(|f| bad_string(f.name) || bad_string(f.filename))
        {
            return Err("parsing profile: malformed string table references".into());
        }
        Ok(Base(p))
    }
}

/// Builds a profile and its interning tables.
struct Builder {
    p: proto::Profile,
    strings: HashMap<Vec<u8>, i64>,
    funcs: HashMap<String, u64>,
    /// The base profile's locations by address: ID and function names,
    /// leaf first.
    base_locs: HashMap<u64, (u64, Vec<Vec<u8>>)>,
    /// Locations made here, by PC and leaf function (frames read through
    /// regiongraph's model have no PC).
    locs: HashMap<(u64, String), u64>,
    next_fn: u64,
    next_loc: u64,
}

impl Builder {
    fn new(p: proto::Profile) -> Builder {
        let strings = p
            .string_table
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as i64))
            .collect();
        let fn_names: HashMap<u64, &[u8]> = p
            .function
            .iter()
            .map(|f| (f.id, &p.string_table[f.name as usize][..]))
            .collect();
        let base_locs = p
            .location
            .iter()
            .map(|l| {
                let names = l
                    .line
                    .iter()
                    .map(|ln| {
                        fn_names
                            .get(&ln.function_id)
                            .copied()
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .collect();
                (l.address, (l.id, names))
            })
            .collect();
        let next_fn = p.function.iter().map(|f| f.id).max().unwrap_or(0) + 1;
        let next_loc = p.location.iter().map(|l| l.id).max().unwrap_or(0) + 1;
        Builder {
            p,
            strings,
            funcs: HashMap::new(),
            base_locs,
            locs: HashMap::new(),
            next_fn,
            next_loc,
        }
    }

    fn intern(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.strings.get(s.as_bytes()) {
            return i;
        }
        let i = self.p.string_table.len() as i64;
        self.p.string_table.push(s.as_bytes().to_owned());
        self.strings.insert(s.as_bytes().to_owned(), i);
        i
    }

    fn function(&mut self, f: &Frame) -> u64 {
        if let Some(&id) = self.funcs.get(&f.func) {
            return id;
        }
        let id = self.next_fn;
        self.next_fn += 1;
        let (name, filename) = (self.intern(&f.func), self.intern(&f.file));
        self.p.function.push(Function {
            id,
            name,
            filename,
            ..Default::default()
        });
        self.funcs.insert(f.func.clone(), id);
        id
    }

    /// Appends the locations of a stack (frames leaf first).
    fn locations(&mut self, frames: &[Frame], out: &mut Vec<u64>) {
        let mut rest = frames;
        while let Some(f) = rest.first() {
            if let Some((id, names)) = self.base_locs.get(&f.pc).filter(|_| f.pc != 0)
                && names.len() <= rest.len()
                && names.iter().zip(rest).all(|(n, f)| *n == f.func.as_bytes())
            {
                out.push(*id);
                rest = &rest[names.len().max(1)..];
                continue;
            }
            let n = match f.pc {
                0 => 1,
                pc => rest.iter().take_while(|g| g.pc == pc).count(),
            };
            out.push(self.location(&rest[..n]));
            rest = &rest[n..];
        }
    }

    /// The location of a group of frames sharing one PC (an inlined call
    /// chain, leaf first).
    fn location(&mut self, group: &[Frame]) -> u64 {
        let pc = group[0].pc;
        let key = (pc, group[0].func.clone());
        if let Some(&id) = self.locs.get(&key) {
            return id;
        }
        let id = self.next_loc;
        self.next_loc += 1;
        let line = group
            .iter()
            .map(|f| Line {
                function_id: self.function(f),
                line: f.line as i64,
                column: 0,
            })
            .collect();
        self.p.location.push(Location {
            id,
            address: pc,
            line,
            ..Default::default()
        });
        self.locs.insert(key, id);
        id
    }

    fn num_label(&mut self, key: &str, num: i64, unit: &str) -> Label {
        Label {
            key: self.intern(key),
            num,
            num_unit: self.intern(unit),
            str: 0,
        }
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
    let fresh = base.is_none();
    let mut b = Builder::new(base.map_or_else(
        || proto::Profile {
            string_table: vec![Vec::new()],
            ..Default::default()
        },
        |Base(mut p)| {
            p.sample.clear();
            p
        },
    ));
    if fresh {
        let cpu = ValueType {
            r#type: b.intern("cpu"),
            unit: b.intern("nanoseconds"),
        };
        let count = ValueType {
            r#type: b.intern("samples"),
            unit: b.intern("count"),
        };
        b.p.sample_type = vec![count, cpu];
        b.p.period_type = Some(cpu);
        b.p.period = 10_000_000;
        b.p.duration_nanos = scopes.iter().map(|s| s.duration).sum();
    }
    let period = b.p.period;
    for (scope, name) in scopes.iter().zip(names) {
        for inst in &scope.instances {
            for s in &inst.samples {
                let mut location_id = Vec::new();
                b.locations(&s.frames, &mut location_id);
                let percent = (100.0 * inst.frac(s)) as i64;
                let mut label = vec![
                    b.num_label("region_length", inst.length, "nanoseconds"),
                    b.num_label("region_start", inst.start, "nanoseconds"),
                    b.num_label("sample_offset", s.offset, "nanoseconds"),
                    b.num_label("sample_offset", percent, "percent"),
                ];
                if scopes.len() > 1 {
                    label.push(Label {
                        key: b.intern("trace"),
                        str: b.intern(name),
                        ..Default::default()
                    });
                }
                b.p.sample.push(proto::Sample {
                    location_id,
                    value: vec![1, period],
                    label,
                });
            }
        }
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&b.p.encode_to_vec())
        .and_then(|()| gz.finish())
        .expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::{Instance, Sample};

    fn frame(func: &str, pc: u64) -> Frame {
        Frame {
            func: func.into(),
            file: format!("{func}.go"),
            line: 7,
            pc,
        }
    }

    fn decode(gz: &[u8]) -> proto::Profile {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut raw)
            .unwrap();
        proto::Profile::decode(&raw[..]).unwrap()
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
    fn base_strings_must_be_utf8() {
        let mut base = proto::Profile::default();
        base.intern("f");
        base.string_table[1] = b"\xff".to_vec();
        let err = Base::decode(&base.encode_to_vec()).unwrap_err();
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
        let p = decode(&build(Some(Base::decode(&raw).unwrap()), &[s], &["t"]));
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
