package templates

import (
	"context"

	"confidant/counselling"
)

var groupSizeLabels = map[string]string{
	"0-2": "up to 2", "3-5": "3 to 5", "6-10": "6 to 10", "11-20": "11 to 20", "over-20": "more than 20",
}

// groupSizeTable is the year report's table of group chats by how many took
// part in each.
func groupSizeTable(ctx context.Context, t counselling.Tally) StatTable {
	st := StatTable{ID: "group-sizes", Title: T(ctx, "Group chats by number of participants"),
		Header: []string{T(ctx, "Participants"), T(ctx, "Group chats")}}
	for i, l := range t.Labels {
		st.Rows = append(st.Rows, []string{T(ctx, groupSizeLabels[l]), t.Cells[i].String()})
	}
	st.Rows = append(st.Rows, []string{T(ctx, "Total"), t.Total.String()})
	return st
}
