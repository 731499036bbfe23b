package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/uscebot/uscebot/bot/metrics"
	"github.com/uscebot/uscebot/store"
)

// healthTimeout bounds one /healthz request: a check that has not answered
// by then counts as failed ("timeout").
const healthTimeout = 2 * time.Second

// healthCheck reports on one part of the bot for /healthz: a word for the
// response ("ok", "connected", "unreachable"...) and whether it is healthy.
type healthCheck func(ctx context.Context) (state string, ok bool)

// storeCheck checks that the store can read and write its file. The
// reason it cannot is logged, not shown: /healthz says only what is wrong
// ("read-only", "full", "unreachable").
func storeCheck(db interface{ Ping(context.Context) error }, log *slog.Logger) healthCheck {
	return func(ctx context.Context) (string, bool) {
		err := db.Ping(ctx)
		if err == nil {
			return "ok", true
		}
		log.WarnContext(ctx, "health: store failing", "error", err)
		switch {
		case errors.Is(err, store.ErrReadOnly):
			return "read-only", false
		case errors.Is(err, store.ErrFull):
			return "full", false
		}
		return "unreachable", false
	}
}

// integrityChecks report the store's last integrity check (quick_check,
// at start and daily): "store_check" is "ok" or "damaged" (the findings
// are logged), "store_checked_at" when it ran. They do not run the check,
// which reads the whole file.
func integrityChecks(db interface{ LastCheck() store.CheckResult }) map[string]healthCheck {
	return map[string]healthCheck{
		"store_check": func(context.Context) (string, bool) {
			if db.LastCheck().Err != nil {
				return "damaged", false
			}
			return "ok", true
		},
		"store_checked_at": func(context.Context) (string, bool) {
			return db.LastCheck().At.UTC().Format(time.RFC3339), true
		},
	}
}

// platformCheck checks that a platform adapter receives updates.
func platformCheck(p interface{ Connected() bool }) healthCheck {
	return func(context.Context) (string, bool) {
		if p.Connected() {
			return "connected", true
		}
		return "not connected", false
	}
}

// healthChecks are the /healthz checks of m: the store, and every platform
// that can tell whether it is connected.
func (m *Main) healthChecks() map[string]healthCheck {
	checks := integrityChecks(m.db)
	checks["store"] = storeCheck(m.db, m.log)
	for name, p := range m.platforms {
		if c, ok := p.(interface{ Connected() bool }); ok {
			checks[name] = platformCheck(c)
		}
	}
	return checks
}

// newHTTPServer returns the operator's server: GET /healthz (200 when
// every check passes, else 503, with each check's state as JSON) and GET
// /metrics (Prometheus). Anything else is 404 (405 for another method).
func newHTTPServer(m *metrics.Metrics, checks map[string]healthCheck, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthHandler(checks, healthTimeout))
	mux.Handle("GET /metrics", m.Handler())
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// healthHandler runs the checks side by side, each bounded by timeout.
func healthHandler(checks map[string]healthCheck, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		states, healthy := runChecks(ctx, checks)
		body, err := json.Marshal(states)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if healthy {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write(append(body, '\n'))
	})
}

// runChecks returns each check's state and whether all are healthy. It
// returns when ctx is done even if a check has not: that one is left to
// finish on its own and reads "timeout".
func runChecks(ctx context.Context, checks map[string]healthCheck) (map[string]string, bool) {
	type result struct {
		name, state string
		ok          bool
	}
	results := make(chan result, len(checks)) // late checks never block
	for name, c := range checks {
		go func() {
			state, ok := c(ctx)
			results <- result{name, state, ok}
		}()
	}
	states := make(map[string]string, len(checks))
	healthy := true
wait:
	for range len(checks) {
		select {
		case r := <-results:
			states[r.name] = r.state
			healthy = healthy && r.ok
		case <-ctx.Done():
			break wait
		}
	}
	for name := range checks {
		if _, done := states[name]; !done {
			states[name] = "timeout"
			healthy = false
		}
	}
	return states, healthy
}

// startHTTP listens on addr at once, so that a bad or busy address fails
// at start, and serves srv in the background. It returns the address it
// listens on and the function that stops it: no new requests, and those in
// flight finish within its ctx (or are cut off). Stopping twice is safe.
func startHTTP(ctx context.Context, addr string, srv *http.Server, log *slog.Logger) (net.Addr, func(context.Context) error, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("http.listen: %w", err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http: serving /healthz and /metrics stopped", "error", err)
		}
	}()
	var (
		once    sync.Once
		stopErr error
	)
	stop := func(ctx context.Context) error {
		once.Do(func() {
			if err := srv.Shutdown(ctx); err != nil {
				log.Warn("http: requests still in flight at shutdown; closing them", "error", err)
				stopErr = srv.Close()
			}
			<-served
		})
		return stopErr
	}
	return ln.Addr(), stop, nil
}
