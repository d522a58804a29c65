package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// `just dev` serves static files from disk: the server that templ's --cmd
// starts must get LiveMode through its variable (the Tailwind watcher has
// no use for it).
func TestJustfileDevServesInLiveMode(t *testing.T) {
	data, err := os.ReadFile("../Justfile")
	if err != nil {
		t.Fatal(err)
	}
	_, recipe, ok := strings.Cut(string(data), "\ndev:\n")
	if !ok {
		t.Fatal("no dev recipe in the Justfile")
	}
	if end := strings.Index(recipe, "\n\n"); end >= 0 {
		recipe = recipe[:end]
	}
	m := regexp.MustCompile(`--cmd="([^"]*)"`).FindStringSubmatch(recipe)
	if m == nil {
		t.Fatalf("the dev recipe starts no server with templ's --cmd:\n%s", recipe)
	}
	assign := EnvName("LiveMode") + "=true"
	if !strings.Contains(m[1], assign) || !strings.Contains(m[1], " serve") {
		t.Fatalf("templ's --cmd %q does not run serve with %s", m[1], assign)
	}
	name, value, _ := strings.Cut(assign, "=")
	cfg, _, err := Load("", envOf(map[string]string{name: value}))
	if err != nil || !cfg.LiveMode {
		t.Fatalf("%s does not turn LiveMode on: %v", assign, err)
	}
}
