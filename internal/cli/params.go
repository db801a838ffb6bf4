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

// registerParams defines a flag for each query parameter of op that sets
// its field of p (a pointer to op's parameters), but those skip says the
// command has not. A flag the command already defines (--account-id, which
// repeats and has a file form) is left to it. The flags of the cursor and
// the page size say what they do in a listing (pagingUsage); the others
// carry the spec's description.
func registerParams(fs *flag.FlagSet, op *listOp, p any, skip func(flag string) bool) paramFlagSet {
	var vals paramFlagSet
	for _, pf := range paramFlags {
		field, ok := paramField(p, pf.param)
		if !ok || fs.Lookup(pf.flag) != nil || skip(pf.flag) {
			continue
		}
		usage := pf.usage
		switch pf.param {
		case op.cursorParam:
			usage = cursorUsage
		case op.limitParam:
			usage = pageSizeUsage(op, skip("max-items"))
		}
		if pf.flag != pf.param {
			usage += " Sent as " + pf.param + "."
		}
		v := &paramValue{param: pf.param, flag: pf.flag, field: field}
		fs.Var(v, pf.flag, usage)
		vals = append(vals, v)
	}
	return vals
}

// cursorUsage is the help of a listing's cursor flag.
const cursorUsage = "start the listing at `CURSOR` instead of the first page: the cursor a run that stopped early printed (--max-items, a failure), to go on where it stopped."

// pageSizeUsage is the help of op's page-size flag; noMaxItems says the
// command has no --max-items.
func pageSizeUsage(op *listOp, noMaxItems bool) string {
	r := op.rules[op.limitParam]
	s := "ask for `N` items in each request"
	if r.Min != nil && r.Max != nil {
		s += fmt.Sprintf(", %v to %v", *r.Min, *r.Max)
	}
	if op.apiLimit > 0 {
		s += fmt.Sprintf(" (the API's own default is %d)", op.apiLimit)
	}
	s += ". Every page is listed whatever the size"
	if !noMaxItems {
		s += "; --max-items caps the total"
	}
	return s + "."
}

// paramField returns the field of p (a pointer to a parameter struct) that
// the query parameter param is sent from (the generated type's form tag
// names it).
func paramField(p any, param string) (reflect.Value, bool) {
	v := reflect.ValueOf(p).Elem()
	for _, f := range reflect.VisibleFields(v.Type()) {
		if name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name == param {
			return v.FieldByIndex(f.Index), true
		}
	}
	return reflect.Value{}, false
}

// setParam sets the query parameter param of p (a pointer to a parameter
// struct) from its text, s.
func setParam(p any, param, s string) error {
	field, ok := paramField(p, param)
	if !ok {
		return fmt.Errorf("no query parameter %s", param)
	}
	return (&paramValue{param: param, field: field}).Set(s)
}

// cloneParams returns a pointer to a copy of *p.
func cloneParams(p any) any {
	v := reflect.ValueOf(p).Elem()
	c := reflect.New(v.Type())
	c.Elem().Set(v)
	return c.Interface()
}

// check checks each flag given by the client's rules, as the value will be
// sent: --page-size 0 is refused, not taken as "not sent".
func (vals paramFlagSet) check(op *listOp) error {
	for _, v := range vals {
		if !v.set {
			continue
		}
		if err := checkParamValue(op, v.param, v.Get()); err != nil {
			if pe := (*client.ParamError)(nil); errors.As(err, &pe) {
				return &usageError{paramMessage(pe, "")}
			}
			return usagef("--%s: %v", v.flag, err)
		}
	}
	return nil
}

// paramValue is the flag.Value of a field of an operation's parameters.
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
		if err := checkOption(fo.opt); err != nil {
			return usagef("--%s: %v", fo.flag, err)
		}
	}
	return nil
}
