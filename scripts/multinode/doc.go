// Package multinode holds the test of an office of several nodes: two real
// confidant serve processes on one PostgreSQL database, with people whose
// requests go to either node as a load balancer without sticky sessions
// sends them. It needs PostgreSQL, so it is built with the tag postgres and
// run by make test-postgres.
package multinode
