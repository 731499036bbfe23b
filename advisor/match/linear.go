package match

import (
	"math"
	"math/rand/v2"
)

// linear is a multinomial logistic regression over hashed features: the
// learned half of the matcher, trained at load from the documents'
// phrasings, titles and keywords. Its weights are stored feature-major so
// that scoring a text reads one contiguous row per feature.
type linear struct {
	classes int
	column  map[uint64]int32 // feature hash -> row of w
	w       []float32        // len(column) rows of classes weights
	bias    []float32
}

// sample is one training text: its features and its document.
type sample struct {
	fs    []feature
	class int
}

// Training settings. A few passes of SGD with a decaying step are enough
// for texts this short, and stopping early keeps the probabilities soft,
// which the calibration needs to tell a sure match from a guess.
const (
	trainEpochs = 4
	trainRate   = 4.0
	trainDecay  = 0.3
	// trainL2 shrinks the weights of the features of each sample seen.
	trainL2 = 1e-5
	// learnedP is the probability of its own class from which a sample
	// sits out the next pass.
	learnedP = 0.95
	// minGradient skips the updates of classes the sample barely moves.
	minGradient = 2e-3
	trainSeed   = 20261203
)

// fit trains a classifier of classes classes on samples, deterministically.
func fit(samples []sample, classes int) *linear {
	m := &linear{classes: classes, column: make(map[uint64]int32), bias: make([]float32, classes)}
	rows := make([][]int32, len(samples))
	for i, s := range samples {
		rows[i] = make([]int32, len(s.fs))
		for j, f := range s.fs {
			c, ok := m.column[f.hash]
			if !ok {
				c = int32(len(m.column))
				m.column[f.hash] = c
			}
			rows[i][j] = c
		}
	}
	m.w = make([]float32, len(m.column)*classes)
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(trainSeed, uint64(len(samples))))
	p := make([]float64, classes)
	var active []int
	learned := make([]bool, len(samples))
	for epoch := range trainEpochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := float32(trainRate / (1 + trainDecay*float64(epoch)))
		for _, i := range order {
			if learned[i] {
				// Learned in the last pass: its gradient would barely
				// move anything, and scoring it is most of a pass's cost.
				learned[i] = false
				continue
			}
			s, cols := samples[i], rows[i]
			m.scoreRows(cols, s.fs, p)
			softmax(p)
			learned[i] = p[s.class] >= learnedP
			p[s.class]--
			// Most classes get a negligible gradient once training is
			// under way: updating only the others is most of the speed.
			active = active[:0]
			for k, g := range p {
				if g <= -minGradient || g >= minGradient {
					active = append(active, k)
				}
			}
			for j, c := range cols {
				row := m.w[int(c)*classes : int(c+1)*classes]
				x := s.fs[j].weight
				for _, k := range active {
					row[k] -= rate * (float32(p[k])*x + trainL2*row[k])
				}
			}
			for _, k := range active {
				m.bias[k] -= rate * 0.1 * float32(p[k])
			}
		}
	}
	return m
}

// scoreRows writes the raw class scores of a sample given its rows.
func (m *linear) scoreRows(cols []int32, fs []feature, out []float64) {
	acc := make([]float32, m.classes)
	copy(acc, m.bias)
	for j, c := range cols {
		addRow(acc, m.w[int(c)*m.classes:int(c+1)*m.classes], fs[j].weight)
	}
	for k, v := range acc {
		out[k] = float64(v)
	}
}

// addRow adds x times row to acc: the inner loop of training and
// scoring, written so that the compiler drops the bounds checks.
func addRow(acc, row []float32, x float32) {
	row = row[:len(acc)]
	i := 0
	for ; i+4 <= len(acc); i += 4 {
		a, r := acc[i:i+4:i+4], row[i:i+4:i+4]
		a[0] += x * r[0]
		a[1] += x * r[1]
		a[2] += x * r[2]
		a[3] += x * r[3]
	}
	for ; i < len(acc); i++ {
		acc[i] += x * row[i]
	}
}

// logProbs writes the log-probability of every class for features fs;
// features never seen in training are ignored.
func (m *linear) logProbs(fs []feature, out []float64) {
	acc := make([]float32, m.classes)
	copy(acc, m.bias)
	for _, f := range fs {
		c, ok := m.column[f.hash]
		if !ok {
			continue
		}
		addRow(acc, m.w[int(c)*m.classes:int(c+1)*m.classes], f.weight)
	}
	for k, v := range acc {
		out[k] = float64(v)
	}
	logSoftmax(out)
}

// softmax turns scores into probabilities in place.
func softmax(p []float64) {
	most := math.Inf(-1)
	for _, v := range p {
		most = max(most, v)
	}
	var sum float64
	for i, v := range p {
		p[i] = expAbove(v - most)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// logSoftmax turns scores into log-probabilities in place.
func logSoftmax(p []float64) {
	most := math.Inf(-1)
	for _, v := range p {
		most = max(most, v)
	}
	var sum float64
	for _, v := range p {
		sum += expAbove(v - most)
	}
	norm := most + math.Log(sum)
	for i := range p {
		p[i] -= norm
	}
}

// expAbove is e^x for x <= 0, to about 1e-7 relative, and 0 below -15,
// where the result no longer moves a sum of probabilities and most
// classes sit once training is under way. It is several times cheaper
// than math.Exp, which was a fifth of the cost of training.
func expAbove(x float64) float64 {
	if x < -15 {
		return 0
	}
	// e^x = 2^n * 2^f with n an integer and |f| <= 1/2; 2^f by its
	// Taylor series, whose 7th term is below 2e-7.
	y := x * math.Log2E
	n := math.Round(y)
	f := (y - n) * math.Ln2
	p := 1 + f*(1+f*(1.0/2+f*(1.0/6+f*(1.0/24+f*(1.0/120+f*(1.0/720))))))
	return p * math.Float64frombits(uint64(int64(n)+1023)<<52)
}
