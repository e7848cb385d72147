package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

func TestLoginDelayGrowsButIsBounded(t *testing.T) {
	if counselling.LoginDelay(0) != 0 || counselling.LoginDelay(2) != 0 {
		t.Error("the first failures must not slow anyone")
	}
	prev := time.Duration(0)
	for n := 3; n < 40; n++ {
		d := counselling.LoginDelay(n)
		if d < prev {
			t.Fatalf("delay shrinks at %d failures", n)
		}
		if d > time.Minute {
			t.Fatalf("delay %v at %d failures exceeds a minute: that is a lockout", d, n)
		}
		prev = d
	}
	if counselling.LoginDelay(4) <= counselling.LoginDelay(3) {
		t.Error("delay does not grow")
	}
}

// failures returns n failures, the first at start and one every gap after it.
func failures(n int, start time.Time, gap time.Duration) counselling.Failures {
	var f counselling.Failures
	for i := range n {
		f = f.AddPasswordFailure(start.Add(time.Duration(i) * gap))
	}
	return f
}

func TestPasswordThrottle(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ceiling := counselling.AccountFailureCeiling
	many := counselling.MinGuessingNetworks
	none := counselling.Failures{}
	share := counselling.NetworkShare
	for _, tc := range []struct {
		name     string
		client   counselling.Failures
		network  counselling.Failures
		account  counselling.Failures
		networks int
		at       time.Time
		allowed  bool
	}{
		{"no failures", none, none, none, 0, t0, true},
		{"three quick failures from this client cost nothing", failures(2, t0, 0), failures(2, t0, 0), failures(2, t0, 0), 1, t0, true},
		{"this client waits after more", failures(4, t0, 0), failures(4, t0, 0), failures(4, t0, 0), 1, t0.Add(time.Second), false},
		{"this client waits at most a minute", failures(40, t0, 0), failures(40, t0, 0), failures(40, t0, 0), 1, t0.Add(time.Minute), true},
		{"a stranger guessing once a minute does not hold up another client",
			none, none, failures(59, t0, time.Minute), 1, t0.Add(58*time.Minute + time.Second), true},
		{"the stranger's own client waits", failures(59, t0, time.Minute), failures(59, t0, time.Minute), failures(59, t0, time.Minute), 1,
			t0.Add(58*time.Minute + time.Second), false},
		{"another client of a guessing network is checked while the network has made few failures",
			none, failures(4*share-1, t0, 0), failures(4*share-1, t0, 0), 1, t0.Add(time.Second), true},
		{"the clients of a network wait together after many failures",
			none, failures(4*share, t0, 0), failures(4*share, t0, 0), 1, t0.Add(time.Second), false},
		{"a network waits at most a minute", none, failures(100*share, t0, 0), failures(100*share, t0, 0), 1, t0.Add(time.Minute), true},
		{"many networks past the ceiling make everyone wait", none, none, failures(ceiling, t0, time.Second), many,
			t0.Add(time.Duration(ceiling) * time.Second), false},
		{"a few networks past the ceiling hold up nobody else", none, none, failures(ceiling, t0, time.Second), many - 1,
			t0.Add(time.Duration(ceiling) * time.Second), true},
		{"six strangers far past the ceiling hold up nobody else", none, none, failures(3*ceiling, t0, time.Second), 6,
			t0.Add(time.Duration(3*ceiling) * time.Second), true},
		{"a minute after the last failure past the ceiling, one try", none, none, failures(ceiling, t0, time.Second), many,
			t0.Add(time.Duration(ceiling-1)*time.Second + time.Minute), true},
		{"just below the ceiling nobody else waits", none, none, failures(ceiling-1, t0, time.Second), 10 * many,
			t0.Add(time.Duration(ceiling) * time.Second), true},
		{"a passed window counts nothing", failures(40, t0, 0), failures(40, t0, 0), failures(ceiling, t0, 0), many,
			t0.Add(counselling.FailureWindow), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := counselling.PasswordThrottle{Client: tc.client, Network: tc.network, Account: tc.account,
				Networks: tc.networks}.Allowed(tc.at)
			if got != tc.allowed {
				t.Errorf("allowed = %v, want %v", got, tc.allowed)
			}
		})
	}
}

func TestOneClientCannotReachTheAccountCeilingInAWindow(t *testing.T) {
	// A client that tries again the moment it is let: its failures in one window
	// must stay far below the ceiling, or one stranger could keep the owner out.
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	end := now.Add(counselling.FailureWindow)
	var client, account counselling.Failures
	for now.Before(end) {
		if (counselling.PasswordThrottle{Client: client, Network: client, Account: account, Networks: 1}).Allowed(now) {
			client, account = client.AddPasswordFailure(now), account.AddPasswordFailure(now)
		}
		now = now.Add(time.Second)
	}
	if account.Count*3 > counselling.AccountFailureCeiling {
		t.Fatalf("one client made %d failures in a window; the ceiling %d is not far above that", account.Count, counselling.AccountFailureCeiling)
	}
	if account.Count < 10 {
		t.Fatalf("one client made only %d tries in an hour: the delay is a lockout", account.Count)
	}
}

func TestAdminsAreAlertedOnceAWindow(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	many := counselling.MinGuessingNetworks
	var f counselling.Failures
	alerts := 0
	for i := range 2 * counselling.AccountFailureCeiling {
		now := t0.Add(time.Duration(i) * time.Second)
		next := f.AddPasswordFailure(now)
		if counselling.AlertsAdmins(f, next, many, many, now) {
			alerts++
		}
		f = next
	}
	if alerts != 1 {
		t.Fatalf("%d alerts in one window, want 1", alerts)
	}
	later := t0.Add(counselling.FailureWindow)
	for i := range counselling.AccountFailureCeiling {
		now := later.Add(time.Duration(i) * time.Second)
		next := f.AddPasswordFailure(now)
		if counselling.AlertsAdmins(f, next, many, many, now) {
			alerts++
		}
		f = next
	}
	if alerts != 2 {
		t.Fatalf("%d alerts after a second window, want 2", alerts)
	}
}

func TestAdminsAreAlertedWhenTheAccountStartsToWait(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ceiling := counselling.AccountFailureCeiling
	many := counselling.MinGuessingNetworks
	before, after := failures(ceiling-1, t0, time.Second), failures(ceiling, t0, time.Second)
	high, higher := failures(ceiling, t0, time.Second), failures(ceiling+1, t0, time.Second)
	now := t0.Add(time.Duration(ceiling) * time.Second)
	for _, tc := range []struct {
		name          string
		before, after counselling.Failures
		nb, na        int
		alert         bool
	}{
		{"the ceiling reached from many networks", before, after, many, many, true},
		{"the ceiling reached from few networks", before, after, 6, 6, false},
		{"past the ceiling, the last network needed", high, higher, many - 1, many, true},
		{"past the ceiling, a network more than needed", high, higher, many, many + 1, false},
		{"below the ceiling, however many networks", failures(ceiling-2, t0, time.Second), before, 10 * many, 10 * many, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := counselling.AlertsAdmins(tc.before, tc.after, tc.nb, tc.na, now); got != tc.alert {
				t.Errorf("alert = %v, want %v", got, tc.alert)
			}
		})
	}
}

func TestSecondFactorAccountCap(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	codes := func(n int) counselling.Failures {
		var f counselling.Failures
		for i := range n {
			f = f.AddSecondFactorFailure(t0.Add(time.Duration(i) * time.Minute))
		}
		return f
	}
	max := counselling.MaxAccountSecondFactorFailures
	for _, tc := range []struct {
		name    string
		f       counselling.Failures
		at      time.Time
		allowed bool
	}{
		{"no wrong codes", counselling.Failures{}, t0, true},
		{"one below the cap", codes(max - 1), t0.Add(time.Hour), true},
		{"at the cap, over several logins", codes(max), t0.Add(time.Hour), false},
		{"still at the cap late in the window", codes(max), t0.Add(counselling.SecondFactorWindow - time.Second), false},
		{"a new window", codes(max), t0.Add(counselling.SecondFactorWindow), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := counselling.SecondFactorAllowed(tc.f, tc.at); got != tc.allowed {
				t.Errorf("allowed = %v, want %v", got, tc.allowed)
			}
		})
	}
}
