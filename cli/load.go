package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"pcmt/config"
)

// configFlags are the flags every command takes to find and adjust its
// configuration; flags win over variables, which win over the file.
type configFlags struct {
	file     string
	host     string
	port     int
	database string
}

func (f *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "config", "", "configuration file (default: $PCMT_CONFIG, else ./config.toml when present)")
	fs.StringVar(&f.host, "host", "", "address to listen on (Host)")
	fs.IntVar(&f.port, "port", 0, "port to listen on (Port)")
	fs.StringVar(&f.database, "database", "", "SQLite database file (Database.Path)")
}

// load reads, overrides and validates the configuration.
func (f *configFlags) load(io IO) (config.Config, config.Source, error) {
	cfg, src, err := config.Load(f.file, io.Getenv)
	if err != nil {
		return cfg, src, err
	}
	if f.host != "" {
		cfg.Host = f.host
	}
	if f.port != 0 {
		cfg.Port = f.port
	}
	if f.database != "" {
		cfg.Database.Path = f.database
	}
	if err := cfg.Validate(); err != nil {
		return cfg, src, err
	}
	return cfg, src, nil
}

// newLogger logs to w as the Logger section says.
func newLogger(cfg config.Logger, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.Level))) // validated already
	opts := &slog.HandlerOptions{Level: level}
	if cfg.JSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func describeSource(src config.Source) string {
	if src.File == "" {
		return "built-in defaults (no config file)"
	}
	return fmt.Sprintf("file %s", src.File)
}
