package alert

import "github.com/trailwatch/trailwatch/functions/shared/finding"

// kind is what an alert says about one type of resource: its name in the
// body and the links, and what to do about it (empty: nothing specific).
type kind struct {
	name   string
	advice string
}

// bucketAdvice is what to do about a watched bucket or one of its objects.
const bucketAdvice = "Check that the write was expected; confirm the bucket's Block Public Access settings are on and its policy grants no public access; delete or quarantine the object if it was not expected."

// kinds are the words for each resource type. A type not here is named by
// its type string and gets the generic advice.
var kinds = map[finding.ResourceType]kind{
	finding.TypeInstance: {"EC2 instance",
		"Restrict the instance's security groups so no port is open to 0.0.0.0/0 or ::/0, or remove its public IP (disassociate the address, or relaunch it in a private subnet)."},
	finding.TypeSecurityGroup: {"Security group",
		"Revoke the world-open rule (or restrict its source to known address ranges); if the port must stay public, confirm it with the owner and record why."},
	finding.TypeElasticIP: {"Elastic IP",
		"Release the Elastic IP if it is not needed, or disassociate it from what it is attached to; check the security groups of whatever it reaches."},
	finding.TypeNetworkInterface: {"Network interface",
		"Disassociate the public address from the network interface, or restrict its security groups to known sources."},
	finding.TypeLoadBalancer: {"Load balancer",
		"Make the load balancer internal (the scheme cannot be changed: recreate it with scheme internal), or restrict its security groups and listeners to known sources."},
	finding.TypeListener: {name: "Listener"},
	finding.TypeBucket:   {"S3 bucket", bucketAdvice},
	finding.TypeObject:   {"S3 object", bucketAdvice},
}

// typeName names a resource type for people.
func typeName(t finding.ResourceType) string {
	if k, ok := kinds[t]; ok {
		return k.name
	}
	if t == "" {
		return "Resource"
	}
	return oneLine(string(t), 64)
}

// adviceFor is what to do about a resource of type t, or "".
func adviceFor(t finding.ResourceType) string { return kinds[t].advice }
