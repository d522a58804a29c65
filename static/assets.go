package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"
)

// File is one asset, ready to serve.
type File struct {
	Name        string // logical name, "app.css"
	HashedName  string // cache-busting name, "app.3f2a1b9c04.css"
	ContentType string
	ETag        string
	Body        []byte
	Gzip        []byte // nil when compressing does not pay
}

// Set is every asset of one directory, by logical and by hashed name.
type Set struct {
	byName   map[string]*File
	byHashed map[string]*File
}

// Load reads every regular file of dir in fsys.
func Load(fsys fs.FS, dir string) (*Set, error) {
	s := &Set{byName: map[string]*File{}, byHashed: map[string]*File{}}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f := newFile(strings.TrimPrefix(p, dir+"/"), body)
		s.byName[f.Name] = f
		s.byHashed[f.HashedName] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: load %s: %w", dir, err)
	}
	return s, nil
}

func newFile(name string, body []byte) *File {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:5])
	ext := path.Ext(name)
	ctype := mime.TypeByExtension(ext)
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	f := &File{
		Name:        name,
		HashedName:  strings.TrimSuffix(name, ext) + "." + hash + ext,
		ContentType: ctype,
		ETag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
		Body:        body,
	}
	if compressible(ctype) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level never fails
		_, _ = zw.Write(body)                                    // writes to a bytes.Buffer never fail
		_ = zw.Close()
		if buf.Len() < len(body)*9/10 {
			f.Gzip = buf.Bytes()
		}
	}
	return f
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "svg") || strings.Contains(ctype, "json")
}

// Lookup finds an asset by its hashed name (immutable reports true) or its
// logical name.
func (s *Set) Lookup(name string) (f *File, immutable bool, ok bool) {
	if f, ok := s.byHashed[name]; ok {
		return f, true, true
	}
	f, ok = s.byName[name]
	return f, false, ok
}

// URL is the cache-busting URL of a logical name; an unknown name keeps its
// plain URL, so a missing asset shows up as a 404 rather than a broken page.
func (s *Set) URL(name string) string {
	if f, ok := s.byName[name]; ok {
		return "/static/" + f.HashedName
	}
	return "/static/" + name
}

// Assets hands out the current Set: always the same one for the embedded
// files, a fresh read of the disk per call in live mode.
type Assets struct {
	fsys fs.FS
	dir  string
	live bool

	mu  sync.Mutex
	set *Set
}

// New loads the assets under dir of fsys; with live set, every Current call
// reads them again so that edits show without a restart.
func New(fsys fs.FS, dir string, live bool) (*Assets, error) {
	set, err := Load(fsys, dir)
	if err != nil {
		return nil, err
	}
	return &Assets{fsys: fsys, dir: dir, live: live, set: set}, nil
}

// Current returns the set to serve from. In live mode a failed re-read keeps
// the previous set.
func (a *Assets) Current() *Set {
	if !a.live {
		return a.set
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if set, err := Load(a.fsys, a.dir); err == nil {
		a.set = set
	}
	return a.set
}
