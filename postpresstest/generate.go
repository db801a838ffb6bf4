package postpresstest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"reflect"
	"strings"
	"time"

	"github.com/postpress/postpress-go/gen"
)

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Ken", "Radia", "Dennis", "Katherine", "Linus", "Hedy", "John", "Anita"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Thompson", "Perlman", "Ritchie", "Johnson", "Torvalds", "Lamarr", "Backus", "Borg"}
	roles      = []string{"Founder", "Engineer", "Product Manager", "Designer", "CTO", "Recruiter", "Data Scientist", "Head of Sales"}
	companies  = []string{"postpress", "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises"}
	notes      = []string{
		"Hi, would love to connect.",
		"Great talk yesterday, let's stay in touch.",
		"We met at the meetup last week.",
		"I'd like to add you to my professional network.",
		"Loved your post on API design!",
		"Fellow alumni, happy to connect.",
	}
)

// crockford is the alphabet of ULIDs, which the docs' ids (inv_01HXYZ...)
// are written in.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// GenerateInvitations returns n invitations shaped like the docs page's
// example: every documented field present and a non-empty string, inviter
// and specifics (provider LINKEDIN) included, newest first, one a day back
// from 12 May 2026; every other property of the generated types (one added
// to openapi.yaml, say) gets a value within the spec's constraints (see
// fill.go). The same seed gives the same invitations; ids are unique within
// one call.
func GenerateInvitations(seed int64, n int) []gen.InvitationReceived {
	return generate(seed, "", n)
}

// generate is GenerateInvitations for one account: the account id is mixed
// into the seed, so accounts get different invitations.
func generate(seed int64, account string, n int) []gen.InvitationReceived {
	h := fnv.New64a()
	_, _ = h.Write([]byte(account))
	accountHash := h.Sum64()
	//nolint:gosec // test data needs reproducibility, not secrecy
	rng := rand.New(rand.NewPCG(uint64(seed), accountHash))
	plan, fill := invitationPlan(), newFiller(seed, time.Date(2026, 5, 12, 8, 14, 0, 0, time.UTC))
	base := time.Date(2026, 5, 12, 8, 14, 0, 0, time.UTC)
	invitedFirst, invitedLast := pick(rng, firstNames), pick(rng, lastNames)
	invitedID := "ACoAA" + randString(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 34)
	out := make([]gen.InvitationReceived, n)
	for i := range out {
		at := base.Add(-time.Duration(i)*24*time.Hour - time.Duration(rng.IntN(600))*time.Minute)
		first, last := pick(rng, firstNames), pick(rng, lastNames)
		out[i] = gen.InvitationReceived{
			Object:                 gen.InvitationReceivedObjectInvitationReceived,
			ID:                     fmt.Sprintf("inv_01HX%s%04X", randString(rng, crockford, 18), i&0xFFFF),
			InvitedUser:            invitedFirst + " " + invitedLast,
			InvitedUserID:          invitedID,
			InvitedUserPublicID:    slug(invitedFirst, invitedLast),
			InvitedUserDescription: pick(rng, roles) + " at " + pick(rng, companies),
			Date:                   at.Format("January 2, 2006"),
			ParsedDatetime:         at.Format("2006-01-02T15:04:05.000Z"),
			InvitationText:         pick(rng, notes),
			Inviter: &gen.Inviter{
				InviterName:             first + " " + last,
				InviterID:               "ACoAA" + randString(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 34),
				InviterPublicIdentifier: slug(first, last) + "-" + strings.ToLower(randString(rng, crockford, 4)),
				InviterDescription:      pick(rng, roles) + " at " + pick(rng, companies),
			},
			Specifics: &gen.Specifics{
				Provider:     gen.ProviderLinkedIn,
				SharedSecret: "AQH" + randString(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 29),
			},
		}
		fill.fill(reflect.ValueOf(&out[i]).Elem(), plan, mix(accountHash, uint64(i)))
	}
	return out
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

func randString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

func slug(first, last string) string { return strings.ToLower(first + "-" + last) }
