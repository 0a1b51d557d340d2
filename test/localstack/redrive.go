package localstack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Redrive moves every message of the queue at fromURL (a dead-letter
// queue) to the queue at toURL, and returns how many it moved: what SQS's
// StartMessageMoveTask does on AWS, which moto 5.2 does not implement. Each
// message is sent again with its body and message attributes, then deleted
// from fromURL; a message whose send failed stays where it was (it shows
// again after the queue's visibility timeout). It returns when a receive
// finds fromURL empty.
func (s *Stack) Redrive(ctx context.Context, fromURL, toURL string) (int, error) {
	return Redrive(ctx, sqs.NewFromConfig(s.AWSConfig()), fromURL, toURL)
}

// Redrive is Stack.Redrive with a client of the stack (from another
// process: ClientConfig).
func Redrive(ctx context.Context, client *sqs.Client, fromURL, toURL string) (int, error) {
	moved := 0
	for {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:              aws.String(fromURL),
			MaxNumberOfMessages:   10,
			VisibilityTimeout:     30,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			return moved, fmt.Errorf("redrive: receive: %w", err)
		}
		if len(out.Messages) == 0 {
			return moved, nil
		}
		for _, m := range out.Messages {
			attrs := map[string]sqstypes.MessageAttributeValue{}
			for k, v := range m.MessageAttributes {
				attrs[k] = v
			}
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{
				QueueUrl: aws.String(toURL), MessageBody: m.Body, MessageAttributes: attrs,
			}); err != nil {
				return moved, fmt.Errorf("redrive: send: %w", err)
			}
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{
				QueueUrl: aws.String(fromURL), ReceiptHandle: m.ReceiptHandle,
			}); err != nil {
				return moved, fmt.Errorf("redrive: delete: %w", err)
			}
			moved++
		}
	}
}
