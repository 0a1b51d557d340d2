package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

// RulesDigest is what dedupe's RULES_DIGEST says of a rules file: the
// SHA-256 of its text, in hex, as terraform's sha256() writes it.
func RulesDigest(text []byte) string {
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])
}

// WriteRules stores the rules file name holds text of in the table, as
// terraform's aws_dynamodb_table_item.rules does (deployment.json's
// rules item). dedupe reads it when it starts, and refuses to start if
// its RULES_DIGEST is not this text's.
func (p *Pipeline) WriteRules(ctx context.Context, name string, text []byte) error {
	r := deployment.Facts.Rules
	_, err := p.DDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(p.Names.Table), Item: map[string]ddbtypes.AttributeValue{
		"pk":              &ddbtypes.AttributeValueMemberS{Value: r.ItemKey},
		r.TextAttribute:   &ddbtypes.AttributeValueMemberS{Value: string(text)},
		r.DigestAttribute: &ddbtypes.AttributeValueMemberS{Value: RulesDigest(text)},
		r.NameAttribute:   &ddbtypes.AttributeValueMemberS{Value: name},
	}})
	if err != nil {
		return fmt.Errorf("write the rules file: %w", err)
	}
	return nil
}

// ScheduleInput is what the digest schedule starts the state machine
// with (deployment.json's digest_schedule.input), as terraform gives it
// to EventBridge Scheduler.
func ScheduleInput() []byte {
	b, err := json.Marshal(deployment.Facts.DigestSchedule.Input)
	if err != nil {
		panic("pipeline: encode the schedule input: " + err.Error())
	}
	return b
}

// SendDigests does what one run of the digest schedule does, which moto
// does not fire: it starts the state machine with the schedule's input and
// returns the finished execution. Its path ends in DigestsSent or
// NoDigestDue.
func (p *Pipeline) SendDigests(ctx context.Context) (Execution, error) {
	arn, err := p.StartDirect(ctx, "digests-"+NewID(), ScheduleInput())
	if err != nil {
		return Execution{}, fmt.Errorf("start the digest schedule's run: %w", err)
	}
	return p.Execution(ctx, arn)
}

// The events of an alert's life on the local stack, rendered from the
// real fixtures with the world's ids (Render).

// AuthorizeEvent is the AuthorizeSecurityGroupIngress that opens tcp port
// of w's SSH group to 0.0.0.0/0.
func AuthorizeEvent(root string, w World, port int) ([]byte, error) {
	return AuthorizeGroupEvent(root, w.SSHGroupID, port)
}

// AuthorizeGroupEvent is the AuthorizeSecurityGroupIngress that opens tcp
// port of group to 0.0.0.0/0.
func AuthorizeGroupEvent(root, group string, port int) ([]byte, error) {
	return RenderFixture(root, "ec2-authorizesecuritygroupingress.json", map[string]any{
		"requestParameters.groupId":                                       group,
		"requestParameters.ipPermissions.items.0.fromPort":                port,
		"requestParameters.ipPermissions.items.0.toPort":                  port,
		"requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp": "0.0.0.0/0",
		"responseElements.securityGroupRuleSet.items.0.groupId":           group,
		"responseElements.securityGroupRuleSet.items.0.fromPort":          port,
		"responseElements.securityGroupRuleSet.items.0.toPort":            port,
		"responseElements.securityGroupRuleSet.items.0.cidrIpv4":          "0.0.0.0/0",
	})
}

// RevokeEvent is the RevokeSecurityGroupIngress that revokes the
// world-open tcp ports of w's SSH group.
func RevokeEvent(root string, w World, ports ...int) ([]byte, error) {
	var items []any
	for _, port := range ports {
		items = append(items, map[string]any{"ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": map[string]any{},
			"ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": "0.0.0.0/0"}}}, "ipv6Ranges": map[string]any{}, "prefixListIds": map[string]any{}})
	}
	return RenderFixture(root, "ec2-revokesecuritygroupingress.json", map[string]any{
		"requestParameters.groupId":       w.SSHGroupID,
		"requestParameters.ipPermissions": map[string]any{"items": items},
	})
}

// RevokeByRuleIDEvent is the RevokeSecurityGroupIngress, as the console
// makes it, that revokes rules of w's SSH group by their security group
// rule ids alone.
func RevokeByRuleIDEvent(root string, w World, ruleIDs ...string) ([]byte, error) {
	var items []any
	for _, id := range ruleIDs {
		items = append(items, map[string]any{"securityGroupRuleId": id})
	}
	return RenderFixture(root, "ec2-revokesecuritygroupingress-ruleids-constructed.json", map[string]any{
		"requestParameters.groupId":              w.SSHGroupID,
		"requestParameters.securityGroupRuleIds": map[string]any{"items": items},
	})
}

// RunInstancesEvent is the RunInstances that launched instance into w's SSH
// group.
func RunInstancesEvent(root string, w World, instance string) ([]byte, error) {
	return RenderFixture(root, "ec2-runinstances.json", map[string]any{
		"responseElements.instancesSet.items.0.instanceId":               instance,
		"responseElements.instancesSet.items.0.groupSet.items.0.groupId": w.SSHGroupID,
	})
}

// FleetActor is the IAM user the fleet of FleetEvent launches as: another
// actor than the samples', so that its alerts are a storm of their own.
const FleetActor = "arn:aws:iam::123456789012:user/fleet-launcher"

// FleetEvent is the RunInstances of one instance of a fleet FleetActor
// launched into w's SSH group.
func FleetEvent(root string, w World, instance string) ([]byte, error) {
	return RenderFixture(root, "ec2-runinstances.json", map[string]any{
		"responseElements.instancesSet.items.0.instanceId":               instance,
		"responseElements.instancesSet.items.0.groupSet.items.0.groupId": w.SSHGroupID,
		"userIdentity.arn":      FleetActor,
		"userIdentity.userName": "fleet-launcher",
	})
}
