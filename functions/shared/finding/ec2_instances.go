package finding

import "slices"

func parseRunInstances(rec *record, f *Finding) error {
	var req struct {
		GroupSet            items[groupItem] `json:"groupSet"`
		NetworkInterfaceSet items[struct {
			AssociatePublicIPAddress *bool            `json:"associatePublicIpAddress"`
			GroupSet                 items[groupItem] `json:"groupSet"`
		}] `json:"networkInterfaceSet"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		InstancesSet items[struct {
			InstanceID          string           `json:"instanceId"`
			GroupSet            items[groupItem] `json:"groupSet"`
			NetworkInterfaceSet items[struct {
				Association *struct {
					PublicIP string `json:"publicIp"`
				} `json:"association"`
			}] `json:"networkInterfaceSet"`
		}] `json:"instancesSet"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	f.Requested.SecurityGroups = groupIDs(req.GroupSet, f.Requested.SecurityGroups)
	for _, ni := range req.NetworkInterfaceSet.Items {
		if ni.AssociatePublicIPAddress != nil && *ni.AssociatePublicIPAddress {
			f.Requested.PublicIP = true
		}
		f.Requested.SecurityGroups = groupIDs(ni.GroupSet, f.Requested.SecurityGroups)
	}
	for _, in := range resp.InstancesSet.Items {
		if in.InstanceID == "" {
			continue
		}
		f.Resources = append(f.Resources, Resource{Type: TypeInstance, ID: in.InstanceID})
		f.Requested.SecurityGroups = groupIDs(in.GroupSet, f.Requested.SecurityGroups)
		for _, ni := range in.NetworkInterfaceSet.Items {
			if ni.Association != nil && ni.Association.PublicIP != "" {
				f.Requested.PublicIP = true
				f.Requested.PublicIPs = appendUnique(f.Requested.PublicIPs, ni.Association.PublicIP)
			}
		}
	}
	f.OpensExposure = f.Requested.PublicIP && len(f.Resources) > 0
	return nil
}

// confirmRunInstances: an instance launched without asking for a public IP
// still gets one when its subnet maps public IPs on launch.
func confirmRunInstances(f *Finding) {
	for _, r := range f.Resources {
		if r.Type == TypeInstance && len(r.PublicIPs) > 0 {
			f.OpensExposure = true
		}
	}
}

// parseGroupSwap reads ModifyInstanceAttribute and
// ModifyNetworkInterfaceAttribute: the resource, and the security groups
// that replace its groups when the call sets groupSet. Other attributes
// (instanceType, sourceDestCheck, ...) leave Requested empty. The request
// alone never opens: confirmGroupSwap decides from the live resource. A
// swap is a candidate close: the groups it replaced may have been the ones
// open to the world.
func parseGroupSwap(idField string, typ ResourceType) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		req, id, err := paramsWithID(rec, idField)
		if err != nil {
			return err
		}
		f.Resources = append(f.Resources, Resource{Type: typ, ID: id})
		var set items[groupItem]
		if ok, err := decodeMember(req, "groupSet", &set); err != nil || !ok {
			return err
		}
		f.Requested.SecurityGroups = groupIDs(set, f.Requested.SecurityGroups)
		f.ClosesExposure = len(f.Requested.SecurityGroups) > 0
		return nil
	}
}

// confirmGroupSwap: the swap opens exposure when the resource now has a
// public IP and one of the groups the call set admits the world.
func confirmGroupSwap(f *Finding) {
	f.OpensExposure = false
	if len(f.Requested.SecurityGroups) == 0 {
		return
	}
	for _, r := range f.Resources {
		if len(r.PublicIPs) == 0 {
			continue
		}
		for _, rule := range r.OpenIngress {
			if slices.Contains(f.Requested.SecurityGroups, rule.SecurityGroupID) {
				f.OpensExposure = true
			}
		}
	}
}

// parseTerminateInstances closes: the instances, and whatever they exposed,
// are going away. The instances are the request's (instancesSet), else the
// response's.
func parseTerminateInstances(rec *record, f *Finding) error {
	type instances struct {
		InstancesSet items[struct {
			InstanceID string `json:"instanceId"`
		}] `json:"instancesSet"`
	}
	var req, resp instances
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	var ids []string
	for _, in := range append(req.InstancesSet.Items, resp.InstancesSet.Items...) {
		if in.InstanceID != "" {
			ids = appendUnique(ids, in.InstanceID)
		}
	}
	if len(ids) == 0 {
		return &MalformedEventError{Reason: "requestParameters.instancesSet names no instance"}
	}
	for _, id := range ids {
		f.Resources = append(f.Resources, Resource{Type: TypeInstance, ID: id})
	}
	f.ClosesExposure = true
	return nil
}

// groupSwapClosing are the words of a security group swap that may have
// closed exposure.
var groupSwapClosing = Words{
	Headline: []string{"security groups of {target} replaced"},
	Advice:   "Check that the groups now attached admit no port from 0.0.0.0/0 or ::/0 that should stay private; an open alert for the resource is resolved once its live groups show the exposure gone.",
}

// ec2InstanceCatalog are the catalog entries parsed in this file.
var ec2InstanceCatalog = []Entry{
	{EventSource: ec2Source, EventName: "RunInstances", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Launches instances; a public IP requested per network interface (or given by the subnet default) and their security groups decide exposure.",
		parse:       parseRunInstances, confirm: confirmRunInstances,
		Words: Words{
			Headline: []string{"{target} launched with public IP {ip}, {live}", "{target} launched with {live}", "{target} launched with public IP {ip}", "{target} launched with a public IP"},
			Advice:   "Check that the instance must be reachable from the internet. If not, remove its public IP (disassociate the address, or relaunch it in a private subnet); either way restrict its security groups so no port is open to 0.0.0.0/0 or ::/0, above all SSH, RDP and database ports.",
		}},
	{EventSource: ec2Source, EventName: "ModifyInstanceAttribute", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Changes an instance attribute; replacing its security groups (groupSet) opens exposure when enrichment finds the instance public and a new group world-open, and may close what the old groups opened (checked against the live groups).",
		parse:       parseGroupSwap("instanceId", TypeInstance), confirm: confirmGroupSwap,
		Words: Words{
			Headline: []string{"security groups of {target} replaced, {live}", "{live} on {target}", "security groups of {target} replaced"},
			Advice:   "Revoke the world-open rule of the new group, or put the instance's previous groups back; if the port must stay public, confirm it with the owner and record why.",
		},
		Closing: groupSwapClosing},
	{EventSource: ec2Source, EventName: "ModifyNetworkInterfaceAttribute", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Changes a network interface attribute; replacing its security groups (groupSet) opens exposure when enrichment finds the interface public and a new group world-open, and may close what the old groups opened (checked against the live groups).",
		parse:       parseGroupSwap("networkInterfaceId", TypeNetworkInterface), confirm: confirmGroupSwap,
		Words: Words{
			Headline: []string{"security groups of {target} replaced, {live}", "{live} on {target}", "security groups of {target} replaced"},
			Advice:   "Revoke the world-open rule of the new group, or put the interface's previous groups back; if the port must stay public, confirm it with the owner and record why.",
		},
		Closing: groupSwapClosing},
	{EventSource: ec2Source, EventName: "TerminateInstances", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Terminates instances, closing whatever they exposed (their public IPs go; Elastic IPs stay allocated).",
		parse:       parseTerminateInstances,
		Words: Words{
			Headline: []string{"{target} terminated"},
			Advice:   "Nothing to do if the termination was expected: open alerts about the instances are resolved. If it was not, find out who terminated them and why; an Elastic IP they had stays allocated until released.",
		}},
}
