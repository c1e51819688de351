// Command gen-bundles writes a pile of service-sized Autoprof bundles for
// benchmarking apshuffle: each bundle is a zip in Autoprof's layout (stored
// members with data descriptors: meta, expvar, pprof/heap,
// pprof/goroutine, pprof/threadcreate, pprof/profile) and, with -folders,
// also extracted into a folder. Heap profiles hold many distinct
// allocation stacks (0.4 to 2 MB gzipped) and goroutine profiles thousands
// of goroutines. Profiles are encoded in the same field order as Go's
// runtime (locations and functions before the first sample using them;
// mappings and the string table last). Standard library only.
package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

func main() {
	out := flag.String("zips", "", "folder to write bundle zips into")
	folders := flag.String("folders", "", "if set, also extract every bundle into this folder")
	n := flag.Int("n", 300, "number of bundles")
	procs := flag.Int("procs", 10, "number of processes the bundles come from")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		log.Fatal("-zips is required")
	}
	if err := os.MkdirAll(*out, 0o777); err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(*seed, 42))
	var ps []*process
	for i := 0; i < *procs; i++ {
		ps = append(ps, newProcess(rng, i))
	}
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for i := 0; i < *n; i++ {
		p := ps[i%len(ps)]
		capture := start.Add(time.Duration(i/len(ps))*2*time.Minute + time.Duration(i%len(ps))*time.Second)
		name := fmt.Sprintf("%s-%03d", p.procID, i/len(ps))
		files := p.bundle(rng, capture)
		zb := writeZip(files)
		if err := os.WriteFile(filepath.Join(*out, name+".zip"), zb, 0o666); err != nil {
			log.Fatal(err)
		}
		if *folders != "" {
			for _, f := range files {
				path := filepath.Join(*folders, name, f.name)
				if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
					log.Fatal(err)
				}
				if err := os.WriteFile(path, f.data, 0o666); err != nil {
					log.Fatal(err)
				}
			}
		}
	}
}

type member struct {
	name string
	data []byte
}

// writeZip lays out members as Autoprof does: stored, in order, with data
// descriptors (archive/zip's CreateHeader always writes one).
func writeZip(files []member) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Store})
		if err != nil {
			log.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

// process is one simulated service instance: a binary with a call graph.
type process struct {
	procID, host string
	init         time.Time
	funcs        []fn    // the binary's functions
	children     [][]int // call graph: callees of each function
	roots        []int   // goroutine entry points
	heapLive     []float64
}

type fn struct{ name, file string }

var pkgs = []string{"net/http", "encoding/json", "database/sql", "github.com/acme/svc/internal/api",
	"github.com/acme/svc/internal/store", "github.com/acme/svc/internal/cache", "google.golang.org/grpc",
	"google.golang.org/protobuf/proto", "github.com/acme/svc/internal/auth", "bufio", "compress/gzip",
	"github.com/acme/svc/internal/render", "sync", "runtime", "strings", "bytes", "github.com/acme/svc/pkg/metrics"}

func newProcess(rng *rand.Rand, i int) *process {
	p := &process{
		procID: fmt.Sprintf("1-%08x-%016x%08x-%d", 0x6b080000+i, rng.Uint64(), rng.Uint32(), 20000+i),
		host:   fmt.Sprintf("svc-%d.prod.us-east.example.net", i),
		init:   time.Date(2026, 11, 26, 9, 59, 0, 0, time.UTC),
	}
	const nfuncs = 9000
	for f := 0; f < nfuncs; f++ {
		pkg := pkgs[rng.IntN(len(pkgs))]
		p.funcs = append(p.funcs, fn{
			name: fmt.Sprintf("%s.(*T%d).Method%d", pkg, f%311, f),
			file: fmt.Sprintf("/home/build/go/pkg/mod/%s@v1.%d.0/file%d.go", pkg, f%7, f%53),
		})
	}
	p.children = make([][]int, nfuncs)
	for f := range p.children {
		for k := 0; k < 2+rng.IntN(5); k++ {
			p.children[f] = append(p.children[f], rng.IntN(nfuncs))
		}
	}
	for r := 0; r < 40; r++ {
		p.roots = append(p.roots, rng.IntN(nfuncs))
	}
	return p
}

// stack walks the call graph from a root: a list of function indices,
// leaf first.
func (p *process) stack(rng *rand.Rand, minDepth, maxDepth int) []int {
	depth := minDepth + rng.IntN(maxDepth-minDepth+1)
	s := []int{p.roots[rng.IntN(len(p.roots))]}
	for len(s) < depth {
		c := p.children[s[len(s)-1]]
		s = append(s, c[rng.IntN(len(c))])
	}
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

func (p *process) bundle(rng *rand.Rand, capture time.Time) []member {
	meta := []byte(fmt.Sprintf(`{"main":"github.com/acme/svc/cmd/svc","revision":"v1.2.3","go_version":"go1.25.0","hostname":%q,"proc_id":%q,"init_time":%q,"capture_time":%q}`,
		p.host, p.procID, p.init.Format("2006-01-02T15:04:05.000Z07:00"), capture.Format("2006-01-02T15:04:05.000Z07:00")))
	expvar := []byte("{\n\"cmdline\": [\"/usr/local/bin/svc\"],\n\"memstats\": {}\n}\n")

	heap := newProfile([][2]string{{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}}, [2]string{"space", "bytes"}, 524288)
	nheap := 3500 + rng.IntN(24000)
	for i := 0; i < nheap; i++ {
		size := int64(16 << rng.IntN(12))
		allocs := int64(1 + rng.IntN(5000))
		inuse := allocs * int64(rng.IntN(100)) / 100
		heap.sample(p, p.stack(rng, 8, 48), []int64{allocs, allocs * size, inuse, inuse * size}, "bytes", size)
	}

	gr := newProfile([][2]string{{"goroutine", "count"}}, [2]string{"goroutine", "count"}, 1)
	for i := 0; i < 300+rng.IntN(400); i++ {
		gr.sample(p, p.stack(rng, 6, 30), []int64{int64(1 + rng.IntN(20))}, "", 0)
	}

	tc := newProfile([][2]string{{"threadcreate", "count"}}, [2]string{"threadcreate", "count"}, 1)
	for i := 0; i < 5; i++ {
		tc.sample(p, p.stack(rng, 3, 8), []int64{1}, "", 0)
	}

	cpu := newProfile([][2]string{{"samples", "count"}, {"cpu", "nanoseconds"}}, [2]string{"cpu", "nanoseconds"}, 10000000)
	for i := 0; i < 200+rng.IntN(300); i++ {
		n := int64(1 + rng.IntN(10))
		cpu.sample(p, p.stack(rng, 5, 40), []int64{n, n * 10000000}, "", 0)
	}

	return []member{
		{"meta", meta},
		{"expvar", expvar},
		{"pprof/heap", heap.finish(capture)},
		{"pprof/goroutine", gr.finish(capture)},
		{"pprof/threadcreate", tc.finish(capture)},
		{"pprof/profile", cpu.finish(capture)},
	}
}

// profile encodes a profile.proto message incrementally.
type profile struct {
	buf     []byte
	strings []string
	strIdx  map[string]int64
	locIDs  map[int]uint64 // function index -> location id (one line each)
	funcIDs map[int]uint64
}

func newProfile(types [][2]string, period [2]string, rate int64) *profile {
	p := &profile{strIdx: map[string]int64{}, locIDs: map[int]uint64{}, funcIDs: map[int]uint64{}}
	p.str("")
	var pt []byte
	pt = appendInt(pt, 1, p.str(period[0]))
	pt = appendInt(pt, 2, p.str(period[1]))
	p.buf = appendBytes(p.buf, 11, pt)
	p.buf = appendInt(p.buf, 12, rate)
	for _, t := range types {
		var vt []byte
		vt = appendInt(vt, 1, p.str(t[0]))
		vt = appendInt(vt, 2, p.str(t[1]))
		p.buf = appendBytes(p.buf, 1, vt)
	}
	return p
}

func (p *profile) str(s string) int64 {
	if i, ok := p.strIdx[s]; ok {
		return i
	}
	p.strIdx[s] = int64(len(p.strings))
	p.strings = append(p.strings, s)
	return int64(len(p.strings) - 1)
}

func (p *profile) sample(proc *process, stack []int, values []int64, label string, num int64) {
	var locs []uint64
	for _, f := range stack {
		id, ok := p.locIDs[f]
		if !ok {
			fid, ok := p.funcIDs[f]
			if !ok {
				fid = uint64(len(p.funcIDs) + 1)
				p.funcIDs[f] = fid
				var fb []byte
				fb = appendInt(fb, 1, int64(fid))
				fb = appendInt(fb, 2, p.str(proc.funcs[f].name))
				fb = appendInt(fb, 3, p.str(proc.funcs[f].name))
				fb = appendInt(fb, 4, p.str(proc.funcs[f].file))
				fb = appendInt(fb, 5, int64(10+f%400))
				p.buf = appendBytes(p.buf, 5, fb)
			}
			id = uint64(len(p.locIDs) + 1)
			p.locIDs[f] = id
			var ln, lb []byte
			ln = appendInt(ln, 1, int64(fid))
			ln = appendInt(ln, 2, int64(20+f%700))
			lb = appendInt(lb, 1, int64(id))
			lb = appendInt(lb, 2, 1)
			lb = appendInt(lb, 3, int64(0x401000+16*f))
			lb = appendBytes(lb, 4, ln)
			p.buf = appendBytes(p.buf, 4, lb)
		}
		locs = append(locs, id)
	}
	var sb []byte
	sb = appendPacked(sb, 1, locs)
	vals := make([]uint64, len(values))
	for i, v := range values {
		vals[i] = uint64(v)
	}
	if len(vals) > 2 {
		sb = appendPacked(sb, 2, vals)
	} else {
		for _, v := range values {
			sb = appendInt(sb, 2, v)
		}
	}
	if label != "" {
		var l []byte
		l = appendInt(l, 1, p.str(label))
		l = appendInt(l, 3, num)
		sb = appendBytes(sb, 3, l)
	}
	p.buf = appendBytes(p.buf, 2, sb)
}

func (p *profile) finish(t time.Time) []byte {
	p.buf = appendInt(p.buf, 9, t.UnixNano())
	var m []byte
	m = appendInt(m, 1, 1)
	m = appendInt(m, 2, 0x400000)
	m = appendInt(m, 3, 0x2000000)
	m = appendInt(m, 5, p.str("/usr/local/bin/svc"))
	m = appendInt(m, 7, 1)
	p.buf = appendBytes(p.buf, 3, m)
	for _, s := range p.strings {
		p.buf = appendBytes(p.buf, 6, []byte(s))
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	zw.Write(p.buf)
	zw.Close()
	return out.Bytes()
}

func appendVarint(b []byte, u uint64) []byte {
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

func appendInt(b []byte, field int, v int64) []byte {
	b = appendVarint(b, uint64(field)<<3)
	return appendVarint(b, uint64(v))
}

func appendBytes(b []byte, field int, data []byte) []byte {
	b = appendVarint(b, uint64(field)<<3|2)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendPacked(b []byte, field int, vs []uint64) []byte {
	var d []byte
	for _, v := range vs {
		d = appendVarint(d, v)
	}
	return appendBytes(b, field, d)
}
