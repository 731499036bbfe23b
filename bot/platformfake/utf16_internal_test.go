package platformfake

import (
	"testing"
	"unicode/utf16"
)

func TestUTF16Len(t *testing.T) {
	for _, s := range []string{"", "abc", "é", "€", "\uFFFF", "🩺", "a🩺b😀", "\xff", "\xed\xa0\x80", "\xf4\x90\x80\x80", "x\xe2\x82"} {
		if got, want := utf16Len(s), len(utf16.Encode([]rune(s))); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
