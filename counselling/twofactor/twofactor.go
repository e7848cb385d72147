// Package twofactor enrols and checks the TOTP second factor of staff (RFC 6238:
// six digits, 30-second steps, SHA-1, as every authenticator app expects). The
// enrolment QR code is drawn here, on the server, so no outside service ever sees
// a secret.
package twofactor

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

const period = 30

// NewSecret returns a fresh base32 secret.
func NewSecret() (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Confidant", AccountName: "staff", Period: period})
	if err != nil {
		return "", fmt.Errorf("generate totp secret: %w", err)
	}
	return key.Secret(), nil
}

// QRCode returns the otpauth URL for secret as a PNG data URL, to scan with an
// authenticator app.
func QRCode(issuer, account, secret string) (string, error) {
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=%d&digits=6&algorithm=SHA1",
		escape(issuer), escape(account), secret, escape(issuer), period))
	if err != nil {
		return "", fmt.Errorf("totp url: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", fmt.Errorf("draw qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("encode qr code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func escape(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Check returns the time step a code belongs to when it is valid at now (one
// step of clock drift either way is allowed) and newer than lastStep, so that a
// code once used cannot be used again.
func Check(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	current := now.Unix() / period
	for _, step := range []int64{current - 1, current, current + 1} {
		if step <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*period, 0), totp.ValidateOpts{
			Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// Code returns the code for secret at t; tests and the e2e suite use it as an
// authenticator app would.
func Code(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
