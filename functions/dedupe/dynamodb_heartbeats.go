package main

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

// condNewerBeat: a heartbeat is recorded only when it is the latest.
const condNewerBeat = "attribute_not_exists(beat) OR beat < :beat"

// heartbeatPK is the pk of the heartbeat of account and region.
func heartbeatPK(account, region string) string {
	return deployment.Facts.Heartbeat.ItemPrefix + account + "#" + region
}

func heartbeatKey(account, region string) types.AttributeValue {
	return str(heartbeatPK(account, region))
}

// Heartbeat sets beat to at under condNewerBeat.
func (d *DynamoDB) Heartbeat(ctx context.Context, account, region string, at time.Time) (bool, error) {
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(heartbeatKey(account, region)),
		UpdateExpression: aws.String("SET beat = :beat"), ConditionExpression: aws.String(condNewerBeat),
		ExpressionAttributeValues: map[string]types.AttributeValue{":beat": epoch(at)}})
	return conditional(err, "update item heartbeat of "+account+" "+region+" in table "+d.table)
}

// Heartbeats reads the targets' items in batches and, for a target without
// a beat or a since, records since = now (if still absent).
func (d *DynamoDB) Heartbeats(ctx context.Context, targets []HeartbeatTarget, now time.Time) (map[HeartbeatTarget]time.Time, error) {
	pks := make([]types.AttributeValue, 0, len(targets))
	for _, t := range targets {
		pks = append(pks, heartbeatKey(t.Account, t.Region))
	}
	items, err := d.batchGet(ctx, pks)
	if err != nil {
		return nil, err
	}
	out := make(map[HeartbeatTarget]time.Time, len(targets))
	for _, t := range targets {
		item := items[heartbeatPK(t.Account, t.Region)]
		if beat := decodeEpoch(item["beat"]); !beat.IsZero() {
			out[t] = beat
			continue
		}
		if since := decodeEpoch(item["since"]); !since.IsZero() {
			out[t] = since
			continue
		}
		_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(heartbeatKey(t.Account, t.Region)),
			UpdateExpression: aws.String("SET since = :since"), ConditionExpression: aws.String("attribute_not_exists(since) AND attribute_not_exists(beat)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":since": epoch(now)}})
		var failed *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &failed) {
			return nil, err
		}
		out[t] = now
	}
	return out, nil
}
