package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// lambdaTrust lets Lambda assume the world's function role: moto, as
// Lambda, refuses a function whose role it cannot assume.
const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// functions creates the world's two functions, each with a function URL
// and a statement letting everyone call lambda:InvokeFunctionUrl when the
// URL's auth is NONE: PublicFunction's URL has auth NONE, IAMFunction's
// AWS_IAM. Moto stores the functions; nothing runs them.
func (p *Pipeline) functions(ctx context.Context, w *World) error {
	role, err := p.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("trailwatch-demo-function"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		return fmt.Errorf("create function role: %w", err)
	}
	code, err := bootstrapZip()
	if err != nil {
		return err
	}
	w.PublicFunction, w.IAMFunction = "trailwatch-demo-public-url", "trailwatch-demo-iam-url"
	for name, auth := range map[string]lambdatypes.FunctionUrlAuthType{w.PublicFunction: lambdatypes.FunctionUrlAuthTypeNone, w.IAMFunction: lambdatypes.FunctionUrlAuthTypeAwsIam} {
		if _, err := p.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: role.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: code}, Tags: map[string]string{"Name": name, "owner": "team-demo"}}); err != nil {
			return fmt.Errorf("create function %s: %w", name, err)
		}
		if _, err := p.Lambda.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: auth}); err != nil {
			return fmt.Errorf("create function URL of %s: %w", name, err)
		}
		// The statement the console adds for a URL with auth NONE.
		if _, err := p.Lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(name), StatementId: aws.String("FunctionURLAllowPublicAccess"),
			Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
			return fmt.Errorf("add permission to %s: %w", name, err)
		}
	}
	return nil
}

// bootstrapZip is a deployment package holding an empty bootstrap.
func bootstrapZip() ([]byte, error) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	f, err := z.Create("bootstrap")
	if err == nil {
		_, err = f.Write([]byte("#!/bin/sh\n"))
	}
	if err == nil {
		err = z.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("zip function code: %w", err)
	}
	return b.Bytes(), nil
}

// dbSnapshot takes a manual snapshot of the database and shares it
// (restore) with an account the deployment does not trust.
func (p *Pipeline) dbSnapshot(ctx context.Context, w *World) error {
	w.DBSnapshotID, w.SnapshotSharedWith = "trailwatch-demo-snap", "444455556666"
	if _, err := p.RDS.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(w.DatabaseID), DBSnapshotIdentifier: aws.String(w.DBSnapshotID)}); err != nil {
		return fmt.Errorf("create db snapshot: %w", err)
	}
	if _, err := p.RDS.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String(w.DBSnapshotID), AttributeName: aws.String("restore"),
		ValuesToAdd: []string{w.SnapshotSharedWith}}); err != nil {
		return fmt.Errorf("share db snapshot: %w", err)
	}
	return nil
}
