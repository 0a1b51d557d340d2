package permissions

import (
	"slices"
	"testing"
)

// TestActions: a transaction needs the item actions it holds, once each,
// and every list is sorted.
func TestActions(t *testing.T) {
	if got, want := Actions("dedupe"), []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}; !slices.Equal(got, want) {
		t.Errorf("dedupe's actions %v, want %v", got, want)
	}
	if got, want := Operations("dedupe", "dynamodb"), []string{"BatchGetItem", "GetItem", "PutItem", "TransactWriteItems", "UpdateItem"}; !slices.Equal(got, want) {
		t.Errorf("dedupe's calls %v, want %v", got, want)
	}
	for _, fn := range Functions() {
		if a := Actions(fn); !slices.IsSorted(a) || a == nil {
			t.Errorf("%s: %v", fn, a)
		}
		if calls := actions[fn]; !slices.IsSorted(calls) {
			t.Errorf("%s's calls are not sorted: %v", fn, calls)
		}
	}
	if Actions("forward") != nil {
		t.Error("an unknown function has actions")
	}
}
