package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEmbeddedAssets(t *testing.T) {
	a, err := New(Embedded, "public", false)
	if err != nil {
		t.Fatal(err)
	}
	set := a.Current()
	for _, name := range []string{"app.css", "htmx.min.js", "pwcheck.js", "favicon.svg"} {
		url := set.URL(name)
		hashed := strings.TrimPrefix(url, "/static/")
		if hashed == name {
			t.Fatalf("%s has no hashed URL", name)
		}
		f, immutable, ok := set.Lookup(hashed)
		if !ok || !immutable || f.Name != name {
			t.Fatalf("lookup %s = %v %v %v", hashed, f, immutable, ok)
		}
		if _, immutable, ok := set.Lookup(name); !ok || immutable {
			t.Fatalf("lookup %s by logical name: immutable=%v ok=%v", name, immutable, ok)
		}
		if f.Gzip != nil {
			zr, err := gzip.NewReader(bytes.NewReader(f.Gzip))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(plain, f.Body) {
				t.Fatalf("%s: gzip copy does not match the body (%v)", name, err)
			}
		}
	}
	if f, _, _ := set.Lookup("app.css"); f.ContentType != "text/css; charset=utf-8" {
		t.Fatalf("app.css content type %q", f.ContentType)
	}
	if _, _, ok := set.Lookup("nope.js"); ok {
		t.Fatal("found a file that does not exist")
	}
}

func TestHashChangesWithContent(t *testing.T) {
	one, _ := Load(fstest.MapFS{"d/a.js": {Data: []byte("one")}}, "d")
	two, _ := Load(fstest.MapFS{"d/a.js": {Data: []byte("two")}}, "d")
	if one.URL("a.js") == two.URL("a.js") {
		t.Fatal("different content, same URL")
	}
}

func TestLiveModeRereads(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, "app.css"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("body{color:red}")
	a, err := New(os.DirFS(dir), ".", true)
	if err != nil {
		t.Fatal(err)
	}
	before := a.Current().URL("app.css")
	write("body{color:blue}")
	after := a.Current().URL("app.css")
	if before == after {
		t.Fatal("live mode served the old file after an edit")
	}
	if f, _, _ := a.Current().Lookup("app.css"); string(f.Body) != "body{color:blue}" {
		t.Fatalf("live body %q", f.Body)
	}
}
