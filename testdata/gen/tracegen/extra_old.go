//go:build !go1.23

package main

import "context"

// extra has nothing to add on Go releases without iter.Pull.
func extra(context.Context) {}
