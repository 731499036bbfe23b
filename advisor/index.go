package advisor

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

// index holds what matching needs, computed once at load and read-only
// afterwards, so any number of goroutines may query it. Its documents are
// the topics followed by the out-of-scope categories.
type index struct {
	topics []*Topic
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
	// termOf caches the term of every word the knowledge base contains
	// ("" for a stop word); fuzzy maps a one-letter-off variant of a known
	// word to that word, for typos.
	termOf map[string]string
	fuzzy  map[string]string
	// perPhrasing holds *[]float64 of len(phrasingTopic) for score to sum
	// into: one per question would be most of what answering allocates.
	perPhrasing sync.Pool
}

type posting struct {
	doc   int
	score float64
}

func newIndex(docs []*Topic) *index {
	ix := &index{
		topics:    docs,
		postings:  make(map[string][]posting),
		qPostings: make(map[string][]posting),
		idf:       make(map[string]float64),
		termOf:    make(map[string]string),
		fuzzy:     make(map[string]string),
	}
	for w := range synonyms {
		ix.learn(w)
	}
	for p := range phrases {
		for _, w := range strings.Fields(p) {
			ix.learn(w)
		}
	}

	// Term frequencies per document and field, and per phrasing.
	type counts map[string]float64
	tf := make([][numFields]counts, len(docs))
	length := make([][numFields]float64, len(docs))
	var avgLen [numFields]float64
	var phrasings []counts
	var phrasingLen []float64
	df := make(map[string]int)
	for d, t := range docs {
		fields := [numFields][]string{
			fieldTitle:     {t.Title},
			fieldPhrasings: t.Phrasings,
			fieldKeywords:  t.Keywords,
			fieldBody:      {t.Body},
		}
		seen := make(map[string]bool)
		for f, texts := range fields {
			tf[d][f] = make(counts)
			for _, text := range texts {
				for _, term := range ix.terms(text, false) {
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
		for _, p := range append([]string{t.Title}, t.Phrasings...) {
			c := make(counts)
			ts := ix.terms(p, false)
			for _, term := range ts {
				c[term]++
			}
			phrasings = append(phrasings, c)
			phrasingLen = append(phrasingLen, float64(len(ts)))
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
		for term := range c {
			qdf[term]++
		}
		avgPhrasing += phrasingLen[i] / float64(len(phrasings))
	}
	for i, c := range phrasings {
		norm := 1 - bm25B + bm25B*phrasingLen[i]/avgPhrasing
		for term, n := range c {
			s := idf(len(phrasings), qdf[term]) * n * (bm25K1 + 1) / (n + bm25K1*norm)
			ix.qPostings[term] = append(ix.qPostings[term], posting{i, s})
		}
	}
	return ix
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

// terms analyses text. While the index is built (query false) every word
// is learned; a query only reads the index, corrects unknown words for
// typos and stems the rest on the fly.
func (ix *index) terms(text string, query bool) []string {
	ws := words(text)
	for i, w := range ws {
		if !query {
			ix.learn(w)
		} else if _, known := ix.termOf[w]; !known {
			ws[i] = ix.correct(w)
		}
	}
	return analyze(ws, func(w string) string {
		if t, ok := ix.termOf[w]; ok {
			return t
		}
		return term(w)
	})
}

// learn adds a word of the knowledge base to the vocabulary.
func (ix *index) learn(w string) {
	if _, known := ix.termOf[w]; known {
		return
	}
	ix.termOf[w] = term(w)
	if len(w) < minFuzzyLen {
		return
	}
	for _, d := range deletes(w) {
		if _, taken := ix.fuzzy[d]; !taken {
			ix.fuzzy[d] = w
		}
	}
	if _, taken := ix.fuzzy[w]; !taken {
		ix.fuzzy[w] = w
	}
}

// minFuzzyLen is the shortest word corrected for typos: below it a
// one-letter change too often makes another real word ("obs" / "jobs").
const minFuzzyLen = 5

// correct returns the known word one edit away from w, or w itself.
func (ix *index) correct(w string) string {
	if len(w) < minFuzzyLen || stopWords[w] || isNumber(w) {
		return w
	}
	if known, ok := ix.fuzzy[w]; ok {
		return known
	}
	for _, d := range deletes(w) {
		if known, ok := ix.fuzzy[d]; ok {
			return known
		}
	}
	return w
}

// score returns, for every document, the BM25F score of the query terms
// and the best BM25 score of one of its phrasings.
func (ix *index) score(q []string) (topic, phrasing []float64) {
	topic = make([]float64, len(ix.topics))
	phrasing = make([]float64, len(ix.topics))
	buf, _ := ix.perPhrasing.Get().(*[]float64)
	if buf == nil {
		b := make([]float64, len(ix.phrasingTopic))
		buf = &b
	}
	defer ix.perPhrasing.Put(buf)
	perPhrasing := *buf
	clear(perPhrasing)
	for _, term := range q {
		for _, p := range ix.postings[term] {
			topic[p.doc] += p.score
		}
		for _, p := range ix.qPostings[term] {
			perPhrasing[p.doc] += p.score
		}
	}
	for i, s := range perPhrasing {
		d := ix.phrasingTopic[i]
		phrasing[d] = math.Max(phrasing[d], s)
	}
	return topic, phrasing
}

// strength is a document's BM25F score for q as a share of the most any
// document could score for q: every term at saturation. Words the
// knowledge base has never seen count in the denominator as its rarest
// word, so an off-topic half of a question weakens the match whatever its
// other half says.
func (ix *index) strength(q []string, score float64) float64 {
	var most float64
	for _, term := range q {
		w, ok := ix.idf[term]
		if !ok {
			w = ix.maxIDF
		}
		most += w * (bm25K1 + 1)
	}
	if most == 0 {
		return 0
	}
	return score / most
}
