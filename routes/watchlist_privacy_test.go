package routes

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestADumpDoesNotRevealTheWatchlist is the operator's view: every table of
// the database (text and hex of every value), the raw database, -wal and
// -shm files, the config as TOML, the secrets file and the log. None may
// hold a watched value, nor the plain SHA-256 the breach records use (which
// anyone could test guesses against).
func TestADumpDoesNotRevealTheWatchlist(t *testing.T) {
	d, logs := testDeps(t, nil)
	d.Config.Database.Path = d.Store.Path() // the secrets file goes beside it, as in production
	keys, err := d.Config.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	d.Keys = keys
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, log: logs, deps: d}
	_, s := a.newMember("ursula", "a quiet morning walk")
	secrets := []string{"tracked.person@example.org", "tracked_user"}
	for _, v := range []string{"Tracked.Person@Example.org", "tracked_user"} {
		if resp, _ := s.watch(v); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("watch %q: %d", v, resp.StatusCode)
		}
	}
	// An alert and its mail exist too: a third watched value turns up in a
	// breach (whose records are plain SHA-256 digests by design, so this
	// value is not one of the secrets checked below).
	if resp, _ := s.watch("exposed@example.org"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("watch: %d", resp.StatusCode)
	}
	a.importAccounts("Leak", "exposed@example.org", "someone@example.com")
	if rows := s.watchlist(); rows.Find(`[data-testid="watch-value"]`).Length() != 3 {
		t.Fatal("the user cannot read their own watchlist")
	}

	dump := dumpDatabase(t, d.Store.Path())
	for _, suffix := range []string{"", "-wal", "-shm"} {
		raw, err := os.ReadFile(d.Store.Path() + suffix)
		if err != nil && suffix != "-shm" {
			t.Fatalf("read %s: %v", suffix, err)
		}
		dump = append(dump, raw...)
	}
	var cfg bytes.Buffer
	if err := toml.NewEncoder(&cfg).Encode(d.Config); err != nil {
		t.Fatal(err)
	}
	dump = append(dump, cfg.Bytes()...)
	secretsFile, err := os.ReadFile(d.Config.SecretsPath())
	if err != nil {
		t.Fatal(err)
	}
	dump = append(dump, secretsFile...)
	dump = append(dump, logs.String()...)

	// The dump is real: it holds what is not secret, and the search finds
	// a breach record's digest in both forms.
	if !bytes.Contains(dump, []byte("ursula@example.org")) || !bytes.Contains(dump, []byte("MonitorSecret")) {
		t.Fatal("the dump misses the users table or the secrets file")
	}
	if exposed := sha256.Sum256([]byte("exposed@example.org")); !bytes.Contains(dump, exposed[:]) ||
		!bytes.Contains(dump, []byte(hex.EncodeToString(exposed[:]))) {
		t.Fatal("the dump misses the breach records")
	}
	lower := bytes.ToLower(dump)
	for _, v := range secrets {
		sum := sha256.Sum256([]byte(v))
		for _, needle := range []string{v, hex.EncodeToString([]byte(v)), hex.EncodeToString(sum[:]),
			base64.StdEncoding.EncodeToString(sum[:])} {
			if bytes.Contains(lower, []byte(strings.ToLower(needle))) {
				t.Errorf("the dump holds %q (for %q)", needle, v)
			}
		}
		if bytes.Contains(dump, sum[:]) {
			t.Errorf("the dump holds the raw SHA-256 of %q", v)
		}
	}
}

// dumpDatabase reads every table through a connection of its own: each
// value as text and as hex.
func dumpDatabase(t *testing.T, path string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names []string
	for _, row := range queryAll(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`) {
		names = append(names, row[0].(string))
	}
	var out bytes.Buffer
	seen := map[string]int{}
	for _, name := range names {
		for _, row := range queryAll(t, db, `SELECT * FROM "`+name+`"`) { //nolint:gosec // table names from sqlite_master
			seen[name]++
			for _, v := range row {
				var b []byte
				switch v := v.(type) {
				case []byte:
					b = v
				case string:
					b = []byte(v)
				default:
					b = fmt.Append(nil, v)
				}
				out.Write(b)
				out.WriteByte('\n')
				out.WriteString(hex.EncodeToString(b))
				out.WriteByte('\n')
			}
		}
	}
	if seen["watch_items"] != 3 || seen["users"] != 1 || seen["breach_records"] != 2 || seen["alerts"] != 1 || seen["outbox"] != 1 {
		t.Fatalf("rows dumped: %v", seen)
	}
	return out.Bytes()
}

// queryAll returns every row of query, each value as the driver gives it.
func queryAll(t *testing.T, db *sql.DB, query string) [][]any {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
