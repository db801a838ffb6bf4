package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// completionHelp is the usage of `postpress completion`.
const completionHelp = `Usage: postpress completion bash|zsh|fish

Prints a script that completes postpress's commands, flags and --format
values in that shell. Load it for this shell, or install it:

  bash:  source <(postpress completion bash)
         postpress completion bash > ~/.local/share/bash-completion/completions/postpress
  zsh:   source <(postpress completion zsh)        (in ~/.zshrc)
  fish:  postpress completion fish > ~/.config/fish/completions/postpress.fish
`

// completion is `postpress completion bash|zsh|fish`.
func completion(ctx context.Context, env Env, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		_, _ = io.WriteString(env.Stdout, completionHelp)
		return nil
	}
	if len(args) != 1 {
		return usagef("completion takes one shell: bash, zsh or fish")
	}
	cmds := completionCommands(ctx)
	var script string
	switch args[0] {
	case "bash":
		script = bashCompletion(cmds)
	case "zsh":
		script = "#compdef postpress\n# postpress completion for zsh, through bash's (bashcompinit).\nautoload -U +X bashcompinit && bashcompinit\n" + bashCompletion(cmds)
	case "fish":
		script = fishCompletion(cmds)
	default:
		return usagef("completion: unknown shell %q: bash, zsh or fish", printable(args[0]))
	}
	_, err := io.WriteString(env.Stdout, script)
	return err
}

// completedCommand is a command line and its flags, as -h lists them.
type completedCommand struct {
	words []string        // "invitations", "received"
	flags []string        // names without dashes, sorted
	files map[string]bool // flags that take a FILE or DIR
	bools map[string]bool // flags that take no value
}

// helpFlag is a flag line of flag.PrintDefaults: "  -name TYPE".
var helpFlag = regexp.MustCompile(`(?m)^  -([a-z0-9-]+)(?: (\S+))?`)

// completionCommands reads each command's flags from its -h, so that the
// completion knows every flag the commands have, and only those.
func completionCommands(ctx context.Context) []completedCommand {
	var out []completedCommand
	for _, c := range commands {
		words := strings.Fields(c)
		var help bytes.Buffer
		Run(ctx, Env{Args: append(slices.Clone(words), "-h"), Stdout: &help, Stderr: &help})
		cc := completedCommand{words: words, files: map[string]bool{}, bools: map[string]bool{}}
		for _, m := range helpFlag.FindAllStringSubmatch(help.String(), -1) {
			cc.flags = append(cc.flags, m[1])
			switch m[2] {
			case "FILE", "DIR":
				cc.files[m[1]] = true
			case "":
				cc.bools[m[1]] = true
			}
		}
		if c == "completion" {
			cc.flags = nil
		}
		slices.Sort(cc.flags)
		out = append(out, cc)
	}
	return out
}

// formats are the --format values of the listing commands.
func formats() string { return strings.Join(slices.Sorted(maps.Keys(writers)), " ") }

func bashCompletion(cmds []completedCommand) string {
	var b strings.Builder
	b.WriteString(`# postpress completion for bash: source <(postpress completion bash)
_postpress() {
  local cur prev line
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  line=" ${COMP_WORDS[*]:1:COMP_CWORD-1} "
  case "$prev" in
    --format|-format)
      case "$line" in
        *" contract check "*) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "` + formats() + `" -- "$cur")) ;;
      esac
      return ;;
`)
	files := map[string]bool{}
	for _, c := range cmds {
		for f := range c.files {
			files[f] = true
		}
	}
	for _, f := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&b, "    --%s|-%s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f, f)
	}
	b.WriteString("  esac\n  case \"$line\" in\n")
	for _, c := range slices.Backward(cmds) { // two-word commands before their first word
		if len(c.flags) == 0 {
			continue
		}
		fmt.Fprintf(&b, "    *\" %s \"*) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", strings.Join(c.words, " "), dashed(c.flags))
	}
	b.WriteString(`    *" completion "*) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
`)
	firsts, seconds := commandWords(cmds)
	for _, first := range slices.Sorted(maps.Keys(seconds)) {
		fmt.Fprintf(&b, "    \" %s \") COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", first, strings.Join(seconds[first], " "))
	}
	fmt.Fprintf(&b, "    \"  \") COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", strings.Join(firsts, " "))
	b.WriteString("  esac\n}\ncomplete -F _postpress postpress\n")
	return b.String()
}

func fishCompletion(cmds []completedCommand) string {
	var b strings.Builder
	b.WriteString("# postpress completion for fish: postpress completion fish > ~/.config/fish/completions/postpress.fish\ncomplete -c postpress -f\n")
	firsts, seconds := commandWords(cmds)
	fmt.Fprintf(&b, "complete -c postpress -n __fish_use_subcommand -a %q\n", strings.Join(firsts, " "))
	for _, first := range slices.Sorted(maps.Keys(seconds)) {
		fmt.Fprintf(&b, "complete -c postpress -n '__fish_seen_subcommand_from %s; and not __fish_seen_subcommand_from %s' -a %q\n",
			first, strings.Join(seconds[first], " "), strings.Join(seconds[first], " "))
	}
	b.WriteString("complete -c postpress -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	for _, c := range cmds {
		cond := "__fish_seen_subcommand_from " + c.words[len(c.words)-1]
		if len(c.words) > 1 {
			cond = "__fish_seen_subcommand_from " + c.words[0] + "; and " + cond
		}
		for _, f := range c.flags {
			extra := " -r"
			switch {
			case f == "format" && c.words[0] == "contract":
				extra = " -xa 'text json'"
			case f == "format":
				extra = " -xa '" + formats() + "'"
			case c.files[f]:
				extra = " -rF"
			case c.bools[f]:
				extra = ""
			}
			fmt.Fprintf(&b, "complete -c postpress -n '%s' -l %s%s\n", cond, f, extra)
		}
	}
	return b.String()
}

// commandWords returns the first words of the commands, and for each that
// takes a second word, the second words.
func commandWords(cmds []completedCommand) ([]string, map[string][]string) {
	var firsts []string
	seconds := map[string][]string{}
	for _, c := range cmds {
		if !slices.Contains(firsts, c.words[0]) {
			firsts = append(firsts, c.words[0])
		}
		if len(c.words) > 1 {
			seconds[c.words[0]] = append(seconds[c.words[0]], c.words[1])
		}
	}
	return firsts, seconds
}

// dashed returns the flags as --name, space-separated.
func dashed(flags []string) string {
	out := make([]string, len(flags))
	for i, f := range flags {
		out[i] = "--" + f
	}
	return strings.Join(out, " ")
}
