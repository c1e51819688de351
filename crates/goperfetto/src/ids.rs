//! Track uuids and flow ids, made from what they are about so that no
//! table is needed to find them: the input's number in the top bits, the
//! kind of track next, then the goroutine, P or lane.

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

/// Low bits for a goroutine or P id (ids from a trace are far smaller;
/// [`gotrace::NONE`] maps to the all-ones value).
const ID_BITS: u32 = 36;
const ID_MASK: u64 = (1 << ID_BITS) - 1;
const LANE_SHIFT: u32 = ID_BITS;
const KIND_SHIFT: u32 = 44;
const INPUT_SHIFT: u32 = 50;

fn id(v: i64) -> u64 {
    (v as u64) & ID_MASK
}

impl Track {
    /// The track's uuid in input number `input` (0 for the first).
    pub fn uuid(self, input: u32) -> u64 {
        let (kind, low): (u64, u64) = match self {
            Track::Process => (0, 0),
            Track::Goroutine(g) => (1, id(g)),
            Track::UserRegions(g) => (2, id(g)),
            Track::Assists(g) => (3, id(g)),
            Track::Requests(g, lane) => (4, id(g) | u64::from(lane) << LANE_SHIFT),
            Track::Proc(p) => (5, id(p)),
            Track::Sweeps(p) => (6, id(p)),
            Track::Gc => (7, 0),
            Track::Stw => (7, 1),
            Track::Runtime => (7, 2),
            Track::Tasks => (7, 3),
            Track::Counter(c) => (8, c as u64),
            Track::TaskLane(n) => (9, u64::from(n)),
            Track::Critical(g, lane) => (10, id(g) | u64::from(lane) << LANE_SHIFT),
        };
        (u64::from(input) + 1) << INPUT_SHIFT | kind << KIND_SHIFT | low
    }
}

/// The id of a flow that begins at event number `index` of input `input`
/// (`tag` tells flows begun at the same event apart).
pub fn flow(input: u32, index: u64, tag: u8) -> u64 {
    (u64::from(input) + 1) << INPUT_SHIFT | u64::from(tag) << 46 | (index & ((1 << 46) - 1))
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
        assert_ne!(flow(0, 5, 0), flow(1, 5, 0));
        assert_ne!(flow(0, 5, 0), flow(0, 5, 1));
    }
}
