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
// alone never opens: confirmGroupSwap decides from the live resource.
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

// ec2InstanceCatalog are the catalog entries parsed in this file.
var ec2InstanceCatalog = []Entry{
	{EventSource: ec2Source, EventName: "RunInstances", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Launches instances; a public IP requested per network interface (or given by the subnet default) and their security groups decide exposure.",
		parse:       parseRunInstances, confirm: confirmRunInstances},
	{EventSource: ec2Source, EventName: "ModifyInstanceAttribute", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Changes an instance attribute; replacing its security groups (groupSet) opens exposure when enrichment finds the instance public and a new group world-open.",
		parse:       parseGroupSwap("instanceId", TypeInstance), confirm: confirmGroupSwap},
	{EventSource: ec2Source, EventName: "ModifyNetworkInterfaceAttribute", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Changes a network interface attribute; replacing its security groups (groupSet) opens exposure when enrichment finds the interface public and a new group world-open.",
		parse:       parseGroupSwap("networkInterfaceId", TypeNetworkInterface), confirm: confirmGroupSwap},
}
