package finding

import "slices"

// appendUnique appends v to s unless s already holds it.
func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// sortedUnique returns a sorted copy of s with duplicates removed.
func sortedUnique(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return slices.Compact(out)
}
