//! Which inputs are rejected, as google/pprof's `Parse`/`CheckValid` would
//! reject them, which odd ones are accepted, and that no input panics:
//! truncations, byte flips and random bytes of valid profiles, gzipped and
//! raw, including a real Go heap profile.

use std::io::Read;

use gocompat::re2::Pattern;
use pprof::proto::{Function, Label, Line, Location, Profile, Sample, ValueType};
use pprof::{Filter, sum};
use prost::Message;

fn base() -> Profile {
    let mut p = Profile::default();
    let (ty, unit) = (p.intern("goroutine"), p.intern("count"));
    p.sample_type.push(ValueType { r#type: ty, unit });
    let name = p.intern("main.main");
    p.function.push(Function {
        id: 1,
        name,
        filename: name,
        ..Default::default()
    });
    p.location.push(Location {
        id: 1,
        line: vec![Line {
            function_id: 1,
            line: 3,
            ..Default::default()
        }],
        ..Default::default()
    });
    p.sample.push(Sample {
        location_id: vec![1],
        value: vec![5],
        ..Default::default()
    });
    p
}

fn total(bytes: &[u8]) -> Result<i128, pprof::Error> {
    sum(bytes, "", &Filter::default())
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// `p` encoded, followed by one extra raw field.
fn with_field(p: &Profile, field: u64, wire: u64, payload: &[u8]) -> Vec<u8> {
    let mut b = p.encode_to_vec();
    varint(field << 3 | wire, &mut b);
    b.extend_from_slice(payload);
    b
}

#[test]
fn valid_profile_sums() {
    assert_eq!(total(&base().encode_to_vec()).unwrap(), 5);
    assert_eq!(total(&base().encode_gzip()).unwrap(), 5);
}

#[test]
fn rejected_like_pprof() {
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut p = base();
    p.string_table.clear();
    cases.push(("no string table", p.encode_to_vec()));
    let mut p = base();
    p.string_table[0] = b"x".to_vec();
    cases.push(("first string not empty", p.encode_to_vec()));
    let mut p = base();
    p.function[0].name = 99;
    cases.push(("string index out of range", p.encode_to_vec()));
    let mut p = base();
    p.function[0].filename = -1;
    cases.push(("negative string index", p.encode_to_vec()));
    let mut p = base();
    p.sample[0].value.push(1);
    cases.push(("too many values", p.encode_to_vec()));
    let mut p = base();
    p.sample_type.clear();
    cases.push(("samples without sample types", p.encode_to_vec()));
    let mut p = base();
    p.sample[0].location_id.push(9);
    cases.push(("unknown location", p.encode_to_vec()));
    let mut p = base();
    p.location[0].line[0].function_id = 0;
    cases.push(("line without function", p.encode_to_vec()));
    let mut p = base();
    p.location[0].line[0].function_id = 4;
    cases.push(("line with unknown function", p.encode_to_vec()));
    let mut p = base();
    p.location.push(p.location[0].clone());
    cases.push(("duplicate location id", p.encode_to_vec()));
    let mut p = base();
    p.function[0].id = 0;
    p.location[0].line.clear();
    cases.push(("function id 0", p.encode_to_vec()));
    let mut p = base();
    let key = p.intern("k");
    p.sample[0].label.push(Label {
        key,
        str: 50,
        ..Default::default()
    });
    cases.push(("label string out of range", p.encode_to_vec()));
    let mut p = base();
    p.time_nanos = 1;
    cases.push((
        "concatenated profiles",
        [p.encode_to_vec(), p.encode_to_vec()].concat(),
    ));
    cases.push((
        "group wire type in an unknown field",
        with_field(&base(), 100, 3, &[]),
    ));
    cases.push((
        "fixed64 for an int field",
        with_field(&base(), 9, 1, &[0; 8]),
    ));
    cases.push((
        "varint for a message field",
        with_field(&base(), 2, 0, &[1]),
    ));
    cases.push(("length past the end", with_field(&base(), 100, 2, &[5, 1])));
    cases.push((
        "eleven-byte varint",
        with_field(&base(), 12, 0, &[0x80; 11]),
    ));
    cases.push(("empty", Vec::new()));
    cases.push(("empty after gzip", Profile::default().encode_gzip()));
    let gz = base().encode_gzip();
    cases.push(("truncated gzip", gz[..gz.len() - 1].to_vec()));
    cases.push((
        "legacy text profile",
        b"goroutine profile: total 3\n1 @ 0x1 0x2\n".to_vec(),
    ));
    for (what, bytes) in cases {
        assert!(total(&bytes).is_err(), "{what} was accepted");
    }
}

#[test]
fn accepted_like_pprof() {
    let mut p = base();
    p.location[0].mapping_id = 12; // unknown mapping: no mapping
    assert_eq!(total(&p.encode_to_vec()).unwrap(), 5);
    // Unknown fields of every accepted wire type are skipped.
    let mut b = with_field(&base(), 100, 0, &[1]);
    varint(101 << 3 | 1, &mut b);
    b.extend([0; 8]);
    varint(102 << 3 | 5, &mut b);
    b.extend([0; 4]);
    varint(2, &mut b); // field 0 (wire type 2) is skipped too
    b.extend([1, 0]);
    assert_eq!(total(&b).unwrap(), 5);
    // A time_nanos of 0 followed by another one is not a concatenation.
    let p = base();
    let b = [with_field(&p, 9, 0, &[0]), vec![9 << 3, 7]].concat();
    assert_eq!(total(&b).unwrap(), 5);
    // One protobuf split across two gzip members.
    let raw = base().encode_to_vec();
    let gz = |b: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, b).unwrap();
        e.finish().unwrap()
    };
    let (a, b) = raw.split_at(raw.len() / 2);
    assert_eq!(total(&[gz(a), gz(b)].concat()).unwrap(), 5);
    // Unpacked repeated fields, as Go writes short lists.
    let mut b = Vec::new();
    let mut s = vec![1 << 3, 1, 2 << 3, 4, 2 << 3];
    varint(3, &mut s); // a second value for a profile with two types
    let mut p = base();
    let (ty, unit) = (p.intern("other"), p.intern("count"));
    p.sample_type.push(ValueType { r#type: ty, unit });
    p.sample.clear();
    b.extend(p.encode_to_vec());
    b.push(2 << 3 | 2);
    varint(s.len() as u64, &mut b);
    b.extend(&s);
    assert_eq!(sum(&b, "other", &Filter::default()).unwrap(), 3);
    assert_eq!(sum(&b, "", &Filter::default()).unwrap(), 4);
}

fn corpus_heap() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/bundles/corpus/1-6b081067-bd1984d2eae7893d2145ec12-27466-002.zip"
    );
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut f = z.by_name("pprof/heap").unwrap();
    let mut b = Vec::new();
    f.read_to_end(&mut b).unwrap();
    b
}

/// Runs every input through summing with and without filters; returning
/// at all (with a value or an error) is the test.
fn no_panic(bytes: &[u8], filters: &[Filter]) {
    for f in filters {
        let _ = sum(bytes, "inuse_space", f);
    }
}

#[test]
fn no_input_panics() {
    let filters = [
        Filter::default(),
        Filter {
            focus: vec![
                Pattern::new("main").unwrap(),
                Pattern::new("runtime\\.").unwrap(),
            ],
            ignore: Some(Pattern::new("gc").unwrap()),
        },
    ];
    let heap = corpus_heap();
    let mut raw = Vec::new();
    flate2::read::MultiGzDecoder::new(&heap[..])
        .read_to_end(&mut raw)
        .unwrap();
    assert!(sum(&heap, "inuse_space", &Filter::default()).is_ok());
    let mut seeds = vec![
        heap.clone(),
        raw.clone(),
        base().encode_to_vec(),
        base().encode_gzip(),
    ];
    let mut p = base();
    p.time_nanos = 5;
    seeds.push(p.encode_to_vec());

    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for seed in &seeds {
        // Every truncation of small inputs, a sample of them for large ones.
        let step = (seed.len() / 400).max(1);
        for n in (0..seed.len()).step_by(step) {
            no_panic(&seed[..n], &filters);
        }
        // Random byte changes, one to four at a time.
        for _ in 0..400 {
            let mut b = seed.clone();
            for _ in 0..1 + rnd() % 4 {
                let i = (rnd() % b.len() as u64) as usize;
                b[i] = rnd() as u8;
            }
            no_panic(&b, &filters);
        }
    }
    for len in [1usize, 2, 3, 10, 100, 1000] {
        for _ in 0..200 {
            let b: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
            no_panic(&b, &filters);
            no_panic(&[&[0x1f, 0x8b, 8, 0][..], &b].concat(), &filters);
        }
    }
}
