// Command runnablegen writes a small Go 1.21 execution trace that begins
// while thousands of goroutines are runnable and have never run. The old
// trace format opens with one GoCreate event for each of them, and Go's
// converter makes nothing of those events until the first Gomaxprocs event
// (it then gives each goroutine a Runnable status): the reader meets a run
// of well over a thousand events that convert to nothing.
//
// Standard library only. Usage: runnablegen -o out.trace [-n 3000]
package main

import (
	"flag"
	"log"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
)

func main() {
	out := flag.String("o", "runnable.trace", "output file")
	n := flag.Int("n", 3000, "goroutines runnable when tracing starts")
	flag.Parse()
	// One P: the goroutines made below cannot run before tracing starts.
	runtime.GOMAXPROCS(1)
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	var done sync.WaitGroup
	sum := make([]int, *n)
	for i := range sum {
		done.Add(1)
		go func(i int) {
			defer done.Done()
			sum[i] = i * i
		}(i)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	done.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
