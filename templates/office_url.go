package templates

import "context"

type urlOfficeKey struct{}

// WithURLOffice marks that a visitor without an account came to the office
// with this slug (through its start page, /o/{slug}): links keep it, so that
// the help page, live chat and registration are that office's, with its own
// emergency number and opening hours.
func WithURLOffice(ctx context.Context, slug string) context.Context {
	return context.WithValue(ctx, urlOfficeKey{}, slug)
}

// withURLOffice adds the visitor's office to a link, when it travels in the
// URL.
func withURLOffice(ctx context.Context, path string) string {
	if slug, ok := ctx.Value(urlOfficeKey{}).(string); ok && slug != "" {
		return withQuery(path, "office", slug)
	}
	return path
}
