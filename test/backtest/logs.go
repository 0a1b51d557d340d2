package backtest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// EventsDir holds the CloudTrail fixtures, relative to the repository root.
const EventsDir = "functions/shared/finding/testdata/events"

// Object is an object of the trail bucket.
type Object struct {
	Key  string
	Body []byte
}

// LogPrefix is where Logs puts the log files: the account's CloudTrail
// logs, as CloudTrail lays them out.
const LogPrefix = "AWSLogs/" + localstack.AccountID + "/"

// Logs returns n generated CloudTrail log files under LogPrefix, gzip
// compressed as CloudTrail writes them, each of 1 to 40 records drawn from
// the fixtures (bare records and envelopes' details, in and outside the
// catalog) with their own eventIDs; then, under the same prefix, a digest
// file and a folder marker (not log files) and a log file that is not
// gzip or JSON; and one log file of another account, outside the prefix.
// The same seed gives the same objects.
func Logs(root string, n int, seed uint64) ([]Object, error) {
	records, err := fixtureRecords(filepath.Join(root, EventsDir))
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var out []Object
	next := 0
	file := func(key string, count int) error {
		batch := make([]json.RawMessage, 0, count)
		for range count {
			rec, err := withEventID(records[rng.IntN(len(records))], fmt.Sprintf("00000000-0000-4000-8000-%012d", next))
			if err != nil {
				return err
			}
			next++
			batch = append(batch, rec)
		}
		body, err := gzipJSON(map[string]any{"Records": batch})
		if err != nil {
			return err
		}
		out = append(out, Object{Key: key, Body: body})
		return nil
	}
	for i := range n {
		day, minute := 1+i%28, i*5%1440
		key := fmt.Sprintf("%sCloudTrail/%s/2024/05/%02d/%s_CloudTrail_%s_202405%02dT%02d%02dZ_%016x.json.gz", LogPrefix,
			localstack.Region, day, localstack.AccountID, localstack.Region, day, minute/60, minute%60, rng.Uint64())
		if err := file(key, 1+rng.IntN(40)); err != nil {
			return nil, err
		}
	}
	digest, err := gzipJSON(map[string]any{"awsAccountId": localstack.AccountID, "logFiles": []any{}})
	if err != nil {
		return nil, err
	}
	out = append(out,
		Object{Key: LogPrefix + "CloudTrail-Digest/" + localstack.Region + "/2024/05/01/" + localstack.AccountID + "_CloudTrail-Digest_" + localstack.Region + "_trail_20240501T0000Z.json.gz", Body: digest},
		Object{Key: LogPrefix + "CloudTrail/" + localstack.Region + "/2024/05/01/", Body: nil},
		Object{Key: LogPrefix + "CloudTrail/" + localstack.Region + "/2024/05/01/broken.json.gz", Body: []byte("this is not a CloudTrail log file")},
	)
	if err := file("AWSLogs/210987654321/CloudTrail/"+localstack.Region+"/2024/05/01/other.json.gz", 5); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Object) int {
		return bytes.Compare([]byte(a.Key), []byte(b.Key))
	})
	return out, nil
}

// fixtureRecords reads the fixtures as CloudTrail records: bare records as
// they are, envelopes' details.
func fixtureRecords(dir string) ([]json.RawMessage, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no fixtures in %s: %v", dir, err)
	}
	var out []json.RawMessage
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			continue // not an object: a fixture of bad input
		}
		if d, ok := members["detail"]; ok && members["detail-type"] != nil {
			data = d
		}
		var compact bytes.Buffer
		if json.Compact(&compact, data) != nil || compact.Len() == 0 || compact.Bytes()[0] != '{' {
			continue
		}
		out = append(out, compact.Bytes())
	}
	return out, nil
}

// withEventID is the record rec with its eventID set to id.
func withEventID(rec json.RawMessage, id string) (json.RawMessage, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(rec, &members); err != nil {
		return nil, err
	}
	members["eventID"], _ = json.Marshal(id)
	return json.Marshal(members)
}

func gzipJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
