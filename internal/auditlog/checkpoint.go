package auditlog

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint commits to the first Size entries of a log: the root of their
// Merkle tree. Origin names the log ("haven.audit/<instance id>"), which is
// also the name of the key that signs it.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Body returns the checkpoint text that is signed:
// "origin\nsize\nbase64(root)\n".
func (c Checkpoint) Body() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint parses a checkpoint body, or a signed note whose text is
// one, without checking any signature.
func ParseCheckpoint(msg []byte) (Checkpoint, error) {
	text, _, _ := strings.Cut(string(msg), "\n\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], originPrefix) {
		return Checkpoint{}, fmt.Errorf("malformed audit checkpoint: want origin, size and root lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("malformed audit checkpoint size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("malformed audit checkpoint root %q", lines[2])
	}
	c := Checkpoint{Origin: lines[0], Size: size}
	copy(c.Root[:], root)
	return c, nil
}

// Sign returns c as a note signed by s. The origin must be the signer's
// name.
func Sign(c Checkpoint, s note.Signer) ([]byte, error) {
	if c.Origin != s.Name() {
		return nil, fmt.Errorf("checkpoint origin %q is not the signer's name %q", c.Origin, s.Name())
	}
	return note.Sign(&note.Note{Text: c.Body()}, s)
}

// Open checks the signature of a signed checkpoint with v and returns it.
// It fails if v did not sign it or if its origin is not v's name.
func Open(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("audit checkpoint origin %q is not the key's name %q", c.Origin, v.Name())
	}
	return c, nil
}
