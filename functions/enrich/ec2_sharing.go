package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ImageShares describes an image's launch permissions: who may launch it
// now. An image that does not exist is not found.
func (e *EC2) ImageShares(ctx context.Context, id string) ([]string, bool, error) {
	out, err := e.Client.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{ImageId: aws.String(id), Attribute: types.ImageAttributeNameLaunchPermission})
	if isCode(err, "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable", "InvalidAMIID.Malformed") {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var grantees []string
	for _, p := range out.LaunchPermissions {
		if g := firstSet(aws.String(string(p.Group)), p.UserId, p.OrganizationArn, p.OrganizationalUnitArn); g != "" {
			grantees = append(grantees, g)
		}
	}
	return grantees, true, nil
}

// SnapshotShares describes an EBS snapshot's create-volume permissions: who
// may create a volume from it now. A snapshot that does not exist is not
// found.
func (e *EC2) SnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	out, err := e.Client.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{SnapshotId: aws.String(id), Attribute: types.SnapshotAttributeNameCreateVolumePermission})
	if isCode(err, "InvalidSnapshot.NotFound", "InvalidSnapshot.Malformed") {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var grantees []string
	for _, p := range out.CreateVolumePermissions {
		if g := firstSet(aws.String(string(p.Group)), p.UserId); g != "" {
			grantees = append(grantees, g)
		}
	}
	return grantees, true, nil
}
