package match

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// maxQueryBytes bounds the text the matcher reads: a chat question is a few
// hundred bytes, and a 100 KB paste must not cost more than a normal one.
const maxQueryBytes = 2000

// words splits text into lower-case words: runs of letters and digits after
// Unicode compatibility normalisation with accents removed, so "Électif",
// "ＵＳＣＥ" and "usce" meet, and with chat spellings written out ("hw
// mch" is "how much"). A "$" directly before a number becomes the
// word "$" so that prices survive as a concept. Invalid UTF-8 is dropped.
func words(text string) []string {
	if len(text) > maxQueryBytes {
		text = text[:maxQueryBytes]
	}
	if !isASCII(text) {
		text = strings.ToValidUTF8(text, " ")
		text = norm.NFKD.String(text)
	}
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			for _, w := range splitNumber(b.String()) {
				if full, ok := chatWords[w]; ok {
					out = append(out, strings.Fields(full)...)
					continue
				}
				out = append(out, w)
			}
			b.Reset()
		}
	}
	for i, r := range text {
		if r < utf8.RuneSelf {
			// ASCII, most of any text: no table lookups.
			switch c := byte(r); {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case c == '\'':
				// "don't", "LoR's": keep the word whole ("dont", "lors").
			case c == '$':
				flush()
				if i+1 < len(text) && '0' <= text[i+1] && text[i+1] <= '9' {
					out = append(out, "$")
				}
			default:
				flush()
			}
			continue
		}
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining mark left by NFKD: part of the letter before it.
		case unicode.Is(unicode.Cf, r):
			// A soft hyphen or a zero-width character: invisible, and
			// pasted text puts them inside words ("tele\u00adhealth").
		case r == '’':
			// A typographic apostrophe, likewise.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// splitNumber separates a number from the unit glued to it ("4wks", "3k",
// "2ck") but leaves words that merely contain digits ("b1", "h1b", "step2").
func splitNumber(w string) []string {
	i := strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return []string{w}
	}
	return []string{w[:i], w[i:]}
}

// analyze turns words into the index terms the matcher compares: prices
// become "money", domain phrases and synonyms become one concept term (see
// lexicon.go), and every other word goes through termOf (term, or a cache
// of it), which drops stop words and stems the rest.
func analyze(ws []string, termOf func(string) string) []string {
	out := make([]string, 0, len(ws))
	for i := 0; i < len(ws); {
		if n := matchPrice(ws[i:]); n > 0 {
			out = append(out, "money")
			i += n
			continue
		}
		if concept, n := matchPhrase(ws[i:]); n > 0 {
			out = append(out, concept...)
			i += n
			continue
		}
		if t := termOf(ws[i]); t != "" {
			out = append(out, t)
		}
		i++
	}
	return out
}

// terms analyses text with no index: for tests and tools.
func terms(text string) []string { return analyze(words(text), term) }

// term maps one word to its index term, or "" for a stop word.
func term(w string) string {
	if c, ok := synonyms[w]; ok {
		return c
	}
	if isNumber(w) {
		if len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")) {
			return "yearnum"
		}
		return "num"
	}
	if stopWords[w] {
		return ""
	}
	if isClinicalWord(w) {
		return "clinicalterm"
	}
	return english.Stem(w, true)
}

// clinicalSuffixes mark the names of diseases, procedures and drugs
// ("pneumonitis", "hyperkalemia", "metoprolol", "apixaban"): a question
// about a patient is out of scope however its other words read, and no
// list of diseases or drugs could be complete.
var clinicalSuffixes = []string{
	"itis", "emia", "aemia", "osis", "ectomy", "otomy", "ostomy", "pathy", "algia", "penia", "plasty",
	"scopy", "uria", "pnea", "pnoea", "monia", "cardia", "rrhea", "rrhoea", "sarcoma", "lymphoma", "carcinoma",
	"olol", "pril", "sartan", "statin", "cillin", "mycin", "floxacin", "azole", "prazole", "tidine",
	"dipine", "gliptin", "gliflozin", "parin", "xaban", "gatran", "semide", "thiazide", "oxetine", "azepam",
	"triptan", "profen", "sone", "olone", "mab", "tinib", "vir",
}

// clinicalExceptions are ordinary words with a clinical-looking ending.
var clinicalExceptions = setOf("academia", "diagnosis", "emphasis", "basis", "thesis", "hypothesis", "osmosis",
	"person", "reason", "season", "lesson", "someone", "anyone", "everyone", "phone", "stone", "zone",
	"sympathy", "empathy", "apathy", "telepathy", "nevermind", "virtual", "survive", "vir")

func isClinicalWord(w string) bool {
	if len(w) < 6 || clinicalExceptions[w] {
		return false
	}
	for _, suf := range clinicalSuffixes {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// matchPrice recognises an amount of money at the start of ws ("$ 2000",
// "3 k", "2500 usd") and returns the number of words it spans, so that
// "$2000" is money and not the year 2000.
func matchPrice(ws []string) int {
	n := 0
	if ws[0] == "$" {
		n = 1
	}
	if n >= len(ws) || !isNumber(ws[n]) {
		return 0
	}
	if n+1 < len(ws) && (ws[n+1] == "k" || synonyms[ws[n+1]] == "money") {
		return n + 2
	}
	if n == 1 {
		return 2
	}
	return 0
}

// matchPhrase finds the longest lexicon phrase at the start of ws and
// returns its concept terms and the number of words it spans.
func matchPhrase(ws []string) ([]string, int) {
	if !phraseStarts[ws[0]] {
		return nil, 0
	}
	for n := min(maxPhraseWords, len(ws)); n >= 2; n-- {
		if concept, ok := phrases[strings.Join(ws[:n], " ")]; ok {
			return concept, n
		}
	}
	return nil, 0
}

// maxFuzzyLen is the longest word corrected for typos: no word of a
// knowledge base is longer, and correcting costs the square of a word's
// length, so one 2,000-letter word would cost as much as 500 questions.
const maxFuzzyLen = 24

// deletes returns w with each one of its letters removed: two words within
// one edit (insertion, deletion, substitution or swap) share a variant or
// one is a variant of the other (the SymSpell idea).
func deletes(w string) []string {
	rs := []rune(w)
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}
