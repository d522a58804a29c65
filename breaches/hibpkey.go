package breaches

import (
	"context"
	"errors"
	"strings"

	"pcmt/store"
)

// HIBPKeySetting is where an admin's HIBP API key is kept, sealed with a
// key from the secrets file (config.Keys.Seal).
const HIBPKeySetting = "hibp.api_key"

// badHIBPKey is the message of a key that is not one.
const badHIBPKey = "An HIBP API key is 32 hexadecimal characters."

// CheckHIBPKey is the rule of an HIBP API key: HIBP's keys are 32
// hexadecimal characters. A refusal is Refused on the form's api_key.
func CheckHIBPKey(key string) error {
	if len(key) != 32 || strings.Trim(key, "0123456789abcdefABCDEF") != "" {
		return Refused{"api_key": badHIBPKey}
	}
	return nil
}

// SetHIBPKey stores key, sealed, with a's log entry naming its last four
// characters, and puts it to use at once.
func (s *Service) SetHIBPKey(ctx context.Context, a Actor, key string) error {
	if err := CheckHIBPKey(key); err != nil {
		return err
	}
	sealed, err := s.keys.Seal(HIBPKeySetting, []byte(key))
	if err != nil {
		return err
	}
	ev := s.entry(a, store.EventHIBPKeyChanged, "set, ending in "+key[len(key)-4:])
	if err := s.audit.PutSetting(ctx, HIBPKeySetting, sealed, ev); err != nil {
		return err
	}
	if s.hibp != nil {
		s.hibp.SetAPIKey(key)
	}
	return nil
}

// RemoveHIBPKey removes the key an admin set, with a's log entry; the
// configuration's key, if any, is used again.
func (s *Service) RemoveHIBPKey(ctx context.Context, a Actor) error {
	if err := s.audit.DeleteSetting(ctx, HIBPKeySetting, s.entry(a, store.EventHIBPKeyChanged, "removed")); err != nil {
		return err
	}
	if s.hibp != nil {
		s.hibp.SetAPIKey(s.hibpKey)
	}
	return nil
}

// StoredHIBPKey is the key an admin set, or "" when none is stored.
func (s *Service) StoredHIBPKey(ctx context.Context) (string, error) {
	sealed, err := s.store.Setting(ctx, HIBPKeySetting)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	key, err := s.keys.Open(HIBPKeySetting, sealed)
	return string(key), err
}

// HIBPKeyInUse is the key an admin set, else the configuration's
// (fromConfig then says so).
func (s *Service) HIBPKeyInUse(ctx context.Context) (key string, fromConfig bool, err error) {
	key, err = s.StoredHIBPKey(ctx)
	if err != nil || key != "" {
		return key, false, err
	}
	return s.hibpKey, s.hibpKey != "", nil
}

// LoadHIBPKey puts the key an admin set to use, at start: it wins over
// the configuration's.
func (s *Service) LoadHIBPKey(ctx context.Context) error {
	if s.hibp == nil {
		return nil
	}
	key, err := s.StoredHIBPKey(ctx)
	if err != nil || key == "" {
		return err
	}
	s.hibp.SetAPIKey(key)
	return nil
}
