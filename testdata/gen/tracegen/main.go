// Command tracegen runs a small workload under the execution tracer and a
// CPU profile, and writes the trace. The workload touches every kind of
// event the reader must handle: user tasks, regions and logs (with odd
// strings), CPU samples, syscalls, network waits, channel, select, mutex,
// condition-variable and sleep blocking, Gosched, GC and GC assists, and
// goroutine creation and exit.
//
//	go run . -o out.trace
package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var (
	sink  [][]byte
	ticks = flag.Int("ticks", 26, "50ms ticks of the slow goroutine that makes the trace span generations")
)

func main() {
	out := flag.String("o", "out.trace", "where to write the trace")
	repeat := flag.Int("repeat", 1, "run the workload this many times (for benchmark-sized traces)")
	flag.Parse()

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < *repeat; i++ {
		workload()
	}
	trace.Stop()
	pprof.StopCPUProfile()
}

func workload() {
	ctx, task := trace.NewTask(context.Background(), "outer task")
	trace.Log(ctx, "cat", "message with\ttab")
	trace.Log(ctx, "odd", "quote\" backslash\\ newline\n é ✓ \xff\x01")
	inner, innerTask := trace.NewTask(ctx, "inner task")
	trace.WithRegion(inner, "region \"quoted\"", func() {
		trace.WithRegion(inner, "nested", burn)
	})
	innerTask.End()

	var wg sync.WaitGroup
	run := func(name string, fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trace.WithRegion(ctx, name, fn)
		}()
	}

	// Channels and select.
	ch := make(chan int)
	run("chan send", func() {
		for i := 0; i < 20; i++ {
			ch <- i
		}
		close(ch)
	})
	run("chan receive", func() {
		for range ch {
			time.Sleep(100 * time.Microsecond)
		}
	})
	tick := make(chan int)
	run("select", func() {
		for i := 0; i < 10; i++ {
			select {
			case <-tick:
			case <-time.After(200 * time.Microsecond):
			}
		}
	})

	// Mutex contention and a condition variable.
	var mu sync.Mutex
	for i := 0; i < 4; i++ {
		run("mutex", func() {
			for j := 0; j < 20; j++ {
				mu.Lock()
				burnFor(20 * time.Microsecond)
				time.Sleep(50 * time.Microsecond)
				mu.Unlock()
				runtime.Gosched()
			}
		})
	}
	cond := sync.NewCond(&sync.Mutex{})
	ready := false
	run("cond wait", func() {
		cond.L.Lock()
		for !ready {
			cond.Wait()
		}
		cond.L.Unlock()
	})
	run("cond signal", func() {
		time.Sleep(2 * time.Millisecond)
		cond.L.Lock()
		ready = true
		cond.L.Unlock()
		cond.Broadcast()
	})

	// Network waits on loopback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	run("server", func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 16)
		for {
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			c.Write(buf[:n])
		}
		c.Close()
	})
	run("client", func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return
		}
		buf := make([]byte, 16)
		for i := 0; i < 10; i++ {
			c.Write([]byte("ping"))
			io.ReadFull(c, buf[:4])
			time.Sleep(200 * time.Microsecond)
		}
		c.Close()
	})

	// Syscalls.
	run("syscalls", func() {
		dir, _ := os.MkdirTemp("", "tracegen")
		defer os.RemoveAll(dir)
		for i := 0; i < 20; i++ {
			name := dir + "/f"
			os.WriteFile(name, bytes.Repeat([]byte("x"), 4096), 0o600)
			os.ReadFile(name)
		}
	})

	// Allocation heavy work: GC cycles and mark assists, on top of CPU
	// burn so that the CPU profiler takes samples.
	for i := 0; i < 2; i++ {
		run("alloc", func() {
			for j := 0; j < 3000; j++ {
				sink = append(sink, make([]byte, 8<<10))
				if len(sink) > 400 {
					sink = sink[:0]
				}
			}
		})
	}
	run("gc", func() {
		runtime.GC()
	})
	run("burn", burn)

	// A slow ticker keeps the trace going for over a second, so the trace
	// spans several generations (the runtime starts one about every
	// second) with goroutines blocked across the boundaries.
	run("ticker", func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for i := 0; i < *ticks; i++ {
			<-t.C
			trace.Log(ctx, "tick", "")
			sink = append(sink, make([]byte, 64<<10))
		}
	})

	wg.Wait()
	ln.Close()
	extra(ctx)
	task.End()
}

// burn keeps a CPU busy long enough for several profiling samples.
func burn() { burnFor(60 * time.Millisecond) }

func burnFor(d time.Duration) {
	x := 0
	for start := time.Now(); time.Since(start) < d; {
		for i := 0; i < 1000; i++ {
			x += i * i
		}
	}
	if x == 42 {
		println()
	}
}
