package store

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

// TestLoadAfterEveryWrite loads each profile first, so that it is cached,
// then changes it with every kind of write: the next load must see the
// change.
func TestLoadAfterEveryWrite(t *testing.T) {
	ctx := t.Context()
	later := t0.Add(24 * time.Hour)
	tests := []struct {
		name  string
		write func(t *testing.T, db *DB)
		want  rules.Profile
	}{
		{"SaveProfile", func(t *testing.T, db *DB) {
			saveProfile(t, db, alice, rules.Profile{Specialty: "neurology"}, advisor.IntakeState{Step: "visa"}, later)
		}, rules.Profile{Specialty: "neurology"}},
		{"Forget", func(t *testing.T, db *DB) {
			if _, err := db.Forget(ctx, alice); err != nil {
				t.Fatal(err)
			}
		}, rules.Profile{}},
		{"DeleteInactive", func(t *testing.T, db *DB) {
			if n, err := db.DeleteInactive(ctx, later); err != nil || n != 1 {
				t.Fatalf("DeleteInactive = %d, %v; want 1 user", n, err)
			}
		}, rules.Profile{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTemp(t)
			saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)
			if p, _ := loadProfile(t, db, alice); !cmp.Equal(p, fullProfile()) {
				t.Fatalf("LoadProfile before %s = %+v", tt.name, p)
			}
			tt.write(t, db)
			if p, _ := loadProfile(t, db, alice); !cmp.Equal(p, tt.want) {
				t.Errorf("LoadProfile after %s = %+v, want %+v", tt.name, p, tt.want)
			}
		})
	}
}

// TestLoadedProfileIsACopy: what a caller does with a loaded profile must
// not change what the next load returns.
func TestLoadedProfileIsACopy(t *testing.T) {
	db, _ := openTemp(t)
	saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)
	p, s := loadProfile(t, db, alice)
	p.Experiences[0].Weeks = 99
	*p.GradYear = 1900
	s.History[0] = "changed"
	s.Draft.Kind = "changed"
	if p, s := loadProfile(t, db, alice); !cmp.Equal(p, fullProfile()) || !cmp.Equal(s, midLoopState()) {
		t.Errorf("LoadProfile after changing a loaded copy = %+v, %+v", p, s)
	}
}

func TestProfileCache(t *testing.T) {
	u := func(i int) advisor.UserKey { return advisor.UserKey{Platform: "telegram", ID: strconv.Itoa(i)} }
	old := storedProfile{profile: `{"specialty":"old"}`, intake: `{}`, found: true}
	fresh := storedProfile{profile: `{"specialty":"new"}`, intake: `{}`, found: true}

	t.Run("a write between a load's read and its fill wins", func(t *testing.T) {
		c := newProfileCache(10)
		_, ok, epoch := c.get(u(1))
		if ok {
			t.Fatal("an empty cache has an entry")
		}
		c.set(u(1), fresh) // committed after the load read old
		c.fill(u(1), old, epoch)
		if got, _, _ := c.get(u(1)); got != fresh {
			t.Errorf("entry = %+v, want the write's %+v", got, fresh)
		}
	})
	t.Run("a write evicted before the fill still wins", func(t *testing.T) {
		c := newProfileCache(1)
		_, _, epoch := c.get(u(1))
		c.set(u(1), fresh)
		c.set(u(2), fresh) // evicts user 1
		c.fill(u(1), old, epoch)
		if got, ok, _ := c.get(u(1)); ok {
			t.Errorf("a load filled %+v after its user's entry was evicted, want no entry", got)
		}
	})
	t.Run("a reset between a load's read and its fill wins", func(t *testing.T) {
		c := newProfileCache(10)
		_, _, epoch := c.get(u(1))
		c.reset()
		c.fill(u(1), old, epoch)
		if got, ok, _ := c.get(u(1)); ok {
			t.Errorf("a load filled %+v across a reset, want no entry", got)
		}
	})
	t.Run("a load fills", func(t *testing.T) {
		c := newProfileCache(10)
		_, _, epoch := c.get(u(1))
		c.fill(u(1), old, epoch)
		if got, ok, _ := c.get(u(1)); !ok || got != old {
			t.Errorf("entry = %+v, %t; want %+v", got, ok, old)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		c := newProfileCache(5)
		for i := range 50 {
			c.set(u(i), fresh)
			if n := len(c.entries); n > 5 {
				t.Fatalf("%d entries, want at most 5", n)
			}
		}
		if _, ok, _ := c.get(u(49)); !ok {
			t.Error("the newest entry was evicted")
		}
	})
}

// TestLoadAfterClose: a closed store fails loads, cached or not.
func TestLoadAfterClose(t *testing.T) {
	db, _ := openTemp(t)
	saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)
	loadProfile(t, db, alice)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if p, _, err := db.LoadProfile(t.Context(), alice); err == nil {
		t.Errorf("LoadProfile after Close = %+v, nil; want an error", p)
	}
}
