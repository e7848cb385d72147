// Package static holds the CSS and JavaScript the pages use, embedded in the
// binary and served under content-hashed names, so browsers may cache them for a
// year and still never run a stale copy. Nothing is loaded from any other host.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.css *.js
var files embed.FS

// Prefix is where assets are served.
const Prefix = "/static/"

// Asset is one embedded file.
type Asset struct {
	Name        string // as in the source tree, e.g. "app.css"
	URL         string // e.g. "/static/app.1a2b3c4d5e.css"
	ContentType string
	Body        []byte
}

// Assets is every embedded file, by URL and by name.
type Assets struct {
	byURL  map[string]*Asset
	byName map[string]*Asset
}

// Load reads the embedded files and computes their hashed URLs.
func Load() *Assets {
	a := &Assets{byURL: map[string]*Asset{}, byName: map[string]*Asset{}}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic("static: " + err.Error())
	}
	for _, e := range entries {
		body, err := files.ReadFile(e.Name())
		if err != nil {
			panic("static: " + err.Error())
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(e.Name())
		asset := &Asset{
			Name:        e.Name(),
			URL:         Prefix + strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:5]) + ext,
			ContentType: contentType(ext),
			Body:        body,
		}
		a.byURL[asset.URL] = asset
		a.byName[asset.Name] = asset
	}
	return a
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	}
	return "application/octet-stream"
}

// URL returns the hashed URL of the named file.
func (a *Assets) URL(name string) string {
	if asset, ok := a.byName[name]; ok {
		return asset.URL
	}
	panic("static: no asset " + name)
}

// Body returns the contents of the named file, for the few files served
// under a fixed path of their own rather than a hashed URL.
func (a *Assets) Body(name string) []byte {
	if asset, ok := a.byName[name]; ok {
		return asset.Body
	}
	panic("static: no asset " + name)
}

// ByURL returns the asset served at url.
func (a *Assets) ByURL(url string) (*Asset, bool) {
	asset, ok := a.byURL[url]
	return asset, ok
}
