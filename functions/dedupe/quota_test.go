package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// itemSize is an item's size as DynamoDB counts it: for each attribute the
// UTF-8 bytes of its name, plus those of a string value, or for a number
// one byte per two significant digits and one more.
func itemSize(t *testing.T, item map[string]types.AttributeValue) int {
	t.Helper()
	n := 0
	for name, v := range item {
		n += len(name)
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			n += len(v.Value)
		case *types.AttributeValueMemberN:
			n += (len(strings.TrimLeft(v.Value, "-0"))+1)/2 + 1
		default:
			t.Fatalf("attribute %s: %T, which itemSize does not size", name, v)
		}
	}
	return n
}

// TestLargestItemFits: the largest item a claim writes fits DynamoDB's item
// size. Its strings come from the finding (the event id and name, each at
// most finding.MaxTextBytes), the alert key (64 hex characters) and the
// execution id (an ARN, at most 2,048 characters).
func TestLargestItemFits(t *testing.T) {
	var put *dynamodb.PutItemInput
	d := NewDynamoDB(&fakeDynamoDB{PutItemFn: func(_ context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		put = in
		return &dynamodb.PutItemOutput{}, nil
	}}, "trailwatch-dedupe")
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	if _, err := d.Claim(context.Background(), Claim{
		Key:         strings.Repeat("f", 64),
		EventID:     strings.Repeat("e", finding.MaxTextBytes),
		EventName:   strings.Repeat("n", finding.MaxTextBytes),
		ExecutionID: strings.Repeat("x", 2048),
		Now:         far, WindowEnds: far, LeaseEnds: far, Expires: far,
	}); err != nil {
		t.Fatal(err)
	}
	limit := deployment.Facts.Quotas.ItemBytes.Value
	size := itemSize(t, put.Item)
	t.Logf("largest dedupe item: %d bytes (quota %d)", size, limit)
	if size > limit {
		t.Errorf("largest dedupe item is %d bytes, more than DynamoDB's %d", size, limit)
	}
}
