package breach

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"pcmt/apperr"
	"pcmt/store"
)

// yamlCollector feeds a YAML file's documents to the collector.
type yamlCollector struct {
	*collector
	skipped int64
}

func (y *yamlCollector) Record(kind Kind, value []byte, _ int64) error { return y.add(kind, value) }

func (y *yamlCollector) Skip(Kind, int64) {
	y.skipped++
	y.t.skipped.Add(1)
}

// Document ends a breach once its metadata passed the rules every
// breach's details follow (CheckDetails); the parser checked only their
// form.
func (y *yamlCollector) Document(doc int, m Meta) error {
	if errs := CheckDetails(Details{Name: m.Name, Date: m.Time, Description: m.Description}, y.im.now()); len(errs) > 0 {
		fe := *errs[0]
		if fe.Field == "date" {
			fe.Field = "time" // the document's key
		}
		return fmt.Errorf("%s: document %d: %w", y.file, doc, &fe)
	}
	b := store.Breach{
		Name:              m.Name,
		Title:             m.Name,
		Date:              m.Time,
		IsVerified:        m.IsVerified,
		ContainsPasswords: m.ContainsPasswds,
		ContainsHashes:    m.ContainsHashes,
		ContainsEmails:    m.ContainsEmails,
		ContainsUsernames: m.ContainsUsernames,
		HashType:          m.HashType,
		HashSalted:        m.HashSalted,
		HashPeppered:      m.HashPeppered,
		Description:       m.Description,
		Source:            y.file,
	}
	err := y.finish(doc, b, y.skipped)
	y.skipped = 0
	return err
}

func (im *Importer) newCollector(ctx context.Context, job store.ImportJob, o Options, t *meter) *collector {
	return &collector{im: im, ctx: ctx, file: job.FileName, o: o, t: t, names: map[string]int{}}
}

func (im *Importer) importYAML(ctx context.Context, job store.ImportJob, o Options, t *meter, sum *Summary) error {
	c := im.newCollector(ctx, job, o, t)
	defer c.close()
	if err := ParseYAML(bufio.NewReaderSize(t, 256<<10), job.FileName, &yamlCollector{collector: c}); err != nil {
		return err
	}
	if len(c.done) == 0 {
		return fmt.Errorf("%s: no breach documents: %w", job.FileName, apperr.ErrInvalid)
	}
	return c.store(job, sum)
}

// minGuessShare is how consistent a line list's sample must be for its kind
// to be inferred without asking.
const minGuessShare = 0.98

// LineKind is the kind a line list is imported as: the one given, or the
// one its first lines suggest when they do so clearly.
func LineKind(o Options, head []byte) (Kind, error) {
	if o.Kind != 0 {
		return o.Kind, nil
	}
	k, share := GuessKind(head)
	if k == Emails && share >= minGuessShare {
		return k, nil
	}
	return 0, &FieldError{"kind", fmt.Sprintf("the lines look like %s (%.0f%% of a sample) but that is not certain: say which with --kind emails|usernames|passwords", k, share*100)}
}

func (im *Importer) importLines(ctx context.Context, job store.ImportJob, o Options, t *meter, sum *Summary) error {
	br := bufio.NewReaderSize(t, 256<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return err
	}
	kind, err := LineKind(o, head)
	if err != nil {
		return err
	}
	date, _ := o.date() // validated when the job was made
	b := store.Breach{
		Name:              o.lineName(job.FileName),
		Title:             o.Title,
		Date:              date,
		IsVerified:        o.Verified,
		ContainsEmails:    kind == Emails,
		ContainsUsernames: kind == Usernames,
		ContainsPasswords: kind == Passwords,
		Description:       o.Description,
		Source:            job.FileName,
	}
	c := im.newCollector(ctx, job, o, t)
	defer c.close()
	lr := NewLineReader(br, job.FileName)
	for {
		v, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := c.add(kind, v); err != nil {
			return err
		}
		if lr.Line()&0xfff == 0 {
			t.skipped.Store(lr.Skipped())
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	t.skipped.Store(lr.Skipped())
	if err := c.finish(0, b, lr.Skipped()); err != nil {
		return err
	}
	return c.store(job, sum)
}
