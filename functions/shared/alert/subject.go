package alert

import (
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// subject renders "[SEVERITY] <what happened> (<account> <region>)". The
// severity and the place always fit; what happened is the richest phrasing
// that fits (see headline).
func subject(f *finding.Finding) string {
	sev := strings.ToUpper(asciiLine(string(f.Severity)))
	if sev == "" {
		sev = "UNRATED"
	}
	prefix := "[" + truncate(sev, 12) + "] "
	where := strings.TrimSpace(asciiLine(f.Account) + " " + asciiLine(f.Region))
	suffix := ""
	if where != "" {
		suffix = " (" + truncate(where, 36) + ")"
	}
	return SanitizeSubject(prefix + headline(f, MaxSubjectLen-len(prefix)-len(suffix)) + suffix)
}
