package match

import (
	"math"
	"runtime"
	"sync"
)

// How the engine learns from its documents: k-fold cross-validation over
// the phrasings. Each fold's phrasings are held out, an index and a
// classifier are built from the rest, and the held-out phrasings are read
// as questions; out-of-scope phrasings are the questions it should
// abstain on. From these out-of-fold readings it chooses how to mix the
// classifier with BM25F and the thresholds of the decision.

// folds is the number of cross-validation folds: each costs a training,
// and three already read every phrasing with a model trained on two
// thirds of the others.
const folds = 3

// mixing weighs the two sources of evidence: p(d) is proportional to
// exp(temp * log p_classifier(d) + bm25 * evidence(d)).
type mixing struct {
	temp, bm25 float64
}

// combine overwrites lp (classifier log-probabilities) with the mixed
// probabilities.
func (m mixing) combine(lp, x []float64) {
	for d := range lp {
		lp[d] = m.temp*lp[d] + m.bm25*x[d]
	}
	softmax(lp)
}

// thresholds decide from the three best in-scope probabilities and the
// out-of-scope mass.
type thresholds struct {
	// answer is the least probability of the best topic to answer.
	answer float64
	// close is how near (as a share of the best) another topic must be
	// to be offered as a choice.
	close float64
	// clarify is the least summed probability of the choices to ask.
	clarify float64
}

// verdict returns the decision and, for Clarify, the number of choices,
// given the three best in-scope probabilities, the out-of-scope mass and
// the best out-of-scope category's probability. The choices offered must
// together outweigh the out-of-scope mass, and the best of them must be
// likelier than any one category: asking which of two topics was meant
// when a category is likelier than either misleads.
func (t thresholds) verdict(top [3]float64, oos, oosTop float64) (Verdict, int) {
	if top[0] >= t.answer && top[0] > oos {
		return Answer, 1
	}
	if top[1] > 0 && top[1] >= t.close*top[0] {
		n, sum := 2, top[0]+top[1]
		if top[2] > 0 && top[2] >= t.close*top[0] {
			n, sum = 3, sum+top[2]
		}
		if sum >= t.clarify && sum > oos && top[0] > oosTop {
			return Clarify, n
		}
	}
	return Abstain, 0
}

// evidence returns every document's BM25F score plus its best phrasing's,
// as a share of the most the question's terms could score: words the
// documents never use count at the rarest word's weight, so an off-topic
// half of a question flattens the evidence whatever its other half says.
func (ix *index) evidence(ts []string) []float64 {
	q := unique(ts)
	topic, phrasing := ix.score(q)
	var most float64
	for _, term := range q {
		w, ok := ix.idf[term]
		if !ok {
			w = ix.maxIDF
		}
		most += w * (bm25K1 + 1)
	}
	for d := range topic {
		if most > 0 {
			topic[d] = (topic[d] + phrasingWeight*phrasing[d]) / most
		} else {
			topic[d] = 0
		}
	}
	return topic
}

// samples returns the classifier's training texts: the titles,
// phrasings and keywords of docs, but the phrasings of fold f of k (all
// of them when k is 0).
func samples(docs []docText, k, f int) []sample {
	var out []sample
	add := func(x text, d int) {
		if len(x.fs) > 0 {
			out = append(out, sample{x.fs, d})
		}
	}
	for d, doc := range docs {
		add(doc.title, d)
		for j, p := range doc.phrasings {
			if !inFold(j, d, k, f) {
				add(p, d)
			}
		}
		for _, kw := range doc.keywords {
			add(kw, d)
		}
	}
	return out
}

// inFold says whether phrasing j of document d is in fold f of k: the
// phrasings of every document are dealt round the folds in turn.
func inFold(j, d, k, f int) bool { return k > 0 && (j+d)%k == f }

// oofRow is one held-out question: the document it belongs to (-1 for a
// background question that no document answers) and the evidence read
// by the fold's classifier and index.
type oofRow struct {
	label int
	lp, x []float64
}

// crossValidate reads every phrasing with a model that has not seen it;
// final, the training of the engine's own classifier, runs beside the
// folds.
func crossValidate(docs []docText, oos []bool, bg []text, final func()) []oofRow {
	k := folds
	out := make([][]oofRow, k)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	run := func(job func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			job()
		}()
	}
	run(final)
	for f := range k {
		run(func() { out[f] = readFold(docs, oos, k, f, bg) })
	}
	wg.Wait()
	var rows []oofRow
	for _, r := range out {
		rows = append(rows, r...)
	}
	return rows
}

// readFold trains on every phrasing but fold f's and reads those, and
// the background questions of fold f.
func readFold(docs []docText, oos []bool, k, f int, bg []text) []oofRow {
	train := make([]docText, len(docs))
	var rows []oofRow
	var test []text
	var labels []int
	for d, doc := range docs {
		train[d] = doc
		train[d].phrasings = nil
		for j, p := range doc.phrasings {
			if inFold(j, d, k, f) {
				test, labels = append(test, p), append(labels, d)
			} else {
				train[d].phrasings = append(train[d].phrasings, p)
			}
		}
	}
	for i, q := range bg {
		if i%k == f {
			test, labels = append(test, q), append(labels, -1)
		}
	}
	ix := newIndex(train)
	clf := fit(samples(docs, k, f), len(docs))
	for i, x := range test {
		lp := make([]float64, len(docs))
		clf.logProbs(x.fs, lp)
		if labels[i] < 0 && covered(lp, oos) {
			// This knowledge base is about it after all (a bot for
			// travellers answers the weather).
			continue
		}
		rows = append(rows, oofRow{labels[i], lp, ix.evidence(x.ts)})
	}
	return rows
}

// covered says whether the classifier gives one in-scope document at
// least half the probability.
func covered(lp []float64, oos []bool) bool {
	for d, v := range lp {
		if !oos[d] && v >= math.Log(0.5) {
			return true
		}
	}
	return false
}

// background are questions for no knowledge base in particular: everyday
// matters a bot of any subject is asked about.
var background = []string{
	"tell me a joke", "what is the weather like today", "who won the game last night",
	"how do i cook rice", "write me a poem", "what is the capital of france",
	"how are you doing", "what time is it", "recommend a good movie", "how do i fix my printer",
	"what is the meaning of life", "translate hello into spanish", "how tall is mount everest",
	"can you help me with my math homework", "what should i eat for dinner",
	"my phone battery drains fast", "best laptop for programming", "how do i lose weight",
	"is it going to rain tomorrow", "play some music", "how do i change a flat tire",
	"what is a good gift for my mother", "how much is bitcoin worth", "how do i learn to swim",
	"what are the symptoms of the flu", "can you book me a flight to london",
	"how do i get rid of ants in my kitchen", "who is the president of brazil",
	"what is the best workout for back pain", "how do i file my taxes",
	"what does my dream about falling mean", "how do i clean a cast iron pan",
}

// calibrate chooses the mixing and the thresholds that do best on the
// out-of-fold readings: the share of in-scope questions answered right
// or clarified with the right topic among the choices, plus oosWeight
// times the share of out-of-scope questions abstained on, less
// clarifyCost times the share clarified (a question back is worth less
// than an answer), with at most maxClarifyShare of them clarified, and
// none when clarify is false.
func calibrate(rows []oofRow, oos []bool, clarify bool) (mixing, thresholds) {
	rows = thin(rows, oos)
	// Each mixing is judged on a coarse grid of thresholds at the first
	// closeness, in parallel; the best is then searched on a fine grid.
	var mixes []mixing
	for _, temp := range []float64{0.5, 1} {
		for _, bm := range []float64{0, 2, 4, 8} {
			mixes = append(mixes, mixing{temp, bm})
		}
	}
	utility := make([]float64, len(mixes))
	reads := make([][]reading, len(mixes))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, m := range mixes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			reads[i] = make([]reading, len(rows))
			for j, r := range rows {
				reads[i][j] = read(r, m, oos)
			}
			utility[i], _ = search(reads[i], 0.1, closeness[0], clarify)
		}()
	}
	wg.Wait()
	best := 0
	for i, u := range utility {
		if u > utility[best] {
			best = i
		}
	}
	return mixes[best], fineSearch(reads[best], clarify)
}

// closeness are the values tried for thresholds.close.
var closeness = []float64{0.3, 0.5, 0.7}

// fineSearch is search on a fine grid, one goroutine per closeness.
func fineSearch(reads []reading, clarify bool) thresholds {
	utility := make([]float64, len(closeness))
	th := make([]thresholds, len(closeness))
	var wg sync.WaitGroup
	for i, c := range closeness {
		wg.Add(1)
		go func() {
			defer wg.Done()
			utility[i], th[i] = search(reads, 0.05, c, clarify)
		}()
	}
	wg.Wait()
	best := 0
	for i, u := range utility {
		if u > utility[best] {
			best = i
		}
	}
	return th[best]
}

// maxCalibrate is the most in-scope readings the threshold search reads:
// beyond it, every n-th is kept (and every out-of-scope one), which
// changes the figures little and bounds the cost of a large knowledge base.
const maxCalibrate = 4000

func thin(rows []oofRow, oos []bool) []oofRow {
	in := 0
	for _, r := range rows {
		if r.label >= 0 && !oos[r.label] {
			in++
		}
	}
	if in <= maxCalibrate {
		return rows
	}
	step := (in + maxCalibrate - 1) / maxCalibrate
	var out []oofRow
	i := 0
	for _, r := range rows {
		if r.label < 0 || oos[r.label] {
			out = append(out, r)
			continue
		}
		if i%step == 0 {
			out = append(out, r)
		}
		i++
	}
	return out
}

// maxClarifyShare bounds the share of in-scope questions clarified.
const maxClarifyShare = 0.1

// oosWeight is how much abstaining on out-of-scope questions weighs
// against answering in-scope ones: an unanswered in-scope question costs
// more than a stray answer (chosen on CLINC150's validation split).
const oosWeight = 0.1

// clarifyCost is what a clarification costs against an answer.
const clarifyCost = 0.25

// reading is what the decision sees of one held-out question.
type reading struct {
	top     [3]float64
	oos     float64 // out-of-scope mass
	oosTop  float64 // the best out-of-scope category's probability
	rank    int     // place of the right document among in-scope ones, 3 if lower
	inScope bool    // the question should be answered
}

func read(r oofRow, m mixing, oos []bool) reading {
	p := append([]float64(nil), r.lp...)
	m.combine(p, r.x)
	rd := reading{inScope: r.label >= 0 && !oos[r.label], rank: 3}
	var mine float64
	if rd.inScope {
		mine = p[r.label]
	}
	higher := 0
	for d, v := range p {
		if oos[d] {
			rd.oos += v
			rd.oosTop = max(rd.oosTop, v)
			continue
		}
		switch {
		case v > rd.top[0]:
			rd.top = [3]float64{v, rd.top[0], rd.top[1]}
		case v > rd.top[1]:
			rd.top[1], rd.top[2] = v, rd.top[1]
		case v > rd.top[2]:
			rd.top[2] = v
		}
		if rd.inScope && d != r.label && v > mine {
			higher++
		}
	}
	rd.rank = min(higher, 3)
	return rd
}

// search returns the best thresholds for readings, on a grid of the
// given step at closeness c, and their utility. The choices of a
// clarification must together be at least as likely as an answer needs to
// be alone: asking which of two weak guesses was meant is no better than
// guessing. With clarify false, the clarify threshold is one that no sum
// of probabilities reaches.
//
// A threshold is judged by the mean utility of it and its neighbours on
// the answer axis: the out-of-fold utility is flat near its best, where
// one phrasing more or less in the documents moves the bare maximum from
// one end of the plateau to the other, often to the edge of a drop.
func search(reads []reading, step, c float64, clarify bool) (float64, thresholds) {
	var nIn, nOut float64
	for _, r := range reads {
		if r.inScope {
			nIn++
		} else {
			nOut++
		}
	}
	// grid[i][j]: answer (i+1)*step, clarify j steps above it (or never).
	var grid [][]cell
	for a := step; a < 1; a += step {
		var row []cell
		if !clarify {
			row = append(row, judge(reads, thresholds{answer: a, close: c, clarify: math.Inf(1)}, nIn, nOut))
		}
		for cl := a; cl < 1 && clarify; cl += step {
			row = append(row, judge(reads, thresholds{answer: a, close: c, clarify: cl}, nIn, nOut))
		}
		grid = append(grid, row)
	}
	best, bestTh := math.Inf(-1), thresholds{}
	for i, row := range grid {
		for j, x := range row {
			if !x.ok {
				continue
			}
			sum, n := 0.0, 0.0
			for k := max(0, i-1); k <= min(len(grid)-1, i+1); k++ {
				if j < len(grid[k]) {
					sum, n = sum+grid[k][j].utility, n+1
				}
			}
			if u := sum / n; u > best {
				best, bestTh = u, x.th
			}
		}
	}
	return best, bestTh
}

// cell is one point of the threshold grid: its thresholds, their
// utility, and whether they keep clarifications within maxClarifyShare.
type cell struct {
	th      thresholds
	utility float64
	ok      bool
}

// judge scores thresholds on the out-of-fold readings.
func judge(reads []reading, th thresholds, nIn, nOut float64) cell {
	var ok, clar, abst float64
	for _, r := range reads {
		v, n := th.verdict(r.top, r.oos, r.oosTop)
		switch {
		case !r.inScope:
			if v == Abstain {
				abst++
			}
		case v == Answer && r.rank == 0:
			ok++
		case v == Clarify:
			clar++
			if r.rank < n {
				ok++
			}
		}
	}
	x := cell{th: th, ok: nIn == 0 || clar/nIn <= maxClarifyShare}
	if nIn > 0 {
		x.utility += (ok - clarifyCost*clar) / nIn
	}
	if nOut > 0 {
		x.utility += oosWeight * abst / nOut
	}
	return x
}
