package advisor

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The built-in answers are checked against the articles they cite, kept
// in ../shared beside the repo: topics.md lists the five articles and maps
// each to a seed file holding its text.
var (
	sharedTopics = filepath.Join("..", "..", "shared", "spec", "topics.md")
	sharedSeeds  = filepath.Join("..", "..", "shared", "seeds")
)

// seedArticle is one source article: how topics cite it and its text.
type seedArticle struct {
	Source
	text    string
	numbers map[string]bool // the numbers the article states
}

// sourceLine matches topics.md's list of articles, for example
// - S0 `000_*.txt` "Title" (Publisher, 2026)
var sourceLine = regexp.MustCompile("(?m)^- S\\d `([^`]+)` \"([^\"]+)\" \\(([^,)]+)")

// readSeeds returns the source articles keyed by title, or skips the test
// when ../shared is absent.
func readSeeds(t *testing.T) map[string]seedArticle {
	t.Helper()
	spec, err := os.ReadFile(sharedTopics)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent (it lives in ../shared beside the repo)", sharedTopics)
	}
	if err != nil {
		t.Fatal(err)
	}
	seeds := make(map[string]seedArticle)
	for _, m := range sourceLine.FindAllStringSubmatch(string(spec), -1) {
		files, err := filepath.Glob(filepath.Join(sharedSeeds, m[1]))
		if err != nil || len(files) != 1 {
			t.Fatalf("source %q: want one seed file matching %s, got %v (%v)", m[2], m[1], files, err)
		}
		text, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		nums := make(map[string]bool)
		// Tables in the articles lose their cell borders ("Rotation90"):
		// split letters from digits so those figures are found. The
		// "1." or "Step 1:" that numbers a heading or list item states
		// nothing.
		plain := enumerator.ReplaceAllString(string(text), "")
		for _, n := range numbers(letterDigit.ReplaceAllString(plain, "$1 $2")) {
			nums[n] = true
		}
		seeds[m[2]] = seedArticle{Source{Title: m[2], Publisher: strings.TrimSpace(m[3])}, string(text), nums}
	}
	if len(seeds) != 5 {
		t.Fatalf("%s lists %d source articles, want 5", sharedTopics, len(seeds))
	}
	return seeds
}

// enumerator is the number of a heading or list item at a line's start.
var enumerator = regexp.MustCompile(`(?m)^\s*(?:Step\s+)?\d+[.:]\s`)

// letterDigit is a letter directly followed by a digit, as in "Rotation90".
var letterDigit = regexp.MustCompile(`([A-Za-z])(\d)`)

// spelled are the number words answers or articles may use instead of
// digits. "one" is left out: as a pronoun ("a good one") it is no number.
var spelled = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"fifteen": "15", "twenty": "20", "thirty": "30", "fifty": "50", "hundred": "100",
}

// numberPattern finds a number: digits with thousands separators or
// decimals, an optional $ or %, and an optional second number after a
// dash or "to", which makes it a range. (?i) lets "Four to eight" match.
var numberPattern = func() *regexp.Regexp {
	var words []string
	for w := range spelled {
		words = append(words, w)
	}
	slices.Sort(words)
	n := `(?:\$?\d[\d,]*(?:\.\d+)?%?|` + strings.Join(words, "|") + `)`
	return regexp.MustCompile(`(?i)` + n + `(?:\s*(?:[-–—]|\bto\b)\s*` + n + `)?`)
}()

// numbers returns the numbers a text states, normalised so that "Four to
// eight", "4–8" and "4-8" all read "4-8". A number glued to a word (B1,
// PGY-1, 4th, COVID-19) is part of a name, not a figure, and is skipped.
func numbers(text string) []string {
	var out []string
	for _, loc := range numberPattern.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		if start > 0 && isWordByte(text[start-1]) || end < len(text) && isWordByte(text[end]) {
			continue
		}
		if start > 1 && text[start-1] == '-' && isWordByte(text[start-2]) {
			continue
		}
		out = append(out, normalizeNumber(text[start:end]))
	}
	return out
}

func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

var rangeSep = regexp.MustCompile(`(?i)\s*(?:[-–—]|\bto\b)\s*`)

// normalizeNumber writes a number found by numberPattern in one form:
// digits, ranges joined by "-".
func normalizeNumber(s string) string {
	parts := rangeSep.Split(strings.TrimRight(s, ",."), 2)
	for i, p := range parts {
		p = strings.TrimRight(strings.ToLower(p), ",.")
		if d, ok := spelled[p]; ok {
			p = d
		}
		parts[i] = p
	}
	return strings.Join(parts, "-")
}

// TestNumbersInCitedSources checks that every number an answer states
// (a count, a range, a percentage, a sum of money) is stated by at least
// one article the answer cites, and that every cited article is one of
// the five known sources, named exactly as topics.md names it.
func TestNumbersInCitedSources(t *testing.T) {
	seeds := readSeeds(t)
	kb := mustLoad(t)
	for _, id := range topicIDs {
		tp := kb.Topic(id)
		if tp == nil {
			t.Errorf("topic %s is missing", id)
			continue
		}
		var cited []seedArticle
		for _, src := range tp.Sources {
			seed, ok := seeds[src.Title]
			if !ok || seed.Publisher != src.Publisher {
				t.Errorf("topic %s cites %q (%s), which is not one of the five source articles", id, src.Title, src.Publisher)
				continue
			}
			cited = append(cited, seed)
		}
		for _, n := range numbers(tp.Body) {
			if !slices.ContainsFunc(cited, func(s seedArticle) bool { return s.numbers[n] }) {
				t.Errorf("topic %s states %q, which none of its cited sources states", id, n)
			}
		}
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"aim for 2–4 months, at least 1 month", []string{"2-4", "1"}},
		{"Four to eight weeks is plenty; not 16-20", []string{"4-8", "16-20"}},
		{"84% of PDs; $2,000 total; 1.5 years.", []string{"84%", "$2,000", "1.5"}},
		{"two letters, five alumni", []string{"2", "5"}},
		{"B1/B2 visa, PGY-1, 4th year, COVID-19", nil},
		{"send 100 emails to them", []string{"100"}},
	}
	for _, tt := range tests {
		if got := numbers(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("numbers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// copyRun is the length, in words, of the shortest run shared with a
// source that counts as copying: answers are written in the project's
// own words.
const copyRun = 6

var wordPattern = regexp.MustCompile(`[a-z0-9]+`)

func runWords(s string) []string {
	s = strings.NewReplacer("’", "", "'", "").Replace(strings.ToLower(s))
	return wordPattern.FindAllString(s, -1)
}

// TestAnswersInOwnWords checks that no answer repeats a run of copyRun
// words from any source article.
func TestAnswersInOwnWords(t *testing.T) {
	seeds := readSeeds(t)
	runs := make(map[string]string) // a run of words, to the article it is in
	for title, seed := range seeds {
		w := runWords(seed.text)
		for i := 0; i+copyRun <= len(w); i++ {
			runs[strings.Join(w[i:i+copyRun], " ")] = title
		}
	}
	kb := mustLoad(t)
	for _, id := range topicIDs {
		tp := kb.Topic(id)
		if tp == nil {
			continue // reported by TestBuiltinKnowledge
		}
		w := runWords(tp.Body)
		for i := 0; i+copyRun <= len(w); i++ {
			title, ok := runs[strings.Join(w[i:i+copyRun], " ")]
			if !ok {
				continue
			}
			// Report the whole copied stretch once, not each run in it.
			end := i + copyRun
			for end < len(w) && runs[strings.Join(w[end+1-copyRun:end+1], " ")] != "" {
				end++
			}
			t.Errorf("topic %s repeats %q from %q", id, strings.Join(w[i:end], " "), title)
			i = end - copyRun
		}
	}
}
