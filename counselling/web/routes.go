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

	seeker := e.Group("", s.requireSeeker)
	seeker.GET("/threads", s.threads)
	seeker.GET("/account", s.account)
}
