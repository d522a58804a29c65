package breach

import (
	"bufio"
	"bytes"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// sortBudget is how many bytes of digests a sorter holds before it writes
// a sorted run to disk. With the index, one full sorter takes ~1.1× this.
const sortBudget = 16 << 20

// sorter is an external sort of fixed-size digests: it keeps up to
// sortBudget bytes in memory, writes each full buffer to a temporary file as
// a sorted run without repeats, and merges the runs when read. Memory stays
// flat whatever the number of digests.
type sorter struct {
	size int
	dir  string
	buf  []byte
	// runs are the sorted runs' files, closed until read so that many
	// parked sorters do not hold many descriptors.
	runs []string
	open []*os.File
}

func newSorter(size int, dir string) *sorter { return &sorter{size: size, dir: dir} }

func (s *sorter) add(d []byte) error {
	if len(s.buf)+s.size > sortBudget {
		if err := s.spill(); err != nil {
			return err
		}
	}
	s.buf = append(s.buf, d...)
	return nil
}

// sortedBuf sorts the buffer's digests and returns the index of their
// offsets, repeats left in (readers skip them).
func (s *sorter) sortedBuf() []uint32 {
	n := len(s.buf) / s.size
	idx := make([]uint32, n)
	for i := range idx {
		idx[i] = uint32(i * s.size)
	}
	buf, size := s.buf, uint32(s.size)
	slices.SortFunc(idx, func(a, b uint32) int { return bytes.Compare(buf[a:a+size], buf[b:b+size]) })
	return idx
}

// spill writes the buffer as one sorted run.
func (s *sorter) spill() error {
	if len(s.buf) == 0 {
		return nil
	}
	f, err := os.CreateTemp(s.dir, "pcmt-run-*")
	if err != nil {
		return fmt.Errorf("sort: %w", err)
	}
	s.runs = append(s.runs, f.Name())
	defer f.Close()
	w := bufio.NewWriterSize(f, 64<<10)
	var last []byte
	for _, off := range s.sortedBuf() {
		d := s.buf[off : int(off)+s.size]
		if last != nil && bytes.Equal(d, last) {
			continue
		}
		last = d
		if _, err := w.Write(d); err != nil {
			return fmt.Errorf("sort: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("sort: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sort: %w", err)
	}
	s.buf = s.buf[:0]
	return nil
}

// park frees the memory of a sorter that will be read later: what it holds
// goes to disk.
func (s *sorter) park() error {
	if err := s.spill(); err != nil {
		return err
	}
	s.buf = nil
	return nil
}

// next returns the digests in ascending order, one at a time, then io.EOF.
// Repeats may come through; the store skips them.
func (s *sorter) next() (func() ([]byte, error), error) {
	if len(s.runs) == 0 {
		idx, buf, size := s.sortedBuf(), s.buf, s.size
		i := 0
		return func() ([]byte, error) {
			if i == len(idx) {
				return nil, io.EOF
			}
			off := idx[i]
			i++
			return buf[off : int(off)+size], nil
		}, nil
	}
	if err := s.park(); err != nil {
		return nil, err
	}
	m := &merge{}
	for _, name := range s.runs {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("sort: %w", err)
		}
		s.open = append(s.open, f)
		r := &run{r: bufio.NewReaderSize(f, 64<<10), d: make([]byte, s.size)}
		if err := r.read(); err == nil {
			m.runs = append(m.runs, r)
		} else if err != io.EOF {
			return nil, err
		}
	}
	heap.Init(m)
	out := make([]byte, s.size)
	return func() ([]byte, error) {
		if len(m.runs) == 0 {
			return nil, io.EOF
		}
		r := m.runs[0]
		copy(out, r.d)
		switch err := r.read(); err {
		case nil:
			heap.Fix(m, 0)
		case io.EOF:
			heap.Pop(m)
		default:
			return nil, err
		}
		return out, nil
	}, nil
}

// close removes the runs.
func (s *sorter) close() error {
	var errs []error
	for _, f := range s.open {
		errs = append(errs, f.Close())
	}
	for _, name := range s.runs {
		errs = append(errs, os.Remove(name))
	}
	s.runs, s.open, s.buf = nil, nil, nil
	return errors.Join(errs...)
}

type run struct {
	r *bufio.Reader
	d []byte
}

func (r *run) read() error {
	_, err := io.ReadFull(r.r, r.d)
	if err == io.ErrUnexpectedEOF {
		return fmt.Errorf("sort: truncated run")
	}
	return err
}

// merge is a heap of runs by their current digest.
type merge struct{ runs []*run }

func (m *merge) Len() int           { return len(m.runs) }
func (m *merge) Less(i, j int) bool { return bytes.Compare(m.runs[i].d, m.runs[j].d) < 0 }
func (m *merge) Swap(i, j int)      { m.runs[i], m.runs[j] = m.runs[j], m.runs[i] }
func (m *merge) Push(x any)         { m.runs = append(m.runs, x.(*run)) }
func (m *merge) Pop() any {
	r := m.runs[len(m.runs)-1]
	m.runs = m.runs[:len(m.runs)-1]
	return r
}
