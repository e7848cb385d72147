package web

import "confidant/store"

// Request bodies are limited to 64 KiB, except where people write messages:
// 20,000 characters of text may take up to 240 KiB once form-encoded.
const (
	formLimit    = 64 << 10
	messageLimit = 256 << 10
)

// routes lists every route of Confidant in one place.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.recoverPanics, s.logRequests, s.securityHeaders, s.checkCookies, s.crossOrigin, s.limitBody, s.loadSession, s.chooseLanguage, s.countVisits)

	e.GET("/healthz", s.healthz)
	e.GET("/static/*", s.serveStatic)
	e.GET("/", s.landing)
	e.GET("/o/:slug", s.officeLanding)

	e.GET("/register", s.registerForm)
	e.POST("/register", s.register, s.limitClient)
	e.GET("/login", s.loginForm)
	e.POST("/login", s.login, s.limitClient)
	e.POST("/logout", s.logout)
	e.POST("/session/extend", s.extendSession)
	e.GET("/login/totp", s.secondFactorForm)
	e.POST("/login/totp", s.secondFactor, s.limitClient)
	e.GET("/recover", s.recoverForm)
	e.POST("/recover", s.recoverAccount, s.limitClient)
	e.GET("/recover/mail", s.resetRequestForm)
	e.POST("/recover/mail", s.requestReset, s.limitClient)
	e.GET("/recover/:token", s.resetForm)
	e.POST("/recover/:token", s.resetPassword, s.limitClient)
	e.GET("/invite/:token", s.inviteForm)
	e.POST("/invite/:token", s.acceptInvite, s.limitClient)

	// Middleware is given per route, not with e.Group: a group with an empty
	// prefix would also catch every unknown path and answer it with a login redirect.
	e.GET("/threads", s.threads, s.requireSeeker)
	e.GET("/threads/new", s.newThreadForm, s.requireSeeker)
	e.POST("/threads/new", s.newThread, s.requireSeeker)
	e.GET("/threads/:id", s.seekerThread, s.requireSeeker)
	e.POST("/threads/:id/reply", s.seekerReply, s.requireSeeker)
	e.POST("/threads/:id/rating", s.rate(func(id string) string { return "/threads/" + id }), s.requireSeeker)
	e.POST("/threads/:id/survey", s.answerSurvey, s.requireSeeker)
	e.GET("/account", s.account, s.requireSeeker)
	e.POST("/account", s.updateAccount, s.requireSeeker)
	e.POST("/account/password", s.changePassword, s.requireSeeker)
	e.POST("/account/push", s.subscribePush, s.requireSeeker)
	e.POST("/account/push/off", s.unsubscribePush, s.requireSeeker)
	e.POST("/account/push/off-all", s.unsubscribePushEverywhere, s.requireSeeker)
	e.GET(pushWorkerPath, s.pushWorker)
	e.GET("/account/export", s.export, s.requireSeeker)
	e.GET("/account/delete", s.deleteForm, s.requireSeeker)
	e.POST("/account/delete", s.deleteAccount, s.requireSeeker)
	e.GET("/terms", s.termsForm, s.requireSeeker)
	e.POST("/terms", s.acceptTerms, s.requireSeeker)

	e.GET("/inbox", s.inbox, s.requireStaff)
	e.GET("/inbox/settings", s.staffSettingsForm, s.requireStaff)
	e.POST("/inbox/settings", s.staffSettings, s.requireStaff)
	e.POST("/inbox/settings/themes", s.saveCounselledThemes, s.requireCounsellor)
	e.GET("/inbox/absence", s.absencePage, s.requireCounsellor)
	e.POST("/inbox/absence", s.recordAbsence, s.requireCounsellor)
	e.POST("/inbox/absence/:id/end", s.endAbsence, s.requireCounsellor)
	e.GET("/inbox/snippets", s.snippets(false), s.requireCounsellor)
	e.POST("/inbox/snippets", s.addSnippet(false), s.requireCounsellor)
	e.POST("/inbox/snippets/:id/delete", s.deleteSnippet(false), s.requireCounsellor)
	e.GET("/inbox/assignments", s.assignments, s.requireCounsellor)
	e.POST("/inbox/:id/reassign", s.reassign, s.requireCounsellor)
	e.POST("/inbox/:id/take", s.take, s.requireCounsellor)
	e.GET("/inbox/:id/fragment", s.fragment, s.requireCounsellor)
	e.GET("/inbox/:id", s.staffThread, s.requireCounsellor)
	e.POST("/inbox/:id/reply", s.staffReplyForm, s.requireCounsellor)
	e.POST("/inbox/:id/note", s.threadAction(s.note), s.requireCounsellor)
	e.POST("/inbox/:id/themes", s.threadAction(s.setThemes), s.requireCounsellor)
	e.POST("/inbox/:id/handover", s.threadAction(s.handover), s.requireCounsellor)
	e.POST("/inbox/:id/flag", s.threadAction(s.flag), s.requireCounsellor)
	e.POST("/inbox/:id/close", s.threadAction(s.closeThread), s.requireCounsellor)
	e.POST("/inbox/:id/reopen", s.threadAction(s.reopenThread), s.requireCounsellor)
	e.POST("/inbox/:id/approve", s.threadAction(s.approve), s.requireCounsellor)
	e.POST("/inbox/:id/return", s.threadAction(s.returnReply), s.requireCounsellor)
	e.POST("/inbox/:id/block", s.threadAction(s.blockSeeker), s.requireCounsellor)
	e.GET("/inbox/accounts", s.seekerAccounts, s.requireSupervisor)
	e.POST("/inbox/accounts/delete", s.deleteOnRequest, s.requireSupervisor)
	e.POST("/inbox/accounts/:id/lift", s.liftBlock, s.requireSupervisor)
	e.POST("/inbox/:id/rating", s.rate(func(id string) string { return "/inbox/" + id }), s.requireCounsellor)
	e.POST("/inbox/:id/supervision", s.threadAction(s.requestSupervision), s.requireCounsellor)
	e.POST("/inbox/:id/supervision/close", s.threadAction(s.closeSupervision), s.requireCounsellor)

	e.GET("/help", s.help)
	e.GET("/supervision", s.supervision, s.requireSupervisor)

	e.GET("/live", s.liveStart)
	e.POST("/live", s.startChat, s.limitClient)
	e.GET("/live/queue", s.liveQueue, s.requireCounsellor)
	e.GET("/live/queue/ws", s.queueSocket, s.requireCounsellor)
	e.POST("/live/availability", s.setAvailability, s.requireCounsellor)
	e.GET("/live/slots", s.slotsPage, s.requireCounsellor)
	e.POST("/live/slots", s.publishSlot, s.requireCounsellor)
	e.POST("/live/slots/:id/book", s.bookSlot, s.requireSeeker)
	e.POST("/live/slots/:id/cancel", s.cancelSlot, s.requireAppointment)
	e.POST("/live/slots/:id/open", s.openAppointment, s.requireAppointment)
	e.GET("/live/slots/:id/calendar.ics", s.slotCalendar, s.requireCounsellor)
	e.GET("/live/groups", s.groupChatsPage, s.requireStaff)
	e.POST("/live/groups", s.scheduleGroupChat, s.requireStaff)
	e.GET("/live/groups/:id", s.groupChatPage, s.requireGroupChat)
	e.GET("/live/groups/:id/ws", s.groupChatSocket, s.requireGroupChat)
	e.POST("/live/groups/:id/join", s.joinGroupChat, s.requireSeeker)
	e.POST("/live/groups/:id/say", s.sayInGroupChat, s.requireGroupChat)
	e.POST("/live/groups/:id/members/:no/mute", s.moderateGroupChat(store.GroupMute), s.requireCounsellor)
	e.POST("/live/groups/:id/members/:no/unmute", s.moderateGroupChat(store.GroupUnmute), s.requireCounsellor)
	e.POST("/live/groups/:id/members/:no/remove", s.moderateGroupChat(store.GroupRemove), s.requireCounsellor)
	e.POST("/live/groups/:id/end", s.endGroupChat, s.requireCounsellor)
	e.GET("/live/:id", s.chatPage, s.requireLive)
	e.GET("/live/:id/ws", s.chatSocket, s.requireLive)
	e.POST("/live/:id/accept", s.acceptChat, s.requireCounsellor)
	e.POST("/live/:id/end", s.endChat, s.requireLive)
	// A guest's session has ended with their chat: the chat's guest pass,
	// sent with the form, is what lets them rate it and answer the survey.
	e.POST("/live/:id/rating", s.rateAsGuest)
	e.POST("/live/:id/survey", s.answerSurveyAsGuest)
	e.GET("/live/callback", s.callbackPage, s.requireSeeker)
	e.POST("/live/callback", s.requestCallback, s.requireSeeker)
	e.POST("/live/callback/:id/remove", s.removeCallback, s.requireSeeker)
	e.GET("/live/ring/ws", s.ringSocket, s.requireSeeker)
	e.POST("/live/rings/:id/accept", s.acceptRing, s.requireSeeker)
	e.POST("/live/rings/:id/decline", s.declineRing, s.requireSeeker)
	e.POST("/account/contact", s.setContactConsent, s.requireSeeker)
	e.POST("/live/callbacks/:id/call", s.callBack, s.requireCounsellor)
	e.POST("/live/invite", s.invite, s.requireCounsellor)
	e.GET("/live/reach/ws", s.reachSocket, s.requireCounsellor)
	e.POST("/admin/settings/callback", s.saveCallbackSettings, s.requireAdmin)
	e.POST("/inbox/:id/group-call", s.inviteToGroup, s.requireCounsellor)
	e.GET("/calls/:id", s.groupPage, s.requireGroup)
	e.GET("/calls/:id/ws", s.groupSocket, s.requireGroup)
	e.POST("/calls/:id/end", s.endGroup, s.requireGroup)

	// The duty roster is kept by an office's admins and supervisors; the
	// store refuses anyone else with not-found.
	e.GET("/roster", s.rosterPage, s.requireStaff)
	e.POST("/roster/auto", s.setAutoAssign, s.requireStaff)
	e.POST("/roster/duty", s.addDuty, s.requireStaff)
	e.POST("/roster/exception", s.addDutyException, s.requireStaff)
	e.POST("/roster/:id/remove", s.removeDuty, s.requireStaff)

	e.GET("/admin", s.admin, s.requireAdmin)
	e.POST("/admin/staff", s.inviteStaff, s.requireAdmin)
	e.POST("/admin/staff/:id/trainee", s.staffAction("trainee", s.setTrainee), s.requireAdmin)
	e.POST("/admin/staff/:id/role", s.staffAction("role", s.setRole), s.requireAdmin)
	e.POST("/admin/staff/:id/disable", s.disableStaff, s.requireAdmin)
	e.POST("/admin/staff/:id/approve", s.staffAction("approved", s.approveAdmin), s.requireAdmin)
	e.GET("/admin/themes", s.adminThemes, s.requireAdmin)
	e.POST("/admin/themes", s.listAction("/admin/themes", s.renderThemes, s.addTheme), s.requireAdmin)
	e.POST("/admin/themes/:id/rename", s.listAction("/admin/themes", s.renderThemes, s.renameTheme), s.requireAdmin)
	e.POST("/admin/themes/:id/retire", s.listAction("/admin/themes", s.renderThemes, s.retireTheme), s.requireAdmin)
	e.GET("/admin/regions", s.adminRegions, s.requireAdmin)
	e.POST("/admin/regions", s.listAction("/admin/regions", s.renderRegions, s.addRegion), s.requireAdmin)
	e.POST("/admin/regions/:id/rename", s.listAction("/admin/regions", s.renderRegions, s.renameRegion), s.requireAdmin)
	e.POST("/admin/regions/:id/retire", s.listAction("/admin/regions", s.renderRegions, s.retireRegion), s.requireAdmin)
	e.GET("/admin/snippets", s.snippets(true), s.requireAdmin)
	e.POST("/admin/snippets", s.addSnippet(true), s.requireAdmin)
	e.POST("/admin/snippets/:id/delete", s.deleteSnippet(true), s.requireAdmin)
	e.GET("/admin/settings", s.adminSettings, s.requireAdmin)
	e.POST("/admin/settings", s.saveSettings, s.requireAdmin)
	e.POST("/admin/settings/enquiry-limit", s.saveEnquiryLimit, s.requireAdmin)
	e.POST("/admin/settings/language", s.saveLanguageSettings, s.requireAdmin)
	e.POST("/admin/terms", s.publishTerms, s.requireAdmin)
	e.GET("/admin/workday", s.adminWorkday, s.requireAdmin)
	e.POST("/admin/workday", s.saveWorkday, s.requireAdmin)
	e.GET("/admin/audit", s.adminAudit, s.requireAdmin)
	e.GET("/admin/offices", s.adminOffices, s.requireAdmin)
	e.POST("/admin/offices", s.createOffice, s.requireAdmin)
	e.GET("/admin/quality", s.adminQuality, s.requireAdmin)
	e.POST("/admin/quality", s.saveQuality, s.requireAdmin)
	e.GET("/admin/surveys", s.adminSurveys, s.requireAdmin)
	e.POST("/admin/surveys", s.addSurveyQuestion, s.requireAdmin)
	e.GET("/admin/surveys/:id", s.surveyQuestionPage, s.requireAdmin)
	e.POST("/admin/surveys/:id", s.editSurveyQuestion, s.requireAdmin)
	e.POST("/admin/surveys/:id/retire", s.retireSurveyQuestion, s.requireAdmin)
	e.GET("/admin/statistics", s.statistics, s.requireAdmin)
	e.GET("/admin/statistics.csv", s.statisticsCSV, s.requireAdmin)
	e.GET("/admin/research.csv", s.researchCSV, s.requireAdmin)
}

// bodyLimits names the routes that take messages.
var bodyLimits = map[string]int64{
	"/threads/new":       messageLimit,
	"/threads/:id/reply": messageLimit,
	"/inbox/:id/reply":   messageLimit,
	"/inbox/:id/note":    messageLimit,
	"/inbox/:id/flag":    messageLimit,
	"/inbox/:id/return":  messageLimit,
	"/inbox/:id/block":   messageLimit,
	// The login forms may carry the text of a form sent after the session
	// had ended.
	"/login":      messageLimit,
	"/login/totp": messageLimit,
}
