package regentest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"
)

// newProperty is a property the test adds to a schema of openapi.yaml.
type newProperty struct {
	schema string // under components.schemas
	name   string
	yaml   string // its schema
	// What the probe checks about it (JSON paths from the invitation).
	Path      string
	Leaves    []string    // the paths of its scalar/array values (itself, or a nested object's properties)
	Bounds    [][]float64 `json:",omitempty"` // per leaf: [min, max] when bounded
	MinLength int         `json:",omitempty"`
	Enum      []string    `json:",omitempty"`
}

// The spec edits: a property of every JSON type on InvitationReceived, one
// on each nested object, a new error type at an existing status, a new
// error status with its type, an optional query parameter, a higher bound,
// a new enum value (see theFacts and editSpec).
var newProperties = []newProperty{
	{schema: "InvitationReceived", name: "connection_tier", yaml: `
type: integer
minimum: 1
maximum: 3
description: Degree of connection between the inviter and the account.`,
		Path: "connection_tier", Leaves: []string{"connection_tier"}, Bounds: [][]float64{{1, 3}}},
	{schema: "InvitationReceived", name: "match_score", yaml: `
type: number
minimum: 0
maximum: 1
description: How well the inviter matches the account's targeting.`,
		Path: "match_score", Leaves: []string{"match_score"}, Bounds: [][]float64{{0, 1}}},
	{schema: "InvitationReceived", name: "is_premium", yaml: `
type: boolean
description: Whether the inviter has a premium account.`,
		Path: "is_premium", Leaves: []string{"is_premium"}},
	{schema: "InvitationReceived", name: "mutual_note", yaml: `
type: string
nullable: true
description: A note on mutual connections, or null.`,
		Path: "mutual_note", Leaves: []string{"mutual_note"}},
	{schema: "InvitationReceived", name: "invitation_kind", yaml: `
type: string
description: Whether the invitation came with a personal note.
enum: [personalized, generic]
x-enum-varnames: [Personalized, Generic]`,
		Path: "invitation_kind", Leaves: []string{"invitation_kind"}, Enum: []string{"personalized", "generic"}},
	{schema: "InvitationReceived", name: "shared_tags", yaml: `
type: array
description: Tags the account and the inviter share.
items:
  type: string`,
		Path: "shared_tags", Leaves: []string{"shared_tags"}},
	{schema: "InvitationReceived", name: "inviter_company", yaml: `
type: object
description: The inviter's company.
properties:
  company_name:
    type: string
    description: Name of the company.
  employee_count:
    type: integer
    minimum: 1
    maximum: 100000
    description: Number of employees.`,
		Path: "inviter_company", Leaves: []string{"inviter_company.company_name", "inviter_company.employee_count"},
		Bounds: [][]float64{nil, {1, 100000}}},
	{schema: "Inviter", name: "inviter_follower_count", yaml: `
type: integer
minimum: 0
description: Followers of the inviter.`,
		Path: "inviter.inviter_follower_count", Leaves: []string{"inviter.inviter_follower_count"}, Bounds: [][]float64{{0, 1e12}}},
	{schema: "Specifics", name: "thread_id", yaml: `
type: string
minLength: 12
description: The provider's id of the conversation the invitation opened.`,
		Path: "specifics.thread_id", Leaves: []string{"specifics.thread_id"}, MinLength: 12},
}

// newErrorType is an error type the test adds, at an existing status or a
// new one.
type newErrorType struct {
	Type, Varname, Description string
	Status                     int
	// Retried is the decision the spec's table gives it: a type without an
	// x-retryable of its own takes its status's default (429 and 5xx but
	// 501 are retried).
	Retried bool
}

// newParam is the optional query parameter the test adds (without
// x-go-type-skip-optional-pointer: a maintainer need not know of it).
type newParam struct {
	Name, Flag string
	Good, Bad  string // a value its schema allows, and one it refuses
}

// facts is what the probe is told to check; written as JSON next to it.
type facts struct {
	Properties []newProperty
	ErrorType  newErrorType
	// StatusName names the new status's response and schemas
	// (components.responses.<StatusName>, <StatusName>Error,
	// <StatusName>ErrorType); StatusType is the error type it carries.
	StatusName      string
	StatusType      newErrorType
	Param           newParam
	LimitMax        int
	Provider        string
	ProviderVarname string
	ListOp          newListOp
}

// newListOp is the second list operation the test adds.
type newListOp struct {
	OperationID, Path string
	GoName            string // gen's name for it
	ItemSchema        string // its item schema (and <ItemSchema>List, its page)
	Method            string // the client's iterator: the operationId less "list"
	Pager             string // the client's pager method
	Command           string // the CLI's command: the method in kebab case
}

func theFacts() facts {
	f := facts{Properties: newProperties, LimitMax: 200, Provider: "SALES_NAVIGATOR", ProviderVarname: "SalesNavigator"}
	f.ErrorType = newErrorType{Type: "errors/test_outage", Varname: "TestOutage", Status: 503, Retried: true,
		Description: "A scheduled test outage is in progress. Retry later."}
	// 409: a status no fixture uses as undocumented, and one the table
	// does not retry (the other new type is retried).
	f.StatusName = "Conflict"
	f.StatusType = newErrorType{Type: "errors/account_busy", Varname: "AccountBusy", Status: 409, Retried: false,
		Description: "Another request is already running on this account."}
	f.Param = newParam{Name: "sort_order", Flag: "sort-order", Good: "oldest_first", Bad: "sideways"}
	f.ListOp = newListOp{OperationID: "listInvitationsSent", GoName: "ListInvitationsSent", Path: "/users/invite/sent", ItemSchema: "InvitationSent",
		Method: "InvitationsSent", Pager: "InvitationSentPager", Command: "invitations-sent"}
	return f
}

// Node helpers for editing the spec as a tree.

func child(t *testing.T, n *yaml.Node, path ...string) *yaml.Node {
	t.Helper()
	for _, key := range path {
		var next *yaml.Node
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			t.Fatalf("openapi.yaml has no %s (in %s)", key, strings.Join(path, "."))
		}
		n = next
	}
	return n
}

func parseNode(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return doc.Content[0]
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func put(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

// editSpec applies the edits to openapi.yaml's text.
func editSpec(t *testing.T, raw []byte, f facts) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	schemas := child(t, root, "components", "schemas")

	for _, p := range f.Properties {
		put(child(t, schemas, p.schema, "properties"), p.name, parseNode(t, p.yaml))
	}

	// A new error type at 503, listed as the spec lists types: enum,
	// x-enum-varnames, x-enumDescriptions, the schema's and the
	// response's description lists, an example.
	et := f.ErrorType
	typ := child(t, schemas, "ServiceUnavailableErrorType")
	enum := child(t, typ, "enum")
	enum.Content = append(enum.Content, scalar(et.Type))
	names := child(t, typ, "x-enum-varnames")
	names.Content = append(names.Content, scalar(et.Varname))
	put(child(t, typ, "x-enumDescriptions"), et.Type, scalar(et.Description))
	desc := child(t, typ, "description")
	desc.Value = strings.TrimRight(desc.Value, "\n") + "\n- " + et.Type + ": " + et.Description
	resp := child(t, root, "components", "responses", "ServiceUnavailable")
	rdesc := child(t, resp, "description")
	count := regexp.MustCompile(`lists (\d+) error types`)
	m := count.FindStringSubmatch(rdesc.Value)
	if m == nil {
		t.Fatalf("the ServiceUnavailable response's description does not say how many types it lists: %q", rdesc.Value)
	}
	n, _ := strconv.Atoi(m[1])
	rdesc.Value = count.ReplaceAllString(rdesc.Value, fmt.Sprintf("lists %d error types", n+1))
	rdesc.Value = strings.TrimRight(rdesc.Value, "\n") + "\n- `" + et.Type + "`: " + et.Description
	put(child(t, resp, "content", "application/json", "examples"), et.Varname, parseNode(t, fmt.Sprintf(`
summary: %s
value:
  title: Service Unavailable
  type: %s
  status: %d
  detail: %q
  instance: req_01HXYZ50399QK3WJ8FN3M6QH7T`, et.Type, et.Type, et.Status, et.Description)))

	// limit's maximum, and the description that states it.
	limit := child(t, root, "components", "parameters", "Limit")
	max := child(t, limit, "schema", "maximum")
	old := max.Value
	max.Value = strconv.Itoa(f.LimitMax)
	ldesc := child(t, limit, "description")
	if !strings.Contains(ldesc.Value, "and "+old) {
		t.Fatalf("limit's description does not state its maximum %s: %q", old, ldesc.Value)
	}
	ldesc.Value = strings.Replace(ldesc.Value, "and "+old, "and "+max.Value, 1)

	// A new optional query parameter, shared as the others are.
	put(child(t, root, "components", "parameters"), "SortOrder", parseNode(t, fmt.Sprintf(`
name: %s
in: query
required: false
description: The order of the invitations, newest first (the default) or oldest first.
schema:
  type: string
  enum: [newest_first, %s]
  default: newest_first`, f.Param.Name, f.Param.Good)))
	op := child(t, root, "paths", "/users/invite/received", "get")
	plist := child(t, op, "parameters")
	plist.Content = append(plist.Content, parseNode(t, `$ref: '#/components/parameters/SortOrder'`))

	// A new error status with its type: response, envelope, type enum.
	st, name := f.StatusType, f.StatusName
	put(child(t, root, "components", "responses"), name, parseNode(t, fmt.Sprintf(`
description: |-
  %[1]d %[2]s. The account is busy with another request. It lists 1 error type:

  - %[3]s: %[4]s
content:
  application/json:
    schema:
      $ref: '#/components/schemas/%[5]sError'
    examples:
      %[6]s:
        summary: %[3]s
        value:
          title: %[2]s
          type: %[3]s
          status: %[1]d
          detail: %[4]q
          instance: req_01HXYZ50299QK3WJ8FN3M6QH7T`, st.Status, http.StatusText(st.Status), st.Type, st.Description, name, st.Varname)))
	put(schemas, name+"Error", parseNode(t, fmt.Sprintf(`
description: The error envelope of a %[1]d %[2]s response.
allOf:
  - $ref: '#/components/schemas/ErrorEnvelope'
  - type: object
    properties:
      type:
        $ref: '#/components/schemas/%[3]sErrorType'
      status:
        type: integer
        description: HTTP status code; always %[1]d for this response.
        enum: [%[1]d]`, st.Status, http.StatusText(st.Status), name)))
	put(schemas, name+"ErrorType", parseNode(t, fmt.Sprintf(`
type: string
description: |-
  Error types for %[1]d %[2]s:

  - %[3]s: %[4]s
enum:
  - %[3]s
x-enum-varnames:
  - %[5]s
x-enumDescriptions:
  %[3]s: %[4]q`, st.Status, http.StatusText(st.Status), st.Type, st.Description, st.Varname)))
	put(child(t, op, "responses"), strconv.Itoa(st.Status), parseNode(t, `$ref: '#/components/responses/`+name+`'`))

	// A second provider.
	prov := child(t, schemas, "Provider")
	penum := child(t, prov, "enum")
	penum.Content = append(penum.Content, scalar(f.Provider))
	pnames := child(t, prov, "x-enum-varnames")
	pnames.Content = append(pnames.Content, scalar(f.ProviderVarname))

	// A second cursor-paged list operation, with its own item and page
	// schemas, the received listing's parameters and error responses, and
	// no naming extension: its names come from its operationId.
	lo := f.ListOp
	put(schemas, lo.ItemSchema, parseNode(t, `
type: object
description: An invitation the account sent.
required: [id, invited_user, date]
properties:
  id:
    type: string
    description: Unique identifier of the invitation.
  invited_user:
    type: string
    description: Name of the person invited.
  date:
    type: string
    description: When the invitation was sent, as displayed.
  message_length:
    type: integer
    minimum: 0
    maximum: 300
    description: Length of the note sent with the invitation.`))
	put(schemas, lo.ItemSchema+"List", parseNode(t, fmt.Sprintf(`
type: object
description: One page of the invitations the account sent.
required: [items, cursor]
properties:
  items:
    type: array
    description: Invitations sent by the account.
    items:
      $ref: '#/components/schemas/%s'
  cursor:
    type: string
    nullable: true
    description: Cursor for the next page, or null on the last page.`, lo.ItemSchema)))
	sent := parseNode(t, fmt.Sprintf(`
get:
  operationId: %s
  tags: [Invitations]
  summary: List all invitations sent
  description: Returns the invitations the connected account sent, paged by cursor.
  security:
    - ApiKeyAuth: []
  parameters:
    - $ref: '#/components/parameters/Cursor'
    - $ref: '#/components/parameters/Limit'
    - $ref: '#/components/parameters/AccountID'
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
  responses:
    "200":
      description: OK. A page of the invitations the account sent.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/%sList'`, lo.OperationID, lo.ItemSchema))
	sentResponses := child(t, sent, "get", "responses")
	received := child(t, op, "responses")
	for i := 0; i+1 < len(received.Content); i += 2 {
		if code := received.Content[i].Value; code != "200" {
			put(sentResponses, code, received.Content[i+1])
		}
	}
	put(child(t, root, "paths"), lo.Path, sent)

	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// copyTree copies the repository's files (tracked and untracked, not
// ignored) into dst.
func copyTree(t *testing.T, root, dst string) {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-co", "--exclude-standard", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", root, err)
	}
	copied := 0
	for name := range strings.SplitSeq(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
		copied++
	}
	if copied == 0 {
		t.Fatal("git ls-files listed no files")
	}
}

// goCmd runs the go command in dir and returns its combined output.
func goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(copyEnv(os.Environ()), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// sharedServerVars name a running PostgreSQL that the caller's own pgstore
// tests may be using at the same moment (.ci/with-postgres.sh exports it).
var sharedServerVars = []string{"POSTPRESS_PG_URL"}

// copyEnv is env without sharedServerVars, so the copy's pgstore tests
// start a cluster of their own instead of restarting and truncating the
// database the outer run's pgstore tests are using.
func copyEnv(env []string) []string {
	out := make([]string, 0, len(env))
next:
	for _, kv := range env {
		for _, name := range sharedServerVars {
			if strings.HasPrefix(kv, name+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// writeTemplate renders testdata/name with f into path.
func writeTemplate(t *testing.T, name, path string, f facts) {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, f); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeListOpTemplate renders testdata/listop_test.go.tmpl with the new
// list operation into path.
func writeListOpTemplate(t *testing.T, path string, lo newListOp) {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", "listop_test.go.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, lo); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// factLines returns the PASS:/FAIL: lines of a probe's output.
func factLines(out string) (lines []string, failed int) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		_, l, _ = strings.Cut(l, ": ") // the file:line of t.Log
		switch {
		case strings.HasPrefix(l, "PASS: "):
			lines = append(lines, l)
		case strings.HasPrefix(l, "FAIL: "):
			lines = append(lines, l)
			failed++
		}
	}
	return lines, failed
}

// TestRegeneration edits openapi.yaml in a scratch copy of the repository
// (new properties of every JSON type, an optional query parameter, a new
// error type, a new error status with its type, a higher bound, a new enum
// value), runs `go generate ./...` there and nothing else, then runs a probe
// there (testdata/probe_test.go.txt) that checks through the public API and
// the CLI that every new fact arrives (the parameter is sent by the library
// and the CLI, the types are known, served and retried as the table says),
// a compile-time check of the new constants (testdata/const_test.go.tmpl),
// and the packages' own tests (go test ./client/... ./postpresstest/...
// ./internal/...), none of which may state the spec's facts by hand. It
// prints each fact it checked.
func TestRegeneration(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	// REGENTEST_SCRATCH keeps the scratch copy in that (new) directory, to
	// look into a failure.
	scratch := os.Getenv("REGENTEST_SCRATCH")
	if scratch == "" {
		scratch = t.TempDir()
	}
	copyTree(t, root, scratch)
	f := theFacts()

	specPath := filepath.Join(scratch, "openapi.yaml")
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(specPath, editSpec(t, raw, f), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := goCmd(ctx, scratch, "generate", "./..."); err != nil {
		t.Fatalf("go generate ./... after the spec edits failed: %v\n%s", err, out)
	}

	probeDir := filepath.Join(scratch, "regenprobe")
	probe, err := os.ReadFile(filepath.Join("testdata", "probe_test.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(probeDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(probeDir, "probe_test.go"), probe, 0o644); err != nil {
		t.Fatal(err)
	}
	fj, _ := json.MarshalIndent(f, "", "  ")
	if err := os.WriteFile(filepath.Join(probeDir, "facts.json"), fj, 0o644); err != nil {
		t.Fatal(err)
	}
	writeTemplate(t, "const_test.go.tmpl", filepath.Join(scratch, "regenconst", "const_test.go"), f)
	writeListOpTemplate(t, filepath.Join(scratch, "regenlistop", "listop_test.go"), f.ListOp)

	probeOut, probeErr := goCmd(ctx, scratch, "test", "-count=1", "-v", "./regenprobe")
	lines, failed := factLines(probeOut)
	if probeErr != nil && (failed == 0 || strings.Contains(probeOut, "panic: ")) {
		t.Fatalf("the probe failed without reporting a fact, or panicked: %v\n%s", probeErr, probeOut)
	}
	constOut, constErr := goCmd(ctx, scratch, "test", "-count=1", "-v", "./regenconst")
	constLines, constFailed := factLines(constOut)
	if constErr != nil && constFailed == 0 {
		// Most likely a build failure: a constant the spec now implies is
		// not there.
		msg := strings.TrimSpace(constOut)
		var keep []string
		for _, l := range strings.Split(msg, "\n") {
			if strings.Contains(l, "undefined") || strings.Contains(l, "const_test.go") {
				keep = append(keep, strings.TrimSpace(l))
			}
		}
		if len(keep) == 0 {
			keep = []string{msg}
		}
		constLines = append(constLines, "FAIL: compile-time constants: "+strings.Join(keep, "; "))
		constFailed++
	}
	lines, failed = append(lines, constLines...), failed+constFailed

	// The second list operation, through the library, the fake, the CLI
	// and contract check.
	listOut, listErr := goCmd(ctx, scratch, "test", "-count=1", "-v", "./regenlistop")
	listLines, listFailed := factLines(listOut)
	if listErr != nil && listFailed == 0 {
		listLines = append(listLines, "FAIL: the second list operation's probe did not run: "+firstLines(listOut, 8))
		listFailed++
	}
	lines, failed = append(lines, listLines...), failed+listFailed

	// The decoder's fuzz target's seeds, on the regenerated types: a page
	// equals its items decoded one by one, and nothing panics.
	fuzzOut, fuzzErr := goCmd(ctx, scratch, "test", "-count=1", "-run", "^FuzzDecodePage$", "./client")
	if fuzzErr != nil {
		lines = append(lines, "FAIL: client's page decoding on the fuzz seeds with the regenerated types: "+firstLines(fuzzOut, 6))
		failed++
	} else {
		lines = append(lines, "PASS: client's page decoding holds on the fuzz seeds with the regenerated types")
	}

	// The packages' own tests, in the regenerated copy: none states the
	// spec's facts by hand, so none fails on the edits (this test aside).
	// The module root's tests that hold openapi.yaml to the vendor's docs
	// page are skipped: the edits leave the page on purpose.
	suiteOut, suiteErr := goCmd(ctx, scratch, "test", "-count=1", "-skip", "^("+strings.Join(append([]string{"TestRegeneration"}, docsPageTests...), "|")+")$", "./...")
	if suiteErr != nil {
		var failing []string
		for _, l := range strings.Split(suiteOut, "\n") {
			if strings.HasPrefix(l, "--- FAIL") || strings.HasPrefix(l, "FAIL\t") || strings.Contains(l, "[build failed]") {
				failing = append(failing, strings.TrimSpace(l))
			}
		}
		if len(failing) == 0 {
			failing = []string{firstLines(suiteOut, 6)}
		}
		lines = append(lines, "FAIL: go test ./... in the regenerated copy: "+strings.Join(failing, "; "))
		failed++
	} else {
		lines = append(lines, "PASS: go test ./... passes in the regenerated copy")
	}

	var report strings.Builder
	fmt.Fprintf(&report, "regeneration: %d facts checked, %d failed\n", len(lines), failed)
	for _, l := range lines {
		report.WriteString("  " + l + "\n")
	}
	t.Log("\n" + report.String())
	if failed > 0 {
		t.Errorf("%d facts of the spec edits did not reach users through go generate (see above)", failed)
	}
	if len(lines) == 0 {
		t.Errorf("the probe reported no facts:\n%s", probeOut)
	}
}

// docsPageTests are the module root's tests (spec_test.go) that compare
// openapi.yaml with the vendor's docs page.
var docsPageTests = []string{"TestParametersCarryEveryConstraint", "TestErrorResponsesListExactlyTheDocumentedTypes", "TestDocsExampleRoundTripsThroughGeneratedTypes"}

// firstLines returns up to n lines of out, joined on one line.
func firstLines(out string, n int) string {
	l := strings.Split(strings.TrimSpace(out), "\n")
	return strings.Join(l[:min(n, len(l))], " | ")
}

func TestCopyEnvDropsTheSharedPostgreSQL(t *testing.T) {
	env := []string{
		"PATH=/usr/bin",
		"POSTPRESS_PG_URL=postgres://127.0.0.1:5432/postgres",
		"POSTPRESS_PG_BIN=/usr/lib/postgresql/15/bin",
		"POSTPRESS_PG_URLX=kept",
		"CI=true",
	}
	got := strings.Join(copyEnv(env), " ")
	want := "PATH=/usr/bin POSTPRESS_PG_BIN=/usr/lib/postgresql/15/bin POSTPRESS_PG_URLX=kept CI=true"
	if got != want {
		t.Fatalf("copyEnv = %q, want %q", got, want)
	}
}
