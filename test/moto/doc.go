// Package moto starts moto's server, the AWS API emulator, as a child
// process on a free loopback port: the one starter the functions' moto tests
// (through package mototest) and the local stack (test/localstack) share.
//
// It imports only the standard library, so that a function's module can
// require it for its tests without pulling in anything else, and it imports
// no AWS SDK: callers build their clients against Server.URL.
//
// moto runs in its own process group, killed as a whole by Stop; on Linux
// the kernel also kills it when the thread that started it dies, so a test
// binary killed by go test's -timeout leaves no moto behind.
package moto
