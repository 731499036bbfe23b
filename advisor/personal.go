package advisor

import (
	"fmt"
	"time"

	"github.com/uscebot/uscebot/advisor/rules"
)

// Personalize returns a short note relating a topic's answer to the user's
// own profile ("Your profile has no in-person USCE yet, so..."), or "" when
// the topic has none or the profile lacks what the note needs. Callers
// must show it only to the user (never in a group).
func Personalize(topicID string, p rules.Profile, now time.Time) string {
	a := rules.Assess(p, now)
	hasExperience := len(p.Experiences) > 0
	switch topicID {
	case "telehealth-counts", "telehealth-value":
		if hasExperience && a.USCEWeeks == 0 {
			return "Your profile has no in-person USCE yet, so tele work would not meet a program's USCE requirement for you: " +
				"treat it as a stopgap and aim for a first month in person (see /plan)."
		}
		if a.USCEWeeks > 0 {
			return fmt.Sprintf("You already have %d weeks of in-person USCE; tele work adds little next to it.", a.USCEWeeks)
		}
	case "tele-duration":
		if a.TeleWeeks > 8 {
			return fmt.Sprintf("You already have %d weeks of tele work: more weeks will not add much.", a.TeleWeeks)
		}
	case "skip-tele":
		if p.USLetters != nil && a.HandsOnWeeks >= 8 && *p.USLetters >= 2 {
			return fmt.Sprintf("With %d weeks of hands-on USCE and %d US letters you are in the skip-it case.", a.HandsOnWeeks, *p.USLetters)
		}
	case "how-much-usce", "observership-counts":
		if hasExperience {
			return fmt.Sprintf("You have %d weeks of USCE, %d of them hands-on. The baseline is 4 weeks with one strong US letter; "+
				"competitive applicants have 8 or more weeks hands-on.", a.USCEWeeks, a.HandsOnWeeks)
		}
	case "specialty-match":
		if hasExperience && p.Specialty != "" {
			return fmt.Sprintf("You have %d weeks of USCE in %s; the aim is 4 to 8.", a.SpecialtyWeeks, p.Specialty)
		}
	case "recency", "yog-gap":
		if p.GradYear != nil && p.ApplicationYear != nil {
			return fmt.Sprintf("You will apply in %d, %d years after graduating, with %d weeks of USCE from the last 3 years.",
				*p.ApplicationYear, *p.ApplicationYear-*p.GradYear, a.RecentWeeks)
		}
	case "timeline":
		if p.ApplicationYear != nil && a.MonthsToApplication > 0 {
			return fmt.Sprintf("You apply in %d: that is %d months away. /plan lists your next steps with dates.",
				*p.ApplicationYear, a.MonthsToApplication)
		}
	}
	return ""
}
