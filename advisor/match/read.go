package match

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Act is what one message does.
type Act int

// The acts a message can be read as.
const (
	// ActQuestion asks something: it is matched against the knowledge base.
	ActQuestion Act = iota
	// ActAnswer answers the pending intake step.
	ActAnswer
	// ActControl is a control word: cancel, back, skip, done, yes, no,
	// none, keep, quit, or a number picking a shown choice.
	ActControl
	// ActSocial is a greeting, thanks, congratulations, a goodbye, an
	// acknowledgement or a request for help: it gets a short reply, never
	// an article.
	ActSocial
	// ActUnsure could be the pending step's answer or a question: the bot
	// asks which rather than guess.
	ActUnsure
)

// Control words, as Reading.Word gives them.
const (
	WordCancel = "cancel"
	WordBack   = "back"
	WordSkip   = "skip"
	WordDone   = "done"
	WordYes    = "yes"
	WordNo     = "no"
	WordNone   = "none"
	WordKeep   = "keep"
	WordQuit   = "quit"
	WordPick   = "pick" // a number: Reading.Pick says which
)

// Social kinds, as Reading.Social gives them.
const (
	SocialGreeting = "greeting"
	SocialThanks   = "thanks"
	SocialCongrats = "congrats"
	SocialBye      = "bye"
	SocialAck      = "ack"
	SocialHelp     = "help"
)

// Pending describes what the conversation waits for, when anything: the
// intake's current step.
type Pending struct {
	// Options are the labels of the choices shown with the step, if any.
	Options []string
	// Accepts reports whether a text would be taken as an answer to the
	// step (the intake's own parser, run without keeping the result).
	Accepts func(text string) bool
}

// Reading is one message, read in the light of what is pending.
type Reading struct {
	Act Act
	// Word is the control word (ActControl).
	Word string
	// Pick is the number a WordPick names, from 1.
	Pick int
	// Social is the kind of social message (ActSocial).
	Social string
	// AboutStep marks a question about the pending step itself ("what do
	// you mean by graduated?"): the step's explanation answers it.
	AboutStep bool
	// Questions are the message's question sentences, in order, with the
	// life story around them left out; the whole text when it has none.
	Questions []string
	// Text is the whole message, for a match when no single question
	// sentence carries it.
	Text string
	// Accepted says the pending step would take the text as its answer.
	Accepted bool
}

// maxReadBytes bounds what the reading looks at: the cues that decide an
// act are in the first sentences of a message, and a 100 KB paste must
// cost no more than a normal message.
const maxReadBytes = 4000

// Read reads the surface of a message: control words, social messages,
// question sentences, and whether it answers the pending step (p, nil
// when nothing is pending). Matching the questions against the knowledge
// base is the engine's part.
func Read(text string, p *Pending) Reading {
	if len(text) > maxReadBytes {
		text = text[:maxReadBytes]
	}
	text = strings.TrimSpace(strings.ToValidUTF8(text, " "))
	r := Reading{Text: text}
	key := chatKey(text)
	if w, n, ok := controlWord(key, p); ok {
		r.Act, r.Word, r.Pick = ActControl, w, n
		return r
	}
	sents := splitSentences(text)
	strong, weak := false, false
	if kind, ok := social(key, sents); ok {
		if p != nil && p.Accepts != nil && p.Accepts(text) {
			// "ok", "great" at a confirmation: an answer.
			r.Act, r.Questions, r.Accepted = ActAnswer, []string{text}, true
			return r
		}
		r.Act, r.Social = ActSocial, kind
		return r
	}
	for _, s := range sents {
		switch questionCue(s) {
		case cueStrong:
			strong = true
			r.Questions = append(r.Questions, s)
		case cueWeak:
			weak = true
			r.Questions = append(r.Questions, s)
		}
	}
	if len(r.Questions) == 0 {
		r.Questions = []string{text}
	}
	r.AboutStep = p != nil && aboutStep(key)
	switch {
	case p == nil || r.AboutStep || strong:
		r.Act = ActQuestion
	case p.Accepts != nil && p.Accepts(text):
		r.Act, r.Accepted = ActAnswer, true
		if weak {
			r.Act = ActUnsure
		}
	case weak:
		r.Act = ActQuestion
	default:
		// Neither an answer the step can use nor a question by its form
		// ("i did 2 months of observerships in 2023" at the year step,
		// "internal medicine" at the budget step): a wrong answer, refused
		// with the step's reason, whatever topic its words match.
		r.Act = ActAnswer
	}
	return r
}

// chatKey reduces a short message to lower-case words separated by single
// spaces, without punctuation, accents or emoji: "Thanks bro!! 🙏" is
// "thanks bro". Apostrophes vanish ("that's" is "thats"). Long messages
// give "": no control word or social message is that long.
func chatKey(text string) string {
	if len(text) > 300 {
		return ""
	}
	text = norm.NFKD.String(text)
	var b strings.Builder
	space := true
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// controlWords maps whole messages to the control word they are.
var controlWords = map[string]string{
	"cancel": WordCancel, "cancel it": WordCancel, "cancel that": WordCancel, "pause": WordCancel,
	"stop": WordCancel, "stop it": WordCancel, "abort": WordCancel, "never mind": WordCancel,
	"nevermind": WordCancel, "nvm": WordCancel,
	"back": WordBack, "go back": WordBack, "previous": WordBack, "undo": WordBack,
	"skip": WordSkip, "skip it": WordSkip, "skip this": WordSkip, "skip this one": WordSkip,
	"done": WordDone, "finished": WordDone, "thats all": WordDone, "that is all": WordDone,
	"all done": WordDone, "im done": WordDone,
	"yes": WordYes, "y": WordYes, "yeah": WordYes, "yep": WordYes, "yup": WordYes, "ya": WordYes,
	"yes please": WordYes, "sure": WordYes, "correct": WordYes, "right": WordYes,
	"no": WordNo, "n": WordNo, "nope": WordNo, "nah": WordNo, "no thanks": WordNo, "wrong": WordNo,
	"none": WordNone, "nothing": WordNone, "none yet": WordNone, "not yet": WordNone, "na": WordNone,
	"keep": WordKeep, "keep it": WordKeep, "same": WordKeep, "unchanged": WordKeep,
	"quit": WordQuit, "exit": WordQuit, "q": WordQuit,
}

// controlWord reads a message that is one control word, or a number
// picking one of the pending step's options. A number with no options
// shown is an answer when a step is pending ("2" letters) and a pick of
// nothing otherwise.
func controlWord(key string, p *Pending) (word string, pick int, ok bool) {
	if w, ok := controlWords[key]; ok {
		return w, 0, true
	}
	n, err := strconv.Atoi(key)
	if err != nil || len(key) > 3 {
		return "", 0, false
	}
	switch {
	case p == nil:
		return WordPick, n, true
	case len(p.Options) > 0:
		return WordPick, n, true
	}
	return "", 0, false
}

// Social phrases by kind; a message is social when, with these phrases
// and the socialFiller words taken out, nothing is left.
var socialPhrases = []struct {
	kind    string
	phrases []string
}{
	// Strongest first: "i matched thank you" is a congratulation.
	{SocialCongrats, []string{"i matched", "we matched", "just matched", "matched", "i got matched",
		"got matched", "i passed", "i got in", "good news", "i soaped", "i got a position",
		"i got an interview", "i got my first interview", "got my visa", "got my first interview"}},
	{SocialThanks, []string{"thank you", "thank u", "thanks", "thanx", "thnx", "thx", "ty", "tysm",
		"tyvm", "thank", "appreciate it", "appreciated", "much appreciated", "i appreciate it",
		"jazakallah", "jazakallah khair", "jzk", "shukran", "grateful", "youre the best",
		"ur the best", "you are the best", "u r the best", "you r the best", "u are the best",
		"you rock", "youre awesome", "u r awesome", "ur awesome", "legend", "lifesaver", "life saver",
		"thankyou", "thanku", "thnks", "thks", "tks", "tnx", "tq", "thank youu", "thanks a ton",
		"thanks in advance",
		"very helpful", "so helpful", "that helps", "that helped", "helpful", "great help"}},
	{SocialBye, []string{"bye", "goodbye", "bye bye", "good night", "gn", "cya", "see you",
		"see ya", "take care", "later", "ttyl", "gotta go", "see you later"}},
	{SocialHelp, []string{"help", "what can you do", "what do you do", "who are you",
		"what are you", "how do i use you", "how does this work", "what can i ask",
		"what can i ask you", "commands", "menu", "how to use", "start", "i have a question",
		"quick question", "can i ask something", "can i ask you something", "can i ask a question",
		"i need help", "need help", "need some help", "i need advice", "i have a doubt", "a doubt"}},
	{SocialGreeting, []string{"hi", "hello", "hey", "heya", "hiya", "yo", "sup", "whats up",
		"wassup", "salam", "salaam", "assalamualaikum", "assalamu alaikum", "asalamualaikum",
		"salam alaikum", "as salamu alaykum", "good morning", "good afternoon", "good evening",
		"gm", "hola", "namaste", "greetings", "howdy", "how are you", "how r u", "hows it going"}},
	{SocialAck, []string{"ok", "okay", "okk", "k", "kk", "cool", "nice", "great", "awesome",
		"got it", "makes sense", "alright", "sounds good", "noted", "understood", "perfect",
		"lol", "haha", "hahaha", "hmm", "i see", "oh", "ah", "wow", "amazing", "interesting",
		"oh ok", "ok cool", "fair enough", "all good", "no worries", "np"}},
}

// socialWords indexes socialPhrases by their first word, each phrase
// split into words once, with the rank of its kind: social reads every
// message.
var socialWords = func() map[string][]socialPhrase {
	out := make(map[string][]socialPhrase)
	for k, group := range socialPhrases {
		for _, ph := range group.phrases {
			ws := strings.Fields(ph)
			out[ws[0]] = append(out[ws[0]], socialPhrase{ws, k})
		}
	}
	return out
}()

type socialPhrase struct {
	words []string
	rank  int // index of its kind in socialPhrases: lower is stronger
}

// socialFiller are the words a social message may carry beside its
// phrases: whom it addresses and how much.
var socialFiller = map[string]bool{
	"bro": true, "bruh": true, "man": true, "sis": true, "dude": true, "buddy": true, "mate": true,
	"bot": true, "guys": true, "all": true, "everyone": true, "doc": true, "dr": true, "doctor": true,
	"so": true, "much": true, "very": true, "a": true, "lot": true, "lots": true, "you": true,
	"u": true, "really": true, "again": true, "for": true, "the": true, "your": true, "ur": true,
	"it": true, "this": true, "that": true, "and": true, "there": true, "folks": true, "friend": true,
	"sir": true, "madam": true, "maam": true, "uscebot": true, "its": true, "soo": true, "sooo": true,
	"tons": true, "everything": true, "info": true, "advice": true, "answer": true, "answers": true,
	"all of": true, "just": true, "finally": true, "yay": true, "omg": true, "yes": true, "too": true,
	"now": true, "today": true, "my": true, "me": true, "to": true, "of": true, "well": true,
	"r": true, "are": true, "best": true, "super": true, "truly": true, "kind": true, "good": true,
}

// social reads a message that is only a greeting, thanks, good news, a
// goodbye, an acknowledgement or a request for help, and says which. A
// social phrase with content beside it ("thanks, and does tele count?")
// is not social: the content is answered. Good news may say more ("I
// matched into IM!!") as long as it asks nothing.
func social(key string, sents []string) (string, bool) {
	if key == "" {
		return "", false
	}
	ws := strings.Fields(key)
	// Past a few words only good news stays social ("matched after 4
	// months of USCE! thank you all, two years of rotations..."):
	// thanks or a greeting that long carries a message of its own.
	long := len(ws) > 16
	used := make([]bool, len(ws))
	found := ""
	rank := len(socialPhrases)
	for i, w := range ws {
		for _, ph := range socialWords[w] {
			if long && socialPhrases[ph.rank].kind != SocialCongrats {
				continue
			}
			if i+len(ph.words) > len(ws) || !wordsAt(ws, i, ph.words) {
				continue
			}
			for j := range ph.words {
				used[i+j] = true
			}
			if ph.rank < rank {
				rank, found = ph.rank, socialPhrases[ph.rank].kind
			}
		}
	}
	if found == "" {
		return "", false
	}
	if found == SocialCongrats {
		for _, s := range sents {
			if questionCue(s) != cueNone {
				return "", false
			}
		}
		return found, true
	}
	for i, w := range ws {
		if !used[i] && !socialFiller[w] {
			return "", false
		}
	}
	return found, true
}

func wordsAt(ws []string, i int, pw []string) bool {
	for j, w := range pw {
		if ws[i+j] != w {
			return false
		}
	}
	return true
}

// splitSentences splits a message into sentences at ".", "!", "?", ";"
// and line breaks, keeping the "?" with its sentence. A dot between
// letters or digits ("U.S.", "2.5") does not end one.
func splitSentences(text string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" && hasLetterOrDigit(s) {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '?', '!', ';', '\n':
			// A run of them ends one sentence: "really??!" stays together.
			j := i + size
			for j < len(text) && strings.ContainsRune("?!;\n", rune(text[j])) {
				j++
			}
			flush(j)
			i = j
			continue
		case '.':
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			joined := (unicode.IsLetter(next) || unicode.IsDigit(next)) && (unicode.IsLetter(prev) || unicode.IsDigit(prev))
			if !joined && !abbreviation(text[:i]) {
				flush(i + size)
			}
		}
		i += size
	}
	flush(len(text))
	return out
}

// abbreviations end in a dot that ends no sentence.
var abbreviations = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "vs": true,
	"etc": true, "eg": true, "ie": true, "approx": true, "st": true}

// abbreviation reports whether the text before a dot ends in an
// abbreviation: one letter ("U.S.", "J. Smith") or a known one ("Dr.").
func abbreviation(before string) bool {
	word := before
	if i := strings.LastIndexFunc(before, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		_, n := utf8.DecodeRuneInString(before[i:])
		word = before[i+n:]
	}
	word = strings.ToLower(word)
	return utf8.RuneCountInString(word) == 1 || abbreviations[word]
}

func hasLetterOrDigit(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

type cue int

const (
	cueNone cue = iota
	cueWeak
	cueStrong
)

// questionStarts are first words that make a sentence a question.
var questionStarts = map[string]bool{
	"what": true, "whats": true, "wat": true, "wht": true, "which": true, "who": true, "whom": true,
	"when": true, "where": true, "why": true, "how": true, "hw": true, "hows": true,
	"is": true, "are": true, "was": true, "were": true, "does": true, "doesnt": true, "can": true,
	"cant": true, "could": true, "should": true, "shouldnt": true, "would": true, "will": true,
	"shall": true, "may": true, "might": true, "must": true, "isnt": true, "arent": true,
	"any": true, "anyone": true, "anybody": true, "someone": true, "somebody": true, "explain": true, "tell": true, "wondering": true, "r": true,
	"wanna": true, "ques": true, "question": true, "query": true, "confused": true,
}

// auxStarts make a question only before a subject: "do I need" asks,
// "did 4 weeks of IM in 2021" answers.
var auxStarts = map[string]bool{"do": true, "did": true, "have": true, "has": true, "had": true, "am": true, "dont": true, "didnt": true}

var subjects = map[string]bool{"i": true, "you": true, "u": true, "we": true, "they": true, "it": true,
	"this": true, "that": true, "these": true, "those": true, "anyone": true, "any": true, "programs": true,
	"pds": true, "he": true, "she": true, "my": true, "img": true, "imgs": true, "people": true, "ur": true}

// questionPhrases ask wherever they stand in a sentence.
var questionPhrases = []string{"want to know", "wanted to know", "need to know", "would like to know",
	"my question", "i wonder", "im wondering", "i was wondering", "wondering if", "wondering whether",
	"any idea", "any ideas", "any advice", "any tips", "any suggestions", "do i need", "should i",
	"can i", "is it worth", "is it true", "is it ok", "is it okay", "does it count", "do they count",
	"does that count", "does this count", "what about", "how about", "how much", "how many",
	"how long", "what if", "or not", "can someone", "can anyone", "does anyone", "anyone know",
	"not sure if", "not sure whether", "unsure if", "is there", "are there", "tell me", "help me",
	"advise me", "what do", "what is", "whats the", "which is better", "which one", "worth it",
	"vs", "versus", "or should"}

// questionCue says whether a sentence asks something: strong by its form
// (a question word or "do I ..." first, a "?" after a sentence of several
// words, "I want to know"), weak for a lone word with "?" ("graduated?"),
// none for a statement.
func questionCue(s string) cue {
	key := chatKey(s)
	ws := strings.Fields(key)
	if len(ws) == 0 {
		return cueNone
	}
	if questionStarts[ws[0]] || (auxStarts[ws[0]] && len(ws) > 1 && subjects[ws[1]]) {
		return cueStrong
	}
	padded := " " + key + " "
	for _, ph := range questionPhrases {
		if strings.Contains(padded, " "+ph+" ") {
			return cueStrong
		}
	}
	if strings.Contains(s, "?") {
		if len(ws) >= 3 {
			return cueStrong
		}
		return cueWeak
	}
	return cueNone
}

// stepPhrases ask what the pending question itself means or why it is
// asked.
var stepPhrases = []string{"what do you mean", "what does that mean", "what does this mean",
	"what do u mean", "wdym", "what is meant", "why do you ask", "why do you need", "why does it matter",
	"why is that important", "why do you want to know", "what is this for", "whats this for",
	"i dont understand the question", "i dont get it", "i dont understand", "what should i answer",
	"what should i put", "what do i put", "what do i say", "how do i answer", "meaning of"}

// aboutStep reports whether a message asks about the pending step itself.
func aboutStep(key string) bool {
	padded := " " + key + " "
	for _, ph := range stepPhrases {
		if strings.Contains(padded, " "+ph+" ") {
			return true
		}
	}
	return false
}
