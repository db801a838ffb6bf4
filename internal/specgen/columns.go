package main

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// propertyOrder returns every property path of the named schema
// (`inviter.inviter_name` for a property of a nested object) in the order
// the spec declares them, a nested object's properties right after the
// object; $ref and allOf are followed. The order is read from the YAML
// itself (root, the document node), as kin-openapi keeps properties in a
// map. A construct it cannot follow (a $ref outside the file, a schema
// that is not a mapping) fails with its path in the spec.
func propertyOrder(root *yaml.Node, schema string) ([]string, error) {
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	w := walker{root: root.Content[0], onStack: map[string]bool{}}
	ptr := "#/components/schemas/" + schema
	node, err := w.resolve(ptr)
	if err != nil {
		return nil, err
	}
	if err := w.walk(node, ptr, ""); err != nil {
		return nil, err
	}
	return w.paths, nil
}

type walker struct {
	root    *yaml.Node
	paths   []string
	onStack map[string]bool
}

// value returns the value of key in mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// resolve returns the node a local JSON pointer (#/a/b) names.
func (w *walker) resolve(ref string) (*yaml.Node, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("%s: only local references (#/...) are supported", ref)
	}
	n := w.root
	for _, part := range strings.Split(rest, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if n = value(n, part); n == nil {
			return nil, fmt.Errorf("%s: not found", ref)
		}
	}
	return n, nil
}

// walk appends the property paths of schema s (at spec location at) under
// prefix.
func (w *walker) walk(s *yaml.Node, at, prefix string) error {
	if s.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: a schema must be a mapping", at)
	}
	if ref := value(s, "$ref"); ref != nil {
		if w.onStack[ref.Value] {
			return nil // a recursive schema: its properties are listed once
		}
		t, err := w.resolve(ref.Value)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		w.onStack[ref.Value] = true
		defer delete(w.onStack, ref.Value)
		return w.walk(t, ref.Value, prefix)
	}
	if all := value(s, "allOf"); all != nil {
		for i, sub := range all.Content {
			if err := w.walk(sub, fmt.Sprintf("%s/allOf/%d", at, i), prefix); err != nil {
				return err
			}
		}
	}
	props := value(s, "properties")
	if props == nil {
		return nil
	}
	if props.Kind != yaml.MappingNode {
		return fmt.Errorf("%s/properties: must be a mapping", at)
	}
	for i := 0; i+1 < len(props.Content); i += 2 {
		key, sub := props.Content[i].Value, props.Content[i+1]
		path := prefix + key
		seen := false
		for _, p := range w.paths {
			seen = seen || p == path
		}
		if !seen {
			w.paths = append(w.paths, path)
		}
		if err := w.walk(sub, at+"/properties/"+key, path+"."); err != nil {
			return err
		}
	}
	return nil
}
