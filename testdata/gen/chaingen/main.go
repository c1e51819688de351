// Command chaingen writes an execution trace of a chain of goroutines for
// regiongraph's deep-structure fixtures and benchmark: each of N workers
// starts the next one and waits for it, so the cause tree that regiongraph
// finds (with chain.toml, which marks main.worker as a region) is N levels
// deep.
//
// Standard library only. Usage: chaingen -o out.trace -depth N
package main

import (
	"flag"
	"log"
	"os"
	"runtime/trace"
)

func main() {
	out := flag.String("o", "chain.trace", "trace output path")
	depth := flag.Int("depth", 1000, "goroutines in the chain")
	flag.Parse()

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	go worker(*depth, done)
	<-done
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// worker starts the next worker of the chain (while n > 1) and waits for it
// to finish before finishing itself.
//
//go:noinline
func worker(n int, done chan<- struct{}) {
	if n > 1 {
		next := make(chan struct{})
		go worker(n-1, next)
		<-next
	}
	close(done)
}
