package counselling

import "testing"

func TestAuditDetailsKeepTheirMessageAndArguments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stored string
		want   AuditDetail
		ok     bool
	}{
		{"a message with arguments", AuditDetail{ID: AuditRoleChange, Args: map[string]string{"Old": "counsellor", "New": "admin"}, Translated: []string{"Old", "New"}}.Encode(),
			AuditDetail{ID: AuditRoleChange, Args: map[string]string{"Old": "counsellor", "New": "admin"}, Translated: []string{"Old", "New"}}, true},
		{"a message alone", AuditDetail{ID: "no longer trainee"}.Encode(), AuditDetail{ID: "no longer trainee"}, true},
		{"free text stays as typed", AuditDetail{ID: AuditNamed, Args: map[string]string{"Name": `Money "worries" {x}`}}.Encode(),
			AuditDetail{ID: AuditNamed, Args: map[string]string{"Name": `Money "worries" {x}`}}, true},
		{"an old English row", "counsellor → supervisor", AuditDetail{}, false},
		{"an old row that looks like JSON", `{"id": broken`, AuditDetail{}, false},
		{"nothing", AuditDetail{}.Encode(), AuditDetail{}, false},
	} {
		got, ok := DecodeAuditDetail(tc.stored)
		if ok != tc.ok || got.ID != tc.want.ID || len(got.Args) != len(tc.want.Args) || len(got.Translated) != len(tc.want.Translated) {
			t.Errorf("%s: %+v %v, want %+v %v", tc.name, got, ok, tc.want, tc.ok)
			continue
		}
		for k, v := range tc.want.Args {
			if got.Args[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, got.Args[k], v)
			}
		}
	}
}
