package twofactor

import (
	"testing"
	"time"
)

// Whatever a staff member types as their code, Check accepts it only when it
// is the six digits an authenticator shows for the secret in the current
// time step or one either side, and only in a step after the last one used,
// which it returns; a secret that is no base32 key accepts nothing.
func FuzzCheck(f *testing.F) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	right, _ := Code(secret, now)
	f.Add(secret, right, now.Unix(), int64(0))
	f.Add(secret, right, now.Unix(), now.Unix()/period)
	f.Add(secret, "000000", now.Unix()+30, int64(-1))
	f.Add(secret, " "+right[:5], now.Unix(), int64(0))
	f.Add(secret, "١٢٣٤٥٦", int64(0), int64(0))
	f.Add("not base32!", "123456", now.Unix(), int64(0))
	f.Add("", "", int64(-1), int64(-9223372036854775808))
	f.Fuzz(func(t *testing.T, secret, code string, unix, last int64) {
		at := time.Unix(unix, 0)
		step, ok := Check(secret, code, at, last)
		if !ok {
			if step != 0 {
				t.Fatalf("refused code %q gives step %d", code, step)
			}
			return
		}
		current := at.Unix() / period
		if len(code) != 6 || step <= last || step < current-1 || step > current+1 {
			t.Fatalf("code %q accepted in step %d at step %d after step %d", code, step, current, last)
		}
		for _, c := range code {
			if c < '0' || c > '9' {
				t.Fatalf("code %q accepted", code)
			}
		}
		if want, err := Code(secret, time.Unix(step*period, 0)); err != nil || want != code {
			t.Fatalf("code %q accepted for step %d, whose code is %q (%v)", code, step, want, err)
		}
		if _, again := Check(secret, code, at, step); again {
			t.Fatalf("code %q accepted twice", code)
		}
	})
}
