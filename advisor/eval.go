package advisor

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// EvalCase is one labelled question: the id of the topic that should
// answer it, or "none" when the advisor should abstain.
type EvalCase struct {
	Want, Question string
}

// ReadEval reads labelled questions: a TSV with the header
// "topic<TAB>question", then one "id<TAB>question" line each.
func ReadEval(r io.Reader) ([]EvalCase, error) {
	var cases []EvalCase
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			if text != "topic\tquestion" {
				return nil, fmt.Errorf(`line 1: the header must be "topic<TAB>question"`)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		want, question, ok := strings.Cut(text, "\t")
		if !ok || strings.TrimSpace(want) == "" || strings.TrimSpace(question) == "" {
			return nil, fmt.Errorf("line %d: want a topic id, a tab and a question", line)
		}
		cases = append(cases, EvalCase{strings.TrimSpace(want), question})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if line == 0 {
		return nil, fmt.Errorf(`empty file: want the header "topic<TAB>question" and labelled questions`)
	}
	return cases, nil
}

// EvalReport is how the knowledge base does on labelled questions. An
// in-scope question is Correct when answered with the right topic or
// clarified with it among the choices; Clarified counts the clarified
// ones, right or not.
type EvalReport struct {
	InScope struct {
		N         int `json:"n"`
		Correct   int `json:"correct"`
		Clarified int `json:"clarified"`
		// Answered counts those answered right, without a question back:
		// strict top-1, as intent benchmarks count.
		Answered int `json:"-"`
	} `json:"in_scope"`
	OutOfScope struct {
		N         int `json:"n"`
		Abstained int `json:"abstained"`
	} `json:"out_of_scope"`
	Misses []EvalMiss `json:"misses"`
}

// EvalMiss is one question the knowledge base got wrong. Got is the
// answering topic, the first choice of a clarification (Clarify lists
// them all), or nil when the advisor abstained.
type EvalMiss struct {
	Question string   `json:"question"`
	Want     string   `json:"want"`
	Got      *string  `json:"got"`
	Clarify  []string `json:"clarify,omitempty"`
	Score    float64  `json:"score"`
}

// Evaluate asks every question as the bot reads a message (KB.Read, with
// nothing pending) and counts. A want that is neither "none"
// nor a topic id is an error naming it, since it could never be right.
func (kb *KB) Evaluate(cases []EvalCase) (EvalReport, error) {
	var r EvalReport
	r.Misses = []EvalMiss{}
	for _, c := range cases {
		if c.Want != "none" && kb.Topic(c.Want) == nil {
			return EvalReport{}, fmt.Errorf("unknown topic id %q (question %q)", c.Want, c.Question)
		}
		a := kb.Read(c.Question, nil).Answer
		ok := false
		var got *string
		var choices []string
		switch {
		case a.Topic != nil:
			got = &a.Topic.ID
			ok = a.Topic.ID == c.Want
			if ok {
				r.InScope.Answered++
			}
		case len(a.Clarify) > 0:
			got = &a.Clarify[0].ID
			for _, t := range a.Clarify {
				choices = append(choices, t.ID)
				ok = ok || t.ID == c.Want
			}
		}
		if c.Want == "none" {
			r.OutOfScope.N++
			ok = got == nil
			if ok {
				r.OutOfScope.Abstained++
			}
		} else {
			r.InScope.N++
			if len(choices) > 0 {
				r.InScope.Clarified++
			}
			if ok {
				r.InScope.Correct++
			}
		}
		if !ok {
			r.Misses = append(r.Misses, EvalMiss{Question: c.Question, Want: c.Want, Got: got, Clarify: choices, Score: a.Score})
		}
	}
	return r, nil
}

// Summary is the report's figures in one line.
func (r EvalReport) Summary() string {
	return fmt.Sprintf("in scope: %d/%d right (%s; %s answered right without a question back), %d clarified (%s); out of scope: %d/%d abstained (%s)",
		r.InScope.Correct, r.InScope.N, percent(r.InScope.Correct, r.InScope.N), percent(r.InScope.Answered, r.InScope.N),
		r.InScope.Clarified, percent(r.InScope.Clarified, r.InScope.N),
		r.OutOfScope.Abstained, r.OutOfScope.N, percent(r.OutOfScope.Abstained, r.OutOfScope.N))
}

func percent(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}
