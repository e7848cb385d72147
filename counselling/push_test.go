package counselling_test

import (
	"strings"
	"testing"

	"confidant/counselling"
)

func TestPushSubscriptionValidate(t *testing.T) {
	key := "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
	auth := "tBHItJI5svbpez7KI4CCXg"
	ok := counselling.PushSubscription{Endpoint: "https://push.example.net/send/abc", P256dh: key, Auth: auth}
	for _, tc := range []struct {
		name string
		edit func(*counselling.PushSubscription)
		ok   bool
	}{
		{"a browser's subscription", func(*counselling.PushSubscription) {}, true},
		{"padded base64", func(s *counselling.PushSubscription) { s.Auth += "==" }, true},
		{"plain http", func(s *counselling.PushSubscription) { s.Endpoint = "http://push.example.net/send/abc" }, false},
		{"no host", func(s *counselling.PushSubscription) { s.Endpoint = "https:///send" }, false},
		{"credentials in the URL", func(s *counselling.PushSubscription) { s.Endpoint = "https://user:pw@push.example.net/x" }, false},
		{"another scheme", func(s *counselling.PushSubscription) { s.Endpoint = "file:///etc/passwd" }, false},
		{"too long", func(s *counselling.PushSubscription) {
			s.Endpoint = "https://push.example.net/" + strings.Repeat("a", counselling.MaxEndpointLength)
		}, false},
		{"no key", func(s *counselling.PushSubscription) { s.P256dh = "" }, false},
		{"a key of the wrong size", func(s *counselling.PushSubscription) { s.P256dh = auth }, false},
		{"a secret of the wrong size", func(s *counselling.PushSubscription) { s.Auth = key }, false},
		{"not base64", func(s *counselling.PushSubscription) { s.Auth = "!!!!" }, false},
	} {
		s := ok
		tc.edit(&s)
		if err := s.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tc.name, err, tc.ok)
		} else if err != nil && counselling.ErrorCode(err) != counselling.EInvalid {
			t.Errorf("%s: code %s, want invalid", tc.name, counselling.ErrorCode(err))
		}
	}
}

func TestPushOnlyForAnAnswer(t *testing.T) {
	for kind, want := range map[counselling.NoticeKind]bool{
		counselling.NoticeReply:    true,
		counselling.NoticeReceived: false,
		counselling.NoticeDigest:   false,
		counselling.NoticeInactive: false,
		counselling.NoticeDelayed:  false,
		counselling.NoticePush:     false,
	} {
		if got := counselling.PushFor(kind); got != want {
			t.Errorf("PushFor(%s) = %v, want %v", kind, got, want)
		}
	}
}
