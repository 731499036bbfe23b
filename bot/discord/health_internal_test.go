package discord

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestConnectedDoesNotWaitForTheSession(t *testing.T) {
	s, err := discordgo.New("Bot token")
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{s: s}
	if b.Connected() {
		t.Error("Connected() on a session never opened = true, want false")
	}
	s.DataReady = true
	if !b.Connected() {
		t.Error("Connected() on a ready session = false, want true")
	}
	// Open and Close hold the lock for as long as the network takes.
	s.Lock()
	defer s.Unlock()
	if b.Connected() {
		t.Error("Connected() while the session is locked (opening) = true, want false")
	}
}
