//! `pprof::sum` against a direct transcription of google/pprof's rules
//! (`FilterSamplesByName` once for ignore and once per focus, then summing
//! the chosen value) on many random profiles, gzipped and raw.

use gocompat::re2::{Pattern, compile};
use pprof::proto::{Function, Label, Line, Location, Mapping, Profile, Sample, ValueType};
use pprof::{Filter, sum};
use regex::Regex;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PATTERNS: &[&str] = &[
    "Func1",
    r"pkg2\.",
    r"f3\.go$",
    "/bin/app",
    "vdso",
    "^pkg",
    "Func[12]$",
    "pkg1",
    "",
    r"\bFunc0\b",
];

fn random_profile(r: &mut Rng) -> Profile {
    let mut p = Profile::default();
    p.intern("");
    let ntypes = 1 + r.below(4) as usize;
    for t in 0..ntypes {
        let (ty, unit) = (p.intern(&format!("type{t}")), p.intern("count"));
        p.sample_type.push(ValueType { r#type: ty, unit });
    }
    p.default_sample_type = p.intern(&format!("type{}", r.below(5)));
    let sparse = r.below(4) == 0; // ids far above the table sizes
    let id = |i: u64| if sparse { 1000 + 7 * i } else { i + 1 };
    let nmaps = r.below(3);
    for m in 0..nmaps {
        let file = ["/bin/app", "[vdso]", "/lib/libc.so.6"][m as usize];
        let filename = p.intern(file);
        p.mapping.push(Mapping {
            id: id(m),
            filename,
            ..Default::default()
        });
    }
    let nfuncs = 1 + r.below(12);
    for f in 0..nfuncs {
        let name = p.intern(&format!("pkg{}.Func{}", r.below(4), f));
        let filename = p.intern(&format!("/src/f{}.go", r.below(5)));
        p.function.push(Function {
            id: id(f),
            name,
            system_name: name,
            filename,
            start_line: 1,
        });
    }
    let nlocs = 1 + r.below(20);
    for l in 0..nlocs {
        let line = (0..r.below(4))
            .map(|_| Line {
                function_id: id(r.below(nfuncs)),
                line: r.below(100) as i64,
                ..Default::default()
            })
            .collect();
        // Mapping id: none, known, or unknown (which means none).
        let mapping_id = match r.below(4) {
            0 => 0,
            1 => 77,
            _ if nmaps > 0 => id(r.below(nmaps)),
            _ => 0,
        };
        p.location.push(Location {
            id: id(l),
            mapping_id,
            line,
            ..Default::default()
        });
    }
    for _ in 0..r.below(40) {
        let location_id = (0..r.below(7)).map(|_| id(r.below(nlocs))).collect();
        let value = (0..ntypes)
            .map(|_| match r.below(5) {
                0 => i64::MAX - r.below(10) as i64,
                1 => -(r.below(1 << 40) as i64),
                _ => r.below(1000) as i64,
            })
            .collect();
        let key = p.intern("bytes");
        let label = vec![Label {
            key,
            num: 8,
            ..Default::default()
        }];
        p.sample.push(Sample {
            location_id,
            value,
            label,
        });
    }
    p
}

/// google/pprof's semantics, written out over the full object graph.
fn reference(p: &Profile, want: &str, focus: &[Regex], ignore: Option<&Regex>) -> i128 {
    let s = |i: i64| String::from_utf8_lossy(&p.string_table[i as usize]).into_owned();
    let want = if want.is_empty() {
        s(p.default_sample_type)
    } else {
        want.to_string()
    };
    let index = p
        .sample_type
        .iter()
        .position(|t| s(t.r#type) == want)
        .unwrap_or(0);
    let matches = |loc_id: u64, re: &Regex| {
        let loc = p.location.iter().find(|l| l.id == loc_id).unwrap();
        loc.line.iter().any(|ln| {
            let f = p.function.iter().find(|f| f.id == ln.function_id).unwrap();
            re.is_match(&s(f.name)) || re.is_match(&s(f.filename))
        }) || p
            .mapping
            .iter()
            .find(|m| m.id == loc.mapping_id)
            .is_some_and(|m| re.is_match(&s(m.filename)))
    };
    p.sample
        .iter()
        .filter(|smp| match ignore {
            Some(re) => {
                !smp.location_id.is_empty() && !smp.location_id.iter().any(|&l| matches(l, re))
            }
            None => true,
        })
        .filter(|smp| {
            focus
                .iter()
                .all(|re| smp.location_id.iter().any(|&l| matches(l, re)))
        })
        .map(|smp| i128::from(smp.value[index]))
        .sum()
}

#[test]
fn random_profiles_sum_like_pprof() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut nonzero = 0;
    for round in 0..3000 {
        let p = random_profile(&mut r);
        let nfocus = r.below(3) as usize;
        let focus: Vec<&str> = (0..nfocus)
            .map(|_| PATTERNS[r.below(PATTERNS.len() as u64) as usize])
            .collect();
        let ignore = (r.below(2) == 0).then(|| PATTERNS[r.below(PATTERNS.len() as u64) as usize]);
        let want = ["", "type0", "type2", "nope"][r.below(4) as usize];
        let expected = reference(
            &p,
            want,
            &focus
                .iter()
                .map(|f| compile(f).unwrap())
                .collect::<Vec<_>>(),
            ignore.map(|i| compile(i).unwrap()).as_ref(),
        );
        let filter = Filter {
            focus: focus.iter().map(|f| Pattern::new(f).unwrap()).collect(),
            ignore: ignore.map(|i| Pattern::new(i).unwrap()),
        };
        let bytes = if round % 2 == 0 {
            p.encode_gzip()
        } else {
            prost::Message::encode_to_vec(&p)
        };
        let got = sum(&bytes, want, &filter).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(
            got, expected,
            "round {round}: focus {focus:?} ignore {ignore:?} want {want:?}"
        );
        nonzero += usize::from(expected != 0);
    }
    assert!(
        nonzero > 1000,
        "the generator should make interesting profiles ({nonzero})"
    );
}

#[test]
fn more_than_64_patterns() {
    let mut r = Rng(42);
    for _ in 0..50 {
        let p = random_profile(&mut r);
        let focus: Vec<&str> = (0..70).map(|i| PATTERNS[i % 3]).collect();
        let expected = reference(
            &p,
            "",
            &focus
                .iter()
                .map(|f| compile(f).unwrap())
                .collect::<Vec<_>>(),
            None,
        );
        let filter = Filter {
            focus: focus.iter().map(|f| Pattern::new(f).unwrap()).collect(),
            ignore: None,
        };
        assert_eq!(sum(&p.encode_gzip(), "", &filter).unwrap(), expected);
    }
}

/// Location ids whose varints take every length from one to ten bytes, so
/// that the id decoding sees short and long ones side by side.
const WIDE_IDS: [u64; 20] = [
    1,
    127,
    128,
    300,
    16383,
    16384,
    16385,
    (1 << 21) - 1,
    1 << 21,
    1 << 28,
    1 << 35,
    1 << 42,
    1 << 49,
    1 << 56,
    1 << 63,
    u64::MAX,
    2,
    5000,
    99999,
    1 << 20,
];

#[test]
fn location_ids_of_every_length() {
    let mut r = Rng(7);
    let mut nonzero = 0;
    for round in 0..500 {
        let mut p = random_profile(&mut r);
        let wide: std::collections::HashMap<u64, u64> = p
            .location
            .iter()
            .zip(WIDE_IDS)
            .map(|(l, w)| (l.id, w))
            .collect();
        for l in &mut p.location {
            l.id = wide[&l.id];
        }
        for s in &mut p.sample {
            for id in &mut s.location_id {
                *id = wide[id];
            }
        }
        let focus = PATTERNS[r.below(PATTERNS.len() as u64) as usize];
        let ignore = PATTERNS[r.below(PATTERNS.len() as u64) as usize];
        let expected = reference(&p, "", &[compile(focus).unwrap()], None)
            + reference(&p, "", &[], Some(&compile(ignore).unwrap()));
        let filter = |f: Option<&str>, i: Option<&str>| Filter {
            focus: f.iter().map(|f| Pattern::new(f).unwrap()).collect(),
            ignore: i.map(|i| Pattern::new(i).unwrap()),
        };
        let bytes = p.encode_gzip();
        let got = sum(&bytes, "", &filter(Some(focus), None)).unwrap()
            + sum(&bytes, "", &filter(None, Some(ignore))).unwrap();
        assert_eq!(got, expected, "round {round}: {focus:?} {ignore:?}");
        nonzero += usize::from(expected != 0);
    }
    assert!(nonzero > 100, "{nonzero}");
}

/// Long stacks of ids of one, two and three bytes (so that the packed
/// location-id fields are read eight bytes at a time, with varints
/// crossing those eight bytes), with every width of filter table: up to 7
/// patterns, up to 31, and more.
#[test]
fn long_stacks_with_any_number_of_patterns() {
    let mut r = Rng(99);
    let mut nonzero = 0;
    for round in 0..600 {
        let mut p = random_profile(&mut r);
        let ids: std::collections::HashMap<u64, u64> = p
            .location
            .iter()
            .map(|l| {
                let wide = match r.below(6) {
                    0 => 1 + r.below(127),
                    1 => 16384 + r.below(1 << 20),
                    _ => 128 + r.below(16383 - 128),
                };
                (l.id, wide)
            })
            .collect();
        if ids.values().collect::<std::collections::HashSet<_>>().len() < ids.len() {
            continue;
        }
        for l in &mut p.location {
            l.id = ids[&l.id];
        }
        let nlocs = p.location.len() as u64;
        for s in &mut p.sample {
            let depth = r.below(60);
            s.location_id = (0..depth)
                .map(|_| p.location[r.below(nlocs) as usize].id)
                .collect();
        }
        let npatterns = [1, 6, 7, 8, 20, 31, 32, 40][r.below(8) as usize];
        let focus: Vec<&str> = (0..npatterns - 1)
            .map(|_| PATTERNS[r.below(PATTERNS.len() as u64) as usize])
            .collect();
        let ignore = PATTERNS[r.below(PATTERNS.len() as u64) as usize];
        let expected = reference(
            &p,
            "",
            &focus
                .iter()
                .map(|f| compile(f).unwrap())
                .collect::<Vec<_>>(),
            Some(&compile(ignore).unwrap()),
        );
        let filter = Filter {
            focus: focus.iter().map(|f| Pattern::new(f).unwrap()).collect(),
            ignore: Some(Pattern::new(ignore).unwrap()),
        };
        let got = sum(&p.encode_gzip(), "", &filter).unwrap();
        assert_eq!(got, expected, "round {round}: {focus:?} {ignore:?}");
        nonzero += usize::from(expected != 0);
    }
    assert!(nonzero > 30, "{nonzero}");
}
