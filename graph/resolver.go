// Package graph is the GraphQL transport: the gqlgen schema's resolvers,
// per-request dataloaders and the error presenter. Resolvers read their
// arguments, call one service method and return; access control, validation
// and audit live in the service.
package graph

import (
	"log/slog"

	"github.com/cynllun/cynllun/service"
)

//go:generate go tool gqlgen generate

// Resolver is dependency injection only.
type Resolver struct {
	Svc *service.Service
	Log *slog.Logger
}
