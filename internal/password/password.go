// Package password hashes and checks staff passwords with argon2id
// (golang.org/x/crypto/argon2), in the PHC string format so that the
// parameters travel with each hash and can be raised later.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/haven-care/haven"
)

// Params are argon2id cost parameters.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// Default meets OWASP's argon2id floor (m=19 MiB, t=2, p=1).
var Default = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Length limits: at least 8 characters, no composition rules, and up to 128
// so that pass phrases fit; the upper bound keeps hashing cost predictable.
const (
	MinLength = 8
	MaxLength = 128
)

// slots bounds how many hashes run at once to the number of cores: each
// holds MemoryKiB of memory and a core, so a burst of sign-ins can neither
// exhaust memory nor crowd out the rest of the server.
var slots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

// maxWaiting bounds how many password checks wait for a slot. A check
// beyond it is refused at once (Unavailable) rather than queued: a flood
// of sign-ins from many sources would otherwise build a queue that every
// legitimate sign-in waits behind for seconds. At most it waits for
// maxWaiting/cap(slots) hashes, a fraction of a second.
var maxWaiting = int64(4 * cap(slots))

// waiting counts the password checks waiting for a slot.
var waiting atomic.Int64

var errBusy = haven.Errorf(haven.Unavailable, "Too busy; try again.")

// Check enforces the password policy: length in runes and not a common
// password.
func Check(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return haven.FieldError("password", fmt.Sprintf("Use at least %d characters.", MinLength))
	case n > MaxLength:
		return haven.FieldError("password", fmt.Sprintf("Use at most %d characters.", MaxLength))
	case isCommon(pw):
		return haven.FieldError("password", "This password is too common; choose another.")
	}
	return nil
}

// Hash returns the PHC-format argon2id hash of pw under p with a fresh salt.
func Hash(ctx context.Context, pw string, p Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := derive(ctx, pw, salt, p, 32, false)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether pw matches hash, and whether hash should be
// recomputed because its parameters are below p. When maxWaiting checks
// already wait for a hashing slot it returns Unavailable at once.
func Verify(ctx context.Context, pw, hash string, p Params) (ok, rehash bool, err error) {
	hp, salt, want, err := parse(hash)
	if err != nil {
		return false, false, err
	}
	got, err := derive(ctx, pw, salt, hp, uint32(len(want)), true)
	if err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(got, want) == 1
	rehash = hp.MemoryKiB < p.MemoryKiB || hp.Time < p.Time
	return ok, ok && rehash, nil
}

// derive runs argon2id in a slot. With bounded, it refuses to wait when
// maxWaiting others already do (Hash, which only administrators and
// sign-up reach, always waits).
func derive(ctx context.Context, pw string, salt []byte, p Params, n uint32, bounded bool) ([]byte, error) {
	select {
	case slots <- struct{}{}:
	default:
		if err := wait(ctx, bounded); err != nil {
			return nil, err
		}
	}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, n), nil
}

// wait waits for a slot, counted among the waiting when bounded.
func wait(ctx context.Context, bounded bool) error {
	if bounded {
		if waiting.Add(1) > maxWaiting {
			waiting.Add(-1)
			return errBusy
		}
		defer waiting.Add(-1)
	}
	select {
	case slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &haven.Error{Kind: haven.Unavailable, Message: "Too busy; try again.", Err: ctx.Err()}
	}
}

func parse(hash string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash: not argon2id PHC format")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash: unsupported version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: bad parameters")
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: bad salt")
	}
	if key, err = enc.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("password hash: bad key")
	}
	return p, salt, key, nil
}

//go:embed common.txt
var commonList string

var common = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonList, "\n") {
		if w := strings.TrimSpace(line); w != "" && !strings.HasPrefix(w, "#") {
			m[w] = true
		}
	}
	return m
}()

func isCommon(pw string) bool { return common[strings.ToLower(pw)] }
