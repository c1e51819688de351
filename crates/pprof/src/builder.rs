//! Writing profiles: [`ProfileBuilder`] interns strings, functions and
//! locations, turns stacks of frames into locations (reusing those of a
//! base profile where they fit), adds samples with string and numeric
//! labels, optionally merges identical samples, and encodes the result,
//! gzipped as Go writes profiles.

use std::collections::HashMap;

use flate2::Compression;
use prost::Message;

use crate::error::Error;
use crate::proto::{self, Function, Line, Location, Mapping, ValueType};

/// One frame of a stack, as a trace or a symbolizer gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Function name, such as `main.main`.
    pub function: &'a str,
    /// Source file (may be empty).
    pub file: &'a str,
    /// Line number (0 if unknown).
    pub line: i64,
    /// Program counter; 0 if unknown. Consecutive frames with one non-zero
    /// address are one location (an inlined call chain, leaf first).
    pub address: u64,
}

/// A sample label: a string value, or a number with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label<'a> {
    key: &'a str,
    value: LabelValue<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelValue<'a> {
    Str(&'a str),
    Num(i64, &'a str),
}

impl<'a> Label<'a> {
    /// A string label, such as `trace=run1.trace`.
    pub fn str(key: &'a str, value: &'a str) -> Self {
        Label {
            key,
            value: LabelValue::Str(value),
        }
    }

    /// A numeric label with a unit (empty for none), such as
    /// `offset=1500 nanoseconds`.
    pub fn num(key: &'a str, value: i64, unit: &'a str) -> Self {
        Label {
            key,
            value: LabelValue::Num(value, unit),
        }
    }
}

/// What makes two samples identical: their locations and labels.
type SampleKey = (Vec<u64>, Vec<[i64; 4]>);

/// What makes two locations one: mapping, address and `(function, line)`
/// lines.
type LocationKey = (u64, u64, Vec<(u64, i64)>);

/// Builds a profile.proto message.
///
/// Strings, functions and locations (by mapping, address and lines) are
/// interned: asking twice gives the same index or id. Functions are told
/// apart by name, as Go's runtime does ([`ProfileBuilder::function`]), or
/// by name, system name and file, as google/pprof does
/// ([`ProfileBuilder::function_with_system_name`]). IDs start after the largest of a base profile. Sample values are
/// written as given: like google/pprof's `Write`, the builder does not
/// check them against the sample types (a base profile may have others).
///
/// ```
/// use pprof::{Filter, Frame, Label, ProfileBuilder};
/// # fn main() -> Result<(), pprof::Error> {
/// let mut b = ProfileBuilder::new();
/// let count = b.value_type("samples", "count");
/// let cpu = b.value_type("cpu", "nanoseconds");
/// b.set_sample_types(vec![count, cpu]);
/// b.set_period(cpu, 10_000_000);
/// b.merge_identical_samples(true);
/// let frame = |function, address| Frame { function, file: "main.go", line: 7, address };
/// let stack = b.stack(&[frame("main.work", 0x1010), frame("main.main", 0x1000)]);
/// for _ in 0..2 {
///     let labels = [Label::str("stw-phase", "mark termination"), Label::num("g", 1, "")];
///     b.add_sample(&stack, &[1, 10_000_000], &labels);
/// }
/// let gz = b.finish_gzip();
/// let p = pprof::proto::Profile::decode_any(&gz)?;
/// assert_eq!(p.sample.len(), 1, "the two identical samples are merged");
/// assert_eq!(p.sample[0].value, [2, 20_000_000]);
/// assert_eq!(pprof::sum(&gz, "cpu", &Filter::default())?, 20_000_000);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ProfileBuilder {
    p: proto::Profile,
    strings: HashMap<Vec<u8>, i64>,
    functions: HashMap<String, u64>,
    /// Functions by name, system name and file.
    full_functions: HashMap<(String, String, String), u64>,
    locations: HashMap<LocationKey, u64>,
    /// The base profile's locations by address: id and function names,
    /// innermost first.
    base_locations: HashMap<u64, (u64, Vec<Vec<u8>>)>,
    next_function: u64,
    next_location: u64,
    /// With merging on, the index of each distinct sample.
    merged: Option<HashMap<SampleKey, usize>>,
}

impl Default for ProfileBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileBuilder {
    /// An empty profile (its string table holds only the empty string).
    pub fn new() -> Self {
        Self::start(proto::Profile {
            string_table: vec![Vec::new()],
            ..Default::default()
        })
    }

    /// Reads a base profile (gzipped or raw) with
    /// [`proto::Profile::decode_any`], then [`ProfileBuilder::from_base`].
    pub fn decode_base(raw: &[u8]) -> Result<Self, Error> {
        Self::from_base(proto::Profile::decode_any(raw)?)
    }

    /// Starts from a base profile: its sample types, period, mappings,
    /// functions, locations and strings are kept, its samples dropped.
    /// The base's strings must be UTF-8 and the string indices of its
    /// sample types and functions in range, with an empty first string.
    pub fn from_base(mut base: proto::Profile) -> Result<Self, Error> {
        if base.string_table.is_empty() {
            base.string_table.push(Vec::new());
        }
        if let Some(index) = base
            .string_table
            .iter()
            .position(|s| std::str::from_utf8(s).is_err())
        {
            return Err(Error::NotUtf8 { index });
        }
        let n = base.string_table.len() as i64;
        let bad = |i: i64| i < 0 || i >= n;
        if !base.string_table[0].is_empty()
            || base
                .sample_type
                .iter()
                .any(|v| bad(v.r#type) || bad(v.unit))
            || base.function.iter().any(|f| bad(f.name) || bad(f.filename))
        {
            return Err(Error::StringReferences);
        }
        base.sample.clear();
        Ok(Self::start(base))
    }

    fn start(p: proto::Profile) -> Self {
        let mut strings = HashMap::with_capacity(p.string_table.len());
        for (i, s) in p.string_table.iter().enumerate() {
            strings.insert(s.clone(), i as i64);
        }
        let function_names: HashMap<u64, &[u8]> = p
            .function
            .iter()
            .map(|f| (f.id, &p.string_table[f.name as usize][..]))
            .collect();
        let base_locations = p
            .location
            .iter()
            .map(|l| {
                let names = l
                    .line
                    .iter()
                    .map(|ln| {
                        let name = function_names.get(&ln.function_id);
                        name.copied().unwrap_or_default().to_owned()
                    })
                    .collect();
                (l.address, (l.id, names))
            })
            .collect();
        let next_function = p.function.iter().map(|f| f.id).max().unwrap_or(0) + 1;
        let next_location = p.location.iter().map(|l| l.id).max().unwrap_or(0) + 1;
        ProfileBuilder {
            p,
            strings,
            functions: HashMap::new(),
            full_functions: HashMap::new(),
            locations: HashMap::new(),
            base_locations,
            next_function,
            next_location,
            merged: None,
        }
    }

    /// Whether samples with the same locations and labels are merged into
    /// one (their values added), keeping the first one's place. Off by
    /// default; samples added before it is turned on are not merged.
    pub fn merge_identical_samples(&mut self, on: bool) {
        self.merged = on.then(HashMap::new);
    }

    /// The string-table index of `s`, added if new.
    pub fn string(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.strings.get(s.as_bytes()) {
            return i;
        }
        let i = self.p.string_table.len() as i64;
        self.p.string_table.push(s.as_bytes().to_owned());
        self.strings.insert(s.as_bytes().to_owned(), i);
        i
    }

    /// A value type (type name, then unit, interned in that order).
    pub fn value_type(&mut self, r#type: &str, unit: &str) -> ValueType {
        ValueType {
            r#type: self.string(r#type),
            unit: self.string(unit),
        }
    }

    /// Sets the sample types; every sample has one value per type.
    pub fn set_sample_types(&mut self, types: Vec<ValueType>) {
        self.p.sample_type = types;
    }

    /// Sets the sample type a viewer shows first.
    pub fn set_default_sample_type(&mut self, r#type: ValueType) {
        self.p.default_sample_type = r#type.r#type;
    }

    /// Sets what the period measures and the period.
    pub fn set_period(&mut self, r#type: ValueType, period: i64) {
        self.p.period_type = Some(r#type);
        self.p.period = period;
    }

    /// The sampling period (a base profile's, or the one set).
    pub fn period(&self) -> i64 {
        self.p.period
    }

    /// Sets the duration the profile covers.
    pub fn set_duration_nanos(&mut self, nanos: i64) {
        self.p.duration_nanos = nanos;
    }

    /// Sets the collection time.
    pub fn set_time_nanos(&mut self, nanos: i64) {
        self.p.time_nanos = nanos;
    }

    /// Adds a comment.
    pub fn add_comment(&mut self, comment: &str) {
        let i = self.string(comment);
        self.p.comment.push(i);
    }

    /// Adds a mapping and returns its id (the one in `mapping` is ignored).
    pub fn add_mapping(&mut self, mut mapping: Mapping) -> u64 {
        mapping.id = self.p.mapping.iter().map(|m| m.id).max().unwrap_or(0) + 1;
        self.p.mapping.push(mapping);
        self.p.mapping[self.p.mapping.len() - 1].id
    }

    /// The id of the function named `name` (the file of its first use is
    /// kept), added if new: one function per name, as Go's runtime writes.
    pub fn function(&mut self, name: &str, file: &str) -> u64 {
        if let Some(&id) = self.functions.get(name) {
            return id;
        }
        let id = self.add_function(name, None, file);
        self.functions.insert(name.to_owned(), id);
        id
    }

    /// The id of the function with this name, system name and file, added
    /// if new: functions told apart as google/pprof tells them apart.
    pub fn function_with_system_name(&mut self, name: &str, system_name: &str, file: &str) -> u64 {
        let key = (name.to_owned(), system_name.to_owned(), file.to_owned());
        if let Some(&id) = self.full_functions.get(&key) {
            return id;
        }
        let id = self.add_function(name, Some(system_name), file);
        self.full_functions.insert(key, id);
        id
    }

    /// Adds a function (strings interned name, system name, file).
    fn add_function(&mut self, name: &str, system_name: Option<&str>, file: &str) -> u64 {
        let id = self.next_function;
        self.next_function += 1;
        let name = self.string(name);
        let system_name = system_name.map_or(0, |s| self.string(s));
        let filename = self.string(file);
        self.p.function.push(Function {
            id,
            name,
            system_name,
            filename,
            start_line: 0,
        });
        id
    }

    /// The id of the location at `address` in mapping `mapping_id` (0:
    /// none) with these `(function id, line)` lines, innermost first;
    /// added if new.
    pub fn location(&mut self, mapping_id: u64, address: u64, lines: &[(u64, i64)]) -> u64 {
        let key = (mapping_id, address, lines.to_vec());
        if let Some(&id) = self.locations.get(&key) {
            return id;
        }
        let id = self.next_location;
        self.next_location += 1;
        let line = lines
            .iter()
            .map(|&(function_id, line)| Line {
                function_id,
                line,
                column: 0,
            })
            .collect();
        self.p.location.push(Location {
            id,
            mapping_id,
            address,
            line,
            is_folded: false,
        });
        self.locations.insert(key, id);
        id
    }

    /// The location ids of a stack given leaf first. A frame whose address
    /// is that of a base profile location whose functions are those of the
    /// frame and its next callers uses that location (keeping its mapping,
    /// file and inlining); other frames sharing a non-zero address become
    /// one location, and a frame without an address one of its own.
    pub fn stack(&mut self, frames: &[Frame<'_>]) -> Vec<u64> {
        let mut out = Vec::with_capacity(frames.len());
        let mut rest = frames;
        while let Some(f) = rest.first() {
            if let Some((id, names)) = self
                .base_locations
                .get(&f.address)
                .filter(|_| f.address != 0)
                && names.len() <= rest.len()
                && names
                    .iter()
                    .zip(rest)
                    .all(|(n, f)| *n == f.function.as_bytes())
            {
                out.push(*id);
                rest = &rest[names.len().max(1)..];
                continue;
            }
            let n = match f.address {
                0 => 1,
                pc => rest.iter().take_while(|g| g.address == pc).count(),
            };
            let lines: Vec<(u64, i64)> = rest[..n]
                .iter()
                .map(|g| (self.function(g.function, g.file), g.line))
                .collect();
            out.push(self.location(0, f.address, &lines));
            rest = &rest[n..];
        }
        out
    }

    /// Adds a sample: location ids leaf first, one value per sample type,
    /// and labels in the order given (keys before values when interned).
    /// With merging on, a sample identical to an earlier one adds its
    /// values to it instead.
    pub fn add_sample(&mut self, locations: &[u64], values: &[i64], labels: &[Label<'_>]) {
        let label: Vec<proto::Label> = labels
            .iter()
            .map(|l| {
                let key = self.string(l.key);
                match l.value {
                    LabelValue::Str(s) => proto::Label {
                        key,
                        str: self.string(s),
                        ..Default::default()
                    },
                    LabelValue::Num(num, unit) => proto::Label {
                        key,
                        num,
                        num_unit: self.string(unit),
                        str: 0,
                    },
                }
            })
            .collect();
        if let Some(merged) = &mut self.merged {
            let labels = label
                .iter()
                .map(|l| [l.key, l.str, l.num, l.num_unit])
                .collect();
            let key = (locations.to_vec(), labels);
            if let Some(&i) = merged.get(&key) {
                let sample = &mut self.p.sample[i];
                for (sum, v) in sample.value.iter_mut().zip(values) {
                    *sum = sum.wrapping_add(*v);
                }
                return;
            }
            merged.insert(key, self.p.sample.len());
        }
        self.p.sample.push(proto::Sample {
            location_id: locations.to_vec(),
            value: values.to_vec(),
            label,
        });
    }

    /// The finished profile.
    pub fn finish(self) -> proto::Profile {
        self.p
    }

    /// The finished profile encoded and gzipped at flate2's default level.
    pub fn finish_gzip(self) -> Vec<u8> {
        crate::gzip::compress(&self.p.encode_to_vec(), Compression::default())
    }

    /// The finished profile encoded and gzipped at the fastest level, as
    /// Go's runtime writes profiles.
    pub fn finish_gzip_fastest(self) -> Vec<u8> {
        crate::gzip::compress(&self.p.encode_to_vec(), Compression::fast())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, address: u64) -> Frame<'_> {
        Frame {
            function,
            file: "f.go",
            line: 1,
            address,
        }
    }

    #[test]
    fn interning_gives_one_index_per_thing() {
        let mut b = ProfileBuilder::new();
        assert_eq!(b.string(""), 0);
        let a = b.string("a");
        assert_eq!(b.string("a"), a);
        let f = b.function("main.f", "f.go");
        assert_eq!(b.function("main.f", "other.go"), f);
        let l = b.location(0, 0x10, &[(f, 3)]);
        assert_eq!(b.location(0, 0x10, &[(f, 3)]), l);
        assert_ne!(b.location(0, 0x10, &[(f, 4)]), l);
        let m = b.add_mapping(Mapping::default());
        assert_ne!(b.location(m, 0x10, &[(f, 3)]), l);
        let full = b.function_with_system_name("main.f", "main.f", "f.go");
        assert_ne!(full, f, "the two rules keep their own functions");
        assert_eq!(
            b.function_with_system_name("main.f", "main.f", "f.go"),
            full
        );
        assert_ne!(
            b.function_with_system_name("main.f", "main.f", "g.go"),
            full
        );
        let s1 = b.stack(&[
            frame("main.f", 0x20),
            frame("main.g", 0x20),
            frame("main.h", 0),
        ]);
        let s2 = b.stack(&[
            frame("main.f", 0x20),
            frame("main.g", 0x20),
            frame("main.h", 0),
        ]);
        assert_eq!(s1, s2);
        assert_eq!(s1.len(), 2, "f inlined into g is one location");
        let p = b.finish();
        assert_eq!(p.string_table.iter().filter(|s| *s == b"a").count(), 1);
        assert_eq!(p.function.len(), 5);
        assert_eq!(p.mapping[0].id, m);
    }

    #[test]
    fn merging_adds_values_of_identical_samples_only() {
        let mut b = ProfileBuilder::new();
        let t = b.value_type("samples", "count");
        b.set_sample_types(vec![t]);
        b.merge_identical_samples(true);
        let s = b.stack(&[frame("main.f", 1)]);
        b.add_sample(&s, &[1], &[Label::num("g", 7, "")]);
        b.add_sample(&s, &[2], &[Label::num("g", 8, "")]);
        b.add_sample(&s, &[3], &[Label::num("g", 7, "")]);
        b.add_sample(&s, &[4], &[Label::str("g", "7")]);
        let p = b.finish();
        let values: Vec<_> = p.sample.iter().map(|s| s.value[0]).collect();
        assert_eq!(values, [4, 2, 4]);
    }

    #[test]
    fn without_merging_every_sample_stays() {
        let mut b = ProfileBuilder::new();
        let t = b.value_type("samples", "count");
        b.set_sample_types(vec![t]);
        b.add_sample(&[], &[1], &[]);
        b.add_sample(&[], &[1], &[]);
        assert_eq!(b.finish().sample.len(), 2);
    }

    #[test]
    fn base_profiles_are_checked() {
        let mut base = proto::Profile::default();
        base.intern("f");
        base.string_table[1] = b"\xff".to_vec();
        let raw = base.encode_to_vec();
        let err = ProfileBuilder::decode_base(&raw).unwrap_err();
        assert!(matches!(err, Error::NotUtf8 { index: 1 }));
        assert!(
            err.to_string().ends_with("data is not UTF-8 encoded"),
            "{err}"
        );

        let mut base = proto::Profile::default();
        base.intern("f");
        base.function.push(Function {
            id: 1,
            name: 9,
            ..Default::default()
        });
        let err = ProfileBuilder::from_base(base).unwrap_err();
        assert!(matches!(err, Error::StringReferences));
        assert!(ProfileBuilder::decode_base(b"\x1f\x8b\x08junk").is_err());
        assert!(ProfileBuilder::decode_base(b"").is_ok());
    }

    #[test]
    fn base_ids_and_strings_are_kept() {
        let mut base = proto::Profile::default();
        let name = base.intern("main.f");
        base.function.push(Function {
            id: 5,
            name,
            ..Default::default()
        });
        base.location.push(Location {
            id: 9,
            address: 0x10,
            line: vec![Line {
                function_id: 5,
                line: 2,
                column: 0,
            }],
            ..Default::default()
        });
        base.sample.push(proto::Sample::default());
        let mut b = ProfileBuilder::from_base(base).unwrap();
        assert_eq!(b.string("main.f"), name);
        assert_eq!(b.stack(&[frame("main.f", 0x10)]), [9]);
        assert_eq!(b.function("main.g", ""), 6);
        assert_eq!(b.stack(&[frame("main.h", 0x10)]), [10]);
        assert!(b.finish().sample.is_empty());
    }
}
