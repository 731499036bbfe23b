package advisor

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/uscebot/uscebot/advisor/match"
)

//go:embed knowledge/*.md
var builtinFS embed.FS

// kindOutOfScope is the front matter's kind of a file that holds an
// out-of-scope category instead of a topic.
const kindOutOfScope = "out-of-scope"

// Topic is one answer of the knowledge base.
type Topic struct {
	ID        string   `toml:"id"`
	Title     string   `toml:"title"`
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
	// (a file with kind = "out-of-scope"): indexed so it can outrank
	// topics, never shown.
	outOfScope bool
}

// Source is an article an answer's facts come from.
type Source struct {
	Title     string `toml:"title"`
	Publisher string `toml:"publisher"`
}

// KB is a loaded, validated knowledge base with its search index.
type KB struct {
	topics []*Topic // sorted by id
	byID   map[string]*Topic
	// categories are the out-of-scope categories, sorted by id: they only
	// compete with the topics in the index.
	categories []*Topic
	docs       []*Topic // the engine's documents: topics, then categories
	engine     *match.Engine
	// smallTalkSet holds the topics written for small talk (see
	// KB.smallTalkTopic), found at the first social message: reading
	// every phrasing at load would slow every load for the few knowledge
	// bases that have such topics.
	smallTalkSet  map[*Topic]bool
	smallTalkOnce sync.Once
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads the built-in topics and categories (unless builtin is false)
// and then, when dir is not empty, the Markdown files of dir, which add
// topics and out-of-scope categories or replace built-in ones with the same
// id. Any invalid file is an error naming the file and the field.
func Load(dir string, builtin bool) (*KB, error) { return LoadWith(dir, builtin, match.Options{}) }

// LoadWith is Load with the matching engine's options.
func LoadWith(dir string, builtin bool, opt match.Options) (*KB, error) {
	if !builtin && dir == "" {
		return nil, errors.New("no knowledge: the built-in topics are off and no folder is given")
	}
	loaded := make(map[string]*Topic)
	if builtin {
		if err := loadFS(loaded, builtinFS, "knowledge", "built-in "); err != nil {
			return nil, err
		}
	}
	if dir != "" {
		if err := loadFS(loaded, os.DirFS(dir), ".", dir+string(os.PathSeparator)); err != nil {
			return nil, err
		}
	}
	kb := &KB{byID: make(map[string]*Topic)}
	for _, t := range loaded {
		if t.outOfScope {
			kb.categories = append(kb.categories, t)
			continue
		}
		kb.topics = append(kb.topics, t)
		kb.byID[t.ID] = t
	}
	if len(kb.topics) == 0 {
		return nil, fmt.Errorf("%s: no topics, only out-of-scope categories", dir)
	}
	sort.Slice(kb.topics, func(i, j int) bool { return kb.topics[i].ID < kb.topics[j].ID })
	sort.Slice(kb.categories, func(i, j int) bool { return kb.categories[i].ID < kb.categories[j].ID })
	for _, t := range kb.topics {
		for _, r := range t.Related {
			switch {
			case loaded[r] == nil:
				return nil, fmt.Errorf("%s: field related: unknown topic id %q", t.File, r)
			case loaded[r].outOfScope:
				return nil, fmt.Errorf("%s: field related: %q is an out-of-scope category, not a topic", t.File, r)
			}
		}
	}
	kb.index(append(append([]*Topic(nil), kb.topics...), kb.categories...), opt)
	return kb, nil
}

// index builds the matching engine over docs, which it learns from. The
// cross-validation that calibrates it is most of the cost of a load; for
// the built-in documents alone, with the default options, its result is
// stored beside them (calibration.json, checked by
// TestBuiltinCalibration) and reused.
func (kb *KB) index(docs []*Topic, opt match.Options) {
	kb.docs = docs
	mdocs := matchDocs(docs)
	if c, ok := storedCalibration(mdocs); ok && opt == (match.Options{}) {
		kb.engine = match.NewCalibrated(mdocs, c)
		return
	}
	kb.engine = match.NewWith(mdocs, opt)
}

func matchDocs(docs []*Topic) []match.Doc {
	mdocs := make([]match.Doc, len(docs))
	for i, t := range docs {
		mdocs[i] = match.Doc{ID: t.ID, Title: t.Title, Phrasings: t.Phrasings, Keywords: t.Keywords, Body: t.Body, OutOfScope: t.outOfScope}
	}
	return mdocs
}

// builtinCalibration is what cross-validation learned of the built-in
// documents, and their fingerprint. Regenerate it after changing the
// knowledge base or the engine with
//
//	go test ./advisor -run TestBuiltinCalibration -update
//
//go:embed calibration.json
var builtinCalibration []byte

type calibrationFile struct {
	Fingerprint string            `json:"fingerprint"`
	Calibration match.Calibration `json:"calibration"`
}

// storedCalibration returns the stored calibration when docs are the
// documents it was learned from.
func storedCalibration(docs []match.Doc) (match.Calibration, bool) {
	var f calibrationFile
	if err := json.Unmarshal(builtinCalibration, &f); err != nil || f.Fingerprint != match.Fingerprint(docs) {
		return match.Calibration{}, false
	}
	return f.Calibration, true
}

// loadFS reads every *.md file of dir in fsys into docs. Within one
// source an id may appear once; a later source replaces an earlier one's.
func loadFS(docs map[string]*Topic, fsys fs.FS, dir, label string) error {
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
		if other, dup := seen[t.ID]; dup {
			return fmt.Errorf("%s: field id: %q is already used by %s", file, t.ID, other)
		}
		seen[t.ID] = file
		docs[t.ID] = t
	}
	return nil
}

var frontMatterFence = []byte("+++")

// parseTopic reads one knowledge file: TOML front matter between two
// "+++" lines, then the Markdown body. With kind = "out-of-scope" in the
// front matter the file is a category, which has no body or sources.
func parseTopic(data []byte) (*Topic, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(data, append(frontMatterFence, '\n'))
	if !ok {
		return nil, errors.New(`front matter: the file must start with a "+++" line`)
	}
	if bytes.HasSuffix(rest, append([]byte("\n"), frontMatterFence...)) {
		// A category has no body, so its file may end on the fence itself.
		rest = append(rest, '\n')
	}
	front, body, ok := bytes.Cut(rest, append(append([]byte("\n"), frontMatterFence...), '\n'))
	if !ok {
		return nil, errors.New(`front matter: no closing "+++" line`)
	}
	var file struct {
		Kind string `toml:"kind"`
		Topic
	}
	md, err := toml.Decode(string(front), &file)
	if err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("field %s: unknown field", undecoded[0])
	}
	t := &file.Topic
	t.Body = strings.TrimSpace(string(body))
	switch file.Kind {
	case "", "topic":
		return t, t.validate()
	case kindOutOfScope:
		t.outOfScope = true
		return t, t.validateCategory()
	default:
		return nil, fmt.Errorf("field kind: %q must be \"topic\" or %q", file.Kind, kindOutOfScope)
	}
}

// validateCommon checks what topics and categories share: an id, a title
// and phrasings to match.
func (t *Topic) validateCommon() error {
	switch {
	case t.ID == "":
		return errors.New("field id: required")
	case !idPattern.MatchString(t.ID):
		return fmt.Errorf("field id: %q must be lower-case words joined by '-'", t.ID)
	case strings.TrimSpace(t.Title) == "":
		return errors.New("field title: required")
	case len(t.Phrasings) == 0:
		return errors.New("field phrasings: at least one is required")
	}
	for i, p := range t.Phrasings {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("field phrasings: entry %d is empty", i+1)
		}
	}
	return nil
}

func (t *Topic) validate() error {
	if err := t.validateCommon(); err != nil {
		return err
	}
	switch {
	case len(t.Sources) == 0:
		return errors.New("field sources: at least one is required")
	case t.Body == "":
		return errors.New("body: the answer after the front matter is empty")
	}
	for i, s := range t.Sources {
		if strings.TrimSpace(s.Title) == "" || strings.TrimSpace(s.Publisher) == "" {
			return fmt.Errorf("field sources: entry %d needs a title and a publisher", i+1)
		}
	}
	return nil
}

// validateCategory checks an out-of-scope category. It is never answered,
// so an answer, sources or related topics would be silently unused: they
// are refused, so an admin who wrote them learns the file is not a topic.
func (t *Topic) validateCategory() error {
	if err := t.validateCommon(); err != nil {
		return err
	}
	switch {
	case len(t.Sources) > 0:
		return errors.New(`field sources: an out-of-scope category is never answered, so it has no sources`)
	case len(t.Related) > 0:
		return errors.New(`field related: an out-of-scope category is never answered, so it has no related topics`)
	case t.Body != "":
		return errors.New(`body: an out-of-scope category is never answered; remove the text after the front matter (or the kind line, to make it a topic)`)
	}
	return nil
}

// Topics returns every topic, sorted by id; never an out-of-scope category.
func (kb *KB) Topics() []*Topic { return kb.topics }

// Topic returns the topic with the given id, or nil.
func (kb *KB) Topic(id string) *Topic { return kb.byID[id] }
