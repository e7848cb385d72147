package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

func TestRetentionRulesValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules counselling.RetentionRules
		bad   []string
	}{
		{"the defaults", counselling.DefaultRetention, nil},
		{"shortest", counselling.RetentionRules{MailMonths: 1, InactiveAccountMonths: 1, ChatTranscriptMonths: 1}, nil},
		{"longest", counselling.RetentionRules{MailMonths: 120, InactiveAccountMonths: 120, ChatTranscriptMonths: 120}, nil},
		{"mail never kept", counselling.RetentionRules{MailMonths: 0, InactiveAccountMonths: 24, ChatTranscriptMonths: 6}, []string{"retain_mail_months"}},
		{"accounts kept too long", counselling.RetentionRules{MailMonths: 12, InactiveAccountMonths: 500, ChatTranscriptMonths: 6}, []string{"inactive_account_months"}},
		{"transcripts negative", counselling.RetentionRules{MailMonths: 12, InactiveAccountMonths: 24, ChatTranscriptMonths: -1}, []string{"chat_transcript_months"}},
		{"all wrong", counselling.RetentionRules{}, []string{"retain_mail_months", "inactive_account_months", "chat_transcript_months"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rules.Validate()
			fields := counselling.ErrorFields(err)
			if len(tc.bad) == 0 && err != nil {
				t.Fatalf("valid rules refused: %v", err)
			}
			if len(fields) != len(tc.bad) {
				t.Fatalf("fields %v, want %v", fields, tc.bad)
			}
			for _, f := range tc.bad {
				if fields[f] == "" {
					t.Errorf("no message for %s: %v", f, fields)
				}
			}
		})
	}
}

func TestMailCutoff(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	yearly := counselling.RetentionRules{MailMonths: 12, WipeMailYearEnd: true}
	for _, tc := range []struct {
		name  string
		rules counselling.RetentionRules
		now   time.Time
		want  time.Time
	}{
		{"twelve months back", counselling.DefaultRetention, at(2026, 6, 15), at(2025, 6, 15)},
		{"year-end wipe keeps only this year", yearly, at(2026, 6, 15), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"on 31 December everything goes", yearly, at(2026, 12, 31), at(2026, 12, 31).Add(time.Second)},
		{"on 30 December this year stays", yearly, at(2026, 12, 30), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rules.MailCutoff(tc.now); !got.Equal(tc.want) {
				t.Fatalf("MailCutoff(%v) = %v, want %v", tc.now, got, tc.want)
			}
		})
	}
}

func TestWarningComesBeforeDeletion(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := counselling.DefaultRetention
	if got := r.InactiveCutoff(now); !got.Equal(now.AddDate(0, -24, 0)) {
		t.Fatalf("inactive cutoff %v, want two years back", got)
	}
	if got := r.WarnCutoff(now).Sub(r.InactiveCutoff(now)); got != counselling.InactivityWarning {
		t.Fatalf("the warning comes %v before deletion, want %v", got, counselling.InactivityWarning)
	}
}
