package counselling

import "time"

// Guessing a password is slowed in three places, and only the last of them,
// which a handful of strangers cannot reach, can keep the owner out.
//
// The waiting period counts per account and per client. The web layer knows a
// client only by a keyed hash of its address (an IPv4 address, or the /56 an
// IPv6 household is given), with a key held in memory and renewed daily; it
// never stores the address. The failures of one client against one account
// make that client wait before its next try for that account, up to a minute
// (LoginDelay). A stranger who guesses once a minute therefore only ever slows
// themselves: the owner, logging in from their own connection, has no failures
// and is checked at once. One client gets about 70 guesses an hour at one
// account.
//
// The clients of one network (an IPv6 /48, which one free tunnel hands out as
// 256 clients; an IPv4 address is its own network) also wait together, counting
// NetworkShare of their failures as one: their waits start after 48 quick
// failures and grow to a minute after the network's latest failure, so one /48
// gets about 200 guesses an hour at one account, not 256 clients' worth.
//
// The account also counts every failure from every client in a window of an
// hour, and how many distinct networks they came from. Only when both are high,
// AccountFailureCeiling failures from at least MinGuessingNetworks networks, is
// it an attack that one person with a few connections cannot stage: the admins
// of the office are told (an audit-log entry, never an address), and from then
// until the window ends the account waits a minute after each failure, whoever
// tries. That is the one way to keep an owner out, and it needs twenty networks
// and leaves a trace; without it, guessing from many networks would not be
// slowed at all.
//
// What remains: clients behind one address (household Wi-Fi, carrier NAT, a
// company proxy) or in one /48 are one client or one network, so a guesser
// among them also makes the owner there wait, at most a minute at a time.
// Someone with twenty networks can still keep the owner out for an hour at a
// time, and the admins will know. The networks are counted in memory: a
// restart forgets them, which only delays the account-wide wait.
//
// Re-checks of the password from a held session (before changing the password
// or deleting the account) count exactly like logins.

// FailureWindow is how long failures count, from the first one of a window.
const FailureWindow = time.Hour

// AccountFailureCeiling is how many wrong passwords from all clients together
// in one window, from at least MinGuessingNetworks networks, make the whole
// account wait, and alert its admins. It is well above what one client can
// reach in a window.
const AccountFailureCeiling = 300

// MinGuessingNetworks is how many distinct networks the failures against an
// account must come from before the whole account waits: more than one person
// has at hand.
const MinGuessingNetworks = 20

// NetworkShare is how many clients' failures the clients of one network make
// together before they all wait as one client would.
const NetworkShare = 16

// Failures counts failed attempts in a window that opens at the first failure
// and lasts a fixed time; after it, the count starts again from nothing.
type Failures struct {
	Count int
	Since time.Time // the first failure of the window
	Last  time.Time // the latest failure
}

// current is f as it stands at now: a window that has passed counts nothing.
func (f Failures) current(now time.Time, window time.Duration) Failures {
	if f.Count <= 0 || !now.Before(f.Since.Add(window)) {
		return Failures{}
	}
	return f
}

func (f Failures) add(now time.Time, window time.Duration) Failures {
	f = f.current(now, window)
	if f.Count == 0 {
		f.Since = now
	}
	f.Count++
	f.Last = now
	return f
}

// LoginDelay is how long one client must wait after its failed tries at one
// account before a password is checked again: nothing for the first three
// failures, then a delay that doubles up to one minute. It slows guessing
// without ever locking anyone out.
func LoginDelay(failures int) time.Duration {
	if failures < 3 {
		return 0
	}
	d := time.Second << min(failures-3, 6)
	return min(d, time.Minute)
}

// PasswordThrottle is what is known of recent wrong passwords for one account:
// from the client now asking, from the clients of its network, and from all
// clients together, with the number of distinct networks these came from.
type PasswordThrottle struct {
	Client   Failures
	Network  Failures
	Account  Failures
	Networks int
}

// Allowed reports whether a password for the account may be checked at now for
// this client. When it is not, even the right password is refused, and the
// refusal does not count as a failure.
func (t PasswordThrottle) Allowed(now time.Time) bool {
	c := t.Client.current(now, FailureWindow)
	if now.Before(c.Last.Add(LoginDelay(c.Count))) {
		return false
	}
	n := t.Network.current(now, FailureWindow)
	if now.Before(n.Last.Add(LoginDelay(n.Count / NetworkShare))) {
		return false
	}
	return !AccountHeld(t.Account, t.Networks, now) || !now.Before(t.Account.Last.Add(time.Minute))
}

// AccountHeld reports whether the whole account waits a minute after each
// failure: its failures in the window have reached the ceiling, and came from
// at least MinGuessingNetworks networks.
func AccountHeld(account Failures, networks int, now time.Time) bool {
	return account.current(now, FailureWindow).Count >= AccountFailureCeiling && networks >= MinGuessingNetworks
}

// AddPasswordFailure returns f after one more wrong password at now. It serves
// both counts, the client's and the account's.
func (f Failures) AddPasswordFailure(now time.Time) Failures {
	return f.add(now, FailureWindow)
}

// AlertsAdmins reports whether the failure that turned before into after, and
// the account's distinct networks from networksBefore into networksAfter, made
// the whole account wait (AccountHeld): the moment its admins are told, once a
// window.
func AlertsAdmins(before, after Failures, networksBefore, networksAfter int, now time.Time) bool {
	return !AccountHeld(before, networksBefore, now) && AccountHeld(after, networksAfter, now)
}

// The second factor is capped per half-finished login (MaxSecondFactorFailures)
// and per account. Only someone who knows the password reaches the code step,
// so the account cap is no lever for a stranger: when it is reached, the
// password is known to someone it should not be, and stopping all codes for the
// rest of the day while the admins are told is the right answer, even though the
// owner is kept out too.

// Each code is counted as wrong before it is checked, in the same step that
// decides whether it may be checked at all, and given back only once it has
// passed. So however many requests arrive at once, from however many
// half-finished logins, no more codes are ever checked than the caps allow.

// Answers to a second factor that is refused. After ErrTooManyCodes and
// ErrCodesStopped the half-finished login has ended; a login that has already
// ended, for instance by a parallel request, gets ErrTooManyCodes too.
var (
	ErrWrongCode = FieldError("code",
		"This code is not right. Enter the current 6-digit code from your authenticator app.")
	ErrTooManyCodes = &Error{Code: EUnauthorized,
		Message: "Too many wrong codes. Please log in again."}
	ErrCodesStopped = &Error{Code: EUnauthorized,
		Message: "Too many wrong codes were entered for this account, so no code is accepted for up to a day. The admins have been told; please contact them."}
)

// SecondFactorWindow is how long wrong codes count against an account.
const SecondFactorWindow = 24 * time.Hour

// MaxAccountSecondFactorFailures is how many wrong codes an account may see in
// a window, over all its logins, before no code is checked until the window ends.
const MaxAccountSecondFactorFailures = 20

// SecondFactorAllowed reports whether a code may be checked for an account with
// these wrong codes at now.
func SecondFactorAllowed(f Failures, now time.Time) bool {
	return f.current(now, SecondFactorWindow).Count < MaxAccountSecondFactorFailures
}

// AddSecondFactorFailure returns f after one more wrong code at now.
func (f Failures) AddSecondFactorFailure(now time.Time) Failures {
	return f.add(now, SecondFactorWindow)
}
