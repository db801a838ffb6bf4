package postpresstest

import (
	"math/rand/v2"
	"strings"
)

// The names generated e-mail addresses are made of.
var (
	firstNames = []string{"Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Ken", "Radia", "Dennis", "Katherine", "Linus", "Hedy", "John", "Anita"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Thompson", "Perlman", "Ritchie", "Johnson", "Torvalds", "Lamarr", "Backus", "Borg"}
)

// crockford is the alphabet of ULIDs, which the API's ids are written in;
// generated tokens and serial numbers use it.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// serial writes i (an item's index, 0 or more) in crockford's alphabet,
// in 4 digits or more: distinct items get distinct serial numbers.
func serial(i int) string {
	var b [13]byte // every int64 fits in 13 digits of base 32
	for j := len(b) - 1; j >= 0; j-- {
		b[j] = crockford[i%32]
		i /= 32
	}
	return strings.TrimLeft(string(b[:len(b)-4]), "0") + string(b[len(b)-4:])
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
