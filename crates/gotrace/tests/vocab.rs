//! The vocabulary against real traces of every format: the old event name
//! [`OldEvent::of_event`] gives an event is one whose `matches` accepts it,
//! every other name accepting it means the same, and the reasons the
//! traces carry are the vocabulary's.

use gotrace::vocab::{OldEvent, Reason};
use gotrace::{EventKind, Reader};
use std::collections::BTreeSet;
use std::path::Path;

const TRACES: [&str; 12] = [
    "go1.11-startstop",
    "go1.11-tasks",
    "go1.19",
    "go1.21",
    "go1.22",
    "go1.23",
    "go1.25",
    "go1.26",
    "go1.27",
    "http-go1.19",
    "http-go1.21",
    "http-go1.25",
];

#[test]
fn of_event_agrees_with_matches() {
    let olds: Vec<OldEvent> = OldEvent::all().collect();
    assert_eq!(olds.len(), 50);
    let mut named = BTreeSet::new();
    let mut reasons = BTreeSet::new();
    for name in TRACES {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces")
            .join(format!("{name}.trace"));
        let file = std::fs::File::open(&path).unwrap();
        let mut r = Reader::new(std::io::BufReader::new(file)).unwrap();
        while let Some(ev) = r.read_event().unwrap() {
            if let Some(st) = ev.state_transition() {
                reasons.insert(st.reason.to_string());
            }
            let of = OldEvent::of_event(&ev);
            if let Some(o) = of {
                assert!(o.matches(&ev), "{name}: {} does not match {ev:?}", o.name());
                assert!(o.kinds().contains(&ev.kind()));
                named.insert(o.name());
            }
            for old in &olds {
                if old.matches(&ev) {
                    let o = of.unwrap_or_else(|| panic!("{name}: {} matches {ev:?}", old.name()));
                    assert_eq!(old.meaning(), o.meaning(), "{name}: {ev:?}");
                }
            }
            if ev.kind() == EventKind::Sync || ev.kind() == EventKind::Label {
                assert_eq!(of, None);
            }
        }
    }
    for reason in &reasons {
        assert!(
            Reason::from_name(reason).is_some(),
            "reason {reason:?} is not in the vocabulary"
        );
    }
    // The traces exercise most names.
    for n in [
        "GoCreate",
        "GoStart",
        "GoBlockRecv",
        "GoBlock",
        "GoSysCall",
        "GoSysExit",
        "GCStart",
        "GCSTWStart",
        "UserRegion",
        "CPUSample",
    ] {
        assert!(named.contains(n), "{n} never seen: {named:?}");
    }
}
