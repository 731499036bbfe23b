package telegram

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uscebot/uscebot/bot/rich"
)

// maxMessageUnits is Telegram's limit on a message's text. Telegram counts
// the text after parsing the markup; we count the HTML we send, in UTF-16
// code units, which is never less, so a part we send is never too long.
const maxMessageUnits = 4096

// htmlEscaper escapes everything Telegram's HTML parser reads as markup.
// Quotes are escaped too, so text stays text even inside an attribute.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// writeEscaped writes s escaped, with no intermediate string; writing to
// a strings.Builder cannot fail.
func writeEscaped(sb *strings.Builder, s string) { _, _ = htmlEscaper.WriteString(sb, s) }

// units is the length of s as Telegram counts it.
func units(s string) int { return rich.UTF16Len(s) }

// escapedUnits is the UTF-16 length of s escaped, without building the
// string.
func escapedUnits(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case '&':
			n += len("&amp;")
		case '<', '>':
			n += len("&lt;")
		case '"':
			n += len("&quot;")
		default:
			if r >= 0x10000 {
				n += 2
			} else {
				n++
			}
		}
	}
	return n
}

// escapedLen is the length of s escaped, in bytes. (strings.Count is
// many times quicker than a loop over the bytes.)
func escapedLen(s string) int {
	return len(s) + strings.Count(s, "&")*(len("&amp;")-1) +
		(strings.Count(s, "<")+strings.Count(s, ">"))*(len("&lt;")-1) +
		strings.Count(s, `"`)*(len("&quot;")-1)
}

// The tags of the inline styles.
func openTags(st rich.Style) string {
	s := ""
	if st&rich.Bold != 0 {
		s += "<b>"
	}
	if st&rich.Code != 0 {
		s += "<code>"
	}
	return s
}

func closeTags(st rich.Style) string {
	s := ""
	if st&rich.Code != 0 {
		s += "</code>"
	}
	if st&rich.Bold != 0 {
		s += "</b>"
	}
	return s
}

func tagUnits(st rich.Style) int { return len(openTags(st)) + len(closeTags(st)) }

const bulletPrefix = "• "

// blockOverhead is what a block's kind adds around its spans.
func blockOverhead(k rich.Kind) int {
	switch k {
	case rich.Bullet:
		return units(bulletPrefix)
	case rich.Pre:
		return len("<pre></pre>")
	}
	return 0
}

// blockUnits is the UTF-16 length of b's HTML, counted without rendering
// it: split measures every block, and rendering them only to measure them
// was a top allocator under load.
func blockUnits(b rich.Block) int {
	n := blockOverhead(b.Kind)
	for _, sp := range b.Spans {
		if sp.Text == "" {
			continue
		}
		n += escapedUnits(sp.Text)
		if b.Kind != rich.Pre { // <pre> ignores inline styles
			n += tagUnits(sp.Style)
		}
	}
	return n
}

// writeBlock writes one block as Telegram HTML. Every piece of text is
// escaped; the only tags are the ones written here, always balanced.
func writeBlock(sb *strings.Builder, b rich.Block) {
	switch b.Kind {
	case rich.Pre:
		sb.WriteString("<pre>")
		for _, sp := range b.Spans {
			writeEscaped(sb, sp.Text)
		}
		sb.WriteString("</pre>")
		return
	case rich.Bullet:
		sb.WriteString(bulletPrefix)
	}
	for _, sp := range b.Spans {
		if sp.Text == "" {
			continue
		}
		sb.WriteString(openTags(sp.Style))
		writeEscaped(sb, sp.Text)
		sb.WriteString(closeTags(sp.Style))
	}
}

// separator is what goes between two blocks: consecutive bullets are one
// list, everything else is a paragraph of its own (as rich.Text.String).
func separator(prev, next rich.Block) string {
	if prev.Kind == rich.Bullet && next.Kind == rich.Bullet {
		return "\n"
	}
	return "\n\n"
}

// renderHTML renders t as one Telegram HTML text, into a builder sized
// once: growing it block by block was a top allocator under load.
func renderHTML(t rich.Text) string {
	var sb strings.Builder
	sb.Grow(htmlLen(t))
	for i, b := range t {
		if i > 0 {
			sb.WriteString(separator(t[i-1], b))
		}
		writeBlock(&sb, b)
	}
	return sb.String()
}

// htmlLen is len(renderHTML(t)), counted without rendering.
func htmlLen(t rich.Text) int {
	n := 0
	for i, b := range t {
		if i > 0 {
			n += len(separator(t[i-1], b))
		}
		switch b.Kind {
		case rich.Bullet:
			n += len(bulletPrefix)
		case rich.Pre:
			n += len("<pre></pre>")
		}
		for _, sp := range b.Spans {
			if sp.Text == "" {
				continue
			}
			n += escapedLen(sp.Text)
			if b.Kind != rich.Pre {
				n += tagUnits(sp.Style) // ASCII: as many bytes as units
			}
		}
	}
	return n
}

// sanitize returns t with valid UTF-8 everywhere and without empty spans
// or blocks with nothing visible, so no part of a reply is ever rejected
// for its encoding or sent empty.
func sanitize(t rich.Text) rich.Text {
	out := make(rich.Text, 0, len(t))
	for _, b := range t {
		// Only a block that needs a change is copied: most need none, and
		// copying every block's spans was a top allocator under load.
		if !clean(b.Spans) {
			spans := make([]rich.Span, 0, len(b.Spans))
			for _, sp := range b.Spans {
				if sp.Text != "" {
					sp.Text = strings.ToValidUTF8(sp.Text, "\uFFFD")
					spans = append(spans, sp)
				}
			}
			b.Spans = spans
		}
		if slices.ContainsFunc(b.Spans, func(sp rich.Span) bool { return strings.TrimSpace(sp.Text) != "" }) {
			out = append(out, b)
		}
	}
	return out
}

// clean says whether spans are all valid UTF-8 and none is empty.
func clean(spans []rich.Span) bool {
	for _, sp := range spans {
		if sp.Text == "" || !utf8.ValidString(sp.Text) {
			return false
		}
	}
	return true
}

// split cuts t into parts whose HTML is at most limit UTF-16 units each.
// It cuts between blocks where it can; a block longer than limit on its
// own is cut at a line break or between words (inside a word only when
// one word is longer than a whole message). Every part is whole blocks, so
// its HTML is valid on its own.
func split(t rich.Text, limit int) []rich.Text {
	// The blocks are cut and grouped in place, and each part is a window
	// on them: copying them was a top allocator under load.
	blocks := sanitize(t)
	for i := 0; i < len(blocks); i++ {
		if blockUnits(blocks[i]) > limit {
			cut := splitBlock(blocks[i], limit)
			blocks = slices.Replace(blocks, i, i+1, cut...)
			i += len(cut) - 1
		}
	}
	var parts []rich.Text
	start, size := 0, 0
	for i, b := range blocks {
		n := blockUnits(b)
		if i > start {
			if sep := units(separator(blocks[i-1], b)); size+sep+n <= limit {
				size += sep + n
				continue
			}
			parts = append(parts, blocks[start:i:i])
		}
		start, size = i, n
	}
	if start < len(blocks) {
		parts = append(parts, blocks[start:])
	}
	return parts
}

// atom is a word with the spaces after it, or a line with its line break:
// the smallest piece a block is cut into.
type atom struct {
	text  string
	style rich.Style
}

// atoms cuts a block's spans after every line break and after every run
// of spaces.
func atoms(b rich.Block) []atom {
	var out []atom
	for _, sp := range b.Spans {
		s := sp.Text
		start := 0
		prevSpace := false
		for i, r := range s {
			if prevSpace && !unicode.IsSpace(r) && i > start {
				out = append(out, atom{s[start:i], sp.Style})
				start = i
			}
			prevSpace = unicode.IsSpace(r)
			if r == '\n' {
				out = append(out, atom{s[start : i+1], sp.Style})
				start = i + 1
				prevSpace = false
			}
		}
		if start < len(s) {
			out = append(out, atom{s[start:], sp.Style})
		}
	}
	return out
}

// splitBlock cuts one block into blocks whose HTML fits in limit each.
func splitBlock(b rich.Block, limit int) []rich.Block {
	budget := limit - blockOverhead(b.Kind)
	style := func(a atom) rich.Style {
		if b.Kind == rich.Pre {
			return 0 // <pre> ignores inline styles
		}
		return a.style
	}
	// Words longer than a whole message are cut at rune boundaries.
	var as []atom
	for _, a := range atoms(b) {
		room := budget - tagUnits(style(a))
		for a.text != "" && escapedUnits(a.text) > room {
			n, cut := 0, 0
			for i, r := range a.text {
				w := escapedUnits(string(r))
				if n+w > room {
					cut = i
					break
				}
				n += w
			}
			if cut == 0 {
				// Not even one rune fits (a limit smaller than the tags):
				// a part over the limit beats never finishing.
				_, cut = utf8.DecodeRuneInString(a.text)
			}
			as = append(as, atom{a.text[:cut], a.style})
			a.text = a.text[cut:]
		}
		if a.text != "" {
			as = append(as, a)
		}
	}

	var out []rich.Block
	for i := 0; i < len(as); {
		j, cost := i, 0
		lastLine, lineCost := -1, 0
		for j < len(as) {
			c := escapedUnits(as[j].text)
			if j == i || style(as[j]) != style(as[j-1]) {
				c += tagUnits(style(as[j]))
			}
			if cost+c > budget {
				break
			}
			cost += c
			j++
			if strings.HasSuffix(as[j-1].text, "\n") {
				lastLine, lineCost = j, cost
			}
		}
		// Prefer ending at a line break, unless that leaves a short part.
		if j < len(as) && lastLine > i && lineCost >= budget/2 {
			j = lastLine
		}
		if j == i {
			j++ // one atom alone is over the limit (see above)
		}
		kind := b.Kind
		if len(out) > 0 && kind == rich.Bullet {
			kind = rich.Paragraph // the rest of the same item
		}
		out = append(out, rich.Block{Kind: kind, Spans: merge(as[i:j])})
		i = j
	}
	return out
}

// merge joins consecutive atoms of one style into spans.
func merge(as []atom) []rich.Span {
	var spans []rich.Span
	for i := 0; i < len(as); {
		j := i + 1
		for j < len(as) && as[j].style == as[i].style {
			j++
		}
		spans = append(spans, rich.Span{Text: join(as[i:j]), Style: as[i].style})
		i = j
	}
	return spans
}

// join concatenates the atoms' text into one string, built once: adding
// them one by one copied a long block's text over and over.
func join(as []atom) string {
	if len(as) == 1 {
		return as[0].text
	}
	n := 0
	for _, a := range as {
		n += len(a.text)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, a := range as {
		sb.WriteString(a.text)
	}
	return sb.String()
}

// validUTF8Label returns a button label Telegram accepts.
func validUTF8Label(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) > 64 {
		s = string([]rune(s)[:63]) + "…"
	}
	return s
}
