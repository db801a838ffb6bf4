package cli

import (
	"errors"
	"flag"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/postpress/postpress-go/client"
)

// paramFlag is the flag of one query parameter of the spec (the list is
// params_gen.go, generated from openapi.yaml).
type paramFlag struct{ param, flag, usage string }

// paramFlagSet is the flags of the query parameters of a command.
type paramFlagSet []*paramValue

// registerParams defines a flag for each query parameter that sets its
// field of p, but those skip says the command has not. A flag the command
// already defines (--account-id, which repeats and has a file form) is left
// to it.
func registerParams(fs *flag.FlagSet, p *client.ListParams, skip func(flag string) bool) paramFlagSet {
	var vals paramFlagSet
	for _, pf := range paramFlags {
		field, ok := paramField(p, pf.param)
		if !ok || fs.Lookup(pf.flag) != nil || skip(pf.flag) {
			continue
		}
		usage := pf.usage
		if pf.flag != pf.param {
			usage += " Sent as " + pf.param + "."
		}
		if !field.IsZero() {
			usage += " This command's default overrides the API's:"
		}
		v := &paramValue{param: pf.param, flag: pf.flag, field: field}
		fs.Var(v, pf.flag, usage)
		vals = append(vals, v)
	}
	return vals
}

// paramField returns the field of p that the query parameter param is sent
// from (the generated type's form tag names it).
func paramField(p *client.ListParams, param string) (reflect.Value, bool) {
	v := reflect.ValueOf(p).Elem()
	for _, f := range reflect.VisibleFields(v.Type()) {
		if name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name == param {
			return v.FieldByIndex(f.Index), true
		}
	}
	return reflect.Value{}, false
}

// check checks each flag given by the client's rules (client.CheckParam),
// as the value will be sent: --page-size 0 is refused, not taken as "not
// sent".
func (vals paramFlagSet) check() error {
	for _, v := range vals {
		if !v.set {
			continue
		}
		if err := client.CheckParam(v.param, v.Get()); err != nil {
			if pe := (*client.ParamError)(nil); errors.As(err, &pe) {
				return &usageError{paramMessage(pe, "")}
			}
			return usagef("--%s: %v", v.flag, err)
		}
	}
	return nil
}

// paramValue is the flag.Value of a ListParams field.
type paramValue struct {
	param, flag string
	field       reflect.Value // addressable
	set         bool
}

// String returns the field's value ("" for a nil pointer).
func (v *paramValue) String() string {
	if !v.field.IsValid() || (v.field.Kind() == reflect.Pointer && v.field.IsNil()) {
		return ""
	}
	if z := reflect.Indirect(v.field); !z.IsZero() {
		return fmt.Sprint(z.Interface())
	}
	return ""
}

// Get returns the field's value (the pointed-to value, or nil for a nil
// pointer), so that flag's messages know the flag's kind.
func (v *paramValue) Get() any {
	if v.field.Kind() == reflect.Pointer && v.field.IsNil() {
		return reflect.Zero(v.field.Type().Elem()).Interface()
	}
	return reflect.Indirect(v.field).Interface()
}

// Set parses s as the field's type and sets the field.
func (v *paramValue) Set(s string) error {
	t := v.field.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	x := reflect.New(t).Elem()
	var err error
	switch t.Kind() {
	case reflect.String:
		x.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		if n, err = strconv.ParseInt(s, 10, t.Bits()); err == nil {
			x.SetInt(n)
		}
	case reflect.Float32, reflect.Float64:
		var f float64
		if f, err = strconv.ParseFloat(s, t.Bits()); err == nil {
			x.SetFloat(f)
		}
	case reflect.Bool:
		var b bool
		if b, err = strconv.ParseBool(s); err == nil {
			x.SetBool(b)
		}
	default:
		return fmt.Errorf("a %s parameter cannot be given as a flag", t)
	}
	if err != nil {
		return fmt.Errorf("not a valid %s", t.Kind())
	}
	v.set = true
	if v.field.Kind() == reflect.Pointer {
		v.field.Set(reflect.New(t))
		v.field.Elem().Set(x)
	} else {
		v.field.Set(x)
	}
	return nil
}

// flagOption is a flag with the client option it sets.
type flagOption struct {
	flag string
	opt  client.Option
}

// checkOptions refuses the first flag whose option the client refuses,
// with the client's reason.
func checkOptions(fos ...flagOption) error {
	for _, fo := range fos {
		if err := client.CheckOptions(fo.opt); err != nil {
			return usagef("--%s: %v", fo.flag, err)
		}
	}
	return nil
}
