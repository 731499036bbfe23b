package rules

// Where an experience was done. assessment.md: an unknown place is in the
// US, a place outside it makes the experience non_us.

// usPlaces name a place in the US for sure: states, big cities, famous
// institutions, and "in the US" (a bare "US" more often describes a person:
// "US internist", "US-trained").
var usPlaces = []string{
	"alabama", "alaska", "arizona", "arkansas", "california", "colorado",
	"connecticut", "delaware", "florida", "georgia", "hawaii", "idaho", "illinois",
	"indiana", "iowa", "kansas", "kentucky", "louisiana", "maine", "maryland",
	"massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana",
	"nebraska", "nevada", "new hampshire", "new jersey", "new mexico", "new york",
	"north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania",
	"rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah",
	"vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming",
	"nyc", "chicago", "boston", "houston", "philadelphia", "los angeles",
	"san francisco", "seattle", "miami", "atlanta", "detroit", "cleveland",
	"baltimore", "dallas", "phoenix", "pittsburgh", "st louis", "minneapolis",
	"denver", "brooklyn", "bronx", "queens", "newark", "san diego", "nashville",
	"rochester", "new orleans", "tampa", "orlando", "columbus", "cincinnati",
	"milwaukee", "kansas city", "memphis", "louisville", "hartford", "buffalo",
	"syracuse", "san antonio", "austin", "sacramento", "las vegas", "portland",
	"mayo", "hopkins", "mount sinai", "mt sinai", "harvard", "yale", "stanford",
	"nyu", "ucla", "ucsf", "upenn", "emory", "duke", "vanderbilt", "baylor",
	"usa", "u s a", "united states", "america", "stateside",
	"in the us", "in us", "in the u s", "in the states", "in america",
}

// usStateCodes name a state when written in capitals ("Chicago, IL"); codes
// that are also words, titles or units (IN, OR, ME, OK, HI, ID, DE, MD, PA,
// MS, CO, MO)
// are left out.
var usStateCodes = map[string]bool{
	"ny": true, "nj": true, "ca": true, "tx": true, "fl": true, "il": true, "ma": true,
	"mi": true, "oh": true, "ga": true, "nc": true, "sc": true, "wa": true, "az": true,
	"tn": true, "mn": true, "wi": true, "ct": true, "ky": true, "la": true,
	"va": true, "nv": true, "ut": true, "ia": true, "ks": true, "ar": true, "ne": true,
	"nm": true, "wv": true, "nh": true, "ri": true, "vt": true, "ak": true, "nd": true,
	"sd": true, "wy": true, "mt": true, "dc": true,
}

// nonUSPlaces name places outside the US: the countries and cities IMGs
// most often come from, and the ways people say "at home".
var nonUSPlaces = []string{
	"home country", "back home", "my country", "in my country", "outside the us",
	"outside us", "outside of the us", "outside the usa", "non us",
	"egypt", "egyptian", "india", "indian", "pakistan", "pakistani", "nigeria",
	"nigerian", "philippines", "filipino", "uk", "u k", "united kingdom", "england",
	"scotland", "wales", "ireland", "british", "canada", "canadian", "bangladesh",
	"bangladeshi", "nepal", "nepali", "sri lanka", "iran", "iranian", "iraq",
	"iraqi", "syria", "syrian", "jordanian", "lebanon", "lebanese",
	"saudi", "saudi arabia", "uae", "emirates", "qatar", "kuwait", "oman",
	"bahrain", "yemen", "sudan", "sudanese", "ethiopia", "ethiopian", "kenya",
	"kenyan", "ghana", "ghanaian", "uganda", "tanzania", "south africa",
	"cameroon", "zimbabwe", "morocco", "algeria", "tunisia", "libya", "turkey",
	"turkish", "russia", "ukraine", "poland", "germany", "france", "italy",
	"spain", "romania", "hungary", "china", "chinese", "japan", "korea",
	"vietnam", "thailand", "indonesia", "malaysia", "singapore", "mexico",
	"brazil", "colombia", "venezuela", "peru", "argentina", "cuba",
	"dominican republic", "jamaica", "haiti", "australia", "new zealand",
	"afghanistan", "palestine", "israel", "caribbean",
	"cairo", "lagos", "abuja", "ibadan", "karachi", "lahore", "islamabad",
	"rawalpindi", "peshawar", "multan", "faisalabad", "delhi", "new delhi",
	"mumbai", "bangalore", "bengaluru", "chennai", "kolkata", "hyderabad", "pune",
	"dhaka", "chittagong", "kathmandu", "colombo", "manila", "cebu", "riyadh",
	"jeddah", "dubai", "abu dhabi", "doha", "amman", "beirut", "damascus",
	"baghdad", "tehran", "khartoum", "addis ababa", "nairobi", "accra", "london",
	"manchester", "toronto", "istanbul", "ankara", "moscow", "kyiv", "beijing",
	"shanghai", "tokyo", "seoul", "hanoi", "jakarta", "kuala lumpur",
	"mexico city", "sao paulo", "bogota", "lima", "buenos aires", "havana",
}

// inUS reports whether d describes an experience done in the US: a US place
// is named, or no place outside it is.
func inUS(d doc) bool {
	for _, t := range d.toks {
		if t.upper && usStateCodes[t.s] {
			return true
		}
	}
	return containsAny(d.ws, usPlaces...) || !containsAny(d.ws, nonUSPlaces...)
}
