package config

import (
	"encoding"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// DefaultFile is read when it exists and no other file is named.
const DefaultFile = "config.toml"

// Error is a configuration problem tied to one key.
type Error struct {
	Key    string
	Value  string
	Reason string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("config: %s: %s", e.Key, e.Reason)
	}
	return fmt.Sprintf("config: %s = %q: %s", e.Key, e.Value, e.Reason)
}

// Source says where the configuration came from.
type Source struct {
	// File is the config file read, empty when none was.
	File string
}

// Load builds the configuration from the defaults, then the file, then the
// PCMT_* variables that getenv reports. file may be empty: then PCMT_CONFIG
// names it, else config.toml is read when it exists, else none is.
func Load(file string, getenv func(string) (string, bool)) (Config, Source, error) {
	cfg := Default()
	explicit := file != ""
	if !explicit {
		file, explicit = getenv("PCMT_CONFIG")
	}
	if file == "" {
		file = DefaultFile
	}
	src, err := readFile(&cfg, file, explicit)
	if err != nil {
		return cfg, src, err
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return cfg, src, err
	}
	return cfg, src, nil
}

func readFile(cfg *Config, file string, explicit bool) (Source, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return Source{}, nil
	}
	if err != nil {
		return Source{}, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			if perr.LastKey != "" {
				return Source{}, fmt.Errorf("config: %s: line %d: %s: %s", file, perr.Position.Line, perr.LastKey, perr.Message)
			}
			return Source{}, fmt.Errorf("config: %s: line %d: %s", file, perr.Position.Line, perr.Message)
		}
		return Source{}, fmt.Errorf("config: %s: %w", file, err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return Source{}, &Error{Key: extra[0].String(), Reason: "unknown key in " + file}
	}
	return Source{File: file}, nil
}

// EnvName is the environment variable that overrides key ("HTTP.Port").
func EnvName(key string) string {
	return "PCMT_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

func applyEnv(cfg *Config, getenv func(string) (string, bool)) error {
	for _, key := range KeyPaths() {
		if v, ok := getenv(EnvName(key)); ok {
			if err := cfg.Set(key, v); err != nil {
				var ce *Error
				if errors.As(err, &ce) {
					ce.Key = EnvName(key)
				}
				return err
			}
		}
	}
	return nil
}

// KeyPaths lists every configuration key as a dotted path, sorted.
func KeyPaths() []string {
	var keys []string
	walk(reflect.TypeOf(Config{}), "", func(key string) { keys = append(keys, key) })
	sort.Strings(keys)
	return keys
}

func walk(t reflect.Type, prefix string, visit func(string)) {
	for i := range t.NumField() {
		f := t.Field(i)
		key := prefix + f.Name
		if f.Type.Kind() == reflect.Struct {
			walk(f.Type, key+".", visit)
			continue
		}
		visit(key)
	}
}

// Set parses value into the field named by key, as an environment variable
// or a flag would give it. Lists are comma-separated.
func (c *Config) Set(key, value string) error {
	v := reflect.ValueOf(c).Elem()
	for _, part := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return &Error{Key: key, Reason: "unknown key"}
		}
		v = v.FieldByName(part)
		if !v.IsValid() {
			return &Error{Key: key, Reason: "unknown key"}
		}
	}
	if err := setValue(v, value); err != nil {
		return &Error{Key: key, Value: value, Reason: err.Error()}
	}
	return nil
}

func setValue(v reflect.Value, value string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(value))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(value)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return errors.New("want true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return errors.New("want a whole number")
		}
		v.SetInt(n)
	case reflect.Slice:
		var items []string
		for _, s := range strings.Split(value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		v.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("cannot set a %s", v.Kind())
	}
	return nil
}
