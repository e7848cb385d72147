package counselling

import "time"

// Anonymous statistics, by construction.
//
// Every contact (a mail thread now; a chat or video call later) writes one fact
// to the statistics: office, channel, year and month, age band, gender, region
// (an entry of the office's list, where it keeps one), themes, a
// first-response-time bucket, message counts per side, whether it was closed,
// and a rating. A fact holds no account, no thread, no nickname, no exact time
// and no free text.
//
// While the contact lives, its thread row carries a random key that is also the
// fact's key, so the fact can be kept up to date (a new message, a theme tag,
// the close). That key is the only link between a person's data and a fact.
// When the thread or the account is deleted the key goes with the row, and the
// fact can no longer be tied to anyone. Facts are kept in random-key order, so
// not even their position in the file tells when they were written.

// Channels of contact.
const (
	ChannelMail  = "mail"
	ChannelChat  = "chat"
	ChannelVideo = "video"
)

// ResponseBucket puts a first-response time into the coarse bucket that the
// statistics keep instead of the time itself.
func ResponseBucket(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "under-1h"
	case d < 4*time.Hour:
		return "1-4h"
	case d < 24*time.Hour:
		return "4-24h"
	case d < 48*time.Hour:
		return "1-2d"
	case d < 7*24*time.Hour:
		return "2-7d"
	}
	return "over-7d"
}

// ResponseBuckets lists the buckets in order, with a representative duration in
// hours for medians and percentiles.
var ResponseBuckets = []struct {
	Name  string
	Hours float64
}{
	{"under-1h", 0.5}, {"1-4h", 2.5}, {"4-24h", 14}, {"1-2d", 36}, {"2-7d", 108}, {"over-7d", 240},
}
