package client

// Version is the version of this SDK. It is the single source of the version:
// the default User-Agent is "postpress-go/" + Version, and `postpress version`
// prints it. Bump it (and CHANGELOG.md) when tagging a release.
const Version = "0.1.0"
