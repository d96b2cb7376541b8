// Package secret seals the few secrets MESH keeps in its database (the DHIS2 token)
// with AES-256-GCM under a key the deployment supplies: MESH_SECRET_KEY, or a key file
// beside a SQLite database created on first use. A database copied without its key
// (a backup, a stolen disk) does not give the secret away.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// EnvVar names the environment variable holding the key: 32 bytes in base64 or hex.
const EnvVar = "MESH_SECRET_KEY"

// prefix marks a sealed value and its format version: "v1:" + base64(nonce | ciphertext).
// A value without it is clear text stored before sealing existed.
const prefix = "v1:"

// Errors Open may return; both mean the value cannot be read with this key.
var (
	// ErrWrongKey: the value was sealed under another key, or was altered.
	ErrWrongKey = errors.New("the value does not open with this key (another key, or the stored value was altered)")
	// ErrMalformed: the value starts like a sealed one but is not.
	ErrMalformed = errors.New("the stored value is not a well-formed sealed value")
	// ErrNoKey: there is no key to open or seal with.
	ErrNoKey = errors.New("no secret key")
	// ErrBadKey: MESH_SECRET_KEY or the key file holds no valid key.
	ErrBadKey = errors.New("bad secret key")
)

// KeySize is the key length in bytes (AES-256).
const KeySize = 32

// Key seals and opens values. The zero Key is not usable; make one with ParseKey,
// NewKey or a Keyring.
type Key struct {
	aead cipher.AEAD
}

func keyFrom(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("the key must be %d bytes, not %d", KeySize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// ParseKey reads a key written as 32 bytes in hex (64 characters) or base64 (standard
// or URL alphabet, padded or not), surrounding spaces ignored.
func ParseKey(text string) (*Key, error) {
	text = strings.TrimSpace(text)
	if len(text) == 2*KeySize {
		if raw, err := hex.DecodeString(text); err == nil {
			return keyFrom(raw)
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(text); err == nil && len(raw) == KeySize {
			return keyFrom(raw)
		}
	}
	return nil, fmt.Errorf("a key must be %d random bytes in base64 or hex (e.g. the output of `openssl rand -base64 32`)", KeySize)
}

// NewKey makes a random key and returns it with its base64 text (what ParseKey reads).
func NewKey() (*Key, string, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	k, err := keyFrom(raw)
	return k, base64.StdEncoding.EncodeToString(raw), err
}

// Seal encrypts plain with a fresh random nonce. purpose (e.g. "dhis2_schedule.token")
// is authenticated with it, so a sealed value cannot be moved to another use.
func (k *Key) Seal(plain, purpose string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := k.aead.Seal(nonce, nonce, []byte(plain), []byte(purpose))
	return prefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal made for the same purpose. A value that is not sealed
// (clear text stored before sealing existed) is returned as it is.
func (k *Key) Open(stored, purpose string) (string, error) {
	if !Sealed(stored) {
		return stored, nil
	}
	raw, err := base64.StdEncoding.DecodeString(stored[len(prefix):])
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", ErrMalformed
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(purpose))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}

// Sealed says whether a stored value is sealed (else it is legacy clear text).
func Sealed(stored string) bool { return strings.HasPrefix(stored, prefix) }

// Keyring finds a deployment's key once and keeps it: the environment variable when
// set, else the key file (SQLite: "<database>.key"), else none (PostgreSQL without
// MESH_SECRET_KEY).
type Keyring struct {
	Env  string // the value of MESH_SECRET_KEY ("" when unset)
	File string // the key file to read, or to create on first seal; "" for none

	mu  sync.Mutex
	key *Key
}

// NewKeyring is a keyring holding k (tests, or a key the caller found itself).
func NewKeyring(k *Key) *Keyring { return &Keyring{key: k} }

// FileFor names the key file of a SQLite database path, or "" when the database is
// not a file (in memory, or a PostgreSQL URL).
func FileFor(dbPath string) string {
	p := strings.TrimPrefix(dbPath, "file:")
	p, _, _ = strings.Cut(p, "?")
	if p == "" || p == ":memory:" || strings.Contains(p, "://") {
		return ""
	}
	return p + ".key"
}

// Key returns the key. With create, a missing key file is made (mode 0600) with a new
// random key; without, a missing file is ErrNoKey (reading needs no new key).
func (r *Keyring) Key(create bool) (*Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.key != nil {
		return r.key, nil
	}
	if strings.TrimSpace(r.Env) != "" {
		k, err := ParseKey(r.Env)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadKey, EnvVar, err)
		}
		r.key = k
		return k, nil
	}
	if r.File == "" {
		return nil, fmt.Errorf("%w: set %s to 32 random bytes in base64 or hex (e.g. `openssl rand -base64 32`)", ErrNoKey, EnvVar)
	}
	k, err := loadFile(r.File, create)
	if err != nil {
		return nil, err
	}
	r.key = k
	return k, nil
}

func loadFile(path string, create bool) (*Key, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := ParseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%w: key file %s: %v", ErrBadKey, path, err)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if !create {
		return nil, fmt.Errorf("%w: %s is unset and the key file %s does not exist", ErrNoKey, EnvVar, path)
	}
	k, text, err := NewKey()
	if err != nil {
		return nil, err
	}
	// Write a temporary file, then link it into place: the link fails if another
	// process made the key first, and no reader ever sees a half-written key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mesh-key-*")
	if err != nil {
		return nil, fmt.Errorf("create the key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file mode 0600 already: only the server's user reads it.
	_, err = tmp.WriteString(text + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write the key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadFile(path, false) // another process won: use its key
		}
		return nil, fmt.Errorf("create the key file: %w", err)
	}
	return k, nil
}
