package web

import (
	"crypto/rand"
	"fmt"
)

// newUUID makes a random (version 4) UUID for records a web form creates: visits,
// observations and learning goals carry client-made ids, so the page makes one when
// it draws the form and a resubmitted form is a harmless repeat, not a duplicate.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
