package platformfake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/bot/platformfake"
)

// answerHTML is a reply of about 3 KB as the Telegram adapter renders it.
func answerHTML(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<b>Does a tele rotation count as USCE? (%d)</b>\n\n", n)
	for i := range 6 {
		fmt.Fprintf(&b, "<b>Point %d.</b> Programs read &quot;US clinical experience&quot; as hands-on work in a US hospital &amp; clinic — “virtual” &lt; in person 🩺. ", i)
		b.WriteString(strings.Repeat("More words about observerships and externships. ", 4))
		b.WriteString("\n\n• first item\n• second item")
	}
	return b.String()
}

// telegramBody is a sendMessage form as the Telegram library encodes it.
func telegramBody(chat int64, text string) string {
	return url.Values{
		"chat_id":                  {strconv.FormatInt(chat, 10)},
		"text":                     {text},
		"parse_mode":               {"HTML"},
		"disable_web_page_preview": {"true"},
		"reply_markup":             {`{"inline_keyboard":[[{"text":"Yes","callback_data":"intake:consent:yes"},{"text":"No","callback_data":"intake:consent:no"}]]}`},
	}.Encode()
}

// discordBody is an edit of a deferred reply as discordgo encodes it.
func discordBody(n int) string {
	content := ""
	embeds := []*discordgo.MessageEmbed{{
		Title:       fmt.Sprintf("Does a tele rotation count as USCE? (%d)", n),
		Description: strings.Repeat("**Point.** Programs read \\\"US clinical experience\\\" as hands\\-on work — “virtual” \\< in person 🩺. ", 25),
		Color:       0x2E86C1,
		Fields:      []*discordgo.MessageEmbedField{{Name: "Related", Value: "Telehealth types / USCE definition"}},
		Footer:      &discordgo.MessageEmbedFooter{Text: `Sources: "Guide" (AAMC)`},
	}}
	comps := []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Yes", CustomID: "intake:consent:yes"},
		discordgo.Button{Label: "No", CustomID: "intake:consent:no"},
	}}}
	raw, err := json.Marshal(discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &comps,
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}})
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// send sends a request the way both libraries make them: with its
// length; unsized leaves the length unknown.
func send(tb testing.TB, f *platformfake.Platforms, method, target, ctype, body string, unsized bool) {
	tb.Helper()
	var r io.Reader = strings.NewReader(body)
	if unsized {
		r = io.NopCloser(r) // a reader http.NewRequest cannot measure
	}
	req, err := http.NewRequest(method, target, r)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := f.RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
}

const (
	tgSend = "http://telegram.invalid/bot" + platformfake.TelegramToken + "/sendMessage"
	dcEdit = "https://discord.com/api/v9/webhooks/" + platformfake.DiscordApp + "/token/messages/@original"
	form   = "application/x-www-form-urlencoded"
)

// BenchmarkRoundTrip sends 100 messages per platform: the same reply to
// different chats (checked once, then recognised) or different replies
// (each checked in full).
func BenchmarkRoundTrip(b *testing.B) {
	for _, distinct := range []bool{false, true} {
		var tg, dc []string
		for i := range 100 {
			n := 0
			if distinct {
				n = i
			}
			tg = append(tg, telegramBody(int64(1000+i), answerHTML(n)))
			dc = append(dc, discordBody(n))
		}
		name := "repeated"
		if distinct {
			name = "distinct"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f := platformfake.New()
				for i := range tg {
					send(b, f, http.MethodPost, tgSend, form, tg[i], false)
					send(b, f, http.MethodPatch, dcEdit, "application/json", dc[i], false)
				}
				if v := f.Violations(); len(v) > 0 {
					b.Fatalf("violations: %q", v)
				}
			}
		})
	}
}

// TestChecks holds the fake to checking every body it is sent, whether
// its length is known or not, and a repeated body once.
func TestChecks(t *testing.T) {
	f := platformfake.New()
	for chat := range 3 {
		send(t, f, http.MethodPost, tgSend, form, telegramBody(int64(chat), strings.Repeat("x", 4097)), false)
	}
	send(t, f, http.MethodPost, tgSend, form, telegramBody(1, strings.Repeat("y", 4097)), true)
	send(t, f, http.MethodPatch, dcEdit, "application/json", `{"embeds":[{"title":"`+strings.Repeat("t", 257)+`"}]}`, true)
	send(t, f, http.MethodPatch, dcEdit, "application/json", discordBody(1), false)
	send(t, f, http.MethodPost, tgSend, form, telegramBody(1, answerHTML(1)), true)
	if got := f.BadCount(); got != 3 {
		t.Errorf("BadCount = %d, want 3 (one per distinct bad body): %q", got, f.Violations())
	}
	if got := f.Stats().String(); !strings.HasPrefix(got, "5 Telegram message parts") || !strings.Contains(got, "2 Discord messages") {
		t.Errorf("Stats = %s", got)
	}
}
