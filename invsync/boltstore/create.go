package boltstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/postpress/postpress-go/invsync"
)

// create makes a new state at path: it builds it whole under a temporary
// name in the same directory (bbolt's first pages, then the format mark),
// syncs it, and only then gives it the name path, so that a run stopped
// at any point (a full disk, killed) never leaves a half-made state at
// path. With replace, path holds a state this program began and never
// completed (unfinished), which the new one replaces; without, path does
// not exist, and when another run creates it first, that one is kept.
func create(path string, replace bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("postpress: state file %s: cannot create it: %w", path, err)
	}
	tmpName := tmp.Name()
	_ = tmp.Close()
	defer func() { _ = os.Remove(tmpName) }()
	if err := os.Chmod(tmpName, 0o600); err != nil {
		return fmt.Errorf("postpress: state file %s: cannot create it: %w", path, err)
	}
	db, err := bolt.Open(tmpName, 0o600, &bolt.Options{Timeout: lockWait})
	if err != nil {
		return fmt.Errorf("postpress: state file %s: cannot create it: %w; nothing was written at %s", path, unwrapPath(err), path)
	}
	s := &Store{db: db, path: tmpName}
	err = s.init()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("postpress: state file %s: cannot create it: %w; nothing was written at %s", path, unwrapPath(err), path)
	}
	if replace {
		if err := replaceUnfinished(tmpName, path); err != nil {
			return err
		}
	} else if err := os.Link(tmpName, path); err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links here: rename, unless another run made the file
		// meanwhile.
		if _, serr := os.Lstat(path); !errors.Is(serr, fs.ErrNotExist) {
			return nil
		}
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("postpress: state file %s: cannot create it: %w", path, err)
		}
	}
	syncDir(dir)
	return nil
}

// replaceUnfinished renames the new state tmp over path, which holds an
// unfinished state, under a lock on it; when another run replaced it
// first, tmp is dropped.
func replaceUnfinished(tmp, path string) error {
	f, err := os.Open(path) //nolint:gosec // G304: the state file named by the caller
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("postpress: state file %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("postpress: state file %s: %w (it is locked; a second run on the same state is refused)", path, invsync.ErrLocked)
	}
	// Still the same file, and still unfinished, now that it is locked?
	held, err1 := f.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, now) {
		return nil
	}
	if ok, _ := unfinished(path); !ok {
		return nil
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("postpress: state file %s: cannot replace the unfinished state: %w", path, err)
	}
	return nil
}

// unwrapPath drops the *fs.PathError around err (it names the temporary
// file, not the state).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// syncDir makes a new name in dir durable (best effort: not every system
// syncs directories).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil { //nolint:gosec // G304: the state's directory
		_ = d.Sync()
		_ = d.Close()
	}
}

// unfinished reports whether the file at path is a state begun and never
// completed: empty, or a strict prefix of the four pages bbolt writes when
// it creates a database in place (what a run stopped then, a full disk
// say, leaves). Such a file holds nothing committed.
func unfinished(path string) (bool, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the state file named by the caller
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, 4*65536+1))
	if err != nil {
		return false, err
	}
	if len(data) == 0 {
		return true, nil
	}
	sizes := []int{os.Getpagesize()}
	if len(data) >= 28 {
		sizes = append(sizes, int(binary.LittleEndian.Uint32(data[24:28])))
	}
	for _, size := range sizes {
		if size < 1024 || size > 65536 || size&(size-1) != 0 {
			continue
		}
		if init := boltInit(size); len(data) < len(init) && bytes.Equal(data, init[:len(data)]) {
			return true, nil
		}
	}
	return false, nil
}

// boltInit returns the four pages bbolt (v1.4, file format 2) writes to
// create a database of pages of size bytes: two meta pages (transactions
// 0 and 1), an empty freelist and an empty leaf, little-endian.
func boltInit(size int) []byte {
	const (
		metaFlag     = 0x04
		freelistFlag = 0x10
		leafFlag     = 0x02
		header       = 16 // page id, flags, count, overflow
	)
	buf := make([]byte, 4*size)
	le := binary.LittleEndian
	for i := range 2 {
		p := buf[i*size:]
		le.PutUint64(p[0:], uint64(i))
		le.PutUint16(p[8:], metaFlag)
		m := p[header:]
		le.PutUint32(m[0:], 0xED0CDAED)   // magic
		le.PutUint32(m[4:], 2)            // version
		le.PutUint32(m[8:], uint32(size)) //nolint:gosec // G115: size is at most 65536 (unfinished checks it)
		le.PutUint64(m[16:], 3)           // root bucket's page
		le.PutUint64(m[32:], 2)           // freelist page
		le.PutUint64(m[40:], 4)           // high water mark
		le.PutUint64(m[48:], uint64(i))
		h := fnv.New64a()
		_, _ = h.Write(m[:56])
		le.PutUint64(m[56:], h.Sum64())
	}
	le.PutUint64(buf[2*size:], 2)
	le.PutUint16(buf[2*size+8:], freelistFlag)
	le.PutUint64(buf[3*size:], 3)
	le.PutUint16(buf[3*size+8:], leafFlag)
	return buf
}
