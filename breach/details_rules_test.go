package breach_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"pcmt/apperr"
	"pcmt/breach"
)

// The import holds a breach's details to the rules an admin's edit holds
// them to: a YAML document's name and time, a line list's options.
func TestImportRefusesDetailsTheEditRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		o                   breach.Options
		field               string
	}{
		{"yaml name too long", "long.yaml", "name: " + strings.Repeat("é", 201) + "\nemails: [a@b.c]\n", breach.Options{}, "name"},
		{"yaml name with a C1 control", "c1.yaml", "name: \"a\\u0085b\"\nemails: [a@b.c]\n", breach.Options{}, "name"},
		{"yaml time before 1970", "old.yaml", "name: old\ntime: 1900-01-01\nemails: [a@b.c]\n", breach.Options{}, "time"},
		{"yaml time in the future", "later.yaml", "name: later\ntime: 2999-01-01T00:00:00Z\nemails: [a@b.c]\n", breach.Options{}, "time"},
		{"line list date in the future", "list.txt", "a@b.c\n", breach.Options{Kind: breach.Emails, Date: "2999-01-01"}, "date"},
		{"line list description not UTF-8", "list.txt", "a@b.c\n", breach.Options{Kind: breach.Emails, Description: "caf\xe9"}, "description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, s := newImporter(t)
			_, err := importFile(t, im, writeFile(t, tc.file, tc.content), tc.o)
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), tc.field+":") {
				t.Fatalf("error %v, want an invalid %s", err, tc.field)
			}
			if bs, _ := s.Breaches(context.Background()); len(bs) != 0 {
				t.Fatalf("%d breaches stored", len(bs))
			}
		})
	}
	// What both allow still imports: a name of 200 characters, not bytes.
	im, s := newImporter(t)
	if _, err := importFile(t, im, writeFile(t, "ok.yaml", "name: "+strings.Repeat("é", 200)+"\ntime: 2020-02-02\nemails: [a@b.c]\n"), breach.Options{}); err != nil {
		t.Fatal(err)
	}
	if bs, _ := s.Breaches(context.Background()); len(bs) != 1 || !bs[0].Date.Equal(time.Date(2020, 2, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("breaches %+v", bs)
	}
}
