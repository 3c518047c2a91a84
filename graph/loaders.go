package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
	"github.com/cynllun/cynllun/service"
)

// Loaders batch the reads of one request: every key asked for while
// resolving one level of a query is fetched with a single $in query. A page
// of 100 learners with their plans and current versions therefore costs a
// fixed number of round trips, whatever the page size.
type Loaders struct {
	Learner        *dataloadgen.Loader[string, *cynllun.Learner]
	Organisation   *dataloadgen.Loader[string, *cynllun.Organisation]
	Plan           *dataloadgen.Loader[string, *cynllun.Plan]
	PlansByLearner *dataloadgen.Loader[string, []*cynllun.Plan]
	CurrentVersion *dataloadgen.Loader[string, int]
	Version        *dataloadgen.Loader[service.VersionKey, *cynllun.Version]
	VersionMeta    *dataloadgen.Loader[service.VersionKey, *cynllun.Version]
	Review         *dataloadgen.Loader[string, *cynllun.Review]
	ReviewsByPlan  *dataloadgen.Loader[string, []*cynllun.Review]
	// ReviewContext memoises what a review revision's checklist, findings
	// and ledger are computed from (one load per revision per request).
	ReviewContext *dataloadgen.Loader[*cynllun.Review, *service.ReviewContext]
	// Person resolves actor ids in the context of a learner (people.go).
	Person *dataloadgen.Loader[service.PersonKey, *service.Person]
	// Standing is the viewer's standing in a case (evidence viewerCan…).
	Standing *dataloadgen.Loader[string, policy.CaseStanding]
}

// wait is how long a loader collects keys before fetching. It is short
// because every single read pays it once per level; pages of learners do not
// depend on it, since they prefetch each level in one batch (prefetch.go).
const wait = 500 * time.Microsecond

func batch[K comparable, V any](fetch func(context.Context, []K) ([]V, error)) func(context.Context, []K) ([]V, []error) {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		vs, err := fetch(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return vs, nil
	}
}

// NewLoaders returns fresh loaders for one request. Every plan read
// through them primes CurrentVersion with the plan's head, so a current
// version number costs neither a round trip nor a batch wait; a save in
// this request has primed it first, and priming never overwrites.
func NewLoaders(svc *service.Service) *Loaders {
	opts := []dataloadgen.Option{dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(500)}
	l := &Loaders{
		Learner:        dataloadgen.NewLoader(batch(svc.LearnersByID), opts...),
		Organisation:   dataloadgen.NewLoader(batch(svc.OrganisationsByID), opts...),
		CurrentVersion: dataloadgen.NewLoader(batch(svc.CurrentVersions), opts...),
		Version:        dataloadgen.NewLoader(batch(svc.Versions), opts...),
		VersionMeta:    dataloadgen.NewLoader(batch(svc.VersionsMeta), opts...),
		Review:         dataloadgen.NewLoader(batch(svc.Reviews), opts...),
		ReviewsByPlan:  dataloadgen.NewLoader(batch(svc.ReviewsForPlans), opts...),
		ReviewContext:  dataloadgen.NewLoader(batch(svc.ReviewContexts), opts...),
		Person:         dataloadgen.NewLoader(batch(svc.People), opts...),
		Standing:       dataloadgen.NewLoader(batch(svc.ViewerStandings), opts...),
	}
	l.Plan = dataloadgen.NewLoader(batch(func(ctx context.Context, ids []string) ([]*cynllun.Plan, error) {
		ps, err := svc.PlansByID(ctx, ids)
		l.primeHeads(ctx, ps...)
		return ps, err
	}), opts...)
	l.PlansByLearner = dataloadgen.NewLoader(batch(func(ctx context.Context, ids []string) ([][]*cynllun.Plan, error) {
		pss, err := svc.PlansForLearners(ctx, ids)
		for _, ps := range pss {
			l.primeHeads(ctx, ps...)
		}
		return pss, err
	}), opts...)
	return l
}

// primeHeads primes CurrentVersion with the heads of plans read.
func (l *Loaders) primeHeads(ctx context.Context, ps ...*cynllun.Plan) {
	for _, p := range ps {
		if p != nil && p.Latest > 0 {
			l.CurrentVersion.Prime(p.ID, p.Latest)
		}
	}
}

type loadersKey struct{}

// WithLoaders returns ctx carrying fresh loaders and the service's
// per-request authorisation cache.
func WithLoaders(ctx context.Context, svc *service.Service) context.Context {
	ctx = service.WithRequestCache(ctx)
	return context.WithValue(ctx, loadersKey{}, NewLoaders(svc))
}

// Middleware installs per-request loaders.
func Middleware(svc *service.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithLoaders(r.Context(), svc)))
	})
}

func loadersFrom(ctx context.Context, svc *service.Service) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	// Outside an HTTP request (tests, websocket init): unbatched but correct.
	return NewLoaders(svc)
}
