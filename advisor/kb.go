package advisor

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/uscebot/uscebot/advisor/match"
)

//go:embed knowledge/*.md
var builtin embed.FS

//go:embed outofscope.toml
var outOfScopeTOML string

// Topic is one answer of the knowledge base.
type Topic struct {
	ID    string `toml:"id"`
	Title string `toml:"title"`
	// Kind is "out-of-scope" for a category of questions the bot does not
	// answer (phrasings and keywords only); empty for a topic.
	Kind      string   `toml:"kind"`
	Phrasings []string `toml:"phrasings"`
	Keywords  []string `toml:"keywords"`
	Related   []string `toml:"related"`
	Sources   []Source `toml:"sources"`
	// Body is the answer in the knowledge base's Markdown subset:
	// paragraphs, "- " bullets and **bold**.
	Body string `toml:"-"`
	// File names where the topic was read from, for error messages.
	File string `toml:"-"`
	// outOfScope marks a category of questions the bot does not answer
	// (outofscope.toml): indexed so it can outrank topics, never shown.
	outOfScope bool
}

// Source is an article an answer's facts come from.
type Source struct {
	Title     string `toml:"title"`
	Publisher string `toml:"publisher"`
}

// KB is a loaded, validated knowledge base with its matching engine.
type KB struct {
	topics []*Topic // sorted by id
	byID   map[string]*Topic
	docs   []*Topic // the engine's documents: topics, then out-of-scope categories
	engine *match.Engine
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads the built-in topics and then, when dir is not empty, the
// Markdown files of dir, which add topics or replace built-in ones with the
// same id. Any invalid file is an error naming the file and the field.
func Load(dir string) (*KB, error) { return load(dir, true) }

// load is Load, with or without the built-in topics and categories.
func load(dir string, withBuiltin bool) (*KB, error) {
	topics := make(map[string]*Topic)
	if withBuiltin {
		if err := loadFS(topics, builtin, "knowledge", "built-in "); err != nil {
			return nil, err
		}
	}
	if dir != "" {
		if err := loadFS(topics, os.DirFS(dir), ".", dir+string(os.PathSeparator)); err != nil {
			return nil, err
		}
	}
	kb := &KB{byID: topics}
	var categories []*Topic
	for _, t := range topics {
		if t.outOfScope {
			categories = append(categories, t)
			delete(topics, t.ID)
			continue
		}
		kb.topics = append(kb.topics, t)
	}
	sort.Slice(categories, func(i, j int) bool { return categories[i].ID < categories[j].ID })
	sort.Slice(kb.topics, func(i, j int) bool { return kb.topics[i].ID < kb.topics[j].ID })
	for _, t := range kb.topics {
		for _, r := range t.Related {
			if topics[r] == nil {
				return nil, fmt.Errorf("%s: field related: unknown topic id %q", t.File, r)
			}
		}
	}
	var oos struct {
		Category []struct {
			Name      string   `toml:"name"`
			Title     string   `toml:"title"`
			Phrasings []string `toml:"phrasings"`
			Keywords  []string `toml:"keywords"`
		} `toml:"category"`
	}
	if _, err := toml.Decode(outOfScopeTOML, &oos); err != nil {
		return nil, fmt.Errorf("outofscope.toml: %w", err)
	}
	if !withBuiltin {
		oos.Category = nil
	}
	docs := append(append([]*Topic(nil), kb.topics...), categories...)
	for _, c := range oos.Category {
		docs = append(docs, &Topic{ID: "out-of-scope:" + c.Name, Title: c.Title, Phrasings: c.Phrasings, Keywords: c.Keywords, outOfScope: true})
	}
	kb.index(docs)
	return kb, nil
}

// index builds the matching engine over docs, which it learns from.
func (kb *KB) index(docs []*Topic) {
	kb.docs = docs
	mdocs := make([]match.Doc, len(docs))
	for i, t := range docs {
		mdocs[i] = match.Doc{ID: t.ID, Title: t.Title, Phrasings: t.Phrasings, Keywords: t.Keywords, Body: t.Body, OutOfScope: t.outOfScope}
	}
	kb.engine = match.New(mdocs)
}

// loadFS reads every *.md file of dir in fsys into topics. Within one
// source an id may appear once; a later source replaces an earlier one's.
func loadFS(topics map[string]*Topic, fsys fs.FS, dir, label string) error {
	names, err := fs.Glob(fsys, path.Join(dir, "*.md"))
	if err != nil {
		return fmt.Errorf("list %sknowledge: %w", label, err)
	}
	if len(names) == 0 && label != "built-in " {
		return fmt.Errorf("%s: no *.md topic files", strings.TrimSuffix(label, string(os.PathSeparator)))
	}
	seen := make(map[string]string)
	for _, name := range names {
		file := label + path.Base(name)
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		t, err := parseTopic(data)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		t.File = file
		t.outOfScope = t.Kind == kindOutOfScope
		if other, dup := seen[t.ID]; dup {
			return fmt.Errorf("%s: field id: %q is already used by %s", file, t.ID, other)
		}
		seen[t.ID] = file
		topics[t.ID] = t
	}
	return nil
}

var frontMatterFence = []byte("+++")

// parseTopic reads one topic file: TOML front matter between two "+++"
// lines, then the Markdown body.
func parseTopic(data []byte) (*Topic, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(data, append(frontMatterFence, '\n'))
	if !ok {
		return nil, errors.New(`front matter: the file must start with a "+++" line`)
	}
	front, body, ok := bytes.Cut(rest, append(append([]byte("\n"), frontMatterFence...), '\n'))
	if !ok {
		return nil, errors.New(`front matter: no closing "+++" line`)
	}
	var t Topic
	md, err := toml.Decode(string(front), &t)
	if err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("field %s: unknown field", undecoded[0])
	}
	t.Body = strings.TrimSpace(string(body))
	return &t, t.validate()
}

// kindOutOfScope is the kind of a knowledge file that holds an
// out-of-scope category.
const kindOutOfScope = "out-of-scope"

func (t *Topic) validate() error {
	switch {
	case t.Kind != "" && t.Kind != kindOutOfScope:
		return fmt.Errorf("field kind: %q is not \"out-of-scope\" (leave it out for a topic)", t.Kind)
	case t.ID == "":
		return errors.New("field id: required")
	case !idPattern.MatchString(t.ID):
		return fmt.Errorf("field id: %q must be lower-case words joined by '-'", t.ID)
	case strings.TrimSpace(t.Title) == "":
		return errors.New("field title: required")
	case len(t.Phrasings) == 0:
		return errors.New("field phrasings: at least one is required")
	case t.Kind == kindOutOfScope:
		// A category is never answered: it needs no sources and no body.
	case len(t.Sources) == 0:
		return errors.New("field sources: at least one is required")
	case t.Body == "":
		return errors.New("body: the answer after the front matter is empty")
	}
	for i, p := range t.Phrasings {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("field phrasings: entry %d is empty", i+1)
		}
	}
	for i, s := range t.Sources {
		if strings.TrimSpace(s.Title) == "" || strings.TrimSpace(s.Publisher) == "" {
			return fmt.Errorf("field sources: entry %d needs a title and a publisher", i+1)
		}
	}
	return nil
}

// Topics returns every topic, sorted by id.
func (kb *KB) Topics() []*Topic { return kb.topics }

// Topic returns the topic with the given id, or nil.
func (kb *KB) Topic(id string) *Topic { return kb.byID[id] }
