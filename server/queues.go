package server

import (
	"net/http"
	"strings"

	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"

	"github.com/cynllun/cynllun"
)

// QueuePath is where the queue dashboard is served.
const QueuePath = "/admin/queues"

// QueueDashboard returns asynqmon, the Asynq queue dashboard, rooted at
// QueuePath over rdb (which the caller closes; the dashboard is never
// closed, so it shares the client), read-only: it shows queues, tasks,
// workers and the periodic schedule, and changes nothing. Task payloads
// carry ids only, never a child's data.
func QueueDashboard(rdb redis.UniversalClient) http.Handler {
	return asynqmon.New(asynqmon.Options{RootPath: QueuePath, RedisConnOpt: sharedRedis{rdb}, ReadOnly: true})
}

// sharedRedis hands asynqmon an existing client.
type sharedRedis struct{ c redis.UniversalClient }

func (s sharedRedis) MakeRedisClient() any { return s.c }

// adminOnly serves next to administrators only, and only for reading:
// no principal is 401, a principal who is not an administrator 403, a
// method other than GET or HEAD 403 (asynqmon's read-only mode refuses
// them too; this refuses them before it).
func adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := cynllun.PrincipalFrom(r.Context())
		switch {
		case p == nil:
			w.Header().Set("WWW-Authenticate", `Bearer`)
			writeError(w, r, http.StatusUnauthorized, cynllun.CodeUnauthenticated, "authentication required: send Authorization: Bearer <token>")
		case !p.Admin:
			writeError(w, r, http.StatusForbidden, cynllun.CodeForbidden, "the queue dashboard is for administrators")
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			writeError(w, r, http.StatusForbidden, cynllun.CodeForbidden, "the queue dashboard is read-only")
		default:
			w.Header().Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r)
		}
	})
}

// isQueuePath reports whether path is the dashboard's.
func isQueuePath(path string) bool {
	return path == QueuePath || strings.HasPrefix(path, QueuePath+"/")
}
