package remind_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/bot/platformfake"
	"github.com/uscebot/uscebot/bot/remind"
	"github.com/uscebot/uscebot/bot/telegram"
	"github.com/uscebot/uscebot/store"
)

// BenchmarkRemind10k is the day a milestone falls due for 10,000 users,
// half on Telegram, half on Discord: scheduling (every user sends /remind
// on through the router, 32 at a time) and sending (one RunOnce, through
// the real adapters against platformfake, paced as uscebot run paces:
// 20 a second on Telegram, 10 on Discord). The pacing waits on a fake
// clock, so the benchmark measures the work; paced-s is how long the
// sending takes on the real clock.
//
//	go test ./bot/remind/ -run '^$' -bench Remind10k -benchtime 1x
func BenchmarkRemind10k(b *testing.B) {
	const users, parallel = 10_000, 32
	kb, err := advisor.Load("", true)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	profile := profile(2028)
	plan, _ := expected(b, 2028, start, 10)
	key := func(i int) advisor.UserKey {
		if i%2 == 0 {
			return advisor.UserKey{Platform: telegram.Platform, ID: strconv.Itoa(100_000 + i)}
		}
		return advisor.UserKey{Platform: discord.Platform, ID: strconv.Itoa(1_400_000_000_000_000_000 + i)}
	}
	// each runs f(i) for every user, parallel at a time.
	each := func(f func(i int) error) error {
		var wg sync.WaitGroup
		errs := make(chan error, parallel)
		for w := range parallel {
			wg.Go(func() {
				for i := w; i < users; i += parallel {
					if err := f(i); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		return <-errs
	}

	var schedule, send, paced time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "remind.db"))
		if err != nil {
			b.Fatal(err)
		}
		clock := &fakeClock{now: start}
		router := bot.NewRouter(kb, db, clock.Now)
		fake := platformfake.New()
		client := &http.Client{Transport: fake}
		sched := remind.New(remind.Config{Store: db, Compose: router.ReminderReply, Clock: clock, Log: quiet})
		if err := router.EnableReminders(ctx, db, sched.Wake); err != nil {
			b.Fatal(err)
		}
		h := router.Handler(quiet)
		tg, err := telegram.New(ctx, telegram.Config{Token: platformfake.TelegramToken, APIEndpoint: "http://telegram.invalid/bot%s/%s",
			HTTPClient: client, Logger: quiet}, h, router.Commands())
		if err != nil {
			b.Fatal(err)
		}
		dc, err := discord.New(ctx, discord.Config{Token: platformfake.DiscordToken, HTTPClient: client, Logger: quiet}, h, router.Commands())
		if err != nil {
			b.Fatal(err)
		}
		sched.AddSender(telegram.Platform, tg, 20)
		sched.AddSender(discord.Platform, dc, 10)
		if err := each(func(i int) error {
			return db.SaveProfile(ctx, key(i), profile, advisor.IntakeState{Step: advisor.StepDone}, start)
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		began := time.Now()
		if err := each(func(i int) error {
			u := key(i)
			r, err := h(ctx, bot.Message{Platform: u.Platform, UserID: u.ID, ChatID: u.ID, Chat: bot.Direct, Text: "/remind on"})
			if err == nil && len(r.Text) < 3 {
				err = fmt.Errorf("/remind on = %q", r.Text.String())
			}
			return err
		}); err != nil {
			b.Fatal(err)
		}
		schedule += time.Since(began)

		due := plan[0]
		clock.set(due)
		clock.auto = true
		began = time.Now()
		if _, _, err := sched.RunOnce(ctx); err != nil {
			b.Fatal(err)
		}
		send += time.Since(began)
		paced += clock.Now().Sub(due)

		b.StopTimer()
		if n, err := db.PendingReminders(ctx); err != nil || n != users*(len(plan)-1) {
			b.Fatalf("%d reminders pending after the day (%v), want %d: every first one sent", n, err, users*(len(plan)-1))
		}
		if v := fake.Violations(); len(v) > 0 {
			b.Fatalf("platform limits broken: %v", v)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(schedule.Seconds()/n, "schedule-s")
	b.ReportMetric(send.Seconds()/n, "send-s")
	b.ReportMetric(float64(send.Microseconds())/n/users, "send-µs/reminder")
	b.ReportMetric(paced.Seconds()/n, "paced-s")
}
