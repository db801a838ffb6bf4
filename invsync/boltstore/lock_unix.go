//go:build unix

package boltstore

import (
	"os"
	"syscall"
)

// lockFile takes f's exclusive lock (flock, as bbolt's), or fails at once.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) //nolint:gosec // G115: a file descriptor fits an int
}
