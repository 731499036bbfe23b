package advisor

import (
	"slices"
	"testing"
)

// Long posts read as a whole, then by their question sentences: the
// question carries the match, a life story does not pull it away, and a
// second question is offered beside the first (either may be the main
// one). The posts are written for this test.
func TestReadLongPosts(t *testing.T) {
	kb := mustLoad(t)
	tests := []struct {
		text string
		want []string // the main topic and the others offered, in any order
	}{
		{"Egyptian grad 2019, CK 236, visa needed, been studying for a year. Does telehealth count as USCE?", []string{"telehealth-counts"}},
		{"Are observerships considered USCE? Including observerships completed after graduation?", []string{"observership-counts"}},
		{"Does telehealth count as USCE? Also who should write my letters, a community or an academic attending?", []string{"lor-hierarchy", "telehealth-counts"}},
		{"Sudanese grad, no USCE yet, CK 241, tight budget. Would a research year in a US lab count as clinical experience?", []string{"research-usce"}},
	}
	for _, tt := range tests {
		r := kb.Read(tt.text, nil)
		var got []string
		if r.Answer.Topic != nil {
			got = append(got, r.Answer.Topic.ID)
		}
		for _, tp := range r.Also {
			got = append(got, tp.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Read(%q) topics = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// A message whose question is outside the knowledge base as a whole is
// not answered from one of its sentences that happens to name a topic.
func TestReadOutsideWhole(t *testing.T) {
	kb := mustLoad(t)
	for _, text := range []string{
		"which qbank for step 1? i did 2 months of observerships last year",
		"is a 229 on CK good enough for IM? I have 4 months of hands-on USCE.",
	} {
		if r := kb.Read(text, nil); r.Answer.Topic != nil || len(r.Answer.Clarify) > 0 {
			t.Errorf("Read(%q) answered %v %v, want an abstention", text, r.Answer.Topic, r.Answer.Clarify)
		}
	}
}
