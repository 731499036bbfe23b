package match

import "math"

// The classifier reads a text as a bag of hashed features: its terms
// (after the lexicon and stemming) and pairs of them, its words as
// written, stop words included, and pairs of them (in another knowledge
// base "what is my balance" and "how is my balance" may differ), and the
// character 4-grams of its content words, which carry a misspelt or glued
// word ("telehealthcount") part of the way to the right topic.

// Feature kinds seed the hash so that a term and an n-gram never collide
// by construction.
const (
	kindTerm     = 0x9e3779b97f4a7c15
	kindBigram   = 0xbf58476d1ce4e5b9
	kindGram     = 0x94d049bb133111eb
	kindWord     = 0xd6e8feb86659fd93
	kindWordPair = 0xa0761d6478bd642f
)

// Feature weights before the vector is scaled to unit length: terms say
// the most, pairs add word order, n-grams only help when terms miss.
const (
	weightTerm     float32 = 1.0
	weightBigram   float32 = 0.7
	weightGram     float32 = 0.25
	weightWord     float32 = 1
	weightWordPair float32 = 0.5
)

const (
	// maxGramWord is the longest word cut into n-grams: a longer "word"
	// is noise, and its n-grams would cost without matching anything.
	maxGramWord = 30
)

// Only 4-grams: 3- to 5-grams did no better on CLINC150's validation
// split and cost a third more to train.
const (
	gramMin = 4
	gramMax = 4
)

// feature is one hashed feature and its weight.
type feature struct {
	hash   uint64
	weight float32
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// extract returns the features of a text given its words and terms, with
// repeated features merged and the vector scaled to unit length.
func extract(ws, ts []string) []feature {
	var fs []feature
	for i, t := range ts {
		fs = append(fs, feature{hashString(fnvOffset^kindTerm, t), weightTerm})
		if i > 0 {
			h := hashString(fnvOffset^kindBigram, ts[i-1])
			fs = append(fs, feature{hashString(h^' ', t), weightBigram})
		}
	}
	for i, w := range ws {
		fs = append(fs, feature{hashString(fnvOffset^kindWord, w), weightWord})
		if i > 0 {
			h := hashString(fnvOffset^kindWordPair, ws[i-1])
			fs = append(fs, feature{hashString(h^' ', w), weightWordPair})
		}
	}
	var buf []byte
	for _, w := range ws {
		if stopWords[w] || len(w) > maxGramWord {
			continue
		}
		buf = append(append(append(buf[:0], '<'), w...), '>')
		for n := gramMin; n <= gramMax; n++ {
			for i := 0; i+n <= len(buf); i++ {
				fs = append(fs, feature{hashBytes(fnvOffset^kindGram, buf[i:i+n]), weightGram})
			}
		}
	}
	return normalise(fs)
}

// normalise merges repeated features and scales the vector to unit length.
func normalise(fs []feature) []feature {
	seen := make(map[uint64]int, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if i, ok := seen[f.hash]; ok {
			out[i].weight += f.weight
			continue
		}
		seen[f.hash] = len(out)
		out = append(out, f)
	}
	var sum float64
	for _, f := range out {
		sum += float64(f.weight) * float64(f.weight)
	}
	if sum > 0 {
		scale := float32(1 / math.Sqrt(sum))
		for i := range out {
			out[i].weight *= scale
		}
	}
	return out
}
