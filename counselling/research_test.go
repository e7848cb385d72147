package counselling_test

import (
	"math/rand/v2"
	"testing"

	"confidant/counselling"
)

func TestResearchExportIsKAnonymous(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	regions := []string{"", "Aarhus", "Gent", "Köln", "Odense", "Utrecht", "Bonn"}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	for trial := range 50 {
		n := 1 + rng.IntN(400)
		facts := make([]counselling.FactRow, n)
		for i := range facts {
			facts[i] = counselling.FactRow{Year: 2026, Month: 1 + rng.IntN(12), Channel: pick([]string{"mail", "chat", "video"}),
				AgeBand: pick(append(counselling.AgeBands, "")), Gender: pick(append(counselling.Genders, "")), Region: pick(regions),
				Themes: []string{"family"}, SeekerMessages: rng.IntN(20)}
		}
		k := 5 + rng.IntN(4)
		out, dropped := counselling.Anonymize(facts, k)
		if len(out)+dropped != n {
			t.Fatalf("trial %d: %d out + %d dropped != %d in", trial, len(out), dropped, n)
		}
		seen := map[[5]string]int{}
		for _, r := range out {
			seen[[5]string{r.Period, r.Channel, r.AgeBand, r.Gender, r.Region}]++
		}
		for combo, count := range seen {
			if count < k {
				t.Fatalf("trial %d: combination %v occurs %d times, k = %d", trial, combo, count, k)
			}
		}
	}
}

func TestAnonymizeNeverGoesBelowFive(t *testing.T) {
	facts := make([]counselling.FactRow, 4)
	for i := range facts {
		facts[i] = counselling.FactRow{Year: 2026, Month: 3, Channel: "mail"}
	}
	out, dropped := counselling.Anonymize(facts, 2)
	if len(out) != 0 || dropped != 4 {
		t.Fatalf("k=2 was honoured: %d rows out", len(out))
	}
}
