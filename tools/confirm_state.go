package tools

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// The request state binds an answer to the exact call it was asked for (tool, arguments,
// subject) and to a time, and a random nonce makes each question's state its own (two
// alike asked in the same second are answered, and used, apart); it is signed because
// it travels through the client.
func (cf *confirmer) sign(bound string, args []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	n := base64.RawURLEncoding.EncodeToString(nonce)
	return ts + "." + n + "." + base64.RawURLEncoding.EncodeToString(cf.mac(bound, args, ts+"."+n))
}

func (cf *confirmer) verify(state, bound string, args []byte) bool {
	i := strings.LastIndexByte(state, '.')
	if i < 0 {
		return false
	}
	stamp, sig := state[:i], state[i+1:]
	ts, _, ok := strings.Cut(stamp, ".")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)) > confirmTTL {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, cf.mac(bound, args, stamp))
}

func (cf *confirmer) mac(bound string, args []byte, stamp string) []byte {
	m := hmac.New(sha256.New, cf.key)
	m.Write([]byte(bound))
	m.Write([]byte{0})
	m.Write(args)
	m.Write([]byte{0})
	m.Write([]byte(stamp))
	return m.Sum(nil)
}

// wasUsed: the state was answered before.
func (cf *confirmer) wasUsed(state string) bool {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	_, seen := cf.used[state]
	return seen
}

// useOnce records an answered state; false when it was answered before. States are
// kept until they expire (a state older than confirmTTL fails verify anyway).
func (cf *confirmer) useOnce(state string) bool {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	now := time.Now()
	for s, until := range cf.used {
		if now.After(until) {
			delete(cf.used, s)
		}
	}
	if _, seen := cf.used[state]; seen {
		return false
	}
	cf.used[state] = now.Add(confirmTTL + time.Minute)
	return true
}
