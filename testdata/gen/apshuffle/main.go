// Command apshuffle-fixtures writes the small Autoprof bundles that
// apshuffle's tests use (testdata/bundles/gen). It plays three processes,
// each writing four bundles, and changes its own state between captures
// (goroutines parked in named functions, retained heap, mutex contention,
// a custom profile) so that every apshuffle mode has something to rank.
// The profiles are real: runtime/pprof writes them from this process.
//
// Bundles are zips laid out as Autoprof writes them: stored members with
// data descriptors, in Autoprof's member order (meta, expvar, pprof/heap,
// the other profiles sorted by name, pprof/profile, pprof/trace,
// pprof/profile-during-trace). Bundle 0 of each process has no CPU
// profile, as with Autoprof's periodic collector; even-numbered bundles
// have an execution trace. apshuffle only checks that pprof/trace exists,
// so the trace member is a header-only stub to keep the fixtures small.
//
// Usage: go run . -out ../../bundles/gen
package main

import (
	"archive/zip"
	"bytes"
	"expvar"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"time"
)

var custom = pprof.NewProfile("main/custom")

type proc struct {
	dir, host, procID string
	init              time.Time
}

func main() {
	out := flag.String("out", "../../bundles/gen", "folder to write the bundle zips into")
	flag.Parse()
	runtime.MemProfileRate = 16 << 10
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	base := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	procs := []proc{
		{"a", "web-1.us-east.example.com", "1-6b080e10-a1b2c3d4e5f60718293a4b5c-4101", base},
		{"b/nested", "db.example.com", "1-6b080e11-0f1e2d3c4b5a69788796a5b4-4102", base.Add(time.Second)},
		{"", "web-2.us-west.example.com", "1-6b080e12-00112233445566778899aabb-4103", base.Add(2 * time.Second)},
	}
	for round := 0; round < 4; round++ {
		for i, p := range procs {
			seed := 7*round + 3*i
			w := setWorld(seed)
			capture := base.Add(time.Duration(round)*2*time.Minute + time.Duration(i)*1500*time.Millisecond + 123*time.Millisecond)
			b := bundle(p, capture, round)
			w.stop()
			name := filepath.Join(*out, p.dir, fmt.Sprintf("%s-%03d.zip", p.procID, round))
			if err := os.MkdirAll(filepath.Dir(name), 0o777); err != nil {
				log.Fatal(err)
			}
			if err := os.WriteFile(name, b, 0o666); err != nil {
				log.Fatal(err)
			}
		}
	}
}

// world is the state a capture sees.
type world struct {
	release chan struct{}
	wg      sync.WaitGroup
}

var retained [][]byte

func setWorld(seed int) *world {
	w := &world{release: make(chan struct{})}
	for i := 0; i < 2+seed%9; i++ {
		w.park(serveHTTP)
	}
	for i := 0; i < 1+(seed*5)%7; i++ {
		w.park(waitForWork)
	}
	retained = nil
	for i := 0; i < 10+(seed*3)%23; i++ {
		retained = append(retained, fillCache(4096*(1+seed%5)))
	}
	contend(20 + seed%13)
	for i := 0; i < seed%4; i++ {
		custom.Add(new(byte), 1)
	}
	runtime.GC()
	return w
}

func (w *world) park(f func(chan struct{})) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		f(w.release)
	}()
}

func (w *world) stop() {
	close(w.release)
	w.wg.Wait()
}

//go:noinline
func serveHTTP(release chan struct{}) { <-release }

//go:noinline
func waitForWork(release chan struct{}) { <-release }

//go:noinline
func fillCache(n int) []byte { return make([]byte, n) }

//go:noinline
func contend(n int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				mu.Lock()
				time.Sleep(10 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

//go:noinline
func burnCPU(d time.Duration) int {
	x := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1000; i++ {
			x += i * i
		}
	}
	return x
}

type member struct {
	name string
	data []byte
}

func bundle(p proc, capture time.Time, round int) []byte {
	const ms = "2006-01-02T15:04:05.000Z07:00"
	meta := fmt.Sprintf(`{"main":"example.com/fixtures","revision":"(devel)","go_version":%q,"hostname":%q,"proc_id":%q,"init_time":%q,"capture_time":%q}`,
		runtime.Version(), p.host, p.procID, p.init.Format(ms), capture.Format(ms))
	var ev bytes.Buffer
	ev.WriteString("{\n")
	first := true
	expvar.Do(func(kv expvar.KeyValue) {
		if kv.Key == "memstats" {
			return // large and irrelevant here
		}
		if !first {
			ev.WriteString(",\n")
		}
		first = false
		fmt.Fprintf(&ev, "%q: %s", kv.Key, kv.Value)
	})
	ev.WriteString("\n}\n")
	members := []member{{"meta", []byte(meta)}, {"expvar", ev.Bytes()}, {"pprof/heap", lookup("heap")}}
	var names []string
	for _, prof := range pprof.Profiles() {
		if prof.Name() != "heap" {
			names = append(names, prof.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		members = append(members, member{"pprof/" + url.PathEscape(n), lookup(n)})
	}
	if round > 0 {
		members = append(members, member{"pprof/profile", cpuProfile(20*time.Millisecond + time.Duration(round)*10*time.Millisecond)})
	}
	if round%2 == 0 {
		stub := []byte("go 1.25 trace\x00\x00\x00")
		members = append(members, member{"pprof/trace", stub})
		members = append(members, member{"pprof/profile-during-trace", cpuProfile(15 * time.Millisecond)})
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
		if err != nil {
			log.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func lookup(name string) []byte {
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func cpuProfile(d time.Duration) []byte {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		log.Fatal(err)
	}
	burnCPU(d)
	pprof.StopCPUProfile()
	return buf.Bytes()
}
