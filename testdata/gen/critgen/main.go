// Command critgen writes an execution trace with a known critical path,
// for regiongraph's -critical-path fixtures. Each request is a goroutine
// (main.handler) that:
//
//  1. spins on the CPU for 2 ms;
//  2. hands a job to a worker goroutine (main.worker) and waits for its
//     reply; the worker needs a mutex that a third goroutine (main.sleeper)
//     locked before the request began and holds while it sleeps for 5 ms;
//     once it has the mutex, the worker spins for 1 ms and replies;
//  3. calls a backend over loopback TCP, which answers after 3 ms.
//
// So the request's critical path is: the handler running (~2 ms), the
// sleeper asleep (~3 ms: what is left of its 5 ms), the sleeper running
// until it unlocks, the worker running (~1 ms), the handler waiting on the
// network (~3 ms), each with scheduling delays in between.
//
// Standard library only. Usage: critgen -o out.trace [-n requests]
package main

import (
	"flag"
	"log"
	"net"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

type job struct {
	reply chan int
}

var mu sync.Mutex

func main() {
	out := flag.String("o", "crit.trace", "trace output path")
	n := flag.Int("n", 3, "requests")
	flag.Parse()
	runtime.GOMAXPROCS(2)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go backend(ln)
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	jobs := make(chan job)
	go worker(jobs)
	// One request's worth of work before tracing, so that the worker is
	// waiting for jobs and the backend for bytes when the trace begins.
	warm := job{reply: make(chan int)}
	jobs <- warm
	<-warm.reply
	call(conn)

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	// Requests one at a time; main sleeps rather than waiting on a
	// handler, which would make it (and the next requests it starts) part
	// of that handler's cause tree.
	var wg sync.WaitGroup
	for i := 0; i < *n; i++ {
		locked := make(chan struct{})
		go sleeper(locked)
		<-locked
		wg.Add(1)
		go handler(jobs, conn, &wg)
		time.Sleep(30 * time.Millisecond)
	}
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// spin keeps the CPU busy for d.
//
//go:noinline
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// handler serves one request.
//
//go:noinline
func handler(jobs chan<- job, conn net.Conn, wg *sync.WaitGroup) {
	spin(2 * time.Millisecond)
	reply := make(chan int)
	jobs <- job{reply: reply}
	<-reply
	call(conn)
	wg.Done()
}

// call asks the backend for one byte.
//
//go:noinline
func call(conn net.Conn) {
	buf := []byte{1}
	if _, err := conn.Write(buf); err != nil {
		log.Fatal(err)
	}
	if _, err := conn.Read(buf); err != nil {
		log.Fatal(err)
	}
}

// worker takes jobs; each needs the mutex.
//
//go:noinline
func worker(jobs <-chan job) {
	for j := range jobs {
		mu.Lock()
		spin(time.Millisecond)
		mu.Unlock()
		j.reply <- 1
	}
}

// sleeper holds the mutex while it sleeps.
//
//go:noinline
func sleeper(locked chan<- struct{}) {
	mu.Lock()
	close(locked)
	time.Sleep(5 * time.Millisecond)
	mu.Unlock()
}

// backend answers each byte after 3 ms.
func backend(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		log.Fatal(err)
	}
	buf := []byte{0}
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
		time.Sleep(3 * time.Millisecond)
		if _, err := c.Write(buf); err != nil {
			return
		}
	}
}
