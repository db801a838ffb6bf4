// Package benchdata is the invitation data the benchmarks decode: the
// client package's decode benchmark and the bench module (which may import
// it: internal packages are importable below the module's path) measure
// the same page.
package benchdata

import (
	"fmt"
	"strconv"

	"github.com/postpress/postpress-go/gen"
)

// Item returns invitation i shaped like the docs page's example, with
// strings of realistic length that differ from one invitation to the next
// (about 590 bytes of JSON each, so a page of 100 is about 59 KB).
func Item(i int) gen.InvitationReceived {
	n := strconv.Itoa(i)
	return gen.InvitationReceived{
		Object:                 "InvitationReceived",
		ID:                     "inv_01HXYZ4QK3WJ8FN3M6QH" + fmt.Sprintf("%06d", i),
		InvitedUser:            "Ada Lovelace " + n,
		InvitedUserID:          "ACoAACr-1eYBl" + n,
		InvitedUserPublicID:    "ada-lovelace-" + n,
		InvitedUserDescription: "Founder at postpress " + n,
		Date:                   "May 12, 2026",
		ParsedDatetime:         "2026-05-12T08:14:00.000Z",
		InvitationText:         "Hi Ada, would love to connect (" + n + ").",
		Inviter: &gen.Inviter{
			InviterName:             "Jordan Walke " + n,
			InviterID:               "ACoAABxyz" + n,
			InviterPublicIdentifier: "jordan-walke-" + n,
			InviterDescription:      "Engineer at Acme " + n,
		},
		Specifics: &gen.Specifics{
			Provider:     "LINKEDIN",
			SharedSecret: "AQHkT3ZpbmdTZWNyZX" + n,
		},
	}
}
