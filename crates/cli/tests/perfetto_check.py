#!/usr/bin/env python3
"""Checks a Perfetto trace as a user's tools would read it, with Perfetto's
own published schema (the `perfetto` package's compiled trace protos) and
the `protobuf` package:

- it decodes as a `Trace`, with no field unknown to the schema anywhere;
- timestamps are read as Perfetto reads them: on the packet's clock or
  its sequence's default (`trace_packet_defaults`), a sequence's own clock
  defined by a clock snapshot on that sequence first, an incremental one
  giving the time since the sequence's previous packet on it;
- every track event's track was described before, every described
  parent exists, and interned ids resolve on their packet sequence;
- on every track, slice begins and ends pair up (each end closes an open
  slice of that same track, nothing is left open) and time never goes back;
- counters are on counter tracks and slices are not;
- every flow that ends was begun by an earlier slice or instant, and ends
  once.

Prints a JSON summary (packets, tracks, slices by name, flows, instants by
name, slices by name on tracks whose name ends with " regiongraph", the
critical paths on tracks whose name ends with " critical path" as
[length, sum of its segments' lengths, segments] of each outermost slice,
first and last event times) on standard output; exits 1 with the problems
on standard error.
Usage: perfetto_check.py TRACE
"""

import collections
import json
import sys

from google.protobuf import unknown_fields
from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb

TE = pb.TrackEvent
BOOTTIME = 6


def unknown(msg, path, out):
    """Appends the paths of fields unknown to the schema."""
    if len(unknown_fields.UnknownFieldSet(msg)):
        out.append(path or "Trace")
    for field, value in msg.ListFields():
        if field.message_type is None:
            continue
        if field.is_repeated if hasattr(field, "is_repeated") else field.label == 3:
            for i, v in enumerate(value):
                unknown(v, f"{path}.{field.name}[{i}]", out)
        else:
            unknown(value, f"{path}.{field.name}", out)


def main():
    data = open(sys.argv[1], "rb").read()
    trace = pb.Trace()
    trace.ParseFromString(data)
    problems = []
    unk = []
    unknown(trace, "", unk)
    if unk:
        problems.append(f"{len(unk)} unknown fields, first: {unk[:5]}")

    tracks = {}  # uuid -> descriptor
    counter_tracks = set()
    open_slices = collections.defaultdict(list)  # uuid -> [[name, ts, children's sum, children]]
    last_ts = {}
    # Per sequence: interned names, arg names, callstacks, frames, strings.
    seqs = collections.defaultdict(lambda: None)
    flows_begun = {}
    flows_ended = set()
    slices = collections.Counter()
    instants = collections.Counter()
    region_slices = collections.Counter()
    critical_paths = []
    counters = 0
    times = []

    def fresh():
        return {k: {} for k in ("names", "args", "stacks", "frames", "funcs", "files", "maps", "mpaths")}

    # Per sequence: the default clock, and its own clocks' latest times
    # (None for absolute ones).
    clocks = collections.defaultdict(lambda: {"default": BOOTTIME, "own": {}})

    def time_of(i, p):
        seq = clocks[p.trusted_packet_sequence_id]
        clock = p.timestamp_clock_id if p.HasField("timestamp_clock_id") else seq["default"]
        if clock < 64:
            return p.timestamp
        if clock not in seq["own"]:
            problems.append(f"packet {i}: clock {clock} not defined on its sequence")
            return p.timestamp
        if seq["own"][clock] is None:
            return p.timestamp
        seq["own"][clock] += p.timestamp
        return seq["own"][clock]

    for i, p in enumerate(trace.packet):
        if p.HasField("track_descriptor"):
            d = p.track_descriptor
            if d.uuid in tracks and tracks[d.uuid] != d:
                problems.append(f"packet {i}: track {d.uuid} described twice, differently")
            if d.HasField("parent_uuid") and d.parent_uuid not in tracks:
                problems.append(f"packet {i}: track {d.uuid} before its parent {d.parent_uuid}")
            tracks[d.uuid] = d
            if d.HasField("counter"):
                counter_tracks.add(d.uuid)
            continue
        seq_id = p.trusted_packet_sequence_id
        if p.sequence_flags & pb.TracePacket.SEQ_INCREMENTAL_STATE_CLEARED:
            seqs[seq_id] = fresh()
            clocks[seq_id] = {"default": BOOTTIME, "own": {}}
        if p.HasField("trace_packet_defaults") and p.trace_packet_defaults.HasField("timestamp_clock_id"):
            clocks[seq_id]["default"] = p.trace_packet_defaults.timestamp_clock_id
        if p.HasField("clock_snapshot"):
            for c in p.clock_snapshot.clocks:
                if c.clock_id >= 64:
                    clocks[seq_id]["own"][c.clock_id] = c.timestamp if c.is_incremental else None
            continue
        if not p.HasField("track_event"):
            problems.append(f"packet {i}: neither a track descriptor, a clock snapshot nor a track event")
            continue
        st = seqs[seq_id]
        if st is None:
            problems.append(f"packet {i}: sequence {seq_id} used before its state was cleared")
            continue
        idata = p.interned_data
        for e in idata.event_names:
            st["names"][e.iid] = e.name
        for e in idata.debug_annotation_names:
            st["args"][e.iid] = e.name
        for e in idata.function_names:
            st["funcs"][e.iid] = e.str
        for e in idata.source_paths:
            st["files"][e.iid] = e.str
        for e in idata.mapping_paths:
            st["mpaths"][e.iid] = e.str
        for m in idata.mappings:
            if any(s not in st["mpaths"] for s in m.path_string_ids):
                problems.append(f"packet {i}: mapping {m.iid} names an undefined path")
            st["maps"][m.iid] = m
        for f in idata.frames:
            if f.function_name_id not in st["funcs"] or f.source_path_iid not in st["files"]:
                problems.append(f"packet {i}: frame {f.iid} names an undefined string")
            if f.mapping_id not in st["maps"]:
                problems.append(f"packet {i}: frame {f.iid} names an undefined mapping")
            st["frames"][f.iid] = f
        for c in idata.callstacks:
            if any(f not in st["frames"] for f in c.frame_ids):
                problems.append(f"packet {i}: callstack {c.iid} names an undefined frame")
            st["stacks"][c.iid] = c

        ev = p.track_event
        t = ev.track_uuid
        ts = time_of(i, p)
        times.append(ts)
        if t not in tracks:
            problems.append(f"packet {i}: event on undescribed track {t}")
            continue
        if ts < last_ts.get(t, 0):
            problems.append(f"packet {i}: time goes back on track {t} ({tracks[t].name})")
        last_ts[t] = ts
        name = None
        if ev.HasField("name_iid"):
            name = st["names"].get(ev.name_iid)
            if name is None:
                problems.append(f"packet {i}: undefined name iid {ev.name_iid}")
        for a in ev.debug_annotations:
            if a.name_iid not in st["args"]:
                problems.append(f"packet {i}: undefined argument name iid {a.name_iid}")
        if ev.HasField("callstack_iid") and ev.callstack_iid not in st["stacks"]:
            problems.append(f"packet {i}: undefined callstack iid {ev.callstack_iid}")
        is_counter_track = t in counter_tracks
        if ev.type == TE.TYPE_COUNTER:
            counters += 1
            if not is_counter_track:
                problems.append(f"packet {i}: counter on a slice track")
            continue
        if is_counter_track:
            problems.append(f"packet {i}: slice or instant on a counter track")
        if ev.type == TE.TYPE_SLICE_BEGIN:
            open_slices[t].append([name, ts, 0, 0])
            slices[name] += 1
            if tracks[t].name.endswith(" regiongraph"):
                region_slices[name] += 1
        elif ev.type == TE.TYPE_SLICE_END:
            if not open_slices[t]:
                problems.append(f"packet {i}: end with no open slice on track {t} ({tracks[t].name})")
            else:
                _, begun, inner, n = open_slices[t].pop()
                if open_slices[t]:
                    open_slices[t][-1][2] += ts - begun
                    open_slices[t][-1][3] += 1
                elif tracks[t].name.endswith(" critical path"):
                    critical_paths.append([ts - begun, inner, n])
        elif ev.type == TE.TYPE_INSTANT:
            instants[name] += 1
        else:
            problems.append(f"packet {i}: event type {ev.type}")
        for f in ev.terminating_flow_ids:
            if f not in flows_begun:
                problems.append(f"packet {i}: flow {f} ends but never began")
            elif f in flows_ended:
                problems.append(f"packet {i}: flow {f} ends twice")
            elif flows_begun[f] > ts:
                problems.append(f"packet {i}: flow {f} ends before it begins")
            flows_ended.add(f)
        for f in ev.flow_ids:
            if ev.type == TE.TYPE_SLICE_END:
                problems.append(f"packet {i}: flow {f} begins on a slice end")
            flows_begun.setdefault(f, ts)

    left = {t: v for t, v in open_slices.items() if v}
    if left:
        t, v = next(iter(left.items()))
        problems.append(f"{len(left)} tracks end with open slices, e.g. {tracks[t].name}: {[o[0] for o in v]}")

    for p in problems[:20]:
        print(p, file=sys.stderr)
    json.dump(
        {
            "packets": len(trace.packet),
            "tracks": len(tracks),
            "track_names": sorted(d.name or d.process.process_name for d in tracks.values()),
            "slices": dict(slices),
            "instants": dict(instants),
            "counters": counters,
            "flows": len(flows_ended),
            "flows_unended": len(flows_begun) - len(flows_ended),
            "region_slices": dict(region_slices),
            "critical_paths": critical_paths,
            "problems": len(problems),
            "first_ts": min(times, default=0),
            "last_ts": max(times, default=0),
        },
        sys.stdout,
        sort_keys=True,
    )
    print()
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
