package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependenciesPointInward holds the layering of the repo: cmd wires
// bot/..., which uses advisor and store; the advisor knows nothing of
// chat platforms or storage, the store nothing of the bot, and the bot
// (router and adapters) nothing of SQL.
func TestDependenciesPointInward(t *testing.T) {
	const module = "github.com/uscebot/uscebot/"
	forbidden := map[string][]string{
		"advisor": {module + "bot", module + "store", module + "cmd", "database/sql", "modernc.org/sqlite", "github.com/bwmarrin/discordgo", "github.com/go-telegram-bot-api"},
		"store":   {module + "bot", module + "cmd"},
		"bot":     {module + "store", module + "cmd", "database/sql", "modernc.org/sqlite"},
	}
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		layer, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		bans := forbidden[layer]
		if bans == nil {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, ban := range bans {
				if p == ban || strings.HasPrefix(p, ban+"/") {
					t.Errorf("%s imports %s: %s must not depend on it", rel, p, layer)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked only %d files: is the repo root %s?", checked, root)
	}
}
