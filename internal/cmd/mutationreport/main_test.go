package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportSumsThePackagesAndEndsWithTheEfficacy(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "pkg", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "pkg", "sub", "a.go"), []byte("package sub\n\nif x < y {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := write("one.json", `{"files":[{"file_name":"sub/a.go","mutations":[
		{"type":"CONDITIONALS_BOUNDARY","status":"LIVED","line":3,"column":6},
		{"type":"CONDITIONALS_NEGATION","status":"KILLED","line":3,"column":6},
		{"type":"ARITHMETIC_BASE","status":"NOT COVERED","line":9,"column":1}]}]}`)
	two := write("two.json", `{"files":[{"file_name":"b.go","mutations":[
		{"type":"CONDITIONALS_NEGATION","status":"KILLED","line":1,"column":1},
		{"type":"CONDITIONALS_NEGATION","status":"KILLED","line":2,"column":1},
		{"type":"INCREMENT_DECREMENT","status":"TIMED OUT","line":4,"column":2}]}]}`)
	survivors := filepath.Join(dir, "survivors.txt")
	var out, errOut bytes.Buffer
	err := run([]string{"-src", src, "-survivors", survivors, "-min", "80", "pkg=" + one, "other=" + two}, &out, &errOut)
	if !errors.Is(err, errBelow) {
		t.Fatalf("err = %v, want errBelow (3 of 4 is under 80%%)", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; last != "mutation efficacy: 75.0%" {
		t.Fatalf("last line %q, want the efficacy of 3 killed and 1 lived", last)
	}
	if !strings.Contains(out.String(), "3 killed, 1 lived, 1 timed out, 0 not viable, 1 not covered") {
		t.Errorf("counts missing:\n%s", out.String())
	}
	got, err := os.ReadFile(survivors)
	if err != nil {
		t.Fatal(err)
	}
	want := "other/b.go:4:2: TIMED OUT INCREMENT_DECREMENT: \n" +
		"pkg/sub/a.go:3:6: LIVED CONDITIONALS_BOUNDARY: if x < y {\n"
	if string(got) != want {
		t.Errorf("survivors:\n%s\nwant:\n%s", got, want)
	}
	if err := run([]string{"pkg=" + one, "other=" + two}, &out, &errOut); err != nil {
		t.Errorf("without -min: %v", err)
	}
	if err := run([]string{"pkg=" + write("bad.json", "{")}, &out, &errOut); err == nil {
		t.Error("a report that is not JSON was accepted")
	}
}
