// Package account holds what makes a person's account: password hashing and
// policy, sessions, sign-in throttling and the user's own key.
package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2id parameters (OWASP's minimum): 19 MiB, two passes, one lane.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// ErrMismatch is a password that does not match its hash.
var ErrMismatch = errors.New("account: password does not match")

// Hasher hashes and verifies passwords, bounding how many hashes run at once
// so that a burst of sign-ins cannot take all the memory (each argon2id run
// holds 19 MiB).
type Hasher struct {
	slots        chan struct{}
	time, memory uint32
	hashes       atomic.Int64 // new hashes made

	dummyOnce sync.Once
	dummy     string // a hash no password matches, made on first need
}

// NewHasher hashes with the production parameters, two hashes per CPU at
// once.
func NewHasher() *Hasher {
	return NewHasherCost(argonTime, argonMemory)
}

// NewHasherCost hashes with other argon2id costs (passes, KiB of memory).
// Tests that sign in hundreds of times use it; everything else uses
// NewHasher.
func NewHasherCost(time, memoryKiB uint32) *Hasher {
	return &Hasher{slots: make(chan struct{}, 2*runtime.NumCPU()), time: time, memory: memoryKiB}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("account: waiting to hash: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hashes counts the new hashes made so far (Hash calls): with Vault.Runs,
// what shows that a refused form cost no hashing.
func (h *Hasher) Hashes() int64 { return h.hashes.Load() }

// Hash returns the argon2id PHC string of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("account: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	h.hashes.Add(1)
	key := argon2.IDKey([]byte(password), salt, h.time, h.memory, argonThreads, argonKeyLen)
	h.release()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.memory, h.time, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against a stored hash: argon2id PHC strings, or
// bcrypt hashes from older installations. rehash reports that the hash
// should be replaced by a fresh Hash (bcrypt, or weaker argon2 parameters).
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		p, err := parseArgon2(encoded)
		if err != nil {
			return false, err
		}
		key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
		if subtle.ConstantTimeCompare(key, p.key) != 1 {
			return false, ErrMismatch
		}
		return p.time < h.time || p.memory < h.memory, nil
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, ErrMismatch
		}
		if err != nil {
			return false, fmt.Errorf("account: bcrypt hash: %w", err)
		}
		return true, nil
	}
	return false, errors.New("account: unknown password hash format")
}

// VerifyNothing spends the work of one Verify when a sign-in names no
// account, so that the answer takes as long as for a real one. It always
// reports a mismatch.
func (h *Hasher) VerifyNothing(ctx context.Context, password string) error {
	h.dummyOnce.Do(func() {
		salt := make([]byte, argonSaltLen)
		_, _ = rand.Read(salt) // crypto/rand.Read never fails on supported platforms
		b64 := base64.RawStdEncoding
		// A random key: no password hashes to it.
		key := make([]byte, argonKeyLen)
		_, _ = rand.Read(key)
		h.dummy = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
			argon2.Version, h.memory, h.time, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
	})
	if _, err := h.Verify(ctx, h.dummy, password); err != nil && !errors.Is(err, ErrMismatch) {
		return err
	}
	return ErrMismatch
}

type argon2Params struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

func parseArgon2(encoded string) (argon2Params, error) {
	var p argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 {
		return p, errors.New("account: malformed argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, errors.New("account: unsupported argon2id version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, errors.New("account: malformed argon2id parameters")
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, errors.New("account: malformed argon2id salt")
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) == 0 {
		return p, errors.New("account: malformed argon2id key")
	}
	if p.time == 0 || p.memory == 0 || p.threads == 0 || p.memory > 1<<22 {
		return p, errors.New("account: argon2id parameters out of range")
	}
	return p, nil
}
