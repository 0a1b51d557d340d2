package permissions

import (
	"reflect"
	"slices"
)

// Methods returns the sorted method names of the interface type that iface
// points to, e.g. Methods((*EC2API)(nil)): the SDK operations an adapter can
// call.
func Methods(iface any) []string {
	t := reflect.TypeOf(iface).Elem()
	var out []string
	for i := range t.NumMethod() {
		out = append(out, t.Method(i).Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
