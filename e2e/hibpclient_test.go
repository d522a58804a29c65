package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/config"
	"pcmt/store"
)

// nodeHIBP finds node and the npm "hibp" package. Without them the test is
// skipped, except under CI (which installs both).
func nodeHIBP(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		if _, err = os.Stat("../node_modules/hibp/package.json"); err == nil {
			return node
		}
	}
	msg := "node or the npm package hibp is missing (" + err.Error() + "): run `npm install` at the repository root"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this test may not be skipped)")
	}
	t.Skip(msg)
	return ""
}

// A real third-party client — the npm package "hibp", whose functions take
// a baseUrl — pointed at a running instance gets the right counts for known
// and unknown passwords, padded and not, and the right breaches for an
// account.
func TestNPMHIBPClientAgainstTheInstance(t *testing.T) {
	node := nodeHIBP(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "pcmt.db")
	base := startApp(t, func(c *config.Config) { c.Database.Path = db })

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	im := &breach.Importer{Store: st, TempDir: dir, MaxSize: 1 << 30}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// SHA-1 of "P@ssw0rd" is 21BD12DC183F740EE76F27B78EB39C8AD972A757.
	corpus := write("pwned.txt", "21BD12DC183F740EE76F27B78EB39C8AD972A757:52579\r\n21BD1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:3")
	ntlm := write("ntlm.txt", "8846F7EAEE8FB117AD06BDD830B7586C:9999\n")
	forum := write("forum.yaml", "name: Forum\ntime: 2021-05-06\nisVerified: true\ncontainsEmails: true\ndata:\n  emails: [ann@example.org, bob@example.org]\n")
	for _, f := range []string{corpus, ntlm, forum} {
		job, err := im.NewJob(context.Background(), f, filepath.Base(f), "cli", 0, breach.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := im.Run(context.Background(), job, nil); err != nil {
			t.Fatal(err)
		}
	}
	key := apiToken(t, st, store.ScopeSearch)

	cmd := exec.Command(node, "testdata/hibp-client.mjs")
	cmd.Env = append(os.Environ(), "PCMT_BASE="+base, "PCMT_KEY="+key)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	var got struct {
		Known, KnownPadded, Unknown, UnknownPadded int
		NTLM                                       map[string]int
		PaddedLines                                int
		Breaches                                   []struct {
			Name, Title, BreachDate string
			IsVerified              bool
			DataClasses             []string
		}
		Names   []map[string]any
		None    any
		Refused string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Known != 52579 || got.KnownPadded != 52579 || got.Unknown != 0 || got.UnknownPadded != 0 {
		t.Errorf("password counts: %+v", got)
	}
	if got.NTLM["7EAEE8FB117AD06BDD830B7586C"] != 9999 {
		t.Errorf("ntlm range: %v", got.NTLM)
	}
	if got.PaddedLines < 800 || got.PaddedLines > 1000 {
		t.Errorf("padded range has %d lines", got.PaddedLines)
	}
	if len(got.Breaches) != 1 || got.Breaches[0].Name != "Forum" || got.Breaches[0].BreachDate != "2021-05-06" ||
		!got.Breaches[0].IsVerified || len(got.Breaches[0].DataClasses) == 0 {
		t.Errorf("breachedAccount: %+v", got.Breaches)
	}
	if len(got.Names) != 1 || got.Names[0]["Name"] != "Forum" || len(got.Names[0]) != 1 {
		t.Errorf("truncated breachedAccount: %v", got.Names)
	}
	if got.None != nil {
		t.Errorf("an unknown account: %v, want null", got.None)
	}
	if got.Refused == "" {
		t.Error("a wrong key was accepted")
	}
}

// apiToken makes a personal API token for a new user, as /settings/tokens
// would: "pcmt_" and 32 random bytes in lower-case base32, stored as its
// SHA-256.
func apiToken(t *testing.T, st *store.Store, scopes ...string) string {
	t.Helper()
	ctx := context.Background()
	u := &store.User{Username: "client", Email: "client@example.org", PasswordHash: "unused", Role: store.RoleUser}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	plain := "pcmt_" + base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding).EncodeToString(b)
	sum := sha256.Sum256([]byte(plain))
	now := time.Now()
	if _, err := st.CreateToken(ctx, store.NewToken{UserID: u.ID, Name: "npm hibp", Digest: sum[:],
		Prefix: plain[5:13], Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return plain
}
