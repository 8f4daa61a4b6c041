package sqlstore_test

import (
	"context"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/vault"
)

// TestKeyPool: data keys are committed to the key store ahead of the
// records they will protect, in growing batches; every record created from
// the pool reads back; Close deletes the keys no record used, and a new
// keyring never receives a key wrapped under the old one.
func TestKeyPool(t *testing.T) {
	for _, engine := range sqlstoretest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqlstoretest.DSN(t, engine)
			keysDSN := sqlstoretest.KeysDSN(t, engine, dsn)
			raw, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db := sqlstoretest.NewStore(raw)
			master := vault.NewDataKey()
			ring, _ := vault.NewKeyring(master)
			db.DB.Keys, db.DB.Secrets = ring, ring
			if err := db.OpenKeyStore(ctx, keysDSN); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			u := mustUser(t, db, "advocate", haven.RoleAdvocate)
			actx := actorCtx(u)
			var ids []string
			for range 30 { // batches of 8 and 16, and 6 of the next 32
				s, _, err := db.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic Pool"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, s.ID)
			}
			if n := countKeys(t, db); n != 8+16+32 {
				t.Errorf("%d keys in the key store after 30 records, want 56 (batches of 8, 16 and 32)", n)
			}
			for _, id := range ids {
				if s, err := db.Survivor(actx, id); err != nil || s.Name != "Synthetic Pool" {
					t.Fatalf("record %s: %v", id, err)
				}
			}
			// Another keyring (as when the master key is rotated while the
			// store is open): the 26 unused keys wrapped under the old one
			// are deleted, and the next batch is wrapped under the new one.
			ring2, _ := vault.NewKeyring(vault.NewDataKey(), master)
			db.DB.Keys, db.DB.Secrets = ring2, ring2
			s, _, err := db.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic Pool"})
			if err != nil {
				t.Fatal(err)
			}
			var keyID string
			db.KeyStoreSQL().QueryRow(`SELECT key_id FROM survivor_keys WHERE survivor_id = $1`, s.ID).Scan(&keyID)
			if keyID != ring2.ActiveKeyID() {
				t.Errorf("new record's key wrapped by %q, want the new keyring's %q", keyID, ring2.ActiveKeyID())
			}
			if n := countKeys(t, db); n != 30+64 {
				t.Errorf("%d keys after the keyring changed, want 94 (30 used, then a batch of 64)", n)
			}
			db.Close()

			rawAgain, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			again := sqlstoretest.NewStore(rawAgain)
			defer again.Close()
			again.DB.Keys, again.DB.Secrets = ring2, ring2
			if err := again.OpenKeyStore(ctx, keysDSN); err != nil {
				t.Fatal(err)
			}
			if n := countKeys(t, again); n != 31 {
				t.Errorf("%d keys in the key store after Close, want 31 (one per record)", n)
			}
		})
	}
}

func countKeys(t *testing.T, db *sqlstoretest.Store) int {
	t.Helper()
	var n int
	if err := db.KeyStoreSQL().QueryRow(`SELECT COUNT(*) FROM survivor_keys`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRotationReachesRunningInstances: two instances share one database
// and key store; one rotates the master key. The other, still holding the
// old key, never wraps under it again: its next batch of data keys makes
// it load the configured (rotated) key and wrap under that, and it reads
// what the rotation re-wrapped. An instance whose configured key is still
// the retired one refuses to wrap at all.
func TestRotationReachesRunningInstances(t *testing.T) {
	for _, engine := range sqlstoretest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqlstoretest.DSN(t, engine)
			keysDSN := sqlstoretest.KeysDSN(t, engine, dsn)
			oldKey, newKey := vault.NewDataKey(), vault.NewDataKey()
			oldRing, _ := vault.NewKeyring(oldKey)
			newRing, _ := vault.NewKeyring(newKey)
			open := func(configured *[]byte) *sqlstoretest.Store {
				raw, err := sqlstore.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				db := sqlstoretest.NewStore(raw)
				t.Cleanup(func() { db.Close() })
				db.DB.Keys, db.DB.Secrets = oldRing, oldRing
				db.DB.KeyLoader = func() (*vault.Keyring, error) { return vault.NewKeyring(*configured) }
				if err := db.OpenKeyStore(ctx, keysDSN); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return db
			}
			configuredA, configuredB, configuredC := oldKey, oldKey, oldKey
			a, b, c := open(&configuredA), open(&configuredB), open(&configuredC)
			actx := actorCtx(mustUser(t, a, "advocate", haven.RoleAdvocate))
			before, _, err := b.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic Before"})
			if err != nil {
				t.Fatal(err)
			}
			// A rotates, as haven keys rotate does; B's and C's key files are
			// then the new key and the old one.
			rotating, _ := vault.NewKeyring(newKey, oldKey)
			a.DB.Keys, a.DB.Secrets = rotating, rotating
			if _, err := a.RotateKeys(ctx); err != nil {
				t.Fatal(err)
			}
			a.DB.Keys, a.DB.Secrets = newRing, newRing
			configuredA, configuredB = newKey, newKey
			byA, _, err := a.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic After A"})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20 { // past B's pooled keys, into new batches
				if _, _, err := b.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic After B"}); err != nil {
					t.Fatalf("B's survivor %d after the rotation: %v", i, err)
				}
				if n := keysWrappedBy(t, b, oldRing.ActiveKeyID()); n != 0 {
					t.Fatalf("after B's survivor %d, %d keys are wrapped under the retired key", i, n)
				}
			}
			if got := b.DB.Keys.ActiveKeyID(); got != newRing.ActiveKeyID() {
				t.Errorf("B wraps under %s, want the rotated key %s", got, newRing.ActiveKeyID())
			}
			for _, id := range []string{before.ID, byA.ID} {
				if _, err := b.Survivor(actx, id); err != nil {
					t.Errorf("B reads %s after the rotation: %v", id, err)
				}
			}
			// C could not load the rotated key: it refuses to wrap.
			for range 20 {
				if _, _, err = c.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic After C"}); err != nil {
					break
				}
			}
			if haven.ErrorKind(err) != haven.Unavailable {
				t.Errorf("C with only the retired key: %v, want Unavailable", err)
			}
			if n := keysWrappedBy(t, c, oldRing.ActiveKeyID()); n != 0 {
				t.Errorf("%d keys wrapped under the retired key after C's attempts", n)
			}
		})
	}
}

func keysWrappedBy(t *testing.T, db *sqlstoretest.Store, keyID string) int {
	t.Helper()
	var n int
	if err := db.KeyStoreSQL().QueryRow(`SELECT COUNT(*) FROM survivor_keys WHERE key_id = $1`, keyID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
