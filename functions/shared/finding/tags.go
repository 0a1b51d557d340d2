package finding

import "strings"

// MaxTags is how many tags a resource keeps.
const MaxTags = 10

// peopleTagKeys are the tag keys, lower-case without separators, that say
// what a resource is and who answers for it.
var peopleTagKeys = map[string]bool{
	"name": true, "owner": true, "owners": true, "team": true, "contact": true, "email": true,
	"createdby": true, "creator": true, "author": true, "maintainer": true, "department": true,
	"businessunit": true, "costcenter": true, "project": true, "application": true, "app": true,
	"service": true, "environment": true, "env": true, "stage": true,
}

// TrailwatchTagPrefix starts the keys of the tags addressed to trailwatch
// itself, such as "trailwatch:allow" (which suppression rules match on).
const TrailwatchTagPrefix = "trailwatch:"

// PeopleTags returns the tags of tags that tell a person what the resource
// is and who owns it: Name, and owner-like keys (owner, team, contact,
// created-by, cost-center, project, application, environment, ..., any key
// containing "owner"), compared case-insensitively without "-", "_", ":",
// "." or spaces; and first of all those addressed to trailwatch (keys
// starting with TrailwatchTagPrefix), for suppression rules. At most
// MaxTags, by key order; nil when none.
func PeopleTags(tags map[string]string) map[string]string {
	var out map[string]string
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	keys = sortedUnique(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, TrailwatchTagPrefix) && len(out) < MaxTags {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = tags[k]
		}
	}
	for _, k := range keys {
		if strings.HasPrefix(k, TrailwatchTagPrefix) {
			continue
		}
		norm := strings.Map(func(r rune) rune {
			switch r {
			case '-', '_', ':', '.', ' ', '/':
				return -1
			}
			return r
		}, strings.ToLower(k))
		if !peopleTagKeys[norm] && !strings.Contains(norm, "owner") {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		if len(out) == MaxTags {
			break
		}
		out[k] = tags[k]
	}
	return out
}
