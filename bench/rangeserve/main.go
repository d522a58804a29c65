// Command rangeserve serves a Pwned Passwords dump as the range API does,
// for bench/sync.sh: /range/{prefix} with ETag, Last-Modified and 304s, from
// memory, on 127.0.0.1. It prints its base URL once it listens.
//
//	go run ./bench/gendata -format pwned -n 20000000 -per-range 19 -o corpus.txt
//	go run ./bench/rangeserve -corpus corpus.txt
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"pcmt/hibp/hibptest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rangeserve:", err)
		os.Exit(1)
	}
}

func run() error {
	corpus := flag.String("corpus", "", "sorted dump to serve (required)")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	if *corpus == "" {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(*corpus)
	if err != nil {
		return err
	}
	c, err := hibptest.ReadCorpus(f)
	f.Close()
	if err != nil {
		return err
	}
	s, err := hibptest.Start(*addr, c)
	if err != nil {
		return err
	}
	fmt.Println(s.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	st := s.Stats()
	fmt.Fprintf(os.Stderr, "rangeserve: %d requests, %d answered in full, %d not modified\n", st.Requests, st.Full, st.NotModified)
	return s.Close()
}
