//! Track uuids and flow ids, made from what they are about so that no
//! table is needed to find them: for a track, its lane, input, goroutine
//! or P, and kind; for a flow, its input, tag and event.

/// What a track shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Track {
    /// The input's process track (the group of all its tracks).
    Process,
    /// A goroutine's states.
    Goroutine(i64),
    /// A goroutine's user regions (runtime/trace regions).
    UserRegions(i64),
    /// A goroutine's GC mark assists.
    Assists(i64),
    /// Lane `n` of a goroutine's regiongraph regions.
    Requests(i64, u8),
    /// Lane `n` of the critical paths of the cause trees rooted on a
    /// goroutine.
    Critical(i64, u8),
    /// The goroutines a P ran.
    Proc(i64),
    /// A P's GC sweeps.
    Sweeps(i64),
    /// The GC's concurrent mark phases.
    Gc,
    /// Stop-the-world ranges.
    Stw,
    /// Events of no goroutine (wake-ups by the runtime or the network
    /// poller, samples of no goroutine or P).
    Runtime,
    /// The parent of the task lanes.
    Tasks,
    /// Lane `n` of the user tasks.
    TaskLane(u32),
    /// A counter.
    Counter(Counter),
}

/// The counter tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    /// Bytes of live heap objects.
    Heap,
    /// The heap goal.
    HeapGoal,
    /// GOMAXPROCS.
    Gomaxprocs,
    /// Goroutines that exist.
    Goroutines,
    /// Goroutines waiting for a P.
    Runnable,
}

/// Bits of a uuid, from the top: the lane (mostly 0), the input (mostly
/// 0), the goroutine or P id (ids from a trace are far smaller;
/// [`gotrace::NONE`] maps to the all-ones value), the kind of track (never
/// 0, so no uuid is 0). Small fields low keep the uuids short on the wire
/// (a varint in every event): two or three bytes for the first input's
/// goroutines.
const KIND_BITS: u32 = 6;
const ID_BITS: u32 = 36;
const INPUT_BITS: u32 = 14;
const ID_MASK: u64 = (1 << ID_BITS) - 1;
const INPUT_MASK: u64 = (1 << INPUT_BITS) - 1;

fn id(v: i64) -> u64 {
    (v as u64) & ID_MASK
}

impl Track {
    /// The track's uuid in input number `input` (0 for the first).
    pub fn uuid(self, input: u32) -> u64 {
        let (kind, low, lane): (u64, u64, u8) = match self {
            Track::Process => (1, 0, 0),
            Track::Goroutine(g) => (2, id(g), 0),
            Track::UserRegions(g) => (3, id(g), 0),
            Track::Assists(g) => (4, id(g), 0),
            Track::Requests(g, lane) => (5, id(g), lane),
            Track::Proc(p) => (6, id(p), 0),
            Track::Sweeps(p) => (7, id(p), 0),
            Track::Gc => (8, 0, 0),
            Track::Stw => (8, 1, 0),
            Track::Runtime => (8, 2, 0),
            Track::Tasks => (8, 3, 0),
            Track::Counter(c) => (9, c as u64, 0),
            Track::TaskLane(n) => (10, u64::from(n), 0),
            Track::Critical(g, lane) => (11, id(g), lane),
        };
        let input = u64::from(input) & INPUT_MASK;
        u64::from(lane) << (INPUT_BITS + ID_BITS + KIND_BITS)
            | input << (ID_BITS + KIND_BITS)
            | low << KIND_BITS
            | kind
    }
}

/// Where a flow id's input number starts.
const FLOW_INPUT_SHIFT: u32 = 50;

/// The id of a flow that begins at event number `index` of input `input`
/// (`tag` tells flows begun at the same event apart).
pub fn flow(input: u32, index: u64, tag: u8) -> u64 {
    (u64::from(input) + 1) << FLOW_INPUT_SHIFT | u64::from(tag) << 46 | (index & ((1 << 46) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_uuids() {
        let tracks = [
            Track::Process,
            Track::Goroutine(1),
            Track::Goroutine(gotrace::NONE),
            Track::UserRegions(1),
            Track::Assists(1),
            Track::Requests(1, 0),
            Track::Requests(1, 1),
            Track::Critical(1, 0),
            Track::Critical(1, 1),
            Track::Proc(1),
            Track::Sweeps(1),
            Track::Gc,
            Track::Stw,
            Track::Runtime,
            Track::Tasks,
            Track::TaskLane(1),
            Track::Counter(Counter::Heap),
            Track::Counter(Counter::Runnable),
        ];
        let mut uuids: Vec<u64> = (0..3)
            .flat_map(|i| tracks.iter().map(move |t| t.uuid(i)))
            .collect();
        let n = uuids.len();
        uuids.sort_unstable();
        uuids.dedup();
        assert_eq!(uuids.len(), n);
        assert!(!uuids.contains(&0));
        // Short on the wire: a goroutine of the first input.
        assert!(Track::Goroutine(1000).uuid(0) < 1 << 21);
        assert_ne!(flow(0, 5, 0), flow(1, 5, 0));
        assert_ne!(flow(0, 5, 0), flow(0, 5, 1));
    }
}
