// Command gendata writes synthetic breach files for the import benchmarks:
// Pwned Passwords dumps (sorted or shuffled, with the public corpus's
// density of hashes per populated range), e-mail line lists and a YAML
// breach holding an e-mail list. Output is deterministic for a seed.
//
//	go run ./bench/gendata -format pwned -n 20000000 -o corpus.txt
//	go run ./bench/gendata -format pwned -n 20000000 -shuffle -o shuffled.txt
//	go run ./bench/gendata -format lines -n 10000000 -o emails.txt
//	go run ./bench/gendata -format yaml -n 10000000 -o emails.yaml
package main

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}

func run() error {
	format := flag.String("format", "pwned", "pwned, lines or yaml")
	n := flag.Int("n", 1_000_000, "records to write")
	perRange := flag.Int("per-range", 900, "pwned: hashes per populated 5-hex range (the public corpus has ~900)")
	shuffle := flag.Bool("shuffle", false, "pwned: write the lines in random order")
	ntlm := flag.Bool("ntlm", false, "pwned: NTLM (32 hex) instead of SHA-1 (40 hex)")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "", "output file (required)")
	flag.Parse()
	if *out == "" || *n <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(*seed, 42))
	switch *format {
	case "pwned":
		size := 20
		if *ntlm {
			size = 16
		}
		err = pwned(w, rng, *n, *perRange, size, *shuffle)
	case "lines":
		err = emails(w, rng, *n, "")
	case "yaml":
		fmt.Fprintf(w, "---\nname: Generated %d\ntime: 2024-01-31\nisVerified: true\ncontainsEmails: true\ndescription: synthetic e-mail list\ndata:\n  emails:\n", *n)
		err = emails(w, rng, *n, "    - ")
	default:
		return fmt.Errorf("unknown format %q", *format)
	}
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// pwned writes n hashes spread over n/perRange random ranges, each line
// HEX:COUNT with CRLF like the public dump.
func pwned(w *bufio.Writer, rng *rand.Rand, n, perRange, size int, shuffle bool) error {
	ranges := max(1, n/perRange)
	prefixes := make([]uint32, 0, ranges)
	seen := map[uint32]bool{}
	for len(prefixes) < ranges && len(prefixes) < 1<<20 {
		p := rng.Uint32N(1 << 20)
		if !seen[p] {
			seen[p] = true
			prefixes = append(prefixes, p)
		}
	}
	slices.Sort(prefixes)
	type rec struct {
		d [20]byte
		c uint32
	}
	// Generated range by range in order; shuffled output buffers all
	// records (28 bytes each) and permutes them.
	var all []rec
	line := make([]byte, 0, 64)
	d := make([]byte, size)
	for i, p := range prefixes {
		k := n / len(prefixes)
		if i < n%len(prefixes) {
			k++
		}
		keys := make([][20]byte, k)
		for j := range keys {
			binary.BigEndian.PutUint64(keys[j][4:], rng.Uint64())
			binary.BigEndian.PutUint64(keys[j][12:], rng.Uint64())
			keys[j][0], keys[j][1], keys[j][2] = byte(p>>12), byte(p>>4), byte(p<<4)|keys[j][2]&0x0F
			keys[j][3] = byte(rng.Uint32())
			keys[j][2] = byte(p<<4) | byte(rng.Uint32()&0x0F)
		}
		slices.SortFunc(keys, func(a, b [20]byte) int { return cmp.Compare(string(a[:size]), string(b[:size])) })
		for _, key := range keys {
			c := uint32(1 + rng.ExpFloat64()*20)
			if shuffle {
				all = append(all, rec{key, c})
				continue
			}
			copy(d, key[:size])
			line = appendLine(line[:0], d, c)
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	if shuffle {
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for _, r := range all {
			copy(d, r.d[:size])
			line = appendLine(line[:0], d, r.c)
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	return nil
}

func appendLine(line, d []byte, c uint32) []byte {
	line = hex.AppendEncode(line, d)
	for i := range line {
		if 'a' <= line[i] && line[i] <= 'f' {
			line[i] -= 'a' - 'A'
		}
	}
	line = append(line, ':')
	line = strconv.AppendUint(line, uint64(c), 10)
	return append(line, '\r', '\n')
}

// emails writes n distinct-looking addresses, one a line.
func emails(w *bufio.Writer, rng *rand.Rand, n int, indent string) error {
	domains := []string{"example.com", "mail.example.org", "example.net", "inbox.example", "corp.example.co.uk"}
	line := make([]byte, 0, 64)
	for i := range n {
		line = append(line[:0], indent...)
		line = append(line, "user."...)
		line = strconv.AppendUint(line, rng.Uint64N(1<<40), 36)
		line = append(line, '.')
		line = strconv.AppendInt(line, int64(i), 36)
		line = append(line, '@')
		line = append(line, domains[rng.IntN(len(domains))]...)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}
