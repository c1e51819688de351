//! No bundle makes `run` panic: zips with flipped bytes (local headers,
//! data, central directory) or cut short, and metas of random bytes, are
//! skipped or ranked, never a crash.

use std::path::Path;

use autoprof::{Options, Query};

const ZIP: &str = "../../testdata/bundles/gen/1-6b080e12-00112233445566778899aabb-4103-002.zip";

#[test]
fn mutated_zips_and_metas_do_not_panic() {
    let good = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(ZIP)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..300 {
        let mut b = good.clone();
        match i % 3 {
            0 => {
                for _ in 0..1 + rnd() % 8 {
                    let at = (rnd() % b.len() as u64) as usize;
                    b[at] = rnd() as u8;
                }
            }
            1 => {
                // Bytes near the end: the central directory.
                let n = b.len();
                for _ in 0..1 + rnd() % 4 {
                    let at = n - 1 - (rnd() % 300.min(n as u64)) as usize;
                    b[at] = rnd() as u8;
                }
            }
            _ => b.truncate((rnd() % b.len() as u64) as usize),
        }
        std::fs::write(tmp.path().join(format!("z{i:03}.zip")), b).unwrap();
        let dir = tmp.path().join(format!("f{i:03}"));
        std::fs::create_dir_all(dir.join("pprof")).unwrap();
        let meta: Vec<u8> = (0..rnd() % 64).map(|_| rnd() as u8).collect();
        std::fs::write(dir.join("meta"), meta).unwrap();
    }
    for count in [None, Some("goroutine"), Some("heap")] {
        let opts = Options {
            root: tmp.path().to_path_buf(),
            with_trace: true,
            hosts: count.is_none(),
            write_links: false,
            count: count.map(|p| Query {
                profile: p.into(),
                ..Query::default()
            }),
            vs_prev: true,
            json: false,
        };
        let outcome = autoprof::run(&opts, Vec::new()).unwrap();
        assert!(outcome.skipped > 0);
    }
}
