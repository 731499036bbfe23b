package advisor

import (
	"math"
	"strings"
)

// BM25 parameters. k1 is the usual value; b is lower than the usual 0.75
// for the body because answers are of similar length by design.
var (
	bm25K1         = 1.2
	bm25B          = 0.75
	phrasingWeight = 0.5
)

// Field weights of the topic-level BM25F score: a word in a title or a
// curated keyword says more about the topic than one in the answer's prose.
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

// index holds what matching needs, computed once at load. Its documents
// are the topics followed by the out-of-scope categories.
type index struct {
	topics []*Topic
	// tf[topic][field][term] and the field lengths, for BM25F.
	tf     [][numFields]map[string]float64
	length [][numFields]float64
	avgLen [numFields]float64
	idf    map[string]float64
	maxIDF float64
	// Each phrasing and title is also a short document of its own; a
	// question close to one phrasing is close to its topic.
	questions []question
	qIDF      map[string]float64
	qAvgLen   float64
	// vocab holds every word the knowledge base knows; fuzzy maps a
	// one-letter-off variant of a known word to that word.
	vocab map[string]bool
	fuzzy map[string]string
}

type question struct {
	topic int
	terms map[string]float64
	len   float64
}

func newIndex(topics []*Topic) *index {
	ix := &index{
		topics: topics,
		tf:     make([][numFields]map[string]float64, len(topics)),
		length: make([][numFields]float64, len(topics)),
		idf:    make(map[string]float64),
		qIDF:   make(map[string]float64),
		vocab:  make(map[string]bool),
		fuzzy:  make(map[string]string),
	}
	df := make(map[string]int)
	qdf := make(map[string]int)
	for i, t := range topics {
		fields := [numFields]string{
			fieldTitle:     t.Title,
			fieldPhrasings: strings.Join(t.Phrasings, "\n"),
			fieldKeywords:  strings.Join(t.Keywords, "\n"),
			fieldBody:      t.Body,
		}
		seen := make(map[string]bool)
		for f, text := range fields {
			ix.learnWords(text)
			ix.tf[i][f] = make(map[string]float64)
			for _, term := range terms(text, nil) {
				ix.tf[i][f][term]++
				ix.length[i][f]++
				if !seen[term] {
					seen[term] = true
					df[term]++
				}
			}
			ix.avgLen[f] += ix.length[i][f] / float64(len(topics))
		}
		for _, p := range append([]string{t.Title}, t.Phrasings...) {
			q := question{topic: i, terms: make(map[string]float64)}
			for _, term := range terms(p, nil) {
				if q.terms[term] == 0 {
					qdf[term]++
				}
				q.terms[term]++
				q.len++
			}
			ix.questions = append(ix.questions, q)
			ix.qAvgLen += q.len
		}
	}
	ix.qAvgLen /= float64(len(ix.questions))
	for term, n := range df {
		ix.idf[term] = idf(len(topics), n)
		ix.maxIDF = math.Max(ix.maxIDF, ix.idf[term])
	}
	for term, n := range qdf {
		ix.qIDF[term] = idf(len(ix.questions), n)
	}
	for w := range synonyms {
		ix.learnWord(w)
	}
	for p := range phrases {
		ix.learnWords(p)
	}
	return ix
}

func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

func (ix *index) learnWords(text string) {
	for _, w := range words(text) {
		ix.learnWord(w)
	}
}

func (ix *index) learnWord(w string) {
	if ix.vocab[w] {
		return
	}
	ix.vocab[w] = true
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
	if ix.vocab[w] || len(w) < minFuzzyLen || stopWords[w] || isNumber(w) {
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

// score returns, for every topic, the BM25F score of the query terms and
// the best BM25 score of one of its phrasings.
func (ix *index) score(q []string) (topic, phrasing []float64) {
	topic = make([]float64, len(ix.topics))
	phrasing = make([]float64, len(ix.topics))
	for i := range ix.topics {
		for _, term := range q {
			var tf float64
			for f := range numFields {
				n := ix.tf[i][f][term]
				if n == 0 {
					continue
				}
				norm := 1 - bm25B + bm25B*ix.length[i][f]/ix.avgLen[f]
				tf += fieldWeights[f] * n / norm
			}
			if tf > 0 {
				topic[i] += ix.idf[term] * tf * (bm25K1 + 1) / (tf + bm25K1)
			}
		}
	}
	for _, p := range ix.questions {
		var s float64
		for _, term := range q {
			n := p.terms[term]
			if n == 0 {
				continue
			}
			norm := 1 - 0.75 + 0.75*p.len/ix.qAvgLen
			s += ix.qIDF[term] * n * (bm25K1 + 1) / (n + bm25K1*norm)
		}
		phrasing[p.topic] = math.Max(phrasing[p.topic], s)
	}
	return topic, phrasing
}

// strength is topic i's BM25F score for q as a share of the most any
// topic could score for q: every term matched in every field at
// saturation. Words the knowledge base has never seen count in the
// denominator as its rarest word, so an off-topic half of a question
// weakens the match whatever its other half says.
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
