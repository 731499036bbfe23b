package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/bot/metrics"
	"github.com/uscebot/uscebot/store"
)

// fakePlatform is a platform whose connection the test sets.
type fakePlatform struct{ connected atomic.Bool }

func (p *fakePlatform) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (p *fakePlatform) Connected() bool               { return p.connected.Load() }

// quietPlatform cannot tell whether it is connected.
type quietPlatform struct{}

func (quietPlatform) Run(ctx context.Context) error { <-ctx.Done(); return nil }

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// serveHTTP starts the operator's server on a free port and stops it when
// the test ends; it returns the base URL.
func serveHTTP(t *testing.T, checks map[string]healthCheck) string {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	addr, stop, err := startHTTP(context.Background(), "127.0.0.1:0", newHTTPServer(metrics.New(), checks, log), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return "http://" + addr.String()
}

func get(t *testing.T, url string) (status int, contentType, body string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func healthz(t *testing.T, base string) (int, map[string]string) {
	t.Helper()
	status, ct, body := get(t, base+"/healthz")
	if ct != "application/json" {
		t.Errorf("/healthz Content-Type = %q, want application/json", ct)
	}
	var states map[string]string
	if err := json.Unmarshal([]byte(body), &states); err != nil {
		t.Fatalf("/healthz body %q: %v", body, err)
	}
	// When the store's last integrity check ran varies: checked here, and
	// left out of what the tests compare.
	if at, ok := states["store_checked_at"]; ok {
		if ts, err := time.Parse(time.RFC3339, at); err != nil || time.Since(ts) > time.Hour {
			t.Errorf("/healthz store_checked_at = %q, want the time of the check at start", at)
		}
		delete(states, "store_checked_at")
	}
	return status, states
}

func TestHealthz(t *testing.T) {
	db := openStore(t)
	tg, dc := &fakePlatform{}, &fakePlatform{}
	tg.connected.Store(true)
	dc.connected.Store(true)
	m := &Main{log: slog.New(slog.DiscardHandler), db: db,
		platforms: map[string]platform{"telegram": tg, "discord": dc, "console": quietPlatform{}}}
	base := serveHTTP(t, m.healthChecks())

	steps := []struct {
		name       string
		change     func()
		wantStatus int
		want       map[string]string
	}{
		{"all well", func() {}, http.StatusOK,
			map[string]string{"store": "ok", "store_check": "ok", "telegram": "connected", "discord": "connected"}},
		{"discord down", func() { dc.connected.Store(false) }, http.StatusServiceUnavailable,
			map[string]string{"store": "ok", "store_check": "ok", "telegram": "connected", "discord": "not connected"}},
		{"discord back", func() { dc.connected.Store(true) }, http.StatusOK,
			map[string]string{"store": "ok", "store_check": "ok", "telegram": "connected", "discord": "connected"}},
		{"store closed", func() {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}, http.StatusServiceUnavailable,
			map[string]string{"store": "unreachable", "store_check": "ok", "telegram": "connected", "discord": "connected"}},
	}
	for _, s := range steps {
		s.change()
		status, states := healthz(t, base)
		if status != s.wantStatus {
			t.Errorf("%s: /healthz status %d, want %d", s.name, status, s.wantStatus)
		}
		if diff := cmp.Diff(s.want, states); diff != "" {
			t.Errorf("%s: /healthz body (-want +got):\n%s", s.name, diff)
		}
	}
}

func TestHealthzCheckTimesOut(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	checks := map[string]healthCheck{
		"store": func(context.Context) (string, bool) { return "ok", true },
		"discord": func(context.Context) (string, bool) {
			<-stuck // ignores its context, like a call that cannot be cancelled
			return "connected", true
		},
	}
	rec := httptest.NewRecorder()
	healthHandler(checks, 10*time.Millisecond).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d with a stuck check, want 503", rec.Code)
	}
	if got, want := strings.TrimSpace(rec.Body.String()), `{"discord":"timeout","store":"ok"}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	base := serveHTTP(t, map[string]healthCheck{})
	status, ct, body := get(t, base+"/metrics")
	if status != http.StatusOK || !strings.HasPrefix(ct, "text/plain") || !strings.Contains(ct, "version=0.0.4") {
		t.Errorf("/metrics: status %d, Content-Type %q; want 200 and the Prometheus text format", status, ct)
	}
	for _, s := range []string{"# TYPE uscebot_questions_total counter", "uscebot_store_errors_total 0", "# TYPE go_goroutines gauge"} {
		if !strings.Contains(body, s) {
			t.Errorf("/metrics lacks %q", s)
		}
	}
}

func TestHTTPOtherPaths(t *testing.T) {
	base := serveHTTP(t, map[string]healthCheck{})
	for _, path := range []string{"/", "/health", "/healthz/x", "/metrics/", "/debug/pprof/"} {
		if status, _, _ := get(t, base+path); status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, status)
		}
	}
	resp, err := http.Post(base+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: status %d, want 405", resp.StatusCode)
	}
}

func TestHTTPServerTimeouts(t *testing.T) {
	srv := newHTTPServer(metrics.New(), nil, slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= healthTimeout || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: read header %v, read %v, write %v, idle %v; want all set, write beyond the health checks' %v",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, healthTimeout)
	}
}

func TestStartHTTPBadAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	log := slog.New(slog.DiscardHandler)
	for _, addr := range []string{"127.0.0.1:99999", "127.0.0.1", busy.Addr().String()} {
		_, stop, err := startHTTP(context.Background(), addr, newHTTPServer(metrics.New(), nil, log), log)
		if err == nil {
			stop(context.Background())
			t.Errorf("startHTTP(%q) = nil error, want one at start", addr)
			continue
		}
		if !strings.HasPrefix(err.Error(), "http.listen: ") {
			t.Errorf("startHTTP(%q) error %q, want it to name http.listen", addr, err)
		}
	}
}

func TestStopHTTP(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	addr, stop, err := startHTTP(context.Background(), "127.0.0.1:0", newHTTPServer(metrics.New(), nil, log), log)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(context.Background()); err != nil {
		t.Errorf("stop: %v", err)
	}
	if err := stop(context.Background()); err != nil {
		t.Errorf("second stop: %v", err)
	}
	if resp, err := http.Get("http://" + addr.String() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("the server still answers after stop")
	}
}

// TestHealthzWithRealTelegram checks the health checks against the real
// adapter: its Connected is found, and true once Run polls.
func TestHealthzWithRealTelegram(t *testing.T) {
	const token = "123456:test-token-secret"
	api := &botAPI{token: token, said: make(chan struct{}, 10)}
	srv := httptest.NewServer(api)
	defer srv.Close()
	t.Setenv(envTelegramToken, token)
	cfg, err := LoadConfig(writeRunConfig(t, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, err := NewMain(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := serveHTTP(t, m.healthChecks())
	if status, states := healthz(t, base); status != http.StatusServiceUnavailable || states["telegram"] != "not connected" {
		t.Errorf("/healthz before Run: %d %v, want 503 and telegram not connected", status, states)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, states := healthz(t, base)
		if status == http.StatusOK {
			if diff := cmp.Diff(map[string]string{"store": "ok", "store_check": "ok", "telegram": "connected"}, states); diff != "" {
				t.Errorf("/healthz (-want +got):\n%s", diff)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz while running: %d %v, want 200", status, states)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}
