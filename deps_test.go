package postpress

import (
	"os/exec"
	"strings"
	"testing"
)

// heavyForImporters are packages a program that only lists invitations must
// not link: the spec loader and its YAML and JSON-schema libraries (they
// belong to gen/spec, client/validation and the test tooling), the sync
// engine, its stores (bbolt's, and PostgreSQL's driver pgx with its pool
// and helpers) and the CLI's rate limiter, and package testing.
var heavyForImporters = []string{
	"github.com/getkin/kin-openapi",
	"gopkg.in/yaml",
	"go.yaml.in/yaml",
	"github.com/santhosh-tekuri/jsonschema",
	"github.com/go-openapi/",
	"github.com/oasdiff/yaml",
	"github.com/postpress/postpress-go/invsync",
	"go.etcd.io/bbolt",
	"github.com/jackc/",
	"golang.org/x/time",
}

// TestClientLinksOnlyWhatListingNeeds keeps `go list -deps ./client` free of
// the packages above: the client's binary size and start-up depend on it
// (BENCHMARKS.md, Footprint).
func TestClientLinksOnlyWhatListingNeeds(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./client").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps ./client: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list printed %d packages; expected the client's whole import graph", len(deps))
	}
	for _, d := range deps {
		if d == "testing" {
			t.Errorf("client links package testing")
		}
		for _, h := range heavyForImporters {
			if strings.HasPrefix(d, h) {
				t.Errorf("client links %s (%s...): move what needs it behind a package of its own", d, h)
			}
		}
	}
}
