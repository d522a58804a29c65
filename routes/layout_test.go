package routes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestViewsMirrorRoutes holds the package layout the README promises: a
// page that routes/NAME.go or routes/NAME_*.go renders is defined in
// views/NAME.templ, so that the file behind a page is found by its name.
func TestViewsMirrorRoutes(t *testing.T) {
	templs, err := filepath.Glob("../views/*.templ")
	if err != nil || len(templs) == 0 {
		t.Fatalf("no views: %v", err)
	}
	component := regexp.MustCompile(`(?m)^templ ([A-Z]\w*)\(`)
	defined := map[string]string{} // component → views file, without .templ
	for _, p := range templs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range component.FindAllSubmatch(b, -1) {
			defined[string(m[1])] = strings.TrimSuffix(filepath.Base(p), ".templ")
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(p, ".go")
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "views" {
				return true
			}
			view, ok := defined[sel.Sel.Name]
			if !ok {
				return true
			}
			checked++
			if name != view && !strings.HasPrefix(name, view+"_") {
				t.Errorf("routes/%s renders views.%s, which views/%s.templ defines: the names must match", p, sel.Sel.Name, view)
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("only %d renders found: the check reads nothing", checked)
	}
}

// TestReadmeNamesFilesThatExist: the README's table of where each rule
// lives names files that are there, so that it cannot silently go stale
// when code moves.
func TestReadmeNamesFilesThatExist(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "### Where each rule lives")
	if !ok {
		t.Fatal("the README has no table of where each rule lives")
	}
	table, _, _ = strings.Cut(table, "\nA request goes through")
	paths := regexp.MustCompile("`([a-z]+/[a-z_*]+\\.go)`").FindAllStringSubmatch(table, -1)
	if len(paths) < 20 {
		t.Fatalf("only %d files named", len(paths))
	}
	for _, p := range paths {
		if m, _ := filepath.Glob("../" + p[1]); len(m) == 0 {
			t.Errorf("the README names %s, which does not exist", p[1])
		}
	}
}
