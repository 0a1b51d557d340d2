package lifecycle

import (
	"crypto/sha256"
	"encoding/hex"
)

// AlertIDLen is the length of an alert id: lowercase hex digits.
const AlertIDLen = 24

// AlertID returns the id of the alert that the event eventID opened under
// key: the same for every message about that alert (its updates, its
// resolution, a reminder), and a new one when the exposure comes back after
// it was resolved (a new opening event). It is AlertIDLen hex digits of a
// SHA-256, never an alert key.
func AlertID(key, eventID string) string {
	sum := sha256.Sum256([]byte("trailwatch alert\x00" + key + "\x00" + eventID))
	return hex.EncodeToString(sum[:])[:AlertIDLen]
}

// MaxRefBytes bounds a resource reference (Ref).
const MaxRefBytes = 256

// Ref returns how a line and the resource index name a resource id: the id
// itself when it is at most MaxRefBytes, else "sha256:" and the hex SHA-256
// of the id (an S3 object key can be 4 KiB), so that stored lines and index
// keys stay bounded while two spellings of one id still compare equal.
func Ref(id string) string {
	if len(id) <= MaxRefBytes {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}
