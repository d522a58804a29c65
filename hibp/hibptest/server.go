package hibptest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is one answer that replaces a range's: a status (with Retry-After
// for a 429), or a malformed body with status 200, after a delay.
type Fault struct {
	Status     int
	RetryAfter string
	Body       string
	Delay      time.Duration
}

// Stats counts what the server was asked.
type Stats struct {
	Requests    int64
	Conditional int64 // requests with If-None-Match or If-Modified-Since
	NotModified int64 // 304s sent
	Full        int64 // ranges sent whole (200)
	Faults      int64 // faults answered
	Padded      int64 // requests asking for padding
	UserAgents  map[string]int64
}

// Server serves corpora (one per mode) over HTTP on 127.0.0.1.
type Server struct {
	// URL is the base URL, to use as [HIBP] PasswordsURL.
	URL string

	corpora map[string]*Corpus
	srv     *http.Server
	done    chan struct{}

	mu     sync.Mutex
	faults map[string][]Fault // by mode/prefix, answered in order
	delay  time.Duration
	hits   map[string]int
	stats  Stats
}

// Start serves the corpora on addr ("127.0.0.1:0" for any free port).
func Start(addr string, corpora ...*Corpus) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), corpora: map[string]*Corpus{}, done: make(chan struct{}),
		faults: map[string][]Fault{}, hits: map[string]int{}, stats: Stats{UserAgents: map[string]int64{}}}
	for _, c := range corpora {
		s.corpora[c.Mode] = c
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /range/{prefix}", s.serveRange)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server at once.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Shutdown stops the server once the requests in flight are answered.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}

// Fail makes the next requests of a range answer faults, one each, before
// the range is served again.
func (s *Server) Fail(mode string, prefix uint32, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(mode, prefix)
	s.faults[k] = append(s.faults[k], faults...)
}

// SetDelay makes every answer wait d first: a slow upstream.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Hits is how often a range was asked for.
func (s *Server) Hits(mode string, prefix uint32) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key(mode, prefix)]
}

// Stats returns the counts so far and starts them again from zero.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	s.stats = Stats{UserAgents: map[string]int64{}}
	s.hits = map[string]int{}
	return st
}

func key(mode string, prefix uint32) string {
	return mode + "/" + strconv.FormatUint(uint64(prefix), 16)
}

func (s *Server) serveRange(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("prefix")
	p, err := strconv.ParseUint(raw, 16, 32)
	if len(raw) != 5 || err != nil || strings.ToUpper(raw) != raw {
		http.Error(w, "The hash prefix was not in a valid format", http.StatusBadRequest)
		return
	}
	mode := r.URL.Query().Get("mode")
	if mode == "" {
		mode = "sha1"
	}
	c := s.corpora[mode]
	if c == nil {
		http.Error(w, "unknown mode", http.StatusBadRequest)
		return
	}
	prefix := uint32(p)
	k := key(mode, prefix)
	s.mu.Lock()
	s.stats.Requests++
	s.hits[k]++
	s.stats.UserAgents[r.UserAgent()]++
	if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		s.stats.Conditional++
	}
	if r.Header.Get("Add-Padding") != "" {
		s.stats.Padded++
	}
	var fault *Fault
	if f := s.faults[k]; len(f) > 0 {
		fault, s.faults[k] = &f[0], f[1:]
		s.stats.Faults++
	}
	delay := s.delay
	s.mu.Unlock()
	if fault != nil {
		delay += fault.Delay
	}
	if err := sleep(r.Context(), delay); err != nil {
		return
	}
	if fault != nil && (fault.Status != 0 || fault.Body != "") {
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		w.WriteHeader(max(fault.Status, http.StatusOK))
		_, _ = w.Write([]byte(fault.Body))
		return
	}
	notModified := c.serve(w, r, prefix)
	s.mu.Lock()
	if notModified {
		s.stats.NotModified++
	} else {
		s.stats.Full++
	}
	s.mu.Unlock()
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return errors.New("cancelled")
	case <-t.C:
		return nil
	}
}
