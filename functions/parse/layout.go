package main

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"slices"
	"strings"
)

// Where a backtest writes, in the results bucket, for a run:
//
//	runs/<run>/findings/<batch>.jsonl.gz  the findings of one batch, JSON lines (FoundRecord), gzip
//	runs/<run>/batches/<batch>.json       one batch's BatchResult
//	runs/<run>/summary.json               the run's Summary
//	runs/<run>/map/                       the Distributed Map's own results (its ResultWriter)
//
// <batch> is derived from the batch's log files, so that a batch run
// twice (a retried child execution) writes the same objects again.
const runsPrefix = "runs/"

// runPrefix is where run's results go.
func runPrefix(run string) string { return runsPrefix + run + "/" }

func findingsKey(run, batch string) string { return runPrefix(run) + "findings/" + batch + ".jsonl.gz" }

func batchesPrefix(run string) string { return runPrefix(run) + "batches/" }

func batchKey(run, batch string) string { return batchesPrefix(run) + batch + ".json" }

func summaryKey(run string) string { return runPrefix(run) + "summary.json" }

// batchID names a batch after its log files: the same files, in any
// order, give the same name.
func batchID(files []LogFile) string {
	keys := make([]string, 0, len(files))
	for _, f := range files {
		keys = append(keys, f.Bucket+"/"+f.Key)
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:16])
}

// validRun reports whether run can name a run in keys: an execution name
// (at most 80 characters) of letters, digits, '-', '_' and '.', not "."
// or "..". Names Step Functions generates are UUIDs.
func validRun(run string) bool {
	if run == "" || len(run) > 80 || run == "." || run == ".." {
		return false
	}
	for _, c := range run {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// isLogFile reports whether a listed key is a CloudTrail log file
// (<...>.json.gz, or .json uncompressed) rather than a folder, a digest
// file (CloudTrail-Digest/) or anything else.
func isLogFile(key string) bool {
	if strings.Contains(key, "/CloudTrail-Digest/") {
		return false
	}
	base := path.Base(key)
	return !strings.HasSuffix(key, "/") && (strings.HasSuffix(base, ".json.gz") || strings.HasSuffix(base, ".json"))
}
