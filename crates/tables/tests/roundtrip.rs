//! The tables read back: one row per event with the reader's fields, the
//! required columns under their names, stacks whose frames are the
//! reader's, goroutines with their creation and end.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

fn read(out: &Path, table: &str, input: &str) -> Vec<RecordBatch> {
    let f = File::open(out.join(table).join(tables::name::file_name(input))).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn ints(batches: &[RecordBatch], col: &str) -> Vec<Option<i64>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column_by_name(col).unwrap().as_primitive::<Int64Type>();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i)))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn strs(batches: &[RecordBatch], col: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column_by_name(col).unwrap().as_string::<i32>();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_trace_reads_back_as_its_events() {
    let out = tempfile::tempdir().unwrap();
    let path = testkit::testdata().join("traces/go1.25.trace");
    let input = path.to_string_lossy().into_owned();
    let opts = tables::Options {
        out: out.path().to_path_buf(),
        patterns: regions::patterns::PatternDefs::builtin().compile().unwrap(),
    };
    let mut written = Vec::new();
    tables::write_all(tables::expand(&[&input]), &opts, |r| {
        written.push(r.unwrap().unwrap())
    });
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].files.len(), 7);

    // What the reader says.
    let mut reader = gotrace::Reader::new(File::open(&path).unwrap()).unwrap();
    let mut want = Vec::new();
    let mut sample_frames = None;
    while let Some(ev) = reader.read_event().unwrap() {
        want.push((
            ev.time(),
            ev.kind().name().to_owned(),
            ev.goroutine(),
            ev.proc(),
            ev.thread(),
        ));
        if sample_frames.is_none() && ev.stack().len() > 2 {
            let f: Vec<String> = ev.stack().frames().map(|f| f.func().to_owned()).collect();
            sample_frames = Some((want.len() - 1, f));
        }
    }

    let ev = read(out.path(), "events", &input);
    for col in ["input", "time_ns", "kind", "g", "p", "m"] {
        assert!(ev[0].column_by_name(col).is_some(), "{col}");
    }
    let time = ints(&ev, "time_ns");
    let kind = strs(&ev, "kind");
    let (g, p, m) = (ints(&ev, "g"), ints(&ev, "p"), ints(&ev, "m"));
    let got: Vec<_> = (0..time.len())
        .map(|i| {
            (
                time[i].unwrap(),
                kind[i].clone().unwrap(),
                g[i].unwrap(),
                p[i].unwrap(),
                m[i].unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(
        strs(&ev, "input")
            .iter()
            .all(|i| i.as_deref() == Some(&input[..]))
    );

    // The frames of that event's stack, leaf first.
    let (at, funcs) = sample_frames.unwrap();
    let id = ints(&ev, "stack_id")[at].unwrap();
    let st = read(out.path(), "stacks", &input);
    let (ids, pos, frame) = (
        ints(&st, "stack_id"),
        ints(&st, "position"),
        ints(&st, "frame_id"),
    );
    let fr = read(out.path(), "frames", &input);
    let func: HashMap<i64, String> = ints(&fr, "frame_id")
        .into_iter()
        .zip(strs(&fr, "func"))
        .map(|(i, f)| (i.unwrap(), f.unwrap()))
        .collect();
    // Each frame once.
    assert_eq!(func.len(), fr.iter().map(|b| b.num_rows()).sum::<usize>());
    let mut frames: Vec<(i64, String)> = (0..ids.len())
        .filter(|&i| ids[i] == Some(id))
        .map(|i| (pos[i].unwrap(), func[&frame[i].unwrap()].clone()))
        .collect();
    frames.sort();
    assert_eq!(frames.into_iter().map(|f| f.1).collect::<Vec<_>>(), funcs);

    // Every stack id used is in `stacks`, its positions 0, 1, ..., and
    // every frame in `frames`.
    let mut depth: HashMap<i64, Vec<i64>> = HashMap::new();
    for i in 0..ids.len() {
        depth
            .entry(ids[i].unwrap())
            .or_default()
            .push(pos[i].unwrap());
        assert!(func.contains_key(&frame[i].unwrap()));
    }
    for p in depth.values() {
        assert_eq!(*p, (0..p.len() as i64).collect::<Vec<_>>());
    }
    for id in ints(&ev, "stack_id")
        .into_iter()
        .chain(ints(&ev, "state_stack_id"))
        .flatten()
    {
        assert!(depth.contains_key(&id), "{id}");
    }

    // Goroutines: the created ones have a creation time and start function.
    let gr = read(out.path(), "goroutines", &input);
    let created = ints(&gr, "create_time_ns");
    let start = strs(&gr, "start_func");
    assert!(created.iter().filter(|c| c.is_some()).count() > 3);
    assert!((0..created.len()).all(|i| created[i].is_none() || start[i].is_some()));
}
