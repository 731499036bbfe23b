// Package match owns question matching: text analysis (normalisation, the
// domain lexicon, stemming, typo correction), a BM25F index over the
// documents, a linear classifier learned from them, and the decision to
// answer, ask which topic was meant, or abstain. The classifier, how it
// is mixed with BM25F and the thresholds of the decision are learned from
// the documents at load (see New), so a topic an admin adds is found as
// reliably as a built-in one.
package match

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
)

// Doc is one document the engine matches questions against: a topic, or
// an out-of-scope category that competes with the topics and is never
// answered.
type Doc struct {
	ID, Title  string
	Phrasings  []string
	Keywords   []string
	Body       string
	OutOfScope bool
}

// Verdict is what to do with a question.
type Verdict int

// The verdicts of Match.
const (
	// Abstain: no topic is close enough.
	Abstain Verdict = iota
	// Answer with Ranked[0].
	Answer
	// Clarify: ask which of Ranked (2 or 3 topics) was meant.
	Clarify
)

func (v Verdict) String() string {
	switch v {
	case Answer:
		return "answer"
	case Clarify:
		return "clarify"
	}
	return "abstain"
}

// Scored is a document and its calibrated probability of being meant.
type Scored struct {
	Doc   int
	Score float64
}

// Result is the engine's reading of one question.
type Result struct {
	Verdict Verdict
	// Ranked are in-scope documents, best first: at most maxRanked, or
	// exactly the 2 or 3 choices when the verdict is Clarify.
	Ranked []Scored
	// OOS is the out-of-scope document that best explains an abstention,
	// or -1 when none outranks the topics with the confidence an answer
	// needs.
	OOS int
	// Strength is the calibrated confidence of Ranked[0], 0..1.
	Strength float64
	// Outside is the probability that the question belongs to one of the
	// out-of-scope categories, 0..1.
	Outside float64
	// Terms are the distinct analysed terms of the question, typos
	// corrected against the documents: what the engine read in it.
	Terms []string
}

// maxRanked is how many documents a Result ranks.
const maxRanked = 5

// Engine matches questions to documents. It is read-only after New, so
// any number of goroutines may call Match.
type Engine struct {
	oos []bool // per document: an out-of-scope category
	voc *vocab
	ix  *index
	clf *linear
	mix mixing
	th  thresholds
}

// Options change what New learns.
type Options struct {
	// NoClarify makes an engine that never asks which topic was meant:
	// every question is answered or abstained on, with the thresholds
	// that do best that way. For a channel that cannot offer choices, and
	// for measuring top-1 accuracy, where a question back counts as wrong.
	NoClarify bool
}

// New builds an engine over docs: it indexes them, trains the classifier
// on their phrasings, titles and keywords, and learns how to mix the two
// and when to answer, clarify or abstain by cross-validation over the
// phrasings. The same documents always give the same engine.
func New(docs []Doc) *Engine { return NewWith(docs, Options{}) }

// NewWith is New with options.
func NewWith(docs []Doc, opt Options) *Engine {
	e, texts := newEngine(docs)
	// Generic questions no knowledge base is about join the out-of-scope
	// phrasings as questions to abstain on: they are unlike anything the
	// documents say, which out-of-scope categories, learned as classes,
	// are not.
	var bg []text
	for _, q := range background {
		x := e.voc.analyse(q, true)
		x.fs = extract(x.ws, x.ts)
		bg = append(bg, x)
	}
	rows := crossValidate(texts, e.oos, bg, func() { e.train(texts) })
	e.mix, e.th = calibrate(rows, e.oos, !opt.NoClarify)
	return e
}

// Calibration is what cross-validation learns of a set of documents: how
// the classifier and BM25F are mixed and the thresholds of the decision.
// It is most of the cost of New; NewCalibrated reuses it.
type Calibration struct {
	Temp    float64 `json:"temp"`
	BM25    float64 `json:"bm25"`
	Answer  float64 `json:"answer"`
	Close   float64 `json:"close"`
	Clarify float64 `json:"clarify"`
}

// Calibration returns what the engine learned by cross-validation.
func (e *Engine) Calibration() Calibration {
	return Calibration{e.mix.temp, e.mix.bm25, e.th.answer, e.th.close, e.th.clarify}
}

// NewCalibrated builds the engine New would build over docs given the
// Calibration New learned of the same documents (with the same code), without
// cross-validating again: the index and the classifier are built as New
// builds them.
func NewCalibrated(docs []Doc, c Calibration) *Engine {
	e, texts := newEngine(docs)
	e.train(texts)
	e.mix = mixing{c.Temp, c.BM25}
	e.th = thresholds{answer: c.Answer, close: c.Close, clarify: c.Clarify}
	return e
}

// Fingerprint identifies docs as the engine reads them: equal documents
// in the same order have equal fingerprints, and any change to an id,
// title, phrasing, keyword, body or kind changes it.
func Fingerprint(docs []Doc) string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	for _, d := range docs {
		field(d.ID)
		field(d.Title)
		field(strconv.Itoa(len(d.Phrasings)))
		for _, p := range d.Phrasings {
			field(p)
		}
		field(strconv.Itoa(len(d.Keywords)))
		for _, k := range d.Keywords {
			field(k)
		}
		field(d.Body)
		field(strconv.FormatBool(d.OutOfScope))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// newEngine analyses docs and returns the engine without its index,
// classifier and calibration.
func newEngine(docs []Doc) (*Engine, []docText) {
	size := 0
	for _, doc := range docs {
		size += len(doc.Title) + len(doc.Body)
		for _, p := range doc.Phrasings {
			size += len(p)
		}
		for _, k := range doc.Keywords {
			size += len(k)
		}
	}
	e := &Engine{oos: make([]bool, len(docs)), voc: newVocab(size)}
	for d, doc := range docs {
		e.oos[d] = doc.OutOfScope
	}
	return e, e.voc.learnDocs(docs)
}

// train builds the engine's index and trains its classifier on every
// phrasing.
func (e *Engine) train(texts []docText) {
	e.clf = fit(samples(texts, 0, 0), len(texts))
	e.ix = newIndex(texts)
}

// Match reads one question.
func (e *Engine) Match(s string) Result {
	x := e.voc.analyse(s, true)
	r := e.decide(e.probabilities(x))
	r.Terms = unique(x.ts)
	return r
}

// probabilities returns, for every document, the probability that the
// analysed question x is meant for it: the classifier's and BM25F's
// evidence mixed.
func (e *Engine) probabilities(x text) []float64 {
	p := make([]float64, len(e.oos))
	e.clf.logProbs(extract(x.ws, x.ts), p)
	e.mix.combine(p, e.ix.evidence(x.ts))
	return p
}

// decide turns probabilities into a verdict.
func (e *Engine) decide(p []float64) Result {
	r := Result{OOS: -1}
	var oosMass float64
	for d, v := range p {
		if !e.oos[d] {
			r.Ranked = append(r.Ranked, Scored{d, v})
			continue
		}
		oosMass += v
		if r.OOS < 0 || v > p[r.OOS] {
			r.OOS = d
		}
	}
	slices.SortStableFunc(r.Ranked, func(a, b Scored) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	var top [3]float64
	for i := range min(3, len(r.Ranked)) {
		top[i] = r.Ranked[i].Score
	}
	r.Strength, r.Outside = top[0], oosMass
	var n int
	oosTop := 0.0
	if r.OOS >= 0 {
		oosTop = p[r.OOS]
	}
	r.Verdict, n = e.th.verdict(top, oosMass, oosTop)
	switch r.Verdict {
	case Clarify:
		r.Ranked = r.Ranked[:n]
	default:
		r.Ranked = r.Ranked[:min(maxRanked, len(r.Ranked))]
	}
	// A category is named only when it is as sure as an answer would
	// have to be: gibberish belongs to none.
	if r.Verdict != Abstain || r.OOS >= 0 && (p[r.OOS] <= top[0] || p[r.OOS] < e.th.answer) {
		r.OOS = -1
	}
	return r
}

func unique(ts []string) []string {
	seen := make(map[string]bool, len(ts))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Terms returns the distinct analysed terms of text without any documents
// (no typo correction): how two messages compare, for grouping.
func Terms(text string) []string { return unique(terms(text)) }

// Describe says what the engine learned, for tests and tools.
func (e *Engine) Describe() string {
	return fmt.Sprintf("mixing %+v thresholds %+v", e.mix, e.th)
}
