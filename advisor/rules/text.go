package rules

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTextBytes bounds what the rules read: an experience or an offer is a
// few hundred bytes, and a pasted wall of text must not cost much more.
const maxTextBytes = 4000

// A token is one word or number of a chat message, with what the rules need
// to know about how it was written.
type token struct {
	s          string // lower case; typos of known words fixed
	start, end int    // byte offsets in the text
	upper      bool   // written in capitals ("IM", "ER"): an abbreviation, not a word
	apos       bool   // contained an apostrophe: "I'm" is never "IM"
	name       bool   // capitalised inside a sentence: maybe a name, never a typo
}

// A doc is a text ready for the rules: clipped to maxTextBytes, split into
// tokens, typos fixed; ws holds the tokens' words.
type doc struct {
	text string
	toks []token
	ws   []string
}

func newDoc(text string) doc {
	text = clip(text)
	toks := tokenize(text)
	ws := make([]string, len(toks))
	for i, t := range toks {
		ws[i] = t.s
	}
	return doc{text: text, toks: toks, ws: ws}
}

// tokenize splits text into lower-case words and numbers. Digits glued to a
// unit are split ("4wks", "3k") but words that merely contain digits stay
// whole ("ms4", "h1b"); "1.5" and "2,800" stay one number. Known words
// misspelt by one or two letters are fixed (see fix).
func tokenize(text string) []token {
	var toks []token
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := text[start:end]
		start = -1
		w := strings.Map(func(r rune) rune {
			if r == '\'' || r == '’' {
				return -1
			}
			return unicode.ToLower(r)
		}, raw)
		if w == "" {
			return
		}
		t := token{
			s:     w,
			start: end - len(raw),
			end:   end,
			upper: isUpper(raw),
			apos:  strings.ContainsAny(raw, "'’"),
		}
		if r, _ := utf8.DecodeRuneInString(raw); unicode.IsUpper(r) && !t.upper {
			t.name = !sentenceStart(text[:t.start])
		}
		// Split "4wks" into "4" and "wks"; keep "ms4" and "1.5" whole.
		if i := strings.IndexFunc(w, func(r rune) bool { return !isDigitOrSep(r) }); i > 0 && isDigit(w[0]) && !strings.ContainsFunc(w[i:], unicode.IsDigit) {
			toks = append(toks,
				token{s: w[:i], start: t.start, end: t.start + i},
				token{s: w[i:], start: t.start + i, end: t.end, upper: isUpper(raw[i:])})
			return
		}
		toks = append(toks, t)
	}
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0:
			// Inside a word: "I'm", "don't".
		case start >= 0 && inNumber(text, i):
			// Inside a number: "1.5", "2,800".
		default:
			flush(i)
		}
	}
	flush(len(text))
	fixed := map[string]string{} // a pasted text repeats its words
	for i, t := range toks {
		if t.name {
			continue
		}
		f, ok := fixed[t.s]
		if !ok {
			f = fix(t.s)
			fixed[t.s] = f
		}
		toks[i].s = f
	}
	return toks
}

// sentenceStart reports whether a word after before starts a sentence: it
// comes first, or after a full stop that does not end a title ("Dr. Harry").
func sentenceStart(before string) bool {
	before = strings.TrimRight(before, " \t")
	if before == "" || strings.ContainsAny(before[len(before)-1:], "!?:;\n") {
		return true
	}
	if !strings.HasSuffix(before, ".") {
		return false
	}
	prev := strings.ToLower(before[strings.LastIndexAny(before[:len(before)-1], " \t\n")+1 : len(before)-1])
	return !titles[prev]
}

var titles = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "st": true}

// clip cuts text to maxTextBytes; invalid UTF-8, such as a character cut in
// half, becomes a space.
func clip(text string) string {
	if len(text) > maxTextBytes {
		text = text[:maxTextBytes]
	}
	return strings.ToValidUTF8(text, " ")
}

// inNumber reports whether the byte at i is the point of a decimal ("1.5")
// or a thousands separator ("2,800", not "1,5") between digits.
func inNumber(text string, i int) bool {
	if i == 0 || i+1 >= len(text) || !isDigit(text[i-1]) || !isDigit(text[i+1]) {
		return false
	}
	switch text[i] {
	case '.':
		return true
	case ',':
		rest := text[i+1:]
		n := len(rest) - len(strings.TrimLeftFunc(rest, unicode.IsDigit))
		return n == 3
	}
	return false
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isDigitOrSep(r rune) bool { return unicode.IsDigit(r) || r == '.' || r == ',' }

// isUpper reports whether s has at least two letters and all are capitals.
func isUpper(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			n++
		}
	}
	return n >= 2
}

// phraseAt reports whether the words starting at ws[i] spell phrase, a
// space-separated sequence of words.
func phraseAt(ws []string, i int, phrase string) bool {
	if i < 0 {
		return false
	}
	for w := range strings.SplitSeq(phrase, " ") {
		if i >= len(ws) || ws[i] != w {
			return false
		}
		i++
	}
	return true
}

// longestAt returns the longest key of table (phrases of up to maxWords
// words) that starts at ws[i], and how many words it spans.
func longestAt(ws []string, i, maxWords int, table map[string]string) (string, int) {
	for n := min(maxWords, len(ws)-i); n >= 1; n-- {
		if v, ok := table[strings.Join(ws[i:i+n], " ")]; ok {
			return v, n
		}
	}
	return "", 0
}

// containsAny reports whether any of the phrases occurs in ws.
func containsAny(ws []string, phrases ...string) bool {
	for i := range ws {
		for _, p := range phrases {
			if phraseAt(ws, i, p) {
				return true
			}
		}
	}
	return false
}

// numberWords are the numbers people spell out in chat.
var numberWords = map[string]float64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
	"thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "couple": 2,
}

// number reads w as a number: digits ("8", "1.5", "2,800") or a number word.
func number(w string) (float64, bool) {
	if v, ok := numberWords[w]; ok {
		return v, true
	}
	if w == "" || !isDigit(w[0]) {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(w, ",", ""), 64)
	return v, err == nil && !math.IsInf(v, 0)
}

// firstInt returns the first whole number in text, spelt out or in digits.
func firstInt(text string) (int, bool) {
	for _, w := range newDoc(text).ws {
		if v, ok := number(w); ok && v == math.Trunc(v) && v < 1e6 {
			return int(v), true
		}
	}
	return 0, false
}

// unitWeeks gives the length in weeks of each duration unit: a month is 4
// weeks and a year 52 (assessment.md). "m", "w" and "y" are units only
// right after a number.
var unitWeeks = map[string]float64{
	"day": 1.0 / 7, "days": 1.0 / 7,
	"week": 1, "weeks": 1, "wk": 1, "wks": 1, "w": 1,
	"month": 4, "months": 4, "mo": 4, "mos": 4, "mth": 4, "mths": 4, "mnth": 4, "mnths": 4, "m": 4,
	"year": 52, "years": 52, "yr": 52, "yrs": 52, "y": 52,
}

// rateWords before a duration make it a frequency, not a length: "3 days a
// week", "once a month", "per week".
var rateWords = map[string]bool{
	"per": true, "every": true, "each": true, "once": true, "twice": true,
	"thrice": true, "times": true, "x": true, "hours": true, "hrs": true,
	"shifts": true, "days": true, "day": true,
}

// A duration is a length of time found in a text.
type duration struct {
	weeks      float64
	start, end int // byte offsets of the phrase
}

// durations finds the lengths of time in toks: "8-week", "8 wks", "two
// months", "2 mo", "1 yr", "a month", "one and a half months", "a month and
// a half", "1.5 months", "10 days". A range ("4-6 weeks") counts as its lower
// end, so an assessment never overstates what was done. Frequencies ("3 days
// a week", "once a month") are left out.
func durations(d doc) []duration {
	ws, toks := d.ws, d.toks
	var out []duration
	for i, w := range ws {
		unit, ok := unitWeeks[w]
		if !ok || i == 0 {
			continue
		}
		n, first := 0.0, i-1 // the amount and the index of its first word
		switch {
		case i >= 4 && phraseAt(ws, i-3, "and a half"):
			if v, ok := number(ws[i-4]); ok {
				n, first = v+0.5, i-4
			}
		case phraseAt(ws, i-2, "half a") || phraseAt(ws, i-2, "half an"):
			n, first = 0.5, i-2
		case ws[i-1] == "a" || ws[i-1] == "an":
			if len(w) > 1 { // "a month", never "a m"
				n = 1
			}
		case phraseAt(ws, i-2, "couple of"):
			n, first = 2, i-2
		default:
			if v, ok := number(ws[i-1]); ok && (len(w) > 1 || isDigit(ws[i-1][0])) {
				n = v
				if i >= 2 {
					// "4-6 weeks" or "4 to 6 weeks": the lower end. Only a
					// dash makes a range: "two 4-week observerships" is two
					// of 4 weeks, not 2 to 4 weeks.
					if lo, ok := number(ws[i-2]); ok && lo < v && lo >= 1 && dashed(d, i-2) {
						n, first = lo, i-2
					} else if i >= 3 && ws[i-2] == "to" {
						if lo, ok := number(ws[i-3]); ok && lo < v {
							n, first = lo, i-3
						}
					}
				}
			}
		}
		if n <= 0 {
			continue
		}
		if first > 0 && rateWords[ws[first-1]] {
			continue
		}
		if i+2 < len(ws) && (ws[i+1] == "a" || ws[i+1] == "per" || ws[i+1] == "each" || ws[i+1] == "every") && unitWeeks[ws[i+2]] > 0 {
			continue // "3 days a week"
		}
		end := toks[i].end
		if phraseAt(ws, i+1, "and a half") {
			n += 0.5
			end = toks[i+3].end
		}
		out = append(out, duration{weeks: n * unit, start: toks[first].start, end: end})
	}
	return out
}

// dashed reports whether a dash joins the tokens at i and i+1 ("4-6").
func dashed(d doc, i int) bool {
	return strings.ContainsAny(d.text[d.toks[i].end:d.toks[i+1].start], "-–—")
}

// roundWeeks turns a length in weeks into a whole number of weeks, at least
// one: "10 days" is 1 week.
func roundWeeks(w float64) int {
	return max(1, int(math.Round(w)))
}

// Years accepted anywhere in the rules: graduation, application, end of an
// experience.
const (
	minYear = 1970
	maxYear = 2040
)

// years returns the 4-digit years (1970..2040) in d, leaving out amounts of
// money ("$2000", "2000 USD").
func years(d doc) []int {
	var out []int
	for i, t := range d.toks {
		if len(t.s) != 4 {
			continue
		}
		y, err := strconv.Atoi(t.s)
		if err != nil || y < minYear || y > maxYear {
			continue
		}
		if strings.HasSuffix(strings.TrimRight(d.text[:t.start], " "), "$") {
			continue
		}
		if i+1 < len(d.ws) && currencyWords[d.ws[i+1]] {
			continue
		}
		out = append(out, y)
	}
	return out
}

// currencyWords after a number make it an amount of US dollars.
var currencyWords = map[string]bool{"usd": true, "dollars": true, "dollar": true, "bucks": true, "k": true}

// vocabulary is every word the rules look for, so that a typo of one of them
// can be fixed before matching. Words that look like typos of a known word
// but are ordinary English are listed too, so they are left alone.
var vocabulary = map[string]bool{}

// fuzzyTargets are the vocabulary words a typo may be corrected to (places
// are not: nothing must become "Lagos"), sorted so the choice between
// equally close words is stable.
var fuzzyTargets []string

// addVocabulary registers the words of phrases; fuzzy says whether a typo
// may be corrected to them.
func addVocabulary(fuzzy bool, phrases ...string) {
	for _, p := range phrases {
		for w := range strings.SplitSeq(p, " ") {
			if vocabulary[w] {
				continue
			}
			vocabulary[w] = true
			if fuzzy && utf8.RuneCountInString(w) >= 5 {
				fuzzyTargets = append(fuzzyTargets, w)
			}
		}
	}
}

// init builds the vocabulary from the rules' word lists. The ordinary
// words are common in descriptions and adverts and close to a vocabulary
// word ("location" and "rotation", "medicare" and "medicine").
func init() {
	var fuzzy []string
	for p := range specialtyAliases {
		fuzzy = append(fuzzy, p)
	}
	for p := range kindWords {
		fuzzy = append(fuzzy, p)
	}
	for _, m := range []map[string]float64{unitWeeks, numberWords} {
		for w := range m {
			fuzzy = append(fuzzy, w)
		}
	}
	for _, m := range []map[string]bool{letterPromise.objects, letterPromise.weak, strongPromise,
		matchPromise.objects, hedges} {
		for w := range m {
			fuzzy = append(fuzzy, w)
		}
	}
	for _, l := range [][]string{remoteWords, inPersonWords, noPatientWords, patientWords,
		noPatientsSure, noPatientsLikely, livePatientWords, onSiteWords, hypeWords} {
		fuzzy = append(fuzzy, l...)
	}
	for _, l := range answers {
		fuzzy = append(fuzzy, l...)
	}
	addVocabulary(true, fuzzy...)
	addVocabulary(false, usPlaces...)
	addVocabulary(false, nonUSPlaces...)
	addVocabulary(false, "relation", "relations", "location", "locations", "notation",
		"station", "source", "sources", "remove", "removed", "patent", "election",
		"emergent", "interval", "internet", "medicare", "medicaid", "inclusive",
		"exclusively", "medical", "general", "generic", "surgeon", "surgeons", "cardiac",
		"eastern", "clinician", "clinicians", "session", "sessions", "program", "programs",
		"hospital", "hospitals", "center", "centre", "university", "attending",
		"attendings", "physicians", "doctors", "resident",
		"residents", "strong", "supervised", "supervisor", "notes", "history",
		"students", "duration", "experience", "experiences", "certificate",
		"teaching", "academic", "community", "private", "public", "summer", "winter",
		"spring", "department", "practice", "training", "trained", "worked", "working",
		"helped", "assisted", "presented", "seminar", "conference", "during", "after",
		"before", "under", "through", "project", "projects", "paper", "papers",
		"publication", "publications", "abstract", "poster", "journal", "visiting",
		"visit", "consult", "consults", "service", "primary", "local", "state",
		"national", "international", "country", "mentor", "mentors", "mentored", "great",
		"excellent", "amazing", "learned", "learning", "observe", "observes", "shadows",
		"offer", "offers", "price", "prices", "weekly", "monthly", "yearly", "daily",
		"better", "catch", "patch", "watch", "change", "changes", "content", "contract",
		"doing", "ensure", "formal", "making", "talking", "myths", "newer", "prevent",
		"residence", "right", "weight", "there", "seeking", "server", "skill", "sounding",
		"sounds", "waiting", "words", "would", "interviewer", "graduation", "beats",
		"assumed", "batch", "bounds", "bunch", "causes", "codes", "enable", "height",
		"latter", "shall", "sides", "white", "spill", "inline")
	slices.Sort(fuzzyTargets)
}

// fix returns the vocabulary word w is a typo of, or w. Words of five or
// more letters may be one edit away (insertion, deletion, substitution or
// swap of neighbours), words of ten or more two if they start with the same
// letter: "obsevership", "pediatics", "telehealht", "obsrvership". Shorter
// words are too easily another word ("interest" is two edits from
// "internist").
func fix(w string) string {
	n := utf8.RuneCountInString(w)
	if n < 5 || vocabulary[w] || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) {
		return w
	}
	best, bestDist := w, 3
	for _, v := range fuzzyTargets {
		m := utf8.RuneCountInString(v)
		limit := 1
		if min(n, m) >= 10 && v[0] == w[0] {
			limit = 2
		}
		if abs(n-m) > limit {
			continue
		}
		if d := editDistance(w, v, limit); d <= limit && d < bestDist {
			best, bestDist = v, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the optimal string alignment distance between a and b
// (a swap of two neighbouring letters is one edit), or limit+1 once it is
// sure to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
