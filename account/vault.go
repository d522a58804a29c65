package account

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"filippo.io/age"
)

// MinVaultWorkFactor is the smallest scrypt work factor (2^N) that wraps a
// user's key in production: about 0.6 s and 128 MiB per wrap here.
const MinVaultWorkFactor = 17

// ErrLocked means the session holds no unwrapped key: the user must sign in
// again to read their encrypted data.
var ErrLocked = errors.New("account: the user's key is not unlocked in this session")

// Vault makes, wraps and unwraps the users' own age keys, and keeps the
// unwrapped ones in memory, bound to sessions. Nothing it holds is ever
// written to the database, a cookie or a log.
type Vault struct {
	workFactor int
	slots      slots
	runs       atomic.Int64 // scrypt runs begun

	mu   sync.Mutex
	keys map[string]unlocked // by session id hash
}

type unlocked struct {
	userID   int64
	identity *age.X25519Identity
}

// NewVault wraps keys with scrypt work factor 2^workFactor, with the
// default slots and wait (see VaultOptions).
func NewVault(workFactor int) *Vault {
	return NewVaultWith(VaultOptions{WorkFactor: workFactor})
}

// NewVaultWith makes a vault with o's settings.
func NewVaultWith(o VaultOptions) *Vault {
	return &Vault{workFactor: o.WorkFactor, slots: newSlots(o), keys: map[string]unlocked{}}
}

// Runs counts the scrypt runs (wraps and unwraps) begun so far: each is
// the costly part of a sign-in, sign-up or password change.
func (v *Vault) Runs() int64 { return v.runs.Load() }

// NewKey makes a user's key and wraps it with password. It returns the
// public recipient, the wrapped identity and the identity itself.
func (v *Vault) NewKey(ctx context.Context, password string) (string, []byte, *age.X25519Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", nil, nil, fmt.Errorf("account: new key: %w", err)
	}
	wrapped, err := v.Wrap(ctx, id, password)
	if err != nil {
		return "", nil, nil, err
	}
	return id.Recipient().String(), wrapped, id, nil
}

// Wrap encrypts identity to a scrypt recipient of password; ErrBusy when
// no slot came free within the wait.
func (v *Vault) Wrap(ctx context.Context, identity *age.X25519Identity, password string) ([]byte, error) {
	r, err := age.NewScryptRecipient(password)
	if err != nil {
		return nil, fmt.Errorf("account: wrap key: %w", err)
	}
	r.SetWorkFactor(v.workFactor)
	release, err := v.slots.acquire(ctx, 0)
	if err != nil {
		return nil, err
	}
	defer release()
	v.runs.Add(1)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("account: wrap key: %w", err)
	}
	if _, err := io.WriteString(w, identity.String()); err != nil {
		return nil, fmt.Errorf("account: wrap key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("account: wrap key: %w", err)
	}
	return buf.Bytes(), nil
}

// Unwrap opens userID's wrapped identity with password. One account
// unwraps one key at a time, so that sign-ins of one account never hold
// more than one slot; ErrBusy when no slot came free within the wait.
func (v *Vault) Unwrap(ctx context.Context, userID int64, wrapped []byte, password string) (*age.X25519Identity, error) {
	si, err := age.NewScryptIdentity(password)
	if err != nil {
		return nil, fmt.Errorf("account: unwrap key: %w", err)
	}
	si.SetMaxWorkFactor(max(v.workFactor, 22))
	release, err := v.slots.acquire(ctx, userID)
	if err != nil {
		return nil, err
	}
	defer release()
	v.runs.Add(1)
	r, err := age.Decrypt(bytes.NewReader(wrapped), si)
	if err != nil {
		return nil, fmt.Errorf("account: unwrap key: %w", err)
	}
	text, err := io.ReadAll(io.LimitReader(r, 1<<10))
	if err != nil {
		return nil, fmt.Errorf("account: unwrap key: %w", err)
	}
	id, err := age.ParseX25519Identity(string(text))
	if err != nil {
		return nil, fmt.Errorf("account: unwrap key: %w", err)
	}
	return id, nil
}

// Bind keeps identity in memory for the session with idHash.
func (v *Vault) Bind(idHash []byte, userID int64, identity *age.X25519Identity) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.keys[string(idHash)] = unlocked{userID: userID, identity: identity}
}

// Unlocked reports whether the session holds its user's key.
func (v *Vault) Unlocked(idHash []byte) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.keys[string(idHash)]
	return ok
}

// Identity returns the key bound to a session.
func (v *Vault) Identity(idHash []byte) (*age.X25519Identity, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	k, ok := v.keys[string(idHash)]
	if !ok {
		return nil, ErrLocked
	}
	return k.identity, nil
}

// Drop forgets the key of one session.
func (v *Vault) Drop(idHash []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.keys, string(idHash))
}

// Bound lists the id hashes of the sessions holding a key, for the sweep
// that drops the keys of sessions whose rows are gone.
func (v *Vault) Bound() [][]byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([][]byte, 0, len(v.keys))
	for h := range v.keys {
		out = append(out, []byte(h))
	}
	return out
}

// DropUser forgets the keys of every session of a user but except.
func (v *Vault) DropUser(userID int64, except []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for h, k := range v.keys {
		if k.userID == userID && h != string(except) {
			delete(v.keys, h)
		}
	}
}

// Encrypt encrypts plaintext to a user's recipient: anyone may write data
// for a user, only their unlocked session can read it.
func Encrypt(recipient string, plaintext []byte) ([]byte, error) {
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		return nil, fmt.Errorf("account: encrypt: %w", err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("account: encrypt: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("account: encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("account: encrypt: %w", err)
	}
	return buf.Bytes(), nil
}

// Decrypt decrypts data for the user of the session with idHash.
func (v *Vault) Decrypt(idHash []byte, ciphertext []byte) ([]byte, error) {
	id, err := v.Identity(idHash)
	if err != nil {
		return nil, err
	}
	r, err := age.Decrypt(bytes.NewReader(ciphertext), id)
	if err != nil {
		return nil, fmt.Errorf("account: decrypt: %w", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("account: decrypt: %w", err)
	}
	return out, nil
}
