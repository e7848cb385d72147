package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"confidant/counselling"
)

// staff runs "confidant staff add": it creates a staff account without a
// password and prints the one-time link with which the person enrols.
func (m *Main) staff(ctx context.Context, args []string) error {
	fs, cfg := m.flags("staff add")
	cfg.bindBaseURL(fs, m.Getenv)
	role := fs.String("role", "", "counsellor, supervisor or admin")
	name := fs.String("name", "", "display and login name")
	officeSlug := fs.String("office", counselling.DefaultOfficeSlug, "office slug")
	rest, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "add" {
		return fmt.Errorf("usage: confidant staff add --role counsellor|supervisor|admin --name NAME [--office SLUG]")
	}
	if *role == "" || *name == "" {
		return fmt.Errorf("--role and --name are required")
	}
	db, err := cfg.open(ctx, counselling.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	office, err := db.OfficeBySlug(ctx, *officeSlug)
	if err != nil {
		return fmt.Errorf("no office with slug %q", *officeSlug)
	}
	token, err := db.CreateStaff(ctx, counselling.NewStaff{OfficeID: office.ID, Role: counselling.Role(*role), Name: *name})
	if err != nil {
		return fmt.Errorf("%s", oneLine(err))
	}
	// Beside an office on another address than the default, the link must
	// lead to that office: the one it last served on.
	baseURL := strings.TrimRight(cfg.BaseURL, "/")
	if baseURL == "" {
		baseURL = lastBaseURL(cfg.Data)
	}
	if baseURL == "" {
		baseURL, _ = defaultBaseURL("http", defaultAddr)
	}
	fmt.Fprintf(m.Stdout, "Invitation for %s (%s), valid %s. Give this one-time link to them:\n", *name, *role, hours(counselling.InviteTTL))
	fmt.Fprintln(m.Stdout, baseURL+"/invite/"+token)
	return nil
}

// baseURLFile, in the data folder, holds the base URL the office last served
// with, for the commands that print links.
const baseURLFile = "base-url"

// recordBaseURL notes the base URL the office serves with.
func recordBaseURL(dir, baseURL string) error {
	if err := os.WriteFile(filepath.Join(dir, baseURLFile), []byte(baseURL+"\n"), 0o600); err != nil {
		return fmt.Errorf("record base url: %w", err)
	}
	return nil
}

// lastBaseURL is the base URL the office last served with, or "".
func lastBaseURL(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, baseURLFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// hours says a duration in whole hours, as operators read it.
func hours(d time.Duration) string {
	return strconv.Itoa(int(d.Hours())) + " hours"
}

// oneLine is a domain error's user-safe message, with field messages joined.
func oneLine(err error) string {
	fields := counselling.ErrorFields(err)
	if len(fields) == 0 {
		return counselling.ErrorMessage(err)
	}
	var parts []string
	for _, msg := range fields {
		parts = append(parts, msg)
	}
	return strings.Join(parts, " ")
}
