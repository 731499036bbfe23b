package discord

import (
	"bytes"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

// Discord's limits on a message, which discordgo does not check. Lengths
// are counted in UTF-16 code units, which is never less than what Discord
// counts.
const (
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxFieldValue       = 1024
	maxFooter           = 2048
	maxEmbedsTotal      = 6000 // all text of all embeds of one message
	maxEmbedsPerMessage = 10
	maxButtonsPerRow    = 5
	maxRows             = 5
	maxButtonLabel      = 80
	maxSelectOptions    = 25
	maxSelectText       = 100 // an option's label and value
	maxCustomID         = 100 // bytes, to be safe: Discord counts characters
	maxModalTitle       = 45
	maxInputPlaceholder = 100
	maxAnswer           = 400 // what the modal's text input takes
)

// embedColor is the bar beside every embed.
const embedColor = 0x2E86C1

// Custom ids of the adapter's own components. The router's choices use
// their own ids ("intake:<step>:<value>", "forget:no"), which never start
// with "dc/".
const (
	idSelect = "dc/sel:" // + step: a select menu of an Input's suggestions
	idPick   = "dc/pick" // a select menu of Choices too many for buttons; values are Choice IDs
	idAnswer = "dc/ans:" // + step + ":" + question: opens the modal of a free-text answer
	idModal  = "dc/mod:" // + step: that modal, whose submission is the answer
	inputID  = "answer"  // the modal's text input
)

// outMessage is one Discord message of a reply.
type outMessage struct {
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	files      []*discordgo.File
}

// render turns a reply into messages: its text as embeds (several
// messages if it is long), the components on the last message, the file
// on the first. guild says whether the reply goes to a server, where free
// text is answered in a modal rather than typed. nil means nothing to send.
func render(r bot.Reply, guild bool) []outMessage {
	var out []outMessage
	for _, embeds := range renderText(r.Text) {
		out = append(out, outMessage{embeds: embeds})
	}
	comps := components(r, guild)
	if len(out) == 0 && (len(comps) > 0 || r.File != nil) {
		out = append(out, outMessage{})
	}
	if len(out) == 0 {
		return nil
	}
	out[len(out)-1].components = comps
	if r.File != nil {
		ctype := "application/octet-stream"
		if path.Ext(r.File.Name) == ".json" {
			ctype = "application/json"
		}
		out[0].files = []*discordgo.File{{Name: r.File.Name, ContentType: ctype, Reader: bytes.NewReader(r.File.Data)}}
	}
	return out
}

// renderText renders t as embeds, grouped into messages within Discord's
// limits. The first paragraph, when all bold, is the title; a paragraph
// labelled "Related:" is a field and one labelled "Sources:" the footer
// (the shape of bot.AnswerText); the rest is the description, split
// between blocks or words into as many embeds as it needs, never cut
// inside a word.
func renderText(t rich.Text) [][]*discordgo.MessageEmbed {
	t = slices.Clone(t)
	title := ""
	if len(t) > 0 && allBold(t[0]) {
		if s := escapeInline(strings.TrimSpace(plain(t[0].Spans))); ulen(s) <= maxEmbedTitle {
			title = s
			t = t[1:]
		}
	}
	var related *discordgo.MessageEmbedField
	if i := labelled(t, "Related:"); i >= 0 {
		if v := renderLine("", t[i].Spans[1:]); v != "" && ulen(v) <= maxFieldValue {
			related = &discordgo.MessageEmbedField{Name: "Related", Value: v}
			t = slices.Delete(t, i, i+1)
		}
	}
	footer := ""
	if i := labelled(t, "Sources:"); i >= 0 {
		// Footers show no markdown: the text goes as it is.
		if f := "Sources: " + strings.TrimSpace(plain(t[i].Spans[1:])); ulen(f) <= maxFooter {
			footer = f
			t = slices.Delete(t, i, i+1)
		}
	}

	var embeds []*discordgo.MessageEmbed
	for _, c := range splitText(t, maxEmbedDescription) {
		embeds = append(embeds, &discordgo.MessageEmbed{Description: c, Color: embedColor})
	}
	if len(embeds) == 0 {
		if title == "" && related == nil && footer == "" {
			return nil
		}
		embeds = append(embeds, &discordgo.MessageEmbed{Color: embedColor})
	}
	embeds[0].Title = title
	if related != nil || footer != "" {
		last := embeds[len(embeds)-1]
		tail := ulen(footer)
		if related != nil {
			tail += ulen(related.Name) + ulen(related.Value)
		}
		if embedSize(last)+tail > maxEmbedsTotal {
			last = &discordgo.MessageEmbed{Color: embedColor}
			embeds = append(embeds, last)
		}
		if related != nil {
			last.Fields = []*discordgo.MessageEmbedField{related}
		}
		if footer != "" {
			last.Footer = &discordgo.MessageEmbedFooter{Text: footer}
		}
	}

	var msgs [][]*discordgo.MessageEmbed
	var cur []*discordgo.MessageEmbed
	size := 0
	for _, e := range embeds {
		n := embedSize(e)
		if len(cur) > 0 && (len(cur) == maxEmbedsPerMessage || size+n > maxEmbedsTotal) {
			msgs = append(msgs, cur)
			cur, size = nil, 0
		}
		cur = append(cur, e)
		size += n
	}
	return append(msgs, cur)
}

// embedSize is what an embed counts toward a message's 6,000 characters.
func embedSize(e *discordgo.MessageEmbed) int {
	n := ulen(e.Title) + ulen(e.Description)
	for _, f := range e.Fields {
		n += ulen(f.Name) + ulen(f.Value)
	}
	if e.Footer != nil {
		n += ulen(e.Footer.Text)
	}
	if e.Author != nil {
		n += ulen(e.Author.Name)
	}
	return n
}

func allBold(b rich.Block) bool {
	if b.Kind != rich.Paragraph || len(b.Spans) == 0 {
		return false
	}
	for _, s := range b.Spans {
		if s.Style&rich.Bold == 0 {
			return false
		}
	}
	return true
}

// labelled returns the index of the paragraph that starts with a bold
// label, -1 if none.
func labelled(t rich.Text, label string) int {
	for i, b := range t {
		if b.Kind == rich.Paragraph && len(b.Spans) > 1 && b.Spans[0].Style&rich.Bold != 0 &&
			strings.TrimSpace(b.Spans[0].Text) == label {
			return i
		}
	}
	return -1
}

func plain(spans []rich.Span) string {
	if len(spans) == 1 {
		return spans[0].Text // a title or the sources: no copy
	}
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// part is a rendered piece of text and what separates it from the piece
// before it.
type part struct{ sep, text string }

// splitText renders t as Discord markdown in chunks of at most limit,
// split between blocks where it can, else between words.
func splitText(t rich.Text, limit int) []string {
	parts := make([]part, 0, len(t))
	var pieces []string
	for i, blk := range t {
		sep := "\n\n"
		if i > 0 && blk.Kind == rich.Bullet && t[i-1].Kind == rich.Bullet {
			sep = "\n"
		}
		pieces = renderBlock(pieces[:0], blk, limit)
		for j, p := range pieces {
			if j > 0 {
				sep = "\n"
			}
			parts = append(parts, part{sep, p})
		}
	}
	// Each chunk's builder is sized once, to what is left to write or to
	// limit, the most a chunk holds unless its text is not ASCII: growing
	// it part by part was a top allocator under load.
	rest := 0
	for _, p := range parts {
		rest += len(p.sep) + len(p.text)
	}
	var chunks []string
	var cur strings.Builder
	n := 0
	for _, p := range parts {
		rest -= len(p.sep) + len(p.text)
		if p.text == "" {
			continue
		}
		add := ulen(p.text)
		if n > 0 && n+ulen(p.sep)+add > limit {
			chunks = append(chunks, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteString(p.sep)
			n += ulen(p.sep)
		} else {
			cur.Grow(min(len(p.text)+rest, limit))
		}
		cur.WriteString(p.text)
		n += add
	}
	if n > 0 {
		chunks = append(chunks, cur.String())
	}
	return chunks
}

// renderBlock appends one block rendered in pieces of at most limit each
// to out: one piece unless the block alone is longer. (Appending spares
// a slice per block.)
func renderBlock(out []string, b rich.Block, limit int) []string {
	if b.Kind == rich.Pre {
		return append(out, renderPre(plain(b.Spans), limit)...)
	}
	prefix := ""
	if b.Kind == rich.Bullet {
		prefix = "- "
	}
	if whole := renderLine(prefix, b.Spans); ulen(whole) <= limit {
		return append(out, whole)
	}
	// Too long: cut between words. A token is a word and the space after
	// it; a piece's length is at most the sum of its tokens rendered one
	// by one, so the sum is what is counted.
	var cur []rich.Span
	n := ulen(prefix)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, renderLine(prefix, merge(cur)))
			prefix, cur, n = "", nil, 0
		}
	}
	for _, tok := range tokens(b.Spans) {
		l := ulen(renderSpan(tok))
		if l > limit-ulen(prefix) {
			// One word longer than a whole embed (pasted junk): the only
			// place a word is cut.
			flush()
			out = append(out, hardSplit(tok, limit)...)
			continue
		}
		if n+l > limit {
			flush()
		}
		cur = append(cur, tok)
		n += l
	}
	flush()
	return out
}

// tokens splits spans into words, each with the space after it.
func tokens(spans []rich.Span) []rich.Span {
	var out []rich.Span
	for _, s := range spans {
		text := s.Text
		for text != "" {
			i := strings.IndexFunc(text, unicode.IsSpace)
			if i < 0 {
				out = append(out, rich.Span{Text: text, Style: s.Style})
				break
			}
			j := i + strings.IndexFunc(text[i:], func(r rune) bool { return !unicode.IsSpace(r) })
			if j < i {
				j = len(text)
			}
			out = append(out, rich.Span{Text: text[:j], Style: s.Style})
			text = text[j:]
		}
	}
	return out
}

// merge joins consecutive tokens of one style back into spans.
func merge(toks []rich.Span) []rich.Span {
	var out []rich.Span
	for i := 0; i < len(toks); {
		j := i + 1
		for j < len(toks) && toks[j].Style == toks[i].Style {
			j++
		}
		out = append(out, rich.Span{Text: join(toks[i:j]), Style: toks[i].Style})
		i = j
	}
	return out
}

// join concatenates the tokens' text into one string, built once: adding
// them one by one copied a long block's text over and over.
func join(toks []rich.Span) string {
	if len(toks) == 1 {
		return toks[0].Text
	}
	n := 0
	for _, t := range toks {
		n += len(t.Text)
	}
	var b strings.Builder
	b.Grow(n)
	for _, t := range toks {
		b.WriteString(t.Text)
	}
	return b.String()
}

// hardSplit cuts one overlong word into pieces of at most limit rendered.
func hardSplit(tok rich.Span, limit int) []string {
	// The markers, and room for a mention neutralised at the cut.
	budget := limit - ulen(renderSpan(rich.Span{Text: "x", Style: tok.Style})) + 1 - 2
	var out []string
	var cur strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(tok.Text) {
		l := ulen(escape(string(r)))
		if n+l > budget {
			out = append(out, renderSpan(rich.Span{Text: cur.String(), Style: tok.Style}))
			cur.Reset()
			n = 0
		}
		cur.WriteRune(r)
		n += l
	}
	if n > 0 {
		out = append(out, renderSpan(rich.Span{Text: cur.String(), Style: tok.Style}))
	}
	return out
}

// renderPre renders preformatted text as code blocks of at most limit each.
func renderPre(s string, limit int) []string {
	const fence = "```"
	s = strings.ReplaceAll(s, fence, "`\u200b``")
	budget := limit - 2*len(fence) - 2 // the fences and their newlines
	var out []string
	var cur []string
	n := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, fence+"\n"+strings.Join(cur, "\n")+"\n"+fence)
			cur, n = nil, 0
		}
	}
	for _, line := range strings.Split(s, "\n") {
		for ulen(line) > budget {
			flush()
			cut := cutUnits(line, budget)
			cur = []string{line[:cut]}
			n = budget
			line = line[cut:]
		}
		if n > 0 && n+1+ulen(line) > budget {
			flush()
		}
		if len(cur) > 0 {
			n++
		}
		cur = append(cur, line)
		n += ulen(line)
	}
	flush()
	return out
}

// cutUnits returns the byte index where s reaches n UTF-16 units, on a
// rune boundary.
func cutUnits(s string, n int) int {
	units := 0
	for i, r := range s {
		u := utf16.RuneLen(r)
		if u < 1 {
			u = 1
		}
		if units+u > n {
			return i
		}
		units += u
	}
	return len(s)
}

// renderLine renders spans after prefix, without the space around them,
// in one builder sized up front: rendering, trimming and prefixing each
// made a copy, and rendering was a top allocator under load.
func renderLine(prefix string, spans []rich.Span) string {
	n := len(prefix)
	for _, s := range spans {
		n += len(s.Text) + len("****") // escapes aside
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for _, s := range spans {
		writeSpan(&b, s)
	}
	line := b.String()
	if body := strings.TrimSpace(line[len(prefix):]); len(body) < len(line)-len(prefix) {
		return prefix + body
	}
	return line
}

// renderSpan renders one span, as writeSpan writes it.
func renderSpan(s rich.Span) string {
	var b strings.Builder
	writeSpan(&b, s)
	return b.String()
}

// writeSpan writes one span: its text escaped, its style as markdown
// around it, any space outside the markers. It writes piece by piece:
// joining the pieces into strings was a top allocator under load.
func writeSpan(b *strings.Builder, s rich.Span) {
	core := strings.TrimSpace(s.Text)
	if core == "" {
		b.WriteString(s.Text)
		return
	}
	start := strings.Index(s.Text, core)
	b.WriteString(s.Text[:start])
	if s.Style&rich.Bold != 0 {
		b.WriteString("**")
	}
	switch {
	case s.Style&rich.Code != 0:
		// Nothing is parsed inside code, mentions included; a backtick
		// would end it early.
		b.WriteString("`")
		b.WriteString(strings.ReplaceAll(core, "`", "ˋ"))
		b.WriteString("`")
	case strings.Contains(core, "@"):
		b.WriteString(escape(core)) // a mention to break: rare
	case strings.ContainsAny(core, mdSpecial):
		writeEscaped(b, core, mdSpecial) // escape(core), without the copy
	default:
		b.WriteString(core)
	}
	if s.Style&rich.Bold != 0 {
		b.WriteString("**")
	}
	b.WriteString(s.Text[start+len(core):])
}

// mdSpecial are the characters Discord's markdown gives a meaning: each
// is escaped with a backslash, which Discord accepts before any
// punctuation. "<" stops <@id>, <#id> and <t:...> mentions.
const mdSpecial = "\\*_~`|>#-[]()<"

// inlineSpecial are the characters that change inline formatting, for
// text such as embed titles where block markdown does not apply.
const inlineSpecial = "\\*_~`|"

var massMention = regexp.MustCompile(`(?i)@(everyone|here)`)

// escape makes text literal in Discord markdown: markup characters are
// escaped and @everyone/@here broken with a zero-width space (messages
// also allow no mentions at all: this keeps them from even looking live).
func escape(s string) string {
	return breakMentions(escapeSet(s, mdSpecial))
}

func escapeInline(s string) string {
	return breakMentions(escapeSet(s, inlineSpecial))
}

// breakMentions puts a zero-width space in @everyone and @here. The
// regexp copies its input even when nothing matches, and text without an
// "@" cannot match: escaping every span was a top allocator under load.
func breakMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return massMention.ReplaceAllString(s, "@\u200b$1")
}

func escapeSet(s, set string) string {
	if !strings.ContainsAny(s, set) {
		return s // most text: ContainsAny is much quicker than counting
	}
	n := 0 // backslashes to add: set is ASCII
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) >= 0 {
			n++
		}
	}
	// Sized once: growing it rune by rune was a top allocator under load.
	var b strings.Builder
	b.Grow(len(s) + n)
	writeEscaped(&b, s, set)
	return b.String()
}

// writeEscaped writes s with a backslash before each character of set.
// It goes rune by rune, so invalid UTF-8 comes out as U+FFFD, as it always
// has in text with something to escape.
func writeEscaped(b *strings.Builder, s, set string) {
	for _, r := range s {
		if strings.ContainsRune(set, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// ulen is the length of s as Discord's limits count it.
func ulen(s string) int { return rich.UTF16Len(s) }

// clip shortens s to at most n UTF-16 units, at a word boundary where
// there is one, with an ellipsis: for labels and titles, which have
// limits of their own.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if ulen(s) <= n {
		return s
	}
	return clipWords(s, n-1) + "…"
}

// clipWords shortens s to at most n UTF-16 units, at the last word
// boundary before the limit (inside a word only if it is the first).
func clipWords(s string, n int) string {
	s = strings.TrimSpace(s)
	if ulen(s) <= n {
		return s
	}
	cut := cutUnits(s, n)
	if i := strings.LastIndexFunc(s[:cut+1], unicode.IsSpace); i > 0 {
		cut = i
	}
	return strings.TrimSpace(s[:cut])
}

// clipBytes is clipWords with a limit in bytes (custom ids).
func clipBytes(s string, n int) string {
	s = clipWords(s, n)
	for len(s) > n {
		s = clipWords(s, ulen(s)-1)
	}
	return s
}
