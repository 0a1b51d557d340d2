package localstack

import (
	"context"
	"io"
	"strconv"

	"github.com/trailwatch/trailwatch/test/moto"
)

// ErrMotoNotFound is returned (wrapped) by Start when no interpreter was
// configured and none of the default candidates can run moto's server. It
// is moto.ErrNotFound.
var ErrMotoNotFound = moto.ErrNotFound

// motoConfig makes moto execute state machines, calling Lambda tasks at
// http://localhost:$MOTO_PORT.
const motoConfig = `{"stepfunctions": {"execute_state_machine": true}}`

// startMoto starts moto with MOTO_PORT set to gatewayPort, so that moto's
// Step Functions interpreter calls Lambda through the gateway, and returns
// once moto executes state machines. Its output goes to out.
func startMoto(ctx context.Context, python string, gatewayPort int, out io.Writer) (*moto.Server, error) {
	return moto.Start(ctx, moto.Options{
		Python: python,
		// Moto's Lambda client calls http://localhost:<gateway>; package
		// moto keeps proxies away from it.
		Env:    []string{"MOTO_PORT=" + strconv.Itoa(gatewayPort)},
		Config: motoConfig,
		Output: out,
	})
}
