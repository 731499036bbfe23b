package bot

import (
	"context"
	"time"
)

// Event is something the router observed, for metrics.
type Event uint8

// Events.
const (
	EventAnswered        Event = iota // a question answered from a topic
	EventAbstained                    // a question outside the knowledge base
	EventClarified                    // a question close to several topics: the user is asked which
	EventIntakeStarted                // a first /intake
	EventIntakeCompleted              // the intake's last answer
	EventStoreError                   // the store failed a read or a write
	numEvents
)

// String names the event for metric labels.
func (e Event) String() string {
	switch e {
	case EventAnswered:
		return "answered"
	case EventAbstained:
		return "abstained"
	case EventClarified:
		return "clarified"
	case EventIntakeStarted:
		return "intake_started"
	case EventIntakeCompleted:
		return "intake_completed"
	case EventStoreError:
		return "store_error"
	}
	return "unknown"
}

// Events lists every event, for metrics that want all labels up front.
func Events() []Event {
	out := make([]Event, 0, numEvents)
	for e := range numEvents {
		out = append(out, e)
	}
	return out
}

// UnansweredLog keeps the questions the advisor could not answer, without
// any trace of who asked, so admins can see what to add.
type UnansweredLog interface {
	SaveUnanswered(ctx context.Context, question string, now time.Time) error
}

// OnEvent makes the router tell f of every Event. f must be quick and safe
// for concurrent use. Call it before the router handles messages.
func (r *Router) OnEvent(f func(Event)) { r.events = f }

// LogUnanswered makes the router keep the text of questions it could not
// answer in l. Call it before the router handles messages.
func (r *Router) LogUnanswered(l UnansweredLog) { r.unanswered = l }

func (r *Router) emit(e Event) {
	if r.events != nil {
		r.events(e)
	}
}
