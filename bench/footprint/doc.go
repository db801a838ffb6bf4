// Package footprint holds two programs that do the same job, list one
// account's received invitations and print their ids: sdk with the SDK's
// client package, stdlib with net/http and encoding/json alone. cmd/footprint
// builds both (and cmd/postpress) and compares binary size and package
// initialisation time: what a program pays for importing the client.
package footprint
