package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"

	"confidant/counselling"
)

// YearFacts counts the contact facts of a year of the office the actor
// administers, for the year report, from two covering indexes.
func (db *DB) YearFacts(ctx context.Context, actor counselling.Caller, year int) (*counselling.YearFacts, error) {
	f := &counselling.YearFacts{Tallies: map[string]map[string]int{}}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		officeID := scope.OfficeID
		rows, err := tx.QueryContext(ctx, `SELECT dimension, value, contacts, seeker_messages, staff_messages FROM fact_tallies
			WHERE office_id = ? AND year = ?`, officeID, year)
		if err != nil {
			return fmt.Errorf("read tallies: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var dim, value string
			var contacts, seeker, staff int
			if err := rows.Scan(&dim, &value, &contacts, &seeker, &staff); err != nil {
				return fmt.Errorf("read tally: %w", err)
			}
			if f.Tallies[dim] == nil {
				f.Tallies[dim] = map[string]int{}
			}
			f.Tallies[dim][value] += contacts
			f.SeekerMessages += seeker
			f.StaffMessages += staff
		}
		if err := rows.Err(); err != nil {
			return err
		}
		trows, err := tx.QueryContext(ctx, `SELECT theme_id, month, contacts FROM fact_theme_months WHERE office_id = ? AND year = ?`, officeID, year)
		if err != nil {
			return fmt.Errorf("read theme tallies: %w", err)
		}
		defer trows.Close()
		for trows.Next() {
			var tm counselling.ThemeMonth
			if err := trows.Scan(&tm.ThemeID, &tm.Month, &tm.Count); err != nil {
				return fmt.Errorf("read theme tally: %w", err)
			}
			f.Themes = append(f.Themes, tm)
		}
		if err := trows.Err(); err != nil {
			return err
		}
		vrows, err := tx.QueryContext(ctx, `SELECT CAST(substr(day, 6, 2) AS INTEGER), sum(views) FROM page_views
			WHERE day >= ? AND day < ? GROUP BY 1`, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1))
		if err != nil {
			return fmt.Errorf("count page views: %w", err)
		}
		defer vrows.Close()
		for vrows.Next() {
			var month, views int
			if err := vrows.Scan(&month, &views); err != nil {
				return fmt.Errorf("read page views: %w", err)
			}
			if month >= 1 && month <= 12 {
				f.PageViews[month-1] = views
			}
		}
		return vrows.Err()
	})
	return f, err
}

// YearFactsFromFacts counts the same as YearFacts, but from the facts
// themselves rather than the tallies: slow, and used to check the tallies.
func (db *DB) YearFactsFromFacts(ctx context.Context, officeID int64, year int) (*counselling.YearFacts, error) {
	f := &counselling.YearFacts{Tallies: map[string]map[string]int{}}
	add := func(dim, value string, n int) {
		if f.Tallies[dim] == nil {
			f.Tallies[dim] = map[string]int{}
		}
		f.Tallies[dim][value] += n
	}
	var rows []counselling.FactRow
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		rows, err = factRows(ctx, tx, officeID, year)
		return err
	})
	if err != nil {
		return nil, err
	}
	themes := map[[2]int64]int{}
	ids := map[string]int64{}
	all, err := db.AllThemes(ctx, officeID)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		ids[t.Slug] = t.ID
	}
	for _, r := range rows {
		add(counselling.DimMonth, strconv.Itoa(r.Month), 1)
		add(counselling.DimChannel, r.Channel, 1)
		add(counselling.DimAgeBand, r.AgeBand, 1)
		add(counselling.DimGender, r.Gender, 1)
		add(counselling.DimRegion, r.Region, 1)
		add(counselling.DimClosed, map[bool]string{true: "1", false: "0"}[r.Closed], 1)
		if r.FirstResponse != "" {
			add(counselling.DimFirstResponse, r.FirstResponse, 1)
		}
		if r.Rating > 0 {
			add(counselling.DimRating, strconv.Itoa(r.Rating), 1)
		}
		if r.StaffRating > 0 {
			add(counselling.DimStaffRating, strconv.Itoa(r.StaffRating), 1)
		}
		f.SeekerMessages += r.SeekerMessages
		f.StaffMessages += r.StaffMessages
		for _, slug := range r.Themes {
			themes[[2]int64{ids[slug], int64(r.Month)}]++
		}
	}
	for k, n := range themes {
		f.Themes = append(f.Themes, counselling.ThemeMonth{ThemeID: k[0], Month: int(k[1]), Count: n})
	}
	return f, nil
}

// AllThemes lists an office's themes, retired ones too (old statistics keep
// them).
func (db *DB) AllThemes(ctx context.Context, officeID int64) ([]counselling.Theme, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, office_id, slug, name, retired_at IS NOT NULL FROM themes
		WHERE office_id = ? ORDER BY position, id`, officeID)
	if err != nil {
		return nil, fmt.Errorf("list themes: %w", err)
	}
	defer rows.Close()
	var out []counselling.Theme
	for rows.Next() {
		var t counselling.Theme
		if err := rows.Scan(&t.ID, &t.OfficeID, &t.Slug, &t.Name, &t.Retired); err != nil {
			return nil, fmt.Errorf("read theme: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FactRows returns the facts of a year of the office the actor administers,
// one by one, for the research export.
func (db *DB) FactRows(ctx context.Context, actor counselling.Caller, year int) ([]counselling.FactRow, error) {
	var out []counselling.FactRow
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		out, err = factRows(ctx, tx, scope.OfficeID, year)
		return err
	})
	return out, err
}

// factRows lists an office's facts of a year.
func factRows(ctx context.Context, tx *sql.Tx, officeID int64, year int) ([]counselling.FactRow, error) {
	var out []counselling.FactRow
	rows, err := tx.QueryContext(ctx, `SELECT f.year, f.month, f.channel, coalesce(f.age_band, ''), coalesce(f.gender, ''),
		coalesce(f.region, ''), coalesce(f.first_response, ''), f.seeker_messages, f.counsellor_messages, f.closed,
		coalesce(f.rating, 0), coalesce(f.staff_rating, 0), coalesce((SELECT string_agg(th.slug, ';') FROM contact_fact_themes ft JOIN themes th ON th.id = ft.theme_id
			WHERE ft.fact_key = f.fact_key), '')
		FROM contact_facts f WHERE f.office_id = ? AND f.year = ?`, officeID, year)
	if err != nil {
		return nil, fmt.Errorf("list facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r counselling.FactRow
		var themes string
		if err := rows.Scan(&r.Year, &r.Month, &r.Channel, &r.AgeBand, &r.Gender, &r.Region, &r.FirstResponse,
			&r.SeekerMessages, &r.StaffMessages, &r.Closed, &r.Rating, &r.StaffRating, &themes); err != nil {
			return nil, fmt.Errorf("read fact: %w", err)
		}
		if themes != "" {
			r.Themes = strings.Split(themes, ";")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SeedFacts writes n synthetic contact facts for an office's year, spread over
// months, themes, ages, genders and the office's regions, for benchmarks and
// demos.
func (db *DB) SeedFacts(ctx context.Context, officeID int64, year, n int) error {
	themes, err := db.Themes(ctx, officeID)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(year), uint64(n)))
	// Regions are entries of the office's list, as in real facts; an office
	// without a list has only "not given".
	list, err := db.Regions(ctx, officeID)
	if err != nil {
		return err
	}
	regions := []string{""}
	for _, r := range list.Active() {
		regions = append(regions, r.Slug)
	}
	buckets := counselling.ResponseBuckets
	for start := 0; start < n; start += 5000 {
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+5000, n); i++ {
				key := make([]byte, 16)
				if _, err := io.ReadFull(db.rand, key); err != nil {
					return err
				}
				month := 1 + rng.IntN(12)
				age := counselling.AgeBands[rng.IntN(len(counselling.AgeBands))]
				gender := counselling.Genders[rng.IntN(len(counselling.Genders))]
				var rating any
				if rng.IntN(4) == 0 {
					rating = 1 + rng.IntN(5)
				}
				region := regions[rng.IntN(len(regions))]
				bucket := buckets[rng.IntN(len(buckets))].Name
				seekerMsgs, staffMsgs, closed := 1+rng.IntN(6), 1+rng.IntN(6), rng.IntN(2)
				if _, err := tx.ExecContext(ctx, `INSERT INTO contact_facts (fact_key, office_id, channel, year, month, age_band, gender,
					region, first_response, seeker_messages, counsellor_messages, closed, rating) VALUES (?, ?, 'mail', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					key, officeID, year, month, age, gender, nullIfEmpty(region), bucket, seekerMsgs, staffMsgs, closed, rating); err != nil {
					return fmt.Errorf("seed fact: %w", err)
				}
				theme := themes[rng.IntN(len(themes))].ID
				if _, err := tx.ExecContext(ctx, `INSERT INTO contact_fact_themes (fact_key, theme_id, office_id, year, month) VALUES (?, ?, ?, ?, ?)`,
					key, theme, officeID, year, month); err != nil {
					return fmt.Errorf("seed fact theme: %w", err)
				}
				if err := db.tallyNewFact(ctx, tx, officeID, year, month, "mail", [3]string{age, gender, region}, theme, 1); err != nil {
					return err
				}
				if err := db.tally(ctx, tx, officeID, year, counselling.DimFirstResponse, bucket, 1, seekerMsgs-1, staffMsgs); err != nil {
					return err
				}
				var more [][2]string
				if closed == 1 {
					more = append(more, [2]string{counselling.DimClosed, "1"})
				}
				if rating != nil {
					more = append(more, [2]string{counselling.DimRating, strconv.Itoa(rating.(int))})
				}
				for _, m := range more {
					if err := db.tally(ctx, tx, officeID, year, m[0], m[1], 1, 0, 0); err != nil {
						return err
					}
				}
				if closed == 1 {
					if err := db.tally(ctx, tx, officeID, year, counselling.DimClosed, "0", -1, 0, 0); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
