package alert

import (
	"net/url"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// kind is what an alert says about one type of resource: its name in the
// body and the links, its page in the AWS console, and the console page
// that lists resources of its type (for a resource whose own page would be
// too long a link).
type kind struct {
	name string
	page func(c console, r finding.Resource) string
	list func(c console) string
}

// kinds are the words and console pages of every resource type
// (finding.ResourceTypes); a test fails for a type without one. URLs are
// for the commercial partition (console.aws.amazon.com).
var kinds = map[finding.ResourceType]kind{
	finding.TypeInstance: {"EC2 instance",
		func(c console, r finding.Resource) string { return c.ec2("InstanceDetails:instanceId=" + q(r.ID)) },
		func(c console) string { return c.ec2("Instances:") }},
	finding.TypeSecurityGroup: {"Security group",
		func(c console, r finding.Resource) string { return c.ec2("SecurityGroup:groupId=" + q(r.ID)) },
		func(c console) string { return c.ec2("SecurityGroups:") }},
	finding.TypeElasticIP: {"Elastic IP",
		func(c console, r finding.Resource) string {
			if strings.HasPrefix(r.ID, "eipalloc-") {
				return c.ec2("ElasticIpDetails:AllocationId=" + q(r.ID))
			}
			return c.ec2("Addresses:public-ip=" + q(r.ID))
		},
		func(c console) string { return c.ec2("Addresses:") }},
	finding.TypeNetworkInterface: {"Network interface",
		func(c console, r finding.Resource) string {
			return c.ec2("NetworkInterface:networkInterfaceId=" + q(r.ID))
		},
		func(c console) string { return c.ec2("NIC:") }},
	finding.TypeLoadBalancer: {"Load balancer",
		func(c console, r finding.Resource) string { return c.ec2("LoadBalancers:search=" + q(shortID(r))) },
		func(c console) string { return c.ec2("LoadBalancers:") }},
	finding.TypeListener: {"Listener",
		func(c console, r finding.Resource) string {
			if lb := listenerLoadBalancer(r.ID); lb != "" {
				return c.ec2("LoadBalancers:search=" + q(lb))
			}
			return ""
		},
		func(c console) string { return c.ec2("LoadBalancers:") }},
	finding.TypeImage: {"AMI",
		func(c console, r finding.Resource) string { return c.ec2("ImageDetails:imageId=" + q(r.ID)) },
		func(c console) string { return c.ec2("Images:") }},
	finding.TypeSnapshot: {"EBS snapshot",
		func(c console, r finding.Resource) string { return c.ec2("SnapshotDetails:snapshotId=" + q(r.ID)) },
		func(c console) string { return c.ec2("Snapshots:") }},
	finding.TypeInternetGateway: {"Internet gateway",
		func(c console, r finding.Resource) string {
			return c.vpc("InternetGateway:internetGatewayId=" + q(r.ID))
		},
		func(c console) string { return c.vpc("igws:") }},
	finding.TypeVPC: {"VPC",
		func(c console, r finding.Resource) string { return c.vpc("VpcDetails:VpcId=" + q(r.ID)) },
		func(c console) string { return c.vpc("vpcs:") }},
	finding.TypeRouteTable: {"Route table",
		func(c console, r finding.Resource) string { return c.vpc("RouteTableDetails:RouteTableId=" + q(r.ID)) },
		func(c console) string { return c.vpc("RouteTables:") }},
	finding.TypeSubnet: {"Subnet",
		func(c console, r finding.Resource) string { return c.vpc("SubnetDetails:subnetId=" + q(r.ID)) },
		func(c console) string { return c.vpc("subnets:") }},
	finding.TypeRouteAssociation: {"Route table association",
		func(c console, r finding.Resource) string { return c.vpc("RouteTables:search=" + q(r.ID)) },
		func(c console) string { return c.vpc("RouteTables:") }},
	finding.TypeNetworkACL: {"Network ACL",
		func(c console, r finding.Resource) string { return c.vpc("NetworkAclDetails:networkAclId=" + q(r.ID)) },
		func(c console) string { return c.vpc("acls:") }},
	finding.TypeBucket: {"S3 bucket",
		func(c console, r finding.Resource) string {
			return "https://s3.console.aws.amazon.com/s3/buckets/" + url.PathEscape(r.ID) + c.query()
		},
		func(c console) string { return "https://s3.console.aws.amazon.com/s3/buckets" + c.query() }},
	finding.TypeObject: {"S3 object",
		func(c console, r finding.Resource) string {
			bucket, key := splitObject(r)
			u := "https://s3.console.aws.amazon.com/s3/object/" + url.PathEscape(bucket) + c.query()
			if key == "" {
				return u
			}
			sep := "&"
			if !strings.Contains(u, "?") {
				sep = "?"
			}
			return u + sep + "prefix=" + q(key)
		},
		func(c console) string { return "https://s3.console.aws.amazon.com/s3/buckets" + c.query() }},
	finding.TypeDBInstance: {"RDS DB instance",
		func(c console, r finding.Resource) string {
			return c.service("rds", "database:id="+q(r.ID)+";is-cluster=false")
		},
		func(c console) string { return c.service("rds", "databases:") }},
	finding.TypeDBCluster: {"RDS DB cluster",
		func(c console, r finding.Resource) string {
			return c.service("rds", "database:id="+q(r.ID)+";is-cluster=true")
		},
		func(c console) string { return c.service("rds", "databases:") }},
	finding.TypeDBSnapshot: {"RDS DB snapshot",
		func(c console, r finding.Resource) string { return c.service("rds", "db-snapshot:id="+q(r.ID)) },
		func(c console) string { return c.service("rds", "snapshots-list:") }},
	finding.TypeDBClusterSnap: {"RDS DB cluster snapshot",
		func(c console, r finding.Resource) string {
			return c.service("rds", "db-cluster-snapshot:id="+q(r.ID))
		},
		func(c console) string { return c.service("rds", "snapshots-list:") }},
	finding.TypeRedshiftCluster: {"Redshift cluster",
		func(c console, r finding.Resource) string {
			return c.service("redshiftv2", "cluster-details?cluster="+q(r.ID))
		},
		func(c console) string { return c.service("redshiftv2", "clusters") }},
	finding.TypeFunction: {"Lambda function",
		func(c console, r finding.Resource) string {
			return c.service("lambda", "/functions/"+url.PathEscape(functionName(r.ID)))
		},
		func(c console) string { return c.service("lambda", "/functions") }},
	finding.TypeTrail: {"CloudTrail trail",
		func(c console, r finding.Resource) string {
			if strings.HasPrefix(r.ID, "arn:") {
				return c.service("cloudtrailv2", "/trails/"+url.PathEscape(r.ID))
			}
			return c.service("cloudtrailv2", "/trails")
		},
		func(c console) string { return c.service("cloudtrailv2", "/trails") }},
	finding.TypeDetector: {"GuardDuty detector",
		func(c console, r finding.Resource) string { return c.service("guardduty", "/settings") },
		func(c console) string { return c.service("guardduty", "/settings") }},
	finding.TypeAccount: {"AWS account",
		func(c console, r finding.Resource) string {
			if c.source == "s3.amazonaws.com" {
				return "https://s3.console.aws.amazon.com/s3/settings" + c.query()
			}
			return "https://console.aws.amazon.com/iam/home#/security_credentials"
		},
		func(c console) string { return "https://console.aws.amazon.com/iam/home#/home" }},
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

// q escapes a value for a URL's query or fragment.
func q(s string) string { return url.QueryEscape(s) }

// console builds AWS console URLs for one region; source is the finding's
// event source, for the pages that depend on it.
type console struct{ region, source string }

// host is the regional console host, or the global one when the region is
// not a plausible region name (it becomes part of a host name).
func (c console) host() string {
	if validRegion(c.region) {
		return "https://" + c.region + ".console.aws.amazon.com"
	}
	return "https://console.aws.amazon.com"
}

// query is "?region=<region>", or "" for an implausible region.
func (c console) query() string {
	if validRegion(c.region) {
		return "?region=" + c.region
	}
	return ""
}

// service is the page fragment of a console service.
func (c console) service(path, fragment string) string {
	return c.host() + "/" + path + "/home" + c.query() + "#" + fragment
}

func (c console) ec2(fragment string) string { return c.service("ec2", fragment) }
func (c console) vpc(fragment string) string { return c.service("vpcconsole", fragment) }

func validRegion(region string) bool {
	if region == "" || len(region) > 32 || region[0] == '-' {
		return false
	}
	for _, c := range region {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// splitObject returns the bucket and key of an object resource, whose ID is
// "bucket/key" and Name the bucket.
func splitObject(r finding.Resource) (bucket, key string) {
	if r.Name != "" && strings.HasPrefix(r.ID, r.Name+"/") {
		return r.Name, strings.TrimPrefix(r.ID, r.Name+"/")
	}
	bucket, key, _ = strings.Cut(r.ID, "/")
	return bucket, key
}

// functionName is the name of a Lambda function given by name, ARN or
// partial ARN ("123456789012:function:name"), without a qualifier.
func functionName(id string) string {
	if _, after, ok := strings.Cut(id, "function:"); ok {
		id = after
	}
	name, _, _ := strings.Cut(id, ":")
	return name
}

// listenerLoadBalancer is the load balancer name in a listener ARN
// ("arn:...:listener/app/<name>/<lb-id>/<listener-id>"), or "".
func listenerLoadBalancer(arn string) string { return arnName(arn, ":listener/") }

// loadBalancerName is the name in a v2 load balancer ARN
// ("arn:...:loadbalancer/app/<name>/<id>"), or "".
func loadBalancerName(arn string) string { return arnName(arn, ":loadbalancer/") }

// arnName is the name in an Elastic Load Balancing ARN whose resource
// follows marker as "<type>/<name>/...", or "".
func arnName(arn, marker string) string {
	_, path, ok := strings.Cut(arn, marker)
	if !ok {
		return ""
	}
	parts := strings.Split(path, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}
