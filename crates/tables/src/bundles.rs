//! A bundle's own tables: `bundles` (its `meta`, one row) and `samples`
//! (every sample of every profile under `pprof/` but the trace, one row
//! per sample and sample type), the samples' stacks going to the input's
//! `stacks` and `frames` like the trace's.

use crate::columns::{Bundles, Samples};
use crate::error::Error;
use crate::sink::{Files, Sink};
use crate::stacks::{FrameKey, StackTable};
use autoprof::{Bundle, Timestamp};
use pprof::proto::{Location, Profile};
use prost::Message;
use std::collections::HashMap;
use std::path::Path;

/// What the bundle's row says of its trace.
#[derive(Debug, Clone, Copy)]
pub struct Meta<'a> {
    /// The bundle holds `pprof/trace`.
    pub has_trace: bool,
    /// Why that trace has no tables.
    pub trace_error: Option<&'a str>,
}

/// Writes the `bundles` row of `b`.
pub fn write_meta(
    input: &str,
    b: &Bundle,
    t: Meta<'_>,
    mut rows: Sink<Bundles>,
    files: &mut Files,
) -> Result<(), Error> {
    let m = &b.meta;
    let r = &mut rows.rows;
    r.input.append_value(input);
    r.hostname.append_value(&m.hostname);
    r.proc_id.append_value(&m.proc_id);
    r.capture_time.append_option(micros(&m.capture_time));
    r.capture_time_text.append_value(&m.capture_time.text);
    r.init_time.append_option(micros(&m.init_time));
    r.init_time_text.append_value(&m.init_time.text);
    r.main.append_value(&m.main);
    r.revision.append_value(&m.revision);
    r.go_version.append_value(&m.go_version);
    r.has_trace.append_value(t.has_trace);
    r.trace_error.append_option(t.trace_error);
    rows.finish(files)
}

/// Microseconds since the epoch (rounded down), `None` only past the
/// year 292,000.
fn micros(t: &Timestamp) -> Option<i64> {
    i64::try_from(t.nanos.div_euclid(1000)).ok()
}

/// Writes the samples of every profile of `b` (not its trace).
pub fn write_samples(
    input: &str,
    b: &Bundle,
    mut rows: Sink<Samples>,
    stacks: &mut StackTable,
    files: &mut Files,
) -> Result<(), Error> {
    let root = Path::new("");
    let bad = |source| Error::Bundle {
        input: input.to_owned(),
        source,
    };
    let mut raw = Vec::new();
    let mut plain = Vec::new();
    for name in b.profile_names(root).map_err(bad)? {
        if name == "trace" || !b.read_profile(root, &name, &mut raw).map_err(bad)? {
            continue;
        }
        let invalid = |reason: String| Error::Profile {
            input: input.to_owned(),
            profile: name.clone(),
            reason,
        };
        let bytes = if pprof::is_gzip(&raw) {
            pprof::decompress_into(&raw, &mut plain).map_err(|e| invalid(e.to_string()))?;
            &plain[..]
        } else {
            &raw[..]
        };
        let p = Profile::decode(bytes).map_err(|e| invalid(e.to_string()))?;
        profile(input, &name, &p, &mut rows, stacks)?;
    }
    rows.finish(files)
}

fn location_frames(
    l: &Location,
    functions: &HashMap<u64, (String, String)>,
    stacks: &mut StackTable,
) -> Vec<u32> {
    l.line
        .iter()
        .map(|line| {
            let (func, file) = functions
                .get(&line.function_id)
                .cloned()
                .unwrap_or_default();
            stacks.frame(FrameKey {
                func,
                file,
                line: line.line,
                pc: l.address,
            })
        })
        .collect()
}

/// The text of a string-table index ("" when out of range).
fn text(p: &Profile, i: i64) -> String {
    usize::try_from(i)
        .ok()
        .and_then(|i| p.string_table.get(i))
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

fn profile(
    input: &str,
    name: &str,
    p: &Profile,
    rows: &mut Sink<Samples>,
    stacks: &mut StackTable,
) -> Result<(), Error> {
    let types: Vec<(String, String)> = p
        .sample_type
        .iter()
        .map(|t| (text(p, t.r#type), text(p, t.unit)))
        .collect();
    // apshuffle's choice without -sample-type: the first type named like
    // the default, else the first.
    let default = text(p, p.default_sample_type);
    let default = types.iter().position(|t| t.0 == default).unwrap_or(0);
    let functions: HashMap<u64, (String, String)> = p
        .function
        .iter()
        .map(|f| (f.id, (text(p, f.name), text(p, f.filename))))
        .collect();
    // Each location's frames (its lines, inlined first), interned once.
    let locations: HashMap<u64, Vec<u32>> = p
        .location
        .iter()
        .map(|l| (l.id, location_frames(l, &functions, stacks)))
        .collect();
    let mut key: Vec<u32> = Vec::new();
    for (si, s) in p.sample.iter().enumerate() {
        key.clear();
        for id in &s.location_id {
            if let Some(f) = locations.get(id) {
                key.extend_from_slice(f);
            }
        }
        let stack_id = stacks.stack_of(&key)?;
        let mut labels: Vec<(String, String)> = Vec::new();
        let mut nums: Vec<(String, i64)> = Vec::new();
        for l in &s.label {
            let key = text(p, l.key);
            if l.str != 0 {
                if !labels.iter().any(|(k, _)| *k == key) {
                    labels.push((key, text(p, l.str)));
                }
            } else if !nums.iter().any(|(k, _)| *k == key) {
                nums.push((key, l.num));
            }
        }
        for (ti, (typ, unit)) in types.iter().enumerate() {
            let r = &mut rows.rows;
            r.input.append_value(input);
            r.profile.append_value(name);
            r.sample.append_value(si as i64);
            r.sample_type.append_value(typ);
            r.unit.append_value(unit);
            r.is_default.append_value(ti == default);
            r.value.append_value(s.value.get(ti).copied().unwrap_or(0));
            r.stack_id.append_option(stack_id);
            for (k, v) in &labels {
                r.labels.keys().append_value(k);
                r.labels.values().append_value(v);
            }
            // Fails only when keys and values differ in number.
            let _ = r.labels.append(true);
            for (k, v) in &nums {
                r.num_labels.keys().append_value(k);
                r.num_labels.values().append_value(*v);
            }
            let _ = r.num_labels.append(true);
            rows.maybe_flush()?;
        }
    }
    Ok(())
}
