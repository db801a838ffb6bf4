// Package client is the hand-written layer of the postpress Go SDK on top of
// the generated package gen.
package client
