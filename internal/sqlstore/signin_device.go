package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// Device tokens (OWASP's "device cookies"): a successful sign-in gives the
// browser a token that names a random device ID and the username, signed
// under a key derived from the blind-index key. A browser that presents a
// valid one for the username it signs in as is a proven device: it is
// throttled by (username, device) alone, so that strangers who lock the
// account or share the user's address do not lock the user out of it. The
// token proves only where an earlier sign-in happened; it never replaces
// the password or the code, and nothing about it is stored.

const devicePurpose = "device token"

var deviceEnc = base64.RawURLEncoding

// verifyDevice returns the device ID of token if it is a valid, unexpired
// device token for username, and "" otherwise.
func (db *store) verifyDevice(ctx context.Context, username, token string) (string, error) {
	if token == "" || len(token) > 128 {
		return "", nil
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", nil
	}
	id, issued, mac := parts[0], parts[1], parts[2]
	at, err := strconv.ParseInt(issued, 10, 64)
	if err != nil || db.now().Sub(time.Unix(at, 0)) > haven.DeviceTokenLifetime {
		return "", nil
	}
	want, err := db.deviceMAC(ctx, username, id, issued)
	if err != nil {
		return "", err
	}
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return "", nil
	}
	return id, nil
}

// deviceToken returns a fresh device token for username on device, or on
// a new device when device is "".
func (db *store) deviceToken(ctx context.Context, username, device string) (string, error) {
	if device == "" {
		b := make([]byte, 16)
		rand.Read(b)
		device = deviceEnc.EncodeToString(b)
	}
	issued := strconv.FormatInt(db.now().Unix(), 10)
	mac, err := db.deviceMAC(ctx, username, device, issued)
	if err != nil {
		return "", err
	}
	return device + "." + issued + "." + mac, nil
}

func (db *store) deviceMAC(ctx context.Context, username, device, issued string) (string, error) {
	ix, err := db.blindIndexer(ctx, devicePurpose)
	if err != nil {
		return "", err
	}
	return deviceEnc.EncodeToString(ix.Index(strings.ToLower(username), device, issued)), nil
}
