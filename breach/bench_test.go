package breach

import (
	"bytes"
	"strconv"
	"testing"
)

// Benchmarks report MB/s; run them with `go test -bench . ./breach/`.
// They assert nothing about time: machines differ.

func emailLines(n int, prefix string) []byte {
	var b []byte
	for i := range n {
		b = append(b, prefix...)
		b = append(b, "user"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "@example.com\n"...)
	}
	return b
}

func BenchmarkYAMLEmails(b *testing.B) {
	in := append([]byte("name: bench\ndata:\n  emails:\n"), emailLines(100_000, "    - ")...)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	c := &counter{}
	for b.Loop() {
		*c = counter{}
		if err := ParseYAML(bytes.NewReader(in), "bench.yaml", c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkLines(b *testing.B) {
	in := emailLines(100_000, "")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		lr := NewLineReader(bytes.NewReader(in), "bench.txt")
		for {
			if _, err := lr.Next(); err != nil {
				break
			}
			n++
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkPwned(b *testing.B) {
	var in []byte
	for i := range 100_000 {
		in = append(in, sha1A[:32]...)
		in = append(in, strconv.FormatInt(int64(0x10000000+i), 16)...)
		in = append(in, ':')
		in = strconv.AppendInt(in, int64(i%5000), 10)
		in = append(in, '\r', '\n')
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		p := NewPwnedReader(bytes.NewReader(in), "bench.txt")
		for {
			if _, _, err := p.Next(); err != nil {
				if n != 100_000 {
					b.Fatal(err)
				}
				break
			}
			n++
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
