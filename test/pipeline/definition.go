package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// RenderDefinition fills the ASL file's ${<step>_function_arn}
// placeholders, as terraform's templatefile does, and fails on any
// placeholder left.
func RenderDefinition(asl string, arn func(step string) string) (string, error) {
	for _, step := range Steps {
		asl = strings.ReplaceAll(asl, "${"+step+"_function_arn}", arn(step))
	}
	if i := strings.Index(asl, "${"); i >= 0 {
		end := min(len(asl), i+40)
		return "", fmt.Errorf("unfilled placeholder in state machine: %s", asl[i:end])
	}
	if !json.Valid([]byte(asl)) {
		return "", errors.New("state machine definition is not valid JSON")
	}
	return asl, nil
}
