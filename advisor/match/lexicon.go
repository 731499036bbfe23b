package match

import "strings"

// The domain lexicon: how IMGs write about the same thing in different
// words. Every phrase and synonym maps to one concept term, chosen so that
// it cannot collide with a stemmed English word, and the same mapping runs
// over the knowledge base and over questions, so "tele-rotation", "Zoom
// rotation" and "virtual rotation" all meet on "tele rotat".

// maxPhraseWords is the length of the longest phrase in phrases.
const maxPhraseWords = 5

// phrases maps a run of words (as produced by words) to concept terms.
var phrases = buildPhrases(map[string][]string{
	"usce": {
		"us clinical experience", "us clinical experiences", "u s clinical experience",
		"united states clinical experience", "american clinical experience",
		"clinical experience in the us", "clinical experience in the usa",
		"clinical experience in america", "clinical experience in the states",
		"us clinical exposure", "clinical exposure in america", "clinical exposure in the us",
		"clinical exposure in the usa", "us clinical work", "us based clinical experience",
	},
	"lor": {
		"letter of recommendation", "letters of recommendation", "letter of recomendation",
		"rec letter", "rec letters", "recommendation letter", "recommendation letters",
		"reference letter", "reference letters", "letter of rec", "letters of rec",
		"letter of reference",
	},
	"pd": {
		"program director", "program directors", "programme director", "programme directors",
		"residency director", "residency directors", "program dir",
	},
	"yog":       {"year of graduation", "graduation year", "years since graduation", "years since graduating"},
	"subi":      {"sub i", "sub is", "sub internship", "sub internships", "acting internship", "acting internships"},
	"handson":   {"hands on", "hand on", "hands in"},
	"ps":        {"personal statement", "personal statements"},
	"emr":       {"electronic medical record", "electronic medical records", "electronic health record", "electronic health records"},
	"hp":        {"h p", "history and physical", "history and physicals"},
	"qi":        {"quality improvement"},
	"step1":     {"step 1", "step one", "step i"},
	"step2":     {"step 2", "step two", "step 2 ck", "step 2ck", "step ii", "step2 ck"},
	"step3":     {"step 3", "step three"},
	"visa":      {"visitor visa", "tourist visa", "b1 b2", "b 1 b 2"},
	"workauth":  {"work authorization", "work authorisation", "work permit", "employment authorization"},
	"premed":    {"pre med", "pre meds", "pre medical", "medical school application", "med school application", "md programs", "admissions committee", "admissions committees", "med school admissions", "medical school admissions"},
	"specname":  {"internal medicine", "family medicine", "general surgery", "emergency medicine", "ob gyn", "family med"},
	"howmuch":   {"how many", "how much", "how long"},
	"usa":       {"united states", "the states", "u s"},
	"coldemail": {"cold email", "cold emails", "cold emailing", "cold e mail", "cold mail", "cold mailing"},
	"scam":      {"rip off", "pay to play"},
	"count":     {"tick the box", "go under"},
	"without":   {"w o"},
})

// chatWords spells out the shorthand and the commonest misspellings of
// chat ("hw mch usce do i nead", "w/o" is split into "w o" and then read
// as a phrase): most are too short for typo correction to reach. A value
// may be several words: glued words are split ("telerotations").
var chatWords = map[string]string{
	"hw": "how", "mch": "much", "abt": "about", "abit": "about", "u": "you", "r": "are", "ur": "your",
	"fr": "for", "bc": "because", "b4": "before", "wat": "what", "wht": "what", "whta": "what",
	"thru": "through", "tho": "though", "cuz": "because", "coz": "because", "nead": "need",
	"ned": "need", "shud": "should", "cud": "could", "wud": "would", "mnths": "months",
	"mnth": "month", "exp": "experience", "xp": "experience", "any1": "anyone", "some1": "someone",
	"ppl": "people", "telerotation": "tele rotation", "telerotations": "tele rotations",
	"teleclerkship": "tele clerkship", "teleclerkships": "tele clerkships", "televisit": "tele visit",
	"televisits": "tele visits", "telerounds": "tele rounds", "teleobservership": "tele observership",
	"teleelective": "tele elective", "teleelectives": "tele electives",
}

// phraseStarts holds the first word of every phrase, so that most words
// are passed over without building candidate phrases.
var phraseStarts = make(map[string]bool)

func buildPhrases(byConcept map[string][]string) map[string][]string {
	m := make(map[string][]string)
	for concept, list := range byConcept {
		for _, p := range list {
			ws := strings.Fields(p)
			if len(ws) < 2 || len(ws) > maxPhraseWords {
				panic("match: a lexicon phrase must have 2 to 5 words: " + p)
			}
			m[p] = []string{concept}
			phraseStarts[ws[0]] = true
		}
	}
	return m
}

// synonyms maps one word to a concept term.
var synonyms = buildSynonyms(map[string][]string{
	"usce":      {"usce", "usces"},
	"usa":       {"us", "usa", "america", "american", "states", "stateside"},
	"tele":      {"tele", "telehealth", "telemedicine", "telemed", "teleclinical", "virtual", "virtually", "online", "remote", "remotely", "zoom", "video", "webcam"},
	"lor":       {"lor", "lors", "letter", "letters", "recommendation", "recommendations", "loe"},
	"obs":       {"obs", "observership", "observerships", "observer", "observers", "observing", "observe", "observed", "obsv"},
	"pd":        {"pd", "pds", "apd", "apds"},
	"yog":       {"yog"},
	"subi":      {"subi", "subis", "subinternship", "subinternships"},
	"handson":   {"handson"},
	"ps":        {"ps"},
	"emr":       {"emr", "ehr", "emrs"},
	"qi":        {"qi"},
	"step1":     {"step1"},
	"step2":     {"step2", "step2ck", "ck"},
	"usmle":     {"usmle", "usmles"},
	"eras":      {"eras", "myeras"},
	"visa":      {"visa", "visas", "b1", "b2", "j1", "h1b", "b1b2"},
	"workauth":  {"ead"},
	"money":     {"money", "budget", "budgets", "afford", "affordable", "cheap", "cheaper", "cheapest", "funds", "funding", "broke", "cost", "costs", "costly", "price", "prices", "pricey", "pricier", "priced", "expensive", "fee", "fees", "dollars", "dollar", "usd", "$", "loan", "loans", "spend", "spending"},
	"premed":    {"premed", "premeds", "undergrad", "undergrads", "undergraduate", "sophomore", "freshman", "adcom", "adcoms", "amcas"},
	"scam":      {"scam", "scams", "scammy", "sketchy", "fake", "legit", "legitimate", "ripoff", "fraud", "shady"},
	"specname":  {"psych", "psychiatry", "surgery", "surgical", "peds", "paeds", "pediatrics", "paediatrics", "neuro", "neurology", "fm", "obgyn", "cardiology", "derm", "dermatology", "radiology", "rads", "pathology", "anesthesiology", "anesthesia"},
	"week":      {"wk", "wks", "week", "weeks", "weekly"},
	"month":     {"mo", "mos", "month", "months", "monthly"},
	"year":      {"yr", "yrs", "year", "years"},
	"without":   {"zero", "without", "lack", "lacking", "none"},
	"count":     {"count", "counts", "counted", "counting", "qualify", "qualifies", "qualified", "consider", "considered", "considers", "accepted", "recognized", "recognised"},
	"timing":    {"when", "time", "timing", "timeline", "schedule", "start", "starting"},
	"email":     {"email", "emails", "emailing", "emailed", "mail", "mails"},
	"cv":        {"cv", "cvs", "resume"},
	"interview": {"interview", "interviews", "interviewer", "interviewers", "interviewing"},
})

func buildSynonyms(byConcept map[string][]string) map[string]string {
	m := make(map[string]string)
	for concept, list := range byConcept {
		for _, w := range list {
			m[w] = concept
		}
	}
	return m
}

// stopWords carry no topic: they are dropped before matching. Words that
// do carry meaning here ("only", "enough", "before", "after", "more") are
// deliberately absent.
var stopWords = setOf(
	"a", "an", "the", "and", "or", "but", "if", "so", "of", "to", "in", "on", "at", "by", "for", "with",
	"from", "as", "into", "about", "than", "then", "there", "here", "this", "that", "these", "those",
	"it", "its", "is", "are", "was", "were", "be", "been", "being", "am", "im", "i", "me", "my", "mine",
	"you", "your", "yours", "u", "ur", "we", "our", "he", "she", "his", "her", "they", "them", "their",
	"do", "does", "did", "doing", "done", "have", "has", "had", "having", "will", "would", "shall",
	"should", "can", "could", "may", "might", "must", "what", "whats", "which", "who", "whom", "whose",
	"where", "why", "how", "hows", "any", "some", "just", "also", "too", "very", "really",
	"actually", "basically", "still", "even", "ok", "okay", "pls", "please", "plz", "thanks", "thank",
	"hi", "hey", "hello", "guys", "everyone", "anyone", "someone", "bro", "lol", "rn", "like", "get",
	"got", "gets", "getting", "go", "going", "thing", "things", "stuff", "kind", "kinds", "sort", "yes",
	"no", "not", "dont", "doesnt", "didnt", "cant", "isnt", "arent", "wont", "im", "ive", "id", "ill",
	"youre", "theyre", "thats", "theres", "w", "s", "t", "m", "d", "ll", "ve", "re", "nah", "yeah",
	"etc", "eg", "ie", "vs", "versus", "one", "ones", "all", "each", "every", "other", "another",
	"such", "own", "same", "much", "many", "lot", "lots", "way", "ways", "tell", "know", "want",
	"need", "needs", "make", "makes", "say", "says", "said", "think", "anything", "something",
	"whether", "though", "although", "because", "bc", "cuz", "while", "again", "ever", "never",
	"sorry", "sry", "pardon", "honestly", "literally", "guess",
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
