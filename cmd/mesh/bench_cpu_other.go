//go:build !unix

package main

import "time"

// cpuTime is not measured here; the bench reports CPU figures as 0.
func cpuTime() time.Duration { return 0 }
