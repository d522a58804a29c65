package routes

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/account"
)

// slotHook holds the key slots of chosen accounts until released, and
// reports each run that gets a slot while its account is held.
type slotHook struct {
	mu      sync.Mutex
	hold    map[int64]chan struct{}
	entered chan int64
}

func newSlotHook() *slotHook {
	return &slotHook{hold: map[int64]chan struct{}{}, entered: make(chan int64, 64)}
}

func (h *slotHook) inSlot(userID int64) {
	h.mu.Lock()
	gate := h.hold[userID]
	h.mu.Unlock()
	if gate != nil {
		h.entered <- userID
		<-gate
	}
}

// holdAccount makes the account's unwraps wait in their slot until the
// returned function is called.
func (h *slotHook) holdAccount(userID int64) func() {
	gate := make(chan struct{})
	h.mu.Lock()
	h.hold[userID] = gate
	h.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(gate) }) }
}

// waitEntered waits for a held run of userID to get its slot.
func (h *slotHook) waitEntered(t *testing.T, userID int64) {
	t.Helper()
	select {
	case id := <-h.entered:
		if id != userID {
			t.Fatalf("account %d got a slot, want %d", id, userID)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("account %d never got a key slot", userID)
	}
}

func newSlotApp(t *testing.T, maxWait time.Duration) (*testApp, *slotHook) {
	hook := newSlotHook()
	a := newTestAppWith(t, nil, func(d *Deps) {
		d.Vault = account.NewVaultWith(account.VaultOptions{WorkFactor: testWorkFactor, MaxWait: maxWait, InSlot: hook.inSlot})
	})
	return a, hook
}

// signInAsync posts a sign-in from a fresh browser in the background (the
// sign-in page is fetched first, here) and sends its status to out.
func signInAsync(a *testApp, login, password string, out chan<- int) {
	s := a.session()
	_, _, token := s.page("/signin")
	form := url.Values{"csrf": {token}, "username": {login}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	go func() {
		resp, err := a.app.Test(req, -1)
		if err != nil {
			out <- 0
			return
		}
		resp.Body.Close()
		out <- resp.StatusCode
	}()
}

func waitStatus(t *testing.T, from <-chan int) int {
	t.Helper()
	select {
	case code := <-from:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("a sign-in never answered")
		return 0
	}
}

// TestOneAccountHoldsOneKeySlot: while many sign-ins of one account are
// unlocking its key, another account's sign-in still gets a slot at once;
// the account's own sign-ins take their turns one at a time.
func TestOneAccountHoldsOneKeySlot(t *testing.T) {
	a, hook := newSlotApp(t, 0)
	alice, _ := a.newMember("alice", "correct horse battery")
	a.newMember("bob", "bob's long passphrase")

	release := hook.holdAccount(alice.ID)
	defer release()
	const n = 6
	aliceDone := make(chan int, n)
	for range n {
		signInAsync(a, "alice", "correct horse battery", aliceDone)
	}
	hook.waitEntered(t, alice.ID)
	// Give a second run of the account the chance to take the other slot,
	// which it must not: the account has its one.
	select {
	case <-hook.entered:
		t.Fatal("a second sign-in of the same account holds a key slot")
	case <-time.After(200 * time.Millisecond):
	}

	bobDone := make(chan int, 1)
	signInAsync(a, "bob", "bob's long passphrase", bobDone)
	if code := waitStatus(t, bobDone); code != http.StatusSeeOther {
		t.Fatalf("bob's sign-in while alice's key is being unlocked: %d", code)
	}

	release()
	for range n {
		if code := waitStatus(t, aliceDone); code != http.StatusSeeOther {
			t.Fatalf("alice's sign-in after her turn: %d", code)
		}
	}
}

// TestBusyKeySlotsAnswer503: when no key slot comes free within the wait,
// sign-in answers "busy, try again" with 503 and Retry-After instead of
// hanging, and a held account's second sign-in gets the same.
func TestBusyKeySlotsAnswer503(t *testing.T) {
	a, hook := newSlotApp(t, 50*time.Millisecond)
	alice, _ := a.newMember("alice", "correct horse battery")
	bob, _ := a.newMember("bob", "bob's long passphrase")
	a.newMember("carol", "morning songs at dawn")

	releaseAlice, releaseBob := hook.holdAccount(alice.ID), hook.holdAccount(bob.ID)
	defer releaseAlice()
	defer releaseBob()
	held := make(chan int, 2)
	signInAsync(a, "alice", "correct horse battery", held)
	hook.waitEntered(t, alice.ID)
	signInAsync(a, "bob", "bob's long passphrase", held)
	hook.waitEntered(t, bob.ID)

	for _, who := range [][2]string{{"carol", "morning songs at dawn"}, {"alice", "correct horse battery"}} {
		s := a.session()
		_, _, token := s.page("/signin")
		resp, body := s.postForm("/signin", url.Values{"csrf": {token}, "username": {who[0]}, "password": {who[1]}})
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s while every slot is held: %d, Retry-After %q", who[0], resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if msg := parseHTML(t, body).Find(`[data-testid="form-error"]`).Text(); msg != errKeysBusy.Message {
			t.Fatalf("%s: message %q", who[0], msg)
		}
		if !signedOut(t, s) {
			t.Fatalf("%s is signed in after the busy answer", who[0])
		}
	}

	releaseAlice()
	releaseBob()
	for range 2 {
		if code := waitStatus(t, held); code != http.StatusSeeOther {
			t.Fatalf("a held sign-in after release: %d", code)
		}
	}
	if resp := a.session().signIn("carol", "morning songs at dawn"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("carol once slots are free: %d", resp.StatusCode)
	}
}
