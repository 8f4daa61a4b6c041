package sqlstore

import (
	"context"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// sheltersAAD binds a sealed snapshot section to its use, so that no
// other sealed secret opens as one.
var sheltersAAD = vault.AAD("directory_snapshot", "shelters", "")

// SealShelters seals the shelters' sites of the matching index's snapshot
// with the vault's server-secret key (derived from the master key, as TOTP
// seeds are): the snapshot file holds no shelter in the clear, and a copy
// of it without the master key reveals none. Only an actor or job that may
// read confidential locations may ask (access.JobDirectoryIndex).
func (db *DirectoryService) SealShelters(ctx context.Context, plaintext []byte) ([]byte, error) {
	if err := db.authorizeDirectory(ctx, access.Read, true); err != nil {
		return nil, err
	}
	return db.Secrets.SealSecret(plaintext, sheltersAAD)
}

// OpenShelters opens what SealShelters sealed. Errors: Forbidden as for
// SealShelters; Invalid when sealed is altered, not a sealed section, or
// sealed under a master key the vault no longer holds (the caller then
// reads the shelters from the store).
func (db *DirectoryService) OpenShelters(ctx context.Context, sealed []byte) ([]byte, error) {
	if err := db.authorizeDirectory(ctx, access.Read, true); err != nil {
		return nil, err
	}
	p, err := db.Secrets.OpenSecret(sealed, sheltersAAD)
	if err != nil {
		return nil, &haven.Error{Kind: haven.Invalid, Message: "The sealed shelters of the directory snapshot do not open.", Err: err}
	}
	return p, nil
}
