package main

import (
	"context"
	"fmt"
	"strings"

	"confidant/counselling"
)

// staff runs "confidant staff add": it creates a staff account without a
// password and prints the one-time link with which the person enrols.
func (m *Main) staff(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("usage: confidant staff add --role counsellor|supervisor|admin --name NAME [--office SLUG]")
	}
	fs, cfg := m.flags("staff add")
	role := fs.String("role", "", "counsellor, supervisor or admin")
	name := fs.String("name", "", "display and login name")
	officeSlug := fs.String("office", counselling.DefaultOfficeSlug, "office slug")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *role == "" || *name == "" {
		return fmt.Errorf("--role and --name are required")
	}
	db, err := openStore(ctx, cfg.Data, counselling.SystemClock{})
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
	fmt.Fprintf(m.Stdout, "Invitation for %s (%s), valid 72 hours. Give this one-time link to them:\n", *name, *role)
	fmt.Fprintln(m.Stdout, cfg.baseURL()+"/invite/"+token)
	return nil
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
