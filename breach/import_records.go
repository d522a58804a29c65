package breach

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"pcmt/apperr"
	"pcmt/store"
)

// A file's breaches are stored in one transaction once the whole file has
// been read: a file with a broken document imports nothing, and a crash
// leaves nothing behind. Records are sorted on the way (sorted runs on disk
// past sortBudget), so the store appends them in key order.

// collector gathers one file's breaches: per breach, one sorter per digest
// kind.
type collector struct {
	im      *Importer
	ctx     context.Context
	file    string
	o       Options
	t       *meter
	done    []*pending
	cur     *pending
	names   map[string]int // lower-cased name → document
	scratch []byte
}

// pending is one breach read but not stored yet.
type pending struct {
	b     store.Breach
	sorts map[store.RecordKind]*sorter
	// hashes holds raw decoded hashes until the document's hashType says
	// what they are; nil once known to be salted or of no searchable type.
	hashes *sorter
	// badHashes counts hash entries that are not hex, judged at the end.
	badHashes int64
	hashLen   int // length of the first decoded hash, -1 once lengths differ
}

func (c *collector) newPending() *pending {
	return &pending{sorts: map[store.RecordKind]*sorter{}}
}

func (c *collector) sorter(p *pending, k store.RecordKind) *sorter {
	s, ok := p.sorts[k]
	if !ok {
		s = newSorter(k.Size(), c.im.TempDir)
		p.sorts[k] = s
	}
	return s
}

// add takes one record of the current breach.
func (c *collector) add(kind Kind, v []byte) error {
	if c.cur == nil {
		c.cur = c.newPending()
	}
	p := c.cur
	c.t.records.Add(1)
	switch kind {
	case Emails:
		p.b.Emails++
		d := EmailDigest(v)
		return c.sorter(p, store.RecordEmail).add(d[:])
	case Usernames:
		p.b.Usernames++
		d := UsernameDigest(v)
		return c.sorter(p, store.RecordUsername).add(d[:])
	case Passwords:
		p.b.Passwords++
		d := PasswordDigest(v)
		return c.sorter(p, store.RecordSHA1).add(d[:])
	case Hashes:
		p.b.Hashes++
		return c.addHash(p, v)
	}
	return fmt.Errorf("record of unknown kind %d: %w", kind, apperr.ErrInvalid)
}

// addHash keeps a hash decoded; whether it can be searched depends on the
// document's hashType, which may come after the list.
func (c *collector) addHash(p *pending, v []byte) error {
	v = bytes.TrimSpace(v)
	n := hex.DecodedLen(len(v))
	if len(v)%2 != 0 || n == 0 || n > 64 {
		p.badHashes++
		return nil
	}
	c.scratch = slices.Grow(c.scratch[:0], n)[:n]
	if _, err := hex.Decode(c.scratch, v); err != nil {
		p.badHashes++
		return nil
	}
	switch {
	case p.hashLen == 0:
		p.hashLen = n
		p.hashes = newSorter(n, c.im.TempDir)
	case p.hashLen != n:
		p.badHashes++
		return nil
	}
	return p.hashes.add(c.scratch)
}

// hashKind maps a declared unsalted hash type to what it is stored as.
func hashKind(hashType string) store.RecordKind {
	switch strings.ToLower(hashType) {
	case "md5":
		return store.RecordMD5
	case "sha1", "sha-1":
		return store.RecordSHA1
	case "sha256", "sha-256":
		return store.RecordSHA256
	case "sha512", "sha-512":
		return store.RecordSHA512
	case "ntlm":
		return store.RecordNTLM
	}
	return 0
}

// finish closes the current breach with its metadata.
func (c *collector) finish(doc int, b store.Breach, skipped int64) error {
	p := c.cur
	if p == nil {
		p = c.newPending()
	}
	c.cur = nil
	key := strings.ToLower(b.Name)
	if prev, ok := c.names[key]; ok {
		return fmt.Errorf("%s: document %d: the name %q is already used by document %d: %w", c.file, doc, b.Name, prev, apperr.ErrInvalid)
	}
	c.names[key] = doc
	if !c.o.Replace {
		if _, err := c.im.Store.BreachByName(c.ctx, b.Name); err == nil {
			where := c.file
			if doc > 0 {
				where = fmt.Sprintf("%s: document %d", c.file, doc)
			}
			return fmt.Errorf("%s: a breach named %q exists (use --replace to import it again): %w",
				where, b.Name, store.ErrConflict)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	b.Emails, b.Usernames, b.Passwords, b.Hashes = p.b.Emails, p.b.Usernames, p.b.Passwords, p.b.Hashes
	b.Skipped = skipped
	b.Invalid = p.badHashes
	if p.hashes != nil {
		k := hashKind(b.HashType)
		if k != 0 && k.Size() == p.hashLen && !b.HashSalted && !b.HashPeppered {
			if prev, ok := p.sorts[k]; ok {
				// Plain-text passwords and sha1 hashes share a kind:
				// fold the hashes into the passwords' sorter.
				next, err := p.hashes.next()
				if err != nil {
					return err
				}
				for d, err := next(); err != io.EOF; d, err = next() {
					if err != nil {
						return err
					}
					if err := prev.add(d); err != nil {
						return err
					}
				}
				if err := p.hashes.close(); err != nil {
					return err
				}
			} else {
				p.sorts[k] = p.hashes
			}
		} else {
			if k != 0 && k.Size() != p.hashLen && !b.HashSalted && !b.HashPeppered {
				b.Invalid += p.b.Hashes - p.badHashes
			}
			if err := p.hashes.close(); err != nil {
				return err
			}
		}
		p.hashes = nil
	}
	if len(b.DataClasses) == 0 {
		b.DataClasses = dataClasses(b)
	}
	p.b = b
	for _, s := range p.sorts {
		if err := s.park(); err != nil {
			return err
		}
	}
	c.done = append(c.done, p)
	c.t.records.Add(-b.Invalid) // counted as read, found invalid at the end
	return nil
}

// dataClasses names what a breach holds the way HIBP does.
func dataClasses(b store.Breach) []string {
	var out []string
	if b.ContainsEmails || b.Emails > 0 {
		out = append(out, "Email addresses")
	}
	if b.ContainsUsernames || b.Usernames > 0 {
		out = append(out, "Usernames")
	}
	if b.ContainsPasswords || b.ContainsHashes || b.Passwords > 0 || b.Hashes > 0 {
		out = append(out, "Passwords")
	}
	return out
}

// store writes every breach read in one transaction.
func (c *collector) store(job store.ImportJob, sum *Summary) error {
	c.t.setPhase("storing")
	nbs := make([]store.NewBreach, 0, len(c.done))
	for _, p := range c.done {
		nb := store.NewBreach{Breach: p.b}
		for _, k := range []store.RecordKind{store.RecordEmail, store.RecordUsername, store.RecordSHA1,
			store.RecordMD5, store.RecordSHA256, store.RecordSHA512, store.RecordNTLM} {
			s, ok := p.sorts[k]
			if !ok {
				continue
			}
			next, err := s.next()
			if err != nil {
				return err
			}
			nb.Records = append(nb.Records, store.DigestSource{Kind: k, Next: next})
		}
		nbs = append(nbs, nb)
		sum.Breaches = append(sum.Breaches, p.b.Name)
		sum.Skipped += p.b.Skipped
		sum.Invalid += p.b.Invalid
	}
	sum.Records = c.t.records.Load()
	summary := *sum
	summary.Elapsed = c.im.now().Sub(c.t.start)
	ids, err := c.im.Store.ImportBreaches(c.ctx, nbs, store.ImportOptions{
		Replace: c.o.Replace,
		Now:     c.im.now(),
		Job:     job.ID,
		Summary: summary.String(),
	})
	if err == nil && c.im.AfterBreaches != nil && len(ids) > 0 {
		c.im.AfterBreaches(context.WithoutCancel(c.ctx), ids)
	}
	return err
}

func (c *collector) close() {
	for _, p := range append(c.done, c.cur) {
		if p == nil {
			continue
		}
		for _, s := range p.sorts {
			s.close()
		}
		if p.hashes != nil {
			p.hashes.close()
		}
	}
}
