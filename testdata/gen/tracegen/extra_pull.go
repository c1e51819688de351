//go:build go1.23

package main

import (
	"context"
	"iter"
	"runtime/trace"
)

// extra drives a coroutine with iter.Pull, which Go 1.23+ traces record as
// goroutine switches (GoCreateBlocked, GoSwitch, GoSwitchDestroy).
func extra(ctx context.Context) {
	trace.WithRegion(ctx, "iter.Pull", func() {
		seq := func(yield func(int) bool) {
			for i := 0; i < 5; i++ {
				if !yield(i) {
					return
				}
			}
		}
		next, stop := iter.Pull(iter.Seq[int](seq))
		for {
			if _, ok := next(); !ok {
				break
			}
		}
		stop()
	})
}
