package rich

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarkdown(t *testing.T) {
	got := Markdown("**Usually no.** Tele work is\nsupplemental.\n\n- one **two**\n- three\n\nend *not markup* <b>")
	want := Text{
		{Kind: Paragraph, Spans: []Span{{Text: "Usually no.", Style: Bold}, {Text: " Tele work is supplemental."}}},
		{Kind: Bullet, Spans: []Span{{Text: "one "}, {Text: "two", Style: Bold}}},
		{Kind: Bullet, Spans: []Span{{Text: "three"}}},
		{Kind: Paragraph, Spans: []Span{{Text: "end *not markup* <b>"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Markdown (-want +got):\n%s", diff)
	}
	if s, w := got.String(), "Usually no. Tele work is supplemental.\n\n- one two\n- three\n\nend *not markup* <b>"; s != w {
		t.Errorf("String() = %q, want %q", s, w)
	}
}

func TestPlainNeverInterpretsMarkup(t *testing.T) {
	got := Plain("**not bold**\n- not a bullet")
	for _, b := range got {
		if b.Kind != Paragraph || b.Spans[0].Style != 0 {
			t.Errorf("Plain produced markup: %+v", got)
		}
	}
}

func TestUTF16Len(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int
	}{{"", 0}, {"abc", 3}, {"é", 1}, {"😀", 2}, {"a😀b", 4}, {"\xff", 1}} {
		if got := UTF16Len(tt.s); got != tt.want {
			t.Errorf("UTF16Len(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}
