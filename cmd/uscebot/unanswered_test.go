package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/store"
)

// runUnansweredCmd runs `uscebot unanswered args...` in-process. It calls
// the command itself, so that it tests it whether or not run's table has
// it yet; run turns a usageError into exit status 2.
func runUnansweredCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runUnanswered(t.Context(), args, strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

// unansweredDB returns a new database file holding the questions.
func unansweredDB(t *testing.T, questions ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for i, q := range questions {
		if err := db.SaveUnanswered(t.Context(), q, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

var someUnanswered = []string{
	"how do I get a J1 waiver?",
	"what is the best anki deck for step 1",
	"how can I get a j-1 visa waiver",
	"Which Anki deck is best for step one?",
	"what is the best anki deck for step 1",
	"what is the max dose of metformin",
	"what is the best anki deck for step 1",
}

func TestUnansweredText(t *testing.T) {
	out, err := runUnansweredCmd(t, "--db", unansweredDB(t, someUnanswered...))
	if err != nil {
		t.Fatalf("unanswered: %v", err)
	}
	want := `7 unanswered questions in 3 groups, biggest first:
    4  what is the best anki deck for step 1
       - Which Anki deck is best for step one?
    2  how do I get a J1 waiver?
       - how can I get a j-1 visa waiver
    1  what is the max dose of metformin
`
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("unanswered (-want +got):\n%s", diff)
	}
}

// unansweredJSON is unanswered --json.
type unansweredJSON struct {
	Total  int `json:"total"`
	Groups []struct {
		Question string   `json:"question"`
		Count    int      `json:"count"`
		Variants []string `json:"variants"`
	} `json:"groups"`
}

func TestUnansweredJSON(t *testing.T) {
	out, err := runUnansweredCmd(t, "--json", "--db", unansweredDB(t, someUnanswered...))
	if err != nil {
		t.Fatalf("unanswered --json: %v", err)
	}
	var got unansweredJSON
	strictly(t, out, &got)
	want := unansweredJSON{Total: 7}
	want.Groups = append(want.Groups, []struct {
		Question string   `json:"question"`
		Count    int      `json:"count"`
		Variants []string `json:"variants"`
	}{
		{"what is the best anki deck for step 1", 4, []string{"Which Anki deck is best for step one?"}},
		{"how do I get a J1 waiver?", 2, []string{"how can I get a j-1 visa waiver"}},
		{"what is the max dose of metformin", 1, []string{}},
	}...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unanswered --json (-want +got):\n%s", diff)
	}
}

func TestUnansweredEmpty(t *testing.T) {
	path := unansweredDB(t)
	out, err := runUnansweredCmd(t, "--db", path)
	if err != nil || !strings.HasPrefix(out, "no unanswered questions") || strings.Count(out, "\n") != 1 {
		t.Errorf("unanswered on an empty database = %q, %v; want one line saying there are none", out, err)
	}
	out, err = runUnansweredCmd(t, "--db", path, "--json")
	if err != nil {
		t.Fatalf("unanswered --json: %v", err)
	}
	// The groups are an empty list, not null.
	if want := "{\n  \"total\": 0,\n  \"groups\": []\n}\n"; out != want {
		t.Errorf("unanswered --json on an empty database = %q, want %q", out, want)
	}
}

func TestUnansweredClear(t *testing.T) {
	path := unansweredDB(t, someUnanswered...)
	out, err := runUnansweredCmd(t, "--db", path, "--clear")
	if err != nil || out != "deleted 7 unanswered questions\n" {
		t.Errorf("unanswered --clear = %q, %v; want the count deleted", out, err)
	}
	out, err = runUnansweredCmd(t, "--db", path, "--json")
	if err != nil || !strings.Contains(out, `"total": 0`) {
		t.Errorf("unanswered --json after --clear = %q, %v; want none", out, err)
	}
	out, err = runUnansweredCmd(t, "--db", path, "--clear", "--json")
	if err != nil || out != "{\n  \"deleted\": 0\n}\n" {
		t.Errorf("unanswered --clear --json of an empty table = %q, %v", out, err)
	}
	path = unansweredDB(t, "is anki enough?")
	if out, err := runUnansweredCmd(t, "--db", path, "--clear"); err != nil || out != "deleted 1 unanswered question\n" {
		t.Errorf("unanswered --clear of one question = %q, %v", out, err)
	}
}

func TestUnansweredBadInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --db", nil, "usage: uscebot unanswered --db FILE"},
		{"empty --db", []string{"--db", ""}, "usage: uscebot unanswered"},
		{"extra argument", []string{"--db", unansweredDB(t), "extra"}, "usage: uscebot unanswered"},
		{"unknown flag", []string{"--db", unansweredDB(t), "--all"}, "flag provided but not defined"},
		{"missing file", []string{"--db", missing}, "no such database"},
		{"missing file, --clear", []string{"--db", missing, "--clear"}, "no such database"},
		{"a directory", []string{"--db", dir}, "is a directory"},
		{"newline in the path", []string{"--db", filepath.Join(dir, "a\nb.db")}, "no such database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runUnansweredCmd(t, tt.args...)
			if _, ok := errors.AsType[usageError](err); !ok {
				t.Fatalf("unanswered %q: error %v, want a usage error (exit status 2)", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("unanswered %q: error %q, want it to contain %q", tt.args, err, tt.want)
			}
			if out != "" {
				t.Errorf("unanswered %q printed %q on stdout", tt.args, out)
			}
		})
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unanswered --db of a missing file created it (stat: %v)", err)
	}
}
