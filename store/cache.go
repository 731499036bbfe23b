package store

import (
	"sync"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

// profileCache keeps the profiles used lately, decoded, so that the load
// at the start of nearly every message neither reads the file nor decodes
// JSON: the store is the only writer of profiles, so it knows when an
// entry goes out of date. Entries go in and come out as clones, so that no
// caller can change one through what it gave or got.
//
// An entry is set by each committed write of its user, in commit order (by
// the writer goroutine), and by a load that found none, unless a write or
// an eviction happened meanwhile (which the epoch or the entry tells): a
// load that read the file before a write must not store what it read
// after the write's entry.
type profileCache struct {
	mu      sync.Mutex
	entries map[advisor.UserKey]storedProfile
	epoch   uint64 // changes whenever entries are dropped
	max     int
	closed  bool // the store is closed: nothing is kept or served
}

// storedProfile is a user's row of profiles; a user without one has the
// zero value, as LoadProfile returns.
type storedProfile struct {
	profile rules.Profile
	intake  advisor.IntakeState
}

func (sp storedProfile) clone() storedProfile {
	return storedProfile{sp.profile.Clone(), sp.intake.Clone()}
}

// maxCached bounds the cache: a few kilobytes per user.
const maxCached = 10_000

func newProfileCache(max int) *profileCache {
	return &profileCache{entries: make(map[advisor.UserKey]storedProfile), max: max}
}

// get returns u's entry, or the epoch to give fill.
func (c *profileCache) get(u advisor.UserKey) (sp storedProfile, ok bool, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return storedProfile{}, false, c.epoch
	}
	sp, ok = c.entries[u]
	return sp.clone(), ok, c.epoch
}

// fill stores what a load read, if nothing changed since get gave epoch.
func (c *profileCache) fill(u advisor.UserKey, sp storedProfile, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[u]; ok || c.epoch != epoch {
		return
	}
	c.putLocked(u, sp)
}

// set stores what a committed write left for u.
func (c *profileCache) set(u advisor.UserKey, sp storedProfile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(u, sp)
}

func (c *profileCache) putLocked(u advisor.UserKey, sp storedProfile) {
	if c.closed {
		return
	}
	if _, ok := c.entries[u]; !ok && len(c.entries) >= c.max {
		// Drop an entry, whichever map iteration gives first (random);
		// the epoch keeps a load in flight from bringing it back stale.
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
		c.epoch++
	}
	c.entries[u] = sp.clone()
}

// reset drops every entry, after a write whose users are not known one by
// one (the retention sweep).
func (c *profileCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.epoch++
}

// close empties the cache for good: a closed store serves nothing.
func (c *profileCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.epoch++
	c.closed = true
}
