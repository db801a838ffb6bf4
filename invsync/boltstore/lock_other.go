//go:build !unix

package boltstore

import "os"

// lockFile does nothing where flock is missing: the rename that replaces
// an unfinished state is atomic on its own.
func lockFile(*os.File) error { return nil }
