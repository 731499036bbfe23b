package match

import (
	"math"
	"strings"
	"sync"
)

// BM25 parameters: the usual k1 and b.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// phrasingWeight is how much the best single phrasing adds to a topic's
// BM25F score in the ranking.
const phrasingWeight = 0.5

// Field weights of the topic-level BM25F score: a word in a title or a
// curated keyword says more about the topic than one in a phrasing or in
// the answer's prose.
var fieldWeights = [numFields]float64{
	fieldTitle:     3,
	fieldPhrasings: 0.5,
	fieldKeywords:  3,
	fieldBody:      1,
}

const (
	fieldTitle = iota
	fieldPhrasings
	fieldKeywords
	fieldBody
	numFields
)

// index holds the BM25F postings of a set of analysed documents, computed
// once and read-only afterwards, so any number of goroutines may query it.
type index struct {
	n int // number of documents
	// postings[term] lists each document's saturated BM25F contribution
	// of term: score(q, d) is the sum over q's terms.
	postings map[string][]posting
	// qPostings[term] does the same over single phrasings (and titles),
	// each a short document of its own; phrasingTopic maps them back.
	qPostings     map[string][]posting
	phrasingTopic []int
	// idf of each term over the documents; maxIDF stands in for words the
	// knowledge base has never seen.
	idf    map[string]float64
	maxIDF float64
	// perPhrasing holds *phrasingScores for score to sum into: one per
	// question would be most of what answering allocates.
	perPhrasing sync.Pool
}

// vocab is the words of the documents: how each is analysed, and the
// known word a one-letter-off variant stands for.
type vocab struct {
	// termOf caches the term of every word the knowledge base contains
	// ("" for a stop word); fuzzy maps a one-letter-off variant of a known
	// word to that word, for typos.
	termOf map[string]string
	fuzzy  map[string]string
}

// text is one analysed text: its words (typos corrected for a question),
// its terms, and for a document's text the classifier's features of it,
// extracted once for all the trainings of cross-validation.
type text struct {
	ws, ts []string
	fs     []feature
}

// docText is one document analysed, field by field.
type docText struct {
	title     text
	phrasings []text
	keywords  []text
	body      text
}

// newVocab returns the vocabulary of the lexicon, sized for documents of
// about size bytes: a vocabulary grows with about the square root of a
// text's length (Heaps' law), and growing the maps was a third of the
// cost of learning it.
func newVocab(size int) *vocab {
	words := 30 * int(math.Sqrt(float64(size)))
	v := &vocab{termOf: make(map[string]string, words), fuzzy: make(map[string]string, 6*words)}
	for w := range synonyms {
		v.learn(w)
	}
	for p := range phrases {
		for _, w := range strings.Fields(p) {
			v.learn(w)
		}
	}
	return v
}

// learnDocs analyses docs, learning their words.
func (v *vocab) learnDocs(docs []Doc) []docText {
	out := make([]docText, len(docs))
	sample := func(s string) text {
		x := v.analyse(s, false)
		x.fs = extract(x.ws, x.ts)
		return x
	}
	for d, doc := range docs {
		out[d].title = sample(doc.Title)
		for _, p := range doc.Phrasings {
			out[d].phrasings = append(out[d].phrasings, sample(p))
		}
		for _, k := range doc.Keywords {
			out[d].keywords = append(out[d].keywords, sample(k))
		}
		out[d].body = v.analyse(doc.Body, false)
	}
	return out
}

type posting struct {
	doc   int
	score float64
}

func newIndex(docs []docText) *index {
	ix := &index{
		n:         len(docs),
		postings:  make(map[string][]posting),
		qPostings: make(map[string][]posting),
		idf:       make(map[string]float64),
	}

	// Term frequencies per document and field, and per phrasing.
	type counts map[string]float64
	tf := make([][numFields]counts, len(docs))
	length := make([][numFields]float64, len(docs))
	var avgLen [numFields]float64
	var phrasings [][]termCount
	var phrasingLen []float64
	df := make(map[string]int)
	for d, t := range docs {
		fields := [numFields][]text{
			fieldTitle:     {t.title},
			fieldPhrasings: t.phrasings,
			fieldKeywords:  t.keywords,
			fieldBody:      {t.body},
		}
		seen := make(map[string]bool)
		for f, texts := range fields {
			tf[d][f] = make(counts)
			for _, x := range texts {
				for _, term := range x.ts {
					tf[d][f][term]++
					length[d][f]++
					if !seen[term] {
						seen[term] = true
						df[term]++
					}
				}
			}
			avgLen[f] += length[d][f] / float64(len(docs))
		}
		for _, p := range append([]text{t.title}, t.phrasings...) {
			phrasings = append(phrasings, countTerms(p.ts))
			phrasingLen = append(phrasingLen, float64(len(p.ts)))
			ix.phrasingTopic = append(ix.phrasingTopic, d)
		}
	}

	for term, n := range df {
		ix.idf[term] = idf(len(docs), n)
		ix.maxIDF = math.Max(ix.maxIDF, ix.idf[term])
	}
	for d := range docs {
		for term := range dfTerms(tf[d]) {
			var w float64
			for f := range numFields {
				if n := tf[d][f][term]; n > 0 {
					norm := 1 - bm25B + bm25B*length[d][f]/avgLen[f]
					w += fieldWeights[f] * n / norm
				}
			}
			ix.postings[term] = append(ix.postings[term], posting{d, ix.idf[term] * w * (bm25K1 + 1) / (w + bm25K1)})
		}
	}

	// Phrasings are scored with plain BM25 and their own IDF.
	qdf := make(map[string]int)
	var avgPhrasing float64
	for i, c := range phrasings {
		for _, tc := range c {
			qdf[tc.term]++
		}
		avgPhrasing += phrasingLen[i] / float64(len(phrasings))
	}
	for i, c := range phrasings {
		norm := 1 - bm25B + bm25B*phrasingLen[i]/avgPhrasing
		for _, tc := range c {
			s := idf(len(phrasings), qdf[tc.term]) * tc.n * (bm25K1 + 1) / (tc.n + bm25K1*norm)
			ix.qPostings[tc.term] = append(ix.qPostings[tc.term], posting{i, s})
		}
	}
	return ix
}

// termCount is how often a term occurs in a phrasing.
type termCount struct {
	term string
	n    float64
}

// countTerms counts the terms of a phrasing: a few words, for which a
// slice is cheaper than a map.
func countTerms(ts []string) []termCount {
	var out []termCount
next:
	for _, t := range ts {
		for i := range out {
			if out[i].term == t {
				out[i].n++
				continue next
			}
		}
		out = append(out, termCount{t, 1})
	}
	return out
}

// dfTerms returns the set of terms of one document's fields.
func dfTerms[M ~map[string]float64](fields [numFields]M) map[string]bool {
	set := make(map[string]bool)
	for _, f := range fields {
		for term := range f {
			set[term] = true
		}
	}
	return set
}

func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// analyse reads a text. While the documents are learned (query false)
// every word is learned; a question only reads the vocabulary, corrects
// unknown words for typos and stems the rest on the fly.
func (v *vocab) analyse(s string, query bool) text {
	ws := words(s)
	for i, w := range ws {
		if !query {
			v.learn(w)
		} else if _, known := v.termOf[w]; !known {
			ws[i] = v.correct(w)
		}
	}
	ts := analyze(ws, func(w string) string {
		if t, ok := v.termOf[w]; ok {
			return t
		}
		return term(w)
	})
	return text{ws: ws, ts: ts}
}

// learn adds a word of the knowledge base to the vocabulary.
func (v *vocab) learn(w string) {
	if _, known := v.termOf[w]; known {
		return
	}
	v.termOf[w] = term(w)
	if len(w) < minFuzzyLen || len(w) > maxFuzzyLen {
		return
	}
	for _, d := range deletes(w) {
		if _, taken := v.fuzzy[d]; !taken {
			v.fuzzy[d] = w
		}
	}
	if _, taken := v.fuzzy[w]; !taken {
		v.fuzzy[w] = w
	}
}

// minFuzzyLen is the shortest word corrected for typos: below it a
// one-letter change too often makes another real word ("obs" / "jobs").
const minFuzzyLen = 5

// correct returns the known word one edit away from w, or w itself. The
// first letter must agree: people rarely mistype it, and an edit there
// mostly makes another real word ("pending" / "spending").
func (v *vocab) correct(w string) string {
	if len(w) < minFuzzyLen || len(w) > maxFuzzyLen || stopWords[w] || isNumber(w) {
		return w
	}
	if known, ok := v.fuzzy[w]; ok && known[0] == w[0] {
		return known
	}
	for _, d := range deletes(w) {
		if known, ok := v.fuzzy[d]; ok && known[0] == w[0] {
			return known
		}
	}
	return w
}

// score returns, for every document, the BM25F score of the query terms
// and the best BM25 score of one of its phrasings.
func (ix *index) score(q []string) (topic, phrasing []float64) {
	topic = make([]float64, ix.n)
	phrasing = make([]float64, ix.n)
	buf, _ := ix.perPhrasing.Get().(*phrasingScores)
	if buf == nil {
		buf = &phrasingScores{score: make([]float64, len(ix.phrasingTopic))}
	}
	defer ix.perPhrasing.Put(buf)
	for _, term := range q {
		for _, p := range ix.postings[term] {
			topic[p.doc] += p.score
		}
		for _, p := range ix.qPostings[term] {
			if buf.score[p.doc] == 0 {
				buf.touched = append(buf.touched, p.doc)
			}
			buf.score[p.doc] += p.score
		}
	}
	// Only the phrasings the question's terms reach, not all of them.
	for _, i := range buf.touched {
		if d, s := ix.phrasingTopic[i], buf.score[i]; s > phrasing[d] {
			phrasing[d] = s
		}
		buf.score[i] = 0
	}
	buf.touched = buf.touched[:0]
	return topic, phrasing
}

// phrasingScores is score's scratch space: a score per phrasing, all zero
// between questions, and the phrasings the current question reached.
type phrasingScores struct {
	score   []float64
	touched []int
}
