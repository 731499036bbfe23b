// Package platformfake answers for Telegram's Bot API and Discord's REST
// API in process (an http.RoundTripper, no sockets) and checks every
// message the adapters send against the platforms' limits. It is for
// tests only: the load benchmark and the router's platform fuzz test
// share it.
package platformfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Ids of the fake platforms' bot and places.
const (
	TelegramToken  = "123456:fake-test-token"
	TelegramBot    = "uscebot_fake_bot"
	DiscordToken   = "MTEwMDAwMDAwMDAwMDAwMDAwMg.GabcDe.fake-test-token"
	DiscordApp     = "1100000000000000001"
	DiscordBot     = "1100000000000000002"
	DiscordGuild   = "1200000000000000001"
	DiscordChannel = "1300000000000000001"
)

// Fake Telegram and Discord: just enough of their HTTP APIs, answered in
// process, with every message the adapters send checked against the
// platform's limits.

// Platforms is an http.RoundTripper answering for api.telegram.org
// (at telegram.invalid) and discord.com.
type Platforms struct {
	mu      sync.Mutex
	pending [][]byte // Telegram updates not yet confirmed, in order
	firstID int64    // id of pending[0]
	nextID  int64
	wake    chan struct{}

	checked map[string]bool // bodies already checked: most replies repeat
	key     []byte          // checkDiscord's key into checked, reused
	bad     []string
	nBad    int
	st      SendStats
}

// SendStats sums up what the adapters sent.
type SendStats struct {
	telegramParts, telegramEdits, discordMessages int
	maxTelegramUnits, maxDiscordEmbeds            int
	distinct                                      int
}

// Merge adds o to s.
func (s *SendStats) Merge(o SendStats) {
	s.telegramParts += o.telegramParts
	s.telegramEdits += o.telegramEdits
	s.discordMessages += o.discordMessages
	s.maxTelegramUnits = max(s.maxTelegramUnits, o.maxTelegramUnits)
	s.maxDiscordEmbeds = max(s.maxDiscordEmbeds, o.maxDiscordEmbeds)
	s.distinct += o.distinct
}

func (s SendStats) String() string {
	return fmt.Sprintf("%d Telegram message parts (longest %d of 4096 units), %d edits; %d Discord messages (largest %d of 6000 embed characters); %d distinct bodies checked",
		s.telegramParts, s.maxTelegramUnits, s.telegramEdits, s.discordMessages, s.maxDiscordEmbeds, s.distinct)
}

func New() *Platforms {
	return &Platforms{firstID: 1, nextID: 1, wake: make(chan struct{}, 1), checked: make(map[string]bool)}
}

// pushUpdate queues a Telegram update, built once its id is known.
func (f *Platforms) PushUpdate(build func(id int64) []byte) {
	f.mu.Lock()
	f.pending = append(f.pending, build(f.nextID))
	f.nextID++
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *Platforms) violation(format string, args ...any) {
	f.nBad++
	if len(f.bad) < 10 {
		f.bad = append(f.bad, fmt.Sprintf(format, args...))
	}
}

func (f *Platforms) Violations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.bad)
	if f.nBad > len(f.bad) {
		out = append(out, fmt.Sprintf("... and %d more limit violations", f.nBad-len(f.bad)))
	}
	return out
}

func (f *Platforms) Stats() SendStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.st
	s.distinct = len(f.checked)
	return s
}

func (f *Platforms) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		// Both libraries send the length: reading into a buffer of that
		// size is one allocation, where io.ReadAll grew from 512 bytes,
		// and reading bodies was the fake's largest allocation under load.
		var buf bytes.Buffer
		if req.ContentLength > 0 {
			buf.Grow(int(req.ContentLength) + bytes.MinRead) // room to see EOF
		}
		_, err := buf.ReadFrom(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = buf.Bytes()
	}
	switch req.URL.Host {
	case "telegram.invalid":
		return f.telegram(req, body)
	case "discord.com":
		return f.discord(req, body)
	}
	return nil, fmt.Errorf("fake platforms: unexpected request to %s", req.URL.Host)
}

func response(req *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": jsonType},
		Body:          newBody(body),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// jsonType is every response's Content-Type, one slice for all of them:
// a client may replace a header's values but never writes into them.
var jsonType = []string{"application/json"}

// responseBody is a response's body: one allocation, where io.NopCloser
// around a strings.Reader is two.
type responseBody struct{ strings.Reader }

func newBody(s string) *responseBody {
	b := &responseBody{}
	b.Reset(s)
	return b
}

func (*responseBody) Close() error { return nil }

const tgOK = `{"ok":true,"result":true}`

func (f *Platforms) telegram(req *http.Request, body []byte) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]
	if !strings.HasPrefix(req.URL.Path, "/bot"+TelegramToken+"/") {
		return response(req, http.StatusUnauthorized, `{"ok":false,"error_code":401,"description":"Unauthorized"}`), nil
	}
	switch method {
	case "getMe":
		return response(req, http.StatusOK, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"uscebot","username":"`+TelegramBot+`"}}`), nil
	case "getUpdates":
		return f.getUpdates(req, body)
	case "sendMessage", "editMessageText":
		f.checkTelegram(method, body)
		return response(req, http.StatusOK, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"ok"}}`), nil
	case "sendDocument":
		f.mu.Lock()
		f.st.telegramParts++
		f.mu.Unlock()
		return response(req, http.StatusOK, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`), nil
	}
	return response(req, http.StatusOK, tgOK), nil // setMyCommands, deleteWebhook, answerCallbackQuery, editMessageReplyMarkup
}

// getUpdates hands out the pending updates from offset on, waiting up to
// the request's timeout for one to come.
func (f *Platforms) getUpdates(req *http.Request, body []byte) (*http.Response, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	offset, _ := strconv.ParseInt(form.Get("offset"), 10, 64)
	limit, _ := strconv.Atoi(form.Get("limit"))
	timeout, _ := strconv.Atoi(form.Get("timeout"))
	if limit <= 0 {
		limit = 100
	}
	wait := time.NewTimer(time.Duration(timeout) * time.Second)
	defer wait.Stop()
	for {
		f.mu.Lock()
		if drop := min(max(offset-f.firstID, 0), int64(len(f.pending))); drop > 0 {
			f.pending = f.pending[drop:]
			f.firstID += drop
		}
		if len(f.pending) > 0 || timeout == 0 {
			batch := f.pending[:min(limit, len(f.pending))]
			var out bytes.Buffer
			out.WriteString(`{"ok":true,"result":[`)
			for i, u := range batch {
				if i > 0 {
					out.WriteByte(',')
				}
				out.Write(u)
			}
			out.WriteString(`]}`)
			f.mu.Unlock()
			return response(req, http.StatusOK, out.String()), nil
		}
		f.mu.Unlock()
		select {
		case <-f.wake:
		case <-wait.C:
			timeout = 0
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
}

// checkTelegram checks a message the Telegram adapter sent: at most 4,096
// UTF-16 units of text (Telegram counts after parsing the HTML, which is
// never longer), valid UTF-8, not empty; buttons with a label and 1-64
// bytes of callback data.
func (f *Platforms) checkTelegram(method string, body []byte) {
	key := body
	if bytes.HasPrefix(key, []byte("chat_id=")) {
		if i := bytes.IndexByte(key, '&'); i >= 0 {
			key = key[i+1:] // the same reply to another chat is the same reply
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if method == "sendMessage" {
		f.st.telegramParts++
	} else {
		f.st.telegramEdits++
	}
	if f.checked[string(key)] {
		return
	}
	if len(f.checked) >= 1<<16 { // a long fuzz run: forget, rather than grow
		clear(f.checked)
	}
	f.checked[string(key)] = true
	form, err := url.ParseQuery(string(body))
	if err != nil {
		f.violation("telegram %s: body is not a form: %v", method, err)
		return
	}
	text := form.Get("text")
	n := utf16Len(text)
	f.st.maxTelegramUnits = max(f.st.maxTelegramUnits, n)
	switch {
	case n > 4096:
		f.violation("telegram %s: text of %d UTF-16 units, limit 4096", method, n)
	case strings.TrimSpace(text) == "":
		f.violation("telegram %s: empty text", method)
	case !utf8.ValidString(text):
		f.violation("telegram %s: text is not UTF-8", method)
	}
	if rm := form.Get("reply_markup"); rm != "" && rm != "null" {
		var markup struct {
			InlineKeyboard [][]struct {
				Text         string  `json:"text"`
				CallbackData *string `json:"callback_data"`
				URL          string  `json:"url"`
			} `json:"inline_keyboard"`
		}
		if err := json.Unmarshal([]byte(rm), &markup); err != nil {
			f.violation("telegram %s: reply_markup %q: %v", method, rm, err)
			return
		}
		for _, row := range markup.InlineKeyboard {
			for _, b := range row {
				switch {
				case strings.TrimSpace(b.Text) == "":
					f.violation("telegram %s: a button without a label", method)
				case b.CallbackData == nil && b.URL == "":
					f.violation("telegram %s: button %q does nothing", method, b.Text)
				case b.CallbackData != nil && (len(*b.CallbackData) < 1 || len(*b.CallbackData) > 64):
					f.violation("telegram %s: button %q has %d bytes of callback data, limit 64", method, b.Text, len(*b.CallbackData))
				}
			}
		}
	}
}

const dcMessageJSON = `{"id":"1360000000000000002","channel_id":"` + DiscordChannel + `","type":0,"content":"",` +
	`"author":{"id":"` + DiscordBot + `","username":"uscebot","bot":true},"timestamp":"2026-03-01T12:00:01Z"}`

func (f *Platforms) discord(req *http.Request, body []byte) (*http.Response, error) {
	p := strings.TrimPrefix(req.URL.Path, "/api/v9/")
	switch {
	case req.Method == http.MethodGet && p == "users/@me":
		return response(req, http.StatusOK, `{"id":"`+DiscordBot+`","username":"uscebot","bot":true,"discriminator":"0"}`), nil
	case req.Method == http.MethodGet && p == "oauth2/applications/@me":
		return response(req, http.StatusOK, `{"id":"`+DiscordApp+`","name":"uscebot"}`), nil
	case req.Method == http.MethodPut && strings.HasPrefix(p, "applications/"):
		return response(req, http.StatusOK, `[]`), nil
	case req.Method == http.MethodPost && strings.HasPrefix(p, "interactions/") && strings.HasSuffix(p, "/callback"):
		f.checkDiscord("interaction response", req.Header.Get("Content-Type"), body, true)
		return response(req, http.StatusNoContent, ""), nil
	case req.Method == http.MethodPost && strings.HasPrefix(p, "webhooks/"):
		f.checkDiscord("follow-up", req.Header.Get("Content-Type"), body, false)
		return response(req, http.StatusOK, dcMessageJSON), nil
	case req.Method == http.MethodPatch && strings.HasPrefix(p, "webhooks/"):
		f.checkDiscord("edit", req.Header.Get("Content-Type"), body, false)
		return response(req, http.StatusOK, dcMessageJSON), nil
	case req.Method == http.MethodPost && strings.HasPrefix(p, "channels/") && strings.HasSuffix(p, "/messages"):
		f.checkDiscord("channel message", req.Header.Get("Content-Type"), body, false)
		return response(req, http.StatusOK, dcMessageJSON), nil
	case req.Method == http.MethodPost && p == "users/@me/channels":
		// Opening a DM (reminders): the channel of the one recipient.
		var open struct {
			RecipientID string `json:"recipient_id"`
		}
		if err := json.Unmarshal(body, &open); err != nil || open.RecipientID == "" {
			f.mu.Lock()
			f.violation("discord: DM channel without a recipient: %s", body)
			f.mu.Unlock()
			return response(req, http.StatusBadRequest, `{"message":"Invalid Form Body","code":50035}`), nil
		}
		return response(req, http.StatusOK, `{"id":"`+DiscordChannel+`","type":1,"recipients":[{"id":"`+open.RecipientID+`","username":"user"}]}`), nil
	}
	f.mu.Lock()
	f.violation("discord: unexpected %s %s", req.Method, req.URL.Path)
	f.mu.Unlock()
	return response(req, http.StatusNotFound, `{"message":"404: Not Found","code":0}`), nil
}

// dcPayload is the part of a Discord message body the limits are about.
type dcPayload struct {
	Content    *string       `json:"content"`
	Embeds     *[]dcEmbed    `json:"embeds"`
	Components []dcComponent `json:"components"`
	CustomID   string        `json:"custom_id"` // a modal's
	Title      string        `json:"title"`     // a modal's
}

type dcEmbed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

type dcComponent struct {
	Type        int           `json:"type"`
	CustomID    string        `json:"custom_id"`
	Label       string        `json:"label"`
	Placeholder string        `json:"placeholder"`
	URL         string        `json:"url"`
	Options     []dcOption    `json:"options"`
	Components  []dcComponent `json:"components"`
}

type dcOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// checkDiscord checks one message the Discord adapter sent against
// Discord's limits: content 2,000; embed title 256, description 4,096,
// field value 1,024, footer 2,048, 6,000 in all, 10 embeds; 5 rows of 5
// buttons or one menu; custom ids 100, labels 80 and not empty; 25 menu
// options of 100; modal titles 45; and never an empty message.
func (f *Platforms) checkDiscord(what, ctype string, body []byte, response bool) {
	files := 0
	if mt, params, err := mime.ParseMediaType(ctype); err == nil && mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		body = nil
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(part)
			if part.FormName() == "payload_json" {
				body = data
			} else {
				files++
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.discordMessages++
	// The key is built in a buffer kept for it: looking a []byte up copies
	// nothing, and most bodies are repeats, already in the map.
	f.key = append(append(append(f.key[:0], what...), 0), body...)
	if f.checked[string(f.key)] && files == 0 {
		return
	}
	if len(f.checked) >= 1<<16 {
		clear(f.checked)
	}
	f.checked[string(f.key)] = true
	typ := 0
	var p dcPayload
	if response {
		var r struct {
			Type int        `json:"type"`
			Data *dcPayload `json:"data"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			f.violation("discord %s: %v in %s", what, err, body)
			return
		}
		typ = r.Type
		if r.Data != nil {
			p = *r.Data
		}
	} else if err := json.Unmarshal(body, &p); err != nil {
		f.violation("discord %s: %v in %s", what, err, body)
		return
	}
	bad := func(format string, args ...any) {
		f.violation("discord %s: "+format+" in %s", append(append([]any{what}, args...), body)...)
	}
	if p.Content != nil && utf16Len(*p.Content) > 2000 {
		bad("content of %d characters, limit 2000", utf16Len(*p.Content))
	}
	var embeds []dcEmbed
	if p.Embeds != nil {
		embeds = *p.Embeds
	}
	if len(embeds) > 10 {
		bad("%d embeds, limit 10", len(embeds))
	}
	total := 0
	for _, e := range embeds {
		n := utf16Len(e.Title) + utf16Len(e.Description)
		if utf16Len(e.Title) > 256 {
			bad("embed title of %d characters, limit 256", utf16Len(e.Title))
		}
		if utf16Len(e.Description) > 4096 {
			bad("embed description of %d characters, limit 4096", utf16Len(e.Description))
		}
		if len(e.Fields) > 25 {
			bad("%d fields, limit 25", len(e.Fields))
		}
		for _, fl := range e.Fields {
			n += utf16Len(fl.Name) + utf16Len(fl.Value)
			if utf16Len(fl.Name) > 256 || utf16Len(fl.Value) > 1024 || strings.TrimSpace(fl.Name) == "" || strings.TrimSpace(fl.Value) == "" {
				bad("field %q: name 1-256, value 1-1024 characters", fl.Name)
			}
		}
		if e.Footer != nil {
			n += utf16Len(e.Footer.Text)
			if utf16Len(e.Footer.Text) > 2048 {
				bad("footer of %d characters, limit 2048", utf16Len(e.Footer.Text))
			}
		}
		if e.Author != nil {
			n += utf16Len(e.Author.Name)
		}
		if n == 0 {
			bad("an empty embed")
		}
		total += n
	}
	if total > 6000 {
		bad("embeds of %d characters in all, limit 6000", total)
	}
	f.st.maxDiscordEmbeds = max(f.st.maxDiscordEmbeds, total)
	if typ == int(discordgo.InteractionResponseModal) {
		if t := utf16Len(p.Title); t < 1 || t > 45 {
			bad("modal title of %d characters, limit 1-45", t)
		}
		if len(p.CustomID) < 1 || len(p.CustomID) > 100 {
			bad("modal custom id of %d bytes, limit 1-100", len(p.CustomID))
		}
	}
	checkDiscordComponents(p.Components, bad)
	// Messages must say something; deferrals (5, 6) and modals carry none.
	empty := (p.Content == nil || strings.TrimSpace(*p.Content) == "") && total == 0 && len(p.Components) == 0 && files == 0
	if empty && (!response || typ == int(discordgo.InteractionResponseChannelMessageWithSource) || typ == int(discordgo.InteractionResponseUpdateMessage)) {
		bad("an empty message")
	}
}

func checkDiscordComponents(rows []dcComponent, bad func(string, ...any)) {
	if len(rows) > 5 {
		bad("%d component rows, limit 5", len(rows))
	}
	ids := map[string]bool{}
	for _, row := range rows {
		if row.Type != int(discordgo.ActionsRowComponent) {
			bad("a top-level component of type %d, want an action row", row.Type)
			continue
		}
		menus, buttons := 0, 0
		for _, c := range row.Components {
			if c.CustomID != "" {
				if len(c.CustomID) > 100 {
					bad("custom id of %d bytes, limit 100", len(c.CustomID))
				}
				if ids[c.CustomID] {
					bad("duplicate custom id %q", c.CustomID)
				}
				ids[c.CustomID] = true
			}
			switch c.Type {
			case int(discordgo.ButtonComponent):
				buttons++
				if l := utf16Len(c.Label); l < 1 || l > 80 || strings.TrimSpace(c.Label) == "" {
					bad("button label %q: 1-80 characters", c.Label)
				}
				if c.CustomID == "" && c.URL == "" {
					bad("button %q without a custom id", c.Label)
				}
			case int(discordgo.SelectMenuComponent):
				menus++
				if len(c.Options) < 1 || len(c.Options) > 25 {
					bad("select menu of %d options, limit 1-25", len(c.Options))
				}
				if utf16Len(c.Placeholder) > 150 {
					bad("select placeholder of %d characters, limit 150", utf16Len(c.Placeholder))
				}
				for _, o := range c.Options {
					if l, v := utf16Len(o.Label), utf16Len(o.Value); l < 1 || l > 100 || v < 1 || v > 100 {
						bad("select option %q/%q: 1-100 characters each", o.Label, o.Value)
					}
				}
			default:
				bad("a component of type %d in a message", c.Type)
			}
		}
		if buttons > 5 || menus > 1 || (menus == 1 && buttons > 0) || buttons+menus == 0 {
			bad("a row of %d buttons and %d menus: 1-5 buttons or one menu", buttons, menus)
		}
	}
}

// utf16Len is the length of s in UTF-16 code units, as the platforms
// count: one per rune, two for a rune past U+FFFF (which UTF-16 encodes as
// a surrogate pair). Counted here apart from the adapters' own count, and
// without encoding s: converting every text checked to []rune and then
// to UTF-16 was most of what the fake allocated on new replies.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// BadCount is how many limit violations the fake has seen.
func (f *Platforms) BadCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nBad
}
