package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/counselling/live"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// groupChatTopic is the hub topic that nudges a group chat's open pages to
// fetch it again. Its frames carry nothing but that something changed.
func groupChatTopic(id string) string { return "groupchat:" + id }

// groupChatChanged nudges a group chat's open pages.
func (s *Server) groupChatChanged(id string) {
	s.live.hub.Publish(groupChatTopic(id), live.Frame{Type: live.TypeState})
}

// groupChatsPage lists the office's group chats for those who schedule them
// (with the form that schedules one) and a moderator's groups for them.
func (s *Server) groupChatsPage(c echo.Context) error {
	return s.renderGroupChats(c, http.StatusOK, templates.Form{})
}

func (s *Server) renderGroupChats(c echo.Context, status int, f templates.Form) error {
	caller := s.callerOf(c)
	if !counselling.MayScheduleGroups(caller) && !counselling.MayModerate(caller) {
		return errNotFound
	}
	ctx := c.Request().Context()
	groups, err := s.db.GroupChats(ctx, caller)
	if err != nil {
		return err
	}
	zone, err := s.officeZone(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	d := templates.GroupChatsData{Groups: groups, Now: s.cfg.Clock.Now(), Form: f, Schedules: counselling.MayScheduleGroups(caller),
		Me: caller.AccountID, Zone: zone}
	if d.Schedules {
		staff, err := s.db.Staff(ctx, caller.OfficeID)
		if err != nil {
			return err
		}
		for _, m := range staff {
			if !m.Disabled && m.Enrolled && counselling.MayModerate(counselling.Caller{Kind: counselling.KindStaff, Role: m.Role, AccountID: m.ID}) {
				d.Moderators = append(d.Moderators, templates.Option{Value: m.ID, Label: m.Name, Role: string(m.Role)})
			}
		}
	}
	return s.render(c, status, templates.GroupChats(s.page(c, "Group chats"), d))
}

// scheduleGroupChat stores a group chat an admin or supervisor schedules.
func (s *Server) scheduleGroupChat(c echo.Context) error {
	caller := s.callerOf(c)
	if !counselling.MayScheduleGroups(caller) {
		return errNotFound
	}
	ctx := c.Request().Context()
	zone, err := s.officeZone(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	form, err := parseForm(c)
	if err == nil {
		var g counselling.GroupChat
		g, err = counselling.NewGroupChat(form.Get("theme"), form.Get("rules"), form.Get("starts_at"), form.Get("ends_at"),
			form.Get("max_size"), form.Get("moderator"), zone, s.cfg.Clock.Now())
		if err == nil {
			_, err = s.db.ScheduleGroup(ctx, caller, g)
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderGroupChats(c, errorStatus(err), formOf(form, err, "theme", "rules", "starts_at", "ends_at", "max_size", "moderator"))
	}
	return c.Redirect(http.StatusSeeOther, "/live/groups")
}

// requireGroupChat lets through those who may take part in group chats:
// registered help-seekers and staff who have logged in fully. Which group
// is theirs, and how, the store decides (counselling.GroupRoleOf).
func (s *Server) requireGroupChat(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := sessionOf(c)
		if sess != nil && sess.Kind == counselling.KindStaff {
			return s.requireStaff(next)(c)
		}
		return s.requireSeeker(next)(c)
	}
}

func (s *Server) groupChatPage(c echo.Context) error {
	return s.renderGroupChat(c, http.StatusOK, templates.Form{})
}

func (s *Server) renderGroupChat(c echo.Context, status int, f templates.Form) error {
	caller := s.callerOf(c)
	ctx := c.Request().Context()
	v, err := s.db.GroupChat(ctx, caller, c.Param("id"))
	if err != nil {
		return err
	}
	zone, err := s.officeZone(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.GroupChatPage(s.page(c, "Group chat"), templates.GroupChatData{
		View: v, Now: s.cfg.Clock.Now(), Form: f, ScriptURL: s.assets.URL("groupchat.js"), Zone: zone}))
}

// groupChatRefused shows the group's page again with why an action was
// refused; nothing was changed.
func (s *Server) groupChatRefused(c echo.Context, form map[string][]string, err error, fields ...string) error {
	if !showsForm(err) {
		return err
	}
	return s.renderGroupChat(c, errorStatus(err), formOf(form, err, fields...))
}

// joinGroupChat lets a registered help-seeker join a running group once
// they accepted its rules.
func (s *Server) joinGroupChat(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		err = s.db.JoinGroup(c.Request().Context(), s.callerOf(c), c.Param("id"), form.Get("accept_rules") != "")
	}
	if err != nil {
		return s.groupChatRefused(c, form, err)
	}
	s.groupChatChanged(c.Param("id"))
	return c.Redirect(http.StatusSeeOther, "/live/groups/"+c.Param("id"))
}

// sayInGroupChat posts a message to a group; it works without JavaScript,
// and the script only fetches the page again when something changed.
func (s *Server) sayInGroupChat(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		err = s.db.SayInGroup(c.Request().Context(), s.callerOf(c), c.Param("id"), form.Get("body"))
	}
	if err != nil {
		return s.groupChatRefused(c, form, err, "body")
	}
	s.groupChatChanged(c.Param("id"))
	return c.Redirect(http.StatusSeeOther, "/live/groups/"+c.Param("id")+"#group-form")
}

// moderateGroupChat mutes, unmutes or removes a participant, by their
// number in the group.
func (s *Server) moderateGroupChat(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		no, err := strconv.Atoi(c.Param("no"))
		if err != nil || no < 1 {
			return errNotFound
		}
		if err := s.db.ModerateGroup(c.Request().Context(), s.callerOf(c), c.Param("id"), no, action); err != nil {
			return s.groupChatRefused(c, nil, err)
		}
		s.groupChatChanged(c.Param("id"))
		return c.Redirect(http.StatusSeeOther, "/live/groups/"+c.Param("id"))
	}
}

// endGroupChat ends a group early, for its moderator.
func (s *Server) endGroupChat(c echo.Context) error {
	if err := s.db.EndGroup(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
		return s.groupChatRefused(c, nil, err)
	}
	s.groupChatChanged(c.Param("id"))
	return c.Redirect(http.StatusSeeOther, "/live/groups")
}

// groupChatSocket nudges an open group page whenever the group changed, so
// that its script fetches the page again. The frames say nothing else: not
// who wrote, nor what.
func (s *Server) groupChatSocket(c echo.Context) error {
	caller := s.callerOf(c)
	id := c.Param("id")
	v, err := s.db.GroupChat(c.Request().Context(), caller, id)
	if err != nil {
		return err
	}
	if !counselling.MayReadGroup(v.Role) {
		return errNotFound
	}
	sub := s.live.hub.Subscribe(groupChatTopic(id), nil)
	defer sub.Close()
	conn, err := s.accept(c)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	return s.pump(c.Request().Context(), conn, sub, nil, nil)
}
