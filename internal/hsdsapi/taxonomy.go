package hsdsapi

// GET /hsds/taxonomies and /hsds/taxonomy_terms, and one of each.

import (
	"context"
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/hsds"
)

func (a *API) taxonomies(w http.ResponseWriter, r *http.Request) error {
	l, err := readListing(r)
	if err != nil {
		return err
	}
	search := r.URL.Query().Get("search")
	return list(w, r, l, func(ctx context.Context, offset, limit int) ([]map[string]any, int, error) {
		t, total, err := a.Directory.DirectoryTaxonomies(ctx, haven.TaxonomyFilter{Search: search, Offset: offset, Limit: limit})
		if err != nil {
			return nil, 0, err
		}
		return hsds.Objects(&haven.Directory{Taxonomies: t}, "taxonomy", hsds.Full), total, nil
	})
}

func (a *API) taxonomy(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	t, _, err := a.Directory.DirectoryTaxonomies(r.Context(), haven.TaxonomyFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	return writeOne(w, hsds.Objects(&haven.Directory{Taxonomies: t}, "taxonomy", hsds.Full), "Taxonomy not found.")
}

func (a *API) taxonomyTerms(w http.ResponseWriter, r *http.Request) error {
	l, err := readListing(r, termListParams...)
	if err != nil {
		return err
	}
	topOnly, err := boolParam(r, "top_only")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := haven.TaxonomyFilter{Search: q.Get("search"), TaxonomyID: q.Get("taxonomy_id"), ParentID: q.Get("parent_id"), TopOnly: topOnly}
	return list(w, r, l, func(ctx context.Context, offset, limit int) ([]map[string]any, int, error) {
		f.Offset, f.Limit = offset, limit
		d, total, err := a.Directory.DirectoryTaxonomyTerms(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		return hsds.Objects(d, "taxonomy_term", hsds.Full), total, nil
	})
}

func (a *API) taxonomyTerm(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r); err != nil {
		return err
	}
	d, _, err := a.Directory.DirectoryTaxonomyTerms(r.Context(), haven.TaxonomyFilter{ID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	return writeOne(w, hsds.Objects(d, "taxonomy_term", hsds.Full), "Taxonomy term not found.")
}
