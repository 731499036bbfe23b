// Package remindtest holds what the platform adapters' reminder tests
// share: a clock the test sets, and a user whose plan has a step ahead.
// It is for tests only.
package remindtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

// Clock is a scheduler's clock that stays where it is set; its After fires
// at once.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now returns the time the clock is set to.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires at once.
func (c *Clock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// PlannedUser stores a complete profile for u, whose plan has steps ahead
// of now, and returns the first of them not yet under way: the first
// reminder.
func PlannedUser(tb testing.TB, db advisor.ProfileStore, u advisor.UserKey, now time.Time) rules.Milestone {
	tb.Helper()
	year, grad, letters := 2028, 2022, 1
	p := rules.Profile{Stage: rules.StageGraduate, GradYear: &grad, ApplicationYear: &year, Specialty: "internal medicine",
		Step1: rules.Step1Passed, Visa: rules.VisaNeeded, CanTravel: rules.Yes, Budget: rules.BudgetMedium, USLetters: &letters}
	if err := db.SaveProfile(context.Background(), u, p, advisor.IntakeState{Step: advisor.StepDone}, now); err != nil {
		tb.Fatal(err)
	}
	for _, m := range rules.Assess(p, now).Milestones {
		if m.From.After(now) {
			return m
		}
	}
	tb.Fatal("the test profile's plan has no milestone ahead")
	return rules.Milestone{}
}
