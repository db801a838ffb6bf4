package client

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		name  string
		p     ListParams
		param string
	}{
		{"no account", ListParams{}, "account_id"},
		{"account with newline", ListParams{AccountID: "acc_1\n"}, "account_id"},
		{"account with space", ListParams{AccountID: " acc_1"}, "account_id"},
		{"limit negative", ListParams{AccountID: "a", Limit: -1}, "limit"},
		{"limit over max", ListParams{AccountID: "a", Limit: 101}, "limit"},
		{"cursor with space", ListParams{AccountID: "a", Cursor: "eyJ vIjoxMH0"}, "cursor"},
		{"cursor with control", ListParams{AccountID: "a", Cursor: "eyJvIjoxMH0\x00"}, "cursor"},
		{"cursor invalid utf8", ListParams{AccountID: "a", Cursor: "\xff"}, "cursor"},
		{"max items negative", ListParams{AccountID: "a", MaxItems: -5}, "max_items"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Validate() = %v, want *ParamError", err)
			}
			if pe.Param != tc.param || !strings.Contains(err.Error(), tc.param) || !strings.Contains(err.Error(), "no request was sent") {
				t.Errorf("error %q should name %s", err, tc.param)
			}
		})
	}
	for _, ok := range []ListParams{
		{AccountID: "acc_1"},
		{AccountID: "acc_1", Limit: 1},
		{AccountID: "acc_1", Limit: 100, Cursor: "eyJvIjoxMH0", MaxItems: 7},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", ok, err)
		}
	}
}
