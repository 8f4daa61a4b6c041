package web

import (
	"io/fs"
	"net/http"
)

// initStatic serves the embedded styles and scripts. They change only with
// the binary, so browsers may keep them for a day.
func (h *Handler) initStatic() error {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		return err
	}
	fileServer := http.StripPrefix("/static/", http.FileServerFS(sub))
	h.static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/static/" || r.URL.Path[len(r.URL.Path)-1] == '/' {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
	})
	return nil
}
