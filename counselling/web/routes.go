package web

// routes lists every route of Confidant in one place.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.recoverPanics, s.logRequests, s.securityHeaders, s.crossOrigin, s.limitBody(64<<10), s.loadSession)

	e.GET("/healthz", s.healthz)
	e.GET("/static/*", s.serveStatic)
	e.GET("/", s.landing)

	e.GET("/register", s.registerForm)
	e.POST("/register", s.register, s.limitClient)
	e.GET("/login", s.loginForm)
	e.POST("/login", s.login, s.limitClient)
	e.POST("/logout", s.logout)

	// Middleware is given per route, not with e.Group: a group with an empty
	// prefix would also catch every unknown path and answer it with a login redirect.
	e.GET("/threads", s.threads, s.requireSeeker)
	e.GET("/account", s.account, s.requireSeeker)
}
