package postpresstest

import (
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/gen/spec"
)

// embeddedSpec is openapi.yaml as embedded in gen/spec, parsed once on
// first use and only read: the data generator, the limit parameter's
// bounds and the error types' statuses all come from it.
var embeddedSpec = sync.OnceValue(func() *openapi3.T {
	doc, err := spec.GetSpec()
	if err != nil {
		panic("postpresstest: embedded spec: " + err.Error())
	}
	return doc
})
