package counselling

import "strings"

// DefaultEmergencyNumber is the emergency number of a fresh office: 112
// reaches the emergency services everywhere in Europe.
const DefaultEmergencyNumber = "112"

// ValidateEmergencyNumber checks the emergency number an office shows to
// people in danger: 2 to 20 characters of digits and spaces, with an
// optional + in front, so that it always makes a working tel: link.
func ValidateEmergencyNumber(n string) error {
	digits := 0
	for i, c := range n {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ':
		case c == '+' && i == 0:
		default:
			return FieldError("emergency_number", "Please give the emergency number in digits, with spaces or a leading + if you like.")
		}
	}
	if digits < 2 || len(n) > 20 {
		return FieldError("emergency_number", "Please give an emergency number of 2 to 20 digits.")
	}
	return nil
}

// TelURI is the tel: link that dials an emergency number.
func TelURI(number string) string {
	return "tel:" + strings.ReplaceAll(number, " ", "")
}
