package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	stdio "io"
	"os"
	"strings"

	"pcmt/breach"
	"pcmt/breaches"
	"pcmt/monitor"
	"pcmt/store"
)

const importUsage = `usage: pcmt import [--replace] [--format yaml|lines|pwned] [--kind emails|usernames|passwords]
                   [--name BREACH] [--title T] [--date YYYY-MM-DD] [--description D] [--verified] [--yes] FILE...`

type importFlags struct {
	cf      configFlags
	o       breach.Options
	format  string
	kind    string
	yes     bool
	tempDir string
}

func runImport(ctx context.Context, args []string, io IO) error {
	fs := newFlags("import")
	var f importFlags
	f.cf.register(fs)
	fs.BoolVar(&f.o.Replace, "replace", false, "replace a breach (or corpus) of the same name instead of refusing it")
	fs.StringVar(&f.format, "format", "", "yaml, lines or pwned (default: inferred from the content)")
	fs.StringVar(&f.kind, "kind", "", "line lists: emails, usernames or passwords (default: inferred, then confirmed)")
	fs.StringVar(&f.o.Name, "name", "", "line lists: the breach's name (default: the file name without extension)")
	fs.StringVar(&f.o.Title, "title", "", "line lists: the breach's title (default: its name)")
	fs.StringVar(&f.o.Date, "date", "", "line lists: when the breach happened, YYYY-MM-DD")
	fs.StringVar(&f.o.Description, "description", "", "line lists: a description")
	fs.BoolVar(&f.o.Verified, "verified", false, "line lists: mark the breach verified")
	fs.BoolVar(&f.yes, "yes", false, "accept an inferred line-list kind without asking")
	fs.StringVar(&f.tempDir, "temp-dir", "", "directory for sort files (default: the system's temporary directory)")
	files, err := parseFlags(fs, args, io.Stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("%s", importUsage)
	}
	if f.format != "" {
		if f.o.Format, err = breach.ParseFormat(f.format); err != nil {
			return usagef("pcmt import: --format: %v", err)
		}
	}
	if f.kind != "" {
		if f.o.Kind, err = breach.ParseKind(f.kind); err != nil {
			return usagef("pcmt import: --kind: %v", err)
		}
	}
	if f.o.Name != "" && len(files) > 1 {
		return usagef("pcmt import: --name names one breach: import the files one at a time")
	}
	if err := f.o.Validate(); err != nil {
		var fe *breach.FieldError
		if errors.As(err, &fe) {
			return usagef("pcmt import: --%s: %s", fe.Field, fe.Msg)
		}
		return err
	}

	cfg, _, err := f.cf.load(io)
	if err != nil {
		return err
	}
	// Every file is checked before any is read: a batch does not stop
	// half-way on a size that was known from the start.
	for _, name := range files {
		st, err := os.Stat(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if st.Size() > int64(cfg.Import.MaxSize) {
			return fmt.Errorf("import: %s: %d bytes is over the import limit of %d (Import.MaxSize)", name, st.Size(), int64(cfg.Import.MaxSize))
		}
	}
	// The secrets file keys the watchlist match and chains the log entry.
	keys, log, st, err := openWriting(ctx, cfg, io)
	if err != nil {
		return err
	}
	defer st.Close()
	matcher, err := monitor.New(st, keys.Monitor, log)
	if err != nil {
		return err
	}
	im := &breach.Importer{Store: st, TempDir: f.tempDir, MaxSize: int64(cfg.Import.MaxSize), Log: log,
		AfterBreaches: matcher.AfterImport}
	// Each job is made with its activity log entry, as an upload's is.
	imports := breaches.New(breaches.Deps{Store: st, Keys: keys, Importer: im})
	tty := isTerminal(io.Stderr)
	for _, name := range files {
		o := f.o
		if err := confirmKind(name, &o, f.yes, tty, io); err != nil {
			return err
		}
		if err := importFile(ctx, im, imports, name, o, tty, io); err != nil {
			return err
		}
	}
	return nil
}

// confirmKind settles what a line list holds before its job is made, so a
// resumed job reads the file the same way.
func confirmKind(name string, o *breach.Options, yes, tty bool, io IO) error {
	if o.Kind != 0 || o.Format == breach.FormatYAML || o.Format == breach.FormatPwned {
		return nil
	}
	head, err := readHead(name)
	if err != nil {
		return err
	}
	if o.Format == "" && breach.Sniff(head) != breach.FormatLines {
		return nil
	}
	kind, err := breach.LineKind(*o, head)
	if err == nil {
		fmt.Fprintf(io.Stderr, "%s: a list of %s\n", name, kind)
		o.Kind = kind
		return nil
	}
	guess, share := breach.GuessKind(head)
	if yes && guess != 0 {
		o.Kind = guess
		return nil
	}
	if !tty {
		return fmt.Errorf("import: %s: %w", name, err)
	}
	fmt.Fprintf(io.Stderr, "%s looks like a list of %s (%.0f%% of the first lines). Import it as %s? [y/N] ", name, guess, share*100, guess)
	answer, _ := bufio.NewReader(io.Stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return fmt.Errorf("import: %s: not imported: say what it holds with --kind emails|usernames|passwords", name)
	}
	o.Kind = guess
	return nil
}

func readHead(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := stdio.ReadFull(f, head)
	if err != nil && err != stdio.ErrUnexpectedEOF && err != stdio.EOF {
		return nil, fmt.Errorf("import: %s: %w", name, err)
	}
	return head[:n], nil
}

func importFile(ctx context.Context, im *breach.Importer, imports *breaches.Service, name string, o breach.Options, tty bool, io IO) error {
	job, err := imports.Import(ctx, name, o)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if job.State == store.JobRunning {
		fmt.Fprintf(io.Stderr, "%s: resuming the interrupted import (job %d)\n", name, job.ID)
	}
	bar := newProgressBar(io.Stderr, name, tty)
	sum, err := im.Run(ctx, job, bar.update)
	bar.done()
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("import: %s: interrupted; run the same command again to resume", name)
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(io.Stdout, "%s: %s\n", name, sum)
	return nil
}
