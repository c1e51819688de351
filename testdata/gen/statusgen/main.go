// Command statusgen writes a small execution trace in which goroutines stay
// blocked while the tracer starts new generations. From Go 1.23 on, each
// generation begins with a GoStatusStack event for every such goroutine,
// carrying the stack it is blocked at; Go's parser gives that stack as the
// state transition's stack (golang.org/x/exp's trace package did not until
// a fix of 2025, so grstates built against an older x/exp draws fewer
// nodes). Two goroutines block (one receiving from a channel, one waiting
// for a mutex) and stay blocked for -wait, long enough for the runtime's
// tracer to start new generations (it does about once a second).
//
// Standard library only. Usage: statusgen -o out.trace [-wait 2.5s]
package main

import (
	"flag"
	"log"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

// receiver blocks on a channel nobody sends to until the end.
func receiver(ch chan int, done *sync.WaitGroup) {
	defer done.Done()
	<-ch
}

// locker blocks on a mutex held until the end.
func locker(mu *sync.Mutex, done *sync.WaitGroup) {
	defer done.Done()
	mu.Lock()
	mu.Unlock()
}

func main() {
	out := flag.String("o", "status.trace", "trace output path")
	wait := flag.Duration("wait", 2500*time.Millisecond, "how long the goroutines stay blocked")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	var done sync.WaitGroup
	ch := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	done.Add(2)
	go receiver(ch, &done)
	go locker(&mu, &done)
	runtime.Gosched()
	time.Sleep(*wait)
	close(ch)
	mu.Unlock()
	done.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
