package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// botAPI is a minimal Telegram Bot API: getMe checks the token, getUpdates
// hands out the queued updates once, sendMessage records what the bot says.
type botAPI struct {
	token string
	mu    sync.Mutex
	queue []string // update JSON objects
	next  int
	sent  []string
	said  chan struct{}
}

func (a *botAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, method, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	w.Header().Set("Content-Type", "application/json")
	if token != a.token {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch method {
	case "getMe":
		fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"uscebot","username":"uscebot_test_bot"}}`)
	case "getUpdates":
		a.mu.Lock()
		batch := a.queue[a.next:]
		a.next = len(a.queue)
		a.mu.Unlock()
		if len(batch) == 0 {
			select { // a short long poll
			case <-r.Context().Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
		fmt.Fprintf(w, `{"ok":true,"result":[%s]}`, strings.Join(batch, ","))
	case "sendMessage":
		a.mu.Lock()
		a.sent = append(a.sent, r.Form.Get("text"))
		a.mu.Unlock()
		a.said <- struct{}{}
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":0,"chat":{"id":%s,"type":"private"},"text":"ok"}}`, time.Now().UnixNano()%1e6, r.Form.Get("chat_id"))
	default: // setMyCommands, deleteWebhook, answerCallbackQuery...
		fmt.Fprint(w, `{"ok":true,"result":true}`)
	}
}

func writeRunConfig(t *testing.T, endpoint string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("[store]\npath = %q\n\n[telegram]\nenabled = true\napi_endpoint = %q\n\n[log]\nformat = \"json\"\n",
		filepath.Join(dir, "bot.db"), endpoint+"/bot%s/%s")
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunServesTelegramAndStopsCleanly(t *testing.T) {
	const token = "123456:test-token-secret"
	api := &botAPI{token: token, said: make(chan struct{}, 10), queue: []string{
		`{"update_id":1,"message":{"message_id":1,"date":0,"from":{"id":7,"is_bot":false,"first_name":"A"},"chat":{"id":7,"type":"private"},"text":"does telehealth count as usce?"}}`,
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	t.Setenv(envTelegramToken, token)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		done <- run(runCtx, []string{"run", "--config", writeRunConfig(t, srv.URL)}, strings.NewReader(""), &strings.Builder{}, &stderr)
	}()
	select {
	case <-api.said:
	case <-ctx.Done():
		t.Fatal("no reply was sent")
	}
	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exit code %d after a clean stop; stderr:\n%s", code, stderr.String())
		}
	case <-ctx.Done():
		t.Fatal("run did not stop after its context was cancelled")
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.sent) == 0 || !strings.Contains(api.sent[0], "Sources") {
		t.Errorf("reply = %q, want an answer with its sources", api.sent)
	}
	logs := stderr.String()
	if strings.Contains(logs, token) || strings.Contains(logs, "telehealth") {
		t.Errorf("the log leaks the token or the message text:\n%s", logs)
	}
	if !strings.Contains(logs, `"msg":"message handled"`) {
		t.Errorf("no log line for the handled message:\n%s", logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("[log] format = \"json\" but a line is not JSON: %q", line)
		}
	}
}

func TestRunBadTokenIsOneLine(t *testing.T) {
	srv := httptest.NewServer(&botAPI{token: "the-right-one"})
	defer srv.Close()
	const wrong = "999:wrong-token-secret"
	t.Setenv(envTelegramToken, wrong)
	code, _, stderr := runCmd(t, "", "run", "--config", writeRunConfig(t, srv.URL))
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 || !strings.Contains(stderr, "telegram") || strings.Contains(stderr, wrong) {
		t.Errorf("stderr = %q, want one line about telegram without the token", stderr)
	}
}

func TestRunNeedsAPlatform(t *testing.T) {
	code, _, stderr := runCmd(t, "", "run")
	if code != 1 || !strings.Contains(stderr, "no platform is enabled") {
		t.Errorf("run with no platform: exit %d, %q", code, stderr)
	}
}

// TestRunTokenWithControlCharacters: a token from an env file ending in a
// newline, CR or tab used to reach the request URL, and Go's URL parser
// printed it in the error. Trimmed, the bot starts; with one inside, run
// refuses with exit 2, naming the key and not the token.
func TestRunTokenWithControlCharacters(t *testing.T) {
	const token = "123456:test-token-secret"
	for _, c := range []string{"\n", "\r", "\t", "\r\n"} {
		t.Run(fmt.Sprintf("trailing %q", c), func(t *testing.T) {
			api := &botAPI{token: token, said: make(chan struct{}, 10), queue: []string{
				`{"update_id":1,"message":{"message_id":1,"date":0,"from":{"id":7,"is_bot":false,"first_name":"A"},"chat":{"id":7,"type":"private"},"text":"/help"}}`,
			}}
			srv := httptest.NewServer(api)
			defer srv.Close()
			t.Setenv(envTelegramToken, token+c)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan int, 1)
			var stderr strings.Builder
			go func() {
				done <- run(runCtx, []string{"run", "--config", writeRunConfig(t, srv.URL)}, strings.NewReader(""), io.Discard, &stderr)
			}()
			select {
			case <-api.said:
			case code := <-done:
				t.Fatalf("run stopped with exit %d before answering: %s", code, stderr.String())
			case <-ctx.Done():
				t.Fatal("no reply was sent")
			}
			stop()
			if code := <-done; code != 0 {
				t.Errorf("run exit %d: %s", code, stderr.String())
			}
			if strings.Contains(stderr.String(), "test-token-secret") {
				t.Errorf("the log prints the token:\n%s", stderr.String())
			}
		})
	}
	for _, c := range []string{"\n", "\r", "\t", "\x1b"} {
		t.Run(fmt.Sprintf("inner %q", c), func(t *testing.T) {
			srv := httptest.NewServer(&botAPI{token: token})
			defer srv.Close()
			t.Setenv(envTelegramToken, "123456:test"+c+"token-secret")
			code, _, stderr := runCmd(t, "", "run", "--config", writeRunConfig(t, srv.URL))
			if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "telegram.token") || strings.Contains(stderr, "token-secret") {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line naming telegram.token without the token", code, stderr)
			}
		})
	}
}
