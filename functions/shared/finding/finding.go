// Package finding is trailwatch's domain: the normalized finding that a
// CloudTrail event becomes, how it is parsed, what it exposes, how severe it
// is and what makes two findings the same alert. It imports no AWS SDK.
//
// The JSON encoding of Finding is a documented contract (see the README's
// "Finding" table): top-level field names are stable, new fields are only
// ever added.
package finding

import (
	"slices"
	"time"
)

// Finding is one CloudTrail event, normalized. Parse fills everything but
// the live facts on each Resource; enrich fills those and recomputes
// Severity.
type Finding struct {
	EventID      string    `json:"eventId"`
	EventName    string    `json:"eventName"`
	EventSource  string    `json:"eventSource"`
	EventVersion string    `json:"eventVersion,omitempty"`
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	Time         time.Time `json:"time"`
	Actor        Actor     `json:"actor"`
	// Resources are what the call acted on, in the order the event names them.
	Resources    []Resource `json:"resources"`
	ErrorCode    string     `json:"errorCode,omitempty"`
	ErrorMessage string     `json:"errorMessage,omitempty"`
	Category     Category   `json:"category"`
	Severity     Severity   `json:"severity"`
	// OpensExposure is true when the call, as made and as answered, opens a
	// path from the internet to something in the account. Never true for a
	// failed call.
	OpensExposure bool `json:"opensExposure"`
	// ClosesExposure is true when the call removes, or may have removed,
	// such a path: a candidate close. Whether an open alert's exposure is
	// really gone is decided against the live state, not by this flag
	// (a revocation by rule id, a group swap or a deleted network ACL entry
	// cannot say from the request what they removed). A call can both open
	// and close (rules modified one way and another). Never true for a
	// failed call.
	ClosesExposure bool `json:"closesExposure"`
	// Requested is what the call tried to expose, read from the request (and
	// response) alone.
	Requested Requested `json:"requested"`
	// Summary is one line saying what happened, for people.
	Summary string `json:"summary"`
	// Enriched is true once enrich has looked the resources up.
	Enriched bool `json:"enriched"`
	// Kind is KindHeartbeat for the canary's heartbeat (no exposure: dedupe
	// records it, nothing is sent); empty for every other finding.
	Kind Kind `json:"kind,omitempty"`
	// Attempt is the intake queue's receive count of the message the event
	// came in (1 the first time, more for a redelivery after a failed
	// execution); 0 when the execution was started with the event itself.
	Attempt int `json:"attempt,omitempty"`
	// Unconfirmed is set when enrichment failed after its retries: the
	// finding is judged by its request alone (the state machine's Degraded
	// state sets it).
	Unconfirmed *Unconfirmed `json:"unconfirmed,omitempty"`
	// Consistency is set by enrich when the lookups had not shown yet
	// what the event did: whether to look again, and how long it waited.
	Consistency *Consistency `json:"consistency,omitempty"`
}

// Kind tells findings that are not about exposure apart.
type Kind string

// KindHeartbeat is the finding of the canary's heartbeat (see Heartbeat).
const KindHeartbeat Kind = "heartbeat"

// Failed reports whether the call was refused (it has an errorCode).
func (f *Finding) Failed() bool { return f.ErrorCode != "" }

// Actor is who made the call.
type Actor struct {
	// Type is userIdentity.type: Root, IAMUser, AssumedRole, FederatedUser,
	// AWSService, AWSAccount, IdentityCenterUser, ...
	Type        string `json:"type"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	// SessionIssuer is the ARN of the role (or user) that issued the session
	// of an AssumedRole or FederatedUser.
	SessionIssuer string `json:"sessionIssuer,omitempty"`
	InvokedBy     string `json:"invokedBy,omitempty"`
	SourceIP      string `json:"sourceIp,omitempty"`
	UserAgent     string `json:"userAgent,omitempty"`
	VPCEndpointID string `json:"vpcEndpointId,omitempty"`
}

// Name is the most specific human name of the actor: the ARN when known,
// else the user name, else the service that invoked the call, else the type.
func (a Actor) Name() string {
	switch {
	case a.ARN != "":
		return a.ARN
	case a.UserName != "":
		return a.UserName
	case a.InvokedBy != "":
		return a.InvokedBy
	default:
		return a.Type
	}
}

// ResourceType names the kind of a Resource.
type ResourceType string

// Resource types.
const (
	TypeInstance         ResourceType = "ec2:instance"
	TypeSecurityGroup    ResourceType = "ec2:security-group"
	TypeElasticIP        ResourceType = "ec2:elastic-ip"
	TypeNetworkInterface ResourceType = "ec2:network-interface"
	TypeLoadBalancer     ResourceType = "elasticloadbalancing:loadbalancer"
	TypeBucket           ResourceType = "s3:bucket"
	TypeObject           ResourceType = "s3:object"
	TypeInternetGateway  ResourceType = "ec2:internet-gateway"
	TypeVPC              ResourceType = "ec2:vpc"
	TypeRouteTable       ResourceType = "ec2:route-table"
	TypeSubnet           ResourceType = "ec2:subnet"
	TypeRouteAssociation ResourceType = "ec2:route-table-association"
	TypeNetworkACL       ResourceType = "ec2:network-acl"
	TypeImage            ResourceType = "ec2:image"
	TypeSnapshot         ResourceType = "ec2:snapshot"
	TypeListener         ResourceType = "elasticloadbalancing:listener"
	TypeDBInstance       ResourceType = "rds:db"
	TypeDBCluster        ResourceType = "rds:cluster"
	TypeDBSnapshot       ResourceType = "rds:snapshot"
	TypeDBClusterSnap    ResourceType = "rds:cluster-snapshot"
	TypeRedshiftCluster  ResourceType = "redshift:cluster"
	TypeFunction         ResourceType = "lambda:function"
	TypeTrail            ResourceType = "cloudtrail:trail"
	TypeDetector         ResourceType = "guardduty:detector"
	TypeAccount          ResourceType = "iam:account"
)

// resourceTypes are the resource types above, in their order.
var resourceTypes = []ResourceType{
	TypeInstance, TypeSecurityGroup, TypeElasticIP, TypeNetworkInterface, TypeLoadBalancer, TypeBucket, TypeObject,
	TypeInternetGateway, TypeVPC, TypeRouteTable, TypeNetworkACL, TypeImage, TypeSnapshot, TypeListener,
	TypeDBInstance, TypeDBSnapshot, TypeDBClusterSnap, TypeRedshiftCluster, TypeFunction, TypeTrail, TypeDetector, TypeAccount,
	TypeSubnet, TypeRouteAssociation, TypeDBCluster,
}

// ResourceTypes returns every resource type a finding can name, so that
// what renders them (console links, names) can be checked for each. A test
// fails when a fixture's finding names a type not listed. The slice is a
// copy.
func ResourceTypes() []ResourceType { return slices.Clone(resourceTypes) }

// Resource is one thing the call acted on. Type and ID come from the event;
// the remaining fields are live facts set by enrich.
type Resource struct {
	Type ResourceType `json:"type"`
	// ID is the resource's id: instance id, group id, allocation id (or the
	// public IP of a classic address), load balancer ARN or name, bucket
	// name, bucket/key of an object.
	ID string `json:"id"`
	// Name is a secondary human name (a group name, a load balancer name).
	Name string `json:"name,omitempty"`
	// Tags are the resource's tags as enrich looked them up: Name,
	// owner-like tags and those addressed to trailwatch ("trailwatch:..."),
	// see PeopleTags; nil before enrichment or when the resource has none.
	// Suppression rules may match on them.
	Tags map[string]string `json:"tags,omitempty"`

	// Found is false when enrich looked the resource up and it no longer
	// exists; nil before enrichment.
	Found *bool `json:"found,omitempty"`
	// SecurityGroups attached to the resource.
	SecurityGroups []string `json:"securityGroups,omitempty"`
	// OpenIngress are the ingress rules of those groups that admit the whole
	// internet (any source with prefix length 0).
	OpenIngress []Rule `json:"openIngress,omitempty"`
	// PublicIPs reachable from the internet.
	PublicIPs []string `json:"publicIps,omitempty"`
	// AttachedTo is the instance or interface an address is associated with.
	AttachedTo string `json:"attachedTo,omitempty"`
	// Scheme of a load balancer as looked up: "internet-facing" or
	// "internal".
	Scheme string `json:"scheme,omitempty"`
	// DNSName of a load balancer as looked up: the name the internet reaches
	// it by when internet-facing.
	DNSName string `json:"dnsName,omitempty"`
	// Listeners of a load balancer as looked up, as "PROTOCOL:port".
	Listeners []string `json:"listeners,omitempty"`
	// Endpoint of a database as looked up, "host:port".
	Endpoint string `json:"endpoint,omitempty"`

	// Reachable is enrich's verdict from live state, nil when it did not
	// judge the resource: true when the internet reaches it now (a path
	// for a port, a database's endpoint, a bucket or function anyone may
	// use), or, for an image or snapshot, when it is shared now.
	Reachable *bool `json:"reachable,omitempty"`
	// ReachablePorts are the world-open ingress rules the whole path
	// admits (for a load balancer, its listeners'), cut to what the
	// network ACL lets in: the ports the internet reaches.
	ReachablePorts []Rule `json:"reachablePorts,omitempty"`
	// Reachability explains the verdict, one line per condition ("sg-1
	// allows tcp/22 from 0.0.0.0/0", "subnet-1 routes 0.0.0.0/0 to igw-1
	// (rtb-1)", "acl-1 rule 100 allows all traffic in from 0.0.0.0/0").
	Reachability []string `json:"reachability,omitempty"`
	// Reaches are, for a security group or a change to a path (a route, a
	// gateway, a network ACL), the resources the internet reaches through
	// it now, at most MaxReaches, those with admin ports first.
	Reaches []Reached `json:"reaches,omitempty"`
	// ReachesCount is how many resources it reaches in all.
	ReachesCount int `json:"reachesCount,omitempty"`
	// Shares are who an image or snapshot is shared with now.
	Shares []Share `json:"shares,omitempty"`
}

// Requested is what a call tried to expose, from the request and response
// alone.
type Requested struct {
	// IngressRules added by the call.
	IngressRules []Rule `json:"ingressRules,omitempty"`
	// RevokedRules removed by the call.
	RevokedRules []Rule `json:"revokedRules,omitempty"`
	// PublicIP is true when the call asked for a public IP (RunInstances with
	// AssociatePublicIpAddress) or allocated or associated one.
	PublicIP bool `json:"publicIp,omitempty"`
	// PublicIPs named in the call or its response.
	PublicIPs []string `json:"publicIps,omitempty"`
	// SecurityGroups named in the call.
	SecurityGroups []string `json:"securityGroups,omitempty"`
	// Scheme of a load balancer: "internet-facing" or "internal".
	Scheme string `json:"scheme,omitempty"`
	// Listeners of a load balancer, as "PROTOCOL:port".
	Listeners []string `json:"listeners,omitempty"`
	// PublicAccess is true when the call made the resource reachable by
	// anyone: a database made publicly accessible, a bucket policy or ACL
	// granting everyone, a public access block removed or weakened, a Lambda
	// permission for principal "*", a function URL without auth, an image
	// or snapshot shared with "all".
	PublicAccess bool `json:"publicAccess,omitempty"`
	// SharedWith are the accounts (or "all") given access to an image,
	// snapshot or database snapshot.
	SharedWith []string `json:"sharedWith,omitempty"`
	// Unshared are the accounts (or "all") whose access was removed.
	Unshared []string `json:"unshared,omitempty"`
	// Grants describe public grants for people: "AllUsers READ",
	// "Principal * s3:GetObject", "BlockPublicAcls=false".
	Grants []string `json:"grants,omitempty"`
	// Routes added towards an internet gateway, as "0.0.0.0/0 -> igw-..".
	Routes []string `json:"routes,omitempty"`
	// Removed names what the call removed when the request names it only
	// by id or position: security group rule ids ("sgr-..."), a Lambda
	// policy statement id, a route's destination, a network ACL entry
	// ("inbound rule 100").
	Removed []string `json:"removed,omitempty"`
}

// Category groups catalog events by what they touch.
type Category string

// Categories.
const (
	CategoryNetwork        Category = "network"
	CategoryLoadBalancer   Category = "load-balancer"
	CategoryDatabase       Category = "database"
	CategoryStorage        Category = "storage"
	CategoryServerless     Category = "serverless"
	CategorySharing        Category = "sharing"
	CategoryDefenseEvasion Category = "defense-evasion"
	// CategoryAudit is catalog events that, as made, neither expose nor
	// blind: a non-root console sign-in, event selectors that keep
	// management events. Parsed, never alerted.
	CategoryAudit Category = "audit"
	// CategoryData is data events on watched buckets.
	CategoryData Category = "data"
)

// Severity of a finding, ordered: SeverityNone < SeverityLow <
// SeverityMedium < SeverityHigh.
type Severity string

// Severities.
const (
	SeverityNone   Severity = "none"
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

// Known reports whether s is one of the four severities.
func (s Severity) Known() bool {
	switch s {
	case SeverityNone, SeverityLow, SeverityMedium, SeverityHigh:
		return true
	}
	return false
}

// Rank orders severities; unknown values rank as SeverityNone.
func (s Severity) Rank() int {
	switch s {
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	default:
		return 0
	}
}

// Max returns the more severe of s and o.
func (s Severity) Max(o Severity) Severity {
	if o.Rank() > s.Rank() {
		return o
	}
	return s
}
