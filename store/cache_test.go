package store

import (
	"fmt"
	"reflect"
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
	old := storedProfile{profile: rules.Profile{Specialty: "old"}}
	fresh := storedProfile{profile: rules.Profile{Specialty: "new"}}

	t.Run("a write between a load's read and its fill wins", func(t *testing.T) {
		c := newProfileCache(10)
		_, ok, epoch := c.get(u(1))
		if ok {
			t.Fatal("an empty cache has an entry")
		}
		c.set(u(1), fresh) // committed after the load read old
		c.fill(u(1), old, epoch)
		if got, _, _ := c.get(u(1)); !cmp.Equal(got, fresh, cmp.AllowUnexported(storedProfile{})) {
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
		if got, ok, _ := c.get(u(1)); !ok || !cmp.Equal(got, old, cmp.AllowUnexported(storedProfile{})) {
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

// TestCloneSharesNothing fills every field of a profile and an intake
// state, whatever fields they gain, and checks that their clones share no
// memory with them: a pointer or slice Clone forgets would let a caller
// change the cache through what it loaded.
func TestCloneSharesNothing(t *testing.T) {
	var p rules.Profile
	fill(reflect.ValueOf(&p).Elem())
	if path := shared(reflect.ValueOf(p), reflect.ValueOf(p.Clone()), "Profile"); path != "" {
		t.Errorf("rules.Profile.Clone shares %s with the original", path)
	}
	var s advisor.IntakeState
	fill(reflect.ValueOf(&s).Elem())
	if path := shared(reflect.ValueOf(s), reflect.ValueOf(s.Clone()), "IntakeState"); path != "" {
		t.Errorf("advisor.IntakeState.Clone shares %s with the original", path)
	}
}

// fill sets v, and everything it points to, to non-zero values.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(v.Index(i))
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	default:
		panic("fill: add a case for " + v.Kind().String())
	}
}

// shared returns the path of memory a and b share, "" if none.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), "*"+path)
	case reflect.Slice:
		if a.Len() == 0 {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}
