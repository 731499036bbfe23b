// Package rich is the platform-neutral rich text of the bot's replies: a
// few block kinds and inline styles that every adapter can render safely
// in its own markup. Text that came from a user is always a plain span, so
// markup characters in it can never change a reply's formatting.
package rich

import (
	"strings"
	"unicode/utf16"
)

// Style is a set of inline styles.
type Style uint8

// Inline styles.
const (
	Bold Style = 1 << iota
	Code
)

// Span is a run of text in one style.
type Span struct {
	Text  string
	Style Style
}

// Kind is a block's kind.
type Kind uint8

// Block kinds.
const (
	Paragraph Kind = iota
	Bullet
	// Pre is preformatted text (JSON, a listing) shown in a monospace block.
	Pre
)

// Block is a paragraph, one bullet item or a preformatted block.
type Block struct {
	Kind  Kind
	Spans []Span
}

// Text is a reply's rich text: blocks in order.
type Text []Block

// Plain returns s as text with no markup: each line becomes a paragraph.
func Plain(s string) Text {
	var t Text
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			t = append(t, Block{Kind: Paragraph, Spans: []Span{{Text: line}}})
		}
	}
	return t
}

// Para returns a one-paragraph text of the given spans.
func Para(spans ...Span) Text {
	return Text{{Kind: Paragraph, Spans: spans}}
}

// B returns a bold span.
func B(s string) Span { return Span{Text: s, Style: Bold} }

// S returns a plain span.
func S(s string) Span { return Span{Text: s} }

// Preformatted returns s as one preformatted block.
func Preformatted(s string) Text {
	return Text{{Kind: Pre, Spans: []Span{{Text: s}}}}
}

// Markdown parses the knowledge base's Markdown subset, written by us and
// never by a user: paragraphs separated by blank lines, lines starting with
// "- " as bullets, and **bold**.
func Markdown(src string) Text {
	var t Text
	var para []string
	flush := func() {
		if len(para) > 0 {
			t = append(t, Block{Kind: Paragraph, Spans: inline(strings.Join(para, " "))})
			para = nil
		}
	}
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "- "):
			flush()
			t = append(t, Block{Kind: Bullet, Spans: inline(strings.TrimSpace(line[2:]))})
		default:
			para = append(para, line)
		}
	}
	flush()
	return t
}

// inline splits s at "**" markers into plain and bold spans.
func inline(s string) []Span {
	var spans []Span
	bold := false
	for {
		before, after, found := strings.Cut(s, "**")
		if before != "" {
			st := Style(0)
			if bold {
				st = Bold
			}
			spans = append(spans, Span{Text: before, Style: st})
		}
		if !found {
			return spans
		}
		bold = !bold
		s = after
	}
}

// String renders t as plain text: blank lines between paragraphs, bullets
// as "- ", styles dropped. The console and logs of replies use it.
func (t Text) String() string {
	var b strings.Builder
	for i, blk := range t {
		if i > 0 {
			if blk.Kind == Bullet && t[i-1].Kind == Bullet {
				b.WriteString("\n")
			} else {
				b.WriteString("\n\n")
			}
		}
		if blk.Kind == Bullet {
			b.WriteString("- ")
		}
		for _, sp := range blk.Spans {
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

// UTF16Len is the length of s in UTF-16 code units, the unit in which
// Telegram and Discord count their message limits.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
