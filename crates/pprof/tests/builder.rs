//! The profile writer against the profiles the trace tools write: CPU
//! samples with stop-the-world labels, merged when identical, and one
//! sample per critical-path segment. Each is read back by pprof's own
//! validating reader.

use gocompat::re2::Pattern;
use pprof::proto::{self, Label as ProtoLabel};
use pprof::{Filter, Frame, Label, ProfileBuilder};

fn frame(function: &'static str, line: i64, address: u64) -> Frame<'static> {
    Frame {
        function,
        file: "/src/main.go",
        line,
        address,
    }
}

fn str_of(p: &proto::Profile, i: i64) -> &str {
    std::str::from_utf8(&p.string_table[i as usize]).unwrap()
}

fn labels(p: &proto::Profile, l: &[ProtoLabel]) -> Vec<String> {
    l.iter()
        .map(|l| match l.str {
            0 => format!("{}={} {}", str_of(p, l.key), l.num, str_of(p, l.num_unit)),
            s => format!("{}={}", str_of(p, l.key), str_of(p, s)),
        })
        .collect()
}

#[test]
fn stw_cpu_samples_with_labels_merge_when_identical() {
    let mut b = ProfileBuilder::new();
    let count = b.value_type("samples", "count");
    let cpu = b.value_type("cpu", "nanoseconds");
    b.set_sample_types(vec![count, cpu]);
    b.set_period(cpu, 10_000_000);
    b.merge_identical_samples(true);
    // runtime.scanobject inlined into runtime.gcDrain at one PC.
    let stack = [
        frame("runtime.scanobject", 10, 0x40),
        frame("runtime.gcDrain", 20, 0x40),
        frame("runtime.gcBgMarkWorker", 30, 0x80),
    ];
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let phases = ["sweep termination", "mark termination", "sweep termination"];
    for (i, phase) in phases.iter().enumerate() {
        let locations = b.stack(&stack);
        let labels = [
            Label::str("stw-phase", phase),
            Label::str("trace-sha256", sha),
            Label::num("g", 17, ""),
            Label::num("offset", 1000 * (i as i64 % 2), "nanoseconds"),
        ];
        b.add_sample(&locations, &[1, 10_000_000], &labels);
    }
    let gz = b.finish_gzip();
    assert_eq!(
        pprof::sum(&gz, "cpu", &Filter::default()).unwrap(),
        30_000_000
    );
    assert_eq!(pprof::sum(&gz, "samples", &Filter::default()).unwrap(), 3);
    let focus = Filter {
        focus: vec![Pattern::new(r"^runtime\.scan\w+$").unwrap()],
        ignore: None,
    };
    assert_eq!(pprof::sum(&gz, "samples", &focus).unwrap(), 3);

    let p = proto::Profile::decode_any(&gz).unwrap();
    assert_eq!(p.sample.len(), 2, "the first and third samples merge");
    assert_eq!(p.sample[0].value, [2, 20_000_000]);
    assert_eq!(
        labels(&p, &p.sample[0].label),
        [
            "stw-phase=sweep termination".to_string(),
            format!("trace-sha256={sha}"),
            "g=17 ".into(),
            "offset=0 nanoseconds".into(),
        ]
    );
    assert_eq!(p.location.len(), 2, "one location per PC");
    assert_eq!(p.location[0].line.len(), 2, "the inlined frame is a line");
    assert_eq!(p.function.len(), 3);
}

#[test]
fn critical_path_segments_stay_one_sample_each() {
    let mut b = ProfileBuilder::new();
    let t = b.value_type("critical-path", "nanoseconds");
    b.set_sample_types(vec![t]);
    let segments = [
        ("running", "", 500),
        ("waiting", "chan receive", 700),
        ("waiting", "chan receive", 700),
    ];
    for (state, reason, nanos) in segments {
        let locations = b.stack(&[frame("main.handle", 5, 0), frame("main.main", 9, 0)]);
        let labels = [
            Label::str("trace", "run1.trace"),
            Label::str("state", state),
            Label::str("reason", reason),
            Label::str("root_kind", "server/http"),
            Label::num("root_g", 105, ""),
        ];
        b.add_sample(&locations, &[nanos], &labels);
    }
    let gz = b.finish_gzip();
    assert_eq!(pprof::sum(&gz, "", &Filter::default()).unwrap(), 1900);
    let p = proto::Profile::decode_any(&gz).unwrap();
    assert_eq!(p.sample.len(), 3);
    assert_eq!(
        p.location.len(),
        2,
        "frames without a PC: one location each"
    );
    let l = labels(&p, &p.sample[1].label);
    assert_eq!(l[1..3], ["state=waiting", "reason=chan receive"]);
    // An empty reason is the empty string: a label with str index 0, which
    // reads as a numeric label of 0.
    assert_eq!(p.sample[0].label[2].str, 0);
}

#[test]
fn a_written_profile_is_a_base_for_another() {
    let mut b = ProfileBuilder::new();
    let t = b.value_type("samples", "count");
    b.set_sample_types(vec![t]);
    b.set_period(t, 1);
    let s = b.stack(&[frame("main.f", 1, 0x10), frame("main.main", 2, 0x20)]);
    b.add_sample(&s, &[1], &[]);
    let first = b.finish_gzip();

    let mut b = ProfileBuilder::decode_base(&first).unwrap();
    assert_eq!(b.period(), 1);
    let again = b.stack(&[frame("main.f", 1, 0x10), frame("main.main", 2, 0x20)]);
    assert_eq!(again, s, "the base's locations are reused");
    let other = b.stack(&[frame("main.g", 3, 0x30)]);
    assert!(other[0] > *s.iter().max().unwrap());
    b.add_sample(&again, &[4], &[]);
    let second = b.finish_gzip();
    assert_eq!(pprof::sum(&second, "", &Filter::default()).unwrap(), 4);
}
