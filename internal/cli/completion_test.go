package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The bash script, loaded in bash, completes commands, each command's own
// flags (and no other's) and --format's values.
func TestBashCompletion(t *testing.T) {
	code, script, errOut := run(t, nil, "completion", "bash")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	path := filepath.Join(t.TempDir(), "postpress.bash")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) []string {
		t.Helper()
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		prog := "source " + path + "; COMP_WORDS=(postpress " + strings.Join(quoted, " ") + "); COMP_CWORD=" +
			string(rune('0'+len(words))) + "; _postpress; printf '%s\\n' \"${COMPREPLY[@]}\""
		out, err := exec.Command("bash", "--norc", "--noprofile", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	// The command words: the listing commands come from the spec.
	words := func(prefix ...string) string {
		var out []string
		for _, c := range commands {
			w := strings.Fields(c)
			if len(w) > len(prefix) && slices.Equal(w[:len(prefix)], prefix) && !slices.Contains(out, w[len(prefix)]) {
				out = append(out, w[len(prefix)])
			}
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	var inv []string
	for _, w := range strings.Fields(words()) {
		if strings.HasPrefix(w, "inv") {
			inv = append(inv, w)
		}
	}
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{""}, words()},
		{[]string{"inv"}, strings.Join(inv, " ")},
		{[]string{"invitations", ""}, words("invitations")},
		{[]string{"invitations", "received", "--pa"}, "--page-size"},
		{[]string{"invitations", "received", "--account-id", "a", "--cu"}, "--cursor"},
		{[]string{"invitations", "sync", "--cu"}, ""}, // sync has no --cursor
		{[]string{"invitations", "sync", "--re"}, "--removed --retries"},
		{[]string{"invitations", "received", "--format", ""}, "csv json ndjson table"},
		{[]string{"contract", "check", "--format", ""}, "json text"},
		{[]string{"sandbox", "--"}, "--addr --items --live-shaped --scenarios --seed"},
		{[]string{"completion", ""}, "bash fish zsh"},
	} {
		got := complete(tc.words...)
		slices.Sort(got)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q: %q, want %q", tc.words, got, tc.want)
		}
	}
}

// zsh's script is bash's behind bashcompinit; fish's names each command's
// flags under that command only.
func TestZshAndFishCompletion(t *testing.T) {
	_, bash, _ := run(t, nil, "completion", "bash")
	_, zsh, _ := run(t, nil, "completion", "zsh")
	if !strings.HasPrefix(zsh, "#compdef postpress\n") || !strings.Contains(zsh, "bashcompinit") || !strings.HasSuffix(zsh, bash) {
		t.Errorf("zsh script:\n%s", zsh)
	}
	_, fish, _ := run(t, nil, "completion", "fish")
	for _, want := range []string{
		"-n '__fish_seen_subcommand_from invitations; and __fish_seen_subcommand_from received' -l cursor -r\n",
		"-n '__fish_seen_subcommand_from invitations; and __fish_seen_subcommand_from sync' -l removed\n",
		"-n '__fish_seen_subcommand_from invitations; and __fish_seen_subcommand_from sync' -l state -rF\n",
		"-l format -xa 'csv json ndjson table'\n",
	} {
		if !strings.Contains(fish, want) {
			t.Errorf("fish script lacks %q", want)
		}
	}
	if strings.Contains(fish, "from sync' -l cursor") {
		t.Error("fish offers --cursor to sync")
	}
	if code, _, errOut := run(t, nil, "completion", "tcsh"); code != ExitUsage || !strings.Contains(errOut, "bash, zsh or fish") {
		t.Errorf("tcsh: exit %d, %s", code, errOut)
	}
}
