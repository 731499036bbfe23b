package advisor

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"testing"

	"github.com/uscebot/uscebot/advisor/match"
)

var update = flag.Bool("update", false, "rewrite calibration.json from the built-in knowledge base")

// TestBuiltinCalibration checks that calibration.json holds what
// cross-validation learns of the built-in documents today, so that a
// load that reuses it builds the very engine a full load would. After a
// change to the knowledge base or the engine, -update rewrites it.
func TestBuiltinCalibration(t *testing.T) {
	kb := mustLoad(t)
	docs := matchDocs(kb.docs)
	want := calibrationFile{Fingerprint: match.Fingerprint(docs), Calibration: match.New(docs).Calibration()}
	if *update {
		data, err := json.MarshalIndent(want, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("calibration.json", append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var got calibrationFile
	if err := json.Unmarshal(builtinCalibration, &got); err != nil {
		t.Fatalf("calibration.json: %v", err)
	}
	if got != want {
		t.Fatalf("calibration.json = %+v, cross-validation now learns %+v: run go test ./advisor -run TestBuiltinCalibration -update", got, want)
	}
}

// The engine built from a stored calibration reads every question as the
// engine New builds does.
func TestNewCalibratedIsNew(t *testing.T) {
	kb := mustLoad(t)
	docs := matchDocs(kb.docs)
	full := match.New(docs)
	reused := match.NewCalibrated(docs, full.Calibration())
	for _, d := range docs {
		for _, q := range append(d.Phrasings, d.Title, "what is the capital of france", "") {
			if a, b := full.Match(q), reused.Match(q); !reflect.DeepEqual(a, b) {
				t.Fatalf("Match(%q): New %+v, NewCalibrated %+v", q, a, b)
			}
		}
	}
}

// A knowledge folder changes the documents, so the stored calibration is
// not used: the engine learns its own.
func TestCalibrationNotReusedForOtherDocs(t *testing.T) {
	kb := mustLoad(t)
	docs := matchDocs(kb.docs)
	if _, ok := storedCalibration(docs); !ok {
		t.Fatal("the built-in documents do not match calibration.json")
	}
	docs[0].Phrasings = append(docs[0].Phrasings[:len(docs[0].Phrasings):len(docs[0].Phrasings)], "one more way to ask")
	if _, ok := storedCalibration(docs); ok {
		t.Error("a changed document still matched the stored calibration")
	}
}
