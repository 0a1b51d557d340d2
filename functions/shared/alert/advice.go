package alert

import (
	"fmt"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// genericAdvice is what to do about an event whose catalog entry has no
// words for what it did.
const genericAdvice = "Check with the actor that the change was intended and that nothing it exposes should stay private."

// advice returns what to do: for a refused call, one line about the
// attempt; otherwise the advice of the words of f's catalog entry
// (finding.WordsFor), or genericAdvice.
func advice(f *finding.Finding) []string {
	if f.Failed() {
		return []string{fmt.Sprintf("Nothing was changed: the call was refused (%s). Check that %s is expected to attempt %s; repeated refusals can mean someone is probing with stolen credentials.",
			oneLine(f.ErrorCode, 64), oneLine(f.Actor.Name(), maxValueLen), oneLine(f.EventName, 64))}
	}
	if w, ok := finding.WordsFor(f); ok {
		return []string{w.Advice}
	}
	return []string{genericAdvice}
}
