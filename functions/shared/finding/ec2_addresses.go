package finding

import "cmp"

// addressRequest is the request of the Elastic IP calls: the address by
// allocation id (VPC) or public IP (EC2-Classic), the association, and
// what the address is associated with.
type addressRequest struct {
	AllocationID       string `json:"allocationId"`
	AssociationID      string `json:"associationId"`
	PublicIP           string `json:"publicIp"`
	InstanceID         string `json:"instanceId"`
	NetworkInterfaceID string `json:"networkInterfaceId"`
}

func parseAllocateAddress(rec *record, f *Finding) error {
	var resp struct {
		PublicIP     string `json:"publicIp"`
		AllocationID string `json:"allocationId"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	if id := cmp.Or(resp.AllocationID, resp.PublicIP); id != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeElasticIP, ID: id})
	}
	if resp.PublicIP != "" {
		f.Requested.PublicIP = true
		f.Requested.PublicIPs = []string{resp.PublicIP}
	}
	f.OpensExposure = f.Requested.PublicIP
	return nil
}

func parseAssociateAddress(rec *record, f *Finding) error {
	var req addressRequest
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	id := cmp.Or(req.AllocationID, req.PublicIP)
	if err := addResource(f, Resource{Type: TypeElasticIP, ID: id}, "requestParameters has neither allocationId nor publicIp"); err != nil {
		return err
	}
	if req.InstanceID != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeInstance, ID: req.InstanceID})
	}
	if req.NetworkInterfaceID != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeNetworkInterface, ID: req.NetworkInterfaceID})
	}
	if req.PublicIP != "" {
		f.Requested.PublicIPs = []string{req.PublicIP}
	}
	f.Requested.PublicIP = true
	f.OpensExposure = true
	return nil
}

// parseDisassociateAddress closes: the Elastic IP stops routing to the
// instance or interface (which may still keep, or be given, its own public
// IP). The request names the association, or for EC2-Classic the public IP;
// the resource's id is whichever it gives.
func parseDisassociateAddress(rec *record, f *Finding) error {
	var req addressRequest
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	return closeAddress(f, cmp.Or(req.PublicIP, req.AssociationID), req.PublicIP, "requestParameters has neither associationId nor publicIp")
}

// parseReleaseAddress closes: the address leaves the account.
func parseReleaseAddress(rec *record, f *Finding) error {
	var req addressRequest
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	return closeAddress(f, cmp.Or(req.AllocationID, req.PublicIP), req.PublicIP, "requestParameters has neither allocationId nor publicIp")
}

// closeAddress records the Elastic IP id (and its publicIP, when the
// request gave it) as closing exposure. An empty id is a
// *MalformedEventError with reason missing.
func closeAddress(f *Finding, id, publicIP, missing string) error {
	if err := addResource(f, Resource{Type: TypeElasticIP, ID: id}, missing); err != nil {
		return err
	}
	if publicIP != "" {
		f.Requested.PublicIPs = []string{publicIP}
	}
	f.ClosesExposure = true
	return nil
}

// ec2AddressCatalog are the catalog entries parsed in this file.
var ec2AddressCatalog = []Entry{
	{EventSource: ec2Source, EventName: "AllocateAddress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Allocates an Elastic IP: a new internet address in the account.",
		parse:       parseAllocateAddress,
		Words: Words{
			Headline: []string{"Elastic IP {ip} allocated", "Elastic IP allocated"},
			Advice:   "Check what the address is for and that whatever it will be attached to must be reachable from the internet; release it if it is not needed (an idle Elastic IP is billed too).",
		}},
	{EventSource: ec2Source, EventName: "AssociateAddress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Attaches an Elastic IP to an instance or network interface, making it reachable from the internet.",
		parse:       parseAssociateAddress,
		Words: Words{
			Headline: []string{"Elastic IP {ip} associated with {attached}, {live}", "{attached} now public with {live}",
				"Elastic IP {ip} associated with {attached}", "Elastic IP {target} associated with {attached}", "Elastic IP {ip} associated", "Elastic IP {target} associated"},
			Advice: "Check that the instance or interface must be reachable from the internet; if not, disassociate the address. Restrict its security groups so no port is open to 0.0.0.0/0 or ::/0.",
		}},
	{EventSource: ec2Source, EventName: "DisassociateAddress", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Detaches an Elastic IP from its instance or network interface (which may still have, or be given, its own public IP).",
		parse:       parseDisassociateAddress,
		Words: Words{
			Headline: []string{"Elastic IP {ip} disassociated", "Elastic IP disassociated ({target})"},
			Advice:   "Check that the instance or interface has no other public IP: one of its own stays reachable. Open alerts about the address are resolved once trailwatch confirms it is detached.",
		}},
	{EventSource: ec2Source, EventName: "ReleaseAddress", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Releases an Elastic IP: the address leaves the account.",
		parse:       parseReleaseAddress,
		Words: Words{
			Headline: []string{"Elastic IP {ip} released", "Elastic IP {target} released"},
			Advice:   "Nothing to do if expected: the address has left the account and open alerts about it are resolved. Check that no DNS record still points at it (a released address can be handed to another customer).",
		}},
}
