package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// fakeAPI is an httptest server that speaks the Bot API the way Telegram
// does: form-encoded (or multipart) POSTs to /bot<token>/<method>,
// {"ok":true,"result":...} or {"ok":false,"error_code":N,...} answers,
// long-polled getUpdates with offset confirmation, and an HTML parser as
// strict as Telegram's.
type fakeAPI struct {
	t        testing.TB
	srv      *httptest.Server
	token    string
	botID    int64
	username string

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change
	updates    []fakeUpdate  // not yet confirmed
	nextUpdate int
	nextMsg    int
	nextCB     int
	msgs       []*fakeMsg // every message the bot sent, in order
	calls      []fakeCall
	failures   map[string][]apiFailure
	rejectHTML bool
	inPoll     int // getUpdates requests in flight
	answered   map[string]int
	commands   []tgbotapi.BotCommand
	webhook    url.Values
}

type fakeUpdate struct {
	id  int
	raw map[string]any
}

// fakeMsg is a message the bot sent, as Telegram stores it.
type fakeMsg struct {
	ID        int
	ChatID    int64
	Text      string // after parsing the markup, as users see it
	Raw       string // the text as sent
	ParseMode string
	Entities  []tgbotapi.MessageEntity
	Markup    *tgbotapi.InlineKeyboardMarkup
	DocName   string
	DocData   []byte
	Edits     int
}

type fakeCall struct {
	Method string
	Params url.Values
}

type apiFailure struct {
	code       int
	desc       string
	retryAfter int
	status     int // HTTP status when it differs from code (a 502 from a proxy)
}

type fakeUser struct {
	ID        int64
	FirstName string
}

type fakeChat struct {
	ID    int64
	Type  string // private, group, supergroup
	Title string
}

func privateChat(u fakeUser) fakeChat { return fakeChat{ID: u.ID, Type: "private"} }

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{
		t:          t,
		token:      "123456:TEST-token_abcdefghijklmnopqrstuv",
		botID:      123456,
		username:   "uscebot_test_bot",
		changed:    make(chan struct{}),
		nextUpdate: 1000,
		nextMsg:    1,
		failures:   map[string][]apiFailure{},
		answered:   map[string]int{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// endpoint is the server in the library's form.
func (f *fakeAPI) endpoint() string { return f.srv.URL + "/bot%s/%s" }

// notify wakes every waiter; f.mu must be held.
func (f *fakeAPI) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// failNext makes the next n calls of method fail.
func (f *fakeAPI) failNext(method string, n int, fail apiFailure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.failures[method] = append(f.failures[method], fail)
	}
}

func (f *fakeAPI) setRejectHTML(v bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejectHTML = v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, desc string) {
	writeJSON(w, code, map[string]any{"ok": false, "error_code": code, "description": desc})
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	tok, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || r.Method != http.MethodPost {
		apiError(w, http.StatusNotFound, "Not Found")
		return
	}
	f.mu.Lock()
	token := f.token
	f.mu.Unlock()
	if tok != token {
		apiError(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	params, files, err := readForm(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{method, params})
	f.notify()
	if q := f.failures[method]; len(q) > 0 {
		fail := q[0]
		f.failures[method] = q[1:]
		f.mu.Unlock()
		body := map[string]any{"ok": false, "error_code": fail.code, "description": fail.desc}
		if fail.retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": fail.retryAfter}
		}
		status := fail.code
		if fail.status != 0 {
			status = fail.status
		}
		if status >= 500 && fail.status != 0 {
			http.Error(w, "<html>bad gateway</html>", status)
			return
		}
		writeJSON(w, status, body)
		return
	}
	f.mu.Unlock()

	switch method {
	case "getMe":
		f.ok(w, f.botUser())
	case "getUpdates":
		f.getUpdates(w, r, params)
	case "setMyCommands":
		f.setMyCommands(w, params)
	case "sendMessage":
		f.sendMessage(w, params)
	case "editMessageText", "editMessageReplyMarkup":
		f.editMessage(w, method, params)
	case "answerCallbackQuery":
		f.mu.Lock()
		f.answered[params.Get("callback_query_id")]++
		f.notify()
		f.mu.Unlock()
		f.ok(w, true)
	case "sendDocument":
		f.sendDocument(w, params, files)
	case "setWebhook":
		f.mu.Lock()
		f.webhook = params
		f.mu.Unlock()
		f.ok(w, true)
	case "deleteWebhook":
		f.mu.Lock()
		f.webhook = nil
		f.mu.Unlock()
		f.ok(w, true)
	default:
		apiError(w, http.StatusNotFound, "Not Found: method not found")
	}
}

type uploaded struct {
	name string
	data []byte
}

// readForm reads a form-encoded or multipart body.
func readForm(r *http.Request) (url.Values, map[string]uploaded, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	files := map[string]uploaded{}
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, nil, err
		}
		for name, fhs := range r.MultipartForm.File {
			fh := fhs[0]
			fr, err := fh.Open()
			if err != nil {
				return nil, nil, err
			}
			data, err := io.ReadAll(fr)
			fr.Close()
			if err != nil {
				return nil, nil, err
			}
			files[name] = uploaded{fh.Filename, data}
		}
		return url.Values(r.MultipartForm.Value), files, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, nil, err
	}
	return r.PostForm, files, nil
}

func (f *fakeAPI) ok(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func (f *fakeAPI) botUser() map[string]any {
	return map[string]any{"id": f.botID, "is_bot": true, "first_name": "USCE Bot", "username": f.username,
		"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}
}

// getUpdates confirms every update below offset, then answers at once if
// any is queued, else waits for one until the timeout.
func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request, p url.Values) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	f.mu.Lock()
	f.inPoll++
	f.notify() // waitFor may be waiting for a poll in flight
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inPoll--
		f.notify()
		f.mu.Unlock()
	}()
	for {
		f.mu.Lock()
		if offset > 0 {
			kept := f.updates[:0]
			for _, u := range f.updates {
				if u.id >= offset {
					kept = append(kept, u)
				}
			}
			f.updates = kept
		}
		var out []map[string]any
		for _, u := range f.updates {
			if len(out) < limit {
				out = append(out, u.raw)
			}
		}
		changed := f.changed
		f.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			if out == nil {
				out = []map[string]any{}
			}
			f.ok(w, out)
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			f.ok(w, []map[string]any{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

var fakeCommandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (f *fakeAPI) setMyCommands(w http.ResponseWriter, p url.Values) {
	var cmds []tgbotapi.BotCommand
	if err := json.Unmarshal([]byte(p.Get("commands")), &cmds); err != nil || cmds == nil {
		apiError(w, http.StatusBadRequest, "Bad Request: can't parse commands JSON object")
		return
	}
	for _, c := range cmds {
		n := utf8.RuneCountInString(c.Description)
		if !fakeCommandName.MatchString(c.Command) || n < 1 || n > 256 {
			apiError(w, http.StatusBadRequest, "Bad Request: BOT_COMMAND_INVALID")
			return
		}
	}
	f.mu.Lock()
	f.commands = cmds
	f.mu.Unlock()
	f.ok(w, true)
}

// readText checks and parses a message text as Telegram does.
func (f *fakeAPI) readText(text, mode string) (string, []tgbotapi.MessageEntity, error) {
	if !utf8.ValidString(text) {
		return "", nil, errors.New("Bad Request: text must be encoded in UTF-8")
	}
	plain, ents := text, []tgbotapi.MessageEntity(nil)
	if mode == "HTML" {
		f.mu.Lock()
		reject := f.rejectHTML
		f.mu.Unlock()
		if reject {
			return "", nil, errors.New("Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0")
		}
		var err error
		if plain, ents, err = parseTelegramHTML(text); err != nil {
			return "", nil, fmt.Errorf("Bad Request: can't parse entities: %v", err)
		}
	} else if mode != "" {
		return "", nil, errors.New("Bad Request: unsupported parse_mode")
	}
	switch n := utf16Len(plain); {
	case strings.TrimSpace(plain) == "":
		return "", nil, errors.New("Bad Request: message text is empty")
	case n > 4096:
		return "", nil, errors.New("Bad Request: message is too long")
	}
	return plain, ents, nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// readMarkup checks an inline keyboard as Telegram does.
func readMarkup(s string) (*tgbotapi.InlineKeyboardMarkup, error) {
	if s == "" {
		return nil, nil
	}
	var raw struct {
		InlineKeyboard *[][]struct {
			Text         string  `json:"text"`
			CallbackData *string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil || raw.InlineKeyboard == nil {
		return nil, errors.New("Bad Request: can't parse reply keyboard markup JSON object")
	}
	m := &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
	for _, row := range *raw.InlineKeyboard {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			if b.Text == "" {
				return nil, errors.New("Bad Request: text buttons are unallowed in the inline keyboard")
			}
			if b.CallbackData == nil || len(*b.CallbackData) < 1 || len(*b.CallbackData) > 64 {
				return nil, errors.New("Bad Request: BUTTON_DATA_INVALID")
			}
			r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, *b.CallbackData))
		}
		m.InlineKeyboard = append(m.InlineKeyboard, r)
	}
	return m, nil
}

func (f *fakeAPI) sendMessage(w http.ResponseWriter, p url.Values) {
	chat, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	if err != nil || chat == 0 {
		apiError(w, http.StatusBadRequest, "Bad Request: chat not found")
		return
	}
	plain, ents, err := f.readText(p.Get("text"), p.Get("parse_mode"))
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	markup, err := readMarkup(p.Get("reply_markup"))
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	f.mu.Lock()
	m := &fakeMsg{ID: f.nextMsg, ChatID: chat, Text: plain, Raw: p.Get("text"), ParseMode: p.Get("parse_mode"),
		Entities: ents, Markup: markup}
	f.nextMsg++
	f.msgs = append(f.msgs, m)
	res := f.messageJSON(m)
	f.notify()
	f.mu.Unlock()
	f.ok(w, res)
}

func (f *fakeAPI) sendDocument(w http.ResponseWriter, p url.Values, files map[string]uploaded) {
	chat, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	if err != nil || chat == 0 {
		apiError(w, http.StatusBadRequest, "Bad Request: chat not found")
		return
	}
	doc, ok := files["document"]
	if !ok {
		apiError(w, http.StatusBadRequest, "Bad Request: there is no document in the request")
		return
	}
	f.mu.Lock()
	m := &fakeMsg{ID: f.nextMsg, ChatID: chat, DocName: doc.name, DocData: doc.data}
	f.nextMsg++
	f.msgs = append(f.msgs, m)
	res := f.messageJSON(m)
	res["document"] = map[string]any{"file_id": "doc" + strconv.Itoa(m.ID), "file_unique_id": "u" + strconv.Itoa(m.ID),
		"file_name": doc.name, "file_size": len(doc.data)}
	f.notify()
	f.mu.Unlock()
	f.ok(w, res)
}

func (f *fakeAPI) editMessage(w http.ResponseWriter, method string, p url.Values) {
	chat, _ := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	id, _ := strconv.Atoi(p.Get("message_id"))
	markup, err := readMarkup(p.Get("reply_markup"))
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	var plain string
	var ents []tgbotapi.MessageEntity
	if method == "editMessageText" {
		if plain, ents, err = f.readText(p.Get("text"), p.Get("parse_mode")); err != nil {
			apiError(w, http.StatusBadRequest, err.Error())
			return
		}
		if e := p.Get("entities"); e != "" {
			if err := json.Unmarshal([]byte(e), &ents); err != nil {
				apiError(w, http.StatusBadRequest, "Bad Request: can't parse entities JSON object")
				return
			}
			for _, en := range ents {
				if en.Offset < 0 || en.Length <= 0 || en.Offset+en.Length > utf16Len(plain) {
					apiError(w, http.StatusBadRequest, "Bad Request: entity beyond the end of the text")
					return
				}
			}
		}
	}
	if markup != nil && len(markup.InlineKeyboard) == 0 {
		markup = nil // an empty keyboard removes the buttons
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		if m.ChatID != chat || m.ID != id {
			continue
		}
		if method == "editMessageText" {
			if plain == m.Text && markup == nil && m.Markup == nil {
				apiError(w, http.StatusBadRequest, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
				return
			}
			m.Text, m.Raw, m.Entities = plain, p.Get("text"), ents
		} else if markup == nil && m.Markup == nil {
			apiError(w, http.StatusBadRequest, "Bad Request: message is not modified")
			return
		}
		m.Markup = markup
		m.Edits++
		f.notify()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": f.messageJSON(m)})
		return
	}
	apiError(w, http.StatusBadRequest, "Bad Request: message to edit not found")
}

// messageJSON is a sent message as Telegram returns it; f.mu must be held.
func (f *fakeAPI) messageJSON(m *fakeMsg) map[string]any {
	chat := map[string]any{"id": m.ChatID, "type": "private", "first_name": "Ana"}
	if m.ChatID < 0 {
		chat = map[string]any{"id": m.ChatID, "type": "supergroup", "title": "IMG study group"}
	}
	res := map[string]any{"message_id": m.ID, "from": f.botUser(), "chat": chat, "date": time.Now().Unix()}
	if m.Text != "" {
		res["text"] = m.Text
	}
	if len(m.Entities) > 0 {
		res["entities"] = m.Entities
	}
	if m.Markup != nil {
		res["reply_markup"] = m.Markup
	}
	return res
}

// enqueue adds an update for getUpdates; f.mu must not be held.
func (f *fakeAPI) enqueue(kind string, v map[string]any) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextUpdate
	f.nextUpdate++
	raw := map[string]any{"update_id": id, kind: v}
	f.updates = append(f.updates, fakeUpdate{id, raw})
	f.notify()
	return raw
}

func userJSON(u fakeUser) map[string]any {
	return map[string]any{"id": u.ID, "is_bot": false, "first_name": u.FirstName, "language_code": "en"}
}

func chatJSON(c fakeChat, u fakeUser) map[string]any {
	if c.Type == "private" {
		return map[string]any{"id": c.ID, "type": "private", "first_name": u.FirstName}
	}
	return map[string]any{"id": c.ID, "type": c.Type, "title": c.Title}
}

// textMessage is a message update as Telegram sends it, with the entities
// Telegram detects: a bot_command at the start, mentions anywhere.
func (f *fakeAPI) textMessage(c fakeChat, u fakeUser, text string) map[string]any {
	f.mu.Lock()
	id := f.nextMsg
	f.nextMsg++
	f.mu.Unlock()
	m := map[string]any{"message_id": id, "from": userJSON(u), "chat": chatJSON(c, u), "date": time.Now().Unix(), "text": text}
	var ents []map[string]any
	if strings.HasPrefix(text, "/") {
		word, _, _ := strings.Cut(text, " ")
		ents = append(ents, map[string]any{"type": "bot_command", "offset": 0, "length": utf16Len(word)})
	}
	for _, loc := range regexp.MustCompile(`@[A-Za-z0-9_]{5,32}`).FindAllStringIndex(text, -1) {
		if loc[0] > 0 && text[loc[0]-1] != ' ' {
			continue
		}
		ents = append(ents, map[string]any{"type": "mention", "offset": utf16Len(text[:loc[0]]), "length": utf16Len(text[loc[0]:loc[1]])})
	}
	if ents != nil {
		m["entities"] = ents
	}
	return m
}

// say queues a text message from u in chat c.
func (f *fakeAPI) say(c fakeChat, u fakeUser, text string) {
	f.enqueue("message", f.textMessage(c, u, text))
}

// press queues u's press of data on message m, as a callback_query with
// the message as Telegram stores it now; it returns the callback id.
func (f *fakeAPI) press(u fakeUser, m fakeMsg, data string) string {
	f.mu.Lock()
	f.nextCB++
	id := "cb" + strconv.Itoa(f.nextCB)
	var msg map[string]any
	for _, sm := range f.msgs {
		if sm.ID == m.ID && sm.ChatID == m.ChatID {
			msg = f.messageJSON(sm)
		}
	}
	f.mu.Unlock()
	if msg == nil {
		f.t.Fatalf("press on unknown message %d", m.ID)
	}
	f.enqueue("callback_query", map[string]any{"id": id, "from": userJSON(u), "message": msg,
		"chat_instance": "42", "data": data})
	return id
}

// waitFor waits until cond (called with f.mu held) is true.
func (f *fakeAPI) waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		f.mu.Lock()
		ok := cond()
		ch := f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// sent returns copies of the messages sent to chat.
func (f *fakeAPI) sent(chat int64) []fakeMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sentLocked(chat)
}

func (f *fakeAPI) sentLocked(chat int64) []fakeMsg {
	var out []fakeMsg
	for _, m := range f.msgs {
		if m.ChatID == chat {
			out = append(out, *m)
		}
	}
	return out
}

// waitSent waits until chat has at least n messages and returns them.
func (f *fakeAPI) waitSent(t testing.TB, chat int64, n int) []fakeMsg {
	t.Helper()
	f.waitFor(t, fmt.Sprintf("%d messages in chat %d", n, chat), func() bool { return len(f.sentLocked(chat)) >= n })
	return f.sent(chat)
}

// callsOf returns the parameters of every call of method.
func (f *fakeAPI) callsOf(method string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []url.Values
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c.Params)
		}
	}
	return out
}

// telegramTags are the tags Telegram's HTML parse mode knows, with the
// entity each makes.
var telegramTags = map[string]string{
	"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "code": "code", "pre": "pre",
	"a": "text_link", "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote",
}

var htmlEntities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}

// parseTelegramHTML parses text the way Telegram's HTML parse mode does,
// strictly: unknown or unbalanced tags and stray < > & are errors. It
// returns the plain text and the formatting entities (UTF-16 offsets).
func parseTelegramHTML(s string) (string, []tgbotapi.MessageEntity, error) {
	type open struct {
		name  string
		start int // UTF-16 offset in the plain text
	}
	var sb strings.Builder
	var stack []open
	var ents []tgbotapi.MessageEntity
	pos := 0
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", nil, fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			if closing, ok := strings.CutPrefix(tag, "/"); ok {
				if len(stack) == 0 || stack[len(stack)-1].name != closing {
					return "", nil, fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, topName(len(stack), func() string { return stack[len(stack)-1].name }), closing)
				}
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if pos > top.start {
					ents = append(ents, tgbotapi.MessageEntity{Type: telegramTags[top.name], Offset: top.start, Length: pos - top.start})
				}
			} else {
				name, _, _ := strings.Cut(tag, " ")
				if _, ok := telegramTags[name]; !ok {
					return "", nil, fmt.Errorf("unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				stack = append(stack, open{name, pos})
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", nil, fmt.Errorf("character entity expected at byte offset %d", i)
			}
			name := s[i+1 : i+end]
			val, ok := htmlEntities[name]
			if !ok {
				if n, err := strconv.ParseInt(strings.TrimPrefix(name, "#"), 10, 32); strings.HasPrefix(name, "#") && err == nil {
					val, ok = string(rune(n)), true
				}
			}
			if !ok {
				return "", nil, fmt.Errorf("unsupported HTML entity \"&%s;\" at byte offset %d", name, i)
			}
			sb.WriteString(val)
			pos += utf16Len(val)
			i += end + 1
		case '>':
			return "", nil, fmt.Errorf("unexpected \">\" at byte offset %d", i)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			sb.WriteString(s[i : i+size])
			pos += utf16Len(string(r))
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	return sb.String(), ents, nil
}

func topName(n int, name func() string) string {
	if n == 0 {
		return ""
	}
	return name()
}
