package main

import (
	"context"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// sentPath is a second list operation, with its own path and item schema
// and the received listing's parameters, paging and errors.
const sentPath = `  /users/invite/archived:
    get:
      operationId: listInvitationsArchived
      x-speakeasy-pagination:
        type: cursor
        inputs:
          - name: cursor
            in: parameters
            type: cursor
          - name: limit
            in: parameters
            type: limit
        outputs:
          results: $.items
          nextCursor: $.cursor
      summary: List all invitations sent
      parameters:
        - $ref: '#/components/parameters/Cursor'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/AccountID'
      responses:
        "200":
          description: OK. A page of the invitations sent by the account.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/InvitationArchivedList'
        "400":
          $ref: '#/components/responses/BadRequest'
        "401":
          $ref: '#/components/responses/Unauthorized'
        "403":
          $ref: '#/components/responses/Forbidden'
        "429":
          $ref: '#/components/responses/TooManyRequests'
        "500":
          $ref: '#/components/responses/InternalServerError'
        "501":
          $ref: '#/components/responses/NotImplemented'
        "503":
          $ref: '#/components/responses/ServiceUnavailable'
        "504":
          $ref: '#/components/responses/GatewayTimeout'
`

// otherPaths are operations that are not listings: one with an example
// of its success, one whose success has no content, one without an
// example.
const otherPaths = `  /me:
    get:
      operationId: getMe
      responses:
        "200":
          description: The account.
          content:
            application/json:
              schema:
                type: object
                properties:
                  name:
                    type: string
              example:
                name: Ada
  /users/invite/{invitation_id}:
    post:
      operationId: acceptInvitation
      parameters:
        - name: invitation_id
          in: path
          required: true
          schema:
            type: string
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                note:
                  type: string
      responses:
        "204":
          description: Accepted.
        "403":
          $ref: '#/components/responses/Forbidden'
    delete:
      operationId: cancelInvitation
      parameters:
        - name: invitation_id
          in: path
          required: true
          schema:
            type: string
      responses:
        "200":
          description: Cancelled.
          content:
            application/json:
              schema:
                type: object
`

// sentSchemas are its page and item schemas.
const sentSchemas = `    InvitationArchivedList:
      type: object
      required: [items, cursor]
      properties:
        items:
          type: array
          items:
            $ref: '#/components/schemas/InvitationArchived'
        cursor:
          type: string
          nullable: true
    InvitationArchived:
      type: object
      required: [id, invited_user, date]
      properties:
        id:
          type: string
        invited_user:
          type: string
        date:
          type: string
`

// withSentOperation returns openapi.yaml (raw) with the second list
// operation added (and otherPaths when others is true).
func withSentOperation(t *testing.T, raw string, others ...bool) string {
	t.Helper()
	for _, anchor := range []string{"\ncomponents:\n", "\n    InvitationReceived:\n"} {
		if !strings.Contains(raw, anchor) {
			t.Fatalf("openapi.yaml no longer holds %q", anchor)
		}
	}
	paths := sentPath
	if len(others) > 0 && others[0] {
		paths += otherPaths
	}
	raw = strings.Replace(raw, "\ncomponents:\n", "\n"+paths+"components:\n", 1)
	return strings.Replace(raw, "\n    InvitationReceived:\n", "\n"+sentSchemas+"    InvitationReceived:\n", 1)
}

// TestFakeNeedsGenOfTheSameSpec: an operation gen has no strict method for
// (the spec edited, gen not regenerated) fails the run, naming it.
func TestFakeNeedsGenOfTheSameSpec(t *testing.T) {
	raw, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, []byte(withSentOperation(t, string(raw))), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, node := loadSpec(t, spec)
	_, err = fake(doc, node, "../../gen/gen.go")
	if err == nil || !strings.Contains(err.Error(), "no method for GET /users/invite/archived") {
		t.Errorf("err = %v, want one naming GET /users/invite/archived", err)
	}
}

// TestFakeOutputNamesGensTypes: the generated methods are gen's strict
// interface's, with its request and response types.
func TestFakeOutputNamesGensTypes(t *testing.T) {
	doc, node := loadSpec(t, "../../openapi.yaml")
	src, err := fake(doc, node, "../../gen/gen.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func (s strict) ListInvitationsReceived(ctx context.Context, _ gen.ListInvitationsReceivedRequestObject) (gen.ListInvitationsReceivedResponseObject, error) {",
		"func (r *reply) VisitListInvitationsReceivedResponse(w http.ResponseWriter) error",
		"item:",
		"reflect.TypeFor[gen.InvitationReceived]()",
		"func GenerateInvitations(seed int64, n int) []gen.InvitationReceived",
		"gen.BadRequestErrorType | gen.UnauthorizedErrorType",
		"typeNoAccess",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("operations_gen.go lacks %s", want)
		}
	}
}

func loadSpec(t *testing.T, path string) (*openapi3.T, *yaml.Node) {
	t.Helper()
	raw, err := os.ReadFile(path) //nolint:gosec // a test's spec
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(raw, &node); err != nil {
		t.Fatal(err)
	}
	return doc, &node
}

// sentTest is a test of postpresstest, run in the scratch copy, that
// serves the second list operation through the public API.
const sentTest = `package postpresstest

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
)

func TestServesTheSentInvitations(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 7), WithAccount("mine", []gen.InvitationArchived{{ID: "s1", InvitedUser: "u", Date: "d"}}))
	defer s.Close()
	get := func(query string) (int, gen.InvitationArchivedList) {
		req, _ := http.NewRequest("GET", s.URL+"/users/invite/archived?"+query, nil)
		req.Header.Set("X-API-KEY", DefaultAPIKey)
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var page gen.InvitationArchivedList
		_ = json.NewDecoder(resp.Body).Decode(&page)
		return resp.StatusCode, page
	}
	var ids []string
	query := "account_id=acc&limit=3"
	for pages := 1; ; pages++ {
		status, page := get(query)
		if status != 200 || pages > 3 {
			t.Fatalf("page %d: status %d", pages, status)
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.Cursor == nil {
			break
		}
		query = "account_id=acc&limit=3&cursor=" + *page.Cursor
	}
	want := ItemsOf[gen.InvitationArchived](s.Fake, "acc")
	if len(want) != 7 || !slices.Equal(ids, idsOf(want)) {
		t.Fatalf("listed %v, want the 7 items %v", ids, idsOf(want))
	}
	if got := GenerateInvitationsArchived(1, 3); len(got) != 3 || got[0].ID == "" || got[0].InvitedUser == "" {
		t.Fatalf("GenerateInvitationsArchived: %+v", got)
	}
	if len(s.Items("acc")) != 7 || s.Items("acc")[0].ID == want[0].ID {
		t.Fatal("the received listing does not have its own items")
	}
	if _, page := get("account_id=mine"); len(page.Items) != 1 || page.Items[0].ID != "s1" {
		t.Fatalf("WithAccount: %+v", page)
	}
	s.Enqueue(Error(gen.TooManyRequestsErrorTypeTooManyRequests).OnAccount("acc"))
	for query, status := range map[string]int{"account_id=acc": 429, "account_id=nobody": 403, "account_id=mine&limit=0": 400} {
		if got, _ := get(query); got != status {
			t.Errorf("%s: status %d, want %d", query, got, status)
		}
	}
}

func TestServesTheOtherOperations(t *testing.T) {
	s := NewServer()
	defer s.Close()
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		req.Header.Set("X-API-KEY", DefaultAPIKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	if status, body := do("GET", "/me", ""); status != 200 || body != ` + "`" + `{"name":"Ada"}` + "`" + ` {
		t.Errorf("getMe: %d %s, want its example", status, body)
	}
	if status, body := do("POST", "/users/invite/inv_1", "{}"); status != 204 || body != "" {
		t.Errorf("acceptInvitation: %d %s, want 204", status, body)
	}
	if status, body := do("DELETE", "/users/invite/inv_1", ""); status != 501 || !strings.Contains(body, string(gen.NotImplementedErrorTypeFeatureNotImplemented)) {
		t.Errorf("cancelInvitation: %d %s, want 501", status, body)
	}
	s.Enqueue(Error(gen.ForbiddenErrorTypeAccountRestricted))
	if status, body := do("POST", "/users/invite/inv_1", "{}"); status != 403 || !strings.Contains(body, "errors/account_restricted") {
		t.Errorf("acceptInvitation with a fault: %d %s, want 403", status, body)
	}
}

func idsOf(items []gen.InvitationArchived) []string {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}
`

// TestFakeServesANewListOperation is the proof that a list operation added
// to openapi.yaml is served with no hand edit: in a scratch copy of the
// repository it adds a second list operation (and three operations that
// are not listings, otherPaths), regenerates gen
// (oapi-codegen) and the fake's methods, then builds, vets and tests
// postpresstest there, with a test of the new operation. It takes a
// minute or so; -short skips it.
func TestFakeServesANewListOperation(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates and tests a scratch copy of the repository")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range repoFiles(ctx, t, root) {
		raw, err := os.ReadFile(filepath.Join(root, f)) //nolint:gosec // a file of the repository
		if err != nil {
			continue // listed but deleted in the work tree
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	spec := filepath.Join(dir, "openapi.yaml")
	raw, err := os.ReadFile(spec) //nolint:gosec // the scratch copy's spec
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec, []byte(withSentOperation(t, string(raw), true)), 0o600); err != nil {
		t.Fatal(err)
	}
	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		t.Logf("go %s\n%s", strings.Join(args, " "), out)
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
	}
	const oapi = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	goCmd("run", oapi, "-config", "oapi-codegen.yaml", "openapi.yaml")
	goCmd("run", oapi, "-config", "oapi-codegen.spec.yaml", "openapi.yaml")
	doc, node := loadSpec(t, spec)
	src, err := fake(doc, node, filepath.Join(dir, "gen", "gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if src, err = format.Source(src); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "postpresstest", "operations_gen.go"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "postpresstest", "sent_test.go"), []byte(sentTest), 0o600); err != nil {
		t.Fatal(err)
	}
	goCmd("build", "./postpresstest/")
	goCmd("vet", "./postpresstest/")
	for _, want := range []string{"func (s strict) ListInvitationsArchived(", "func GenerateInvitationsArchived(", "func (s strict) GetMe(", "func (s strict) CancelInvitation("} {
		if !strings.Contains(string(src), want) {
			t.Errorf("operations_gen.go lacks %s", want)
		}
	}
	goCmd("test", "-count=1", "-v", "-run", "TestServesThe", "./postpresstest/")
	goCmd("test", "-count=1", "./postpresstest/")
}

// TestErrorTableOfTwoOperations: two operations that share their error
// responses share their error types, x-retryable included.
func TestErrorTableOfTwoOperations(t *testing.T) {
	raw, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, []byte(withSentOperation(t, string(raw))), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, _ := loadSpec(t, spec)
	tab, err := readErrorTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, et := range tab.byStatus[500] {
		if et.value == "errors/authentication_intent_error" && et.retryable {
			t.Error("errors/authentication_intent_error lost its x-retryable: false")
		}
	}
}

// repoFiles lists the module's files under root: git's tracked and
// untracked-but-not-ignored files, or, outside a git work tree (a scratch
// copy), every regular file but those under .git, node_modules and .cache.
func repoFiles(ctx context.Context, t *testing.T, root string) []string {
	t.Helper()
	ls := exec.CommandContext(ctx, "git", "ls-files", "-co", "--exclude-standard", "-z")
	ls.Dir = root
	if out, err := ls.Output(); err == nil {
		return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".cache") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
