package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store/storetest"
)

// TestHandoverOnlyToColleaguesWhoMayReceive: a thread goes only to a colleague
// the domain allows (same office, counsels, enrolled, not disabled, not the
// holder); anyone else is refused and the thread stays with its holder.
func TestHandoverOnlyToColleaguesWhoMayReceive(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	main, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		t.Fatal(err)
	}
	north, err := db.CreateOffice(ctx, "north", "North office")
	if err != nil {
		t.Fatal(err)
	}
	seeker := counselling.Caller{AccountID: register(t, db, "Handed Seeker", ""), Kind: counselling.KindSeeker, OfficeID: main.ID}
	holder := staffCaller(t, db, main.ID, counselling.RoleCounsellor, "Holding Counsellor")
	admin := staffCaller(t, db, main.ID, counselling.RoleAdmin, "Main Admin")
	disabled := staffCaller(t, db, main.ID, counselling.RoleCounsellor, "Disabled Counsellor")
	elsewhere := staffCaller(t, db, north.ID, counselling.RoleCounsellor, "North Counsellor")
	colleague := staffCaller(t, db, main.ID, counselling.RoleSupervisor, "Good Colleague")
	if _, err := db.SetDisabled(ctx, admin, disabled.AccountID, true); err != nil {
		t.Fatal(err)
	}
	// Staff created by the store alone have not enrolled; mark them enrolled
	// as accepting the invite would.
	if _, err := db.Raw(t).Exec(`UPDATE accounts SET password_hash = 'x', totp_secret = ? WHERE kind = 'staff'`, []byte{0}); err != nil {
		t.Fatal(err)
	}
	invited := staffCaller(t, db, main.ID, counselling.RoleCounsellor, "Invited Only")
	id, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: "family", Body: "hello"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Take(ctx, holder, id); err != nil {
		t.Fatal(err)
	}
	for name, to := range map[string]string{
		"an admin": admin.AccountID, "a disabled colleague": disabled.AccountID, "another office's counsellor": elsewhere.AccountID,
		"the holder": holder.AccountID, "someone who never enrolled": invited.AccountID, "a help-seeker": seeker.AccountID, "nobody": "",
	} {
		err := db.Handover(ctx, holder, id, to)
		if counselling.ErrorCode(err) != counselling.EInvalid {
			t.Errorf("handover to %s: %v, want refused", name, err)
		}
		if n := db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND counsellor_id = ?`, id, holder.AccountID); n != 1 {
			t.Fatalf("handover to %s moved the thread", name)
		}
	}
	if err := db.Handover(ctx, colleague, id, colleague.AccountID); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("a colleague who does not hold the thread hands it over: %v", err)
	}
	if err := db.Handover(ctx, holder, id, colleague.AccountID); err != nil {
		t.Fatal(err)
	}
	if n := db.Count(t, `SELECT count(*) FROM threads WHERE id = ? AND counsellor_id = ?`, id, colleague.AccountID); n != 1 {
		t.Fatal("the thread did not reach the colleague")
	}
}
