package secret

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func mustKey(t *testing.T) *Key {
	t.Helper()
	k, _, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTrip(t *testing.T) {
	k := mustKey(t)
	for _, plain := range []string{"d2pat_abcdefghijklmnopqrstuvwxyz0123456789", "", "é ü 🙂"} {
		a, err := k.Seal(plain, "dhis2_schedule.token")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := k.Seal(plain, "dhis2_schedule.token")
		if !Sealed(a) || !strings.HasPrefix(a, "v1:") || (plain != "" && strings.Contains(a, plain)) {
			t.Fatalf("sealed %q as %q", plain, a)
		}
		if a == b {
			t.Fatalf("two seals of %q are equal: the nonce is not fresh", plain)
		}
		for _, s := range []string{a, b} {
			if got, err := k.Open(s, "dhis2_schedule.token"); err != nil || got != plain {
				t.Fatalf("open %q: %q, %v", s, got, err)
			}
		}
	}
}

func TestTamperAndWrongKey(t *testing.T) {
	k := mustKey(t)
	sealed, err := k.Seal("d2pat_secret", "dhis2_schedule.token")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(sealed[3:])
	for i := range raw { // every single flipped bit is caught
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x01
		if _, err := k.Open("v1:"+base64.StdEncoding.EncodeToString(bad), "dhis2_schedule.token"); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	if _, err := k.Open(sealed, "another.purpose"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("another purpose: %v", err)
	}
	if _, err := mustKey(t).Open(sealed, "dhis2_schedule.token"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("another key: %v", err)
	}
	for _, s := range []string{"v1:", "v1:not base64!", "v1:" + base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := k.Open(s, "dhis2_schedule.token"); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%q: %v", s, err)
		}
	}
}

// A value stored before sealing existed is clear text and reads as it is.
func TestLegacyClearText(t *testing.T) {
	k := mustKey(t)
	for _, s := range []string{"d2pat_oldtoken", "", "V1:looks-like-but-is-not"} {
		if Sealed(s) {
			t.Fatalf("%q counted as sealed", s)
		}
		if got, err := k.Open(s, "dhis2_schedule.token"); err != nil || got != s {
			t.Fatalf("%q: %q, %v", s, got, err)
		}
	}
}

func TestParseKey(t *testing.T) {
	raw := make([]byte, KeySize)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	k0, err := keyFrom(raw)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := k0.Seal("x", "p")
	for _, text := range []string{hex.EncodeToString(raw), strings.ToUpper(hex.EncodeToString(raw)), base64.StdEncoding.EncodeToString(raw),
		base64.RawURLEncoding.EncodeToString(raw), " " + base64.StdEncoding.EncodeToString(raw) + "\n"} {
		k, err := ParseKey(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got, err := k.Open(sealed, "p"); err != nil || got != "x" {
			t.Fatalf("%q reads another key: %v", text, err)
		}
	}
	for _, text := range []string{"", "short", hex.EncodeToString(raw[:16]), base64.StdEncoding.EncodeToString(append(raw, 1)), strings.Repeat("z", 64)} {
		if _, err := ParseKey(text); err == nil || !strings.Contains(err.Error(), "base64 or hex") {
			t.Fatalf("%q: %v", text, err)
		}
	}
}

func TestKeyring(t *testing.T) {
	dir := t.TempDir()
	file := FileFor(filepath.Join(dir, "mesh.db"))
	if file != filepath.Join(dir, "mesh.db.key") || FileFor(":memory:") != "" || FileFor("postgres://x@y/db") != "" ||
		FileFor("file:"+filepath.Join(dir, "a.db")+"?mode=rwc") != filepath.Join(dir, "a.db.key") {
		t.Fatalf("FileFor: %q", file)
	}
	// Reading creates no key file.
	if _, err := (&Keyring{File: file}).Key(false); !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("no file: %v", err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("a read made the key file: %v", err)
	}
	// The first seal makes it, mode 0600; two processes at once agree on one key.
	keys := make([]*Key, 4)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			var err error
			if keys[i], err = (&Keyring{File: file}).Key(true); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", st, err)
	}
	sealed, _ := keys[0].Seal("tok", "p")
	for i, k := range keys {
		if got, err := k.Open(sealed, "p"); err != nil || got != "tok" {
			t.Fatalf("keyring %d has another key: %v", i, err)
		}
	}
	again, err := (&Keyring{File: file}).Key(false)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed, "p"); err != nil || got != "tok" {
		t.Fatalf("reopened key file: %v", err)
	}
	// The environment wins over the file; a bad value names the variable.
	_, text, _ := NewKey()
	envKey, err := (&Keyring{Env: text, File: file}).Key(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := envKey.Open(sealed, "p"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("env key opened the file key's value: %v", err)
	}
	if _, err := (&Keyring{Env: "nope", File: file}).Key(true); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("bad env: %v", err)
	}
	// No file possible (PostgreSQL) and no env: the error says what to set.
	if _, err := (&Keyring{}).Key(true); !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("postgres without key: %v", err)
	}
}
