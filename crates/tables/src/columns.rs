//! The table schemas, one struct of Arrow column builders per table, each
//! declared once by [`table!`]: the field list gives the column names,
//! their builders and whether they may be null, and the Arrow schema is
//! taken from what the builders produce, so the two cannot disagree.

use arrow_array::ArrayRef;
use arrow_array::builder::{
    BooleanBuilder, Int64Builder, ListBuilder, MapBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_schema::{Field, Schema};
use std::sync::Arc;

/// A map from names to nanoseconds (regiongraph's per-reason times).
pub type NsMap = MapBuilder<StringBuilder, Int64Builder>;
/// A map from names to names (profile string labels).
pub type StrMap = MapBuilder<StringBuilder, StringBuilder>;

/// The columns of one table being filled.
pub trait Table: Sized {
    /// The table's name: its folder under the output folder.
    const NAME: &'static str;
    /// Empty builders.
    fn new() -> Self;
    /// Rows added since the last [`Table::take`].
    fn rows(&self) -> usize;
    /// The columns built so far, leaving the builders empty.
    fn take(&mut self) -> Vec<ArrayRef>;
    /// The columns' names and whether they may be null.
    fn fields() -> &'static [(&'static str, bool)];
    /// The Arrow schema.
    fn schema() -> Arc<Schema> {
        let arrays = Self::new().take();
        let fields: Vec<Field> = Self::fields()
            .iter()
            .zip(arrays)
            .map(|((name, nullable), a)| Field::new(*name, a.data_type().clone(), *nullable))
            .collect();
        Arc::new(Schema::new(fields))
    }
}

/// Declares a table: `table!(Name "folder" { column: Builder = init, nullable; ... })`.
macro_rules! table {
    ($(#[$doc:meta])* $name:ident $folder:literal {
        $($(#[$fdoc:meta])* $col:ident : $b:ty = $init:expr, $null:literal;)*
    }) => {
        $(#[$doc])*
        pub struct $name {
            $($(#[$fdoc])* pub $col: $b,)*
        }
        impl Table for $name {
            const NAME: &'static str = $folder;
            fn new() -> Self {
                $name { $($col: $init,)* }
            }
            fn rows(&self) -> usize {
                use arrow_array::builder::ArrayBuilder;
                self.input.len()
            }
            fn take(&mut self) -> Vec<ArrayRef> {
                use arrow_array::builder::ArrayBuilder;
                vec![$(ArrayBuilder::finish(&mut self.$col),)*]
            }
            fn fields() -> &'static [(&'static str, bool)] {
                &[$((stringify!($col), $null),)*]
            }
        }
    };
}

fn s() -> StringBuilder {
    StringBuilder::new()
}
fn i() -> Int64Builder {
    Int64Builder::new()
}
fn ns_map() -> NsMap {
    MapBuilder::new(None, StringBuilder::new(), Int64Builder::new())
}
fn str_map() -> StrMap {
    MapBuilder::new(None, StringBuilder::new(), StringBuilder::new())
}
fn ts() -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::new().with_timezone("UTC")
}

table!(
    /// Every event of a trace, in the order read.
    Events "events" {
        /// The input, as named on the command line or found in a folder.
        input: StringBuilder = s(), false;
        /// The event's position in the trace (0 for the first).
        seq: Int64Builder = i(), false;
        /// Nanoseconds, as the reader gives them (etgrep's `Time=`).
        time_ns: Int64Builder = i(), false;
        /// The kind as etgrep prints it (`StateTransition`, `Metric`, ...).
        kind: StringBuilder = s(), false;
        /// The goroutine running, -1 for none.
        g: Int64Builder = i(), false;
        /// The proc held, -1 for none.
        p: Int64Builder = i(), false;
        /// The thread, -1 for none.
        m: Int64Builder = i(), false;
        /// The event's stack (`stacks.stack_id`), null when it has none.
        stack_id: Int64Builder = i(), true;
        /// What the event is about: `goroutine`, `proc`, `thread` (state
        /// transitions, ranges, labels), else null.
        resource: StringBuilder = s(), true;
        /// That resource's id.
        resource_id: Int64Builder = i(), true;
        /// A state transition's states, as Go names them (`Running`, ...).
        from_state: StringBuilder = s(), true;
        to_state: StringBuilder = s(), true;
        /// Why a goroutine blocked or stopped.
        reason: StringBuilder = s(), true;
        /// A transition's stack of the resource that changes state (for a
        /// goroutine creation, the new goroutine's start stack).
        state_stack_id: Int64Builder = i(), true;
        /// Task id of task, region and log events.
        task_id: Int64Builder = i(), true;
        /// Parent task id of task events.
        parent_task_id: Int64Builder = i(), true;
        /// The name of a task, region, range, metric, label or experimental event.
        name: StringBuilder = s(), true;
        /// A log's category and message.
        category: StringBuilder = s(), true;
        message: StringBuilder = s(), true;
        /// A metric's value.
        value: Int64Builder = i(), true;
    }
);

table!(
    /// Each distinct stack of an input, once: its frames, leaf first.
    Stacks "stacks" {
        input: StringBuilder = s(), false;
        /// Unique within the input; 1, 2, ... in order of first use.
        stack_id: Int64Builder = i(), false;
        /// 0 for the leaf, depth-1 for the root.
        position: Int64Builder = i(), false;
        /// The frame (`frames.frame_id` of the same input).
        frame_id: Int64Builder = i(), false;
    }
);

table!(
    /// Each distinct frame of an input's stacks, once.
    Frames "frames" {
        input: StringBuilder = s(), false;
        /// Unique within the input.
        frame_id: Int64Builder = i(), false;
        func: StringBuilder = s(), false;
        file: StringBuilder = s(), false;
        line: Int64Builder = i(), false;
        pc: Int64Builder = i(), false;
    }
);

table!(
    /// Each goroutine a trace shows changing state.
    Goroutines "goroutines" {
        input: StringBuilder = s(), false;
        g: Int64Builder = i(), false;
        /// Its start function (the root frame of its start stack), if known.
        start_func: StringBuilder = s(), true;
        /// When it was created; null when it existed before the trace began.
        create_time_ns: Int64Builder = i(), true;
        /// The goroutine that created it (-1 for none).
        creator_g: Int64Builder = i(), true;
        /// The creator's stack at the creation.
        create_stack_id: Int64Builder = i(), true;
        /// Its start stack (or, when it existed before the trace, its
        /// stack when first seen).
        start_stack_id: Int64Builder = i(), true;
        /// When it ended; null when it outlived the trace.
        end_time_ns: Int64Builder = i(), true;
    }
);

table!(
    /// regiongraph's regions (`-show-regions`), on regiongraph's clock.
    Regions "regions" {
        input: StringBuilder = s(), false;
        kind: StringBuilder = s(), false;
        g: Int64Builder = i(), false;
        /// Its first and last events' times.
        start_ns: Int64Builder = i(), false;
        last_ns: Int64Builder = i(), false;
        /// Number of the goroutine's events it spans.
        events: Int64Builder = i(), false;
    }
);

table!(
    /// regiongraph's cause trees with their summaries (`-json -summarize`),
    /// on regiongraph's clock.
    Trees "trees" {
        input: StringBuilder = s(), false;
        /// The tree's rank among its input's trees (by start time).
        tree: Int64Builder = i(), false;
        /// The root span's region kind and goroutine (`.Root.Kind`, `.Root.G`).
        root_kind: StringBuilder = s(), false;
        root_g: Int64Builder = i(), false;
        /// `.Root.StartNs` and `.LengthNs`.
        start_ns: Int64Builder = i(), false;
        length_ns: Int64Builder = i(), false;
        /// Number of spans in the tree.
        spans: Int64Builder = i(), false;
        /// The summary's `TotalRunNs`, `TotalAssistNs`, `FlatRunNs`,
        /// `FlatAssistNs`, `FlatWaitNs` (maps by reason).
        total_run_ns: Int64Builder = i(), false;
        total_assist_ns: NsMap = ns_map(), false;
        flat_run_ns: Int64Builder = i(), false;
        flat_assist_ns: NsMap = ns_map(), false;
        flat_wait_ns: NsMap = ns_map(), false;
        /// regiongraph's `-json -summarize` line, whole.
        summary_json: StringBuilder = s(), false;
    }
);

table!(
    /// The critical path of each cause tree, one row per segment, on
    /// regiongraph's clock (`regiongraph -critical-path`).
    CriticalPath "critical_path" {
        input: StringBuilder = s(), false;
        /// The tree (`trees.tree`) and its root.
        tree: Int64Builder = i(), false;
        root_kind: StringBuilder = s(), false;
        root_g: Int64Builder = i(), false;
        /// The segment's rank on the path (time order).
        segment: Int64Builder = i(), false;
        /// The goroutine and what it did: `running`, `runnable`,
        /// `syscall`, `waiting`.
        g: Int64Builder = i(), false;
        state: StringBuilder = s(), false;
        /// Why it waited (`waiting` only; "" when not known).
        reason: StringBuilder = s(), true;
        start_ns: Int64Builder = i(), false;
        length_ns: Int64Builder = i(), false;
        /// The innermost function outside the runtime, and the stack
        /// (function names, leaf first).
        func: StringBuilder = s(), true;
        stack: ListBuilder<StringBuilder> = ListBuilder::new(s()), false;
    }
);

table!(
    /// The `meta` of each Autoprof bundle.
    Bundles "bundles" {
        input: StringBuilder = s(), false;
        hostname: StringBuilder = s(), false;
        proc_id: StringBuilder = s(), false;
        /// When the bundle's collection started, in microseconds (as Spark
        /// and Trino read timestamps; `meta` holds milliseconds).
        capture_time: TimestampMicrosecondBuilder = ts(), true;
        /// The same as written in `meta`.
        capture_time_text: StringBuilder = s(), false;
        init_time: TimestampMicrosecondBuilder = ts(), true;
        init_time_text: StringBuilder = s(), false;
        main: StringBuilder = s(), false;
        revision: StringBuilder = s(), false;
        go_version: StringBuilder = s(), false;
        /// Whether the bundle holds an execution trace.
        has_trace: BooleanBuilder = BooleanBuilder::new(), false;
        /// Why that trace could not be read (its tables are then absent).
        trace_error: StringBuilder = s(), true;
    }
);

table!(
    /// The samples of every profile of a bundle, one row per sample and
    /// sample type.
    Samples "samples" {
        input: StringBuilder = s(), false;
        /// The member's name under `pprof/` (`goroutine`, `heap`, ...).
        profile: StringBuilder = s(), false;
        /// The sample's position in its profile.
        sample: Int64Builder = i(), false;
        sample_type: StringBuilder = s(), false;
        unit: StringBuilder = s(), false;
        /// Whether this is the type apshuffle sums without `-sample-type`
        /// (the profile's default type, else its first).
        is_default: BooleanBuilder = BooleanBuilder::new(), false;
        value: Int64Builder = i(), false;
        /// The sample's stack (`stacks`/`frames` of the same input), null
        /// when it has no locations.
        stack_id: Int64Builder = i(), true;
        /// String labels, and numeric labels.
        labels: StrMap = str_map(), false;
        num_labels: NsMap = ns_map(), false;
    }
);
