package match

import (
	"slices"
	"strings"
	"testing"
)

func TestReadActs(t *testing.T) {
	yearStep := &Pending{Accepts: func(s string) bool { return strings.ContainsAny(s, "0123456789") }}
	stageStep := &Pending{Options: []string{"Still in medical school", "Graduated"},
		Accepts: func(s string) bool { return strings.Contains(strings.ToLower(s), "grad") }}
	tests := []struct {
		name    string
		text    string
		pending *Pending
		act     Act
		detail  string // Word, Social, or "about" for AboutStep
	}{
		{"cancel", "Cancel", nil, ActControl, WordCancel},
		{"never mind", "never mind!", nil, ActControl, WordCancel},
		{"go back", "go back", stageStep, ActControl, WordBack},
		{"exit", "exit", nil, ActControl, WordQuit},
		{"number idle", "2", nil, ActControl, WordPick},
		{"number with options", "2", stageStep, ActControl, WordPick},
		{"number as an answer", "2019", yearStep, ActAnswer, ""},
		{"thanks", "thanks bro, you're the best", nil, ActSocial, SocialThanks},
		{"thank you emoji", "thank u so much 🙏", nil, ActSocial, SocialThanks},
		{"thanks shorthand", "thanks bro u r the best", nil, ActSocial, SocialThanks},
		{"thanks typed fast", "thnks a lot, super helpful", nil, ActSocial, SocialThanks},
		{"best question", "thanks! best qbank for ck?", nil, ActQuestion, ""},
		{"matched", "i matched! thank you", nil, ActSocial, SocialCongrats},
		{"matched with more", "I matched into IM at a community program!!!", nil, ActSocial, SocialCongrats},
		{"matched question", "did anyone match without usce?", nil, ActQuestion, ""},
		{"matched, long", "Matched after 4 months of USCE! Thank you all | Two years of rotations, cold emails and tears, and I matched IM in the Midwest. Love you guys.", nil, ActSocial, SocialCongrats},
		{"thanks, long", "thanks for the answer about observerships yesterday, my attending said the same thing about letters and the EMR access", nil, ActQuestion, ""},
		{"greeting", "Assalamu alaikum", nil, ActSocial, SocialGreeting},
		{"help", "what can you do?", nil, ActSocial, SocialHelp},
		{"ack", "ok cool", nil, ActSocial, SocialAck},
		{"thanks with a question", "thanks! also does tele count?", nil, ActQuestion, ""},
		{"question idle", "obs = usce?", nil, ActQuestion, ""},
		{"statement idle", "observership usce", nil, ActQuestion, ""},
		{"answer", "graduated in 2019", stageStep, ActAnswer, ""},
		{"ack that answers", "graduated", stageStep, ActAnswer, ""},
		{"question mid-intake", "does an observership count as usce?", stageStep, ActQuestion, ""},
		{"question that parses", "i am not sure, what do you mean by graduated?", stageStep, ActQuestion, "about"},
		{"lone word with ?", "graduated?", stageStep, ActUnsure, ""},
		{"wh-question", "what is a J1 visa", stageStep, ActQuestion, ""},
		{"no cue, no parse", "astrology", stageStep, ActAnswer, ""},
		{"telling, no parse", "i did a 2 month observership in 2023", stageStep, ActAnswer, ""},
		{"social mid-intake", "thanks", stageStep, ActSocial, SocialThanks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Read(tt.text, tt.pending)
			detail := r.Word + r.Social
			if r.AboutStep {
				detail = "about"
			}
			if r.Act != tt.act || detail != tt.detail {
				t.Errorf("Read(%q) = act %d %q, want act %d %q", tt.text, r.Act, detail, tt.act, tt.detail)
			}
		})
	}
}

func TestReadQuestionSentences(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Egyptian grad 2019, CK 236, visa needed. Does telehealth count as USCE?",
			[]string{"Does telehealth count as USCE?"}},
		{"Are observerships considered USCE? Including observerships completed after graduation?",
			[]string{"Are observerships considered USCE?", "Including observerships completed after graduation?"}},
		{"I did 2 yrs in the U.S. as a research fellow. Should I still get hands-on experience",
			[]string{"Should I still get hands-on experience"}},
		{"no question here, just a statement", []string{"no question here, just a statement"}},
		{"done my MBBS in 2018\nhow much usce do i need\nthx", []string{"how much usce do i need"}},
	}
	for _, tt := range tests {
		if got := Read(tt.text, nil).Questions; !slices.Equal(got, tt.want) {
			t.Errorf("Read(%q).Questions = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSplitSentences(t *testing.T) {
	got := splitSentences("Hi!! I'm from the U.S. side of things... CK 2.5 yrs ago?! ok;fine\n\n...")
	want := []string{"Hi!!", "I'm from the U.S. side of things.", "CK 2.5 yrs ago?!", "ok;", "fine"}
	if !slices.Equal(got, want) {
		t.Errorf("splitSentences = %q, want %q", got, want)
	}
}

// A huge message or invalid UTF-8 costs no more than a normal one and
// never breaks the reading.
func TestReadBadInput(t *testing.T) {
	huge := strings.Repeat("does telehealth count? ", 5000)
	if r := Read(huge, nil); r.Act != ActQuestion || len(r.Text) > maxReadBytes {
		t.Errorf("Read(100 KB) = act %d, %d bytes kept", r.Act, len(r.Text))
	}
	if r := Read("thanks \xff\xfe", nil); r.Act != ActSocial {
		t.Errorf("Read(invalid UTF-8 thanks) = act %d, want social", r.Act)
	}
	if r := Read("", nil); r.Act != ActQuestion {
		t.Errorf("Read(\"\") = act %d", r.Act)
	}
}

// Accepted carries the step's verdict, so that nobody asks it twice.
func TestReadAccepted(t *testing.T) {
	calls := 0
	p := &Pending{Accepts: func(s string) bool { calls++; return s == "2019" }}
	if r := Read("2019", p); !r.Accepted || r.Act != ActAnswer || calls != 1 {
		t.Errorf("Read(2019) = act %d, accepted %t, %d calls; want an accepted answer, asked once", r.Act, r.Accepted, calls)
	}
	if r := Read("astrology", p); r.Accepted {
		t.Error("Read(astrology) is accepted")
	}
}

// BenchmarkRead measures the reading of one message (ns/op is per
// message), over answers, questions, social messages and control words.
func BenchmarkRead(b *testing.B) {
	year := &Pending{Accepts: func(s string) bool { return strings.ContainsAny(s, "0123456789") }}
	msgs := []string{"2019", "does telehealth count as usce?", "thanks bro, you're the best", "cancel",
		"Egyptian grad 2019, CK 236, visa needed. Are observerships considered USCE? Including ones after graduation?",
		"i did a 2 month observership in 2023", "ok cool"}
	i := 0
	for b.Loop() {
		Read(msgs[i%len(msgs)], year)
		i++
	}
}
