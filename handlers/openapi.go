package handlers

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// openAPIDocument is the OpenAPI 3.1 description of every /api/v1 route;
// openapi_test.go keeps it and the routes in step, both ways.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPIETag names the document's content, so a client revalidates
// cheaply and a new build is never served from a stale cache.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDocument)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

func init() {
	register(func(s *Server) {
		s.public(http.MethodGet, "/api/v1/openapi.json", s.apiOpenAPI)
	})
}

// apiOpenAPI serves the document. It is public and the same for everyone,
// so unlike the rest of the API it may be cached and read by tools on
// other origins (API explorers, code generators).
func (s *Server) apiOpenAPI(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", openAPIETag)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if etagMatches(c.Request().Header.Get("If-None-Match"), openAPIETag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}

// etagMatches reads an If-None-Match list, where weak and strong tags of
// the same bytes match alike.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == etag || t == "*" {
			return true
		}
	}
	return false
}
