//! Critical paths on the shipped HTTP traces of both formats: every tree's
//! path covers its root span exactly (in time order, no overlap, summing
//! to the root's length), often leaves the root's goroutine, and names waits with the reason strings of Go's parsed model.

use regions::Analysis;
use regions::critical::State;
use regions::patterns::PatternDefs;
use regions::source::Source;

#[test]
fn paths_cover_roots_exactly() {
    for v in ["1.19", "1.21", "1.25"] {
        let path = testkit::testdata().join(format!("traces/http-go{v}.trace"));
        let patterns = PatternDefs::builtin().compile().unwrap();
        let a = Analysis::run_critical(&Source::open(path).unwrap(), patterns).unwrap();
        let (trees, paths) = a.into_trees_and_paths();
        let mut paths = paths.expect("recorded");
        let (mut n, mut handed, mut network) = (0, 0, 0);
        for root in trees {
            let p = paths.of(&root);
            n += 1;
            let mut at = root.start_ns;
            for s in &p.segments {
                assert_eq!(s.start_ns, at, "go{v}: {p:?}");
                assert!(s.length_ns > 0, "go{v}: {p:?}");
                assert!(s.reason.is_none() || s.state == State::Waiting);
                at += s.length_ns;
            }
            assert_eq!(at, root.start_ns + root.length_ns, "go{v}");
            let sum: i64 = p.by_state().iter().map(|(_, v)| v).sum();
            assert_eq!(sum, root.length_ns, "go{v}");
            handed += usize::from(p.segments.iter().any(|s| s.g != root.g));
            network += p
                .by_state()
                .iter()
                .filter(|(k, _)| k == "waiting:network")
                .count();
        }
        assert!(n > 10, "go{v}: {n} trees");
        assert!(
            handed * 2 > n,
            "go{v}: {handed} of {n} paths leave the root's goroutine"
        );
        assert!(
            network * 4 > n,
            "go{v}: {network} of {n} paths wait on the network"
        );
    }
}
