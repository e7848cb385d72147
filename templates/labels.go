package templates

import "confidant/counselling"

var ageBandLabels = map[string]string{
	"under-15": "Under 15",
	"15-19":    "15 to 19",
	"20-29":    "20 to 29",
	"30-39":    "30 to 39",
	"40-49":    "40 to 49",
	"50-64":    "50 to 64",
	"65-plus":  "65 or older",
}

var genderLabels = map[string]string{
	"female":      "Female",
	"male":        "Male",
	"diverse":     "Diverse",
	"undisclosed": "Prefer not to say",
}

// AgeBandLabel is how an age band reads on a page.
func AgeBandLabel(v string) string { return ageBandLabels[v] }

// GenderLabel is how a gender reads on a page.
func GenderLabel(v string) string { return genderLabels[v] }

// AgeBandOptions are the age bands as select options.
func AgeBandOptions() []Option { return options(counselling.AgeBands, ageBandLabels) }

// GenderOptions are the genders as select options.
func GenderOptions() []Option { return options(counselling.Genders, genderLabels) }

func options(values []string, labels map[string]string) []Option {
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Value: v, Label: labels[v]}
	}
	return out
}
