//! Critical paths on the shipped HTTP traces of both formats: every tree's
//! path covers its root span exactly (in time order, no overlap, summing
//! to the root's length), often leaves the root's goroutine, and names waits with the reason strings of Go's parsed model.

use gotrace::vocab::Reason;
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

/// The fixture of `testdata/gen/critgen` (see its main.go): each request's
/// path is the handler spinning, the sleeper asleep while it holds the
/// mutex the worker needs, the worker spinning, then the handler waiting
/// on the backend over the network, in that order; nothing else runs on
/// it.
#[test]
fn known_critical_path() {
    const MS: i64 = 1_000_000;
    for v in ["1.21", "1.25", "1.27"] {
        let path = testkit::testdata().join(format!("traces/crit-go{v}.trace"));
        let file = testkit::testdata().join("gen/critgen/critgen.toml");
        let mut defs = PatternDefs::builtin();
        defs.add(&std::fs::read_to_string(file).unwrap()).unwrap();
        let patterns = defs.compile().unwrap();
        let a = Analysis::run_critical(&Source::open(path).unwrap(), patterns).unwrap();
        let (trees, paths) = a.into_trees_and_paths();
        let mut paths = paths.expect("recorded");
        let mut n = 0;
        for root in trees {
            n += 1;
            assert_eq!(root.kind, "crit/request", "go{v}");
            let p = paths.of(&root);
            let total: i64 = p.segments.iter().map(|s| s.length_ns).sum();
            assert_eq!(total, root.length_ns, "go{v}");
            let find = |what: &dyn Fn(&regions::critical::Segment) -> bool| {
                p.segments.iter().position(what)
            };
            let sleep =
                find(&|s| s.reason == Some(Reason::Sleep) && s.func() == Some("time.Sleep"));
            let sleep = sleep.unwrap_or_else(|| panic!("go{v}: no sleep on {p:#?}"));
            let sleeper = p.segments[sleep].g;
            let worker_run =
                find(&|s| s.state == State::Running && s.func() == Some("main.worker"));
            let worker_run = worker_run.unwrap_or_else(|| panic!("go{v}: no worker on {p:#?}"));
            let worker = p.segments[worker_run].g;
            let net = find(&|s| s.reason == Some(Reason::Network));
            let net = net.unwrap_or_else(|| panic!("go{v}: no network wait on {p:#?}"));
            // Who: the handler, the worker and the sleeper, nobody else.
            let mut gs: Vec<i64> = p.segments.iter().map(|s| s.g).collect();
            gs.sort_unstable();
            gs.dedup();
            let mut want = vec![root.g, worker, sleeper];
            want.sort_unstable();
            assert_eq!(gs, want, "go{v}: {p:#?}");
            // In order, each at least as long as the program makes it.
            assert!(sleep < worker_run && worker_run < net, "go{v}: {p:#?}");
            let spin: i64 = p.segments[..sleep]
                .iter()
                .filter(|s| s.g == root.g && s.state == State::Running)
                .map(|s| s.length_ns)
                .sum();
            assert!(spin >= 2 * MS, "go{v}: handler ran {spin} ns");
            assert!(p.segments[..sleep].iter().all(|s| s.g != sleeper));
            let slept = p.segments[sleep].length_ns;
            assert!(
                slept > MS / 10 && slept < 25 * MS,
                "go{v}: slept {slept} ns"
            );
            let worked: i64 = p.segments[sleep..net]
                .iter()
                .filter(|s| s.g == worker && s.state == State::Running)
                .map(|s| s.length_ns)
                .sum();
            assert!(worked >= MS, "go{v}: worker ran {worked} ns");
            let n = &p.segments[net];
            assert_eq!(n.g, root.g, "go{v}");
            assert_eq!(n.func(), Some("internal/poll.(*FD).Read"), "go{v}");
            assert!(n.length_ns >= 3 * MS, "go{v}: network {} ns", n.length_ns);
            assert!(
                p.segments[net..].iter().all(|s| s.g == root.g),
                "go{v}: {p:#?}"
            );
        }
        assert_eq!(n, 3, "go{v}: requests");
    }
}
