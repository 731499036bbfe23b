package discord_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Ids of the fake Discord. The bot user's id differs from the
// application's, as it does for older applications.
const (
	appID       = "1100000000000000001"
	botID       = "1100000000000000002"
	guildID     = "1200000000000000001"
	guild2ID    = "1200000000000000002"
	channelID   = "1300000000000000001"
	dmChannelID = "1300000000000000009"
	userID      = "1400000000000000001"
	goodToken   = "MTEwMDAwMDAwMDAwMDAwMDAwMg.GabcDe.s3cret-token_value-0123456789abcdefXYZ"
)

// request is one REST call the fake received. For a multipart body,
// Body is its payload_json part and Files the rest.
type request struct {
	Method, Path, Query, ContentType, Auth string
	Body                                   []byte
	Files                                  []upload
}

type upload struct {
	Field, Name, ContentType string
	Data                     []byte
}

// fakeDiscord answers like Discord's REST API (v9), errors included, and
// records every request.
type fakeDiscord struct {
	t   testing.TB
	srv *httptest.Server

	mu   sync.Mutex
	reqs []request
	subs []chan request

	// ws serves the gateway, when a test sets it before New.
	ws http.HandlerFunc
	// limited counts the requests still to refuse with a 429, by path
	// prefix (see rateLimit).
	limited map[string]int
}

// rateLimit makes the next n requests whose path starts with prefix fail
// as Discord's per-route limit does: 429, the rate-limit headers and a
// body giving retry_after in seconds.
func (f *fakeDiscord) rateLimit(prefix string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limited == nil {
		f.limited = map[string]int{}
	}
	f.limited[prefix] += n
}

// limit answers r with a 429 if a rateLimit asks for it.
func (f *fakeDiscord) limit(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for prefix, n := range f.limited {
		if n > 0 && strings.HasPrefix(r.URL.Path, prefix) {
			f.limited[prefix] = n - 1
			h := w.Header()
			h.Set("Retry-After", "1")
			h.Set("X-RateLimit-Limit", "5")
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset-After", "0.050")
			h.Set("X-RateLimit-Bucket", "c8bc2ba5d2dcd6b2d5a6b0c1d2e3f4a5")
			h.Set("X-RateLimit-Scope", "user")
			writeJSON(w, http.StatusTooManyRequests, `{"message": "You are being rate limited.", "retry_after": 0.05, "global": false}`)
			return true
		}
	}
	return false
}

func newFake(t testing.TB) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v9/users/@me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bot "+goodToken {
			writeJSON(w, http.StatusUnauthorized, `{"message": "401: Unauthorized", "code": 0}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"id": "`+botID+`", "username": "uscebot", "avatar": null, "discriminator": "4521",
			"public_flags": 524288, "flags": 524288, "bot": true, "banner": null, "accent_color": null,
			"global_name": null, "avatar_decoration_data": null, "mfa_enabled": false, "locale": "en-US",
			"premium_type": 0, "email": null, "verified": true, "bio": ""}`)
	})
	mux.HandleFunc("GET /api/v9/oauth2/applications/@me", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id": "`+appID+`", "name": "uscebot", "icon": null, "description": "",
			"type": null, "bot": {"id": "`+botID+`", "username": "uscebot", "bot": true, "discriminator": "4521"},
			"summary": "", "bot_public": true, "bot_require_code_grant": false, "verify_key": "abc",
			"flags": 8953856, "owner": {"id": "1400000000000000099", "username": "owner", "discriminator": "0"}}`)
	})
	commands := func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("app") != appID {
			writeJSON(w, http.StatusNotFound, `{"message": "Unknown Application", "code": 10002}`)
			return
		}
		var cmds []map[string]any
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &cmds); err != nil {
			writeJSON(w, http.StatusBadRequest, `{"message": "Invalid Form Body", "code": 50035}`)
			return
		}
		for i, c := range cmds {
			c["id"] = fmt.Sprintf("13100000000000000%02d", i)
			c["application_id"] = appID
			c["version"] = "1350000000000000001"
			if g := r.PathValue("guild"); g != "" {
				c["guild_id"] = g
			}
		}
		out, _ := json.Marshal(cmds)
		writeJSON(w, http.StatusOK, string(out))
	}
	mux.HandleFunc("PUT /api/v9/applications/{app}/commands", commands)
	mux.HandleFunc("PUT /api/v9/applications/{app}/guilds/{guild}/commands", commands)
	mux.HandleFunc("POST /api/v9/interactions/{id}/{token}/callback", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	message := func(w http.ResponseWriter, r *http.Request) {
		ch := r.PathValue("channel")
		if ch == "" {
			ch = channelID
		}
		writeJSON(w, http.StatusOK, `{"id": "1360000000000000001", "type": 0, "content": "", "channel_id": "`+ch+`",
			"author": {"id": "`+botID+`", "username": "uscebot", "bot": true, "discriminator": "4521"},
			"attachments": [], "embeds": [], "mentions": [], "mention_roles": [], "pinned": false,
			"mention_everyone": false, "tts": false, "timestamp": "2026-03-01T12:00:01.000000+00:00",
			"edited_timestamp": null, "flags": 0, "components": []}`)
	}
	mux.HandleFunc("POST /api/v9/webhooks/{app}/{token}", message)
	mux.HandleFunc("PATCH /api/v9/webhooks/{app}/{token}/messages/{msg}", message)
	mux.HandleFunc("POST /api/v9/channels/{channel}/messages", message)
	mux.HandleFunc("POST /api/v9/users/@me/channels", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id": "`+dmChannelID+`", "type": 1, "last_message_id": null, "flags": 0,
			"recipients": [{"id": "`+userID+`", "username": "asha.img", "discriminator": "0"}]}`)
	})
	mux.HandleFunc("GET /api/v9/gateway", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"url": "ws://`+r.Host+`/gateway-ws"}`)
	})
	mux.HandleFunc("/gateway-ws/", func(w http.ResponseWriter, r *http.Request) {
		if f.ws == nil {
			http.NotFound(w, r)
			return
		}
		f.ws(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"message": "404: Not Found", "code": 0}`)
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			f.record(t, r)
		}
		if f.limit(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// record stores the request, decoding a multipart body, and puts the body
// back for the handler.
func (f *fakeDiscord) record(t testing.TB, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("fake discord: read body: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"),
		Auth: r.Header.Get("Authorization"), Body: body}
	if mt, params, err := mime.ParseMediaType(req.ContentType); err == nil && mt == "multipart/form-data" {
		req.Body = nil
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			if p.FormName() == "payload_json" {
				req.Body = data
				continue
			}
			req.Files = append(req.Files, upload{Field: p.FormName(), Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	subs := append([]chan request(nil), f.subs...)
	f.mu.Unlock()
	for _, c := range subs {
		select {
		case c <- req:
		default:
		}
	}
}

// client returns an HTTP client whose every request goes to the fake:
// discordgo's endpoints are built from https://discord.com at init.
func (f *fakeDiscord) client() *http.Client {
	target, _ := url.Parse(f.srv.URL)
	return &http.Client{Transport: rewrite{target: target, base: f.srv.Client().Transport}, Timeout: 10 * time.Second}
}

type rewrite struct {
	target *url.URL
	base   http.RoundTripper
}

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.target.Scheme, rw.target.Host, rw.target.Host
	return rw.base.RoundTrip(r)
}

// session is a real discordgo session talking to the fake.
func (f *fakeDiscord) session() *discordgo.Session {
	s, err := discordgo.New("Bot " + goodToken)
	if err != nil {
		f.t.Fatal(err)
	}
	s.Client = f.client()
	return s
}

// all returns the requests so far that match.
func (f *fakeDiscord) all(match func(request) bool) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.reqs {
		if match == nil || match(r) {
			out = append(out, r)
		}
	}
	return out
}

// subscribe returns a channel receiving every later request.
func (f *fakeDiscord) subscribe() <-chan request {
	c := make(chan request, 256)
	f.mu.Lock()
	f.subs = append(f.subs, c)
	f.mu.Unlock()
	return c
}

// await returns the first request from c that matches; it fails the test
// if none comes (a hang, not a timing assertion).
func await(t testing.TB, c <-chan request, what string, match func(request) bool) request {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case r := <-c:
			if match(r) {
				return r
			}
		case <-timeout:
			t.Fatalf("no %s request arrived", what)
			return request{}
		}
	}
}

func isCallback(id string) func(request) bool {
	return func(r request) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/api/v9/interactions/"+id+"/") && strings.HasSuffix(r.Path, "/callback")
	}
}

func isWebhook(method, token string) func(request) bool {
	return func(r request) bool {
		return r.Method == method && strings.HasPrefix(r.Path, "/api/v9/webhooks/"+appID+"/"+token)
	}
}

// What the bot sent, decoded loosely.

type sentComponent struct {
	Type        int             `json:"type"`
	CustomID    string          `json:"custom_id"`
	Label       string          `json:"label"`
	Style       int             `json:"style"`
	Placeholder string          `json:"placeholder"`
	MaxLength   int             `json:"max_length"`
	Required    bool            `json:"required"`
	Options     []sentOption    `json:"options"`
	Components  []sentComponent `json:"components"`
}

type sentOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type sentMessage struct {
	Content         string                    `json:"content"`
	Flags           int                       `json:"flags"`
	Embeds          []*discordgo.MessageEmbed `json:"embeds"`
	Components      []sentComponent           `json:"components"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
	// Modals.
	CustomID string `json:"custom_id"`
	Title    string `json:"title"`
	// Autocomplete.
	Choices []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"choices"`
	rawComponents json.RawMessage
}

type sentResponse struct {
	Type int         `json:"type"`
	Data sentMessage `json:"data"`
}

func decodeResponse(t testing.TB, r request) sentResponse {
	t.Helper()
	var resp sentResponse
	if err := json.Unmarshal(r.Body, &resp); err != nil {
		t.Fatalf("decode %s %s: %v\n%s", r.Method, r.Path, err, r.Body)
	}
	var raw struct {
		Data struct {
			Components json.RawMessage `json:"components"`
		} `json:"data"`
	}
	json.Unmarshal(r.Body, &raw)
	resp.Data.rawComponents = raw.Data.Components
	return resp
}

func decodeMessage(t testing.TB, r request) sentMessage {
	t.Helper()
	var m sentMessage
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decode %s %s: %v\n%s", r.Method, r.Path, err, r.Body)
	}
	var raw struct {
		Components json.RawMessage `json:"components"`
	}
	json.Unmarshal(r.Body, &raw)
	m.rawComponents = raw.Components
	return m
}

// flat lists a message's components, rows left out.
func (m sentMessage) flat() []sentComponent {
	var out []sentComponent
	var walk func([]sentComponent)
	walk = func(cs []sentComponent) {
		for _, c := range cs {
			if c.Type == int(discordgo.ActionsRowComponent) {
				walk(c.Components)
				continue
			}
			out = append(out, c)
		}
	}
	walk(m.Components)
	return out
}

// component returns the component with that custom id, failing if none.
func (m sentMessage) component(t testing.TB, id string) sentComponent {
	t.Helper()
	for _, c := range m.flat() {
		if c.CustomID == id {
			return c
		}
	}
	t.Fatalf("no component %q among %s", id, m.ids())
	return sentComponent{}
}

// componentWithPrefix returns the component whose custom id starts with p.
func (m sentMessage) componentWithPrefix(t testing.TB, p string) sentComponent {
	t.Helper()
	for _, c := range m.flat() {
		if strings.HasPrefix(c.CustomID, p) {
			return c
		}
	}
	t.Fatalf("no component starting %q among %s", p, m.ids())
	return sentComponent{}
}

func (m sentMessage) ids() string {
	var ids []string
	for _, c := range m.flat() {
		ids = append(ids, c.CustomID)
	}
	return "[" + strings.Join(ids, " ") + "]"
}

// text is all the text of a message, content and embeds, with the
// markdown escapes removed.
func (m sentMessage) text() string {
	return unescape(m.raw())
}

func (m sentMessage) raw() string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		b.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			b.WriteString("\n" + f.Name + ": " + f.Value)
		}
		if e.Footer != nil {
			b.WriteString("\n" + e.Footer.Text)
		}
	}
	return b.String()
}

// payload fills a testdata template of a Discord payload.
func payload(t testing.TB, name string, data any) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New(name).Funcs(template.FuncMap{"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}}).Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, data); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(out.Bytes()) {
		t.Fatalf("testdata/%s gave invalid JSON:\n%s", name, out.Bytes())
	}
	return out.Bytes()
}
