package static

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"pcmt/breach"
)

// TestPasswordCheckHashes runs the password-check script's MD5 and NTLM
// under node and compares them with the server's digests: the browser and
// the server must hash every password alike, or their answers differ.
func TestPasswordCheckHashes(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is missing: CI must install it")
		}
		t.Skip("node is missing (install Node.js to test the password-check script's hashes)")
	}
	passwords := []string{"", "a", "abc", "password", "P@ssw0rd!", "correct horse battery staple",
		strings.Repeat("x", 55), strings.Repeat("x", 56), strings.Repeat("x", 63), strings.Repeat("x", 64),
		strings.Repeat("long password ", 40), "pâté façade", "пароль", "密码", "emoji 🔐 and 𝄞", "tab\tand\nnewline"}
	in, err := json.Marshal(passwords)
	if err != nil {
		t.Fatal(err)
	}
	const script = `
const h = require("./src/pwcheck.js");
const hex = (b) => Buffer.from(b).toString("hex");
const passwords = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(passwords.map((p) => [hex(h.md5(new TextEncoder().encode(p))), hex(h.ntlm(p))])));`
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got [][2]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	if len(got) != len(passwords) {
		t.Fatalf("%d results for %d passwords", len(got), len(passwords))
	}
	for i, p := range passwords {
		var md5, ntlm string
		for _, d := range breach.PasswordHashes([]byte(p)) {
			switch d.Kind.Name() {
			case "md5":
				md5 = hex.EncodeToString(d.Sum)
			case "ntlm":
				ntlm = hex.EncodeToString(d.Sum)
			}
		}
		if got[i][0] != md5 {
			t.Errorf("MD5 of %q: script %s, server %s", p, got[i][0], md5)
		}
		if got[i][1] != ntlm {
			t.Errorf("NTLM of %q: script %s, server %s", p, got[i][1], ntlm)
		}
	}
}

// TestBuiltPasswordCheckIsTheSource: static/public serves a copy of the
// script, made by `npm run build:js`.
func TestBuiltPasswordCheckIsTheSource(t *testing.T) {
	src, err := os.ReadFile("src/pwcheck.js")
	if err != nil {
		t.Fatal(err)
	}
	built, err := os.ReadFile("public/pwcheck.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, built) {
		t.Error("static/public/pwcheck.js differs from static/src/pwcheck.js: run `npm run build:js`")
	}
}
