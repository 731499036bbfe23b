package advisor

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGroupQuestions(t *testing.T) {
	tests := []struct {
		name string
		qs   []string
		want []QuestionGroup
	}{
		{"nil", nil, []QuestionGroup{}},
		{"empty", []string{}, []QuestionGroup{}},
		{"one", []string{"is anki enough for step 1?"}, []QuestionGroup{
			{Question: "is anki enough for step 1?", Count: 1, Variants: []string{}},
		}},
		{"paraphrases group, through the lexicon and stemming", []string{
			"what is the best anki deck for step 1",
			"Which Anki deck is best for step one?",
			"does telehealth count as usce",
			"is telehealth considered US clinical experience?",
			"How much does an externship cost?",
			"how much do externships cost in chicago",
		}, []QuestionGroup{
			{Question: "what is the best anki deck for step 1", Count: 2, Variants: []string{"Which Anki deck is best for step one?"}},
			{Question: "does telehealth count as usce", Count: 2, Variants: []string{"is telehealth considered US clinical experience?"}},
			{Question: "How much does an externship cost?", Count: 2, Variants: []string{"how much do externships cost in chicago"}},
		}},
		{"different topics stay apart", []string{
			"what is the best anki deck for step 1",
			"what is the best qbank for step 2",
			"uworld or amboss for step 2ck",
			"what is the max dose of metformin",
		}, []QuestionGroup{
			{Question: "what is the best anki deck for step 1", Count: 1, Variants: []string{}},
			{Question: "what is the best qbank for step 2", Count: 1, Variants: []string{}},
			{Question: "uworld or amboss for step 2ck", Count: 1, Variants: []string{}},
			{Question: "what is the max dose of metformin", Count: 1, Variants: []string{}},
		}},
		{"duplicates count, the commonest wording leads, biggest group first", []string{
			"how do I get a J1 waiver?",
			"is anki enough?",
			"how can I get a j-1 visa waiver",
			"how can I get a j-1 visa waiver",
			"how do I get a J1 waiver?",
			"how can I get a j-1 visa waiver",
		}, []QuestionGroup{
			{Question: "how can I get a j-1 visa waiver", Count: 5, Variants: []string{"how do I get a J1 waiver?"}},
			{Question: "is anki enough?", Count: 1, Variants: []string{}},
		}},
		{"equal groups keep their order", []string{"is anki enough?", "what about uworld", "uworld then?", "anki enough"}, []QuestionGroup{
			{Question: "is anki enough?", Count: 2, Variants: []string{"anki enough"}},
			{Question: "what about uworld", Count: 2, Variants: []string{"uworld then?"}},
		}},
		{"invalid UTF-8 is read as a space", []string{
			"does telehealth\xff\xfecount as usce",
			"does telehealth count as usce",
			"\xff\xfe",
		}, []QuestionGroup{
			{Question: "does telehealth\xff\xfecount as usce", Count: 2, Variants: []string{"does telehealth count as usce"}},
			{Question: "\xff\xfe", Count: 1, Variants: []string{}},
		}},
		{"no terms: only identical texts group", []string{"?!?", "...", "?!?", "", ""}, []QuestionGroup{
			{Question: "?!?", Count: 2, Variants: []string{}},
			{Question: "", Count: 2, Variants: []string{}},
			{Question: "...", Count: 1, Variants: []string{}},
		}},
		{"a tie goes to the earlier group", []string{"anki deck", "uworld qbank", "uworld qbank anki deck"}, []QuestionGroup{
			{Question: "anki deck", Count: 2, Variants: []string{"uworld qbank anki deck"}},
			{Question: "uworld qbank", Count: 1, Variants: []string{}},
		}},
		// Each joins the group whose first question it is like, so
		// similarity does not chain from one topic into another.
		{"no chaining", []string{"anki deck step1", "anki deck qbank", "qbank uworld deck"}, []QuestionGroup{
			{Question: "anki deck step1", Count: 2, Variants: []string{"anki deck qbank"}},
			{Question: "qbank uworld deck", Count: 1, Variants: []string{}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := GroupQuestions(tt.qs)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GroupQuestions(%q) (-want +got):\n%s", tt.qs, diff)
			}
		})
	}
}

// TestGroupQuestionsDeterministic checks that the same input gives the
// same groups every time, whatever order maps are read in: here many
// questions are equally like two or three groups.
func TestGroupQuestionsDeterministic(t *testing.T) {
	seeds := []string{"anki deck", "uworld qbank", "visa waiver", "salary bonus", "couples match", "research year"}
	qs := slices.Clone(seeds)
	for i := range seeds {
		for j := range seeds {
			if i != j {
				qs = append(qs, seeds[i]+" "+seeds[j])
			}
		}
	}
	first := GroupQuestions(qs)
	total := 0
	for _, g := range first {
		total += g.Count
	}
	if total != len(qs) {
		t.Errorf("GroupQuestions of %d questions holds %d", len(qs), total)
	}
	for range 50 {
		if diff := cmp.Diff(first, GroupQuestions(qs)); diff != "" {
			t.Fatalf("GroupQuestions differs between runs (-first +now):\n%s", diff)
		}
	}
}

func BenchmarkGroupQuestions(b *testing.B) {
	topics := []string{"anki deck", "j1 waiver", "salary of residents", "uworld or amboss", "step 3 before residency",
		"h1b sponsorship", "couples match", "prematch offers", "research years", "gap year jobs"}
	qs := make([]string, 0, 10_000)
	for i := range cap(qs) {
		qs = append(qs, fmt.Sprintf("question %d about %s and %s", i%97, topics[i%len(topics)], topics[i*7%len(topics)]))
	}
	for b.Loop() {
		GroupQuestions(qs)
	}
}
